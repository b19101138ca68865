/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Calibration runs; see calibrate.h (their results are read through
 * vcd_calib_last(): /vcryptd/routing is stats.c's, /vcryptd/calibrate ctl.c's).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "vcryptd/backend.h"
#include "vcryptd/calibrate.h"
#include "vcryptd/exec.h"
#include "vcryptd/log.h"
#include "vcryptd/opbuild.h"
#include "vcryptd/route.h"
#include "vcryptd/sync.h"

#define CAL_BURST   32
#define CAL_MAX_NS  (10 * 1000 * 1000) /* time spent at one size on one backend */
#define CAL_MIN_OPS (4 * CAL_BURST)
#define CAL_DIGEST  20

/*
 * Up to 64 KiB requests run as one mbuf segment; above, the plan (exec.h)
 * runs them differently (the synchronous API in pieces on a backend that has
 * it, scatter-gather mbufs elsewhere), so 65536 and 131072 measure that path.
 */
static const uint32_t cal_sizes[VCD_CALIB_SIZES] = {
	64, 256, 1024, 2048, 4096, 8192, 16384, 32768, 65504, 65536, 131072};

/* mbuf segments of the largest size, cut as the worker cuts requests. */
#define CAL_MAX_SEG ((131072 + VCD_MBUF_SEG_MAX - 1) / VCD_MBUF_SEG_MAX)

static pthread_mutex_t cal_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vcd_calib last;

/* What one run needs: ops, mbufs and a buffer of CAL_BURST * the largest size. */
struct cal_env {
	struct rte_mempool *op_pool;
	struct rte_mempool *mbuf_pool;
	uint8_t *buf;
	uint8_t *digests;
	struct rte_mbuf *mbufs[CAL_BURST * CAL_MAX_SEG];
	bool stuck; /* a device kept ops: leave the pools and buffers to it */
};

static int
env_init(struct cal_env *e)
{
	static unsigned int seq;
	char name[RTE_MEMPOOL_NAMESIZE];

	memset(e, 0, sizeof(*e));
	snprintf(name, sizeof(name), "vcd_cal_op%u", seq);
	e->op_pool = rte_crypto_op_pool_create(
		name, RTE_CRYPTO_OP_TYPE_SYMMETRIC, 2 * CAL_BURST, 0, 16, (int)rte_socket_id());
	snprintf(name, sizeof(name), "vcd_cal_mb%u", seq++);
	e->mbuf_pool = rte_pktmbuf_pool_create(
		name, CAL_BURST * CAL_MAX_SEG + 1, 0, 0, 0, (int)rte_socket_id());
	e->buf = rte_zmalloc(NULL, (size_t)CAL_BURST * cal_sizes[VCD_CALIB_SIZES - 1], 4096);
	e->digests = rte_zmalloc(NULL, (size_t)CAL_BURST * 64, 64);
	if (e->op_pool == NULL || e->mbuf_pool == NULL || e->buf == NULL || e->digests == NULL)
		return -ENOMEM;
	/* Taken once: they point into e->buf and go back only with their pool. */
	return rte_pktmbuf_alloc_bulk(e->mbuf_pool, e->mbufs, CAL_BURST * CAL_MAX_SEG) == 0
		? 0
		: -ENOMEM;
}

static void
env_fini(struct cal_env *e)
{
	if (e->stuck)
		return;
	rte_mempool_free(e->op_pool);
	rte_mempool_free(e->mbuf_pool);
	rte_free(e->buf);
	rte_free(e->digests);
}

/* Not an op type: the hash half of a chain, for the synchronous path. */
#define VCD_ROUTE_AUTH_ONLY ((enum vcd_route_op)VCD_ROUTE_OPS)

static void *
cal_session(const struct vcd_backend *b, enum vcd_route_op op)
{
	static const uint8_t key[20] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
	struct rte_crypto_sym_xform c = {.type = RTE_CRYPTO_SYM_XFORM_CIPHER,
		.cipher = {.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT,
			.algo = RTE_CRYPTO_CIPHER_AES_CBC,
			.key = {.data = key, .length = 16},
			.iv = {.offset = VCD_BACKEND_IV_OFFSET, .length = 16}}};
	struct rte_crypto_sym_xform a = {.type = RTE_CRYPTO_SYM_XFORM_AUTH,
		.auth = {.op = RTE_CRYPTO_AUTH_OP_GENERATE,
			.algo = RTE_CRYPTO_AUTH_SHA1_HMAC,
			.key = {.data = key, .length = 20},
			.digest_length = CAL_DIGEST}};

	struct rte_crypto_sym_xform *head = op == VCD_ROUTE_AUTH_ONLY ? &a : &c;

	if (op == VCD_ROUTE_CHAIN)
		c.next = &a;
	if (!vcd_backend_supports(b, head))
		return NULL;
	return rte_cryptodev_sym_session_create(b->dev_id, head, b->sess_pool);
}

/*
 * Nanoseconds per op of @size on queue pair @qp with up to CAL_BURST in flight,
 * counted over at least @min_ops ops and @limit_ns after @warmup; < 0: failed.
 */
static double
measure(struct cal_env *e, const struct vcd_backend *b, uint16_t qp, void *sess, uint32_t size,
	uint64_t limit_ns, uint64_t min_ops, unsigned int warmup)
{
	struct rte_crypto_op *ops[CAL_BURST], *done[CAL_BURST];
	uint64_t hz = rte_get_tsc_hz(), t0 = 0, t_start, t_end, ops_done = 0, limit;
	unsigned int i, free_n = CAL_BURST, inflight = 0;
	struct vcd_mbufs mb = {.free = e->mbufs, .n = CAL_BURST * CAL_MAX_SEG};
	bool failed = false;

	if (rte_crypto_op_bulk_alloc(e->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, ops, CAL_BURST) !=
		CAL_BURST)
		return -1;
	for (i = 0; i < CAL_BURST; i++) {
		struct vcd_seg seg = {.va = e->buf + (size_t)i * size, .len = size};
		struct rte_mbuf *m, *p;

		/* In place, cut into mbuf segments as the worker lays a request out. */
		if (vcd_mbufs_build(&mb, &seg, 1, 0, size, &m) != 0) {
			rte_mempool_put_bulk(e->op_pool, (void **)ops, CAL_BURST);
			return -1;
		}
		for (p = m; p != NULL; p = p->next)
			p->buf_iova = rte_mem_virt2iova(p->buf_addr);
		ops[i]->sym->m_src = m;
		ops[i]->sym->cipher.data.length = size;
		ops[i]->sym->auth.data.length = size;
		ops[i]->sym->auth.digest.data = e->digests + 64 * i;
		ops[i]->sym->auth.digest.phys_addr = rte_mem_virt2iova(e->digests + 64 * i);
		rte_crypto_op_attach_sym_session(ops[i], sess);
	}
	limit = hz / (1000000000ull / limit_ns);
	/*
	 * The first CAL_BURST completions warm up (caches, lanes); then count
	 * until enough ops and enough time have passed.  A device that stops
	 * completing ends the run after 50 times the limit.
	 */
	t_start = rte_rdtsc();
	while (!failed) {
		uint64_t now;
		uint16_t k;

		if (free_n > 0) {
			uint16_t n =
				rte_cryptodev_enqueue_burst(b->dev_id, qp, ops, (uint16_t)free_n);

			/* The ops not taken move to the front for the next try. */
			memmove(ops, ops + n, (free_n - n) * sizeof(ops[0]));
			free_n -= n;
			inflight += n;
		}
		k = rte_cryptodev_dequeue_burst(b->dev_id, qp, done, CAL_BURST);
		for (i = 0; i < k; i++) {
			failed = failed || done[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS;
			done[i]->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
			ops[free_n++] = done[i];
		}
		inflight -= k;
		now = rte_rdtsc();
		if (warmup > 0) {
			warmup = warmup > k ? warmup - k : 0;
			if (warmup == 0)
				t0 = now;
		} else {
			ops_done += k;
			if (ops_done >= min_ops && now - t0 > limit)
				break;
		}
		if (now - t_start > 50 * limit) {
			failed = true;
			break;
		}
	}
	t_end = rte_rdtsc();
	/* Collect what is still in flight before the ops go back. */
	while (inflight > 0 && rte_rdtsc() - t_end < hz) {
		uint16_t k = rte_cryptodev_dequeue_burst(b->dev_id, qp, done, CAL_BURST);

		for (i = 0; i < k; i++)
			ops[free_n++] = done[i];
		inflight -= k;
	}
	if (inflight > 0) {
		e->stuck = true; /* the device keeps them: never free the pools under it */
		return -1;
	}
	rte_mempool_put_bulk(e->op_pool, (void **)ops, CAL_BURST);
	if (failed || ops_done == 0)
		return -1;
	return (double)(t_end - t0) * 1e9 / (double)hz / (double)ops_done;
}

/*
 * Nanoseconds per request of @size through the synchronous path, as the
 * worker runs it: batches of VCD_BIG_BATCH requests through vcd_sync_batch().
 */
static double
measure_sync(
	const struct cal_env *e, const struct vcd_backend *b, void *cs, void *as, uint32_t size)
{
	struct vcd_sync_alg a = {.dev_id = b->dev_id,
		.mode = VCD_MODE_CBC,
		.encrypt = true,
		.block = 16,
		.iv_len = 16,
		.cipher = cs,
		.auth = as};
	struct vcd_sync_job job[VCD_BIG_BATCH], *jobs[VCD_BIG_BATCH];
	uint64_t hz = rte_get_tsc_hz(), limit = hz / (1000000000ull / CAL_MAX_NS), t0, n = 0;
	unsigned int i;

	for (i = 0; i < VCD_BIG_BATCH; i++) {
		memset(&job[i], 0, sizeof(job[i]));
		job[i].buf = e->buf + (size_t)i * size;
		job[i].c_len = size;
		job[i].h_len = as != NULL ? size : 0;
		jobs[i] = &job[i];
	}
	t0 = rte_rdtsc();
	do {
		vcd_sync_batch(&a, jobs, VCD_BIG_BATCH);
		for (i = 0; i < VCD_BIG_BATCH; i++) {
			if (job[i].failed)
				return -1;
		}
		n += VCD_BIG_BATCH;
	} while (n < 8 || rte_rdtsc() - t0 < limit);
	return (double)(rte_rdtsc() - t0) * 1e9 / (double)hz / (double)n;
}

/*
 * Cost of one request of @size on backend @b the way the worker would run
 * it (the plan of exec.h, decided as for a guest's session), or < 0 where it
 * would not run it there.
 */
static double
measure_size(struct cal_env *e, const struct vcd_backend *b, uint16_t qp, void *sess,
	enum vcd_route_op op, uint32_t size)
{
	struct vcd_exec_in in = {.whole = true,
		.cipher_only = op == VCD_ROUTE_CIPHER,
		.cuttable = true, /* AES-CBC */
		.cpu_crypto = b->cpu_crypto,
		.sgl = b->sgl};
	void *cs = NULL, *as = NULL;
	double ns = -1;

	/* A chain's halves matter only over 64 KiB, where the synchronous path runs it. */
	if (op == VCD_ROUTE_CHAIN && b->cpu_crypto && vcd_is_large(size)) {
		cs = cal_session(b, VCD_ROUTE_CIPHER);
		as = cal_session(b, VCD_ROUTE_AUTH_ONLY);
		in.halves = cs != NULL && as != NULL;
	}
	switch (vcd_exec_plan(&in, vcd_is_large(size))) {
	case VCD_EXEC_QP:
		ns = measure(e, b, qp, sess, size, CAL_MAX_NS, CAL_MIN_OPS, CAL_BURST);
		break;
	case VCD_EXEC_SYNC:
	case VCD_EXEC_SYNC_BATCH:
		ns = op == VCD_ROUTE_CIPHER ? measure_sync(e, b, sess, NULL, size)
					    : measure_sync(e, b, cs, as, size);
		break;
	case VCD_EXEC_NONE:
		break;
	}
	if (cs != NULL)
		rte_cryptodev_sym_session_free(b->dev_id, cs);
	if (as != NULL)
		rte_cryptodev_sym_session_free(b->dev_id, as);
	return ns;
}

/* The first backend of @role that has a session for @op, with it. */
static int
pick_backend(int role, enum vcd_route_op op, void **sess)
{
	unsigned int i;

	for (i = 0; i < vcd_backend_count(); i++) {
		struct vcd_backend *b = vcd_backend_get(i);

		if (b->role != role)
			continue;
		*sess = cal_session(b, op);
		if (*sess != NULL)
			return (int)i;
	}
	return -1;
}

static void
log_result(const struct vcd_calib *c, enum vcd_route_op op)
{
	char line[512], t[16];
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < c->nb_sizes && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %u:%.0f/%.0f",
			c->sizes[i], c->ns[op][VCD_BACKEND_CPU][i],
			c->ns[op][VCD_BACKEND_ACCEL][i]);
	VCD_LOG(NOTICE, "routing: %s threshold %s%s, measured (size:cpu/accel ns per op)%s",
		vcd_route_op_name(op), vcd_route_threshold_str(c->threshold[op], t, sizeof(t)),
		c->threshold[op] == VCD_THRESHOLD_NEVER ? "" : " bytes", line);
}

static int
calibrate_op(struct vcd_calib *c, struct cal_env *e, enum vcd_route_op op, bool workers_running)
{
	void *sess[2] = {NULL, NULL};
	int role, rc = 0;
	unsigned int i;

	for (role = 0; role < 2; role++)
		c->backend[op][role] = pick_backend(role, op, &sess[role]);
	if (c->backend[op][VCD_BACKEND_CPU] < 0 || c->backend[op][VCD_BACKEND_ACCEL] < 0) {
		/* One role alone: nothing to choose between. */
		c->threshold[op] = c->backend[op][VCD_BACKEND_ACCEL] < 0 ? VCD_THRESHOLD_NEVER : 0;
		snprintf(c->note, sizeof(c->note), "%s: no %s backend runs it, nothing measured",
			vcd_route_op_name(op),
			c->backend[op][VCD_BACKEND_CPU] < 0 ? "cpu" : "accel");
		goto out;
	}
	for (role = 0; role < 2 && rc == 0; role++) {
		const struct vcd_backend *b = vcd_backend_get((unsigned int)c->backend[op][role]);
		uint16_t qp = b->ctl_qp != VCD_NO_QP ? b->ctl_qp : workers_running ? VCD_NO_QP : 0;

		if (qp == VCD_NO_QP) {
			snprintf(c->note, sizeof(c->note),
				"backend %s has no spare queue pair: re-calibration needs a "
				"restart "
				"(raise max_nb_queue_pairs in its devargs)",
				b->name);
			rc = -EBUSY;
			break;
		}
		for (i = 0; i < c->nb_sizes; i++)
			c->ns[op][role][i] = measure_size(e, b, qp, sess[role], op, c->sizes[i]);
	}
	if (rc == 0) {
		c->threshold[op] = vcd_route_crossover(c->sizes, c->ns[op][VCD_BACKEND_CPU],
			c->ns[op][VCD_BACKEND_ACCEL], c->nb_sizes);
		c->measured[op] = true;
	}
out:
	for (role = 0; role < 2; role++) {
		if (sess[role] != NULL)
			rte_cryptodev_sym_session_free(
				vcd_backend_get((unsigned int)c->backend[op][role])->dev_id,
				sess[role]);
	}
	return rc;
}

int
vcd_calibrate(const struct vcd_config *cfg, bool workers_running, bool all)
{
	const uint32_t conf[VCD_ROUTE_OPS] = {cfg->threshold_cipher, cfg->threshold_chain};
	struct vcd_calib c;
	struct cal_env e;
	int rc = 0, op;

	if (pthread_mutex_trylock(&cal_lock) != 0)
		return -EBUSY;
	memset(&c, 0, sizeof(c));
	c.nb_sizes = VCD_CALIB_SIZES;
	memcpy(c.sizes, cal_sizes, sizeof(cal_sizes));
	if (env_init(&e) != 0) {
		env_fini(&e);
		pthread_mutex_unlock(&cal_lock);
		VCD_LOG(ERR, "routing: calibration has no memory (raise [daemon] memory_mb)");
		return -ENOMEM;
	}
	for (op = 0; op < VCD_ROUTE_OPS && rc == 0; op++) {
		c.threshold[op] = __atomic_load_n(&vcd_route.threshold[op], __ATOMIC_RELAXED);
		if (!all && conf[op] != VCD_THRESHOLD_AUTO)
			continue;
		rc = calibrate_op(&c, &e, (enum vcd_route_op)op, workers_running);
		if (rc != 0)
			break;
		if (conf[op] == VCD_THRESHOLD_AUTO)
			vcd_route_set_threshold((enum vcd_route_op)op, c.threshold[op]);
		if (c.measured[op])
			log_result(&c, (enum vcd_route_op)op);
	}
	env_fini(&e);
	if (rc != 0)
		VCD_LOG(WARNING, "routing: calibration not done: %s", c.note);
	else if (c.note[0] != '\0')
		VCD_LOG(INFO, "routing: %s", c.note);
	c.runs = last.runs + (rc == 0);
	c.when = (int64_t)time(NULL);
	if (rc == 0)
		last = c;
	pthread_mutex_unlock(&cal_lock);
	return rc;
}

void
vcd_calib_last(struct vcd_calib *out)
{
	pthread_mutex_lock(&cal_lock);
	*out = last;
	pthread_mutex_unlock(&cal_lock);
}

/* ---- What a request costs, per algorithm and backend (calibrate.h, share.h) ---- */

#define COST_SMALL   64
#define COST_LARGE   2048
#define COST_MAX_NS  (500 * 1000)
#define COST_MIN_OPS 8
#define COST_WARMUP  8
#define COST_REPS    5

struct cost_kind {
	const char *name;
	bool cipher;  /* else a hash (auth-only session) */
	int algo;     /* enum rte_crypto_cipher_algorithm or rte_crypto_auth_algorithm */
	uint16_t len; /* cipher: key bytes; hash: digest bytes */
	uint16_t iv;  /* cipher: IV bytes; hash: key bytes (0: plain hash) */
};

/* The first is the unit: one byte of it on the first cpu backend costs 1. */
static const struct cost_kind cost_kinds[] = {
	{"aes_cbc_128", true, RTE_CRYPTO_CIPHER_AES_CBC, 16, 16},
	{"aes_cbc_192", true, RTE_CRYPTO_CIPHER_AES_CBC, 24, 16},
	{"aes_cbc_256", true, RTE_CRYPTO_CIPHER_AES_CBC, 32, 16},
	{"aes_ecb_128", true, RTE_CRYPTO_CIPHER_AES_ECB, 16, 0},
	{"aes_ecb_192", true, RTE_CRYPTO_CIPHER_AES_ECB, 24, 0},
	{"aes_ecb_256", true, RTE_CRYPTO_CIPHER_AES_ECB, 32, 0},
	{"aes_ctr_128", true, RTE_CRYPTO_CIPHER_AES_CTR, 16, 16},
	{"aes_ctr_192", true, RTE_CRYPTO_CIPHER_AES_CTR, 24, 16},
	{"aes_ctr_256", true, RTE_CRYPTO_CIPHER_AES_CTR, 32, 16},
	{"aes_xts_128", true, RTE_CRYPTO_CIPHER_AES_XTS, 32, 16},
	{"aes_xts_256", true, RTE_CRYPTO_CIPHER_AES_XTS, 64, 16},
	{"des_cbc", true, RTE_CRYPTO_CIPHER_DES_CBC, 8, 8},
	{"3des_cbc", true, RTE_CRYPTO_CIPHER_3DES_CBC, 24, 8},
	{"3des_ctr", true, RTE_CRYPTO_CIPHER_3DES_CTR, 24, 8},
	{"hmac_md5", false, RTE_CRYPTO_AUTH_MD5_HMAC, 16, 16},
	{"hmac_sha1", false, RTE_CRYPTO_AUTH_SHA1_HMAC, 20, 16},
	{"hmac_sha224", false, RTE_CRYPTO_AUTH_SHA224_HMAC, 28, 16},
	{"hmac_sha256", false, RTE_CRYPTO_AUTH_SHA256_HMAC, 32, 16},
	{"hmac_sha384", false, RTE_CRYPTO_AUTH_SHA384_HMAC, 48, 16},
	{"hmac_sha512", false, RTE_CRYPTO_AUTH_SHA512_HMAC, 64, 16},
	{"md5", false, RTE_CRYPTO_AUTH_MD5, 16, 0},
	{"sha1", false, RTE_CRYPTO_AUTH_SHA1, 20, 0},
	{"sha224", false, RTE_CRYPTO_AUTH_SHA224, 28, 0},
	{"sha256", false, RTE_CRYPTO_AUTH_SHA256, 32, 0},
	{"sha384", false, RTE_CRYPTO_AUTH_SHA384, 48, 0},
	{"sha512", false, RTE_CRYPTO_AUTH_SHA512, 64, 0},
};

#define COST_KINDS RTE_DIM(cost_kinds)

/* ns per op = fixed + per_byte x bytes, on each backend; written once, at start. */
static struct {
	bool ok;
	double fixed, per_byte;
} cost_ns[VCD_MAX_BACKENDS][COST_KINDS];
static int cost_unit_be = -1; /* backend the unit was measured on */

static void *
cost_session(const struct vcd_backend *b, const struct cost_kind *k)
{
	static const uint8_t key[64] = {0x5a, 0x17, 0xc3, 0x08, 0x91, 0x2e, 0x44, 0xb6};
	struct rte_crypto_sym_xform x = {0};

	if (k->cipher) {
		x.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		x.cipher.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT;
		x.cipher.algo = (enum rte_crypto_cipher_algorithm)k->algo;
		x.cipher.key.data = key;
		x.cipher.key.length = k->len;
		x.cipher.iv.offset = VCD_BACKEND_IV_OFFSET;
		x.cipher.iv.length = k->iv;
	} else {
		x.type = RTE_CRYPTO_SYM_XFORM_AUTH;
		x.auth.op = RTE_CRYPTO_AUTH_OP_GENERATE;
		x.auth.algo = (enum rte_crypto_auth_algorithm)k->algo;
		x.auth.key.data = k->iv != 0 ? key : NULL;
		x.auth.key.length = k->iv;
		x.auth.digest_length = k->len;
	}
	if (!vcd_backend_supports(b, &x))
		return NULL;
	return rte_cryptodev_sym_session_create(b->dev_id, &x, b->sess_pool);
}

/*
 * ns per op at @size: the least of COST_REPS short runs.  A measurement is wall
 * time on the main lcore, which the host may share: preemption only makes a
 * run longer, so the least is the one nearest the cost (a busy loop beside
 * start-up once made AES-CBC look many times its cost, and a 3DES VM then took
 * the worker from an AES one).
 */
static double
cost_point(struct cal_env *e, const struct vcd_backend *b, uint16_t qp, void *s, uint32_t size)
{
	double best = -1;
	unsigned int r;

	for (r = 0; r < COST_REPS; r++) {
		double ns = measure(e, b, qp, s, size, COST_MAX_NS, COST_MIN_OPS, COST_WARMUP);

		if (ns <= 0)
			return -1;
		best = best < 0 ? ns : RTE_MIN(best, ns);
	}
	return best;
}

static void
cost_measure_backend(struct cal_env *e, unsigned int be, uint16_t qp)
{
	const struct vcd_backend *b = vcd_backend_get(be);
	unsigned int k;

	for (k = 0; k < COST_KINDS; k++) {
		void *s = cost_session(b, &cost_kinds[k]);
		double small, large;

		if (s == NULL)
			continue;
		small = cost_point(e, b, qp, s, COST_SMALL);
		large = small > 0 ? cost_point(e, b, qp, s, COST_LARGE) : -1;
		rte_cryptodev_sym_session_free(b->dev_id, s);
		if (small <= 0 || large <= 0)
			continue;
		/* A line through the two points; noise may tilt it, never below 0. */
		cost_ns[be][k].per_byte =
			RTE_MAX((large - small) / (COST_LARGE - COST_SMALL), 1e-6);
		cost_ns[be][k].fixed = RTE_MAX(small - COST_SMALL * cost_ns[be][k].per_byte, 0.0);
		cost_ns[be][k].ok = true;
	}
}

int
vcd_calibrate_costs(bool workers_running)
{
	struct cal_env e;
	unsigned int be;
	int rc = 0;

	pthread_mutex_lock(&cal_lock);
	if (env_init(&e) != 0) {
		rc = -ENOMEM;
		goto out;
	}
	for (be = 0; be < vcd_backend_count() && be < VCD_MAX_BACKENDS; be++) {
		const struct vcd_backend *b = vcd_backend_get(be);
		uint16_t qp = b->ctl_qp != VCD_NO_QP ? b->ctl_qp : workers_running ? VCD_NO_QP : 0;

		if (qp == VCD_NO_QP || e.stuck)
			continue;
		cost_measure_backend(&e, be, qp);
		if (cost_unit_be < 0 && b->role == VCD_BACKEND_CPU && cost_ns[be][0].ok)
			cost_unit_be = (int)be;
	}
	if (cost_unit_be < 0)
		rc = -ENOTSUP;
out:
	env_fini(&e);
	pthread_mutex_unlock(&cal_lock);
	if (rc == -ENOTSUP)
		VCD_LOG(WARNING,
			"sharing: no cpu backend ran AES-128-CBC, so requests cost their "
			"bytes whatever their algorithm ([daemon] measured_cost has no effect)");
	else if (rc != 0)
		VCD_LOG(WARNING,
			"sharing: no memory to measure what algorithms cost (raise "
			"[daemon] memory_mb); requests cost their bytes");
	return rc;
}

/* The kind of @x, or -1. */
static int
cost_kind_of(const struct rte_crypto_sym_xform *x)
{
	unsigned int k;

	for (k = 0; k < COST_KINDS; k++) {
		const struct cost_kind *c = &cost_kinds[k];

		if (c->cipher && x->type == RTE_CRYPTO_SYM_XFORM_CIPHER &&
			(int)x->cipher.algo == c->algo && x->cipher.key.length == c->len)
			return (int)k;
		if (!c->cipher && x->type == RTE_CRYPTO_SYM_XFORM_AUTH &&
			(int)x->auth.algo == c->algo)
			return (int)k;
	}
	return -1;
}

bool
vcd_cost_kind(unsigned int be, unsigned int k, struct vcd_cost_info *out)
{
	const double unit_fixed = cost_ns[cost_unit_be < 0 ? 0 : cost_unit_be][0].fixed;
	const double unit_byte = cost_ns[cost_unit_be < 0 ? 0 : cost_unit_be][0].per_byte;

	if (k >= COST_KINDS || be >= VCD_MAX_BACKENDS || cost_unit_be < 0 || !cost_ns[be][k].ok)
		return false;
	out->name = cost_kinds[k].name;
	out->ns_fixed = cost_ns[be][k].fixed;
	out->ns_per_byte = cost_ns[be][k].per_byte;
	/* Units: bytes of the unit kind; what the unit's own fixed cost is, is request_cost. */
	out->cost.pb16 = (uint32_t)RTE_MIN(
		RTE_MAX(16.0 * out->ns_per_byte / unit_byte + 0.5, 1.0), (double)VCD_COST_PB16_MAX);
	out->cost.extra = (uint32_t)RTE_MIN(
		RTE_MAX((out->ns_fixed - unit_fixed) / unit_byte, 0.0), (double)VCD_COST_EXTRA_MAX);
	return true;
}

double
vcd_cost_unit_ns(void)
{
	return cost_unit_be < 0 ? 0.0 : cost_ns[cost_unit_be][0].per_byte;
}

unsigned int
vcd_cost_kinds(void)
{
	return COST_KINDS;
}

void
vcd_cost_of(unsigned int be, const struct rte_crypto_sym_xform *head, struct vcd_cost *out)
{
	const struct rte_crypto_sym_xform *x;
	struct vcd_cost_info ci;

	out->pb16 = 0;
	out->extra = 0;
	for (x = head; x != NULL; x = x->next) {
		int k = cost_kind_of(x);

		if (k < 0 || !vcd_cost_kind(be, (unsigned int)k, &ci)) {
			/* Not measured there: as many bytes of the unit. */
			ci.cost.pb16 = VCD_COST_PB16_BYTES;
			ci.cost.extra = 0;
		}
		/* A chain runs both halves over the data: the costs add up. */
		out->pb16 = RTE_MIN(out->pb16 + ci.cost.pb16, (uint32_t)VCD_COST_PB16_MAX);
		out->extra = RTE_MIN(out->extra + ci.cost.extra, (uint32_t)VCD_COST_EXTRA_MAX);
	}
	if (out->pb16 == 0)
		out->pb16 = VCD_COST_PB16_BYTES;
}
