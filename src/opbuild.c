/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Cryptodev ops over guest memory (opbuild.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "vcryptd/opbuild.h"

int
vcd_mbufs_build(struct vcd_mbufs *mb, const struct vcd_seg *s, uint16_t n, uint32_t off,
	uint32_t len, struct rte_mbuf **head)
{
	struct rte_mbuf *first = NULL, *last = NULL;
	struct vcd_seg_iter it;
	uint32_t left;
	uint16_t segs = 0;
	uint8_t *va;

	vcd_seg_iter_init(&it, s, n, off, len);
	while (vcd_seg_next(&it, &va, &left)) {
		while (left > 0) {
			uint16_t piece = (uint16_t)RTE_MIN(left, (uint32_t)VCD_MBUF_SEG_MAX);
			struct rte_mbuf *m;

			if (unlikely(mb->n == 0)) {
				*head = first; /* the caller recycles what was taken */
				return -ENOSPC;
			}
			m = vcd_mbuf_over(mb, va, piece);
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

/*
 * A request whose source or destination is scattered runs in place in one of
 * the worker's bounce buffers: the source is gathered into it here and the
 * result scattered back on completion (through r->scatter, an mbuf chain over
 * the guest's destination).  Cheaper than the PMDs' own scatter-gather
 * handling, which for crypto_aesni_mb 22.11 is an rte_zmalloc() and two copies
 * per op, gets multi-segment chain digests wrong and truncates at 64 KiB.
 */
static uint8_t
fill_bounce(struct vcd_opres *o, const struct vcd_chain *c, const struct vcd_req_layout *l,
	struct rte_crypto_op *op)
{
	struct vcd_req *r = vcd_op_req(op);
	uint8_t *buf;

	r->bounce = (int32_t)o->bounce_free[--o->nb_bounce_free];
	buf = o->bounce_pool + (size_t)r->bounce * VCD_BOUNCE_SIZE;
	vcd_seg_copy(c->rd, c->nb_rd, vcd_vcreq_src_off(l), buf, l->src_len);
	if (vcd_mbufs_build(&o->mb, c->wr, c->nb_wr, 0, l->src_len, &r->scatter) != 0 ||
		o->mb.n == 0)
		return VIRTIO_CRYPTO_BADMSG;
	op->sym->m_src = vcd_mbuf_over(&o->mb, buf, (uint16_t)l->src_len);
	op->sym->m_src->buf_iova = o->bounce_iova[r->bounce];
	return VIRTIO_CRYPTO_OK;
}

uint8_t
vcd_op_fill(struct vcd_opres *o, const struct vcd_chain *c, const struct vcd_req_layout *l,
	enum vcd_data_layout layout, uint8_t *src, uint8_t *dst, struct rte_crypto_op *op)
{
	struct rte_crypto_sym_op *sym = op->sym;
	struct vcd_req *r = vcd_op_req(op);
	uint32_t src_off = vcd_vcreq_src_off(l);
	uint8_t st = VIRTIO_CRYPTO_OK;

	sym->m_src = NULL;
	sym->m_dst = NULL;
	r->scatter = NULL;
	r->bounce = -1;
	if (!vcd_vcreq_iv(c, l, r->iv))
		return VIRTIO_CRYPTO_BADMSG;
	if (likely(src != NULL)) {
		sym->m_src = vcd_mbuf_over(&o->mb, src, (uint16_t)l->src_len);
		if (dst != src)
			sym->m_dst = vcd_mbuf_over(&o->mb, dst, (uint16_t)l->src_len);
	} else if (layout == VCD_DATA_BOUNCE) {
		st = fill_bounce(o, c, l, op);
	} else if (layout == VCD_DATA_IN_DST) {
		vcd_seg_to_seg(c->wr, c->nb_wr, c->rd, c->nb_rd, src_off, l->src_len);
		if (vcd_mbufs_build(&o->mb, c->wr, c->nb_wr, 0, l->src_len, &sym->m_src) != 0)
			st = VIRTIO_CRYPTO_BADMSG;
	} else if (vcd_mbufs_build(&o->mb, c->rd, c->nb_rd, src_off, l->src_len, &sym->m_src) !=
			0 ||
		vcd_mbufs_build(&o->mb, c->wr, c->nb_wr, 0, l->src_len, &sym->m_dst) != 0) {
		st = VIRTIO_CRYPTO_BADMSG;
	} else if (sym->m_src->buf_addr == sym->m_dst->buf_addr) {
		vcd_mbufs_recycle(&o->mb, sym->m_dst); /* same buffer: run in place */
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
		if (vcd_vcreq_digest_place(c, l->digest_len, r->dig_dst, r->dig_len) != 0)
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

void
vcd_op_release(struct vcd_opres *o, struct rte_crypto_op *op)
{
	struct vcd_req *r = vcd_op_req(op);

	vcd_mbufs_recycle(&o->mb, op->sym->m_src);
	vcd_mbufs_recycle(&o->mb, op->sym->m_dst);
	vcd_mbufs_recycle(&o->mb, r->scatter);
	if (r->bounce >= 0)
		o->bounce_free[o->nb_bounce_free++] = (uint16_t)r->bounce;
	op->sym->m_src = NULL;
	op->sym->m_dst = NULL;
	r->scatter = NULL;
	r->bounce = -1;
	r->flags = 0;
	o->op_free[o->nb_op_free++] = op;
}

void
vcd_op_scatter_out(const struct vcd_req *r, const uint8_t *buf)
{
	const struct rte_mbuf *m;

	for (m = r->scatter; m != NULL; m = m->next) {
		memcpy(m->buf_addr, buf, m->data_len);
		buf += m->data_len;
	}
}

/* A new mbuf chain over the same memory as @head; NULL if @head is. */
static struct rte_mbuf *
clone_mbufs(struct vcd_mbufs *mb, const struct rte_mbuf *head)
{
	struct rte_mbuf *first = NULL, *last = NULL, *c;
	const struct rte_mbuf *m;

	for (m = head; m != NULL; m = m->next) {
		c = vcd_mbuf_over(mb, m->buf_addr, m->data_len);
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

struct rte_crypto_op *
vcd_op_clone(struct vcd_opres *o, struct rte_crypto_op *op)
{
	const struct rte_crypto_sym_op *sym = op->sym;
	uint32_t segs = sym->m_src->nb_segs + (sym->m_dst != NULL ? sym->m_dst->nb_segs : 0);
	struct rte_crypto_op *c;
	struct vcd_req *r;

	if (o->nb_op_free == 0 || o->mb.n < segs || vcd_op_req(op)->bounce >= 0)
		return NULL;
	c = o->op_free[--o->nb_op_free];
	*c->sym = *sym;
	r = vcd_op_req(c);
	*r = *vcd_op_req(op);
	r->flags = 0;
	c->sym->m_src = clone_mbufs(&o->mb, sym->m_src);
	c->sym->m_dst = clone_mbufs(&o->mb, sym->m_dst);
	c->status = op->status;
	if (r->sess->digest_len != 0) {
		c->sym->auth.digest.data = r->digest;
		c->sym->auth.digest.phys_addr = rte_crypto_op_ctophys_offset(
			c, (uint32_t)((uint8_t *)r->digest - (uint8_t *)c));
	}
	return c;
}

struct rte_crypto_op *
vcd_op_probe(struct vcd_opres *o, unsigned int be, void *sess)
{
	struct rte_crypto_op *op;
	struct vcd_req *r;
	struct rte_mbuf *m;

	if (o->nb_op_free == 0 || o->mb.n == 0)
		return NULL;
	op = vcd_op_take(o);
	m = vcd_mbuf_over(&o->mb, o->probe_buf, VCD_PROBE_LEN);
	m->buf_iova = rte_mem_virt2iova(o->probe_buf);
	r = vcd_op_req(op);
	memset(r, 0, sizeof(*r));
	r->bounce = -1;
	r->backend = (uint8_t)be;
	r->flags = VCD_REQ_PROBE;
	op->sym->m_src = m;
	op->sym->m_dst = NULL;
	op->sym->cipher.data.offset = 0;
	op->sym->cipher.data.length = VCD_PROBE_LEN;
	rte_crypto_op_attach_sym_session(op, sess);
	return op;
}

int
vcd_opres_init(struct vcd_opres *o, unsigned int id, int socket, uint32_t nb_ops, uint32_t nb_mbufs)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int b;

	memset(o, 0, sizeof(*o));
	if (nb_ops > VCD_OPS_PER_WORKER)
		return -ENOMEM;
	snprintf(name, sizeof(name), "vcd_ops_%u", id);
	o->op_pool = rte_crypto_op_pool_create(
		name, RTE_CRYPTO_OP_TYPE_SYMMETRIC, nb_ops, 0, sizeof(struct vcd_req), socket);
	snprintf(name, sizeof(name), "vcd_mbufs_%u", id);
	o->mbuf_pool = rte_pktmbuf_pool_create(name, nb_mbufs, 0, 0, 0, socket);
	o->op_free = rte_malloc_socket(NULL, nb_ops * sizeof(void *), 0, socket);
	o->op_all = rte_malloc_socket(NULL, nb_ops * sizeof(void *), 0, socket);
	o->mb.free = rte_malloc_socket(NULL, nb_mbufs * sizeof(void *), 0, socket);
	o->bounce = rte_malloc_socket(NULL, VCD_MAX_REQ_DATA, RTE_CACHE_LINE_SIZE, socket);
	/* Aligned to their size, so that no slot crosses a page: one IOVA range each. */
	o->bounce_pool = rte_malloc_socket(
		NULL, (size_t)VCD_BOUNCE_SLOTS * VCD_BOUNCE_SIZE, VCD_BOUNCE_SIZE, socket);
	o->probe_buf = rte_zmalloc_socket(NULL, VCD_PROBE_LEN, RTE_CACHE_LINE_SIZE, socket);
	if (o->op_pool == NULL || o->mbuf_pool == NULL || o->op_free == NULL || o->op_all == NULL ||
		o->mb.free == NULL || o->bounce == NULL || o->bounce_pool == NULL ||
		o->probe_buf == NULL)
		return -ENOMEM;
	for (b = 0; b < VCD_BOUNCE_SLOTS; b++) {
		o->bounce_free[o->nb_bounce_free++] = (uint16_t)(VCD_BOUNCE_SLOTS - 1 - b);
		o->bounce_iova[b] = rte_mem_virt2iova(o->bounce_pool + (size_t)b * VCD_BOUNCE_SIZE);
	}
	if (rte_crypto_op_bulk_alloc(o->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, o->op_free,
		    (uint16_t)nb_ops) != nb_ops)
		return -ENOMEM;
	if (rte_pktmbuf_alloc_bulk(o->mbuf_pool, o->mb.free, nb_mbufs) != 0)
		return -ENOMEM;
	memcpy(o->op_all, o->op_free, nb_ops * sizeof(void *));
	o->nb_ops = o->nb_op_free = nb_ops;
	o->mb.size = o->mb.n = nb_mbufs;
	return 0;
}

void
vcd_opres_fini(struct vcd_opres *o)
{
	/*
	 * The mbufs' buf_addr may still point into guest memory: never hand them
	 * back to the pool one by one; the pools are freed whole.
	 */
	rte_free(o->op_free);
	rte_free(o->op_all);
	rte_free(o->probe_buf);
	rte_free(o->mb.free);
	rte_free(o->bounce);
	rte_free(o->bounce_pool);
	rte_mempool_free(o->op_pool);
	rte_mempool_free(o->mbuf_pool);
	memset(o, 0, sizeof(*o));
}
