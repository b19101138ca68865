/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The incremental hash and HMAC of the large-request path (mac.h) against
 * OpenSSL's one-shot HMAC() and EVP_Digest(), and RFC 4231 / RFC 2202
 * vectors: every algorithm vcryptd maps, keys shorter than, equal to and
 * longer than a block (hashed first), messages from empty to several hundred
 * KiB fed in pieces of random length (as the worker's slices cut them), and
 * the same key state reused for many requests (the session's, copied per
 * request: it must not be consumed).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "vcryptd/mac.h"
#include "unit_main.h"

static const EVP_MD *
md_of(uint32_t algo)
{
	switch (algo) {
	case VIRTIO_CRYPTO_HASH_MD5:
		return EVP_md5();
	case VIRTIO_CRYPTO_HASH_SHA1:
		return EVP_sha1();
	case VIRTIO_CRYPTO_HASH_SHA_224:
		return EVP_sha224();
	case VIRTIO_CRYPTO_HASH_SHA_256:
		return EVP_sha256();
	case VIRTIO_CRYPTO_HASH_SHA_384:
		return EVP_sha384();
	default:
		return EVP_sha512();
	}
}

/* vcd_mac over @msg in random pieces, into @out; returns the digest length. */
static unsigned int
mac_pieces(const struct vcd_mac_key *k, const uint8_t *msg, size_t len, uint8_t out[64])
{
	struct vcd_md_state st;
	size_t done = 0;

	vcd_mac_start(k, &st);
	while (done < len) {
		size_t piece = 1 + (size_t)rand() % (rand() % 2 ? 300 : 70000);

		piece = piece > len - done ? len - done : piece;
		vcd_mac_update(k, &st, msg + done, piece);
		done += piece;
	}
	vcd_mac_final(k, &st, out);
	return k->md_len;
}

START_TEST(mac_against_openssl)
{
	static const uint32_t keys[] = {1, 20, 63, 64, 65, 128, 129, 512};
	static const size_t lens[] = {0, 1, 55, 56, 64, 111, 112, 128, 1000, 65536, 300001};
	uint8_t *msg = malloc(300001), key[512], got[64], want[64];
	uint32_t algo;
	size_t i, ki, li;
	int cases = 0;

	ck_assert_ptr_nonnull(msg);
	srand(7);
	for (i = 0; i < 300001; i++)
		msg[i] = (uint8_t)rand();
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(rand() ^ i);
	for (algo = VIRTIO_CRYPTO_HASH_MD5; algo <= VIRTIO_CRYPTO_HASH_SHA_512; algo++) {
		const EVP_MD *md = md_of(algo);
		struct vcd_mac_key k;
		unsigned int wlen;

		/* Plain hash. */
		ck_assert_int_eq(vcd_mac_key_init(&k, algo, false, NULL, 0), 0);
		for (li = 0; li < (sizeof(lens) / sizeof(lens[0])); li++) {
			ck_assert(EVP_Digest(msg, lens[li], want, &wlen, md, NULL));
			ck_assert_uint_eq(mac_pieces(&k, msg, lens[li], got), wlen);
			ck_assert_msg(
				memcmp(got, want, wlen) == 0, "hash %u len %zu", algo, lens[li]);
			cases++;
		}
		/* HMAC, one key state for all the messages. */
		for (ki = 0; ki < (sizeof(keys) / sizeof(keys[0])); ki++) {
			ck_assert_int_eq(vcd_mac_key_init(&k, algo, true, key, keys[ki]), 0);
			for (li = 0; li < (sizeof(lens) / sizeof(lens[0])); li++) {
				ck_assert_ptr_nonnull(
					HMAC(md, key, (int)keys[ki], msg, lens[li], want, &wlen));
				ck_assert_uint_eq(mac_pieces(&k, msg, lens[li], got), wlen);
				ck_assert_msg(memcmp(got, want, wlen) == 0,
					"hmac %u key %u len %zu", algo, keys[ki], lens[li]);
				cases++;
			}
			vcd_mac_key_wipe(&k);
		}
	}
	ck_assert_int_eq(cases, 6 * 11 * 9);
	free(msg);
}
END_TEST

/* RFC 4231 test case 2 (HMAC-SHA-256 and -512) and RFC 2202 test case 2 (HMAC-MD5, -SHA-1). */
START_TEST(mac_rfc_vectors)
{
	static const struct {
		uint32_t algo;
		const char *hex;
	} v[] = {
		{VIRTIO_CRYPTO_HASH_MD5, "750c783e6ab0b503eaa86e310a5db738"},
		{VIRTIO_CRYPTO_HASH_SHA1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
		{VIRTIO_CRYPTO_HASH_SHA_256,
			"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{VIRTIO_CRYPTO_HASH_SHA_512,
			"164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
			"9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
	};
	static const char data[] = "what do ya want for nothing?";
	uint8_t got[64];
	size_t i, j;

	for (i = 0; i < (sizeof(v) / sizeof(v[0])); i++) {
		struct vcd_mac_key k;
		struct vcd_md_state st;
		char hex[129];

		ck_assert_int_eq(
			vcd_mac_key_init(&k, v[i].algo, true, (const uint8_t *)"Jefe", 4), 0);
		vcd_mac_start(&k, &st);
		vcd_mac_update(&k, &st, (const uint8_t *)data, 10);
		vcd_mac_update(&k, &st, (const uint8_t *)data + 10, sizeof(data) - 1 - 10);
		vcd_mac_final(&k, &st, got);
		for (j = 0; j < k.md_len; j++)
			snprintf(hex + 2 * j, 3, "%02x", got[j]);
		ck_assert_str_eq(hex, v[i].hex);
	}
}
END_TEST

START_TEST(mac_refuses_unknown)
{
	struct vcd_mac_key k;

	ck_assert_int_lt(vcd_mac_key_init(&k, 0, false, NULL, 0), 0);
	ck_assert_int_lt(
		vcd_mac_key_init(&k, VIRTIO_CRYPTO_HASH_SHA_512 + 1, true, (const uint8_t *)"k", 1),
		0);
}
END_TEST

static Suite *
mac_suite(void)
{
	Suite *s = suite_create("mac");
	TCase *tc = tcase_create("openssl");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mac_against_openssl);
	tcase_add_test(tc, mac_rfc_vectors);
	tcase_add_test(tc, mac_refuses_unknown);
	suite_add_tcase(s, tc);
	return s;
}

VCD_UNIT_MAIN(mac_suite)
