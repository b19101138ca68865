/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vcryptd-bench: plays QEMU and a guest against a vhost-user virtio-crypto socket.
 * Exit status: 0 all passed, 1 some check failed, 2 usage error, 3 could not connect/set up.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/virtio_crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

enum {
	OPT_SOCKET = 256,
	OPT_LAYOUT,
	OPT_STARTUP,
	OPT_STYLE,
	OPT_ALGO,
	OPT_SIZES,
	OPT_OPS,
	OPT_BURST,
	OPT_QDEPTH,
	OPT_RING,
	OPT_REGIONS,
	OPT_QUEUES,
	OPT_SEED,
	OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT,
	OPT_DST_EXTRA,
	OPT_ORDER,
	OPT_VERIFY,
	OPT_MALFORMED,
	OPT_THROUGHPUT,
	OPT_JSON,
	OPT_IN_PLACE,
	OPT_CROSS,
	OPT_NO_EVENT_IDX,
	OPT_NO_INTERRUPT,
	OPT_REUSE,
	OPT_LATENCY,
	OPT_RATE,
	OPT_RSA_OP,
};

static const struct option long_opts[] = {
	{"socket", required_argument, NULL, OPT_SOCKET},
	{"session-layout", required_argument, NULL, OPT_LAYOUT},
	{"startup", required_argument, NULL, OPT_STARTUP},
	{"style", required_argument, NULL, OPT_STYLE},
	{"algo", required_argument, NULL, OPT_ALGO},
	{"sizes", required_argument, NULL, OPT_SIZES},
	{"ops", required_argument, NULL, OPT_OPS},
	{"burst", required_argument, NULL, OPT_BURST},
	{"queue-depth", required_argument, NULL, OPT_QDEPTH},
	{"ring-size", required_argument, NULL, OPT_RING},
	{"regions", required_argument, NULL, OPT_REGIONS},
	{"queues", required_argument, NULL, OPT_QUEUES},
	{"seed", required_argument, NULL, OPT_SEED},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	{"dst-extra", required_argument, NULL, OPT_DST_EXTRA},
	{"chain-order", required_argument, NULL, OPT_ORDER},
	{"verify", no_argument, NULL, OPT_VERIFY},
	{"malformed", no_argument, NULL, OPT_MALFORMED},
	{"throughput", no_argument, NULL, OPT_THROUGHPUT},
	{"json", no_argument, NULL, OPT_JSON},
	{"in-place", no_argument, NULL, OPT_IN_PLACE},
	{"cross-region", no_argument, NULL, OPT_CROSS},
	{"no-event-idx", no_argument, NULL, OPT_NO_EVENT_IDX},
	{"no-interrupt", no_argument, NULL, OPT_NO_INTERRUPT},
	{"reuse", required_argument, NULL, OPT_REUSE},
	{"latency", no_argument, NULL, OPT_LATENCY},
	{"rate", required_argument, NULL, OPT_RATE},
	{"rsa-op", required_argument, NULL, OPT_RSA_OP},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vcryptd-bench --socket PATH [mode] [options]\n"
		"modes (combinable; throughput when none is given):\n"
		"  --verify               check every result against OpenSSL (default --algo all)\n"
		"  --malformed            run the malformed-request catalogue\n"
		"  --throughput           measure (default --algo aes-cbc-128)\n"
		"  --latency              per-request submit-to-completion percentiles\n"
		"                         (default --algo aes-cbc-128, --ops 20000)\n"
		"options:\n"
		"  --session-layout L     qemu70 | qemu72 | qemu81 (default qemu70)\n"
		"  --startup S            qemu70 | qemu72 | dpdk (default: follows the layout)\n"
		"  --style S              linux | dpdk | direct request layout (default linux);\n"
		"                         dpdk also negotiates as DPDK's crypto_virtio PMD:\n"
		"                         no event idx, VRING_AVAIL_F_NO_INTERRUPT (it polls)\n"
		"  --algo LIST|all        e.g. "
		"aes-cbc-128,aes-xts-512,3des-cbc,aes-cbc-128-hmac-sha1\n"
		"                         aes-ecb-128 (crypto_aesni_mb) and 3des-ctr\n"
		"                         (crypto_openssl) only by name: not in all\n"
		"                         RSA (akcipher, --session-layout qemu81 only), by name:\n"
		"                         rsa-BITS-raw, rsa-BITS-pkcs1-HASH; BITS 1024 2048 3072\n"
		"                         4096, HASH sha1 sha224 sha256 sha384 sha512 none\n"
		"  --sizes LIST           bytes (default 64,1024,4096,16384), or rand:N:MIN:MAX\n"
		"                         (N sizes, multiples of 16, drawn from --seed)\n"
		"  --ops N                requests per algorithm and size (verify 8, throughput "
		"100000);\n"
		"                         RSA: per operation (verify 8, throughput 2000)\n"
		"  --rsa-op OP            throughput of RSA: encrypt | decrypt | sign | verify\n"
		"                         (default sign; decrypt for rsa-BITS-raw)\n"
		"  --burst N              requests staged per kick (default 32)\n"
		"  --queue-depth N        most requests in flight (default 64)\n"
		"  --ring-size N          virtqueue size (default 256)\n"
		"  --regions N            guest memory regions 1..4 (default 1)\n"
		"  --queues N             data queues 1..8, requests on each in turn (default 1)\n"
		"  --seed N               random seed for verify (default 1)\n"
		"  --timeout MS           longest wait for an answer or a vhost-user reply\n"
		"                         (default 5000)\n"
		"  --connect-timeout MS   keep retrying connect() this long (default 5000)\n"
		"  --dst-extra N          destination N bytes longer than the data (linux style)\n"
		"  --chain-order O        auto | cipher-hash | hash-cipher (default auto)\n"
		"  --reuse R              lifo (Linux) | fifo (DPDK PMD) descriptor reuse order\n"
		"                         (default: fifo with --style dpdk, else lifo)\n"
		"  --in-place             destination = source buffer\n"
		"  --cross-region         verify: one request per batch straddles regions\n"
		"  --no-event-idx         do not negotiate VIRTIO_RING_F_EVENT_IDX\n"
		"  --no-interrupt         set VRING_AVAIL_F_NO_INTERRUPT (polling guest)\n"
		"  --rate OPS             latency: open loop, one request due every 1/OPS s\n"
		"                         (default 0: closed loop, queue-depth in flight)\n"
		"  --json                 throughput, latency: one JSON object per line\n"
		"  -v, --verbose          trace vhost-user messages and failed requests\n");
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

static int
parse_uint(const char *s, unsigned int *out)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0 || v > UINT32_MAX)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int
parse_sizes(struct bench_cfg *cfg, char *list)
{
	char *tok, *save = NULL;

	cfg->nr_sizes = 0;
	if (sscanf(list, "rand:%u:%u:%u", &cfg->rand_sizes, &cfg->rand_min, &cfg->rand_max) == 3)
		return cfg->rand_sizes >= 1 && cfg->rand_sizes <= BENCH_MAX_SIZES &&
				cfg->rand_min >= 16 && cfg->rand_min <= cfg->rand_max
			? 0
			: -EINVAL;
	cfg->rand_sizes = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (cfg->nr_sizes == BENCH_MAX_SIZES ||
			parse_uint(tok, &cfg->sizes[cfg->nr_sizes]) < 0)
			return -EINVAL;
		cfg->nr_sizes++;
	}
	return cfg->nr_sizes ? 0 : -EINVAL;
}

static int
parse_algos(struct bench_cfg *cfg, char *list)
{
	char *tok, *save = NULL;

	if (strcmp(list, "all") == 0) {
		cfg->nr_algos = (unsigned int)vcdb_algo_all(cfg->algos, BENCH_MAX_ALGOS);
		return 0;
	}
	cfg->nr_algos = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (cfg->nr_algos == BENCH_MAX_ALGOS ||
			vcdb_algo_parse(tok, &cfg->algos[cfg->nr_algos]) < 0) {
			fprintf(stderr, "unknown algorithm '%s'\n", tok);
			return -EINVAL;
		}
		cfg->nr_algos++;
	}
	return cfg->nr_algos ? 0 : -EINVAL;
}

static bool reuse_set;

static int
parse_order(const char *s, enum bench_order *o)
{
	if (strcmp(s, "auto") == 0)
		*o = ORDER_AUTO;
	else if (strcmp(s, "cipher-hash") == 0)
		*o = ORDER_CIPHER_HASH;
	else if (strcmp(s, "hash-cipher") == 0)
		*o = ORDER_HASH_CIPHER;
	else
		return -EINVAL;
	return 0;
}

static int
parse_reuse(struct bench_cfg *cfg, const char *s)
{
	if (strcmp(s, "lifo") == 0)
		cfg->vo.reuse = VCDB_REUSE_LIFO;
	else if (strcmp(s, "fifo") == 0)
		cfg->vo.reuse = VCDB_REUSE_FIFO;
	else
		return -EINVAL;
	reuse_set = true;
	return 0;
}

static bool throughput_wanted;

static int
parse_rate(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !(*out >= 0) ? -EINVAL : 0;
}

static int
parse_flag(struct bench_cfg *cfg, int opt)
{
	switch (opt) {
	case OPT_VERIFY:
		cfg->verify = true;
		return 0;
	case OPT_MALFORMED:
		cfg->malformed = true;
		return 0;
	case OPT_THROUGHPUT:
		throughput_wanted = true;
		return 0;
	case OPT_LATENCY:
		cfg->latency = true;
		return 0;
	case OPT_JSON:
		cfg->json = true;
		return 0;
	case OPT_IN_PLACE:
		cfg->in_place = true;
		return 0;
	case OPT_CROSS:
		cfg->cross_region = true;
		return 0;
	case OPT_NO_EVENT_IDX:
		cfg->vo.no_event_idx = true;
		return 0;
	case OPT_NO_INTERRUPT:
		cfg->vo.no_interrupt = true;
		return 0;
	case 'v':
		cfg->vo.verbose = true;
		return 0;
	default:
		return -ENOENT;
	}
}

static int
parse_value(struct bench_cfg *cfg, int opt, char *arg)
{
	switch (opt) {
	case OPT_SOCKET:
		cfg->socket = arg;
		return 0;
	case OPT_LAYOUT:
		return vcd_sess_layout_parse(arg, &cfg->vo.layout);
	case OPT_STARTUP:
		return vcdb_startup_parse(arg, &cfg->vo.startup);
	case OPT_STYLE:
		return vcdb_style_parse(arg, &cfg->style);
	case OPT_ALGO:
		return parse_algos(cfg, arg);
	case OPT_SIZES:
		return parse_sizes(cfg, arg);
	case OPT_OPS:
		return parse_u64(arg, &cfg->ops);
	case OPT_SEED:
		return parse_u64(arg, &cfg->seed);
	case OPT_ORDER:
		return parse_order(arg, &cfg->order);
	case OPT_REUSE:
		return parse_reuse(cfg, arg);
	case OPT_RATE:
		return parse_rate(arg, &cfg->rate);
	case OPT_RSA_OP:
		cfg->rsa_op_set = true;
		return vcdb_rsa_op_parse(arg, &cfg->rsa_op);
	default:
		return -ENOENT;
	}
}

static int
parse_number(struct bench_cfg *cfg, int opt, const char *arg)
{
	switch (opt) {
	case OPT_BURST:
		return parse_uint(arg, &cfg->burst);
	case OPT_QDEPTH:
		return parse_uint(arg, &cfg->vo.queue_depth);
	case OPT_RING:
		return parse_uint(arg, &cfg->vo.ring_size);
	case OPT_REGIONS:
		return parse_uint(arg, &cfg->vo.nr_regions);
	case OPT_QUEUES:
		return parse_uint(arg, &cfg->vo.queues);
	case OPT_TIMEOUT:
		/* Also the wait for each vhost-user reply: slow daemons (valgrind) need both. */
		if (parse_uint(arg, &cfg->timeout_ms) != 0)
			return -EINVAL;
		cfg->vo.reply_timeout_ms = cfg->timeout_ms;
		return 0;
	case OPT_CONNECT_TIMEOUT:
		return parse_uint(arg, &cfg->vo.connect_timeout_ms);
	case OPT_DST_EXTRA:
		return parse_uint(arg, &cfg->dst_extra);
	default:
		return -ENOENT;
	}
}

static void
cfg_defaults(struct bench_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->burst = 32;
	cfg->seed = 1;
	cfg->timeout_ms = 5000;
	cfg->vo.queue_depth = 64;
	cfg->sizes[0] = 64;
	cfg->sizes[1] = 1024;
	cfg->sizes[2] = 4096;
	cfg->sizes[3] = 16384;
	cfg->nr_sizes = 4;
}

/*
 * --sizes rand:N:MIN:MAX: N sizes drawn from --seed, multiples of 16 (every
 * block size) in [MIN, MAX], printed so that a failure can be replayed.
 */
static void
random_sizes(struct bench_cfg *cfg)
{
	uint64_t x = cfg->seed * 0x9e3779b97f4a7c15ull + 1;
	uint32_t span = (cfg->rand_max - cfg->rand_min) / 16 + 1;
	unsigned int i;

	fprintf(stderr, "vcryptd-bench: sizes (seed %llu):", (unsigned long long)cfg->seed);
	for (i = 0; i < cfg->rand_sizes; i++) {
		x ^= x << 13; /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		cfg->sizes[i] = (cfg->rand_min + 15) / 16 * 16 + (uint32_t)(x % span) * 16;
		if (cfg->sizes[i] > cfg->rand_max)
			cfg->sizes[i] -= 16;
		fprintf(stderr, "%s%u", i ? "," : " ", cfg->sizes[i]);
	}
	fprintf(stderr, "\n");
	cfg->nr_sizes = cfg->rand_sizes;
}

/*
 * RSA algorithms: what the other options allow.  Only the qemu81 session layout has an
 * akcipher arm (QEMU >= 8.1); the DPDK PMD's akcipher chains are not modelled; latency mode
 * measures symmetric requests only; raw RSA sessions do encrypt and decrypt only.
 */
static int
cfg_check_rsa(const struct bench_cfg *cfg)
{
	const char *raw = NULL;
	bool rsa = false;
	unsigned int i;

	for (i = 0; i < cfg->nr_algos; i++) {
		if (!vcdb_algo_is_rsa(&cfg->algos[i]))
			continue;
		rsa = true;
		if (cfg->algos[i].rsa_padding == VIRTIO_CRYPTO_RSA_RAW_PADDING && raw == NULL)
			raw = cfg->algos[i].name;
	}
	if (!rsa)
		return 0;
	if (cfg->vo.layout != VCD_SESS_LAYOUT_QEMU81) {
		fprintf(stderr,
			"RSA algorithms need --session-layout qemu81: only QEMU >= 8.1's "
			"session message carries akcipher sessions\n");
		return -EINVAL;
	}
	if (cfg->style == VCDB_STYLE_DPDK) {
		fprintf(stderr,
			"RSA algorithms: --style dpdk is not supported (linux or direct)\n");
		return -EINVAL;
	}
	if (cfg->latency) {
		fprintf(stderr, "--latency does not support RSA algorithms (use --throughput)\n");
		return -EINVAL;
	}
	if (throughput_wanted || (!cfg->verify && !cfg->malformed)) {
		if (raw != NULL && cfg->rsa_op_set &&
			(cfg->rsa_op == VCDB_RSA_SIGN || cfg->rsa_op == VCDB_RSA_VERIFY)) {
			fprintf(stderr,
				"%s: --rsa-op %s needs pkcs1 padding (raw sessions do "
				"encrypt and decrypt)\n",
				raw, vcdb_rsa_op_name(cfg->rsa_op));
			return -EINVAL;
		}
	}
	return 0;
}

/* Fill in what depends on the mode and on other options. */
static int
cfg_finish(struct bench_cfg *cfg)
{
	uint32_t max = 4096;
	unsigned int i;

	if (cfg->socket == NULL || cfg->burst == 0)
		return -EINVAL;
	if (cfg->nr_algos == 0)
		parse_algos(cfg, cfg->verify ? (char[]){"all"} : (char[]){"aes-cbc-128"});
	if (cfg_check_rsa(cfg) < 0)
		return -EINVAL;
	if (cfg->rand_sizes != 0)
		random_sizes(cfg);
	for (i = 0; i < cfg->nr_sizes; i++)
		max = cfg->sizes[i] > max ? cfg->sizes[i] : max;
	cfg->vo.max_data = max;
	if (cfg->vo.ring_size && cfg->vo.queue_depth > cfg->vo.ring_size)
		cfg->vo.queue_depth = cfg->vo.ring_size;
	if (cfg->vo.nr_regions < 2)
		cfg->cross_region = false;
	if (!reuse_set)
		cfg->vo.reuse = cfg->style == VCDB_STYLE_DPDK ? VCDB_REUSE_FIFO : VCDB_REUSE_LIFO;
	/*
	 * DPDK's crypto_virtio PMD (22.11) negotiates VIRTIO_F_VERSION_1 alone
	 * (VIRTIO_CRYPTO_PMD_GUEST_FEATURES: no event idx) and sets
	 * VRING_AVAIL_F_NO_INTERRUPT when it starts a queue (virtio_rxtx.c): it
	 * polls, so the device never writes the call eventfd.  Do the same.
	 */
	if (cfg->style == VCDB_STYLE_DPDK) {
		cfg->vo.no_event_idx = true;
		cfg->vo.no_interrupt = true;
	}
	return 0;
}

static int
parse_args(struct bench_cfg *cfg, int argc, char **argv)
{
	int opt, rc;

	cfg_defaults(cfg);
	while ((opt = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			exit(0);
		}
		rc = parse_flag(cfg, opt);
		if (rc == -ENOENT)
			rc = parse_value(cfg, opt, optarg);
		if (rc == -ENOENT)
			rc = parse_number(cfg, opt, optarg);
		if (rc < 0) {
			if (opt != '?')
				fprintf(stderr, "bad value for --%s: '%s'\n",
					long_opts[opt - OPT_SOCKET].name, optarg);
			return -EINVAL;
		}
	}
	if (optind != argc)
		return -EINVAL;
	return cfg_finish(cfg);
}

static int
run_modes(struct vcdb *db, const struct bench_cfg *cfg)
{
	int rc = 0, r;

	if (cfg->verify) {
		r = run_verify(db, cfg);
		rc = r ? 1 : rc;
	}
	if (cfg->malformed) {
		r = run_malformed(db, cfg);
		rc = r ? 1 : rc;
	}
	if (cfg->latency) {
		r = run_latency(db, cfg);
		rc = r ? 1 : rc;
	}
	if (throughput_wanted || (!cfg->verify && !cfg->malformed && !cfg->latency)) {
		r = run_throughput(db, cfg);
		rc = r ? 1 : rc;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct bench_cfg cfg;
	struct vcdb *db;
	int rc;

	if (parse_args(&cfg, argc, argv) < 0) {
		usage(stderr);
		return 2;
	}
	rc = vcdb_open(&db, cfg.socket, &cfg.vo);
	if (rc < 0) {
		fprintf(stderr, "vcryptd-bench: %s: %s\n", cfg.socket, strerror(-rc));
		return 3;
	}
	cfg.vo = *vcdb_get_opts(db);
	fprintf(stderr,
		"vcryptd-bench: %s: layout %s, startup %s, style %s, features %#llx, "
		"protocol features %#llx\n",
		cfg.socket, vcd_sess_layout_name(cfg.vo.layout), vcdb_startup_name(cfg.vo.startup),
		vcdb_style_name(cfg.style), (unsigned long long)vcdb_features(db),
		(unsigned long long)vcdb_protocol_features(db));
	rc = run_modes(db, &cfg);
	if (cfg.vo.queues > 1) {
		struct vcdb_stats st;

		vcdb_get_stats(db, &st);
		fprintf(stderr, "vcryptd-bench: answers by data queue:");
		for (unsigned int q = 0; q < cfg.vo.queues; q++)
			fprintf(stderr, " %u:%llu", q, (unsigned long long)st.per_queue[q]);
		fprintf(stderr, "\n");
	}
	vcdb_close(db);
	return rc;
}
