/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Fault injection between the worker and a backend's queue pair, compiled
 * only into test builds (meson -Dfault_inject=true defines VCD_FAULT_INJECT).
 * In other builds the wrappers are the plain cryptodev burst calls.
 *
 * A test arms a fault per backend through the telemetry command
 * /vcryptd/fault,BACKEND,MODE[,N] (only registered in test builds):
 *   none     the queue pair works normally again
 *   fail,N   every Nth op offered is not given to the device and comes back
 *            with RTE_CRYPTO_OP_STATUS_ERROR: a device error that wrote nothing
 *   stall    ops are accepted and never completed (a hung device); when the
 *            fault is cleared they come back with an error status (late)
 *   reject   enqueues accept nothing (a device that refuses work)
 *
 * Threads: the mode is written by the telemetry thread and read by workers
 * with relaxed loads; the per-queue-pair state belongs to its worker.
 */
#ifndef VCRYPTD_FAULT_H
#define VCRYPTD_FAULT_H

#include <stdint.h>

#include <rte_cryptodev.h>

enum vcd_fault_mode {
	VCD_FAULT_NONE = 0,
	VCD_FAULT_FAIL,
	VCD_FAULT_STALL,
	VCD_FAULT_REJECT,
};

#ifdef VCD_FAULT_INJECT

#define VCD_FAULT_HELD 4096

/* One worker's queue pair on one backend. */
struct vcd_fault_qp {
	uint8_t backend;
	uint64_t offered;
	uint32_t nb_failed, nb_stalled;
	struct rte_crypto_op *failed[VCD_FAULT_HELD];  /* to return with an error next dequeue */
	struct rte_crypto_op *stalled[VCD_FAULT_HELD]; /* held while the stall lasts */
};

/* Main lcore, before workers run: state for @backend's queue pair; NULL on no memory. */
struct vcd_fault_qp *vcd_fault_qp_new(uint8_t backend);
void vcd_fault_qp_free(struct vcd_fault_qp *f);

uint16_t vcd_fault_enqueue(
	struct vcd_fault_qp *f, uint8_t dev, uint16_t qp, struct rte_crypto_op **ops, uint16_t n);
uint16_t vcd_fault_dequeue(
	struct vcd_fault_qp *f, uint8_t dev, uint16_t qp, struct rte_crypto_op **ops, uint16_t n);

/* Arm (or with VCD_FAULT_NONE clear) a fault on backend @backend: what /vcryptd/fault does. */
int vcd_fault_set(unsigned int backend, enum vcd_fault_mode mode, uint32_t every);

/* Register /vcryptd/fault. */
void vcd_fault_telemetry_init(void);

#define VCD_ENQUEUE(st, qp, ops, n) vcd_fault_enqueue((st)->fault, (st)->dev_id, qp, ops, n)
#define VCD_DEQUEUE(st, qp, ops, n) vcd_fault_dequeue((st)->fault, (st)->dev_id, qp, ops, n)

#else

#define VCD_ENQUEUE(st, qp, ops, n) rte_cryptodev_enqueue_burst((st)->dev_id, qp, ops, n)
#define VCD_DEQUEUE(st, qp, ops, n) rte_cryptodev_dequeue_burst((st)->dev_id, qp, ops, n)

#endif /* VCD_FAULT_INJECT */

#endif /* VCRYPTD_FAULT_H */
