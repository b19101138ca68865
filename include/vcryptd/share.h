/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Sharing a worker between its VMs: deficit weighted round robin on what
 * requests cost, per-VM in-flight caps, and slices of the synchronous path.
 *
 * Cost.  A request costs its bytes plus a fixed per-request cost
 * ([daemon] request_cost, in bytes: what the per-request work of a 64 B
 * request is worth in bytes of AES-CBC; docs/PERFORMANCE.md measures it), so
 * that a VM of 64 B requests and a VM of 64 KiB requests share the worker's
 * time, not its request count.  With [daemon] measured_cost (the default)
 * a byte is weighted by what its algorithm costs on the backend that runs
 * it, measured at start, and an algorithm's extra fixed cost is added
 * (calibrate.h, "What a request costs"): a 3DES VM and an AES VM share time,
 * not bytes.  It is charged when the request is taken off the ring, once it
 * is routed; a refused request costs the fixed part only.
 *
 * A VM alone.  When at most one VM had requests waiting in the last poll,
 * the one there is takes what the worker's resources allow (worker.c,
 * intake_alone()): its cost is counted, its deficit left as it was less any
 * debt.  Without this a request costing more than a round (64 KiB of 3DES
 * on a slow backend costs millions) would make every burst one request long.
 *
 * DWRR (worker.c, serve_vms()).  Each VM has a deficit (vcd_vm.deficit, the
 * worker's own).  A poll visits the worker's VMs in order; a VM whose ring
 * holds requests and whose deficit is positive takes requests (up to the
 * burst, its cap and the worker's free resources), each lowering its
 * deficit by its cost, and stops once the deficit is spent: the last
 * request may overdraw it, and the debt is carried into the next round.
 * A VM whose ring is empty has no claim: a positive deficit is dropped
 * (idle VMs accumulate no credit), a debt is kept.  When no VM that has
 * requests waiting still has credit, a round begins: each such VM gets
 * weight x [daemon] quantum (as many rounds at once as it takes for one of
 * them to be in credit again, so a large request's debt costs no empty
 * polls), its credit never more than one round's worth (a VM its cap kept
 * from spending saves none up).  A VM held back by its in-flight cap, or whose request
 * waits for a resource, takes no part in the round test: it waits on its own ring while
 * the others go on.  Bound: over any interval in which VMs i and j both have
 * requests waiting, their served costs divided by their weights differ by
 * at most quantum + the largest request cost (the classic DRR bound, with
 * the overdraw variant's extra request).
 *
 * Rate limits.  A VM may be limited in requests and data bytes per second
 * ([vm] rate_ops, rate_bytes; vcryptctl limit), as QEMU's in-process
 * cryptodev backends are by throttle-ops and throttle-bps: two token
 * buckets, refilled at their rate and holding rate_burst_ms of it.  A VM
 * takes requests while both hold tokens (the last may overdraw them, as the
 * deficit); an empty bucket keeps its requests on its ring, with no part in
 * the round test, and counts the time (throttled_cycles).
 *
 * Slices.  Requests too large for a queue pair run on the synchronous path,
 * which now works them off a slice at a time (sync.h, vcd_sync_work()): at
 * most [daemon] slice_us of work per poll, the rest of the poll serving the
 * other VMs.
 *
 * Idle.  A worker with nothing to do polls on (the default), or, with
 * [daemon] idle_backoff_us, backs off once it has found no work for that
 * long and holds no request: rte_pause() between polls for the second half
 * of that time, then a sleep of idle_sleep_us per empty poll (worker.c,
 * idle()).  A request that arrives meanwhile waits for the sleep to end.
 *
 * Notification coalescing.  By default a ring whose guest wants
 * notifications gets one per poll that answered something.  With
 * [daemon] notify_delay_us, the used index is still published every poll,
 * but the eventfd write waits until the VM's completions since the last one
 * reach its batch target, or the oldest of them is notify_delay_us old
 * (worker.c, publish()).  The target adapts as a NIC's interrupt
 * moderation does: a notification that found the target reached within the
 * delay doubles it (up to notify_batch); one sent because the delay ran out
 * sets it to the completions it carried; a quiet VM (more than twice the
 * delay since the last) goes back to 1, which notifies at once: a lightly
 * loaded guest sees no added latency.
 *
 * Threads: vcd_share_apply() on the main thread (start, reload); workers
 * read vcd_share once per poll.
 */
#ifndef VCRYPTD_SHARE_H
#define VCRYPTD_SHARE_H

#include <stdbool.h>
#include <stdint.h>

#include "vcryptd/config.h"

struct vcd_share {
	uint32_t quantum;      /* bytes of cost per round, times the VM's weight */
	uint32_t request_cost; /* bytes: a request's fixed cost */
	bool measured_cost;    /* charge by algorithm and backend (calibrate.h) */
	uint64_t slice_cycles; /* TSC cycles of synchronous work per poll */
	uint64_t idle_backoff; /* TSC cycles without work before a worker backs off; 0: never */
	uint32_t idle_sleep_us;
	uint64_t notify_delay; /* TSC cycles a coalesced notification may wait; 0: off */
	uint32_t notify_batch;
};

extern struct vcd_share vcd_share;

/* Main thread: the [daemon] sharing settings of @cfg, for the workers' next poll. */
void vcd_share_apply(const struct vcd_config *cfg);

struct vcd_vm;

/*
 * Control: @vc's weight, in-flight cap (max_inflight, or by default a quarter
 * of a worker's ops) and rate limits for @vm, from its worker's next poll.
 */
void vcd_share_vm_apply(struct vcd_vm *vm, const struct vcd_vm_conf *vc);

/* Control: @vm's rate limits only (vcryptctl limit), until the next reload. */
void vcd_share_vm_limit(struct vcd_vm *vm, uint32_t rate_ops, uint32_t rate_bytes);

#endif /* VCRYPTD_SHARE_H */
