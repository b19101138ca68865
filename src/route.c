/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The routing policy and the settings workers read; see route.h.
 */
#include <stdio.h>

#include <rte_cycles.h>

#include "vcryptd/route.h"

struct vcd_route vcd_route = {
	.threshold = {VCD_THRESHOLD_NEVER, VCD_THRESHOLD_NEVER},
	.fail_errors = 8,
};

static int
best_of_role(const struct vcd_route_cand *c, unsigned int n, uint8_t role)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (c[i].role != role || !c[i].up || c[i].room == 0)
			continue;
		if (best < 0 || c[i].room > c[best].room)
			best = (int)i;
	}
	return best;
}

int
vcd_route_pick(const struct vcd_route_cand *c, unsigned int n, uint32_t len, uint32_t threshold,
	bool *spilled)
{
	uint8_t pref = threshold != VCD_THRESHOLD_NEVER && len >= threshold ? VCD_BACKEND_ACCEL
									    : VCD_BACKEND_CPU;
	uint8_t other = pref == VCD_BACKEND_ACCEL ? VCD_BACKEND_CPU : VCD_BACKEND_ACCEL;
	int i = best_of_role(c, n, pref);
	unsigned int k;

	*spilled = false;
	if (i >= 0)
		return c[i].backend;
	i = best_of_role(c, n, other);
	if (i >= 0) {
		/* Only a move away from an up, preferred backend is a spill. */
		for (k = 0; k < n; k++)
			*spilled = *spilled || (c[k].role == pref && c[k].up);
		return c[i].backend;
	}
	for (k = 0; k < n; k++) {
		if (c[k].up)
			return VCD_ROUTE_WAIT;
	}
	return VCD_ROUTE_NONE;
}

uint32_t
vcd_route_crossover(
	const uint32_t *sizes, const double *cpu_ns, const double *accel_ns, unsigned int n)
{
	uint32_t t = VCD_THRESHOLD_NEVER;
	unsigned int i;

	/* Walk down from the largest size while the accelerator stays cheaper. */
	for (i = n; i-- > 0;) {
		if (cpu_ns[i] <= 0 || accel_ns[i] <= 0 || accel_ns[i] >= cpu_ns[i])
			break;
		t = i == 0 ? 0 : sizes[i];
	}
	return t;
}

void
vcd_route_set_threshold(enum vcd_route_op op, uint32_t bytes)
{
	__atomic_store_n(&vcd_route.threshold[op], bytes, __ATOMIC_RELAXED);
}

void
vcd_route_apply(const struct vcd_config *cfg)
{
	uint64_t ms = rte_get_tsc_hz() / 1000;

	if (cfg->threshold_cipher != VCD_THRESHOLD_AUTO)
		vcd_route_set_threshold(VCD_ROUTE_CIPHER, cfg->threshold_cipher);
	if (cfg->threshold_chain != VCD_THRESHOLD_AUTO)
		vcd_route_set_threshold(VCD_ROUTE_CHAIN, cfg->threshold_chain);
	__atomic_store_n(&vcd_route.budget[VCD_BACKEND_CPU], cfg->cpu_budget, __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_route.budget[VCD_BACKEND_ACCEL], cfg->accel_budget, __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_route.fail_errors, cfg->fail_errors, __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_route.stall_tsc, cfg->stall_ms * ms, __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_route.probe_tsc, cfg->probe_ms * ms, __ATOMIC_RELAXED);
}

const char *
vcd_route_op_name(enum vcd_route_op op)
{
	return op == VCD_ROUTE_CIPHER ? "cipher" : "chain";
}

const char *
vcd_route_threshold_str(uint32_t t, char *buf, size_t len)
{
	if (t == VCD_THRESHOLD_NEVER)
		snprintf(buf, len, "never");
	else if (t == VCD_THRESHOLD_AUTO)
		snprintf(buf, len, "auto");
	else
		snprintf(buf, len, "%u", t);
	return buf;
}
