/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vhost-user VHOST_USER_CREATE_CRYPTO_SESSION (26) / CLOSE_CRYPTO_SESSION (27)
 * payloads in the three wire layouts that QEMU has sent over its history, and
 * one internal form for them.  Pure functions: no DPDK, callable from any thread.
 *
 * The daemon decodes (vcd_sess_msg_decode) and writes the reply in place
 * (vcd_sess_msg_set_reply_id); the frontend vcryptd-bench encodes
 * (vcd_sess_msg_encode) and reads the reply (vcd_sess_msg_reply_id).
 */
#ifndef VCRYPTD_SESSION_MSG_H
#define VCRYPTD_SESSION_MSG_H

#include <stddef.h>
#include <stdint.h>

#define VCD_SESS_CIPHER_KEY_MAX   64   /* VHOST_CRYPTO_SYM_CIPHER_MAX_KEY_LEN in QEMU */
#define VCD_SESS_AUTH_KEY_MAX     512  /* VHOST_CRYPTO_SYM_HMAC_MAX_KEY_LEN in QEMU */
#define VCD_SESS_AKCIPHER_KEY_MAX 1024 /* VHOST_CRYPTO_ASYM_MAX_KEY_LEN in QEMU (>= 8.1) */

enum vcd_sess_layout {
	VCD_SESS_LAYOUT_AUTO = 0, /* decode only: detect from size and content */
	VCD_SESS_LAYOUT_QEMU70,   /* op_code after session_id (what DPDK 22.11 parses) */
	VCD_SESS_LAYOUT_QEMU72,   /* same struct without op_code: fields shifted */
	VCD_SESS_LAYOUT_QEMU81,   /* op_code first, sym/asym union, session_id last */
};

/* One session as the guest asked for it (virtio-crypto constants). */
struct vcd_sess_params {
	uint32_t op_code;     /* VIRTIO_CRYPTO_CIPHER_CREATE_SESSION...; 0 if the layout has none */
	uint8_t op_type;      /* VIRTIO_CRYPTO_SYM_OP_CIPHER / _ALGORITHM_CHAINING */
	uint8_t cipher_dir;   /* VIRTIO_CRYPTO_OP_ENCRYPT / _DECRYPT */
	uint8_t hash_mode;    /* VIRTIO_CRYPTO_SYM_HASH_MODE_* */
	uint8_t chain_order;  /* VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_* */
	uint32_t cipher_algo; /* VIRTIO_CRYPTO_CIPHER_* */
	uint32_t cipher_key_len;
	uint32_t hash_algo; /* VIRTIO_CRYPTO_MAC_* (or HASH_* for plain mode) */
	uint32_t digest_len;
	uint32_t auth_key_len;
	uint32_t aad_len;
	uint8_t cipher_key[VCD_SESS_CIPHER_KEY_MAX];
	uint8_t auth_key[VCD_SESS_AUTH_KEY_MAX];
	/*
	 * op_code VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION (qemu81 only: the older
	 * layouts have no asymmetric arm): the akcipher session instead of the above.
	 */
	uint32_t ak_algo;    /* VIRTIO_CRYPTO_AKCIPHER_RSA */
	uint32_t ak_keytype; /* VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC / _PRIVATE */
	uint32_t ak_keylen;
	uint32_t ak_padding; /* VIRTIO_CRYPTO_RSA_RAW_PADDING / _PKCS1_PADDING */
	uint32_t ak_hash;    /* VIRTIO_CRYPTO_RSA_NO_HASH, _SHA1 ... */
	uint8_t ak_key[VCD_SESS_AKCIPHER_KEY_MAX]; /* PKCS#1 DER (rsa_key.h) */
};

/* Exact payload size of a create-session message in @layout (not AUTO). */
size_t vcd_sess_msg_size(enum vcd_sess_layout layout);

/*
 * Decode a create-session payload of @size bytes.  With @layout AUTO the layout
 * is detected; the one used is stored in *@used (may be NULL).  Validates only
 * what the wire format itself bounds (sizes, key lengths vs. buffers); whether
 * an algorithm is supported is the session table's business.
 * Returns 0 or -EINVAL / -EMSGSIZE.
 */
int vcd_sess_msg_decode(enum vcd_sess_layout layout, const void *payload, size_t size,
	struct vcd_sess_params *out, enum vcd_sess_layout *used);

/*
 * Encode @p as a create-session payload in @layout into @buf (capacity @cap).
 * Returns the payload size, or -ENOSPC / -EINVAL.
 */
int vcd_sess_msg_encode(
	enum vcd_sess_layout layout, const struct vcd_sess_params *p, void *buf, size_t cap);

/* Store the reply session id (>= 0, or -1 for failure) where @layout keeps it. */
void vcd_sess_msg_set_reply_id(enum vcd_sess_layout layout, void *payload, int64_t id);

/* Read the session id out of a reply payload of @layout. */
int64_t vcd_sess_msg_reply_id(enum vcd_sess_layout layout, const void *payload);

/* "qemu70" etc. <-> enum; parse returns -EINVAL for unknown names. */
const char *vcd_sess_layout_name(enum vcd_sess_layout layout);
int vcd_sess_layout_parse(const char *name, enum vcd_sess_layout *out);

#endif /* VCRYPTD_SESSION_MSG_H */
