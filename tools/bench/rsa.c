/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * RSA for the bench's akcipher (virtio-crypto AKCIPHER) support: algorithm names, keys in the
 * PKCS#1 DER forms a Linux guest hands to virtio_crypto_rsa_set_key() (and QEMU copies
 * unchanged into the vhost-user session), and the OpenSSL computations every result is
 * checked against.  The wire side (session payload, requests) is akc.c.
 *
 * Usage (vcryptd-bench, --session-layout qemu81 only):
 *   --algo rsa-BITS-raw             RAW_PADDING / NO_HASH session: encrypt = m^e mod n,
 *                                   decrypt = c^d mod n, k bytes in, k bytes out
 *   --algo rsa-BITS-pkcs1-HASH      PKCS1_PADDING session with HASH (sha1, sha224, sha256,
 *                                   sha384, sha512, none): RSAES-PKCS1-v1_5 encrypt/decrypt,
 *                                   RSASSA-PKCS1-v1_5 sign/verify of a bare digest
 *   BITS is 1024, 2048, 3072 or 4096.
 *
 * Keys.  Public: RSAPublicKey ::= SEQUENCE { n, e } (OpenSSL's "type-specific" DER).
 * Private: RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dp, dq, qinv }.  QEMU's
 * VhostUserCryptoSession keeps at most VHOST_CRYPTO_ASYM_MAX_KEY_LEN = 1024 key bytes and
 * fails the session for anything longer, and a full RSA-2048 private key is ~1191 bytes.  So
 * when the full form is over 1024 bytes we send the "no-CRT" form, the same SEQUENCE with
 * p, q, dp, dq and qinv all INTEGER 0 (02 01 00): vcryptd accepts it and computes c^d mod n
 * without CRT.  RSA-3072 fits that way (~805 bytes); RSA-4096 does not even then (n and d
 * alone take ~1032 bytes), so private-key operations on RSA-4096 cannot cross QEMU's wire at
 * all: the key says so (priv == NULL) and the runners report SKIP / refuse.
 *
 * OpenSSL 3.0 and later, EVP and OSSL_ENCODER/OSSL_PARAM only (the RSA_* functions are
 * deprecated).
 */
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcdb_internal.h"

struct rsa_hash_def {
	const char *name;
	uint32_t algo;       /* VIRTIO_CRYPTO_RSA_* hash */
	uint32_t digest_len; /* bytes of the bare digest SIGN/VERIFY take */
};

/* The virtio RSA hash numbers are not the VIRTIO_CRYPTO_HASH_* ones: SHA1 is 5, SHA224 9. */
static const struct rsa_hash_def rsa_hashes[] = {
	{"none", VIRTIO_CRYPTO_RSA_NO_HASH, 0},
	{"sha1", VIRTIO_CRYPTO_RSA_SHA1, 20},
	{"sha224", VIRTIO_CRYPTO_RSA_SHA224, 28},
	{"sha256", VIRTIO_CRYPTO_RSA_SHA256, 32},
	{"sha384", VIRTIO_CRYPTO_RSA_SHA384, 48},
	{"sha512", VIRTIO_CRYPTO_RSA_SHA512, 64},
};

#define N_RSA_HASHES (sizeof(rsa_hashes) / sizeof(rsa_hashes[0]))

static const struct rsa_hash_def *
rsa_hash_find(uint32_t algo)
{
	size_t i;

	for (i = 0; i < N_RSA_HASHES; i++)
		if (rsa_hashes[i].algo == algo)
			return &rsa_hashes[i];
	return NULL;
}

uint32_t
vcdb_rsa_digest_len(uint32_t hash)
{
	const struct rsa_hash_def *h = rsa_hash_find(hash);

	return h ? h->digest_len : 0;
}

const char *
vcdb_rsa_hash_name(uint32_t hash)
{
	const struct rsa_hash_def *h = rsa_hash_find(hash);

	return h ? h->name : "?";
}

static const EVP_MD *
rsa_md(uint32_t hash)
{
	switch (hash) {
	case VIRTIO_CRYPTO_RSA_SHA1:
		return EVP_sha1();
	case VIRTIO_CRYPTO_RSA_SHA224:
		return EVP_sha224();
	case VIRTIO_CRYPTO_RSA_SHA256:
		return EVP_sha256();
	case VIRTIO_CRYPTO_RSA_SHA384:
		return EVP_sha384();
	case VIRTIO_CRYPTO_RSA_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* "rsa-BITS-raw" or "rsa-BITS-pkcs1-HASH" */
int
vcdb_rsa_algo_parse(const char *name, struct vcdb_algo *out)
{
	unsigned long bits;
	const char *rest;
	char *end;
	size_t i;

	if (strncmp(name, "rsa-", 4) != 0 || name[4] < '1' || name[4] > '9')
		return -EINVAL;
	bits = strtoul(name + 4, &end, 10);
	if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
		return -EINVAL;
	rest = end;
	if (strlen(name) >= sizeof(out->name))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->block = 1; /* keeps symmetric size arithmetic harmless should an RSA algo reach it */
	out->rsa_bits = (uint32_t)bits;
	if (strcmp(rest, "-raw") == 0) {
		out->rsa_padding = VIRTIO_CRYPTO_RSA_RAW_PADDING;
		out->rsa_hash = VIRTIO_CRYPTO_RSA_NO_HASH;
		return 0;
	}
	if (strncmp(rest, "-pkcs1-", 7) != 0)
		return -EINVAL;
	for (i = 0; i < N_RSA_HASHES; i++) {
		if (strcmp(rest + 7, rsa_hashes[i].name) == 0) {
			out->rsa_padding = VIRTIO_CRYPTO_RSA_PKCS1_PADDING;
			out->rsa_hash = rsa_hashes[i].algo;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * DER.  Definite lengths only, in the shortest form: < 128 one byte, else 0x81 nn or
 * 0x82 nn nn (no RSA key part gets near 64 KiB).  An INTEGER holds the minimal big-endian
 * two's complement: leading zero bytes of the magnitude dropped, one 0x00 put back when the
 * top bit is set (these are all non-negative), and zero is 02 01 00.
 */
#define DER_SEQUENCE 0x30
#define DER_INTEGER  0x02
#define DER_LEN_MAX  0xffff

static size_t
der_len_size(size_t len)
{
	return len < 0x80 ? 1 : len <= 0xff ? 2 : 3;
}

static uint8_t *
der_put_hdr(uint8_t *p, uint8_t tag, size_t len)
{
	*p++ = tag;
	if (len < 0x80) {
		*p++ = (uint8_t)len;
	} else if (len <= 0xff) {
		*p++ = 0x81;
		*p++ = (uint8_t)len;
	} else {
		*p++ = 0x82;
		*p++ = (uint8_t)(len >> 8);
		*p++ = (uint8_t)len;
	}
	return p;
}

struct der_int {
	const uint8_t *mag; /* magnitude without leading zero bytes; NULL/0 for zero */
	size_t len;
	bool pad; /* a 0x00 goes first: the top bit of mag[0] is set, or the value is zero */
};

static void
der_int_set(struct der_int *x, const uint8_t *be, size_t len)
{
	while (len > 0 && be[0] == 0) {
		be++;
		len--;
	}
	x->mag = be;
	x->len = len;
	x->pad = len == 0 || (be[0] & 0x80) != 0;
}

/* Content bytes of the INTEGER. */
static size_t
der_int_content(const struct der_int *x)
{
	return x->len + x->pad;
}

static size_t
der_int_size(const struct der_int *x)
{
	size_t c = der_int_content(x);

	return 1 + der_len_size(c) + c;
}

static uint8_t *
der_put_int(uint8_t *p, const struct der_int *x)
{
	p = der_put_hdr(p, DER_INTEGER, der_int_content(x));
	if (x->pad)
		*p++ = 0x00;
	if (x->len)
		memcpy(p, x->mag, x->len);
	return p + x->len;
}

/*
 * SEQUENCE { INTEGER 0, n, e, d, INTEGER 0 x 5 }: an RSAPrivateKey without the CRT values
 * (p, q, dp, dq, qinv = 0).  @n, @e, @d are big-endian magnitudes.  Returns the length
 * written to @out, -ENOSPC when it does not fit @cap, -EINVAL for a zero n or e.
 */
int
vcdb_rsa_der_nocrt(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, const uint8_t *d,
	size_t d_len, uint8_t *out, size_t cap)
{
	struct der_int v[9] = {{0}};
	size_t content = 0, total, i;
	uint8_t *p;

	der_int_set(&v[0], NULL, 0); /* version 0 (two-prime) */
	der_int_set(&v[1], n, n_len);
	der_int_set(&v[2], e, e_len);
	der_int_set(&v[3], d, d_len);
	for (i = 4; i < 9; i++)
		der_int_set(&v[i], NULL, 0);
	if (v[1].len == 0 || v[2].len == 0 || n_len > DER_LEN_MAX / 4 || e_len > DER_LEN_MAX / 4 ||
		d_len > DER_LEN_MAX / 4)
		return -EINVAL;
	for (i = 0; i < 9; i++)
		content += der_int_size(&v[i]);
	total = 1 + der_len_size(content) + content;
	if (total > cap)
		return -ENOSPC;
	p = der_put_hdr(out, DER_SEQUENCE, content);
	for (i = 0; i < 9; i++)
		p = der_put_int(p, &v[i]);
	return (int)(p - out);
}

/* @pkey as DER in OpenSSL's "type-specific" structure (PKCS#1 for RSA); malloc'd copy. */
static int
der_encode(EVP_PKEY *pkey, int selection, uint8_t **out, uint32_t *len)
{
	OSSL_ENCODER_CTX *ectx;
	unsigned char *data = NULL;
	size_t dlen = 0;
	int ok;

	ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, "DER", "type-specific", NULL);
	if (ectx == NULL)
		return -EIO;
	ok = OSSL_ENCODER_CTX_get_num_encoders(ectx) > 0 &&
		OSSL_ENCODER_to_data(ectx, &data, &dlen);
	OSSL_ENCODER_CTX_free(ectx);
	if (!ok || dlen == 0 || dlen > UINT32_MAX) {
		OPENSSL_free(data);
		return -EIO;
	}
	*out = malloc(dlen);
	if (*out != NULL)
		memcpy(*out, data, dlen);
	OPENSSL_free(data);
	if (*out == NULL)
		return -ENOMEM;
	*len = (uint32_t)dlen;
	return 0;
}

/* A BIGNUM parameter of @pkey as a malloc'd big-endian magnitude. */
static int
bn_param(EVP_PKEY *pkey, const char *name, uint8_t **out, size_t *len)
{
	BIGNUM *bn = NULL;
	int n;

	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		return -EIO;
	n = BN_num_bytes(bn);
	*out = malloc(n > 0 ? (size_t)n : 1);
	if (*out == NULL) {
		BN_free(bn);
		return -ENOMEM;
	}
	*len = (size_t)BN_bn2bin(bn, *out);
	BN_clear_free(bn);
	return 0;
}

/* The no-CRT private key of @pkey, malloc'd (always built: its size goes into messages). */
static int
nocrt_encode(EVP_PKEY *pkey, uint8_t **out, uint32_t *len)
{
	uint8_t *n = NULL, *e = NULL, *d = NULL;
	size_t nl = 0, el = 0, dl = 0, cap;
	int rc;

	rc = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n, &nl);
	if (rc == 0)
		rc = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e, &el);
	if (rc == 0)
		rc = bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d, &dl);
	cap = nl + el + dl + 64; /* 9 headers of at most 4 bytes, 3 pads, 6 zero bytes, SEQ */
	*out = rc == 0 ? malloc(cap) : NULL;
	if (rc == 0 && *out == NULL)
		rc = -ENOMEM;
	if (rc == 0) {
		rc = vcdb_rsa_der_nocrt(n, nl, e, el, d, dl, *out, cap);
		if (rc > 0) {
			*len = (uint32_t)rc;
			rc = 0;
		}
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	if (d != NULL)
		OPENSSL_cleanse(d, dl);
	free(n);
	free(e);
	free(d);
	return rc;
}

void
vcdb_rsa_key_free(struct vcdb_rsa_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->pub);
	if (k->priv_full != NULL)
		OPENSSL_cleanse(k->priv_full, k->priv_full_len);
	if (k->priv_nocrt != NULL)
		OPENSSL_cleanse(k->priv_nocrt, k->priv_nocrt_len);
	free(k->priv_full);
	free(k->priv_nocrt);
	memset(k, 0, sizeof(*k));
}

/* Fill @k's DER forms from k->pkey and pick the private form that crosses the wire. */
static int
key_forms(struct vcdb_rsa_key *k)
{
	int rc;

	k->bits = (uint32_t)EVP_PKEY_get_bits(k->pkey);
	k->k = (uint32_t)EVP_PKEY_get_size(k->pkey);
	if (k->k == 0 || k->k > VCDB_RSA_MAX_BYTES)
		return -EINVAL;
	rc = der_encode(k->pkey, EVP_PKEY_PUBLIC_KEY, &k->pub, &k->pub_len);
	if (rc == 0)
		rc = der_encode(k->pkey, EVP_PKEY_KEYPAIR, &k->priv_full, &k->priv_full_len);
	if (rc == 0)
		rc = nocrt_encode(k->pkey, &k->priv_nocrt, &k->priv_nocrt_len);
	if (rc < 0)
		return rc;
	if (k->priv_full_len <= VCDB_AKC_KEY_MAX) {
		k->priv = k->priv_full;
		k->priv_len = k->priv_full_len;
	} else if (k->priv_nocrt_len <= VCDB_AKC_KEY_MAX) {
		k->priv = k->priv_nocrt;
		k->priv_len = k->priv_nocrt_len;
	}
	return k->pub_len <= VCDB_AKC_KEY_MAX ? 0 : -E2BIG;
}

/* A fresh key pair (e = 65537) from OpenSSL's RNG: keys are not derived from --seed. */
int
vcdb_rsa_keygen(struct vcdb_rsa_key *k, unsigned int bits)
{
	int rc;

	memset(k, 0, sizeof(*k));
	if (bits < 512 || bits > VCDB_RSA_MAX_BYTES * 8)
		return -EINVAL;
	k->pkey = EVP_RSA_gen(bits);
	if (k->pkey == NULL)
		return -EIO;
	rc = key_forms(k);
	if (rc < 0)
		vcdb_rsa_key_free(k);
	return rc;
}

/* One INTEGER of a parsed SEQUENCE as a BIGNUM (NULL if it is not an INTEGER). */
static BIGNUM *
seq_bn(const STACK_OF(ASN1_TYPE) * seq, int i)
{
	const ASN1_TYPE *t = sk_ASN1_TYPE_value(seq, i);

	if (t == NULL || ASN1_TYPE_get(t) != V_ASN1_INTEGER)
		return NULL;
	return ASN1_INTEGER_to_BN(t->value.integer, NULL);
}

static int
pkey_fromdata(BIGNUM *const *bn, int nr, bool priv, EVP_PKEY **out)
{
	static const char *const names[8] = {OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	int ok = bld != NULL, i;

	for (i = 0; ok && i < nr; i++)
		ok = OSSL_PARAM_BLD_push_BN(bld, names[i], bn[i]);
	if (ok)
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params != NULL)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	*out = NULL;
	ok = ctx != NULL && EVP_PKEY_fromdata_init(ctx) > 0 &&
		EVP_PKEY_fromdata(ctx, out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) >
			0;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return ok ? 0 : -EIO;
}

/*
 * Parse a PKCS#1 RSAPublicKey (@priv false) or RSAPrivateKey (@priv true) with OpenSSL's
 * DER parser (d2i_ASN1_SEQUENCE_ANY: minimal INTEGERs, no trailing bytes) into a key.  A
 * private key whose CRT values are all zero (the no-CRT form) becomes an n, e, d key, which
 * OpenSSL runs without CRT; *@nocrt says which it was.  Used by the self-test and the fake
 * backend to read back what the bench sends.  0, -EINVAL (not that structure) or -EIO.
 */
int
vcdb_rsa_der_parse(const uint8_t *der, size_t len, bool priv, void **pkey, bool *nocrt)
{
	const unsigned char *p = der;
	STACK_OF(ASN1_TYPE) * seq;
	BIGNUM *bn[9] = {NULL};
	int want = priv ? 9 : 2, i, rc = 0, zeros = 0;

	*pkey = NULL;
	if (nocrt != NULL)
		*nocrt = false;
	if (len == 0 || len > DER_LEN_MAX)
		return -EINVAL;
	seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	if (seq == NULL || p != der + len || sk_ASN1_TYPE_num(seq) != want)
		rc = -EINVAL;
	for (i = 0; rc == 0 && i < want; i++) {
		bn[i] = seq_bn(seq, i);
		if (bn[i] == NULL || BN_is_negative(bn[i]))
			rc = -EINVAL;
	}
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	if (rc == 0 && priv && !BN_is_zero(bn[0])) /* version 0: two primes, no otherPrimeInfos */
		rc = -EINVAL;
	for (i = 4; rc == 0 && priv && i < 9; i++)
		zeros += BN_is_zero(bn[i]);
	if (rc == 0 && zeros != 0 && zeros != 5)
		rc = -EINVAL; /* some CRT values but not all */
	if (rc == 0)
		rc = pkey_fromdata(
			priv ? bn + 1 : bn, priv ? (zeros ? 3 : 8) : 2, priv, (EVP_PKEY **)pkey);
	if (rc == 0 && nocrt != NULL)
		*nocrt = zeros == 5;
	for (i = 0; i < 9; i++)
		BN_clear_free(bn[i]);
	return rc;
}

void
vcdb_rsa_pkey_free(void *pkey)
{
	EVP_PKEY_free(pkey);
}

uint32_t
vcdb_rsa_pkey_size(const void *pkey)
{
	int n = EVP_PKEY_get_size(pkey);

	return n > 0 ? (uint32_t)n : 0;
}

static int
op_init(EVP_PKEY_CTX *ctx, enum vcdb_rsa_op op)
{
	switch (op) {
	case VCDB_RSA_ENCRYPT:
		return EVP_PKEY_encrypt_init(ctx);
	case VCDB_RSA_DECRYPT:
		return EVP_PKEY_decrypt_init(ctx);
	case VCDB_RSA_SIGN:
		return EVP_PKEY_sign_init(ctx);
	case VCDB_RSA_VERIFY:
		return EVP_PKEY_verify_init(ctx);
	}
	return 0;
}

/*
 * One RSA operation on @pkey with virtio padding/hash numbers, as the device is to perform
 * it: RAW = RSA_NO_PADDING (in: exactly k bytes, a value < n; out: k bytes, left-padded),
 * PKCS1 = RSAES-PKCS1-v1_5 for ENCRYPT/DECRYPT and EMSA-PKCS1-v1_5 with the hash's
 * DigestInfo for SIGN/VERIFY (no DigestInfo with NO_HASH).  VERIFY takes the signature in
 * @in and the digest in @in2 and returns 0 for a good signature, -EKEYREJECTED otherwise.
 * The others write at most @out_cap bytes to @out and set *@out_len.  -EINVAL for what the
 * padding does not allow (RAW SIGN/VERIFY, a digest of the wrong length), -EIO when OpenSSL
 * fails, -ENOSPC when @out_cap < k.
 */
int
vcdb_rsa_pkey_op(void *pkey, enum vcdb_rsa_op op, uint32_t padding, uint32_t hash,
	const uint8_t *in, uint32_t in_len, const uint8_t *in2, uint32_t in2_len, uint8_t *out,
	uint32_t out_cap, uint32_t *out_len)
{
	bool pkcs1 = padding == VIRTIO_CRYPTO_RSA_PKCS1_PADDING;
	bool sig = op == VCDB_RSA_SIGN || op == VCDB_RSA_VERIFY;
	const EVP_MD *md = rsa_md(hash);
	uint32_t k = vcdb_rsa_pkey_size(pkey);
	EVP_PKEY_CTX *ctx;
	size_t olen = out_cap;
	int ok, r = -1;

	if (!pkcs1 && padding != VIRTIO_CRYPTO_RSA_RAW_PADDING)
		return -EINVAL;
	if ((sig && !pkcs1) || (sig && hash != VIRTIO_CRYPTO_RSA_NO_HASH && md == NULL))
		return -EINVAL;
	if (sig && md != NULL &&
		(op == VCDB_RSA_SIGN ? in_len : in2_len) != vcdb_rsa_digest_len(hash))
		return -EINVAL;
	if (op != VCDB_RSA_VERIFY && out_cap < k)
		return -ENOSPC;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (ctx == NULL)
		return -ENOMEM;
	ok = op_init(ctx, op) > 0 &&
		EVP_PKEY_CTX_set_rsa_padding(ctx, pkcs1 ? RSA_PKCS1_PADDING : RSA_NO_PADDING) > 0;
	if (ok && sig && md != NULL)
		ok = EVP_PKEY_CTX_set_signature_md(ctx, md) > 0;
	if (ok) {
		switch (op) {
		case VCDB_RSA_ENCRYPT:
			r = EVP_PKEY_encrypt(ctx, out, &olen, in, in_len);
			break;
		case VCDB_RSA_DECRYPT:
			r = EVP_PKEY_decrypt(ctx, out, &olen, in, in_len);
			break;
		case VCDB_RSA_SIGN:
			r = EVP_PKEY_sign(ctx, out, &olen, in, in_len);
			break;
		case VCDB_RSA_VERIFY:
			r = EVP_PKEY_verify(ctx, in, in_len, in2, in2_len);
			olen = 0;
			break;
		}
	}
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return -EIO;
	if (op == VCDB_RSA_VERIFY)
		return r == 1 ? 0 : -EKEYREJECTED;
	if (r <= 0 || olen > out_cap)
		return -EIO;
	*out_len = (uint32_t)olen;
	return 0;
}

/* The same on a bench key (reference results). */
int
vcdb_rsa_ref(const struct vcdb_rsa_key *k, enum vcdb_rsa_op op, uint32_t padding, uint32_t hash,
	const uint8_t *in, uint32_t in_len, const uint8_t *in2, uint32_t in2_len, uint8_t *out,
	uint32_t out_cap, uint32_t *out_len)
{
	return vcdb_rsa_pkey_op(
		k->pkey, op, padding, hash, in, in_len, in2, in2_len, out, out_cap, out_len);
}

const char *
vcdb_rsa_op_name(enum vcdb_rsa_op op)
{
	static const char *const names[] = {"encrypt", "decrypt", "sign", "verify"};

	return (unsigned int)op < 4 ? names[op] : "?";
}

int
vcdb_rsa_op_parse(const char *name, enum vcdb_rsa_op *out)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (strcmp(name, vcdb_rsa_op_name((enum vcdb_rsa_op)i)) == 0) {
			*out = (enum vcdb_rsa_op)i;
			return 0;
		}
	}
	return -EINVAL;
}

uint32_t
vcdb_rsa_opcode(enum vcdb_rsa_op op)
{
	static const uint32_t codes[] = {VIRTIO_CRYPTO_AKCIPHER_ENCRYPT,
		VIRTIO_CRYPTO_AKCIPHER_DECRYPT, VIRTIO_CRYPTO_AKCIPHER_SIGN,
		VIRTIO_CRYPTO_AKCIPHER_VERIFY};

	return (unsigned int)op < 4 ? codes[op] : 0;
}

/* Decrypt and sign need the private key; encrypt and verify the public one. */
bool
vcdb_rsa_op_private(enum vcdb_rsa_op op)
{
	return op == VCDB_RSA_DECRYPT || op == VCDB_RSA_SIGN;
}
