/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* vcryptd-bench's modes (verify, throughput, malformed, latency), driven by main.c's options. */
#ifndef VCDB_RUN_H
#define VCDB_RUN_H

#include "vcdbench.h"

#define BENCH_MAX_ALGOS 32
#define BENCH_MAX_SIZES 32

enum bench_order {
	ORDER_AUTO = 0, /* cipher-then-hash to encrypt, hash-then-cipher to decrypt */
	ORDER_CIPHER_HASH,
	ORDER_HASH_CIPHER,
};

struct bench_cfg {
	const char *socket;
	struct vcdb_opts vo;
	enum vcdb_style style;
	struct vcdb_algo algos[BENCH_MAX_ALGOS];
	unsigned int nr_algos;
	uint32_t sizes[BENCH_MAX_SIZES];
	unsigned int nr_sizes;
	uint64_t ops; /* 0: mode default */
	unsigned int burst;
	uint64_t seed;
	uint32_t rand_sizes, rand_min, rand_max; /* --sizes rand:N:MIN:MAX */
	unsigned int timeout_ms;
	uint32_t dst_extra;
	enum bench_order order;
	double rate; /* latency: requests per second, 0 = closed loop */
	bool verify, malformed, json, in_place, cross_region, latency;
	enum vcdb_rsa_op rsa_op; /* throughput of RSA algorithms (--rsa-op) ... */
	bool rsa_op_set;         /* ... if given; else rsa_bench_op()'s default */
};

/* Each returns 0 when everything passed, 1 on failures, -errno when it could not run. */
/* The measured request of throughput and latency runs: encrypt @size bytes on session @sid. */
void bench_req(const struct bench_cfg *cfg, const struct vcdb_algo *a, int64_t sid, uint32_t size,
	struct vcdb_req *r);

/*
 * The encrypt session throughput and latency runs measure on (a fixed key); its id,
 * or < 0 after saying why it was refused.
 */
int64_t bench_session(struct vcdb *db, const struct vcdb_algo *a);
/* Whether @size is a request size of @a that the frontend can send. */
bool bench_size_ok(const struct bench_cfg *cfg, const struct vcdb_algo *a, uint32_t size);

int run_verify(struct vcdb *db, const struct bench_cfg *cfg);
int run_throughput(struct vcdb *db, const struct bench_cfg *cfg);
int run_malformed(struct vcdb *db, const struct bench_cfg *cfg);
int run_latency(struct vcdb *db, const struct bench_cfg *cfg);

/*
 * RSA (run_rsa.c).  rsa_verify_algo() runs and prints one algorithm's verify line; 0, or
 * -ETIMEDOUT / -EPROTO when the backend stopped answering (give up).
 */
int rsa_verify_algo(
	struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a, bool *passed);
/* Throughput: the operation measured, a key, session and request for it. */
struct rsa_bench;
enum vcdb_rsa_op rsa_bench_op(const struct bench_cfg *cfg, const struct vcdb_algo *a);
int rsa_bench_open(struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a,
	struct rsa_bench **out, struct vcdb_akc_req *r);
void rsa_bench_close(struct vcdb *db, struct rsa_bench *b);
uint32_t rsa_bench_size(const struct rsa_bench *b); /* modulus bytes: the size column */
uint64_t rsa_bench_default_ops(void);

/* The bench's data generator (splitmix64): reproducible from --seed. */
uint64_t vcdb_rng_next(uint64_t *s);
void vcdb_rng_fill(uint64_t *s, uint8_t *p, size_t n);
/*
 * A verify batch, as a busy guest sends one: jobs 0..@n-1 (at most
 * VCDB_BATCH_MAX, all prepared by the caller) submitted back to back by
 * @submit, one answer reaped whenever the ring is full (-EAGAIN), then the
 * rest waited for (@timeout_ms each); every answer goes to @check.  0, or
 * -errno: a submit failed (*@submit_failed set), or the answers stopped.
 */
#define VCDB_BATCH_MAX 256
struct vcdb_batch_ops {
	int (*submit)(void *ctx, unsigned int i);
	void (*check)(void *ctx, const struct vcdb_cpl *c);
};
int vcdb_batch_drive(struct vcdb *db, unsigned int n, unsigned int timeout_ms,
	const struct vcdb_batch_ops *ops, void *ctx, bool *submit_failed);

/* A verify line's verdict: PASS, FAIL, or FAIL (why) for a run that @stuck (-errno). */
const char *vcdb_verdict(int stuck, uint64_t bad, uint64_t ok);

#endif /* VCDB_RUN_H */
