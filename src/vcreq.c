/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * virtio-crypto data requests: decode and digest placement (vcreq.h).
 */
#include <errno.h>
#include <string.h>

#include "vcryptd/vcreq.h"

/* The lengths of a header of session @s, checked against chain @c. */
static uint8_t
parse_layout(const struct virtio_crypto_op_data_req *h, const struct vcd_session *s,
	const struct vcd_chain *c, struct vcd_req_layout *l)
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

/* An akcipher request's lengths, checked against chain @c (the key's size is akcipher.c's). */
static uint8_t
parse_akcipher(const struct virtio_crypto_op_data_req *h, const struct vcd_chain *c,
	struct vcd_req_layout *l)
{
	const struct virtio_crypto_akcipher_para *p = &h->u.akcipher_req.para;
	bool verify = h->header.opcode == VIRTIO_CRYPTO_AKCIPHER_VERIFY;
	uint64_t rd = (uint64_t)sizeof(*h) + p->src_data_len + (verify ? p->dst_data_len : 0);

	memset(l, 0, sizeof(*l));
	l->ak_opcode = h->header.opcode;
	l->src_len = p->src_data_len;
	l->dst_len = p->dst_data_len;
	if (l->src_len == 0 || l->src_len > VCD_AK_MAX_DATA || l->dst_len > VCD_AK_MAX_DATA ||
		(verify && l->dst_len == 0))
		return VIRTIO_CRYPTO_BADMSG;
	if (rd > c->rd_mapped ||
		(!verify && (l->dst_len > c->wr_mapped || l->dst_len + 1 > c->wr_len)))
		return VIRTIO_CRYPTO_BADMSG;
	return VIRTIO_CRYPTO_OK;
}

static bool
is_akcipher(uint32_t opcode)
{
	return opcode == VIRTIO_CRYPTO_AKCIPHER_ENCRYPT ||
		opcode == VIRTIO_CRYPTO_AKCIPHER_DECRYPT || opcode == VIRTIO_CRYPTO_AKCIPHER_SIGN ||
		opcode == VIRTIO_CRYPTO_AKCIPHER_VERIFY;
}

uint8_t
vcd_vcreq_decode(const struct vcd_chain *c, const struct vcd_sess_table *t, struct vcd_session **s,
	struct vcd_req_layout *l)
{
	/* One copy of the header: the guest may rewrite it while we look. */
	struct virtio_crypto_op_data_req h;
	bool ak;

	if (unlikely(c->err != VCD_CHAIN_OK || c->status == NULL ||
		    !vcd_seg_copy(c->rd, c->nb_rd, 0, &h, sizeof(h))))
		return VIRTIO_CRYPTO_BADMSG;
	ak = is_akcipher(h.header.opcode);
	if (unlikely(h.header.opcode != VIRTIO_CRYPTO_CIPHER_ENCRYPT &&
		    h.header.opcode != VIRTIO_CRYPTO_CIPHER_DECRYPT && !ak))
		return VIRTIO_CRYPTO_NOTSUPP;
	*s = vcd_sess_lookup(t, h.header.session_id);
	if (unlikely(*s == NULL))
		return VIRTIO_CRYPTO_INVSESS;
	/* A session serves requests of its own service only. */
	if (unlikely(ak != ((*s)->ak != NULL)))
		return VIRTIO_CRYPTO_BADMSG;
	if (unlikely(ak))
		return parse_akcipher(&h, c, l);
	return parse_layout(&h, *s, c, l);
}

int
vcd_vcreq_digest_place(const struct vcd_chain *c, uint32_t len, uint8_t *dst[2], uint16_t dlen[2])
{
	struct vcd_seg_iter it;
	uint32_t take;
	uint16_t k = 0;
	uint8_t *va;

	dst[1] = NULL;
	dlen[1] = 0;
	vcd_seg_iter_init(&it, c->wr, c->nb_wr, c->wr_len - 1 - len, len);
	while (vcd_seg_next(&it, &va, &take)) {
		if (k == 2)
			return -E2BIG;
		dst[k] = va;
		dlen[k++] = (uint16_t)take;
	}
	return it.left == 0 ? 0 : -EINVAL;
}
