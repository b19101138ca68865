/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Per-VM session table.  A session id is (generation << 32 | slot): ids are
 * private to one VM's table, so a VM can never name another VM's session, and
 * a closed id stays invalid after its slot is reused.
 *
 * Threads: create/unpublish/destroy run on the control (vhost) thread; the
 * owning worker only calls vcd_sess_lookup() and counts in-flight ops in
 * s->inflight.  A session is published with a release store after it is
 * complete; on close it is unpublished first and destroyed only once its
 * worker has passed a quiescent point and s->inflight is zero.
 */
#ifndef VCRYPTD_SESSION_H
#define VCRYPTD_SESSION_H

#include <stdint.h>

#include "vcryptd/calibrate.h"
#include "vcryptd/config.h"
#include "vcryptd/exec.h"
#include "vcryptd/session_msg.h"

struct vcd_ak_session;
struct vcd_mac_key;

struct vcd_session {
	uint64_t id;
	/* The session as one cryptodev session, per backend; NULL where it cannot run so. */
	void *cs[VCD_MAX_BACKENDS];
	/*
	 * Chains as two sessions, for the synchronous path (sync.h) on backends
	 * with CPU crypto: requests over 64 KiB (run in chunks) and chains the
	 * PMD refuses as one session (aesni_mb has no decrypt + hash-generate).
	 */
	void *cs_cipher[VCD_MAX_BACKENDS];
	void *cs_auth[VCD_MAX_BACKENDS];
	uint8_t backend;     /* first eligible backend: the only one when there is one */
	uint16_t small_mask; /* backends that can run requests of up to 64 KiB (bit per index) */
	uint16_t large_mask; /* ... and larger ones */
	/* How each backend runs requests up to 64 KiB [0] and over [1] (exec.h, enum vcd_exec). */
	uint8_t exec[VCD_MAX_BACKENDS][2];
	uint8_t mode; /* enum vcd_cipher_mode: how a request is cut into chunks */
	uint8_t encrypt;
	uint8_t block;   /* cipher block size */
	uint8_t op_type; /* VIRTIO_CRYPTO_SYM_OP_* */
	uint8_t chain_order;
	uint16_t iv_len;
	uint16_t digest_len;
	uint32_t inflight; /* written by the owning worker only */
	/* Cycles per byte x 16 of its cipher on the synchronous path, as measured (worker). */
	uint32_t sync_cpb16;
	/* ... and of its hash half there (chains: large requests hash through mac). */
	uint32_t sync_hash_cpb16;
	/* Chains: the hash half as an incremental MAC, for large requests (mac.h); else NULL. */
	struct vcd_mac_key *mac;
	/* What one of its requests costs on each backend, for sharing (calibrate.h). */
	struct vcd_cost cost[VCD_MAX_BACKENDS];
	/* An akcipher (RSA) session: what it is instead (akcipher.h); NULL: symmetric. */
	struct vcd_ak_session *ak;
};

enum vcd_cipher_mode {
	VCD_MODE_WHOLE = 0, /* cannot be cut (XTS...): one piece */
	VCD_MODE_ECB,
	VCD_MODE_CBC,
	VCD_MODE_CTR,
};

struct vcd_sess_table {
	uint32_t max;
	uint32_t count;
	uint32_t hint;
	struct vcd_session **slots;
	uint32_t *gen;
};

/*
 * @epoch seeds the generations (e.g. the connection count), so ids handed out
 * on an earlier connection of the same VM never name a session of this one.
 */
int vcd_sess_table_init(struct vcd_sess_table *t, uint32_t max, uint32_t epoch);
/* Destroy every session; caller guarantees no worker uses the table. */
void vcd_sess_table_fini(struct vcd_sess_table *t);

/*
 * Create a session from a guest's parameters on every eligible backend.
 * Returns 0 and the id, or -ENOTSUP (no backend can run it), -EINVAL
 * (malformed parameters), -ENOSPC (table full), -ENOMEM.
 */
int vcd_sess_create(struct vcd_sess_table *t, const struct vcd_sess_params *p, uint64_t *id,
	const char *vm_name);

/* Remove @id from the table; returns the session to destroy later, or NULL. */
struct vcd_session *vcd_sess_unpublish(struct vcd_sess_table *t, uint64_t id);
void vcd_sess_destroy(struct vcd_session *s);

static inline struct vcd_session *
vcd_sess_lookup(const struct vcd_sess_table *t, uint64_t id)
{
	uint32_t slot = (uint32_t)id;
	struct vcd_session *s;

	if (slot >= t->max)
		return NULL;
	s = __atomic_load_n(&t->slots[slot], __ATOMIC_ACQUIRE);
	return (s != NULL && s->id == id) ? s : NULL;
}

#endif /* VCRYPTD_SESSION_H */
