/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Several VMs on one running vcryptd ($VCD_SOCK0, $VCD_SOCK1): session and
 * data isolation, traffic on both at once, a frontend that vanishes with
 * requests in flight and comes back, and QEMU 8.1's session message on
 * DPDK 22.11.  Results are checked against OpenSSL.
 */
#include <check.h>
#include <errno.h>
#include <linux/virtio_crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vcd_build_config.h"
#include "func_util.h"
#include "vcdbench.h"

#define LEN 1024

static const char *sock[2];

static struct vcdb *
open_vm(int vm, enum vcd_sess_layout layout)
{
	struct vcdb_opts o = {.layout = layout, .queue_depth = 64, .max_data = 65536};
	struct vcdb *db = NULL;

	ck_assert_int_eq(vcdb_open(&db, sock[vm], &o), 0);
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

static void
fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

static struct vcdb_req
cbc_req(uint64_t sid, const uint8_t *iv, const uint8_t *src, uint32_t len)
{
	struct vcdb_req r = {.session_id = sid,
		.opcode = VIRTIO_CRYPTO_CIPHER_ENCRYPT,
		.iv = iv,
		.iv_len = 16,
		.src = src,
		.len = len};
	return r;
}

/* Submit one request, wait for it, return its status; output into @out. */
static int
run_one(struct vcdb *db, const struct vcdb_req *r, uint8_t *out)
{
	struct vcdb_cpl cpl;

	ck_assert_int_ge(vcdb_submit(db, r), 0);
	ck_assert_int_eq(vcdb_wait(db, &cpl, 1, 5000), 1);
	if (out != NULL && cpl.status == VIRTIO_CRYPTO_OK)
		memcpy(out, cpl.dst, cpl.dst_len);
	return cpl.status;
}

static void
expect_cbc(struct vcdb *db, uint64_t sid, const uint8_t *key, unsigned int seed)
{
	uint8_t iv[16], src[LEN], out[LEN], ref[LEN];
	struct vcdb_algo a;
	struct vcdb_req r;

	fill(iv, sizeof(iv), seed);
	fill(src, sizeof(src), seed + 1);
	r = cbc_req(sid, iv, src, LEN);
	ck_assert_int_eq(run_one(db, &r, out), VIRTIO_CRYPTO_OK);
	vcdb_algo_parse("aes-cbc-128", &a);
	ck_assert_int_eq(vcdb_ref_cipher(&a, true, key, iv, src, LEN, ref), 0);
	ck_assert_msg(memcmp(out, ref, LEN) == 0, "output is not AES-CBC under this VM's key");
}

START_TEST(session_isolation)
{
	uint8_t ka0[16], ka1[16], kb0[16], iv[16] = {0}, src[LEN] = {0};
	struct vcdb *a = open_vm(0, VCD_SESS_LAYOUT_QEMU72);
	struct vcdb *b = open_vm(1, VCD_SESS_LAYOUT_QEMU72);
	int64_t a0, a1, b0;
	struct vcdb_req r;

	fill(ka0, 16, 1);
	fill(ka1, 16, 2);
	fill(kb0, 16, 3);
	a0 = cbc_session(a, ka0);
	a1 = cbc_session(a, ka1);
	b0 = cbc_session(b, kb0);
	ck_assert(a0 >= 0 && a1 >= 0 && b0 >= 0);
	/* VM b names a session that exists only in VM a. */
	r = cbc_req((uint64_t)a1, iv, src, LEN);
	ck_assert_int_eq(run_one(b, &r, NULL), VIRTIO_CRYPTO_INVSESS);
	/* ... and tries to close it: VM a's session must survive. */
	vcdb_session_close(b, (uint64_t)a1);
	expect_cbc(a, (uint64_t)a1, ka1, 10);
	/* Whatever id b uses, its requests run under b's own keys only. */
	expect_cbc(b, (uint64_t)b0, kb0, 11);
	expect_cbc(a, (uint64_t)a0, ka0, 12);
	vcdb_close(a);
	vcdb_close(b);
}
END_TEST

/* Both VMs with requests in flight at once, every result checked. */
START_TEST(concurrent_traffic)
{
	struct vcdb *db[2] = {
		open_vm(0, VCD_SESS_LAYOUT_QEMU70), open_vm(1, VCD_SESS_LAYOUT_QEMU72)};
	uint8_t key[2][16], iv[16] = {0}, src[2][LEN], ref[2][LEN];
	int64_t sid[2];
	unsigned int done[2] = {0, 0}, sent[2] = {0, 0}, v;
	const unsigned int total = 2000;
	struct vcdb_algo a;

	vcdb_algo_parse("aes-cbc-128", &a);
	for (v = 0; v < 2; v++) {
		fill(key[v], 16, 20 + v);
		fill(src[v], LEN, 30 + v);
		sid[v] = cbc_session(db[v], key[v]);
		ck_assert(sid[v] >= 0);
		vcdb_ref_cipher(&a, true, key[v], iv, src[v], LEN, ref[v]);
	}
	while (done[0] < total || done[1] < total) {
		for (v = 0; v < 2; v++) {
			struct vcdb_req r = cbc_req((uint64_t)sid[v], iv, src[v], LEN);
			struct vcdb_cpl cpl[32];
			int i, n;

			while (sent[v] < total && vcdb_submit(db[v], &r) >= 0)
				sent[v]++;
			vcdb_flush(db[v]);
			n = vcdb_poll(db[v], cpl, 32);
			for (i = 0; i < n; i++) {
				ck_assert_int_eq(cpl[i].status, VIRTIO_CRYPTO_OK);
				ck_assert(memcmp(cpl[i].dst, ref[v], LEN) == 0);
			}
			done[v] += (unsigned int)(n > 0 ? n : 0);
		}
	}
	vcdb_close(db[0]);
	vcdb_close(db[1]);
}
END_TEST

static struct vcdb *
reopen(int vm, enum vcd_sess_layout layout)
{
	struct vcdb_opts o = {.layout = layout, .connect_timeout_ms = 5000};
	struct vcdb *db = NULL;
	int i, rc = -1;

	/* The daemon may still be draining the previous connection. */
	for (i = 0; i < 50 && rc != 0; i++) {
		rc = vcdb_open(&db, sock[vm], &o);
		if (rc != 0)
			usleep(100 * 1000);
	}
	ck_assert_int_eq(rc, 0);
	return db;
}

static void
daemon_alive(void)
{
	ck_assert_msg(func_daemon_running(), "vcryptd died");
}

START_TEST(abort_in_flight_then_reconnect)
{
	uint8_t key[16], iv[16] = {0}, src[LEN];
	struct vcdb *db = open_vm(0, VCD_SESS_LAYOUT_QEMU72);
	int64_t sid, sid2;
	int round;

	fill(key, 16, 40);
	fill(src, LEN, 41);
	for (round = 0; round < 3; round++) {
		struct vcdb_req r;

		sid = cbc_session(db, key);
		ck_assert(sid >= 0);
		r = cbc_req((uint64_t)sid, iv, src, LEN);
		while (vcdb_submit(db, &r) >= 0)
			;
		vcdb_flush(db);
		vcdb_abort(db); /* QEMU killed with requests in flight */
		daemon_alive();
		db = reopen(0, VCD_SESS_LAYOUT_QEMU72);
		/* The old connection's session id means nothing on the new one. */
		r = cbc_req((uint64_t)sid, iv, src, LEN);
		ck_assert_int_eq(run_one(db, &r, NULL), VIRTIO_CRYPTO_INVSESS);
		sid2 = cbc_session(db, key);
		ck_assert(sid2 >= 0);
		expect_cbc(db, (uint64_t)sid2, key, 42);
	}
	vcdb_close(db);
}
END_TEST

/* A clean stop (GET_VRING_BASE) with requests still in flight: all are answered first. */
START_TEST(stop_with_requests_in_flight)
{
	uint8_t key[16], iv[16] = {0}, src[LEN];
	struct vcdb *db = open_vm(1, VCD_SESS_LAYOUT_QEMU70);
	struct vcdb_req r;
	int64_t sid;

	fill(key, 16, 50);
	fill(src, LEN, 51);
	sid = cbc_session(db, key);
	ck_assert(sid >= 0);
	r = cbc_req((uint64_t)sid, iv, src, LEN);
	while (vcdb_submit(db, &r) >= 0)
		;
	vcdb_close(db);
	daemon_alive();
	db = reopen(1, VCD_SESS_LAYOUT_QEMU70);
	sid = cbc_session(db, key);
	expect_cbc(db, (uint64_t)sid, key, 52);
	vcdb_close(db);
}
END_TEST

/* Whether this daemon runs without its vhost-user relay (--set vhost_proxy=no). */
static bool
no_proxy(void)
{
	const char *args = getenv("VCD_DAEMON_ARGS");

	return args != NULL && strstr(args, "vhost_proxy=no") != NULL;
}

/*
 * QEMU >= 8.1 sends a 1072-byte session message.  librte_vhost before 25.03
 * drops any message larger than its 632-byte payload union before vcryptd
 * sees it.  With the relay (the default) vcryptd answers it itself and the
 * session works; without it, the connection goes, the daemon must not, and
 * the next guest works.
 */
START_TEST(qemu81_layout)
{
	uint8_t key[16];
	struct vcdb *db = open_vm(0, VCD_SESS_LAYOUT_QEMU81);
	int64_t sid;

	fill(key, 16, 60);
	sid = cbc_session(db, key);
	if (!no_proxy() || VCD_DPDK_HAS_BIG_VHOST_MSG) {
		ck_assert_msg(sid >= 0, "qemu81 session refused: %lld", (long long)sid);
		expect_cbc(db, (uint64_t)sid, key, 61);
		ck_assert_int_eq(vcdb_session_close(db, (uint64_t)sid), 0);
		vcdb_close(db);
		return;
	}
	ck_assert_msg(sid == -ECONNRESET || sid == -ETIMEDOUT,
		"expected librte_vhost 22.11 to drop the connection, got %lld", (long long)sid);
	vcdb_abort(db);
	daemon_alive();
	db = reopen(0, VCD_SESS_LAYOUT_QEMU72);
	sid = cbc_session(db, key);
	ck_assert(sid >= 0);
	expect_cbc(db, (uint64_t)sid, key, 62);
	vcdb_close(db);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("vms");
	TCase *tc = tcase_create("vms");

	sock[0] = getenv("VCD_SOCK0");
	sock[1] = getenv("VCD_SOCK1");
	if (sock[0] == NULL || sock[1] == NULL) {
		fprintf(stderr, "run me through test/func/with_daemon.sh with 2 VMs\n");
		return 1;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, session_isolation);
	tcase_add_test(tc, concurrent_traffic);
	tcase_add_test(tc, abort_in_flight_then_reconnect);
	tcase_add_test(tc, stop_with_requests_in_flight);
	tcase_add_test(tc, qemu81_layout);
	suite_add_tcase(s, tc);
	return func_run_suite(s);
}
