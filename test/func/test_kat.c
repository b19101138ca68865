/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Known answers through a running vcryptd (socket in $VCD_SOCK0): NIST SP
 * 800-38A AES-CBC and AES-CTR vectors, RFC 2202 / RFC 4231 HMAC vectors (as
 * the hash half of a hash-then-cipher chain, so the digest is the HMAC of the
 * plaintext), and IEEE 1619 AES-XTS when a backend offers XTS, in every
 * session layout the socket can carry.
 */
#include <check.h>
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "func_util.h"
#include "vcdbench.h"

static const char *sock;

static size_t
unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] != '\0' && h[1] != '\0'; h += 2) {
		unsigned int v;

		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static struct vcdb *
open_db(enum vcd_sess_layout layout)
{
	struct vcdb_opts o = {.layout = layout};
	struct vcdb *db = NULL;

	ck_assert_int_eq(vcdb_open(&db, sock, &o), 0);
	return db;
}

/* Run one request and return its completion (output copied into @out). */
static int
run_one(struct vcdb *db, const struct vcdb_req *r, uint8_t *out, uint8_t *digest)
{
	struct vcdb_cpl cpl;

	ck_assert_int_ge(vcdb_submit(db, r), 0);
	ck_assert_int_eq(vcdb_wait(db, &cpl, 1, 5000), 1);
	memcpy(out, cpl.dst, cpl.dst_len);
	if (digest != NULL && cpl.digest != NULL)
		memcpy(digest, cpl.digest, cpl.digest_len);
	return cpl.status;
}

struct cipher_kat {
	const char *algo, *key, *iv, *pt, *ct;
};

static const char nist_pt[] = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
			      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const struct cipher_kat cipher_kats[] = {
	/* SP 800-38A F.2.1, F.2.3, F.2.5 */
	{"aes-cbc-128", "2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f",
		nist_pt,
		"7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
		"73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
	{"aes-cbc-192", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		"000102030405060708090a0b0c0d0e0f", nist_pt,
		"4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
		"571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd"},
	{"aes-cbc-256", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		"000102030405060708090a0b0c0d0e0f", nist_pt,
		"f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
		"39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
	/* SP 800-38A F.5.1 */
	{"aes-ctr-128", "2b7e151628aed2a6abf7158809cf4f3c", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		nist_pt,
		"874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
		"5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"},
};

static void
cipher_kat(enum vcd_sess_layout layout, const struct cipher_kat *k, bool encrypt)
{
	uint8_t key[64], iv[16], pt[64], ct[64], out[64];
	struct vcd_sess_params p;
	struct vcdb_algo a;
	struct vcdb *db = open_db(layout);
	size_t n;
	int64_t sid;

	ck_assert_int_eq(vcdb_algo_parse(k->algo, &a), 0);
	unhex(k->key, key);
	unhex(k->iv, iv);
	n = unhex(k->pt, pt);
	unhex(k->ct, ct);
	vcdb_algo_session(&a, encrypt ? VIRTIO_CRYPTO_OP_ENCRYPT : VIRTIO_CRYPTO_OP_DECRYPT, 0, key,
		NULL, &p);
	sid = vcdb_session_create(db, &p);
	ck_assert_msg(sid >= 0, "%s: session refused (%lld)", k->algo, (long long)sid);
	struct vcdb_req r = {.session_id = (uint64_t)sid,
		.opcode = encrypt ? VIRTIO_CRYPTO_CIPHER_ENCRYPT : VIRTIO_CRYPTO_CIPHER_DECRYPT,
		.iv = iv,
		.iv_len = a.iv_len,
		.src = encrypt ? pt : ct,
		.len = (uint32_t)n};
	ck_assert_int_eq(run_one(db, &r, out, NULL), VIRTIO_CRYPTO_OK);
	ck_assert_msg(memcmp(out, encrypt ? ct : pt, n) == 0, "%s %s: wrong output (layout %s)",
		k->algo, encrypt ? "encrypt" : "decrypt", vcd_sess_layout_name(layout));
	ck_assert_int_eq(vcdb_session_close(db, (uint64_t)sid), 0);
	vcdb_close(db);
}

static const enum vcd_sess_layout layouts[] = {VCD_SESS_LAYOUT_QEMU70, VCD_SESS_LAYOUT_QEMU72};

START_TEST(nist_cipher)
{
	size_t i;

	for (i = 0; i < sizeof(cipher_kats) / sizeof(cipher_kats[0]); i++) {
		cipher_kat(layouts[_i], &cipher_kats[i], true);
		cipher_kat(layouts[_i], &cipher_kats[i], false);
	}
}
END_TEST

struct hmac_kat {
	const char *algo, *digest;
};

/* RFC 2202 test case 2 (SHA-1) and RFC 4231 test case 2: key "Jefe". */
static const struct hmac_kat hmac_kats[] = {
	{"aes-cbc-128-hmac-sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
	{"aes-cbc-128-hmac-sha224", "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44"},
	{"aes-cbc-128-hmac-sha256",
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	{"aes-cbc-128-hmac-sha384",
		"af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b"
		"3239ecfab21649"},
	{"aes-cbc-128-hmac-sha512",
		"164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d"
		"034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
};

START_TEST(rfc_hmac)
{
	static const char data[] = "what do ya want for nothing?"; /* 28 bytes */
	uint8_t ckey[16] = {0}, iv[16] = {0}, akey[64] = "Jefe", src[32] = {0};
	uint8_t out[64], digest[64], want[64], ref_ct[32];
	const struct hmac_kat *k = &hmac_kats[_i];
	struct vcd_sess_params p;
	struct vcdb_algo a;
	struct vcdb *db = open_db(VCD_SESS_LAYOUT_QEMU72);
	size_t dlen = unhex(k->digest, want);
	int64_t sid;

	memcpy(src, data, 28);
	ck_assert_int_eq(vcdb_algo_parse(k->algo, &a), 0);
	vcdb_algo_session(&a, VIRTIO_CRYPTO_OP_ENCRYPT,
		VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER, ckey, akey, &p);
	p.auth_key_len = 4;
	p.digest_len = (uint32_t)dlen;
	sid = vcdb_session_create(db, &p);
	ck_assert_msg(sid >= 0, "%s: session refused", k->algo);
	struct vcdb_req r = {.session_id = (uint64_t)sid,
		.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
		.op_type = VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING,
		.iv = iv,
		.iv_len = 16,
		.src = src,
		.len = 32,
		.hash_result_len = (uint32_t)dlen,
		.cipher_off = 0,
		.cipher_len = 32,
		.hash_off = 0,
		.hash_len = 28};
	ck_assert_int_eq(run_one(db, &r, out, digest), VIRTIO_CRYPTO_OK);
	ck_assert_msg(memcmp(digest, want, dlen) == 0, "%s: wrong HMAC", k->algo);
	ck_assert_int_eq(vcdb_ref_cipher(&a, true, ckey, iv, src, 32, ref_ct), 0);
	ck_assert_msg(memcmp(out, ref_ct, 32) == 0, "%s: wrong ciphertext", k->algo);
	vcdb_close(db);
}
END_TEST

/*
 * IEEE 1619-2007 XTS-AES-128 vector 2 (key1 11.., key2 22.., data unit 0x3333333333).
 * Debian's DPDK 22.11 PMDs (aesni_mb, openssl) have no XTS: then the session
 * must be refused cleanly, which is what the test checks instead.
 */
START_TEST(ieee1619_xts)
{
	uint8_t key[32], iv[16] = {0x33, 0x33, 0x33, 0x33, 0x33}, pt[32], out[32], want[32];
	struct vcd_sess_params p;
	struct vcdb_algo a;
	struct vcdb *db = open_db(VCD_SESS_LAYOUT_QEMU70);
	int64_t sid;

	memset(key, 0x11, 16);
	memset(key + 16, 0x22, 16);
	memset(pt, 0x44, sizeof(pt));
	unhex("c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0", want);
	ck_assert_int_eq(vcdb_algo_parse("aes-xts-256", &a), 0);
	vcdb_algo_session(&a, VIRTIO_CRYPTO_OP_ENCRYPT, 0, key, NULL, &p);
	sid = vcdb_session_create(db, &p);
	if (sid < 0) {
		ck_assert_int_eq(sid, -EREMOTEIO);
		ck_assert_int_eq(vcdb_last_reply_id(db), -1);
		fprintf(stderr, "ieee1619_xts: no backend offers AES-XTS; refusal checked\n");
		vcdb_close(db);
		return;
	}
	struct vcdb_req r = {.session_id = (uint64_t)sid,
		.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
		.iv = iv,
		.iv_len = 16,
		.src = pt,
		.len = 32};
	ck_assert_int_eq(run_one(db, &r, out, NULL), VIRTIO_CRYPTO_OK);
	ck_assert(memcmp(out, want, 32) == 0);
	vcdb_close(db);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kat");
	TCase *tc = tcase_create("kat");

	sock = getenv("VCD_SOCK0");
	if (sock == NULL) {
		fprintf(stderr, "run me through test/func/with_daemon.sh\n");
		return 1;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, nist_cipher, 0, 2);
	tcase_add_loop_test(tc, rfc_hmac, 0, sizeof(hmac_kats) / sizeof(hmac_kats[0]));
	tcase_add_test(tc, ieee1619_xts);
	suite_add_tcase(s, tc);
	return func_run_suite(s);
}
