/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Routing adapter and re-dispatch of built ops (dispatch.h).
 */
#include "vcryptd/dispatch.h"

static inline uint32_t
threshold_of(const struct vcd_worker *w, const struct vcd_session *s)
{
	return w->threshold[s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER ? VCD_ROUTE_CIPHER
								      : VCD_ROUTE_CHAIN];
}

/*
 * The backends that could take a request of session @s with @len data bytes,
 * as route.h's candidates.  @queued: for an op already built (moved or run
 * again): only queue pairs that take it as it is, and never @exclude.
 */
static unsigned int
candidates(const struct vcd_worker *w, const struct vcd_session *s, uint32_t len, bool queued,
	int exclude, bool bounced, struct vcd_route_cand *c)
{
	uint16_t mask = vcd_is_large(len) ? s->large_mask : s->small_mask;
	unsigned int n = 0;

	while (mask != 0) {
		unsigned int b = (unsigned int)__builtin_ctz(mask);
		const struct vcd_stage *st = &w->stage[b];

		mask &= (uint16_t)(mask - 1);
		/*
		 * Built ops over 64 KiB stay where they are (their mbufs suit that
		 * PMD); smaller ones run anywhere, synchronously where that backend's
		 * plan says so.
		 */
		if ((int)b == exclude || !vcd_stage_takes(st, len, queued, bounced))
			continue;
		c[n].backend = (uint8_t)b;
		c[n].role = st->role;
		c[n].up = vcd_stage_up(st);
		/* The synchronous path runs on this core at once: never full. */
		c[n].room =
			vcd_exec_is_sync(vcd_exec_of(s, b, len)) ? UINT32_MAX : vcd_stage_room(st);
		n++;
	}
	return n;
}

int
vcd_dispatch_route(
	struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_session *s, uint32_t len)
{
	struct vcd_route_cand c[VCD_MAX_BACKENDS];
	unsigned int n;
	bool spilled;
	int b;

	if (w->nb_backends == 1) /* nothing to choose: only what it cannot take */
		return vcd_exec_of(s, 0, len) != VCD_EXEC_NONE &&
				vcd_stage_takes(&w->stage[0], len, false, false)
			? 0
			: VCD_ROUTE_NONE;
	n = candidates(w, s, len, false, -1, false, c);
	b = vcd_route_pick(c, n, len, threshold_of(w, s), &spilled);
	if (b >= 0 && spilled) {
		vm->stats.spills++;
		w->stage[b].spill_in++;
	}
	return b;
}

/* Another backend for a built op that backend @from did not run, or < 0. */
static int
reroute(const struct vcd_worker *w, const struct rte_crypto_op *op, unsigned int from)
{
	const struct vcd_req *r = vcd_op_req(op);
	struct vcd_route_cand c[VCD_MAX_BACKENDS];
	unsigned int n;
	bool spilled;

	if (w->nb_backends == 1 || (r->flags & VCD_REQ_PROBE))
		return VCD_ROUTE_NONE;
	n = candidates(w, r->sess, op->sym->m_src->pkt_len, true, (int)from, r->bounce >= 0, c);
	return vcd_route_pick(c, n, op->sym->m_src->pkt_len, threshold_of(w, r->sess), &spilled);
}

bool
vcd_dispatch_again(
	struct vcd_worker *w, struct rte_crypto_op *op, unsigned int from, enum vcd_again why)
{
	struct vcd_req *r = vcd_op_req(op);
	struct vcd_stage *st = &w->stage[from];
	int to;

	/* Whether a stalled device wrote anything is unknown: only out of place runs again. */
	if (why == VCD_AGAIN_STALLED && op->sym->m_dst == NULL)
		return false;
	to = reroute(w, op, from);
	if (to < 0)
		return false;
	if (why == VCD_AGAIN_STALLED) {
		/* The device may still hand the original back: a clone runs. */
		op = vcd_op_clone(&w->res, op);
		if (op == NULL)
			return false;
		r = vcd_op_req(op);
	}
	switch (why) {
	case VCD_AGAIN_SPILL:
		r->vm->stats.spills++;
		/* fall through */
	case VCD_AGAIN_REFUSED:
		st->moved_out++;
		w->stage[to].spill_in++;
		break;
	case VCD_AGAIN_FAILOVER:
	case VCD_AGAIN_STALLED:
		st->failover++;
		r->vm->stats.failovers++;
		break;
	}
	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	r->backend = (uint8_t)to;
	if (r->sess->digest_len != 0)
		memset(r->digest, 0, r->sess->digest_len);
	if (vcd_exec_is_sync(vcd_exec_of(r->sess, (unsigned int)to, op->sym->m_src->pkt_len))) {
		vcd_sync_op(w, op, (unsigned int)to);
		w->redone[w->nb_redone++] = op; /* the reap stage completes it */
		return true;
	}
	rte_crypto_op_attach_sym_session(op, r->sess->cs[to]);
	vcd_stage_push(&w->stage[to], op);
	return true;
}
