/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Test builds only (VCD_FAULT_INJECT): a backend that fails chosen ops, stops
 * completing or refuses enqueues.  See fault.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_telemetry.h>

#include "vcryptd/compat.h"
#include "vcryptd/backend.h"
#include "vcryptd/fault.h"
#include "vcryptd/log.h"

struct fault_cfg {
	uint32_t mode;  /* enum vcd_fault_mode */
	uint32_t every; /* VCD_FAULT_FAIL: every Nth op */
};

static struct fault_cfg faults[VCD_MAX_BACKENDS];

struct vcd_fault_qp *
vcd_fault_qp_new(uint8_t backend)
{
	struct vcd_fault_qp *f = rte_zmalloc(NULL, sizeof(*f), 0);

	if (f != NULL)
		f->backend = backend;
	return f;
}

void
vcd_fault_qp_free(struct vcd_fault_qp *f)
{
	rte_free(f);
}

static uint16_t
to_device(uint8_t dev, uint16_t qp, struct rte_crypto_op **ops, uint16_t n)
{
	return n == 0 ? 0 : rte_cryptodev_enqueue_burst(dev, qp, ops, n);
}

uint16_t
vcd_fault_enqueue(
	struct vcd_fault_qp *f, uint8_t dev, uint16_t qp, struct rte_crypto_op **ops, uint16_t n)
{
	const struct fault_cfg *c = &faults[f->backend];
	uint32_t mode = __atomic_load_n(&c->mode, __ATOMIC_RELAXED);
	uint32_t every = __atomic_load_n(&c->every, __ATOMIC_RELAXED);
	uint16_t i, run = 0, k;

	if (mode == VCD_FAULT_REJECT)
		return 0;
	if (mode == VCD_FAULT_STALL) {
		for (i = 0; i < n && f->nb_stalled < VCD_FAULT_HELD; i++)
			f->stalled[f->nb_stalled++] = ops[i];
		return i;
	}
	if (mode != VCD_FAULT_FAIL || every == 0)
		return to_device(dev, qp, ops, n);
	/* Runs of good ops go to the device; every Nth op is held back as failed. */
	for (i = 0; i < n; i++) {
		if (++f->offered % every != 0)
			continue;
		k = to_device(dev, qp, ops + run, (uint16_t)(i - run));
		if (k < i - run || f->nb_failed == VCD_FAULT_HELD) {
			f->offered--;
			return (uint16_t)(run + k);
		}
		ops[i]->status = RTE_CRYPTO_OP_STATUS_ERROR;
		f->failed[f->nb_failed++] = ops[i];
		run = (uint16_t)(i + 1);
	}
	return (uint16_t)(run + to_device(dev, qp, ops + run, (uint16_t)(n - run)));
}

uint16_t
vcd_fault_dequeue(
	struct vcd_fault_qp *f, uint8_t dev, uint16_t qp, struct rte_crypto_op **ops, uint16_t n)
{
	uint32_t mode = __atomic_load_n(&faults[f->backend].mode, __ATOMIC_RELAXED);
	uint16_t got = 0;

	while (got < n && f->nb_failed > 0)
		ops[got++] = f->failed[--f->nb_failed];
	if (mode == VCD_FAULT_STALL)
		return got;
	/* The stall is over: what it held comes back, late and failed. */
	while (got < n && f->nb_stalled > 0) {
		struct rte_crypto_op *op = f->stalled[--f->nb_stalled];

		op->status = RTE_CRYPTO_OP_STATUS_ERROR;
		ops[got++] = op;
	}
	if (got < n)
		got = (uint16_t)(got + rte_cryptodev_dequeue_burst(dev, qp, ops + got, n - got));
	return got;
}

static int
parse_mode(const char *s, uint32_t *mode)
{
	static const char *const names[] = {"none", "fail", "stall", "reject"};
	uint32_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* /vcryptd/fault,BACKEND,MODE[,N] */
static int
tel_fault(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char buf[128], *save = NULL, *name, *mode_s, *n_s;
	uint32_t mode, every = 0;
	unsigned int i;

	(void)cmd;
	if (params == NULL)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", params);
	name = strtok_r(buf, ",", &save);
	mode_s = strtok_r(NULL, ",", &save);
	n_s = strtok_r(NULL, ",", &save);
	if (name == NULL || mode_s == NULL || parse_mode(mode_s, &mode) != 0)
		return -EINVAL;
	if (mode == VCD_FAULT_FAIL) {
		every = n_s != NULL ? (uint32_t)strtoul(n_s, NULL, 10) : 0;
		if (every == 0)
			return -EINVAL;
	}
	for (i = 0; i < vcd_backend_count(); i++) {
		if (strcmp(vcd_backend_get(i)->name, name) != 0)
			continue;
		vcd_fault_set(i, (enum vcd_fault_mode)mode, every);
		VCD_LOG(NOTICE, "fault injection: backend %s: %s%s%s", name, mode_s,
			every ? " every " : "", every ? n_s : "");
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "backend", name);
		rte_tel_data_add_dict_string(d, "mode", mode_s);
		vcd_tel_dict_u64(d, "every", every);
		return 0;
	}
	return -ENOENT;
}

int
vcd_fault_set(unsigned int backend, enum vcd_fault_mode mode, uint32_t every)
{
	if (backend >= vcd_backend_count() || (mode == VCD_FAULT_FAIL && every == 0))
		return -EINVAL;
	__atomic_store_n(&faults[backend].every, every, __ATOMIC_RELAXED);
	__atomic_store_n(&faults[backend].mode, (uint32_t)mode, __ATOMIC_RELEASE);
	return 0;
}

void
vcd_fault_telemetry_init(void)
{
	rte_telemetry_register_cmd("/vcryptd/fault", tel_fault,
		"Test builds: inject faults. Parameters: BACKEND,none|fail,N|stall|reject");
}
