/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Worker lcores: each polls the rings of the VMs assigned to it, turns
 * requests into cryptodev ops on its own queue pair of every backend, and
 * posts completions.  No locks, syscalls (except one eventfd write per ring
 * per burst), allocations or logs per request.
 */
#ifndef VCRYPTD_WORKER_H
#define VCRYPTD_WORKER_H

#include <stdint.h>

#include <rte_crypto.h>
#include <rte_mbuf.h>

#include "vcryptd/config.h"
#include "vcryptd/fault.h"
#include "vcryptd/vm.h"

#define VCD_MAX_WORKERS    16
#define VCD_OPS_PER_WORKER 4096
#define VCD_STAGE_MAX      VCD_OPS_PER_WORKER /* staged ops per backend: never overflows */
#define VCD_MAX_REQ_DATA   (4u << 20)         /* largest source or destination of one request */
#define VCD_MBUF_SEG_MAX   65520              /* bytes per mbuf segment (data_len is 16 bits) */
/*
 * Largest request sent to a cryptodev queue pair as mbufs.  Bigger ones run
 * through the synchronous CPU crypto API where the backend has it: an mbuf
 * segment holds at most 64 KiB, and crypto_aesni_mb 22.11 truncates the
 * length of a multi-segment result to 16 bits when it copies it back.
 */
#define VCD_ASYNC_MAX_DATA 65535
/* Bounce buffers per worker for scattered requests on the queue-pair path. */
#define VCD_BOUNCE_SLOTS 256
#define VCD_BOUNCE_SIZE  65536

/* Piece of a synchronous request: a multiple of every block size, under 64 KiB. */
#define VCD_SYNC_CHUNK 65520
/*
 * mbufs each worker needs at least.  A request needs one per segment of its
 * data; one that needs more than its worker has is refused (BADMSG), one that
 * needs more than are free right now waits on the ring.
 */
#define VCD_MIN_WORKER_MBUFS 1024

/* Per-op private area, right after the symmetric op (IV first: VCD_IV_OFFSET). */
struct vcd_req {
	uint8_t iv[16];
	uint8_t digest[64];
	struct vcd_vm *vm;
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

/*
 * One worker's queue pair on one backend: ops staged for it, and its health.
 * Health is per queue pair: each worker takes its own queue pair down and
 * probes it back up, without sharing state with other workers.
 */
struct vcd_stage {
	uint8_t dev_id;
	uint8_t role; /* enum vcd_backend_role */
	bool up;
	bool probing;      /* a probe op is in the device */
	bool cpu_crypto;   /* copied from the backend (backend.h) */
	bool sgl;          /* multi-segment mbufs in place */
	bool sgl_oop;      /* ... and out of place */
	bool bounce_only;  /* guest memory has no IOVA for it: bounce everything (dma.h) */
	uint32_t max_data; /* largest request it takes as mbufs (backend.h) */
	uint16_t n;        /* staged */
	uint32_t inflight; /* enqueued to the device, not yet dequeued */
	uint32_t budget;   /* in-flight ops routing may give it (route.h) */
	uint32_t qp_depth;
	uint32_t held; /* abandoned ops the device has not handed back */
	uint32_t consec_err;
	uint64_t last_progress; /* TSC of the last completion, or of the enqueue that began a run */
	uint64_t refused_since; /* TSC of the first enqueue an idle queue pair refused; 0: none */
	uint64_t next_probe;

	/* Counters (read by telemetry). */
	uint64_t enq_full; /* enqueue calls that took less than offered */
	uint64_t done_ops; /* completed on this backend, by this worker (sync path too) */
	uint64_t done_bytes;
	uint64_t spill_in;   /* requests routed here because their preferred backends were full */
	uint64_t moved_out;  /* staged ops it refused that went to another backend */
	uint64_t dev_errors; /* ops that came back with a device error */
	uint64_t failover;   /* of those, run again on another backend */
	uint64_t downs, ups;
	uint64_t abandoned; /* ops answered without it after it stalled */
	uint64_t late;      /* abandoned ops it returned afterwards */
	uint64_t spurious;  /* ops it handed back that it did not hold */
#ifdef VCD_FAULT_INJECT
	struct vcd_fault_qp *fault;
#endif
	struct rte_crypto_op *ops[VCD_STAGE_MAX];
};

/* A large request waiting in the worker's synchronous batch (worker.c big_run()). */
#define VCD_BIG_BATCH 16
struct vcd_big {
	struct vcd_vm *vm;
	const struct vcd_session *sess;
	uint8_t be;
	bool failed;
	uint16_t head;
	uint8_t *status;
	uint8_t *buf; /* the guest's destination, holding the source: run in place */
	uint32_t len;
	uint32_t c_off, c_len; /* cipher region in buf */
	uint32_t h_off, h_len; /* hash region (chains) */
	uint32_t used_len;
	uint8_t *dig_dst[2]; /* where the digest goes in the guest (chains) */
	uint16_t dig_len[2];
	uint8_t iv[16]; /* the IV the request has reached */
	uint8_t digest[64];
};

struct vcd_worker_stats {
	uint64_t polls;
	uint64_t busy_polls;
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint64_t sync_batches; /* big_run() calls */
	uint64_t sync_batched; /* requests they ran */
};

struct vcd_worker {
	unsigned int id;
	unsigned int lcore;
	uint16_t burst;
	struct vcd_vm *vms[VCD_MAX_VMS];
	unsigned int nb_vms;
	uint64_t epoch; /* advanced once per poll: control waits on it for quiescence */
	uint64_t now;   /* TSC at the start of the current poll: one read per poll */
	bool running;
	bool stop;

	struct rte_mempool *op_pool;
	struct rte_mempool *mbuf_pool;
	struct rte_crypto_op **op_free;
	uint32_t nb_op_free;
	struct rte_crypto_op *
		*op_all;    /* every op of this worker: found again when a device stalls */
	uint8_t *probe_buf; /* data of health probes */
	rte_iova_t bounce_iova[VCD_BOUNCE_SLOTS];
	uint32_t threshold[2]; /* vcd_route's, read once per poll */
	struct rte_mbuf **mb_free;
	uint32_t nb_mb_free;
	uint32_t nb_ops;
	uint32_t nb_mbufs;

	uint8_t *bounce;      /* linear buffer for synchronous requests with scattered output */
	uint8_t *bounce_pool; /* VCD_BOUNCE_SLOTS buffers for scattered queue-pair requests */
	uint16_t bounce_free[VCD_BOUNCE_SLOTS];
	uint16_t nb_bounce_free;

	unsigned int nb_backends; /* copied from backend.c at init: no call per poll */
	struct vcd_worker_stats stats;
	struct vcd_stage stage[VCD_MAX_BACKENDS];
	struct vcd_chain chain[2]; /* the chain being handled and the next, popped ahead */
	struct vcd_big big[VCD_BIG_BATCH];
	uint16_t nb_big;
} __rte_cache_aligned;

/* Main lcore: create worker @id's pools (@nb_ops ops, @nb_mbufs mbufs). */
int vcd_worker_init(struct vcd_worker *w, unsigned int id, unsigned int lcore, uint16_t burst,
	uint32_t nb_ops, uint32_t nb_mbufs);
void vcd_worker_fini(struct vcd_worker *w);

/* lcore entry point (rte_eal_remote_launch). */
int vcd_worker_main(void *arg);

/*
 * Control: give @w a VM to poll / take it away (its ring must be stopped;
 * returns once the worker no longer looks at it).
 */
int vcd_worker_attach(struct vcd_worker *w, struct vcd_vm *vm);
void vcd_worker_detach(struct vcd_worker *w, struct vcd_vm *vm);
unsigned int vcd_worker_vm_count(const struct vcd_worker *w);

/* Control: return once @w has finished a poll that started after this call. */
int vcd_worker_quiesce(struct vcd_worker *w);

#endif /* VCRYPTD_WORKER_H */
