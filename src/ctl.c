/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Telemetry commands that change the daemon's state (ctl.h): VMs added and
 * removed, the log level, a new calibration.  Everything read-only is
 * stats.c's.  Callbacks run in DPDK's
 * telemetry thread; each goes through the same entry points as a reload.
 */
#include <errno.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_log.h>
#include <rte_telemetry.h>

#include "vcryptd/calibrate.h"
#include "vcryptd/ctl.h"
#include "vcryptd/share.h"
#include "vcryptd/stats.h"
#include "vcryptd/vm.h"

static const struct vcd_config *ctl_cfg;

static int
reply(struct rte_tel_data *d, const char *key, const char *value)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, key, value);
	return 0;
}

static bool
valid_name(const char *n)
{
	size_t len = strlen(n);

	return len > 0 && len < VCD_NAME_MAX &&
		strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		len;
}

/*
 * "NAME,REST": NAME into @name (VCD_NAME_MAX bytes, zero-filled); the comma
 * before REST, or NULL if there is none or NAME does not fit.
 */
static const char *
split_name(const char *params, char *name)
{
	const char *comma = params != NULL ? strchr(params, ',') : NULL;

	if (comma == NULL || (size_t)(comma - params) >= VCD_NAME_MAX)
		return NULL;
	memset(name, 0, VCD_NAME_MAX);
	memcpy(name, params, (size_t)(comma - params));
	return comma;
}

/* /vcryptd/vm_add,NAME,/ABSOLUTE/SOCKET: a VM with default settings (vcryptctl add). */
static int
tel_vm_add(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vcd_vm_conf vc = {.weight = 1, .rate_burst_ms = 100, .max_dataqueues = 1};
	const char *comma = split_name(params, vc.name);
	int rc;

	RTE_SET_USED(cmd);
	if (comma == NULL)
		return reply(d, "error", "usage: /vcryptd/vm_add,NAME,/absolute/socket/path");
	if (!valid_name(vc.name))
		return reply(d, "error", "NAME: 1..31 of A-Z a-z 0-9 _ . -");
	if (comma[1] != '/' || strlen(comma + 1) >= VCD_SUN_PATH_MAX)
		return reply(d, "error", "the socket path must be absolute and under 108 bytes");
	snprintf(vc.socket, sizeof(vc.socket), "%s", comma + 1);
	rc = vcd_vm_add(&vc);
	return reply(d, rc == 0 ? "added" : "error", rc == 0 ? vc.name : strerror(-rc));
}

static int
tel_vm_remove(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc;

	RTE_SET_USED(cmd);
	if (params == NULL || !valid_name(params))
		return reply(d, "error", "usage: /vcryptd/vm_remove,NAME");
	rc = vcd_vm_remove(params);
	return reply(d, rc == 0 ? "removed" : "error", rc == 0 ? params : strerror(-rc));
}

/* /vcryptd/vm_limit,NAME,OPS,BYTES: a VM's rate limits until the next reload (0: none). */
static int
tel_vm_limit(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char name[VCD_NAME_MAX], *end;
	unsigned long long ops, bytes;
	const char *p = split_name(params, name);
	struct vcd_vm *vm;

	RTE_SET_USED(cmd);
	if (p == NULL)
		return reply(d, "error", "usage: /vcryptd/vm_limit,NAME,OPS_PER_S,BYTES_PER_S");
	errno = 0;
	ops = strtoull(p + 1, &end, 10);
	if (errno != 0 || end == p + 1 || *end != ',' || ops > 100000000)
		return reply(d, "error", "OPS_PER_S: 0 (no limit) .. 100000000");
	p = end + 1;
	bytes = strtoull(p, &end, 10);
	if (errno != 0 || end == p || *end != '\0' || bytes > 4000000000ull)
		return reply(d, "error", "BYTES_PER_S: 0 (no limit) .. 4000000000");
	vm = vcd_vm_find(name);
	if (vm == NULL)
		return reply(d, "error", "no such VM");
	vcd_share_vm_limit(vm, (uint32_t)ops, (uint32_t)bytes);
	return reply(d, "limited", name);
}

/* /vcryptd/vm_move,NAME,WORKER: move a VM to another worker, through the drain. */
static int
tel_vm_move(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char name[VCD_NAME_MAX], *end;
	const char *p = split_name(params, name);
	unsigned long to;
	int rc;

	RTE_SET_USED(cmd);
	if (p == NULL)
		return reply(d, "error", "usage: /vcryptd/vm_move,NAME,WORKER");
	errno = 0;
	to = strtoul(p + 1, &end, 10);
	if (errno != 0 || end == p + 1 || *end != '\0')
		return reply(d, "error", "WORKER: a worker number (see /vcryptd/workers)");
	rc = vcd_vm_move(name, to > UINT32_MAX ? UINT32_MAX : (unsigned int)to);
	if (rc == -EINVAL)
		return reply(d, "error", "no such worker (see /vcryptd/workers)");
	return reply(d, rc == 0 ? "moved" : "error", rc == 0 ? name : strerror(-rc));
}

static int
tel_log_level(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
	unsigned int i;

	RTE_SET_USED(cmd);
	for (i = 0; params != NULL && i < RTE_DIM(names); i++) {
		if (strcmp(params, names[i]) == 0) {
			rte_log_set_level_pattern("vcryptd.*", i + 1);
			return reply(d, "log_level", names[i]);
		}
	}
	return reply(d, "error",
		"usage: /vcryptd/log_level,emerg|alert|crit|err|warning|notice|"
		"info|debug");
}

/*
 * Calibrations asked for by /vcryptd/calibrate run on the main thread
 * (vcd_ctl_poll()), not in the telemetry thread: DPDK's telemetry starts a
 * thread per client connection, and crypto_aesni_mb's synchronous API keeps a
 * 200 KB multi-buffer manager per calling thread that it never frees, so
 * every vcryptctl calibrate leaked one (found by LeakSanitizer).
 */
static pthread_mutex_t cal_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cal_cond = PTHREAD_COND_INITIALIZER;
static uint64_t cal_asked, cal_done;
static int cal_rc;
#define CAL_WAIT_S 30

void
vcd_ctl_poll(void)
{
	uint64_t target;
	int rc;

	pthread_mutex_lock(&cal_lock);
	target = cal_asked;
	pthread_mutex_unlock(&cal_lock);
	if (target == cal_done)
		return;
	rc = vcd_calibrate(ctl_cfg, true, true);
	pthread_mutex_lock(&cal_lock);
	cal_rc = rc;
	cal_done = target;
	pthread_cond_broadcast(&cal_cond);
	pthread_mutex_unlock(&cal_lock);
}

/* Have the main thread calibrate; its result, or -ETIMEDOUT. */
static int
calibrate_on_main(void)
{
	struct timespec until;
	uint64_t ticket;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CAL_WAIT_S;
	pthread_mutex_lock(&cal_lock);
	ticket = ++cal_asked;
	while (cal_done < ticket && rc == 0)
		rc = pthread_cond_timedwait(&cal_cond, &cal_lock, &until);
	rc = cal_done >= ticket ? cal_rc : -ETIMEDOUT;
	pthread_mutex_unlock(&cal_lock);
	return rc;
}

/* /vcryptd/calibrate: measure again now (every op type) and apply where "auto". */
static int
tel_calibrate(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rc = calibrate_on_main();
	if (rc == -EBUSY) {
		struct vcd_calib c;

		vcd_calib_last(&c);
		if (c.runs == 0)
			return rc; /* one is running and none has completed yet */
	} else if (rc != 0) {
		return rc;
	}
	return vcd_stats_routing_reply(d);
}

void
vcd_ctl_register(const struct vcd_config *cfg)
{
	ctl_cfg = cfg;
	rte_telemetry_register_cmd("/vcryptd/vm_add", tel_vm_add,
		"Add a VM socket. Parameters: NAME,/absolute/socket/path");
	rte_telemetry_register_cmd("/vcryptd/vm_remove", tel_vm_remove,
		"Remove a VM socket (its guest is answered and disconnected). Parameter: NAME");
	rte_telemetry_register_cmd("/vcryptd/vm_limit", tel_vm_limit,
		"Limit a VM until the next reload. Parameters: NAME,OPS_PER_S,BYTES_PER_S (0: "
		"none)");
	rte_telemetry_register_cmd("/vcryptd/vm_move", tel_vm_move,
		"Move a VM to another worker, through the drain. Parameters: NAME,WORKER");
	rte_telemetry_register_cmd("/vcryptd/log_level", tel_log_level,
		"Set vcryptd's log level. Parameter: emerg..debug");
	rte_telemetry_register_cmd("/vcryptd/calibrate", tel_calibrate,
		"Measure the backends again and apply the crossovers to auto thresholds");
}
