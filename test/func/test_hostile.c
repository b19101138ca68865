/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Hostile frontends against a running vcryptd ($VCD_SOCK0, $VCD_SOCK1, both
 * VMs on the one worker), from the security review's proofs of concept:
 *
 *  ring      a ring grown with SET_VRING_NUM after librte_vhost translated
 *            it for a smaller size (ring_event_idx: given event idx, which
 *            puts used->avail_event past the end): the daemon must not run it
 *            (it would walk past guest memory), and the socket must serve the
 *            next guest;
 *  postcopy  POSTCOPY_ADVISE/LISTEN then a request in a page nobody will
 *            ever provide: refused (connection dropped), and the other VM
 *            on the same worker keeps getting answers;
 *  sessions  one VM creating all the chain sessions it may: the other VM
 *            still gets all of its own (the pool holds a chain's halves);
 *  mbufs     bursts of big requests with a small mbuf pool, on the session
 *            a VM gets once it has used its whole quota: every answer right;
 *  memtable, callfd, catalogue: hostile vhost-user messages (hostile_msgs.c).
 *
 * Run through with_daemon.sh with 2 VMs and
 * VCD_DAEMON_ARGS="--set max_sessions_per_vm=20 --set mbuf_pool_size=2600".
 * A hang (a blocked worker) fails through the answer timeouts, and each test
 * has a watchdog: Check does not enforce tcase timeouts in CK_NOFORK mode.
 */
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
#include "hostile_msgs.h"
#include "hostile_util.h"

static unsigned int max_sessions = 1024; /* the daemon's default */

#define F_EVENT_IDX (1ull << 29) /* VIRTIO_RING_F_EVENT_IDX */
#define F_PROTOCOL  (1ull << 30) /* VHOST_USER_F_PROTOCOL_FEATURES */

/*
 * Rings of 2 entries in the last page of a 2 MiB guest: desc 32 bytes, avail
 * 8 (+2), used exactly 20 bytes to the end, so nothing more fits: grown to
 * 32768 entries they would reach 512 KiB, 64 KiB and 256 KiB past the end of
 * guest memory, and with event idx used->avail_event is 2 bytes past it.
 */
struct end_ring {
	struct vhu_raw h;
	struct vring_avail *avail;
	struct vring_used *used;
};

static void
end_ring_start(struct end_ring *r, uint64_t features)
{
	const size_t mem = 2u << 20;
	const uint64_t desc_off = mem - 4096, avail_off = mem - 64, used_off = mem - 20;

	hostile_connect(&r->h, 0, mem);
	r->avail = (struct vring_avail *)(r->h.mem + avail_off);
	r->used = (struct vring_used *)(r->h.mem + used_off);
	ck_assert_int_eq(vhu_raw_u64(&r->h, VHU_SET_FEATURES, features), 0);
	ck_assert_int_eq(vhu_raw_mem_table(&r->h), 0);
	ck_assert_int_eq(vhu_raw_ring(&r->h, 0, 2, desc_off, avail_off, used_off), 0);
	ck_assert_int_eq(vhu_raw_barrier(&r->h, 5000), 0);
	/* The ring as translated works: a chain of one empty descriptor gets a bare used entry. */
	r->avail->ring[0] = 0;
	__atomic_store_n(&r->avail->idx, 1, __ATOMIC_RELEASE);
	kick(&r->h);
	ck_assert_msg(used_reaches(r->used, 1, 5000),
		"the 2-entry ring never ran (used idx %u): the test would prove nothing",
		used_idx(r->used));
}

/* After the change: make chains up to @avail_idx available; none may be taken. */
static void
end_ring_check(struct end_ring *r, uint16_t avail_idx, const char *change)
{
	int rc = vhu_raw_barrier(&r->h, 5000);

	ck_assert_msg(
		rc == 0 || rc == -ECONNRESET, "no answer after %s: %s", change, strerror(-rc));
	r->avail->ring[1] = 0;
	__atomic_store_n(&r->avail->idx, avail_idx, __ATOMIC_RELEASE);
	kick(&r->h);
	sleep_ms(1000);
	daemon_alive(change);
	ck_assert_msg(used_idx(r->used) == 1,
		"the daemon ran a ring that does not fit in guest memory %s (used idx %u)", change,
		used_idx(r->used));
	vhu_raw_close(&r->h);
}

START_TEST(ring_grown_after_translation)
{
	struct end_ring r;
	struct vcdb *db;

	watch("ring_grown_after_translation");
	end_ring_start(&r, 0);
	/* Grow it; librte_vhost does not translate it again. */
	ck_assert_int_eq(vhu_raw_state(&r.h, VHU_SET_VRING_NUM, 0, 32768), 0);
	/* 29999 more chains: a daemon running the ring reads and writes past the region. */
	end_ring_check(&r, 30000, "after SET_VRING_NUM 32768");

	/* A well-behaved guest on the same socket. */
	db = open_vm(0, 256, 64, 65536);
	serves_cbc(db, 64, 4096, 100, "VM 0 after the grown ring");
	vcdb_close(db);
	daemon_alive("after the ring test");
	unwatch();
}
END_TEST

/*
 * The same with event idx turned on after translation.  With
 * VHOST_USER_F_PROTOCOL_FEATURES the queue waits for SET_VRING_ENABLE, so
 * librte_vhost does not consider the device running and accepts the change,
 * while vcryptd already runs the ring.
 */
START_TEST(ring_event_idx_after_translation)
{
	struct end_ring r;
	struct vcdb *db;

	watch("ring_event_idx_after_translation");
	end_ring_start(&r, F_PROTOCOL);
	ck_assert_int_eq(vhu_raw_u64(&r.h, VHU_SET_FEATURES, F_PROTOCOL | F_EVENT_IDX), 0);
	end_ring_check(&r, 2, "after event idx was turned on");

	db = open_vm(0, 256, 64, 65536);
	serves_cbc(db, 16, 4096, 110, "VM 0 after event idx was turned on");
	vcdb_close(db);
	daemon_alive("after the event idx test");
	unwatch();
}
END_TEST

/*
 * The reviewer's sequence: POSTCOPY_ADVISE (librte_vhost 22.11 makes a
 * userfaultfd), POSTCOPY_LISTEN, SET_MEM_TABLE with all but the first 64 KiB
 * never populated (the library registers the region with the userfaultfd),
 * then a request whose header lies in a missing page: a worker touching it
 * waits for the frontend, forever.  Returns whether ADVISE was refused by
 * dropping the connection; goes on with the attack when it was not.
 */
static bool
postcopy_attack(struct vhu_raw *h)
{
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vhu_raw_msg m;
	int rc;

	hostile_connect(h, 0, 4u << 20);
	ck_assert_int_eq(vhu_raw_send(h, VHU_POSTCOPY_ADVISE, 0, NULL, 0, NULL, 0), 0);
	rc = vhu_raw_recv(h, &m, 5000);
	if (m.fd >= 0)
		close(m.fd); /* the daemon's userfaultfd */
	if (rc == -ECONNRESET)
		return true;
	ck_assert_msg(rc == 0, "POSTCOPY_ADVISE: neither refused nor answered: %s", strerror(-rc));
	vhu_raw_send(h, VHU_POSTCOPY_LISTEN, 0, NULL, 0, NULL, 0);
	memset(h->mem, 0, 65536);
	vhu_raw_mem_table(h);
	if (vhu_raw_recv(h, &m, 5000) == 0) /* the library's addresses; it waits for an ack */
		vhu_raw_send(h, VHU_SET_MEM_TABLE, 0, NULL, 0, NULL, 0);
	vhu_raw_ring(h, 0, 256, 0x0000, 0x1000, 0x2000);
	vhu_raw_barrier(h, 5000);
	desc = (struct vring_desc *)h->mem;
	avail = (struct vring_avail *)(h->mem + 0x1000);
	desc[0] = (struct vring_desc){
		.addr = 0x200000, .len = 72, .flags = VRING_DESC_F_NEXT, .next = 1};
	desc[1] = (struct vring_desc){.addr = 0x8000, .len = 1, .flags = VRING_DESC_F_WRITE};
	avail->ring[0] = 0;
	__atomic_store_n(&avail->idx, 1, __ATOMIC_RELEASE);
	kick(h);
	return false;
}

/* A postcopy request on its own: refused means dropped, or a failure ack with NEED_REPLY. */
static void
expect_refused(uint32_t request, uint32_t flags)
{
	struct vhu_raw_msg m;
	struct vhu_raw h;
	uint64_t ack = 0;
	int rc;

	hostile_connect(&h, 0, 1u << 20);
	ck_assert_int_eq(vhu_raw_send(&h, request, flags, NULL, 0, NULL, 0), 0);
	rc = vhu_raw_recv(&h, &m, 3000);
	if (m.fd >= 0)
		close(m.fd);
	if (rc == 0 && m.hdr.size == sizeof(ack))
		memcpy(&ack, m.payload, sizeof(ack));
	ck_assert_msg(rc == -ECONNRESET || (rc == 0 && ack != 0),
		"vhost-user request %u (flags %#x) accepted: %s, reply of %u bytes, value %llu",
		request, flags, rc == 0 ? "answered" : strerror(-rc), m.hdr.size,
		(unsigned long long)ack);
	vhu_raw_close(&h);
}

START_TEST(postcopy_refused)
{
	struct vhu_raw h;
	struct vcdb *other, *db;
	bool dropped;
	int round;

	watch("postcopy_refused");
	/* VM 1 shares the worker with VM 0 (one worker). */
	other = open_vm(1, 256, 32, 65536);
	serves_cbc(other, 8, 1024, 200, "VM 1 before the postcopy attack");

	dropped = postcopy_attack(&h);
	/* While the hostile frontend holds its connection (and userfaultfd) open. */
	for (round = 0; round < 3; round++) {
		serves_cbc(other, 16, 1024, 210 + round, "VM 1 during the postcopy attack");
		sleep_ms(200);
	}
	daemon_alive("during the postcopy attack");
	ck_assert_msg(dropped, "POSTCOPY_ADVISE answered instead of refused");
	vhu_raw_close(&h);

	expect_refused(VHU_POSTCOPY_LISTEN, 0);
	expect_refused(VHU_POSTCOPY_END, 0);
	expect_refused(VHU_POSTCOPY_ADVISE, VHU_FLAG_NEED_REPLY);
	expect_refused(VHU_POSTCOPY_LISTEN, VHU_FLAG_NEED_REPLY);

	serves_cbc(other, 16, 1024, 220, "VM 1 after the postcopy attack");
	vcdb_close(other);
	db = open_vm(0, 256, 32, 65536);
	serves_cbc(db, 16, 1024, 230, "VM 0 after the postcopy attack");
	vcdb_close(db);
	daemon_alive("after the postcopy test");
	unwatch();
}
END_TEST

/* Create chain sessions on @db until refused (at most @limit); the last id in *@last. */
static unsigned int
fill_sessions(struct vcdb *db, const struct algo_keys *k, unsigned int limit, int64_t *last)
{
	unsigned int n;
	int64_t id = 0;

	*last = -1;
	for (n = 0; n < limit; n++) {
		id = session(db, k);
		if (id < 0)
			break;
		*last = id;
	}
	ck_assert_msg(n == limit || id == -EREMOTEIO, "session %u: no answer from the daemon: %s",
		n, strerror((int)-id));
	return n;
}

/* One chain request of each of two sizes on session @sid: right answers. */
static void
serves_chain(struct vcdb *db, const struct algo_keys *k, int64_t sid, const char *what)
{
	static const uint32_t lens[2] = {4096, 1u << 20};
	uint8_t *src = malloc(lens[1]);
	struct expect e[2];
	struct vcdb_req r[2];
	unsigned int i;

	ck_assert_ptr_nonnull(src);
	fill(src, lens[1], 300);
	for (i = 0; i < 2; i++) {
		expect_init(&e[i], k, src, lens[i], 310 + i, what);
		r[i] = request((uint64_t)sid, k, &e[i], src);
		r[i].src_split = r[i].dst_split = lens[i];
	}
	burst(db, r, e, 2, 2, k);
	for (i = 0; i < 2; i++)
		free(e[i].out);
	free(src);
}

START_TEST(session_pool_shared)
{
	struct algo_keys k;
	struct vcdb *a, *b;
	unsigned int na, nb;
	int64_t last_a, last_b;

	watch("session_pool_shared");
	keys_init(&k, "aes-cbc-128-hmac-sha1", 400);
	a = open_vm(0, 256, 8, 1u << 20);
	b = open_vm(1, 256, 8, 1u << 20);
	/* VM A takes everything it can, and a few more tries. */
	na = fill_sessions(a, &k, max_sessions + 4, &last_a);
	nb = fill_sessions(b, &k, max_sessions, &last_b);
	ck_assert_msg(nb == max_sessions,
		"VM B could create only %u of its %u chain sessions once VM A had %u", nb,
		max_sessions, na);
	ck_assert_msg(na == max_sessions, "VM A got %u chain sessions, its limit is %u", na,
		max_sessions);
	serves_chain(b, &k, last_b, "VM B's last chain session");
	serves_chain(a, &k, last_a, "VM A's last chain session");
	vcdb_close(a);
	vcdb_close(b);
	daemon_alive("after the session pool test");
	unwatch();
}
END_TEST

/*
 * Big chain requests in one burst on the session a VM gets once it has used
 * all it may.  Before the fixes the session pool ran out there, the last
 * session had no halves for the synchronous path, and its 3 MiB requests went
 * to the cryptodev as mbufs: 98 each, 32 at once against a pool of 2600,
 * while the worker reserved 8 per request.
 */
static void
big_chain_bursts(void)
{
	const uint32_t len = 3u << 20;
	struct algo_keys k;
	struct expect e[4];
	struct vcdb_req r[4];
	struct vcdb *db;
	uint8_t *src = malloc(len);
	int64_t last;
	unsigned int i, n;

	ck_assert_ptr_nonnull(src);
	keys_init(&k, "aes-cbc-128-hmac-sha1", 500);
	fill(src, len, 501);
	db = open_vm(0, 64, 32, len);
	n = fill_sessions(db, &k, max_sessions, &last);
	ck_assert_msg(last >= 0, "no chain session at all (%u)", n);
	for (i = 0; i < 4; i++) {
		expect_init(&e[i], &k, src, len, 510 + i, "3 MiB chain requests, 32 at once");
		r[i] = request((uint64_t)last, &k, &e[i], src);
		r[i].in_place = true;
		r[i].src_split = r[i].dst_split = len;
	}
	for (i = 0; i < 2; i++)
		burst(db, r, e, 4, 32, &k);
	vcdb_close(db);
	for (i = 0; i < 4; i++)
		free(e[i].out);
	free(src);
}

/*
 * Bursts of 128 on the queue-pair path: 60 KiB requests scattered over 120
 * source descriptors (the worker takes one only with some 140 mbufs free,
 * about a twentieth of the pool), mixed with 1 MiB ones (synchronous path).
 * On crypto_aesni_mb big requests never reach the mbufs, so this is coverage
 * of the reserve under load rather than a reproducer; big_chain_bursts() is.
 */
static void
mixed_bursts(void)
{
	const uint32_t big = 1u << 20, small = 60u << 10;
	struct algo_keys k;
	struct expect e[4];
	struct vcdb_req r[4];
	struct vcdb *db;
	uint8_t *src = malloc(big);
	int64_t sid;
	unsigned int i;

	ck_assert_ptr_nonnull(src);
	keys_init(&k, "aes-cbc-128", 600);
	fill(src, big, 601);
	db = open_vm(1, 256, 128, big);
	sid = session(db, &k);
	ck_assert_msg(sid >= 0, "AES-CBC session refused (%lld)", (long long)sid);
	for (i = 0; i < 4; i++) {
		bool large = i == 3;

		expect_init(&e[i], &k, src, large ? big : small, 610 + i,
			large ? "1 MiB requests in bursts of 128"
			      : "60 KiB requests in bursts of 128");
		r[i] = request((uint64_t)sid, &k, &e[i], src);
		if (large)
			r[i].src_split = r[i].dst_split = big;
		else
			r[i].src_split = 512;
	}
	for (i = 0; i < 4; i++)
		burst(db, r, e, 4, 128, &k);
	vcdb_close(db);
	for (i = 0; i < 4; i++)
		free(e[i].out);
	free(src);
}

START_TEST(mbuf_reserve_big_bursts)
{
	watch("mbuf_reserve_big_bursts");
	big_chain_bursts();
	daemon_alive("after bursts of 3 MiB chain requests");
	mixed_bursts();
	daemon_alive("after bursts of 60 KiB and 1 MiB requests");
	unwatch();
}
END_TEST

static unsigned int
daemon_setting(const char *key, unsigned int def)
{
	const char *args = getenv("VCD_DAEMON_ARGS");
	const char *p = args != NULL ? strstr(args, key) : NULL;

	return p != NULL && p[strlen(key)] == '=' ? (unsigned int)atoi(p + strlen(key) + 1) : def;
}

static void
add_case(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, TEST_LIMIT_S);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

int
main(void)
{
	const struct {
		const char *name;
		const TTest *test;
	} cases[] = {
		{"ring", ring_grown_after_translation},
		{"ring_event_idx", ring_event_idx_after_translation},
		{"postcopy", postcopy_refused},
		{"sessions", session_pool_shared},
		{"mbufs", mbuf_reserve_big_bursts},
	};
	Suite *s = suite_create("hostile");
	const TTest *test;
	const char *name;
	size_t i;
	int failed;

	hostile_sock[0] = getenv("VCD_SOCK0");
	hostile_sock[1] = getenv("VCD_SOCK1");
	if (hostile_sock[0] == NULL || hostile_sock[1] == NULL) {
		fprintf(stderr, "run me through test/func/with_daemon.sh with 2 VMs\n");
		return 1;
	}
	max_sessions = daemon_setting("max_sessions_per_vm", max_sessions);
	/* One case per attack, so that CK_RUN_CASE=ring (etc.) runs one alone. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		add_case(s, cases[i].name, cases[i].test);
	for (i = 0; (test = hostile_msgs_test((unsigned int)i, &name)) != NULL; i++)
		add_case(s, name, test);
	failed = func_run_suite(s);
	unwatch();
	return failed;
}
