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

/* Piece @off of the cipher region of every job that has one. */
static void
cipher_piece(
	const struct vcd_sync_alg *a, struct vcd_sync_job *const *jobs, uint16_t n, uint32_t off)
{
	struct cpu_vec v;
	uint8_t unused[64], saved[VCD_BIG_BATCH][16];
	uint16_t i;

	v.n = 0;
	for (i = 0; i < n; i++) {
		struct vcd_sync_job *j = jobs[i];
		uint32_t len;

		if (j->failed || off >= j->c_len)
			continue;
		len = a->mode == VCD_MODE_WHOLE ? j->c_len
						: RTE_MIN(j->c_len - off, (uint32_t)VCD_SYNC_CHUNK);
		iv_keep(a, j->buf + j->c_off + off, len, saved[v.n]);
		cpu_vec_add(&v, j, j->buf + j->c_off + off, len, j->iv, unused);
	}
	cpu_vec_run(&v, a->dev_id, a->cipher);
	for (i = 0; i < v.n; i++) {
		if (!v.job[i]->failed)
			iv_next(a, v.job[i]->iv, v.data[i].base, v.data[i].len, saved[i]);
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

	for (i = 0; i < n; i++)
		longest = RTE_MAX(longest, jobs[i]->c_len);
	if (a->auth != NULL && a->hash_first)
		hash_all(a, jobs, n);
	if (a->mode == VCD_MODE_WHOLE)
		cipher_piece(a, jobs, n, 0);
	else
		for (off = 0; off < longest; off += VCD_SYNC_CHUNK)
			cipher_piece(a, jobs, n, off);
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
	vcd_vcreq_answer(vm, c->status, c->head, c->wr_len, res, l->src_len, w->now, rte_rdtsc());
}

/*
 * Add a request to the batch if it can join (its destination is one host
 * piece); false if it must run on its own.
 */
static bool
big_add(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct vcd_req_layout *l, const struct vcd_session *s, unsigned int be)
{
	uint8_t *buf = vcd_seg_ptr(c->wr, c->nb_wr, 0, l->src_len);
	struct vcd_big *b = &w->big[w->nb_big]; /* the next slot: counted only if it joins */

	if (buf == NULL)
		return false;
	if (!vcd_vcreq_iv(c, l, b->job.iv) || !digest_place(c, l, b->dig_dst, b->dig_len)) {
		vcd_vcreq_refuse(vm, c, VIRTIO_CRYPTO_BADMSG);
		return true;
	}
	source_into(c, l, buf);
	vcd_count_routed(w, vm, be, l->src_len);
	job_of(&b->job, buf, l);
	b->vm = vm;
	b->sess = s;
	b->be = (uint8_t)be;
	b->status = c->status;
	b->len = l->src_len;
	b->used_len = c->wr_len;
	b->head = c->head;
	b->t0 = w->now;
	if (++w->nb_big == VCD_BIG_BATCH)
		vcd_sync_flush(w);
	return true;
}

void
vcd_sync_request(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct vcd_req_layout *l, struct vcd_session *s, unsigned int be, bool batch)
{
	if (batch && big_add(w, vm, c, l, s, be))
		return;
	if (w->nb_big != 0)
		vcd_sync_flush(w); /* keep the order in which the guest sent them */
	sync_one(w, vm, c, l, s, be);
}

static inline bool
same_group(const struct vcd_big *a, const struct vcd_big *b)
{
	return a->sess == b->sess && a->be == b->be;
}

void
vcd_sync_flush(struct vcd_worker *w)
{
	struct vcd_sync_job *jobs[VCD_BIG_BATCH];
	uint64_t now;
	uint16_t i, k, n;

	/* One vcd_sync_batch() per (session, backend), with the group's first request. */
	for (i = 0; i < w->nb_big; i++) {
		const struct vcd_big *g = &w->big[i];
		struct vcd_sync_alg a;

		for (k = 0; k < i && !same_group(&w->big[k], g); k++)
			;
		if (k != i)
			continue; /* its group ran with its first request */
		for (n = 0, k = i; k < w->nb_big; k++)
			if (same_group(&w->big[k], g))
				jobs[n++] = &w->big[k].job;
		vcd_sync_alg_of(&a, g->sess, g->be, w->stage[g->be].dev_id);
		vcd_sync_batch(&a, jobs, n);
	}
	now = rte_rdtsc();
	for (i = 0; i < w->nb_big; i++) {
		struct vcd_big *b = &w->big[i];
		struct vcd_stage *st = &w->stage[b->be];
		uint8_t res = b->job.failed ? VIRTIO_CRYPTO_ERR : VIRTIO_CRYPTO_OK;

		if (!b->job.failed && b->dig_len[0] != 0)
			vcd_vcreq_digest_out(b->job.digest, b->dig_dst, b->dig_len);
		st->done_ops++;
		st->done_bytes += b->len;
		vcd_vcreq_answer(b->vm, b->status, b->head, b->used_len, res, b->len, b->t0, now);
	}
	w->stats.sync_batches++;
	w->stats.sync_batched += w->nb_big;
	w->nb_big = 0;
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
