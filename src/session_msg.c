/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * VHOST_USER_CREATE_CRYPTO_SESSION (26) payloads, as QEMU's hw/virtio/vhost-user.c lays out
 * VhostUserCryptoSession around include/sysemu/cryptodev.h's CryptoDevBackendSymSessionInfo.
 * QEMU copies those structs raw, so the wire format is the x86_64/aarch64 (LP64, little-endian)
 * C layout, two QEMU-side pointers included.  We never overlay a C struct: every field is read
 * and written byte by byte at the offsets below, so the host compiler's layout does not matter.
 *
 * qemu70: QEMU 2.12 .. 7.0.x (and DPDK 22.11's VhostUserCryptoSessionParam), 632 bytes
 *   0 int64 session_id | 8 u32 op_code | 12 u32 cipher_alg | 16 key_len | 20 hash_alg
 *   24 hash_result_len | 28 auth_key_len | 32 add_len | 36 u8 op_type | 37 direction
 *   38 hash_mode | 39 alg_chain_order | 40 u8 *cipher_key | 48 u8 *auth_key | 56 key[64]
 *   120 auth_key[512]
 * qemu72: QEMU 7.1.0 .. 8.0.x, 632 bytes.  Commit 0e660a6f90ab ("crypto: Introduce RSA
 *   algorithm", first released in 7.1.0) moved op_code out of CryptoDevBackendSymSessionInfo,
 *   but vhost-user still sent {session_id; SymSessionInfo; key; auth_key}: every field moves
 *   up 4 bytes and 4 bytes of padding (zeroed: QEMU memsets the info) appear before the
 *   pointers.
 *   0 int64 session_id | 8 u32 cipher_alg | 12 key_len | 16 hash_alg | 20 hash_result_len
 *   24 auth_key_len | 28 add_len | 32 u8 op_type | 33 direction | 34 hash_mode
 *   35 alg_chain_order | 36 pad[4] | 40 u8 *cipher_key | 48 u8 *auth_key | 56 key[64]
 *   120 auth_key[512]
 * qemu81: QEMU 8.1.0 and later, 1072 bytes.  Commit 5c33f9783ace ("cryptodev-vhost-user: add
 *   asymmetric crypto support") made it {u64 op_code; union {sym; asym}; int64 session_id}.
 *   The sym arm is qemu72's SymSessionInfo + keys at the same offsets 8..631; the asym arm
 *   (CryptoDevBackendAsymSessionInfo, 32 bytes, + key[1024]) makes the union 1056 bytes.
 *   0 u64 op_code | 8..631 as qemu72 | 632..1063 rest of the union | 1064 int64 session_id
 *
 * QEMU reads the reply's session id from the same field it sent (offset 0, or 1064 for
 * qemu81) and wants the reply size equal to the request size.  CLOSE_CRYPTO_SESSION (27)
 * carries only a u64 session id in every version.  librte_vhost before 25.03 drops messages
 * larger than its 632-byte payload union, so qemu81 reaches us only with DPDK >= 25.03.
 */
#include <errno.h>
#include <string.h>

#include <linux/virtio_crypto.h>

#include "vcryptd/session_msg.h"

/* CryptoDevBackendSymSessionInfo from cipher_alg on: six u32 then four u8 (same in all). */
#define SYM_CIPHER_ALG      0
#define SYM_KEY_LEN         4
#define SYM_HASH_ALG        8
#define SYM_HASH_RESULT_LEN 12
#define SYM_AUTH_KEY_LEN    16
#define SYM_ADD_LEN         20
#define SYM_OP_TYPE         24
#define SYM_DIRECTION       25
#define SYM_HASH_MODE       26
#define SYM_CHAIN_ORDER     27

/* QEMU <= 7.0 VhostUserCryptoSession (= DPDK 22.11 VhostUserCryptoSessionParam). */
#define Q70_SESSION_ID 0
#define Q70_OP_CODE    8
#define Q70_SYM        12 /* cipher_alg */
#define Q70_KEY_PTR    40 /* uint8_t *cipher_key, then *auth_key at 48: QEMU addresses */
#define Q70_KEY        56
#define Q70_AUTH_KEY   120
#define Q70_SIZE       632

/* QEMU 7.1 .. 8.0 VhostUserCryptoSession: no op_code. */
#define Q72_SESSION_ID 0
#define Q72_SYM        8
#define Q72_PAD        36 /* 4 bytes of struct padding, zero */
#define Q72_KEY_PTR    40
#define Q72_KEY        56
#define Q72_AUTH_KEY   120
#define Q72_SIZE       632

/* QEMU >= 8.1 VhostUserCryptoSession: op_code, union {sym, asym}, session_id. */
#define Q81_OP_CODE    0
#define Q81_UNION      8
#define Q81_SYM        8
#define Q81_KEY        56
#define Q81_AUTH_KEY   120
#define Q81_ASYM_SIZE  (32 + 1024) /* CryptoDevBackendAsymSessionInfo + key[1024] */
#define Q81_SESSION_ID 1064
#define Q81_SIZE       1072

#define SYM_INFO_SIZE 48 /* sizeof(CryptoDevBackendSymSessionInfo) without op_code, LP64 */

_Static_assert(Q70_SYM + SYM_CHAIN_ORDER + 1 == Q70_KEY_PTR, "qemu70: u8 fields end at ptrs");
_Static_assert(Q70_KEY == Q70_KEY_PTR + 16, "qemu70: two pointers before key");
_Static_assert(Q70_AUTH_KEY == Q70_KEY + VCD_SESS_CIPHER_KEY_MAX, "qemu70: auth_key");
_Static_assert(Q70_SIZE == Q70_AUTH_KEY + VCD_SESS_AUTH_KEY_MAX, "qemu70: size");
_Static_assert(Q72_SYM + SYM_CHAIN_ORDER + 1 == Q72_PAD, "qemu72: padding after u8 fields");
_Static_assert(Q72_PAD + 4 == Q72_KEY_PTR && Q72_KEY_PTR + 16 == Q72_KEY, "qemu72: ptrs");
_Static_assert(Q72_SYM + SYM_INFO_SIZE == Q72_KEY, "qemu72: SymSessionInfo size");
_Static_assert(Q72_SIZE == Q72_AUTH_KEY + VCD_SESS_AUTH_KEY_MAX, "qemu72: size");
_Static_assert(Q81_SYM == Q81_UNION && Q81_SYM + SYM_INFO_SIZE == Q81_KEY, "qemu81: sym arm");
_Static_assert(Q81_AUTH_KEY == Q81_KEY + VCD_SESS_CIPHER_KEY_MAX, "qemu81: auth_key");
_Static_assert(Q81_SESSION_ID == Q81_UNION + Q81_ASYM_SIZE, "qemu81: asym arm is the widest");
_Static_assert(Q81_SIZE == Q81_SESSION_ID + 8, "qemu81: size");

/* Where one layout keeps each field; op_code_len 0 means the layout has no op_code. */
struct wire_fmt {
	size_t size;
	size_t session_id;
	size_t op_code;
	size_t op_code_len;
	size_t sym;
	size_t key;
	size_t auth_key;
};

static const struct wire_fmt fmts[] = {
	[VCD_SESS_LAYOUT_QEMU70] = {.size = Q70_SIZE,
		.session_id = Q70_SESSION_ID,
		.op_code = Q70_OP_CODE,
		.op_code_len = 4,
		.sym = Q70_SYM,
		.key = Q70_KEY,
		.auth_key = Q70_AUTH_KEY},
	[VCD_SESS_LAYOUT_QEMU72] = {.size = Q72_SIZE,
		.session_id = Q72_SESSION_ID,
		.sym = Q72_SYM,
		.key = Q72_KEY,
		.auth_key = Q72_AUTH_KEY},
	[VCD_SESS_LAYOUT_QEMU81] = {.size = Q81_SIZE,
		.session_id = Q81_SESSION_ID,
		.op_code = Q81_OP_CODE,
		.op_code_len = 8,
		.sym = Q81_SYM,
		.key = Q81_KEY,
		.auth_key = Q81_AUTH_KEY},
};

static const char *const layout_names[] = {
	[VCD_SESS_LAYOUT_AUTO] = "auto",
	[VCD_SESS_LAYOUT_QEMU70] = "qemu70",
	[VCD_SESS_LAYOUT_QEMU72] = "qemu72",
	[VCD_SESS_LAYOUT_QEMU81] = "qemu81",
};

static const struct wire_fmt *
fmt_of(enum vcd_sess_layout layout)
{
	if (layout == VCD_SESS_LAYOUT_AUTO || (unsigned int)layout > VCD_SESS_LAYOUT_QEMU81)
		return NULL;
	return &fmts[layout];
}

static uint64_t
get_le(const uint8_t *p, size_t len)
{
	uint64_t v = 0;

	while (len-- > 0)
		v = v << 8 | p[len];
	return v;
}

static void
put_le(uint8_t *p, uint64_t v, size_t len)
{
	for (size_t i = 0; i < len; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static int
is_sym_op_type(uint8_t t)
{
	return t == VIRTIO_CRYPTO_SYM_OP_CIPHER || t == VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING;
}

static int
is_sym_create_op(uint32_t op)
{
	return op == VIRTIO_CRYPTO_CIPHER_CREATE_SESSION ||
		op == VIRTIO_CRYPTO_HASH_CREATE_SESSION || op == VIRTIO_CRYPTO_MAC_CREATE_SESSION ||
		op == VIRTIO_CRYPTO_AEAD_CREATE_SESSION;
}

/* Does the SymSessionInfo at @sym hold a cipher/chaining session with keys that fit? */
static int
sym_plausible(const uint8_t *sym)
{
	return is_sym_op_type(sym[SYM_OP_TYPE]) &&
		get_le(sym + SYM_KEY_LEN, 4) <= VCD_SESS_CIPHER_KEY_MAX &&
		get_le(sym + SYM_AUTH_KEY_LEN, 4) <= VCD_SESS_AUTH_KEY_MAX;
}

/*
 * qemu70 and qemu72 have the same size; tell them apart by content.  Byte 36 decides:
 * it is op_type (1 or 2: QEMU refuses other session types) in qemu70 and padding that QEMU
 * zeroes in qemu72, so at most one of the two tests below can pass.  Byte 8 alone cannot
 * decide: qemu70's op_code is VIRTIO_CRYPTO_CIPHER_CREATE_SESSION (2), but qemu72's
 * cipher_alg there may be VIRTIO_CRYPTO_CIPHER_AES_ECB (2) too.  The op_code and key-length
 * checks only reject garbage.  A sender that left the qemu72 padding dirty, or a malformed
 * message, matches neither; the caller then gets -EINVAL with *used = qemu72, whose reply
 * id sits at offset 0 as in qemu70, so the failure still reaches QEMU.
 */
static enum vcd_sess_layout
detect_632(const uint8_t *b)
{
	if (is_sym_create_op((uint32_t)get_le(b + Q70_OP_CODE, 4)) && sym_plausible(b + Q70_SYM))
		return VCD_SESS_LAYOUT_QEMU70;
	if (get_le(b + Q72_PAD, 4) == 0 && sym_plausible(b + Q72_SYM))
		return VCD_SESS_LAYOUT_QEMU72;
	return VCD_SESS_LAYOUT_AUTO;
}

static void
decode_sym(const uint8_t *sym, struct vcd_sess_params *out)
{
	out->cipher_algo = (uint32_t)get_le(sym + SYM_CIPHER_ALG, 4);
	out->cipher_key_len = (uint32_t)get_le(sym + SYM_KEY_LEN, 4);
	out->hash_algo = (uint32_t)get_le(sym + SYM_HASH_ALG, 4);
	out->digest_len = (uint32_t)get_le(sym + SYM_HASH_RESULT_LEN, 4);
	out->auth_key_len = (uint32_t)get_le(sym + SYM_AUTH_KEY_LEN, 4);
	out->aad_len = (uint32_t)get_le(sym + SYM_ADD_LEN, 4);
	out->op_type = sym[SYM_OP_TYPE];
	out->cipher_dir = sym[SYM_DIRECTION];
	out->hash_mode = sym[SYM_HASH_MODE];
	out->chain_order = sym[SYM_CHAIN_ORDER];
}

/*
 * qemu81's asym arm (CryptoDevBackendAsymSessionInfo, LP64): algo, keytype, keylen, 4
 * bytes of padding, QEMU's key pointer, rsa {padding_algo, hash_algo}, then key[1024].
 */
#define ASYM_ALGO    0
#define ASYM_KEYTYPE 4
#define ASYM_KEYLEN  8
#define ASYM_PADDING 24
#define ASYM_HASH    28
#define ASYM_KEY     32
_Static_assert(Q81_UNION + ASYM_KEY + VCD_SESS_AKCIPHER_KEY_MAX == Q81_SESSION_ID,
	"qemu81: asym key ends at session_id");

static int
decode_asym(const uint8_t *a, struct vcd_sess_params *out)
{
	out->ak_algo = (uint32_t)get_le(a + ASYM_ALGO, 4);
	out->ak_keytype = (uint32_t)get_le(a + ASYM_KEYTYPE, 4);
	out->ak_keylen = (uint32_t)get_le(a + ASYM_KEYLEN, 4);
	out->ak_padding = (uint32_t)get_le(a + ASYM_PADDING, 4);
	out->ak_hash = (uint32_t)get_le(a + ASYM_HASH, 4);
	if (out->ak_keylen > VCD_SESS_AKCIPHER_KEY_MAX)
		return -EINVAL;
	memcpy(out->ak_key, a + ASYM_KEY, out->ak_keylen);
	return 0;
}

/*
 * @b holds exactly f->size bytes.  An akcipher op_code selects qemu81's asym union arm;
 * the older layouts have none (their op_code, where they have one, is never 0x404).
 */
static int
decode_fmt(const struct wire_fmt *f, const uint8_t *b, struct vcd_sess_params *out)
{
	uint64_t op_code = f->op_code_len ? get_le(b + f->op_code, f->op_code_len) : 0;

	memset(out, 0, sizeof(*out));
	if (op_code > UINT32_MAX)
		return -EINVAL;
	out->op_code = (uint32_t)op_code;
	if (op_code == VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION)
		return f->size == Q81_SIZE ? decode_asym(b + Q81_UNION, out) : -EINVAL;
	decode_sym(b + f->sym, out);
	if (out->cipher_key_len > VCD_SESS_CIPHER_KEY_MAX ||
		out->auth_key_len > VCD_SESS_AUTH_KEY_MAX)
		return -EINVAL;
	memcpy(out->cipher_key, b + f->key, out->cipher_key_len);
	memcpy(out->auth_key, b + f->auth_key, out->auth_key_len);
	return 0;
}

/* Pick the layout for @size bytes; -EMSGSIZE if no layout has that size. */
static int
resolve_layout(
	enum vcd_sess_layout layout, const uint8_t *b, size_t size, enum vcd_sess_layout *res)
{
	if (layout == VCD_SESS_LAYOUT_AUTO) {
		if (size == Q81_SIZE)
			layout = VCD_SESS_LAYOUT_QEMU81;
		else if (size == Q70_SIZE)
			layout = detect_632(b);
		else
			return -EMSGSIZE;
		*res = layout != VCD_SESS_LAYOUT_AUTO ? layout : VCD_SESS_LAYOUT_QEMU72;
		return layout != VCD_SESS_LAYOUT_AUTO ? 0 : -EINVAL;
	}
	if (fmt_of(layout) == NULL)
		return -EINVAL;
	*res = layout;
	return size == fmt_of(layout)->size ? 0 : -EMSGSIZE;
}

size_t
vcd_sess_msg_size(enum vcd_sess_layout layout)
{
	const struct wire_fmt *f = fmt_of(layout);

	return f ? f->size : 0;
}

/*
 * *@used is also set when the size identified the layout but the content was refused
 * (-EINVAL), so that the caller can still place a failure reply; it is left alone on
 * -EMSGSIZE.
 */
int
vcd_sess_msg_decode(enum vcd_sess_layout layout, const void *payload, size_t size,
	struct vcd_sess_params *out, enum vcd_sess_layout *used)
{
	enum vcd_sess_layout res = VCD_SESS_LAYOUT_AUTO;
	int ret;

	if (payload == NULL || out == NULL)
		return -EINVAL;
	ret = resolve_layout(layout, payload, size, &res);
	if (used != NULL && ret != -EMSGSIZE && res != VCD_SESS_LAYOUT_AUTO)
		*used = res;
	if (ret < 0)
		return ret;
	return decode_fmt(fmt_of(res), payload, out);
}

static void
encode_sym(uint8_t *sym, const struct vcd_sess_params *p)
{
	put_le(sym + SYM_CIPHER_ALG, p->cipher_algo, 4);
	put_le(sym + SYM_KEY_LEN, p->cipher_key_len, 4);
	put_le(sym + SYM_HASH_ALG, p->hash_algo, 4);
	put_le(sym + SYM_HASH_RESULT_LEN, p->digest_len, 4);
	put_le(sym + SYM_AUTH_KEY_LEN, p->auth_key_len, 4);
	put_le(sym + SYM_ADD_LEN, p->aad_len, 4);
	sym[SYM_OP_TYPE] = p->op_type;
	sym[SYM_DIRECTION] = p->cipher_dir;
	sym[SYM_HASH_MODE] = p->hash_mode;
	sym[SYM_CHAIN_ORDER] = p->chain_order;
}

/*
 * Writes what QEMU writes: session id 0 in the request, QEMU's key pointers as 0, padding
 * and unused key bytes 0.  qemu72 has no op_code, so p->op_code is not sent there.
 */
int
vcd_sess_msg_encode(
	enum vcd_sess_layout layout, const struct vcd_sess_params *p, void *buf, size_t cap)
{
	const struct wire_fmt *f = fmt_of(layout);
	uint8_t *b = buf;

	if (f == NULL || p == NULL || buf == NULL)
		return -EINVAL;
	if (p->cipher_key_len > VCD_SESS_CIPHER_KEY_MAX || p->auth_key_len > VCD_SESS_AUTH_KEY_MAX)
		return -EINVAL;
	if (cap < f->size)
		return -ENOSPC;
	memset(b, 0, f->size);
	if (f->op_code_len != 0)
		put_le(b + f->op_code, p->op_code, f->op_code_len);
	if (p->op_code == VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION) {
		uint8_t *a = b + Q81_UNION;

		if (f->size != Q81_SIZE || p->ak_keylen > VCD_SESS_AKCIPHER_KEY_MAX)
			return -EINVAL;
		put_le(a + ASYM_ALGO, p->ak_algo, 4);
		put_le(a + ASYM_KEYTYPE, p->ak_keytype, 4);
		put_le(a + ASYM_KEYLEN, p->ak_keylen, 4);
		put_le(a + ASYM_PADDING, p->ak_padding, 4);
		put_le(a + ASYM_HASH, p->ak_hash, 4);
		memcpy(a + ASYM_KEY, p->ak_key, p->ak_keylen);
		return (int)f->size;
	}
	encode_sym(b + f->sym, p);
	memcpy(b + f->key, p->cipher_key, p->cipher_key_len);
	memcpy(b + f->auth_key, p->auth_key, p->auth_key_len);
	return (int)f->size;
}

/* AUTO names no layout: nothing is written. */
void
vcd_sess_msg_set_reply_id(enum vcd_sess_layout layout, void *payload, int64_t id)
{
	const struct wire_fmt *f = fmt_of(layout);

	if (f != NULL && payload != NULL)
		put_le((uint8_t *)payload + f->session_id, (uint64_t)id, 8);
}

int64_t
vcd_sess_msg_reply_id(enum vcd_sess_layout layout, const void *payload)
{
	const struct wire_fmt *f = fmt_of(layout);

	if (f == NULL || payload == NULL)
		return -1;
	return (int64_t)get_le((const uint8_t *)payload + f->session_id, 8);
}

const char *
vcd_sess_layout_name(enum vcd_sess_layout layout)
{
	if ((unsigned int)layout > VCD_SESS_LAYOUT_QEMU81)
		return "unknown";
	return layout_names[layout];
}

int
vcd_sess_layout_parse(const char *name, enum vcd_sess_layout *out)
{
	if (name == NULL || out == NULL)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(layout_names) / sizeof(layout_names[0]); i++) {
		if (strcmp(name, layout_names[i]) == 0) {
			*out = (enum vcd_sess_layout)i;
			return 0;
		}
	}
	return -EINVAL;
}
