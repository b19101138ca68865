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
#include "vcryptd/dma.h"
#include "vcryptd/log.h"
#include "vcryptd/route.h"
#include "vcryptd/worker.h"

#define VCD_DEQ_BURST 64
#define VCD_PROBE_LEN 64

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

/*
 * Copy [off, off+len) of a segment list into @dst; false if the list is
 * shorter.  The usual ranges (the header; the IV after a header that is a
 * segment of its own) lie inside the first or the second segment: one copy.
 */
static inline bool
seg_copy(const struct vcd_seg *s, uint16_t n, uint32_t off, void *dst, uint32_t len)
{
	struct seg_iter it;
	uint8_t *d = dst, *va;
	uint32_t take;

	if (likely(n > 0 && (uint64_t)off + len <= s[0].len)) {
		memcpy(dst, s[0].va + off, len);
		return true;
	}
	if (n > 1 && off >= s[0].len && (uint64_t)(off - s[0].len) + len <= s[1].len) {
		memcpy(dst, s[1].va + (off - s[0].len), len);
		return true;
	}
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
 * Where the @len-byte hash result goes in the writable part: right before the
 * status byte, which is the last writable byte (parse_layout() checked there
 * is room).  A destination longer than dst_data_len (Linux hands over whole
 * scatterlists) therefore never moves the digest into the data; with exact
 * lengths this is offset dst_data_len, as the virtio spec lays it out.  At
 * most two host pieces: @dst[k], @dlen[k].
 */
static int
locate_digest(const struct vcd_chain *c, uint32_t len, uint8_t *dst[2], uint16_t dlen[2])
{
	struct seg_iter it;
	uint32_t take;
	uint16_t k = 0;
	uint8_t *va;

	dst[1] = NULL;
	dlen[1] = 0;
	seg_iter_init(&it, c->wr, c->nb_wr, c->wr_len - 1 - len, len);
	while (seg_next(&it, &va, &take)) {
		if (k == 2)
			return -E2BIG;
		dst[k] = va;
		dlen[k++] = (uint16_t)take;
	}
	return it.left == 0 ? 0 : -EINVAL;
}

/* Copy a digest out to the (at most two) guest pieces locate_digest() found. */
static inline void
digest_out(const uint8_t *digest, uint8_t *const dst[2], const uint16_t len[2])
{
	memcpy(dst[0], digest, len[0]);
	if (len[1] != 0)
		memcpy(dst[1], digest + len[0], len[1]);
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
	op->sym->m_src->buf_iova = w->bounce_iova[r->bounce];
	return VIRTIO_CRYPTO_OK;
}

/* How fill_op() lays a request's data out in mbufs. */
enum data_path {
	DATA_DIRECT, /* mbufs over the guest's source and destination (in place if the same) */
	DATA_BOUNCE, /* gathered into a bounce buffer, run there, scattered back */
	DATA_IN_DST, /* copied into the guest's destination, run in place there: over 64 KiB
		      * on a PMD without out-of-place scatter-gather (crypto_openssl) */
};

/* Copy [off, off+len) of one segment list to the start of another. */
static void
seg_to_seg(const struct vcd_seg *d, uint16_t nd, const struct vcd_seg *s, uint16_t ns, uint32_t off,
	uint32_t len)
{
	struct seg_iter it;
	uint32_t take;
	uint16_t i = 0;
	uint32_t doff = 0;
	uint8_t *va;

	seg_iter_init(&it, s, ns, off, len);
	while (seg_next(&it, &va, &take)) {
		while (take > 0 && i < nd) {
			uint32_t n = RTE_MIN(take, d[i].len - doff);

			if (d[i].va + doff != va)
				memmove(d[i].va + doff, va, n);
			va += n;
			take -= n;
			doff += n;
			if (doff == d[i].len) {
				i++;
				doff = 0;
			}
		}
	}
}

/*
 * @src, @dst: for DATA_DIRECT, the data when one segment each holds it (both
 * non-NULL; then one mbuf each, or one in all in place), else NULL.
 */
static uint8_t
fill_op(struct vcd_worker *w, const struct vcd_chain *c, const struct req_layout *l,
	enum data_path path, uint8_t *src, uint8_t *dst, struct rte_crypto_op *op)
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
	if (likely(src != NULL)) {
		sym->m_src = w->mb_free[--w->nb_mb_free];
		mbuf_set(sym->m_src, src, (uint16_t)l->src_len);
		if (dst != src) {
			sym->m_dst = w->mb_free[--w->nb_mb_free];
			mbuf_set(sym->m_dst, dst, (uint16_t)l->src_len);
		}
	} else if (path == DATA_BOUNCE) {
		st = fill_bounce(w, c, l, op, src_off);
	} else if (path == DATA_IN_DST) {
		seg_to_seg(c->wr, c->nb_wr, c->rd, c->nb_rd, src_off, l->src_len);
		if (build_mbufs(w, c->wr, c->nb_wr, 0, l->src_len, &sym->m_src) != 0)
			st = VIRTIO_CRYPTO_BADMSG;
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
	/* A recycled op keeps its last request's hash fields: never hand those over. */
	sym->auth.data.offset = 0;
	sym->auth.data.length = 0;
	sym->auth.digest.data = NULL;
	if (l->digest_len != 0) {
		if (locate_digest(c, l->digest_len, r->dig_dst, r->dig_len) != 0)
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
	r->flags = 0;
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
 * The IV a request has reached after one piece [piece, piece+len) of it:
 * iv_keep() runs before the piece is ciphered (CBC decryption needs its last
 * ciphertext block, which the piece overwrites), iv_next() after.
 */
static inline void
iv_keep(const struct vcd_session *s, const uint8_t *piece, uint32_t len, uint8_t *saved)
{
	if (s->mode == VCD_MODE_CBC && !s->encrypt && len >= s->block)
		memcpy(saved, piece + len - s->block, s->block);
}

static inline void
iv_next(const struct vcd_session *s, uint8_t *iv, const uint8_t *piece, uint32_t len,
	const uint8_t *saved)
{
	if (s->mode == VCD_MODE_CBC && len >= s->block)
		memcpy(iv, s->encrypt ? piece + len - s->block : saved, s->block);
	else if (s->mode == VCD_MODE_CTR)
		ctr_add(iv, s->iv_len, len / s->block);
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
		iv_keep(s, buf + off, n, next_iv);
		if (!cpu_run(dev_id, sess, buf + off, n, 0, n, 0, 0, iv, unused))
			return false;
		iv_next(s, iv, buf + off, n, next_iv);
	}
	return true;
}

static bool
run_halves(uint8_t dev_id, unsigned int be, const struct vcd_session *s, const struct req_layout *l,
	uint8_t *buf, const uint8_t *iv, uint8_t *digest)
{
	void *c = s->cs_cipher[be], *a = s->cs_auth[be];
	uint8_t *hbuf = buf + l->hash_off, *cbuf = buf + l->cipher_off;
	uint8_t unused_iv[16];

	if (s->chain_order == VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER)
		return cpu_run(dev_id, a, hbuf, l->hash_len, 0, 0, 0, l->hash_len, unused_iv,
			       digest) &&
			cipher_chunks(dev_id, c, s, cbuf, l->cipher_len, iv);
	return cipher_chunks(dev_id, c, s, cbuf, l->cipher_len, iv) &&
		cpu_run(dev_id, a, hbuf, l->hash_len, 0, 0, 0, l->hash_len, unused_iv, digest);
}

/*
 * The request's source into @buf (its destination, or the worker's bounce
 * buffer) for an in-place run, unless it is there already (in place).
 */
static void
source_into(const struct vcd_chain *c, const struct req_layout *l, uint8_t *buf)
{
	uint32_t src_off = sizeof(struct virtio_crypto_op_data_req) + l->iv_len;

	if (seg_ptr(c->rd, c->nb_rd, src_off, l->src_len) != buf)
		seg_copy(c->rd, c->nb_rd, src_off, buf, l->src_len);
}

static uint8_t
run_sync(struct vcd_worker *w, unsigned int be, const struct vcd_chain *c,
	const struct req_layout *l, const struct vcd_session *s, uint8_t *iv, uint8_t *digest)
{
	uint8_t dev_id = w->stage[be].dev_id;
	uint8_t *buf = seg_ptr(c->wr, c->nb_wr, 0, l->src_len);
	bool direct = buf != NULL;
	bool ok;

	if (!direct)
		buf = w->bounce;
	if (!seg_copy(c->rd, c->nb_rd, sizeof(struct virtio_crypto_op_data_req), iv, l->iv_len))
		return VIRTIO_CRYPTO_BADMSG;
	source_into(c, l, buf);
	if (s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER)
		ok = cipher_chunks(dev_id, s->cs[be], s, buf, l->src_len, iv);
	else
		ok = run_halves(dev_id, be, s, l, buf, iv, digest);
	if (!ok)
		return VIRTIO_CRYPTO_ERR;
	if (!direct)
		seg_scatter(c->wr, c->nb_wr, buf, l->src_len);
	return VIRTIO_CRYPTO_OK;
}

/*
 * Whether backend @be runs the request through the synchronous path rather
 * than its queue pair (see run_sync()): chains the PMD runs only as halves,
 * and requests over 64 KiB where the backend has the synchronous API.
 */
static inline bool
runs_sync(const struct vcd_worker *w, const struct vcd_session *s, unsigned int be, uint32_t len)
{
	if (s->cs[be] == NULL)
		return true;
	if (len <= VCD_ASYNC_MAX_DATA || !w->stage[be].cpu_crypto)
		return false;
	return s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER || s->cs_auth[be] != NULL;
}

/* A request of @len bytes sent to backend @be (per-VM routing counters). */
static inline void
count_routed(const struct vcd_worker *w, struct vcd_vm *vm, unsigned int be, uint32_t len)
{
	vm->stats.routed_ops[w->stage[be].role]++;
	vm->stats.routed_bytes[w->stage[be].role] += len;
}

static void
handle_sync(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct req_layout *l, const struct vcd_session *s, unsigned int be)
{
	struct vcd_req r;
	uint8_t st;

	count_routed(w, vm, be, l->src_len);
	st = run_sync(w, be, c, l, s, r.iv, r.digest);
	if (st == VIRTIO_CRYPTO_OK && l->digest_len != 0) {
		if (locate_digest(c, l->digest_len, r.dig_dst, r.dig_len) != 0)
			st = VIRTIO_CRYPTO_BADMSG;
		else
			digest_out(r.digest, r.dig_dst, r.dig_len);
	}
	if (st == VIRTIO_CRYPTO_OK)
		vm->stats.bytes += l->src_len;
	w->stage[be].done_ops++;
	w->stage[be].done_bytes += l->src_len;
	record_latency(vm, w->now, rte_rdtsc());
	finish_now(vm, c, st);
}

/*
 * Requests on a backend's synchronous path, batched per poll: large cipher-only
 * ones, and chains the backend runs as two sessions.  The multi-buffer library
 * runs one request at a time in its lanes unless several are submitted
 * together, and CBC encryption of one request cannot be split across lanes.
 * So, per (session, backend): piece k of the cipher region of every request
 * goes in one rte_cryptodev_sym_cpu_crypto_process() call, each piece with the
 * IV its request has reached, and the hash regions of all of them in one call
 * (before or after, in the chain's order).  The batch runs when full and at the
 * end of every poll_vm(), so it never outlives the poll that filled it, and
 * before any request that does not join it.
 */
static inline bool
batchable(const struct vcd_session *s, unsigned int be, const struct req_layout *l)
{
	if (s->mode == VCD_MODE_WHOLE)
		return false;
	if (s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER)
		return l->src_len > VCD_ASYNC_MAX_DATA;
	return s->cs_cipher[be] != NULL && s->cs_auth[be] != NULL;
}

static inline bool
same_group(const struct vcd_big *a, const struct vcd_big *b)
{
	return a->sess == b->sess && a->be == b->be;
}

/* Piece @off of the cipher region of every request of @g's group that has one. */
static void
big_cipher(struct vcd_worker *w, const struct vcd_big *g, uint32_t off)
{
	struct rte_crypto_vec data[VCD_BIG_BATCH];
	struct rte_crypto_sgl sgl[VCD_BIG_BATCH];
	struct rte_crypto_va_iova_ptr iv[VCD_BIG_BATCH], dig[VCD_BIG_BATCH], aad[VCD_BIG_BATCH];
	struct vcd_big *slot[VCD_BIG_BATCH];
	uint8_t unused[64], saved[VCD_BIG_BATCH][16];
	int32_t status[VCD_BIG_BATCH];
	struct rte_crypto_sym_vec vec = {
		.src_sgl = sgl, .iv = iv, .digest = dig, .aad = aad, .status = status};
	union rte_crypto_sym_ofs ofs = {.raw = 0};
	const struct vcd_session *s = g->sess;
	uint16_t i, n = 0;

	for (i = 0; i < w->nb_big; i++) {
		struct vcd_big *b = &w->big[i];

		if (!same_group(b, g) || b->failed || off >= b->c_len)
			continue;
		data[n].base = b->buf + b->c_off + off;
		data[n].len = RTE_MIN(b->c_len - off, (uint32_t)VCD_SYNC_CHUNK);
		sgl[n].vec = &data[n];
		sgl[n].num = 1;
		iv[n].va = b->iv;
		dig[n].va = unused;
		memset(&aad[n], 0, sizeof(aad[n]));
		status[n] = -1;
		iv_keep(s, data[n].base, data[n].len, saved[n]);
		slot[n++] = b;
	}
	if (n == 0)
		return;
	vec.num = n;
	rte_cryptodev_sym_cpu_crypto_process(w->stage[g->be].dev_id,
		s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER ? s->cs[g->be] : s->cs_cipher[g->be], ofs,
		&vec);
	for (i = 0; i < n; i++) {
		if (status[i] != 0)
			slot[i]->failed = true;
		else
			iv_next(s, slot[i]->iv, data[i].base, data[i].len, saved[i]);
	}
}

/* The hash regions of every request of @g's group, in one call. */
static void
big_hash(struct vcd_worker *w, const struct vcd_big *g)
{
	struct rte_crypto_vec data[VCD_BIG_BATCH];
	struct rte_crypto_sgl sgl[VCD_BIG_BATCH];
	struct rte_crypto_va_iova_ptr iv[VCD_BIG_BATCH], dig[VCD_BIG_BATCH], aad[VCD_BIG_BATCH];
	struct vcd_big *slot[VCD_BIG_BATCH];
	uint8_t unused_iv[16] = {0};
	int32_t status[VCD_BIG_BATCH];
	struct rte_crypto_sym_vec vec = {
		.src_sgl = sgl, .iv = iv, .digest = dig, .aad = aad, .status = status};
	union rte_crypto_sym_ofs ofs = {.raw = 0};
	uint16_t i, n = 0;

	for (i = 0; i < w->nb_big; i++) {
		struct vcd_big *b = &w->big[i];

		if (!same_group(b, g) || b->failed)
			continue;
		data[n].base = b->buf + b->h_off;
		data[n].len = b->h_len;
		sgl[n].vec = &data[n];
		sgl[n].num = 1;
		iv[n].va = unused_iv;
		dig[n].va = b->digest;
		memset(&aad[n], 0, sizeof(aad[n]));
		status[n] = -1;
		slot[n++] = b;
	}
	if (n == 0)
		return;
	vec.num = n;
	rte_cryptodev_sym_cpu_crypto_process(
		w->stage[g->be].dev_id, g->sess->cs_auth[g->be], ofs, &vec);
	for (i = 0; i < n; i++)
		slot[i]->failed |= status[i] != 0;
}

static void
big_run(struct vcd_worker *w)
{
	uint64_t now;
	uint16_t i, k;

	for (i = 0; i < w->nb_big; i++) {
		const struct vcd_big *g = &w->big[i];
		bool chain = g->sess->op_type != VIRTIO_CRYPTO_SYM_OP_CIPHER;
		bool hash_first =
			g->sess->chain_order == VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER;
		uint32_t off, longest = 0;

		for (k = 0; k < i && !same_group(&w->big[k], g); k++)
			;
		if (k != i)
			continue; /* its group ran with its first request */
		for (k = i; k < w->nb_big; k++)
			if (same_group(&w->big[k], g))
				longest = RTE_MAX(longest, w->big[k].c_len);
		if (chain && hash_first)
			big_hash(w, g);
		for (off = 0; off < longest; off += VCD_SYNC_CHUNK)
			big_cipher(w, g, off);
		if (chain && !hash_first)
			big_hash(w, g);
	}
	now = rte_rdtsc();
	for (i = 0; i < w->nb_big; i++) {
		struct vcd_big *b = &w->big[i];
		struct vcd_stage *st = &w->stage[b->be];
		uint8_t res = b->failed ? VIRTIO_CRYPTO_ERR : VIRTIO_CRYPTO_OK;

		if (!b->failed) {
			b->vm->stats.bytes += b->len;
			if (b->dig_len[0] != 0)
				digest_out(b->digest, b->dig_dst, b->dig_len);
		}
		st->done_ops++;
		st->done_bytes += b->len;
		*b->status = res;
		b->vm->stats.status[res]++;
		record_latency(b->vm, w->now, now);
		vcd_vring_push(&b->vm->vr, b->head, b->used_len);
	}
	w->stats.sync_batches++;
	w->stats.sync_batched += w->nb_big;
	w->nb_big = 0;
}

/*
 * Add a request to the batch if it can join (its destination is one host
 * piece); false if it must run on its own.
 */
static bool
big_add(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct req_layout *l, const struct vcd_session *s, unsigned int be)
{
	uint8_t *buf = seg_ptr(c->wr, c->nb_wr, 0, l->src_len);
	struct vcd_big *b = &w->big[w->nb_big]; /* the next slot: counted only if it joins */

	if (buf == NULL)
		return false;
	b->dig_len[0] = b->dig_len[1] = 0; /* no digest unless a chain */
	if (!seg_copy(
		    c->rd, c->nb_rd, sizeof(struct virtio_crypto_op_data_req), b->iv, l->iv_len) ||
		(l->digest_len != 0 &&
			locate_digest(c, l->digest_len, b->dig_dst, b->dig_len) != 0)) {
		finish_now(vm, c, VIRTIO_CRYPTO_BADMSG);
		return true;
	}
	source_into(c, l, buf);
	count_routed(w, vm, be, l->src_len);
	b->vm = vm;
	b->sess = s;
	b->be = (uint8_t)be;
	b->status = c->status;
	b->buf = buf;
	b->len = l->src_len;
	b->c_off = l->cipher_off;
	b->c_len = l->cipher_len;
	b->h_off = l->hash_off;
	b->h_len = l->hash_len;
	b->used_len = c->wr_len;
	b->head = c->head;
	b->failed = false;
	if (++w->nb_big == VCD_BIG_BATCH)
		big_run(w);
	return true;
}

/* Ops routing may still give a queue pair under its budget. */
static inline uint32_t
stage_room(const struct vcd_stage *st)
{
	uint32_t used = st->inflight + st->n;

	return used < st->budget ? st->budget - used : 0;
}

/*
 * Whether queue pair @st can take a request of @len bytes at all: within what
 * it takes as mbufs, and where guest memory has no IOVA for it (dma.h) only
 * as a bounce buffer.  @queued: an op already built (@bounced: in a bounce
 * buffer), which moves only if it is at most 64 KiB (one segment each way).
 */
static inline bool
qp_takes(const struct vcd_stage *st, uint32_t len, bool queued, bool bounced)
{
	if (len > st->max_data || (queued && len > VCD_ASYNC_MAX_DATA))
		return false;
	return !st->bounce_only || bounced || (!queued && len <= VCD_BOUNCE_SIZE);
}

/*
 * The backends that could take a request of session @s with @len data bytes,
 * as route.h's candidates.  @queued: for an op already built (moved or run
 * again): only queue pairs that take it as it is, and never @exclude.
 */
static unsigned int
candidates(const struct vcd_worker *w, const struct vcd_session *s, uint32_t len, bool queued,
	int exclude, bool bounced, struct vcd_route_cand *c)
{
	uint16_t mask = len > VCD_ASYNC_MAX_DATA ? s->large_mask : s->small_mask;
	unsigned int n = 0;

	while (mask != 0) {
		unsigned int b = (unsigned int)__builtin_ctz(mask);
		const struct vcd_stage *st = &w->stage[b];
		bool sync = runs_sync(w, s, b, len);

		mask &= (uint16_t)(mask - 1);
		/*
		 * Built ops over 64 KiB stay where they are (their mbufs suit that
		 * PMD); smaller ones run anywhere, through run_op_sync() where the
		 * backend runs them synchronously.
		 */
		if ((int)b == exclude || !qp_takes(st, len, queued, bounced))
			continue;
		c[n].backend = (uint8_t)b;
		c[n].role = st->role;
		c[n].up = st->up;
		/* The synchronous path runs on this core at once: never full. */
		c[n].room = sync ? UINT32_MAX : stage_room(st);
		n++;
	}
	return n;
}

static inline uint32_t
threshold_of(const struct vcd_worker *w, const struct vcd_session *s)
{
	return w->threshold[s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER ? VCD_ROUTE_CIPHER
								      : VCD_ROUTE_CHAIN];
}

/* The backend for a new request (route.h), or VCD_ROUTE_WAIT / VCD_ROUTE_NONE. */
static int
route(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_session *s, uint32_t len)
{
	struct vcd_route_cand c[VCD_MAX_BACKENDS];
	unsigned int n;
	bool spilled;
	int b;

	if (w->nb_backends == 1) /* nothing to choose: only what it cannot take */
		return (len > VCD_ASYNC_MAX_DATA ? s->large_mask : s->small_mask) & 1u &&
				qp_takes(&w->stage[0], len, false, false)
			? 0
			: VCD_ROUTE_NONE;
	n = candidates(w, s, len, false, -1, false, c);
	b = vcd_route_pick(c, n, len, threshold_of(w, s), &spilled);
	if (b >= 0 && spilled) {
		vm->stats.spills++;
		w->stage[b].spill_in++;
	}
	return b;
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
	enum data_path path;
	struct vcd_stage *bst;
	struct vcd_req *r;
	uint32_t src_off, need;
	uint8_t *src, *dst;
	uint8_t st;
	int be;

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
	be = route(w, vm, s, l.src_len);
	if (unlikely(be < 0)) {
		if (be == VCD_ROUTE_WAIT)
			return false;
		finish_now(vm, c, VIRTIO_CRYPTO_ERR); /* every backend that can run it is down */
		return true;
	}
	if (unlikely(runs_sync(w, s, (unsigned int)be, l.src_len))) {
		if (!batchable(s, (unsigned int)be, &l) ||
			!big_add(w, vm, c, &l, s, (unsigned int)be)) {
			if (w->nb_big != 0)
				big_run(w); /* keep the order in which the guest sent them */
			handle_sync(w, vm, c, &l, s, (unsigned int)be);
		}
		return true;
	}
	src_off = sizeof(h) + l.iv_len;
	bst = &w->stage[be];
	src = dst = NULL;
	if (unlikely(l.src_len > VCD_ASYNC_MAX_DATA)) {
		/* Scatter-gather mbufs: candidates() checked that the PMD takes them. */
		path = bst->sgl_oop ? DATA_DIRECT : DATA_IN_DST;
	} else if (bst->bounce_only ||
		(src = seg_ptr(c->rd, c->nb_rd, src_off, l.src_len)) == NULL ||
		(dst = seg_ptr(c->wr, c->nb_wr, 0, l.src_len)) == NULL) {
		/* Scattered, or a device without IOVAs for guest memory (dma.h). */
		path = DATA_BOUNCE;
		src = dst = NULL;
	} else {
		path = DATA_DIRECT; /* one mbuf each way (src, dst) */
	}
	if (unlikely(path == DATA_BOUNCE && w->nb_bounce_free == 0))
		return false;
	/* A mbuf per segment of the data, plus one per 64 KiB piece, both directions. */
	need = src != NULL ? 2u
			   : seg_span(c->rd, c->nb_rd, src_off, l.src_len) +
			seg_span(c->wr, c->nb_wr, 0, l.src_len) + 2u +
			2u * (l.src_len / VCD_MBUF_SEG_MAX);
	if (unlikely(need > w->nb_mbufs)) {
		finish_now(vm, c, VIRTIO_CRYPTO_BADMSG); /* too fragmented ever to fit */
		return true;
	}
	if (unlikely(w->nb_mb_free < need))
		return false;
	op = w->op_free[--w->nb_op_free];
	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	st = fill_op(w, c, &l, path, src, dst, op);
	if (unlikely(st != VIRTIO_CRYPTO_OK)) {
		release_op(w, op);
		finish_now(vm, c, st);
		return true;
	}
	rte_crypto_op_attach_sym_session(op, s->cs[be]);
	r = op_req(op);
	r->vm = vm;
	r->sess = s;
	r->status = c->status;
	r->used_len = c->wr_len;
	r->head = c->head;
	r->backend = (uint8_t)be;
	r->t0 = w->now;
	count_add(&s->inflight, 1);
	vm->inflight++;
	count_routed(w, vm, (unsigned int)be, l.src_len);
	bst->ops[bst->n++] = op;
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

/*
 * Warm the lines of a popped chain that handle_chain() reads, and for writing
 * those the device and the completion write: the destination's first line and
 * the status byte (the frontend's CPU holds them; a read prefetch would cost a
 * second transfer to take ownership).
 */
static inline void
prefetch_chain(const struct vcd_chain *c)
{
	uint16_t i;

	for (i = 0; i < c->nb_rd && i < 3; i++) /* header (72 B: 2 lines), IV, data */
		rte_prefetch0(c->rd[i].va);
	if (c->nb_rd > 0 && c->rd[0].len > RTE_CACHE_LINE_SIZE)
		rte_prefetch0(c->rd[0].va + RTE_CACHE_LINE_SIZE);
	if (c->nb_wr > 0)
		__builtin_prefetch(c->wr[0].va, 1);
	if (c->status != NULL)
		__builtin_prefetch(c->status, 1);
}

/*
 * Take up to a burst of chains, through a four-stage software pipeline: while
 * chain i is handled, chain i+1 has been popped (descriptors walked, header,
 * data and status prefetched), chain i+2's indirect table and chain i+3's head
 * descriptor are on their way.  Each stage's lines, written a moment ago by
 * the guest on another CPU, thus get one whole chain's work to arrive.  The
 * heads are read off the avail ring once, up front.
 */
static unsigned int
poll_vm(struct vcd_worker *w, struct vcd_vm *vm)
{
	struct vcd_chain *cur = &w->chain[0], *next = &w->chain[1], *t;
	struct vcd_vring *vr = &vm->vr;
	uint16_t heads[VCD_BURST_MAX];
	uint16_t n = vcd_vring_avail_count(vr);
	uint16_t i;

	if (n == 0)
		return 0;
	n = RTE_MIN(n, pop_budget(w));
	vcd_vring_avail_heads(vr, heads, n);
	for (i = 0; i < n && i < 3; i++)
		vcd_vring_prefetch_desc(vr, heads[i]);
	vcd_vring_prefetch_used(vr);
	vcd_vring_prefetch_table(vr, heads[0]);
	if (n > 1)
		vcd_vring_prefetch_table(vr, heads[1]);
	vcd_vring_pop_head(vr, cur, heads[0]);
	prefetch_chain(cur);
	for (i = 0; i < n; i++) {
		if (i + 3 < n)
			vcd_vring_prefetch_desc(vr, heads[i + 3]);
		if (i + 2 < n)
			vcd_vring_prefetch_table(vr, heads[i + 2]);
		if (i + 1 < n) {
			vcd_vring_pop_head(vr, next, heads[i + 1]);
			prefetch_chain(next);
		}
		if (unlikely(!handle_chain(w, vm, cur))) {
			/* Not taken after all (nor the one popped ahead): next poll. */
			vr->last_avail -= i + 1 < n ? 2 : 1;
			vm->stats.requests--;
			break;
		}
		t = cur;
		cur = next;
		next = t;
	}
	if (w->nb_big != 0)
		big_run(w);
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

/*
 * A failure of the device rather than a result: an authentication failure or
 * an argument the PMD refused is the request's answer; an error status, or an
 * op handed back unprocessed, is the device's fault.
 */
static inline bool
device_error(const struct rte_crypto_op *op)
{
	return op->status == RTE_CRYPTO_OP_STATUS_ERROR ||
		op->status == RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
}

/*
 * Whether an op that failed on a device may run again elsewhere: its input
 * must be intact.  Out of place the device wrote only the destination; an op
 * handed back unprocessed wrote nothing.  An in-place op (or a bounced one,
 * in place in the bounce buffer) may have been half overwritten.
 */
static inline bool
retryable(const struct rte_crypto_op *op)
{
	return op->status == RTE_CRYPTO_OP_STATUS_NOT_PROCESSED || op->sym->m_dst != NULL;
}

static void complete_op(struct vcd_worker *w, struct rte_crypto_op *op);

/*
 * Run a built op (one segment each way, at most 64 KiB) through backend @be's
 * synchronous path, in place in its destination, and set its status.
 */
static void
run_op_sync(struct vcd_worker *w, struct rte_crypto_op *op, unsigned int be)
{
	struct rte_crypto_sym_op *sym = op->sym;
	struct vcd_req *r = op_req(op);
	const struct vcd_session *s = r->sess;
	struct rte_mbuf *m = sym->m_dst != NULL ? sym->m_dst : sym->m_src;
	uint8_t *buf = m->buf_addr;
	struct req_layout l = {.src_len = sym->m_src->pkt_len,
		.cipher_off = sym->cipher.data.offset,
		.cipher_len = sym->cipher.data.length,
		.hash_off = sym->auth.data.offset,
		.hash_len = sym->auth.data.length};
	uint8_t iv[16];
	bool ok;

	if (sym->m_dst != NULL)
		memcpy(buf, sym->m_src->buf_addr, l.src_len);
	memcpy(iv, r->iv, s->iv_len); /* the chunked path advances its own copy */
	if (s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER)
		ok = cipher_chunks(
			w->stage[be].dev_id, s->cs[be], s, buf + l.cipher_off, l.cipher_len, iv);
	else
		ok = run_halves(w->stage[be].dev_id, be, s, &l, buf, iv, r->digest);
	op->status = ok ? RTE_CRYPTO_OP_STATUS_SUCCESS : RTE_CRYPTO_OP_STATUS_ERROR;
	if (sym->m_dst != NULL) {
		/* Done in the destination: the op completes as an in-place one. */
		recycle_mbufs(w, sym->m_src);
		sym->m_src = sym->m_dst;
		sym->m_dst = NULL;
	}
}

/* Send @op to backend @to: stage it with that backend's session, or run it there now. */
static void
retarget(struct vcd_worker *w, struct rte_crypto_op *op, unsigned int to)
{
	struct vcd_req *r = op_req(op);

	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	r->backend = (uint8_t)to;
	if (r->sess->digest_len != 0)
		memset(r->digest, 0, r->sess->digest_len);
	if (runs_sync(w, r->sess, to, op->sym->m_src->pkt_len)) {
		run_op_sync(w, op, to);
		complete_op(w, op);
		return;
	}
	rte_crypto_op_attach_sym_session(op, r->sess->cs[to]);
	w->stage[to].ops[w->stage[to].n++] = op;
}

/* Another backend for a built op that backend @from did not run, or < 0. */
static int
reroute(const struct vcd_worker *w, const struct rte_crypto_op *op, unsigned int from)
{
	const struct vcd_req *r = op_req((struct rte_crypto_op *)(uintptr_t)op);
	struct vcd_route_cand c[VCD_MAX_BACKENDS];
	unsigned int n;
	bool spilled;

	if (w->nb_backends == 1)
		return VCD_ROUTE_NONE;
	n = candidates(w, r->sess, op->sym->m_src->pkt_len, true, (int)from, r->bounce >= 0, c);
	return vcd_route_pick(c, n, op->sym->m_src->pkt_len, threshold_of(w, r->sess), &spilled);
}

/* Answer the request of @op with @st (no crypto result to copy out). */
static void
answer(struct vcd_worker *w, struct rte_crypto_op *op, uint8_t st)
{
	struct vcd_req *r = op_req(op);
	struct vcd_vm *vm = r->vm;

	*r->status = st;
	vm->stats.status[st]++;
	record_latency(vm, r->t0, w->now);
	vcd_vring_push(&vm->vr, r->head, r->used_len);
	count_add(&r->sess->inflight, -1);
	vm->inflight--;
}

/*
 * Move the ops staged on @b that it refused (queue pair full, or down) to
 * other backends with room: the other half of the load spill.
 */
static void
move_staged(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];
	uint16_t i, keep = 0;

	for (i = 0; i < st->n; i++) {
		struct rte_crypto_op *op = st->ops[i];
		struct vcd_req *r = op_req(op);
		int to = r->flags & VCD_REQ_PROBE ? VCD_ROUTE_NONE : reroute(w, op, b);

		if (to < 0) {
			st->ops[keep++] = op;
			continue;
		}
		retarget(w, op, (unsigned int)to);
		st->moved_out++;
		w->stage[to].spill_in++;
		r->vm->stats.spills++;
	}
	st->n = keep;
}

static void
backend_down(struct vcd_worker *w, unsigned int b, const char *why)
{
	struct vcd_stage *st = &w->stage[b];

	if (!st->up)
		return;
	st->up = false;
	st->downs++;
	st->consec_err = 0;
	st->next_probe = w->now + __atomic_load_n(&vcd_route.probe_tsc, __ATOMIC_RELAXED);
	/* One line per event, never per request. */
	VCD_LOG(WARNING, "worker %u: backend %s down (%s): its requests go elsewhere", w->id,
		vcd_backend_get(b)->name, why);
	/* What is staged on it moves at its next enqueue_all() turn (not here: callers iterate it).
	 */
}

/* A device error on @op: count it, maybe take the backend down; true if @op runs again. */
static bool
on_device_error(struct vcd_worker *w, struct rte_crypto_op *op)
{
	struct vcd_req *r = op_req(op);
	struct vcd_stage *st = &w->stage[r->backend];
	unsigned int from = r->backend;
	int to;

	st->dev_errors++;
	if (++st->consec_err >= __atomic_load_n(&vcd_route.fail_errors, __ATOMIC_RELAXED))
		backend_down(w, from, "consecutive device errors");
	if (!retryable(op) || (to = reroute(w, op, from)) < 0)
		return false;
	retarget(w, op, (unsigned int)to);
	st->failover++;
	r->vm->stats.failovers++;
	return true;
}

/* A probe came back: the backend is up again if it succeeded. */
static void
probe_done(struct vcd_worker *w, struct rte_crypto_op *op)
{
	struct vcd_stage *st = &w->stage[op_req(op)->backend];

	st->probing = false;
	if (op->status == RTE_CRYPTO_OP_STATUS_SUCCESS && !st->up) {
		st->up = true;
		st->ups++;
		st->consec_err = 0;
		VCD_LOG(NOTICE, "worker %u: backend %s up again (probe completed)", w->id,
			vcd_backend_get(op_req(op)->backend)->name);
	}
	release_op(w, op);
}

/*
 * An op the PMD would not even take (it failed to build it, e.g. QAT with more
 * segments than its SGL holds): the device did nothing, so this is no mark
 * against its health.  Another backend runs it if one can, else the guest
 * gets the status.
 */
static void
refused_op(struct vcd_worker *w, struct rte_crypto_op *op)
{
	struct vcd_req *r = op_req(op);
	int to;

	if (!(r->flags & VCD_REQ_PROBE) && (to = reroute(w, op, r->backend)) >= 0) {
		w->stage[r->backend].moved_out++;
		w->stage[to].spill_in++;
		retarget(w, op, (unsigned int)to);
		return;
	}
	if (op->status == RTE_CRYPTO_OP_STATUS_NOT_PROCESSED)
		op->status = RTE_CRYPTO_OP_STATUS_ERROR;
	r->flags |= VCD_REQ_REFUSED;
	complete_op(w, op);
}

static void
complete_op(struct vcd_worker *w, struct rte_crypto_op *op)
{
	struct vcd_req *r = op_req(op);
	struct vcd_vm *vm = r->vm;
	uint8_t st;

	if (unlikely(r->flags & (VCD_REQ_PROBE | VCD_REQ_ABANDONED))) {
		if (r->flags & VCD_REQ_PROBE && !(r->flags & VCD_REQ_ABANDONED)) {
			probe_done(w, op);
		} else {
			w->stage[r->backend].late++; /* answered already */
			w->stage[r->backend].held--;
			release_op(w, op);
		}
		return;
	}
	if (unlikely(device_error(op))) {
		if (!(r->flags & VCD_REQ_REFUSED) && on_device_error(w, op))
			return;
	} else {
		w->stage[r->backend].consec_err = 0;
	}
	st = op_status(op);
	if (st == VIRTIO_CRYPTO_OK) {
		if (r->bounce >= 0)
			scatter_out(r, op->sym->m_src->buf_addr);
		if (r->sess->digest_len != 0)
			digest_out(r->digest, r->dig_dst, r->dig_len);
		vm->stats.bytes += op->sym->m_src->pkt_len;
	}
	w->stage[r->backend].done_ops++;
	w->stage[r->backend].done_bytes += op->sym->m_src->pkt_len;
	answer(w, op, st);
	release_op(w, op);
}

/* A new mbuf chain over the same memory as @head; NULL if @head is. */
static struct rte_mbuf *
clone_mbufs(struct vcd_worker *w, const struct rte_mbuf *head)
{
	struct rte_mbuf *first = NULL, *last = NULL, *c;
	const struct rte_mbuf *m;

	for (m = head; m != NULL; m = m->next) {
		c = w->mb_free[--w->nb_mb_free];
		mbuf_set(c, m->buf_addr, m->data_len);
		c->buf_iova = m->buf_iova;
		if (last != NULL)
			last->next = c;
		else
			first = c;
		last = c;
	}
	if (first != NULL) {
		first->pkt_len = head->pkt_len;
		first->nb_segs = head->nb_segs;
	}
	return first;
}

/*
 * A copy of @op that owns its own op and mbufs, for running a request again
 * while the original stays with a device that may still hand it back.
 */
static struct rte_crypto_op *
clone_op(struct vcd_worker *w, struct rte_crypto_op *op)
{
	const struct rte_crypto_sym_op *sym = op->sym;
	uint32_t segs = sym->m_src->nb_segs + (sym->m_dst != NULL ? sym->m_dst->nb_segs : 0);
	struct rte_crypto_op *c;
	struct vcd_req *r;

	if (w->nb_op_free == 0 || w->nb_mb_free < segs || op_req(op)->bounce >= 0)
		return NULL;
	c = w->op_free[--w->nb_op_free];
	*c->sym = *sym;
	r = op_req(c);
	*r = *op_req(op);
	r->flags = 0;
	c->sym->m_src = clone_mbufs(w, sym->m_src);
	c->sym->m_dst = clone_mbufs(w, sym->m_dst);
	c->status = op->status;
	if (r->sess->digest_len != 0) {
		c->sym->auth.digest.data = r->digest;
		c->sym->auth.digest.phys_addr = rte_crypto_op_ctophys_offset(
			c, (uint32_t)((uint8_t *)r->digest - (uint8_t *)c));
	}
	return c;
}

/*
 * Backend @b has stalled: every op it holds is answered without it, run
 * again elsewhere where its input is intact, else VIRTIO_CRYPTO_ERR.  The ops
 * themselves stay out of use until the device returns them (it may still
 * write their buffers); if it never does they are lost to this worker, not
 * to the guest.
 */
static void
abandon_inflight(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];
	uint32_t i;

	for (i = 0; i < w->nb_ops; i++) {
		struct rte_crypto_op *op = w->op_all[i], *c;
		struct vcd_req *r = op_req(op);
		int to;

		if ((r->flags & (VCD_REQ_IN_DEVICE | VCD_REQ_ABANDONED)) != VCD_REQ_IN_DEVICE ||
			r->backend != b)
			continue;
		r->flags |= VCD_REQ_ABANDONED;
		st->abandoned++;
		st->held++;
		if (r->flags & VCD_REQ_PROBE) {
			st->probing = false;
			continue;
		}
		/*
		 * Whether a stalled device wrote anything is unknown: only an
		 * out-of-place op (source untouched) runs again.
		 */
		c = op->sym->m_dst != NULL && (to = reroute(w, op, b)) >= 0 ? clone_op(w, op)
									    : NULL;
		if (c != NULL) {
			retarget(w, c, (unsigned int)to);
			st->failover++;
			r->vm->stats.failovers++;
		} else {
			answer(w, op, VIRTIO_CRYPTO_ERR);
		}
	}
	st->inflight = 0;
}

/*
 * Offer backend @b, which is down, one small op of its probe session on a
 * buffer of the worker's own; it is up again when the op completes.
 */
static void
send_probe(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];
	void *sess = vcd_backend_get(b)->probe_sess;
	struct rte_crypto_op *op;
	struct vcd_req *r;
	struct rte_mbuf *m;

	st->next_probe = w->now + __atomic_load_n(&vcd_route.probe_tsc, __ATOMIC_RELAXED);
	if (sess == NULL) { /* nothing to probe with: try real traffic again */
		st->up = true;
		st->ups++;
		return;
	}
	if (w->nb_op_free == 0 || w->nb_mb_free == 0)
		return;
	op = w->op_free[--w->nb_op_free];
	m = w->mb_free[--w->nb_mb_free];
	mbuf_set(m, w->probe_buf, VCD_PROBE_LEN);
	m->buf_iova = rte_mem_virt2iova(w->probe_buf);
	r = op_req(op);
	memset(r, 0, sizeof(*r));
	r->bounce = -1;
	r->backend = (uint8_t)b;
	r->flags = VCD_REQ_PROBE;
	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	op->sym->m_src = m;
	op->sym->m_dst = NULL;
	op->sym->cipher.data.offset = 0;
	op->sym->cipher.data.length = VCD_PROBE_LEN;
	rte_crypto_op_attach_sym_session(op, sess);
	st->ops[st->n++] = op;
	st->probing = true;
}

/*
 * Backend @b has refused every enqueue, while idle, for longer than the
 * stall time: take it down; what could not move elsewhere is answered, not
 * kept for a dead queue.
 */
static void
refused(struct vcd_worker *w, unsigned int b)
{
	struct vcd_stage *st = &w->stage[b];
	uint16_t i;

	backend_down(w, b, "refuses enqueues");
	st->refused_since = 0;
	if (w->nb_backends > 1)
		move_staged(w, b);
	for (i = 0; i < st->n; i++) {
		if (op_req(st->ops[i])->flags & VCD_REQ_PROBE)
			st->probing = false;
		else
			answer(w, st->ops[i], VIRTIO_CRYPTO_ERR);
		release_op(w, st->ops[i]);
	}
	st->n = 0;
}

/* Per poll: stalls, and probes of backends that are down. */
static void
check_health(struct vcd_worker *w)
{
	uint64_t stall = __atomic_load_n(&vcd_route.stall_tsc, __ATOMIC_RELAXED);
	unsigned int b;

	for (b = 0; b < w->nb_backends; b++) {
		struct vcd_stage *st = &w->stage[b];

		if (st->inflight != 0 && w->now - st->last_progress > stall) {
			backend_down(w, b, "ops in flight and no completion");
			abandon_inflight(w, b);
		}
		if (unlikely(!st->up) && !st->probing && w->now >= st->next_probe)
			send_probe(w, b);
	}
}

static unsigned int
enqueue_all(struct vcd_worker *w)
{
	unsigned int b, total = 0;

	for (b = 0; b < w->nb_backends; b++) {
		struct vcd_stage *st = &w->stage[b];
		uint16_t n, done, i;

		if (st->n == 0)
			continue;
		if (unlikely(!st->up) && w->nb_backends > 1)
			move_staged(w, b); /* all but probes, where another backend can take them */
		if (st->n == 0)
			continue;
		n = VCD_ENQUEUE(st, (uint16_t)w->id, st->ops, st->n);
		if (n != 0) {
			if (st->inflight == 0)
				st->last_progress = w->now; /* the stall clock starts now */
			st->refused_since = 0;
		} else if (st->inflight == 0) {
			/* Idle and refusing: a fault if it lasts (refusals, no accept between). */
			if (st->refused_since == 0) {
				st->refused_since = w->now;
			} else if (w->now - st->refused_since >
				__atomic_load_n(&vcd_route.stall_tsc, __ATOMIC_RELAXED)) {
				refused(w, b);
				continue;
			}
		}
		for (i = 0; i < n; i++)
			op_req(st->ops[i])->flags |= VCD_REQ_IN_DEVICE;
		st->inflight += n;
		/*
		 * An op the PMD could not even build (QAT: more segments than its
		 * SGL takes) stays at the head with an error status: answer it
		 * rather than offer it again forever.
		 */
		for (done = n;
			done < st->n && st->ops[done]->status != RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
			done++)
			refused_op(w, st->ops[done]);
		total += done;
		if (done < st->n) {
			/* Keep the rest, in order, for the next poll: nothing is dropped. */
			memmove(st->ops, st->ops + done,
				(size_t)(st->n - done) * sizeof(st->ops[0]));
			st->enq_full++;
		}
		st->n -= done;
		/* Refused ops go to another backend with room rather than wait (route.h). */
		if (st->n != 0 && w->nb_backends > 1)
			move_staged(w, b);
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

		if (st->inflight == 0 && st->held == 0)
			continue;
		n = VCD_DEQUEUE(st, (uint16_t)w->id, ops, VCD_DEQ_BURST);
		total += n;
		if (n != 0) {
			w->now = rte_rdtsc(); /* completion time for the latency histogram */
			st->last_progress = w->now;
		}
		for (i = 0; i < n; i++) {
			struct vcd_req *r = op_req(ops[i]);

			if (i + 1 < n)
				rte_prefetch0(op_req(ops[i + 1]));
			if (unlikely(!(r->flags & VCD_REQ_IN_DEVICE))) {
				st->spurious++; /* handed back twice: never complete it again */
				continue;
			}
			/* Abandoned ops were taken off the count when they were answered. */
			if (!(r->flags & VCD_REQ_ABANDONED))
				st->inflight--;
			r->flags &= (uint8_t)~VCD_REQ_IN_DEVICE;
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

/* Once per poll: the routing settings a control thread may have changed. */
static void
refresh_route(struct vcd_worker *w)
{
	unsigned int b;

	w->threshold[VCD_ROUTE_CIPHER] =
		__atomic_load_n(&vcd_route.threshold[VCD_ROUTE_CIPHER], __ATOMIC_RELAXED);
	w->threshold[VCD_ROUTE_CHAIN] =
		__atomic_load_n(&vcd_route.threshold[VCD_ROUTE_CHAIN], __ATOMIC_RELAXED);
	for (b = 0; b < w->nb_backends; b++) {
		struct vcd_stage *st = &w->stage[b];
		uint32_t budget = __atomic_load_n(&vcd_route.budget[st->role], __ATOMIC_RELAXED);

		st->budget = budget != 0 ? budget : st->qp_depth;
	}
}

static unsigned int
poll_once(struct vcd_worker *w)
{
	unsigned int i, work = 0;

	unsigned int nb = __atomic_load_n(&w->nb_vms, __ATOMIC_ACQUIRE);

	w->now = rte_rdtsc();
	if (w->nb_backends > 1)
		refresh_route(w);
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
	check_health(w);
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
	for (b = 0; b < w->nb_backends; b++) {
		const struct vcd_backend *be = vcd_backend_get(b);
		struct vcd_stage *st = &w->stage[b];

		st->dev_id = be->dev_id;
		st->role = (uint8_t)be->role;
		st->up = true;
		st->cpu_crypto = be->cpu_crypto;
		st->sgl = be->sgl;
		st->sgl_oop = be->sgl_oop;
		st->max_data = be->max_data;
		st->bounce_only = be->pci && vcd_dma_mode() == VCD_DMA_BOUNCE;
		st->qp_depth = be->qp_depth;
		st->budget = be->qp_depth;
#ifdef VCD_FAULT_INJECT
		st->fault = vcd_fault_qp_new((uint8_t)b);
		if (st->fault == NULL)
			return -ENOMEM;
#endif
	}
	snprintf(name, sizeof(name), "vcd_ops_%u", id);
	w->op_pool = rte_crypto_op_pool_create(
		name, RTE_CRYPTO_OP_TYPE_SYMMETRIC, nb_ops, 0, sizeof(struct vcd_req), socket);
	snprintf(name, sizeof(name), "vcd_mbufs_%u", id);
	w->mbuf_pool = rte_pktmbuf_pool_create(name, nb_mbufs, 0, 0, 0, socket);
	w->op_free = rte_malloc_socket(NULL, nb_ops * sizeof(void *), 0, socket);
	w->mb_free = rte_malloc_socket(NULL, nb_mbufs * sizeof(void *), 0, socket);
	w->bounce = rte_malloc_socket(NULL, VCD_MAX_REQ_DATA, RTE_CACHE_LINE_SIZE, socket);
	/* Aligned to their size, so that no slot crosses a page: one IOVA range each. */
	w->bounce_pool = rte_malloc_socket(
		NULL, (size_t)VCD_BOUNCE_SLOTS * VCD_BOUNCE_SIZE, VCD_BOUNCE_SIZE, socket);
	w->op_all = rte_malloc_socket(NULL, nb_ops * sizeof(void *), 0, socket);
	w->probe_buf = rte_zmalloc_socket(NULL, VCD_PROBE_LEN, RTE_CACHE_LINE_SIZE, socket);
	if (w->bounce_pool == NULL || w->op_all == NULL || w->probe_buf == NULL)
		return -ENOMEM;
	for (b = 0; b < VCD_BOUNCE_SLOTS; b++) {
		w->bounce_free[w->nb_bounce_free++] = (uint16_t)(VCD_BOUNCE_SLOTS - 1 - b);
		w->bounce_iova[b] = rte_mem_virt2iova(w->bounce_pool + (size_t)b * VCD_BOUNCE_SIZE);
	}
	if (nb_ops > VCD_STAGE_MAX || w->op_pool == NULL || w->mbuf_pool == NULL ||
		w->op_free == NULL || w->mb_free == NULL || w->bounce == NULL)
		return -ENOMEM;
	if (rte_crypto_op_bulk_alloc(w->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, w->op_free,
		    (uint16_t)nb_ops) != nb_ops)
		return -ENOMEM;
	if (rte_pktmbuf_alloc_bulk(w->mbuf_pool, w->mb_free, nb_mbufs) != 0)
		return -ENOMEM;
	memcpy(w->op_all, w->op_free, nb_ops * sizeof(void *));
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
#ifdef VCD_FAULT_INJECT
	for (unsigned int b = 0; b < w->nb_backends; b++)
		vcd_fault_qp_free(w->stage[b].fault);
#endif
	rte_free(w->op_free);
	rte_free(w->op_all);
	rte_free(w->probe_buf);
	rte_free(w->mb_free);
	rte_free(w->bounce);
	rte_free(w->bounce_pool);
	rte_mempool_free(w->op_pool);
	rte_mempool_free(w->mbuf_pool);
	memset(w, 0, sizeof(*w));
}
