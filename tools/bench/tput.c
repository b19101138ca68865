/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Throughput and malformed-catalogue modes.  The throughput loop keeps up to
 * queue-depth requests in flight, stages `burst` requests per kick, reuses the slot
 * buffers as they are (no copy, no allocation, no clock read per request) and times the
 * whole loop with CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_crypto.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run.h"

#define POLL_MAX 64

/* The request a run repeats: symmetric, or akcipher (RSA). */
struct tput_work {
	const struct vcdb_req *sym;
	const struct vcdb_akc_req *akc;
};

struct tput {
	uint64_t ops, errors;
	double seconds;
	uint64_t kicks, calls;
	bool stuck;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void
bench_req(const struct bench_cfg *cfg, const struct vcdb_algo *a, int64_t sid, uint32_t size,
	struct vcdb_req *r)
{
	static const uint8_t iv[16] = "vcdbench-tput-iv";

	memset(r, 0, sizeof(*r));
	r->session_id = (uint64_t)sid;
	r->opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT;
	r->op_type = a->hash_algo ? VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING
				  : VIRTIO_CRYPTO_SYM_OP_CIPHER;
	r->style = cfg->style;
	r->iv = iv;
	r->iv_len = a->iv_len;
	r->len = size;
	r->in_place = cfg->in_place;
	r->dst_extra = cfg->dst_extra;
	r->hash_result_len = a->digest_len;
}

int64_t
bench_session(struct vcdb *db, const struct vcdb_algo *a)
{
	static const uint8_t key[64] = "vcdbench measuring key, not a secret, 64 bytes long......";
	struct vcd_sess_params p;
	int64_t sid;

	vcdb_algo_session(a, VIRTIO_CRYPTO_OP_ENCRYPT,
		VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH, key, key, &p);
	sid = vcdb_session_create(db, &p);
	if (sid < 0)
		fprintf(stderr, "%s: session refused (%s)\n", a->name, strerror((int)-sid));
	return sid;
}

bool
bench_size_ok(const struct bench_cfg *cfg, const struct vcdb_algo *a, uint32_t size)
{
	return size % a->block == 0 && size <= cfg->vo.max_data;
}

/* Stage up to one burst (bounded by free slots and what is left); kick once. */
static int
tput_submit(struct vcdb *db, const struct tput_work *w, unsigned int burst, uint64_t left)
{
	unsigned int n = 0;
	int rc;

	while (n < burst && n < left) {
		rc = w->akc ? vcdb_akc_submit(db, w->akc) : vcdb_submit(db, w->sym);
		if (rc == -EAGAIN)
			break;
		if (rc < 0)
			return rc;
		n++;
	}
	if (n > 0) {
		rc = vcdb_flush(db);
		if (rc < 0)
			return rc;
	}
	return (int)n;
}

static int
tput_reap(struct vcdb *db, struct tput *t)
{
	struct vcdb_cpl cpl[POLL_MAX];
	int n, i;

	n = vcdb_poll(db, cpl, POLL_MAX);
	for (i = 0; i < n; i++)
		t->errors += cpl[i].status != VIRTIO_CRYPTO_OK;
	return n;
}

static int
tput_loop(struct vcdb *db, const struct tput_work *w, const struct bench_cfg *cfg, struct tput *t)
{
	uint64_t sent = 0, done = 0, idle = 0;
	double idle_since = 0;
	int n;

	while (done < t->ops) {
		n = tput_submit(db, w, cfg->burst, t->ops - sent);
		if (n < 0)
			return n;
		sent += (uint64_t)n;
		n = tput_reap(db, t);
		if (n < 0)
			return n;
		done += (uint64_t)n;
		if (n > 0) {
			idle = 0;
			continue;
		}
		/* read the clock only after 64 Ki empty polls in a row */
		if ((++idle & 0xffff) != 0)
			continue;
		if (idle == 0x10000)
			idle_since = now_s();
		else if (now_s() - idle_since > cfg->timeout_ms / 1000.0)
			return -ETIMEDOUT;
	}
	return 0;
}

/* Time @t->ops requests of @w. */
static int
tput_run(struct vcdb *db, const struct bench_cfg *cfg, const struct tput_work *w, struct tput *t)
{
	struct vcdb_stats s0, s1;
	double t0;
	int rc;

	vcdb_get_stats(db, &s0);
	t0 = now_s();
	rc = tput_loop(db, w, cfg, t);
	t->seconds = now_s() - t0;
	vcdb_get_stats(db, &s1);
	t->kicks = s1.kicks - s0.kicks;
	t->calls = s1.calls - s0.calls;
	t->stuck = rc == -ETIMEDOUT;
	return rc;
}

static int
tput_one(struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a, int64_t sid,
	uint32_t size, struct tput *t)
{
	struct vcdb_req r;
	struct tput_work w = {&r, NULL};

	bench_req(cfg, a, sid, size, &r);
	t->ops = cfg->ops ? cfg->ops : 100000;
	return tput_run(db, cfg, &w, t);
}

/* The name column: wider when RSA rows ("rsa-4096-pkcs1-sha512 decrypt") are coming. */
static int
tput_name_width(const struct bench_cfg *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_algos; i++)
		if (vcdb_algo_is_rsa(&cfg->algos[i]))
			return 29;
	return 26;
}

/*
 * One row.  RSA rows (@rsa_op set): size is the modulus in bytes, the name column reads
 * "rsa-2048-pkcs1-sha256 sign", Mops has six decimals (a few thousand ops/s), and the JSON
 * object has "rsa_op" and "ops_per_s" as well.
 */
static void
tput_print(const struct bench_cfg *cfg, const struct vcdb_algo *a, uint32_t size,
	const struct tput *t, const char *rsa_op)
{
	double mops = t->seconds > 0 ? (double)t->ops / t->seconds / 1e6 : 0;
	double gbps = mops * size * 8 / 1e3;
	char name[64];
	int w = tput_name_width(cfg);

	if (cfg->json) {
		printf("{\"algo\":\"%s\",\"size\":%u,\"ops\":%" PRIu64 ",\"seconds\":%.6f,"
		       "\"mops\":%.*f,\"gbps\":%.4f,\"errors\":%" PRIu64 ",\"style\":\"%s\","
		       "\"burst\":%u,\"queue_depth\":%u,\"kicks\":%" PRIu64 ",\"calls\":%" PRIu64
		       ",\"stuck\":%s",
			a->name, size, t->ops, t->seconds, rsa_op ? 6 : 4, mops, gbps, t->errors,
			vcdb_style_name(cfg->style), cfg->burst, cfg->vo.queue_depth, t->kicks,
			t->calls, t->stuck ? "true" : "false");
		if (rsa_op)
			printf(",\"rsa_op\":\"%s\",\"ops_per_s\":%.1f", rsa_op, mops * 1e6);
		printf("}\n");
		return;
	}
	snprintf(name, sizeof(name), "%s%s%s", a->name, rsa_op ? " " : "", rsa_op ? rsa_op : "");
	printf("%-*s %7u %10" PRIu64 " %9.3f %9.*f %9.3f %7" PRIu64 " %9" PRIu64 " %9" PRIu64
	       "%s\n",
		w, name, size, t->ops, t->seconds, rsa_op ? 6 : 3, mops, gbps, t->errors, t->kicks,
		t->calls, t->stuck ? "  STUCK" : "");
}

/* One RSA algorithm: one row for the operation --rsa-op names. */
static int
tput_rsa(struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a)
{
	struct rsa_bench *b;
	struct vcdb_akc_req r;
	struct tput_work w = {NULL, &r};
	struct tput t;
	int rc;

	if (rsa_bench_open(db, cfg, a, &b, &r) < 0)
		return 1;
	memset(&t, 0, sizeof(t));
	t.ops = cfg->ops ? cfg->ops : rsa_bench_default_ops();
	rc = tput_run(db, cfg, &w, &t);
	if (rc < 0 && rc != -ETIMEDOUT)
		fprintf(stderr, "%s: %s\n", a->name, strerror(-rc));
	tput_print(cfg, a, rsa_bench_size(b), &t, vcdb_rsa_op_name(rsa_bench_op(cfg, a)));
	rsa_bench_close(db, b);
	return rc == -ETIMEDOUT ? rc : t.errors != 0 || rc != 0;
}

static int
tput_algo(struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a)
{
	struct tput t;
	unsigned int i;
	int64_t sid;
	int rc = 0, bad = 0;

	if (vcdb_algo_is_rsa(a))
		return tput_rsa(db, cfg, a);
	sid = bench_session(db, a);
	if (sid < 0)
		return 1;
	for (i = 0; i < cfg->nr_sizes && rc == 0; i++) {
		if (!bench_size_ok(cfg, a, cfg->sizes[i]))
			continue;
		memset(&t, 0, sizeof(t));
		rc = tput_one(db, cfg, a, sid, cfg->sizes[i], &t);
		tput_print(cfg, a, cfg->sizes[i], &t, NULL);
		bad |= t.errors != 0 || rc != 0;
	}
	vcdb_session_close(db, (uint64_t)sid);
	return rc == -ETIMEDOUT ? rc : bad;
}

int
run_throughput(struct vcdb *db, const struct bench_cfg *cfg)
{
	unsigned int i;
	int rc = 0, bad = 0;

	if (!cfg->json)
		printf("%-*s %7s %10s %9s %9s %9s %7s %9s %9s\n", tput_name_width(cfg), "algo",
			"size", "ops", "seconds", "Mops", "Gbps", "errors", "kicks", "calls");
	for (i = 0; i < cfg->nr_algos && rc != -ETIMEDOUT; i++) {
		rc = tput_algo(db, cfg, &cfg->algos[i]);
		bad |= rc != 0;
	}
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "throughput: the backend stopped answering\n");
	return bad ? 1 : 0;
}

int
run_malformed(struct vcdb *db, const struct bench_cfg *cfg)
{
	struct vcdb_malformed_result res;
	unsigned int pass = 0, fail = 0, skip = 0;
	size_t i, n = vcdb_malformed_count();
	int rc;

	for (i = 0; i < n; i++) {
		rc = vcdb_malformed_run(db, i, &res);
		if (rc == -EOPNOTSUPP) {
			skip++;
			printf("SKIP %-32s does not apply here\n", vcdb_malformed_name(i));
			continue;
		}
		rc == 0 ? pass++ : fail++;
		printf("%s %-32s %s\n", rc == 0 ? "PASS" : "FAIL", vcdb_malformed_name(i),
			rc == 0 || rc == -EPROTO ? res.detail : strerror(-rc));
		if (vcdb_in_flight(db) != 0) {
			/* a request never came back: the backend's queue is stuck */
			printf("malformed: the backend stopped answering; %zu cases not run\n",
				n - i - 1);
			fail += (unsigned int)(n - i - 1);
			break;
		}
	}
	printf("malformed: %u passed, %u failed, %u skipped\n", pass, fail, skip);
	(void)cfg;
	return fail ? 1 : 0;
}
