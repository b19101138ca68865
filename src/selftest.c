/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Known-answer checks of a backend at start, in bursts as the workers run it
 * (backend.h, vcd_backend_selftest()).
 */
#include <string.h>

#include <openssl/evp.h>
#include <rte_cryptodev.h>
#include <rte_mbuf.h>

#include "vcryptd/backend.h"
#include "vcryptd/log.h"

#define ST_OPS 8
#define ST_LEN 64

struct st_cipher {
	enum rte_crypto_cipher_algorithm algo;
	const char *name;
	uint16_t key_len, iv_len;
	const EVP_CIPHER *(*evp)(void);
};

/* What is checked: the ciphers a PMD release has got wrong in bursts. */
static const struct st_cipher st_ciphers[] = {
	{RTE_CRYPTO_CIPHER_3DES_CBC, "3DES-CBC", 24, 8, EVP_des_ede3_cbc},
	{RTE_CRYPTO_CIPHER_AES_CBC, "AES-128-CBC", 16, 16, EVP_aes_128_cbc},
};

/* Op @i of the burst: its key, IV and data, all different. */
static void
st_fill(unsigned int i, uint8_t *key, uint8_t *iv, uint8_t *data)
{
	unsigned int k;

	for (k = 0; k < 32; k++)
		key[k] = (uint8_t)(0x11 * (i + 1) + 7 * k);
	for (k = 0; k < 16; k++)
		iv[k] = (uint8_t)(0xa5 ^ (i * 31 + k));
	for (k = 0; k < ST_LEN; k++)
		data[k] = (uint8_t)(i * 13 + k * 3);
}

static bool
st_reference(const struct st_cipher *c, bool enc, unsigned int i, uint8_t *out)
{
	uint8_t key[32], iv[16], in[ST_LEN];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	st_fill(i, key, iv, in);
	ok = ctx != NULL && EVP_CipherInit_ex(ctx, c->evp(), NULL, key, iv, enc) == 1 &&
		EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
		EVP_CipherUpdate(ctx, out, &n, in, ST_LEN) == 1 && n == ST_LEN;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/*
 * One burst of ST_OPS ops of @c, alternately encrypting and decrypting, each
 * with its own session, key and IV, on queue pair @qp: the ops that came back
 * wrong (compared with OpenSSL), or -1 where the check could not run.
 */
static int
st_burst(struct vcd_backend *b, uint16_t qp, const struct st_cipher *c, struct rte_mempool *op_pool,
	struct rte_mempool *mb_pool)
{
	struct rte_crypto_op *ops[ST_OPS] = {NULL}, *done[ST_OPS];
	void *sess[ST_OPS] = {NULL};
	unsigned int i, got = 0, wrong = 0, tries = 0;
	int rc = 0;

	if (rte_crypto_op_bulk_alloc(op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, ops, ST_OPS) != ST_OPS)
		return -1;
	for (i = 0; i < ST_OPS && rc == 0; i++) {
		uint8_t key[32], iv[16], data[ST_LEN];
		struct rte_crypto_sym_xform x = {.type = RTE_CRYPTO_SYM_XFORM_CIPHER,
			.cipher = {.op = (i & 1) ? RTE_CRYPTO_CIPHER_OP_DECRYPT
						 : RTE_CRYPTO_CIPHER_OP_ENCRYPT,
				.algo = c->algo,
				.key = {.data = key, .length = c->key_len},
				.iv = {.offset = VCD_BACKEND_IV_OFFSET, .length = c->iv_len}}};
		struct rte_mbuf *m = rte_pktmbuf_alloc(mb_pool);
		uint8_t *p = m != NULL ? (uint8_t *)rte_pktmbuf_append(m, ST_LEN) : NULL;

		st_fill(i, key, iv, data);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			rc = -1;
			break;
		}
		memcpy(p, data, ST_LEN);
		memcpy(rte_crypto_op_ctod_offset(ops[i], uint8_t *, VCD_BACKEND_IV_OFFSET), iv,
			c->iv_len);
		ops[i]->sym->m_src = m;
		ops[i]->sym->cipher.data.offset = 0;
		ops[i]->sym->cipher.data.length = ST_LEN;
		sess[i] = rte_cryptodev_sym_session_create(b->dev_id, &x, b->sess_pool);
		if (sess[i] == NULL)
			rc = -1;
		else
			rte_crypto_op_attach_sym_session(ops[i], sess[i]);
	}
	if (rc == 0 && rte_cryptodev_enqueue_burst(b->dev_id, qp, ops, ST_OPS) != ST_OPS)
		rc = -1; /* some may be in the device: the pools are then left to it */
	while (rc == 0 && got < ST_OPS && ++tries < 1000000)
		got += rte_cryptodev_dequeue_burst(b->dev_id, qp, done + got, ST_OPS - got);
	if (rc == 0 && got < ST_OPS)
		rc = -1;
	for (i = 0; rc == 0 && i < ST_OPS; i++) {
		struct rte_crypto_op *op = done[i];
		uint8_t want[ST_LEN];
		unsigned int k;

		for (k = 0; k < ST_OPS && ops[k] != op; k++)
			;
		if (k == ST_OPS || !st_reference(c, !(k & 1), k, want)) {
			rc = -1;
			break;
		}
		wrong += op->status != RTE_CRYPTO_OP_STATUS_SUCCESS ||
			memcmp(rte_pktmbuf_mtod(op->sym->m_src, uint8_t *), want, ST_LEN) != 0;
	}
	for (i = 0; i < ST_OPS; i++) {
		if (ops[i] != NULL && ops[i]->sym->m_src != NULL)
			rte_pktmbuf_free(ops[i]->sym->m_src);
		if (sess[i] != NULL)
			rte_cryptodev_sym_session_free(b->dev_id, sess[i]);
	}
	rte_mempool_put_bulk(op_pool, (void **)ops, ST_OPS);
	return rc == 0 ? (int)wrong : -1;
}

int
vcd_backend_selftest(struct vcd_backend *b, uint16_t qp)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *op_pool, *mb_pool;
	unsigned int i;
	int rc = 0;

	snprintf(name, sizeof(name), "vcd_st_op%u", b->dev_id);
	op_pool = rte_crypto_op_pool_create(
		name, RTE_CRYPTO_OP_TYPE_SYMMETRIC, ST_OPS, 0, 16, (int)rte_socket_id());
	snprintf(name, sizeof(name), "vcd_st_mb%u", b->dev_id);
	mb_pool = rte_pktmbuf_pool_create(
		name, ST_OPS * 2, 0, 0, RTE_PKTMBUF_HEADROOM + ST_LEN, (int)rte_socket_id());
	if (op_pool == NULL || mb_pool == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < RTE_DIM(st_ciphers); i++) {
		const struct st_cipher *c = &st_ciphers[i];
		struct rte_crypto_sym_xform x = {.type = RTE_CRYPTO_SYM_XFORM_CIPHER,
			.cipher = {.algo = c->algo,
				.key = {.length = c->key_len},
				.iv = {.length = c->iv_len}}};
		int wrong;

		if (!vcd_backend_supports(b, &x))
			continue;
		wrong = st_burst(b, qp, c, op_pool, mb_pool);
		if (wrong < 0) {
			VCD_LOG(WARNING, "backend %s: could not check %s in a burst; used as it is",
				b->name, c->name);
			rc = -EIO;
			break; /* ops may be left in the device: check no more */
		}
		if (wrong > 0) {
			b->broken_ciphers |= 1ull << c->algo;
			/* Single DES shares 3DES's lanes (and OpenSSL 3 has it only as legacy). */
			if (c->algo == RTE_CRYPTO_CIPHER_3DES_CBC)
				b->broken_ciphers |= 1ull << RTE_CRYPTO_CIPHER_DES_CBC;
			VCD_LOG(WARNING,
				"backend %s: %s gave %d wrong results of %d in one burst (checked "
				"against OpenSSL): not used on this backend; sessions of it run "
				"on another backend that has it, or are refused (with "
				"crypto_aesni_mb, intel-ipsec-mb 2.0's DES lanes: its issue #169)",
				b->name, c->name, wrong, ST_OPS);
		}
	}
out:
	if (rc != -EIO) {
		rte_mempool_free(op_pool);
		rte_mempool_free(mb_pool);
	}
	return rc;
}
