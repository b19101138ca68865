/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The malformed catalogue's cases.  A data case gets the good request of malformed.c
 * (an indirect table: header, IV, 64 B source, 64 B destination, status) in a mal_ctx and
 * breaks one thing; a session case builds one bad CREATE_CRYPTO_SESSION payload.
 *
 * Expectations follow the virtio spec and vcryptd's rule that every chain taken off the
 * ring gets exactly one used entry: BADMSG for requests whose lengths or fields do not
 * hold together, NOTSUPP for unknown operations, INVSESS for unknown sessions, and a used
 * entry of length 0 (status untouched) for chains that cannot be walked or cannot carry a
 * status.  Where two answers are equally right, the second (alt) is accepted too.
 */
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <string.h>

#include "malformed.h"

const uint8_t vcdb_mal_key[16] = "vcdbench-mal-key";
const uint8_t vcdb_mal_iv[16] = "vcdbench-mal-iv!";
/* Long enough for every HMAC's key length (was the 16-byte IV: a read past it, found by ASan). */
static const uint8_t mal_auth_key[64] = "vcdbench-malformed-catalogue-auth-key";

static struct virtio_crypto_cipher_para *
cpara(struct mal_ctx *c)
{
	return &c->hdr->u.sym_req.u.cipher.para;
}

/* ---- data cases: each breaks one thing ---- */

static int
m_loop(struct mal_ctx *c)
{
	c->sg[3].next = 2; /* destination -> source -> destination ... */
	return 0;
}

static int
m_loop_direct(struct mal_ctx *c)
{
	c->direct = true;
	return m_loop(c);
}

/* An indirect table with more entries than the ring has slots: 1-byte source pieces. */
static int
m_too_long(struct mal_ctx *c)
{
	struct vcdb *db = c->db;
	uint32_t len = VCDB_ALIGN(db->vq[0].num + 16u, 16u), i, n = 0;
	uint64_t table = c->s->src_gpa + VCDB_ALIGN(len, 64);
	struct vring_desc *t = vcdb_gpa_va(db, table);

	if (VCDB_ALIGN(len, 64) + 16ull * (len + 4) > db->src_size)
		return -EOPNOTSUPP;
	cpara(c)->src_data_len = cpara(c)->dst_data_len = len;
	t[n++] = (struct vring_desc){c->sg[0].gpa, 72, VRING_DESC_F_NEXT, 1};
	t[n++] = (struct vring_desc){c->sg[1].gpa, 16, VRING_DESC_F_NEXT, 2};
	for (i = 0; i < len; i++, n++)
		t[n] = (struct vring_desc){
			c->s->src_gpa + i, 1, VRING_DESC_F_NEXT, (uint16_t)(n + 1)};
	t[n] = (struct vring_desc){
		c->s->dst_gpa, len, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, (uint16_t)(n + 1)};
	n++;
	t[n++] = (struct vring_desc){c->s->status_gpa, 1, VRING_DESC_F_WRITE, 0};
	c->ring = (struct vcdb_seg){table, 16 * n, VRING_DESC_F_INDIRECT, 0};
	c->n = 0; /* the table is written already */
	return 0;
}

static int
m_nested(struct mal_ctx *c)
{
	uint64_t inner = c->s->meta_gpa + c->db->meta_size - 64;
	struct vring_desc *t = vcdb_gpa_va(c->db, inner);

	t[0] = (struct vring_desc){c->s->src_gpa, DATA_LEN, 0, 0};
	c->sg[2].gpa = inner;
	c->sg[2].len = 16;
	c->sg[2].flags |= VRING_DESC_F_INDIRECT;
	return 0;
}

static int
m_addr_outside(struct mal_ctx *c)
{
	c->sg[2].gpa = c->db->mem.size + 0x100000;
	return 0;
}

static int
m_past_end(struct mal_ctx *c)
{
	c->sg[2].gpa = c->db->mem.size - 16; /* 16 bytes in, 48 past the last region */
	return 0;
}

static int
m_zero_status(struct mal_ctx *c)
{
	c->sg[4].len = 0;
	return 0;
}

/* Zero-length pieces inside an otherwise good chain. */
static int
m_zero_pieces(struct mal_ctx *c)
{
	struct vcdb_seg st = c->sg[4], dst = c->sg[3];

	c->sg[3] = (struct vcdb_seg){c->s->src_gpa, 0, VRING_DESC_F_NEXT, 4};
	c->sg[4] = dst;
	c->sg[4].next = 5;
	c->sg[5] = (struct vcdb_seg){c->s->dst_gpa, 0, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 6};
	c->sg[6] = st;
	c->n = 7;
	return 0;
}

static int
m_zero_data(struct mal_ctx *c)
{
	cpara(c)->src_data_len = cpara(c)->dst_data_len = 0;
	c->sg[2].len = c->sg[3].len = 0;
	return 0;
}

static int
m_bad_session(struct mal_ctx *c)
{
	c->hdr->header.session_id += 0x5eed0000;
	return 0;
}

static int
m_bad_opcode(struct mal_ctx *c)
{
	c->hdr->header.opcode = VIRTIO_CRYPTO_OPCODE(VIRTIO_CRYPTO_SERVICE_CIPHER, 0x42);
	return 0;
}

static int
m_bad_op_type(struct mal_ctx *c)
{
	c->hdr->u.sym_req.op_type = 9;
	return 0;
}

static int
m_iv_len(struct mal_ctx *c)
{
	cpara(c)->iv_len = 8;
	c->sg[1].len = 8;
	return 0;
}

static int
m_dst_short(struct mal_ctx *c)
{
	cpara(c)->dst_data_len = DATA_LEN / 2;
	c->sg[3].len = DATA_LEN / 2;
	return 0;
}

static int
m_ro_status(struct mal_ctx *c)
{
	c->sg[4].flags &= (uint16_t)~VRING_DESC_F_WRITE;
	return 0;
}

static int
m_no_writable(struct mal_ctx *c)
{
	c->sg[3].flags &= (uint16_t)~VRING_DESC_F_WRITE;
	return m_ro_status(c);
}

static int
m_src_len(struct mal_ctx *c)
{
	cpara(c)->src_data_len = cpara(c)->dst_data_len = 2 * DATA_LEN;
	return 0;
}

static int
m_dst_len(struct mal_ctx *c)
{
	c->sg[3].len = DATA_LEN / 2;
	return 0;
}

static int
m_table_len(struct mal_ctx *c)
{
	c->ring.len = 16 * c->n + 8;
	return 0;
}

static int
m_next_range(struct mal_ctx *c)
{
	c->direct = true;
	c->sg[2].next = (uint16_t)(c->db->vq[0].num + 3);
	return 0;
}

static int
m_status_outside(struct mal_ctx *c)
{
	c->sg[4].gpa = c->db->mem.size + 0x10000;
	return 0;
}

static int
m_table_outside(struct mal_ctx *c)
{
	c->ring.gpa = c->db->mem.size + 0x10000;
	return 0;
}

/* ---- session cases: each builds one CREATE_CRYPTO_SESSION payload ---- */

void
mal_sess_good(struct vcd_sess_params *p)
{
	struct vcdb_algo a;

	vcdb_algo_parse("aes-cbc-128", &a);
	vcdb_algo_session(&a, VIRTIO_CRYPTO_OP_ENCRYPT, 0, vcdb_mal_key, NULL, p);
}

static int
sess_encode(struct vcdb *db, const struct vcd_sess_params *p, uint8_t *buf, uint32_t *size)
{
	int n = vcd_sess_msg_encode(db->o.layout, p, buf, 2048);

	if (n < 0)
		return n;
	*size = (uint32_t)n;
	return 0;
}

static int
s_short(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	struct vcd_sess_params p;
	int rc;

	mal_sess_good(&p);
	rc = sess_encode(db, &p, buf, size);
	*size = 40;
	return rc;
}

static int
s_empty(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	(void)db;
	(void)buf;
	*size = 0;
	return 0;
}

static int
s_aes_key17(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	struct vcd_sess_params p;

	mal_sess_good(&p);
	p.cipher_key_len = 17;
	return sess_encode(db, &p, buf, size);
}

static int
s_xts_key48(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	struct vcd_sess_params p;

	mal_sess_good(&p);
	p.cipher_algo = VIRTIO_CRYPTO_CIPHER_AES_XTS;
	p.cipher_key_len = 48;
	return sess_encode(db, &p, buf, size);
}

static int
s_bad_cipher(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	struct vcd_sess_params p;

	mal_sess_good(&p);
	p.cipher_algo = 99;
	return sess_encode(db, &p, buf, size);
}

/*
 * akcipher (RSA) sessions: QEMU >= 8.1's layout only (the 632-byte ones have no asymmetric
 * arm); a key or parameter vcryptd cannot use is refused, never run.
 */
static int
rsa_sess(struct vcdb *db, uint8_t *buf, uint32_t *size, uint32_t algo, uint32_t keytype,
	uint32_t keylen, uint32_t padding, const uint8_t *key)
{
	struct vcd_sess_params p;

	if (db->o.layout != VCD_SESS_LAYOUT_QEMU81)
		return -EOPNOTSUPP;
	memset(&p, 0, sizeof(p));
	p.op_code = VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION;
	p.ak_algo = algo;
	p.ak_keytype = keytype;
	p.ak_keylen = keylen;
	p.ak_padding = padding;
	p.ak_hash = VIRTIO_CRYPTO_RSA_NO_HASH;
	if (key != NULL && keylen <= sizeof(p.ak_key))
		memcpy(p.ak_key, key, keylen);
	return sess_encode(db, &p, buf, size);
}

/* A public key SEQUENCE { n, e } whose n is 1 byte: too small a modulus. */
static const uint8_t rsa_tiny[] = {0x30, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03};

static int
s_rsa_garbage_key(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	return rsa_sess(db, buf, size, VIRTIO_CRYPTO_AKCIPHER_RSA,
		VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC, sizeof(mal_auth_key),
		VIRTIO_CRYPTO_RSA_RAW_PADDING, mal_auth_key);
}

static int
s_rsa_tiny_key(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	return rsa_sess(db, buf, size, VIRTIO_CRYPTO_AKCIPHER_RSA,
		VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC, sizeof(rsa_tiny),
		VIRTIO_CRYPTO_RSA_RAW_PADDING, rsa_tiny);
}

static int
s_rsa_key_overflow(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	int rc = rsa_sess(db, buf, size, VIRTIO_CRYPTO_AKCIPHER_RSA,
		VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC, 8, VIRTIO_CRYPTO_RSA_RAW_PADDING, rsa_tiny);

	/* keylen 1025 at offset 16 of the payload: one byte more than the arm holds. */
	if (rc == 0)
		buf[16] = 0x01, buf[17] = 0x04;
	return rc;
}

static int
s_rsa_bad_algo(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	return rsa_sess(db, buf, size, VIRTIO_CRYPTO_AKCIPHER_ECDSA,
		VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC, sizeof(rsa_tiny),
		VIRTIO_CRYPTO_RSA_RAW_PADDING, rsa_tiny);
}

static int
s_rsa_bad_keytype(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	return rsa_sess(db, buf, size, VIRTIO_CRYPTO_AKCIPHER_RSA, 9, sizeof(rsa_tiny),
		VIRTIO_CRYPTO_RSA_RAW_PADDING, rsa_tiny);
}

static int
s_rsa_bad_padding(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	return rsa_sess(db, buf, size, VIRTIO_CRYPTO_AKCIPHER_RSA,
		VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC, sizeof(rsa_tiny), 7, rsa_tiny);
}

/* An akcipher opcode naming a symmetric session. */
static int
m_akcipher_on_cipher(struct mal_ctx *c)
{
	c->hdr->header.opcode = VIRTIO_CRYPTO_AKCIPHER_ENCRYPT;
	c->hdr->u.akcipher_req.para.src_data_len = DATA_LEN;
	c->hdr->u.akcipher_req.para.dst_data_len = DATA_LEN;
	return 0;
}

static void
chain_good(struct vcd_sess_params *p)
{
	struct vcdb_algo a;

	vcdb_algo_parse("aes-cbc-128-hmac-sha1", &a);
	vcdb_algo_session(&a, VIRTIO_CRYPTO_OP_ENCRYPT,
		VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH, vcdb_mal_key, mal_auth_key, p);
}

static int
s_bad_hash(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	struct vcd_sess_params p;

	chain_good(&p);
	p.hash_algo = 99;
	return sess_encode(db, &p, buf, size);
}

static int
s_digest_len(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	struct vcd_sess_params p;

	chain_good(&p);
	p.digest_len = 32; /* SHA1 gives 20 */
	return sess_encode(db, &p, buf, size);
}

/*
 * Key lengths beyond the wire buffers (64 / 512): the encoder may refuse them, so patch
 * the encoded field.  Offsets are those of the two 632-byte layouts; qemu81 is skipped.
 */
static int
patch_u32(struct vcdb *db, uint8_t *buf, uint32_t *size, uint32_t off70, uint32_t val, bool chain)
{
	struct vcd_sess_params p;
	uint32_t off;
	int rc;

	if (db->o.layout == VCD_SESS_LAYOUT_QEMU81)
		return -EOPNOTSUPP;
	if (chain)
		chain_good(&p);
	else
		mal_sess_good(&p);
	rc = sess_encode(db, &p, buf, size);
	off = db->o.layout == VCD_SESS_LAYOUT_QEMU70 ? off70 : off70 - 4; /* no op_code */
	memcpy(buf + off, &val, sizeof(val));
	return rc;
}

static int
s_key_overflow(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	return patch_u32(db, buf, size, 16, VCD_SESS_CIPHER_KEY_MAX + 1, false);
}

static int
s_auth_key_overflow(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	return patch_u32(db, buf, size, 28, VCD_SESS_AUTH_KEY_MAX + 1, true);
}

#define NS  VCDB_EXPECT_NO_STATUS
#define SR  VCDB_EXPECT_SESS_REFUSED
#define BAD VIRTIO_CRYPTO_BADMSG

const struct mal_case vcdb_mal_cases[] = {
	{"descriptor-loop-indirect", NS, BAD, m_loop, NULL},
	{"descriptor-loop-direct", NS, BAD, m_loop_direct, NULL},
	{"indirect-longer-than-ring", VIRTIO_CRYPTO_OK, BAD, m_too_long, NULL},
	{"indirect-inside-indirect", NS, BAD, m_nested, NULL},
	{"address-outside-memory", NS, BAD, m_addr_outside, NULL},
	{"buffer-past-last-region", NS, BAD, m_past_end, NULL},
	{"status-outside-memory", NS, NO_ALT, m_status_outside, NULL},
	{"indirect-table-outside-memory", NS, NO_ALT, m_table_outside, NULL},
	{"indirect-table-len-not-16n", NS, BAD, m_table_len, NULL},
	{"next-out-of-range-direct", NS, BAD, m_next_range, NULL},
	{"zero-length-status", NS, NO_ALT, m_zero_status, NULL},
	{"zero-length-pieces", VIRTIO_CRYPTO_OK, BAD, m_zero_pieces, NULL},
	{"zero-length-data", BAD, VIRTIO_CRYPTO_OK, m_zero_data, NULL},
	{"read-only-status", NS, BAD, m_ro_status, NULL},
	{"no-writable-descriptor", NS, NO_ALT, m_no_writable, NULL},
	{"unknown-session", VIRTIO_CRYPTO_INVSESS, NO_ALT, m_bad_session, NULL},
	{"unknown-opcode", VIRTIO_CRYPTO_NOTSUPP, BAD, m_bad_opcode, NULL},
	{"unknown-op-type", VIRTIO_CRYPTO_NOTSUPP, BAD, m_bad_op_type, NULL},
	{"wrong-iv-length", BAD, NO_ALT, m_iv_len, NULL},
	{"dst-shorter-than-src", BAD, NO_ALT, m_dst_short, NULL},
	{"src-len-beyond-descriptors", BAD, NO_ALT, m_src_len, NULL},
	{"dst-len-beyond-descriptors", BAD, NO_ALT, m_dst_len, NULL},
	{"akcipher-opcode-on-cipher-session", BAD, NO_ALT, m_akcipher_on_cipher, NULL},
	{"session-short-payload", SR, NO_ALT, NULL, s_short},
	{"session-rsa-garbage-key", SR, NO_ALT, NULL, s_rsa_garbage_key},
	{"session-rsa-1-byte-modulus", SR, NO_ALT, NULL, s_rsa_tiny_key},
	{"session-rsa-key-len-1025", SR, NO_ALT, NULL, s_rsa_key_overflow},
	{"session-rsa-not-rsa", SR, NO_ALT, NULL, s_rsa_bad_algo},
	{"session-rsa-bad-key-type", SR, NO_ALT, NULL, s_rsa_bad_keytype},
	{"session-rsa-bad-padding", SR, NO_ALT, NULL, s_rsa_bad_padding},
	{"session-empty-payload", SR, NO_ALT, NULL, s_empty},
	{"session-aes-key-17", SR, NO_ALT, NULL, s_aes_key17},
	{"session-xts-key-48", SR, NO_ALT, NULL, s_xts_key48},
	{"session-unknown-cipher", SR, NO_ALT, NULL, s_bad_cipher},
	{"session-unknown-hash", SR, NO_ALT, NULL, s_bad_hash},
	{"session-digest-too-long", SR, NO_ALT, NULL, s_digest_len},
	{"session-cipher-key-len-65", SR, NO_ALT, NULL, s_key_overflow},
	{"session-auth-key-len-513", SR, NO_ALT, NULL, s_auth_key_overflow},
};

const size_t vcdb_mal_nr_cases = sizeof(vcdb_mal_cases) / sizeof(vcdb_mal_cases[0]);
