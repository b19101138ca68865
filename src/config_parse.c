/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Text into a configuration: the file (INI, see config.h), --set and
 * --socket.  Errors name the file and line, or the option as given, and say
 * what would be right.
 *
 * Runs on the main lcore only (start-up, SIGHUP); no EAL calls.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "vcryptd/config.h"

/* ---- small helpers ---- */

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

static const struct option_desc *
find_option(enum sect s, const char *key)
{
	for (size_t i = 0; i < config_nb_options; i++)
		if (config_options[i].sect == s && strcmp(config_options[i].key, key) == 0)
			return &config_options[i];
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

/* Is @s one of the sections @scope covers?  SEC_COUNT: every unnamed section
 * ([daemon], [routing]), which is where an unqualified --set KEY looks. */
static bool
in_scope(enum sect scope, enum sect s)
{
	return scope == SEC_COUNT ? !config_sections[s].named : s == scope;
}

/* The unnamed section that has @key (SEC_DAEMON if none); @count: how many have it. */
static enum sect
unnamed_section_of(const char *key, unsigned int *count)
{
	enum sect found = SEC_DAEMON;

	*count = 0;
	for (size_t i = 0; i < config_nb_options; i++)
		if (in_scope(SEC_COUNT, config_options[i].sect) &&
			strcmp(config_options[i].key, key) == 0 && (*count)++ == 0)
			found = config_options[i].sect;
	return found;
}

/* "'burst' belongs in [daemon]", "did you mean 'burst'?" or the keys of @scope. */
static void
unknown_key_hint(enum sect scope, const char *key, char *buf, size_t len)
{
	enum sect last = SEC_COUNT;
	size_t n = 0;

	for (size_t i = 0; i < config_nb_options; i++)
		if (!in_scope(scope, config_options[i].sect) &&
			strcmp(key, config_options[i].key) == 0) {
			snprintf(buf, len, "'%s' belongs in [%s]", key,
				config_sections[config_options[i].sect].name);
			return;
		}
	for (size_t i = 0; i < config_nb_options; i++)
		if (in_scope(scope, config_options[i].sect) &&
			edit_distance(key, config_options[i].key) <= 2) {
			snprintf(buf, len, "did you mean '%s'?", config_options[i].key);
			return;
		}
	buf[0] = '\0';
	for (size_t i = 0; i < config_nb_options && n < len; i++) {
		const struct option_desc *o = &config_options[i];

		if (!in_scope(scope, o->sect))
			continue;
		if (o->sect != last)
			n += snprintf(buf + n, len - n, "%s[%s] takes: %s",
				last == SEC_COUNT ? "" : "; ", config_sections[o->sect].name,
				o->key);
		else
			n += snprintf(buf + n, len - n, ", %s", o->key);
		last = o->sect;
	}
}

/* ---- sockets ---- */

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

int
config_resolve_sockets(struct vcd_config *c, char *err, size_t errlen)
{
	char path[PATH_MAX];

	for (unsigned int i = 0; i < c->nb_vms; i++) {
		struct vcd_vm_conf *vm = &c->vms[i];

		if (resolve_socket(c->socket_dir, vm->socket, vm->name, path, sizeof(path)) != 0)
			return config_fail(err, errlen, -ENAMETOOLONG,
				"[vm %s] socket = %s: too long once put into socket_dir %s",
				vm->name, vm->socket, c->socket_dir);
		config_copy_str(vm->socket, sizeof(vm->socket), path);
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
	unsigned int single_line[SEC_COUNT];   /* line of each unnamed section's header */
	unsigned int seen[CONFIG_OPTIONS_MAX]; /* line each option was set on in this section */
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
	return config_fail(p->err, p->errlen, -EINVAL, "%s:%u: %s", p->file, p->line, msg);
}

static int
open_section(struct parser *p, enum sect s, const char *name)
{
	memset(p->seen, 0, sizeof(p->seen));
	p->sect = s;
	config_section_label(s, name, p->label, sizeof(p->label));
	if (!config_sections[s].named) {
		if (p->single_line[s] != 0)
			return perr(p, "%s appears twice (first on line %u): merge them", p->label,
				p->single_line[s]);
		p->single_line[s] = p->line;
		p->base = p->c;
		return 0;
	}
	if (!config_valid_name(name))
		return perr(p, "%s: a name is 1..%u characters of A-Z a-z 0-9 _ . -", p->label,
			VCD_NAME_MAX - 1);
	if (config_instance(p->c, s, name) != NULL)
		return perr(p, "%s is defined twice: names must be unique", p->label);
	p->base = config_add_instance(p->c, s, name);
	if (p->base == NULL)
		return perr(p, "%s: more than %u [%s] sections", p->label, config_sections[s].max,
			config_sections[s].name);
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
		if (strcmp(kind, config_sections[s_idx].name) == 0)
			break;
	if (s_idx == SEC_COUNT)
		return perr(p,
			"unknown section [%s]: sections are [daemon], [routing], [backend NAME] "
			"and [vm NAME]",
			kind);
	if (config_sections[s_idx].named && *name == '\0')
		return perr(p, "[%s] needs a name, e.g. [%s %s0]", kind, kind, kind);
	if (!config_sections[s_idx].named && *name != '\0')
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
			"%s = %s: outside any section; put it under [daemon], [routing], "
			"[backend NAME] or [vm NAME]",
			key, val);
	o = find_option(p->sect, key);
	if (o == NULL) {
		unknown_key_hint(p->sect, key, why, sizeof(why));
		return perr(p, "%s %s = %s: unknown option; %s", p->label, key, val, why);
	}
	idx = (unsigned int)(o - config_options);
	if (p->seen[idx] != 0)
		return perr(p, "%s %s = %s: set twice in this section (first on line %u)", p->label,
			key, val, p->seen[idx]);
	p->seen[idx] = p->line;
	if (config_opt_set(o, p->base, val, why, sizeof(why)) != 0)
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

int
config_read_file(struct vcd_config *c, const char *path, char *err, size_t errlen)
{
	struct parser p = {.c = c, .file = path, .sect = SEC_COUNT, .err = err, .errlen = errlen};
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	FILE *f;

	vcd_config_defaults(c);
	if (strlen(path) >= sizeof(c->path))
		return config_fail(err, errlen, -ENAMETOOLONG, "%s: path too long", path);
	f = fopen(path, "r");
	if (f == NULL)
		return config_fail(
			err, errlen, -errno, "%s: cannot open: %s", path, strerror(errno));
	config_copy_str(c->path, sizeof(c->path), path);
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		p.line++;
		rc = parse_line(&p, line);
	}
	if (rc == 0 && ferror(f))
		rc = config_fail(err, errlen, -EIO, "%s: read error after line %u", path, p.line);
	free(line);
	fclose(f);
	return rc;
}

int
vcd_config_load(struct vcd_config *c, const char *path, char *err, size_t errlen)
{
	int rc = config_read_file(c, path, err, errlen);

	return rc != 0 ? rc : config_resolve_sockets(c, err, errlen);
}

/* ---- --set and --socket ---- */

/*
 * "[SECTION[.NAME].]KEY" -> section, instance name and key (pointers into
 * @lhs).  A bare KEY gives SEC_COUNT: it is looked up in [daemon] and [routing].
 */
static int
split_target(char *lhs, enum sect *s, char **name, char **key)
{
	char *dot = strchr(lhs, '.'), *last;
	int i;

	*s = SEC_COUNT;
	*name = NULL;
	*key = lhs;
	if (dot == NULL)
		return 0;
	*dot = '\0';
	for (i = 0; i < SEC_COUNT && strcmp(lhs, config_sections[i].name) != 0; i++)
		;
	if (i == SEC_COUNT)
		return -EINVAL;
	*s = (enum sect)i;
	*key = dot + 1;
	if (!config_sections[i].named)
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
	unsigned int count;
	enum sect s, scope;
	void *base;

	if (split_target(lhs, &s, &name, &key) != 0)
		return config_fail(err, errlen, -EINVAL,
			"--set %s: expected [SECTION[.NAME].]KEY=VALUE, "
			"e.g. burst=64, routing.stall_ms=200 or vm.vm0.weight=2",
			assignment);
	scope = s;
	if (s == SEC_COUNT) {
		s = unnamed_section_of(key, &count);
		if (count > 1)
			return config_fail(err, errlen, -EINVAL,
				"--set %s: '%s' is in more than one section; "
				"write SECTION.%s, e.g. daemon.%s",
				assignment, key, key, key);
	}
	base = config_instance(c, s, name);
	if (base == NULL)
		return config_fail(err, errlen, -ENOENT, "--set %s: no [%s %s] section", assignment,
			config_sections[s].name, name);
	o = find_option(s, key);
	if (o == NULL) {
		unknown_key_hint(scope, key, why, sizeof(why));
		return config_fail(
			err, errlen, -EINVAL, "--set %s: unknown option; %s", assignment, why);
	}
	if (config_opt_set(o, base, val, why, sizeof(why)) != 0)
		return config_fail(err, errlen, -EINVAL, "--set %s: %s %s = %s: %s", assignment,
			config_section_label(s, name, label, sizeof(label)), key, val, why);
	return 0;
}

int
config_set_one(struct vcd_config *c, const char *assignment, char *err, size_t errlen)
{
	char *buf = strdup(assignment), *eq;
	int rc;

	if (buf == NULL)
		return config_fail(err, errlen, -ENOMEM, "out of memory");
	eq = strchr(buf, '=');
	if (eq == NULL) {
		rc = config_fail(err, errlen, -EINVAL, "--set %s: expected KEY=VALUE", assignment);
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
	int rc = config_set_one(c, assignment, err, errlen);

	return rc != 0 ? rc : config_resolve_sockets(c, err, errlen);
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
		return config_fail(err, errlen, -EINVAL,
			"--socket %s: the file name (less its extension) "
			"names the VM and must be 1..%u characters",
			path, VCD_NAME_MAX - 1);
	if (resolve_socket(c->socket_dir, path, name, full, sizeof(full)) != 0)
		return config_fail(err, errlen, -ENAMETOOLONG, "--socket %s: path too long", path);
	other = vm_by_socket(c, full);
	if (other != NULL)
		return config_fail(err, errlen, -EEXIST,
			"--socket %s: socket %s is already [vm %s]", path, full, other->name);
	if (config_instance(c, SEC_VM, name) != NULL)
		return config_fail(err, errlen, -EEXIST,
			"--socket %s: a VM named '%s' exists already; "
			"give the socket file another name",
			path, name);
	vm = config_add_instance(c, SEC_VM, name);
	if (vm == NULL)
		return config_fail(
			err, errlen, -ENOSPC, "--socket %s: more than %u VMs", path, VCD_MAX_VMS);
	config_copy_str(vm->socket, sizeof(vm->socket), full);
	return 0;
}
