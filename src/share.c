/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The sharing settings (share.h); the scheduler itself is the worker's poll
 * (worker.c, serve_vms()).
 */
#include <rte_cycles.h>

#include "vcryptd/opbuild.h"
#include "vcryptd/share.h"
#include "vcryptd/vm.h"

struct vcd_share vcd_share = {
	.quantum = 65536,
	.request_cost = 1024,
	.measured_cost = true,
};

static uint64_t
us_to_tsc(uint32_t us)
{
	return rte_get_tsc_hz() / 1000000 * us;
}

void
vcd_share_apply(const struct vcd_config *cfg)
{
	__atomic_store_n(&vcd_share.quantum, cfg->quantum, __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_share.request_cost, cfg->request_cost, __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_share.measured_cost, cfg->measured_cost, __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_share.slice_cycles, us_to_tsc(cfg->slice_us), __ATOMIC_RELAXED);
	__atomic_store_n(
		&vcd_share.idle_backoff, us_to_tsc(cfg->idle_backoff_us), __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_share.idle_sleep_us, cfg->idle_sleep_us, __ATOMIC_RELAXED);
	__atomic_store_n(
		&vcd_share.notify_delay, us_to_tsc(cfg->notify_delay_us), __ATOMIC_RELAXED);
	__atomic_store_n(&vcd_share.notify_batch, cfg->notify_batch, __ATOMIC_RELAXED);
}

void
vcd_share_vm_limit(struct vcd_vm *vm, uint32_t rate_ops, uint32_t rate_bytes)
{
	__atomic_store_n(&vm->rate_ops, rate_ops, __ATOMIC_RELAXED);
	__atomic_store_n(&vm->rate_bytes, rate_bytes, __ATOMIC_RELAXED);
}

void
vcd_share_vm_apply(struct vcd_vm *vm, const struct vcd_vm_conf *vc)
{
	__atomic_store_n(&vm->weight, vc->weight, __ATOMIC_RELAXED);
	__atomic_store_n(&vm->max_inflight,
		vc->max_inflight != 0 ? vc->max_inflight : VCD_OPS_PER_WORKER / 4,
		__ATOMIC_RELAXED);
	__atomic_store_n(&vm->rate_burst_ms, vc->rate_burst_ms, __ATOMIC_RELAXED);
	vcd_share_vm_limit(vm, vc->rate_ops, vc->rate_bytes);
}
