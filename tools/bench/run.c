/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vcryptd-bench's three modes.  verify: random keys, IVs and data (seeded), both
 * directions, every output and digest compared with OpenSSL.  throughput: one session per
 * (algorithm, size), up to queue-depth requests in flight, `burst` staged per kick, buffers
 * reused (no copy, no allocation in the loop), timed with CLOCK_MONOTONIC.  malformed:
 * the library's catalogue, one line per case.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define MAX_BATCH VCDB_BATCH_MAX

struct vjob {
	uint8_t iv[16], digest[64];
	uint8_t *in, *out;
	bool enc;
};

struct vstats {
	uint64_t ok, bad_data, bad_digest, bad_status, bad_tail, bad_session;
	int stuck; /* 0, -ETIMEDOUT (no answer) or -EPROTO (bogus used entry) */
};

struct vctx {
	struct vcdb *db;
	const struct bench_cfg *cfg;
	const struct vcdb_algo *a;
	uint64_t rng;
	uint8_t ckey[64], akey[64];
	int64_t sid[2]; /* encrypt, decrypt */
	uint32_t size;  /* of the batch running */
	struct vjob jobs[MAX_BATCH];
	struct vstats st;
};

uint64_t
vcdb_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull); /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void
vcdb_rng_fill(uint64_t *s, uint8_t *p, size_t n)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < n; i += 8) {
		v = vcdb_rng_next(s);
		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

static uint8_t
chain_order(const struct bench_cfg *cfg, bool enc)
{
	if (cfg->order == ORDER_CIPHER_HASH)
		return VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH;
	if (cfg->order == ORDER_HASH_CIPHER)
		return VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER;
	return enc ? VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH
		   : VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER;
}

static int64_t
session_open(struct vcdb *db, const struct vcdb_algo *a, const struct bench_cfg *cfg, bool enc,
	const uint8_t *ckey, const uint8_t *akey)
{
	struct vcd_sess_params p;
	int64_t id;

	vcdb_algo_session(a, enc ? VIRTIO_CRYPTO_OP_ENCRYPT : VIRTIO_CRYPTO_OP_DECRYPT,
		chain_order(cfg, enc), ckey, akey, &p);
	id = vcdb_session_create(db, &p);
	if (id < 0)
		fprintf(stderr, "%s: %s session refused (%s, reply id %" PRId64 ")\n", a->name,
			enc ? "encrypt" : "decrypt", strerror((int)-id), vcdb_last_reply_id(db));
	return id;
}

static void
req_template(const struct vctx *x, struct vcdb_req *r, uint32_t size, bool enc)
{
	memset(r, 0, sizeof(*r));
	r->session_id = (uint64_t)x->sid[enc ? 0 : 1];
	r->opcode = enc ? VIRTIO_CRYPTO_CIPHER_ENCRYPT : VIRTIO_CRYPTO_CIPHER_DECRYPT;
	r->op_type = x->a->hash_algo ? VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING
				     : VIRTIO_CRYPTO_SYM_OP_CIPHER;
	r->style = x->cfg->style;
	r->iv_len = x->a->iv_len;
	r->len = size;
	r->in_place = x->cfg->in_place;
	r->dst_extra = x->cfg->dst_extra;
	r->hash_result_len = x->a->digest_len;
}

/* Expected output and digest of job @j, from OpenSSL. */
static int
job_prepare(struct vctx *x, struct vjob *j, uint32_t size, bool enc)
{
	bool hash_in;
	int rc;

	j->enc = enc;
	vcdb_rng_fill(&x->rng, j->iv, sizeof(j->iv));
	vcdb_rng_fill(&x->rng, j->in, size);
	rc = vcdb_ref_cipher(x->a, enc, x->ckey, j->iv, j->in, size, j->out);
	if (rc < 0 || !x->a->hash_algo)
		return rc;
	hash_in = chain_order(x->cfg, enc) == VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER;
	return vcdb_ref_hmac(x->a, x->akey, hash_in ? j->in : j->out, size, j->digest);
}

static void
job_check(struct vctx *x, const struct vcdb_cpl *c, uint32_t size)
{
	const struct vjob *j = &x->jobs[c->user];

	if (c->status != VIRTIO_CRYPTO_OK)
		x->st.bad_status++;
	else if (memcmp(c->dst, j->out, size) != 0)
		x->st.bad_data++;
	else if (c->digest_len && memcmp(c->digest, j->digest, c->digest_len) != 0)
		x->st.bad_digest++;
	else if (!c->dst_tail_ok)
		x->st.bad_tail++;
	else
		x->st.ok++;
	if (c->status != VIRTIO_CRYPTO_OK && x->cfg->vo.verbose)
		fprintf(stderr, "%s/%u %s: status %d (%s) used len %u\n", x->a->name, size,
			j->enc ? "enc" : "dec", c->status, vcdb_status_name(c->status),
			c->used_len);
}

static int
collect(struct vcdb *db, unsigned int n, unsigned int timeout_ms, const struct vcdb_batch_ops *ops,
	void *ctx)
{
	struct vcdb_cpl cpl[VCDB_BATCH_MAX];
	unsigned int got = 0;
	int rc, i;

	while (got < n) {
		rc = vcdb_wait(db, cpl, n - got, timeout_ms);
		if (rc < 0)
			return rc;
		for (i = 0; i < rc; i++)
			ops->check(ctx, &cpl[i]);
		got += (unsigned int)rc;
	}
	return 0;
}

int
vcdb_batch_drive(struct vcdb *db, unsigned int n, unsigned int timeout_ms,
	const struct vcdb_batch_ops *ops, void *ctx, bool *submit_failed)
{
	unsigned int i, reaped = 0;
	int rc;

	*submit_failed = false;
	for (i = 0; i < n; i++) {
		while ((rc = ops->submit(ctx, i)) == -EAGAIN && reaped < i) {
			rc = collect(db, 1, timeout_ms, ops, ctx);
			if (rc < 0)
				return rc;
			reaped++;
		}
		if (rc < 0) {
			*submit_failed = true;
			return rc;
		}
	}
	return collect(db, n - reaped, timeout_ms, ops, ctx);
}

/* Job @i of a batch: expected result from OpenSSL, then staged (may be -EAGAIN). */
static int
job_submit(struct vctx *x, unsigned int i, uint32_t size, bool enc)
{
	struct vjob *j = &x->jobs[i];
	struct vcdb_req r;

	req_template(x, &r, size, enc);
	r.iv = j->iv;
	r.src = j->in;
	r.user = i;
	r.cross_region = x->cfg->cross_region && i == 0;
	return vcdb_submit(x->db, &r);
}

/*
 * @n jobs alternating encrypt and decrypt, submitted together, checked as they return.
 * All are prepared (data, OpenSSL's answer) before the first is submitted, so that
 * they reach the daemon back to back, as a busy guest's do.  When the ring is full
 * (direct chains use many descriptors), reap one and go on.
 */
static int
v_submit(void *ctx, unsigned int i)
{
	struct vctx *x = ctx;

	return job_submit(x, i, x->size, x->jobs[i].enc);
}

static void
v_check(void *ctx, const struct vcdb_cpl *c)
{
	struct vctx *x = ctx;

	job_check(x, c, x->size);
}

static int
batch_run(struct vctx *x, unsigned int n, uint32_t size, uint64_t seq)
{
	static const struct vcdb_batch_ops ops = {v_submit, v_check};
	bool submit_failed;
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		bool enc = ((seq + i) & 1) == 0;

		if (x->sid[enc ? 0 : 1] < 0) /* that direction's session was refused */
			enc = !enc;
		if (job_prepare(x, &x->jobs[i], size, enc) < 0)
			return -EIO;
	}
	x->size = size;
	rc = vcdb_batch_drive(x->db, n, x->cfg->timeout_ms, &ops, x, &submit_failed);
	if (rc < 0) {
		if (submit_failed)
			fprintf(stderr, "%s/%u: submit failed: %s\n", x->a->name, size,
				strerror(-rc));
		x->st.stuck = rc;
	}
	return rc;
}

static unsigned int
batch_size(const struct bench_cfg *cfg)
{
	unsigned int b = cfg->burst ? cfg->burst : 16;

	if (b > cfg->vo.queue_depth)
		b = cfg->vo.queue_depth;
	return b > MAX_BATCH ? MAX_BATCH : b;
}

static int
verify_size(struct vctx *x, uint32_t size)
{
	uint64_t ops = x->cfg->ops ? x->cfg->ops : 8, done = 0;
	unsigned int b = batch_size(x->cfg), n;
	int rc = 0;

	while (done < ops && rc == 0) {
		n = ops - done < b ? (unsigned int)(ops - done) : b;
		rc = batch_run(x, n, size, done);
		done += n;
	}
	return rc;
}

static bool
size_fits(const struct vcdb_algo *a, uint32_t size)
{
	return size >= a->block && size % a->block == 0;
}

static int
verify_algo(struct vctx *x, const struct vcdb_algo *a)
{
	unsigned int i;
	int rc = 0;

	x->a = a;
	vcdb_rng_fill(&x->rng, x->ckey, sizeof(x->ckey));
	vcdb_rng_fill(&x->rng, x->akey, sizeof(x->akey));
	x->sid[0] = session_open(x->db, a, x->cfg, true, x->ckey, x->akey);
	x->sid[1] = session_open(x->db, a, x->cfg, false, x->ckey, x->akey);
	x->st.bad_session = (x->sid[0] < 0) + (x->sid[1] < 0);
	if (x->sid[0] < 0 && x->sid[1] < 0)
		rc = (int)x->sid[0];
	for (i = 0; i < x->cfg->nr_sizes && rc == 0; i++)
		if (size_fits(a, x->cfg->sizes[i]))
			rc = verify_size(x, x->cfg->sizes[i]);
	if (x->sid[0] >= 0)
		vcdb_session_close(x->db, (uint64_t)x->sid[0]);
	if (x->sid[1] >= 0)
		vcdb_session_close(x->db, (uint64_t)x->sid[1]);
	return rc;
}

const char *
vcdb_verdict(int stuck, uint64_t bad, uint64_t ok)
{
	if (stuck == -ETIMEDOUT)
		return "FAIL (no answer)";
	if (stuck == -EPROTO)
		return "FAIL (bad used entry)";
	if (stuck == -EIO)
		return "FAIL (OpenSSL reference failed)";
	if (stuck)
		return "FAIL (not sent)";
	return bad || ok == 0 ? "FAIL" : "PASS";
}

static bool
verify_print(const struct vctx *x, const char *name)
{
	const struct vstats *s = &x->st;
	uint64_t bad = s->bad_data + s->bad_digest + s->bad_status + s->bad_tail + s->bad_session;

	/* An optional algorithm (AES-XTS) that the backend refuses in both directions. */
	if (vcdb_algo_optional(x->a) && s->bad_session == 2 && bad == 2 && !s->stuck) {
		printf("%-26s SKIP (refused: no backend offers it)\n", name);
		return true;
	}

	printf("%-26s ok %6" PRIu64 "  data %3" PRIu64 "  digest %3" PRIu64 "  status %3" PRIu64
	       "  tail %3" PRIu64 "  sessions-refused %" PRIu64 "  %s\n",
		name, s->ok, s->bad_data, s->bad_digest, s->bad_status, s->bad_tail, s->bad_session,
		vcdb_verdict(s->stuck, bad, s->ok));
	return bad == 0 && s->ok > 0 && !s->stuck;
}

static int
vctx_alloc(struct vctx *x, const struct bench_cfg *cfg)
{
	uint32_t max = 0;
	unsigned int i;

	for (i = 0; i < cfg->nr_sizes; i++)
		max = cfg->sizes[i] > max ? cfg->sizes[i] : max;
	for (i = 0; i < MAX_BATCH; i++) {
		x->jobs[i].in = malloc(max + 64);
		x->jobs[i].out = malloc(max + 64);
		if (!x->jobs[i].in || !x->jobs[i].out)
			return -ENOMEM;
	}
	return 0;
}

static void
vctx_free(struct vctx *x)
{
	unsigned int i;

	for (i = 0; i < MAX_BATCH; i++) {
		free(x->jobs[i].in);
		free(x->jobs[i].out);
	}
	free(x);
}

int
run_verify(struct vcdb *db, const struct bench_cfg *cfg)
{
	struct vctx *x = calloc(1, sizeof(*x));
	unsigned int i, failed = 0;
	int rc = 0;

	if (x == NULL || vctx_alloc(x, cfg) < 0) {
		free(x);
		return -ENOMEM;
	}
	x->db = db;
	x->cfg = cfg;
	x->rng = cfg->seed;
	for (i = 0; i < cfg->nr_algos && rc != -ETIMEDOUT && rc != -EPROTO; i++) {
		if (vcdb_algo_is_rsa(&cfg->algos[i])) { /* run_rsa.c: its own checks and line */
			bool passed;

			rc = rsa_verify_algo(db, cfg, &cfg->algos[i], &passed);
			failed += !passed;
			continue;
		}
		memset(&x->st, 0, sizeof(x->st));
		rc = verify_algo(x, &cfg->algos[i]);
		failed += !verify_print(x, cfg->algos[i].name);
	}
	if (rc == -ETIMEDOUT || rc == -EPROTO)
		fprintf(stderr, "verify: %s; giving up\n",
			rc == -EPROTO ? "the backend wrote a bogus used entry"
				      : "the backend stopped answering");
	printf("verify: %u of %u algorithms failed\n", failed, cfg->nr_algos);
	vctx_free(x);
	return failed ? 1 : 0;
}
