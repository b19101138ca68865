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
#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_log.h>

#include "vcryptd/backend.h"
#include "vcryptd/log.h"
#include "vcryptd/opbuild.h"

static struct vcd_backend backends[VCD_MAX_BACKENDS];
static unsigned int nb_backends;

/*
 * What PMDs do that their feature flags and capability tables do not say, in
 * one place (read from DPDK 22.11's source).  Matched by driver name.
 */
static const struct pmd_quirk {
	const char *driver;
	/*
	 * Most mbuf segments it takes per buffer (0: no limit).  crypto_qat
	 * 22.11: QAT_SYM_SGL_MAX_NUMBER (16); the worker cuts requests into
	 * segments of at most VCD_MBUF_SEG_MAX bytes, so larger requests go
	 * elsewhere (more scattered ones it refuses at enqueue, which the worker
	 * answers without counting a device error).
	 */
	uint32_t max_segs;
	/*
	 * A cipher (enum rte_crypto_cipher_algorithm; -1: none) it announces
	 * scatter-gather for but refuses segmented.  crypto_openssl 22.11 runs
	 * 3DES-CTR on contiguous buffers only (process_openssl_cipher_op()).
	 */
	int no_sgl_cipher;
} quirks[] = {
	{"crypto_qat", 16, -1},
	{"crypto_openssl", 0, RTE_CRYPTO_CIPHER_3DES_CTR},
};

static const struct pmd_quirk *
quirk_of(const char *driver)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(quirks); i++) {
		if (strcmp(quirks[i].driver, driver) == 0)
			return &quirks[i];
	}
	return NULL;
}

bool
vcd_backend_sgl_ok(const struct vcd_backend *b, const struct rte_crypto_sym_xform *x)
{
	const struct pmd_quirk *q = quirk_of(b->driver);

	for (; q != NULL && x != NULL; x = x->next) {
		if (x->type == RTE_CRYPTO_SYM_XFORM_CIPHER &&
			(int)x->cipher.algo == q->no_sgl_cipher)
			return false;
	}
	return true;
}

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

unsigned int
vcd_backend_count_role(int role)
{
	unsigned int i, n = 0;

	for (i = 0; i < nb_backends; i++)
		n += backends[i].role == role;
	return n;
}

/* The health-probe session: AES-128-CBC encrypt with a fixed key. */
static void *
probe_session(struct vcd_backend *b)
{
	static const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7,
		0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
	struct rte_crypto_sym_xform x = {.type = RTE_CRYPTO_SYM_XFORM_CIPHER,
		.cipher = {.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT,
			.algo = RTE_CRYPTO_CIPHER_AES_CBC,
			.key = {.data = key, .length = sizeof(key)},
			.iv = {.offset = VCD_BACKEND_IV_OFFSET, .length = 16}}};

	if (!vcd_backend_supports(b, &x))
		return NULL;
	return rte_cryptodev_sym_session_create(b->dev_id, &x, b->sess_pool);
}

/* Whether the device runs RSA: asymmetric ops and an RSA capability. */
static bool
has_rsa(uint8_t dev_id, const struct rte_cryptodev_info *info)
{
	struct rte_cryptodev_asym_capability_idx idx = {.type = RTE_CRYPTO_ASYM_XFORM_RSA};

	return (info->feature_flags & RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO) &&
		rte_cryptodev_asym_capability_get(dev_id, &idx) != NULL;
}

static bool
is_pci(const struct rte_cryptodev_info *info)
{
	const struct rte_bus *bus = info->device != NULL ? rte_dev_bus(info->device) : NULL;

	return bus != NULL && strcmp(rte_bus_name(bus), "pci") == 0;
}

static int
configure(struct vcd_backend *b, unsigned int nb_workers, uint32_t qp_depth, uint32_t max_sessions)
{
	struct rte_cryptodev_info info;
	struct rte_cryptodev_config dconf = {
		.socket_id = (int)rte_cryptodev_socket_id(b->dev_id),
		.ff_disable = RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO | RTE_CRYPTODEV_FF_SECURITY,
	};
	char pool_name[RTE_MEMPOOL_NAMESIZE];
	const struct pmd_quirk *q;
	uint16_t qp;
	bool rsa;

	rte_cryptodev_info_get(b->dev_id, &info);
	if (info.max_nb_queue_pairs < nb_workers) {
		VCD_LOG(ERR,
			"backend %s: %u workers need %u queue pairs, device has %u "
			"(raise max_nb_queue_pairs in devargs)",
			b->name, nb_workers, nb_workers, info.max_nb_queue_pairs);
		return -ENOSPC;
	}
	rsa = has_rsa(b->dev_id, &info) && info.max_nb_queue_pairs >= 2 * nb_workers + 1;
	if (has_rsa(b->dev_id, &info) && !rsa)
		VCD_LOG(WARNING,
			"backend %s: has RSA, but not the %u queue pairs it needs (one per worker "
			"for symmetric ops, one for RSA, a spare): no RSA on it (raise "
			"max_nb_queue_pairs in its devargs)",
			b->name, 2 * nb_workers + 1);
	if (rsa)
		dconf.ff_disable &= ~(uint64_t)RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO;
	b->features = info.feature_flags;
	b->cpu_crypto = (info.feature_flags & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO) != 0;
	b->sgl = (info.feature_flags & RTE_CRYPTODEV_FF_IN_PLACE_SGL) != 0;
	b->sgl_oop = b->sgl && (info.feature_flags & RTE_CRYPTODEV_FF_OOP_SGL_IN_SGL_OUT);
	b->pci = is_pci(&info);
	q = quirk_of(info.driver_name);
	b->max_data = q != NULL && q->max_segs != 0 ? q->max_segs * VCD_MBUF_SEG_MAX : UINT32_MAX;
	/*
	 * One queue pair per worker, a spare for calibration where there is one,
	 * and with RSA one more per worker for RSA ops (akcipher.h).
	 */
	dconf.nb_queue_pairs = (uint16_t)RTE_MIN(
		(rsa ? 2 : 1) * nb_workers + 1, (unsigned int)info.max_nb_queue_pairs);
	b->ctl_qp = dconf.nb_queue_pairs > nb_workers ? (uint16_t)nb_workers : VCD_NO_QP;
	b->asym_qp = rsa ? (uint16_t)(nb_workers + 1) : VCD_NO_QP;
	snprintf(b->driver, sizeof(b->driver), "%s", info.driver_name);
	if (dconf.socket_id < 0)
		dconf.socket_id = 0;
	if (rte_cryptodev_configure(b->dev_id, &dconf) != 0)
		return -EIO;
	snprintf(pool_name, sizeof(pool_name), "vcd_sess_%u", b->dev_id);
	/* Room for the probe session and a calibration run's two chains as well. */
	b->sess_pool = rte_cryptodev_sym_session_pool_create(pool_name, max_sessions + 8,
		rte_cryptodev_sym_get_private_session_size(b->dev_id), 0, 0, dconf.socket_id);
	if (b->sess_pool == NULL)
		return -ENOMEM;
	if (rsa) {
		snprintf(pool_name, sizeof(pool_name), "vcd_asess_%u", b->dev_id);
		b->asym_pool = rte_cryptodev_asym_session_pool_create(
			pool_name, max_sessions + 8, 0, 0, dconf.socket_id);
		if (b->asym_pool == NULL)
			return -ENOMEM;
	}
	b->nb_qp = (uint16_t)nb_workers;
	b->qp_depth = qp_depth;
	for (qp = 0; qp < dconf.nb_queue_pairs; qp++) {
		struct rte_cryptodev_qp_conf qc = {
			.nb_descriptors = qp_depth, .mp_session = b->sess_pool};

		if (rte_cryptodev_queue_pair_setup(b->dev_id, qp, &qc, dconf.socket_id) != 0)
			return -EIO;
	}
	if (rte_cryptodev_start(b->dev_id) != 0)
		return -EIO;
	vcd_backend_selftest(b, 0);
	b->probe_sess = probe_session(b);
	return 0;
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

		if (id < 0 && bc->role == VCD_BACKEND_ACCEL && cfg->nb_backends > 1) {
			VCD_LOG(WARNING,
				"backend %s: no cryptodev for driver %s%s%s: running without "
				"this accelerator",
				bc->name, bc->driver, bc->devargs[0] ? " devargs " : "",
				bc->devargs);
			continue;
		}
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
		VCD_LOG(INFO, "backend %s: cryptodev %d (%s%s), role %s, %u queue pair(s) x %u%s",
			b->name, id, b->driver, b->pci ? ", PCI" : "",
			b->role == VCD_BACKEND_ACCEL ? "accel" : "cpu", b->nb_qp, qp_depth,
			b->ctl_qp == VCD_NO_QP ? ", no spare queue pair for re-calibration" : "");
	}
	if (nb_backends == 0) {
		VCD_LOG(ERR, "no backend could be started");
		return -ENODEV;
	}
	if (vcd_backend_count_role(VCD_BACKEND_ACCEL) == 0)
		VCD_LOG(NOTICE, "no accelerator: every request runs on the cpu backend%s",
			nb_backends > 1 ? "s" : "");
	else if (vcd_backend_count_role(VCD_BACKEND_CPU) == 0)
		VCD_LOG(NOTICE, "no cpu backend: every request runs on the accelerator%s",
			nb_backends > 1 ? "s" : "");
	return 0;
}

void
vcd_backends_fini(void)
{
	while (nb_backends > 0) {
		struct vcd_backend *b = &backends[--nb_backends];

		if (b->probe_sess != NULL)
			rte_cryptodev_sym_session_free(b->dev_id, b->probe_sess);
		b->probe_sess = NULL;
		rte_cryptodev_stop(b->dev_id);
		rte_cryptodev_close(b->dev_id);
		rte_mempool_free(b->sess_pool);
		b->sess_pool = NULL;
		rte_mempool_free(b->asym_pool);
		b->asym_pool = NULL;
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
		if (xf->type == RTE_CRYPTO_SYM_XFORM_CIPHER &&
			!vcd_backend_cipher_ok(b, xf->cipher.algo))
			return false;
	}
	return true;
}
