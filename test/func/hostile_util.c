/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* What the hostile-frontend tests share (see test_hostile.c). */
#include <check.h>
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <linux/virtio_ring.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "func_util.h"
#include "hostile_util.h"

const char *hostile_sock[2];
static const char *volatile watched = "";

static void
watchdog_fired(int sig)
{
	static const char msg[] = "test_hostile: watchdog: test ran past its time limit: ";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0 ||
		write(STDERR_FILENO, watched, strlen(watched)) < 0 ||
		write(STDERR_FILENO, "\n", 1) < 0)
		_exit(3);
	_exit(2);
}

void
watch_for(const char *what, unsigned int seconds)
{
	watched = what;
	signal(SIGALRM, watchdog_fired);
	alarm(seconds);
}

void
watch(const char *what)
{
	watch_for(what, TEST_LIMIT_S);
}

void
unwatch(void)
{
	alarm(0);
}

void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

void
daemon_alive(const char *when)
{
	ck_assert_msg(func_daemon_running(), "vcryptd died %s", when);
}

void
fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

struct vcdb *
open_vm(int vm, unsigned int ring, unsigned int depth, unsigned int max_data)
{
	struct vcdb_opts o = {.ring_size = ring,
		.queue_depth = depth,
		.max_data = max_data,
		.connect_timeout_ms = 10000,
		.reply_timeout_ms = 10000};
	struct vcdb *db = NULL;
	int rc;

	/* vcdb_open retries while the daemon still tears down a previous connection. */
	rc = vcdb_open(&db, hostile_sock[vm], &o);
	ck_assert_msg(rc == 0, "VM %d: cannot connect a normal frontend: %s", vm, strerror(-rc));
	return db;
}

/* ---- well-behaved traffic ---- */

void
keys_init(struct algo_keys *k, const char *algo, unsigned int seed)
{
	ck_assert_int_eq(vcdb_algo_parse(algo, &k->a), 0);
	fill(k->ckey, sizeof(k->ckey), seed);
	fill(k->akey, sizeof(k->akey), seed + 1);
	k->chain = k->a.hash_algo != 0;
}

int64_t
session(struct vcdb *db, const struct algo_keys *k)
{
	struct vcd_sess_params p;

	vcdb_algo_session(&k->a, VIRTIO_CRYPTO_OP_ENCRYPT,
		k->chain ? VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH : 0, k->ckey, k->akey,
		&p);
	return vcdb_session_create(db, &p);
}

void
expect_init(struct expect *e, const struct algo_keys *k, const uint8_t *src, uint32_t len,
	unsigned int seed, const char *what)
{
	e->len = len;
	e->what = what;
	fill(e->iv, sizeof(e->iv), seed);
	e->out = malloc(len);
	ck_assert_ptr_nonnull(e->out);
	ck_assert_int_eq(vcdb_ref_cipher(&k->a, true, k->ckey, e->iv, src, len, e->out), 0);
	if (k->chain)
		ck_assert_int_eq(vcdb_ref_hmac(&k->a, k->akey, e->out, len, e->mac), 0);
}

struct vcdb_req
request(uint64_t sid, const struct algo_keys *k, const struct expect *e, const uint8_t *src)
{
	struct vcdb_req r = {.session_id = sid,
		.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
		.iv = e->iv,
		.iv_len = 16,
		.src = src,
		.len = e->len};

	if (k->chain) {
		r.op_type = VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING;
		r.hash_result_len = k->a.digest_len;
	}
	return r;
}

void
check_cpl(const struct vcdb_cpl *c, const struct algo_keys *k, const struct expect *e)
{
	ck_assert_msg(c->status == VIRTIO_CRYPTO_OK, "%s: status %s (%d)", e->what,
		vcdb_status_name(c->status), c->status);
	ck_assert_msg(c->dst_len == e->len && memcmp(c->dst, e->out, e->len) == 0,
		"%s: output is not %s under the session's key", e->what, k->a.name);
	if (k->chain)
		ck_assert_msg(c->digest_len == k->a.digest_len &&
				memcmp(c->digest, e->mac, k->a.digest_len) == 0,
			"%s: digest is not %s of the output", e->what, k->a.name);
}

/*
 * Submit @n requests at once (request i is e[i % ne] with r[i % ne]), wait
 * for every answer and check it.  Fails as soon as the daemon is gone, or
 * when no answer comes for ANSWER_MS.
 */
void
burst(struct vcdb *db, const struct vcdb_req *r, const struct expect *e, unsigned int ne,
	unsigned int n, const struct algo_keys *k)
{
	struct vcdb_cpl cpl[64];
	unsigned int i, done = 0, waited = 0;

	for (i = 0; i < n; i++) {
		struct vcdb_req q = r[i % ne];

		q.user = i % ne;
		ck_assert_msg(vcdb_submit(db, &q) >= 0, "%s: cannot queue request %u of %u",
			e[i % ne].what, i, n);
	}
	vcdb_flush(db);
	while (done < n) {
		int got = vcdb_wait(db, cpl, 64, 500);

		if (got == -ETIMEDOUT && waited < ANSWER_MS) {
			ck_assert_msg(func_daemon_running(),
				"%s: vcryptd died with %u of %u requests unanswered", e[0].what,
				n - done, n);
			waited += 500;
			continue;
		}
		ck_assert_msg(got > 0, "%s: %u of %u requests unanswered after %u ms (%s)",
			e[0].what, n - done, n, waited, strerror(got < 0 ? -got : 0));
		for (i = 0; i < (unsigned int)got; i++)
			check_cpl(&cpl[i], k, &e[cpl[i].user]);
		done += (unsigned int)got;
		waited = 0;
	}
}

/* A few AES-CBC requests of @len bytes on a fresh session: every answer right. */
void
serves_cbc(struct vcdb *db, unsigned int n, uint32_t len, unsigned int seed, const char *what)
{
	struct algo_keys k;
	struct expect e[4];
	struct vcdb_req r[4];
	uint8_t *src = malloc(len);
	int64_t sid;
	unsigned int i;

	ck_assert_ptr_nonnull(src);
	keys_init(&k, "aes-cbc-128", seed);
	fill(src, len, seed + 2);
	sid = session(db, &k);
	ck_assert_msg(sid >= 0, "%s: AES-CBC session refused (%lld)", what, (long long)sid);
	for (i = 0; i < 4; i++) {
		expect_init(&e[i], &k, src, len, seed + 10 + i, what);
		r[i] = request((uint64_t)sid, &k, &e[i], src);
	}
	burst(db, r, e, 4, n, &k);
	ck_assert_int_eq(vcdb_session_close(db, (uint64_t)sid), 0);
	for (i = 0; i < 4; i++)
		free(e[i].out);
	free(src);
}

/* ---- hostile frontends ---- */

/*
 * Connect a raw frontend and make sure the daemon took the connection (it
 * drops a new one while it still tears down the previous one on that socket).
 */
void
hostile_connect(struct vhu_raw *h, int vm, size_t mem_size)
{
	int i, rc = -1;

	for (i = 0; i < 100 && rc != 0; i++) {
		rc = vhu_raw_open(h, hostile_sock[vm], mem_size, 5000);
		ck_assert_msg(rc == 0, "VM %d: cannot connect: %s", vm, strerror(-rc));
		rc = vhu_raw_send(h, VHU_SET_OWNER, 0, NULL, 0, NULL, 0);
		if (rc == 0)
			rc = vhu_raw_u64(h, VHU_SET_FEATURES, 0);
		if (rc == 0)
			rc = vhu_raw_barrier(h, 5000);
		if (rc != 0) {
			vhu_raw_close(h);
			sleep_ms(100);
		}
	}
	ck_assert_msg(
		rc == 0, "VM %d: the daemon does not keep a connection: %s", vm, strerror(-rc));
}

uint16_t
used_idx(const struct vring_used *u)
{
	return __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
}

/* Wait up to @ms for the used index to reach @want. */
bool
used_reaches(const struct vring_used *u, uint16_t want, unsigned int ms)
{
	unsigned int t;

	for (t = 0; t < ms && used_idx(u) != want; t += 10)
		sleep_ms(10);
	return used_idx(u) == want;
}

void
kick(const struct vhu_raw *h)
{
	uint64_t one = 1;

	if (write(h->kick_fd, &one, sizeof(one)) < 0)
		return; /* vcryptd polls; the kick only helps */
}
