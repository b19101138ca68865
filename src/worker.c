/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The worker poll loop, as stages (worker.h): intake, submit, reap, health,
 * publish; the control handshake; the worker array.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "vcryptd/akcipher.h"
#include "vcryptd/calibrate.h"
#include "vcryptd/backend.h"
#include "vcryptd/dispatch.h"
#include "vcryptd/dma.h"
#include "vcryptd/guard.h"
#include "vcryptd/health.h"
#include "vcryptd/share.h"
#include "vcryptd/log.h"
#include "vcryptd/worker.h"

static struct vcd_worker workers[VCD_MAX_WORKERS];
static unsigned int nb_workers;

/* ------------------------------------------------------------------ intake */

/* What the intake of one chain came to. */
enum intake {
	INTAKE_STAGED,   /* an op staged for a queue pair */
	INTAKE_ANSWERED, /* answered (refused, or run on the synchronous path), or in the batch */
	INTAKE_LATER,    /* nothing done: no resources right now, the chain goes back on the ring */
};

/* Stage an op for a request that backend @be runs on its queue pair. */
static enum intake
intake_qp(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	const struct vcd_req_layout *l, struct vcd_session *s, unsigned int be)
{
	struct vcd_stage *bst = &w->stage[be];
	struct rte_crypto_op *op;
	enum vcd_data_layout layout;
	struct vcd_req *r;
	uint8_t *src, *dst;
	uint32_t need;
	uint8_t st;

	layout = vcd_dispatch_layout(bst, c, l, &src, &dst);
	if (unlikely(layout == VCD_DATA_BOUNCE && w->res.nb_bounce_free == 0))
		return INTAKE_LATER;
	need = vcd_op_mbufs_needed(c, l, src != NULL);
	if (unlikely(need > w->res.mb.size)) {
		vcd_vcreq_refuse(vm, c, VIRTIO_CRYPTO_BADMSG); /* too fragmented ever to fit */
		return INTAKE_ANSWERED;
	}
	if (unlikely(w->res.mb.n < need))
		return INTAKE_LATER;
	op = vcd_op_take(&w->res);
	st = vcd_op_fill(&w->res, c, l, layout, src, dst, op);
	if (unlikely(st != VIRTIO_CRYPTO_OK)) {
		vcd_op_release(&w->res, op);
		vcd_vcreq_refuse(vm, c, st);
		return INTAKE_ANSWERED;
	}
	rte_crypto_op_attach_sym_session(op, s->cs[be]);
	r = vcd_op_req(op);
	r->vm = vm;
	r->vr = c->vr;
	r->sess = s;
	r->status = c->status;
	r->used_len = c->wr_len;
	r->head = c->head;
	r->backend = (uint8_t)be;
	r->t0 = w->now;
	vcd_count_add(&s->inflight, 1);
	vm->inflight++;
	vcd_count_routed(w, vm, be, l->src_len);
	vcd_stage_push(bst, op);
	return INTAKE_STAGED;
}

/*
 * A request taken: its cost against the VM's deficit (share.h): on backend
 * @be as measured for @s's algorithms (calibrate.h), or its bytes with
 * measured_cost off; NULL @s (refused): request_cost alone.
 */
static inline void
debit(struct vcd_vm *vm, uint64_t cost, uint32_t bytes)
{
	vm->deficit -= (int64_t)cost;
	vm->stats.cost += cost;
	if (unlikely(vm->tb_on)) {
		vm->tb_ops -= 1;
		vm->tb_bytes -= bytes; /* bytes/s limits count bytes, whatever the cost */
	}
}

static inline void
charge(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_session *s, unsigned int be,
	uint32_t bytes)
{
	uint64_t cost = (uint64_t)w->req_cost + bytes;

	if (s != NULL && w->measured_cost)
		cost = (uint64_t)w->req_cost + s->cost[be].extra +
			(((uint64_t)bytes * s->cost[be].pb16) >> 4);
	debit(vm, cost, bytes);
}

/*
 * An RSA request taken: the cycles it costs (vcd_ak_intake(): its enqueue on
 * an accelerator, what its kind takes in the RSA lane), in units of cost,
 * with measured_cost on and the unit measured; else its bytes, as any
 * request.
 */
static inline void
charge_ak(struct vcd_worker *w, struct vcd_vm *vm, uint32_t bytes, uint64_t cycles)
{
	uint64_t units = bytes;

	if (w->measured_cost && w->cycles_per_256_units != 0 && cycles != 0)
		units = cycles * 256 / w->cycles_per_256_units;
	debit(vm, (uint64_t)w->req_cost + units, bytes);
}

/* Whether @vm has spent what it may take this poll: its share of the round, or its tokens. */
static inline bool
spent(const struct vcd_vm *vm)
{
	return vm->deficit <= 0 || (unlikely(vm->tb_on) && (vm->tb_ops <= 0 || vm->tb_bytes <= 0));
}

/*
 * Refill @vm's token buckets (share.h, "Rate limits") for the time since the
 * last refill; false if it may take nothing now (throttled, time counted).
 */
static bool
admit(const struct vcd_worker *w, struct vcd_vm *vm)
{
	uint32_t ro = __atomic_load_n(&vm->rate_ops, __ATOMIC_RELAXED);
	uint32_t rb = __atomic_load_n(&vm->rate_bytes, __ATOMIC_RELAXED);
	double dt, burst;

	if (likely((ro | rb) == 0)) {
		vm->tb_on = false;
		return true;
	}
	burst = RTE_MAX(__atomic_load_n(&vm->rate_burst_ms, __ATOMIC_RELAXED), 1u) / 1000.0;
	if (!vm->tb_on) {
		/* Limited from now on: full buckets. */
		vm->tb_on = true;
		vm->tb_ops = ro * burst;
		vm->tb_bytes = rb * burst;
		vm->tb_last = w->now;
	}
	dt = (double)(w->now - vm->tb_last) / (double)w->hz;
	vm->tb_ops = ro == 0 ? 1 : RTE_MIN(vm->tb_ops + dt * ro, ro * burst);
	vm->tb_bytes = rb == 0 ? 1 : RTE_MIN(vm->tb_bytes + dt * rb, rb * burst);
	if (vm->tb_ops > 0 && vm->tb_bytes > 0) {
		vm->tb_last = w->now;
		return true;
	}
	vm->stats.throttled_polls++;
	vm->stats.throttled_cycles += w->now - vm->tb_last;
	vm->tb_last = w->now;
	return false;
}

/* One chain off the ring: decode, plan and route, then stage, run or answer it. */
static enum intake
intake_one(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c)
{
	struct vcd_req_layout l;
	struct vcd_session *s;
	enum intake taken;
	uint8_t st, exec;
	int be;

	st = vcd_vcreq_decode(c, &vm->sessions, &s, &l);
	if (unlikely(st != VIRTIO_CRYPTO_OK)) {
		if (c->err != VCD_CHAIN_OK)
			vm->stats.chain_err[c->err]++; /* counted, never logged */
		vcd_vcreq_refuse(vm, c, st);
		charge(w, vm, NULL, 0, 0);
		return INTAKE_ANSWERED;
	}
	if (unlikely(l.ak_opcode != 0)) {
		uint64_t cycles = 0;

		/* RSA: its own queue pairs and completions (akcipher.h). */
		if (!vcd_ak_intake(w, vm, c, s, &l, &cycles))
			return INTAKE_LATER;
		charge_ak(w, vm, l.src_len, cycles);
		return INTAKE_ANSWERED;
	}
	be = vcd_dispatch_route(w, vm, s, l.src_len);
	if (unlikely(be < 0)) {
		if (be == VCD_ROUTE_WAIT)
			return INTAKE_LATER;
		/* Every backend that can run it is down. */
		vcd_vcreq_refuse(vm, c, VIRTIO_CRYPTO_ERR);
		charge(w, vm, NULL, 0, 0);
		return INTAKE_ANSWERED;
	}
	exec = vcd_exec_of(s, (unsigned int)be, l.src_len);
	if (unlikely(vcd_exec_is_sync(exec))) {
		if (!vcd_sync_request(
			    w, vm, c, &l, s, (unsigned int)be, exec == VCD_EXEC_SYNC_BATCH))
			return INTAKE_LATER;
		charge(w, vm, s, (unsigned int)be, l.src_len);
		return INTAKE_ANSWERED;
	}
	taken = intake_qp(w, vm, c, &l, s, (unsigned int)be);
	if (likely(taken != INTAKE_LATER))
		charge(w, vm, s, (unsigned int)be, l.src_len);
	return taken;
}

/*
 * How many chains @vm may take this poll without running out of ops or
 * staging room, or going over its in-flight cap.
 */
static uint16_t
pop_budget(const struct vcd_worker *w, const struct vcd_vm *vm, uint32_t cap)
{
	uint32_t room = VCD_STAGE_MAX, b;

	for (b = 0; b < w->nb_backends; b++)
		room = RTE_MIN(room, (uint32_t)(VCD_STAGE_MAX - w->stage[b].n));
	room = RTE_MIN(room, w->res.nb_op_free);
	room = RTE_MIN(room, cap - vm->inflight);
	return (uint16_t)RTE_MIN(room, (uint32_t)w->burst);
}

/*
 * Warm the lines of a popped chain that intake reads, and for writing those
 * the device and the completion write: the destination's first line and the
 * status byte (the frontend's CPU holds them; a read prefetch would cost a
 * second transfer to take ownership).
 */
static inline void
prefetch_chain(const struct vcd_chain *c)
{
	uint16_t i;

	for (i = 0; i < c->nb_rd && i < 3; i++) /* header (72 B: 2 lines), IV, data */
		rte_prefetch0(c->rd[i].va);
	if (c->nb_rd > 0 && c->rd[0].len > RTE_CACHE_LINE_SIZE)
		rte_prefetch0(c->rd[0].va + RTE_CACHE_LINE_SIZE);
	if (c->nb_wr > 0)
		__builtin_prefetch(c->wr[0].va, 1);
	if (c->status != NULL)
		__builtin_prefetch(c->status, 1);
}

/*
 * Intake from one of @vm's queues: @n chains at most (the caller's burst,
 * cap and resource budget), fewer once its share or tokens are spent
 * (*@taken: how many), through a four-stage software pipeline: while chain i is handled, chain i+1
 * has been popped (descriptors walked, header, data and status prefetched), chain i+2's indirect
 * table and chain i+3's head descriptor are on their way.  Each stage's lines, written a moment ago
 * by the guest on another CPU, thus get one whole chain's work to arrive.  The heads are read off
 * the avail ring once, up front.
 */
static enum intake
intake(struct vcd_worker *w, struct vcd_vm *vm, struct vcd_vring *vr, uint16_t n, uint16_t *taken)
{
	struct vcd_chain *cur = &w->chain[0], *next = &w->chain[1], *t;
	uint16_t heads[VCD_BURST_MAX];
	enum intake res = INTAKE_ANSWERED;
	uint16_t i;

	vcd_vring_avail_heads(vr, heads, n);
	for (i = 0; i < n && i < 3; i++)
		vcd_vring_prefetch_desc(vr, heads[i]);
	vcd_vring_prefetch_used(vr);
	vcd_vring_prefetch_table(vr, heads[0]);
	if (n > 1)
		vcd_vring_prefetch_table(vr, heads[1]);
	vcd_vring_pop_head(vr, cur, heads[0]);
	prefetch_chain(cur);
	for (i = 0; i < n; i++) {
		if (i + 3 < n)
			vcd_vring_prefetch_desc(vr, heads[i + 3]);
		if (i + 2 < n)
			vcd_vring_prefetch_table(vr, heads[i + 2]);
		if (i + 1 < n) {
			vcd_vring_pop_head(vr, next, heads[i + 1]);
			prefetch_chain(next);
		}
		if (unlikely(intake_one(w, vm, cur) == INTAKE_LATER)) {
			/* Not taken after all (nor the one popped ahead): next poll. */
			vcd_vring_unpop(vr, i + 1 < n ? 2 : 1);
			res = INTAKE_LATER;
			break;
		}
		if (spent(vm)) {
			/* Its share of this round, or its tokens, spent: the one popped ahead
			 * waits. */
			if (i + 1 < n)
				vcd_vring_unpop(vr, 1);
			i++;
			break;
		}
		t = cur;
		cur = next;
		next = t;
	}
	vm->stats.requests += i;
	vm->stats.queue_requests[vr - vm->vq] += i;
	vm->stats.bursts++;
	*taken = i;
	return res;
}

/* -------------------------------------------------------------------- reap */

static uint8_t
op_status(const struct rte_crypto_op *op)
{
	switch (op->status) {
	case RTE_CRYPTO_OP_STATUS_SUCCESS:
		return VIRTIO_CRYPTO_OK;
	case RTE_CRYPTO_OP_STATUS_INVALID_SESSION:
		return VIRTIO_CRYPTO_INVSESS;
	case RTE_CRYPTO_OP_STATUS_INVALID_ARGS:
		return VIRTIO_CRYPTO_BADMSG;
	default:
		return VIRTIO_CRYPTO_ERR;
	}
}

/*
 * A failure of the device rather than a result: an authentication failure or
 * an argument the PMD refused is the request's answer; an error status, or an
 * op handed back unprocessed, is the device's fault.
 */
static inline bool
device_error(const struct rte_crypto_op *op)
{
	return op->status == RTE_CRYPTO_OP_STATUS_ERROR ||
		op->status == RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
}

/* A completed op: its result to the guest, or another run (fail-over). */
static void
complete(struct vcd_worker *w, struct rte_crypto_op *op)
{
	struct vcd_req *r = vcd_op_req(op);
	struct vcd_stage *st = &w->stage[r->backend];
	uint32_t len = op->sym->m_src->pkt_len;
	uint8_t res;

	if (unlikely(r->flags & (VCD_REQ_PROBE | VCD_REQ_ABANDONED))) {
		if (r->flags & VCD_REQ_PROBE && !(r->flags & VCD_REQ_ABANDONED)) {
			vcd_health_probe_done(w, op);
		} else {
			st->late++; /* answered already */
			st->held--;
			vcd_op_release(&w->res, op);
		}
		return;
	}
	if (unlikely(device_error(op))) {
		if (!(r->flags & VCD_REQ_REFUSED) && vcd_health_device_error(w, op))
			return;
	} else {
		vcd_health_ok(w, r->backend);
	}
	res = op_status(op);
	if (res == VIRTIO_CRYPTO_OK) {
		if (r->bounce >= 0)
			vcd_op_scatter_out(r, op->sym->m_src->buf_addr);
		if (r->sess->digest_len != 0)
			vcd_vcreq_digest_out(r->digest, r->dig_dst, r->dig_len);
	}
	st->done_ops++;
	st->done_bytes += len;
	vcd_dispatch_answer(w, op, res, len);
	vcd_op_release(&w->res, op);
}

/* Ops run again synchronously by submit or health: completed here, never there. */
static unsigned int
reap_redone(struct vcd_worker *w)
{
	unsigned int total = 0;

	/* Completing one may run another again: until none is left. */
	while (w->nb_redone != 0) {
		struct rte_crypto_op *op = w->redone[--w->nb_redone];

		complete(w, op);
		total++;
	}
	return total;
}

static unsigned int
reap(struct vcd_worker *w)
{
	struct rte_crypto_op *ops[VCD_DEQ_BURST];
	unsigned int b, total = 0;
	uint16_t i, n;

	for (b = 0; b < w->nb_backends; b++) {
		n = vcd_qp_dequeue(w, b, ops);
		total += n;
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(vcd_op_req(ops[i + 1]));
			complete(w, ops[i]);
		}
	}
	if (unlikely(w->nb_redone != 0))
		total += reap_redone(w);
	return total;
}

/* ----------------------------------------------------------------- publish */

/*
 * The guest's notification: one eventfd write per virtqueue per burst, the
 * only syscall on the data path.  Watched (guard.h, "A call fd made to
 * block"): notify_seq is odd while the write runs, and a write the watchdog
 * found running at two ticks in a row ends with EINTR and notify_cut set to
 * its number.  That VM gets no notification any more and is disconnected;
 * an EINTR meant for an earlier write is retried.
 */
static void
notify(struct vcd_worker *w, struct vcd_vm *vm, struct vcd_vring *vr)
{
	static const uint64_t one = 1;
	uint64_t seq = w->notify_seq + 1;
	ssize_t rc;

	__atomic_store_n(&w->notify_seq, seq, __ATOMIC_RELEASE);
	while ((rc = write(vr->callfd, &one, sizeof(one))) < 0 && errno == EINTR) {
		if (__atomic_load_n(&w->notify_cut, __ATOMIC_ACQUIRE) == seq) {
			vr->callfd = -1;
			vcd_guard_mark(vcd_vm_slot(vm), VCD_GUARD_CALL_BLOCKED);
			break;
		}
	}
	__atomic_store_n(&w->notify_seq, seq + 1, __ATOMIC_RELEASE);
	vm->stats.notifications += rc > 0;
}

/* Act on a control request for @vm (see vm.h). */
static void
sync_state(struct vcd_worker *w, struct vcd_vm *vm)
{
	uint32_t want = __atomic_load_n(&vm->want, __ATOMIC_ACQUIRE);
	unsigned int q;

	if (want == VCD_VM_RUNNING) {
		for (q = 0; q < vm->nb_vq; q++)
			vcd_vring_suppress_kicks(&vm->vq[q]);
		__atomic_store_n(&vm->have, want, __ATOMIC_RELEASE);
	} else if (vm->inflight == 0) {
		/* Drained: every chain taken has its used entry; make them visible. */
		for (q = 0; q < vm->nb_vq; q++) {
			struct vcd_vring *vr = &vm->vq[q];

			if (vcd_vring_flush(vr) || vr->notify_owed)
				notify(w, vm, vr);
			vr->notify_owed = false;
			vr->owed = 0;
		}
		__atomic_store_n(&vm->have, want, __ATOMIC_RELEASE);
	}
}

/*
 * Coalescing (share.h): the notification @vm is owed goes out now if its
 * completions reached the target or the oldest has waited notify_delay; the
 * target adapts to what was found.
 */
static void
notify_coalesced(struct vcd_worker *w, struct vcd_vm *vm, struct vcd_vring *vr)
{
	bool full = vr->owed >= vr->notify_target;

	if (!full && w->now - vr->owed_since < w->notify_delay)
		return; /* a batch is building up */
	if (w->now - vr->last_notify > 2 * w->notify_delay)
		vr->notify_target = 1; /* quiet: at once from now on */
	else if (full)
		vr->notify_target = RTE_MIN(2 * RTE_MAX(vr->notify_target, 1u), w->notify_batch);
	else
		vr->notify_target = RTE_MAX(vr->owed, 1u);
	vm->stats.coalesced += vr->owed - 1;
	notify(w, vm, vr);
	vr->notify_owed = false;
	vr->owed = 0;
	vr->last_notify = w->now;
}

/* Make what a queue answered visible, and notify the guest (share.h, coalescing). */
static inline void
publish_vq(struct vcd_worker *w, struct vcd_vm *vm, struct vcd_vring *vr)
{
	uint32_t n = vr->pending_used;

	if (likely(w->notify_delay == 0)) {
		/* One per poll (and one still owed from coalescing turned off). */
		if ((n != 0 && vcd_vring_flush(vr)) || unlikely(vr->notify_owed)) {
			notify(w, vm, vr);
			vr->notify_owed = false;
		}
		return;
	}
	if (n != 0 && vcd_vring_flush(vr) && !vr->notify_owed) {
		vr->notify_owed = true;
		vr->owed_since = w->now;
		vr->owed = 0;
	}
	if (vr->notify_owed) {
		vr->owed += n;
		notify_coalesced(w, vm, vr);
	}
}

static void
publish(struct vcd_worker *w, unsigned int nb)
{
	unsigned int i;

	for (i = 0; i < nb; i++) {
		struct vcd_vm *vm = __atomic_load_n(&w->vms[i], __ATOMIC_ACQUIRE);
		unsigned int q;

		/* A stopped VM's rings belong to the control thread. */
		if (vm == NULL || vm->have != VCD_VM_RUNNING)
			continue;
		for (q = 0; q < vm->nb_vq; q++)
			publish_vq(w, vm, &vm->vq[q]);
	}
}

/* -------------------------------------------------------------- the poll */

/* Once per poll: the routing settings a control thread may have changed. */
static void
refresh_route(struct vcd_worker *w)
{
	unsigned int b;

	w->threshold[VCD_ROUTE_CIPHER] =
		__atomic_load_n(&vcd_route.threshold[VCD_ROUTE_CIPHER], __ATOMIC_RELAXED);
	w->threshold[VCD_ROUTE_CHAIN] =
		__atomic_load_n(&vcd_route.threshold[VCD_ROUTE_CHAIN], __ATOMIC_RELAXED);
	for (b = 0; b < w->nb_backends; b++) {
		struct vcd_stage *st = &w->stage[b];
		uint32_t budget = __atomic_load_n(&vcd_route.budget[st->role], __ATOMIC_RELAXED);

		st->budget = budget != 0 ? budget : st->qp_depth;
	}
}

/* Once per poll: the sharing settings (share.h) a reload may have changed. */
static inline void
refresh_share(struct vcd_worker *w)
{
	w->quantum = __atomic_load_n(&vcd_share.quantum, __ATOMIC_RELAXED);
	w->req_cost = __atomic_load_n(&vcd_share.request_cost, __ATOMIC_RELAXED);
	w->measured_cost = __atomic_load_n(&vcd_share.measured_cost, __ATOMIC_RELAXED);
	w->slice_cycles = __atomic_load_n(&vcd_share.slice_cycles, __ATOMIC_RELAXED);
	w->idle_backoff = __atomic_load_n(&vcd_share.idle_backoff, __ATOMIC_RELAXED);
	w->idle_sleep_us = __atomic_load_n(&vcd_share.idle_sleep_us, __ATOMIC_RELAXED);
	w->notify_delay = __atomic_load_n(&vcd_share.notify_delay, __ATOMIC_RELAXED);
	w->notify_batch = __atomic_load_n(&vcd_share.notify_batch, __ATOMIC_RELAXED);
}

/* @vm's cost per DWRR round: weight x quantum. */
static inline int64_t
vm_quantum(const struct vcd_worker *w, const struct vcd_vm *vm)
{
	return (int64_t)w->quantum * RTE_MAX(__atomic_load_n(&vm->weight, __ATOMIC_RELAXED), 1u);
}

/*
 * A new DWRR round (share.h) for the VMs with requests waiting: as many
 * rounds at once as it takes for one of them to be in credit.
 */
static void
new_round(struct vcd_worker *w, unsigned int nb)
{
	uint64_t k = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < nb; i++) {
		struct vcd_vm *vm = __atomic_load_n(&w->vms[i], __ATOMIC_ACQUIRE);
		uint64_t need;

		if (vm == NULL || !vm->backlogged)
			continue;
		need = vm->deficit >= 0 ? 1 : (uint64_t)(-vm->deficit / vm_quantum(w, vm)) + 1;
		k = RTE_MIN(k, need);
	}
	if (k == UINT64_MAX)
		return;
	for (i = 0; i < nb; i++) {
		struct vcd_vm *vm = __atomic_load_n(&w->vms[i], __ATOMIC_ACQUIRE);
		int64_t q;

		if (vm == NULL || !vm->backlogged)
			continue;
		/* Credit never beyond one round's: a VM its cap kept from spending saves none. */
		q = vm_quantum(w, vm);
		vm->deficit = RTE_MIN(vm->deficit + (int64_t)k * q, q);
	}
	w->stats.rounds += k;
}

/* Requests waiting on @vm's queues, all together. */
static inline uint32_t
vm_avail(const struct vcd_vm *vm)
{
	uint32_t n = 0;
	unsigned int q;

	for (q = 0; q < vm->nb_vq; q++)
		n += vcd_vring_avail_count(&vm->vq[q]);
	return n;
}

/*
 * Intake from @vm's queues, @n chains at most, while its share lasts: its
 * queues are flows inside its share, taken in turn from the one after the
 * queue that began last time.
 */
static enum intake
intake_vm(struct vcd_worker *w, struct vcd_vm *vm, uint32_t n)
{
	unsigned int k, q = vm->vq_next;
	enum intake res = INTAKE_ANSWERED;

	for (k = 0; k < vm->nb_vq && n > 0 && !spent(vm); k++) {
		struct vcd_vring *vr = &vm->vq[q];
		uint16_t avail = vcd_vring_avail_count(vr), taken;

		q = q + 1 == vm->nb_vq ? 0 : q + 1;
		if (avail == 0)
			continue;
		res = intake(w, vm, vr, (uint16_t)RTE_MIN((uint32_t)avail, n), &taken);
		n -= taken;
		if (res == INTAKE_LATER)
			break;
	}
	vm->vq_next = vm->vq_next + 1 >= vm->nb_vq ? 0 : vm->vq_next + 1;
	return res;
}

/*
 * Intake from the only VM with requests waiting: as many as the worker's
 * resources allow, whatever their cost (a request that costs more than a
 * round, 3DES on a slow backend, would otherwise make every burst one
 * request long).  Its cost is counted; its deficit is left as it was, less
 * any debt: no other VM waited for it.
 */
static unsigned int
intake_alone(struct vcd_worker *w, struct vcd_vm *vm, uint32_t n)
{
	int64_t before = RTE_MAX(vm->deficit, (int64_t)0);

	vm->deficit = INT64_MAX / 2;
	intake_vm(w, vm, n);
	vm->deficit = before;
	return n;
}

/*
 * Intake from every running VM, in DWRR order (share.h): a VM takes
 * requests while it has credit; when none of those with requests waiting
 * has any left, a new round begins.
 */
static unsigned int
serve_vms(struct vcd_worker *w, unsigned int nb)
{
	unsigned int i, work = 0, waiting_vms = 0;
	bool waiting = false, credit = false;

	for (i = 0; i < nb; i++) {
		struct vcd_vm *vm = __atomic_load_n(&w->vms[i], __ATOMIC_ACQUIRE);
		bool capped;
		uint32_t cap, avail, n;

		if (vm == NULL)
			continue;
		vm->backlogged = false;
		if (unlikely(__atomic_load_n(&vm->want, __ATOMIC_RELAXED) != vm->have))
			sync_state(w, vm);
		if (vm->have != VCD_VM_RUNNING ||
			__atomic_load_n(&vm->want, __ATOMIC_RELAXED) != VCD_VM_RUNNING)
			continue;
		avail = vm_avail(vm);
		if (avail == 0) {
			/* No claim while idle: credit is dropped, a debt kept. */
			if (vm->deficit > 0)
				vm->deficit = 0;
			vm->stats.empty_polls++;
			continue;
		}
		/*
		 * Requests waiting: it counts against "alone" whatever holds it back
		 * this poll (its cap, no free op or queue-pair room), or a VM that
		 * waits for room would let its neighbour take the room unmetered.
		 */
		waiting_vms++;
		cap = __atomic_load_n(&vm->max_inflight, __ATOMIC_RELAXED);
		capped = avail + vm->inflight > cap;
		if (unlikely(capped)) {
			vm->stats.capped_polls++; /* held back by its cap: the rest waits on its
						     ring */
			if (vm->inflight >= cap)
				continue;
		}
		n = RTE_MIN(avail, pop_budget(w, vm, cap));
		if (n == 0)
			continue; /* no op or staging room: the worker's, not the VM's, limit */
		if (!admit(w, vm))
			continue; /* throttled: waits on its own ring */
		vm->backlogged = true;
		waiting = true;
		if (w->alone) {
			/* No other VM had requests waiting last poll: no one to share with. */
			work += intake_alone(w, vm, n);
			continue;
		}
		if (vm->deficit <= 0)
			continue; /* waits for the next round */
		work += n;
		if (intake_vm(w, vm, n) == INTAKE_LATER) {
			vm->backlogged =
				false; /* waits for a resource: no part in the round test */
			continue;
		}
		if (vm->deficit > 0) {
			if (vm_avail(vm) == 0)
				vm->deficit = 0; /* took all it had: no credit carried */
			else if (!capped)
				credit = true; /* a capped VM's credit holds no round back */
		}
	}
	w->alone = waiting_vms <= 1;
	if (waiting && !credit && !w->alone)
		new_round(w, nb);
	return work;
}

/*
 * One poll, a request's whole way from avail ring to used ring:
 * intake (every running VM, DWRR) -> submit -> reap -> health -> publish ->
 * large requests (one slice).  The slice comes last so that what this poll
 * answered is published before it, and the next intake right after it.
 */
static unsigned int
poll_once(struct vcd_worker *w)
{
	unsigned int nb = __atomic_load_n(&w->nb_vms, __ATOMIC_ACQUIRE);
	unsigned int work;

	w->now = rte_rdtsc();
	if (w->nb_backends > 1)
		refresh_route(w);
	refresh_share(w);
	work = serve_vms(w, nb);
	work += vcd_qp_enqueue_all(w);
	work += reap(w);
	if (unlikely(w->ak_pool != NULL))
		work += vcd_ak_poll(w);
	vcd_health_tick(w);
	publish(w, nb);
	if (w->nb_big != 0) {
		vcd_sync_work(w); /* its answers are published by the next poll */
		work++;
	}
	return work;
}

/*
 * An empty poll @idle_for cycles after the last one with work (share.h,
 * "Idle"): back off if configured and nothing is in flight.  Returns the TSC
 * after it.
 */
static uint64_t
idle(struct vcd_worker *w, uint64_t idle_for, uint64_t now)
{
	uint64_t after;
	unsigned int i;

	if (likely(w->idle_backoff == 0) || idle_for < w->idle_backoff / 2 ||
		w->res.nb_op_free != w->res.nb_ops || w->nb_big != 0)
		return now;
	if (idle_for < w->idle_backoff) {
		for (i = 0; i < 64; i++)
			rte_pause();
		return rte_rdtsc();
	}
	usleep(w->idle_sleep_us);
	after = rte_rdtsc();
	w->stats.sleeps++;
	w->stats.sleep_cycles += after - now;
	return after;
}

int
vcd_worker_main(void *arg)
{
	struct vcd_worker *w = arg;
	uint64_t t0 = rte_rdtsc(), last_work = t0;

	sigset_t cut;

	VCD_LOG(INFO, "worker %u running on lcore %u with %u VM(s)", w->id, rte_lcore_id(),
		vcd_worker_vm_count(w));
	w->thread = pthread_self();
	/* The back-off's short sleeps (idle()) as asked, not 50 us later: 1 us timer slack. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	sigemptyset(&cut);
	sigaddset(&cut, VCD_SIG_NOTIFY_CUT);
	pthread_sigmask(SIG_UNBLOCK, &cut, NULL);
	__atomic_store_n(&w->running, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		unsigned int work = poll_once(w);
		uint64_t t1 = rte_rdtsc();

		w->stats.polls++;
		if (work != 0) {
			w->stats.busy_polls++;
			w->stats.busy_cycles += t1 - t0;
			last_work = t1;
		} else {
			t1 = idle(w, t1 - last_work, t1);
			w->stats.idle_cycles += t1 - t0;
		}
		t0 = t1;
		__atomic_store_n(&w->epoch, w->epoch + 1, __ATOMIC_RELEASE);
	}
	/* VMs were stopped (drained) by the control thread before stop was set. */
	__atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
	return 0;
}

/* ----------------------------------------------------------------- control */

int
vcd_worker_attach(struct vcd_worker *w, struct vcd_vm *vm)
{
	unsigned int i;

	for (i = 0; i < w->nb_vms && w->vms[i] != NULL; i++)
		;
	if (i == VCD_MAX_VMS)
		return -ENOSPC;
	__atomic_store_n(&w->vms[i], vm, __ATOMIC_RELEASE);
	if (i == w->nb_vms)
		__atomic_store_n(&w->nb_vms, i + 1, __ATOMIC_RELEASE);
	return 0;
}

int
vcd_worker_detach(struct vcd_worker *w, struct vcd_vm *vm)
{
	unsigned int i;

	for (i = 0; i < w->nb_vms; i++) {
		if (w->vms[i] == vm)
			__atomic_store_n(&w->vms[i], NULL, __ATOMIC_RELEASE);
	}
	return vcd_worker_quiesce(w);
}

unsigned int
vcd_worker_vm_count(const struct vcd_worker *w)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->nb_vms; i++)
		n += w->vms[i] != NULL;
	return n;
}

int
vcd_worker_quiesce(struct vcd_worker *w)
{
	uint64_t e0 = __atomic_load_n(&w->epoch, __ATOMIC_ACQUIRE);
	unsigned int i;

	if (!__atomic_load_n(&w->running, __ATOMIC_ACQUIRE))
		return 0;
	/* Two epochs: the poll running at e0 may have started before our call. */
	for (i = 0; i < VCD_QUIESCE_TIMEOUT_MS * 20; i++) {
		if (__atomic_load_n(&w->epoch, __ATOMIC_ACQUIRE) - e0 >= 2)
			return 0;
		usleep(50);
	}
	VCD_LOG(ERR, "worker %u did not finish a poll in %u ms: what it may use is not freed",
		w->id, VCD_QUIESCE_TIMEOUT_MS);
	return -ETIMEDOUT;
}

/* Only there to end a blocked write with EINTR: no SA_RESTART. */
static void
on_notify_cut(int sig)
{
	(void)sig;
}

void
vcd_workers_watch(void)
{
	unsigned int i;

	for (i = 0; i < nb_workers; i++) {
		struct vcd_worker *w = &workers[i];
		uint64_t seq = __atomic_load_n(&w->notify_seq, __ATOMIC_ACQUIRE);

		if ((seq & 1) != 0 && seq == w->notify_seen &&
			__atomic_load_n(&w->running, __ATOMIC_ACQUIRE)) {
			if (__atomic_load_n(&w->notify_cut, __ATOMIC_RELAXED) != seq)
				VCD_LOG(WARNING,
					"worker %u: a guest notification has blocked for a "
					"main-loop tick: interrupting it",
					w->id);
			__atomic_store_n(&w->notify_cut, seq, __ATOMIC_RELEASE);
			pthread_kill(w->thread, VCD_SIG_NOTIFY_CUT);
		}
		w->notify_seen = seq;
	}
}

void
vcd_workers_sample(void)
{
	unsigned int i;

	for (i = 0; i < nb_workers; i++) {
		struct vcd_worker *w = &workers[i];
		uint64_t b = __atomic_load_n(&w->stats.busy_cycles, __ATOMIC_RELAXED);
		uint64_t d = __atomic_load_n(&w->stats.idle_cycles, __ATOMIC_RELAXED);
		uint64_t db = b - w->busy_seen, dd = d - w->idle_seen;

		if (db + dd != 0)
			w->load = 0.75 * w->load + 0.25 * ((double)db / (double)(db + dd));
		w->busy_seen = b;
		w->idle_seen = d;
	}
}

/* Main lcore: worker @id on @lcore, with @nb_mbufs mbufs. */
static int
worker_init(struct vcd_worker *w, unsigned int id, unsigned int lcore, uint16_t burst,
	uint32_t nb_mbufs)
{
	int socket = (int)rte_lcore_to_socket_id(lcore);
	unsigned int b;

	memset(w, 0, sizeof(*w));
	w->id = id;
	w->lcore = lcore;
	w->burst = burst;
	w->nb_backends = vcd_backend_count();
	w->hz = rte_get_tsc_hz();
	/* The cost table is measured before the workers are made (main.c). */
	w->cycles_per_256_units = (uint64_t)(vcd_cost_unit_ns() * (double)w->hz * 256.0 / 1e9);
	for (b = 0; b < w->nb_backends; b++) {
		const struct vcd_backend *be = vcd_backend_get(b);
		struct vcd_stage *st = &w->stage[b];

		st->dev_id = be->dev_id;
		st->role = (uint8_t)be->role;
		st->state = VCD_BE_UP;
		st->cpu_crypto = be->cpu_crypto;
		st->sgl = be->sgl;
		st->sgl_oop = be->sgl_oop;
		st->max_data = be->max_data;
		st->bounce_only = be->pci && vcd_dma_mode() == VCD_DMA_BOUNCE;
		st->qp_depth = be->qp_depth;
		st->budget = be->qp_depth;
#ifdef VCD_FAULT_INJECT
		st->fault = vcd_fault_qp_new((uint8_t)b);
		if (st->fault == NULL)
			return -ENOMEM;
#endif
	}
	if (vcd_ak_worker_init(w) != 0)
		return -ENOMEM;
	return vcd_opres_init(&w->res, id, socket, VCD_OPS_PER_WORKER, nb_mbufs);
}

static void
worker_fini(struct vcd_worker *w)
{
#ifdef VCD_FAULT_INJECT
	for (unsigned int b = 0; b < w->nb_backends; b++)
		vcd_fault_qp_free(w->stage[b].fault);
#endif
	vcd_opres_fini(&w->res);
	vcd_ak_worker_fini(w);
	memset(w, 0, sizeof(*w));
}

int
vcd_workers_init(const struct vcd_config *cfg)
{
	unsigned int lcore, n = rte_lcore_count() - 1;
	struct sigaction sa;
	uint32_t mbufs;

	if (n == 0 || n > VCD_MAX_WORKERS) {
		VCD_LOG(ERR,
			"[daemon] lcores = %s gives %u worker(s): need 1..%u besides the main "
			"lcore",
			cfg->lcores, n, VCD_MAX_WORKERS);
		return -EINVAL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_notify_cut;
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCD_SIG_NOTIFY_CUT, &sa, NULL) != 0) {
		VCD_LOG(ERR, "cannot install the notification watchdog's signal: %s",
			strerror(errno));
		return -errno;
	}
	mbufs = cfg->mbuf_pool_size / n;
	if (mbufs < VCD_MIN_WORKER_MBUFS) {
		VCD_LOG(ERR,
			"[daemon] mbuf_pool_size = %u is too small for %u worker(s): need at "
			"least %u",
			cfg->mbuf_pool_size, n, VCD_MIN_WORKER_MBUFS * n);
		return -EINVAL;
	}
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		int rc = worker_init(
			&workers[nb_workers], nb_workers, lcore, (uint16_t)cfg->burst, mbufs);

		nb_workers++; /* fini frees what a failed init took */
		if (rc != 0) {
			VCD_LOG(ERR,
				"worker %u: cannot allocate its ops and mbufs (raise [daemon] "
				"memory_mb)",
				nb_workers - 1);
			return rc;
		}
	}
	return vcd_ak_lane_start(workers, nb_workers, cfg->rsa_lane_cpus);
}

void
vcd_workers_launch(void)
{
	unsigned int i;

	for (i = 0; i < nb_workers; i++)
		rte_eal_remote_launch(vcd_worker_main, &workers[i], workers[i].lcore);
}

void
vcd_workers_fini(void)
{
	unsigned int i;

	for (i = 0; i < nb_workers; i++)
		__atomic_store_n(&workers[i].stop, true, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	vcd_ak_lane_stop();
	for (i = 0; i < nb_workers; i++)
		worker_fini(&workers[i]);
	nb_workers = 0;
}

unsigned int
vcd_worker_count(void)
{
	return nb_workers;
}

struct vcd_worker *
vcd_worker_get(unsigned int id)
{
	return id < nb_workers ? &workers[id] : NULL;
}
