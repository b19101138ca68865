/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Guest memory under attack from its own frontend ($VCD_SOCK0), beside a
 * well-behaved VM ($VCD_SOCK1) whose results are checked against OpenSSL
 * throughout (hostile_util.c):
 *
 * sigbus  The frontend shrinks its guest memory file after the daemon mapped
 *         it: a request is written, the file cut back to the ring alone, then
 *         the avail index published, so the worker walks the chain into pages
 *         that no longer exist.  The SIGBUS must cost only that frontend its
 *         connection (guard.h): the daemon lives, says what happened, the
 *         other VM is served, the socket takes a new connection.  Before
 *         guard.c the worker died of SIGBUS and every VM with it.
 * toctou  A thread of the frontend scribbles without pause over its own
 *         descriptor table (addresses, lengths, flags, next), avail entries and
 *         request slots (headers, IVs, lengths, data) while the main thread
 *         keeps moving the avail index, forwards and now and then back.  The
 *         daemon reads each guest value once and acts only on what it checked
 *         (vring.c copies each descriptor out once, vcreq.c the header): it
 *         stays up and serves both sockets afterwards.  Under the sanitizer
 *         build (scripts/test.sh) a write outside guest memory into the
 *         daemon's heap would abort it.  No bug was found by this test.
 *
 * CK_RUN_CASE=sigbus|toctou runs one.
 */
#include <check.h>
#include <linux/virtio_crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "func_util.h"
#include "hostile_util.h"
#include "vcdb_internal.h"
#include "vcdbench.h"

#define LEN    1024
#define SECS   4
#define ROUNDS 2

static atomic_bool scribbling;

/* Whether the daemon's log has @what yet (within @ms). */
static bool
log_says(const char *what, unsigned int ms)
{
	char path[4096], line[1024];
	unsigned int waited;

	snprintf(path, sizeof(path), "%s/daemon.log", getenv("VCD_DIR"));
	for (waited = 0; waited <= ms; waited += 50) {
		FILE *f = fopen(path, "r");
		bool found = false;

		while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
			found = strstr(line, what) != NULL;
		if (f != NULL)
			fclose(f);
		if (found)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

START_TEST(shrunk_memory_costs_only_its_vm)
{
	uint8_t iv[16] = {0}, src[LEN] = {0};
	struct vcdb *victim, *other;
	struct algo_keys k;
	struct vcdb_req r;
	uint64_t ring_end;
	int64_t sid;

	watch("sigbus");
	victim = open_vm(0, 0, 8, 65536);
	other = open_vm(1, 0, 8, 65536);
	serves_cbc(victim, 4, LEN, 1, "the victim before its memory shrinks");
	serves_cbc(other, 4, LEN, 2, "the other VM before");
	keys_init(&k, "aes-cbc-128", 3);
	sid = session(victim, &k);
	ck_assert(sid >= 0);

	/* Written but not yet published; then everything after the ring is cut off. */
	r = (struct vcdb_req){.session_id = (uint64_t)sid,
		.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
		.iv = iv,
		.iv_len = 16,
		.src = src,
		.len = LEN};
	ck_assert_int_ge(vcdb_submit(victim, &r), 0);
	ring_end = VCDB_ALIGN(victim->mem.slots_gpa, VCDB_PAGE);
	ck_assert_uint_lt(ring_end, victim->mem.r[0].size);
	ck_assert_int_eq(ftruncate(victim->mem.r[0].fd, (off_t)ring_end), 0);
	ck_assert_int_eq(vcdb_flush(victim), 0); /* avail idx: in the ring, still backed */

	ck_assert_msg(log_says("SIGBUS contained", 5000),
		"the daemon did not report the lost guest memory");
	daemon_alive("after the frontend's SIGBUS");
	/* Never touch the lost pages from here: this process would fault too. */
	vcdb_abort(victim);

	/* The other VM never noticed; the cut one's socket serves a new frontend. */
	serves_cbc(other, 8, LEN, 10, "the other VM after the fault");
	victim = open_vm(0, 0, 8, 65536);
	serves_cbc(victim, 4, LEN, 4, "a new frontend on the victim's socket");
	vcdb_close(victim);
	vcdb_close(other);
	unwatch();
}
END_TEST

/* xorshift: cheap, and each scribbler its own stream. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The hostile thread: random writes over the ring and the request slots, until told to stop. */
static void *
scribble(void *arg)
{
	struct vcdb *db = arg;
	struct vcdb_vq *vq = &db->vq[0];
	uint64_t s = 0x9e3779b97f4a7c15ull, slots = db->mem.slots_gpa;
	uint64_t slot_bytes = db->mem.r[0].size - slots;

	while (atomic_load(&scribbling)) {
		uint64_t r = rnd(&s);
		uint16_t i = (uint16_t)(r % vq->num);

		switch ((r >> 16) % 8) {
		case 0: /* an address anywhere: inside, outside, straddling */
			vq->desc[i].addr = rnd(&s) % (2 * db->mem.size);
			break;
		case 1:
			vq->desc[i].len = (uint32_t)rnd(&s);
			break;
		case 2:
			vq->desc[i].flags ^= (uint16_t)(1u << (rnd(&s) % 3));
			break;
		case 3:
			vq->desc[i].next = (uint16_t)rnd(&s);
			break;
		case 4:
			vq->avail->ring[i] = (uint16_t)rnd(&s);
			break;
		default: { /* headers, lengths, IVs, data: any byte of the request slots */
			uint8_t *p = db->mem.base + slots + rnd(&s) % slot_bytes;

			*p ^= (uint8_t)(1u << (r % 8));
			break;
		}
		}
	}
	return NULL;
}

START_TEST(guest_rewrites_what_the_daemon_reads)
{
	uint8_t iv[16] = {0}, src[LEN] = {0};
	struct vcdb *good;
	struct algo_keys key;
	unsigned int round, k = 0;

	watch("toctou");
	good = open_vm(1, 0, 64, 65536);
	keys_init(&key, "aes-cbc-128", 5);
	for (round = 0; round < ROUNDS; round++) {
		struct vcdb *bad = open_vm(0, 0, 32, 65536);
		int64_t sid = session(bad, &key);
		struct vcdb_req r = {.session_id = (uint64_t)sid,
			.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
			.iv = iv,
			.iv_len = 16,
			.src = src,
			.len = LEN};
		pthread_t t;
		time_t end;

		ck_assert(sid >= 0);
		while (vcdb_submit(bad, &r) >=
			0) /* fill every slot once, then keep re-publishing */
			;
		vcdb_flush(bad);
		atomic_store(&scribbling, true);
		ck_assert_int_eq(pthread_create(&t, NULL, scribble, bad), 0);
		end = time(NULL) + SECS;
		while (time(NULL) < end) {
			struct vcdb_vq *vq = &bad->vq[0];
			uint16_t idx = vq->avail->idx;

			/* Mostly forward by up to a ring; now and then backwards. */
			idx = k % 97 == 0 ? (uint16_t)(idx - 3u)
					  : (uint16_t)(idx + 1u + k % vq->num);
			__atomic_store_n(&vq->avail->idx, idx, __ATOMIC_RELEASE);
			if (k++ % 64 == 0)
				serves_cbc(
					good, 1, LEN, k, "the other VM while the guest scribbles");
		}
		atomic_store(&scribbling, false);
		pthread_join(t, NULL);
		daemon_alive("after a scribbling guest");
		vcdb_abort(bad); /* its ring is garbage: just go */
	}
	/* The scribbler's socket serves a well-behaved frontend again. */
	{
		struct vcdb *again = open_vm(0, 0, 8, 65536);

		serves_cbc(again, 4, LEN, 7, "a new frontend on the scribbler's socket");
		vcdb_close(again);
	}
	serves_cbc(good, 4, LEN, 9, "the other VM at the end");
	vcdb_close(good);
	unwatch();
}
END_TEST

static Suite *
guestmem_suite(void)
{
	Suite *s = suite_create("guestmem");
	TCase *a = tcase_create("sigbus"), *b = tcase_create("toctou");

	tcase_add_test(a, shrunk_memory_costs_only_its_vm);
	tcase_add_test(b, guest_rewrites_what_the_daemon_reads);
	suite_add_tcase(s, a);
	suite_add_tcase(s, b);
	return s;
}

int
main(void)
{
	int failed;

	hostile_sock[0] = getenv("VCD_SOCK0");
	hostile_sock[1] = getenv("VCD_SOCK1");
	if (hostile_sock[0] == NULL || hostile_sock[1] == NULL) {
		fprintf(stderr, "run me through test/func/with_daemon.sh with 2 VMs\n");
		return 1;
	}
	failed = func_run_suite(guestmem_suite());
	unwatch();
	return failed;
}
