/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The worker poll loop: avail ring -> validated request -> cryptodev op on
 * this worker's queue pair -> completion -> used ring -> one notification per
 * ring per poll.
 *
 * Zero copy: guest buffers become the data of mbufs that this worker keeps on
 * its own free stack and never returns to the mempool while attached.  We set
 * buf_addr/data_len directly instead of rte_pktmbuf_attach_extbuf(): that API
 * exists to refcount shared buffers through rte_mbuf_ext_shared_info, which we
 * do not need because the mbufs never leave this worker and are never freed
 * while attached.  Ops come from the worker's own free stack too, so the hot
 * path makes no mempool call at all.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "vcryptd/backend.h"
#include "vcryptd/log.h"
#include "vcryptd/worker.h"

#define VCD_DEQ_BURST 64

static inline struct vcd_req *
op_req(struct rte_crypto_op *op)
{
	return (struct vcd_req *)(op->sym + 1);
}

/* Single-writer counter that control threads read. */
static inline void
count_add(uint32_t *c, int32_t v)
{
	/* Release: the control thread frees a session once it reads 0 here. */
	__atomic_store_n(c, *c + v, __ATOMIC_RELEASE);
}

static inline void
record_latency(struct vcd_vm *vm, uint64_t t0, uint64_t now)
{
	uint64_t d = now > t0 ? now - t0 : 1;
	unsigned int b = 63 - (unsigned int)__builtin_clzll(d);

	vm->stats.lat_hist[b < VCD_LAT_BUCKETS ? b : VCD_LAT_BUCKETS - 1]++;
}

/* Answer a chain without a cryptodev op: status if it has one, else a bare used entry. */
static void
finish_now(struct vcd_vm *vm, const struct vcd_chain *c, uint8_t st)
{
	if (c->status != NULL) {
		*c->status = st;
		vm->stats.status[st]++;
		vcd_vring_push(&vm->vr, c->head, c->wr_len);
	} else {
		vm->stats.no_status++;
		vcd_vring_push(&vm->vr, c->head, 0);
	}
}

/*
 * The host-contiguous pieces of bytes [off, off+len) of a segment list, in
 * order: every reader and writer of request data walks segments through this.
 */
struct seg_iter {
	const struct vcd_seg *s;
	uint16_t n, i;
	uint32_t off;  /* into s[i] */
	uint32_t left; /* bytes of the range not yet yielded */
};

static inline void
seg_iter_init(struct seg_iter *it, const struct vcd_seg *s, uint16_t n, uint32_t off, uint32_t len)
{
	it->s = s;
	it->n = n;
	it->left = len;
	for (it->i = 0; it->i < n && off >= s[it->i].len; it->i++)
		off -= s[it->i].len;
	it->off = off;
}

/* The next piece, or false when the range is done or the segments end first (left > 0). */
static inline bool
seg_next(struct seg_iter *it, uint8_t **va, uint32_t *len)
{
	if (it->left == 0 || it->i >= it->n)
		return false;
	*va = it->s[it->i].va + it->off;
	*len = RTE_MIN(it->s[it->i].len - it->off, it->left);
	it->left -= *len;
	it->off = 0;
	it->i++;
	return true;
}

/* Copy [off, off+len) of a segment list into @dst; false if the list is shorter. */
static bool
seg_copy(const struct vcd_seg *s, uint16_t n, uint32_t off, void *dst, uint32_t len)
{
	struct seg_iter it;
	uint8_t *d = dst, *va;
	uint32_t take;

	seg_iter_init(&it, s, n, off, len);
	while (seg_next(&it, &va, &take)) {
		memcpy(d, va, take);
		d += take;
	}
	return it.left == 0;
}

static inline void
mbuf_set(struct rte_mbuf *m, uint8_t *va, uint16_t len)
{
	m->buf_addr = va;
	m->buf_iova = (rte_iova_t)(uintptr_t)va;
	m->buf_len = len;
	m->data_off = 0;
	m->data_len = len;
	m->pkt_len = len;
	m->nb_segs = 1;
	m->next = NULL;
}

/* Chain mbufs over [off, off+len) of a segment list. */
static int
build_mbufs(struct vcd_worker *w, const struct vcd_seg *s, uint16_t n, uint32_t off, uint32_t len,
	struct rte_mbuf **head)
{
	struct rte_mbuf *first = NULL, *last = NULL;
	struct seg_iter it;
	uint32_t left;
	uint16_t segs = 0;
	uint8_t *va;

	seg_iter_init(&it, s, n, off, len);
	while (seg_next(&it, &va, &left)) {
		while (left > 0) {
			uint16_t piece = (uint16_t)RTE_MIN(left, (uint32_t)VCD_MBUF_SEG_MAX);
			struct rte_mbuf *m;

			if (unlikely(w->nb_mb_free == 0)) {
				*head = first; /* the caller recycles what was taken */
				return -ENOSPC;
			}
			m = w->mb_free[--w->nb_mb_free];
			mbuf_set(m, va, piece);
			if (last != NULL)
				last->next = m;
			else
				first = m;
			last = m;
			va += piece;
			left -= piece;
			segs++;
		}
	}
	*head = first;
	if (first == NULL)
		return -EINVAL;
	first->pkt_len = len;
	first->nb_segs = segs;
	return it.left == 0 ? 0 : -EINVAL;
}

static void
recycle_mbufs(struct vcd_worker *w, struct rte_mbuf *m)
{
	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		w->mb_free[w->nb_mb_free++] = m;
		m = next;
	}
}

/*
 * Where the hash result goes in the writable part: right before the status
 * byte, which is the last writable byte.  A destination longer than
 * dst_data_len (Linux hands over whole scatterlists) therefore never moves the
 * digest into the data; with exact lengths this is offset dst_data_len, as the
 * virtio spec lays it out.  At most two host pieces.
 */
static int
locate_digest(const struct vcd_chain *c, uint32_t off, uint16_t len, struct vcd_req *r)
{
	struct seg_iter it;
	uint32_t take;
	uint16_t k = 0;
	uint8_t *va;

	r->dig_dst[1] = NULL;
	r->dig_len[1] = 0;
	seg_iter_init(&it, c->wr, c->nb_wr, off, len);
	while (seg_next(&it, &va, &take)) {
		if (k == 2)
			return -E2BIG;
		r->dig_dst[k] = va;
		r->dig_len[k++] = (uint16_t)take;
	}
	return it.left == 0 ? 0 : -EINVAL;
}

/* Lengths of one request, from its header, checked against the chain. */
struct req_layout {
	uint32_t iv_len;
	uint32_t src_len;
	uint32_t dst_len;
	uint32_t cipher_off, cipher_len;
	uint32_t hash_off, hash_len;
	uint32_t digest_len;
};

static uint8_t
parse_layout(const struct virtio_crypto_op_data_req *h, const struct vcd_session *s,
	const struct vcd_chain *c, struct req_layout *l)
{
	const struct virtio_crypto_sym_data_req *sym = &h->u.sym_req;

	memset(l, 0, sizeof(*l));
	if (sym->op_type != s->op_type)
		return VIRTIO_CRYPTO_BADMSG;
	if (sym->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER) {
		const struct virtio_crypto_cipher_para *p = &sym->u.cipher.para;

		l->iv_len = p->iv_len;
		l->src_len = p->src_data_len;
		l->dst_len = p->dst_data_len;
		l->cipher_len = p->src_data_len;
	} else {
		const struct virtio_crypto_alg_chain_data_para *p = &sym->u.chain.para;

		if (p->aad_len != 0)
			return VIRTIO_CRYPTO_NOTSUPP;
		l->iv_len = p->iv_len;
		l->src_len = p->src_data_len;
		l->dst_len = p->dst_data_len;
		l->cipher_off = p->cipher_start_src_offset;
		l->cipher_len = p->len_to_cipher;
		l->hash_off = p->hash_start_src_offset;
		l->hash_len = p->len_to_hash;
		l->digest_len = p->hash_result_len;
		if (l->digest_len != s->digest_len ||
			(uint64_t)l->cipher_off + l->cipher_len > l->src_len ||
			(uint64_t)l->hash_off + l->hash_len > l->src_len)
			return VIRTIO_CRYPTO_BADMSG;
	}
	if (l->iv_len != s->iv_len || l->src_len == 0 || l->src_len > VCD_MAX_REQ_DATA ||
		l->dst_len < l->src_len || l->dst_len > VCD_MAX_REQ_DATA)
		return VIRTIO_CRYPTO_BADMSG;
	/* The data must lie in what the walk mapped; the status is the last writable byte. */
	if ((uint64_t)sizeof(*h) + l->iv_len + l->src_len > c->rd_mapped ||
		l->src_len > c->wr_mapped || (uint64_t)l->dst_len + l->digest_len + 1 > c->wr_len)
		return VIRTIO_CRYPTO_BADMSG;
	return VIRTIO_CRYPTO_OK;
}

/*
 * A request whose source or destination is scattered runs in place in one of
 * the worker's bounce buffers: the source is gathered into it here and the
 * result scattered back on completion (through r->scatter, an mbuf chain over
 * the guest's destination).  Cheaper than the PMDs' own scatter-gather
 * handling, which for crypto_aesni_mb 22.11 is an rte_zmalloc() and two copies
 * per op, gets multi-segment chain digests wrong and truncates at 64 KiB.
 */
static uint8_t
fill_bounce(struct vcd_worker *w, const struct vcd_chain *c, const struct req_layout *l,
	struct rte_crypto_op *op, uint32_t src_off)
{
	struct vcd_req *r = op_req(op);
	uint8_t *buf;

	r->bounce = (int32_t)w->bounce_free[--w->nb_bounce_free];
	buf = w->bounce_pool + (size_t)r->bounce * VCD_BOUNCE_SIZE;
	seg_copy(c->rd, c->nb_rd, src_off, buf, l->src_len);
	if (build_mbufs(w, c->wr, c->nb_wr, 0, l->src_len, &r->scatter) != 0 || w->nb_mb_free == 0)
		return VIRTIO_CRYPTO_BADMSG;
	op->sym->m_src = w->mb_free[--w->nb_mb_free];
	mbuf_set(op->sym->m_src, buf, (uint16_t)l->src_len);
	return VIRTIO_CRYPTO_OK;
}

static uint8_t
fill_op(struct vcd_worker *w, const struct vcd_chain *c, const struct req_layout *l, bool linear,
	struct rte_crypto_op *op)
{
	struct rte_crypto_sym_op *sym = op->sym;
	struct vcd_req *r = op_req(op);
	uint32_t src_off = sizeof(struct virtio_crypto_op_data_req) + l->iv_len;
	uint8_t st = VIRTIO_CRYPTO_OK;

	sym->m_src = NULL;
	sym->m_dst = NULL;
	r->scatter = NULL;
	r->bounce = -1;
	if (!seg_copy(c->rd, c->nb_rd, sizeof(struct virtio_crypto_op_data_req), r->iv, l->iv_len))
		return VIRTIO_CRYPTO_BADMSG;
	if (!linear) {
		st = fill_bounce(w, c, l, op, src_off);
	} else if (build_mbufs(w, c->rd, c->nb_rd, src_off, l->src_len, &sym->m_src) != 0 ||
		build_mbufs(w, c->wr, c->nb_wr, 0, l->src_len, &sym->m_dst) != 0) {
		st = VIRTIO_CRYPTO_BADMSG;
	} else if (sym->m_src->buf_addr == sym->m_dst->buf_addr) {
		recycle_mbufs(w, sym->m_dst); /* same buffer: run in place */
		sym->m_dst = NULL;
	}
	if (st != VIRTIO_CRYPTO_OK)
		return st;
	sym->cipher.data.offset = l->cipher_off;
	sym->cipher.data.length = l->cipher_len;
	if (l->digest_len != 0) {
		if (locate_digest(c, c->wr_len - 1 - l->digest_len, (uint16_t)l->digest_len, r) !=
			0)
			return VIRTIO_CRYPTO_BADMSG;
		/* Never hand back an earlier request's digest if the PMD writes none. */
		memset(r->digest, 0, l->digest_len);
		sym->auth.data.offset = l->hash_off;
		sym->auth.data.length = l->hash_len;
		sym->auth.digest.data = r->digest;
		sym->auth.digest.phys_addr = rte_crypto_op_ctophys_offset(
			op, (uint32_t)((uint8_t *)r->digest - (uint8_t *)op));
	}
	return VIRTIO_CRYPTO_OK;
}

static void
release_op(struct vcd_worker *w, struct rte_crypto_op *op)
{
	struct vcd_req *r = op_req(op);

	recycle_mbufs(w, op->sym->m_src);
	recycle_mbufs(w, op->sym->m_dst);
	recycle_mbufs(w, r->scatter);
	if (r->bounce >= 0)
		w->bounce_free[w->nb_bounce_free++] = (uint16_t)r->bounce;
	op->sym->m_src = NULL;
	op->sym->m_dst = NULL;
	r->scatter = NULL;
	r->bounce = -1;
	w->op_free[w->nb_op_free++] = op;
}

/* Copy a bounce buffer's result out to the guest's scattered destination. */
static void
scatter_out(const struct vcd_req *r, const uint8_t *buf)
{
	const struct rte_mbuf *m;

	for (m = r->scatter; m != NULL; m = m->next) {
		memcpy(m->buf_addr, buf, m->data_len);
		buf += m->data_len;
	}
}

/*
 * Synchronous path (rte_cryptodev_sym_cpu_crypto_process): requests too large
 * for mbufs, and chains the backend runs only as two sessions.  The work is
 * done in place in one linear buffer: the guest's destination when it is one
 * host-contiguous piece (the source is copied there first unless it already
 * is the same memory), else the worker's bounce buffer, scattered to the
 * destination afterwards.
 */
static bool
cpu_run(uint8_t dev_id, void *sess, uint8_t *buf, uint32_t len, uint32_t c_head, uint32_t c_len,
	uint32_t a_head, uint32_t a_len, uint8_t *iv, uint8_t *digest)
{
	struct rte_crypto_vec data = {.base = buf, .len = len};
	struct rte_crypto_sgl sgl = {.vec = &data, .num = 1};
	struct rte_crypto_va_iova_ptr iv_ptr = {.va = iv}, dig = {.va = digest}, aad = {0};
	int32_t status = -1;
	struct rte_crypto_sym_vec vec = {.num = 1,
		.src_sgl = &sgl,
		.iv = &iv_ptr,
		.digest = &dig,
		.aad = &aad,
		.status = &status};
	union rte_crypto_sym_ofs ofs = {.raw = 0};

	/* The offsets API has 16-bit heads and tails; an unused half stays 0. */
	if (c_len != 0) {
		if (c_head > UINT16_MAX || len - c_head - c_len > UINT16_MAX)
			return false;
		ofs.ofs.cipher.head = (uint16_t)c_head;
		ofs.ofs.cipher.tail = (uint16_t)(len - c_head - c_len);
	}
	if (a_len != 0) {
		if (a_head > UINT16_MAX || len - a_head - a_len > UINT16_MAX)
			return false;
		ofs.ofs.auth.head = (uint16_t)a_head;
		ofs.ofs.auth.tail = (uint16_t)(len - a_head - a_len);
	}
	return rte_cryptodev_sym_cpu_crypto_process(dev_id, sess, ofs, &vec) == 1 && status == 0;
}

/* How many segments [off, off+len) touches. */
static uint32_t
seg_span(const struct vcd_seg *s, uint16_t n, uint32_t off, uint32_t len)
{
	struct seg_iter it;
	uint32_t count = 0, take;
	uint8_t *va;

	seg_iter_init(&it, s, n, off, len);
	while (seg_next(&it, &va, &take))
		count++;
	return count;
}

/* Host pointer to [off, off+len) if one segment holds all of it, else NULL. */
static uint8_t *
seg_ptr(const struct vcd_seg *s, uint16_t n, uint32_t off, uint32_t len)
{
	struct seg_iter it;
	uint32_t take;
	uint8_t *va;

	seg_iter_init(&it, s, n, off, len);
	return seg_next(&it, &va, &take) && take == len ? va : NULL;
}

/* Scatter @len bytes of @src over the start of the writable segments. */
static void
seg_scatter(const struct vcd_seg *s, uint16_t n, const uint8_t *src, uint32_t len)
{
	uint16_t i;

	for (i = 0; i < n && len > 0; i++) {
		uint32_t take = RTE_MIN(s[i].len, len);

		memcpy(s[i].va, src, take);
		src += take;
		len -= take;
	}
}

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
 * Cipher @len bytes of @buf in place in pieces of at most VCD_SYNC_CHUNK:
 * the multi-buffer library keeps lane lengths in 16 bits (AES-CBC and 3DES
 * encryption of 64 KiB or more come out wrong in one job).  Each piece gets
 * the IV the whole message would have at that point.
 */
static bool
cipher_chunks(uint8_t dev_id, void *sess, const struct vcd_session *s, uint8_t *buf, uint32_t len,
	const uint8_t *iv0)
{
	uint8_t iv[16], next_iv[16], unused[64];
	uint32_t off, n;

	memcpy(iv, iv0, s->iv_len);
	if (s->mode == VCD_MODE_WHOLE)
		return cpu_run(dev_id, sess, buf, len, 0, len, 0, 0, iv, unused);
	for (off = 0; off < len; off += n) {
		n = RTE_MIN(len - off, (uint32_t)VCD_SYNC_CHUNK);
		if (s->mode == VCD_MODE_CBC && !s->encrypt && n >= s->block)
			memcpy(next_iv, buf + off + n - s->block,
				s->block); /* before it is overwritten */
		if (!cpu_run(dev_id, sess, buf + off, n, 0, n, 0, 0, iv, unused))
			return false;
		if (s->mode == VCD_MODE_CBC && n >= s->block)
			memcpy(iv, s->encrypt ? buf + off + n - s->block : next_iv, s->block);
		else if (s->mode == VCD_MODE_CTR)
			ctr_add(iv, s->iv_len, n / s->block);
	}
	return true;
}

static bool
run_halves(uint8_t dev_id, const struct vcd_session *s, const struct req_layout *l, uint8_t *buf,
	const uint8_t *iv, uint8_t *digest)
{
	void *c = s->cs_cipher[s->backend], *a = s->cs_auth[s->backend];
	uint8_t *hbuf = buf + l->hash_off, *cbuf = buf + l->cipher_off;
	uint8_t unused_iv[16];

	if (s->chain_order == VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER)
		return cpu_run(dev_id, a, hbuf, l->hash_len, 0, 0, 0, l->hash_len, unused_iv,
			       digest) &&
			cipher_chunks(dev_id, c, s, cbuf, l->cipher_len, iv);
	return cipher_chunks(dev_id, c, s, cbuf, l->cipher_len, iv) &&
		cpu_run(dev_id, a, hbuf, l->hash_len, 0, 0, 0, l->hash_len, unused_iv, digest);
}

static uint8_t
run_sync(struct vcd_worker *w, const struct vcd_chain *c, const struct req_layout *l,
	const struct vcd_session *s, uint8_t *iv, uint8_t *digest)
{
	uint8_t dev_id = vcd_backend_get(s->backend)->dev_id;
	uint32_t src_off = sizeof(struct virtio_crypto_op_data_req) + l->iv_len;
	uint8_t *buf = seg_ptr(c->wr, c->nb_wr, 0, l->src_len);
	bool direct = buf != NULL;
	bool ok;

	if (!direct)
		buf = w->bounce;
	if (!seg_copy(c->rd, c->nb_rd, sizeof(struct virtio_crypto_op_data_req), iv, l->iv_len))
		return VIRTIO_CRYPTO_BADMSG;
	if (seg_ptr(c->rd, c->nb_rd, src_off, l->src_len) != buf)
		seg_copy(c->rd, c->nb_rd, src_off, buf, l->src_len);
	if (s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER)
		ok = cipher_chunks(dev_id, s->cs[s->backend], s, buf, l->src_len, iv);
	else
		ok = run_halves(dev_id, s, l, buf, iv, digest);
	if (!ok)
		return VIRTIO_CRYPTO_ERR;
	if (!direct)
		seg_scatter(c->wr, c->nb_wr, buf, l->src_len);
	return VIRTIO_CRYPTO_OK;
}

/*
 * The synchronous path takes what the queue pair cannot (see run_sync()):
 * chains the PMD runs only as halves, and requests over 64 KiB.
 */
static bool
wants_sync(const struct vcd_session *s, const struct req_layout *l)
{
	const struct vcd_backend *b = vcd_backend_get(s->backend);

	if (s->cs[s->backend] == NULL)
		return true;
	if (l->src_len <= VCD_ASYNC_MAX_DATA || !(b->features & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO))
		return false;
	return s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER || s->cs_auth[s->backend] != NULL;
}

static void
handle_sync(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct req_layout *l, const struct vcd_session *s)
{
	struct vcd_req r;
	uint8_t st;

	st = run_sync(w, c, l, s, r.iv, r.digest);
	if (st == VIRTIO_CRYPTO_OK && l->digest_len != 0) {
		if (locate_digest(c, c->wr_len - 1 - l->digest_len, (uint16_t)l->digest_len, &r) !=
			0) {
			st = VIRTIO_CRYPTO_BADMSG;
		} else {
			memcpy(r.dig_dst[0], r.digest, r.dig_len[0]);
			if (r.dig_len[1] != 0)
				memcpy(r.dig_dst[1], r.digest + r.dig_len[0], r.dig_len[1]);
		}
	}
	if (st == VIRTIO_CRYPTO_OK)
		vm->stats.bytes += l->src_len;
	w->stage[s->backend].done_ops++;
	w->stage[s->backend].done_bytes += l->src_len;
	record_latency(vm, w->now, rte_rdtsc());
	finish_now(vm, c, st);
}

/*
 * One chain off the ring: refuse it with a status, or stage a cryptodev op for
 * it.  Returns false, having done nothing, when this worker lacks the mbufs
 * for it right now: the caller puts the chain back on the ring.
 */
static bool
handle_chain(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c)
{
	struct virtio_crypto_op_data_req h;
	struct req_layout l;
	struct vcd_session *s;
	struct rte_crypto_op *op;
	struct vcd_req *r;
	uint32_t src_off, need;
	bool linear;
	uint8_t st;

	vm->stats.requests++;
	if (unlikely(c->err != VCD_CHAIN_OK)) {
		vm->stats.chain_err[c->err]++;
		finish_now(vm, c, VIRTIO_CRYPTO_BADMSG);
		return true;
	}
	if (unlikely(c->status == NULL || !seg_copy(c->rd, c->nb_rd, 0, &h, sizeof(h)))) {
		finish_now(vm, c, VIRTIO_CRYPTO_BADMSG);
		return true;
	}
	if (unlikely(h.header.opcode != VIRTIO_CRYPTO_CIPHER_ENCRYPT &&
		    h.header.opcode != VIRTIO_CRYPTO_CIPHER_DECRYPT)) {
		finish_now(vm, c, VIRTIO_CRYPTO_NOTSUPP);
		return true;
	}
	s = vcd_sess_lookup(&vm->sessions, h.header.session_id);
	if (unlikely(s == NULL)) {
		finish_now(vm, c, VIRTIO_CRYPTO_INVSESS);
		return true;
	}
	st = parse_layout(&h, s, c, &l);
	if (unlikely(st != VIRTIO_CRYPTO_OK)) {
		finish_now(vm, c, st);
		return true;
	}
	if (unlikely(wants_sync(s, &l))) {
		handle_sync(w, vm, c, &l, s);
		return true;
	}
	src_off = sizeof(h) + l.iv_len;
	linear = seg_ptr(c->rd, c->nb_rd, src_off, l.src_len) != NULL &&
		seg_ptr(c->wr, c->nb_wr, 0, l.src_len) != NULL;
	if (unlikely(!linear && w->nb_bounce_free == 0))
		return false;
	/* A mbuf per segment of the data, plus one per 64 KiB piece, both directions. */
	need = seg_span(c->rd, c->nb_rd, src_off, l.src_len) +
		seg_span(c->wr, c->nb_wr, 0, l.src_len) + 2u + 2u * (l.src_len / VCD_MBUF_SEG_MAX);
	if (unlikely(need > w->nb_mbufs)) {
		finish_now(vm, c, VIRTIO_CRYPTO_BADMSG); /* too fragmented ever to fit */
		return true;
	}
	if (unlikely(w->nb_mb_free < need))
		return false;
	op = w->op_free[--w->nb_op_free];
	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	st = fill_op(w, c, &l, linear, op);
	if (unlikely(st != VIRTIO_CRYPTO_OK)) {
		release_op(w, op);
		finish_now(vm, c, st);
		return true;
	}
	rte_crypto_op_attach_sym_session(op, s->cs[s->backend]);
	r = op_req(op);
	r->vm = vm;
	r->sess = s;
	r->status = c->status;
	r->used_len = c->wr_len;
	r->head = c->head;
	r->backend = s->backend;
	r->t0 = w->now;
	count_add(&s->inflight, 1);
	vm->inflight++;
	w->stage[s->backend].ops[w->stage[s->backend].n++] = op;
	return true;
}

/* How many chains this poll may take without running out of ops, mbufs or staging room. */
static uint16_t
pop_budget(const struct vcd_worker *w)
{
	uint32_t room = VCD_STAGE_MAX, b;

	for (b = 0; b < w->nb_backends; b++)
		room = RTE_MIN(room, (uint32_t)(VCD_STAGE_MAX - w->stage[b].n));
	room = RTE_MIN(room, w->nb_op_free);
	return (uint16_t)RTE_MIN(room, (uint32_t)w->burst);
}

/* Warm the lines of a popped chain that handle_chain() reads and writes first. */
static inline void
prefetch_chain(const struct vcd_chain *c)
{
	uint16_t i;

	for (i = 0; i < c->nb_rd && i < 3; i++) /* header (72 B: 2 lines), IV, data */
		rte_prefetch0(c->rd[i].va);
	if (c->nb_rd > 0 && c->rd[0].len > RTE_CACHE_LINE_SIZE)
		rte_prefetch0(c->rd[0].va + RTE_CACHE_LINE_SIZE);
	if (c->status != NULL)
		rte_prefetch0(c->status);
}

/*
 * Take up to a burst of chains.  Chain i+1 is popped (its descriptors walked)
 * and its header prefetched before chain i is handled, so that the misses on
 * lines the guest has just written on another CPU overlap with work.
 */
static unsigned int
poll_vm(struct vcd_worker *w, struct vcd_vm *vm)
{
	struct vcd_chain *cur = &w->chain[0], *next = &w->chain[1], *t;
	uint16_t n = vcd_vring_avail_count(&vm->vr);
	uint16_t i;

	if (n == 0)
		return 0;
	n = RTE_MIN(n, pop_budget(w));
	if (n > 1)
		vcd_vring_prefetch(&vm->vr, 1);
	vcd_vring_pop(&vm->vr, cur);
	prefetch_chain(cur);
	for (i = 0; i < n; i++) {
		bool ahead = i + 1 < n;

		if (ahead) {
			if (i + 2 < n)
				vcd_vring_prefetch(&vm->vr, 1);
			vcd_vring_pop(&vm->vr, next);
			prefetch_chain(next);
		}
		if (unlikely(!handle_chain(w, vm, cur))) {
			/* Not taken after all (nor the one popped ahead): next poll. */
			vm->vr.last_avail -= ahead ? 2 : 1;
			vm->stats.requests--;
			break;
		}
		t = cur;
		cur = next;
		next = t;
	}
	vm->stats.bursts += n != 0;
	return n;
}

static uint8_t
op_status(const struct rte_crypto_op *op)
{
	switch (op->status) {
	case RTE_CRYPTO_OP_STATUS_SUCCESS:
		return VIRTIO_CRYPTO_OK;
	case RTE_CRYPTO_OP_STATUS_INVALID_SESSION:
		return VIRTIO_CRYPTO_INVSESS;
	case RTE_CRYPTO_OP_STATUS_INVALID_ARGS:
		return VIRTIO_CRYPTO_BADMSG;
	default:
		return VIRTIO_CRYPTO_ERR;
	}
}

static void
complete_op(struct vcd_worker *w, struct rte_crypto_op *op)
{
	struct vcd_req *r = op_req(op);
	struct vcd_vm *vm = r->vm;
	uint8_t st = op_status(op);

	if (st == VIRTIO_CRYPTO_OK) {
		if (r->bounce >= 0)
			scatter_out(r, op->sym->m_src->buf_addr);
		if (r->sess->digest_len != 0) {
			memcpy(r->dig_dst[0], r->digest, r->dig_len[0]);
			if (r->dig_len[1] != 0)
				memcpy(r->dig_dst[1], r->digest + r->dig_len[0], r->dig_len[1]);
		}
		vm->stats.bytes += op->sym->m_src->pkt_len;
	}
	*r->status = st;
	vm->stats.status[st]++;
	record_latency(vm, r->t0, w->now);
	w->stage[r->backend].done_ops++;
	w->stage[r->backend].done_bytes += op->sym->m_src->pkt_len;
	vcd_vring_push(&vm->vr, r->head, r->used_len);
	count_add(&r->sess->inflight, -1);
	vm->inflight--;
	release_op(w, op);
}

static unsigned int
enqueue_all(struct vcd_worker *w)
{
	unsigned int b, total = 0;

	for (b = 0; b < w->nb_backends; b++) {
		struct vcd_stage *st = &w->stage[b];
		uint16_t n, done;

		if (st->n == 0)
			continue;
		n = rte_cryptodev_enqueue_burst(st->dev_id, (uint16_t)w->id, st->ops, st->n);
		st->inflight += n;
		/*
		 * An op the PMD could not even build (QAT: more segments than its
		 * SGL takes) stays at the head with an error status: answer it
		 * rather than offer it again forever.
		 */
		for (done = n;
			done < st->n && st->ops[done]->status != RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
			done++)
			complete_op(w, st->ops[done]);
		total += done;
		if (done < st->n) {
			/* Keep the rest, in order, for the next poll: nothing is dropped. */
			memmove(st->ops, st->ops + done,
				(size_t)(st->n - done) * sizeof(st->ops[0]));
			st->enq_full++;
		}
		st->n -= done;
	}
	return total;
}

static unsigned int
dequeue_all(struct vcd_worker *w)
{
	struct rte_crypto_op *ops[VCD_DEQ_BURST];
	unsigned int b, total = 0;
	uint16_t i, n;

	for (b = 0; b < w->nb_backends; b++) {
		struct vcd_stage *st = &w->stage[b];

		if (st->inflight == 0)
			continue;
		n = rte_cryptodev_dequeue_burst(st->dev_id, (uint16_t)w->id, ops, VCD_DEQ_BURST);
		st->inflight -= n;
		total += n;
		if (n != 0)
			w->now = rte_rdtsc(); /* completion time for the latency histogram */
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(op_req(ops[i + 1]));
			complete_op(w, ops[i]);
		}
	}
	return total;
}

/* Act on a control request for @vm (see vm.h). */
static void
sync_state(struct vcd_vm *vm)
{
	uint32_t want = __atomic_load_n(&vm->want, __ATOMIC_ACQUIRE);

	if (want == VCD_VM_RUNNING) {
		vcd_vring_suppress_kicks(&vm->vr);
		__atomic_store_n(&vm->have, want, __ATOMIC_RELEASE);
	} else if (vm->inflight == 0) {
		/* Drained: every chain taken has its used entry; make them visible. */
		vm->stats.notifications += (uint64_t)vcd_vring_flush(&vm->vr);
		__atomic_store_n(&vm->have, want, __ATOMIC_RELEASE);
	}
}

static unsigned int
poll_once(struct vcd_worker *w)
{
	unsigned int i, work = 0;

	unsigned int nb = __atomic_load_n(&w->nb_vms, __ATOMIC_ACQUIRE);

	w->now = rte_rdtsc();
	for (i = 0; i < nb; i++) {
		struct vcd_vm *vm = __atomic_load_n(&w->vms[i], __ATOMIC_ACQUIRE);

		if (vm == NULL)
			continue;
		if (unlikely(__atomic_load_n(&vm->want, __ATOMIC_RELAXED) != vm->have))
			sync_state(vm);
		if (vm->have == VCD_VM_RUNNING &&
			__atomic_load_n(&vm->want, __ATOMIC_RELAXED) == VCD_VM_RUNNING)
			work += poll_vm(w, vm);
	}
	work += enqueue_all(w);
	work += dequeue_all(w);
	for (i = 0; i < nb; i++) {
		struct vcd_vm *vm = __atomic_load_n(&w->vms[i], __ATOMIC_ACQUIRE);

		/* A stopped VM's ring belongs to the control thread. */
		if (vm != NULL && vm->have == VCD_VM_RUNNING && vm->vr.pending_used != 0)
			vm->stats.notifications += (uint64_t)vcd_vring_flush(&vm->vr);
	}
	return work;
}

int
vcd_worker_main(void *arg)
{
	struct vcd_worker *w = arg;
	uint64_t t0 = rte_rdtsc();

	VCD_LOG(INFO, "worker %u running on lcore %u with %u VM(s)", w->id, rte_lcore_id(),
		vcd_worker_vm_count(w));
	__atomic_store_n(&w->running, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		unsigned int work = poll_once(w);
		uint64_t t1 = rte_rdtsc();

		w->stats.polls++;
		if (work != 0) {
			w->stats.busy_polls++;
			w->stats.busy_cycles += t1 - t0;
		} else {
			w->stats.idle_cycles += t1 - t0;
		}
		t0 = t1;
		__atomic_store_n(&w->epoch, w->epoch + 1, __ATOMIC_RELEASE);
	}
	/* VMs were stopped (drained) by the control thread before stop was set. */
	__atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
	return 0;
}

int
vcd_worker_attach(struct vcd_worker *w, struct vcd_vm *vm)
{
	unsigned int i;

	for (i = 0; i < w->nb_vms && w->vms[i] != NULL; i++)
		;
	if (i == VCD_MAX_VMS)
		return -ENOSPC;
	__atomic_store_n(&w->vms[i], vm, __ATOMIC_RELEASE);
	if (i == w->nb_vms)
		__atomic_store_n(&w->nb_vms, i + 1, __ATOMIC_RELEASE);
	return 0;
}

void
vcd_worker_detach(struct vcd_worker *w, struct vcd_vm *vm)
{
	unsigned int i;

	for (i = 0; i < w->nb_vms; i++) {
		if (w->vms[i] == vm)
			__atomic_store_n(&w->vms[i], NULL, __ATOMIC_RELEASE);
	}
	vcd_worker_quiesce(w);
}

unsigned int
vcd_worker_vm_count(const struct vcd_worker *w)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->nb_vms; i++)
		n += w->vms[i] != NULL;
	return n;
}

int
vcd_worker_quiesce(struct vcd_worker *w)
{
	uint64_t e0 = __atomic_load_n(&w->epoch, __ATOMIC_ACQUIRE);
	unsigned int i;

	if (!__atomic_load_n(&w->running, __ATOMIC_ACQUIRE))
		return 0;
	/* Two epochs: the poll running at e0 may have started before our call. */
	for (i = 0; i < 100000; i++) {
		if (__atomic_load_n(&w->epoch, __ATOMIC_ACQUIRE) - e0 >= 2)
			return 0;
		usleep(50);
	}
	return -ETIMEDOUT;
}

int
vcd_worker_init(struct vcd_worker *w, unsigned int id, unsigned int lcore, uint16_t burst,
	uint32_t nb_ops, uint32_t nb_mbufs)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	int socket = (int)rte_lcore_to_socket_id(lcore);
	unsigned int b;

	memset(w, 0, sizeof(*w));
	w->id = id;
	w->lcore = lcore;
	w->burst = burst;
	w->nb_backends = vcd_backend_count();
	for (b = 0; b < w->nb_backends; b++)
		w->stage[b].dev_id = vcd_backend_get(b)->dev_id;
	snprintf(name, sizeof(name), "vcd_ops_%u", id);
	w->op_pool = rte_crypto_op_pool_create(
		name, RTE_CRYPTO_OP_TYPE_SYMMETRIC, nb_ops, 0, sizeof(struct vcd_req), socket);
	snprintf(name, sizeof(name), "vcd_mbufs_%u", id);
	w->mbuf_pool = rte_pktmbuf_pool_create(name, nb_mbufs, 0, 0, 0, socket);
	w->op_free = rte_malloc_socket(NULL, nb_ops * sizeof(void *), 0, socket);
	w->mb_free = rte_malloc_socket(NULL, nb_mbufs * sizeof(void *), 0, socket);
	w->bounce = rte_malloc_socket(NULL, VCD_MAX_REQ_DATA, RTE_CACHE_LINE_SIZE, socket);
	w->bounce_pool = rte_malloc_socket(
		NULL, (size_t)VCD_BOUNCE_SLOTS * VCD_BOUNCE_SIZE, RTE_CACHE_LINE_SIZE, socket);
	if (w->bounce_pool == NULL)
		return -ENOMEM;
	for (b = 0; b < VCD_BOUNCE_SLOTS; b++)
		w->bounce_free[w->nb_bounce_free++] = (uint16_t)(VCD_BOUNCE_SLOTS - 1 - b);
	if (nb_ops > VCD_STAGE_MAX || w->op_pool == NULL || w->mbuf_pool == NULL ||
		w->op_free == NULL || w->mb_free == NULL || w->bounce == NULL)
		return -ENOMEM;
	if (rte_crypto_op_bulk_alloc(w->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, w->op_free,
		    (uint16_t)nb_ops) != nb_ops)
		return -ENOMEM;
	if (rte_pktmbuf_alloc_bulk(w->mbuf_pool, w->mb_free, nb_mbufs) != 0)
		return -ENOMEM;
	w->nb_ops = w->nb_op_free = nb_ops;
	w->nb_mbufs = w->nb_mb_free = nb_mbufs;
	return 0;
}

void
vcd_worker_fini(struct vcd_worker *w)
{
	/*
	 * The mbufs' buf_addr may still point into guest memory: never hand them
	 * back to the pool one by one; the pools are freed whole.
	 */
	rte_free(w->op_free);
	rte_free(w->mb_free);
	rte_free(w->bounce);
	rte_free(w->bounce_pool);
	rte_mempool_free(w->op_pool);
	rte_mempool_free(w->mbuf_pool);
	memset(w, 0, sizeof(*w));
}
