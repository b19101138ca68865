/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Cryptodev ops over guest memory: each worker's free stacks of ops, mbufs
 * and bounce buffers, and the routines that fill an op for a request, clone
 * it, and give its resources back.
 *
 * Zero copy: guest buffers become the data of mbufs that the worker keeps on
 * its own free stack and never returns to the mempool while attached.  We set
 * buf_addr/data_len directly instead of rte_pktmbuf_attach_extbuf(): that API
 * exists to refcount shared buffers through rte_mbuf_ext_shared_info, which we
 * do not need because the mbufs never leave this worker and are never freed
 * while attached.  Ops come from the worker's own free stack too, so the hot
 * path makes no mempool call at all.
 *
 * Thread: a vcd_opres belongs to one worker lcore (init/fini on the main
 * lcore before it starts / after it stops).
 */
#ifndef VCRYPTD_OPBUILD_H
#define VCRYPTD_OPBUILD_H

#include <stdint.h>

#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_mbuf.h>

#include "vcryptd/vcreq.h"
#include "vcryptd/vm.h"

#define VCD_OPS_PER_WORKER 4096
#define VCD_MBUF_SEG_MAX   65520 /* bytes per mbuf segment (data_len is 16 bits) */
/* Bounce buffers per worker for scattered requests on the queue-pair path. */
#define VCD_BOUNCE_SLOTS 256
#define VCD_BOUNCE_SIZE  65536
/*
 * mbufs each worker needs at least.  A request needs one per segment of its
 * data; one that needs more than its worker has is refused (BADMSG), one that
 * needs more than are free right now waits on the ring.
 */
#define VCD_MIN_WORKER_MBUFS 1024
#define VCD_PROBE_LEN        64

/* Per-op private area, right after the symmetric op (IV first: VCD_BACKEND_IV_OFFSET). */
struct vcd_req {
	uint8_t iv[16];
	uint8_t digest[64];
	struct vcd_vm *vm;
	struct vcd_vring *vr; /* its queue */
	struct vcd_session *sess;
	uint8_t *status;
	uint8_t *dig_dst[2];
	uint16_t dig_len[2];
	struct rte_mbuf *scatter; /* bounced requests: the guest destination to copy out to */
	uint64_t t0;              /* TSC when the poll that took it began */
	int32_t bounce;           /* bounce slot, or -1 */
	uint32_t used_len;
	uint16_t head;
	uint8_t backend;
	uint8_t flags; /* VCD_REQ_* */
};

#define VCD_REQ_IN_DEVICE 1u /* enqueued, not yet dequeued */
#define VCD_REQ_ABANDONED 2u /* answered after its device stalled; recycled if it ever returns */
#define VCD_REQ_PROBE     4u /* a health probe (vm == NULL) */
#define VCD_REQ_REFUSED   8u /* the PMD would not take it: not a device error */

static inline struct vcd_req *
vcd_op_req(const struct rte_crypto_op *op)
{
	return (struct vcd_req *)(uintptr_t)(op->sym + 1);
}

/* A free stack of mbufs whose data is set per use (never returned to the pool while in use). */
struct vcd_mbufs {
	struct rte_mbuf **free;
	uint32_t n;    /* on the stack */
	uint32_t size; /* in all */
};

static inline void
vcd_mbuf_set(struct rte_mbuf *m, uint8_t *va, uint16_t len)
{
	m->buf_addr = va;
	m->buf_iova = (rte_iova_t)(uintptr_t)va;
	m->buf_len = len;
	m->data_off = 0;
	m->data_len = len;
	m->pkt_len = len;
	m->nb_segs = 1;
	m->next = NULL;
}

/* One mbuf over [va, va+len) (len < 64 KiB); the caller checked that one is free. */
static inline struct rte_mbuf *
vcd_mbuf_over(struct vcd_mbufs *mb, uint8_t *va, uint16_t len)
{
	struct rte_mbuf *m = mb->free[--mb->n];

	vcd_mbuf_set(m, va, len);
	return m;
}

/*
 * Chain mbufs over [off, off+len) of a segment list, in pieces of at most
 * VCD_MBUF_SEG_MAX.  -ENOSPC: the stack ran out (*head holds what was taken,
 * for the caller to recycle); -EINVAL: the segments are shorter than the range.
 */
int vcd_mbufs_build(struct vcd_mbufs *mb, const struct vcd_seg *s, uint16_t n, uint32_t off,
	uint32_t len, struct rte_mbuf **head);

static inline void
vcd_mbufs_recycle(struct vcd_mbufs *mb, struct rte_mbuf *m)
{
	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		mb->free[mb->n++] = m;
		m = next;
	}
}

/* How an op's data is laid out in mbufs (dispatch.c chooses, vcd_op_fill() builds). */
enum vcd_data_layout {
	VCD_DATA_DIRECT, /* mbufs over the guest's source and destination (in place if the same) */
	VCD_DATA_BOUNCE, /* gathered into a bounce buffer, run there, scattered back */
	VCD_DATA_IN_DST, /* copied into the guest's destination, run in place there: over 64 KiB
			  * on a PMD without out-of-place scatter-gather (crypto_openssl) */
};

/* One worker's ops, mbufs and bounce buffers. */
struct vcd_opres {
	struct rte_mempool *op_pool;
	struct rte_mempool *mbuf_pool;
	struct rte_crypto_op **op_free;
	uint32_t nb_op_free;
	struct rte_crypto_op *
		*op_all; /* every op of this worker: found again when a device stalls */
	uint32_t nb_ops;
	struct vcd_mbufs mb;
	uint8_t *probe_buf;   /* data of health probes */
	uint8_t *bounce;      /* linear buffer for synchronous requests with scattered output */
	uint8_t *bounce_pool; /* VCD_BOUNCE_SLOTS buffers for scattered queue-pair requests */
	rte_iova_t bounce_iova[VCD_BOUNCE_SLOTS];
	uint16_t bounce_free[VCD_BOUNCE_SLOTS];
	uint16_t nb_bounce_free;
};

/* Main lcore: pools and free stacks for worker @id (@nb_ops ops, @nb_mbufs mbufs). */
int vcd_opres_init(
	struct vcd_opres *o, unsigned int id, int socket, uint32_t nb_ops, uint32_t nb_mbufs);
void vcd_opres_fini(struct vcd_opres *o);

/* mbufs a request needs at most with this layout (@single: one segment each way). */
static inline uint32_t
vcd_op_mbufs_needed(const struct vcd_chain *c, const struct vcd_req_layout *l, bool single)
{
	/* A mbuf per segment of the data, plus one per 64 KiB piece, both directions. */
	return single ? 2u
		      : vcd_seg_span(c->rd, c->nb_rd, vcd_vcreq_src_off(l), l->src_len) +
			vcd_seg_span(c->wr, c->nb_wr, 0, l->src_len) + 2u +
			2u * (l->src_len / VCD_MBUF_SEG_MAX);
}

/* A free op, set up as not processed; the caller checked that one is free. */
static inline struct rte_crypto_op *
vcd_op_take(struct vcd_opres *o)
{
	struct rte_crypto_op *op = o->op_free[--o->nb_op_free];

	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	return op;
}

/*
 * Fill @op's data and lengths for request @c/@l with @layout (the caller
 * checked the mbufs and, for VCD_DATA_BOUNCE, a free slot).  @src, @dst: for
 * VCD_DATA_DIRECT, the data when one segment each holds it (then one mbuf
 * each way, or one in all in place), else NULL.  Returns the status to answer
 * with if the request cannot be laid out.
 */
uint8_t vcd_op_fill(struct vcd_opres *o, const struct vcd_chain *c, const struct vcd_req_layout *l,
	enum vcd_data_layout layout, uint8_t *src, uint8_t *dst, struct rte_crypto_op *op);

/* Give @op and everything it holds back to the free stacks. */
void vcd_op_release(struct vcd_opres *o, struct rte_crypto_op *op);

/* Copy a bounce buffer's result out to the guest's scattered destination. */
void vcd_op_scatter_out(const struct vcd_req *r, const uint8_t *buf);

/*
 * A copy of @op that owns its own op and mbufs, for running a request again
 * while the original stays with a device that may still hand it back; NULL
 * if the stacks are short or @op is bounced.
 */
struct rte_crypto_op *vcd_op_clone(struct vcd_opres *o, struct rte_crypto_op *op);

/* A health probe op for backend @be with session @sess on the worker's probe buffer, or NULL. */
struct rte_crypto_op *vcd_op_probe(struct vcd_opres *o, unsigned int be, void *sess);

#endif /* VCRYPTD_OPBUILD_H */
