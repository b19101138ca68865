/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * A guest that rewrites what the daemon reads while the daemon reads it
 * ($VCD_SOCK0), beside a well-behaved VM ($VCD_SOCK1): a thread of the
 * frontend scribbles without pause over its own descriptor table (addresses,
 * lengths, flags, next), avail ring entries, request headers, IVs and lengths,
 * while the main thread keeps publishing requests and moving the avail index,
 * forwards and (rarely) back.  The daemon reads each guest value once and acts
 * only on what it checked (vring.c copies each descriptor out once, vcreq.c
 * the header): it must stay up, answer the other VM correctly (checked
 * against OpenSSL) throughout, and serve the scribbling VM's socket again
 * afterwards.  Run under the sanitizer build too (scripts/test.sh), where a
 * write outside guest memory into the daemon's heap would abort it.
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
#include "vcdb_internal.h"
#include "vcdbench.h"

#define LEN    1024
#define SECS   4
#define ROUNDS 2

static const char *sock[2];
static atomic_bool scribbling;

static struct vcdb *
open_vm(int vm, uint16_t queue_depth)
{
	struct vcdb_opts o = {.queue_depth = queue_depth, .connect_timeout_ms = 5000};
	struct vcdb *db = NULL;
	int i, rc = -1;

	for (i = 0; i < 50 && rc != 0; i++) {
		rc = vcdb_open(&db, sock[vm], &o);
		if (rc != 0)
			usleep(100 * 1000);
	}
	ck_assert_int_eq(rc, 0);
	return db;
}

static int64_t
cbc_session(struct vcdb *db, const uint8_t *key)
{
	struct vcd_sess_params p;
	struct vcdb_algo a;

	ck_assert_int_eq(vcdb_algo_parse("aes-cbc-128", &a), 0);
	vcdb_algo_session(&a, VIRTIO_CRYPTO_OP_ENCRYPT, 0, key, NULL, &p);
	return vcdb_session_create(db, &p);
}

static struct vcdb_req
cbc_req(uint64_t sid, const uint8_t *iv, const uint8_t *src)
{
	return (struct vcdb_req){.session_id = sid,
		.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
		.iv = iv,
		.iv_len = 16,
		.src = src,
		.len = LEN};
}

/* One request on the good VM, checked against OpenSSL. */
static void
expect_cbc(struct vcdb *db, uint64_t sid, const uint8_t *key, unsigned int seed)
{
	uint8_t iv[16], src[LEN], ref[LEN];
	struct vcdb_req r = cbc_req(sid, iv, src);
	struct vcdb_cpl cpl;
	struct vcdb_algo a;
	unsigned int i;

	for (i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(seed * 3 + i);
	for (i = 0; i < LEN; i++)
		src[i] = (uint8_t)(seed + i * 5);
	ck_assert_int_ge(vcdb_submit(db, &r), 0);
	ck_assert_int_eq(vcdb_wait(db, &cpl, 1, 10000), 1);
	ck_assert_int_eq(cpl.status, VIRTIO_CRYPTO_OK);
	vcdb_algo_parse("aes-cbc-128", &a);
	ck_assert_int_eq(vcdb_ref_cipher(&a, true, key, iv, src, LEN, ref), 0);
	ck_assert_msg(memcmp(cpl.dst, ref, LEN) == 0, "output is not AES-CBC under this VM's key");
}

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
	struct vcdb_vq *vq = &db->vq;
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
	uint8_t key[2][16], iv[16] = {0}, src[LEN] = {0};
	struct vcdb *good = open_vm(1, 64);
	int64_t good_sid;
	unsigned int round, k = 0;

	memset(key[0], 0x51, 16);
	memset(key[1], 0x52, 16);
	good_sid = cbc_session(good, key[1]);
	ck_assert(good_sid >= 0);
	for (round = 0; round < ROUNDS; round++) {
		struct vcdb *bad = open_vm(0, 32);
		int64_t sid = cbc_session(bad, key[0]);
		struct vcdb_req r = cbc_req((uint64_t)sid, iv, src);
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
			struct vcdb_vq *vq = &bad->vq;
			uint16_t idx = vq->avail->idx;

			/* Mostly forward by up to a ring; now and then backwards. */
			idx = k % 97 == 0 ? (uint16_t)(idx - 3u)
					  : (uint16_t)(idx + 1u + k % vq->num);
			__atomic_store_n(&vq->avail->idx, idx, __ATOMIC_RELEASE);
			if (k++ % 64 == 0)
				expect_cbc(good, (uint64_t)good_sid, key[1], k);
		}
		atomic_store(&scribbling, false);
		pthread_join(t, NULL);
		ck_assert_msg(func_daemon_running(), "vcryptd died of a scribbling guest");
		vcdb_abort(bad); /* its ring is garbage: just go */
	}
	/* The scribbler's socket serves a well-behaved frontend again. */
	{
		struct vcdb *again = open_vm(0, 8);
		int64_t sid = cbc_session(again, key[0]);

		ck_assert(sid >= 0);
		expect_cbc(again, (uint64_t)sid, key[0], 7);
		vcdb_close(again);
	}
	expect_cbc(good, (uint64_t)good_sid, key[1], 9);
	vcdb_close(good);
}
END_TEST

static Suite *
toctou_suite(void)
{
	Suite *s = suite_create("toctou");
	TCase *tc = tcase_create("scribble");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, guest_rewrites_what_the_daemon_reads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	sock[0] = getenv("VCD_SOCK0");
	sock[1] = getenv("VCD_SOCK1");
	if (sock[0] == NULL || sock[1] == NULL) {
		fprintf(stderr, "test_toctou: run under with_daemon.sh with 2 VMs\n");
		return 2;
	}
	return func_run_suite(toctou_suite());
}
