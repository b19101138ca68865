/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vcryptd: start-up and shut-down, in order.  The main lcore is the control
 * lcore: it waits for signals while librte_vhost's thread handles the guests'
 * control messages and the worker lcores run the data path.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "vcd_build_config.h"
#include "vcryptd/backend.h"
#include "vcryptd/calibrate.h"
#include "vcryptd/config.h"
#include "vcryptd/ctl.h"
#include "vcryptd/dma.h"
#include "vcryptd/fault.h"
#include "vcryptd/guard.h"
#include "vcryptd/log.h"
#include "vcryptd/route.h"
#include "vcryptd/service.h"
#include "vcryptd/share.h"
#include "vcryptd/stats.h"
#include "vcryptd/vhost_dev.h"
#include "vcryptd/worker.h"

#define EAL_ARGV_MAX 128

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t reload_signal;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_signal = 1;
	else
		quit_signal = sig;
}

static int
start_eal(const struct vcd_config *cfg, const struct vcd_cli *cli, const char *prog)
{
	static char storage[8192];
	char *argv[EAL_ARGV_MAX];
	int argc, i;

	argc = vcd_config_eal_argv(
		cfg, prog, argv, EAL_ARGV_MAX - cli->eal_argc - 1, storage, sizeof(storage));
	if (argc < 0) {
		fprintf(stderr, "vcryptd: too many EAL arguments (shorten [daemon] eal_args)\n");
		return -1;
	}
	for (i = 0; i < cli->eal_argc; i++)
		argv[argc++] = cli->eal_argv[i];
	/* Our own runtime directory (telemetry socket), unless the operator chose one. */
	for (i = 1; i < argc && strncmp(argv[i], "--file-prefix", 13) != 0; i++)
		;
	if (i == argc)
		argv[argc++] = (char *)"--file-prefix=vcryptd";
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr,
			"vcryptd: EAL initialisation failed: %s (check [daemon] lcores, "
			"hugepages and eal_args)\n",
			rte_strerror(rte_errno));
		return -1;
	}
	rte_log_set_level_pattern("vcryptd.*", (uint32_t)cfg->log_level);
	return 0;
}

/*
 * VM sessions the daemon is sized for ([daemon] session_pool): by default
 * every configured VM's quota plus room for four more VMs of the default
 * quota; VMs added later must fit in what is left (vm.c).
 */
static uint32_t
total_sessions(const struct vcd_config *cfg)
{
	return cfg->session_pool != 0 ? cfg->session_pool
				      : vcd_vm_quotas(cfg) + 4 * cfg->max_sessions_per_vm;
}

static uint64_t
total_requests(void)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < vcd_vm_slots(); i++) {
		const struct vcd_vm *vm = vcd_vm_at(i);

		if (vm != NULL)
			n += __atomic_load_n(&vm->stats.requests, __ATOMIC_RELAXED);
	}
	return n;
}

/* systemd's STATUS= line: VMs, connected ones, request rate since the last call. */
static void
notify_status(uint64_t *last_requests, uint64_t *last_tsc)
{
	uint64_t req = total_requests(), tsc = rte_rdtsc();
	double secs = (double)(tsc - *last_tsc) / (double)rte_get_tsc_hz();
	unsigned int i, connected = 0;

	for (i = 0; i < vcd_vm_slots(); i++) {
		const struct vcd_vm *vm = vcd_vm_at(i);

		connected += vm != NULL && vm->connected;
	}
	vcd_notify("STATUS=%u VM socket(s), %u connected, %.0f requests/s", vcd_vm_count(),
		connected, secs > 0 ? (double)(req - *last_requests) / secs : 0.0);
	*last_requests = req;
	*last_tsc = tsc;
}

/*
 * SIGHUP: read the configuration again and apply what may change under
 * running guests (VMs added and removed, log level, per-VM knobs).  A
 * configuration that does not validate, or changes what needs a restart, is
 * refused with the reason and the running one stays.
 */
static void
reload(struct vcd_config *cur, const struct vcd_cli *cli)
{
	static struct vcd_config next;
	char err[512];

	vcd_notify("RELOADING=1");
	if (vcd_config_from_cli(&next, cli, err, sizeof(err)) != 0 ||
		vcd_config_reload_check(cur, &next, err, sizeof(err)) != 0) {
		VCD_LOG(ERR, "reload refused, the running configuration stays: %s", err);
	} else {
		bool measure = (next.threshold_cipher == VCD_THRESHOLD_AUTO &&
				       cur->threshold_cipher != VCD_THRESHOLD_AUTO) ||
			(next.threshold_chain == VCD_THRESHOLD_AUTO &&
				cur->threshold_chain != VCD_THRESHOLD_AUTO);

		rte_log_set_level_pattern("vcryptd.*", (uint32_t)next.log_level);
		vcd_route_apply(&next);
		vcd_share_apply(&next);
		if (measure)
			vcd_calibrate(&next, true, false);
		if (vcd_vms_apply(cur, &next) != 0)
			VCD_LOG(ERR, "reload applied in part: see the errors above");
		*cur = next;
		VCD_LOG(NOTICE, "configuration reloaded from %s: %u VM socket(s)",
			cur->path[0] ? cur->path : "(built-in)", vcd_vm_count());
	}
	vcd_notify("READY=1");
}

static void
run(struct vcd_config *cfg, const struct vcd_cli *cli)
{
	uint64_t last_requests = 0, last_tsc = rte_rdtsc(), last_sample = last_tsc;
	unsigned int tick = 0;

	VCD_LOG(NOTICE, "vcryptd %s ready: %u VM socket(s), %u worker(s), %u backend(s)",
		VCD_VERSION, vcd_vm_count(), vcd_worker_count(), vcd_backend_count());
	if (vcd_vm_count() == 0)
		VCD_LOG(WARNING,
			"no VM sockets configured: add [vm] sections, --socket PATH or "
			"vcryptctl add");
	vcd_notify("READY=1");
	notify_status(&last_requests, &last_tsc);
	while (!quit_signal) {
		usleep(100 * 1000);
		if (reload_signal) {
			reload_signal = 0;
			reload(cfg, cli);
		}
		vcd_workers_watch();
		{
			uint64_t now = rte_rdtsc();

			vcd_workers_sample();
			vcd_vms_sample((double)(now - last_sample) / (double)rte_get_tsc_hz());
			last_sample = now;
		}
		vcd_vms_reset_broken();
		vcd_ctl_poll();
		if (++tick % 20 == 0)
			notify_status(&last_requests, &last_tsc);
	}
	VCD_LOG(NOTICE, "signal %d: draining and shutting down", (int)quit_signal);
	vcd_notify("STOPPING=1");
}

static int
serve(struct vcd_config *cfg, const struct vcd_cli *cli)
{
	int rc;

	/* A chain session takes three cryptodev sessions (whole + two halves). */
	rc = vcd_guard_init();
	if (rc == 0)
		rc = vcd_backends_init(
			cfg, rte_lcore_count() - 1, cfg->qp_depth, 3 * total_sessions(cfg));
	if (rc == 0)
		vcd_vms_set_pool(total_sessions(cfg));
	if (rc == 0)
		rc = vcd_dma_init();
	if (rc == 0) {
		vcd_route_apply(cfg);
		vcd_share_apply(cfg);
		/* Before the workers start: queue pair 0 is free if there is no spare. */
		if (cfg->threshold_cipher == VCD_THRESHOLD_AUTO ||
			cfg->threshold_chain == VCD_THRESHOLD_AUTO)
			vcd_calibrate(cfg, false, false);
		vcd_calibrate_costs(false);
		rc = vcd_workers_init(cfg);
	}
	if (rc == 0)
		rc = vcd_vms_init(cfg);
	if (rc == 0) {
		vcd_stats_register(cfg);
		vcd_ctl_register(cfg);
#ifdef VCD_FAULT_INJECT
		vcd_fault_telemetry_init();
#endif
		vcd_workers_launch();
		rc = vcd_vms_start();
		if (rc == 0)
			run(cfg, cli);
		vcd_vms_stop(); /* drains every VM and logs its totals */
	}
	vcd_workers_fini();
	vcd_backends_fini();
	return rc;
}

/*
 * EAL leaves its runtime directory (and the telemetry sockets in it) behind.
 * With no shared config nobody else can be using our prefix's directory, so
 * remove what EAL put there.
 */
static void
remove_runtime_dir(const char *dir)
{
	static const char *const files[] = {
		"dpdk_telemetry.v2", "dpdk_telemetry.v2.lock", "mp_socket", "config"};
	char path[PATH_MAX + 32];
	unsigned int i;

	if (dir[0] == '\0')
		return;
	for (i = 0; i < RTE_DIM(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	static struct vcd_config cfg;
	static char runtime_dir[PATH_MAX];
	struct vcd_cli cli;
	char err[512];
	int rc;

	if (vcd_cli_parse(argc, argv, &cli, err, sizeof(err)) != 0) {
		fprintf(stderr, "vcryptd: %s\n", err);
		return 2;
	}
	if (cli.help) {
		vcd_cli_usage(stdout);
		return 0;
	}
	if (cli.version) {
		printf("vcryptd %s (%s)\n", VCD_VERSION, rte_version());
		return 0;
	}
	if (vcd_config_from_cli(&cfg, &cli, err, sizeof(err)) != 0) {
		fprintf(stderr, "vcryptd: %s\n", err);
		return 1;
	}
	if (cli.check_config) {
		vcd_config_dump(&cfg, stdout);
		return 0;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	vcd_log_stream_init();
	if (start_eal(&cfg, &cli, argv[0]) != 0)
		return 1;
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rc = serve(&cfg, &cli);
	rte_eal_cleanup();
	remove_runtime_dir(runtime_dir);
	return rc == 0 ? 0 : 1;
}
