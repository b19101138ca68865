/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Calibration: measure what one op costs on the first cpu and the first accel
 * backend over a range of sizes (64 B to 128 KiB, each the way the worker
 * would run it there: queue pair, or the synchronous path over 64 KiB), per op type (AES-128-CBC
 * encrypt; AES-128-CBC
 * + HMAC-SHA1), on dummy sessions and the daemon's own buffers, and set each
 * "auto" threshold to the crossover (route.h's vcd_route_crossover()).
 *
 * The cost is wall time per op with a burst in flight on one queue pair: what
 * a worker waits for per request when it sends that size there.
 *
 * Threads: runs on the main lcore at start (before workers, queue pair 0 if
 * the device has no spare) or from the telemetry thread on request
 * (/vcryptd/calibrate; needs the spare queue pair backend.h's ctl_qp).  One
 * run at a time.
 */
#ifndef VCRYPTD_CALIBRATE_H
#define VCRYPTD_CALIBRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "vcryptd/config.h"
#include "vcryptd/route.h"

#define VCD_CALIB_SIZES 11

struct vcd_calib {
	uint64_t runs;  /* calibrations completed */
	int64_t when;   /* time() of the last one */
	char note[160]; /* why an op type was not measured, or "" */
	unsigned int nb_sizes;
	uint32_t sizes[VCD_CALIB_SIZES];
	int backend[VCD_ROUTE_OPS][2];                /* [op][role]: backend measured, or -1 */
	double ns[VCD_ROUTE_OPS][2][VCD_CALIB_SIZES]; /* [op][role][size]: ns per op, <= 0: none */
	uint32_t threshold[VCD_ROUTE_OPS];            /* the crossover found */
	bool measured[VCD_ROUTE_OPS];
};

/*
 * Measure every op type whose threshold in @cfg is "auto" (all of them with
 * @all) and apply the crossovers to vcd_route.  @workers_running: whether
 * queue pair 0 is taken.  Returns 0, or -errno with the reason logged.
 */
int vcd_calibrate(const struct vcd_config *cfg, bool workers_running, bool all);

/* A copy of the last calibration's results. */
void vcd_calib_last(struct vcd_calib *out);

#endif /* VCRYPTD_CALIBRATE_H */
