/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * How and where a request runs.
 *
 * The execution plan of a session on a backend is chosen by one predicate,
 * vcd_exec_plan(), from what the session has there (one cryptodev session,
 * or a chain's two halves), what the backend can do (the synchronous API,
 * scatter-gather), and whether the request is over 64 KiB.  session.c keeps
 * its result per backend when the session is created (vcd_session.exec, and
 * the small/large masks from it), calibrate.c measures each backend the way
 * it says, and the worker reads it once per request: nothing else decides.
 *
 * Routing between backends is route.c's pure policy; this adapts it to the
 * worker (candidates, budgets, spill counters).  A built op that has to run
 * somewhere else (its backend refused it, failed it, or stalled with it) goes
 * through vcd_dispatch_again() and nothing else; an op answered without a
 * result through vcd_dispatch_answer().
 *
 * Thread: the owning worker; vcd_exec_plan() is pure.
 */
#ifndef VCRYPTD_DISPATCH_H
#define VCRYPTD_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "vcryptd/exec.h"
#include "vcryptd/opbuild.h"
#include "vcryptd/route.h"
#include "vcryptd/worker.h"

/* How session @s runs @len bytes on backend @be. */
static inline uint8_t
vcd_exec_of(const struct vcd_session *s, unsigned int be, uint32_t len)
{
	return s->exec[be][vcd_is_large(len)];
}

/* A request of @len bytes sent to backend @be (per-VM routing counters). */
static inline void
vcd_count_routed(const struct vcd_worker *w, struct vcd_vm *vm, unsigned int be, uint32_t len)
{
	vm->stats.routed_ops[w->stage[be].role]++;
	vm->stats.routed_bytes[w->stage[be].role] += len;
}

/* The backend for a new request (route.h), or VCD_ROUTE_WAIT / VCD_ROUTE_NONE. */
int vcd_dispatch_route(
	struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_session *s, uint32_t len);

/*
 * The data layout of a queue-pair request on stage @st; @src/@dst set (one
 * segment each way) for the usual direct case, NULL otherwise.
 */
static inline enum vcd_data_layout
vcd_dispatch_layout(const struct vcd_stage *st, const struct vcd_chain *c,
	const struct vcd_req_layout *l, uint8_t **src, uint8_t **dst)
{
	*src = *dst = NULL;
	if (unlikely(vcd_is_large(l->src_len)))
		/* Scatter-gather mbufs: the candidates were checked to take them. */
		return st->sgl_oop ? VCD_DATA_DIRECT : VCD_DATA_IN_DST;
	if (!st->bounce_only &&
		(*src = vcd_seg_ptr(c->rd, c->nb_rd, vcd_vcreq_src_off(l), l->src_len)) != NULL &&
		(*dst = vcd_seg_ptr(c->wr, c->nb_wr, 0, l->src_len)) != NULL)
		return VCD_DATA_DIRECT; /* one mbuf each way */
	/* Scattered, or a device without IOVAs for guest memory (dma.h). */
	*src = *dst = NULL;
	return VCD_DATA_BOUNCE;
}

/* Why a built op runs again (which counters it moves). */
enum vcd_again {
	VCD_AGAIN_SPILL,    /* staged on a backend that is full or down: a spill of its VM */
	VCD_AGAIN_REFUSED,  /* the PMD could not build it: moved, no mark against anyone */
	VCD_AGAIN_FAILOVER, /* it came back with a device error, input intact */
	VCD_AGAIN_STALLED,  /* its device stalled with it: a clone runs, the op stays there */
};

/*
 * The one way a built op runs again: another backend that can take it as it
 * is, never @from, never for a probe.  Staged there, or, where that backend
 * runs it synchronously, run now and queued for the reap stage to complete
 * (never completed from inside submit or health).  Returns false, having done
 * nothing, when no backend can: the caller keeps the op or answers it.
 */
bool vcd_dispatch_again(
	struct vcd_worker *w, struct rte_crypto_op *op, unsigned int from, enum vcd_again why);

/*
 * Answer the request of a built op with @st (@bytes: its source bytes, counted
 * if @st is OK); the op's resources are the caller's to release: a stalled
 * device may still hold it.
 */
static inline void
vcd_dispatch_answer(struct vcd_worker *w, struct rte_crypto_op *op, uint8_t st, uint32_t bytes)
{
	struct vcd_req *r = vcd_op_req(op);

	vcd_vcreq_answer(r->vm, r->vr, r->status, r->head, r->used_len, st, bytes, r->t0, w->now);
	vcd_count_add(&r->sess->inflight, -1);
	r->vm->inflight--;
}

#endif /* VCRYPTD_DISPATCH_H */
