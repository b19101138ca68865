/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Fuzzing vcd_vcreq_decode() and vcd_vcreq_digest_place(): everything of a
 * data request the guest controls once the ring walk has turned its chain
 * into segments (the header, the IV, the lengths, how the buffers are cut).
 * Each segment is a heap buffer of exactly its size, so ASan reports any
 * read or write past one.
 *
 * Input: byte 0: readable segments (low 2 bits + 1) and writable ones (bits
 * 2-3, + 1); bit 4 drops the status byte, bit 5 sets a chain error; byte 1:
 * the session (bit 0 chain, bits 1-2 the IV length index, bits 3-4 the
 * digest length index, bit 5 the header names no session); then a 16-bit
 * little-endian length per segment; the rest fills the readable segments in
 * order (header first), zero-padded.
 *
 * Checked on every input: the status is one of OK, BADMSG, NOTSUPP, INVSESS;
 * on OK the source, IV, destination, digest and status all lie inside the
 * segments the walk would have mapped, the IV and the source can be copied
 * out, and the digest's place (if it is found) is the last bytes before the
 * status byte.
 *
 * Built two ways, like fuzz_vring.c: libFuzzer (VCD_LIBFUZZER), or a replay main().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vcryptd/akcipher.h"
#include "vcryptd/vcreq.h"

#define MAX_SEGS 4

static const uint16_t iv_lens[4] = {16, 8, 12, 0};
static const uint16_t digest_lens[4] = {20, 32, 64, 1};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vcd_chain c; /* large: not on the stack */
	uint8_t *bufs[2 * MAX_SEGS] = {0};
	struct vcd_session sess, *found = NULL;
	struct vcd_ak_session ak = {.k = 256};
	struct vcd_session *slots[2] = {NULL, NULL};
	uint32_t gen[2] = {0, 0};
	struct vcd_sess_table t = {.max = 2, .count = 1, .slots = slots, .gen = gen};
	struct vcd_req_layout l;
	unsigned int nrd, nwr, i;
	size_t pos = 2;
	uint8_t f0, f1, st;

	if (size < 2)
		return 0;
	f0 = data[0];
	f1 = data[1];
	nrd = (f0 & 3u) + 1;
	nwr = ((f0 >> 2) & 3u) + 1;
	memset(&c, 0, sizeof(c));
	memset(&sess, 0, sizeof(sess));
	sess.id = (1ull << 32) | 1;
	sess.op_type =
		f1 & 1 ? VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING : VIRTIO_CRYPTO_SYM_OP_CIPHER;
	sess.iv_len = iv_lens[(f1 >> 1) & 3u];
	sess.digest_len = f1 & 1 ? digest_lens[(f1 >> 3) & 3u] : 0;
	/* An akcipher (RSA) session instead: its own request layout (vcreq.h, ak_opcode). */
	if (f1 & 0x40)
		sess.ak = &ak;
	slots[1] = &sess;
	for (i = 0; i < nrd + nwr; i++) {
		uint32_t len = 1;

		if (pos + 2 <= size) {
			len = (uint32_t)data[pos] | (uint32_t)data[pos + 1] << 8;
			pos += 2;
		}
		if (len == 0)
			len = 1;
		bufs[i] = calloc(1, len);
		CHECK(bufs[i] != NULL);
		if (i < nrd) {
			c.rd[i].va = bufs[i];
			c.rd[i].len = len;
			c.rd_len += len;
		} else {
			c.wr[i - nrd].va = bufs[i];
			c.wr[i - nrd].len = len;
			c.wr_len += len;
		}
	}
	c.nb_rd = (uint16_t)nrd;
	c.nb_wr = (uint16_t)nwr;
	c.rd_mapped = c.rd_len;
	c.wr_mapped = c.wr_len;
	for (i = 0; i < nrd && pos < size; i++) {
		size_t take = c.rd[i].len < size - pos ? c.rd[i].len : size - pos;

		memcpy(c.rd[i].va, data + pos, take);
		pos += take;
	}
	/* The header names the session unless told not to (a random id hits none). */
	if (!(f1 & 0x20) && c.rd[0].len >= 16)
		memcpy(c.rd[0].va + 8, &sess.id, sizeof(sess.id));
	c.status = f0 & 0x10 ? NULL : c.wr[nwr - 1].va + c.wr[nwr - 1].len - 1;
	c.err = f0 & 0x20 ? VCD_CHAIN_BAD_ADDR : VCD_CHAIN_OK;

	st = vcd_vcreq_decode(&c, &t, &found, &l);
	CHECK(st == VIRTIO_CRYPTO_OK || st == VIRTIO_CRYPTO_BADMSG || st == VIRTIO_CRYPTO_NOTSUPP ||
		st == VIRTIO_CRYPTO_INVSESS);
	if (st == VIRTIO_CRYPTO_OK && l.ak_opcode != 0) {
		bool verify = l.ak_opcode == VIRTIO_CRYPTO_AKCIPHER_VERIFY;

		CHECK(found == &sess && sess.ak != NULL);
		CHECK(l.src_len > 0 && l.src_len <= VCD_AK_MAX_DATA &&
			l.dst_len <= VCD_AK_MAX_DATA);
		CHECK((uint64_t)sizeof(struct virtio_crypto_op_data_req) + l.src_len +
				(verify ? l.dst_len : 0) <=
			c.rd_mapped);
		CHECK(verify || (l.dst_len <= c.wr_mapped && l.dst_len + 1 <= c.wr_len));
	} else if (st == VIRTIO_CRYPTO_OK) {
		static uint8_t scratch[4u << 20];
		uint8_t iv[16], *dst[2];
		uint16_t dlen[2];

		CHECK(found == &sess);
		CHECK(c.err == VCD_CHAIN_OK && c.status != NULL);
		CHECK(l.src_len > 0 && l.src_len <= VCD_MAX_REQ_DATA && l.dst_len >= l.src_len);
		CHECK(l.iv_len == sess.iv_len && l.digest_len == sess.digest_len);
		CHECK((uint64_t)vcd_vcreq_src_off(&l) + l.src_len <= c.rd_mapped);
		CHECK(l.src_len <= c.wr_mapped);
		CHECK((uint64_t)l.dst_len + l.digest_len + 1 <= c.wr_len);
		CHECK((uint64_t)l.cipher_off + l.cipher_len <= l.src_len);
		CHECK((uint64_t)l.hash_off + l.hash_len <= l.src_len);
		CHECK(vcd_vcreq_iv(&c, &l, iv));
		CHECK(vcd_seg_copy(c.rd, c.nb_rd, vcd_vcreq_src_off(&l), scratch, l.src_len));
		if (l.digest_len != 0 && vcd_vcreq_digest_place(&c, l.digest_len, dst, dlen) == 0) {
			uint8_t *end = dlen[1] != 0 ? dst[1] + dlen[1] : dst[0] + dlen[0];
			bool before_status = end == c.status;
			unsigned int j;

			CHECK(dlen[0] + dlen[1] == l.digest_len);
			/* Right before the status byte: in its segment, or at the end of the one
			 * before. */
			for (j = 0; j + 1 < nwr && !before_status; j++)
				before_status = end == c.wr[j].va + c.wr[j].len &&
					c.status == c.wr[j + 1].va;
			CHECK(before_status);
			vcd_vcreq_digest_out(scratch, dst, dlen);
		}
	}
	for (i = 0; i < nrd + nwr; i++)
		free(bufs[i]);
	return 0;
}
