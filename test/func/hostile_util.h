/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * What the hostile-frontend tests share: a watchdog, well-behaved traffic
 * checked against OpenSSL (libvcdbench), and the raw frontend's connection.
 * Single-threaded test code; ck_assert on failure.
 */
#ifndef VCRYPTD_HOSTILE_UTIL_H
#define VCRYPTD_HOSTILE_UTIL_H

#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>

#include "vcdbench.h"
#include "vhu_raw.h"

#define TEST_LIMIT_S 60
#define ANSWER_MS    20000 /* one answer, on a loaded two-core machine */

/* $VCD_SOCK0, $VCD_SOCK1 */
extern const char *hostile_sock[2];

/* A watchdog per test: Check does not enforce tcase timeouts in CK_NOFORK mode. */
void watch(const char *what);
void watch_for(const char *what, unsigned int seconds);
void unwatch(void);

void sleep_ms(unsigned int ms);
void daemon_alive(const char *when);
void fill(uint8_t *p, size_t n, unsigned int seed);

/* A well-behaved frontend (libvcdbench) on VM @vm. */
struct vcdb *open_vm(int vm, unsigned int ring, unsigned int depth, unsigned int max_data);

struct algo_keys {
	struct vcdb_algo a;
	uint8_t ckey[32], akey[64];
	bool chain;
};

void keys_init(struct algo_keys *k, const char *algo, unsigned int seed);
int64_t session(struct vcdb *db, const struct algo_keys *k);

/* One request of a burst: what was sent and what must come back. */
struct expect {
	uint32_t len;
	uint8_t iv[16];
	uint8_t *out;     /* the reference output */
	uint8_t mac[64];  /* chains: the reference digest of the output */
	const char *what; /* for messages */
};

void expect_init(struct expect *e, const struct algo_keys *k, const uint8_t *src, uint32_t len,
	unsigned int seed, const char *what);
struct vcdb_req request(
	uint64_t sid, const struct algo_keys *k, const struct expect *e, const uint8_t *src);
void check_cpl(const struct vcdb_cpl *c, const struct algo_keys *k, const struct expect *e);
/*
 * Submit @n requests at once (request i is e[i % ne] with r[i % ne]), wait
 * for every answer and check it.  Fails as soon as the daemon is gone, or
 * when no answer comes for ANSWER_MS.
 */
void burst(struct vcdb *db, const struct vcdb_req *r, const struct expect *e, unsigned int ne,
	unsigned int n, const struct algo_keys *k);
/* A few AES-CBC requests of @len bytes on a fresh session: every answer right. */
void serves_cbc(struct vcdb *db, unsigned int n, uint32_t len, unsigned int seed, const char *what);

/*
 * Connect a raw frontend and make sure the daemon took the connection (it
 * drops a new one while it still tears down the previous one on that socket).
 */
void hostile_connect(struct vhu_raw *h, int vm, size_t mem_size);
uint16_t used_idx(const struct vring_used *u);
/* Wait up to @ms for the used index to reach @want. */
bool used_reaches(const struct vring_used *u, uint16_t want, unsigned int ms);
void kick(const struct vhu_raw *h);

#endif /* VCRYPTD_HOSTILE_UTIL_H */
