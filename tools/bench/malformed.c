/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The malformed-request catalogue's runner.  Each data case starts from one good AES-CBC-128
 * encrypt request built here and broken by a case of mal_cases.c; each session case sends
 * one bad CREATE_CRYPTO_SESSION.  After every case a good request must still be served
 * (and, after a session case, a good session still be created): the queue may never stop.
 */
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <string.h>

#include "malformed.h"

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
	memcpy(meta + VCDB_META_IV, vcdb_mal_iv, 16);
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

size_t
vcdb_malformed_count(void)
{
	return vcdb_mal_nr_cases;
}

const char *
vcdb_malformed_name(size_t i)
{
	return i < vcdb_mal_nr_cases ? vcdb_mal_cases[i].name : NULL;
}

int
vcdb_malformed_expected(size_t i)
{
	return i < vcdb_mal_nr_cases ? vcdb_mal_cases[i].expect : NO_ALT;
}

/* ---- running a case ---- */

static int
mal_session(struct vcdb *db)
{
	struct vcd_sess_params p;
	int64_t id;

	if (db->mal_ready)
		return 0;
	mal_sess_good(&p);
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
		.iv = vcdb_mal_iv,
		.iv_len = 16,
		.len = DATA_LEN};
	uint8_t in[DATA_LEN], ref[DATA_LEN];
	struct vcdb_algo a;
	struct vcdb_cpl c;

	memset(in, 0x42, sizeof(in));
	r.src = in;
	vcdb_algo_parse("aes-cbc-128", &a);
	if (vcdb_ref_cipher(&a, true, vcdb_mal_key, vcdb_mal_iv, in, DATA_LEN, ref) < 0)
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

	mal_sess_good(&p);
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

	if (i >= vcdb_mal_nr_cases)
		return -EINVAL;
	mc = &vcdb_mal_cases[i];
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
