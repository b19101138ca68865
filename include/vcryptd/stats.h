/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Counters for operators: read-only DPDK telemetry commands (/vcryptd/...)
 * and a summary in the log at shut-down (commands that change state: ctl.h).  Counters are written
 * by their owning worker only and read here without locks (64-bit loads; a reading may be one poll
 * old).
 */
#ifndef VCRYPTD_STATS_H
#define VCRYPTD_STATS_H

#include "vcryptd/config.h"
#include "vcryptd/worker.h"

/* Main lcore, after the workers and VMs exist: the read-only commands. */
void vcd_stats_register(const struct vcd_config *cfg);

/* The /vcryptd/routing reply into @d (for ctl.c's /vcryptd/calibrate). */
struct rte_tel_data;
int vcd_stats_routing_reply(struct rte_tel_data *d);

/* One line with @vm's totals (when it is removed, at shut-down too). */
struct vcd_vm;
void vcd_stats_log_vm(const struct vcd_vm *vm);

#endif /* VCRYPTD_STATS_H */
