/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Staging, enqueue and dequeue on the worker's queue pairs (qp.h).
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "vcryptd/dispatch.h"
#include "vcryptd/health.h"
#include "vcryptd/qp.h"

static const char *const counter_names[VCD_SC_MAX] = {
	[VCD_SC_SPILLED_IN] = "spilled_in",
	[VCD_SC_MOVED_OUT] = "moved_out",
	[VCD_SC_DEVICE_ERRORS] = "device_errors",
	[VCD_SC_FAILOVERS] = "failovers",
	[VCD_SC_DOWNS] = "downs",
	[VCD_SC_UPS] = "ups",
	[VCD_SC_ABANDONED] = "abandoned",
	[VCD_SC_LATE] = "late",
	[VCD_SC_SPURIOUS] = "spurious",
};

const char *
vcd_stage_counter_name(enum vcd_stage_counter k)
{
	return k < VCD_SC_MAX ? counter_names[k] : "?";
}

uint64_t
vcd_stage_counter(const struct vcd_stage *st, enum vcd_stage_counter k)
{
	const uint64_t *p;

	switch (k) {
	case VCD_SC_SPILLED_IN:
		p = &st->spill_in;
		break;
	case VCD_SC_MOVED_OUT:
		p = &st->moved_out;
		break;
	case VCD_SC_DEVICE_ERRORS:
		p = &st->dev_errors;
		break;
	case VCD_SC_FAILOVERS:
		p = &st->failover;
		break;
	case VCD_SC_DOWNS:
		p = &st->downs;
		break;
	case VCD_SC_UPS:
		p = &st->ups;
		break;
	case VCD_SC_ABANDONED:
		p = &st->abandoned;
		break;
	case VCD_SC_LATE:
		p = &st->late;
		break;
	case VCD_SC_SPURIOUS:
		p = &st->spurious;
		break;
	default:
		return 0;
	}
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void
vcd_qp_move_staged(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];
	uint16_t i, keep = 0;

	if (w->nb_backends == 1)
		return;
	for (i = 0; i < st->n; i++) {
		if (!vcd_dispatch_again(w, st->ops[i], b, VCD_AGAIN_SPILL))
			st->ops[keep++] = st->ops[i];
	}
	st->n = keep;
}

unsigned int
vcd_qp_enqueue_all(struct vcd_worker *w)
{
	unsigned int b, total = 0;

	for (b = 0; b < w->nb_backends; b++) {
		struct vcd_stage *st = &w->stage[b];
		uint16_t n, done, i;

		if (st->n == 0)
			continue;
		if (unlikely(!vcd_stage_up(st)))
			vcd_qp_move_staged(
				w, b); /* all but probes, where another backend can take them */
		if (st->n == 0)
			continue;
		n = VCD_ENQUEUE(st, (uint16_t)w->id, st->ops, st->n);
		if (n != 0) {
			if (st->inflight == 0)
				st->last_progress = w->now; /* the stall clock starts now */
			st->refused_since = 0;
		} else if (st->inflight == 0 && vcd_health_refusing(w, b)) {
			continue;
		}
		for (i = 0; i < n; i++)
			vcd_op_req(st->ops[i])->flags |= VCD_REQ_IN_DEVICE;
		st->inflight += n;
		/*
		 * An op the PMD could not even build (QAT: more segments than its
		 * SGL takes) stays at the head with an error status: it runs
		 * elsewhere or is answered, rather than offered again forever.
		 */
		for (done = n;
			done < st->n && st->ops[done]->status != RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
			done++) {
			struct rte_crypto_op *op = st->ops[done];

			if (vcd_dispatch_again(w, op, b, VCD_AGAIN_REFUSED))
				continue;
			vcd_op_req(op)->flags |= VCD_REQ_REFUSED;
			w->redone[w->nb_redone++] = op; /* answered by the reap stage */
		}
		total += done;
		if (done < st->n) {
			/* Keep the rest, in order, for the next poll: nothing is dropped. */
			memmove(st->ops, st->ops + done,
				(size_t)(st->n - done) * sizeof(st->ops[0]));
			st->enq_full++;
		}
		st->n -= done;
		/* Refused ops go to another backend with room rather than wait (route.h). */
		if (st->n != 0)
			vcd_qp_move_staged(w, b);
	}
	return total;
}

uint16_t
vcd_qp_dequeue(struct vcd_worker *w, unsigned int b, struct rte_crypto_op **ops)
{
	struct vcd_stage *st = &w->stage[b];
	uint16_t i, n, keep = 0;

	if (st->inflight == 0 && st->held == 0)
		return 0;
	n = VCD_DEQUEUE(st, (uint16_t)w->id, ops, VCD_DEQ_BURST);
	if (n == 0)
		return 0;
	w->now = rte_rdtsc(); /* completion time for the latency histogram */
	st->last_progress = w->now;
	for (i = 0; i < n; i++) {
		struct vcd_req *r = vcd_op_req(ops[i]);

		if (unlikely(!(r->flags & VCD_REQ_IN_DEVICE))) {
			st->spurious++; /* handed back twice: never complete it again */
			continue;
		}
		/* Abandoned ops were taken off the count when they were answered. */
		if (!(r->flags & VCD_REQ_ABANDONED))
			st->inflight--;
		r->flags &= (uint8_t)~VCD_REQ_IN_DEVICE;
		ops[keep++] = ops[i];
	}
	return keep;
}
