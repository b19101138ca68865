/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vcdb-akc-selftest: the bench's RSA/akcipher encoders checked without a backend.
 *
 * Usage: vcdb-akc-selftest [-v]     (exit 0: all passed; -v also dumps a session payload)
 *
 *  - the no-CRT DER encoder against hand-made encodings (short, 0x81 and 0x82 lengths,
 *    the 0x00 before a set top bit, leading zero bytes dropped, zero as 02 01 00);
 *  - for RSA-1024..4096: the public, full private and no-CRT private DER read back with
 *    OpenSSL (d2i_PublicKey, d2i_PrivateKey, and d2i_ASN1_SEQUENCE_ANY for the no-CRT form)
 *    to the same key, the no-CRT key computing the same decryptions and signatures, and the
 *    private form chosen for QEMU's 1024-byte limit (1024: full, 2048/3072: no-CRT,
 *    4096: none);
 *  - the 1072-byte CREATE_CRYPTO_SESSION payload against QEMU's structs re-declared here
 *    (the compiler lays them out: offsets independent of akc.c's constants);
 *  - the OpenSSL reference operations against each other (round trips, good and bad
 *    signatures) and the algorithm names.
 */
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcdbench.h"

static unsigned int failures, checks;
static bool verbose;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("FAIL %s:%d: ", __func__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/*
 * QEMU's VhostUserCryptoSession (hw/virtio/vhost-user.c) around include/system/cryptodev.h's
 * session infos, as QEMU >= 8.1 declares them.  QEMU sends the struct raw, so its LP64
 * layout is the wire format.
 */
struct q_sym_info {
	uint32_t cipher_alg, key_len, hash_alg, hash_result_len, auth_key_len, add_len;
	uint8_t op_type, direction, hash_mode, alg_chain_order;
	uint8_t *cipher_key;
	uint8_t *auth_key;
};

struct q_rsa_para {
	uint32_t padding_algo;
	uint32_t hash_algo;
};

struct q_asym_info {
	uint32_t algo;
	uint32_t keytype;
	uint32_t keylen;
	uint8_t *key;
	union {
		struct q_rsa_para rsa;
	} u;
};

struct q_session {
	uint64_t op_code;
	union {
		struct {
			struct q_sym_info session_setup_data;
			uint8_t key[64];
			uint8_t auth_key[512];
		} sym;
		struct {
			struct q_asym_info session_setup_data;
			uint8_t key[1024];
		} asym;
	} u;
	int64_t session_id;
};

static void
hexdump(const uint8_t *p, size_t n)
{
	static const uint8_t zero[16];
	bool skipped = false;
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		size_t len = n - i < 16 ? n - i : 16;

		if (i != 0 && i + 16 < n && memcmp(p + i, zero, len) == 0) {
			if (!skipped)
				printf("  *\n");
			skipped = true;
			continue;
		}
		skipped = false;
		printf("  %04zx ", i);
		for (j = 0; j < len; j++)
			printf(" %02x", p[i + j]);
		printf("\n");
	}
}

/* The no-CRT encoder on values whose encoding is written out by hand. */
static void
test_der_vectors(void)
{
	static const uint8_t small[] = {0x30, 0x1c, 0x02, 0x01, 0x00, /* version */
		0x02, 0x02, 0x00, 0x80,                               /* n = 0x80: pad */
		0x02, 0x01, 0x03,                                     /* e = 3 */
		0x02, 0x01, 0x01,                                     /* d = 1 */
		0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01,
		0x00};
	uint8_t n[300], e[3] = {0x00, 0x00, 0x03}, d[200], out[1024];
	int len;

	len = vcdb_rsa_der_nocrt(
		(const uint8_t[]){0x80}, 1, e, 3, (const uint8_t[]){1}, 1, out, sizeof(out));
	CHECK(len == (int)sizeof(small) && memcmp(out, small, sizeof(small)) == 0,
		"small vector: len %d", len);
	CHECK(vcdb_rsa_der_nocrt((const uint8_t[]){0x80}, 1, e, 3, (const uint8_t[]){1}, 1, out,
		      sizeof(small) - 1) == -ENOSPC,
		"one byte short must be -ENOSPC");
	CHECK(vcdb_rsa_der_nocrt(NULL, 0, e, 3, d, 1, out, sizeof(out)) == -EINVAL, "n = 0");

	/* n: 0x00 0x00 then 200 bytes 0xff -> INTEGER 02 81 c9 00 ff..; d = 0 -> 02 01 00.
	 * content = 3 + (3 + 201) + 3 + 3 + 15 = 228 -> 30 81 e4. */
	memset(n, 0, 2);
	memset(n + 2, 0xff, 200);
	len = vcdb_rsa_der_nocrt(n, 202, e, 3, d, 0, out, sizeof(out));
	CHECK(len == 3 + 228, "0x81 vector: len %d", len);
	CHECK(out[0] == 0x30 && out[1] == 0x81 && out[2] == 0xe4, "0x81 SEQUENCE header");
	CHECK(out[6] == 0x02 && out[7] == 0x81 && out[8] == 0xc9 && out[9] == 0x00 &&
			out[10] == 0xff && out[209] == 0xff,
		"0x81 INTEGER with pad");
	CHECK(memcmp(out + 210, (const uint8_t[]){0x02, 0x01, 0x03, 0x02, 0x01, 0x00}, 6) == 0,
		"e = 3, d = 0");

	/* n: 300 bytes 0x7f (no pad) -> 02 82 01 2c; d: 200 bytes 0x01 -> 02 81 c8.
	 * content = 3 + 304 + 3 + 203 + 15 = 528 = 0x210 -> 30 82 02 10. */
	memset(n, 0x7f, sizeof(n));
	memset(d, 0x01, sizeof(d));
	len = vcdb_rsa_der_nocrt(n, 300, e, 3, d, 200, out, sizeof(out));
	CHECK(len == 4 + 528, "0x82 vector: len %d", len);
	CHECK(out[0] == 0x30 && out[1] == 0x82 && out[2] == 0x02 && out[3] == 0x10,
		"0x82 SEQUENCE header");
	CHECK(out[7] == 0x02 && out[8] == 0x82 && out[9] == 0x01 && out[10] == 0x2c &&
			out[11] == 0x7f,
		"0x82 INTEGER, no pad");
	CHECK(out[314] == 0x02 && out[315] == 0x81 && out[316] == 0xc8 && out[317] == 0x01,
		"d header");
}

/* Do two keys compute the same raw decryption and PKCS#1 SHA-256 signature? */
static bool
same_private_ops(void *a, void *b, uint32_t k)
{
	uint8_t in[VCDB_RSA_MAX_BYTES], o1[VCDB_RSA_MAX_BYTES], o2[VCDB_RSA_MAX_BYTES];
	uint32_t l1 = 0, l2 = 0;
	uint32_t i;

	for (i = 0; i < k; i++)
		in[i] = (uint8_t)(i * 37 + 11);
	in[0] = 0;
	if (vcdb_rsa_pkey_op(a, VCDB_RSA_DECRYPT, VIRTIO_CRYPTO_RSA_RAW_PADDING, 0, in, k, NULL, 0,
		    o1, sizeof(o1), &l1) < 0 ||
		vcdb_rsa_pkey_op(b, VCDB_RSA_DECRYPT, VIRTIO_CRYPTO_RSA_RAW_PADDING, 0, in, k, NULL,
			0, o2, sizeof(o2), &l2) < 0 ||
		l1 != k || l2 != k || memcmp(o1, o2, k) != 0)
		return false;
	if (vcdb_rsa_pkey_op(a, VCDB_RSA_SIGN, VIRTIO_CRYPTO_RSA_PKCS1_PADDING,
		    VIRTIO_CRYPTO_RSA_SHA256, in, 32, NULL, 0, o1, sizeof(o1), &l1) < 0 ||
		vcdb_rsa_pkey_op(b, VCDB_RSA_SIGN, VIRTIO_CRYPTO_RSA_PKCS1_PADDING,
			VIRTIO_CRYPTO_RSA_SHA256, in, 32, NULL, 0, o2, sizeof(o2), &l2) < 0)
		return false;
	return l1 == k && l2 == k && memcmp(o1, o2, k) == 0;
}

static void
test_key_forms(unsigned int bits)
{
	static const uint8_t zeros5[] = {2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0};
	struct vcdb_rsa_key k;
	const unsigned char *p;
	EVP_PKEY *pk;
	void *parsed = NULL;
	bool nocrt = false;
	int rc;

	rc = vcdb_rsa_keygen(&k, bits);
	CHECK(rc == 0, "keygen %u: %d", bits, rc);
	if (rc < 0)
		return;
	CHECK(k.bits == bits && k.k == bits / 8, "%u: bits %u k %u", bits, k.bits, k.k);
	printf("rsa-%u: public %u B, private %u B, no-CRT %u B -> sends %s\n", bits, k.pub_len,
		k.priv_full_len, k.priv_nocrt_len,
		k.priv == NULL                  ? "no private key (over 1024 B)"
			: k.priv == k.priv_full ? "the full private key"
						: "the no-CRT private key");

	/* public: OpenSSL's own PKCS#1 reader, and ours */
	p = k.pub;
	pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, k.pub_len);
	CHECK(pk != NULL && p == k.pub + k.pub_len && EVP_PKEY_eq(pk, k.pkey) == 1,
		"%u: RSAPublicKey does not read back", bits);
	EVP_PKEY_free(pk);
	rc = vcdb_rsa_der_parse(k.pub, k.pub_len, false, &parsed, NULL);
	CHECK(rc == 0 && EVP_PKEY_eq(parsed, k.pkey) == 1, "%u: own public parse %d", bits, rc);
	vcdb_rsa_pkey_free(parsed);

	/* full private */
	p = k.priv_full;
	pk = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, k.priv_full_len);
	CHECK(pk != NULL && p == k.priv_full + k.priv_full_len && EVP_PKEY_eq(pk, k.pkey) == 1,
		"%u: RSAPrivateKey does not read back", bits);
	EVP_PKEY_free(pk);
	rc = vcdb_rsa_der_parse(k.priv_full, k.priv_full_len, true, &parsed, &nocrt);
	CHECK(rc == 0 && !nocrt && same_private_ops(parsed, k.pkey, k.k),
		"%u: own full private parse %d", bits, rc);
	vcdb_rsa_pkey_free(parsed);

	/* no-CRT: the SEQUENCE's INTEGERs through OpenSSL's DER parser, then the same maths */
	CHECK(k.priv_nocrt[0] == 0x30 && memcmp(k.priv_nocrt + 4, "\x02\x01\x00", 3) == 0 &&
			memcmp(k.priv_nocrt + k.priv_nocrt_len - 15, zeros5, 15) == 0,
		"%u: no-CRT shape", bits);
	rc = vcdb_rsa_der_parse(k.priv_nocrt, k.priv_nocrt_len, true, &parsed, &nocrt);
	CHECK(rc == 0 && nocrt && EVP_PKEY_eq(parsed, k.pkey) == 1 &&
			same_private_ops(parsed, k.pkey, k.k),
		"%u: no-CRT key does not read back to the same key (%d)", bits, rc);
	vcdb_rsa_pkey_free(parsed);
	CHECK(vcdb_rsa_der_parse(k.priv_nocrt, k.priv_nocrt_len - 1, true, &parsed, NULL) < 0,
		"%u: truncated no-CRT key accepted", bits);
	vcdb_rsa_pkey_free(parsed);

	/* the form that crosses QEMU's 1024-byte key buffer */
	CHECK(k.pub_len <= VCDB_AKC_KEY_MAX, "%u: public key %u B", bits, k.pub_len);
	if (bits == 1024)
		CHECK(k.priv == k.priv_full, "1024: the full key fits");
	else if (bits <= 3072)
		CHECK(k.priv == k.priv_nocrt && k.priv_full_len > VCDB_AKC_KEY_MAX &&
				k.priv_nocrt_len <= VCDB_AKC_KEY_MAX,
			"%u: the no-CRT key is sent", bits);
	else
		CHECK(k.priv == NULL && k.priv_nocrt_len > VCDB_AKC_KEY_MAX,
			"%u: no private form fits", bits);
	vcdb_rsa_key_free(&k);
}

static uint64_t
get_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static void
test_session_payload(void)
{
	struct vcdb_rsa_key k;
	struct vcdb_akc_session s;
	uint8_t buf[VCDB_AKC_SESS_SIZE + 8];
	struct q_session q;
	size_t i, bad = 0;
	int n;

	CHECK(sizeof(struct q_session) == VCDB_AKC_SESS_SIZE, "QEMU struct is %zu B",
		sizeof(struct q_session));
	CHECK(offsetof(struct q_session, u.asym.session_setup_data.algo) == 8 &&
			offsetof(struct q_session, u.asym.session_setup_data.keytype) == 12 &&
			offsetof(struct q_session, u.asym.session_setup_data.keylen) == 16 &&
			offsetof(struct q_session, u.asym.session_setup_data.key) == 24 &&
			offsetof(struct q_session, u.asym.session_setup_data.u.rsa.padding_algo) ==
				32 &&
			offsetof(struct q_session, u.asym.session_setup_data.u.rsa.hash_algo) ==
				36 &&
			offsetof(struct q_session, u.asym.key) == 40 &&
			offsetof(struct q_session, session_id) == 1064,
		"QEMU struct offsets");
	if (vcdb_rsa_keygen(&k, 2048) < 0) {
		CHECK(false, "keygen 2048");
		return;
	}
	s = (struct vcdb_akc_session){VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PRIVATE,
		VIRTIO_CRYPTO_RSA_PKCS1_PADDING, VIRTIO_CRYPTO_RSA_SHA256, k.priv, k.priv_len};
	memset(buf, 0xee, sizeof(buf));
	n = vcdb_akc_session_encode(&s, buf, sizeof(buf));
	CHECK(n == VCDB_AKC_SESS_SIZE, "encode: %d", n);
	CHECK(buf[VCDB_AKC_SESS_SIZE] == 0xee, "encode wrote past 1072 bytes");
	memcpy(&q, buf, sizeof(q));
	CHECK(q.op_code == VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION && q.op_code == 0x404,
		"op_code %#llx", (unsigned long long)q.op_code);
	CHECK(q.u.asym.session_setup_data.algo == VIRTIO_CRYPTO_AKCIPHER_RSA, "algo");
	CHECK(q.u.asym.session_setup_data.keytype == 2, "keytype");
	CHECK(q.u.asym.session_setup_data.keylen == k.priv_len, "keylen");
	CHECK(q.u.asym.session_setup_data.key == NULL, "QEMU's key pointer is 0");
	CHECK(q.u.asym.session_setup_data.u.rsa.padding_algo == 1 &&
			q.u.asym.session_setup_data.u.rsa.hash_algo == 6,
		"padding/hash");
	CHECK(memcmp(q.u.asym.key, k.priv, k.priv_len) == 0, "key bytes");
	CHECK(q.session_id == 0, "session_id");
	for (i = 0; i < VCDB_AKC_SESS_SIZE; i++) /* padding and unused key bytes are zero */
		bad += (i >= 20 && i < 32 && buf[i]) || (i >= 40 + k.priv_len && buf[i]);
	CHECK(bad == 0, "%zu stray non-zero bytes", bad);
	CHECK(get_le(buf + 8, 4) == 1 && get_le(buf + 12, 4) == 2 &&
			get_le(buf + 16, 4) == k.priv_len && get_le(buf + 32, 4) == 1 &&
			get_le(buf + 36, 4) == 6,
		"little-endian fields");
	if (verbose) {
		printf("CREATE_CRYPTO_SESSION payload, rsa-2048-pkcs1-sha256 private (no-CRT, %u "
		       "B key):\n",
			k.priv_len);
		hexdump(buf, VCDB_AKC_SESS_SIZE);
	}

	s.key_len = VCDB_AKC_KEY_MAX + 1;
	CHECK(vcdb_akc_session_encode(&s, buf, sizeof(buf)) == -EINVAL, "1025-byte key");
	s.key_len = k.priv_len;
	CHECK(vcdb_akc_session_encode(&s, buf, VCDB_AKC_SESS_SIZE - 1) == -ENOSPC, "short buffer");
	vcdb_rsa_key_free(&k);
}

static int
op(struct vcdb_rsa_key *k, enum vcdb_rsa_op o, uint32_t pad, uint32_t hash, const uint8_t *in,
	uint32_t in_len, const uint8_t *in2, uint32_t in2_len, uint8_t *out, uint32_t *out_len)
{
	return vcdb_rsa_ref(
		k, o, pad, hash, in, in_len, in2, in2_len, out, VCDB_RSA_MAX_BYTES, out_len);
}

static void
test_reference(void)
{
	uint8_t m[128], c[128], r[128], sig[128], dg[64];
	struct vcdb_rsa_key k;
	uint32_t n = 0, sl = 0;
	unsigned int i;

	if (vcdb_rsa_keygen(&k, 1024) < 0) {
		CHECK(false, "keygen 1024");
		return;
	}
	for (i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)(i * 7 + 1);
	m[0] = 0;
	memset(dg, 0x42, sizeof(dg));
	CHECK(op(&k, VCDB_RSA_ENCRYPT, 0, 0, m, 128, NULL, 0, c, &n) == 0 && n == 128 &&
			op(&k, VCDB_RSA_DECRYPT, 0, 0, c, 128, NULL, 0, r, &n) == 0 && n == 128 &&
			memcmp(r, m, 128) == 0,
		"raw round trip");
	CHECK(op(&k, VCDB_RSA_ENCRYPT, 0, 0, m, 127, NULL, 0, c, &n) < 0, "raw needs k bytes");
	CHECK(op(&k, VCDB_RSA_ENCRYPT, 1, 0, m, 117, NULL, 0, c, &n) == 0 && n == 128 &&
			op(&k, VCDB_RSA_DECRYPT, 1, 0, c, 128, NULL, 0, r, &n) == 0 && n == 117 &&
			memcmp(r, m, 117) == 0,
		"pkcs1 round trip, k - 11 bytes");
	CHECK(op(&k, VCDB_RSA_ENCRYPT, 1, 0, m, 118, NULL, 0, c, &n) < 0, "pkcs1 k - 10 bytes");
	CHECK(op(&k, VCDB_RSA_SIGN, 1, VIRTIO_CRYPTO_RSA_SHA1, dg, 20, NULL, 0, sig, &sl) == 0 &&
			sl == 128 &&
			op(&k, VCDB_RSA_VERIFY, 1, VIRTIO_CRYPTO_RSA_SHA1, sig, sl, dg, 20, NULL,
				&n) == 0,
		"sha1 sign/verify");
	sig[127] ^= 1;
	CHECK(op(&k, VCDB_RSA_VERIFY, 1, VIRTIO_CRYPTO_RSA_SHA1, sig, sl, dg, 20, NULL, &n) ==
			-EKEYREJECTED,
		"bad signature rejected");
	sig[127] ^= 1;
	dg[0] ^= 0x80;
	CHECK(op(&k, VCDB_RSA_VERIFY, 1, VIRTIO_CRYPTO_RSA_SHA1, sig, sl, dg, 20, NULL, &n) ==
			-EKEYREJECTED,
		"wrong digest rejected");
	CHECK(op(&k, VCDB_RSA_SIGN, 1, VIRTIO_CRYPTO_RSA_SHA256, dg, 20, NULL, 0, sig, &sl) ==
			-EINVAL,
		"a 20-byte digest for SHA-256");
	CHECK(op(&k, VCDB_RSA_SIGN, 0, 0, dg, 20, NULL, 0, sig, &sl) == -EINVAL, "raw sign");
	/* NO_HASH: the input is signed as given, so a DigestInfo'd signature differs */
	CHECK(op(&k, VCDB_RSA_SIGN, 1, VIRTIO_CRYPTO_RSA_NO_HASH, dg, 20, NULL, 0, sig, &sl) == 0 &&
			op(&k, VCDB_RSA_SIGN, 1, VIRTIO_CRYPTO_RSA_SHA1, dg, 20, NULL, 0, c, &n) ==
				0 &&
			memcmp(sig, c, 128) != 0 &&
			op(&k, VCDB_RSA_VERIFY, 1, 0, sig, sl, dg, 20, NULL, &n) == 0,
		"no-hash sign/verify");
	vcdb_rsa_key_free(&k);
}

static void
test_names(void)
{
	static const char *const bad[] = {"rsa-2047-raw", "rsa-2048", "rsa-2048-pkcs1",
		"rsa-2048-pkcs1-md5", "rsa-2048-raw-sha1", "rsa-+2048-raw", "rsa-02048-raw",
		"rsa-2048-pkcs1-sha256x", "rsa-512-raw"};
	struct vcdb_algo a;
	size_t i;

	CHECK(vcdb_algo_parse("rsa-2048-raw", &a) == 0 && vcdb_algo_is_rsa(&a) &&
			a.rsa_bits == 2048 && a.rsa_padding == 0 && a.rsa_hash == 0,
		"rsa-2048-raw");
	CHECK(vcdb_algo_parse("rsa-4096-pkcs1-sha224", &a) == 0 && a.rsa_bits == 4096 &&
			a.rsa_padding == 1 && a.rsa_hash == VIRTIO_CRYPTO_RSA_SHA224 &&
			strcmp(a.name, "rsa-4096-pkcs1-sha224") == 0,
		"rsa-4096-pkcs1-sha224");
	CHECK(vcdb_algo_parse("rsa-1024-pkcs1-none", &a) == 0 && a.rsa_hash == 0 &&
			a.rsa_padding == 1,
		"rsa-1024-pkcs1-none");
	CHECK(vcdb_algo_parse("aes-cbc-128", &a) == 0 && !vcdb_algo_is_rsa(&a), "aes-cbc-128");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(vcdb_algo_parse(bad[i], &a) < 0, "%s accepted", bad[i]);
}

int
main(int argc, char **argv)
{
	static const unsigned int sizes[] = {1024, 2048, 3072, 4096};
	size_t i;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	test_names();
	test_der_vectors();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		test_key_forms(sizes[i]);
	test_session_payload();
	test_reference();
	printf("akc selftest: %u of %u checks failed\n", failures, checks);
	return failures ? 1 : 0;
}
