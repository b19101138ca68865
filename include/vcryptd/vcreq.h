/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The virtio-crypto data request (virtio spec, crypto device, "symmetric
 * data requests"): a chain's header decoded and checked against its session
 * and its buffers, where the digest goes, and the one routine that answers a
 * request, whatever path it took.
 *
 * Everything here reads guest memory only through the chain's segments
 * (seg.h) and copies each guest value once before checking it.  Decoding is
 * pure (no EAL, no counters: the unit tests and fuzz_vcreq call it as it is);
 * answering writes the status byte, the VM's counters and the used entry, on
 * the worker that owns the VM.
 */
#ifndef VCRYPTD_VCREQ_H
#define VCRYPTD_VCREQ_H

#include <stdint.h>

#include <linux/virtio_crypto.h>

#include "vcryptd/seg.h"
#include "vcryptd/session.h"
#include "vcryptd/vm.h"
#include "vcryptd/vring.h"

/* Largest source or destination of one request. */
#define VCD_MAX_REQ_DATA (4u << 20)
/* Largest akcipher src or dst: one RSA-4096 block. */
#define VCD_AK_MAX_DATA 512u

/* Lengths of one request, from its header, checked against the chain. */
struct vcd_req_layout {
	uint32_t iv_len;
	uint32_t src_len;
	uint32_t dst_len;
	uint32_t cipher_off, cipher_len;
	uint32_t hash_off, hash_len;
	uint32_t digest_len;
	/*
	 * An akcipher request (VIRTIO_CRYPTO_AKCIPHER_*, akcipher.h): its opcode
	 * (0: a symmetric one).  src_len/dst_len are then the para's lengths: the
	 * readable part is [header][src] ([header][signature || digest], digest
	 * dst_len bytes, for VERIFY), the writable part [dst][status] ([status]).
	 */
	uint32_t ak_opcode;
};

/*
 * Decode chain @c against the VM's session table @t.  VIRTIO_CRYPTO_OK with
 * *@s and *@l filled, or the status to answer the chain with: BADMSG (a chain
 * the ring walk refused, no status byte, a short header, lengths that do not
 * fit the session or the buffers), NOTSUPP (not a cipher request; AAD),
 * INVSESS (no such session in this VM's table).
 */
uint8_t vcd_vcreq_decode(const struct vcd_chain *c, const struct vcd_sess_table *t,
	struct vcd_session **s, struct vcd_req_layout *l);

/* Where the source starts in the readable part: after the header and the IV. */
static inline uint32_t
vcd_vcreq_src_off(const struct vcd_req_layout *l)
{
	return (uint32_t)sizeof(struct virtio_crypto_op_data_req) + l->iv_len;
}

/* Copy the request's IV out of the guest. */
static inline bool
vcd_vcreq_iv(const struct vcd_chain *c, const struct vcd_req_layout *l, uint8_t *iv)
{
	return vcd_seg_copy(
		c->rd, c->nb_rd, sizeof(struct virtio_crypto_op_data_req), iv, l->iv_len);
}

/*
 * Where the @len-byte hash result goes in the writable part: right before the
 * status byte, which is the last writable byte (decode checked there is
 * room).  A destination longer than dst_data_len (Linux hands over whole
 * scatterlists) therefore never moves the digest into the data; with exact
 * lengths this is offset dst_data_len, as the virtio spec lays it out.  At
 * most two host pieces: @dst[k], @dlen[k]; < 0 if it needs more.
 */
int vcd_vcreq_digest_place(
	const struct vcd_chain *c, uint32_t len, uint8_t *dst[2], uint16_t dlen[2]);

/* Copy a digest out to the (at most two) guest pieces vcd_vcreq_digest_place() found. */
static inline void
vcd_vcreq_digest_out(const uint8_t *digest, uint8_t *const dst[2], const uint16_t len[2])
{
	memcpy(dst[0], digest, len[0]);
	if (len[1] != 0)
		memcpy(dst[1], digest + len[0], len[1]);
}

/* t0 of an answer that takes no latency sample (a request refused before it ran). */
#define VCD_UNTIMED 0

/*
 * The one way a request is answered, on every path: status byte (a chain
 * without one gets a bare used entry, counted as no_status), the VM's
 * status and byte counters (@bytes: the source bytes of a successful
 * request), the latency sample from @t0 (the TSC of the poll that took it)
 * to @now, and the used entry.  Making the entry visible and notifying the
 * guest is the publish stage's (vcd_vring_flush), once per ring per poll.
 */
static inline void
vcd_vcreq_answer(struct vcd_vm *vm, struct vcd_vring *vr, uint8_t *status, uint16_t head,
	uint32_t used_len, uint8_t st, uint32_t bytes, uint64_t t0, uint64_t now)
{
	if (likely(status != NULL)) {
		*status = st;
		vm->stats.status[st]++;
		if (st == VIRTIO_CRYPTO_OK)
			vm->stats.bytes += bytes;
	} else {
		vm->stats.no_status++;
		used_len = 0;
	}
	if (t0 != VCD_UNTIMED) {
		uint64_t d = now > t0 ? now - t0 : 1;
		unsigned int b = 63 - (unsigned int)__builtin_clzll(d);

		vm->stats.lat_hist[b < VCD_LAT_BUCKETS ? b : VCD_LAT_BUCKETS - 1]++;
	}
	vcd_vring_push(vr, head, used_len);
}

/* Answer chain @c, which never ran, with @st. */
static inline void
vcd_vcreq_refuse(struct vcd_vm *vm, const struct vcd_chain *c, uint8_t st)
{
	vcd_vcreq_answer(vm, c->vr, c->status, c->head, c->wr_len, st, 0, VCD_UNTIMED, 0);
}

#endif /* VCRYPTD_VCREQ_H */
