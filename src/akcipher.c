/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * RSA sessions and requests (akcipher.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <unistd.h>

#include "vcryptd/akcipher.h"
#include "vcryptd/backend.h"
#include "vcryptd/compat.h"
#include "vcryptd/config.h"
#include "vcryptd/dispatch.h"
#include "vcryptd/log.h"
#include "vcryptd/rsa_key.h"
#include "vcryptd/session.h"
#include "vcryptd/vcreq.h"
#include "vcryptd/vm.h"
#include "vcryptd/worker.h"

#define AK_OPS      256 /* RSA ops per worker */
#define AK_DEQ      32
#define AK_DST_SEGS 4 /* pieces of a destination (Linux: one) */
#define AK_MAX      VCD_AK_MAX_DATA

/* ---- EMSA-PKCS1-v1_5 (RFC 8017 9.2): the DER DigestInfo prefix of each hash ---- */

struct digest_info {
	uint8_t hash; /* VIRTIO_CRYPTO_RSA_* */
	uint8_t len;  /* digest bytes */
	uint8_t prefix_len;
	uint8_t prefix[19];
};

static const struct digest_info digest_infos[] = {
	{VIRTIO_CRYPTO_RSA_MD5, 16, 18,
		{0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05,
			0x05, 0x00, 0x04, 0x10}},
	{VIRTIO_CRYPTO_RSA_SHA1, 20, 15,
		{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
			0x14}},
	{VIRTIO_CRYPTO_RSA_SHA224, 28, 19,
		{0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
			0x04, 0x05, 0x00, 0x04, 0x1c}},
	{VIRTIO_CRYPTO_RSA_SHA256, 32, 19,
		{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
			0x01, 0x05, 0x00, 0x04, 0x20}},
	{VIRTIO_CRYPTO_RSA_SHA384, 48, 19,
		{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
			0x02, 0x05, 0x00, 0x04, 0x30}},
	{VIRTIO_CRYPTO_RSA_SHA512, 64, 19,
		{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
			0x03, 0x05, 0x00, 0x04, 0x40}},
};

static const struct digest_info *
digest_info_of(uint8_t hash)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(digest_infos); i++) {
		if (digest_infos[i].hash == hash)
			return &digest_infos[i];
	}
	return NULL;
}

bool
vcd_ak_emsa_pkcs1(uint8_t hash, const uint8_t *digest, uint32_t len, uint8_t *em, uint32_t k)
{
	const struct digest_info *di =
		hash == VIRTIO_CRYPTO_RSA_NO_HASH ? NULL : digest_info_of(hash);
	uint32_t t_len = len + (di != NULL ? di->prefix_len : 0);

	/* NO_HASH: the data is signed as given (it carries its DigestInfo, if any). */
	if ((hash != VIRTIO_CRYPTO_RSA_NO_HASH && (di == NULL || len != di->len)) ||
		(uint64_t)t_len + 11 > k)
		return false;
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, k - t_len - 3);
	em[k - t_len - 1] = 0x00;
	if (di != NULL)
		memcpy(em + k - t_len, di->prefix, di->prefix_len);
	memcpy(em + k - len, digest, len);
	return true;
}

/* ------------------------------------------------------------------ sessions */

/*
 * The backends an RSA session of @bits runs on, in order: the first accel with RSA, then
 * the first cpu with RSA (see akcipher.h); how many (0..VCD_AK_BACKENDS).
 */
static unsigned int
pick_backends(unsigned int bits, uint8_t be[VCD_AK_BACKENDS])
{
	struct rte_cryptodev_asym_capability_idx idx = {.type = RTE_CRYPTO_ASYM_XFORM_RSA};
	unsigned int i, n = 0;
	int role;

	for (role = VCD_BACKEND_ACCEL; role >= VCD_BACKEND_CPU && n < VCD_AK_BACKENDS; role--) {
		for (i = 0; i < vcd_backend_count(); i++) {
			const struct vcd_backend *b = vcd_backend_get(i);
			const struct rte_cryptodev_asymmetric_xform_capability *cap;

			if (b->role != role || b->asym_qp == VCD_NO_QP)
				continue;
			cap = rte_cryptodev_asym_capability_get(b->dev_id, &idx);
			if (cap != NULL &&
				rte_cryptodev_asym_xform_capability_check_modlen(cap, bits / 8) ==
					0) {
				be[n++] = (uint8_t)i;
				break; /* one per role */
			}
		}
	}
	return n;
}

static void
set_uint(rte_crypto_uint *u, const struct vcd_rsa_num *x)
{
	u->data = (uint8_t *)(uintptr_t)x->p;
	u->length = x->len;
}

static void *
make_session(const struct vcd_backend *b, const struct vcd_rsa_key *k,
	enum rte_crypto_rsa_padding_type pad)
{
	struct rte_crypto_asym_xform x;
	void *cs = NULL;

	memset(&x, 0, sizeof(x));
	x.xform_type = RTE_CRYPTO_ASYM_XFORM_RSA;
	set_uint(&x.rsa.n, &k->n);
	set_uint(&x.rsa.e, &k->e);
	/*
	 * A private key with its CRT values as a quintuple (OpenSSL then runs
	 * the private operation by CRT, some 3 times faster), else the exponent
	 * d; a public key has none (length 0).
	 */
	x.rsa.key_type = RTE_RSA_KEY_TYPE_EXP;
	if (k->priv && k->crt) {
		x.rsa.key_type = RTE_RSA_KEY_TYPE_QT;
		set_uint(&x.rsa.qt.p, &k->p);
		set_uint(&x.rsa.qt.q, &k->q);
		set_uint(&x.rsa.qt.dP, &k->dp);
		set_uint(&x.rsa.qt.dQ, &k->dq);
		set_uint(&x.rsa.qt.qInv, &k->qinv);
	} else if (k->priv) {
		set_uint(&x.rsa.d, &k->d);
	}
	vcd_rsa_xform_padding(&x, pad);
	if (rte_cryptodev_asym_session_create(b->dev_id, &x, b->asym_pool, &cs) != 0)
		return NULL;
	return cs;
}

int
vcd_ak_session_create(struct vcd_session *s, const struct vcd_sess_params *p, const char *vm_name)
{
	struct vcd_ak_session *a;
	struct vcd_rsa_key key;
	unsigned int i;
	int rc;

	if (p->ak_algo != VIRTIO_CRYPTO_AKCIPHER_RSA)
		return -ENOTSUP;
	if (p->ak_keytype != VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC &&
		p->ak_keytype != VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PRIVATE)
		return -EINVAL;
	if (p->ak_padding != VIRTIO_CRYPTO_RSA_RAW_PADDING &&
		p->ak_padding != VIRTIO_CRYPTO_RSA_PKCS1_PADDING)
		return -ENOTSUP;
	if (p->ak_hash != VIRTIO_CRYPTO_RSA_NO_HASH && digest_info_of((uint8_t)p->ak_hash) == NULL)
		return -ENOTSUP;
	rc = vcd_rsa_key_parse(p->ak_key, p->ak_keylen,
		p->ak_keytype == VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PRIVATE, &key);
	if (rc != 0) {
		VCD_LOG(NOTICE, "%s: RSA %s key of %u bytes refused: %s", vm_name,
			key.priv ? "private" : "public", p->ak_keylen,
			rc == -EINVAL ? "not PKCS#1 DER" : "not supported (size, exponent)");
		return rc;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	a->nb_be = (uint8_t)pick_backends(key.bits, a->be);
	if (a->nb_be == 0) {
		free(a);
		VCD_LOG(NOTICE,
			"%s: no backend runs RSA-%u (configure crypto_openssl or crypto_qat as a "
			"backend)",
			vm_name, key.bits);
		return -ENOTSUP;
	}
	a->priv = key.priv;
	a->padding = (uint8_t)p->ak_padding;
	a->hash = (uint8_t)p->ak_hash;
	a->bits = (uint16_t)key.bits;
	a->k = (uint16_t)((key.bits + 7) / 8);
	s->ak = a;
	for (i = 0; i < a->nb_be; i++) {
		const struct vcd_backend *b = vcd_backend_get(a->be[i]);

		a->cs[i] = make_session(b, &key,
			a->padding == VIRTIO_CRYPTO_RSA_PKCS1_PADDING
				? RTE_CRYPTO_RSA_PADDING_PKCS1_5
				: RTE_CRYPTO_RSA_PADDING_NONE);
		a->cs_raw[i] = a->padding == VIRTIO_CRYPTO_RSA_PKCS1_PADDING
			? make_session(b, &key, RTE_CRYPTO_RSA_PADDING_NONE)
			: a->cs[i];
		if (a->cs[i] == NULL || a->cs_raw[i] == NULL) {
			vcd_ak_session_destroy(s);
			return -ENOMEM;
		}
	}
	return 0;
}

void
vcd_ak_session_destroy(struct vcd_session *s)
{
	struct vcd_ak_session *a = s->ak;
	unsigned int i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nb_be; i++) {
		uint8_t dev = vcd_backend_get(a->be[i])->dev_id;

		if (a->cs_raw[i] != NULL && a->cs_raw[i] != a->cs[i])
			rte_cryptodev_asym_session_free(dev, a->cs_raw[i]);
		if (a->cs[i] != NULL)
			rte_cryptodev_asym_session_free(dev, a->cs[i]);
	}
	free(a);
	s->ak = NULL;
}

/* ------------------------------------------------------------------ requests */

/* What a worker keeps of a request while its op runs: in the op's private area. */
struct ak_req {
	struct vcd_vm *vm;
	struct vcd_vring *vr;
	struct vcd_session *sess;
	uint8_t *status;
	uint64_t t0;
	uint32_t opcode;
	uint32_t src_len;
	uint32_t dst_cap; /* dst_data_len */
	uint16_t head;
	uint8_t nb_dst;
	bool raw;      /* runs on the unpadded session (cs_raw) */
	uint8_t be;    /* the backend it went to (the lane: a cpu one) */
	uint64_t took; /* the lane: TSC cycles its enqueue took (all of the op) */
	uint8_t *dst[AK_DST_SEGS];
	uint32_t dst_len[AK_DST_SEGS];
	uint8_t in[2 * AK_MAX]; /* VERIFY: a signature and a digest */
	uint8_t out[AK_MAX];
	uint8_t em[AK_MAX]; /* VERIFY: the block the signature must give */
};

/* Whether @opcode runs with the public key: ENCRYPT and VERIFY. */
static inline bool
public_op(uint32_t opcode)
{
	return opcode == VIRTIO_CRYPTO_AKCIPHER_ENCRYPT || opcode == VIRTIO_CRYPTO_AKCIPHER_VERIFY;
}

static inline struct ak_req *
ak_req_of(struct rte_crypto_op *op)
{
	return (struct ak_req *)(uintptr_t)(op->asym + 1);
}

static rte_iova_t
iova_in_op(const struct rte_crypto_op *op, const void *p)
{
	return op->phys_addr + (rte_iova_t)((const uint8_t *)p - (const uint8_t *)op);
}

/* ---------------------------------------------------------------------- lane */

/*
 * The RSA lane (akcipher.h, "Data path"): one thread that runs the workers'
 * RSA ops on the cpu backends, so that no worker waits out an RSA operation.
 */
static struct {
	pthread_t thread;
	bool running;
	bool stop;
	unsigned int nb;
	struct vcd_worker *w[VCD_MAX_WORKERS];
	struct rte_crypto_op *held[VCD_MAX_WORKERS]; /* refused by a full queue pair: first next */
	uint64_t ops, cycles, sleeps;                /* written by the lane only */
	uint64_t visit_cycles;
} lane;

/* Idle lane: spins this many empty rounds, then sleeps LANE_SLEEP_US per empty round. */
#define LANE_SPIN     1024
#define LANE_SLEEP_US 20
/* A worker's turn in the lane: ops until this much time (at least one op). */
#define LANE_VISIT_US 50

/* Whether @b is a cpu backend with RSA: its RSA queue pairs are then the lane's. */
static inline bool
lane_backend(const struct vcd_backend *b)
{
	return b->asym_qp != VCD_NO_QP && b->role == VCD_BACKEND_CPU;
}

/* Whether a cpu backend has RSA: its ops then go through the lane. */
static bool
lane_needed(void)
{
	unsigned int i;

	for (i = 0; i < vcd_backend_count(); i++) {
		if (lane_backend(vcd_backend_get(i)))
			return true;
	}
	return false;
}

/*
 * Worker @k's ops waiting for the lane, onto their queue pairs, for at most
 * LANE_VISIT_US (at least one op: the workers take turns, so that one
 * worker's backlog of signatures does not hold the others' ops back); the
 * answers back.  Work done.
 */
static unsigned int
lane_worker(unsigned int k)
{
	struct vcd_worker *w = lane.w[k];
	struct rte_crypto_op *ops[AK_DEQ];
	unsigned int i, n, work = 0;
	uint64_t start = rte_rdtsc();

	while (work == 0 || rte_rdtsc() - start < lane.visit_cycles) {
		struct rte_crypto_op *op = lane.held[k];
		struct ak_req *r;
		const struct vcd_backend *b;
		uint64_t t0;

		if (op == NULL && rte_ring_sc_dequeue(w->ak_to, (void **)&op) != 0)
			break;
		lane.held[k] = NULL;
		r = ak_req_of(op);
		b = vcd_backend_get(r->be);
		t0 = rte_rdtsc();
		n = rte_cryptodev_enqueue_burst(b->dev_id, (uint16_t)(b->asym_qp + w->id), &op, 1);
		r->took = rte_rdtsc() - t0;
		if (n == 0 && op->status == RTE_CRYPTO_OP_STATUS_NOT_PROCESSED) {
			lane.held[k] = op; /* the queue pair is full: after its answers */
			break;
		}
		if (n == 0) /* refused: answered as it is */
			rte_ring_sp_enqueue(w->ak_from, op);
		work++;
		__atomic_store_n(&lane.ops, lane.ops + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&lane.cycles, lane.cycles + r->took, __ATOMIC_RELAXED);
	}
	for (i = 0; i < vcd_backend_count(); i++) {
		const struct vcd_backend *b = vcd_backend_get(i);

		if (!lane_backend(b))
			continue;
		n = rte_cryptodev_dequeue_burst(
			b->dev_id, (uint16_t)(b->asym_qp + w->id), ops, AK_DEQ);
		if (n != 0)
			rte_ring_sp_enqueue_bulk(w->ak_from, (void **)ops, n, NULL);
		work += n;
	}
	return work;
}

static void *
lane_main(void *arg)
{
	unsigned int k, idle = 0;

	(void)arg;
	while (!__atomic_load_n(&lane.stop, __ATOMIC_ACQUIRE)) {
		unsigned int work = 0;

		for (k = 0; k < lane.nb; k++)
			work += lane_worker(k);
		if (work != 0) {
			idle = 0;
		} else if (++idle < LANE_SPIN) {
			rte_pause();
		} else {
			usleep(LANE_SLEEP_US);
			__atomic_store_n(&lane.sleeps, lane.sleeps + 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

bool
vcd_ak_lane_stats(uint64_t *ops, uint64_t *busy_us, uint64_t *sleeps)
{
	*ops = __atomic_load_n(&lane.ops, __ATOMIC_RELAXED);
	*busy_us = __atomic_load_n(&lane.cycles, __ATOMIC_RELAXED) * 1000000 / rte_get_tsc_hz();
	*sleeps = __atomic_load_n(&lane.sleeps, __ATOMIC_RELAXED);
	return lane.running;
}

int
vcd_ak_lane_start(struct vcd_worker *ws, unsigned int n, const char *cpus)
{
	cpu_set_t set;
	unsigned int i;
	int rc;

	if (n == 0 || ws[0].ak_to == NULL)
		return 0; /* no cpu backend has RSA */
	memset(&lane, 0, sizeof(lane));
	for (i = 0; i < n && i < VCD_MAX_WORKERS; i++)
		lane.w[i] = &ws[i];
	lane.nb = i;
	lane.visit_cycles = rte_get_tsc_hz() / 1000000 * LANE_VISIT_US;
	rc = pthread_create(&lane.thread, NULL, lane_main, NULL);
	if (rc != 0) {
		VCD_LOG(ERR, "cannot start the RSA lane thread: %s", strerror(rc));
		return -rc;
	}
	pthread_setname_np(lane.thread, "vcd-rsa");
	lane.running = true;
	if (cpus[0] != '\0' && vcd_cpu_list_parse(cpus, &set) == 0) {
		rc = pthread_setaffinity_np(lane.thread, sizeof(set), &set);
		if (rc != 0) {
			VCD_LOG(ERR,
				"[daemon] rsa_lane_cpus = %s: cannot run there (%s): name CPUs "
				"this daemon may use",
				cpus, strerror(rc));
			vcd_ak_lane_stop();
			return -rc;
		}
	}
	VCD_LOG(INFO, "RSA lane: the cpu backends' RSA ops run on thread vcd-rsa (CPUs %s)",
		cpus[0] != '\0' ? cpus : "of the main lcore");
	return 0;
}

void
vcd_ak_lane_stop(void)
{
	unsigned int k;

	if (!lane.running)
		return;
	__atomic_store_n(&lane.stop, true, __ATOMIC_RELEASE);
	pthread_join(lane.thread, NULL);
	lane.running = false;
	for (k = 0; k < lane.nb; k++) {
		if (lane.held[k] != NULL)
			rte_crypto_op_free(lane.held[k]);
		lane.held[k] = NULL;
	}
}

int
vcd_ak_worker_init(struct vcd_worker *w)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int i;
	bool any = false;

	for (i = 0; i < vcd_backend_count(); i++)
		any = any || vcd_backend_get(i)->asym_qp != VCD_NO_QP;
	if (!any)
		return 0;
	snprintf(name, sizeof(name), "vcd_ak_op%u", w->id);
	w->ak_pool = rte_crypto_op_pool_create(name, RTE_CRYPTO_OP_TYPE_ASYMMETRIC, AK_OPS, 0,
		sizeof(struct ak_req), (int)rte_lcore_to_socket_id(w->lcore));
	if (w->ak_pool == NULL)
		return -ENOMEM;
	if (!lane_needed())
		return 0;
	/* Each holds every op of the worker: an enqueue onto them never fails. */
	snprintf(name, sizeof(name), "vcd_ak_to%u", w->id);
	w->ak_to = rte_ring_create(name, AK_OPS, (int)rte_lcore_to_socket_id(w->lcore),
		RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	snprintf(name, sizeof(name), "vcd_ak_from%u", w->id);
	w->ak_from = rte_ring_create(name, AK_OPS, (int)rte_lcore_to_socket_id(w->lcore),
		RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	return w->ak_to != NULL && w->ak_from != NULL ? 0 : -ENOMEM;
}

void
vcd_ak_worker_fini(struct vcd_worker *w)
{
	rte_ring_free(w->ak_to);
	rte_ring_free(w->ak_from);
	w->ak_to = w->ak_from = NULL;
	rte_mempool_free(w->ak_pool);
	w->ak_pool = NULL;
}

static void
answer(struct vcd_worker *w, struct ak_req *r, uint8_t st, uint32_t out_len)
{
	/* Used length: what was written to dst, and the status byte. */
	vcd_vcreq_answer(r->vm, r->vr, r->status, r->head, out_len + 1, st,
		st == VIRTIO_CRYPTO_OK ? r->src_len : 0, r->t0, w->now);
	vcd_count_add(&r->sess->inflight, -1);
	r->vm->inflight--;
}

/* Copy @len bytes of @src to the request's destination pieces. */
static void
copy_out(const struct ak_req *r, const uint8_t *src, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < r->nb_dst && len > 0; i++) {
		uint32_t n = RTE_MIN(len, r->dst_len[i]);

		memcpy(r->dst[i], src, n);
		src += n;
		len -= n;
	}
}

/* The op ran (or was refused): its result to the guest. */
static void
finish(struct vcd_worker *w, struct rte_crypto_op *op)
{
	struct ak_req *r = ak_req_of(op);
	struct vcd_ak_session *a = r->sess->ak;
	struct rte_crypto_rsa_op_param *rsa = &op->asym->rsa;

	/* The lane ran it: what it took, for charging the next of its kind (EWMA, 1/4). */
	if (r->took != 0 && op->status == RTE_CRYPTO_OP_STATUS_SUCCESS) {
		uint64_t *e = &a->lane_cycles[public_op(r->opcode)];

		*e = *e == 0 ? r->took : (3 * *e + r->took) / 4;
	}
	uint8_t st = VIRTIO_CRYPTO_OK;
	uint32_t out_len = 0;
	const uint8_t *out = NULL;

	if (r->opcode == VIRTIO_CRYPTO_AKCIPHER_VERIFY) {
		/* The signature through the public key must give the expected block. */
		st = op->status == RTE_CRYPTO_OP_STATUS_SUCCESS && rsa->cipher.length == a->k &&
				memcmp(r->out, r->em, a->k) == 0
			? VIRTIO_CRYPTO_OK
			: VIRTIO_CRYPTO_KEY_REJECTED;
	} else if (op->status != RTE_CRYPTO_OP_STATUS_SUCCESS) {
		st = VIRTIO_CRYPTO_ERR;
	} else {
		bool pub = r->opcode == VIRTIO_CRYPTO_AKCIPHER_ENCRYPT;

		out = r->out;
		out_len = (uint32_t)(pub ? rsa->cipher.length : rsa->message.length);
		if (out_len > AK_MAX || out_len > r->dst_cap) {
			st = VIRTIO_CRYPTO_ERR; /* QEMU: "dst buffer too short" */
			out_len = 0;
		}
	}
	if (st == VIRTIO_CRYPTO_OK && out_len != 0)
		copy_out(r, out, out_len);
	answer(w, r, st, st == VIRTIO_CRYPTO_OK ? out_len : 0);
	rte_crypto_op_free(op);
}

/*
 * The op: @type with @len bytes at @in (message for ENCRYPT, cipher for
 * DECRYPT) and room for @k at @out.
 */
static void
set_op(struct rte_crypto_rsa_op_param *rsa, enum rte_crypto_asym_op_type type, uint8_t *in,
	uint32_t len, uint8_t *out, uint32_t k)
{
	rte_crypto_param *src = type == RTE_CRYPTO_ASYM_OP_ENCRYPT ? &rsa->message : &rsa->cipher;
	rte_crypto_param *dst = type == RTE_CRYPTO_ASYM_OP_ENCRYPT ? &rsa->cipher : &rsa->message;

	rsa->op_type = type;
	src->data = in;
	src->length = len;
	dst->data = out;
	dst->length = k;
}

/* Left-pad @len bytes at @src to @k bytes at @dst (a big-endian number). */
static void
pad_left(uint8_t *dst, uint32_t k, const uint8_t *src, uint32_t len)
{
	memset(dst, 0, k - len);
	memcpy(dst + k - len, src, len);
}

/* The first @len bytes of r->in as a @k-byte number, in place (r->out is the scratch). */
static void
widen(struct ak_req *r, uint32_t len, uint32_t k)
{
	memcpy(r->out, r->in, len);
	pad_left(r->in, k, r->out, len);
}

/*
 * Fill @op for request @r of session @a with the @src_len source bytes in
 * r->in (VERIFY: signature then digest); the status to answer with at once,
 * or VIRTIO_CRYPTO_OK to run it.
 */
static uint8_t
build(struct rte_crypto_op *op, struct ak_req *r, const struct vcd_ak_session *a)
{
	struct rte_crypto_rsa_op_param *rsa = &op->asym->rsa;
	bool pkcs1 = a->padding == VIRTIO_CRYPTO_RSA_PKCS1_PADDING;
	uint8_t *msg = r->in, *res = r->out;
	uint32_t k = a->k, msg_len = r->src_len;
	bool pad = pkcs1;

	switch (r->opcode) {
	case VIRTIO_CRYPTO_AKCIPHER_ENCRYPT:
		if (msg_len > k || (pkcs1 && msg_len + 11 > k))
			return VIRTIO_CRYPTO_BADMSG;
		if (!pkcs1) {
			widen(r, msg_len, k);
			msg_len = k;
		}
		set_op(rsa, RTE_CRYPTO_ASYM_OP_ENCRYPT, msg, msg_len, res, k);
		break;
	case VIRTIO_CRYPTO_AKCIPHER_DECRYPT:
	case VIRTIO_CRYPTO_AKCIPHER_SIGN:
		if (!a->priv)
			return VIRTIO_CRYPTO_NOTSUPP; /* a public key cannot */
		if (msg_len > k)
			return VIRTIO_CRYPTO_BADMSG;
		if (r->opcode == VIRTIO_CRYPTO_AKCIPHER_SIGN && pkcs1) {
			/* Our own EMSA block (akcipher.h), then the raw private operation. */
			if (!vcd_ak_emsa_pkcs1(a->hash, r->in, msg_len, r->em, k))
				return VIRTIO_CRYPTO_BADMSG;
			memcpy(r->in, r->em, k);
			pad = false;
		} else {
			widen(r, msg_len, k);
		}
		set_op(rsa, RTE_CRYPTO_ASYM_OP_DECRYPT, msg, k, res, k);
		break;
	case VIRTIO_CRYPTO_AKCIPHER_VERIFY: {
		uint32_t dlen = r->dst_cap; /* the digest follows the signature in r->in */

		if (msg_len > k || dlen > k)
			return VIRTIO_CRYPTO_BADMSG;
		if (!pkcs1)
			pad_left(r->em, k, r->in + msg_len, dlen); /* RAW: signature^e == digest */
		else if (!vcd_ak_emsa_pkcs1(a->hash, r->in + msg_len, dlen, r->em, k))
			return VIRTIO_CRYPTO_KEY_REJECTED; /* not a digest of the session's hash */
		widen(r, msg_len, k); /* the signature: r->em, the block, is built already */
		pad = false;
		set_op(rsa, RTE_CRYPTO_ASYM_OP_ENCRYPT, msg, k, res, k);
		break;
	}
	default:
		return VIRTIO_CRYPTO_NOTSUPP;
	}
	rsa->message.iova = iova_in_op(op, rsa->message.data);
	rsa->cipher.iova = iova_in_op(op, rsa->cipher.data);
	vcd_rsa_op_padding(
		op->asym, pad ? RTE_CRYPTO_RSA_PADDING_PKCS1_5 : RTE_CRYPTO_RSA_PADDING_NONE);
	r->raw = pkcs1 && !pad;
	return VIRTIO_CRYPTO_OK;
}

/* Note where the output goes: the first dst_data_len writable bytes, at most AK_DST_SEGS pieces. */
static bool
map_dst(struct ak_req *r, const struct vcd_chain *c)
{
	struct vcd_seg_iter it;
	uint8_t *va;
	uint32_t take;

	r->nb_dst = 0;
	if (r->dst_cap == 0 || r->opcode == VIRTIO_CRYPTO_AKCIPHER_VERIFY)
		return true;
	vcd_seg_iter_init(&it, c->wr, c->nb_wr, 0, r->dst_cap);
	while (vcd_seg_next(&it, &va, &take)) {
		if (r->nb_dst == AK_DST_SEGS)
			return false;
		r->dst[r->nb_dst] = va;
		r->dst_len[r->nb_dst++] = take;
	}
	return it.left == 0;
}

bool
vcd_ak_intake(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	struct vcd_session *s, const struct vcd_req_layout *l, uint64_t *cycles)
{
	const struct vcd_ak_session *a = s->ak;
	uint32_t in_len =
		l->src_len + (l->ak_opcode == VIRTIO_CRYPTO_AKCIPHER_VERIFY ? l->dst_len : 0);
	struct rte_crypto_op *op;
	struct ak_req *r;
	unsigned int k;
	uint8_t st;

	if (w->ak_pool == NULL) {
		vcd_vcreq_refuse(vm, c, VIRTIO_CRYPTO_ERR);
		return true;
	}
	op = rte_crypto_op_alloc(w->ak_pool, RTE_CRYPTO_OP_TYPE_ASYMMETRIC);
	if (op == NULL)
		return false; /* all in flight: next poll */
	r = ak_req_of(op);
	r->vm = vm;
	r->vr = c->vr;
	r->sess = s;
	r->status = c->status;
	r->head = c->head;
	r->t0 = w->now;
	r->opcode = l->ak_opcode;
	r->src_len = l->src_len;
	r->dst_cap = l->dst_len;
	/* decode checked that the readable part holds it, each length <= AK_MAX. */
	st = VIRTIO_CRYPTO_OK;
	if (in_len > sizeof(r->in) ||
		!vcd_seg_copy(
			c->rd, c->nb_rd, sizeof(struct virtio_crypto_op_data_req), r->in, in_len))
		st = VIRTIO_CRYPTO_BADMSG;
	if (st == VIRTIO_CRYPTO_OK && !map_dst(r, c))
		st = VIRTIO_CRYPTO_BADMSG;
	if (st == VIRTIO_CRYPTO_OK)
		st = build(op, r, a);
	if (st != VIRTIO_CRYPTO_OK) {
		vcd_vcreq_refuse(vm, c, st);
		rte_crypto_op_free(op);
		return true;
	}
	vcd_count_add(&s->inflight, 1);
	vm->inflight++;
	/*
	 * Routed as the symmetric requests are by size (akcipher.h): private-key
	 * operations (the costly ones) to the accelerator first, public-key ones
	 * (some 20 times cheaper) to the CPU first; the other backend while a
	 * queue pair is full (a spill).
	 */
	for (k = 0; k < a->nb_be; k++) {
		unsigned int i = public_op(r->opcode) ? a->nb_be - 1 - k : k;
		const struct vcd_backend *b = vcd_backend_get(a->be[i]);
		uint64_t t0;
		uint16_t n;

		rte_crypto_op_attach_asym_session(op, r->raw ? a->cs_raw[i] : a->cs[i]);
		r->be = a->be[i];
		r->took = 0;
		if (w->ak_to != NULL && lane_backend(b)) {
			/*
			 * A cpu backend runs the op inside its enqueue call (an
			 * RSA-2048 signature without CRT is milliseconds): the lane
			 * does that, never the worker.  Its ring holds every op of
			 * the worker.  Charged what the session's ops of this kind
			 * took there lately.
			 */
			rte_ring_sp_enqueue(w->ak_to, op);
			*cycles = a->lane_cycles[public_op(r->opcode)];
			vm->stats.spills += k != 0;
			vcd_count_routed(w, vm, a->be[i], 0);
			return true;
		}
		t0 = rte_rdtsc();
		n = rte_cryptodev_enqueue_burst(b->dev_id, (uint16_t)(b->asym_qp + w->id), &op, 1);
		*cycles += rte_rdtsc() - t0;
		if (n == 1) {
			vm->stats.spills += k != 0;
			vcd_count_routed(w, vm, a->be[i], 0);
			return true;
		}
		if (op->status != RTE_CRYPTO_OP_STATUS_NOT_PROCESSED) {
			/* Refused (a software PMD runs RSA at enqueue, refuses what fails). */
			finish(w, op);
			return true;
		}
	}
	/* Every queue pair full: the request goes back on its ring. */
	vcd_count_add(&s->inflight, -1);
	vm->inflight--;
	rte_crypto_op_free(op);
	return false;
}

unsigned int
vcd_ak_poll(struct vcd_worker *w)
{
	struct rte_crypto_op *ops[AK_DEQ];
	unsigned int i, total = 0;
	uint16_t n, k;

	if (w->ak_pool == NULL)
		return 0;
	if (w->ak_from != NULL) {
		n = (uint16_t)rte_ring_sc_dequeue_burst(w->ak_from, (void **)ops, AK_DEQ, NULL);
		for (k = 0; k < n; k++)
			finish(w, ops[k]);
		total += n;
	}
	for (i = 0; i < w->nb_backends; i++) {
		const struct vcd_backend *b = vcd_backend_get(i);

		/* A cpu backend's queue pair is the lane's, when there is one. */
		if (b->asym_qp == VCD_NO_QP || (w->ak_from != NULL && lane_backend(b)))
			continue;
		n = rte_cryptodev_dequeue_burst(
			b->dev_id, (uint16_t)(b->asym_qp + w->id), ops, AK_DEQ);
		for (k = 0; k < n; k++)
			finish(w, ops[k]);
		total += n;
	}
	return total;
}
