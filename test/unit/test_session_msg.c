/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Unit tests for src/session_msg.c.  The expected payloads are built here byte by byte at
 * the offsets QEMU's structs give them (x86_64), independently of the encoder:
 *   qemu70 (QEMU <= 7.0, DPDK 22.11): {int64 session_id; u32 op_code, cipher_alg, key_len,
 *     hash_alg, hash_result_len, auth_key_len, add_len; u8 op_type, direction, hash_mode,
 *     alg_chain_order; two pointers; key[64]; auth_key[512]} = 632 bytes
 *   qemu72 (QEMU 7.1 .. 8.0): the same without op_code, 4 padding bytes at 36, 632 bytes
 *   qemu81 (QEMU >= 8.1): {u64 op_code; union {qemu72 bytes 8..631, asym 1056}; int64
 *     session_id at 1064} = 1072 bytes
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_crypto.h>

#include "vcryptd/session_msg.h"
#include "unit_main.h"

#define BUF_MAX 2048

static void
put32(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
	b[off + 2] = (uint8_t)(v >> 16);
	b[off + 3] = (uint8_t)(v >> 24);
}

static void
put64(uint8_t *b, size_t off, uint64_t v)
{
	put32(b, off, (uint32_t)v);
	put32(b, off + 4, (uint32_t)(v >> 32));
}

static uint64_t
get64(const uint8_t *b, size_t off)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[off + (size_t)i];
	return v;
}

/* QEMU <= 7.0: session_id 0, op_code 8, cipher_alg 12 ... op_type 36, ptrs 40/48, keys 56/120. */
static size_t
build_qemu70(uint8_t *b, const struct vcd_sess_params *p, uint8_t ptr_fill)
{
	memset(b, 0, 632);
	put32(b, 8, p->op_code);
	put32(b, 12, p->cipher_algo);
	put32(b, 16, p->cipher_key_len);
	put32(b, 20, p->hash_algo);
	put32(b, 24, p->digest_len);
	put32(b, 28, p->auth_key_len);
	put32(b, 32, p->aad_len);
	b[36] = p->op_type;
	b[37] = p->cipher_dir;
	b[38] = p->hash_mode;
	b[39] = p->chain_order;
	memset(b + 40, ptr_fill, 16);
	memcpy(b + 56, p->cipher_key, p->cipher_key_len);
	memcpy(b + 120, p->auth_key, p->auth_key_len);
	return 632;
}

/* QEMU 7.1 .. 8.0: session_id 0, cipher_alg 8 ... op_type 32, padding 36..39, same keys. */
static size_t
build_qemu72(uint8_t *b, const struct vcd_sess_params *p, uint8_t ptr_fill)
{
	memset(b, 0, 632);
	put32(b, 8, p->cipher_algo);
	put32(b, 12, p->cipher_key_len);
	put32(b, 16, p->hash_algo);
	put32(b, 20, p->digest_len);
	put32(b, 24, p->auth_key_len);
	put32(b, 28, p->aad_len);
	b[32] = p->op_type;
	b[33] = p->cipher_dir;
	b[34] = p->hash_mode;
	b[35] = p->chain_order;
	memset(b + 40, ptr_fill, 16);
	memcpy(b + 56, p->cipher_key, p->cipher_key_len);
	memcpy(b + 120, p->auth_key, p->auth_key_len);
	return 632;
}

/* QEMU >= 8.1: u64 op_code 0, sym arm at qemu72's offsets, zeros to 1064, session_id 1064. */
static size_t
build_qemu81(uint8_t *b, const struct vcd_sess_params *p, uint8_t ptr_fill)
{
	memset(b, 0, 1072);
	build_qemu72(b, p, ptr_fill);
	put64(b, 0, p->op_code);
	return 1072;
}

typedef size_t build_fn(uint8_t *b, const struct vcd_sess_params *p, uint8_t ptr_fill);

static const struct layout_case {
	enum vcd_sess_layout layout;
	build_fn *build;
	size_t size;
	size_t id_off;      /* where QEMU reads the reply's session id */
	size_t key_len_off; /* u32 key_len */
	size_t auth_len_off;
	int has_op_code;
} cases[] = {
	{VCD_SESS_LAYOUT_QEMU70, build_qemu70, 632, 0, 16, 28, 1},
	{VCD_SESS_LAYOUT_QEMU72, build_qemu72, 632, 0, 12, 24, 0},
	{VCD_SESS_LAYOUT_QEMU81, build_qemu81, 1072, 1064, 12, 24, 1},
};
#define N_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

static void
fill_keys(struct vcd_sess_params *p)
{
	for (uint32_t i = 0; i < p->cipher_key_len; i++)
		p->cipher_key[i] = (uint8_t)(0x10 + i);
	for (uint32_t i = 0; i < p->auth_key_len; i++)
		p->auth_key[i] = (uint8_t)(0x80 ^ (i * 3));
}

/* Every field a different, multi-byte value: a swapped offset or byte order shows. */
static void
sample_distinct(struct vcd_sess_params *p)
{
	*p = (struct vcd_sess_params){.op_code = VIRTIO_CRYPTO_MAC_CREATE_SESSION,
		.op_type = 2,
		.cipher_dir = 1,
		.hash_mode = 3,
		.chain_order = 0x44,
		.cipher_algo = 0x0a0b0c03,
		.cipher_key_len = 32,
		.hash_algo = 0x0d0e0f02,
		.digest_len = 0x11121314,
		.auth_key_len = 64,
		.aad_len = 0x21222324};
	fill_keys(p);
}

/* AES-256-CBC + HMAC-SHA1, as Linux's and DPDK's guest drivers ask for. */
static void
sample_chain(struct vcd_sess_params *p, uint32_t op_code)
{
	memset(p, 0, sizeof(*p));
	p->op_code = op_code;
	p->op_type = VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING;
	p->cipher_dir = VIRTIO_CRYPTO_OP_ENCRYPT;
	p->hash_mode = VIRTIO_CRYPTO_SYM_HASH_MODE_AUTH;
	p->chain_order = VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH;
	p->cipher_algo = VIRTIO_CRYPTO_CIPHER_AES_CBC;
	p->cipher_key_len = 32;
	p->hash_algo = VIRTIO_CRYPTO_MAC_HMAC_SHA1;
	p->digest_len = 20;
	p->auth_key_len = 20;
	fill_keys(p);
}

static void
sample_cipher(struct vcd_sess_params *p, uint32_t op_code, uint32_t algo)
{
	memset(p, 0, sizeof(*p));
	p->op_code = op_code;
	p->op_type = VIRTIO_CRYPTO_SYM_OP_CIPHER;
	p->cipher_dir = VIRTIO_CRYPTO_OP_DECRYPT;
	p->cipher_algo = algo;
	p->cipher_key_len = 16;
	fill_keys(p);
}

static void
assert_params_eq(const struct vcd_sess_params *got, const struct vcd_sess_params *want)
{
	ck_assert_uint_eq(got->op_code, want->op_code);
	ck_assert_uint_eq(got->op_type, want->op_type);
	ck_assert_uint_eq(got->cipher_dir, want->cipher_dir);
	ck_assert_uint_eq(got->hash_mode, want->hash_mode);
	ck_assert_uint_eq(got->chain_order, want->chain_order);
	ck_assert_uint_eq(got->cipher_algo, want->cipher_algo);
	ck_assert_uint_eq(got->cipher_key_len, want->cipher_key_len);
	ck_assert_uint_eq(got->hash_algo, want->hash_algo);
	ck_assert_uint_eq(got->digest_len, want->digest_len);
	ck_assert_uint_eq(got->auth_key_len, want->auth_key_len);
	ck_assert_uint_eq(got->aad_len, want->aad_len);
	ck_assert_mem_eq(got->cipher_key, want->cipher_key, VCD_SESS_CIPHER_KEY_MAX);
	ck_assert_mem_eq(got->auth_key, want->auth_key, VCD_SESS_AUTH_KEY_MAX);
}

/* Decode @b with @layout, expecting success in @want_used. */
static void
decode_ok(enum vcd_sess_layout layout, const uint8_t *b, size_t size, struct vcd_sess_params *out,
	enum vcd_sess_layout want_used)
{
	enum vcd_sess_layout used = VCD_SESS_LAYOUT_AUTO;

	ck_assert_int_eq(vcd_sess_msg_decode(layout, b, size, out, &used), 0);
	ck_assert_int_eq(used, want_used);
}

START_TEST(test_sizes)
{
	ck_assert_uint_eq(vcd_sess_msg_size(VCD_SESS_LAYOUT_QEMU70), 632);
	ck_assert_uint_eq(vcd_sess_msg_size(VCD_SESS_LAYOUT_QEMU72), 632);
	ck_assert_uint_eq(vcd_sess_msg_size(VCD_SESS_LAYOUT_QEMU81), 1072);
	ck_assert_uint_eq(vcd_sess_msg_size(VCD_SESS_LAYOUT_AUTO), 0);
}
END_TEST

/* Hand-built bytes decode to every field; QEMU's pointer bytes are ignored. */
START_TEST(test_decode_hand_built)
{
	const struct layout_case *c = &cases[_i];
	struct vcd_sess_params want, got;
	uint8_t b[BUF_MAX];
	size_t n;

	sample_distinct(&want);
	n = c->build(b, &want, 0xa5);
	ck_assert_uint_eq(n, c->size);
	if (!c->has_op_code)
		want.op_code = 0;
	decode_ok(c->layout, b, n, &got, c->layout);
	assert_params_eq(&got, &want);
}
END_TEST

START_TEST(test_encode_matches_hand_built)
{
	const struct layout_case *c = &cases[_i];
	struct vcd_sess_params p;
	uint8_t want[BUF_MAX], got[BUF_MAX];
	size_t n;

	sample_distinct(&p);
	n = c->build(want, &p, 0);
	memset(got, 0xee, sizeof(got));
	ck_assert_int_eq(vcd_sess_msg_encode(c->layout, &p, got, sizeof(got)), (int)n);
	ck_assert_mem_eq(got, want, n);
	ck_assert_uint_eq(got[n], 0xee); /* nothing written past the payload */
}
END_TEST

START_TEST(test_round_trip)
{
	const struct layout_case *c = &cases[_i];
	struct vcd_sess_params in[2], out;
	uint8_t b[BUF_MAX];

	sample_chain(&in[0], VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	sample_cipher(&in[1], VIRTIO_CRYPTO_CIPHER_CREATE_SESSION, VIRTIO_CRYPTO_CIPHER_AES_ECB);
	for (int k = 0; k < 2; k++) {
		int n = vcd_sess_msg_encode(c->layout, &in[k], b, c->size);

		ck_assert_int_eq(n, (int)c->size);
		if (!c->has_op_code)
			in[k].op_code = 0;
		decode_ok(c->layout, b, (size_t)n, &out, c->layout);
		assert_params_eq(&out, &in[k]);
		decode_ok(VCD_SESS_LAYOUT_AUTO, b, (size_t)n, &out, c->layout);
		assert_params_eq(&out, &in[k]);
	}
}
END_TEST

static void
check_auto(build_fn *build, const struct vcd_sess_params *p, enum vcd_sess_layout want)
{
	struct vcd_sess_params want_p = *p, got;
	uint8_t b[BUF_MAX];
	size_t n = build(b, p, 0x5a);

	if (want == VCD_SESS_LAYOUT_QEMU72)
		want_p.op_code = 0;
	decode_ok(VCD_SESS_LAYOUT_AUTO, b, n, &got, want);
	assert_params_eq(&got, &want_p);
}

START_TEST(test_auto_qemu70)
{
	struct vcd_sess_params p;

	sample_cipher(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION, VIRTIO_CRYPTO_CIPHER_AES_CBC);
	check_auto(build_qemu70, &p, VCD_SESS_LAYOUT_QEMU70);
	sample_chain(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	check_auto(build_qemu70, &p, VCD_SESS_LAYOUT_QEMU70);
	/* add_len 2 puts a valid-looking qemu72 op_type at byte 32: still qemu70. */
	p.aad_len = 2;
	check_auto(build_qemu70, &p, VCD_SESS_LAYOUT_QEMU70);
}
END_TEST

START_TEST(test_auto_qemu72)
{
	struct vcd_sess_params p;

	sample_cipher(&p, 0, VIRTIO_CRYPTO_CIPHER_AES_CBC);
	check_auto(build_qemu72, &p, VCD_SESS_LAYOUT_QEMU72);
	sample_chain(&p, 0);
	check_auto(build_qemu72, &p, VCD_SESS_LAYOUT_QEMU72);
}
END_TEST

/* AES-ECB is 2, the value of qemu70's op_code at the same offset 8. */
START_TEST(test_auto_qemu72_aes_ecb)
{
	struct vcd_sess_params p;

	sample_cipher(&p, 0, VIRTIO_CRYPTO_CIPHER_AES_ECB);
	ck_assert_uint_eq(VIRTIO_CRYPTO_CIPHER_AES_ECB, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	check_auto(build_qemu72, &p, VCD_SESS_LAYOUT_QEMU72);
	sample_chain(&p, 0);
	p.cipher_algo = VIRTIO_CRYPTO_CIPHER_AES_ECB;
	check_auto(build_qemu72, &p, VCD_SESS_LAYOUT_QEMU72);
}
END_TEST

START_TEST(test_auto_qemu81)
{
	struct vcd_sess_params p;

	sample_cipher(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION, VIRTIO_CRYPTO_CIPHER_AES_ECB);
	check_auto(build_qemu81, &p, VCD_SESS_LAYOUT_QEMU81);
	sample_chain(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	check_auto(build_qemu81, &p, VCD_SESS_LAYOUT_QEMU81);
}
END_TEST

/* Neither layout fits: refused, but *used still says where the failure reply goes. */
START_TEST(test_auto_undecidable)
{
	struct vcd_sess_params p, out;
	enum vcd_sess_layout used = VCD_SESS_LAYOUT_AUTO;
	uint8_t b[BUF_MAX];

	memset(b, 0, sizeof(b));
	ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, b, 632, &out, &used), -EINVAL);
	ck_assert_int_eq(used, VCD_SESS_LAYOUT_QEMU72);
	/* qemu72 with dirty padding */
	sample_chain(&p, 0);
	build_qemu72(b, &p, 0);
	b[37] = 1;
	ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, b, 632, &out, NULL), -EINVAL);
	/* qemu70 with an op_type QEMU never sends */
	build_qemu70(b, &p, 0);
	b[36] = 3;
	ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, b, 632, &out, NULL), -EINVAL);
	/* qemu70 with an op_code that is no symmetric create-session opcode */
	p.op_code = 0x7777;
	build_qemu70(b, &p, 0);
	ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, b, 632, &out, NULL), -EINVAL);
	ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_QEMU70, b, 632, &out, NULL), 0);
}
END_TEST

START_TEST(test_wrong_sizes)
{
	const struct layout_case *c = &cases[_i];
	const size_t bad[] = {0, 8, 631, 633, 1071, 1073, 2048};
	enum vcd_sess_layout used = VCD_SESS_LAYOUT_AUTO;
	struct vcd_sess_params p, out;
	uint8_t b[BUF_MAX];

	sample_chain(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	c->build(b, &p, 0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		ck_assert_int_eq(vcd_sess_msg_decode(c->layout, b, bad[k], &out, NULL), -EMSGSIZE);
		ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, b, bad[k], &out, &used),
			-EMSGSIZE);
	}
	ck_assert_int_eq(used, VCD_SESS_LAYOUT_AUTO);
	/* the other family's size */
	ck_assert_int_eq(vcd_sess_msg_decode(c->layout, b, c->size == 632 ? 1072 : 632, &out, NULL),
		-EMSGSIZE);
}
END_TEST

/* A truncated message in a buffer of exactly its size: refused without reading on. */
START_TEST(test_truncated)
{
	const struct layout_case *c = &cases[_i];
	const size_t cut[] = {1, 8, 36, 40, 56, 120, 631};
	struct vcd_sess_params p, out;
	uint8_t full[BUF_MAX];

	sample_chain(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	c->build(full, &p, 0);
	for (size_t k = 0; k < sizeof(cut) / sizeof(cut[0]); k++) {
		uint8_t *t = malloc(cut[k]);

		ck_assert_ptr_nonnull(t);
		memcpy(t, full, cut[k]);
		ck_assert_int_eq(vcd_sess_msg_decode(c->layout, t, cut[k], &out, NULL), -EMSGSIZE);
		ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, t, cut[k], &out, NULL),
			-EMSGSIZE);
		free(t);
	}
}
END_TEST

static int
decode_with_lens(const struct layout_case *c, uint32_t key_len, uint32_t auth_len)
{
	struct vcd_sess_params p, out;
	uint8_t b[BUF_MAX];

	sample_chain(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	c->build(b, &p, 0);
	put32(b, c->key_len_off, key_len);
	put32(b, c->auth_len_off, auth_len);
	return vcd_sess_msg_decode(c->layout, b, c->size, &out, NULL);
}

START_TEST(test_key_len_bounds)
{
	const struct layout_case *c = &cases[_i];

	ck_assert_int_eq(decode_with_lens(c, 64, 512), 0);
	ck_assert_int_eq(decode_with_lens(c, 65, 20), -EINVAL);
	ck_assert_int_eq(decode_with_lens(c, 16, 513), -EINVAL);
	ck_assert_int_eq(decode_with_lens(c, 0xffffffffu, 0), -EINVAL);
	ck_assert_int_eq(decode_with_lens(c, 0, 0xffffffffu), -EINVAL);
}
END_TEST

START_TEST(test_encode_errors)
{
	const struct layout_case *c = &cases[_i];
	struct vcd_sess_params p;
	uint8_t b[BUF_MAX];

	sample_chain(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	ck_assert_int_eq(vcd_sess_msg_encode(c->layout, &p, b, c->size - 1), -ENOSPC);
	ck_assert_int_eq(vcd_sess_msg_encode(VCD_SESS_LAYOUT_AUTO, &p, b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(vcd_sess_msg_encode(c->layout, NULL, b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(vcd_sess_msg_encode(c->layout, &p, NULL, sizeof(b)), -EINVAL);
	p.cipher_key_len = VCD_SESS_CIPHER_KEY_MAX + 1;
	ck_assert_int_eq(vcd_sess_msg_encode(c->layout, &p, b, sizeof(b)), -EINVAL);
	p.cipher_key_len = 16;
	p.auth_key_len = VCD_SESS_AUTH_KEY_MAX + 1;
	ck_assert_int_eq(vcd_sess_msg_encode(c->layout, &p, b, sizeof(b)), -EINVAL);
}
END_TEST

/* The reply id lands, little-endian, exactly where that QEMU reads it, and nowhere else. */
START_TEST(test_reply_id)
{
	const struct layout_case *c = &cases[_i];
	const int64_t ids[] = {0x0123456789abcdefLL, 0, -1};
	uint8_t b[BUF_MAX];

	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		memset(b, 0x33, sizeof(b));
		vcd_sess_msg_set_reply_id(c->layout, b, ids[k]);
		ck_assert_uint_eq(get64(b, c->id_off), (uint64_t)ids[k]);
		for (size_t i = 0; i < sizeof(b); i++) {
			if (i < c->id_off || i >= c->id_off + 8)
				ck_assert_uint_eq(b[i], 0x33);
		}
		ck_assert_int_eq(vcd_sess_msg_reply_id(c->layout, b), ids[k]);
	}
}
END_TEST

/* Request, then the daemon's reply in place: the session fields survive. */
START_TEST(test_reply_in_request)
{
	const struct layout_case *c = &cases[_i];
	struct vcd_sess_params p, out;
	uint8_t b[BUF_MAX];

	sample_chain(&p, VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	c->build(b, &p, 0);
	ck_assert_int_eq(vcd_sess_msg_reply_id(c->layout, b), 0);
	vcd_sess_msg_set_reply_id(c->layout, b, 42);
	ck_assert_int_eq(vcd_sess_msg_reply_id(c->layout, b), 42);
	ck_assert_int_eq(vcd_sess_msg_decode(c->layout, b, c->size, &out, NULL), 0);
	ck_assert_uint_eq(out.cipher_algo, VIRTIO_CRYPTO_CIPHER_AES_CBC);
	ck_assert_uint_eq(out.auth_key_len, 20);
}
END_TEST

START_TEST(test_reply_id_auto)
{
	uint8_t b[16];

	memset(b, 0x33, sizeof(b));
	vcd_sess_msg_set_reply_id(VCD_SESS_LAYOUT_AUTO, b, 7);
	for (size_t i = 0; i < sizeof(b); i++)
		ck_assert_uint_eq(b[i], 0x33);
	ck_assert_int_eq(vcd_sess_msg_reply_id(VCD_SESS_LAYOUT_AUTO, b), -1);
}
END_TEST

START_TEST(test_qemu81_op_code)
{
	struct vcd_sess_params p, out;
	uint8_t b[BUF_MAX];

	sample_chain(&p, VIRTIO_CRYPTO_HASH_CREATE_SESSION);
	build_qemu81(b, &p, 0);
	decode_ok(VCD_SESS_LAYOUT_QEMU81, b, 1072, &out, VCD_SESS_LAYOUT_QEMU81);
	ck_assert_uint_eq(out.op_code, VIRTIO_CRYPTO_HASH_CREATE_SESSION);
	put64(b, 0, (1ULL << 32) | VIRTIO_CRYPTO_CIPHER_CREATE_SESSION);
	ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, b, 1072, &out, NULL), -EINVAL);
}
END_TEST

/*
 * The akcipher arm of qemu81 (QEMU's VhostUserCryptoSession.u.asym): fields where QEMU 10.0
 * puts them (algo 8, keytype 12, keylen 16, padding 32, hash 36, key 40), by hand.
 */
START_TEST(test_qemu81_akcipher)
{
	struct vcd_sess_params p, out;
	uint8_t b[BUF_MAX];
	unsigned int i;

	memset(b, 0, sizeof(b));
	put64(b, 0, VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION);
	put32(b, 8, VIRTIO_CRYPTO_AKCIPHER_RSA);
	put32(b, 12, VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PRIVATE);
	put32(b, 16, 1024);
	put64(b, 24, 0x7f00deadbeefULL); /* QEMU's key pointer: ignored */
	put32(b, 32, VIRTIO_CRYPTO_RSA_PKCS1_PADDING);
	put32(b, 36, VIRTIO_CRYPTO_RSA_SHA256);
	for (i = 0; i < 1024; i++)
		b[40 + i] = (uint8_t)(i * 3 + 1);
	decode_ok(VCD_SESS_LAYOUT_AUTO, b, 1072, &out, VCD_SESS_LAYOUT_QEMU81);
	ck_assert_uint_eq(out.op_code, VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION);
	ck_assert_uint_eq(out.ak_algo, VIRTIO_CRYPTO_AKCIPHER_RSA);
	ck_assert_uint_eq(out.ak_keytype, VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PRIVATE);
	ck_assert_uint_eq(out.ak_keylen, 1024);
	ck_assert_uint_eq(out.ak_padding, VIRTIO_CRYPTO_RSA_PKCS1_PADDING);
	ck_assert_uint_eq(out.ak_hash, VIRTIO_CRYPTO_RSA_SHA256);
	ck_assert_int_eq(memcmp(out.ak_key, b + 40, 1024), 0);
	/* The encoder writes the same bytes (less QEMU's pointer). */
	p = out;
	put64(b, 24, 0);
	{
		uint8_t e[BUF_MAX];

		ck_assert_int_eq(
			vcd_sess_msg_encode(VCD_SESS_LAYOUT_QEMU81, &p, e, sizeof(e)), 1072);
		ck_assert_int_eq(memcmp(e, b, 1072), 0);
		/* No akcipher arm in the 632-byte layouts. */
		ck_assert_int_eq(
			vcd_sess_msg_encode(VCD_SESS_LAYOUT_QEMU72, &p, e, sizeof(e)), -EINVAL);
	}
	/* A key longer than the arm holds. */
	put32(b, 16, 1025);
	ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_QEMU81, b, 1072, &out, NULL), -EINVAL);
	/* qemu70's op_code at 8 naming akcipher: that layout has no arm for it. */
	memset(b, 0, sizeof(b));
	put32(b, 8, VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION);
	ck_assert_int_ne(vcd_sess_msg_decode(VCD_SESS_LAYOUT_QEMU70, b, 632, &out, NULL), 0);
}
END_TEST

START_TEST(test_decode_bad_args)
{
	struct vcd_sess_params out;
	uint8_t b[BUF_MAX] = {0};

	ck_assert_int_eq(
		vcd_sess_msg_decode(VCD_SESS_LAYOUT_QEMU70, NULL, 632, &out, NULL), -EINVAL);
	ck_assert_int_eq(vcd_sess_msg_decode(VCD_SESS_LAYOUT_QEMU70, b, 632, NULL, NULL), -EINVAL);
	ck_assert_int_eq(vcd_sess_msg_decode((enum vcd_sess_layout)9, b, 632, &out, NULL), -EINVAL);
}
END_TEST

START_TEST(test_layout_names)
{
	const char *names[] = {"auto", "qemu70", "qemu72", "qemu81"};
	enum vcd_sess_layout l;

	for (int i = 0; i < 4; i++) {
		ck_assert_str_eq(vcd_sess_layout_name((enum vcd_sess_layout)i), names[i]);
		ck_assert_int_eq(vcd_sess_layout_parse(names[i], &l), 0);
		ck_assert_int_eq(l, i);
	}
	ck_assert_int_eq(vcd_sess_layout_parse("qemu80", &l), -EINVAL);
	ck_assert_int_eq(vcd_sess_layout_parse("", &l), -EINVAL);
	ck_assert_int_eq(vcd_sess_layout_parse(NULL, &l), -EINVAL);
	ck_assert_str_eq(vcd_sess_layout_name((enum vcd_sess_layout)9), "unknown");
}
END_TEST

static Suite *
session_msg_suite(void)
{
	Suite *s = suite_create("session_msg");
	TCase *layouts = tcase_create("layouts");
	TCase *autodetect = tcase_create("auto");
	TCase *misc = tcase_create("misc");

	tcase_add_loop_test(layouts, test_decode_hand_built, 0, N_CASES);
	tcase_add_loop_test(layouts, test_encode_matches_hand_built, 0, N_CASES);
	tcase_add_loop_test(layouts, test_round_trip, 0, N_CASES);
	tcase_add_loop_test(layouts, test_wrong_sizes, 0, N_CASES);
	tcase_add_loop_test(layouts, test_truncated, 0, N_CASES);
	tcase_add_loop_test(layouts, test_key_len_bounds, 0, N_CASES);
	tcase_add_loop_test(layouts, test_encode_errors, 0, N_CASES);
	tcase_add_loop_test(layouts, test_reply_id, 0, N_CASES);
	tcase_add_loop_test(layouts, test_reply_in_request, 0, N_CASES);
	tcase_add_test(autodetect, test_auto_qemu70);
	tcase_add_test(autodetect, test_auto_qemu72);
	tcase_add_test(autodetect, test_auto_qemu72_aes_ecb);
	tcase_add_test(autodetect, test_auto_qemu81);
	tcase_add_test(autodetect, test_auto_undecidable);
	tcase_add_test(misc, test_sizes);
	tcase_add_test(misc, test_reply_id_auto);
	tcase_add_test(misc, test_qemu81_op_code);
	tcase_add_test(misc, test_qemu81_akcipher);
	tcase_add_test(misc, test_decode_bad_args);
	tcase_add_test(misc, test_layout_names);
	suite_add_tcase(s, layouts);
	suite_add_tcase(s, autodetect);
	suite_add_tcase(s, misc);
	return s;
}

VCD_UNIT_MAIN(session_msg_suite)
