/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The malformed-request catalogue.  Each data case starts from one good AES-CBC-128
 * encrypt request (an indirect table: header, IV, 64 B source, 64 B destination, status)
 * and breaks one thing; each session case sends one bad CREATE_CRYPTO_SESSION.  After
 * every case a good request must still be served: the queue may never stop.
 *
 * Expectations follow the virtio spec and vcryptd's rule that every chain taken off the
 * ring gets exactly one used entry: BADMSG for requests whose lengths or fields do not
 * hold together, NOTSUPP for unknown operations, INVSESS for unknown sessions, and a used
 * entry of length 0 (status untouched) for chains that cannot be walked or cannot carry a
 * status.  Where two answers are equally right, the second is accepted too.
 */
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <string.h>

#include "vcdb_internal.h"

#define NO_ALT            (-100)
#define GOT_TIMEOUT       (-3)
#define GOT_LEN_NO_STATUS (-4)
#define GOT_ACCEPTED      (-5)
#define GOT_TRANSPORT     (-6)
#define WAIT_MS           3000
#define DATA_LEN          64u
#define MAX_SEGS          16

struct mal_ctx {
	struct vcdb *db;
	int tag;
	struct vcdb_slot *s;
	struct virtio_crypto_op_data_req *hdr;
	struct vcdb_seg sg[MAX_SEGS];
	unsigned int n;
	bool direct;
	struct vcdb_seg ring; /* the ring descriptor of an indirect request */
};

struct mal_case {
	const char *name;
	int expect, alt;
	int (*data)(struct mal_ctx *c);
	int (*sess)(struct vcdb *db, uint8_t *buf, uint32_t *size);
};

static const uint8_t mal_key[16] = "vcdbench-mal-key";
static const uint8_t mal_iv[16] = "vcdbench-mal-iv!";

/* ---- the good request every data case starts from ---- */

static void
base_segs(struct mal_ctx *c)
{
	struct vcdb_slot *s = c->s;
	uint16_t f = VRING_DESC_F_NEXT, w = VRING_DESC_F_WRITE;

	c->sg[0] = (struct vcdb_seg){s->meta_gpa + VCDB_META_HDR, 72, f, 1};
	c->sg[1] = (struct vcdb_seg){s->meta_gpa + VCDB_META_IV, 16, f, 2};
	c->sg[2] = (struct vcdb_seg){s->src_gpa, DATA_LEN, f, 3};
	c->sg[3] = (struct vcdb_seg){s->dst_gpa, DATA_LEN, f | w, 4};
	c->sg[4] = (struct vcdb_seg){s->status_gpa, 1, w, 0};
	c->n = 5;
}

static void
base_fill(struct mal_ctx *c, uint64_t sid)
{
	struct vcdb *db = c->db;
	struct vcdb_slot *s = c->s;
	uint8_t *meta = vcdb_gpa_va(db, s->meta_gpa);
	struct virtio_crypto_cipher_para *p;

	c->hdr = (struct virtio_crypto_op_data_req *)(meta + VCDB_META_HDR);
	memset(c->hdr, 0, sizeof(*c->hdr));
	c->hdr->header.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT;
	c->hdr->header.session_id = sid;
	c->hdr->u.sym_req.op_type = VIRTIO_CRYPTO_SYM_OP_CIPHER;
	p = &c->hdr->u.sym_req.u.cipher.para;
	p->iv_len = 16;
	p->src_data_len = DATA_LEN;
	p->dst_data_len = DATA_LEN;
	memcpy(meta + VCDB_META_IV, mal_iv, 16);
	memset(vcdb_gpa_va(db, s->src_gpa), 0x33, DATA_LEN);
	memset(vcdb_gpa_va(db, s->dst_gpa), VCDB_STATUS_UNSET, DATA_LEN);
	s->status_gpa = s->meta_gpa + VCDB_META_STATUS;
	*(uint8_t *)vcdb_gpa_va(db, s->status_gpa) = VCDB_STATUS_UNSET;
	s->digest_gpa = s->meta_gpa + VCDB_META_DIGEST;
	s->out_gpa = s->dst_gpa;
	s->out_len = DATA_LEN;
	s->out_extra = s->digest_len = 0;
	s->cross = false;
	s->busy = true;
}

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
	uint32_t len = VCDB_ALIGN(db->vq.num + 16u, 16u), i, n = 0;
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
	c->sg[2].next = (uint16_t)(c->db->vq.num + 3);
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

static void
sess_good(struct vcd_sess_params *p)
{
	struct vcdb_algo a;

	vcdb_algo_parse("aes-cbc-128", &a);
	vcdb_algo_session(&a, VIRTIO_CRYPTO_OP_ENCRYPT, 0, mal_key, NULL, p);
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

	sess_good(&p);
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

	sess_good(&p);
	p.cipher_key_len = 17;
	return sess_encode(db, &p, buf, size);
}

static int
s_xts_key48(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	struct vcd_sess_params p;

	sess_good(&p);
	p.cipher_algo = VIRTIO_CRYPTO_CIPHER_AES_XTS;
	p.cipher_key_len = 48;
	return sess_encode(db, &p, buf, size);
}

static int
s_bad_cipher(struct vcdb *db, uint8_t *buf, uint32_t *size)
{
	struct vcd_sess_params p;

	sess_good(&p);
	p.cipher_algo = 99;
	return sess_encode(db, &p, buf, size);
}

static void
chain_good(struct vcd_sess_params *p)
{
	struct vcdb_algo a;

	vcdb_algo_parse("aes-cbc-128-hmac-sha1", &a);
	vcdb_algo_session(&a, VIRTIO_CRYPTO_OP_ENCRYPT,
		VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH, mal_key, mal_iv, p);
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
		sess_good(&p);
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

static const struct mal_case cases[] = {
	{"descriptor-loop-indirect", NS, BAD, m_loop, NULL},
	{"descriptor-loop-direct", NS, BAD, m_loop_direct, NULL},
	{"chain-longer-than-ring", NS, BAD, m_too_long, NULL},
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
	{"session-short-payload", SR, NO_ALT, NULL, s_short},
	{"session-empty-payload", SR, NO_ALT, NULL, s_empty},
	{"session-aes-key-17", SR, NO_ALT, NULL, s_aes_key17},
	{"session-xts-key-48", SR, NO_ALT, NULL, s_xts_key48},
	{"session-unknown-cipher", SR, NO_ALT, NULL, s_bad_cipher},
	{"session-unknown-hash", SR, NO_ALT, NULL, s_bad_hash},
	{"session-digest-too-long", SR, NO_ALT, NULL, s_digest_len},
	{"session-cipher-key-len-65", SR, NO_ALT, NULL, s_key_overflow},
	{"session-auth-key-len-513", SR, NO_ALT, NULL, s_auth_key_overflow},
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

size_t
vcdb_malformed_count(void)
{
	return N_CASES;
}

const char *
vcdb_malformed_name(size_t i)
{
	return i < N_CASES ? cases[i].name : NULL;
}

int
vcdb_malformed_expected(size_t i)
{
	return i < N_CASES ? cases[i].expect : NO_ALT;
}

/* ---- running a case ---- */

static int
mal_session(struct vcdb *db)
{
	struct vcd_sess_params p;
	int64_t id;

	if (db->mal_ready)
		return 0;
	sess_good(&p);
	id = vcdb_session_create(db, &p);
	if (id < 0)
		return (int)id;
	db->mal_sid = (uint64_t)id;
	db->mal_ready = true;
	return 0;
}

static void
write_table(struct vcdb *db, uint64_t gpa, const struct vcdb_seg *sg, unsigned int n)
{
	struct vring_desc *t = vcdb_gpa_va(db, gpa);
	unsigned int i;

	for (i = 0; i < n; i++)
		t[i] = (struct vring_desc){sg[i].gpa, sg[i].len, sg[i].flags, sg[i].next};
}

static int
data_send(struct mal_ctx *c)
{
	if (c->direct)
		return vq_add_raw(c->db, c->tag, c->sg, c->n, 0);
	if (c->n)
		write_table(c->db, c->s->meta_gpa + VCDB_META_TABLE, c->sg, c->n);
	if (c->ring.len == 0)
		c->ring.len = 16 * c->n;
	return vq_add_raw(c->db, c->tag, &c->ring, 1, 0);
}

/* GPA of the last byte of the last non-empty writable segment (0 if none). */
static uint64_t
last_writable_byte(const struct mal_ctx *c)
{
	unsigned int i;

	for (i = c->n; i-- > 0;)
		if ((c->sg[i].flags & VRING_DESC_F_WRITE) && c->sg[i].len > 0)
			return c->sg[i].gpa + c->sg[i].len - 1;
	return 0;
}

/*
 * What the backend answered.  A backend may put the status in the last byte of the
 * last writable descriptor even when that is not our status descriptor (read-only
 * status): accept an error status found there.
 */
static int
classify(const struct mal_ctx *c, const struct vcdb_cpl *cpl)
{
	uint64_t lw = last_writable_byte(c);
	uint8_t b;

	if (cpl->status >= 0)
		return cpl->status;
	if (lw != 0 && lw != c->s->status_gpa && lw < c->db->mem.size) {
		b = *(volatile uint8_t *)vcdb_gpa_va(c->db, lw);
		if (b > VIRTIO_CRYPTO_OK && b <= VIRTIO_CRYPTO_INVSESS)
			return b;
	}
	return cpl->used_len == 0 ? VCDB_EXPECT_NO_STATUS : GOT_LEN_NO_STATUS;
}

static int
run_data(struct vcdb *db, const struct mal_case *mc, struct vcdb_malformed_result *res)
{
	struct mal_ctx c = {.db = db};
	struct vcdb_cpl cpl;
	int rc;

	c.tag = slot_get(db);
	if (c.tag < 0)
		return c.tag;
	c.s = &db->slots[c.tag];
	base_fill(&c, db->mal_sid);
	base_segs(&c);
	c.ring = (struct vcdb_seg){c.s->meta_gpa + VCDB_META_TABLE, 0, VRING_DESC_F_INDIRECT, 0};
	rc = mc->data(&c);
	if (rc == 0)
		rc = data_send(&c);
	if (rc < 0) {
		slot_put(db, c.tag);
		return rc;
	}
	db->st.submitted++;
	rc = vcdb_wait(db, &cpl, 1, WAIT_MS);
	res->got = rc == -ETIMEDOUT ? GOT_TIMEOUT : rc < 0 ? GOT_TRANSPORT : classify(&c, &cpl);
	res->used_len = rc > 0 ? cpl.used_len : 0;
	return 0;
}

static int
run_sess(struct vcdb *db, const struct mal_case *mc, struct vcdb_malformed_result *res)
{
	uint8_t buf[2048] = {0};
	uint32_t size = 0;
	int64_t id;
	int rc;

	rc = mc->sess(db, buf, &size);
	if (rc < 0)
		return rc;
	id = vcdb_session_create_raw(db, buf, size);
	if (id >= 0) {
		res->got = GOT_ACCEPTED;
		vcdb_session_close(db, (uint64_t)id);
	} else {
		res->got = id == -EREMOTEIO ? VCDB_EXPECT_SESS_REFUSED
			: id == -ETIMEDOUT  ? GOT_TIMEOUT
					    : GOT_TRANSPORT;
	}
	return 0;
}

/* A good AES-CBC-128 encrypt, checked against OpenSSL. */
static bool
good_request(struct vcdb *db)
{
	struct vcdb_req r = {.session_id = db->mal_sid,
		.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
		.iv = mal_iv,
		.iv_len = 16,
		.len = DATA_LEN};
	uint8_t in[DATA_LEN], ref[DATA_LEN];
	struct vcdb_algo a;
	struct vcdb_cpl c;

	memset(in, 0x42, sizeof(in));
	r.src = in;
	vcdb_algo_parse("aes-cbc-128", &a);
	if (vcdb_ref_cipher(&a, true, mal_key, mal_iv, in, DATA_LEN, ref) < 0)
		return false;
	if (vcdb_submit(db, &r) < 0 || vcdb_wait(db, &c, 1, WAIT_MS) != 1)
		return false;
	return c.status == VIRTIO_CRYPTO_OK && memcmp(c.dst, ref, DATA_LEN) == 0;
}

/* After a refused session message, a good one must still be accepted. */
static bool
good_session(struct vcdb *db)
{
	struct vcd_sess_params p;
	int64_t id;

	sess_good(&p);
	id = vcdb_session_create(db, &p);
	if (id < 0)
		return false;
	vcdb_session_close(db, (uint64_t)id);
	return true;
}

static const char *
got_name(int got)
{
	switch (got) {
	case GOT_TIMEOUT:
		return "no answer (timeout)";
	case GOT_LEN_NO_STATUS:
		return "used len > 0 but status untouched";
	case GOT_ACCEPTED:
		return "session accepted";
	case GOT_TRANSPORT:
		return "connection error";
	default:
		return vcdb_status_name(got);
	}
}

int
vcdb_malformed_run(struct vcdb *db, size_t i, struct vcdb_malformed_result *res)
{
	const struct mal_case *mc;
	bool match;
	int rc;

	if (i >= N_CASES)
		return -EINVAL;
	mc = &cases[i];
	memset(res, 0, sizeof(*res));
	res->expected = mc->expect;
	res->expected_alt = mc->alt;
	if (vcdb_in_flight(db) != 0)
		return -EBUSY;
	rc = mal_session(db);
	if (rc == 0)
		rc = mc->data ? run_data(db, mc, res) : run_sess(db, mc, res);
	if (rc < 0)
		return rc;
	res->good_after = (mc->sess == NULL || good_session(db)) && good_request(db);
	match = res->got == mc->expect || res->got == mc->alt;
	snprintf(res->detail, sizeof(res->detail), "expected %s%s%s, got %s (used len %u)%s",
		vcdb_status_name(mc->expect), mc->alt != NO_ALT ? " or " : "",
		mc->alt != NO_ALT ? vcdb_status_name(mc->alt) : "", got_name(res->got),
		res->used_len, res->good_after ? "" : "; queue no longer serves");
	return match && res->good_after ? 0 : -EPROTO;
}
