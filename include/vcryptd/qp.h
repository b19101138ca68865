/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * One worker's queue pair on each backend: ops staged for it, enqueued in
 * bursts (what the PMD does not take stays staged, in order: nothing is
 * dropped on a partial enqueue), dequeued in bursts, and the counters
 * telemetry reads.  Health (health.h) is per queue pair too: each worker
 * takes its own queue pair down and probes it back up, without sharing state
 * with other workers.
 *
 * Thread: the owning worker; telemetry reads the counters (relaxed loads).
 */
#ifndef VCRYPTD_QP_H
#define VCRYPTD_QP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_crypto.h>

#include "vcryptd/exec.h"
#include "vcryptd/fault.h"
#include "vcryptd/opbuild.h"

#define VCD_STAGE_MAX VCD_OPS_PER_WORKER /* staged ops per backend: never overflows */
#define VCD_DEQ_BURST 64

/* A backend's state on one worker (health.c moves it). */
enum vcd_be_state {
	VCD_BE_UP = 0,
	VCD_BE_DOWN,    /* taken down: routing avoids it; a probe is due at next_probe */
	VCD_BE_PROBING, /* down, with a probe op in the device */
};

struct vcd_stage {
	uint8_t dev_id;
	uint8_t role;      /* enum vcd_backend_role */
	uint8_t state;     /* enum vcd_be_state */
	bool cpu_crypto;   /* copied from the backend (backend.h) */
	bool sgl;          /* multi-segment mbufs in place */
	bool sgl_oop;      /* ... and out of place */
	bool bounce_only;  /* guest memory has no IOVA for it: bounce everything (dma.h) */
	uint32_t max_data; /* largest request it takes as mbufs (backend.h) */
	uint16_t n;        /* staged */
	uint32_t inflight; /* enqueued to the device, not yet dequeued */
	uint32_t budget;   /* in-flight ops routing may give it (route.h) */
	uint32_t qp_depth;
	uint32_t held; /* abandoned ops the device has not handed back */
	uint32_t consec_err;
	uint64_t last_progress; /* TSC of the last completion, or of the enqueue that began a run */
	uint64_t refused_since; /* TSC of the first enqueue an idle queue pair refused; 0: none */
	uint64_t next_probe;

	/* Counters (read by telemetry through vcd_stage_counter()). */
	uint64_t enq_full; /* enqueue calls that took less than offered */
	uint64_t done_ops; /* completed on this backend, by this worker (sync path too) */
	uint64_t done_bytes;
	uint64_t spill_in;   /* requests routed here because their preferred backends were full */
	uint64_t moved_out;  /* staged ops it refused that went to another backend */
	uint64_t dev_errors; /* ops that came back with a device error */
	uint64_t failover;   /* of those, run again on another backend */
	uint64_t downs, ups;
	uint64_t abandoned; /* ops answered without it after it stalled */
	uint64_t late;      /* abandoned ops it returned afterwards */
	uint64_t spurious;  /* ops it handed back that it did not hold */
#ifdef VCD_FAULT_INJECT
	struct vcd_fault_qp *fault;
#endif
	struct rte_crypto_op *ops[VCD_STAGE_MAX];
};

/* The counters of a stage, by name, for telemetry (a table, not offsets into the struct). */
enum vcd_stage_counter {
	VCD_SC_SPILLED_IN,
	VCD_SC_MOVED_OUT,
	VCD_SC_DEVICE_ERRORS,
	VCD_SC_FAILOVERS,
	VCD_SC_DOWNS,
	VCD_SC_UPS,
	VCD_SC_ABANDONED,
	VCD_SC_LATE,
	VCD_SC_SPURIOUS,
	VCD_SC_MAX,
};
const char *vcd_stage_counter_name(enum vcd_stage_counter k);
uint64_t vcd_stage_counter(const struct vcd_stage *st, enum vcd_stage_counter k);

static inline bool
vcd_stage_up(const struct vcd_stage *st)
{
	return st->state == VCD_BE_UP;
}

/* Ops routing may still give a queue pair under its budget. */
static inline uint32_t
vcd_stage_room(const struct vcd_stage *st)
{
	uint32_t used = st->inflight + st->n;

	return used < st->budget ? st->budget - used : 0;
}

/*
 * Whether queue pair @st can take a request of @len bytes at all: within what
 * it takes as mbufs, and where guest memory has no IOVA for it (dma.h) only
 * as a bounce buffer.  @queued: an op already built (@bounced: in a bounce
 * buffer), which moves only if it is at most 64 KiB (one segment each way).
 */
static inline bool
vcd_stage_takes(const struct vcd_stage *st, uint32_t len, bool queued, bool bounced)
{
	if (len > st->max_data || (queued && vcd_is_large(len)))
		return false;
	return !st->bounce_only || bounced || (!queued && len <= VCD_BOUNCE_SIZE);
}

static inline void
vcd_stage_push(struct vcd_stage *st, struct rte_crypto_op *op)
{
	st->ops[st->n++] = op;
}

struct vcd_worker;

/* Submit: every backend's staged ops to its queue pair; returns ops taken or answered. */
unsigned int vcd_qp_enqueue_all(struct vcd_worker *w);
/*
 * Reap: up to VCD_DEQ_BURST completed ops from queue pair @b into @ops, for
 * the caller to complete (ops handed back twice are counted and left out).
 */
uint16_t vcd_qp_dequeue(struct vcd_worker *w, unsigned int b, struct rte_crypto_op **ops);
/*
 * Move the ops staged on @b that it refused (queue pair full, or down) to
 * other backends with room: the other half of the load spill.
 */
void vcd_qp_move_staged(struct vcd_worker *w, unsigned int b);

#endif /* VCRYPTD_QP_H */
