/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Unit tests for src/config.c: defaults, the shipped config/vcryptd.conf (its
 * path comes from VCD_SOURCE_CONFIG), one case per class of error with the
 * option named in the message, dump -> load round trips, --socket naming,
 * --set, the EAL argv, the reload check, [routing] sizes and the command line.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vcd_build_config.h"
#include "vcryptd/config.h"
#include "vcryptd/session_msg.h"
#include "unit_main.h"

#define ERR_MAX 1024

static char tmpdir[64];
static char err[ERR_MAX];

/* Unchecked fixture: runs once in the parent, so the directory goes even when tests fail. */
static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vcd-test-config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* Write @text to tmpdir/@name; returns the path (static). */
static const char *
write_conf(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Same content, whatever file each came from. */
static void
assert_config_eq(const struct vcd_config *a, struct vcd_config *b)
{
	memcpy(b->path, a->path, sizeof(b->path));
	ck_assert_int_eq(memcmp(a, b, sizeof(*a)), 0);
}

START_TEST(builtin_validates)
{
	struct vcd_config c;

	vcd_config_builtin(&c);
	ck_assert_int_eq(vcd_config_validate(&c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.nb_backends, 1);
	ck_assert_str_eq(c.backends[0].name, "aesni0");
	ck_assert_str_eq(c.backends[0].driver, "crypto_aesni_mb");
	ck_assert_uint_eq(c.nb_vms, 0);
	ck_assert_str_eq(c.lcores, "0-1");
	ck_assert_uint_eq(c.burst, 32);
	ck_assert_int_eq(c.hugepages, false);
	ck_assert_int_eq(c.in_memory, true);
	ck_assert_int_eq(c.log_level, 7); /* RTE_LOG_INFO */
	ck_assert_str_eq(c.path, "");
	ck_assert_uint_eq(c.threshold_cipher, VCD_THRESHOLD_AUTO);
	ck_assert_uint_eq(c.threshold_chain, VCD_THRESHOLD_AUTO);
	ck_assert_uint_eq(c.accel_budget, 0);
	ck_assert_uint_eq(c.cpu_budget, 0);
	ck_assert_uint_eq(c.fail_errors, 8);
	ck_assert_uint_eq(c.stall_ms, 500);
	ck_assert_uint_eq(c.probe_ms, 1000);

	/* Without the backend, validation must say what is missing. */
	vcd_config_defaults(&c);
	ck_assert_int_eq(vcd_config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "[backend NAME]"));
}
END_TEST

START_TEST(shipped_config_loads)
{
	struct vcd_config c, builtin;

	ck_assert_msg(vcd_config_load(&c, VCD_SOURCE_CONFIG, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vcd_config_validate(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c.path, VCD_SOURCE_CONFIG);
	ck_assert_uint_eq(c.nb_vms, 0);
	ck_assert_uint_eq(c.nb_backends, 1);
	ck_assert_str_eq(c.backends[0].driver, "crypto_aesni_mb");
	/* The shipped file spells out the built-in defaults, nothing else. */
	vcd_config_builtin(&builtin);
	assert_config_eq(&c, &builtin);
}
END_TEST

struct bad_case {
	const char *text;
	bool at_load; /* else the file loads and validation fails */
	const char *want[3];
};

#define BACKEND "[backend b]\n"
#define SIZE_FORMS                                                                                 \
	"must be auto, never, or a size in bytes from 0 to 4194304 (suffix K or M allowed)"

static const struct bad_case bad_cases[] = {
	{"[daemon]\nbust = 4\n", true, {"t.conf:2:", "bust", "did you mean 'burst'"}},
	{"[daemon]\nfrobnicate = 1\n", true, {"frobnicate", "unknown option", "lcores"}},
	{"\n[deamon]\n", true, {"t.conf:2:", "unknown section [deamon]"}},
	{"[daemon]\nburst = 0\n", true,
		{"t.conf:2: [daemon] burst = 0: must be between 1 and 512"}},
	{"[daemon]\nburst = 513\n", true, {"burst = 513", "512"}},
	{"[daemon]\nburst = 3x\n", true, {"burst = 3x", "whole number"}},
	{"[daemon]\nmemory_mb = -1\n", true, {"memory_mb"}},
	{"[daemon]\nhugepages = maybe\n", true, {"hugepages = maybe", "yes or no"}},
	{"[daemon]\nin_memory =\n", true, {"in_memory"}},
	{"[backend a]\nrole = gpu\n", true, {"[backend a] role = gpu", "cpu, accel"}},
	{"[vm v]\nsession_layout = qemu99\n", true, {"session_layout", "auto, qemu70"}},
	{"[daemon]\nlog_level = loud\n", true, {"log_level", "debug"}},
	{"[daemon]\nlcores = 0-x\n", true, {"lcores = 0-x", "lcore list"}},
	{"[daemon]\nlcores = 1,1\n", true, {"lcores"}},
	{"[daemon]\nsocket_dir = run\n", true, {"socket_dir", "absolute"}},
	{"[backend b]\ndriver = Crypto-QAT\n", true, {"driver", "crypto_qat"}},
	{"[vm a]\n[vm b]\n[vm a]\n", true, {"t.conf:3:", "[vm a] is defined twice"}},
	{"[backend x]\n[backend x]\n", true, {"[backend x] is defined twice"}},
	{"[daemon]\n[daemon]\n", true, {"t.conf:2:", "[daemon] appears twice"}},
	{"[daemon]\nburst = 1\nburst = 2\n", true, {"t.conf:3:", "burst", "line 2"}},
	{"burst = 1\n", true, {"t.conf:1:", "burst", "outside any section"}},
	{"[vm]\n", true, {"[vm] needs a name"}},
	{"[daemon x]\n", true, {"[daemon] takes no name"}},
	{"[vm bad/name]\n", true, {"[vm bad/name]", "A-Z"}},
	{"[daemon\n", true, {"expected [section]"}},
	{"[daemon]\njunk\n", true, {"'junk'", "key = value"}},
	{"[daemon]\n", false, {"[backend NAME]", "crypto_aesni_mb"}},
	{BACKEND "[daemon]\nlcores = 3\n", false, {"lcores = 3", "at least 2"}},
	{BACKEND "[daemon]\neal_args = -n 4 -l 0-3\n", false, {"eal_args", "-l", "lcores"}},
	{"[daemon]\nrsa_lane_cpus = 2-x\n", true, {"rsa_lane_cpus = 2-x", "list of CPUs"}},
	{"[daemon]\nrsa_lane_cpus = 3-2\n", true, {"rsa_lane_cpus = 3-2", "2-3,6"}},
	{"[backend q]\ndriver = crypto_qat\n", false, {"[backend q] devargs", "PCI address"}},
	{"[routing]\nthreshold_cipher = 16Q\n", true,
		{"t.conf:2: [routing] threshold_cipher = 16Q: " SIZE_FORMS}},
	{"[routing]\nthreshold_cipher = -1\n", true, {"threshold_cipher = -1", SIZE_FORMS}},
	{"[routing]\nthreshold_chain = 5M\n", true, {"[routing] threshold_chain = 5M", SIZE_FORMS}},
	{"[routing]\nthreshold_chain = 4194305\n", true, {"threshold_chain = 4194305", SIZE_FORMS}},
	{"[routing]\nthreshold_chain = 16 K\n", true, {"threshold_chain = 16 K", SIZE_FORMS}},
	{"[routing]\nthreshold_chain = 16KB\n", true, {"threshold_chain = 16KB", SIZE_FORMS}},
	{"[routing]\nthreshold_chain = 99999999999999999999K\n", true,
		{"threshold_chain", SIZE_FORMS}},
	{"[routing]\nthreshold_chain =\n", true, {"threshold_chain", SIZE_FORMS}},
	{"[routing]\nthreshold_chain = sometimes\n", true,
		{"threshold_chain = sometimes", SIZE_FORMS}},
	{"[routing]\nfail_errors = 0\n", true,
		{"[routing] fail_errors = 0", "between 1 and 65535"}},
	{"[routing]\nprobe_ms = 9\n", true, {"[routing] probe_ms = 9", "between 10 and 3600000"}},
	{"[routing]\nstall_ms = 60001\n", true, {"stall_ms = 60001", "between 1 and 60000"}},
	{"[routing]\naccel_budget = 65537\n", true,
		{"accel_budget = 65537", "between 0 and 65536"}},
	{"[routing]\nburst = 4\n", true, {"[routing] burst = 4", "'burst' belongs in [daemon]"}},
	{"[routing]\nstal_ms = 4\n", true, {"stal_ms", "did you mean 'stall_ms'"}},
	{"[routing]\n[daemon]\n[routing]\n", true,
		{"t.conf:3:", "[routing] appears twice (first on line 1)"}},
	{"[routing r]\n", true, {"[routing] takes no name"}},
	{"[rooting]\n", true, {"unknown section [rooting]", "[routing]"}},
	{BACKEND "[routing]\naccel_budget = 4096\n", false,
		{"[routing] accel_budget = 4096: more than [daemon] qp_depth = 2048",
			"at most 2048", "raise qp_depth"}},
	{BACKEND "[daemon]\nqp_depth = 64\n[routing]\ncpu_budget = 65\n", false,
		{"[routing] cpu_budget = 65", "qp_depth = 64", "at most 64"}},
	{BACKEND "[vm a]\nsocket = /x.sock\n[vm b]\nsocket = /x.sock\n", false,
		{"[vm b] socket = /x.sock", "[vm a]"}},
	{BACKEND "[vm a]\nsocket = /tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
		false, {"[vm a] socket = /tmp/aaa", "107"}},
};

START_TEST(bad_config_named)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct vcd_config c;
	int rc;

	rc = vcd_config_load(&c, write_conf("t.conf", bc->text), err, sizeof(err));
	if (bc->at_load) {
		ck_assert_msg(rc < 0, "case %d loaded", _i);
	} else {
		ck_assert_msg(rc == 0, "case %d: %s", _i, err);
		rc = vcd_config_validate(&c, err, sizeof(err));
		ck_assert_msg(rc < 0, "case %d validated", _i);
	}
	for (int k = 0; k < 3 && bc->want[k] != NULL; k++)
		ck_assert_msg(strstr(err, bc->want[k]) != NULL, "case %d: '%s' not in: %s", _i,
			bc->want[k], err);
}
END_TEST

START_TEST(missing_file)
{
	struct vcd_config c;
	char path[128];

	snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
	ck_assert_int_eq(vcd_config_load(&c, path, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "absent.conf"));
}
END_TEST

/* clang-format off */
static const char rich_conf[] =
	"# every option away from its default\n"
	"[daemon]\n"
	"lcores = 2,4-5\n"
	"burst = 64      # inline comment\n"
	"mbuf_pool_size = 4095\n"
	"max_sessions_per_vm = 10\n"
	"hugepages = yes\n"
	"memory_mb = 1024\n"
	"in_memory = off\n"
	"eal_args = --file-prefix=x#y;z  --huge-unlink\n"
	"log_level = debug\n"
	"socket_dir = /run/vcd/\n"
	"; semicolon comment\n"
	"[backend cpu0]\n"
	"driver = crypto_openssl\n"
	"devargs = max_nb_queue_pairs=4\n"
	"[backend qat0]\n"
	"driver = crypto_qat\n"
	"devargs = 0000:3d:01.0\n"
	"role = accel\n"
	"[vm vm0]\n"
	"socket = vm0.sock\n"
	"session_layout = qemu72\n"
	"max_sessions = 7\n"
	"weight = 3\n"
	"[ vm  web.1 ]\n"
	"session_layout = QEMU81\n"
	"[routing]\n"
	"threshold_cipher = 16K\n"
	"threshold_chain = never\n"
	"accel_budget = 512\n"
	"cpu_budget = 64\n"
	"fail_errors = 3\n"
	"stall_ms = 250\n"
	"probe_ms = 2000\n";
/* clang-format on */

START_TEST(dump_load_round_trip)
{
	struct vcd_config a, b;
	const char *path;
	FILE *f;

	ck_assert_msg(
		vcd_config_load(&a, write_conf("rich.conf", rich_conf), err, sizeof(err)) == 0,
		"%s", err);
	ck_assert_msg(vcd_config_validate(&a, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(a.lcores, "2,4-5");
	ck_assert_uint_eq(a.burst, 64);
	ck_assert_int_eq(a.in_memory, false);
	ck_assert_str_eq(a.eal_args, "--file-prefix=x#y;z  --huge-unlink");
	ck_assert_int_eq(a.backends[1].role, VCD_BACKEND_ACCEL);
	ck_assert_str_eq(a.vms[0].socket, "/run/vcd/vm0.sock");
	ck_assert_int_eq(a.vms[0].session_layout, VCD_SESS_LAYOUT_QEMU72);
	ck_assert_str_eq(a.vms[1].name, "web.1");
	ck_assert_str_eq(a.vms[1].socket, "/run/vcd/web.1.sock");
	ck_assert_int_eq(a.vms[1].session_layout, VCD_SESS_LAYOUT_QEMU81);
	ck_assert_uint_eq(a.threshold_cipher, 16384);
	ck_assert_uint_eq(a.threshold_chain, VCD_THRESHOLD_NEVER);
	ck_assert_uint_eq(a.accel_budget, 512);
	ck_assert_uint_eq(a.cpu_budget, 64);
	ck_assert_uint_eq(a.fail_errors, 3);
	ck_assert_uint_eq(a.stall_ms, 250);
	ck_assert_uint_eq(a.probe_ms, 2000);

	path = write_conf("dump.conf", "");
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	vcd_config_dump(&a, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(vcd_config_load(&b, path, err, sizeof(err)) == 0, "%s", err);
	assert_config_eq(&a, &b);
}
END_TEST

START_TEST(dump_builtin_round_trip)
{
	struct vcd_config a, b;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	vcd_config_builtin(&a);
	ck_assert_int_eq(vcd_config_add_socket(&a, "/run/vm7.sock", err, sizeof(err)), 0);
	vcd_config_dump(&a, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(text, "[backend aesni0]\ndriver = crypto_aesni_mb\n"));
	ck_assert_ptr_nonnull(strstr(text, "\ndevargs =\n"));
	ck_assert_ptr_nonnull(strstr(text, "[vm vm7]\nsocket = /run/vm7.sock\n"));
	ck_assert_ptr_nonnull(strstr(text, "log_level = info\n"));
	/* [routing] right after [daemon], before the repeated sections. */
	ck_assert_ptr_nonnull(strstr(text,
		"socket_mode = 0660\n\n[routing]\nthreshold_cipher = auto\n"
		"threshold_chain = auto\naccel_budget = 0\ncpu_budget = 0\nfail_errors = 8\n"
		"stall_ms = 500\nprobe_ms = 1000\n\n[backend aesni0]\n"));
	ck_assert_msg(
		vcd_config_load(&b, write_conf("d.conf", text), err, sizeof(err)) == 0, "%s", err);
	assert_config_eq(&a, &b);
	free(text);
}
END_TEST

/* Sizes: auto, never, bytes, K/k/KiB and M/MiB; dumped as auto, never or bytes. */
struct size_case {
	const char *text;
	uint32_t value;
	const char *dumped;
};

static const struct size_case size_cases[] = {
	{"auto", VCD_THRESHOLD_AUTO, "auto"},
	{"AUTO", VCD_THRESHOLD_AUTO, "auto"},
	{"never", VCD_THRESHOLD_NEVER, "never"},
	{"Never", VCD_THRESHOLD_NEVER, "never"},
	{"16K", 16384, "16384"},
	{"16k", 16384, "16384"},
	{"16KiB", 16384, "16384"},
	{"65536", 65536, "65536"},
	{"0", 0, "0"},
	{"0K", 0, "0"},
	{"1M", 1048576, "1048576"},
	{"1MiB", 1048576, "1048576"},
	{"4M", 4194304, "4194304"},
	{"4096K", 4194304, "4194304"},
	{"4194304", 4194304, "4194304"},
	{"007", 7, "7"},
};

START_TEST(routing_sizes)
{
	const struct size_case *sc = &size_cases[_i];
	struct vcd_config a, b;
	char conf[128], want[64];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(conf, sizeof(conf), "[backend b]\n[routing]\nthreshold_cipher = %s\n", sc->text);
	ck_assert_msg(vcd_config_load(&a, write_conf("s.conf", conf), err, sizeof(err)) == 0,
		"'%s': %s", sc->text, err);
	ck_assert_msg(vcd_config_validate(&a, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(a.threshold_cipher, sc->value);
	ck_assert_uint_eq(a.threshold_chain, VCD_THRESHOLD_AUTO);

	/* threshold_chain through --set, unqualified and qualified alike. */
	snprintf(conf, sizeof(conf), "threshold_chain=%s", sc->text);
	ck_assert_msg(vcd_config_set(&a, conf, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(a.threshold_chain, sc->value);
	a.threshold_chain = 1;
	snprintf(conf, sizeof(conf), "routing.threshold_chain = %s", sc->text);
	ck_assert_msg(vcd_config_set(&a, conf, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(a.threshold_chain, sc->value);

	f = open_memstream(&text, &len);
	vcd_config_dump(&a, f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(want, sizeof(want), "\nthreshold_cipher = %s\n", sc->dumped);
	ck_assert_msg(strstr(text, want) != NULL, "'%s' not in dump", want);
	snprintf(want, sizeof(want), "\nthreshold_chain = %s\n", sc->dumped);
	ck_assert_msg(strstr(text, want) != NULL, "'%s' not in dump", want);
	ck_assert_msg(
		vcd_config_load(&b, write_conf("s2.conf", text), err, sizeof(err)) == 0, "%s", err);
	assert_config_eq(&a, &b);
	free(text);
}
END_TEST

START_TEST(socket_naming)
{
	struct vcd_config c;
	char path[32];

	vcd_config_builtin(&c);
	ck_assert_int_eq(vcd_config_add_socket(&c, "/run/x/vm0.sock", err, sizeof(err)), 0);
	ck_assert_str_eq(c.vms[0].name, "vm0");
	ck_assert_str_eq(c.vms[0].socket, "/run/x/vm0.sock");
	ck_assert_int_eq(c.vms[0].weight, 1);
	ck_assert_int_eq(vcd_config_add_socket(&c, "vm1.sock", err, sizeof(err)), 0);
	ck_assert_str_eq(c.vms[1].name, "vm1");
	ck_assert_str_eq(c.vms[1].socket, "/tmp/vm1.sock");
	ck_assert_int_eq(vcd_config_add_socket(&c, "/r/a b.x.sock", err, sizeof(err)), 0);
	ck_assert_str_eq(c.vms[2].name, "a_b.x");
	ck_assert_int_eq(vcd_config_add_socket(&c, "plain", err, sizeof(err)), 0);
	ck_assert_str_eq(c.vms[3].socket, "/tmp/plain");
	ck_assert_uint_eq(c.nb_vms, 4);

	ck_assert_int_eq(vcd_config_add_socket(&c, "/run/x/vm0.sock", err, sizeof(err)), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "--socket /run/x/vm0.sock"));
	ck_assert_int_eq(vcd_config_add_socket(&c, "/elsewhere/vm0.s", err, sizeof(err)), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "'vm0'"));
	ck_assert_int_eq(vcd_config_add_socket(&c, "/run/x/", err, sizeof(err)), -EINVAL);
	ck_assert_uint_eq(c.nb_vms, 4);
	ck_assert_int_eq(vcd_config_validate(&c, err, sizeof(err)), 0);

	for (unsigned int i = c.nb_vms; i < VCD_MAX_VMS; i++) {
		snprintf(path, sizeof(path), "/s/f%u.sock", i);
		ck_assert_int_eq(vcd_config_add_socket(&c, path, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(vcd_config_add_socket(&c, "/s/last.sock", err, sizeof(err)), -ENOSPC);
}
END_TEST

START_TEST(set_options)
{
	struct vcd_config c;

	vcd_config_builtin(&c);
	ck_assert_int_eq(vcd_config_add_socket(&c, "vm0.sock", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_set(&c, "burst=64", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.burst, 64);
	ck_assert_int_eq(vcd_config_set(&c, "daemon.log_level = debug", err, sizeof(err)), 0);
	ck_assert_int_eq(c.log_level, 8);
	ck_assert_int_eq(vcd_config_set(&c, "backend.aesni0.role=accel", err, sizeof(err)), 0);
	ck_assert_int_eq(c.backends[0].role, VCD_BACKEND_ACCEL);
	ck_assert_int_eq(vcd_config_set(&c, "vm.vm0.weight=9", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.vms[0].weight, 9);
	ck_assert_int_eq(vcd_config_set(&c, "backend.aesni0.devargs=a=1,b=2", err, sizeof(err)), 0);
	ck_assert_str_eq(c.backends[0].devargs, "a=1,b=2");

	ck_assert_int_eq(vcd_config_set(&c, "vm.nope.weight=2", err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "[vm nope]"));
	ck_assert_int_eq(vcd_config_set(&c, "burts=3", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "did you mean 'burst'"));
	ck_assert_int_eq(vcd_config_set(&c, "burst=0", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "[daemon] burst = 0: must be between 1 and 512"));
	ck_assert_int_eq(vcd_config_set(&c, "bogus.key=1", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "bogus.key"));
	ck_assert_int_eq(vcd_config_set(&c, "weight", err, sizeof(err)), -EINVAL);
	ck_assert_uint_eq(c.burst, 64);
}
END_TEST

/* [routing] through --set: "routing.KEY", or KEY alone as for [daemon]. */
START_TEST(set_routing)
{
	struct vcd_config c;

	vcd_config_builtin(&c);
	ck_assert_int_eq(vcd_config_set(&c, "routing.threshold_cipher=16K", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.threshold_cipher, 16384);
	ck_assert_int_eq(vcd_config_set(&c, "threshold_cipher=never", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.threshold_cipher, VCD_THRESHOLD_NEVER);
	ck_assert_int_eq(vcd_config_set(&c, "routing.accel_budget=128", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.accel_budget, 128);
	ck_assert_int_eq(vcd_config_set(&c, "cpu_budget = 16", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.cpu_budget, 16);
	ck_assert_int_eq(vcd_config_set(&c, "routing.fail_errors=2", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.fail_errors, 2);
	ck_assert_int_eq(vcd_config_set(&c, "routing.stall_ms=200", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.stall_ms, 200);
	ck_assert_int_eq(vcd_config_set(&c, "probe_ms=10", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.probe_ms, 10);
	/* [daemon] keys stay where they were, qualified or not. */
	ck_assert_int_eq(vcd_config_set(&c, "burst=16", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.burst, 16);
	ck_assert_int_eq(vcd_config_validate(&c, err, sizeof(err)), 0);

	ck_assert_int_eq(
		vcd_config_set(&c, "routing.threshold_cipher=16Q", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err,
			      "--set routing.threshold_cipher=16Q: [routing] threshold_cipher = "
			      "16Q: " SIZE_FORMS) != NULL,
		"%s", err);
	ck_assert_int_eq(vcd_config_set(&c, "threshold_chain=5M", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "[routing] threshold_chain = 5M: " SIZE_FORMS));
	ck_assert_int_eq(
		vcd_config_set(&c, "routing.threshold_chain=-1", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "threshold_chain = -1: " SIZE_FORMS));
	ck_assert_uint_eq(c.threshold_cipher, VCD_THRESHOLD_NEVER);
	ck_assert_uint_eq(c.threshold_chain, VCD_THRESHOLD_AUTO);

	ck_assert_int_eq(vcd_config_set(&c, "routing.burst=8", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'burst' belongs in [daemon]"));
	ck_assert_int_eq(vcd_config_set(&c, "daemon.stall_ms=8", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'stall_ms' belongs in [routing]"));
	ck_assert_int_eq(vcd_config_set(&c, "stal_ms=8", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "did you mean 'stall_ms'"));
	ck_assert_int_eq(vcd_config_set(&c, "frobnicate=8", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "[daemon] takes: lcores"));
	ck_assert_ptr_nonnull(strstr(err, "[routing] takes: threshold_cipher"));
	ck_assert_int_eq(vcd_config_set(&c, "routing.x.stall_ms=8", err, sizeof(err)), -EINVAL);
	ck_assert_uint_eq(c.stall_ms, 200);

	/* A budget past qp_depth loads but does not validate. */
	ck_assert_int_eq(vcd_config_set(&c, "routing.cpu_budget=4096", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "[routing] cpu_budget = 4096"));
	ck_assert_ptr_nonnull(strstr(err, "qp_depth"));
}
END_TEST

/* -c FILE --set socket_dir=... --socket NAME --set vm.NAME...: the order --set needs. */
START_TEST(config_from_cli)
{
	char *argv[] = {"vcryptd", "-c", NULL, "--set", "vm.vm9.weight=5", "--socket", "vm9.sock",
		"--set", "socket_dir=/run/v", NULL};
	struct vcd_config c;
	struct vcd_cli cli;

	argv[2] = (char *)write_conf("c.conf", "[backend z]\n[vm f]\n");
	ck_assert_int_eq(vcd_cli_parse(9, argv, &cli, err, sizeof(err)), 0);
	ck_assert_msg(vcd_config_from_cli(&c, &cli, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.nb_vms, 2);
	ck_assert_str_eq(c.vms[0].socket, "/run/v/f.sock");
	ck_assert_str_eq(c.vms[1].socket, "/run/v/vm9.sock");
	ck_assert_uint_eq(c.vms[1].weight, 5);

	/* No -c: the installed file if present, else the source tree's. */
	ck_assert_int_eq(vcd_cli_parse(1, argv, &cli, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(vcd_cli_config_path(&cli));
	ck_assert_int_eq(access(vcd_cli_config_path(&cli), F_OK), 0);
	ck_assert_msg(vcd_config_from_cli(&c, &cli, err, sizeof(err)) == 0, "%s", err);

	/* A --socket clashing with a file VM fails, naming the option. */
	argv[2] = (char *)write_conf("c.conf", "[backend z]\n[vm vm9]\nsocket=/run/v/vm9.sock\n");
	ck_assert_int_eq(vcd_cli_parse(9, argv, &cli, err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_from_cli(&c, &cli, err, sizeof(err)), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "--socket vm9.sock"));

	/* --set routing.KEY on the command line, validated against [daemon] qp_depth. */
	char *argv2[] = {"vcryptd", "-c", NULL, "--set", "routing.threshold_cipher=16K", "--set",
		"accel_budget=4096", "--set", "qp_depth=4096", NULL};
	argv2[2] = (char *)write_conf("c.conf", "[backend z]\n");
	ck_assert_int_eq(vcd_cli_parse(9, argv2, &cli, err, sizeof(err)), 0);
	ck_assert_msg(vcd_config_from_cli(&c, &cli, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.threshold_cipher, 16384);
	ck_assert_uint_eq(c.accel_budget, 4096);
	ck_assert_int_eq(vcd_cli_parse(7, argv2, &cli, err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_from_cli(&c, &cli, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "[routing] accel_budget = 4096"));
}
END_TEST

static void
assert_argv(char **argv, int argc, const char *const *want, int nwant)
{
	for (int i = 0; i < argc && i < nwant; i++)
		ck_assert_msg(strcmp(argv[i], want[i]) == 0, "argv[%d] = '%s', want '%s'", i,
			argv[i], want[i]);
	ck_assert_int_eq(argc, nwant);
	ck_assert_ptr_null(argv[argc]);
}

START_TEST(eal_argv_default)
{
	static const char *const want[] = {"vcryptd", "-l", "0-1", "--no-huge", "-m", "512",
		"--no-shconf", "--vdev", "crypto_aesni_mb_aesni0", "--no-pci", "--log-level=7"};
	char *argv[32], storage[1024];
	struct vcd_config c;
	int argc;

	ck_assert_int_eq(vcd_config_load(&c, VCD_SOURCE_CONFIG, err, sizeof(err)), 0);
	argc = vcd_config_eal_argv(&c, "vcryptd", argv, 32, storage, sizeof(storage));
	assert_argv(argv, argc, want, sizeof(want) / sizeof(want[0]));

	ck_assert_int_eq(
		vcd_config_eal_argv(&c, "vcryptd", argv, 5, storage, sizeof(storage)), -ENOSPC);
	ck_assert_int_eq(vcd_config_eal_argv(&c, "vcryptd", argv, 32, storage, 40), -ENOSPC);
}
END_TEST

START_TEST(eal_argv_pci)
{
	static const char *const want[] = {"p", "-l", "0,3", "-a", "0000:3d:01.0", "--vdev",
		"crypto_aesni_mb_sw,max_nb_queue_pairs=2", "--log-level=5", "--file-prefix=t", "-n",
		"4"};
	const char *conf =
		"[daemon]\nlcores = 0,3\nhugepages = yes\nin_memory = no\n"
		"log_level = warning\neal_args = --file-prefix=t \t -n 4 \n"
		"[backend qat0]\ndriver = crypto_qat\ndevargs = 0000:3d:01.0\nrole = accel\n"
		"[backend sw]\ndevargs = max_nb_queue_pairs=2\n";
	char *argv[32], storage[1024];
	struct vcd_config c;
	int argc;

	ck_assert_int_eq(vcd_config_load(&c, write_conf("pci.conf", conf), err, sizeof(err)), 0);
	ck_assert_msg(vcd_config_validate(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(vcd_backend_is_pci(&c.backends[0]), true);
	ck_assert_int_eq(vcd_backend_is_pci(&c.backends[1]), false);
	argc = vcd_config_eal_argv(&c, "p", argv, 32, storage, sizeof(storage));
	assert_argv(argv, argc, want, sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(eal_argv_hugepages)
{
	static const char *const want[] = {"p", "-l", "0-1", "--in-memory", "--vdev",
		"crypto_aesni_mb_aesni0", "--no-pci", "--log-level=7"};
	char *argv[32], storage[1024];
	struct vcd_config c;
	int argc;

	vcd_config_builtin(&c);
	ck_assert_int_eq(vcd_config_set(&c, "hugepages=yes", err, sizeof(err)), 0);
	argc = vcd_config_eal_argv(&c, "p", argv, 32, storage, sizeof(storage));
	assert_argv(argv, argc, want, sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(lcore_lists)
{
	uint16_t ids[8];

	ck_assert_int_eq(vcd_lcore_list_parse("0-1", ids, 8), 2);
	ck_assert_int_eq(ids[0], 0);
	ck_assert_int_eq(ids[1], 1);
	ck_assert_int_eq(vcd_lcore_list_parse("7,2-4", ids, 8), 4);
	ck_assert_int_eq(ids[0], 7);
	ck_assert_int_eq(ids[3], 4);
	ck_assert_int_eq(vcd_lcore_list_parse("0-9", ids, 8), -ENOSPC);
	ck_assert_int_eq(vcd_lcore_list_parse("0-9", NULL, 0), 10);
	static const char *const bad[] = {
		"", "1-0", "0,0", "0-2,1", "4096", "0-", "0,", "a", " 0", "0 ", "0;1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(vcd_lcore_list_parse(bad[i], ids, 8) == -EINVAL, "'%s'", bad[i]);
}
END_TEST

START_TEST(reload_check)
{
	struct vcd_config cur, next;

	vcd_config_builtin(&cur);
	ck_assert_int_eq(vcd_config_add_socket(&cur, "/r/vm0.sock", err, sizeof(err)), 0);

	next = cur;
	ck_assert_int_eq(vcd_config_set(&next, "log_level=debug", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_set(&next, "vm.vm0.weight=4", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_add_socket(&next, "/r/vm1.sock", err, sizeof(err)), 0);
	ck_assert_msg(vcd_config_reload_check(&cur, &next, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(vcd_config_reload_check(&next, &cur, err, sizeof(err)), 0);

	next = cur;
	ck_assert_int_eq(vcd_config_set(&next, "lcores=0-3", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_reload_check(&cur, &next, err, sizeof(err)), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "[daemon] lcores changed from '0-1' to '0-3'"));

	next = cur;
	ck_assert_int_eq(
		vcd_config_set(&next, "backend.aesni0.driver=crypto_openssl", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_reload_check(&cur, &next, err, sizeof(err)), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "[backend aesni0] driver"));

	next = cur;
	ck_assert_int_eq(vcd_config_set(&next, "vm.vm0.socket=/r/other.sock", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_reload_check(&cur, &next, err, sizeof(err)), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "[vm vm0] socket"));

	/* Every [routing] option may change on reload. */
	next = cur;
	ck_assert_int_eq(vcd_config_set(&next, "routing.threshold_cipher=0", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_set(&next, "routing.threshold_chain=1M", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_set(&next, "routing.accel_budget=64", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_set(&next, "routing.cpu_budget=32", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_set(&next, "routing.fail_errors=1", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_set(&next, "routing.stall_ms=100", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_set(&next, "routing.probe_ms=50", err, sizeof(err)), 0);
	ck_assert_msg(vcd_config_reload_check(&cur, &next, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(vcd_config_reload_check(&next, &cur, err, sizeof(err)), 0);
}
END_TEST

struct visit_count {
	unsigned int daemon, routing, backend, vm;
};

static void
count_visit(const char *section, const char *name, const char *key, const char *value, void *arg)
{
	struct visit_count *n = arg;

	ck_assert_ptr_nonnull(key);
	ck_assert_ptr_nonnull(value);
	if (strcmp(section, "daemon") == 0) {
		ck_assert_ptr_null(name);
		n->daemon++;
	} else if (strcmp(section, "routing") == 0) {
		ck_assert_ptr_null(name);
		ck_assert_uint_eq(n->backend + n->vm, 0); /* before the repeated sections */
		n->routing++;
	} else if (strcmp(section, "backend") == 0) {
		ck_assert_str_eq(name, "aesni0");
		n->backend++;
	} else {
		ck_assert_str_eq(section, "vm");
		n->vm++;
	}
}

START_TEST(visit_every_option)
{
	struct visit_count n = {0};
	struct vcd_config c;
	char name[64];

	vcd_config_builtin(&c);
	ck_assert_int_eq(vcd_config_add_socket(&c, "a.sock", err, sizeof(err)), 0);
	ck_assert_int_eq(vcd_config_add_socket(&c, "b.sock", err, sizeof(err)), 0);
	vcd_config_visit(&c, count_visit, &n);
	/*
	 * Every [daemon] option: 24 with rsa_lane_cpus, notify_delay_us, notify_batch,
	 * session_pool, qp_depth, vhost_proxy, socket_group, socket_mode and the sharing ones
	 * (quantum, request_cost, measured_cost, slice_us, idle_backoff_us, idle_sleep_us).
	 */
	ck_assert_uint_eq(n.daemon, 24);
	ck_assert_uint_eq(n.routing, 7);
	ck_assert_uint_eq(n.backend, 3);
	ck_assert_uint_eq(n.vm, 2 * 9); /* with max_inflight, rate_*, max_dataqueues */
	ck_assert_int_eq(vcd_backend_vdev_name(&c.backends[0], name, sizeof(name)), 0);
	ck_assert_str_eq(name, "crypto_aesni_mb_aesni0");
	ck_assert_int_eq(vcd_backend_vdev_name(&c.backends[0], name, 10), -ENAMETOOLONG);
}
END_TEST

START_TEST(cli_parse_ok)
{
	char *argv[] = {"vcryptd", "-c", "f.conf", "--socket", "a.sock", "--socket=/b.sock",
		"--set", "burst=64", "--check-config", "-V", "--", "--vdev", "x", NULL};
	struct vcd_cli cli;

	ck_assert_msg(vcd_cli_parse(13, argv, &cli, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(cli.config_path, "f.conf");
	ck_assert_uint_eq(cli.nb_sockets, 2);
	ck_assert_str_eq(cli.sockets[0], "a.sock");
	ck_assert_str_eq(cli.sockets[1], "/b.sock");
	ck_assert_uint_eq(cli.nb_sets, 1);
	ck_assert_str_eq(cli.sets[0], "burst=64");
	ck_assert_int_eq(cli.check_config, true);
	ck_assert_int_eq(cli.version, true);
	ck_assert_int_eq(cli.help, false);
	ck_assert_int_eq(cli.eal_argc, 2);
	ck_assert_str_eq(cli.eal_argv[0], "--vdev");
	ck_assert_str_eq(vcd_cli_config_path(&cli), "f.conf");

	char *argv2[] = {"vcryptd", "-cg.conf", "--config=h", "-h", NULL};
	ck_assert_int_eq(vcd_cli_parse(2, argv2, &cli, err, sizeof(err)), 0);
	ck_assert_str_eq(cli.config_path, "g.conf");
	ck_assert_int_eq(cli.eal_argc, 0);
	ck_assert_int_eq(vcd_cli_parse(4, argv2, &cli, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--config given twice"));
	argv2[1] = "--help";
	ck_assert_int_eq(vcd_cli_parse(2, argv2, &cli, err, sizeof(err)), 0);
	ck_assert_int_eq(cli.help, true);
}
END_TEST

struct cli_bad {
	const char *args[4];
	const char *want;
};

static const struct cli_bad cli_bad_cases[] = {
	{{"--bogus"}, "unknown option '--bogus'"},
	{{"--bogus=1"}, "unknown option '--bogus'"},
	{{"-x"}, "unknown option '-x'"},
	{{"-hV"}, "unknown option '-hV'"},
	{{"--socket"}, "option --socket needs an argument PATH"},
	{{"-c"}, "option -c needs an argument FILE"},
	{{"--socket", "--check-config"}, "option --socket needs an argument"},
	{{"--config="}, "option --config: empty FILE"},
	{{"stray"}, "unexpected argument 'stray'"},
	{{"-c", "a", "-c", "b"}, "option -c given twice"},
	{{"--help=yes"}, "option --help takes no argument"},
	{{"--set", "burst"}, "option --set burst: expected KEY=VALUE"},
};

START_TEST(cli_parse_errors)
{
	const struct cli_bad *bc = &cli_bad_cases[_i];
	char *argv[6] = {"vcryptd"};
	struct vcd_cli cli;
	int argc = 1;

	for (int k = 0; k < 4 && bc->args[k] != NULL; k++)
		argv[argc++] = (char *)bc->args[k];
	ck_assert_int_eq(vcd_cli_parse(argc, argv, &cli, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, bc->want) != NULL, "'%s' not in: %s", bc->want, err);
	ck_assert_msg(strstr(err, "(see vcryptd -h)") != NULL, "no hint in: %s", err);
}
END_TEST

START_TEST(usage_lists_everything)
{
	static const char *const want[] = {"-c, --config FILE", "--socket PATH", "--set",
		"--check-config", "-V, --version", "-h, --help", "-- EAL args", "[backend NAME]",
		"burst = 32", "mbuf_pool_size", "max_sessions_per_vm", "socket_dir = /tmp",
		"driver = crypto_aesni_mb", "session_layout = auto", "weight = 1", "(1..512)",
		"[routing]", "threshold_cipher = auto", "threshold_chain = auto",
		"accel_budget = 0", "cpu_budget = 0", "fail_errors = 8", "stall_ms = 500",
		"probe_ms = 1000", "(auto|never|0..4194304", "(10..3600000)",
		"routing.threshold_cipher=16K"};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	vcd_cli_usage(f);
	ck_assert_int_eq(fclose(f), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "'%s' missing from -h", want[i]);
	free(text);
}
END_TEST

/* in_memory = yes gives --no-shconf with hugepages = no: -h must say so, and why. */
START_TEST(usage_explains_in_memory)
{
	static const char *const want[] = {
		"--in-memory", "--no-shconf", "hugepages = no", "22.11", "--no-huge"};
	char *text = NULL, *entry, *end;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	vcd_cli_usage(f);
	ck_assert_int_eq(fclose(f), 0);
	entry = strstr(text, "in_memory = yes");
	ck_assert_ptr_nonnull(entry);
	end = strstr(entry, "eal_args = ");
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(entry, want[i]) != NULL, "'%s' missing from in_memory: %s",
			want[i], entry);
	free(text);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, builtin_validates);
	tcase_add_test(tc, shipped_config_loads);
	tcase_add_loop_test(tc, bad_config_named, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, dump_load_round_trip);
	tcase_add_test(tc, dump_builtin_round_trip);
	tcase_add_loop_test(tc, routing_sizes, 0, sizeof(size_cases) / sizeof(size_cases[0]));
	tcase_add_test(tc, socket_naming);
	tcase_add_test(tc, set_options);
	tcase_add_test(tc, set_routing);
	tcase_add_test(tc, config_from_cli);
	tcase_add_test(tc, eal_argv_default);
	tcase_add_test(tc, eal_argv_pci);
	tcase_add_test(tc, eal_argv_hugepages);
	tcase_add_test(tc, lcore_lists);
	tcase_add_test(tc, reload_check);
	tcase_add_test(tc, visit_every_option);
	tcase_add_test(tc, cli_parse_ok);
	tcase_add_loop_test(
		tc, cli_parse_errors, 0, sizeof(cli_bad_cases) / sizeof(cli_bad_cases[0]));
	tcase_add_test(tc, usage_lists_everything);
	tcase_add_test(tc, usage_explains_in_memory);
	suite_add_tcase(s, tc);
	return s;
}

VCD_UNIT_MAIN(config_suite)
