/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Checks on a whole configuration: validation before start, and which
 * changes a reload (SIGHUP) may make while guests run.
 *
 * Runs on the main lcore only (start-up, SIGHUP); no EAL calls.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_config.h>

#include "config_priv.h"
#include "vcryptd/config.h"

/* ---- validation ---- */

/*
 * One item of a list at *@p: N, N-M, or (with @at) N@C, C ignored: EAL
 * --lcores places lcore N on CPU C.  Moves *@p past it; false if malformed.
 */
static bool
list_item(const char **p, bool at, unsigned long *lo, unsigned long *hi)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return false;
	*lo = *hi = strtoul(*p, &end, 10);
	if (*end == '-' && isdigit((unsigned char)end[1]))
		*hi = strtoul(end + 1, &end, 10);
	else if (at && *end == '@' && isdigit((unsigned char)end[1]))
		strtoul(end + 1, &end, 10);
	*p = end;
	return *hi >= *lo;
}

int
vcd_cpu_list_parse(const char *list, cpu_set_t *set)
{
	const char *p = list;
	unsigned long lo, hi;

	if (set != NULL)
		CPU_ZERO(set);
	do {
		if (!list_item(&p, false, &lo, &hi) || hi >= CPU_SETSIZE)
			return -EINVAL;
		for (unsigned long v = lo; v <= hi && set != NULL; v++)
			CPU_SET(v, set);
	} while (*p++ == ',');
	return p[-1] == '\0' ? 0 : -EINVAL;
}

int
vcd_lcore_list_parse(const char *list, uint16_t *ids, unsigned int max)
{
	bool used[RTE_MAX_LCORE] = {false};
	const char *p = list;
	unsigned long lo, hi;
	unsigned int n = 0;

	do {
		if (!list_item(&p, true, &lo, &hi) || hi >= RTE_MAX_LCORE)
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
		return config_fail(err, errlen, -EINVAL,
			"[daemon] lcores = %s: needs at least 2 lcores, "
			"the main lcore and a worker (e.g. 0-1)",
			c->lcores);
	copy = strdup(c->eal_args);
	if (copy == NULL)
		return config_fail(err, errlen, -ENOMEM, "out of memory");
	for (tok = strtok_r(copy, " \t", &save); tok != NULL && rc == 0;
		tok = strtok_r(NULL, " \t", &save))
		if (strncmp(tok, "-l", 2) == 0 || strncmp(tok, "--lcores", 8) == 0 ||
			strncmp(tok, "-c", 2) == 0)
			rc = config_fail(err, errlen, -EINVAL,
				"[daemon] eal_args = %s: %s conflicts with "
				"[daemon] lcores; set lcores instead",
				c->eal_args, tok);
	free(copy);
	return rc;
}

/* A budget above the queue pair's depth could never be reached. */
static int
check_routing(const struct vcd_config *c, char *err, size_t errlen)
{
	const struct {
		const char *key;
		uint32_t v;
	} budgets[] = {{"accel_budget", c->accel_budget}, {"cpu_budget", c->cpu_budget}};

	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++)
		if (budgets[i].v > c->qp_depth)
			return config_fail(err, errlen, -EINVAL,
				"[routing] %s = %u: more than [daemon] qp_depth = %u, the "
				"most a queue pair holds; set it to at most %u (0 means "
				"qp_depth) or raise qp_depth",
				budgets[i].key, budgets[i].v, c->qp_depth, c->qp_depth);
	return 0;
}

static int
check_backend(const struct vcd_config *c, unsigned int i, char *err, size_t errlen)
{
	const struct vcd_backend_conf *b = &c->backends[i];
	char vdev[64];

	if (vcd_backend_is_pci(b) && b->devargs[0] == '\0')
		return config_fail(err, errlen, -EINVAL,
			"[backend %s] devargs is empty: %s is a PCI "
			"driver; set devargs to the device's PCI address (e.g. 0000:3d:01.0)",
			b->name, b->driver);
	if (!vcd_backend_is_pci(b) && vcd_backend_vdev_name(b, vdev, sizeof(vdev)) != 0)
		return config_fail(err, errlen, -EINVAL,
			"[backend %s] driver = %s: driver and name "
			"together must stay under %zu characters; shorten the name",
			b->name, b->driver, sizeof(vdev));
	for (unsigned int j = 0; j < i; j++) {
		const struct vcd_backend_conf *o = &c->backends[j];

		if (strcmp(o->name, b->name) == 0)
			return config_fail(
				err, errlen, -EINVAL, "[backend %s] is defined twice", b->name);
		if (vcd_backend_is_pci(b) && strcmp(o->devargs, b->devargs) == 0)
			return config_fail(err, errlen, -EINVAL,
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
		return config_fail(err, errlen, -EINVAL,
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

	if (!config_valid_name(vm->name))
		return config_fail(err, errlen, -EINVAL,
			"[vm %s]: a name is 1..%u characters of A-Z a-z 0-9 _ . -", vm->name,
			VCD_NAME_MAX - 1);
	if (len == 0 || len > VCD_SUN_PATH_MAX)
		return config_fail(err, errlen, -ENAMETOOLONG,
			"[vm %s] socket = %s: %zu characters, a unix socket path holds 1..%u; "
			"use a shorter socket_dir or name",
			vm->name, vm->socket, len, VCD_SUN_PATH_MAX);
	for (unsigned int j = 0; j < i; j++) {
		if (strcmp(c->vms[j].name, vm->name) == 0)
			return config_fail(err, errlen, -EINVAL,
				"[vm %s] is defined twice: names must be unique", vm->name);
		if (strcmp(c->vms[j].socket, vm->socket) == 0)
			return config_fail(err, errlen, -EINVAL,
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
		rc = check_routing(c, msg, sizeof(msg));
	if (rc == 0)
		rc = check_backends(c, msg, sizeof(msg));
	/* [daemon], [routing] and [backend] come from the file; a VM may come from --socket. */
	if (rc != 0)
		return config_fail(err, errlen, rc, "%s%s%s", c->path, c->path[0] ? ": " : "", msg);
	for (unsigned int i = 0; i < c->nb_vms && rc == 0; i++)
		rc = check_vm(c, i, err, errlen);
	return rc;
}

/* ---- reload ---- */

static int
diff_section(enum sect s, const char *name, const void *a, const void *b, char *err, size_t errlen)
{
	char va[VALUE_MAX], vb[VALUE_MAX], label[64];

	for (size_t i = 0; i < config_nb_options; i++) {
		const struct option_desc *o = &config_options[i];

		if (o->sect != s || (o->flags & F_RUNTIME))
			continue;
		config_opt_format(o, a, va, sizeof(va));
		config_opt_format(o, b, vb, sizeof(vb));
		if (strcmp(va, vb) != 0)
			return config_fail(err, errlen, -EBUSY,
				"%s %s changed from '%s' to '%s': it "
				"cannot change while guests run; %s",
				config_section_label(s, name, label, sizeof(label)), o->key, va, vb,
				s == SEC_VM ? "add the VM under a new name instead"
					    : "restart vcryptd for it");
	}
	return 0;
}

int
vcd_config_reload_check(
	const struct vcd_config *cur, const struct vcd_config *next, char *err, size_t errlen)
{
	int rc = 0;

	/* [daemon] and [routing]: fields of struct vcd_config itself. */
	for (int s = 0; s < SEC_COUNT && rc == 0; s++)
		if (!config_sections[s].named)
			rc = diff_section((enum sect)s, NULL, cur, next, err, errlen);
	if (rc == 0 && cur->nb_backends != next->nb_backends)
		return config_fail(err, errlen, -EBUSY,
			"[backend] sections added or removed (%u -> %u): "
			"backends cannot change while guests run",
			cur->nb_backends, next->nb_backends);
	for (unsigned int i = 0; i < cur->nb_backends && rc == 0; i++) {
		const struct vcd_backend_conf *a = &cur->backends[i], *b = &next->backends[i];

		if (strcmp(a->name, b->name) != 0)
			return config_fail(err, errlen, -EBUSY,
				"[backend %s] replaced by [backend %s]: "
				"backends cannot change while guests run",
				a->name, b->name);
		rc = diff_section(SEC_BACKEND, a->name, a, b, err, errlen);
	}
	for (unsigned int i = 0; i < next->nb_vms && rc == 0; i++) {
		const struct vcd_vm_conf *vm = &next->vms[i];
		const void *old =
			config_instance((struct vcd_config *)(uintptr_t)cur, SEC_VM, vm->name);

		if (old != NULL)
			rc = diff_section(SEC_VM, vm->name, old, vm, err, errlen);
	}
	return rc;
}
