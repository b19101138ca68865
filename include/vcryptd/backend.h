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

#include <rte_crypto.h>
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
	bool cpu_crypto;   /* has the synchronous API (sync.h) */
	bool sgl;          /* takes multi-segment mbufs in place */
	bool sgl_oop;      /* ... and out of place (else the data is copied to the destination) */
	bool pci;          /* a PCI function (QAT): needs IOVAs, see dma.h */
	uint32_t max_data; /* largest request it can take as mbufs (QAT: 16 SGL segments) */
	/*
	 * A queue pair no worker uses, for calibration runs from control threads;
	 * VCD_NO_QP where the device has no spare one (calibration then runs only
	 * before the workers start, on queue pair 0).
	 */
	uint16_t ctl_qp;
	/*
	 * Ciphers (bit per enum rte_crypto_cipher_algorithm) it announces but got
	 * wrong in the start-up burst check (vcd_backend_selftest()): not used.
	 */
	uint64_t broken_ciphers;
	/*
	 * RSA (akcipher.h): worker w's RSA ops go on queue pair asym_qp + w,
	 * sessions come from asym_pool; asym_qp is VCD_NO_QP where the device has
	 * no RSA or not the queue pairs for it.
	 */
	uint16_t asym_qp;
	struct rte_mempool *asym_pool;
	/* AES-128-CBC encrypt session for health probes; NULL if it has no AES-CBC. */
	void *probe_sess;
	struct rte_mempool *sess_pool;
};

#define VCD_NO_QP UINT16_MAX

/* Where every op carries its IV: the start of its private area (opbuild.h's vcd_req). */
#define VCD_BACKEND_IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))

/*
 * Known-answer check of backend @b (started, @qp free): a burst of 8 ops of
 * each cipher a PMD release is known to have got wrong in bursts (3DES-CBC:
 * crypto_aesni_mb on intel-ipsec-mb 2.0 puts outputs in the wrong buffers
 * when several DES jobs share the AVX512 lanes), and AES-128-CBC, each op
 * with its own session, key and IV, alternately encrypting and decrypting,
 * compared with OpenSSL.  A cipher that comes back wrong is marked in
 * b->broken_ciphers and is not used there (logged).  0, or -errno where the
 * check could not run (the backend is then used as it is).
 */
int vcd_backend_selftest(struct vcd_backend *b, uint16_t qp);

/* Whether @algo passed the start-up check on @b (or was not checked). */
static inline bool
vcd_backend_cipher_ok(const struct vcd_backend *b, enum rte_crypto_cipher_algorithm algo)
{
	return (unsigned int)algo >= 64 || !(b->broken_ciphers & (1ull << algo));
}

/* Configure and start every backend of @cfg with @nb_workers queue pairs each. */
int vcd_backends_init(const struct vcd_config *cfg, unsigned int nb_workers, uint32_t qp_depth,
	uint32_t max_sessions);
void vcd_backends_fini(void);

unsigned int vcd_backend_count(void);
/* Backends configured with @role. */
unsigned int vcd_backend_count_role(int role);
struct vcd_backend *vcd_backend_get(unsigned int idx);

/*
 * Whether backend @b can run the chain @xf (every xform's algorithm, key, IV
 * and digest sizes within the device's capabilities).
 */
bool vcd_backend_supports(const struct vcd_backend *b, const struct rte_crypto_sym_xform *xf);

/*
 * Whether backend @b takes requests of the chain @xf as scatter-gather mbufs
 * (a PMD quirk may refuse what its feature flags announce: backend.c's table).
 */
bool vcd_backend_sgl_ok(const struct vcd_backend *b, const struct rte_crypto_sym_xform *xf);

#endif /* VCRYPTD_BACKEND_H */
