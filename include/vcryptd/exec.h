/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The execution plan of a session's requests on one backend, chosen by one
 * pure predicate, vcd_exec_plan().  session.c stores its result per backend
 * when a session is created (vcd_session.exec[], and the small/large masks
 * derived from it); calibrate.c measures each backend the way the plan says
 * it runs; the worker reads the stored plan once per request (dispatch.h).
 * Nothing else decides how a request runs.
 */
#ifndef VCRYPTD_EXEC_H
#define VCRYPTD_EXEC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Largest request sent to a cryptodev queue pair as one mbuf segment each
 * way.  Bigger ones run through the synchronous CPU crypto API where the
 * backend has it: an mbuf segment holds at most 64 KiB, and crypto_aesni_mb
 * 22.11 truncates the length of a multi-segment result to 16 bits when it
 * copies it back; elsewhere as scatter-gather mbufs.
 */
#define VCD_ASYNC_MAX_DATA 65535

enum vcd_exec {
	VCD_EXEC_NONE = 0,   /* the backend cannot run it */
	VCD_EXEC_QP,         /* a cryptodev op on the worker's queue pair */
	VCD_EXEC_SYNC,       /* the synchronous API, one request at a time (uncuttable ciphers) */
	VCD_EXEC_SYNC_BATCH, /* the synchronous API, in the worker's batch (sync.h) */
};

static inline bool
vcd_is_large(uint32_t len)
{
	return len > VCD_ASYNC_MAX_DATA;
}

/* What a session has on one backend, and what the backend can do (the predicate's input). */
struct vcd_exec_in {
	bool whole;       /* one cryptodev session runs it */
	bool halves;      /* a chain's cipher and hash halves (synchronous path only) */
	bool cipher_only; /* cipher request, not a chain */
	bool cuttable;    /* the cipher can be cut into pieces (not VCD_MODE_WHOLE) */
	bool cpu_crypto;  /* the backend has the synchronous API */
	bool sgl;         /* it takes this session's requests as scatter-gather mbufs */
};

/* The predicate: how a backend runs a session's requests up to 64 KiB (!@large) or over. */
static inline enum vcd_exec
vcd_exec_plan(const struct vcd_exec_in *in, bool large)
{
	if (!in->whole)
		return !in->halves     ? VCD_EXEC_NONE
			: in->cuttable ? VCD_EXEC_SYNC_BATCH
				       : VCD_EXEC_SYNC;
	if (!large)
		return VCD_EXEC_QP;
	/* An mbuf segment holds < 64 KiB: the synchronous API where there is one. */
	if (in->cpu_crypto && (in->cipher_only || in->halves))
		return in->cuttable ? VCD_EXEC_SYNC_BATCH : VCD_EXEC_SYNC;
	return in->sgl ? VCD_EXEC_QP : VCD_EXEC_NONE;
}

static inline bool
vcd_exec_is_sync(uint8_t e)
{
	return e == VCD_EXEC_SYNC || e == VCD_EXEC_SYNC_BATCH;
}

#endif /* VCRYPTD_EXEC_H */
