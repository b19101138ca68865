/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Worker lcores: each polls the rings of the VMs assigned to it, turns
 * requests into cryptodev ops on its own queue pair of every backend, and
 * posts completions.  No locks, syscalls (except one eventfd write per ring
 * per burst), allocations or logs per request.
 *
 * A request's way through one poll (worker.c poll_once()), stage by stage:
 *   intake   avail ring -> vcreq decode -> plan + route (dispatch.h) ->
 *            staged op (opbuild.h, qp.h), or run now (sync.h), or answered
 *   submit   staged ops to the queue pairs (qp.h); refused ones spill
 *   reap     completed ops -> results copied out -> answered (vcreq.h)
 *   health   stalls and probes (health.h)
 *   publish  used entries made visible, one notification per ring
 *
 * The worker array is worker.c's: other modules reach a worker through
 * vcd_worker_get().
 */
#ifndef VCRYPTD_WORKER_H
#define VCRYPTD_WORKER_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include <rte_crypto.h>
#include <rte_mbuf.h>

#include "vcryptd/config.h"
#include "vcryptd/opbuild.h"
#include "vcryptd/qp.h"
#include "vcryptd/sync.h"
#include "vcryptd/vm.h"

#define VCD_MAX_WORKERS 16

struct vcd_worker_stats {
	uint64_t polls;
	uint64_t busy_polls;
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint64_t sync_batches; /* steps of the synchronous path (sync.c big_step()) */
	uint64_t sync_batched; /* requests (lanes) in them */
	uint64_t sync_slices;  /* polls that worked on large requests (vcd_sync_work()) */
	uint64_t slices_long;  /* ... for more than twice the slice */
	uint64_t slice_max_cycles;
	uint64_t sleeps;       /* idle back-off: sleeps taken (share.h, "Idle") */
	uint64_t sleep_cycles; /* ... and the time they took (part of idle_cycles) */
	uint64_t rounds;       /* DWRR rounds (share.h) */
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
	pthread_t thread;
	/* The watched notification (worker.c, notify(); guard.h). */
	uint64_t notify_seq;  /* odd while a call-fd write runs */
	uint64_t notify_cut;  /* the write the watchdog interrupted */
	uint64_t notify_seen; /* main thread: notify_seq at its last tick */
	/* Main thread: busy share of the last ticks (placement), from these samples. */
	uint64_t busy_seen, idle_seen;
	double load; /* 0..1, smoothed */

	struct vcd_opres res;
	uint32_t threshold[2];    /* vcd_route's, read once per poll */
	unsigned int nb_backends; /* copied from backend.c at init: no call per poll */
	struct vcd_worker_stats stats;
	struct vcd_stage stage[VCD_MAX_BACKENDS];
	struct vcd_chain chain[2]; /* the chain being handled and the next, popped ahead */
	/* Large requests in progress (sync.h), in order of service; slices resume at big_next. */
	struct vcd_big big[VCD_BIG_SLOTS];
	uint16_t nb_big;
	uint16_t big_next;
	bool bounce_busy;              /* res.bounce holds a large request's data */
	struct vcd_chain bounce_chain; /* ... and its destination */
	/* Sharing (share.h), read from vcd_share once per poll. */
	uint64_t slice_cycles;
	uint64_t idle_backoff;
	uint32_t idle_sleep_us;
	uint64_t notify_delay;
	uint32_t notify_batch;
	uint64_t hz; /* TSC */
	uint32_t quantum;
	uint32_t req_cost;
	bool measured_cost;
	bool alone;                       /* at most one VM had requests waiting in the last poll */
	struct rte_mempool *ak_pool;      /* RSA ops (akcipher.h); NULL without an RSA backend */
	struct rte_ring *ak_to, *ak_from; /* to the RSA lane and back (akcipher.h) */
	/* TSC cycles per 256 units of cost, to charge RSA ops (0: the unit was not measured). */
	uint64_t cycles_per_256_units;
	/*
	 * Ops run again synchronously by vcd_dispatch_again() from submit or
	 * health, waiting for the reap stage to complete them.
	 */
	uint32_t nb_redone;
	struct rte_crypto_op *redone[VCD_OPS_PER_WORKER];
} __rte_cache_aligned;

/* Single-writer counter that control threads read. */
static inline void
vcd_count_add(uint32_t *c, int32_t v)
{
	/* Release: the control thread frees a session once it reads 0 here. */
	__atomic_store_n(c, *c + v, __ATOMIC_RELEASE);
}

/*
 * Main lcore: one worker per EAL worker lcore, with [daemon] burst and an
 * equal share of mbuf_pool_size each; a precise error (and < 0) if the
 * configuration cannot give them what they need.
 */
int vcd_workers_init(const struct vcd_config *cfg);
void vcd_workers_launch(void);
/* Stop every worker (their VMs were drained first), wait for them, free them. */
void vcd_workers_fini(void);
unsigned int vcd_worker_count(void);
struct vcd_worker *vcd_worker_get(unsigned int id);

/* The signal that ends a blocked call-fd write (guard.h). */
#define VCD_SIG_NOTIFY_CUT (SIGRTMIN + 1)

/*
 * Main thread, once per main-loop tick: interrupt a worker's call-fd write
 * that was already running at the previous tick (guard.h).
 */
void vcd_workers_watch(void);

/* Main thread, once per tick: each worker's busy share, smoothed (vcd_worker.load). */
void vcd_workers_sample(void);

/* lcore entry point (rte_eal_remote_launch). */
int vcd_worker_main(void *arg);

/*
 * Control: give @w a VM to poll / take it away (its ring must be stopped;
 * returns 0 once the worker no longer looks at it, -ETIMEDOUT if it did not
 * confirm in time: the caller must then not free what the VM points to).
 */
int vcd_worker_attach(struct vcd_worker *w, struct vcd_vm *vm);
int vcd_worker_detach(struct vcd_worker *w, struct vcd_vm *vm);
unsigned int vcd_worker_vm_count(const struct vcd_worker *w);

/*
 * Control: return 0 once @w has finished a poll that started after this call,
 * -ETIMEDOUT after VCD_QUIESCE_TIMEOUT_MS without one (a worker that does not
 * advance is stuck in a PMD call: nothing it may touch can be freed).
 */
#define VCD_QUIESCE_TIMEOUT_MS 5000
int vcd_worker_quiesce(struct vcd_worker *w);

#endif /* VCRYPTD_WORKER_H */
