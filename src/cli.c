/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The command line: vcryptd's own options, the -h text (generated from the
 * option table, so it lists every configuration option with its default and
 * bounds), and the start-up sequence file -> --set -> --socket -> validate.
 *
 * Runs on the main lcore only, before rte_eal_init(); no EAL calls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config_priv.h"
#include "vcd_build_config.h"
#include "vcryptd/config.h"

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
		"--set burst=64, --set routing.threshold_cipher=16K or "
		"--set vm.vm0.weight=2; a KEY without SECTION is one of [daemon] or [routing] "
		"(repeatable)"},
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
		return config_fail(
			err, errlen, -EINVAL, "option %s: empty %s (see vcryptd -h)", opt, o->arg);
	if (o->short_name == 'c') {
		if (cli->config_path != NULL)
			return config_fail(err, errlen, -EINVAL,
				"option %s given twice (see vcryptd -h)", opt);
		cli->config_path = arg;
	} else if (strcmp(o->long_name, "socket") == 0) {
		if (cli->nb_sockets >= VCD_MAX_VMS)
			return config_fail(err, errlen, -EINVAL, "option %s: more than %u sockets",
				opt, VCD_MAX_VMS);
		cli->sockets[cli->nb_sockets++] = arg;
	} else {
		if (strchr(arg, '=') == NULL || cli->nb_sets >= VCD_MAX_SETS)
			return config_fail(err, errlen, -EINVAL,
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
		return config_fail(err, errlen, -EINVAL,
			"unexpected argument '%s': EAL arguments go after '--' (see vcryptd -h)",
			tok);
	o = cli_find(tok, opt, sizeof(opt), &arg);
	if (o == NULL)
		return config_fail(
			err, errlen, -EINVAL, "unknown option '%s' (see vcryptd -h)", opt);
	if (o->arg == NULL && arg != NULL)
		return config_fail(
			err, errlen, -EINVAL, "option %s takes no argument (see vcryptd -h)", opt);
	if (o->arg != NULL && arg == NULL) {
		if (*i + 1 >= argc || (argv[*i + 1][0] == '-' && argv[*i + 1][1] != '\0'))
			return config_fail(err, errlen, -EINVAL,
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
	for (size_t i = 0; i < config_nb_options; i++) {
		const struct option_desc *o = &config_options[i];

		if (o->sect != s)
			continue;
		snprintf(left, sizeof(left), "  %s = %s", o->key, *o->def ? o->def : "\"\"");
		n = snprintf(text, sizeof(text), "%s", o->help);
		if (o->type == T_UINT)
			n += snprintf(text + n, sizeof(text) - n, " (%u..%u)", o->min, o->max);
		if (o->type == T_SIZE)
			n += snprintf(text + n, sizeof(text) - n,
				" (auto|never|%u..%u bytes, suffix K or M allowed)", o->min,
				o->max);
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
	usage_options(f, SEC_ROUTING, "[routing]        (which backend serves a request)");
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
			rc = config_set_one(c, cli->sets[i], err, errlen);
	return rc != 0 ? rc : config_resolve_sockets(c, err, errlen);
}

int
vcd_config_from_cli(struct vcd_config *c, const struct vcd_cli *cli, char *err, size_t errlen)
{
	const char *path = vcd_cli_config_path(cli);
	int rc = 0;

	if (path != NULL)
		rc = config_read_file(c, path, err, errlen);
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
