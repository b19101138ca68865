/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The synchronous path's one primitive, vcd_sync_batch() (sync.h), on a real
 * crypto_aesni_mb (EAL without hugepages), checked against OpenSSL: batches
 * of requests of different sizes, over 64 KiB too (so several pieces, each
 * with the IV its request has reached), AES-128-CBC encrypt and decrypt,
 * AES-128-CTR, and AES-128-CBC + HMAC-SHA1 chains in both orders.  A broken
 * IV carry, a piece skipped or a hash over the wrong bytes fails here.
 */
#include <check.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rte_cryptodev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "vcryptd/backend.h"
#include "vcryptd/sync.h"
#include "unit_main.h"

#define NJOBS 5
static const uint32_t sizes[NJOBS] = {16, 4096, 65520, 65536 + 16, 3 * 65520 + 48};
static const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15,
	0x88, 0x09, 0xcf, 0x4f, 0x3c};
static const uint8_t hkey[20] = "vcryptd-hmac-key-20b";

static uint8_t dev;
static struct rte_mempool *pool;

static void
eal_up(void)
{
	char lcore[16], prefix[64];

	vcd_unit_lcore(lcore, sizeof(lcore));
	snprintf(prefix, sizeof(prefix), "--file-prefix=vcd-test-sync-%d", (int)getpid());
	{
		char *argv[] = {"test_sync", "--no-huge", "-m", "128", "--no-shconf", "--no-pci",
			"--no-telemetry", "-l", lcore, "--log-level=error", "--vdev",
			"crypto_aesni_mb", prefix, NULL};
		struct rte_cryptodev_config conf = {.socket_id = 0, .nb_queue_pairs = 1};
		struct rte_cryptodev_qp_conf qc = {.nb_descriptors = 64};
		int id;

		ck_assert_msg(rte_eal_init((int)RTE_DIM(argv) - 1, argv) >= 0, "rte_eal_init: %s",
			rte_strerror(rte_errno));
		id = rte_cryptodev_get_dev_id("crypto_aesni_mb");
		ck_assert_int_ge(id, 0);
		dev = (uint8_t)id;
		pool = rte_cryptodev_sym_session_pool_create("vcd_test_sync", 16,
			rte_cryptodev_sym_get_private_session_size(dev), 0, 0, 0);
		ck_assert_ptr_nonnull(pool);
		qc.mp_session = pool;
		ck_assert_int_eq(rte_cryptodev_configure(dev, &conf), 0);
		ck_assert_int_eq(rte_cryptodev_queue_pair_setup(dev, 0, &qc, 0), 0);
		ck_assert_int_eq(rte_cryptodev_start(dev), 0);
	}
}

static void *
session(enum rte_crypto_cipher_algorithm c, bool enc, bool with_hash)
{
	struct rte_crypto_sym_xform x = {0};
	void *s;

	if (with_hash) { /* the hash half alone */
		x.type = RTE_CRYPTO_SYM_XFORM_AUTH;
		x.auth.op = RTE_CRYPTO_AUTH_OP_GENERATE;
		x.auth.algo = RTE_CRYPTO_AUTH_SHA1_HMAC;
		x.auth.key.data = hkey;
		x.auth.key.length = sizeof(hkey);
		x.auth.digest_length = 20;
	} else {
		x.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		x.cipher.op = enc ? RTE_CRYPTO_CIPHER_OP_ENCRYPT : RTE_CRYPTO_CIPHER_OP_DECRYPT;
		x.cipher.algo = c;
		x.cipher.key.data = key;
		x.cipher.key.length = 16;
		x.cipher.iv.offset = VCD_BACKEND_IV_OFFSET;
		x.cipher.iv.length = 16;
	}
	s = rte_cryptodev_sym_session_create(dev, &x, pool);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* OpenSSL's answer for @len bytes of @in. */
static void
reference(const EVP_CIPHER *ev, bool enc, const uint8_t *iv, const uint8_t *in, uint8_t *out,
	uint32_t len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;

	ck_assert(EVP_CipherInit_ex(ctx, ev, NULL, key, iv, enc ? 1 : 0) == 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	ck_assert(EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1);
	ck_assert(EVP_CipherFinal_ex(ctx, out + n, &m) == 1);
	ck_assert_int_eq(n + m, (int)len);
	EVP_CIPHER_CTX_free(ctx);
}

struct bufs {
	uint8_t *data[NJOBS], *ref[NJOBS], *orig[NJOBS];
	struct vcd_sync_job job[NJOBS];
	struct vcd_sync_job *jobs[NJOBS];
};

static void
bufs_fill(struct bufs *b, unsigned int seed)
{
	unsigned int i, k;

	srand(seed);
	for (i = 0; i < NJOBS; i++) {
		if (b->data[i] == NULL) {
			b->data[i] = rte_malloc(NULL, sizes[i], 64);
			b->ref[i] = malloc(sizes[i]);
			b->orig[i] = malloc(sizes[i]);
			ck_assert(b->data[i] && b->ref[i] && b->orig[i]);
		}
		for (k = 0; k < sizes[i]; k++)
			b->orig[i][k] = (uint8_t)rand();
		memcpy(b->data[i], b->orig[i], sizes[i]);
		memset(&b->job[i], 0, sizeof(b->job[i]));
		b->job[i].buf = b->data[i];
		b->job[i].c_len = sizes[i];
		for (k = 0; k < 16; k++)
			b->job[i].iv[k] = (uint8_t)(seed + i * 16 + k);
		b->jobs[i] = &b->job[i];
	}
}

static void
bufs_free(struct bufs *b)
{
	unsigned int i;

	for (i = 0; i < NJOBS; i++) {
		rte_free(b->data[i]);
		free(b->ref[i]);
		free(b->orig[i]);
	}
}

static void
cipher_case(enum rte_crypto_cipher_algorithm algo, uint8_t mode, bool enc, const EVP_CIPHER *ev)
{
	struct vcd_sync_alg a = {.dev_id = dev,
		.mode = mode,
		.encrypt = enc,
		.block = 16,
		.iv_len = 16,
		.cipher = session(algo, enc, false)};
	struct bufs b = {0};
	uint8_t iv0[NJOBS][16];
	unsigned int i;

	bufs_fill(&b, 1 + (unsigned int)algo * 2 + enc);
	for (i = 0; i < NJOBS; i++)
		memcpy(iv0[i], b.job[i].iv, 16);
	vcd_sync_batch(&a, b.jobs, NJOBS);
	for (i = 0; i < NJOBS; i++) {
		ck_assert_msg(!b.job[i].failed, "job %u failed", i);
		reference(ev, enc, iv0[i], b.orig[i], b.ref[i], sizes[i]);
		ck_assert_msg(memcmp(b.data[i], b.ref[i], sizes[i]) == 0,
			"algo %d enc %d: %u bytes differ from OpenSSL", algo, enc, sizes[i]);
	}
	bufs_free(&b);
	rte_cryptodev_sym_session_free(dev, a.cipher);
}

static void
chain_case(bool hash_first)
{
	struct vcd_sync_alg a = {.dev_id = dev,
		.mode = VCD_MODE_CBC,
		.encrypt = true,
		.hash_first = hash_first,
		.block = 16,
		.iv_len = 16,
		.cipher = session(RTE_CRYPTO_CIPHER_AES_CBC, true, false),
		.auth = session(RTE_CRYPTO_CIPHER_AES_CBC, true, true)};
	struct bufs b = {0};
	uint8_t iv0[NJOBS][16], md[20];
	unsigned int i, mdlen;

	bufs_fill(&b, hash_first ? 77 : 78);
	for (i = 0; i < NJOBS; i++) {
		/* Cipher after a 16-byte prefix; hash over all of it. */
		b.job[i].c_off = sizes[i] > 16 ? 16 : 0;
		b.job[i].c_len = sizes[i] - b.job[i].c_off;
		b.job[i].h_len = sizes[i];
		memcpy(iv0[i], b.job[i].iv, 16);
	}
	vcd_sync_batch(&a, b.jobs, NJOBS);
	for (i = 0; i < NJOBS; i++) {
		uint32_t off = b.job[i].c_off;

		ck_assert(!b.job[i].failed);
		memcpy(b.ref[i], b.orig[i], off);
		reference(EVP_aes_128_cbc(), true, iv0[i], b.orig[i] + off, b.ref[i] + off,
			sizes[i] - off);
		ck_assert_mem_eq(b.data[i], b.ref[i], sizes[i]);
		/* Hash first: over the plaintext; else over what the cipher wrote. */
		HMAC(EVP_sha1(), hkey, sizeof(hkey), hash_first ? b.orig[i] : b.ref[i], sizes[i],
			md, &mdlen);
		ck_assert_uint_eq(mdlen, 20);
		ck_assert_mem_eq(b.job[i].digest, md, 20);
	}
	bufs_free(&b);
	rte_cryptodev_sym_session_free(dev, a.cipher);
	rte_cryptodev_sym_session_free(dev, a.auth);
}

START_TEST(sync_batch_against_openssl)
{
	eal_up();
	cipher_case(RTE_CRYPTO_CIPHER_AES_CBC, VCD_MODE_CBC, true, EVP_aes_128_cbc());
	cipher_case(RTE_CRYPTO_CIPHER_AES_CBC, VCD_MODE_CBC, false, EVP_aes_128_cbc());
	cipher_case(RTE_CRYPTO_CIPHER_AES_CTR, VCD_MODE_CTR, true, EVP_aes_128_ctr());
	chain_case(false);
	chain_case(true);
}
END_TEST

static Suite *
sync_suite(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("aesni_mb");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sync_batch_against_openssl);
	suite_add_tcase(s, tc);
	return s;
}

VCD_UNIT_MAIN(sync_suite)
