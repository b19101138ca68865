/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Backend health per worker queue pair (health.h).
 */
#include "vcryptd/backend.h"
#include "vcryptd/dispatch.h"
#include "vcryptd/health.h"
#include "vcryptd/log.h"

static inline uint64_t
probe_due(const struct vcd_worker *w)
{
	return w->now + __atomic_load_n(&vcd_route.probe_tsc, __ATOMIC_RELAXED);
}

static void
set_state(struct vcd_stage *st, enum vcd_be_state s)
{
	/* Telemetry reads it from another thread. */
	__atomic_store_n(&st->state, (uint8_t)s, __ATOMIC_RELAXED);
}

static void
backend_down(struct vcd_worker *w, unsigned int b, const char *why)
{
	struct vcd_stage *st = &w->stage[b];

	if (st->state != VCD_BE_UP)
		return;
	set_state(st, VCD_BE_DOWN);
	st->downs++;
	st->consec_err = 0;
	st->next_probe = probe_due(w);
	/* One line per event, never per request. */
	VCD_LOG(WARNING, "worker %u: backend %s down (%s): its requests go elsewhere", w->id,
		vcd_backend_get(b)->name, why);
	/* What is staged on it moves at its next submit turn (not here: callers iterate it). */
}

static void
backend_up(struct vcd_worker *w, unsigned int b, const char *why)
{
	struct vcd_stage *st = &w->stage[b];

	set_state(st, VCD_BE_UP);
	st->ups++;
	st->consec_err = 0;
	if (why != NULL)
		VCD_LOG(NOTICE, "worker %u: backend %s up again (%s)", w->id,
			vcd_backend_get(b)->name, why);
}

void
vcd_health_ok(struct vcd_worker *w, unsigned int b)
{
	w->stage[b].consec_err = 0;
}

/*
 * Whether an op that failed on a device may run again elsewhere: its input
 * must be intact.  Out of place the device wrote only the destination; an op
 * handed back unprocessed wrote nothing.  An in-place op (or a bounced one,
 * in place in the bounce buffer) may have been half overwritten.
 */
static inline bool
retryable(const struct rte_crypto_op *op)
{
	return op->status == RTE_CRYPTO_OP_STATUS_NOT_PROCESSED || op->sym->m_dst != NULL;
}

bool
vcd_health_device_error(struct vcd_worker *w, struct rte_crypto_op *op)
{
	unsigned int from = vcd_op_req(op)->backend;
	struct vcd_stage *st = &w->stage[from];

	st->dev_errors++;
	if (++st->consec_err >= __atomic_load_n(&vcd_route.fail_errors, __ATOMIC_RELAXED))
		backend_down(w, from, "consecutive device errors");
	return retryable(op) && vcd_dispatch_again(w, op, from, VCD_AGAIN_FAILOVER);
}

void
vcd_health_probe_done(struct vcd_worker *w, struct rte_crypto_op *op)
{
	unsigned int b = vcd_op_req(op)->backend;
	struct vcd_stage *st = &w->stage[b];

	if (st->state == VCD_BE_PROBING) {
		if (op->status == RTE_CRYPTO_OP_STATUS_SUCCESS)
			backend_up(w, b, "probe completed");
		else
			set_state(st, VCD_BE_DOWN); /* the next probe at next_probe */
	}
	vcd_op_release(&w->res, op);
}

/*
 * Backend @b has refused every enqueue, while idle, for longer than the
 * stall time: take it down; what could not move elsewhere is answered, not
 * kept for a dead queue.
 */
static void
refused(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];
	uint16_t i;

	backend_down(w, b, "refuses enqueues");
	st->refused_since = 0;
	vcd_qp_move_staged(w, b);
	for (i = 0; i < st->n; i++) {
		if (vcd_op_req(st->ops[i])->flags & VCD_REQ_PROBE)
			set_state(st, VCD_BE_DOWN);
		else
			vcd_dispatch_answer(w, st->ops[i], VIRTIO_CRYPTO_ERR, 0);
		vcd_op_release(&w->res, st->ops[i]);
	}
	st->n = 0;
}

bool
vcd_health_refusing(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];

	/* Idle and refusing: a fault if it lasts (refusals, no accept between). */
	if (st->refused_since == 0) {
		st->refused_since = w->now;
		return false;
	}
	if (w->now - st->refused_since <= __atomic_load_n(&vcd_route.stall_tsc, __ATOMIC_RELAXED))
		return false;
	refused(w, b);
	return true;
}

/*
 * Backend @b has stalled: every op it holds is answered without it, run
 * again elsewhere where its input is intact, else VIRTIO_CRYPTO_ERR.  The ops
 * themselves stay out of use until the device returns them (it may still
 * write their buffers); if it never does they are lost to this worker, not
 * to the guest.
 */
static void
abandon_inflight(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];
	uint32_t i;

	for (i = 0; i < w->res.nb_ops; i++) {
		struct rte_crypto_op *op = w->res.op_all[i];
		struct vcd_req *r = vcd_op_req(op);

		if ((r->flags & (VCD_REQ_IN_DEVICE | VCD_REQ_ABANDONED)) != VCD_REQ_IN_DEVICE ||
			r->backend != b)
			continue;
		r->flags |= VCD_REQ_ABANDONED;
		st->abandoned++;
		st->held++;
		if (r->flags & VCD_REQ_PROBE) {
			set_state(st, VCD_BE_DOWN);
			continue;
		}
		if (!vcd_dispatch_again(w, op, b, VCD_AGAIN_STALLED))
			vcd_dispatch_answer(w, op, VIRTIO_CRYPTO_ERR, 0);
	}
	st->inflight = 0;
}

/*
 * Offer backend @b, which is down, one small op of its probe session on a
 * buffer of the worker's own; it is up again when the op completes.
 */
static void
send_probe(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];
	void *sess = vcd_backend_get(b)->probe_sess;
	struct rte_crypto_op *op;

	st->next_probe = probe_due(w);
	if (sess == NULL) { /* nothing to probe with: try real traffic again */
		backend_up(w, b, NULL);
		return;
	}
	op = vcd_op_probe(&w->res, b, sess);
	if (op == NULL)
		return;
	vcd_stage_push(st, op);
	set_state(st, VCD_BE_PROBING);
}

void
vcd_health_tick(struct vcd_worker *w)
{
	uint64_t stall = __atomic_load_n(&vcd_route.stall_tsc, __ATOMIC_RELAXED);
	unsigned int b;

	for (b = 0; b < w->nb_backends; b++) {
		struct vcd_stage *st = &w->stage[b];

		if (st->inflight != 0 && w->now - st->last_progress > stall) {
			backend_down(w, b, "ops in flight and no completion");
			abandon_inflight(w, b);
		}
		if (unlikely(st->state == VCD_BE_DOWN) && w->now >= st->next_probe)
			send_probe(w, b);
	}
}
