/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * A frontend that shrinks its guest memory file after the daemon mapped it
 * ($VCD_SOCK0), beside a well-behaved VM ($VCD_SOCK1): the daemon's next
 * access to the lost pages raises SIGBUS, which must cost only that
 * frontend its connection (guard.h).  The request is written, the file cut
 * back to the ring alone, then the avail index published: the worker walks
 * the chain into pages that no longer exist.  Afterwards the daemon still
 * runs, the other VM gets results that match OpenSSL, the cut VM's socket
 * takes a new connection and serves it, and the daemon says what happened.
 * Before guard.c the worker died of SIGBUS and every VM with it.
 */
#include <check.h>
#include <linux/virtio_crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "func_util.h"
#include "vcdb_internal.h"
#include "vcdbench.h"

#define LEN 1024

static const char *sock[2];

static struct vcdb *
open_vm(int vm)
{
	struct vcdb_opts o = {.queue_depth = 8, .connect_timeout_ms = 5000};
	struct vcdb *db = NULL;
	int i, rc = -1;

	/* The daemon may still be dropping the previous connection. */
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

/* One AES-CBC request on @db, its answer checked against OpenSSL. */
static void
expect_cbc(struct vcdb *db, uint64_t sid, const uint8_t *key, unsigned int seed)
{
	uint8_t iv[16], src[LEN], ref[LEN];
	struct vcdb_req r = {.session_id = sid,
		.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
		.iv = iv,
		.iv_len = 16,
		.src = src,
		.len = LEN};
	struct vcdb_cpl cpl;
	struct vcdb_algo a;
	unsigned int i;

	for (i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(seed + i);
	for (i = 0; i < LEN; i++)
		src[i] = (uint8_t)(seed * 7 + i);
	ck_assert_int_ge(vcdb_submit(db, &r), 0);
	ck_assert_int_eq(vcdb_wait(db, &cpl, 1, 5000), 1);
	ck_assert_int_eq(cpl.status, VIRTIO_CRYPTO_OK);
	vcdb_algo_parse("aes-cbc-128", &a);
	ck_assert_int_eq(vcdb_ref_cipher(&a, true, key, iv, src, LEN, ref), 0);
	ck_assert_msg(memcmp(cpl.dst, ref, LEN) == 0, "output is not AES-CBC under this VM's key");
}

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
	uint8_t key[2][16], iv[16] = {0}, src[LEN] = {0};
	struct vcdb *victim = open_vm(0), *other = open_vm(1);
	int64_t sid[2];
	struct vcdb_req r;
	uint64_t ring_end;
	unsigned int v;

	for (v = 0; v < 2; v++) {
		memset(key[v], 0x30 + (int)v, 16);
		sid[v] = cbc_session(v == 0 ? victim : other, key[v]);
		ck_assert(sid[v] >= 0);
	}
	expect_cbc(victim, (uint64_t)sid[0], key[0], 1);
	expect_cbc(other, (uint64_t)sid[1], key[1], 2);

	/* Written but not yet published; then everything after the ring is cut off. */
	r = (struct vcdb_req){.session_id = (uint64_t)sid[0],
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
	ck_assert_msg(func_daemon_running(), "vcryptd died of the frontend's SIGBUS");
	/* Never touch the lost pages from here: this process would fault too. */
	vcdb_abort(victim);

	/* The other VM never noticed; the cut one's socket serves a new frontend. */
	for (v = 0; v < 20; v++)
		expect_cbc(other, (uint64_t)sid[1], key[1], 10 + v);
	victim = open_vm(0);
	sid[0] = cbc_session(victim, key[0]);
	ck_assert(sid[0] >= 0);
	expect_cbc(victim, (uint64_t)sid[0], key[0], 3);
	vcdb_close(victim);
	vcdb_close(other);
}
END_TEST

static Suite *
sigbus_suite(void)
{
	Suite *s = suite_create("sigbus");
	TCase *tc = tcase_create("shrink");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, shrunk_memory_costs_only_its_vm);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	sock[0] = getenv("VCD_SOCK0");
	sock[1] = getenv("VCD_SOCK1");
	if (sock[0] == NULL || sock[1] == NULL) {
		fprintf(stderr, "test_sigbus: run under with_daemon.sh with 2 VMs\n");
		return 2;
	}
	return func_run_suite(sigbus_suite());
}
