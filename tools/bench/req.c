/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Request builders: a struct vcdb_req becomes a virtio_crypto_op_data_req header, IV,
 * data buffers and status byte in a slot of guest memory, then a list of segments laid
 * out the way a given guest driver does it:
 *
 *  linux  (drivers/crypto/virtio/virtio_crypto_skcipher_algs.c): one indirect chain of
 *         header, IV, source descriptors (one per page), destination descriptors (the
 *         whole destination scatterlist, split 2320 + pages here, possibly longer than
 *         the data), [digest], status last.
 *  dpdk   (drivers/crypto/virtio/virtio_rxtx.c, 22.11): one indirect table inside the op
 *         cookie: header, IV, one source, one destination (the source mbuf when not
 *         out-of-place), [digest], status; the status byte sits right after the header.
 *  direct the linux segments, straight in the ring's descriptor table.
 */
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <string.h>

#include "vcdb_internal.h"

#define LINUX_DST_FIRST 2320u /* the first piece of a split destination, as testmgr does */
#define DST_PATTERN     0x5a  /* destination bytes before the backend writes them */

int
slot_get(struct vcdb *db)
{
	if (db->nr_free_slots == 0)
		return -EAGAIN;
	return db->free_slots[--db->nr_free_slots];
}

void
slot_put(struct vcdb *db, int tag)
{
	db->slots[tag].busy = false;
	db->free_slots[db->nr_free_slots++] = tag;
}

static bool
is_chain(const struct vcdb_req *r)
{
	return r->op_type == VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING;
}

static void
hdr_chain(struct virtio_crypto_alg_chain_data_para *p, const struct vcdb_req *r)
{
	bool whole_c = r->cipher_off == 0 && r->cipher_len == 0;
	bool whole_h = r->hash_off == 0 && r->hash_len == 0;

	p->iv_len = r->iv_len;
	p->src_data_len = r->len;
	p->dst_data_len = r->len;
	p->cipher_start_src_offset = r->cipher_off;
	p->len_to_cipher = whole_c ? r->len : r->cipher_len;
	p->hash_start_src_offset = r->hash_off;
	p->len_to_hash = whole_h ? r->len : r->hash_len;
	p->aad_len = 0;
	p->hash_result_len = r->hash_result_len;
}

static void
hdr_fill(struct virtio_crypto_op_data_req *h, const struct vcdb_req *r)
{
	memset(h, 0, sizeof(*h));
	h->header.opcode = r->opcode;
	h->header.session_id = r->session_id;
	h->u.sym_req.op_type = r->op_type ? r->op_type : VIRTIO_CRYPTO_SYM_OP_CIPHER;
	if (is_chain(r)) {
		hdr_chain(&h->u.sym_req.u.chain.para, r);
		return;
	}
	h->u.sym_req.u.cipher.para.iv_len = r->iv_len;
	h->u.sym_req.u.cipher.para.src_data_len = r->len;
	h->u.sym_req.u.cipher.para.dst_data_len = r->len;
}

static int
req_check(const struct vcdb *db, const struct vcdb_req *r)
{
	if (r->len > db->o.max_data || r->dst_extra > VCDB_PAGE)
		return -EMSGSIZE;
	if (r->iv_len > VCDB_META_STATUS - VCDB_META_IV)
		return -EINVAL;
	if (is_chain(r) && r->hash_result_len > VCDB_META_TABLE - VCDB_META_DIGEST)
		return -EINVAL;
	if (r->cross_region && db->mem.nr < 2)
		return -EINVAL;
	if (r->cross_region && db->cross_busy)
		return -EBUSY;
	return 0;
}

/* Source and destination GPAs: the slot's own buffers, or straddling region boundaries. */
static void
place_buffers(struct vcdb *db, struct vcdb_slot *s, const struct vcdb_req *r, uint64_t *src,
	uint64_t *dst)
{
	uint64_t b0, half = (r->len / 2) & ~7ull;

	*src = s->src_gpa;
	*dst = s->dst_gpa;
	if (r->cross_region) {
		b0 = vcdb_boundary(db, 0);
		*src = b0 - half;
		if (db->mem.nr > 2)
			*dst = vcdb_boundary(db, 1) - half;
		else
			*dst = VCDB_ALIGN(*src + r->len, 64) + 64;
	}
	if (r->in_place)
		*dst = *src;
}

/* Append @total bytes at @gpa as pieces: @first, then @chunk each (0 = one piece). */
static unsigned int
split(struct vcdb_seg *sg, unsigned int n, unsigned int max, uint64_t gpa, uint32_t total,
	uint32_t first, uint32_t chunk, uint16_t flags)
{
	uint32_t done = 0, piece;

	while (done < total && n < max) {
		piece = done == 0 && first ? first : chunk;
		if (piece == 0 || piece > total - done)
			piece = total - done;
		sg[n++] = (struct vcdb_seg){gpa + done, piece, flags, 0};
		done += piece;
	}
	return done == total ? n : max + 1;
}

static unsigned int
segs_linux(struct vcdb *db, struct vcdb_slot *s, const struct vcdb_req *r, uint64_t src,
	uint64_t dst, struct vcdb_seg *sg)
{
	unsigned int n = 0, max = db->segs_max;
	uint32_t dfirst = r->dst_split ? r->dst_split : LINUX_DST_FIRST;
	uint32_t schunk = r->src_split ? r->src_split : VCDB_PAGE;

	sg[n++] = (struct vcdb_seg){s->meta_gpa + VCDB_META_HDR, 72, 0, 0};
	if (r->iv_len)
		sg[n++] = (struct vcdb_seg){s->meta_gpa + VCDB_META_IV, r->iv_len, 0, 0};
	n = split(sg, n, max - 2, src, r->len, 0, schunk, 0);
	n = split(
		sg, n, max - 2, dst, r->len + r->dst_extra, dfirst, VCDB_PAGE, VRING_DESC_F_WRITE);
	if (n > max - 2)
		return 0;
	if (is_chain(r))
		sg[n++] = (struct vcdb_seg){s->digest_gpa, r->hash_result_len, VRING_DESC_F_WRITE};
	sg[n++] = (struct vcdb_seg){s->status_gpa, 1, VRING_DESC_F_WRITE, 0};
	return n;
}

static unsigned int
segs_dpdk(struct vcdb_slot *s, const struct vcdb_req *r, uint64_t src, uint64_t dst,
	struct vcdb_seg *sg)
{
	unsigned int n = 0;

	sg[n++] = (struct vcdb_seg){s->meta_gpa + VCDB_META_HDR, 72, 0, 0};
	if (r->iv_len)
		sg[n++] = (struct vcdb_seg){s->meta_gpa + VCDB_META_IV, r->iv_len, 0, 0};
	sg[n++] = (struct vcdb_seg){src, r->len, 0, 0};
	sg[n++] = (struct vcdb_seg){dst, r->len, VRING_DESC_F_WRITE, 0};
	if (is_chain(r))
		sg[n++] = (struct vcdb_seg){s->digest_gpa, r->hash_result_len, VRING_DESC_F_WRITE};
	sg[n++] = (struct vcdb_seg){s->status_gpa, 1, VRING_DESC_F_WRITE, 0};
	return n;
}

static void
slot_fill(
	struct vcdb *db, struct vcdb_slot *s, const struct vcdb_req *r, uint64_t src, uint64_t dst)
{
	uint8_t *meta = vcdb_gpa_va(db, s->meta_gpa);

	hdr_fill((struct virtio_crypto_op_data_req *)(meta + VCDB_META_HDR), r);
	if (r->iv_len) {
		if (r->iv)
			memcpy(meta + VCDB_META_IV, r->iv, r->iv_len);
		else
			memset(meta + VCDB_META_IV, 0, r->iv_len);
	}
	if (r->src)
		memmove(vcdb_gpa_va(db, src), r->src, r->len);
	if (r->src && dst != src)
		memset(vcdb_gpa_va(db, dst), DST_PATTERN, r->len + r->dst_extra);
	else if (r->dst_extra)
		memset(vcdb_gpa_va(db, dst) + r->len, DST_PATTERN, r->dst_extra);
	*(uint8_t *)vcdb_gpa_va(db, s->status_gpa) = VCDB_STATUS_UNSET;
	if (is_chain(r))
		memset(vcdb_gpa_va(db, s->digest_gpa), 0, r->hash_result_len);
}

static void
slot_record(struct vcdb_slot *s, const struct vcdb_req *r, uint64_t dst)
{
	bool dpdk = r->style == VCDB_STYLE_DPDK;

	s->status_gpa = s->meta_gpa + (dpdk ? VCDB_META_DPDK_STATUS : VCDB_META_STATUS);
	s->digest_gpa = s->meta_gpa + VCDB_META_DIGEST;
	s->out_gpa = dst;
	s->out_len = r->len;
	s->out_extra = r->dst_extra;
	s->digest_len = is_chain(r) ? r->hash_result_len : 0;
	s->user = r->user;
	s->cross = r->cross_region;
	s->busy = true;
}

/* Fill slot @tag from @r and stage it on the avail ring. */
int
req_submit(struct vcdb *db, int tag, const struct vcdb_req *r)
{
	struct vcdb_slot *s = &db->slots[tag];
	uint64_t src, dst, table;
	unsigned int n;
	int rc;

	rc = req_check(db, r);
	if (rc < 0)
		return rc;
	place_buffers(db, s, r, &src, &dst);
	slot_record(s, r, dst);
	if (r->style == VCDB_STYLE_DPDK)
		n = segs_dpdk(s, r, src, dst, db->segs);
	else
		n = segs_linux(db, s, r, src, dst, db->segs);
	if (n == 0)
		return -EMSGSIZE;
	slot_fill(db, s, r, src, dst);
	table = s->meta_gpa +
		(r->style == VCDB_STYLE_DPDK ? VCDB_META_DPDK_TABLE : VCDB_META_TABLE);
	if (r->style == VCDB_STYLE_DIRECT)
		rc = vq_add_direct(db, tag, db->segs, n);
	else
		rc = vq_add_indirect(db, tag, table, db->segs, n);
	if (rc == 0 && r->cross_region)
		db->cross_busy = true;
	if (rc == 0 && db->nb_vq > 1) /* the next request on the next data queue */
		db->cur_q = db->cur_q + 1 == db->nb_vq ? 0 : db->cur_q + 1;
	return rc;
}

static bool
tail_intact(const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (p[i] != DST_PATTERN)
			return false;
	return true;
}

void
req_fill_cpl(struct vcdb *db, int tag, uint32_t used_len, struct vcdb_cpl *c)
{
	struct vcdb_slot *s = &db->slots[tag];
	uint8_t st = *(volatile uint8_t *)vcdb_gpa_va(db, s->status_gpa);

	c->tag = tag;
	c->user = s->user;
	c->used_len = used_len;
	c->status = st == VCDB_STATUS_UNSET ? -1 : st;
	c->dst = vcdb_gpa_va(db, s->out_gpa);
	c->dst_len = s->out_len;
	c->dst_tail_ok = tail_intact(c->dst + s->out_len, s->out_extra);
	c->digest = s->digest_len ? vcdb_gpa_va(db, s->digest_gpa) : NULL;
	c->digest_len = s->digest_len;
	if (s->cross)
		db->cross_busy = false;
}
