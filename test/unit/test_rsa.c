/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * RSA keys (rsa_key.h) and the EMSA-PKCS1-v1_5 block (akcipher.h), against
 * OpenSSL: keys OpenSSL makes and encodes are read back to the same numbers;
 * malformed DER is refused; the signature block vcryptd builds is the one
 * OpenSSL's PKCS#1 v1.5 signature carries (the signature through the public
 * key without padding).
 */
#include <check.h>
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <string.h>

#include "unit_main.h"
#include "vcryptd/akcipher.h"
#include "vcryptd/rsa_key.h"

static EVP_PKEY *
gen(unsigned int bits)
{
	EVP_PKEY *k = EVP_RSA_gen(bits);

	ck_assert_ptr_nonnull(k);
	return k;
}

/* PKCS#1 DER of @k: RSAPrivateKey (@priv) or RSAPublicKey. */
static int
der_of(EVP_PKEY *k, bool priv, uint8_t *buf, int cap)
{
	uint8_t *p = buf;
	int n = priv ? i2d_PrivateKey(k, NULL) : i2d_PublicKey(k, NULL);

	ck_assert_int_gt(n, 0);
	ck_assert_int_le(n, cap);
	n = priv ? i2d_PrivateKey(k, &p) : i2d_PublicKey(k, &p);
	return n;
}

static void
same_num(EVP_PKEY *k, const char *param, const struct vcd_rsa_num *x)
{
	BIGNUM *bn = NULL;
	uint8_t buf[1024];
	int n;

	ck_assert_int_eq(EVP_PKEY_get_bn_param(k, param, &bn), 1);
	n = BN_bn2bin(bn, buf);
	ck_assert_uint_eq((size_t)n, x->len);
	ck_assert_int_eq(memcmp(buf, x->p, x->len), 0);
	BN_free(bn);
}

START_TEST(keys_read_back)
{
	static const unsigned int sizes[] = {1024, 2048, 3072, 4096};
	unsigned int bits = sizes[_i];
	EVP_PKEY *k = gen(bits);
	uint8_t der[4096];
	struct vcd_rsa_key key;
	int n;

	n = der_of(k, false, der, sizeof(der));
	ck_assert_int_eq(vcd_rsa_key_parse(der, (size_t)n, false, &key), 0);
	ck_assert_uint_eq(key.bits, bits);
	same_num(k, OSSL_PKEY_PARAM_RSA_N, &key.n);
	same_num(k, OSSL_PKEY_PARAM_RSA_E, &key.e);
	n = der_of(k, true, der, sizeof(der));
	ck_assert_int_eq(vcd_rsa_key_parse(der, (size_t)n, true, &key), 0);
	ck_assert(key.crt);
	same_num(k, OSSL_PKEY_PARAM_RSA_D, &key.d);
	same_num(k, OSSL_PKEY_PARAM_RSA_FACTOR1, &key.p);
	same_num(k, OSSL_PKEY_PARAM_RSA_FACTOR2, &key.q);
	same_num(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &key.qinv);
	/* Every shorter prefix is refused, as is one byte more. */
	for (int cut = 0; cut < n; cut += 1 + cut / 8)
		ck_assert_int_ne(vcd_rsa_key_parse(der, (size_t)cut, true, &key), 0);
	der[n] = 0;
	ck_assert_int_eq(vcd_rsa_key_parse(der, (size_t)n + 1, true, &key), -EINVAL);
	/* A public key is not a private one, nor the other way round. */
	ck_assert_int_ne(vcd_rsa_key_parse(der, (size_t)n, false, &key), 0);
	EVP_PKEY_free(k);
}
END_TEST

/* The no-CRT private key form (rsa_key.h): n, e, d and zeros. */
START_TEST(private_without_crt)
{
	static const uint8_t zeros[] = {0x02, 0x01, 0x00};
	EVP_PKEY *k = gen(2048);
	uint8_t der[2048], body[2048], *p = body;
	struct vcd_rsa_key key, full;
	int n, i;
	size_t len;

	n = der_of(k, true, der, sizeof(der));
	ck_assert_int_eq(vcd_rsa_key_parse(der, (size_t)n, true, &full), 0);
	/* SEQUENCE { 0, n, e, d, 0, 0, 0, 0, 0 }, n and d with their sign byte. */
	memcpy(p, zeros, 3);
	p += 3;
	for (i = 0; i < 3; i++) {
		const struct vcd_rsa_num *x = i == 0 ? &full.n : i == 1 ? &full.e : &full.d;
		bool lead = x->p[0] & 0x80;
		size_t l = x->len + lead;

		*p++ = 0x02;
		if (l >= 0x100) {
			*p++ = 0x82;
			*p++ = (uint8_t)(l >> 8);
		} else if (l >= 0x80) {
			*p++ = 0x81;
		}
		*p++ = (uint8_t)l;
		if (lead)
			*p++ = 0;
		memcpy(p, x->p, x->len);
		p += x->len;
	}
	for (i = 0; i < 5; i++) {
		memcpy(p, zeros, 3);
		p += 3;
	}
	len = (size_t)(p - body);
	der[0] = 0x30;
	der[1] = 0x82;
	der[2] = (uint8_t)(len >> 8);
	der[3] = (uint8_t)len;
	memcpy(der + 4, body, len);
	ck_assert_uint_le(len + 4, VCD_SESS_AKCIPHER_KEY_MAX);
	ck_assert_int_eq(vcd_rsa_key_parse(der, len + 4, true, &key), 0);
	ck_assert(!key.crt);
	ck_assert_uint_eq(key.d.len, full.d.len);
	ck_assert_int_eq(memcmp(key.d.p, full.d.p, key.d.len), 0);
	/* Some CRT values but not all: refused. */
	der[len + 4 - 1] = 0x01;
	ck_assert_int_eq(vcd_rsa_key_parse(der, len + 4, true, &key), -EINVAL);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(malformed_refused)
{
	/* SEQUENCE { n = 3, e = 3 }: too small a modulus. */
	static const uint8_t tiny[] = {0x30, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03};
	/* Negative INTEGER, non-minimal INTEGER, non-minimal length, indefinite length. */
	static const uint8_t neg[] = {0x30, 0x06, 0x02, 0x01, 0x83, 0x02, 0x01, 0x03};
	static const uint8_t nonmin[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x03, 0x02, 0x01, 0x03};
	static const uint8_t longlen[] = {0x30, 0x81, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03};
	static const uint8_t indef[] = {0x30, 0x80, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03, 0, 0};
	/* A private key of version 1 (multi-prime). */
	static const uint8_t v1[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	struct vcd_rsa_key key;

	ck_assert_int_eq(vcd_rsa_key_parse(tiny, sizeof(tiny), false, &key), -ENOTSUP);
	ck_assert_int_eq(vcd_rsa_key_parse(neg, sizeof(neg), false, &key), -EINVAL);
	ck_assert_int_eq(vcd_rsa_key_parse(nonmin, sizeof(nonmin), false, &key), -EINVAL);
	ck_assert_int_eq(vcd_rsa_key_parse(longlen, sizeof(longlen), false, &key), -EINVAL);
	ck_assert_int_eq(vcd_rsa_key_parse(indef, sizeof(indef), false, &key), -EINVAL);
	ck_assert_int_eq(vcd_rsa_key_parse(v1, sizeof(v1), true, &key), -ENOTSUP);
	ck_assert_int_eq(vcd_rsa_key_parse(NULL, 0, false, &key), -EINVAL);
}
END_TEST

/* The block vcryptd signs is the one inside OpenSSL's PKCS#1 v1.5 signature. */
START_TEST(emsa_matches_openssl)
{
	static const struct {
		uint8_t hash;
		const char *md;
		unsigned int len;
	} h[] = {{VIRTIO_CRYPTO_RSA_SHA1, "SHA1", 20}, {VIRTIO_CRYPTO_RSA_SHA224, "SHA224", 28},
		{VIRTIO_CRYPTO_RSA_SHA256, "SHA256", 32}, {VIRTIO_CRYPTO_RSA_SHA384, "SHA384", 48},
		{VIRTIO_CRYPTO_RSA_SHA512, "SHA512", 64}, {VIRTIO_CRYPTO_RSA_MD5, "MD5", 16}};
	EVP_PKEY *k = gen(2048);
	uint8_t digest[64], sig[256], em[256], mine[256];
	size_t sig_len = sizeof(sig), em_len = sizeof(em);
	EVP_PKEY_CTX *c;
	unsigned int i;

	for (i = 0; i < sizeof(digest); i++)
		digest[i] = (uint8_t)(i * 7 + _i);
	c = EVP_PKEY_CTX_new(k, NULL);
	ck_assert_int_eq(EVP_PKEY_sign_init(c), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(c, EVP_get_digestbyname(h[_i].md)), 1);
	ck_assert_int_eq(EVP_PKEY_sign(c, sig, &sig_len, digest, h[_i].len), 1);
	EVP_PKEY_CTX_free(c);
	/* The signature through the public key, no padding: the EMSA block. */
	c = EVP_PKEY_CTX_new(k, NULL);
	ck_assert_int_eq(EVP_PKEY_verify_recover_init(c), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_verify_recover(c, em, &em_len, sig, sig_len), 1);
	EVP_PKEY_CTX_free(c);
	ck_assert_uint_eq(em_len, 256);
	ck_assert(vcd_ak_emsa_pkcs1(h[_i].hash, digest, h[_i].len, mine, 256));
	ck_assert_int_eq(memcmp(mine, em, 256), 0);
	/* A digest of the wrong length for its hash, or too long a one: refused. */
	ck_assert(!vcd_ak_emsa_pkcs1(h[_i].hash, digest, h[_i].len - 1, mine, 256));
	ck_assert(!vcd_ak_emsa_pkcs1(VIRTIO_CRYPTO_RSA_NO_HASH, em, 250, mine, 256));
	EVP_PKEY_free(k);
}
END_TEST

static Suite *
rsa_suite(void)
{
	Suite *s = suite_create("rsa");
	TCase *t = tcase_create("keys");

	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, keys_read_back, 0, 4);
	tcase_add_test(t, private_without_crt);
	tcase_add_test(t, malformed_refused);
	suite_add_tcase(s, t);
	t = tcase_create("emsa");
	tcase_add_loop_test(t, emsa_matches_openssl, 0, 6);
	suite_add_tcase(s, t);
	return s;
}

VCD_UNIT_MAIN(rsa_suite)
