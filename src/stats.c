/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Telemetry: /vcryptd/info, /vcryptd/vms, /vcryptd/vm,<name>, /vcryptd/workers,
 * /vcryptd/backends.  Callbacks run in DPDK's telemetry thread.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "vcd_build_config.h"
#include "vcryptd/backend.h"
#include "vcryptd/log.h"
#include "vcryptd/stats.h"
#include "vcryptd/vhost_dev.h"

static const char *const status_names[] = {
	"ok", "err", "badmsg", "notsupp", "invsess", "nospc", "key_rejected", "other"};

static struct vcd_worker *stat_workers;
static unsigned int stat_nb_workers;
static char config_path[PATH_MAX];
static uint64_t start_tsc;

static uint64_t
rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
vm_dict(struct rte_tel_data *d, const struct vcd_vm *vm)
{
	unsigned int i;

	rte_tel_data_add_dict_string(d, "socket", vm->socket);
	rte_tel_data_add_dict_u64(d, "connected", vm->connected);
	rte_tel_data_add_dict_u64(d, "running", __atomic_load_n(&vm->have, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "worker", vm->worker);
	rte_tel_data_add_dict_u64(d, "connections", vm->connections);
	rte_tel_data_add_dict_u64(d, "sessions", vm->sessions.count);
	rte_tel_data_add_dict_u64(d, "sessions_created", vm->sessions_created);
	rte_tel_data_add_dict_u64(d, "sessions_refused", vm->sessions_refused);
	rte_tel_data_add_dict_u64(d, "requests", rd(&vm->stats.requests));
	for (i = 0; i < RTE_DIM(status_names); i++)
		rte_tel_data_add_dict_u64(d, status_names[i], rd(&vm->stats.status[i]));
	rte_tel_data_add_dict_u64(d, "no_status", rd(&vm->stats.no_status));
	rte_tel_data_add_dict_u64(d, "bytes", rd(&vm->stats.bytes));
	rte_tel_data_add_dict_u64(d, "inflight", __atomic_load_n(&vm->inflight, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "notifications", rd(&vm->stats.notifications));
	rte_tel_data_add_dict_u64(d, "bursts", rd(&vm->stats.bursts));
	for (i = 1; i < VCD_CHAIN_ERR_MAX; i++) {
		char key[40];

		snprintf(key, sizeof(key), "chain_%s", vcd_chain_err_name(i));
		rte_tel_data_add_dict_u64(d, key, rd(&vm->stats.chain_err[i]));
	}
}

static int
tel_vms(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < vcd_vm_slots(); i++) {
		const struct vcd_vm *vm = vcd_vm_at(i);

		if (vm == NULL)
			continue;
		rte_tel_data_add_dict_u64(d, vm->name, rd(&vm->stats.requests));
	}
	return 0;
}

static int
tel_vm(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	if (params == NULL)
		return -1;
	for (i = 0; i < vcd_vm_slots(); i++) {
		const struct vcd_vm *vm = vcd_vm_at(i);

		if (vm == NULL)
			continue;
		if (strcmp(vm->name, params) == 0) {
			rte_tel_data_start_dict(d);
			vm_dict(d, vm);
			return 0;
		}
	}
	return -1;
}

static int
tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", VCD_VERSION);
	rte_tel_data_add_dict_string(d, "dpdk", rte_version());
	rte_tel_data_add_dict_string(d, "config", config_path);
	rte_tel_data_add_dict_u64(d, "uptime_s", (rte_rdtsc() - start_tsc) / rte_get_tsc_hz());
	return 0;
}

static uint64_t
partial_enqueues(const struct vcd_worker *w)
{
	uint64_t n = 0;
	unsigned int b;

	for (b = 0; b < w->nb_backends; b++)
		n += rd(&w->stage[b].enq_full);
	return n;
}

static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < stat_nb_workers; i++) {
		const struct vcd_worker *w = &stat_workers[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		char key[32];

		if (c == NULL)
			return -1;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "lcore", w->lcore);
		rte_tel_data_add_dict_u64(c, "polls", rd(&w->stats.polls));
		rte_tel_data_add_dict_u64(c, "busy_polls", rd(&w->stats.busy_polls));
		rte_tel_data_add_dict_u64(c, "busy_cycles", rd(&w->stats.busy_cycles));
		rte_tel_data_add_dict_u64(c, "idle_cycles", rd(&w->stats.idle_cycles));
		rte_tel_data_add_dict_u64(c, "partial_enqueues", partial_enqueues(w));
		snprintf(key, sizeof(key), "worker%u", i);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	return 0;
}

static int
tel_backends(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < vcd_backend_count(); i++) {
		const struct vcd_backend *b = vcd_backend_get(i);
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -1;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "driver", b->driver);
		rte_tel_data_add_dict_u64(c, "dev_id", b->dev_id);
		rte_tel_data_add_dict_string(
			c, "role", b->role == VCD_BACKEND_ACCEL ? "accel" : "cpu");
		rte_tel_data_add_dict_u64(c, "queue_pairs", b->nb_qp);
		rte_tel_data_add_dict_container(d, b->name, c, 0);
	}
	return 0;
}

void
vcd_stats_register(
	const struct vcd_config *cfg, struct vcd_worker *workers, unsigned int nb_workers)
{
	stat_workers = workers;
	stat_nb_workers = nb_workers;
	snprintf(config_path, sizeof(config_path), "%s", cfg->path[0] ? cfg->path : "(built-in)");
	start_tsc = rte_rdtsc();
	rte_telemetry_register_cmd("/vcryptd/info", tel_info, "vcryptd version and uptime");
	rte_telemetry_register_cmd("/vcryptd/vms", tel_vms, "VMs and their request counts");
	rte_telemetry_register_cmd("/vcryptd/vm", tel_vm, "One VM's counters. Parameter: VM name");
	rte_telemetry_register_cmd("/vcryptd/workers", tel_workers, "Worker lcore poll counters");
	rte_telemetry_register_cmd("/vcryptd/backends", tel_backends, "Cryptodev backends");
}

void
vcd_stats_log_summary(void)
{
	unsigned int i;

	for (i = 0; i < vcd_vm_slots(); i++) {
		const struct vcd_vm *vm = vcd_vm_at(i);
		uint64_t bad = 0;
		unsigned int e;

		if (vm == NULL)
			continue;
		for (e = 1; e < VCD_CHAIN_ERR_MAX; e++)
			bad += rd(&vm->stats.chain_err[e]);
		VCD_LOG(NOTICE,
			"%s: requests %" PRIu64 " ok %" PRIu64 " err %" PRIu64 " badmsg %" PRIu64
			" notsupp %" PRIu64 " invsess %" PRIu64 " no_status %" PRIu64
			" bad_chains %" PRIu64 " bytes %" PRIu64 " notifications %" PRIu64
			" sessions_created %" PRIu64,
			vm->name, rd(&vm->stats.requests), rd(&vm->stats.status[0]),
			rd(&vm->stats.status[1]), rd(&vm->stats.status[2]),
			rd(&vm->stats.status[3]), rd(&vm->stats.status[4]),
			rd(&vm->stats.no_status), bad, rd(&vm->stats.bytes),
			rd(&vm->stats.notifications), vm->sessions_created);
	}
}
