/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vcryptd configuration: the file (vcryptd.conf), the command line, validation,
 * the EAL argument vector, and a dump in the file's own syntax.
 *
 * Every option is one row of a single table in config.c (section, key, type,
 * field, default, bounds, help, runtime flag); parsing, --set, defaults,
 * validation, dump, reload checks and the -h text are all driven by it, so an
 * option added there appears everywhere at once.
 *
 * File syntax (INI): "[daemon]" once, "[backend NAME]" and "[vm NAME]" repeated;
 * "key = value" lines; '#' or ';' start a comment at the start of a line or after
 * blank space.  NAME is 1..31 of [A-Za-z0-9_.-].  See config/vcryptd.conf.
 *
 * Pure control-plane code: no EAL calls, no threads.  Functions return 0 or
 * -errno and write one line of error text (no newline) into @err.
 */
#ifndef VCRYPTD_CONFIG_H
#define VCD_BURST_MAX 512 /* largest [daemon] burst: requests a worker takes per poll */
#define VCRYPTD_CONFIG_H

#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VCD_MAX_BACKENDS 16
#define VCD_MAX_VMS      64
#define VCD_MAX_DATAQ    8   /* data queues served per VM */
#define VCD_MAX_SETS     32  /* --set options on one command line */
#define VCD_NAME_MAX     32  /* section names, with the NUL */
#define VCD_SUN_PATH_MAX 107 /* longest socket path sockaddr_un can hold */

/* [routing] threshold_* special values ("auto", "never"); any other value is bytes. */
#define VCD_THRESHOLD_AUTO  UINT32_MAX       /* measured at start (calibrate.c) */
#define VCD_THRESHOLD_NEVER (UINT32_MAX - 1) /* accel only for what the cpu cannot run, spill */

enum vcd_backend_role {
	VCD_BACKEND_CPU = 0, /* software PMD on the worker's own core */
	VCD_BACKEND_ACCEL,   /* offload device (QAT) */
};

/* [backend NAME] */
struct vcd_backend_conf {
	char name[VCD_NAME_MAX];
	char driver[64];   /* DPDK driver: crypto_aesni_mb (vdev), crypto_qat (PCI), ... */
	char devargs[256]; /* vdev: driver arguments; PCI: the device's address[,args] */
	enum vcd_backend_role role;
};

/* [vm NAME] */
struct vcd_vm_conf {
	char name[VCD_NAME_MAX];
	char socket[PATH_MAX];   /* absolute after load/add_socket */
	int session_layout;      /* enum vcd_sess_layout (session_msg.h) */
	uint32_t max_sessions;   /* 0: [daemon] max_sessions_per_vm */
	uint32_t weight;         /* share of its worker (DWRR, share.h) */
	uint32_t max_inflight;   /* requests in flight at most; 0: a quarter of a worker's ops */
	uint32_t rate_ops;       /* requests per second at most (token bucket); 0: no limit */
	uint32_t rate_bytes;     /* bytes per second at most; 0: no limit */
	uint32_t rate_burst_ms;  /* the buckets hold this many ms of their rate */
	uint32_t max_dataqueues; /* data queues served (the frontend's first ones) */
};

/* [daemon] plus the repeated sections. */
struct vcd_config {
	char path[PATH_MAX]; /* file it came from; "" for built-in defaults */
	char lcores[64];     /* EAL -l list: first = main (control), rest = workers */
	uint32_t burst;
	uint32_t qp_depth;
	bool vhost_proxy;
	uint32_t mbuf_pool_size;
	uint32_t max_sessions_per_vm;
	uint32_t session_pool; /* sessions of all VMs together; 0: configured + 4 VMs' worth */
	bool hugepages;
	uint32_t memory_mb;
	bool in_memory;
	char eal_args[1024];
	char rsa_lane_cpus[64]; /* CPUs of the RSA lane thread (akcipher.h); "": the main lcore's */
	/* Sharing a worker between VMs (share.h). */
	uint32_t quantum;
	uint32_t request_cost;
	bool measured_cost;
	uint32_t slice_us;
	uint32_t idle_backoff_us; /* idle this long: back off (0: pure polling) */
	uint32_t idle_sleep_us;   /* ... by sleeping this long per idle poll */
	uint32_t notify_delay_us; /* adaptive notification coalescing: most delay; 0: off */
	uint32_t notify_batch;    /* ... and most completions per notification */
	int log_level;            /* RTE_LOG_EMERG (1) .. RTE_LOG_DEBUG (8) */
	char socket_dir[PATH_MAX];
	char socket_group[64];
	char socket_mode[8];
	/* [routing] (route.h): which backend serves a request */
	uint32_t threshold_cipher; /* bytes, or VCD_THRESHOLD_AUTO / VCD_THRESHOLD_NEVER */
	uint32_t threshold_chain;
	uint32_t accel_budget; /* ops in flight per worker on an accel queue pair; 0: qp_depth */
	uint32_t cpu_budget;   /* the same on a cpu queue pair */
	uint32_t fail_errors;  /* consecutive device errors that take a backend down */
	uint32_t stall_ms;     /* ops in flight and no completion for this long: down */
	uint32_t probe_ms;     /* how often a backend that is down is probed */
	struct vcd_backend_conf backends[VCD_MAX_BACKENDS];
	unsigned int nb_backends;
	struct vcd_vm_conf vms[VCD_MAX_VMS];
	unsigned int nb_vms;
};

/* What the command line said; pointers into argv. */
struct vcd_cli {
	const char *config_path; /* -c FILE; NULL: look for the default file */
	const char *sockets[VCD_MAX_VMS];
	unsigned int nb_sockets;
	const char *sets[VCD_MAX_SETS]; /* --set [SECTION[.NAME].]KEY=VALUE */
	unsigned int nb_sets;
	bool check_config;
	bool version;
	bool help;
	int eal_argc; /* arguments after "--" */
	char **eal_argv;
};

/* Every option at its default; no backend, no VM (so it does not validate). */
void vcd_config_defaults(struct vcd_config *c);

/* Defaults plus one backend "aesni0" on crypto_aesni_mb: what runs with no file. */
void vcd_config_builtin(struct vcd_config *c);

/*
 * Reset @c to defaults and read @path into it.  Unknown sections or keys,
 * duplicate keys or section names, and bad values fail with -EINVAL and
 * "FILE:LINE: [section] key = value: problem (help)".  Sockets of [vm]
 * sections without '/' are put into socket_dir.  Does not validate.
 */
int vcd_config_load(struct vcd_config *c, const char *path, char *err, size_t errlen);

/*
 * --socket PATH: add a VM with default settings, named after the file's
 * basename without its extension ("/run/vcryptd/vm0.sock" -> "vm0").  A
 * PATH without '/' goes into socket_dir.  -EEXIST for a socket or name
 * already configured, -ENOSPC past VCD_MAX_VMS, -EINVAL for a bad name.
 */
int vcd_config_add_socket(struct vcd_config *c, const char *path, char *err, size_t errlen);

/*
 * --set: "[SECTION[.NAME].]KEY=VALUE", e.g. "burst=64", "daemon.burst=64",
 * "vm.vm0.weight=2", "backend.aesni0.devargs=max_nb_queue_pairs=2".
 */
int vcd_config_set(struct vcd_config *c, const char *assignment, char *err, size_t errlen);

/* Cross-checks the whole configuration; -EINVAL with the option and the fix. */
int vcd_config_validate(const struct vcd_config *c, char *err, size_t errlen);

/*
 * Reload: may @next replace @cur in a running daemon?  Fails with -EBUSY
 * naming the first option that changed but cannot change at runtime.  VMs
 * may be added and removed; backends and EAL settings may not change.
 */
int vcd_config_reload_check(
	const struct vcd_config *cur, const struct vcd_config *next, char *err, size_t errlen);

/* Print the effective configuration in the file's syntax (loads back equal). */
void vcd_config_dump(const struct vcd_config *c, FILE *f);

/*
 * Visit every option's value in dump order (for telemetry).  @name is NULL
 * for [daemon]; @value is formatted as the file would have it.
 */
typedef void (*vcd_config_visit_fn)(
	const char *section, const char *name, const char *key, const char *value, void *arg);
void vcd_config_visit(const struct vcd_config *c, vcd_config_visit_fn fn, void *arg);

/* Backends on PCI drivers (crypto_qat) take a PCI address in devargs. */
bool vcd_backend_is_pci(const struct vcd_backend_conf *b);

/*
 * EAL device name of a vdev backend: "DRIVER_NAME", e.g. crypto_aesni_mb_aesni0
 * for [backend aesni0] driver = crypto_aesni_mb.  DPDK matches the driver by
 * this prefix and names the cryptodev after the vdev, so the daemon finds it
 * with rte_cryptodev_get_dev_id(name).  -ENAMETOOLONG if it does not fit.
 */
int vcd_backend_vdev_name(const struct vcd_backend_conf *b, char *buf, size_t len);

/*
 * CPU list @list ("2", "2-3,6") into @set (may be NULL: check only).  0, or
 * -EINVAL (not a list, or a CPU at or over CPU_SETSIZE).
 */
int vcd_cpu_list_parse(const char *list, cpu_set_t *set);

/* Parse an EAL lcore list ("0-1", "0,2-3"); returns the count or -EINVAL/-ENOSPC. */
int vcd_lcore_list_parse(const char *list, uint16_t *ids, unsigned int max);

/*
 * Build EAL's argv: @prog, -l LCORES, [--no-huge -m MB], [--in-memory, or
 * --no-shconf with --no-huge, which EAL 22.11 does not combine with --in-memory],
 * --no-pci or -a ADDR per PCI backend, --vdev NAME[,devargs] per vdev backend,
 * --log-level=N, then eal_args split on blanks.  Strings live in @storage.
 * argv[argc] is set to NULL when there is room; the caller appends the
 * arguments given after "--".  Returns argc, or -ENOSPC.
 */
int vcd_config_eal_argv(const struct vcd_config *c, const char *prog, char **argv, int max,
	char *storage, size_t storage_len);

/*
 * vcryptd [-c FILE] [--socket PATH]... [--set K=V]... [--check-config] [-V] [-h]
 * [-- EAL args].  Unknown options, missing or unexpected arguments and stray
 * positional arguments fail with -EINVAL, the option named and "(see vcryptd -h)".
 */
int vcd_cli_parse(int argc, char **argv, struct vcd_cli *cli, char *err, size_t errlen);
void vcd_cli_usage(FILE *f);

/* -c, else VCD_DEFAULT_CONFIG if it exists, else VCD_SOURCE_CONFIG if it exists, else NULL. */
const char *vcd_cli_config_path(const struct vcd_cli *cli);

/* The whole start-up sequence: file (or built-in), --set, --socket, validate. */
int vcd_config_from_cli(struct vcd_config *c, const struct vcd_cli *cli, char *err, size_t errlen);

#endif /* VCRYPTD_CONFIG_H */
