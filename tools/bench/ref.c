/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The algorithms the bench knows by name, the session parameters for each, and the
 * OpenSSL computations every result is checked against.  The reference is computed
 * independently of the backend: plain EVP ciphers and one-shot HMAC.
 */
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "vcdb_internal.h"

struct cipher_def {
	const char *name;
	uint32_t algo, key_len, iv_len, block;
	bool extra; /* by name only, not in `--algo all` */
};

struct mac_def {
	const char *name;
	uint32_t algo, digest_len;
};

static const struct cipher_def ciphers[] = {
	{"aes-cbc-128", VIRTIO_CRYPTO_CIPHER_AES_CBC, 16, 16, 16},
	{"aes-cbc-192", VIRTIO_CRYPTO_CIPHER_AES_CBC, 24, 16, 16},
	{"aes-cbc-256", VIRTIO_CRYPTO_CIPHER_AES_CBC, 32, 16, 16},
	{"aes-ctr-128", VIRTIO_CRYPTO_CIPHER_AES_CTR, 16, 16, 1},
	{"aes-ctr-192", VIRTIO_CRYPTO_CIPHER_AES_CTR, 24, 16, 1},
	{"aes-ctr-256", VIRTIO_CRYPTO_CIPHER_AES_CTR, 32, 16, 1},
	{"aes-xts-256", VIRTIO_CRYPTO_CIPHER_AES_XTS, 32, 16, 16},
	{"aes-xts-512", VIRTIO_CRYPTO_CIPHER_AES_XTS, 64, 16, 16},
	{"3des-cbc", VIRTIO_CRYPTO_CIPHER_3DES_CBC, 24, 8, 8},
	/* Routing tests: only crypto_aesni_mb has AES-ECB, only crypto_openssl 3DES-CTR. */
	{"aes-ecb-128", VIRTIO_CRYPTO_CIPHER_AES_ECB, 16, 0, 16, true},
	{"3des-ctr", VIRTIO_CRYPTO_CIPHER_3DES_CTR, 24, 8, 1, true},
};

static const struct mac_def macs[] = {
	{"sha1", VIRTIO_CRYPTO_MAC_HMAC_SHA1, 20},
	{"sha224", VIRTIO_CRYPTO_MAC_HMAC_SHA_224, 28},
	{"sha256", VIRTIO_CRYPTO_MAC_HMAC_SHA_256, 32},
	{"sha384", VIRTIO_CRYPTO_MAC_HMAC_SHA_384, 48},
	{"sha512", VIRTIO_CRYPTO_MAC_HMAC_SHA_512, 64},
};

#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))
#define N_MACS    (sizeof(macs) / sizeof(macs[0]))

static void
algo_set(struct vcdb_algo *a, const struct cipher_def *c, const struct mac_def *m)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s%s%s", c->name, m ? "-hmac-" : "", m ? m->name : "");
	a->cipher_algo = c->algo;
	a->key_len = c->key_len;
	a->iv_len = c->iv_len;
	a->block = c->block;
	if (m == NULL)
		return;
	a->hash_algo = m->algo;
	a->digest_len = m->digest_len;
	a->auth_key_len = m->digest_len;
}

static const struct mac_def *
mac_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_MACS; i++)
		if (strcmp(macs[i].name, name) == 0)
			return &macs[i];
	return NULL;
}

/* "<cipher>" or "<cipher>-hmac-<sha>"; "rsa-..." names are rsa.c's */
int
vcdb_algo_parse(const char *name, struct vcdb_algo *out)
{
	size_t i, n;

	if (strncmp(name, "rsa-", 4) == 0)
		return vcdb_rsa_algo_parse(name, out);
	for (i = 0; i < N_CIPHERS; i++) {
		n = strlen(ciphers[i].name);
		if (strncmp(name, ciphers[i].name, n) != 0)
			continue;
		if (name[n] == '\0') {
			algo_set(out, &ciphers[i], NULL);
			return 0;
		}
		if (strncmp(name + n, "-hmac-", 6) == 0 && mac_find(name + n + 6)) {
			algo_set(out, &ciphers[i], mac_find(name + n + 6));
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * AES-XTS, which not every backend has; and the algorithms named in
 * VCDB_OPTIONAL (comma-separated, as --algo names them): where a backend's
 * start-up check refused one (3DES-CBC on crypto_aesni_mb with
 * intel-ipsec-mb 2.0, scripts/debian13.sh), a refusal is not a failure.
 */
bool
vcdb_algo_optional(const struct vcdb_algo *a)
{
	const char *env = getenv("VCDB_OPTIONAL");
	size_t n = strlen(a->name);
	const char *p;

	if (a->cipher_algo == VIRTIO_CRYPTO_CIPHER_AES_XTS)
		return true;
	for (p = env; p != NULL && *p != '\0'; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (strncmp(p, a->name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

size_t
vcdb_algo_all(struct vcdb_algo *out, size_t max)
{
	static const char *const chains[] = {
		"aes-cbc-128-hmac-sha1",
		"aes-cbc-128-hmac-sha224",
		"aes-cbc-128-hmac-sha256",
		"aes-cbc-128-hmac-sha384",
		"aes-cbc-128-hmac-sha512",
		"aes-cbc-256-hmac-sha256",
		"aes-ctr-128-hmac-sha1",
	};
	size_t n = 0, i;

	for (i = 0; i < N_CIPHERS; i++) {
		if (ciphers[i].extra)
			continue;
		if (n < max)
			algo_set(&out[n], &ciphers[i], NULL);
		n++;
	}
	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++, n++)
		if (n < max)
			vcdb_algo_parse(chains[i], &out[n]);
	return n;
}

void
vcdb_algo_session(const struct vcdb_algo *a, uint8_t dir, uint8_t order, const uint8_t *ckey,
	const uint8_t *akey, struct vcd_sess_params *p)
{
	memset(p, 0, sizeof(*p));
	p->op_code = VIRTIO_CRYPTO_CIPHER_CREATE_SESSION;
	p->op_type = a->hash_algo ? VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING
				  : VIRTIO_CRYPTO_SYM_OP_CIPHER;
	p->cipher_dir = dir;
	p->cipher_algo = a->cipher_algo;
	p->cipher_key_len = a->key_len;
	memcpy(p->cipher_key, ckey, a->key_len);
	if (!a->hash_algo)
		return;
	p->hash_mode = VIRTIO_CRYPTO_SYM_HASH_MODE_AUTH;
	p->chain_order = order;
	p->hash_algo = a->hash_algo;
	p->digest_len = a->digest_len;
	p->auth_key_len = a->auth_key_len;
	memcpy(p->auth_key, akey, a->auth_key_len);
}

static const EVP_CIPHER *
evp_cipher(const struct vcdb_algo *a)
{
	switch (a->cipher_algo) {
	case VIRTIO_CRYPTO_CIPHER_AES_ECB:
		return a->key_len == 16    ? EVP_aes_128_ecb()
			: a->key_len == 24 ? EVP_aes_192_ecb()
					   : EVP_aes_256_ecb();
	case VIRTIO_CRYPTO_CIPHER_AES_CBC:
		return a->key_len == 16    ? EVP_aes_128_cbc()
			: a->key_len == 24 ? EVP_aes_192_cbc()
					   : EVP_aes_256_cbc();
	case VIRTIO_CRYPTO_CIPHER_AES_CTR:
		return a->key_len == 16    ? EVP_aes_128_ctr()
			: a->key_len == 24 ? EVP_aes_192_ctr()
					   : EVP_aes_256_ctr();
	case VIRTIO_CRYPTO_CIPHER_AES_XTS:
		return a->key_len == 32 ? EVP_aes_128_xts() : EVP_aes_256_xts();
	case VIRTIO_CRYPTO_CIPHER_3DES_CBC:
		return EVP_des_ede3_cbc();
	default:
		return NULL;
	}
}

static const EVP_MD *
evp_md(const struct vcdb_algo *a)
{
	switch (a->hash_algo) {
	case VIRTIO_CRYPTO_MAC_HMAC_SHA1:
		return EVP_sha1();
	case VIRTIO_CRYPTO_MAC_HMAC_SHA_224:
		return EVP_sha224();
	case VIRTIO_CRYPTO_MAC_HMAC_SHA_256:
		return EVP_sha256();
	case VIRTIO_CRYPTO_MAC_HMAC_SHA_384:
		return EVP_sha384();
	case VIRTIO_CRYPTO_MAC_HMAC_SHA_512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/*
 * 3DES-CTR, which OpenSSL has no EVP cipher for: the keystream of DPDK 22.11's
 * crypto_openssl, the only PMD with it (drivers/crypto/openssl/ at v22.11.11).
 * rte_openssl_pmd.c, openssl_set_session_cipher_parameters(), lines 524-539: one
 * EVP_des_ede3_ecb() encrypt context for both directions.  process_openssl_cipher_des3ctr(),
 * lines 1176-1227: the counter block is the 8-byte IV as one big-endian 64-bit number
 * (memcpy(&ctr, iv, 8), line 1196); at every 8th data byte it is encrypted (lines 1199-1205)
 * and then incremented by one, wrapping modulo 2^64 (rte_be_to_cpu_64, ++, rte_cpu_to_be_64,
 * lines 1206-1208); data byte n is XORed with keystream byte n % 8 (line 1210).  So any
 * length works (the last block uses the front of its keystream), although
 * rte_openssl_pmd_ops.c, lines 437-456, states block_size 8; iv_size is exactly 8.
 */
static int
ref_des3ctr(const uint8_t *key, const uint8_t *iv, const uint8_t *in, uint32_t len, uint8_t *out)
{
	uint8_t ctr[8], ks[8];
	EVP_CIPHER_CTX *ctx;
	uint32_t off, i;
	int n = 0, ok;

	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	memcpy(ctr, iv, sizeof(ctr));
	ok = EVP_EncryptInit_ex(ctx, EVP_des_ede3_ecb(), NULL, key, NULL) &&
		EVP_CIPHER_CTX_set_padding(ctx, 0);
	for (off = 0; ok && off < len; off += 8) {
		ok = EVP_EncryptUpdate(ctx, ks, &n, ctr, (int)sizeof(ctr)) && n == (int)sizeof(ks);
		for (i = sizeof(ctr); i-- > 0;) /* big-endian +1, carry out of byte 0 dropped */
			if (++ctr[i] != 0)
				break;
		for (i = 0; i < sizeof(ks) && off + i < len; i++)
			out[off + i] = in[off + i] ^ ks[i];
	}
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

int
vcdb_ref_cipher(const struct vcdb_algo *a, bool encrypt, const uint8_t *key, const uint8_t *iv,
	const uint8_t *in, uint32_t len, uint8_t *out)
{
	const EVP_CIPHER *c = evp_cipher(a);
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ok;

	if (a->cipher_algo == VIRTIO_CRYPTO_CIPHER_3DES_CTR)
		return ref_des3ctr(key, iv, in, len, out);
	if (c == NULL)
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	ok = EVP_CipherInit_ex(ctx, c, NULL, key, iv, encrypt ? 1 : 0) &&
		EVP_CIPHER_CTX_set_padding(ctx, 0) &&
		EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
		EVP_CipherFinal_ex(ctx, out + n, &fin);
	EVP_CIPHER_CTX_free(ctx);
	return ok && (uint32_t)(n + fin) == len ? 0 : -EIO;
}

int
vcdb_ref_hmac(const struct vcdb_algo *a, const uint8_t *key, const uint8_t *in, uint32_t len,
	uint8_t *out)
{
	const EVP_MD *md = evp_md(a);
	uint8_t full[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (md == NULL)
		return -EINVAL;
	if (HMAC(md, key, (int)a->auth_key_len, in, len, full, &n) == NULL || n < a->digest_len)
		return -EIO;
	memcpy(out, full, a->digest_len);
	return 0;
}
