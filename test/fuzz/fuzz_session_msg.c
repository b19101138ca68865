/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Fuzzing vcd_sess_msg_decode(), which parses VHOST_USER_CREATE_CRYPTO_SESSION payloads in
 * every layout, AUTO detection included.  The payload sits in a buffer of exactly its size,
 * so ASan reports any read past it; the daemon's reply is written in place the same way.
 *
 * Input: byte 0 picks the layout (low 2 bits AUTO, qemu70, qemu72, qemu81; bit 2 an
 * out-of-range value instead; bit 3 also feeds the payload's first bytes, as a string, to
 * vcd_sess_layout_parse()); byte 1 picks the payload size (low 3 bits, see payload_size())
 * and bit 7 passes used = NULL; the rest is the payload, zero-padded to that size.
 *
 * Checked on every input: the result is 0, -EINVAL or -EMSGSIZE; *used is set exactly when
 * the daemon may reply, to a real layout of that size, and the reply id lands inside the
 * payload; on success the key lengths fit their arrays, the unused key bytes are zero, and
 * encoding then decoding gives the same parameters (under AUTO too when AUTO found them).
 *
 * Built two ways, like fuzz_vring.c: libFuzzer (VCD_LIBFUZZER), or a replay main().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vcryptd/rsa_key.h"
#include "vcryptd/session_msg.h"

#define Q632  632
#define Q1072 1072

#define L_OUT_OF_RANGE 0x04
#define L_PARSE_NAME   0x08
#define S_NULL_USED    0x80

static enum vcd_sess_layout
pick_layout(uint8_t b)
{
	static const int bad[] = {4, 5, 255, -1};

	if (b & L_OUT_OF_RANGE)
		return (enum vcd_sess_layout)bad[b & 3];
	return (enum vcd_sess_layout)(b & 3);
}

static size_t
payload_size(uint8_t b, size_t rest)
{
	static const size_t sizes[] = {Q632, Q1072, Q632 - 1, Q632 + 1, Q1072 - 1, Q1072 + 1, 0};

	return (b & 7) < 7 ? sizes[b & 7] : rest;
}

static bool
is_layout(enum vcd_sess_layout l)
{
	return l == VCD_SESS_LAYOUT_QEMU70 || l == VCD_SESS_LAYOUT_QEMU72 ||
		l == VCD_SESS_LAYOUT_QEMU81;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* An akcipher session's key, through the DER reader: it stays inside the key. */
static void
check_rsa_key(const struct vcd_sess_params *p)
{
	struct vcd_rsa_key k;
	const struct vcd_rsa_num *nums[] = {&k.n, &k.e, &k.d, &k.p, &k.q, &k.dp, &k.dq, &k.qinv};
	int rc = vcd_rsa_key_parse(p->ak_key, p->ak_keylen, p->ak_keytype == 2, &k);

	CHECK(rc == 0 || rc == -EINVAL || rc == -ENOTSUP);
	if (rc != 0)
		return;
	CHECK(k.bits >= VCD_RSA_MIN_BITS && k.bits <= VCD_RSA_MAX_BITS);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		CHECK(nums[i]->len == 0 || nums[i]->p >= p->ak_key);
		CHECK(nums[i]->len == 0 || nums[i]->p + nums[i]->len <= p->ak_key + p->ak_keylen);
	}
}

static void
check_params(const struct vcd_sess_params *p)
{
	CHECK(p->ak_keylen <= VCD_SESS_AKCIPHER_KEY_MAX);
	if (p->ak_keylen != 0)
		check_rsa_key(p);
	CHECK(p->cipher_key_len <= VCD_SESS_CIPHER_KEY_MAX);
	CHECK(p->auth_key_len <= VCD_SESS_AUTH_KEY_MAX);
	CHECK(all_zero(
		p->cipher_key + p->cipher_key_len, VCD_SESS_CIPHER_KEY_MAX - p->cipher_key_len));
	CHECK(all_zero(p->auth_key + p->auth_key_len, VCD_SESS_AUTH_KEY_MAX - p->auth_key_len));
}

/* encode(used, p) decodes back to p; and under AUTO to the same layout if AUTO found @p. */
static void
check_roundtrip(enum vcd_sess_layout used, const struct vcd_sess_params *p, bool auto_found)
{
	size_t size = vcd_sess_msg_size(used);
	uint8_t *buf = malloc(size);
	struct vcd_sess_params q;
	enum vcd_sess_layout again = VCD_SESS_LAYOUT_AUTO;

	CHECK(buf != NULL);
	CHECK(vcd_sess_msg_encode(used, p, buf, size - 1) == -ENOSPC);
	CHECK(vcd_sess_msg_encode(used, p, buf, size) == (int)size);
	CHECK(vcd_sess_msg_decode(used, buf, size, &q, &again) == 0 && again == used);
	CHECK(memcmp(p, &q, sizeof(q)) == 0);
	if (auto_found) {
		again = VCD_SESS_LAYOUT_AUTO;
		CHECK(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, buf, size, &q, &again) == 0);
		CHECK(again == used && memcmp(p, &q, sizeof(q)) == 0);
	}
	free(buf);
}

/* The daemon writes its reply where *used says; it must fit in what the guest sent. */
static void
check_reply(enum vcd_sess_layout used, uint8_t *payload, size_t size)
{
	CHECK(is_layout(used) && vcd_sess_msg_size(used) == size);
	vcd_sess_msg_set_reply_id(used, payload, -1);
	CHECK(vcd_sess_msg_reply_id(used, payload) == -1);
	vcd_sess_msg_set_reply_id(used, payload, 0x1234567890abcdefll);
	CHECK(vcd_sess_msg_reply_id(used, payload) == 0x1234567890abcdefll);
}

static void
decode_one(enum vcd_sess_layout layout, uint8_t *payload, size_t size, bool null_used)
{
	enum vcd_sess_layout used = VCD_SESS_LAYOUT_AUTO;
	struct vcd_sess_params p;
	int ret = vcd_sess_msg_decode(layout, payload, size, &p, null_used ? NULL : &used);

	CHECK(ret == 0 || ret == -EINVAL || ret == -EMSGSIZE);
	if (null_used && ret == 0)
		CHECK(vcd_sess_msg_decode(layout, payload, size, &p, &used) == 0);
	if (ret == -EMSGSIZE)
		CHECK(used == VCD_SESS_LAYOUT_AUTO);
	if (used != VCD_SESS_LAYOUT_AUTO)
		CHECK(layout == VCD_SESS_LAYOUT_AUTO || used == layout);
	if (ret == 0) {
		CHECK(is_layout(used));
		check_params(&p);
		check_roundtrip(used, &p, layout == VCD_SESS_LAYOUT_AUTO);
	}
	if (used != VCD_SESS_LAYOUT_AUTO)
		check_reply(used, payload, size);
}

static void
parse_name(const uint8_t *data, size_t n)
{
	char name[9] = {0};
	enum vcd_sess_layout l;

	memcpy(name, data, n < 8 ? n : 8);
	if (vcd_sess_layout_parse(name, &l) == 0)
		CHECK(strcmp(vcd_sess_layout_name(l), name) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t lb = size > 0 ? data[0] : 0;
	uint8_t sb = size > 1 ? data[1] : 0;
	size_t rest = size > 2 ? size - 2 : 0;
	size_t n = payload_size(sb, rest);
	/* Exactly n bytes (malloc(0) included): ASan sees a read past what the daemon got. */
	uint8_t *payload = malloc(n);

	if (payload == NULL && n > 0)
		return 0;
	if (n > 0) {
		memset(payload, 0, n);
		memcpy(payload, data + (size - rest), rest < n ? rest : n);
	}
	decode_one(pick_layout(lb), payload, n, (sb & S_NULL_USED) != 0);
	if (lb & L_PARSE_NAME)
		parse_name(data + (size - rest), rest);
	CHECK(vcd_sess_msg_decode(VCD_SESS_LAYOUT_AUTO, NULL, n, NULL, NULL) == -EINVAL);
	free(payload);
	return 0;
}
