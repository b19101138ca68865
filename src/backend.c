/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Cryptodev backends.  Each configured backend is found by its EAL device
 * name (vdev) or PCI address, given one queue pair per worker, and a session
 * pool large enough for every VM's sessions.  Main lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cryptodev.h>
#include <rte_dev.h>
#include <rte_log.h>

#include "vcryptd/backend.h"
#include "vcryptd/log.h"

static struct vcd_backend backends[VCD_MAX_BACKENDS];
static unsigned int nb_backends;

unsigned int
vcd_backend_count(void)
{
	return nb_backends;
}

struct vcd_backend *
vcd_backend_get(unsigned int idx)
{
	return idx < nb_backends ? &backends[idx] : NULL;
}

/* PCI devices are named by their address; vdevs by the name config.c gave them. */
static int
find_dev(const struct vcd_backend_conf *bc)
{
	char name[RTE_CRYPTODEV_NAME_MAX_LEN];
	int id;

	if (vcd_backend_is_pci(bc)) {
		snprintf(name, sizeof(name), "%s", bc->devargs);
		name[strcspn(name, ",")] = '\0';
		for (id = 0; id < RTE_CRYPTO_MAX_DEVS; id++) {
			struct rte_cryptodev_info info;

			if (!rte_cryptodev_is_valid_dev(id))
				continue;
			rte_cryptodev_info_get(id, &info);
			if (info.device != NULL && strstr(rte_dev_name(info.device), name) != NULL)
				return id;
		}
		return -ENODEV;
	}
	if (vcd_backend_vdev_name(bc, name, sizeof(name)) != 0)
		return -ENAMETOOLONG;
	id = rte_cryptodev_get_dev_id(name);
	return id < 0 ? -ENODEV : id;
}

static int
configure(struct vcd_backend *b, unsigned int nb_workers, uint32_t qp_depth, uint32_t max_sessions)
{
	struct rte_cryptodev_info info;
	struct rte_cryptodev_config dconf = {
		.socket_id = (int)rte_cryptodev_socket_id(b->dev_id),
		.nb_queue_pairs = (uint16_t)nb_workers,
		.ff_disable = RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO | RTE_CRYPTODEV_FF_SECURITY,
	};
	char pool_name[RTE_MEMPOOL_NAMESIZE];
	uint16_t q;

	rte_cryptodev_info_get(b->dev_id, &info);
	if (info.max_nb_queue_pairs < nb_workers) {
		VCD_LOG(ERR,
			"backend %s: %u workers need %u queue pairs, device has %u "
			"(raise max_nb_queue_pairs in devargs)",
			b->name, nb_workers, nb_workers, info.max_nb_queue_pairs);
		return -ENOSPC;
	}
	b->features = info.feature_flags;
	snprintf(b->driver, sizeof(b->driver), "%s", info.driver_name);
	if (dconf.socket_id < 0)
		dconf.socket_id = 0;
	if (rte_cryptodev_configure(b->dev_id, &dconf) != 0)
		return -EIO;
	snprintf(pool_name, sizeof(pool_name), "vcd_sess_%u", b->dev_id);
	b->sess_pool = rte_cryptodev_sym_session_pool_create(pool_name, max_sessions,
		rte_cryptodev_sym_get_private_session_size(b->dev_id), 0, 0, dconf.socket_id);
	if (b->sess_pool == NULL)
		return -ENOMEM;
	b->nb_qp = (uint16_t)nb_workers;
	b->qp_depth = qp_depth;
	for (q = 0; q < nb_workers; q++) {
		struct rte_cryptodev_qp_conf qc = {
			.nb_descriptors = qp_depth, .mp_session = b->sess_pool};

		if (rte_cryptodev_queue_pair_setup(b->dev_id, q, &qc, dconf.socket_id) != 0)
			return -EIO;
	}
	return rte_cryptodev_start(b->dev_id) == 0 ? 0 : -EIO;
}

int
vcd_backends_init(const struct vcd_config *cfg, unsigned int nb_workers, uint32_t qp_depth,
	uint32_t max_sessions)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_backends; i++) {
		const struct vcd_backend_conf *bc = &cfg->backends[i];
		struct vcd_backend *b = &backends[nb_backends];
		int id = find_dev(bc);
		int rc;

		if (id < 0) {
			VCD_LOG(ERR,
				"backend %s: no cryptodev for driver %s%s%s (is the PMD "
				"installed and the device present?)",
				bc->name, bc->driver, bc->devargs[0] ? " devargs " : "",
				bc->devargs);
			return -ENODEV;
		}
		memset(b, 0, sizeof(*b));
		snprintf(b->name, sizeof(b->name), "%s", bc->name);
		b->dev_id = (uint8_t)id;
		b->role = bc->role;
		nb_backends++;
		rc = configure(b, nb_workers, qp_depth, max_sessions);
		if (rc != 0) {
			VCD_LOG(ERR, "backend %s: cannot configure cryptodev %d: %s", bc->name, id,
				strerror(-rc));
			return rc;
		}
		VCD_LOG(INFO, "backend %s: cryptodev %d (%s), role %s, %u queue pair(s) x %u",
			b->name, id, b->driver, b->role == VCD_BACKEND_ACCEL ? "accel" : "cpu",
			b->nb_qp, qp_depth);
	}
	return 0;
}

void
vcd_backends_fini(void)
{
	while (nb_backends > 0) {
		struct vcd_backend *b = &backends[--nb_backends];

		rte_cryptodev_stop(b->dev_id);
		rte_cryptodev_close(b->dev_id);
		rte_mempool_free(b->sess_pool);
		b->sess_pool = NULL;
	}
}

static bool
xform_supported(uint8_t dev_id, const struct rte_crypto_sym_xform *x)
{
	struct rte_cryptodev_sym_capability_idx idx = {.type = x->type};
	const struct rte_cryptodev_symmetric_capability *cap;

	if (x->type == RTE_CRYPTO_SYM_XFORM_CIPHER)
		idx.algo.cipher = x->cipher.algo;
	else if (x->type == RTE_CRYPTO_SYM_XFORM_AUTH)
		idx.algo.auth = x->auth.algo;
	else
		return false;
	cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
	if (cap == NULL)
		return false;
	if (x->type == RTE_CRYPTO_SYM_XFORM_CIPHER)
		return rte_cryptodev_sym_capability_check_cipher(
			       cap, x->cipher.key.length, x->cipher.iv.length) == 0;
	return rte_cryptodev_sym_capability_check_auth(
		       cap, x->auth.key.length, x->auth.digest_length, x->auth.iv.length) == 0;
}

bool
vcd_backend_supports(const struct vcd_backend *b, const struct rte_crypto_sym_xform *xf)
{
	if (xf->next != NULL && !(b->features & RTE_CRYPTODEV_FF_SYM_OPERATION_CHAINING))
		return false;
	for (; xf != NULL; xf = xf->next) {
		if (!xform_supported(b->dev_id, xf))
			return false;
	}
	return true;
}
