/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Cryptodev backends: discovery, configuration (one queue pair per worker),
 * session pools and capability checks.
 *
 * Thread: vcd_backends_init/fini run on the main lcore before workers start /
 * after they stop; the table is read-only afterwards and may be read from any
 * thread.
 */
#ifndef VCRYPTD_BACKEND_H
#define VCRYPTD_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_crypto_sym.h>
#include <rte_mempool.h>

#include "vcryptd/config.h"

struct vcd_backend {
	char name[32];   /* the [backend NAME] label */
	char driver[64]; /* PMD driver name */
	uint8_t dev_id;
	int role;          /* enum vcd_backend_role */
	uint16_t nb_qp;    /* one per worker */
	uint32_t qp_depth; /* descriptors per queue pair */
	uint64_t features; /* RTE_CRYPTODEV_FF_* */
	struct rte_mempool *sess_pool;
};

/* Configure and start every backend of @cfg with @nb_workers queue pairs each. */
int vcd_backends_init(const struct vcd_config *cfg, unsigned int nb_workers, uint32_t qp_depth,
	uint32_t max_sessions);
void vcd_backends_fini(void);

unsigned int vcd_backend_count(void);
struct vcd_backend *vcd_backend_get(unsigned int idx);

/*
 * Whether backend @b can run the chain @xf (every xform's algorithm, key, IV
 * and digest sizes within the device's capabilities).
 */
bool vcd_backend_supports(const struct vcd_backend *b, const struct rte_crypto_sym_xform *xf);

#endif /* VCRYPTD_BACKEND_H */
