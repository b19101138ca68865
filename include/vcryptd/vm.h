/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * One guest (one vhost-user socket) as both the control thread and its worker
 * see it.
 *
 * Ownership: fields under "control" belong to the control threads (librte_vhost's
 * event thread and the main thread, serialised by ctl_lock).  Fields under
 * "worker" belong to the worker lcore the VM is assigned to while the VM's
 * ring runs (have == VCD_VM_RUNNING) or is draining.  The two meet only
 * through want/have: control stores want, the worker acts and stores have,
 * control waits for have == want.  While have == VCD_VM_STOPPED the worker
 * touches nothing of the VM except want, so control may rebuild the ring.
 */
#ifndef VCRYPTD_VM_H
#define VCRYPTD_VM_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "vcryptd/config.h"
#include "vcryptd/session.h"
#include "vcryptd/vring.h"

#define VCD_LAT_BUCKETS 48

enum vcd_vm_run {
	VCD_VM_STOPPED = 0,
	VCD_VM_RUNNING,
};

/* Written by the owning worker only; read by anyone (telemetry, logs). */
struct vcd_vm_stats {
	uint64_t requests;                      /* chains taken off the avail ring */
	uint64_t queue_requests[VCD_MAX_DATAQ]; /* ... by data queue */
	uint64_t status[8]; /* completions by virtio-crypto status (OK, ERR, BADMSG, ...) */
	uint64_t bytes;     /* source bytes of successful requests */
	uint64_t no_status; /* chains that could not carry a status: used len 0 */
	uint64_t chain_err[VCD_CHAIN_ERR_MAX];
	uint64_t notifications; /* call eventfd writes */
	uint64_t coalesced;     /* completions a notification carried beyond the first */
	uint64_t bursts;        /* polls that took at least one chain */
	/* Routing: requests sent to a backend of each role (route.h), with their bytes. */
	uint64_t routed_ops[2];
	uint64_t routed_bytes[2];
	uint64_t spills;    /* sent to the other role because the preferred one was full */
	uint64_t failovers; /* run again on another backend after a device error or stall */
	/* Sharing (share.h): the cost charged for its requests, polls it spent at its cap. */
	uint64_t cost;
	uint64_t capped_polls;
	uint64_t empty_polls;      /* polls that found its rings empty (running) */
	uint64_t throttled_polls;  /* polls it had requests waiting but no tokens */
	uint64_t throttled_cycles; /* time it spent so (TSC cycles) */
	/* Completed requests by latency (taken off the ring -> answered): bucket i counts
	 * latencies in [2^i, 2^(i+1)) TSC cycles. */
	uint64_t lat_hist[VCD_LAT_BUCKETS];
};

struct vcd_vm {
	/* Configuration (immutable while the VM exists). */
	char name[VCD_NAME_MAX];
	char socket[PATH_MAX];     /* the public socket QEMU connects to */
	char vhost_path[PATH_MAX]; /* where librte_vhost listens: socket, or the proxy's private one
				    */
	int layout;                /* enum vcd_sess_layout */
	uint32_t max_sessions;
	uint32_t max_dataqueues; /* control: from the next connection */
	unsigned int worker;
	/* Sharing (share.h): control stores them (reload), the worker reads them per poll. */
	uint32_t weight;
	uint32_t max_inflight;
	uint32_t rate_ops;
	uint32_t rate_bytes;
	uint32_t rate_burst_ms;

	/* Control. */
	pthread_mutex_t ctl_lock;
	int vid;
	bool connected;
	uint32_t ring_disabled; /* SET_VRING_ENABLE 0 seen, a bit per queue */
	bool ring_refused;      /* the frontend's ring failed our checks (logged once) */
	bool stopping;          /* daemon shutting down: never restart the ring */
	uint64_t cost_seen;     /* main thread: stats.cost at the last sample */
	double cost_rate;       /* ... served cost per second, smoothed (placement) */
	uint64_t connections;
	uint64_t sessions_created;
	uint64_t sessions_refused;
	struct vcd_sess_table sessions;

	/* Handshake. */
	uint32_t want;
	uint32_t have;

	/*
	 * Worker: the data queues running, vq[0..nb_vq) (control sets them up
	 * while the VM is stopped), and where the next intake starts.
	 */
	struct vcd_vring vq[VCD_MAX_DATAQ] __rte_cache_aligned;
	uint16_t nb_vq;
	uint16_t vq_next;
	uint32_t inflight; /* popped and not yet completed, incl. staged and large */
	uint16_t nb_big;   /* of which large requests in the worker's table (sync.h) */
	bool backlogged;   /* requests waiting that it may take (this poll) */
	int64_t deficit;   /* DWRR (share.h) */
	/* Rate limits (share.h): token buckets, in requests and bytes; tb_on while limited. */
	bool tb_on;
	double tb_ops;
	double tb_bytes;
	uint64_t tb_last; /* TSC of the last refill */
	struct vcd_vm_stats stats;

	/* Table (vm.c); everything above is reset when a slot is reused. */
	bool in_use;
	bool reserved;
};

struct vcd_worker;

/* The VM table (src/vm.c).  Lookups may run on any thread. */
int vcd_vms_init(const struct vcd_config *cfg);
int vcd_vms_start(void);
/* Drain and remove every VM, then stop serving. */
void vcd_vms_stop(void);
int vcd_vm_add(const struct vcd_vm_conf *vc);
int vcd_vm_remove(const char *name);
/* Apply a validated reload: VMs added and removed, run-time knobs. */
int vcd_vms_apply(const struct vcd_config *cur, const struct vcd_config *next);
unsigned int vcd_vm_slots(void);
struct vcd_vm *vcd_vm_at(unsigned int idx); /* NULL for an unused slot */
unsigned int vcd_vm_slot(const struct vcd_vm *vm);
/* Main loop: drop the frontends whose guest memory raised SIGBUS (guard.h). */
void vcd_vms_reset_broken(void);
/*
 * Main loop, once per tick (@dt_s seconds): each VM's served cost per second,
 * smoothed (vcd_vm.cost_rate), for placement.
 */
void vcd_vms_sample(double dt_s);
/* The sessions @cfg's VMs may hold together (their quotas). */
uint32_t vcd_vm_quotas(const struct vcd_config *cfg);
/* Main, at start: the session pool every VM's quota must fit in ([daemon] session_pool). */
void vcd_vms_set_pool(uint32_t sessions);
/* Move VM @name to worker @worker (vcryptctl move): 0, -ENOENT, -EINVAL, -ETIMEDOUT. */
int vcd_vm_move(const char *name, unsigned int worker);
unsigned int vcd_vm_count(void);
struct vcd_vm *vcd_vm_find(const char *name);
struct vcd_vm *vcd_vm_find_path(const char *vhost_path);

#endif /* VCRYPTD_VM_H */
