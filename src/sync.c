/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The synchronous path and its batching (sync.h).
 */
#include <string.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>

#include "vcryptd/dispatch.h"
#include "vcryptd/mac.h"
#include "vcryptd/sync.h"
#include "vcryptd/worker.h"

/* Add @n to the big-endian counter block @ctr of @len bytes. */
static void
ctr_add(uint8_t *ctr, uint16_t len, uint32_t n)
{
	uint32_t carry = n;
	int i;

	for (i = len - 1; i >= 0 && carry != 0; i--) {
		carry += ctr[i];
		ctr[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

/*
 * The IV a job has reached after one piece [piece, piece+len) of it:
 * iv_keep() runs before the piece is ciphered (CBC decryption needs its last
 * ciphertext block, which the piece overwrites), iv_next() after.
 */
static inline void
iv_keep(const struct vcd_sync_alg *a, const uint8_t *piece, uint32_t len, uint8_t *saved)
{
	if (a->mode == VCD_MODE_CBC && !a->encrypt && len >= a->block)
		memcpy(saved, piece + len - a->block, a->block);
}

static inline void
iv_next(const struct vcd_sync_alg *a, uint8_t *iv, const uint8_t *piece, uint32_t len,
	const uint8_t *saved)
{
	if (a->mode == VCD_MODE_CBC && len >= a->block)
		memcpy(iv, a->encrypt ? piece + len - a->block : saved, a->block);
	else if (a->mode == VCD_MODE_CTR)
		ctr_add(iv, a->iv_len, len / a->block);
}

/* The arrays of one rte_cryptodev_sym_cpu_crypto_process() call over up to a batch of buffers. */
struct cpu_vec {
	struct rte_crypto_vec data[VCD_BIG_BATCH];
	struct rte_crypto_sgl sgl[VCD_BIG_BATCH];
	struct rte_crypto_va_iova_ptr iv[VCD_BIG_BATCH], dig[VCD_BIG_BATCH], aad[VCD_BIG_BATCH];
	int32_t status[VCD_BIG_BATCH];
	struct vcd_sync_job *job[VCD_BIG_BATCH];
	uint16_t n;
};

static inline void
cpu_vec_add(struct cpu_vec *v, struct vcd_sync_job *j, uint8_t *base, uint32_t len, uint8_t *iv,
	uint8_t *digest)
{
	uint16_t n = v->n++;

	v->data[n].base = base;
	v->data[n].len = len;
	v->sgl[n].vec = &v->data[n];
	v->sgl[n].num = 1;
	v->iv[n].va = iv;
	v->dig[n].va = digest;
	memset(&v->aad[n], 0, sizeof(v->aad[n]));
	v->status[n] = -1;
	v->job[n] = j;
}

/* Run @v on @sess (whole buffers: no offsets); failed buffers mark their job. */
static void
cpu_vec_run(struct cpu_vec *v, uint8_t dev_id, void *sess)
{
	struct rte_crypto_sym_vec vec = {.num = v->n,
		.src_sgl = v->sgl,
		.iv = v->iv,
		.digest = v->dig,
		.aad = v->aad,
		.status = v->status};
	union rte_crypto_sym_ofs ofs = {.raw = 0};
	uint16_t i;

	if (v->n == 0)
		return;
	rte_cryptodev_sym_cpu_crypto_process(dev_id, sess, ofs, &vec);
	for (i = 0; i < v->n; i++)
		v->job[i]->failed |= v->status[i] != 0;
}

/*
 * The next piece, of at most @len bytes (ignored for an uncuttable cipher),
 * of the cipher region of every job that has some left.
 */
static void
cipher_piece(
	const struct vcd_sync_alg *a, struct vcd_sync_job *const *jobs, uint16_t n, uint32_t len)
{
	struct cpu_vec v;
	uint8_t unused[64], saved[VCD_BIG_BATCH][16];
	uint16_t i;

	v.n = 0;
	for (i = 0; i < n; i++) {
		struct vcd_sync_job *j = jobs[i];
		uint32_t piece;

		if (j->failed || j->c_done >= j->c_len)
			continue;
		piece = a->mode == VCD_MODE_WHOLE ? j->c_len : RTE_MIN(j->c_len - j->c_done, len);
		iv_keep(a, j->buf + j->c_off + j->c_done, piece, saved[v.n]);
		cpu_vec_add(&v, j, j->buf + j->c_off + j->c_done, piece, j->iv, unused);
	}
	cpu_vec_run(&v, a->dev_id, a->cipher);
	for (i = 0; i < v.n; i++) {
		struct vcd_sync_job *j = v.job[i];

		if (!j->failed)
			iv_next(a, j->iv, v.data[i].base, v.data[i].len, saved[i]);
		j->c_done += v.data[i].len;
	}
}

/* The hash regions of every job, in one call. */
static void
hash_all(const struct vcd_sync_alg *a, struct vcd_sync_job *const *jobs, uint16_t n)
{
	struct cpu_vec v;
	uint8_t unused_iv[16] = {0};
	uint16_t i;

	v.n = 0;
	for (i = 0; i < n; i++) {
		if (!jobs[i]->failed)
			cpu_vec_add(&v, jobs[i], jobs[i]->buf + jobs[i]->h_off, jobs[i]->h_len,
				unused_iv, jobs[i]->digest);
	}
	cpu_vec_run(&v, a->dev_id, a->auth);
}

void
vcd_sync_batch(const struct vcd_sync_alg *a, struct vcd_sync_job *const *jobs, uint16_t n)
{
	uint32_t off, longest = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		jobs[i]->c_done = 0;
		longest = RTE_MAX(longest, jobs[i]->c_len);
	}
	if (a->auth != NULL && a->hash_first)
		hash_all(a, jobs, n);
	for (off = 0; off < longest; off += VCD_SYNC_CHUNK)
		cipher_piece(a, jobs, n, VCD_SYNC_CHUNK);
	if (a->auth != NULL && !a->hash_first)
		hash_all(a, jobs, n);
}

/* The work of request @l in place in @buf. */
static inline void
job_of(struct vcd_sync_job *j, uint8_t *buf, const struct vcd_req_layout *l)
{
	j->buf = buf;
	j->c_off = l->cipher_off;
	j->c_len = l->cipher_len;
	j->c_done = 0;
	j->h_off = l->hash_off;
	j->h_len = l->hash_len;
	j->failed = false;
}

/*
 * The request's source into @buf (its destination, or the worker's bounce
 * buffer) for an in-place run, unless it is there already (in place).
 */
static void
source_into(const struct vcd_chain *c, const struct vcd_req_layout *l, uint8_t *buf)
{
	uint32_t src_off = vcd_vcreq_src_off(l);

	if (vcd_seg_ptr(c->rd, c->nb_rd, src_off, l->src_len) != buf)
		vcd_seg_copy(c->rd, c->nb_rd, src_off, buf, l->src_len);
}

/* Where a chain's digest goes; BADMSG if it cannot go there. */
static inline bool
digest_place(const struct vcd_chain *c, const struct vcd_req_layout *l, uint8_t *dst[2],
	uint16_t dlen[2])
{
	dlen[0] = dlen[1] = 0; /* no digest unless a chain */
	return l->digest_len == 0 || vcd_vcreq_digest_place(c, l->digest_len, dst, dlen) == 0;
}

/* One request on its own: in its destination if that is one piece, else in the bounce buffer. */
static void
sync_one(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct vcd_req_layout *l, const struct vcd_session *s, unsigned int be)
{
	struct vcd_stage *st = &w->stage[be];
	uint8_t *buf = vcd_seg_ptr(c->wr, c->nb_wr, 0, l->src_len);
	struct vcd_sync_job j, *jp = &j;
	bool direct = buf != NULL;
	uint8_t *dig_dst[2];
	uint16_t dig_len[2];
	struct vcd_sync_alg a;
	uint8_t res = VIRTIO_CRYPTO_OK;

	vcd_count_routed(w, vm, be, l->src_len);
	if (!direct)
		buf = w->res.bounce;
	if (!vcd_vcreq_iv(c, l, j.iv)) {
		res = VIRTIO_CRYPTO_BADMSG;
	} else {
		source_into(c, l, buf);
		job_of(&j, buf, l);
		vcd_sync_alg_of(&a, s, be, st->dev_id);
		vcd_sync_batch(&a, &jp, 1);
		if (j.failed)
			res = VIRTIO_CRYPTO_ERR;
		else if (!direct)
			vcd_seg_scatter(c->wr, c->nb_wr, buf, l->src_len);
	}
	if (res == VIRTIO_CRYPTO_OK) {
		if (!digest_place(c, l, dig_dst, dig_len))
			res = VIRTIO_CRYPTO_BADMSG;
		else if (dig_len[0] != 0)
			vcd_vcreq_digest_out(j.digest, dig_dst, dig_len);
	}
	st->done_ops++;
	st->done_bytes += l->src_len;
	vcd_vcreq_answer(
		vm, c->vr, c->status, c->head, c->wr_len, res, l->src_len, w->now, rte_rdtsc());
}

/*
 * A request into the table of large requests, in its destination if that is
 * one host piece, else in the bounce buffer; false if there is no room.
 */
static bool
big_add(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct vcd_req_layout *l, struct vcd_session *s, unsigned int be)
{
	uint8_t *buf = vcd_seg_ptr(c->wr, c->nb_wr, 0, l->src_len);
	struct vcd_big *b;

	if (w->nb_big == VCD_BIG_SLOTS || vm->nb_big >= VCD_BIG_PER_VM ||
		(buf == NULL && w->bounce_busy))
		return false;
	b = &w->big[w->nb_big]; /* the next slot: counted only if it is taken */
	if (!vcd_vcreq_iv(c, l, b->job.iv) || !digest_place(c, l, b->dig_dst, b->dig_len)) {
		vcd_vcreq_refuse(vm, c, VIRTIO_CRYPTO_BADMSG);
		return true;
	}
	b->bounce = buf == NULL;
	if (b->bounce) {
		buf = w->res.bounce;
		w->bounce_busy = true;
		w->bounce_chain = *c; /* where the result goes at the end */
	}
	source_into(c, l, buf);
	vcd_count_routed(w, vm, be, l->src_len);
	job_of(&b->job, buf, l);
	b->vm = vm;
	b->sess = s;
	b->be = (uint8_t)be;
	b->hash_first = s->chain_order == VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER &&
		s->op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER;
	b->hashed = false;
	b->h_done = 0;
	b->status = c->status;
	b->vr = c->vr;
	b->len = l->src_len;
	b->used_len = c->wr_len;
	b->head = c->head;
	b->t0 = w->now;
	w->nb_big++;
	vm->nb_big++;
	vm->inflight++;
	vcd_count_add(&s->inflight, 1);
	return true;
}

bool
vcd_sync_request(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct vcd_req_layout *l, struct vcd_session *s, unsigned int be, bool batch)
{
	if (batch)
		return big_add(w, vm, c, l, s, be);
	/* Whole, now; in the bounce buffer if its destination is scattered. */
	if (w->bounce_busy && vcd_seg_ptr(c->wr, c->nb_wr, 0, l->src_len) == NULL)
		return false;
	sync_one(w, vm, c, l, s, be);
	return true;
}

/* Answer large request @i, done (or failed), and give its slot up. */
static void
big_done(struct vcd_worker *w, uint16_t i, uint64_t now)
{
	struct vcd_big *b = &w->big[i];
	struct vcd_stage *st = &w->stage[b->be];
	uint8_t res = b->job.failed ? VIRTIO_CRYPTO_ERR : VIRTIO_CRYPTO_OK;

	if (res == VIRTIO_CRYPTO_OK && b->bounce)
		vcd_seg_scatter(w->bounce_chain.wr, w->bounce_chain.nb_wr, b->job.buf, b->len);
	if (res == VIRTIO_CRYPTO_OK && b->dig_len[0] != 0)
		vcd_vcreq_digest_out(b->job.digest, b->dig_dst, b->dig_len);
	if (b->bounce)
		w->bounce_busy = false;
	st->done_ops++;
	st->done_bytes += b->len;
	vcd_vcreq_answer(b->vm, b->vr, b->status, b->head, b->used_len, res, b->len, b->t0, now);
	vcd_count_add(&b->sess->inflight, -1);
	b->vm->inflight--;
	b->vm->nb_big--;
	/* Order in the table is the order of service: close the gap. */
	memmove(b, b + 1, (size_t)(w->nb_big - i - 1) * sizeof(*b));
	w->nb_big--;
}

/* Cycles per byte x 16 assumed before a session's are measured: 3DES's, so pieces start small. */
#define SYNC_CPB16_UNKNOWN (64u * 16)

/* What a large request does next: its hash half (chains) before or after its cipher half. */
enum big_phase {
	BIG_HASH,
	BIG_CIPHER,
	BIG_DONE,
};

static enum big_phase
big_phase(const struct vcd_big *b)
{
	const struct vcd_sync_job *j = &b->job;
	bool chain = b->sess->mac != NULL;

	if (j->failed)
		return BIG_DONE;
	if (chain && b->hash_first && !b->hashed)
		return BIG_HASH;
	if (j->c_done < j->c_len)
		return BIG_CIPHER;
	return chain && !b->hashed ? BIG_HASH : BIG_DONE;
}

/* The largest piece, in whole VCD_SYNC_MIN_PIECE, that @cycles buy at @cpb16 (at least one). */
static inline uint32_t
piece_for(uint64_t cycles, uint32_t cpb16, uint32_t max)
{
	uint32_t piece = (uint32_t)RTE_MIN((uint64_t)max, cycles * 16 / cpb16);

	return RTE_MAX(piece & ~(uint32_t)(VCD_SYNC_MIN_PIECE - 1), (uint32_t)VCD_SYNC_MIN_PIECE);
}

/* Learn a session's cycles per byte x 16 on a path from one step (EWMA, 1/4). */
static inline void
cpb_learn(uint32_t *cpb16, uint64_t cycles, uint64_t bytes)
{
	uint32_t m;

	if (bytes < 1024)
		return;
	m = (uint32_t)RTE_MIN(cycles * 16 / bytes + 1, (uint64_t)UINT32_MAX / 4);
	*cpb16 = *cpb16 == 0 ? m : (3 * *cpb16 + m) / 4;
}

/*
 * The next piece of the hash half of @n requests, sized so that all of them
 * together fit @left cycles (one lane each: they run one after the other);
 * a request whose hash region is all fed gets its digest.
 */
static void
hash_piece(struct vcd_session *s, struct vcd_big *const *big, uint16_t n, uint64_t left)
{
	uint32_t cpb16 = s->sync_hash_cpb16 != 0 ? s->sync_hash_cpb16 : SYNC_CPB16_UNKNOWN;
	uint32_t piece = piece_for(left / n, cpb16, UINT32_MAX);
	uint64_t t0 = rte_rdtsc(), bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct vcd_big *b = big[i];
		struct vcd_sync_job *j = &b->job;
		uint32_t len = RTE_MIN(j->h_len - b->h_done, piece);

		if (b->h_done == 0)
			vcd_mac_start(s->mac, &b->md);
		vcd_mac_update(s->mac, &b->md, j->buf + j->h_off + b->h_done, len);
		b->h_done += len;
		bytes += len;
		if (b->h_done == j->h_len) {
			vcd_mac_final(s->mac, &b->md, j->digest);
			b->hashed = true;
		}
	}
	cpb_learn(&s->sync_hash_cpb16, rte_rdtsc() - t0, bytes);
}

/*
 * One step of the group of large requests that share @first's session and
 * backend (up to a batch of lanes), in the phase @first is in: the next
 * cipher piece of those ciphering, sized to fit @left cycles, or the next
 * hash piece of those hashing.  Returns the cycles it took.
 */
static uint64_t
big_step(struct vcd_worker *w, uint16_t first, uint64_t left)
{
	struct vcd_big *g = &w->big[first], *big[VCD_BIG_BATCH];
	struct vcd_session *s = g->sess;
	struct vcd_sync_job *jobs[VCD_BIG_BATCH];
	enum big_phase phase = big_phase(g);
	uint64_t t0 = rte_rdtsc(), t1;
	uint32_t cpb16 = s->sync_cpb16 != 0 ? s->sync_cpb16 : SYNC_CPB16_UNKNOWN;
	uint32_t piece, longest = 0;
	struct vcd_sync_alg a;
	uint16_t i, n = 0;

	for (i = first; i < w->nb_big && n < VCD_BIG_BATCH; i++) {
		struct vcd_big *b = &w->big[i];

		if (b->sess == s && b->be == g->be && big_phase(b) == phase) {
			big[n] = b;
			jobs[n++] = &b->job;
		}
	}
	if (phase == BIG_HASH)
		hash_piece(s, big, n, left);
	if (phase != BIG_CIPHER)
		goto out;
	/*
	 * The lanes run side by side, so a step costs about its longest piece
	 * times the cycles per byte of one lane: that is what is measured and used.
	 */
	vcd_sync_alg_of(&a, s, g->be, w->stage[g->be].dev_id);
	piece = piece_for(left, cpb16, VCD_SYNC_CHUNK);
	for (i = 0; i < n; i++) {
		uint32_t rest = jobs[i]->c_len - jobs[i]->c_done;

		longest = RTE_MAX(longest, a.mode == VCD_MODE_WHOLE ? rest : RTE_MIN(rest, piece));
	}
	cipher_piece(&a, jobs, n, piece);
	cpb_learn(&s->sync_cpb16, rte_rdtsc() - t0, longest);
out:
	t1 = rte_rdtsc();
	w->stats.sync_batches++;
	w->stats.sync_batched += n;
	return t1 - t0;
}

static inline bool
big_finished(const struct vcd_big *b)
{
	return big_phase(b) == BIG_DONE;
}

void
vcd_sync_work(struct vcd_worker *w)
{
	uint64_t spent = 0, slice = w->slice_cycles, t0 = rte_rdtsc(), took;
	uint16_t i;

	if (w->nb_big == 0)
		return;
	/* Steps round the table from where the last slice stopped, until the slice is spent. */
	do {
		if (w->big_next >= w->nb_big)
			w->big_next = 0;
		spent += big_step(w, w->big_next, slice - spent);
		/* Answer what finished; the next step starts after this group's first. */
		for (i = 0; i < w->nb_big;) {
			if (big_finished(&w->big[i])) {
				big_done(w, i, rte_rdtsc());
				if (i < w->big_next)
					w->big_next--;
			} else {
				i++;
			}
		}
		w->big_next++;
	} while (w->nb_big != 0 && spent < slice);
	took = rte_rdtsc() - t0;
	w->stats.sync_slices++;
	w->stats.slices_long += took > 2 * slice;
	if (took > w->stats.slice_max_cycles)
		w->stats.slice_max_cycles = took;
}

void
vcd_sync_op(struct vcd_worker *w, struct rte_crypto_op *op, unsigned int be)
{
	struct rte_crypto_sym_op *sym = op->sym;
	struct vcd_req *r = vcd_op_req(op);
	const struct vcd_session *s = r->sess;
	struct rte_mbuf *m = sym->m_dst != NULL ? sym->m_dst : sym->m_src;
	struct vcd_sync_job j = {.buf = m->buf_addr,
				    .c_off = sym->cipher.data.offset,
				    .c_len = sym->cipher.data.length,
				    .h_off = sym->auth.data.offset,
				    .h_len = sym->auth.data.length},
			    *jp = &j;
	struct vcd_sync_alg a;

	if (sym->m_dst != NULL)
		memcpy(j.buf, sym->m_src->buf_addr, sym->m_src->pkt_len);
	memcpy(j.iv, r->iv, s->iv_len); /* the job advances its own copy */
	vcd_sync_alg_of(&a, s, be, w->stage[be].dev_id);
	vcd_sync_batch(&a, &jp, 1);
	if (s->digest_len != 0)
		memcpy(r->digest, j.digest, s->digest_len);
	op->status = j.failed ? RTE_CRYPTO_OP_STATUS_ERROR : RTE_CRYPTO_OP_STATUS_SUCCESS;
	if (sym->m_dst != NULL) {
		/* Done in the destination: the op completes as an in-place one. */
		vcd_mbufs_recycle(&w->res.mb, sym->m_src);
		sym->m_src = sym->m_dst;
		sym->m_dst = NULL;
	}
}
