/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Guest session parameters -> DPDK transform chain -> one cryptodev session on
 * each backend whose capabilities cover it.  Control thread only, except
 * vcd_sess_lookup() (header).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_crypto.h>
#include <rte_cryptodev.h>

#include "vcryptd/akcipher.h"
#include "vcryptd/backend.h"
#include "vcryptd/calibrate.h"
#include "vcryptd/log.h"
#include "vcryptd/mac.h"
#include "vcryptd/session.h"

struct cipher_map {
	uint32_t virtio;
	enum rte_crypto_cipher_algorithm algo;
	uint16_t iv_len;
};

static const struct cipher_map ciphers[] = {
	{VIRTIO_CRYPTO_CIPHER_AES_ECB, RTE_CRYPTO_CIPHER_AES_ECB, 0},
	{VIRTIO_CRYPTO_CIPHER_AES_CBC, RTE_CRYPTO_CIPHER_AES_CBC, 16},
	{VIRTIO_CRYPTO_CIPHER_AES_CTR, RTE_CRYPTO_CIPHER_AES_CTR, 16},
	{VIRTIO_CRYPTO_CIPHER_AES_XTS, RTE_CRYPTO_CIPHER_AES_XTS, 16},
	{VIRTIO_CRYPTO_CIPHER_DES_CBC, RTE_CRYPTO_CIPHER_DES_CBC, 8},
	{VIRTIO_CRYPTO_CIPHER_3DES_CBC, RTE_CRYPTO_CIPHER_3DES_CBC, 8},
	{VIRTIO_CRYPTO_CIPHER_3DES_CTR, RTE_CRYPTO_CIPHER_3DES_CTR, 8},
};

struct auth_map {
	uint32_t virtio;
	enum rte_crypto_auth_algorithm hmac;  /* hash_mode AUTH */
	enum rte_crypto_auth_algorithm plain; /* hash_mode PLAIN */
};

/* VIRTIO_CRYPTO_MAC_HMAC_* and VIRTIO_CRYPTO_HASH_* share the numbers 1..6. */
static const struct auth_map auths[] = {
	{VIRTIO_CRYPTO_MAC_HMAC_MD5, RTE_CRYPTO_AUTH_MD5_HMAC, RTE_CRYPTO_AUTH_MD5},
	{VIRTIO_CRYPTO_MAC_HMAC_SHA1, RTE_CRYPTO_AUTH_SHA1_HMAC, RTE_CRYPTO_AUTH_SHA1},
	{VIRTIO_CRYPTO_MAC_HMAC_SHA_224, RTE_CRYPTO_AUTH_SHA224_HMAC, RTE_CRYPTO_AUTH_SHA224},
	{VIRTIO_CRYPTO_MAC_HMAC_SHA_256, RTE_CRYPTO_AUTH_SHA256_HMAC, RTE_CRYPTO_AUTH_SHA256},
	{VIRTIO_CRYPTO_MAC_HMAC_SHA_384, RTE_CRYPTO_AUTH_SHA384_HMAC, RTE_CRYPTO_AUTH_SHA384},
	{VIRTIO_CRYPTO_MAC_HMAC_SHA_512, RTE_CRYPTO_AUTH_SHA512_HMAC, RTE_CRYPTO_AUTH_SHA512},
};

static int
cipher_xform(const struct vcd_sess_params *p, struct rte_crypto_sym_xform *x)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(ciphers); i++) {
		if (ciphers[i].virtio == p->cipher_algo)
			break;
	}
	if (i == RTE_DIM(ciphers))
		return -ENOTSUP;
	if (p->cipher_dir != VIRTIO_CRYPTO_OP_ENCRYPT && p->cipher_dir != VIRTIO_CRYPTO_OP_DECRYPT)
		return -EINVAL;
	if (p->cipher_key_len == 0 || p->cipher_key_len > VCD_SESS_CIPHER_KEY_MAX)
		return -EINVAL;
	x->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	x->cipher.algo = ciphers[i].algo;
	x->cipher.op = p->cipher_dir == VIRTIO_CRYPTO_OP_ENCRYPT ? RTE_CRYPTO_CIPHER_OP_ENCRYPT
								 : RTE_CRYPTO_CIPHER_OP_DECRYPT;
	x->cipher.key.data = p->cipher_key;
	x->cipher.key.length = (uint16_t)p->cipher_key_len;
	x->cipher.iv.offset = VCD_BACKEND_IV_OFFSET;
	x->cipher.iv.length = ciphers[i].iv_len;
	return 0;
}

static int
auth_xform(const struct vcd_sess_params *p, struct rte_crypto_sym_xform *x)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(auths); i++) {
		if (auths[i].virtio == p->hash_algo)
			break;
	}
	if (i == RTE_DIM(auths))
		return -ENOTSUP;
	if (p->digest_len == 0 || p->digest_len > 64 || p->auth_key_len > VCD_SESS_AUTH_KEY_MAX)
		return -EINVAL;
	x->type = RTE_CRYPTO_SYM_XFORM_AUTH;
	x->auth.op = RTE_CRYPTO_AUTH_OP_GENERATE; /* the device always writes the hash result */
	x->auth.digest_length = (uint16_t)p->digest_len;
	if (p->hash_mode == VIRTIO_CRYPTO_SYM_HASH_MODE_AUTH) {
		if (p->auth_key_len == 0)
			return -EINVAL;
		x->auth.algo = auths[i].hmac;
		x->auth.key.data = p->auth_key;
		x->auth.key.length = (uint16_t)p->auth_key_len;
	} else if (p->hash_mode == VIRTIO_CRYPTO_SYM_HASH_MODE_PLAIN) {
		x->auth.algo = auths[i].plain;
	} else {
		return -ENOTSUP;
	}
	return 0;
}

/* Build the transform chain in @x[0..1] with its head in *@head; 0 or -errno. */
static int
build_xforms(const struct vcd_sess_params *p, struct rte_crypto_sym_xform x[2],
	struct rte_crypto_sym_xform **head)
{
	struct rte_crypto_sym_xform *c = &x[0], *a = &x[1];
	int rc;

	memset(x, 0, 2 * sizeof(*x));
	rc = cipher_xform(p, c);
	*head = c;
	if (rc != 0 || p->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER)
		return rc;
	if (p->op_type != VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING)
		return -EINVAL;
	if (p->aad_len != 0)
		return -ENOTSUP;
	rc = auth_xform(p, a);
	if (rc != 0)
		return rc;
	if (p->chain_order == VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH) {
		c->next = a;
		*head = c;
	} else if (p->chain_order == VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER) {
		a->next = c;
		*head = a;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Both halves of a chain on backend @i, for the synchronous path. */
static bool
create_halves(struct vcd_session *s, unsigned int i, struct rte_crypto_sym_xform *head)
{
	struct vcd_backend *b = vcd_backend_get(i);
	struct rte_crypto_sym_xform c, a;

	if (head->next == NULL || !(b->features & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO))
		return false;
	c = head->type == RTE_CRYPTO_SYM_XFORM_CIPHER ? *head : *head->next;
	a = head->type == RTE_CRYPTO_SYM_XFORM_AUTH ? *head : *head->next;
	c.next = NULL;
	a.next = NULL;
	if (!vcd_backend_supports(b, &c) || !vcd_backend_supports(b, &a))
		return false;
	s->cs_cipher[i] = rte_cryptodev_sym_session_create(b->dev_id, &c, b->sess_pool);
	s->cs_auth[i] = rte_cryptodev_sym_session_create(b->dev_id, &a, b->sess_pool);
	if (s->cs_cipher[i] != NULL && s->cs_auth[i] != NULL)
		return true;
	if (s->cs_cipher[i] != NULL)
		rte_cryptodev_sym_session_free(b->dev_id, s->cs_cipher[i]);
	if (s->cs_auth[i] != NULL)
		rte_cryptodev_sym_session_free(b->dev_id, s->cs_auth[i]);
	s->cs_cipher[i] = s->cs_auth[i] = NULL;
	return false;
}

/* What the session has on backend @i, and what @b can do with it: the plan's input (exec.h). */
static void
exec_in(const struct vcd_session *s, unsigned int i, const struct vcd_backend *b,
	const struct rte_crypto_sym_xform *head, struct vcd_exec_in *in)
{
	in->whole = s->cs[i] != NULL;
	in->halves = s->cs_cipher[i] != NULL && s->cs_auth[i] != NULL;
	in->cipher_only = head->next == NULL;
	in->cuttable = s->mode != VCD_MODE_WHOLE;
	in->cpu_crypto = b->cpu_crypto;
	in->sgl = b->sgl && vcd_backend_sgl_ok(b, head);
}

static int
create_on_backends(struct vcd_session *s, struct rte_crypto_sym_xform *head)
{
	unsigned int i, n = 0;

	s->backend = UINT8_MAX;
	for (i = 0; i < vcd_backend_count() && i < VCD_MAX_BACKENDS; i++) {
		struct vcd_backend *b = vcd_backend_get(i);
		bool halves = create_halves(s, i, head);
		struct vcd_exec_in in;

		/*
		 * A chain on a backend with CPU crypto must have its halves: the
		 * synchronous path needs them for large or scattered requests.
		 * Without them (pool exhausted) the backend is not used.
		 */
		if (head->next != NULL && !halves &&
			(b->features & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO))
			continue;
		/* The capability tables do not say which chains a PMD runs: ask it. */
		if (vcd_backend_supports(b, head))
			s->cs[i] = rte_cryptodev_sym_session_create(b->dev_id, head, b->sess_pool);
		exec_in(s, i, b, head, &in);
		s->exec[i][0] = (uint8_t)vcd_exec_plan(&in, false);
		s->exec[i][1] = (uint8_t)vcd_exec_plan(&in, true);
		if (s->exec[i][0] == VCD_EXEC_NONE)
			continue;
		vcd_cost_of(i, head, &s->cost[i]);
		if (s->backend == UINT8_MAX)
			s->backend = (uint8_t)i;
		s->small_mask |= (uint16_t)(1u << i);
		if (s->exec[i][1] != VCD_EXEC_NONE)
			s->large_mask |= (uint16_t)(1u << i);
		n++;
	}
	return n > 0 ? 0 : -ENOTSUP;
}

static void
set_mode(struct vcd_session *s, const struct rte_crypto_sym_xform *c)
{
	switch (c->cipher.algo) {
	case RTE_CRYPTO_CIPHER_AES_ECB:
		s->mode = VCD_MODE_ECB;
		break;
	case RTE_CRYPTO_CIPHER_AES_CBC:
	case RTE_CRYPTO_CIPHER_DES_CBC:
	case RTE_CRYPTO_CIPHER_3DES_CBC:
		s->mode = VCD_MODE_CBC;
		break;
	case RTE_CRYPTO_CIPHER_AES_CTR:
	case RTE_CRYPTO_CIPHER_3DES_CTR:
		s->mode = VCD_MODE_CTR;
		break;
	default:
		s->mode = VCD_MODE_WHOLE;
	}
	s->block = c->cipher.algo == RTE_CRYPTO_CIPHER_DES_CBC ||
			c->cipher.algo == RTE_CRYPTO_CIPHER_3DES_CBC ||
			c->cipher.algo == RTE_CRYPTO_CIPHER_3DES_CTR
		? 8
		: 16;
	s->encrypt = c->cipher.op == RTE_CRYPTO_CIPHER_OP_ENCRYPT;
}

int
vcd_sess_table_init(struct vcd_sess_table *t, uint32_t max, uint32_t epoch)
{
	uint32_t i;

	memset(t, 0, sizeof(*t));
	t->slots = calloc(max, sizeof(*t->slots));
	t->gen = calloc(max, sizeof(*t->gen));
	if (t->slots == NULL || t->gen == NULL) {
		free(t->slots);
		free(t->gen);
		return -ENOMEM;
	}
	/* Ids stay positive int64 (QEMU treats a negative id as failure): 31-bit generations. */
	for (i = 0; i < max; i++)
		t->gen[i] = (epoch & 0x7fff) << 16;
	t->max = max;
	return 0;
}

void
vcd_sess_table_fini(struct vcd_sess_table *t)
{
	uint32_t i;

	for (i = 0; i < t->max; i++) {
		if (t->slots[i] != NULL)
			vcd_sess_destroy(t->slots[i]);
	}
	free(t->slots);
	free(t->gen);
	memset(t, 0, sizeof(*t));
}

static int
find_free_slot(struct vcd_sess_table *t, uint32_t *slot)
{
	uint32_t i;

	if (t->count >= t->max)
		return -ENOSPC;
	for (i = 0; i < t->max; i++) {
		uint32_t s = (t->hint + i) % t->max;

		if (t->slots[s] == NULL) {
			*slot = s;
			t->hint = s + 1;
			return 0;
		}
	}
	return -ENOSPC;
}

int
vcd_sess_create(struct vcd_sess_table *t, const struct vcd_sess_params *p, uint64_t *id,
	const char *vm_name)
{
	struct rte_crypto_sym_xform x[2], *head = NULL;
	struct vcd_session *s;
	uint32_t slot;
	int rc;

	bool ak = p->op_code == VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION;

	rc = ak ? 0 : build_xforms(p, x, &head);
	if (rc == 0)
		rc = find_free_slot(t, &slot);
	if (rc != 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	if (ak) {
		rc = vcd_ak_session_create(s, p, vm_name);
		if (rc != 0) {
			free(s);
			return rc;
		}
		goto publish;
	}
	set_mode(s, &x[0]);
	rc = create_on_backends(s, head);
	if (rc != 0) {
		VCD_LOG(NOTICE, "%s: no backend can run cipher %u hash %u (key %u/%u, digest %u)",
			vm_name, p->cipher_algo, p->hash_algo, p->cipher_key_len, p->auth_key_len,
			p->digest_len);
		vcd_sess_destroy(s);
		return rc;
	}
	if (p->op_type == VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING) {
		s->mac = malloc(sizeof(*s->mac));
		if (s->mac == NULL) {
			vcd_sess_destroy(s);
			return -ENOMEM;
		}
		/* build_xforms() checked algorithm and mode: it cannot fail. */
		vcd_mac_key_init(s->mac, p->hash_algo,
			p->hash_mode == VIRTIO_CRYPTO_SYM_HASH_MODE_AUTH, p->auth_key,
			p->auth_key_len);
	}
	s->op_type = p->op_type;
	s->chain_order = p->chain_order;
	s->iv_len = x[0].cipher.iv.length;
	s->digest_len = p->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER ? 0 : (uint16_t)p->digest_len;
publish:
	t->gen[slot] = (t->gen[slot] + 1) & 0x7fffffff;
	s->id = ((uint64_t)t->gen[slot] << 32) | slot;
	*id = s->id;
	t->count++;
	__atomic_store_n(&t->slots[slot], s, __ATOMIC_RELEASE);
	return 0;
}

struct vcd_session *
vcd_sess_unpublish(struct vcd_sess_table *t, uint64_t id)
{
	struct vcd_session *s = vcd_sess_lookup(t, id);

	if (s == NULL)
		return NULL;
	__atomic_store_n(&t->slots[(uint32_t)id], NULL, __ATOMIC_RELEASE);
	/* The store must be visible before the caller samples the worker's epoch. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->count--;
	return s;
}

void
vcd_sess_destroy(struct vcd_session *s)
{
	unsigned int i;

	vcd_ak_session_destroy(s);
	if (s->mac != NULL) {
		vcd_mac_key_wipe(s->mac);
		free(s->mac);
	}
	for (i = 0; i < vcd_backend_count(); i++) {
		if (s->cs[i] != NULL)
			rte_cryptodev_sym_session_free(vcd_backend_get(i)->dev_id, s->cs[i]);
		if (s->cs_cipher[i] != NULL)
			rte_cryptodev_sym_session_free(vcd_backend_get(i)->dev_id, s->cs_cipher[i]);
		if (s->cs_auth[i] != NULL)
			rte_cryptodev_sym_session_free(vcd_backend_get(i)->dev_id, s->cs_auth[i]);
	}
	free(s);
}
