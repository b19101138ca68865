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

#include <rte_crypto_sym.h>

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

/*
 * What a request costs for sharing (share.h), by algorithm and backend.
 *
 * At start, before the workers, every algorithm vcryptd maps (cipher with its
 * key length, HMAC and plain hash) is run on every backend that has it, at
 * 64 B and 2048 B with a burst in flight, on its own session and the
 * calibration's buffers: ns per op = fixed + per_byte x bytes, a line through
 * the two points.  The unit of cost is one byte of AES-128-CBC on the first
 * cpu backend; a request of a kind costs
 *
 *     request_cost + extra + bytes x pb16 / 16
 *
 * pb16: its ns per byte over the unit's, x 16; extra: its fixed ns beyond the
 * unit's, in units (the unit's own fixed cost is what [daemon] request_cost
 * stands for).  A chain adds its two halves.  AES-128-CBC on the cpu backend
 * therefore costs what it did before (bytes + request_cost); 3DES-CBC there
 * ~130 times more per byte.  A kind not measured on a backend costs its
 * bytes.  Each point is the least of 5 runs of 0.5 ms (preemption of the
 * main lcore only lengthens a run).
 */
struct vcd_cost {
	uint32_t extra; /* units beyond request_cost */
	uint32_t pb16;  /* units per data byte x 16 */
};

#define VCD_COST_PB16_BYTES 16 /* one unit per byte: AES-128-CBC on the cpu backend */
#define VCD_COST_PB16_MAX   (1u << 20)
#define VCD_COST_EXTRA_MAX  (1u << 24)

struct vcd_cost_info {
	const char *name; /* "3des_cbc", "hmac_sha256" (telemetry keys take no '-') */
	double ns_fixed, ns_per_byte;
	struct vcd_cost cost;
};

/* Measure the cost table (once, at start; queue pair 0 or the spare). 0, or -errno logged. */
int vcd_calibrate_costs(bool workers_running);

/* ns of one unit of cost (a byte of AES-128-CBC on the first cpu backend); 0: not measured. */
double vcd_cost_unit_ns(void);

/* The cost of a session whose transforms start at @head, on backend @be. */
void vcd_cost_of(unsigned int be, const struct rte_crypto_sym_xform *head, struct vcd_cost *out);

/* For telemetry: kind @k on backend @be, false where it was not measured. */
unsigned int vcd_cost_kinds(void);
bool vcd_cost_kind(unsigned int be, unsigned int k, struct vcd_cost_info *out);

#endif /* VCRYPTD_CALIBRATE_H */
