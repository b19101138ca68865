/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * RSA (virtio-crypto AKCIPHER) in vcryptd-bench's verify and throughput modes.
 *
 * Usage (only the qemu81 session layout carries akcipher sessions):
 *   vcryptd-bench --socket S --session-layout qemu81 --verify \
 *       --algo rsa-1024-raw,rsa-2048-pkcs1-sha256 [--ops N]
 *   vcryptd-bench --socket S --session-layout qemu81 --throughput \
 *       --algo rsa-2048-pkcs1-sha256 --rsa-op sign|verify|encrypt|decrypt [--ops N] [--json]
 *
 * verify: one fresh key per algorithm, a public-key session (ENCRYPT, VERIFY) and a
 * private-key session (DECRYPT, SIGN), then --ops requests (default 8) of every operation
 * the padding allows, each checked against OpenSSL on the same key:
 *   raw    encrypt  k bytes (a random value < n) -> m^e mod n, k bytes, used = k + 1
 *          decrypt  k bytes -> c^d mod n, k bytes (left-padded), used = k + 1
 *   pkcs1  encrypt  1..k-11 bytes -> k bytes, used = k + 1; RSAES-PKCS1-v1_5 is random, so
 *                   the output is checked by decrypting it with OpenSSL
 *          decrypt  an OpenSSL ciphertext -> the plaintext, used = its length + 1
 *          sign     the bare digest of the session's hash (with hash none: 1..k-11 bytes
 *                   signed as given) -> k bytes equal to OpenSSL's (deterministic)
 *          verify   signature || digest -> OK, used = 1
 *          verify-bad  the same with the signature's last bit or the digest's first bit
 *                   flipped (in turn) -> KEY_REJECTED, used = 1
 * The private-key operations of a size whose private key does not fit QEMU's 1024 bytes even
 * without CRT (RSA-4096) are SKIP: not supported by the QEMU wire format.
 *
 * throughput: one session, the same request over and over (src copied per request: at most
 * 1 KiB, nothing next to an RSA operation), ops/s in tput.c's output format.  Default
 * --rsa-op: sign, or decrypt for raw algorithms (the private-key operation a guest's
 * pkcs1pad(rsa) template sends to a raw session to sign); default --ops 2000.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define RSA_BATCH    64
#define RSA_OPS      8 /* verify requests per operation, as the symmetric verify */
#define RSA_TPUT_OPS 2000

enum rcase {
	RC_ENCRYPT = 0,
	RC_DECRYPT,
	RC_SIGN,
	RC_VERIFY,
	RC_VERIFY_BAD,
	RC_N,
};

static const char *const rcase_names[RC_N] = {"encrypt", "decrypt", "sign", "verify", "verify-bad"};

struct rjob {
	uint8_t in[VCDB_RSA_MAX_BYTES]; /* src: data, ciphertext, digest or signature */
	uint32_t in_len;
	uint8_t in2[VCDB_RSA_MAX_BYTES]; /* VERIFY: the digest */
	uint32_t in2_len;
	uint8_t exp[VCDB_RSA_MAX_BYTES]; /* the expected output (pkcs1 encrypt: the plaintext) */
	uint32_t exp_len;
	int exp_status;
};

_Static_assert(RSA_BATCH <= VCDB_BATCH_MAX, "a batch is driven by vcdb_batch_drive()");

struct rstats {
	uint64_t ok, bad_data, bad_len, bad_status, bad_session;
	int stuck; /* 0, -ETIMEDOUT, -EPROTO (bogus used entry), -EIO (reference), other */
};

struct rctx {
	struct vcdb *db;
	const struct bench_cfg *cfg;
	const struct vcdb_algo *a;
	struct vcdb_rsa_key key;
	int64_t sid_pub, sid_priv;
	uint64_t rng;
	enum rcase c; /* the operation running */
	struct rjob jobs[RSA_BATCH];
	struct rstats st;
};

/* 1..max */
static uint32_t
rng_len(uint64_t *s, uint32_t max)
{
	return 1 + (uint32_t)(vcdb_rng_next(s) % max);
}

static bool
is_pkcs1(const struct vcdb_algo *a)
{
	return a->rsa_padding == VIRTIO_CRYPTO_RSA_PKCS1_PADDING;
}

/* Bytes SIGN/VERIFY take: the digest length, or with NO_HASH 1..k - 11 signed as given. */
static uint32_t
digest_len(const struct vcdb_algo *a, uint32_t k, uint64_t *rng)
{
	uint32_t n = vcdb_rsa_digest_len(a->rsa_hash);

	return n ? n : rng_len(rng, k - 11);
}

static enum vcdb_rsa_op
rcase_op(enum rcase c)
{
	switch (c) {
	case RC_ENCRYPT:
		return VCDB_RSA_ENCRYPT;
	case RC_DECRYPT:
		return VCDB_RSA_DECRYPT;
	case RC_SIGN:
		return VCDB_RSA_SIGN;
	default:
		return VCDB_RSA_VERIFY;
	}
}

static int
ref(const struct rctx *x, enum vcdb_rsa_op op, const uint8_t *in, uint32_t in_len, uint8_t *out,
	uint32_t *out_len)
{
	return vcdb_rsa_ref(&x->key, op, x->a->rsa_padding, x->a->rsa_hash, in, in_len, NULL, 0,
		out, VCDB_RSA_MAX_BYTES, out_len);
}

/* Job @i of operation x->c: its input and the expected answer (OpenSSL). */
static int
job_prepare(struct rctx *x, struct rjob *j, unsigned int i)
{
	uint32_t k = x->key.k;
	bool pkcs1 = is_pkcs1(x->a);
	int rc = 0;

	memset(j, 0, sizeof(*j));
	j->exp_status = VIRTIO_CRYPTO_OK;
	switch (x->c) {
	case RC_ENCRYPT:
		j->in_len = pkcs1 ? rng_len(&x->rng, k - 11) : k;
		vcdb_rng_fill(&x->rng, j->in, j->in_len);
		if (pkcs1) { /* checked by decrypting the device's output */
			memcpy(j->exp, j->in, j->in_len);
			j->exp_len = j->in_len;
			break;
		}
		j->in[0] = 0; /* a value below n: n has its top bit set */
		rc = ref(x, VCDB_RSA_ENCRYPT, j->in, k, j->exp, &j->exp_len);
		break;
	case RC_DECRYPT:
		if (pkcs1) {
			j->exp_len = rng_len(&x->rng, k - 11);
			vcdb_rng_fill(&x->rng, j->exp, j->exp_len);
			rc = ref(x, VCDB_RSA_ENCRYPT, j->exp, j->exp_len, j->in, &j->in_len);
			break;
		}
		j->in_len = k;
		vcdb_rng_fill(&x->rng, j->in, k);
		j->in[0] = 0;
		rc = ref(x, VCDB_RSA_DECRYPT, j->in, k, j->exp, &j->exp_len);
		break;
	case RC_SIGN:
		j->in_len = digest_len(x->a, k, &x->rng);
		vcdb_rng_fill(&x->rng, j->in, j->in_len);
		rc = ref(x, VCDB_RSA_SIGN, j->in, j->in_len, j->exp, &j->exp_len);
		break;
	case RC_VERIFY:
	case RC_VERIFY_BAD:
		j->in2_len = digest_len(x->a, k, &x->rng);
		vcdb_rng_fill(&x->rng, j->in2, j->in2_len);
		rc = ref(x, VCDB_RSA_SIGN, j->in2, j->in2_len, j->in, &j->in_len);
		if (x->c == RC_VERIFY || rc < 0)
			break;
		/* Flip the signature's lowest bit (the value stays below n) or a digest bit. */
		if (i % 2 == 0)
			j->in[j->in_len - 1] ^= 0x01;
		else
			j->in2[0] ^= 0x80;
		j->exp_status = VIRTIO_CRYPTO_KEY_REJECTED;
		break;
	default:
		return -EINVAL;
	}
	return rc;
}

static void
job_report(const struct rctx *x, const struct vcdb_cpl *c, const char *what)
{
	if (!x->cfg->vo.verbose)
		return;
	fprintf(stderr, "%s %s: %s: status %d (%s) used len %u\n", x->a->name, rcase_names[x->c],
		what, c->status, vcdb_status_name(c->status), c->used_len);
}

/* pkcs1 encrypt: k bytes that OpenSSL decrypts to the plaintext. */
static bool
encrypt_ok(const struct rctx *x, const struct rjob *j, const struct vcdb_cpl *c)
{
	uint8_t pt[VCDB_RSA_MAX_BYTES];
	uint32_t n = 0;

	if (ref(x, VCDB_RSA_DECRYPT, c->dst, x->key.k, pt, &n) < 0)
		return false;
	return n == j->exp_len && memcmp(pt, j->exp, n) == 0;
}

static void
job_check(struct rctx *x, const struct vcdb_cpl *c)
{
	const struct rjob *j = &x->jobs[c->user];
	bool verify = x->c == RC_VERIFY || x->c == RC_VERIFY_BAD;
	uint32_t out_len = c->used_len - 1;

	if (c->status != j->exp_status) {
		x->st.bad_status++;
		job_report(
			x, c, j->exp_status == VIRTIO_CRYPTO_OK ? "want OK" : "want KEY_REJECTED");
	} else if (verify ? c->used_len != 1 : c->used_len == 0 || c->used_len - 1 > c->dst_len) {
		x->st.bad_len++; /* VERIFY has only the status byte writable */
		job_report(x, c, "bad used length");
	} else if (verify) {
		x->st.ok++;
	} else if (x->c == RC_ENCRYPT && is_pkcs1(x->a)) {
		if (out_len != x->key.k) {
			x->st.bad_len++;
			job_report(x, c, "want used length k + 1");
		} else if (!encrypt_ok(x, j, c)) {
			x->st.bad_data++;
			job_report(x, c, "OpenSSL does not decrypt it to the plaintext");
		} else {
			x->st.ok++;
		}
	} else if (out_len != j->exp_len) {
		x->st.bad_len++;
		job_report(x, c, "used length is not the output length + 1");
	} else if (memcmp(c->dst, j->exp, j->exp_len) != 0) {
		x->st.bad_data++;
		job_report(x, c, "output differs from OpenSSL's");
	} else {
		x->st.ok++;
	}
}

static int
job_submit(struct rctx *x, unsigned int i)
{
	const struct rjob *j = &x->jobs[i];
	bool verify = x->c == RC_VERIFY || x->c == RC_VERIFY_BAD;
	bool priv = x->c == RC_DECRYPT || x->c == RC_SIGN;
	struct vcdb_akc_req r = {
		.session_id = (uint64_t)(priv ? x->sid_priv : x->sid_pub),
		.op = rcase_op(x->c),
		.style = x->cfg->style,
		.src = j->in,
		.src_len = j->in_len,
		.src2 = verify ? j->in2 : NULL,
		.dst_len = verify ? j->in2_len : x->key.k, /* a Linux guest gives k */
		.user = i,
	};

	return vcdb_akc_submit(x->db, &r);
}

static int
r_submit(void *ctx, unsigned int i)
{
	return job_submit(ctx, i);
}

static void
r_check(void *ctx, const struct vcdb_cpl *c)
{
	job_check(ctx, c);
}

/* @n jobs of x->c: all prepared, then submitted back to back, then checked. */
static int
batch_run(struct rctx *x, unsigned int n)
{
	static const struct vcdb_batch_ops ops = {r_submit, r_check};
	bool submit_failed;
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		if (job_prepare(x, &x->jobs[i], i) < 0) {
			fprintf(stderr, "%s %s: the OpenSSL reference failed\n", x->a->name,
				rcase_names[x->c]);
			x->st.stuck = -EIO;
			return -EIO;
		}
	}
	rc = vcdb_batch_drive(x->db, n, x->cfg->timeout_ms, &ops, x, &submit_failed);
	if (rc < 0) {
		if (submit_failed)
			fprintf(stderr, "%s %s: submit failed: %s\n", x->a->name, rcase_names[x->c],
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
	return b > RSA_BATCH ? RSA_BATCH : b;
}

static int
case_run(struct rctx *x, enum rcase c)
{
	uint64_t ops = x->cfg->ops ? x->cfg->ops : RSA_OPS, done = 0;
	unsigned int b = batch_size(x->cfg), n;
	int rc = 0;

	x->c = c;
	while (done < ops && rc == 0) {
		n = ops - done < b ? (unsigned int)(ops - done) : b;
		rc = batch_run(x, n);
		done += n;
	}
	return rc;
}

static int64_t
session_open(struct rctx *x, bool priv)
{
	struct vcdb_akc_session s = {
		.keytype = priv ? VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PRIVATE
				: VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC,
		.padding = x->a->rsa_padding,
		.hash = x->a->rsa_hash,
		.key = priv ? x->key.priv : x->key.pub,
		.key_len = priv ? x->key.priv_len : x->key.pub_len,
	};
	int64_t id = vcdb_akc_session_create(x->db, &s);

	if (id == -EPROTONOSUPPORT)
		fprintf(stderr, "%s: akcipher sessions need --session-layout qemu81\n", x->a->name);
	else if (id < 0)
		fprintf(stderr, "%s: %s-key session refused (%s, reply id %" PRId64 ")\n",
			x->a->name, priv ? "private" : "public", strerror((int)-id),
			vcdb_last_reply_id(x->db));
	return id;
}

/* Why the private-key operations of this key cannot run, into @buf. */
static void
priv_skip_note(const struct vcdb_rsa_key *k, char *buf, size_t len)
{
	snprintf(buf, len,
		"private key %u B, %u B without CRT, over QEMU's %u-byte key: not supported by "
		"the QEMU wire format",
		k->priv_full_len, k->priv_nocrt_len, VCDB_AKC_KEY_MAX);
}

static bool
rsa_print(const struct rctx *x, unsigned int sessions)
{
	const struct rstats *s = &x->st;
	uint64_t bad = s->bad_data + s->bad_len + s->bad_status + s->bad_session;
	char note[224] = "", why[160];

	/* An algorithm named in VCDB_OPTIONAL that the backend refuses outright. */
	if (vcdb_algo_optional(x->a) && s->bad_session == sessions && bad == sessions &&
		!s->stuck) {
		printf("%-26s SKIP (refused: no backend offers it)\n", x->a->name);
		return true;
	}
	if (x->key.priv == NULL) {
		priv_skip_note(&x->key, why, sizeof(why));
		snprintf(note, sizeof(note), " (%s SKIP: %s)",
			is_pkcs1(x->a) ? "decrypt, sign" : "decrypt", why);
	}
	printf("%-26s ok %6" PRIu64 "  data %3" PRIu64 "  len %3" PRIu64 "  status %3" PRIu64
	       "  sessions-refused %" PRIu64 "  %s%s\n",
		x->a->name, s->ok, s->bad_data, s->bad_len, s->bad_status, s->bad_session,
		vcdb_verdict(s->stuck, bad, s->ok), note);
	return bad == 0 && s->ok > 0 && !s->stuck;
}

static int
rsa_cases(struct rctx *x)
{
	static const enum rcase raw[] = {RC_ENCRYPT, RC_DECRYPT};
	static const enum rcase pkcs1[] = {
		RC_ENCRYPT, RC_DECRYPT, RC_SIGN, RC_VERIFY, RC_VERIFY_BAD};
	const enum rcase *list = is_pkcs1(x->a) ? pkcs1 : raw;
	size_t n = is_pkcs1(x->a) ? 5 : 2, i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		bool priv = list[i] == RC_DECRYPT || list[i] == RC_SIGN;

		if ((priv ? x->sid_priv : x->sid_pub) < 0)
			continue; /* refused (counted) or not sendable (SKIP) */
		rc = case_run(x, list[i]);
	}
	return rc;
}

int
rsa_verify_algo(
	struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a, bool *passed)
{
	struct rctx *x = calloc(1, sizeof(*x));
	unsigned int sessions = 1;
	int rc;

	*passed = false;
	if (x == NULL)
		return -ENOMEM;
	x->db = db;
	x->cfg = cfg;
	x->a = a;
	x->rng = cfg->seed ^ ((uint64_t)a->rsa_bits << 32 | a->rsa_padding << 16 | a->rsa_hash);
	x->sid_pub = x->sid_priv = -1;
	rc = vcdb_rsa_keygen(&x->key, a->rsa_bits);
	if (rc < 0) {
		printf("%-26s FAIL (no %u-bit key from OpenSSL: %s)\n", a->name, a->rsa_bits,
			strerror(-rc));
		free(x);
		return 0;
	}
	x->sid_pub = session_open(x, false);
	x->st.bad_session += x->sid_pub < 0;
	if (x->key.priv != NULL) {
		sessions++;
		x->sid_priv = session_open(x, true);
		x->st.bad_session += x->sid_priv < 0;
	}
	rc = rsa_cases(x);
	if (x->sid_pub >= 0)
		vcdb_session_close(db, (uint64_t)x->sid_pub);
	if (x->sid_priv >= 0)
		vcdb_session_close(db, (uint64_t)x->sid_priv);
	*passed = rsa_print(x, sessions);
	vcdb_rsa_key_free(&x->key);
	free(x);
	return rc == -ETIMEDOUT || rc == -EPROTO ? rc : 0;
}

/* Throughput: what --rsa-op means for @a. */
enum vcdb_rsa_op
rsa_bench_op(const struct bench_cfg *cfg, const struct vcdb_algo *a)
{
	if (cfg->rsa_op_set)
		return cfg->rsa_op;
	return is_pkcs1(a) ? VCDB_RSA_SIGN : VCDB_RSA_DECRYPT;
}

struct rsa_bench {
	struct vcdb_rsa_key key;
	int64_t sid;
	uint8_t src[VCDB_RSA_MAX_BYTES], src2[VCDB_RSA_MAX_BYTES];
};

/* The measured request's input for @op (an OpenSSL signature or ciphertext where needed). */
static int
bench_input(
	struct rsa_bench *b, const struct vcdb_algo *a, enum vcdb_rsa_op op, struct vcdb_akc_req *r)
{
	uint32_t k = b->key.k, dl = vcdb_rsa_digest_len(a->rsa_hash);
	uint64_t rng = 0x7663646272736131ull; /* fixed: every run measures the same data */
	bool pkcs1 = is_pkcs1(a);
	uint8_t pt[32];

	dl = dl ? dl : 32; /* NO_HASH: sign a 32-byte value as given */
	r->op = op;
	r->src = b->src;
	r->dst_len = k;
	switch (op) {
	case VCDB_RSA_ENCRYPT:
		r->src_len = pkcs1 ? sizeof(pt) : k; /* pkcs1: a 32-byte secret, as key transport */
		vcdb_rng_fill(&rng, b->src, r->src_len);
		b->src[0] = pkcs1 ? b->src[0] : 0;
		return 0;
	case VCDB_RSA_DECRYPT:
		if (!pkcs1) {
			r->src_len = k;
			vcdb_rng_fill(&rng, b->src, k);
			b->src[0] = 0;
			return 0;
		}
		vcdb_rng_fill(&rng, pt, sizeof(pt));
		return vcdb_rsa_ref(&b->key, VCDB_RSA_ENCRYPT, a->rsa_padding, a->rsa_hash, pt,
			sizeof(pt), NULL, 0, b->src, sizeof(b->src), &r->src_len);
	case VCDB_RSA_SIGN:
		r->src_len = dl;
		vcdb_rng_fill(&rng, b->src, dl);
		return 0;
	case VCDB_RSA_VERIFY:
		vcdb_rng_fill(&rng, b->src2, dl);
		r->src2 = b->src2;
		r->dst_len = dl;
		return vcdb_rsa_ref(&b->key, VCDB_RSA_SIGN, a->rsa_padding, a->rsa_hash, b->src2,
			dl, NULL, 0, b->src, sizeof(b->src), &r->src_len);
	}
	return -EINVAL;
}

/*
 * Key, session and request for measuring @a: 0, or -errno after saying why (the caller
 * counts it as a failure).
 */
int
rsa_bench_open(struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a,
	struct rsa_bench **out, struct vcdb_akc_req *r)
{
	enum vcdb_rsa_op op = rsa_bench_op(cfg, a);
	bool priv = vcdb_rsa_op_private(op);
	struct rsa_bench *b;
	struct vcdb_akc_session s;
	char note[160];
	int rc;

	*out = NULL;
	if (!is_pkcs1(a) && (op == VCDB_RSA_SIGN || op == VCDB_RSA_VERIFY)) {
		fprintf(stderr, "%s: --rsa-op %s needs pkcs1 padding (raw: encrypt, decrypt)\n",
			a->name, vcdb_rsa_op_name(op));
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	b->sid = -1;
	rc = vcdb_rsa_keygen(&b->key, a->rsa_bits);
	if (rc < 0) {
		fprintf(stderr, "%s: no key from OpenSSL: %s\n", a->name, strerror(-rc));
		rsa_bench_close(db, b);
		return rc;
	}
	if (priv && b->key.priv == NULL) {
		priv_skip_note(&b->key, note, sizeof(note));
		fprintf(stderr, "%s: --rsa-op %s refused: %s\n", a->name, vcdb_rsa_op_name(op),
			note);
		rsa_bench_close(db, b);
		return -E2BIG;
	}
	memset(r, 0, sizeof(*r));
	r->style = cfg->style;
	rc = bench_input(b, a, op, r);
	if (rc < 0) {
		fprintf(stderr, "%s: the OpenSSL reference failed\n", a->name);
		rsa_bench_close(db, b);
		return rc;
	}
	s = (struct vcdb_akc_session){
		.keytype = priv ? VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PRIVATE
				: VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC,
		.padding = a->rsa_padding,
		.hash = a->rsa_hash,
		.key = priv ? b->key.priv : b->key.pub,
		.key_len = priv ? b->key.priv_len : b->key.pub_len,
	};
	b->sid = vcdb_akc_session_create(db, &s);
	if (b->sid < 0) {
		fprintf(stderr, "%s: %s-key session refused (%s)\n", a->name,
			priv ? "private" : "public", strerror((int)-b->sid));
		rc = (int)b->sid;
		rsa_bench_close(db, b);
		return rc;
	}
	r->session_id = (uint64_t)b->sid;
	*out = b;
	return 0;
}

void
rsa_bench_close(struct vcdb *db, struct rsa_bench *b)
{
	if (b == NULL)
		return;
	if (b->sid >= 0)
		vcdb_session_close(db, (uint64_t)b->sid);
	vcdb_rsa_key_free(&b->key);
	free(b);
}

uint32_t
rsa_bench_size(const struct rsa_bench *b)
{
	return b->key.k;
}

uint64_t
rsa_bench_default_ops(void)
{
	return RSA_TPUT_OPS;
}
