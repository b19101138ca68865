/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Telemetry: /vcryptd/info, /vcryptd/vms, /vcryptd/vm,<name>, /vcryptd/workers,
 * /vcryptd/backends, /vcryptd/config, /vcryptd/routing: read-only (commands that change state
 * are ctl.c's).  Callbacks run in DPDK's telemetry thread.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "vcd_build_config.h"
#include "vcryptd/akcipher.h"
#include "vcryptd/backend.h"
#include "vcryptd/calibrate.h"
#include "vcryptd/compat.h"
#include "vcryptd/share.h"
#include "vcryptd/guard.h"
#include "vcryptd/log.h"
#include "vcryptd/stats.h"
#include "vcryptd/vhost_dev.h"

static const char *const status_names[] = {
	"ok", "err", "badmsg", "notsupp", "invsess", "nospc", "key_rejected", "other"};

static char config_path[PATH_MAX];
static uint64_t start_tsc;

/* Telemetry dict keys take letters, digits, '_' and '/' only: map the rest to '_'. */
static const char *
tel_key(char *buf, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < len && name[i] != '\0'; i++)
		buf[i] = (isalnum((unsigned char)name[i]) || name[i] == '/') ? name[i] : '_';
	buf[i] = '\0';
	return buf;
}

static uint64_t
rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Upper bound, in ns, of latency bucket @b (cycles in [2^b, 2^(b+1))). */
static uint64_t
bucket_ns(unsigned int b)
{
	return (uint64_t)((double)(2ull << b) * 1e9 / (double)rte_get_tsc_hz()) + 1;
}

/* Latency histogram and percentiles (bucket upper bounds) of @vm's completions. */
static void
latency_dict(struct rte_tel_data *d, const struct vcd_vm *vm)
{
	static const struct {
		const char *name;
		double q;
	} pct[] = {{"p50_ns", 0.50}, {"p99_ns", 0.99}, {"p999_ns", 0.999}};
	struct rte_tel_data *h = rte_tel_data_alloc();
	uint64_t n[VCD_LAT_BUCKETS], total = 0, seen;
	unsigned int b, p;

	for (b = 0; b < VCD_LAT_BUCKETS; b++)
		total += n[b] = rd(&vm->stats.lat_hist[b]);
	for (p = 0; p < RTE_DIM(pct); p++) {
		for (b = 0, seen = 0; b < VCD_LAT_BUCKETS; b++) {
			seen += n[b];
			if (total != 0 && (double)seen >= pct[p].q * (double)total)
				break;
		}
		vcd_tel_dict_u64(d, pct[p].name, total ? bucket_ns(b) : 0);
	}
	if (h == NULL)
		return;
	rte_tel_data_start_dict(h);
	for (b = 0; b < VCD_LAT_BUCKETS; b++) {
		char key[32];

		if (n[b] == 0)
			continue;
		snprintf(key, sizeof(key), "le_%" PRIu64 "_ns", bucket_ns(b));
		vcd_tel_dict_u64(h, key, n[b]);
	}
	rte_tel_data_add_dict_container(d, "latency_histogram", h, 0);
}

/* Requests taken from each of the data queues it may serve (max_dataqueues), as a list. */
static void
queue_requests(struct rte_tel_data *d, const struct vcd_vm *vm)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	uint32_t i, n = RTE_MIN(vm->max_dataqueues, (uint32_t)VCD_MAX_DATAQ);

	if (a == NULL)
		return; /* the rest of the reply still goes */
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (i = 0; i < RTE_MAX(n, 1u); i++)
		vcd_tel_array_u64(a, rd(&vm->stats.queue_requests[i]));
	rte_tel_data_add_dict_container(d, "queue_requests", a, 0);
}

static void
vm_dict(struct rte_tel_data *d, const struct vcd_vm *vm)
{
	unsigned int i;

	rte_tel_data_add_dict_string(d, "name", vm->name);
	rte_tel_data_add_dict_string(d, "socket", vm->socket);
	vcd_tel_dict_u64(d, "connected", vm->connected);
	vcd_tel_dict_u64(d, "running", __atomic_load_n(&vm->have, __ATOMIC_RELAXED));
	vcd_tel_dict_u64(d, "worker", vm->worker);
	vcd_tel_dict_u64(d, "connections", vm->connections);
	vcd_tel_dict_u64(d, "sessions", vm->sessions.count);
	vcd_tel_dict_u64(d, "sessions_created", vm->sessions_created);
	vcd_tel_dict_u64(d, "sessions_refused", vm->sessions_refused);
	vcd_tel_dict_u64(d, "requests", rd(&vm->stats.requests));
	for (i = 0; i < RTE_DIM(status_names); i++)
		vcd_tel_dict_u64(d, status_names[i], rd(&vm->stats.status[i]));
	vcd_tel_dict_u64(d, "no_status", rd(&vm->stats.no_status));
	vcd_tel_dict_u64(d, "bytes", rd(&vm->stats.bytes));
	vcd_tel_dict_u64(d, "inflight", __atomic_load_n(&vm->inflight, __ATOMIC_RELAXED));
	vcd_tel_dict_u64(d, "notifications", rd(&vm->stats.notifications));
	vcd_tel_dict_u64(d, "coalesced", rd(&vm->stats.coalesced));
	vcd_tel_dict_u64(d, "bursts", rd(&vm->stats.bursts));
	vcd_tel_dict_u64(d, "routed_cpu_ops", rd(&vm->stats.routed_ops[VCD_BACKEND_CPU]));
	vcd_tel_dict_u64(d, "routed_accel_ops", rd(&vm->stats.routed_ops[VCD_BACKEND_ACCEL]));
	vcd_tel_dict_u64(d, "routed_cpu_bytes", rd(&vm->stats.routed_bytes[VCD_BACKEND_CPU]));
	vcd_tel_dict_u64(d, "routed_accel_bytes", rd(&vm->stats.routed_bytes[VCD_BACKEND_ACCEL]));
	vcd_tel_dict_u64(d, "spills", rd(&vm->stats.spills));
	vcd_tel_dict_u64(d, "failovers", rd(&vm->stats.failovers));
	/* Sharing (share.h). */
	vcd_tel_dict_u64(d, "queues", __atomic_load_n(&vm->nb_vq, __ATOMIC_RELAXED));
	queue_requests(d, vm);
	vcd_tel_dict_u64(d, "weight", __atomic_load_n(&vm->weight, __ATOMIC_RELAXED));
	vcd_tel_dict_u64(d, "max_inflight", __atomic_load_n(&vm->max_inflight, __ATOMIC_RELAXED));
	vcd_tel_dict_u64(d, "large_inflight", __atomic_load_n(&vm->nb_big, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_int(d, "deficit",
		(int)RTE_MAX(
			RTE_MIN(__atomic_load_n(&vm->deficit, __ATOMIC_RELAXED), (int64_t)INT_MAX),
			(int64_t)INT_MIN));
	vcd_tel_dict_u64(d, "cost", rd(&vm->stats.cost));
	vcd_tel_dict_u64(d, "capped_polls", rd(&vm->stats.capped_polls));
	vcd_tel_dict_u64(d, "empty_polls", rd(&vm->stats.empty_polls));
	vcd_tel_dict_u64(d, "rate_ops", __atomic_load_n(&vm->rate_ops, __ATOMIC_RELAXED));
	vcd_tel_dict_u64(d, "rate_bytes", __atomic_load_n(&vm->rate_bytes, __ATOMIC_RELAXED));
	vcd_tel_dict_u64(d, "throttled_polls", rd(&vm->stats.throttled_polls));
	vcd_tel_dict_u64(
		d, "throttled_us", rd(&vm->stats.throttled_cycles) * 1000000 / rte_get_tsc_hz());
	latency_dict(d, vm);
	for (i = 1; i < VCD_CHAIN_ERR_MAX; i++) {
		char key[40];

		snprintf(key, sizeof(key), "chain_%s", vcd_chain_err_name(i));
		vcd_tel_dict_u64(d, key, rd(&vm->stats.chain_err[i]));
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
		char key[VCD_NAME_MAX];

		vcd_tel_dict_u64(d, tel_key(key, sizeof(key), vm->name), rd(&vm->stats.requests));
	}
	return 0;
}

/*
 * Every VM's share of its worker at one moment (share.h): what a fairness
 * check compares.  share_percent: its part of the cost its worker served
 * over the last ticks, times that worker's busy share (both smoothed by the
 * main loop's samples): the worker cycles it takes, estimated.
 */
static int
tel_sharing(const char *cmd, const char *params, struct rte_tel_data *d)
{
	double rate[VCD_MAX_WORKERS] = {0};
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	for (i = 0; i < vcd_vm_slots(); i++) {
		const struct vcd_vm *vm = vcd_vm_at(i);

		if (vm != NULL && vm->worker < VCD_MAX_WORKERS)
			rate[vm->worker] += vm->cost_rate;
	}
	rte_tel_data_start_dict(d);
	for (i = 0; i < vcd_vm_slots(); i++) {
		const struct vcd_vm *vm = vcd_vm_at(i);
		struct rte_tel_data *c;
		char key[VCD_NAME_MAX];

		if (vm == NULL)
			continue;
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -1;
		rte_tel_data_start_dict(c);
		vcd_tel_dict_u64(c, "worker", vm->worker);
		vcd_tel_dict_u64(c, "weight", __atomic_load_n(&vm->weight, __ATOMIC_RELAXED));
		vcd_tel_dict_u64(c, "cost", rd(&vm->stats.cost));
		vcd_tel_dict_u64(c, "inflight", __atomic_load_n(&vm->inflight, __ATOMIC_RELAXED));
		vcd_tel_dict_u64(c, "cost_per_s", (uint64_t)vm->cost_rate);
		vcd_tel_dict_u64(c, "share_percent",
			rate[vm->worker] > 0 ? (uint64_t)(100.0 * vcd_worker_get(vm->worker)->load *
							       vm->cost_rate / rate[vm->worker] +
						       0.5)
					     : 0);
		rte_tel_data_add_dict_container(d, tel_key(key, sizeof(key), vm->name), c, 0);
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
		char key[VCD_NAME_MAX];

		if (vm == NULL)
			continue;
		/* By name, or by the key /vcryptd/vms lists it under ("web-1" is "web_1"). */
		if (strcmp(vm->name, params) == 0 ||
			strcmp(tel_key(key, sizeof(key), vm->name), params) == 0) {
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
	vcd_tel_dict_u64(d, "uptime_s", (rte_rdtsc() - start_tsc) / rte_get_tsc_hz());
	vcd_tel_dict_u64(d, "sigbus_contained", vcd_guard_faults());
	vcd_tel_dict_u64(d, "call_writes_cut", vcd_guard_calls_cut());
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
tel_rsa_lane(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t ops, busy_us, sleeps;
	bool running = vcd_ak_lane_stats(&ops, &busy_us, &sleeps);

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	vcd_tel_dict_u64(d, "running", running);
	vcd_tel_dict_u64(d, "ops", ops);
	vcd_tel_dict_u64(d, "busy_us", busy_us);
	vcd_tel_dict_u64(d, "sleeps", sleeps);
	return 0;
}

static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < vcd_worker_count(); i++) {
		const struct vcd_worker *w = vcd_worker_get(i);
		struct rte_tel_data *c = rte_tel_data_alloc();
		char key[32];

		if (c == NULL)
			return -1;
		rte_tel_data_start_dict(c);
		vcd_tel_dict_u64(c, "lcore", w->lcore);
		vcd_tel_dict_u64(c, "vms", vcd_worker_vm_count(w));
		vcd_tel_dict_u64(c, "load_percent", (uint64_t)(100 * w->load + 0.5));
		vcd_tel_dict_u64(c, "polls", rd(&w->stats.polls));
		vcd_tel_dict_u64(c, "busy_polls", rd(&w->stats.busy_polls));
		vcd_tel_dict_u64(c, "busy_cycles", rd(&w->stats.busy_cycles));
		vcd_tel_dict_u64(c, "idle_cycles", rd(&w->stats.idle_cycles));
		vcd_tel_dict_u64(c, "sync_batches", rd(&w->stats.sync_batches));
		vcd_tel_dict_u64(c, "sync_batched", rd(&w->stats.sync_batched));
		vcd_tel_dict_u64(c, "sync_slices", rd(&w->stats.sync_slices));
		vcd_tel_dict_u64(c, "slices_long", rd(&w->stats.slices_long));
		vcd_tel_dict_u64(c, "slice_max_us",
			rd(&w->stats.slice_max_cycles) * 1000000 / rte_get_tsc_hz());
		vcd_tel_dict_u64(c, "rounds", rd(&w->stats.rounds));
		vcd_tel_dict_u64(c, "sleeps", rd(&w->stats.sleeps));
		vcd_tel_dict_u64(
			c, "sleep_us", rd(&w->stats.sleep_cycles) * 1000000 / rte_get_tsc_hz());
		/* Busy share of the worker's time since start: polls that found work. */
		vcd_tel_dict_u64(c, "busy_percent",
			rd(&w->stats.busy_cycles) * 100 /
				RTE_MAX(rd(&w->stats.busy_cycles) + rd(&w->stats.idle_cycles),
					(uint64_t)1));
		vcd_tel_dict_u64(c, "partial_enqueues", partial_enqueues(w));
		/* Free stacks: back to their start once every VM is drained (soak checks). */
		vcd_tel_dict_u64(
			c, "ops_free", __atomic_load_n(&w->res.nb_op_free, __ATOMIC_RELAXED));
		vcd_tel_dict_u64(c, "ops", w->res.nb_ops);
		vcd_tel_dict_u64(c, "mbufs_free", __atomic_load_n(&w->res.mb.n, __ATOMIC_RELAXED));
		vcd_tel_dict_u64(c, "mbufs", w->res.mb.size);
		vcd_tel_dict_u64(c, "bounce_free",
			__atomic_load_n(&w->res.nb_bounce_free, __ATOMIC_RELAXED));
		snprintf(key, sizeof(key), "worker%u", i);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	return 0;
}

/*
 * Routing and health of backend @idx summed over the workers' queue pairs;
 * state is "up", or "down" with how many queue pairs are down.
 */
static void
backend_health(struct rte_tel_data *c, unsigned int idx)
{
	uint64_t sum[VCD_SC_MAX] = {0}, inflight = 0, staged = 0;
	unsigned int w, k, down = 0;
	char state[32];

	for (w = 0; w < vcd_worker_count(); w++) {
		const struct vcd_stage *st = &vcd_worker_get(w)->stage[idx];

		down += __atomic_load_n(&st->state, __ATOMIC_RELAXED) != VCD_BE_UP;
		for (k = 0; k < VCD_SC_MAX; k++)
			sum[k] += vcd_stage_counter(st, (enum vcd_stage_counter)k);
		inflight += __atomic_load_n(&st->inflight, __ATOMIC_RELAXED);
		staged += __atomic_load_n(&st->n, __ATOMIC_RELAXED);
	}
	if (down == 0)
		snprintf(state, sizeof(state), "up");
	else
		snprintf(
			state, sizeof(state), "down on %u of %u workers", down, vcd_worker_count());
	rte_tel_data_add_dict_string(c, "state", state);
	vcd_tel_dict_u64(c, "inflight", inflight);
	vcd_tel_dict_u64(c, "staged", staged);
	for (k = 0; k < VCD_SC_MAX; k++)
		vcd_tel_dict_u64(c, vcd_stage_counter_name((enum vcd_stage_counter)k), sum[k]);
}

/* Ops and bytes completed on backend @idx by every worker, and the rate since the last call. */
static void
backend_traffic(struct rte_tel_data *c, unsigned int idx)
{
	static uint64_t last_bytes[VCD_MAX_BACKENDS], last_tsc[VCD_MAX_BACKENDS];
	uint64_t ops = 0, bytes = 0, now = rte_rdtsc();
	unsigned int w;
	double secs;

	for (w = 0; w < vcd_worker_count(); w++) {
		ops += rd(&vcd_worker_get(w)->stage[idx].done_ops);
		bytes += rd(&vcd_worker_get(w)->stage[idx].done_bytes);
	}
	secs = last_tsc[idx] ? (double)(now - last_tsc[idx]) / (double)rte_get_tsc_hz() : 0;
	vcd_tel_dict_u64(c, "ops", ops);
	vcd_tel_dict_u64(c, "bytes", bytes);
	/* Bandwidth since the previous /vcryptd/backends query, in Mbit/s. */
	vcd_tel_dict_u64(c, "mbps_since_last_query",
		secs > 0 ? (uint64_t)((double)(bytes - last_bytes[idx]) * 8 / secs / 1e6) : 0);
	last_bytes[idx] = bytes;
	last_tsc[idx] = now;
}

/* The symmetric algorithms the device advertises (what an orchestrator matches on). */
static void
backend_caps(struct rte_tel_data *c, const struct vcd_backend *b)
{
	const struct rte_cryptodev_capabilities *cap;
	struct rte_cryptodev_info info;
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (a == NULL)
		return;
	rte_cryptodev_info_get(b->dev_id, &info);
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (cap = info.capabilities; cap != NULL && cap->op != RTE_CRYPTO_OP_TYPE_UNDEFINED;
		cap++) {
		if (cap->op != RTE_CRYPTO_OP_TYPE_SYMMETRIC)
			continue;
		if (cap->sym.xform_type == RTE_CRYPTO_SYM_XFORM_CIPHER &&
			vcd_backend_cipher_ok(b, cap->sym.cipher.algo))
			rte_tel_data_add_array_string(
				a, vcd_cipher_algo_name(cap->sym.cipher.algo));
		else if (cap->sym.xform_type == RTE_CRYPTO_SYM_XFORM_AUTH)
			rte_tel_data_add_array_string(a, vcd_auth_algo_name(cap->sym.auth.algo));
	}
	rte_tel_data_add_dict_container(c, "algorithms", a, 0);
	/* Announced, but wrong in the start-up check (vcd_backend_selftest()): not used. */
	a = rte_tel_data_alloc();
	if (a == NULL)
		return;
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (cap = info.capabilities; cap != NULL && cap->op != RTE_CRYPTO_OP_TYPE_UNDEFINED;
		cap++) {
		if (cap->op == RTE_CRYPTO_OP_TYPE_SYMMETRIC &&
			cap->sym.xform_type == RTE_CRYPTO_SYM_XFORM_CIPHER &&
			!vcd_backend_cipher_ok(b, cap->sym.cipher.algo))
			rte_tel_data_add_array_string(
				a, vcd_cipher_algo_name(cap->sym.cipher.algo));
	}
	rte_tel_data_add_dict_container(c, "failed_check", a, 0);
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
		char key[VCD_NAME_MAX];

		if (c == NULL)
			return -1;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "driver", b->driver);
		vcd_tel_dict_u64(c, "dev_id", b->dev_id);
		rte_tel_data_add_dict_string(
			c, "role", b->role == VCD_BACKEND_ACCEL ? "accel" : "cpu");
		vcd_tel_dict_u64(c, "pci", b->pci);
		vcd_tel_dict_u64(c, "queue_pairs", b->nb_qp);
		vcd_tel_dict_u64(c, "sessions_in_use", rte_mempool_in_use_count(b->sess_pool));
		backend_health(c, i);
		backend_traffic(c, i);
		backend_caps(c, b);
		rte_tel_data_add_dict_container(d, tel_key(key, sizeof(key), b->name), c, 0);
	}
	return 0;
}

static const struct vcd_config *live_cfg;

/* Telemetry names take letters, digits, '_' and '/' only: "daemon/burst", "vm/vm0/socket". */
static void
config_entry(const char *section, const char *name, const char *key, const char *value, void *arg)
{
	char k[128];

	if (name != NULL)
		snprintf(k, sizeof(k), "%s/%s/%s", section, name, key);
	else
		snprintf(k, sizeof(k), "%s/%s", section, key);
	rte_tel_data_add_dict_string(arg, tel_key(k, sizeof(k), k), value);
}

static int
tel_config(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "file", config_path);
	vcd_config_visit(live_cfg, config_entry, d);
	return 0;
}

static void
add_threshold(struct rte_tel_data *d, const char *key, uint32_t t)
{
	char buf[16];

	rte_tel_data_add_dict_string(d, key, vcd_route_threshold_str(t, buf, sizeof(buf)));
}

/* /vcryptd/routing: thresholds in effect and configured, budgets, the last calibration. */
static int
tel_routing(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static struct vcd_calib c;
	const uint32_t conf[VCD_ROUTE_OPS] = {
		live_cfg->threshold_cipher, live_cfg->threshold_chain};
	unsigned int op, role, i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	vcd_calib_last(&c);
	rte_tel_data_start_dict(d);
	for (op = 0; op < VCD_ROUTE_OPS; op++) {
		struct rte_tel_data *o = rte_tel_data_alloc();
		char key[32];

		if (o == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(o);
		add_threshold(o, "threshold",
			__atomic_load_n(&vcd_route.threshold[op], __ATOMIC_RELAXED));
		add_threshold(o, "configured", conf[op]);
		vcd_tel_dict_u64(o, "calibrated", c.measured[op]);
		if (c.measured[op]) {
			add_threshold(o, "crossover", c.threshold[op]);
			for (role = 0; role < 2; role++) {
				struct rte_tel_data *a = rte_tel_data_alloc();

				if (a == NULL)
					return -ENOMEM;
				/* Picoseconds: integers in the order of the measured values. */
				rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
				for (i = 0; i < c.nb_sizes; i++)
					vcd_tel_array_u64(a,
						c.ns[op][role][i] > 0
							? (uint64_t)(c.ns[op][role][i] * 1000)
							: 0);
				snprintf(key, sizeof(key), "%s_ps", role ? "accel" : "cpu");
				rte_tel_data_add_dict_container(o, key, a, 0);
				rte_tel_data_add_dict_string(o,
					role ? "accel_backend" : "cpu_backend",
					vcd_backend_get((unsigned int)c.backend[op][role])->name);
			}
		}
		rte_tel_data_add_dict_container(d, vcd_route_op_name(op), o, 0);
	}
	if (c.runs > 0) {
		struct rte_tel_data *a = rte_tel_data_alloc();

		if (a == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(a, RTE_TEL_INT_VAL);
		for (i = 0; i < c.nb_sizes; i++)
			rte_tel_data_add_array_int(a, (int)c.sizes[i]);
		rte_tel_data_add_dict_container(d, "sizes", a, 0);
	}
	vcd_tel_dict_u64(d, "calibrations", c.runs);
	vcd_tel_dict_u64(d, "calibrated_at", (uint64_t)c.when);
	vcd_tel_dict_u64(d, "accel_budget", vcd_route.budget[VCD_BACKEND_ACCEL]);
	vcd_tel_dict_u64(d, "cpu_budget", vcd_route.budget[VCD_BACKEND_CPU]);
	vcd_tel_dict_u64(d, "fail_errors", vcd_route.fail_errors);
	return 0;
}

/*
 * /vcryptd/costs: what each algorithm costs on each backend, as measured at
 * start, and what a request of it is charged for sharing (calibrate.h).
 */
static int
tel_costs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int be, k;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (be = 0; be < vcd_backend_count() && be < VCD_MAX_BACKENDS; be++) {
		struct rte_tel_data *b = rte_tel_data_alloc();

		if (b == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(b);
		for (k = 0; k < vcd_cost_kinds(); k++) {
			struct vcd_cost_info ci;
			struct rte_tel_data *o;

			if (!vcd_cost_kind(be, k, &ci))
				continue;
			o = rte_tel_data_alloc();
			if (o == NULL) {
				rte_tel_data_free(b);
				return -ENOMEM;
			}
			rte_tel_data_start_dict(o);
			/* Picoseconds: integers in the order of the measured values. */
			vcd_tel_dict_u64(o, "fixed_ps", (uint64_t)(ci.ns_fixed * 1000));
			vcd_tel_dict_u64(o, "per_byte_ps", (uint64_t)(ci.ns_per_byte * 1000));
			vcd_tel_dict_u64(o, "extra", ci.cost.extra);
			vcd_tel_dict_u64(o, "per_byte_x16", ci.cost.pb16);
			rte_tel_data_add_dict_container(b, ci.name, o, 0);
		}
		rte_tel_data_add_dict_container(d, vcd_backend_get(be)->name, b, 0);
	}
	vcd_tel_dict_u64(
		d, "measured_cost", __atomic_load_n(&vcd_share.measured_cost, __ATOMIC_RELAXED));
	return 0;
}

int
vcd_stats_routing_reply(struct rte_tel_data *d)
{
	return tel_routing(NULL, NULL, d);
}

void
vcd_stats_register(const struct vcd_config *cfg)
{
	live_cfg = cfg;
	snprintf(config_path, sizeof(config_path), "%s", cfg->path[0] ? cfg->path : "(built-in)");
	start_tsc = rte_rdtsc();
	rte_telemetry_register_cmd("/vcryptd/info", tel_info, "vcryptd version and uptime");
	rte_telemetry_register_cmd("/vcryptd/vms", tel_vms, "VMs and their request counts");
	rte_telemetry_register_cmd("/vcryptd/vm", tel_vm, "One VM's counters. Parameter: VM name");
	rte_telemetry_register_cmd("/vcryptd/workers", tel_workers, "Worker lcore poll counters");
	rte_telemetry_register_cmd("/vcryptd/rsa_lane", tel_rsa_lane,
		"The RSA lane thread (cpu backends' RSA ops): ops, busy_us, sleeps");
	rte_telemetry_register_cmd("/vcryptd/sharing", tel_sharing,
		"Every VM's weight, served cost and in-flight requests, at one moment");
	rte_telemetry_register_cmd("/vcryptd/backends", tel_backends, "Cryptodev backends");
	rte_telemetry_register_cmd("/vcryptd/costs", tel_costs,
		"What each algorithm costs on each backend, for sharing");
	rte_telemetry_register_cmd("/vcryptd/config", tel_config, "The running configuration");
	rte_telemetry_register_cmd("/vcryptd/routing", tel_routing,
		"Routing thresholds (in effect, configured, calibrated), budgets, costs");
}

void
vcd_stats_log_vm(const struct vcd_vm *vm)
{
	uint64_t bad = 0;
	unsigned int e;

	for (e = 1; e < VCD_CHAIN_ERR_MAX; e++)
		bad += rd(&vm->stats.chain_err[e]);
	VCD_LOG(NOTICE,
		"%s: requests %" PRIu64 " ok %" PRIu64 " err %" PRIu64 " badmsg %" PRIu64
		" notsupp %" PRIu64 " invsess %" PRIu64 " no_status %" PRIu64 " bad_chains %" PRIu64
		" bytes %" PRIu64 " notifications %" PRIu64 " sessions_created %" PRIu64,
		vm->name, rd(&vm->stats.requests), rd(&vm->stats.status[0]),
		rd(&vm->stats.status[1]), rd(&vm->stats.status[2]), rd(&vm->stats.status[3]),
		rd(&vm->stats.status[4]), rd(&vm->stats.no_status), bad, rd(&vm->stats.bytes),
		rd(&vm->stats.notifications), vm->sessions_created);
}
