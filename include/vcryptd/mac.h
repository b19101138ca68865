/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Incremental hashes and HMACs for the large-request path (sync.h).
 *
 * DPDK's CPU-crypto API hashes a buffer in one call: a chain's hash half over
 * 1 MiB would hold the worker for one call as long as the whole hash (~0.4 ms
 * for HMAC-SHA512 here), whatever the slice.  So the hash half of a large
 * request is run here instead, in pieces as the cipher half is: the request
 * keeps a running digest state and each slice feeds it what fits.
 *
 * HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' the key (hashed
 * first if longer than a block) padded to a block.  A session keeps the states
 * after the two key blocks (vcd_mac_key, computed once at session creation),
 * so a request starts by copying the inner one: no key schedule, allocation
 * or library call per request beyond the hash itself.  A plain hash (hash
 * mode PLAIN) starts from the hash's initial state and has no outer step.
 *
 * The states are OpenSSL's own digest contexts (its SHA-NI/AVX code), copied
 * as plain structs; mac.c checks they fit.  Thread: any (no shared state).
 */
#ifndef VCRYPTD_MAC_H
#define VCRYPTD_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A running digest state: room for the largest context (SHA-512's). */
struct vcd_md_state {
	uint64_t w[28];
};

struct vcd_mac_key {
	struct vcd_md_state inner; /* after K' ^ ipad (HMAC), or the initial state (plain) */
	struct vcd_md_state outer; /* after K' ^ opad (HMAC only) */
	uint8_t algo;              /* VIRTIO_CRYPTO_HASH_* / _MAC_HMAC_* number (1..6: same) */
	bool hmac;
	uint8_t md_len; /* the full digest's length */
};

/*
 * Key @k for hash @algo (VIRTIO_CRYPTO_HASH_MD5 .. _SHA_512, numbered as the
 * HMAC ones), HMAC with @key if @hmac, else the plain hash.  Returns 0, or
 * -ENOTSUP for another algorithm.
 */
int vcd_mac_key_init(
	struct vcd_mac_key *k, uint32_t algo, bool hmac, const uint8_t *key, uint32_t key_len);

/* Forget @k's key material (the states are as good as the key). */
void vcd_mac_key_wipe(struct vcd_mac_key *k);

static inline void
vcd_mac_start(const struct vcd_mac_key *k, struct vcd_md_state *st)
{
	*st = k->inner;
}

void vcd_mac_update(
	const struct vcd_mac_key *k, struct vcd_md_state *st, const uint8_t *p, size_t len);

/* The digest (k->md_len bytes) into @out; @st is spent. */
void vcd_mac_final(const struct vcd_mac_key *k, struct vcd_md_state *st, uint8_t out[64]);

#endif /* VCRYPTD_MAC_H */
