/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * virtio-crypto AKCIPHER on the wire, as QEMU >= 8.1 (and 10.0) and a Linux <= 6.12 guest
 * produce it.  Usage: vcdb_akc_session_create() then vcdb_akc_submit() and the usual
 * vcdb_poll()/vcdb_wait(); keys and names come from rsa.c.
 *
 * Session (VHOST_USER_CREATE_CRYPTO_SESSION, 26).  QEMU's hw/virtio/vhost-user.c copies
 * VhostUserCryptoSession raw: { u64 op_code; union { sym; asym }; i64 session_id }, and for
 * op_code VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION (0x404) the asym arm is
 * CryptoDevBackendAsymSessionInfo { u32 algo; u32 keytype; u32 keylen; u8 *key;
 * union { RsaPara { u32 padding_algo; u32 hash_algo; } } } + u8 key[1024].  LP64, little
 * endian:
 *   0 u64 op_code | 8 u32 algo (1 RSA) | 12 u32 keytype (1 public, 2 private)
 *   16 u32 keylen | 20 pad | 24 QEMU's key pointer (meaningless here: 0)
 *   32 u32 padding_algo (0 RAW, 1 PKCS1) | 36 u32 hash_algo | 40 key[1024]
 *   1064 i64 session_id (0 in the request; the reply's id, < 0 refused) | 1072 end
 * This is written byte by byte here, on purpose not through src/session_msg.c's encoder:
 * the bench's encoder and the daemon's decoder then check each other.  CLOSE (27) is the
 * u64 id, as for symmetric sessions (vcdb_session_close()).
 *
 * Request (a data queue).  struct virtio_crypto_op_data_req, 72 bytes: header { u32 opcode
 * (0x400 ENCRYPT .. 0x403 VERIFY); u32 algo (1); u64 session_id; u32 flag (0); u32 pad }
 * then virtio_crypto_akcipher_para { u32 src_data_len @24; u32 dst_data_len @28 } and zero
 * padding.  Linux's __virtio_crypto_akcipher_do_req() (<= 6.12) makes one indirect chain:
 *   ENCRYPT/DECRYPT/SIGN  readable [hdr][src]       writable [dst][status]
 *   VERIFY                readable [hdr][sig||digest] (one buffer: src_data_len is the
 *                         signature, dst_data_len the digest)   writable [status]
 * The device writes its output at the start of dst and reports used length = output + 1
 * (1 for VERIFY); the guest takes dst_len = used - 1.
 */
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <stddef.h>
#include <string.h>

#include "vcdb_internal.h"

#define AKC_OP_CODE    0
#define AKC_ALGO       8
#define AKC_KEYTYPE    12
#define AKC_KEYLEN     16
#define AKC_KEY_PTR    24 /* uint8_t *key in QEMU's address space */
#define AKC_PADDING    32
#define AKC_HASH       36
#define AKC_KEY        40
#define AKC_SESSION_ID 1064

_Static_assert(AKC_KEY + VCDB_AKC_KEY_MAX == AKC_SESSION_ID, "asym arm: info (32) + key[1024]");
_Static_assert(AKC_SESSION_ID + 8 == VCDB_AKC_SESS_SIZE, "session_id is the last field");

/* The request header, by offset; the uapi struct agrees (checked at compile time). */
#define REQ_OPCODE     0
#define REQ_ALGO       4
#define REQ_SESSION_ID 8
#define REQ_FLAG       16
#define REQ_SRC_LEN    24
#define REQ_DST_LEN    28
#define REQ_SIZE       72

_Static_assert(sizeof(struct virtio_crypto_op_data_req) == REQ_SIZE, "op_data_req is 72 bytes");
_Static_assert(offsetof(struct virtio_crypto_op_data_req, header.session_id) == REQ_SESSION_ID,
	"session_id");
_Static_assert(offsetof(struct virtio_crypto_op_data_req, header.flag) == REQ_FLAG, "flag");
_Static_assert(
	offsetof(struct virtio_crypto_op_data_req, u.akcipher_req.para.src_data_len) == REQ_SRC_LEN,
	"src_data_len");
_Static_assert(
	offsetof(struct virtio_crypto_op_data_req, u.akcipher_req.para.dst_data_len) == REQ_DST_LEN,
	"dst_data_len");

#define AKC_DST_PATTERN 0x5a /* dst bytes before the device writes (req.c uses the same) */

static void
put_le(uint8_t *p, uint64_t v, size_t len)
{
	for (size_t i = 0; i < len; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

int
vcdb_akc_session_encode(const struct vcdb_akc_session *s, uint8_t *buf, size_t cap)
{
	if (s == NULL || buf == NULL || s->key == NULL || s->key_len == 0 ||
		s->key_len > VCDB_AKC_KEY_MAX)
		return -EINVAL;
	if (cap < VCDB_AKC_SESS_SIZE)
		return -ENOSPC;
	memset(buf, 0, VCDB_AKC_SESS_SIZE); /* QEMU's msg is a zero-initialised local */
	put_le(buf + AKC_OP_CODE, VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION, 8);
	put_le(buf + AKC_ALGO, VIRTIO_CRYPTO_AKCIPHER_RSA, 4);
	put_le(buf + AKC_KEYTYPE, s->keytype, 4);
	put_le(buf + AKC_KEYLEN, s->key_len, 4);
	put_le(buf + AKC_KEY_PTR, 0, 8);
	put_le(buf + AKC_PADDING, s->padding, 4);
	put_le(buf + AKC_HASH, s->hash, 4);
	memcpy(buf + AKC_KEY, s->key, s->key_len);
	put_le(buf + AKC_SESSION_ID, 0, 8); /* QEMU's sreq comes from g_new0 */
	return VCDB_AKC_SESS_SIZE;
}

int64_t
vcdb_akc_session_create(struct vcdb *db, const struct vcdb_akc_session *s)
{
	uint8_t buf[VCDB_AKC_SESS_SIZE];
	int n;

	/* vhu_create_session() reads the reply's id where the connection's layout keeps it. */
	if (db->o.layout != VCD_SESS_LAYOUT_QEMU81 ||
		vcd_sess_msg_size(VCD_SESS_LAYOUT_QEMU81) != VCDB_AKC_SESS_SIZE)
		return -EPROTONOSUPPORT;
	n = vcdb_akc_session_encode(s, buf, sizeof(buf));
	if (n < 0)
		return n;
	vcdb_log(db, "akcipher session: keytype %u padding %u hash %u keylen %u\n", s->keytype,
		s->padding, s->hash, s->key_len);
	return vcdb_session_create_raw(db, buf, (uint32_t)n);
}

static void
hdr_fill(uint8_t *h, const struct vcdb_akc_req *r)
{
	memset(h, 0, REQ_SIZE);
	put_le(h + REQ_OPCODE, vcdb_rsa_opcode(r->op), 4);
	put_le(h + REQ_ALGO, VIRTIO_CRYPTO_AKCIPHER_RSA, 4);
	put_le(h + REQ_SESSION_ID, r->session_id, 8);
	put_le(h + REQ_FLAG, 0, 4);
	put_le(h + REQ_SRC_LEN, r->src_len, 4);
	put_le(h + REQ_DST_LEN, r->dst_len, 4);
}

static int
akc_check(const struct vcdb *db, const struct vcdb_akc_req *r)
{
	bool verify = r->op == VCDB_RSA_VERIFY;

	if (vcdb_rsa_opcode(r->op) == 0 || r->src == NULL || r->src_len == 0 || r->dst_len == 0)
		return -EINVAL;
	if (verify && r->src2 == NULL)
		return -EINVAL;
	if (r->style == VCDB_STYLE_DPDK)
		return -EOPNOTSUPP; /* the DPDK PMD's akcipher layout is not modelled */
	/* src (and the digest after it) in the slot's source buffer, dst in its destination */
	if ((uint64_t)r->src_len + (verify ? r->dst_len : 0) > db->o.max_data ||
		r->dst_len > db->o.max_data)
		return -EMSGSIZE;
	return 0;
}

static int
akc_stage(struct vcdb *db, int tag, const struct vcdb_akc_req *r)
{
	struct vcdb_slot *s = &db->slots[tag];
	bool verify = r->op == VCDB_RSA_VERIFY;
	uint32_t rd_len = r->src_len + (verify ? r->dst_len : 0);
	uint8_t *src = vcdb_gpa_va(db, s->src_gpa);
	struct vcdb_seg *sg = db->segs;
	unsigned int n = 0;
	int rc;

	rc = akc_check(db, r);
	if (rc < 0)
		return rc;
	s->status_gpa = s->meta_gpa + VCDB_META_STATUS;
	s->digest_gpa = s->meta_gpa + VCDB_META_DIGEST;
	s->out_gpa = s->dst_gpa;
	s->out_len = verify ? 0 : r->dst_len;
	s->out_extra = 0;
	s->digest_len = 0;
	s->user = r->user;
	s->cross = false;
	s->busy = true;

	hdr_fill(vcdb_gpa_va(db, s->meta_gpa + VCDB_META_HDR), r);
	memcpy(src, r->src, r->src_len);
	if (verify)
		memcpy(src + r->src_len, r->src2, r->dst_len);
	else
		memset(vcdb_gpa_va(db, s->dst_gpa), AKC_DST_PATTERN, r->dst_len);
	*(uint8_t *)vcdb_gpa_va(db, s->status_gpa) = VCDB_STATUS_UNSET;

	sg[n++] = (struct vcdb_seg){s->meta_gpa + VCDB_META_HDR, REQ_SIZE, 0, 0};
	sg[n++] = (struct vcdb_seg){s->src_gpa, rd_len, 0, 0};
	if (!verify)
		sg[n++] = (struct vcdb_seg){s->dst_gpa, r->dst_len, VRING_DESC_F_WRITE, 0};
	sg[n++] = (struct vcdb_seg){s->status_gpa, 1, VRING_DESC_F_WRITE, 0};
	if (r->style == VCDB_STYLE_DIRECT)
		rc = vq_add_direct(db, tag, sg, n);
	else
		rc = vq_add_indirect(db, tag, s->meta_gpa + VCDB_META_TABLE, sg, n);
	if (rc == 0 && db->nb_vq > 1) /* the next request on the next data queue */
		db->cur_q = db->cur_q + 1 == db->nb_vq ? 0 : db->cur_q + 1;
	return rc;
}

int
vcdb_akc_submit(struct vcdb *db, const struct vcdb_akc_req *r)
{
	int tag, rc;

	tag = slot_get(db);
	if (tag < 0)
		return tag;
	rc = akc_stage(db, tag, r);
	if (rc < 0) {
		slot_put(db, tag);
		return rc;
	}
	db->st.submitted++;
	return tag;
}
