/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Configuration: one table of options (options[] below) drives the file
 * parser, --set, defaults, the dump, the reload check and the -h text.  The
 * default of every option is written in the file's syntax and goes through
 * the same parser as a value read from a file, so the two cannot disagree.
 *
 * Runs on the main lcore only (start-up, SIGHUP); no EAL calls.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <rte_log.h>

#include "vcd_build_config.h"
#include "vcryptd/config.h"
#include "vcryptd/session_msg.h"

enum sect { SEC_DAEMON, SEC_BACKEND, SEC_VM, SEC_COUNT };

enum opt_type { T_STRING, T_PATH, T_UINT, T_BOOL, T_ENUM, T_LCORES };

#define F_RUNTIME 1u /* may change on reload while guests run */

struct option_desc {
	enum sect sect;
	const char *key;
	enum opt_type type;
	size_t offset; /* into struct vcd_config / vcd_backend_conf / vcd_vm_conf */
	size_t size;
	const char *def;                     /* default, in the file's syntax */
	uint32_t min, max;                   /* T_UINT bounds; T_ENUM range of values */
	const char *(*name)(int v);          /* T_ENUM: value -> name */
	const char *(*check)(const char *v); /* extra check: NULL or the problem */
	unsigned int flags;
	const char *help;
};

struct sect_desc {
	const char *name;
	bool named;
	unsigned int max;
};

static const struct sect_desc sections[SEC_COUNT] = {
	[SEC_DAEMON] = {"daemon", false, 1},
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
check_driver(const char *v)
{
	if (*v == '\0' || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(v))
		return "must be a DPDK driver name such as crypto_aesni_mb or crypto_qat";
	return NULL;
}

_Static_assert(sizeof(enum vcd_backend_role) == sizeof(int), "enums are stored as int");
_Static_assert(
	offsetof(struct vcd_backend_conf, name) == 0 && offsetof(struct vcd_vm_conf, name) == 0,
	"add_instance() writes the name at offset 0");

#define FSIZE(type, f) sizeof(((type *)0)->f)
#define IN(s, type, f) .sect = s, .offset = offsetof(type, f), .size = FSIZE(type, f)
#define DAEMON(f)      IN(SEC_DAEMON, struct vcd_config, f)
#define BACKEND(f)     IN(SEC_BACKEND, struct vcd_backend_conf, f)
#define VM(f)          IN(SEC_VM, struct vcd_vm_conf, f)

static const struct option_desc options[] = {
	{DAEMON(lcores), .key = "lcores", .type = T_LCORES, .def = "0-1",
		.help = "EAL lcore list; the first is the main (control) lcore, the rest run "
			"workers"},
	{DAEMON(burst), .key = "burst", .type = T_UINT, .def = "32", .min = 1, .max = 512,
		.help = "requests per cryptodev burst"},
	{DAEMON(mbuf_pool_size), .key = "mbuf_pool_size", .type = T_UINT, .def = "16383",
		.min = 255, .max = 16777215, .help = "mbufs shared by all workers"},
	{DAEMON(max_sessions_per_vm), .key = "max_sessions_per_vm", .type = T_UINT, .def = "1024",
		.min = 1, .max = 65536, .flags = F_RUNTIME,
		.help = "crypto sessions one VM may hold open"},
	{DAEMON(hugepages), .key = "hugepages", .type = T_BOOL, .def = "no",
		.help = "use hugepages; no gives EAL --no-huge, fine for memfd guests"},
	{DAEMON(memory_mb), .key = "memory_mb", .type = T_UINT, .def = "512", .min = 64,
		.max = 1048576, .help = "MiB of memory with hugepages = no, EAL -m"},
	{DAEMON(in_memory), .key = "in_memory", .type = T_BOOL, .def = "yes",
		.help = "no runtime files: EAL --in-memory, or --no-shconf with hugepages = no"},
	{DAEMON(eal_args), .key = "eal_args", .type = T_STRING, .def = "",
		.help = "extra EAL arguments, verbatim, separated by blanks"},
	{DAEMON(log_level), .key = "log_level", .type = T_ENUM, .def = "info", .min = RTE_LOG_EMERG,
		.max = RTE_LOG_DEBUG, .name = log_level_name, .flags = F_RUNTIME,
		.help = "log level of vcryptd and DPDK"},
	{DAEMON(socket_dir), .key = "socket_dir", .type = T_PATH, .def = "/tmp",
		.check = check_absolute,
		.help = "directory for socket names without '/', from --socket or [vm] socket"},

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
		.flags = F_RUNTIME, .help = "share of a worker's polls against other VMs"},
};

#define NB_OPTIONS (sizeof(options) / sizeof(options[0]))
#define VALUE_MAX  PATH_MAX

/* ---- small helpers ---- */

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Copy with zero fill, so that equal configurations compare equal byte for byte. */
static void
copy_str(char *dst, size_t size, const char *src)
{
	memset(dst, 0, size);
	memcpy(dst, src, strnlen(src, size - 1));
}

static bool
valid_name(const char *s)
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

static const struct option_desc *
find_option(enum sect s, const char *key)
{
	for (size_t i = 0; i < NB_OPTIONS; i++)
		if (options[i].sect == s && strcmp(options[i].key, key) == 0)
			return &options[i];
	return NULL;
}

static unsigned int
edit_distance(const char *a, const char *b)
{
	unsigned int row[64], la = strlen(a), lb = strlen(b);

	if (la >= 64 || lb >= 64)
		return UINT32_MAX;
	for (unsigned int j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned int i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = i;
		for (unsigned int j = 1; j <= lb; j++) {
			unsigned int up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			best = up + 1 < best ? up + 1 : best;
			best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* "did you mean 'burst'?" or the list of the section's keys. */
static void
unknown_key_hint(enum sect s, const char *key, char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < NB_OPTIONS; i++)
		if (options[i].sect == s && edit_distance(key, options[i].key) <= 2) {
			snprintf(buf, len, "did you mean '%s'?", options[i].key);
			return;
		}
	n = snprintf(buf, len, "[%s] takes:", sections[s].name);
	for (size_t i = 0, k = 0; i < NB_OPTIONS && n < len; i++)
		if (options[i].sect == s)
			n += snprintf(buf + n, len - n, "%s %s", k++ ? "," : "", options[i].key);
}

static const char *
section_label(enum sect s, const char *name, char *buf, size_t len)
{
	bool named = name != NULL && *name != '\0';

	snprintf(buf, len, "[%s%s%s]", sections[s].name, named ? " " : "", named ? name : "");
	return buf;
}

/* ---- values: parse into a field, format out of one ---- */

static int
parse_u32(const char *v, uint32_t *out)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || x > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
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
		return fail(why, len, -EINVAL, "must be a whole number from %u to %u (%s)", o->min,
			o->max, o->help);
	if (x < o->min || x > o->max)
		return fail(why, len, -EINVAL, "must be between %u and %u (%s)", o->min, o->max,
			o->help);
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
		return fail(why, len, -EINVAL, "too long: at most %zu characters", o->size - 1);
	for (size_t i = 0; i < n; i++)
		if (iscntrl((unsigned char)v[i]) && v[i] != '\t')
			return fail(why, len, -EINVAL, "contains a control character");
	if (o->type == T_LCORES && vcd_lcore_list_parse(v, NULL, 0) < 0)
		return fail(why, len, -EINVAL,
			"must be an lcore list such as 0-1 or 0,2-3 (ids below %u, each once)",
			RTE_MAX_LCORE);
	if (o->check != NULL && (problem = o->check(v)) != NULL)
		return fail(why, len, -EINVAL, "%s (%s)", problem, o->help);
	copy_str(f, o->size, v);
	return 0;
}

/* Store @v into @o's field of @base; on failure @why says what is wrong. */
static int
opt_set(const struct option_desc *o, void *base, const char *v, char *why, size_t len)
{
	void *f = field(o, base);

	switch (o->type) {
	case T_UINT:
		return set_uint(o, f, v, why, len);
	case T_BOOL:
		if (parse_bool(v, (bool *)f) != 0)
			return fail(why, len, -EINVAL, "must be yes or no (%s)", o->help);
		return 0;
	case T_ENUM:
		return set_enum(o, f, v, why, len);
	default:
		return set_string(o, f, v, why, len);
	}
}

static void
opt_format(const struct option_desc *o, const void *base, char *buf, size_t len)
{
	const void *f = field(o, base);

	switch (o->type) {
	case T_UINT:
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

	for (size_t i = 0; i < NB_OPTIONS; i++)
		if (options[i].sect == s &&
			opt_set(&options[i], base, options[i].def, why, sizeof(why)) != 0)
			abort(); /* a default that does not parse is a bug in options[] */
}

/* ---- instances of sections ---- */

static void *
instance(struct vcd_config *c, enum sect s, const char *name)
{
	if (s == SEC_DAEMON)
		return c;
	for (unsigned int i = 0; s == SEC_BACKEND && i < c->nb_backends; i++)
		if (strcmp(c->backends[i].name, name) == 0)
			return &c->backends[i];
	for (unsigned int i = 0; s == SEC_VM && i < c->nb_vms; i++)
		if (strcmp(c->vms[i].name, name) == 0)
			return &c->vms[i];
	return NULL;
}

/* Append a new [backend NAME] or [vm NAME] at its defaults; NULL when full. */
static void *
add_instance(struct vcd_config *c, enum sect s, const char *name)
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
	copy_str(base, VCD_NAME_MAX, name);
	return base;
}

void
vcd_config_defaults(struct vcd_config *c)
{
	memset(c, 0, sizeof(*c));
	section_defaults(SEC_DAEMON, c);
}

void
vcd_config_builtin(struct vcd_config *c)
{
	vcd_config_defaults(c);
	add_instance(c, SEC_BACKEND, "aesni0");
}

/* Where the socket of VM @name written as @sock lives. */
static int
resolve_socket(const char *dir, const char *sock, const char *name, char *out, size_t len)
{
	const char *sep = dir[0] != '\0' && dir[strlen(dir) - 1] == '/' ? "" : "/";
	int n;

	if (sock[0] == '\0')
		n = snprintf(out, len, "%s%s%s.sock", dir, sep, name);
	else if (strchr(sock, '/') == NULL)
		n = snprintf(out, len, "%s%s%s", dir, sep, sock);
	else
		n = snprintf(out, len, "%s", sock);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int
resolve_sockets(struct vcd_config *c, char *err, size_t errlen)
{
	char path[PATH_MAX];

	for (unsigned int i = 0; i < c->nb_vms; i++) {
		struct vcd_vm_conf *vm = &c->vms[i];

		if (resolve_socket(c->socket_dir, vm->socket, vm->name, path, sizeof(path)) != 0)
			return fail(err, errlen, -ENAMETOOLONG,
				"[vm %s] socket = %s: too long once put into socket_dir %s",
				vm->name, vm->socket, c->socket_dir);
		copy_str(vm->socket, sizeof(vm->socket), path);
	}
	return 0;
}

/* ---- the file ---- */

struct parser {
	struct vcd_config *c;
	const char *file;
	unsigned int line;
	enum sect sect; /* SEC_COUNT before the first header */
	void *base;
	char label[VCD_NAME_MAX + 16];
	unsigned int daemon_line;
	unsigned int seen[NB_OPTIONS]; /* line each option was set on in this section */
	char *err;
	size_t errlen;
};

static int
perr(struct parser *p, const char *fmt, ...)
{
	char msg[PATH_MAX + 512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(p->err, p->errlen, -EINVAL, "%s:%u: %s", p->file, p->line, msg);
}

static int
open_section(struct parser *p, enum sect s, const char *name)
{
	memset(p->seen, 0, sizeof(p->seen));
	p->sect = s;
	section_label(s, name, p->label, sizeof(p->label));
	if (s == SEC_DAEMON) {
		if (p->daemon_line != 0)
			return perr(p, "[daemon] appears twice (first on line %u): merge them",
				p->daemon_line);
		p->daemon_line = p->line;
		p->base = p->c;
		return 0;
	}
	if (!valid_name(name))
		return perr(p, "%s: a name is 1..%u characters of A-Z a-z 0-9 _ . -", p->label,
			VCD_NAME_MAX - 1);
	if (instance(p->c, s, name) != NULL)
		return perr(p, "%s is defined twice: names must be unique", p->label);
	p->base = add_instance(p->c, s, name);
	if (p->base == NULL)
		return perr(p, "%s: more than %u [%s] sections", p->label, sections[s].max,
			sections[s].name);
	return 0;
}

static int
parse_header(struct parser *p, char *s)
{
	char *end = strchr(s, ']'), *kind, *name;
	int s_idx;

	if (end == NULL || *trim(end + 1) != '\0')
		return perr(p, "'%s': expected [section] or [section NAME]", s);
	*end = '\0';
	kind = trim(s + 1);
	name = kind + strcspn(kind, " \t");
	if (*name != '\0')
		*name++ = '\0';
	name = trim(name);
	for (s_idx = 0; s_idx < SEC_COUNT; s_idx++)
		if (strcmp(kind, sections[s_idx].name) == 0)
			break;
	if (s_idx == SEC_COUNT)
		return perr(p,
			"unknown section [%s]: sections are [daemon], [backend NAME] and [vm NAME]",
			kind);
	if (sections[s_idx].named && *name == '\0')
		return perr(p, "[%s] needs a name, e.g. [%s %s0]", kind, kind, kind);
	if (!sections[s_idx].named && *name != '\0')
		return perr(p, "[%s %s]: [%s] takes no name", kind, name, kind);
	return open_section(p, (enum sect)s_idx, name);
}

static int
parse_assignment(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *key, *val, why[512];
	const struct option_desc *o;
	unsigned int idx;

	if (eq == NULL)
		return perr(p, "'%s': expected key = value", s);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (p->sect == SEC_COUNT)
		return perr(p,
			"%s = %s: outside any section; put it under [daemon], "
			"[backend NAME] or [vm NAME]",
			key, val);
	o = find_option(p->sect, key);
	if (o == NULL) {
		unknown_key_hint(p->sect, key, why, sizeof(why));
		return perr(p, "%s %s = %s: unknown option; %s", p->label, key, val, why);
	}
	idx = (unsigned int)(o - options);
	if (p->seen[idx] != 0)
		return perr(p, "%s %s = %s: set twice in this section (first on line %u)", p->label,
			key, val, p->seen[idx]);
	p->seen[idx] = p->line;
	if (opt_set(o, p->base, val, why, sizeof(why)) != 0)
		return perr(p, "%s %s = %s: %s", p->label, key, val, why);
	return 0;
}

static int
parse_line(struct parser *p, char *s)
{
	/* A comment starts at '#' or ';' at the line's start or after a blank. */
	for (char *q = s; *q != '\0'; q++)
		if ((*q == '#' || *q == ';') && (q == s || isspace((unsigned char)q[-1]))) {
			*q = '\0';
			break;
		}
	s = trim(s);
	if (*s == '\0')
		return 0;
	if (*s == '[')
		return parse_header(p, s);
	return parse_assignment(p, s);
}

static int
read_file(struct vcd_config *c, const char *path, char *err, size_t errlen)
{
	struct parser p = {.c = c, .file = path, .sect = SEC_COUNT, .err = err, .errlen = errlen};
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	FILE *f;

	vcd_config_defaults(c);
	if (strlen(path) >= sizeof(c->path))
		return fail(err, errlen, -ENAMETOOLONG, "%s: path too long", path);
	f = fopen(path, "r");
	if (f == NULL)
		return fail(err, errlen, -errno, "%s: cannot open: %s", path, strerror(errno));
	copy_str(c->path, sizeof(c->path), path);
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		p.line++;
		rc = parse_line(&p, line);
	}
	if (rc == 0 && ferror(f))
		rc = fail(err, errlen, -EIO, "%s: read error after line %u", path, p.line);
	free(line);
	fclose(f);
	return rc;
}

int
vcd_config_load(struct vcd_config *c, const char *path, char *err, size_t errlen)
{
	int rc = read_file(c, path, err, errlen);

	return rc != 0 ? rc : resolve_sockets(c, err, errlen);
}

/* ---- --set and --socket ---- */

/* "[SECTION[.NAME].]KEY" -> section, instance name and key (pointers into @lhs). */
static int
split_target(char *lhs, enum sect *s, char **name, char **key)
{
	char *dot = strchr(lhs, '.'), *last;
	int i;

	*s = SEC_DAEMON;
	*name = NULL;
	*key = lhs;
	if (dot == NULL)
		return 0;
	*dot = '\0';
	for (i = 0; i < SEC_COUNT && strcmp(lhs, sections[i].name) != 0; i++)
		;
	if (i == SEC_COUNT)
		return -EINVAL;
	*s = (enum sect)i;
	*key = dot + 1;
	if (!sections[i].named)
		return 0;
	/* Names may contain '.', keys never do. */
	last = strrchr(dot + 1, '.');
	if (last == NULL)
		return -EINVAL;
	*last = '\0';
	*name = dot + 1;
	*key = last + 1;
	return 0;
}

static int
set_target(struct vcd_config *c, const char *assignment, char *lhs, const char *val, char *err,
	size_t errlen)
{
	const struct option_desc *o;
	char why[512], label[64];
	char *name, *key;
	void *base;
	enum sect s;

	if (split_target(lhs, &s, &name, &key) != 0)
		return fail(err, errlen, -EINVAL,
			"--set %s: expected [SECTION[.NAME].]KEY=VALUE, "
			"e.g. burst=64 or vm.vm0.weight=2",
			assignment);
	base = instance(c, s, name);
	if (base == NULL)
		return fail(err, errlen, -ENOENT, "--set %s: no [%s %s] section", assignment,
			sections[s].name, name);
	o = find_option(s, key);
	if (o == NULL) {
		unknown_key_hint(s, key, why, sizeof(why));
		return fail(err, errlen, -EINVAL, "--set %s: unknown option; %s", assignment, why);
	}
	if (opt_set(o, base, val, why, sizeof(why)) != 0)
		return fail(err, errlen, -EINVAL, "--set %s: %s %s = %s: %s", assignment,
			section_label(s, name, label, sizeof(label)), key, val, why);
	return 0;
}

static int
set_one(struct vcd_config *c, const char *assignment, char *err, size_t errlen)
{
	char *buf = strdup(assignment), *eq;
	int rc;

	if (buf == NULL)
		return fail(err, errlen, -ENOMEM, "out of memory");
	eq = strchr(buf, '=');
	if (eq == NULL) {
		rc = fail(err, errlen, -EINVAL, "--set %s: expected KEY=VALUE", assignment);
	} else {
		*eq = '\0';
		rc = set_target(c, assignment, trim(buf), trim(eq + 1), err, errlen);
	}
	free(buf);
	return rc;
}

int
vcd_config_set(struct vcd_config *c, const char *assignment, char *err, size_t errlen)
{
	int rc = set_one(c, assignment, err, errlen);

	return rc != 0 ? rc : resolve_sockets(c, err, errlen);
}

/* The VM name --socket derives: the basename without extension, odd bytes as '_'. */
static int
socket_vm_name(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t n;

	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	n = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n == 0 || n >= len)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		name[i] = isalnum((unsigned char)base[i]) || strchr("_.-", base[i]) ? base[i] : '_';
	name[n] = '\0';
	return 0;
}

static const struct vcd_vm_conf *
vm_by_socket(const struct vcd_config *c, const char *sock)
{
	for (unsigned int i = 0; i < c->nb_vms; i++)
		if (strcmp(c->vms[i].socket, sock) == 0)
			return &c->vms[i];
	return NULL;
}

int
vcd_config_add_socket(struct vcd_config *c, const char *path, char *err, size_t errlen)
{
	char name[VCD_NAME_MAX], full[PATH_MAX];
	const struct vcd_vm_conf *other;
	struct vcd_vm_conf *vm;

	if (socket_vm_name(path, name, sizeof(name)) != 0)
		return fail(err, errlen, -EINVAL,
			"--socket %s: the file name (less its extension) "
			"names the VM and must be 1..%u characters",
			path, VCD_NAME_MAX - 1);
	if (resolve_socket(c->socket_dir, path, name, full, sizeof(full)) != 0)
		return fail(err, errlen, -ENAMETOOLONG, "--socket %s: path too long", path);
	other = vm_by_socket(c, full);
	if (other != NULL)
		return fail(err, errlen, -EEXIST, "--socket %s: socket %s is already [vm %s]", path,
			full, other->name);
	if (instance(c, SEC_VM, name) != NULL)
		return fail(err, errlen, -EEXIST,
			"--socket %s: a VM named '%s' exists already; "
			"give the socket file another name",
			path, name);
	vm = add_instance(c, SEC_VM, name);
	if (vm == NULL)
		return fail(
			err, errlen, -ENOSPC, "--socket %s: more than %u VMs", path, VCD_MAX_VMS);
	copy_str(vm->socket, sizeof(vm->socket), full);
	return 0;
}

/* ---- validation ---- */

int
vcd_lcore_list_parse(const char *list, uint16_t *ids, unsigned int max)
{
	bool used[RTE_MAX_LCORE] = {false};
	const char *p = list;
	unsigned int n = 0;

	do {
		unsigned long lo, hi;
		char *end;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		lo = hi = strtoul(p, &end, 10);
		if (*end == '-' && isdigit((unsigned char)end[1]))
			hi = strtoul(end + 1, &end, 10);
		if (hi < lo || hi >= RTE_MAX_LCORE)
			return -EINVAL;
		for (unsigned long v = lo; v <= hi; v++, n++) {
			if (used[v])
				return -EINVAL;
			used[v] = true;
			if (ids != NULL && n >= max)
				return -ENOSPC;
			if (ids != NULL)
				ids[n] = (uint16_t)v;
		}
		p = end;
	} while (*p++ == ',');
	return p[-1] == '\0' ? (int)n : -EINVAL;
}

static int
check_lcores(const struct vcd_config *c, char *err, size_t errlen)
{
	int n = vcd_lcore_list_parse(c->lcores, NULL, 0);
	char *copy, *tok, *save = NULL;
	int rc = 0;

	if (n < 2)
		return fail(err, errlen, -EINVAL,
			"[daemon] lcores = %s: needs at least 2 lcores, "
			"the main lcore and a worker (e.g. 0-1)",
			c->lcores);
	copy = strdup(c->eal_args);
	if (copy == NULL)
		return fail(err, errlen, -ENOMEM, "out of memory");
	for (tok = strtok_r(copy, " \t", &save); tok != NULL && rc == 0;
		tok = strtok_r(NULL, " \t", &save))
		if (strncmp(tok, "-l", 2) == 0 || strncmp(tok, "--lcores", 8) == 0 ||
			strncmp(tok, "-c", 2) == 0)
			rc = fail(err, errlen, -EINVAL,
				"[daemon] eal_args = %s: %s conflicts with "
				"[daemon] lcores; set lcores instead",
				c->eal_args, tok);
	free(copy);
	return rc;
}

static int
check_backend(const struct vcd_config *c, unsigned int i, char *err, size_t errlen)
{
	const struct vcd_backend_conf *b = &c->backends[i];
	char vdev[64];

	if (vcd_backend_is_pci(b) && b->devargs[0] == '\0')
		return fail(err, errlen, -EINVAL,
			"[backend %s] devargs is empty: %s is a PCI "
			"driver; set devargs to the device's PCI address (e.g. 0000:3d:01.0)",
			b->name, b->driver);
	if (!vcd_backend_is_pci(b) && vcd_backend_vdev_name(b, vdev, sizeof(vdev)) != 0)
		return fail(err, errlen, -EINVAL,
			"[backend %s] driver = %s: driver and name "
			"together must stay under %zu characters; shorten the name",
			b->name, b->driver, sizeof(vdev));
	for (unsigned int j = 0; j < i; j++) {
		const struct vcd_backend_conf *o = &c->backends[j];

		if (strcmp(o->name, b->name) == 0)
			return fail(err, errlen, -EINVAL, "[backend %s] is defined twice", b->name);
		if (vcd_backend_is_pci(b) && strcmp(o->devargs, b->devargs) == 0)
			return fail(err, errlen, -EINVAL,
				"[backend %s] devargs = %s: already used by [backend %s]", b->name,
				b->devargs, o->name);
	}
	return 0;
}

static int
check_backends(const struct vcd_config *c, char *err, size_t errlen)
{
	int rc = 0;

	if (c->nb_backends == 0)
		return fail(err, errlen, -EINVAL,
			"no [backend NAME] section: add one, e.g. "
			"[backend aesni0] with driver = crypto_aesni_mb");
	for (unsigned int i = 0; i < c->nb_backends && rc == 0; i++)
		rc = check_backend(c, i, err, errlen);
	return rc;
}

static int
check_vm(const struct vcd_config *c, unsigned int i, char *err, size_t errlen)
{
	const struct vcd_vm_conf *vm = &c->vms[i];
	size_t len = strlen(vm->socket);

	if (!valid_name(vm->name))
		return fail(err, errlen, -EINVAL,
			"[vm %s]: a name is 1..%u characters of A-Z a-z 0-9 _ . -", vm->name,
			VCD_NAME_MAX - 1);
	if (len == 0 || len > VCD_SUN_PATH_MAX)
		return fail(err, errlen, -ENAMETOOLONG,
			"[vm %s] socket = %s: %zu characters, a unix socket path holds 1..%u; "
			"use a shorter socket_dir or name",
			vm->name, vm->socket, len, VCD_SUN_PATH_MAX);
	for (unsigned int j = 0; j < i; j++) {
		if (strcmp(c->vms[j].name, vm->name) == 0)
			return fail(err, errlen, -EINVAL,
				"[vm %s] is defined twice: names must be unique", vm->name);
		if (strcmp(c->vms[j].socket, vm->socket) == 0)
			return fail(err, errlen, -EINVAL,
				"[vm %s] socket = %s: already the socket of [vm %s]", vm->name,
				vm->socket, c->vms[j].name);
	}
	return 0;
}

int
vcd_config_validate(const struct vcd_config *c, char *err, size_t errlen)
{
	char msg[PATH_MAX + 512];
	int rc = check_lcores(c, msg, sizeof(msg));

	if (rc == 0)
		rc = check_backends(c, msg, sizeof(msg));
	/* [daemon] and [backend] come from the file; a VM may come from --socket. */
	if (rc != 0)
		return fail(err, errlen, rc, "%s%s%s", c->path, c->path[0] ? ": " : "", msg);
	for (unsigned int i = 0; i < c->nb_vms && rc == 0; i++)
		rc = check_vm(c, i, err, errlen);
	return rc;
}

/* ---- reload ---- */

static int
diff_section(enum sect s, const char *name, const void *a, const void *b, char *err, size_t errlen)
{
	char va[VALUE_MAX], vb[VALUE_MAX], label[64];

	for (size_t i = 0; i < NB_OPTIONS; i++) {
		const struct option_desc *o = &options[i];

		if (o->sect != s || (o->flags & F_RUNTIME))
			continue;
		opt_format(o, a, va, sizeof(va));
		opt_format(o, b, vb, sizeof(vb));
		if (strcmp(va, vb) != 0)
			return fail(err, errlen, -EBUSY,
				"%s %s changed from '%s' to '%s': it "
				"cannot change while guests run; %s",
				section_label(s, name, label, sizeof(label)), o->key, va, vb,
				s == SEC_VM ? "add the VM under a new name instead"
					    : "restart vcryptd for it");
	}
	return 0;
}

int
vcd_config_reload_check(
	const struct vcd_config *cur, const struct vcd_config *next, char *err, size_t errlen)
{
	int rc = diff_section(SEC_DAEMON, NULL, cur, next, err, errlen);

	if (rc == 0 && cur->nb_backends != next->nb_backends)
		return fail(err, errlen, -EBUSY,
			"[backend] sections added or removed (%u -> %u): "
			"backends cannot change while guests run",
			cur->nb_backends, next->nb_backends);
	for (unsigned int i = 0; i < cur->nb_backends && rc == 0; i++) {
		const struct vcd_backend_conf *a = &cur->backends[i], *b = &next->backends[i];

		if (strcmp(a->name, b->name) != 0)
			return fail(err, errlen, -EBUSY,
				"[backend %s] replaced by [backend %s]: "
				"backends cannot change while guests run",
				a->name, b->name);
		rc = diff_section(SEC_BACKEND, a->name, a, b, err, errlen);
	}
	for (unsigned int i = 0; i < next->nb_vms && rc == 0; i++) {
		const struct vcd_vm_conf *vm = &next->vms[i];
		const void *old = instance((struct vcd_config *)(uintptr_t)cur, SEC_VM, vm->name);

		if (old != NULL)
			rc = diff_section(SEC_VM, vm->name, old, vm, err, errlen);
	}
	return rc;
}

/* ---- dump ---- */

static void
visit_section(enum sect s, const char *name, const void *base, vcd_config_visit_fn fn, void *arg)
{
	char value[VALUE_MAX];

	for (size_t i = 0; i < NB_OPTIONS; i++) {
		if (options[i].sect != s)
			continue;
		opt_format(&options[i], base, value, sizeof(value));
		fn(sections[s].name, name, options[i].key, value, arg);
	}
}

void
vcd_config_visit(const struct vcd_config *c, vcd_config_visit_fn fn, void *arg)
{
	visit_section(SEC_DAEMON, NULL, c, fn, arg);
	for (unsigned int i = 0; i < c->nb_backends; i++)
		visit_section(SEC_BACKEND, c->backends[i].name, &c->backends[i], fn, arg);
	for (unsigned int i = 0; i < c->nb_vms; i++)
		visit_section(SEC_VM, c->vms[i].name, &c->vms[i], fn, arg);
}

struct dump_state {
	FILE *f;
	const char *section, *name; /* last header printed */
};

static void
dump_one(const char *section, const char *name, const char *key, const char *value, void *arg)
{
	struct dump_state *d = arg;

	if (section != d->section || name != d->name) {
		fprintf(d->f, "\n[%s%s%s]\n", section, name ? " " : "", name ? name : "");
		d->section = section;
		d->name = name;
	}
	fprintf(d->f, "%s =%s%s\n", key, *value ? " " : "", value);
}

void
vcd_config_dump(const struct vcd_config *c, FILE *f)
{
	struct dump_state d = {.f = f};

	fprintf(f, "# vcryptd effective configuration (%s%s)\n", c->path[0] ? "from " : "",
		c->path[0] ? c->path : "built-in defaults");
	vcd_config_visit(c, dump_one, &d);
}

/* ---- EAL argv ---- */

bool
vcd_backend_is_pci(const struct vcd_backend_conf *b)
{
	static const char *const pci_drivers[] = {"crypto_qat"};

	for (size_t i = 0; i < sizeof(pci_drivers) / sizeof(pci_drivers[0]); i++)
		if (strcmp(b->driver, pci_drivers[i]) == 0)
			return true;
	return false;
}

int
vcd_backend_vdev_name(const struct vcd_backend_conf *b, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s_%s", b->driver, b->name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

struct argv_buf {
	char **argv;
	int argc, max;
	char *p;
	size_t left;
	int rc; /* sticky: the first failure */
};

static void
push(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (a->rc != 0)
		return;
	if (a->argc >= a->max) {
		a->rc = -ENOSPC;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(a->p, a->left, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= a->left) {
		a->rc = -ENOSPC;
		return;
	}
	a->argv[a->argc++] = a->p;
	a->p += n + 1;
	a->left -= n + 1;
}

static void
eal_devices(struct argv_buf *a, const struct vcd_config *c)
{
	bool pci = false;
	char vdev[64];

	for (unsigned int i = 0; i < c->nb_backends; i++) {
		const struct vcd_backend_conf *b = &c->backends[i];

		if (vcd_backend_is_pci(b)) {
			push(a, "-a");
			push(a, "%s", b->devargs);
			pci = true;
			continue;
		}
		if (vcd_backend_vdev_name(b, vdev, sizeof(vdev)) != 0)
			a->rc = -ENAMETOOLONG;
		push(a, "--vdev");
		push(a, "%s%s%s", vdev, b->devargs[0] ? "," : "", b->devargs);
	}
	/* Without it EAL probes every PCI device on the host, the host's own NICs too. */
	if (!pci)
		push(a, "--no-pci");
}

static void
eal_extra(struct argv_buf *a, const char *args)
{
	char copy[sizeof(((struct vcd_config *)0)->eal_args)];
	char *tok, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", args);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save))
		push(a, "%s", tok);
}

int
vcd_config_eal_argv(const struct vcd_config *c, const char *prog, char **argv, int max,
	char *storage, size_t storage_len)
{
	struct argv_buf a = {.argv = argv, .max = max, .p = storage, .left = storage_len};

	push(&a, "%s", prog);
	push(&a, "-l");
	push(&a, "%s", c->lcores);
	if (!c->hugepages) {
		push(&a, "--no-huge");
		push(&a, "-m");
		push(&a, "%u", c->memory_mb);
	}
	/* EAL 22.11 refuses --in-memory with --no-huge (which implies --legacy-mem);
	 * --no-shconf is what is left of it then: no shared config file. */
	if (c->in_memory)
		push(&a, c->hugepages ? "--in-memory" : "--no-shconf");
	eal_devices(&a, c);
	push(&a, "--log-level=%d", c->log_level); /* EAL takes the number (or name prefix) */
	eal_extra(&a, c->eal_args);
	if (a.rc != 0)
		return a.rc;
	if (a.argc < max)
		argv[a.argc] = NULL;
	return a.argc;
}

/* ---- command line ---- */

struct cli_opt {
	char short_name;
	const char *long_name;
	const char *arg; /* NULL: a flag */
	size_t flag;     /* flags: offset of the bool in struct vcd_cli */
	const char *help;
};

static const struct cli_opt cli_opts[] = {
	{'c', "config", "FILE", 0,
		"configuration file (default: " VCD_DEFAULT_CONFIG
		" if it exists, else the source tree's config/vcryptd.conf, else built-in)"},
	{0, "socket", "PATH", 0,
		"add a VM with default settings on vhost-user socket PATH, "
		"named after the file; a name without '/' goes into socket_dir (repeatable)"},
	{0, "set", "[SECTION[.NAME].]KEY=VALUE", 0,
		"override a configuration option, e.g. "
		"--set burst=64 or --set vm.vm0.weight=2 (repeatable)"},
	{0, "check-config", NULL, offsetof(struct vcd_cli, check_config),
		"validate the configuration, print it as effective, and exit"},
	{'V', "version", NULL, offsetof(struct vcd_cli, version), "print versions and exit"},
	{'h', "help", NULL, offsetof(struct vcd_cli, help), "print this help and exit"},
};

#define NB_CLI_OPTS (sizeof(cli_opts) / sizeof(cli_opts[0]))

/* Find the option @tok names; "--name=arg" and "-cARG" carry their argument. */
static const struct cli_opt *
cli_find(const char *tok, char *opt, size_t optlen, const char **arg)
{
	size_t n;

	*arg = NULL;
	if (tok[1] == '-') {
		n = strcspn(tok, "=");
		if (tok[n] == '=')
			*arg = tok + n + 1;
		snprintf(opt, optlen, "%.*s", (int)n, tok);
		for (size_t i = 0; i < NB_CLI_OPTS; i++)
			if (strcmp(opt + 2, cli_opts[i].long_name) == 0)
				return &cli_opts[i];
		return NULL;
	}
	snprintf(opt, optlen, "%.2s", tok);
	for (size_t i = 0; i < NB_CLI_OPTS; i++) {
		if (cli_opts[i].short_name == 0 || cli_opts[i].short_name != tok[1])
			continue;
		if (tok[2] != '\0' && cli_opts[i].arg == NULL)
			break; /* "-hV": no bundling */
		*arg = tok[2] != '\0' ? tok + 2 : NULL;
		return &cli_opts[i];
	}
	snprintf(opt, optlen, "%s", tok);
	return NULL;
}

static int
cli_apply(struct vcd_cli *cli, const struct cli_opt *o, const char *opt, const char *arg, char *err,
	size_t errlen)
{
	if (o->arg == NULL) {
		*(bool *)((char *)cli + o->flag) = true;
		return 0;
	}
	if (*arg == '\0')
		return fail(
			err, errlen, -EINVAL, "option %s: empty %s (see vcryptd -h)", opt, o->arg);
	if (o->short_name == 'c') {
		if (cli->config_path != NULL)
			return fail(err, errlen, -EINVAL, "option %s given twice (see vcryptd -h)",
				opt);
		cli->config_path = arg;
	} else if (strcmp(o->long_name, "socket") == 0) {
		if (cli->nb_sockets >= VCD_MAX_VMS)
			return fail(err, errlen, -EINVAL, "option %s: more than %u sockets", opt,
				VCD_MAX_VMS);
		cli->sockets[cli->nb_sockets++] = arg;
	} else {
		if (strchr(arg, '=') == NULL || cli->nb_sets >= VCD_MAX_SETS)
			return fail(err, errlen, -EINVAL,
				"option %s %s: expected KEY=VALUE, at "
				"most %u times (see vcryptd -h)",
				opt, arg, VCD_MAX_SETS);
		cli->sets[cli->nb_sets++] = arg;
	}
	return 0;
}

static int
cli_one(struct vcd_cli *cli, int argc, char **argv, int *i, char *err, size_t errlen)
{
	const char *tok = argv[*i], *arg;
	const struct cli_opt *o;
	char opt[64];

	if (tok[0] != '-' || tok[1] == '\0')
		return fail(err, errlen, -EINVAL,
			"unexpected argument '%s': EAL arguments go after '--' (see vcryptd -h)",
			tok);
	o = cli_find(tok, opt, sizeof(opt), &arg);
	if (o == NULL)
		return fail(err, errlen, -EINVAL, "unknown option '%s' (see vcryptd -h)", opt);
	if (o->arg == NULL && arg != NULL)
		return fail(
			err, errlen, -EINVAL, "option %s takes no argument (see vcryptd -h)", opt);
	if (o->arg != NULL && arg == NULL) {
		if (*i + 1 >= argc || (argv[*i + 1][0] == '-' && argv[*i + 1][1] != '\0'))
			return fail(err, errlen, -EINVAL,
				"option %s needs an argument %s (see vcryptd -h)", opt, o->arg);
		arg = argv[++*i];
	}
	return cli_apply(cli, o, opt, arg, err, errlen);
}

int
vcd_cli_parse(int argc, char **argv, struct vcd_cli *cli, char *err, size_t errlen)
{
	int rc;

	memset(cli, 0, sizeof(*cli));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			cli->eal_argc = argc - i - 1;
			cli->eal_argv = argv + i + 1;
			break;
		}
		rc = cli_one(cli, argc, argv, &i, err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

#define USAGE_INDENT 32
#define USAGE_WIDTH  79

/* "  LEFT    help text" with the help wrapped at USAGE_WIDTH under itself. */
static void
usage_line(FILE *f, const char *left, const char *text)
{
	int col = fprintf(f, "  %-*s", USAGE_INDENT - 2, left);
	bool fresh = true;

	if (col > USAGE_INDENT)
		col = fprintf(f, "\n%*s", USAGE_INDENT, "") - 1;
	while (*text != '\0') {
		int w = (int)strcspn(text, " ");

		if (!fresh && col + 1 + w > USAGE_WIDTH) {
			col = fprintf(f, "\n%*s", USAGE_INDENT, "") - 1;
			fresh = true;
		}
		col += fprintf(f, "%s%.*s", fresh ? "" : " ", w, text);
		fresh = false;
		text += w;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static void
usage_options(FILE *f, enum sect s, const char *title)
{
	char left[64], text[512];
	size_t n;

	fprintf(f, "  %s\n", title);
	for (size_t i = 0; i < NB_OPTIONS; i++) {
		const struct option_desc *o = &options[i];

		if (o->sect != s)
			continue;
		snprintf(left, sizeof(left), "  %s = %s", o->key, *o->def ? o->def : "\"\"");
		n = snprintf(text, sizeof(text), "%s", o->help);
		if (o->type == T_UINT)
			n += snprintf(text + n, sizeof(text) - n, " (%u..%u)", o->min, o->max);
		for (uint32_t x = o->min; o->type == T_ENUM && x <= o->max; x++)
			n += snprintf(text + n, sizeof(text) - n, "%s%s%s",
				x == o->min ? " (" : "|", o->name((int)x), x == o->max ? ")" : "");
		snprintf(text + n, sizeof(text) - n, "%s", o->flags & F_RUNTIME ? " [reload]" : "");
		usage_line(f, left, text);
	}
}

void
vcd_cli_usage(FILE *f)
{
	char left[64];

	fprintf(f,
		"Usage: vcryptd [-c FILE] [--socket PATH]... [--set KEY=VALUE]...\n"
		"               [--check-config] [-V] [-h] [-- EAL args]\n\n"
		"Serves virtio-crypto devices to QEMU guests over vhost-user and runs their\n"
		"requests on DPDK cryptodevs.\n\nOptions:\n");
	for (size_t i = 0; i < NB_CLI_OPTS; i++) {
		const struct cli_opt *o = &cli_opts[i];

		snprintf(left, sizeof(left), "%c%c%c --%s%s%s", o->short_name ? '-' : ' ',
			o->short_name ? o->short_name : ' ', o->short_name ? ',' : ' ',
			o->long_name, o->arg ? " " : "", o->arg ? o->arg : "");
		usage_line(f, left, o->help);
	}
	usage_line(
		f, "-- EAL args", "passed to DPDK's EAL after those built from the configuration");
	fprintf(f,
		"\nConfiguration options, in the file or as --set [SECTION[.NAME].]KEY=VALUE\n"
		"([reload]: SIGHUP applies a change; the others need a restart):\n");
	usage_options(f, SEC_DAEMON, "[daemon]");
	usage_options(f, SEC_BACKEND, "[backend NAME]   (repeatable)");
	usage_options(f, SEC_VM, "[vm NAME]        (repeatable)");
}

const char *
vcd_cli_config_path(const struct vcd_cli *cli)
{
	if (cli->config_path != NULL)
		return cli->config_path;
	if (access(VCD_DEFAULT_CONFIG, F_OK) == 0)
		return VCD_DEFAULT_CONFIG;
	if (access(VCD_SOURCE_CONFIG, F_OK) == 0)
		return VCD_SOURCE_CONFIG;
	return NULL;
}

/* --set in two passes: [vm] targets after --socket created their VMs. */
static int
apply_sets(struct vcd_config *c, const struct vcd_cli *cli, bool vms, char *err, size_t errlen)
{
	int rc = 0;

	for (unsigned int i = 0; i < cli->nb_sets && rc == 0; i++)
		if ((strncmp(cli->sets[i], "vm.", 3) == 0) == vms)
			rc = set_one(c, cli->sets[i], err, errlen);
	return rc != 0 ? rc : resolve_sockets(c, err, errlen);
}

int
vcd_config_from_cli(struct vcd_config *c, const struct vcd_cli *cli, char *err, size_t errlen)
{
	const char *path = vcd_cli_config_path(cli);
	int rc = 0;

	if (path != NULL)
		rc = read_file(c, path, err, errlen);
	else
		vcd_config_builtin(c);
	if (rc == 0)
		rc = apply_sets(c, cli, false, err, errlen);
	for (unsigned int i = 0; i < cli->nb_sockets && rc == 0; i++)
		rc = vcd_config_add_socket(c, cli->sockets[i], err, errlen);
	if (rc == 0)
		rc = apply_sets(c, cli, true, err, errlen);
	return rc != 0 ? rc : vcd_config_validate(c, err, errlen);
}
