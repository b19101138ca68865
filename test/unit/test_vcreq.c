/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The virtio-crypto request (vcreq.h) and segment lists (seg.h), without EAL:
 * segment copies checked against the same bytes laid out flat (memcpy is the
 * reference), request decode checked case by case against the virtio spec's
 * layout and the rules vcreq.h states, digest placement and the one answer
 * routine checked on a real used ring in memory.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vcryptd/vcreq.h"
#include "unit_main.h"

#define FLAT 4096

/* Cut @flat into segments at @cuts (ascending offsets), into @s; returns the count. */
static uint16_t
cut(uint8_t *flat, uint32_t len, const uint32_t *cuts, unsigned int ncuts, struct vcd_seg *s)
{
	uint32_t prev = 0;
	uint16_t n = 0;
	unsigned int i;

	for (i = 0; i <= ncuts; i++) {
		uint32_t end = i < ncuts ? cuts[i] : len;

		s[n].va = flat + prev;
		s[n++].len = end - prev;
		prev = end;
	}
	return n;
}

START_TEST(seg_copy_matches_flat)
{
	static uint8_t flat[FLAT], out[FLAT];
	struct vcd_seg s[8];
	const uint32_t cuts[] = {1, 72, 88, 1000, 1001, 3000};
	uint16_t n = cut(flat, FLAT, cuts, 6, s);
	unsigned int i, trial;

	for (i = 0; i < FLAT; i++)
		flat[i] = (uint8_t)(i * 7 + 3);
	srand(5);
	for (trial = 0; trial < 2000; trial++) {
		uint32_t off = (uint32_t)rand() % FLAT, len = (uint32_t)rand() % (FLAT - off + 1);
		uint8_t *p;

		memset(out, 0, sizeof(out));
		ck_assert(vcd_seg_copy(s, n, off, out, len));
		ck_assert_mem_eq(out, flat + off, len);
		/* One segment holds it exactly when no cut lies strictly inside the range. */
		p = vcd_seg_ptr(s, n, off, len);
		if (p != NULL)
			ck_assert_ptr_eq(p, flat + off);
		ck_assert_uint_ge(vcd_seg_span(s, n, off, len), len > 0 ? 1 : 0);
	}
	/* Past the end: false, never a read beyond the segments. */
	ck_assert(!vcd_seg_copy(s, n, FLAT - 4, out, 8));
	ck_assert_uint_eq(vcd_seg_span(s, n, 0, FLAT), n);
	ck_assert_ptr_null(vcd_seg_ptr(s, n, 70, 4)); /* straddles the cut at 72 */
	ck_assert_ptr_eq(vcd_seg_ptr(s, n, 72, 16), flat + 72);
}
END_TEST

START_TEST(seg_scatter_and_to_seg)
{
	static uint8_t src[FLAT], dst[FLAT], ref[FLAT];
	struct vcd_seg ss[8], ds[8];
	const uint32_t scuts[] = {100, 101, 2000}, dcuts[] = {7, 1500, 1501, 4000};
	uint16_t ns = cut(src, FLAT, scuts, 3, ss), nd = cut(dst, FLAT, dcuts, 4, ds);
	unsigned int i;

	for (i = 0; i < FLAT; i++)
		src[i] = (uint8_t)(i ^ 0x5a);
	vcd_seg_scatter(ds, nd, src, 3000);
	ck_assert_mem_eq(dst, src, 3000);
	memset(dst, 0, sizeof(dst));
	vcd_seg_to_seg(ds, nd, ss, ns, 50, 3000);
	ck_assert_mem_eq(dst, src + 50, 3000);
	/* In place, overlapping: the source is the destination moved forward. */
	memcpy(ref, src, sizeof(ref));
	vcd_seg_to_seg(ss, ns, ss, ns, 72, 2000);
	ck_assert_mem_eq(src, ref + 72, 2000);
}
END_TEST

/* A request in one flat guest buffer: header, IV, source | destination, status. */
struct fake_req {
	uint8_t rd[FLAT];
	uint8_t wr[FLAT];
	struct vcd_chain c;
	struct vcd_sess_table t;
	struct vcd_session sess;
};

static struct virtio_crypto_op_data_req *
hdr(struct fake_req *f)
{
	return (struct virtio_crypto_op_data_req *)f->rd;
}

/* A cipher request of @len bytes with a 16-byte IV, destination exactly @len + status. */
static void
fake_cipher(struct fake_req *f, uint32_t len)
{
	struct virtio_crypto_op_data_req *h;

	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(vcd_sess_table_init(&f->t, 4, 1), 0);
	f->sess.id = (1ull << 32) | 2;
	f->sess.op_type = VIRTIO_CRYPTO_SYM_OP_CIPHER;
	f->sess.iv_len = 16;
	f->t.slots[2] = &f->sess;
	h = hdr(f);
	h->header.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT;
	h->header.session_id = f->sess.id;
	h->u.sym_req.op_type = VIRTIO_CRYPTO_SYM_OP_CIPHER;
	h->u.sym_req.u.cipher.para.iv_len = 16;
	h->u.sym_req.u.cipher.para.src_data_len = len;
	h->u.sym_req.u.cipher.para.dst_data_len = len;
	f->c.nb_rd = 1;
	f->c.rd[0].va = f->rd;
	f->c.rd[0].len = f->c.rd_len = f->c.rd_mapped = (uint32_t)sizeof(*h) + 16 + len;
	f->c.nb_wr = 1;
	f->c.wr[0].va = f->wr;
	f->c.wr[0].len = f->c.wr_len = f->c.wr_mapped = len + 1;
	f->c.status = f->wr + len;
}

static void
fake_fini(struct fake_req *f)
{
	f->t.slots[2] = NULL; /* not the table's to free */
	vcd_sess_table_fini(&f->t);
}

static uint8_t
decode(struct fake_req *f, struct vcd_req_layout *l)
{
	struct vcd_session *s = NULL;
	uint8_t st = vcd_vcreq_decode(&f->c, &f->t, &s, l);

	if (st == VIRTIO_CRYPTO_OK)
		ck_assert_ptr_eq(s, &f->sess);
	return st;
}

START_TEST(decode_cipher_ok)
{
	static struct fake_req f;
	struct vcd_req_layout l;
	uint8_t iv[16];
	unsigned int i;

	fake_cipher(&f, 1024);
	for (i = 0; i < 16; i++)
		f.rd[sizeof(struct virtio_crypto_op_data_req) + i] = (uint8_t)(0xa0 + i);
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_OK);
	ck_assert_uint_eq(l.src_len, 1024);
	ck_assert_uint_eq(l.cipher_off, 0);
	ck_assert_uint_eq(l.cipher_len, 1024);
	ck_assert_uint_eq(l.digest_len, 0);
	ck_assert_uint_eq(vcd_vcreq_src_off(&l), 72 + 16);
	ck_assert(vcd_vcreq_iv(&f.c, &l, iv));
	ck_assert_mem_eq(iv, f.rd + 72, 16);
	fake_fini(&f);
}
END_TEST

START_TEST(decode_refusals)
{
	static struct fake_req f;
	struct vcd_req_layout l;

	/* Each case starts from a valid request and breaks one thing. */
	fake_cipher(&f, 64);
	f.c.err = VCD_CHAIN_LOOP;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);

	fake_cipher(&f, 64);
	f.c.status = NULL;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);

	fake_cipher(&f, 64);
	f.c.rd[0].len = 71; /* shorter than the header */
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);

	fake_cipher(&f, 64);
	hdr(&f)->header.opcode = VIRTIO_CRYPTO_HASH;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_NOTSUPP);
	fake_fini(&f);

	fake_cipher(&f, 64);
	hdr(&f)->header.session_id = (2ull << 32) | 2; /* a closed generation of the slot */
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_INVSESS);
	hdr(&f)->header.session_id = 1000; /* beyond the table */
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_INVSESS);
	fake_fini(&f);

	fake_cipher(&f, 64);
	hdr(&f)->u.sym_req.op_type = VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG); /* not the session's type */
	fake_fini(&f);

	fake_cipher(&f, 64);
	hdr(&f)->u.sym_req.u.cipher.para.iv_len = 8;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);

	fake_cipher(&f, 64);
	hdr(&f)->u.sym_req.u.cipher.para.src_data_len = 0;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);

	fake_cipher(&f, 64);
	hdr(&f)->u.sym_req.u.cipher.para.dst_data_len = 32; /* shorter than the source */
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);

	fake_cipher(&f, 64);
	hdr(&f)->u.sym_req.u.cipher.para.src_data_len = VCD_MAX_REQ_DATA + 16;
	hdr(&f)->u.sym_req.u.cipher.para.dst_data_len = VCD_MAX_REQ_DATA + 16;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);

	fake_cipher(&f, 64);
	f.c.rd_mapped -= 1; /* the source reaches past what the walk mapped */
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);

	fake_cipher(&f, 64);
	f.c.wr_len = 64; /* no room for the status byte after the data */
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);
}
END_TEST

/* A chain request: cipher region and hash region inside the source, 20-byte digest. */
static void
fake_chain(struct fake_req *f, uint32_t len)
{
	struct virtio_crypto_alg_chain_data_para *p;

	fake_cipher(f, len);
	f->sess.op_type = VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING;
	f->sess.digest_len = 20;
	hdr(f)->u.sym_req.op_type = VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING;
	p = &hdr(f)->u.sym_req.u.chain.para;
	memset(p, 0, sizeof(*p));
	p->iv_len = 16;
	p->src_data_len = len;
	p->dst_data_len = len;
	p->cipher_start_src_offset = 16;
	p->len_to_cipher = len - 16;
	p->hash_start_src_offset = 0;
	p->len_to_hash = len;
	p->hash_result_len = 20;
	f->c.wr[0].len = f->c.wr_len = f->c.wr_mapped = len + 20 + 1;
	f->c.status = f->wr + len + 20;
}

START_TEST(decode_chain_and_digest_place)
{
	static struct fake_req f;
	struct vcd_req_layout l;
	uint8_t *dst[2];
	uint16_t dlen[2];

	fake_chain(&f, 256);
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_OK);
	ck_assert_uint_eq(l.cipher_off, 16);
	ck_assert_uint_eq(l.cipher_len, 240);
	ck_assert_uint_eq(l.hash_len, 256);
	ck_assert_uint_eq(l.digest_len, 20);
	/* Right before the status byte, in one piece. */
	ck_assert_int_eq(vcd_vcreq_digest_place(&f.c, 20, dst, dlen), 0);
	ck_assert_ptr_eq(dst[0], f.wr + 256);
	ck_assert_uint_eq(dlen[0], 20);
	ck_assert_uint_eq(dlen[1], 0);
	/* Split over two writable segments: two pieces; over three: refused. */
	f.c.nb_wr = 3;
	f.c.wr[0].len = 260;
	f.c.wr[1].va = f.wr + 260;
	f.c.wr[1].len = 16;
	f.c.wr[2].va = f.wr + 276;
	f.c.wr[2].len = 1; /* the status byte alone */
	ck_assert_int_eq(vcd_vcreq_digest_place(&f.c, 20, dst, dlen), 0);
	ck_assert_ptr_eq(dst[0], f.wr + 256);
	ck_assert_uint_eq(dlen[0], 4);
	ck_assert_ptr_eq(dst[1], f.wr + 260);
	ck_assert_uint_eq(dlen[1], 16);
	f.c.wr[1].len = 8;
	f.c.wr[2].va = f.wr + 268;
	f.c.wr[2].len = 9;
	ck_assert_int_lt(vcd_vcreq_digest_place(&f.c, 20, dst, dlen), 0);
	fake_fini(&f);

	fake_chain(&f, 256);
	hdr(&f)->u.sym_req.u.chain.para.aad_len = 8;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_NOTSUPP);
	hdr(&f)->u.sym_req.u.chain.para.aad_len = 0;
	hdr(&f)->u.sym_req.u.chain.para.hash_result_len = 32; /* not the session's */
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	hdr(&f)->u.sym_req.u.chain.para.hash_result_len = 20;
	hdr(&f)->u.sym_req.u.chain.para.len_to_cipher = 0xfffffff0u; /* wraps past the source */
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	hdr(&f)->u.sym_req.u.chain.para.len_to_cipher = 240;
	hdr(&f)->u.sym_req.u.chain.para.hash_start_src_offset = 1;
	ck_assert_uint_eq(decode(&f, &l), VIRTIO_CRYPTO_BADMSG);
	fake_fini(&f);
}
END_TEST

START_TEST(answer_writes_status_counters_used)
{
	static struct vcd_vm vm;
	static uint8_t used_mem[sizeof(struct vring_used) + 8 * sizeof(struct vring_used_elem)];
	uint8_t status = 0xff;

	memset(&vm, 0, sizeof(vm));
	vm.vq[0].used = (struct vring_used *)used_mem;
	vm.vq[0].size = 8;
	vcd_vcreq_answer(&vm, &vm.vq[0], &status, 5, 1025, VIRTIO_CRYPTO_OK, 1024, 100, 100 + 300);
	ck_assert_uint_eq(status, VIRTIO_CRYPTO_OK);
	ck_assert_uint_eq(vm.stats.status[VIRTIO_CRYPTO_OK], 1);
	ck_assert_uint_eq(vm.stats.bytes, 1024);
	ck_assert_uint_eq(vm.stats.lat_hist[8], 1); /* 300 cycles: [256, 512) */
	ck_assert_uint_eq(vm.vq[0].used->ring[0].id, 5);
	ck_assert_uint_eq(vm.vq[0].used->ring[0].len, 1025);
	ck_assert_uint_eq(vm.vq[0].pending_used, 1);
	/* An error counts no bytes; a chain without a status gets a bare entry. */
	vcd_vcreq_answer(&vm, &vm.vq[0], &status, 6, 65, VIRTIO_CRYPTO_ERR, 64, VCD_UNTIMED, 0);
	ck_assert_uint_eq(status, VIRTIO_CRYPTO_ERR);
	ck_assert_uint_eq(vm.stats.bytes, 1024);
	vcd_vcreq_answer(&vm, &vm.vq[0], NULL, 7, 65, VIRTIO_CRYPTO_BADMSG, 0, VCD_UNTIMED, 0);
	ck_assert_uint_eq(vm.stats.no_status, 1);
	ck_assert_uint_eq(vm.stats.status[VIRTIO_CRYPTO_BADMSG], 0);
	ck_assert_uint_eq(vm.vq[0].used->ring[2].id, 7);
	ck_assert_uint_eq(vm.vq[0].used->ring[2].len, 0);
	ck_assert_uint_eq(vm.vq[0].used_idx, 3);
}
END_TEST

static Suite *
vcreq_suite(void)
{
	Suite *s = suite_create("vcreq");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, seg_copy_matches_flat);
	tcase_add_test(tc, seg_scatter_and_to_seg);
	tcase_add_test(tc, decode_cipher_ok);
	tcase_add_test(tc, decode_refusals);
	tcase_add_test(tc, decode_chain_and_digest_place);
	tcase_add_test(tc, answer_writes_status_counters_used);
	suite_add_tcase(s, tc);
	return s;
}

VCD_UNIT_MAIN(vcreq_suite)
