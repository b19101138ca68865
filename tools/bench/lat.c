/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Latency mode: per-request time from just before vcdb_submit() to the poll that reaps the
 * completion (CLOCK_MONOTONIC), for one (algorithm, size) at a time.
 *
 * Closed loop (--rate 0, the default): up to queue-depth requests in flight, a new one
 * submitted and kicked as soon as a slot is free; --queue-depth 1 is the classic
 * one-request-at-a-time latency.  Open loop (--rate OPS): requests are due at fixed
 * intervals of 1/OPS seconds whether or not earlier ones have come back (queue-depth
 * bounds what may be in flight); a request submitted more than 10 us after it was due is
 * counted as late, so a client that could not keep the pace shows.
 *
 * The first requests (a tenth, at most 1000) warm up caches and are not recorded.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"

#define LAT_POLL_MAX 64
#define LAT_LATE_NS  10000 /* open loop: submitted this late counts as late */

struct lat {
	uint64_t *ns;       /* latencies of the recorded requests */
	uint64_t *t_submit; /* submit time of the request in each slot (tag) */
	uint64_t ops, warmup, recorded, errors, late;
	uint64_t t_start, t_end; /* first and last recorded request */
	bool stuck;
};

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Reap what is there; record the latency of requests past the warm-up. */
static int
lat_reap(struct vcdb *db, struct lat *l, uint64_t *done)
{
	struct vcdb_cpl cpl[LAT_POLL_MAX];
	uint64_t t;
	int n, i;

	n = vcdb_poll(db, cpl, LAT_POLL_MAX);
	if (n <= 0)
		return n;
	t = now_ns();
	for (i = 0; i < n; i++) {
		l->errors += cpl[i].status != VIRTIO_CRYPTO_OK;
		if (*done >= l->warmup) {
			if (l->recorded == 0)
				l->t_start = l->t_submit[cpl[i].tag];
			l->ns[l->recorded++] = t - l->t_submit[cpl[i].tag];
		}
		(*done)++;
	}
	l->t_end = t;
	return n;
}

/* Stage one request stamped @t; 0 when every slot is busy. */
static int
lat_submit_one(struct vcdb *db, const struct vcdb_req *r, struct lat *l, uint64_t t)
{
	int tag;

	tag = vcdb_submit(db, r);
	if (tag == -EAGAIN)
		return 0;
	if (tag < 0)
		return tag;
	l->t_submit[tag] = t;
	return 1;
}

/*
 * Each round stages what is due (closed loop: whatever the queue depth allows), kicks once,
 * then reaps.  Requests staged in one round share one timestamp, taken before the first.
 */
static int
lat_loop(struct vcdb *db, const struct vcdb_req *r, const struct bench_cfg *cfg, struct lat *l)
{
	uint64_t total = l->ops + l->warmup, sent = 0, done = 0, last_progress = now_ns();
	uint64_t interval = cfg->rate > 0 ? (uint64_t)(1e9 / cfg->rate) : 0;
	uint64_t due = now_ns(), t;
	int n, staged;

	while (done < total) {
		t = now_ns();
		staged = 0;
		while (sent < total && (interval == 0 || t >= due)) {
			n = lat_submit_one(db, r, l, t);
			if (n < 0)
				return n;
			if (n == 0)
				break; /* queue depth reached: submit when a slot frees */
			if (interval != 0) {
				l->late += sent >= l->warmup && t - due > LAT_LATE_NS;
				due += interval;
			}
			sent++;
			staged++;
		}
		if (staged > 0 && (n = vcdb_flush(db)) < 0)
			return n;
		n = lat_reap(db, l, &done);
		if (n < 0)
			return n;
		if (n > 0 || done == sent) {
			last_progress = now_ns();
			continue;
		}
		if (now_ns() - last_progress > (uint64_t)cfg->timeout_ms * 1000000ull)
			return -ETIMEDOUT;
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted @v, in microseconds. */
static double
pct_us(const uint64_t *v, uint64_t n, double q)
{
	uint64_t k = (uint64_t)(q * (double)n + 0.999999);

	if (n == 0)
		return 0;
	k = k == 0 ? 1 : k > n ? n : k;
	return (double)v[k - 1] / 1e3;
}

static void
lat_print(const struct bench_cfg *cfg, const struct vcdb_algo *a, uint32_t size, struct lat *l)
{
	uint64_t n = l->recorded, sum = 0, i;
	double secs = n ? (double)(l->t_end - l->t_start) / 1e9 : 0;
	double mops = secs > 0 ? (double)n / secs / 1e6 : 0;
	double mean;

	qsort(l->ns, n, sizeof(l->ns[0]), cmp_u64);
	for (i = 0; i < n; i++)
		sum += l->ns[i];
	mean = n ? (double)sum / (double)n / 1e3 : 0;
	if (cfg->json) {
		printf("{\"mode\":\"latency\",\"algo\":\"%s\",\"size\":%u,\"queue_depth\":%u,"
		       "\"rate_mops\":%.4f,\"ops\":%" PRIu64 ",\"seconds\":%.6f,\"mops\":%.4f,"
		       "\"min_us\":%.3f,\"mean_us\":%.3f,\"p50_us\":%.3f,\"p90_us\":%.3f,"
		       "\"p99_us\":%.3f,\"p999_us\":%.3f,\"max_us\":%.3f,\"errors\":%" PRIu64
		       ",\"late\":%" PRIu64 ",\"style\":\"%s\",\"stuck\":%s}\n",
			a->name, size, cfg->vo.queue_depth, cfg->rate / 1e6, n, secs, mops,
			pct_us(l->ns, n, 0), mean, pct_us(l->ns, n, 0.5), pct_us(l->ns, n, 0.9),
			pct_us(l->ns, n, 0.99), pct_us(l->ns, n, 0.999), pct_us(l->ns, n, 1),
			l->errors, l->late, vcdb_style_name(cfg->style),
			l->stuck ? "true" : "false");
		return;
	}
	printf("%-26s %7u %5u %9.4f %9" PRIu64
	       " %9.4f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %7" PRIu64 " %7" PRIu64 "%s\n",
		a->name, size, cfg->vo.queue_depth, cfg->rate / 1e6, n, mops, pct_us(l->ns, n, 0),
		mean, pct_us(l->ns, n, 0.5), pct_us(l->ns, n, 0.99), pct_us(l->ns, n, 0.999),
		pct_us(l->ns, n, 1), l->errors, l->late, l->stuck ? "  STUCK" : "");
}

static int
lat_one(struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a, int64_t sid,
	uint32_t size, struct lat *l)
{
	struct vcdb_req r;
	int rc;

	bench_req(cfg, a, sid, size, &r);
	l->ops = cfg->ops ? cfg->ops : 20000;
	l->warmup = l->ops / 10 < 1000 ? l->ops / 10 : 1000;
	l->ns = calloc(l->ops + LAT_POLL_MAX, sizeof(*l->ns));
	if (l->ns == NULL)
		return -ENOMEM;
	rc = lat_loop(db, &r, cfg, l);
	l->stuck = rc == -ETIMEDOUT;
	lat_print(cfg, a, size, l);
	free(l->ns);
	l->ns = NULL;
	return rc;
}

static int
lat_algo(
	struct vcdb *db, const struct bench_cfg *cfg, const struct vcdb_algo *a, uint64_t *t_submit)
{
	struct lat l;
	unsigned int i;
	int64_t sid = bench_session(db, a);
	int rc = 0, bad = 0;

	if (sid < 0)
		return 1;
	for (i = 0; i < cfg->nr_sizes && rc == 0; i++) {
		if (!bench_size_ok(cfg, a, cfg->sizes[i]))
			continue;
		memset(&l, 0, sizeof(l));
		l.t_submit = t_submit;
		rc = lat_one(db, cfg, a, sid, cfg->sizes[i], &l);
		bad |= l.errors != 0 || rc != 0;
	}
	vcdb_session_close(db, (uint64_t)sid);
	return rc == -ETIMEDOUT ? rc : bad;
}

int
run_latency(struct vcdb *db, const struct bench_cfg *cfg)
{
	uint64_t *t_submit;
	unsigned int i;
	int rc = 0, bad = 0;

	t_submit = calloc(cfg->vo.queue_depth, sizeof(*t_submit));
	if (t_submit == NULL)
		return 1;
	if (!cfg->json)
		printf("%-26s %7s %5s %9s %9s %9s %9s %9s %9s %9s %9s %9s %7s %7s\n", "algo",
			"size", "qd", "rate_Mops", "ops", "Mops", "min_us", "mean_us", "p50_us",
			"p99_us", "p99.9_us", "max_us", "errors", "late");
	for (i = 0; i < cfg->nr_algos && rc != -ETIMEDOUT; i++) {
		rc = lat_algo(db, cfg, &cfg->algos[i], t_submit);
		bad |= rc != 0;
	}
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "latency: the backend stopped answering\n");
	free(t_submit);
	return bad ? 1 : 0;
}
