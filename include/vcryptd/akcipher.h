/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Asymmetric (virtio-crypto AKCIPHER) sessions and requests: RSA.
 *
 * Sessions.  QEMU >= 8.1 sends them in its 1072-byte session message
 * (session_msg.h): algorithm, key type (public or private), PKCS#1 DER key
 * (rsa_key.h, at most 1024 bytes on that wire), padding (RAW or PKCS#1
 * v1.5) and, for signatures, the hash.  A session is made on the first
 * accel backend with RSA and the first cpu backend with RSA (crypto_qat
 * where present, crypto_openssl: private-key operations are where an
 * accelerator wins most).  Requests are routed the way symmetric ones
 * are by size: private-key operations (DECRYPT, SIGN: the costly ones) to
 * the accelerator first, public-key ones (ENCRYPT, VERIFY: some 20 times
 * cheaper) to the CPU first, and spill to the other while a queue pair is
 * full (the VM's routed_*_ops and spills count them).  Each is a cryptodev asym session with the
 * session's padding and, for PKCS#1, a second one without padding.  Not done for RSA: the budgets,
 * health probes and fail-over of the symmetric routing (route.h).
 *
 * Requests, as QEMU's own backends define them (hw/virtio/virtio-crypto.c,
 * virtio_crypto_handle_asym_req) and a Linux 6.12 guest sends them:
 *   ENCRYPT / DECRYPT / SIGN  readable [header][src], writable [dst][status]
 *   VERIFY                    readable [header][signature || digest], writable [status]
 * The answer's used length is the output's length + 1 (1 for VERIFY): Linux
 * takes the output length from it.  With k the modulus bytes:
 *   RAW     ENCRYPT = m^e, DECRYPT and SIGN = c^d (src of at most k bytes, read
 *           as a big-endian number, output k bytes); VERIFY: signature^e == digest.
 *   PKCS#1  ENCRYPT: RSAES-PKCS1-v1_5 (the PMD pads, random); DECRYPT: the
 *           plaintext, of its own length; SIGN: src is the digest of the session's
 *           hash, and vcryptd builds the EMSA-PKCS1-v1_5 block (DigestInfo,
 *           RFC 8017 9.2) and runs it through the private key without padding;
 *           VERIFY: the signature through the public key, compared with the
 *           block built from the digest: KEY_REJECTED when they differ.
 * vcryptd does the signature padding itself: crypto_openssl's PKCS#1 sign
 * adds no DigestInfo, and its verify reports success for a well-padded
 * signature of another message (DPDK 22.11 to 25.11).
 *
 * Data path.  A worker enqueues RSA ops on queue pairs of their own
 * (backend.h, asym_qp: one per worker), one op per request, with the
 * request's bytes copied into the op (keys are at most 512 bytes); the
 * poll's akcipher stage dequeues them and answers.  A cpu backend
 * (crypto_openssl) runs an RSA op inside its enqueue call, and an RSA-2048
 * signature without CRT takes ~2 ms: no worker may wait that out (issue 11:
 * no request holds a worker for more than a slice).  So a worker hands its
 * cpu-bound RSA ops to the lane, one thread (vcd-rsa, on the main lcore's
 * CPUs) that owns the cpu backends' RSA queue pairs: per worker a ring to it
 * and a ring back (single producer, single consumer, each as large as the
 * worker's op pool, so neither fills), polled round robin over the workers,
 * each for LANE_VISIT_US of ops per turn (at least one); when idle it spins
 * LANE_SPIN rounds, then sleeps LANE_SLEEP_US per round.
 * Fairness between VMs is the worker's: it admits RSA requests through its
 * DWRR, charging each what its session's ops of that kind took in the lane.  Nothing here touches
 * the symmetric staging, routing or health: a refused op is answered at once (ERR, KEY_REJECTED for
 * a signature the public key cannot take), a full queue pair leaves the request on its ring.
 */
#ifndef VCRYPTD_AKCIPHER_H
#define VCRYPTD_AKCIPHER_H

#include <stdbool.h>
#include <stdint.h>

#include "vcryptd/session_msg.h"

struct vcd_session;
struct vcd_worker;
struct vcd_vm;
struct vcd_chain;
struct vcd_req_layout;

#define VCD_AK_BACKENDS 2 /* an accel and a cpu backend */

struct vcd_ak_session {
	uint8_t nb_be;               /* backends it has a session on, in order of use */
	uint8_t be[VCD_AK_BACKENDS]; /* their indexes: accel first, then cpu */
	bool priv;       /* a private key: every operation; public: ENCRYPT and VERIFY */
	uint8_t padding; /* VIRTIO_CRYPTO_RSA_*_PADDING */
	uint8_t hash;    /* VIRTIO_CRYPTO_RSA_* hash, for SIGN and VERIFY */
	uint16_t k;      /* modulus bytes */
	uint16_t bits;
	void *cs[VCD_AK_BACKENDS];     /* the cryptodev sessions, with the session's padding */
	void *cs_raw[VCD_AK_BACKENDS]; /* ... without padding (SIGN/VERIFY; == cs for RAW) */
	/* Worker: TSC cycles its private [0] and public [1] ops took in the lane (EWMA). */
	uint64_t lane_cycles[2];
};

/*
 * Control thread: make @s an akcipher session from @p (op_code
 * VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION).  0, or -EINVAL (malformed key or
 * parameters), -ENOTSUP (not RSA, a key size or hash not supported, no
 * backend with RSA), -ENOMEM.
 */
int vcd_ak_session_create(
	struct vcd_session *s, const struct vcd_sess_params *p, const char *vm_name);
void vcd_ak_session_destroy(struct vcd_session *s);

/*
 * The lane: one thread (vcd-rsa) that runs every worker's RSA ops on the cpu
 * backends, started with the workers (0 or -errno) where a cpu backend has
 * RSA, on CPUs @cpus ([daemon] rsa_lane_cpus; "": the main lcore's),
 * stopped after they have stopped.
 */
int vcd_ak_lane_start(struct vcd_worker *ws, unsigned int n, const char *cpus);
void vcd_ak_lane_stop(void);
/* Telemetry: ops the lane ran, the time its enqueue calls took, its sleeps; false: no lane. */
bool vcd_ak_lane_stats(uint64_t *ops, uint64_t *busy_us, uint64_t *sleeps);

/* Worker: its RSA op pool (0 or -ENOMEM); none is made without an RSA backend. */
int vcd_ak_worker_init(struct vcd_worker *w);
void vcd_ak_worker_fini(struct vcd_worker *w);

/*
 * Worker: take akcipher request @c of session @s (decoded: @l).  Returns
 * true if taken (enqueued, handed to the lane, or answered), false to leave
 * it on the ring (no op or queue-pair room now).  *@cycles gets what it
 * costs, in TSC cycles, for its VM's share (share.h): the enqueue calls on
 * an accelerator, what the session's ops of its kind lately took in the lane
 * (0 before the first: then its bytes).
 */
bool vcd_ak_intake(struct vcd_worker *w, struct vcd_vm *vm, const struct vcd_chain *c,
	struct vcd_session *s, const struct vcd_req_layout *l, uint64_t *cycles);

/* Worker: answer the RSA ops that completed; how many. */
unsigned int vcd_ak_poll(struct vcd_worker *w);

/* The EMSA-PKCS1-v1_5 block of @k bytes for @digest (RFC 8017 9.2); false if it cannot be. */
bool vcd_ak_emsa_pkcs1(uint8_t hash, const uint8_t *digest, uint32_t len, uint8_t *em, uint32_t k);

#endif /* VCRYPTD_AKCIPHER_H */
