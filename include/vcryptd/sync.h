/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The synchronous path (rte_cryptodev_sym_cpu_crypto_process): requests too
 * large for mbufs, and chains the backend runs only as two sessions.  The
 * work is done in place in one linear buffer: the guest's destination when it
 * is one host-contiguous piece (the source is copied there first unless it
 * already is the same memory), else the worker's bounce buffer, scattered to
 * the destination afterwards.
 *
 * One primitive runs everything here, vcd_sync_batch(): the worker's batches,
 * its single requests, built ops run again after a fail-over, and the
 * calibration's measurement of this path (calibrate.c), so what is measured
 * is what runs.
 *
 * Thread: the owning worker (the calibration: a control thread, on its own
 * buffers and sessions).
 */
#ifndef VCRYPTD_SYNC_H
#define VCRYPTD_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_crypto.h>

#include "vcryptd/mac.h"
#include "vcryptd/session.h"
#include "vcryptd/vcreq.h"

/* Piece of a synchronous request: a multiple of every block size, under 64 KiB. */
#define VCD_SYNC_CHUNK 65520
/* Requests in one synchronous batch: the multi-buffer library's lanes. */
#define VCD_BIG_BATCH 16
/* Large requests a worker works on at once (sliced), and how many of them one VM may hold. */
#define VCD_BIG_SLOTS  64
#define VCD_BIG_PER_VM VCD_BIG_BATCH
/* Smallest cipher piece of a slice: a multiple of every block size. */
#define VCD_SYNC_MIN_PIECE 256

/* What a synchronous job runs: sessions and how the cipher is cut into pieces. */
struct vcd_sync_alg {
	uint8_t dev_id;
	uint8_t mode; /* enum vcd_cipher_mode */
	bool encrypt;
	bool hash_first; /* chains: the hash half runs before the cipher half */
	uint8_t block;
	uint16_t iv_len;
	void *cipher; /* cipher session (the whole session for cipher-only requests) */
	void *auth;   /* hash half of a chain, or NULL */
};

/* One request's work: in place in @buf. */
struct vcd_sync_job {
	uint8_t *buf;
	uint32_t c_off, c_len; /* cipher region in buf */
	uint32_t c_done;       /* how much of it has been ciphered */
	uint32_t h_off, h_len; /* hash region (chains) */
	uint8_t iv[16];        /* the IV the request has reached */
	uint8_t digest[64];
	bool failed;
};

/* The synchronous view of session @s on backend @be (device @dev_id). */
static inline void
vcd_sync_alg_of(
	struct vcd_sync_alg *a, const struct vcd_session *s, unsigned int be, uint8_t dev_id)
{
	bool cipher_only = s->op_type == VIRTIO_CRYPTO_SYM_OP_CIPHER;

	a->dev_id = dev_id;
	a->mode = s->mode;
	a->encrypt = s->encrypt;
	a->hash_first = s->chain_order == VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER;
	a->block = s->block;
	a->iv_len = s->iv_len;
	a->cipher = cipher_only ? s->cs[be] : s->cs_cipher[be];
	a->auth = cipher_only ? NULL : s->cs_auth[be];
}

/*
 * Run @n (<= VCD_BIG_BATCH) jobs of algorithm @a.  The multi-buffer library
 * runs one request at a time in its lanes unless several are submitted
 * together, and CBC encryption of one request cannot be split across lanes.
 * So piece k (VCD_SYNC_CHUNK bytes: the library keeps lane lengths in 16
 * bits) of the cipher region of every job goes in one call, each piece with
 * the IV its job has reached, and the hash regions of all of them in one call
 * (before or after, in the chain's order).  A cipher that cannot be cut
 * (VCD_MODE_WHOLE: XTS) runs whole.  A job that fails has ->failed set.
 */
void vcd_sync_batch(const struct vcd_sync_alg *a, struct vcd_sync_job *const *jobs, uint16_t n);

/* A large request the worker works off in slices (vcd_sync_work()). */
struct vcd_big {
	struct vcd_sync_job job;
	struct vcd_vm *vm;
	struct vcd_vring *vr; /* its queue */
	struct vcd_session *sess;
	uint8_t be;
	bool bounce; /* run in the worker's bounce buffer, scattered to w->bounce_chain */
	bool hashed; /* its hash half has run: job.digest holds it (chains) */
	bool hash_first;
	uint32_t h_done;        /* bytes of job's hash region fed to md */
	struct vcd_md_state md; /* the hash half's running state (mac.h) */
	uint16_t head;
	uint8_t *status;
	uint32_t len;
	uint32_t used_len;
	uint8_t *dig_dst[2]; /* where the digest goes in the guest (chains) */
	uint16_t dig_len[2];
	uint64_t t0;
};

struct vcd_worker;
struct rte_crypto_op;

/*
 * Take request @c/@l of session @s on backend @be: a cuttable one joins the
 * worker's table of large requests, worked off in slices by vcd_sync_work()
 * (its output buffer is the guest's destination when that is one host
 * piece, else the worker's one bounce buffer); an uncuttable one (XTS) runs
 * now, whole.  Returns false, having done nothing, when the table, the VM's
 * share of it or the bounce buffer is taken: the chain waits on its ring.
 */
bool vcd_sync_request(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct vcd_req_layout *l, struct vcd_session *s, unsigned int be, bool batch);

/*
 * Once per poll: work on the large requests for at most the worker's slice
 * (w->slice_cycles) and answer those finished.  Preemption: the cipher runs
 * in pieces sized from the cycles per byte measured for the session on this
 * path (vcd_session.sync_cpb16), so one slice holds the worker for about
 * slice_cycles whatever the request's size or algorithm, and the other VMs'
 * intake and completions run between slices.  A chain's hash half runs in
 * pieces too, sized the same way from its own measured cost
 * (vcd_session.sync_hash_cpb16), on the session's incremental MAC (mac.h):
 * the CPU-crypto API hashes a buffer in one call only.  Limits: an
 * uncuttable cipher (XTS) runs whole, and a piece is at least
 * VCD_SYNC_MIN_PIECE per lane.
 */
void vcd_sync_work(struct vcd_worker *w);

/*
 * Run a built op (one segment each way, at most 64 KiB) through backend @be's
 * synchronous path, in place in its destination, and set its status.
 */
void vcd_sync_op(struct vcd_worker *w, struct rte_crypto_op *op, unsigned int be);

#endif /* VCRYPTD_SYNC_H */
