/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Configuration: one table of options (config_options[] below) drives the file
 * parser, --set, defaults, the dump, the reload check and the -h text.  The
 * default of every option is written in the file's syntax and goes through
 * the same parser as a value read from a file, so the two cannot disagree.
 *
 * This file holds the table and what works on one option or one section:
 * values into and out of fields, defaults, instances of [backend] and [vm]
 * ([daemon] and [routing] are struct vcd_config itself).
 * config_priv.h lists the other pieces.
 *
 * Runs on the main lcore only (start-up, SIGHUP); no EAL calls.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_log.h>

#include "config_priv.h"
#include "vcryptd/config.h"
#include "vcryptd/session_msg.h"

const struct sect_desc config_sections[SEC_COUNT] = {
	[SEC_DAEMON] = {"daemon", false, 1},
	[SEC_ROUTING] = {"routing", false, 1},
	[SEC_BACKEND] = {"backend", true, VCD_MAX_BACKENDS},
	[SEC_VM] = {"vm", true, VCD_MAX_VMS},
};

static const char *const log_names[] = {
	[RTE_LOG_EMERG] = "emerg",
	[RTE_LOG_ALERT] = "alert",
	[RTE_LOG_CRIT] = "crit",
	[RTE_LOG_ERR] = "err",
	[RTE_LOG_WARNING] = "warning",
	[RTE_LOG_NOTICE] = "notice",
	[RTE_LOG_INFO] = "info",
	[RTE_LOG_DEBUG] = "debug",
};

static const char *
log_level_name(int v)
{
	return v >= (int)RTE_LOG_EMERG && v <= (int)RTE_LOG_DEBUG ? log_names[v] : NULL;
}

static const char *
role_name(int v)
{
	return v == VCD_BACKEND_CPU ? "cpu" : v == VCD_BACKEND_ACCEL ? "accel" : NULL;
}

static const char *
layout_name(int v)
{
	return vcd_sess_layout_name((enum vcd_sess_layout)v);
}

static const char *
check_absolute(const char *v)
{
	return v[0] == '/' ? NULL : "must be an absolute path";
}

static const char *
check_group(const char *v)
{
	if (*v == '\0' || getgrnam(v) != NULL)
		return NULL;
	return "no such group on this host (e.g. kvm or libvirt-qemu; empty leaves it as is)";
}

static const char *
check_mode(const char *v)
{
	char *end;
	unsigned long m = strtoul(v, &end, 8);

	if (*v == '\0' || *end != '\0' || m > 0777 || (m & 0600) != 0600)
		return "must be an octal mode such as 0660 that lets the owner read and write";
	return NULL;
}

static const char *
check_cpus(const char *v)
{
	if (*v == '\0' || vcd_cpu_list_parse(v, NULL) == 0)
		return NULL;
	return "must be a list of CPUs such as 2 or 2-3,6 (empty: the main lcore's)";
}

static const char *
check_driver(const char *v)
{
	if (*v == '\0' || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(v))
		return "must be a DPDK driver name such as crypto_aesni_mb or crypto_qat";
	return NULL;
}

_Static_assert(sizeof(enum vcd_backend_role) == sizeof(int), "enums are stored as int");
_Static_assert(
	offsetof(struct vcd_backend_conf, name) == 0 && offsetof(struct vcd_vm_conf, name) == 0,
	"config_add_instance() writes the name at offset 0");

#define FSIZE(type, f) sizeof(((type *)0)->f)
#define IN(s, type, f) .sect = s, .offset = offsetof(type, f), .size = FSIZE(type, f)
#define DAEMON(f)      IN(SEC_DAEMON, struct vcd_config, f)
#define ROUTING(f)     IN(SEC_ROUTING, struct vcd_config, f)
#define BACKEND(f)     IN(SEC_BACKEND, struct vcd_backend_conf, f)
#define VM(f)          IN(SEC_VM, struct vcd_vm_conf, f)

/* [routing] threshold_*: at most 4 MiB, far below the two special values. */
#define SIZE_MAX_BYTES (4u << 20)
_Static_assert(SIZE_MAX_BYTES < VCD_THRESHOLD_NEVER, "sizes must not collide with auto/never");

#define THRESHOLD_HELP(op)                                                                         \
	op " requests whose data is at least this many bytes go to backends with role accel, "     \
	   "smaller ones to role cpu; auto: measured at start by a calibration run; never: "       \
	   "accel only for what no cpu backend can run, and for spill; 0: accel always"

const struct option_desc config_options[] = {
	{DAEMON(lcores), .key = "lcores", .type = T_LCORES, .def = "0-1",
		.help = "EAL lcore list (N, N-M, or N@CPU to place lcore N on a CPU); the first "
			"is the main (control) lcore, the rest run workers"},
	{DAEMON(burst), .key = "burst", .type = T_UINT, .def = "32", .min = 1, .max = VCD_BURST_MAX,
		.help = "requests per cryptodev burst"},
	{DAEMON(qp_depth), .key = "qp_depth", .type = T_UINT, .def = "2048", .min = 16,
		.max = 65536,
		.help = "descriptors of each worker's queue pair on each backend; a full one keeps "
			"requests staged, never drops them"},
	{DAEMON(vhost_proxy), .key = "vhost_proxy", .type = T_BOOL, .def = "yes",
		.help = "own the VM sockets and relay vhost-user to librte_vhost, answering "
			"session messages ourselves: QEMU >= 8.1's 1072-byte session message "
			"then works on DPDK < 25.03 (which drops messages over 632 bytes)"},
	{DAEMON(mbuf_pool_size), .key = "mbuf_pool_size", .type = T_UINT, .def = "16383",
		.min = 255, .max = 16777215, .help = "mbufs shared by all workers"},
	{DAEMON(quantum), .key = "quantum", .type = T_UINT, .def = "65536", .min = 1024,
		.max = 16777216, .flags = F_RUNTIME,
		.help = "cost (bytes + request_cost per request) a VM of weight 1 may take per "
			"round of its worker's scheduler"},
	{DAEMON(request_cost), .key = "request_cost", .type = T_UINT, .def = "1024", .min = 0,
		.max = 1048576, .flags = F_RUNTIME,
		.help = "fixed cost of one request in bytes, added to its data bytes for sharing"},
	{DAEMON(measured_cost), .key = "measured_cost", .type = T_BOOL, .def = "yes",
		.flags = F_RUNTIME,
		.help = "for sharing, a request's bytes cost what its algorithm costs per byte on "
			"its backend, measured at start (3DES ~130 times AES); no: every byte the "
			"same"},
	{DAEMON(slice_us), .key = "slice_us", .type = T_UINT, .def = "50", .min = 5, .max = 100000,
		.flags = F_RUNTIME,
		.help = "work on large requests (the synchronous path) per worker poll, in "
			"microseconds"},
	{DAEMON(idle_backoff_us), .key = "idle_backoff_us", .type = T_UINT, .def = "0", .min = 0,
		.max = 10000000, .flags = F_RUNTIME,
		.help = "a worker that found no work for this long backs off: rte_pause() in its "
			"second half, then sleeps idle_sleep_us per empty poll; 0: pure polling"},
	{DAEMON(idle_sleep_us), .key = "idle_sleep_us", .type = T_UINT, .def = "50", .min = 1,
		.max = 100000, .flags = F_RUNTIME,
		.help = "sleep of a backed-off worker per empty poll: what a request waits at "
			"most, plus the kernel's timer slack"},
	{DAEMON(notify_delay_us), .key = "notify_delay_us", .type = T_UINT, .def = "0", .min = 0,
		.max = 10000, .flags = F_RUNTIME,
		.help = "adaptive coalescing of guest notifications (interrupt-driven guests): "
			"under load a notification waits for a batch of completions, at most this "
			"long; 0: one notification per ring per poll"},
	{DAEMON(notify_batch), .key = "notify_batch", .type = T_UINT, .def = "32", .min = 2,
		.max = 1024, .flags = F_RUNTIME,
		.help = "most completions one coalesced notification waits for"},
	{DAEMON(max_sessions_per_vm), .key = "max_sessions_per_vm", .type = T_UINT, .def = "1024",
		.min = 1, .max = 65536, .flags = F_RUNTIME,
		.help = "crypto sessions one VM may hold open"},
	{DAEMON(session_pool), .key = "session_pool", .type = T_UINT, .def = "0", .min = 0,
		.max = 4194304,
		.help = "crypto sessions of all VMs together (sized at start); a VM added later "
			"whose quota does not fit is refused; 0: the configured VMs' quotas plus "
			"four VMs of max_sessions_per_vm"},
	{DAEMON(hugepages), .key = "hugepages", .type = T_BOOL, .def = "no",
		.help = "use hugepages; no gives EAL --no-huge, fine for memfd guests"},
	{DAEMON(memory_mb), .key = "memory_mb", .type = T_UINT, .def = "512", .min = 64,
		.max = 1048576, .help = "MiB of memory with hugepages = no, EAL -m"},
	{DAEMON(in_memory), .key = "in_memory", .type = T_BOOL, .def = "yes",
		.help = "no runtime files: EAL --in-memory; with hugepages = no it gives "
			"--no-shconf instead, as DPDK 22.11 refuses --in-memory with --no-huge"},
	{DAEMON(eal_args), .key = "eal_args", .type = T_STRING, .def = "",
		.help = "extra EAL arguments, verbatim, separated by blanks"},
	{DAEMON(rsa_lane_cpus), .key = "rsa_lane_cpus", .type = T_STRING, .def = "",
		.check = check_cpus,
		.help = "CPUs of the RSA lane, the thread that runs RSA on cpu backends "
			"(crypto_openssl) for the workers; empty: where the main lcore runs"},
	{DAEMON(log_level), .key = "log_level", .type = T_ENUM, .def = "info", .min = RTE_LOG_EMERG,
		.max = RTE_LOG_DEBUG, .name = log_level_name, .flags = F_RUNTIME,
		.help = "log level of vcryptd and DPDK"},
	{DAEMON(socket_dir), .key = "socket_dir", .type = T_PATH, .def = "/tmp",
		.check = check_absolute,
		.help = "directory for socket names without '/', from --socket or [vm] socket"},
	{DAEMON(socket_group), .key = "socket_group", .type = T_STRING, .def = "",
		.check = check_group,
		.help = "group given the VM sockets so QEMU can connect (kvm, libvirt-qemu); "
			"empty: the daemon's"},
	{DAEMON(socket_mode), .key = "socket_mode", .type = T_STRING, .def = "0660",
		.check = check_mode, .help = "permissions of the VM sockets, octal"},

	{ROUTING(threshold_cipher), .key = "threshold_cipher", .type = T_SIZE, .def = "auto",
		.min = 0, .max = SIZE_MAX_BYTES, .flags = F_RUNTIME,
		.help = THRESHOLD_HELP("cipher-only")},
	{ROUTING(threshold_chain), .key = "threshold_chain", .type = T_SIZE, .def = "auto",
		.min = 0, .max = SIZE_MAX_BYTES, .flags = F_RUNTIME,
		.help = THRESHOLD_HELP("cipher+hash chain")},
	{ROUTING(accel_budget), .key = "accel_budget", .type = T_UINT, .def = "0", .min = 0,
		.max = 65536, .flags = F_RUNTIME,
		.help = "ops one worker may have in flight on one queue pair of an accel backend; "
			"beyond it requests spill to the other eligible backend; 0: qp_depth"},
	{ROUTING(cpu_budget), .key = "cpu_budget", .type = T_UINT, .def = "0", .min = 0,
		.max = 65536, .flags = F_RUNTIME,
		.help = "ops one worker may have in flight on one queue pair of a cpu backend; "
			"beyond it requests spill to the other eligible backend; 0: qp_depth"},
	{ROUTING(fail_errors), .key = "fail_errors", .type = T_UINT, .def = "8", .min = 1,
		.max = 65535, .flags = F_RUNTIME,
		.help = "consecutive device errors that mark a backend down"},
	{ROUTING(stall_ms), .key = "stall_ms", .type = T_UINT, .def = "500", .min = 1, .max = 60000,
		.flags = F_RUNTIME,
		.help = "no completion for this many ms while ops are in flight marks a backend "
			"down"},
	{ROUTING(probe_ms), .key = "probe_ms", .type = T_UINT, .def = "1000", .min = 10,
		.max = 3600000, .flags = F_RUNTIME,
		.help = "how often, in ms, a backend that is down gets a probe op"},

	{BACKEND(driver), .key = "driver", .type = T_STRING, .def = "crypto_aesni_mb",
		.check = check_driver, .help = "vdev driver, or crypto_qat for PCI"},
	{BACKEND(devargs), .key = "devargs", .type = T_STRING, .def = "",
		.help = "vdev arguments, or the PCI address for PCI drivers"},
	{BACKEND(role), .key = "role", .type = T_ENUM, .def = "cpu", .min = VCD_BACKEND_CPU,
		.max = VCD_BACKEND_ACCEL, .name = role_name,
		.help = "software PMD on the worker's core, or offload device"},

	{VM(socket), .key = "socket", .type = T_PATH, .def = "", .flags = 0,
		.help = "vhost-user socket; a name without '/' goes into socket_dir; empty: "
			"NAME.sock"},
	{VM(session_layout), .key = "session_layout", .type = T_ENUM, .def = "auto",
		.min = VCD_SESS_LAYOUT_AUTO, .max = VCD_SESS_LAYOUT_QEMU81, .name = layout_name,
		.flags = F_RUNTIME, .help = "create-session wire layout the VM's QEMU sends"},
	{VM(max_sessions), .key = "max_sessions", .type = T_UINT, .def = "0", .min = 0,
		.max = 65536, .flags = F_RUNTIME,
		.help = "sessions this VM may hold; 0: [daemon] max_sessions_per_vm"},
	{VM(weight), .key = "weight", .type = T_UINT, .def = "1", .min = 1, .max = 1000,
		.flags = F_RUNTIME,
		.help = "share of its worker against the other VMs with requests waiting "
			"(deficit weighted round robin on bytes + request_cost)"},
	{VM(max_inflight), .key = "max_inflight", .type = T_UINT, .def = "0", .min = 0, .max = 4096,
		.flags = F_RUNTIME,
		.help = "requests this VM may have in flight; more wait on its ring; 0: 1024 (a "
			"quarter of a worker's ops)"},
	{VM(max_dataqueues), .key = "max_dataqueues", .type = T_UINT, .def = "1", .min = 1,
		.max = VCD_MAX_DATAQ, .flags = F_RUNTIME,
		.help = "data queues served: the frontend's queues 0..N-1, each scheduled inside "
			"the VM's share, from the next connection (QEMU starts only queue 0 on a "
			"vhost-user backend: keep its cryptodev-vhost-user at queues=1)"},
	{VM(rate_ops), .key = "rate_ops", .type = T_UINT, .def = "0", .min = 0, .max = 100000000,
		.flags = F_RUNTIME,
		.help = "requests per second this VM may have taken (token bucket, like QEMU's "
			"cryptodev throttle-ops); more wait on its ring; 0: no limit"},
	{VM(rate_bytes), .key = "rate_bytes", .type = T_UINT, .def = "0", .min = 0,
		.max = 4000000000u, .flags = F_RUNTIME,
		.help = "data bytes per second this VM may have taken (like throttle-bps); 0: no "
			"limit"},
	{VM(rate_burst_ms), .key = "rate_burst_ms", .type = T_UINT, .def = "100", .min = 1,
		.max = 10000, .flags = F_RUNTIME,
		.help = "burst of rate_ops and rate_bytes: the buckets hold this many ms of their "
			"rate"},
};

const size_t config_nb_options = sizeof(config_options) / sizeof(config_options[0]);

_Static_assert(sizeof(config_options) / sizeof(config_options[0]) <= CONFIG_OPTIONS_MAX,
	"raise CONFIG_OPTIONS_MAX");

/* ---- small helpers ---- */

int
config_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Copy with zero fill, so that equal configurations compare equal byte for byte. */
void
config_copy_str(char *dst, size_t size, const char *src)
{
	memset(dst, 0, size);
	memcpy(dst, src, strnlen(src, size - 1));
}

bool
config_valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < VCD_NAME_MAX &&
		strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static void *
field(const struct option_desc *o, const void *base)
{
	return (char *)(uintptr_t)base + o->offset;
}

const char *
config_section_label(enum sect s, const char *name, char *buf, size_t len)
{
	bool named = name != NULL && *name != '\0';

	snprintf(
		buf, len, "[%s%s%s]", config_sections[s].name, named ? " " : "", named ? name : "");
	return buf;
}

/* ---- values: parse into a field, format out of one ---- */

/* A number with one of @n suffixes (multipliers), within 32 bits. */
static int
parse_scaled(
	const char *v, const char *const *suffix, const uint32_t *mult, size_t n, uint32_t *out)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(end, suffix[i]) != 0)
			continue;
		if (x > UINT32_MAX / mult[i])
			return -EINVAL;
		*out = (uint32_t)x * mult[i];
		return 0;
	}
	return -EINVAL;
}

static int
parse_u32(const char *v, uint32_t *out)
{
	static const char *const none[] = {""};
	static const uint32_t one[] = {1};

	return parse_scaled(v, none, one, 1, out);
}

/* "16384", "16K", "16k", "16KiB", "4M", "4MiB"; no blanks, no other suffix. */
static int
parse_size(const char *v, uint32_t *out)
{
	static const char *const units[] = {"", "K", "k", "KiB", "M", "MiB"};
	static const uint32_t mult[] = {1, 1u << 10, 1u << 10, 1u << 10, 1u << 20, 1u << 20};

	return parse_scaled(v, units, mult, sizeof(units) / sizeof(units[0]), out);
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*out = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	return -EINVAL;
}

static int
set_uint(const struct option_desc *o, void *f, const char *v, char *why, size_t len)
{
	uint32_t x;

	if (parse_u32(v, &x) != 0)
		return config_fail(why, len, -EINVAL, "must be a whole number from %u to %u (%s)",
			o->min, o->max, o->help);
	if (x < o->min || x > o->max)
		return config_fail(why, len, -EINVAL, "must be between %u and %u (%s)", o->min,
			o->max, o->help);
	*(uint32_t *)f = x;
	return 0;
}

static int
set_size(const struct option_desc *o, void *f, const char *v, char *why, size_t len)
{
	uint32_t x;

	if (strcasecmp(v, "auto") == 0) {
		*(uint32_t *)f = VCD_THRESHOLD_AUTO;
		return 0;
	}
	if (strcasecmp(v, "never") == 0) {
		*(uint32_t *)f = VCD_THRESHOLD_NEVER;
		return 0;
	}
	if (parse_size(v, &x) != 0 || x < o->min || x > o->max)
		return config_fail(why, len, -EINVAL,
			"must be auto, never, or a size in bytes from %u to %u "
			"(suffix K or M allowed): %s",
			o->min, o->max, o->help);
	*(uint32_t *)f = x;
	return 0;
}

static int
set_enum(const struct option_desc *o, void *f, const char *v, char *why, size_t len)
{
	size_t n;

	for (uint32_t x = o->min; x <= o->max; x++) {
		if (o->name((int)x) != NULL && strcasecmp(o->name((int)x), v) == 0) {
			*(int *)f = (int)x;
			return 0;
		}
	}
	n = snprintf(why, len, "must be one of");
	for (uint32_t x = o->min; x <= o->max && n < len; x++)
		n += snprintf(why + n, len - n, "%s %s", x == o->min ? "" : ",", o->name((int)x));
	if (n < len)
		snprintf(why + n, len - n, " (%s)", o->help);
	return -EINVAL;
}

static int
set_string(const struct option_desc *o, void *f, const char *v, char *why, size_t len)
{
	size_t n = strlen(v);
	const char *problem;

	if (n >= o->size)
		return config_fail(
			why, len, -EINVAL, "too long: at most %zu characters", o->size - 1);
	for (size_t i = 0; i < n; i++)
		if (iscntrl((unsigned char)v[i]) && v[i] != '\t')
			return config_fail(why, len, -EINVAL, "contains a control character");
	if (o->type == T_LCORES && vcd_lcore_list_parse(v, NULL, 0) < 0)
		return config_fail(why, len, -EINVAL,
			"must be an lcore list such as 0-1 or 0,2-3 (ids below %u, each once)",
			RTE_MAX_LCORE);
	if (o->check != NULL && (problem = o->check(v)) != NULL)
		return config_fail(why, len, -EINVAL, "%s (%s)", problem, o->help);
	config_copy_str(f, o->size, v);
	return 0;
}

/* Store @v into @o's field of @base; on failure @why says what is wrong. */
int
config_opt_set(const struct option_desc *o, void *base, const char *v, char *why, size_t len)
{
	void *f = field(o, base);

	switch (o->type) {
	case T_UINT:
		return set_uint(o, f, v, why, len);
	case T_SIZE:
		return set_size(o, f, v, why, len);
	case T_BOOL:
		if (parse_bool(v, (bool *)f) != 0)
			return config_fail(why, len, -EINVAL, "must be yes or no (%s)", o->help);
		return 0;
	case T_ENUM:
		return set_enum(o, f, v, why, len);
	default:
		return set_string(o, f, v, why, len);
	}
}

void
config_opt_format(const struct option_desc *o, const void *base, char *buf, size_t len)
{
	const void *f = field(o, base);

	switch (o->type) {
	case T_UINT:
		snprintf(buf, len, "%u", *(const uint32_t *)f);
		break;
	case T_SIZE:
		if (*(const uint32_t *)f == VCD_THRESHOLD_AUTO)
			snprintf(buf, len, "auto");
		else if (*(const uint32_t *)f == VCD_THRESHOLD_NEVER)
			snprintf(buf, len, "never");
		else
			snprintf(buf, len, "%u", *(const uint32_t *)f);
		break;
	case T_BOOL:
		snprintf(buf, len, "%s", *(const bool *)f ? "yes" : "no");
		break;
	case T_ENUM:
		snprintf(buf, len, "%s", o->name(*(const int *)f) ? o->name(*(const int *)f) : "?");
		break;
	default:
		snprintf(buf, len, "%s", (const char *)f);
		break;
	}
}

static void
section_defaults(enum sect s, void *base)
{
	char why[256];

	for (size_t i = 0; i < config_nb_options; i++)
		if (config_options[i].sect == s &&
			config_opt_set(&config_options[i], base, config_options[i].def, why,
				sizeof(why)) != 0)
			abort(); /* a default that does not parse is a bug in config_options[] */
}

/* ---- instances of sections ---- */

void *
config_instance(struct vcd_config *c, enum sect s, const char *name)
{
	if (!config_sections[s].named)
		return c; /* [daemon], [routing]: fields of struct vcd_config */
	for (unsigned int i = 0; s == SEC_BACKEND && i < c->nb_backends; i++)
		if (strcmp(c->backends[i].name, name) == 0)
			return &c->backends[i];
	for (unsigned int i = 0; s == SEC_VM && i < c->nb_vms; i++)
		if (strcmp(c->vms[i].name, name) == 0)
			return &c->vms[i];
	return NULL;
}

/* Append a new [backend NAME] or [vm NAME] at its defaults; NULL when full. */
void *
config_add_instance(struct vcd_config *c, enum sect s, const char *name)
{
	char *base;

	if (s == SEC_BACKEND && c->nb_backends < VCD_MAX_BACKENDS)
		base = (char *)&c->backends[c->nb_backends++];
	else if (s == SEC_VM && c->nb_vms < VCD_MAX_VMS)
		base = (char *)&c->vms[c->nb_vms++];
	else
		return NULL;
	section_defaults(s, base);
	/* Both structs start with their name. */
	config_copy_str(base, VCD_NAME_MAX, name);
	return base;
}

void
vcd_config_defaults(struct vcd_config *c)
{
	memset(c, 0, sizeof(*c));
	for (int s = 0; s < SEC_COUNT; s++)
		if (!config_sections[s].named)
			section_defaults((enum sect)s, c);
}

void
vcd_config_builtin(struct vcd_config *c)
{
	vcd_config_defaults(c);
	config_add_instance(c, SEC_BACKEND, "aesni0");
}
