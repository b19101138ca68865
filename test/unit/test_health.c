/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Backend health (health.h) through the fault injector (fault.h), on a real
 * crypto_aesni_mb queue pair (EAL without hugepages, two lcores, the worker
 * driven by hand from this thread): fail_errors consecutive device errors
 * take the backend DOWN; a probe at probe time makes it PROBING, and UP again
 * when the device runs it; a probe that fails leaves it DOWN; ops in flight
 * with no completion for stall_ms take it down and are answered ERR (the op
 * stays with the device, counted held); a queue pair that refuses every
 * enqueue for stall_ms is taken down and its staged requests answered.
 * Built only with -Dfault_inject=true (scripts/test.sh's build).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "vcryptd/backend.h"
#include "vcryptd/config.h"
#include "vcryptd/fault.h"
#include "vcryptd/health.h"
#include "vcryptd/route.h"
#include "vcryptd/worker.h"
#include "unit_main.h"

#define FAIL_ERRORS 3

static struct vcd_config cfg;
static struct vcd_worker *w;
static struct vcd_stage *st;
static struct vcd_vm vm;
static struct vcd_session sess;
static uint8_t used_mem[sizeof(struct vring_used) + 64 * sizeof(struct vring_used_elem)];
static uint8_t status_byte;

static void
setup(void)
{
	char prefix[64], cpu[16], lcores[64], vdev[64];
	/* Main and worker lcore on one CPU: the worker is driven from this thread. */
	char *argv[] = {"test_health", "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
		"--no-telemetry", lcores, "--log-level=error", "--vdev", vdev, prefix, NULL};
	char err[256];

	vcd_config_builtin(&cfg); /* [backend aesni0] driver = crypto_aesni_mb */
	ck_assert_int_eq(vcd_backend_vdev_name(&cfg.backends[0], vdev, sizeof(vdev)), 0);
	vcd_unit_lcore(cpu, sizeof(cpu));
	snprintf(lcores, sizeof(lcores), "--lcores=0@%s,1@%s", cpu, cpu);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vcd-test-health-%d", (int)getpid());
	ck_assert_msg(rte_eal_init((int)RTE_DIM(argv) - 1, argv) >= 0, "rte_eal_init: %s",
		rte_strerror(rte_errno));
	cfg.fail_errors = FAIL_ERRORS;
	/* Long: the test moves the worker's clock (w->now) itself, never waits for them. */
	cfg.stall_ms = 10000;
	cfg.probe_ms = 10000;
	ck_assert_msg(vcd_config_validate(&cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(vcd_backends_init(&cfg, 1, 64, 16), 0);
	vcd_route_apply(&cfg);
	ck_assert_int_eq(vcd_workers_init(&cfg), 0);
	w = vcd_worker_get(0);
	st = &w->stage[0];
	vm.vq[0].used = (struct vring_used *)used_mem;
	vm.vq[0].size = 64;
}

/* A request's op as intake leaves it: the worker's probe buffer as data, our VM and session. */
static struct rte_crypto_op *
request_op(void)
{
	struct rte_crypto_op *op = vcd_op_probe(&w->res, 0, vcd_backend_get(0)->probe_sess);
	struct vcd_req *r;

	ck_assert_ptr_nonnull(op);
	r = vcd_op_req(op);
	r->flags = 0;
	r->vm = &vm;
	r->vr = &vm.vq[0];
	r->sess = &sess;
	r->status = &status_byte;
	r->t0 = w->now;
	sess.inflight++;
	vm.inflight++;
	return op;
}

static uint64_t
ms_tsc(uint64_t ms)
{
	return rte_get_tsc_hz() / 1000 * ms;
}

/* Dequeue until @n ops are back (the device is quick; a bound in case it is not). */
static uint16_t
reap(struct rte_crypto_op **ops, uint16_t n)
{
	uint16_t got = 0;
	unsigned int tries;

	for (tries = 0; tries < 100000 && got < n; tries++)
		got = (uint16_t)(got + vcd_qp_dequeue(w, 0, ops + got));
	return got;
}

START_TEST(health_through_fault_injector)
{
	struct rte_crypto_op *ops[VCD_DEQ_BURST];
	unsigned int i;

	setup();
	ck_assert_uint_eq(st->state, VCD_BE_UP);

	/* Device errors: the backend goes down at the fail_errors-th in a row, not before. */
	ck_assert_int_eq(vcd_fault_set(0, VCD_FAULT_FAIL, 1), 0);
	for (i = 0; i < FAIL_ERRORS; i++) {
		ck_assert_uint_eq(st->state, VCD_BE_UP);
		w->now = rte_rdtsc();
		vcd_stage_push(st, request_op());
		vcd_qp_enqueue_all(w);
		ck_assert_uint_eq(reap(ops, 1), 1);
		ck_assert_int_eq(ops[0]->status, RTE_CRYPTO_OP_STATUS_ERROR);
		/* One backend: nowhere else to run it. */
		ck_assert(!vcd_health_device_error(w, ops[0]));
		sess.inflight--;
		vm.inflight--;
		vcd_op_release(&w->res, ops[0]);
	}
	ck_assert_uint_eq(st->state, VCD_BE_DOWN);
	ck_assert_uint_eq(st->downs, 1);
	ck_assert_uint_eq(st->dev_errors, FAIL_ERRORS);

	/* Not yet probe time: nothing; then a probe, which fails while the fault lasts. */
	w->now = rte_rdtsc();
	vcd_health_tick(w);
	ck_assert_uint_eq(st->state, VCD_BE_DOWN);
	ck_assert_uint_eq(st->n, 0);
	w->now = st->next_probe + 1;
	vcd_health_tick(w);
	ck_assert_uint_eq(st->state, VCD_BE_PROBING);
	ck_assert_uint_eq(st->n, 1);
	vcd_qp_enqueue_all(w);
	ck_assert_uint_eq(reap(ops, 1), 1);
	ck_assert(vcd_op_req(ops[0])->flags & VCD_REQ_PROBE);
	vcd_health_probe_done(w, ops[0]);
	ck_assert_uint_eq(st->state, VCD_BE_DOWN);

	/* Fault cleared: the next probe runs on the device and brings it back. */
	ck_assert_int_eq(vcd_fault_set(0, VCD_FAULT_NONE, 0), 0);
	w->now = st->next_probe + 1;
	vcd_health_tick(w);
	ck_assert_uint_eq(st->state, VCD_BE_PROBING);
	vcd_qp_enqueue_all(w);
	ck_assert_uint_eq(reap(ops, 1), 1);
	ck_assert_int_eq(ops[0]->status, RTE_CRYPTO_OP_STATUS_SUCCESS);
	vcd_health_probe_done(w, ops[0]);
	ck_assert_uint_eq(st->state, VCD_BE_UP);
	ck_assert_uint_eq(st->ups, 1);

	/* A stalled device: the request is answered ERR without it; the op stays held. */
	ck_assert_int_eq(vcd_fault_set(0, VCD_FAULT_STALL, 0), 0);
	w->now = rte_rdtsc();
	status_byte = 0xa5;
	vcd_stage_push(st, request_op());
	vcd_qp_enqueue_all(w);
	ck_assert_uint_eq(st->inflight, 1);
	ck_assert_uint_eq(vcd_qp_dequeue(w, 0, ops), 0);
	vcd_health_tick(w);
	ck_assert_uint_eq(st->state, VCD_BE_UP); /* not yet */
	w->now = st->last_progress + ms_tsc(cfg.stall_ms) + 1;
	vcd_health_tick(w);
	ck_assert_uint_eq(st->state, VCD_BE_DOWN);
	ck_assert_uint_eq(st->abandoned, 1);
	ck_assert_uint_eq(st->held, 1);
	ck_assert_uint_eq(st->inflight, 0);
	ck_assert_uint_eq(status_byte, VIRTIO_CRYPTO_ERR);
	ck_assert_uint_eq(vm.inflight, 0);
	ck_assert_uint_eq(sess.inflight, 0);
	/* The device hands it back once the stall ends: late, never answered twice. */
	ck_assert_int_eq(vcd_fault_set(0, VCD_FAULT_NONE, 0), 0);
	ck_assert_uint_eq(reap(ops, 1), 1);
	ck_assert(vcd_op_req(ops[0])->flags & VCD_REQ_ABANDONED);
	vcd_op_release(&w->res, ops[0]);
	st->held--;

	/* Back up through a probe, then a queue pair that refuses every enqueue. */
	w->now = st->next_probe + 1;
	vcd_health_tick(w);
	vcd_qp_enqueue_all(w);
	ck_assert_uint_eq(reap(ops, 1), 1);
	vcd_health_probe_done(w, ops[0]);
	ck_assert_uint_eq(st->state, VCD_BE_UP);
	ck_assert_int_eq(vcd_fault_set(0, VCD_FAULT_REJECT, 0), 0);
	status_byte = 0xa5;
	w->now = rte_rdtsc();
	vcd_stage_push(st, request_op());
	vcd_qp_enqueue_all(w);
	ck_assert_uint_eq(st->state, VCD_BE_UP); /* one refusal is no fault */
	ck_assert_uint_eq(st->n, 1);
	w->now += ms_tsc(cfg.stall_ms) + 1;
	vcd_qp_enqueue_all(w);
	ck_assert_uint_eq(st->state, VCD_BE_DOWN);
	ck_assert_uint_eq(st->n, 0);
	ck_assert_uint_eq(status_byte, VIRTIO_CRYPTO_ERR);
	ck_assert_uint_eq(vm.inflight, 0);
	ck_assert_uint_eq(st->downs, 3);
	/* Every op is back on the worker's free stack. */
	ck_assert_uint_eq(w->res.nb_op_free, w->res.nb_ops);
	vcd_fault_set(0, VCD_FAULT_NONE, 0);
}
END_TEST

static Suite *
health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("fault_injector");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, health_through_fault_injector);
	suite_add_tcase(s, tc);
	return s;
}

VCD_UNIT_MAIN(health_suite)
