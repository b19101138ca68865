/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * A configuration out again: visited option by option (telemetry), dumped
 * in the file's syntax (--check-config), and as EAL's argument vector.
 *
 * Runs on the main lcore only (start-up, SIGHUP); no EAL calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "config_priv.h"
#include "vcryptd/config.h"

/* ---- dump ---- */

static void
visit_section(enum sect s, const char *name, const void *base, vcd_config_visit_fn fn, void *arg)
{
	char value[VALUE_MAX];

	for (size_t i = 0; i < config_nb_options; i++) {
		if (config_options[i].sect != s)
			continue;
		config_opt_format(&config_options[i], base, value, sizeof(value));
		fn(config_sections[s].name, name, config_options[i].key, value, arg);
	}
}

void
vcd_config_visit(const struct vcd_config *c, vcd_config_visit_fn fn, void *arg)
{
	/* [daemon], [routing]: fields of struct vcd_config itself, name NULL. */
	for (int s = 0; s < SEC_COUNT; s++)
		if (!config_sections[s].named)
			visit_section((enum sect)s, NULL, c, fn, arg);
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
	/* "N@C" pins lcore N to CPU C: EAL's --lcores; a plain list is -l's. */
	push(&a, strchr(c->lcores, '@') != NULL ? "--lcores" : "-l");
	push(&a, "%s", c->lcores);
	if (!c->hugepages) {
		push(&a, "--no-huge");
		push(&a, "-m");
		push(&a, "%u", c->memory_mb);
	}
	/* DPDK 22.11's EAL refuses --in-memory with --no-huge (which implies
	 * --legacy-mem), so with hugepages = no, in_memory = yes gives --no-shconf,
	 * what is left of it then: no shared config file.  The -h text of
	 * in_memory and config/vcryptd.conf say the same. */
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
