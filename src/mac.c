/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Incremental hashes and HMACs (mac.h) over OpenSSL's digest contexts.
 *
 * The per-algorithm context API (SHA256_Init...) is deprecated in OpenSSL 3
 * in favour of EVP, but EVP cannot do what is needed here without an
 * allocation per request: EVP_MD_CTX_copy_ex() duplicates the provider's
 * context with malloc.  These contexts are plain structs, copied by value.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <errno.h>
#include <string.h>

#include <linux/virtio_crypto.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "vcryptd/mac.h"

_Static_assert(sizeof(MD5_CTX) <= sizeof(struct vcd_md_state), "MD5_CTX");
_Static_assert(sizeof(SHA_CTX) <= sizeof(struct vcd_md_state), "SHA_CTX");
_Static_assert(sizeof(SHA256_CTX) <= sizeof(struct vcd_md_state), "SHA256_CTX");
_Static_assert(sizeof(SHA512_CTX) <= sizeof(struct vcd_md_state), "SHA512_CTX");

/* The block size (the HMAC key's) and digest length of each algorithm, or 0. */
static void
md_sizes(uint32_t algo, unsigned int *block, unsigned int *len)
{
	static const uint8_t sizes[][2] = {
		[VIRTIO_CRYPTO_HASH_MD5] = {64, 16},
		[VIRTIO_CRYPTO_HASH_SHA1] = {64, 20},
		[VIRTIO_CRYPTO_HASH_SHA_224] = {64, 28},
		[VIRTIO_CRYPTO_HASH_SHA_256] = {64, 32},
		[VIRTIO_CRYPTO_HASH_SHA_384] = {128, 48},
		[VIRTIO_CRYPTO_HASH_SHA_512] = {128, 64},
	};

	*block = *len = 0;
	if (algo < sizeof(sizes) / sizeof(sizes[0])) {
		*block = sizes[algo][0];
		*len = sizes[algo][1];
	}
}

static void
md_init(uint8_t algo, struct vcd_md_state *st)
{
	switch (algo) {
	case VIRTIO_CRYPTO_HASH_MD5:
		MD5_Init((MD5_CTX *)st);
		break;
	case VIRTIO_CRYPTO_HASH_SHA1:
		SHA1_Init((SHA_CTX *)st);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_224:
		SHA224_Init((SHA256_CTX *)st);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_256:
		SHA256_Init((SHA256_CTX *)st);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_384:
		SHA384_Init((SHA512_CTX *)st);
		break;
	default:
		SHA512_Init((SHA512_CTX *)st);
	}
}

static void
md_update(uint8_t algo, struct vcd_md_state *st, const uint8_t *p, size_t len)
{
	switch (algo) {
	case VIRTIO_CRYPTO_HASH_MD5:
		MD5_Update((MD5_CTX *)st, p, len);
		break;
	case VIRTIO_CRYPTO_HASH_SHA1:
		SHA1_Update((SHA_CTX *)st, p, len);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_224:
		SHA224_Update((SHA256_CTX *)st, p, len);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_256:
		SHA256_Update((SHA256_CTX *)st, p, len);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_384:
		SHA384_Update((SHA512_CTX *)st, p, len);
		break;
	default:
		SHA512_Update((SHA512_CTX *)st, p, len);
	}
}

static void
md_final(uint8_t algo, struct vcd_md_state *st, uint8_t *out)
{
	switch (algo) {
	case VIRTIO_CRYPTO_HASH_MD5:
		MD5_Final(out, (MD5_CTX *)st);
		break;
	case VIRTIO_CRYPTO_HASH_SHA1:
		SHA1_Final(out, (SHA_CTX *)st);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_224:
		SHA224_Final(out, (SHA256_CTX *)st);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_256:
		SHA256_Final(out, (SHA256_CTX *)st);
		break;
	case VIRTIO_CRYPTO_HASH_SHA_384:
		SHA384_Final(out, (SHA512_CTX *)st);
		break;
	default:
		SHA512_Final(out, (SHA512_CTX *)st);
	}
}

int
vcd_mac_key_init(
	struct vcd_mac_key *k, uint32_t algo, bool hmac, const uint8_t *key, uint32_t key_len)
{
	uint8_t pad[128], kd[64];
	unsigned int block, len, i;
	struct vcd_md_state st;

	md_sizes(algo, &block, &len);
	if (block == 0)
		return -ENOTSUP;
	memset(k, 0, sizeof(*k));
	k->algo = (uint8_t)algo;
	k->hmac = hmac;
	k->md_len = (uint8_t)len;
	md_init(k->algo, &k->inner);
	if (!hmac)
		return 0;
	/* K': the key, or its digest if longer than a block, zero-padded to a block. */
	if (key_len > block) {
		md_init(k->algo, &st);
		md_update(k->algo, &st, key, key_len);
		md_final(k->algo, &st, kd);
		key = kd;
		key_len = len;
	}
	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, key_len);
	for (i = 0; i < block; i++)
		pad[i] ^= 0x36;
	md_update(k->algo, &k->inner, pad, block);
	for (i = 0; i < block; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	md_init(k->algo, &k->outer);
	md_update(k->algo, &k->outer, pad, block);
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(kd, sizeof(kd));
	explicit_bzero(&st, sizeof(st));
	return 0;
}

void
vcd_mac_key_wipe(struct vcd_mac_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

void
vcd_mac_update(const struct vcd_mac_key *k, struct vcd_md_state *st, const uint8_t *p, size_t len)
{
	md_update(k->algo, st, p, len);
}

void
vcd_mac_final(const struct vcd_mac_key *k, struct vcd_md_state *st, uint8_t out[64])
{
	uint8_t inner[64];

	md_final(k->algo, st, out);
	if (!k->hmac)
		return;
	memcpy(inner, out, k->md_len);
	*st = k->outer;
	md_update(k->algo, st, inner, k->md_len);
	md_final(k->algo, st, out);
}
