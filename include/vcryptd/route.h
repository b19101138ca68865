/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Routing: which backend serves a request.
 *
 *  - Capability: a session exists only on backends that can run it
 *    (session.c); a request goes to one of those, whatever its size.
 *  - Size: per op type (cipher only, cipher + hash chain), a request whose
 *    data is at least the threshold prefers a backend with role accel,
 *    a smaller one a backend with role cpu.  The threshold comes from the
 *    configuration, or is measured at start (calibrate.c: "auto").
 *  - Load: every worker has an in-flight budget per queue pair.  A request
 *    whose preferred backends are all out of budget spills to an eligible
 *    backend of the other role rather than wait; ops a queue pair refuses at
 *    enqueue move the same way (worker.c).
 *  - Health: a backend whose ops fail with device errors, or that stops
 *    completing or accepting ops, is taken down on that worker; requests go
 *    elsewhere and a probe op brings it back (worker.c).
 *
 * vcd_route_pick() and vcd_route_crossover() are the whole policy, pure
 * functions with their own unit tests (test/unit/test_route.c).
 *
 * Threads: vcd_route_apply() and the calibration write vcd_route from control
 * threads (main lcore, telemetry); workers read it with relaxed loads, one
 * field at a time, at most once per poll.
 */
#ifndef VCRYPTD_ROUTE_H
#define VCRYPTD_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "vcryptd/config.h"

/* Op types that have their own threshold. */
enum vcd_route_op {
	VCD_ROUTE_CIPHER = 0, /* cipher only */
	VCD_ROUTE_CHAIN,      /* cipher + hash */
	VCD_ROUTE_OPS,
};

/* What vcd_route_pick() knows about one eligible backend. */
struct vcd_route_cand {
	uint8_t backend; /* index in backend.c's table */
	uint8_t role;    /* enum vcd_backend_role */
	bool up;         /* not taken down by its health checks */
	uint32_t room;   /* ops it may still take under its budget */
};

#define VCD_ROUTE_WAIT (-1) /* eligible backends are up but full: leave the request queued */
#define VCD_ROUTE_NONE (-2) /* no eligible backend is up: answer VIRTIO_CRYPTO_ERR */

/*
 * The routing policy, for a request of @len data bytes and the threshold of
 * its op type:
 *   1. preferred role: accel if @len >= @threshold, else cpu;
 *   2. the up backend of the preferred role with the most room, if any has room;
 *   3. else the up backend of the other role with the most room (*@spilled = true);
 *   4. else VCD_ROUTE_WAIT if any candidate is up, VCD_ROUTE_NONE if none is.
 * VCD_THRESHOLD_NEVER never prefers accel; ties go to the first candidate.
 * Returns the chosen candidate's backend index.
 */
int vcd_route_pick(const struct vcd_route_cand *c, unsigned int n, uint32_t len, uint32_t threshold,
	bool *spilled);

/*
 * The crossover from a calibration: @sizes ascending, @cpu_ns and @accel_ns
 * the cost per op of each role at each size (<= 0: not measured).  Returns the
 * smallest measured size from which the accelerator is cheaper at that size
 * and at every larger one; 0 if it is cheaper everywhere;
 * VCD_THRESHOLD_NEVER if it is not cheaper at the largest size (or nothing
 * was measured).  A crossing that reverses (noise) is therefore ignored.
 */
uint32_t vcd_route_crossover(
	const uint32_t *sizes, const double *cpu_ns, const double *accel_ns, unsigned int n);

/* The settings workers read (see the thread note above). */
struct vcd_route {
	uint32_t threshold[VCD_ROUTE_OPS]; /* in effect: bytes or VCD_THRESHOLD_NEVER */
	uint32_t budget[2];                /* by role; 0 = queue pair depth */
	uint32_t fail_errors;
	uint64_t stall_tsc; /* stall_ms in TSC cycles */
	uint64_t probe_tsc;
};

extern struct vcd_route vcd_route;

/*
 * Take [routing] from @cfg: budgets, health settings, and each threshold
 * that is not "auto".  An "auto" threshold keeps its measured value (or NEVER
 * until a calibration has run).
 */
void vcd_route_apply(const struct vcd_config *cfg);

/* Record a measured threshold for @op (calibrate.c). */
void vcd_route_set_threshold(enum vcd_route_op op, uint32_t bytes);

/* "cipher" / "chain". */
const char *vcd_route_op_name(enum vcd_route_op op);

/* A threshold as text: "never" or the number of bytes, into @buf. */
const char *vcd_route_threshold_str(uint32_t t, char *buf, size_t len);

#endif /* VCRYPTD_ROUTE_H */
