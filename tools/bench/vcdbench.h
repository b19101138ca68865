/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * libvcdbench: a vhost-user frontend that plays QEMU and a guest driver against a
 * virtio-crypto backend socket (vcryptd, or DPDK's vhost_crypto example).
 *
 * It shares memfd "guest memory" with the backend, negotiates features the way a
 * chosen QEMU version does, drives data virtqueue 0 as a split ring from the driver
 * side, creates sessions in a chosen wire layout and builds requests the way Linux's
 * virtio_crypto driver or DPDK's crypto_virtio PMD lays them out.
 *
 * Threading: a struct vcdb belongs to one thread.  Several may exist at once (one per
 * simulated VM); they share nothing.
 * Errors: functions return 0 (or a count, an id, a tag) on success and -errno on failure.
 */
#ifndef VCDBENCH_H
#define VCDBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcryptd/session_msg.h"

#define VCDB_MAX_REGIONS 4

/* vhost-user start-up sequence to replay. */
enum vcdb_startup {
	VCDB_STARTUP_DEFAULT = 0, /* follows the session layout: qemu72 for QEMU72, else qemu70 */
	VCDB_STARTUP_QEMU70,      /* VERSION_1|INDIRECT|EVENT_IDX if offered, SET_VRING_ENABLE */
	VCDB_STARTUP_QEMU72,      /* only bit 30; never SET_VRING_ENABLE nor SET_STATUS */
	VCDB_STARTUP_DPDK,        /* DPDK virtio-user: like qemu70 */
};

/* How a request's descriptors are laid out. */
enum vcdb_style {
	VCDB_STYLE_LINUX = 0, /* one indirect chain; dst split over descriptors, may be longer */
	VCDB_STYLE_DPDK,      /* crypto_virtio PMD: indirect table inside the op cookie */
	VCDB_STYLE_DIRECT,    /* the same segments, straight in the ring's descriptor table */
};

/* Order in which freed descriptors are reused (a property of the guest driver). */
enum vcdb_reuse {
	VCDB_REUSE_LIFO = 0, /* Linux virtio_ring: freed chains go to the head of the list */
	VCDB_REUSE_FIFO,     /* DPDK crypto_virtio: freed chains go to the tail */
};

struct vcdb_opts {
	enum vcd_sess_layout layout; /* AUTO (0) = QEMU70 */
	enum vcdb_startup startup;
	unsigned int ring_size;          /* power of two; 0 = 256 */
	unsigned int queue_depth;        /* request slots (max in flight); 0 = min(ring, 128) */
	unsigned int max_data;           /* largest request data in bytes; 0 = 64 KiB */
	unsigned int nr_regions;         /* memory regions 1..4, GPA-adjacent; 0 = 1 */
	enum vcdb_reuse reuse;           /* descriptor reuse order */
	unsigned int connect_timeout_ms; /* retry connect() this long; 0 = 5000 */
	unsigned int reply_timeout_ms;   /* wait this long for a reply; 0 = 5000 */
	bool no_event_idx;               /* do not ack VIRTIO_RING_F_EVENT_IDX */
	bool no_interrupt;               /* set VRING_AVAIL_F_NO_INTERRUPT (polling guest) */
	bool close_ack;                  /* ask REPLY_ACK on CLOSE_CRYPTO_SESSION */
	bool verbose;                    /* trace vhost-user messages on stderr */
	unsigned int queues; /* data queues 1..VCDB_MAX_QUEUES, requests in turn; 0 = 1 */
};

#define VCDB_MAX_QUEUES 8

struct vcdb;

/* Connect to @path (retrying), negotiate, share memory, start the data queue. */
int vcdb_open(struct vcdb **out, const char *path, const struct vcdb_opts *opts);

/*
 * Connect to the vhost-user server socket @path, retrying for up to @timeout_ms
 * while it does not exist yet or refuses; the socket, or -errno.
 */
int vcdb_unix_connect(const char *path, unsigned int timeout_ms);
/* Stop the queue (GET_VRING_BASE), disconnect, unmap.  NULL is fine. */
void vcdb_close(struct vcdb *db);
/* Drop the connection at once, requests in flight or not (a QEMU crash). */
void vcdb_abort(struct vcdb *db);

uint64_t vcdb_features(const struct vcdb *db);                /* negotiated virtio features */
uint64_t vcdb_protocol_features(const struct vcdb *db);       /* negotiated protocol features */
const struct vcdb_opts *vcdb_get_opts(const struct vcdb *db); /* with defaults filled */

/*
 * Sessions.  create returns the backend's id (>= 0); -EREMOTEIO when the backend
 * answered with a negative id (see vcdb_last_reply_id); -ETIMEDOUT without answer;
 * -ECONNRESET when the backend dropped the connection; other -errno.
 */
int64_t vcdb_session_create(struct vcdb *db, const struct vcd_sess_params *p);
/* Send @size raw payload bytes as CREATE_CRYPTO_SESSION (bad-size tests). */
int64_t vcdb_session_create_raw(struct vcdb *db, const void *payload, uint32_t size);
int64_t vcdb_last_reply_id(const struct vcdb *db);
/* 0, or -EREMOTEIO when close_ack is set, REPLY_ACK negotiated and the backend refused. */
int vcdb_session_close(struct vcdb *db, uint64_t id);

/* One symmetric request.  Zeroed fields take the defaults noted. */
struct vcdb_req {
	uint64_t session_id;
	uint32_t opcode;  /* VIRTIO_CRYPTO_CIPHER_ENCRYPT / _DECRYPT */
	uint32_t op_type; /* VIRTIO_CRYPTO_SYM_OP_CIPHER (0 = this) / _ALGORITHM_CHAINING */
	enum vcdb_style style;
	const uint8_t *iv; /* copied; NULL: zeros */
	uint32_t iv_len;
	const uint8_t *src; /* copied into the slot's buffer; NULL: left as it is */
	uint32_t len;       /* src_data_len (and dst_data_len) */
	bool in_place;      /* dst descriptors cover the source buffer */
	bool cross_region;  /* src (and dst) straddle a region boundary (nr_regions > 1) */
	uint32_t dst_extra; /* linux style: destination this much longer than the data */
	uint32_t dst_split; /* first dst descriptor length; 0 = 2320 (linux), whole (others) */
	uint32_t src_split; /* src descriptor length; 0 = 4096 pages (linux), whole (others) */
	/* algorithm chaining only */
	uint32_t hash_result_len;
	uint32_t cipher_off, cipher_len; /* 0,0 = whole data */
	uint32_t hash_off, hash_len;     /* 0,0 = whole data */
	uint64_t user;                   /* handed back in the completion */
};

struct vcdb_cpl {
	int tag;            /* what vcdb_submit returned */
	uint64_t user;      /* vcdb_req.user */
	uint32_t used_len;  /* length the backend put in the used entry */
	int status;         /* status byte; -1 if the backend never wrote it */
	const uint8_t *dst; /* output data in shared memory, valid until the next submit */
	uint32_t dst_len;
	bool dst_tail_ok;      /* the dst_extra bytes past the data were left untouched */
	const uint8_t *digest; /* chaining: digest in shared memory */
	uint32_t digest_len;
};

/*
 * Stage one request on the avail ring.  Returns a tag (>= 0), -EAGAIN when every slot
 * or ring descriptor is busy, -EBUSY when a cross_region request is already in flight,
 * -EINVAL/-EMSGSIZE for requests that do not fit the slot.  Staged requests are made
 * visible and kicked by vcdb_flush(), or by vcdb_poll()/vcdb_wait().
 */
int vcdb_submit(struct vcdb *db, const struct vcdb_req *r);
/* Publish staged requests; kick unless the backend asked not to.  Returns 1 if kicked. */
int vcdb_flush(struct vcdb *db);
/* Reap up to @max completions without waiting. */
int vcdb_poll(struct vcdb *db, struct vcdb_cpl *cpl, unsigned int max);
/* Reap at least one (busy-polling up to @timeout_ms); -ETIMEDOUT otherwise. */
int vcdb_wait(struct vcdb *db, struct vcdb_cpl *cpl, unsigned int max, unsigned int timeout_ms);
unsigned int vcdb_in_flight(const struct vcdb *db);
/* The slot source buffer behind a future submit, for filling without a copy. */
uint8_t *vcdb_src_buf(struct vcdb *db, uint32_t *cap);

/*
 * Counters.  calls: call-eventfd signals received (read when asked).  With EVENT_IDX the
 * driver moves used_event to what it has reaped, so a burst that is reaped only once it
 * has completed should cost the backend exactly one signal.
 */
struct vcdb_stats {
	uint64_t submitted, completed, kicks, calls, used_len_zero;
	uint64_t per_queue[VCDB_MAX_QUEUES]; /* completions by data queue */
};
void vcdb_get_stats(struct vcdb *db, struct vcdb_stats *st);

/*
 * Malformed catalogue.  Each case needs a working cipher session (AES-CBC-128,
 * created by the runner when @sid < 0).  vcdb_malformed_run() sends the case, checks the
 * answer against the expectation, then sends a good AES-CBC request and checks it.
 */
#define VCDB_EXPECT_NO_STATUS    (-1) /* a used entry with len 0; status untouched */
#define VCDB_EXPECT_SESS_REFUSED (-2) /* session message: negative id, connection alive */

struct vcdb_malformed_result {
	int expected;      /* VIRTIO_CRYPTO_* or VCDB_EXPECT_* */
	int expected_alt;  /* a second acceptable answer, or -100 for none */
	int got;           /* status, or VCDB_EXPECT_* when that is what happened */
	uint32_t used_len; /* data cases */
	bool good_after;   /* the good request afterwards succeeded */
	char detail[128];
};

size_t vcdb_malformed_count(void);
const char *vcdb_malformed_name(size_t i);
int vcdb_malformed_expected(size_t i);
/*
 * 0 when the case behaved as expected and the queue still serves; -EPROTO otherwise;
 * -EOPNOTSUPP when the case does not apply (layout, ring size); -EBUSY with requests
 * in flight; -errno when the catalogue's own session cannot be created.
 */
int vcdb_malformed_run(struct vcdb *db, size_t i, struct vcdb_malformed_result *res);

/* Helpers shared by the CLI and tests. */
int vcdb_style_parse(const char *name, enum vcdb_style *out);
const char *vcdb_style_name(enum vcdb_style s);
int vcdb_startup_parse(const char *name, enum vcdb_startup *out);
const char *vcdb_startup_name(enum vcdb_startup s);
const char *vcdb_status_name(int status);

/* Algorithms (names like aes-cbc-128, aes-xts-512, 3des-cbc, aes-cbc-128-hmac-sha256). */
struct vcdb_algo {
	char name[40];
	uint32_t cipher_algo; /* VIRTIO_CRYPTO_CIPHER_* */
	uint32_t key_len, iv_len, block;
	uint32_t hash_algo; /* VIRTIO_CRYPTO_MAC_HMAC_*; 0 for cipher only */
	uint32_t digest_len, auth_key_len;
	/* RSA (rsa-BITS-raw, rsa-BITS-pkcs1-HASH): rsa_bits != 0, the fields above are 0 */
	uint32_t rsa_bits;
	uint32_t rsa_padding; /* VIRTIO_CRYPTO_RSA_RAW_PADDING / _PKCS1_PADDING */
	uint32_t rsa_hash;    /* VIRTIO_CRYPTO_RSA_NO_HASH, _SHA1, ... (virtio RSA numbers) */
};
int vcdb_algo_parse(const char *name, struct vcdb_algo *out);
/* Algorithms a backend may lack (AES-XTS: no PMD of DPDK 22.11 has it). */
bool vcdb_algo_optional(const struct vcdb_algo *a);
/* The algorithms `--algo all` means; returns how many, fills up to @max. */
size_t vcdb_algo_all(struct vcdb_algo *out, size_t max);
/* Session parameters for @a in direction @dir (VIRTIO_CRYPTO_OP_*) and chain @order. */
void vcdb_algo_session(const struct vcdb_algo *a, uint8_t dir, uint8_t order, const uint8_t *ckey,
	const uint8_t *akey, struct vcd_sess_params *p);

/* OpenSSL references; 0 or -EINVAL/-EIO. */
int vcdb_ref_cipher(const struct vcdb_algo *a, bool encrypt, const uint8_t *key, const uint8_t *iv,
	const uint8_t *in, uint32_t len, uint8_t *out);
int vcdb_ref_hmac(const struct vcdb_algo *a, const uint8_t *key, const uint8_t *in, uint32_t len,
	uint8_t *out);

/*
 * RSA over virtio-crypto AKCIPHER (rsa.c: names, keys, OpenSSL; akc.c: the wire).
 *
 * Sessions exist only in the qemu81 layout (QEMU >= 8.1): VHOST_USER_CREATE_CRYPTO_SESSION
 * with a 1072-byte payload, op_code VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION, the RSA
 * parameters at 8..39 and the PKCS#1 DER key (at most 1024 bytes) at 40.  Requests are
 * [op_data_req 72 B][src] device-readable, [dst][status] device-writable; VERIFY sends
 * [op_data_req][signature || digest] and has only [status] writable.
 */
#define VCDB_AKC_SESS_SIZE 1072 /* sizeof(VhostUserCryptoSession), QEMU >= 8.1, LP64 */
#define VCDB_AKC_KEY_MAX   1024 /* VHOST_CRYPTO_ASYM_MAX_KEY_LEN */
#define VCDB_RSA_MAX_BYTES 512  /* modulus bytes of RSA-4096, the largest the bench uses */

enum vcdb_rsa_op {
	VCDB_RSA_ENCRYPT = 0, /* public key */
	VCDB_RSA_DECRYPT,     /* private key */
	VCDB_RSA_SIGN,        /* private key, PKCS1 padding only */
	VCDB_RSA_VERIFY,      /* public key, PKCS1 padding only */
};

static inline bool
vcdb_algo_is_rsa(const struct vcdb_algo *a)
{
	return a->rsa_bits != 0;
}

/* "rsa-2048-raw", "rsa-3072-pkcs1-sha256"...; vcdb_algo_parse() accepts these too. */
int vcdb_rsa_algo_parse(const char *name, struct vcdb_algo *out);
uint32_t vcdb_rsa_digest_len(uint32_t hash); /* bare digest bytes; 0 for NO_HASH */
const char *vcdb_rsa_hash_name(uint32_t hash);
const char *vcdb_rsa_op_name(enum vcdb_rsa_op op);
int vcdb_rsa_op_parse(const char *name, enum vcdb_rsa_op *out);
uint32_t vcdb_rsa_opcode(enum vcdb_rsa_op op); /* VIRTIO_CRYPTO_AKCIPHER_ENCRYPT... */
bool vcdb_rsa_op_private(enum vcdb_rsa_op op);

/* A key pair and the PKCS#1 DER forms of it that a guest would hand over. */
struct vcdb_rsa_key {
	void *pkey;       /* EVP_PKEY * */
	uint32_t bits, k; /* modulus bits and bytes */
	uint8_t *pub;     /* RSAPublicKey */
	uint32_t pub_len;
	uint8_t *priv_full; /* RSAPrivateKey with the CRT values */
	uint32_t priv_full_len;
	uint8_t *priv_nocrt; /* RSAPrivateKey with p, q, dp, dq, qinv = 0 */
	uint32_t priv_nocrt_len;
	/* The private form sent: full if it fits VCDB_AKC_KEY_MAX, else no-CRT if that fits,
	 * else NULL (RSA-4096: private-key operations cannot cross QEMU's wire). */
	const uint8_t *priv;
	uint32_t priv_len;
};
int vcdb_rsa_keygen(struct vcdb_rsa_key *k, unsigned int bits);
void vcdb_rsa_key_free(struct vcdb_rsa_key *k);
/* The no-CRT RSAPrivateKey from big-endian n, e, d; length, -ENOSPC or -EINVAL. */
int vcdb_rsa_der_nocrt(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
	const uint8_t *d, size_t d_len, uint8_t *out, size_t cap);
/* PKCS#1 DER back into an EVP_PKEY (*pkey); *nocrt: a private key without CRT values. */
int vcdb_rsa_der_parse(const uint8_t *der, size_t len, bool priv, void **pkey, bool *nocrt);
void vcdb_rsa_pkey_free(void *pkey);
uint32_t vcdb_rsa_pkey_size(const void *pkey);
/*
 * One RSA operation with OpenSSL, as the device is to do it (see rsa.c): 0 and *out_len;
 * VERIFY (signature in @in, digest in @in2): 0 good, -EKEYREJECTED bad; -EINVAL, -EIO.
 */
int vcdb_rsa_pkey_op(void *pkey, enum vcdb_rsa_op op, uint32_t padding, uint32_t hash,
	const uint8_t *in, uint32_t in_len, const uint8_t *in2, uint32_t in2_len, uint8_t *out,
	uint32_t out_cap, uint32_t *out_len);
int vcdb_rsa_ref(const struct vcdb_rsa_key *k, enum vcdb_rsa_op op, uint32_t padding, uint32_t hash,
	const uint8_t *in, uint32_t in_len, const uint8_t *in2, uint32_t in2_len, uint8_t *out,
	uint32_t out_cap, uint32_t *out_len);

/* One akcipher session as a guest creates it. */
struct vcdb_akc_session {
	uint32_t keytype; /* VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC / _PRIVATE */
	uint32_t padding; /* VIRTIO_CRYPTO_RSA_RAW_PADDING / _PKCS1_PADDING */
	uint32_t hash;    /* VIRTIO_CRYPTO_RSA_NO_HASH, _SHA1, ... */
	const uint8_t *key;
	uint32_t key_len; /* 1..VCDB_AKC_KEY_MAX */
};

/* The 1072-byte CREATE payload of @s into @buf: its size, -EINVAL or -ENOSPC. */
int vcdb_akc_session_encode(const struct vcdb_akc_session *s, uint8_t *buf, size_t cap);
/*
 * Create it: the id as vcdb_session_create(); -EPROTONOSUPPORT when the connection's
 * session layout is not qemu81 (no other layout carries akcipher sessions).
 * Close with vcdb_session_close().
 */
int64_t vcdb_akc_session_create(struct vcdb *db, const struct vcdb_akc_session *s);

/* One akcipher request. */
struct vcdb_akc_req {
	uint64_t session_id;
	enum vcdb_rsa_op op;
	enum vcdb_style style; /* linux (indirect) or direct; dpdk: -EOPNOTSUPP */
	const uint8_t *src;    /* src_data_len bytes; VERIFY: the signature */
	uint32_t src_len;
	const uint8_t *src2; /* VERIFY only: the digest, dst_len bytes right after src */
	uint32_t dst_len;    /* dst_data_len: writable output bytes (k); VERIFY: digest bytes */
	uint64_t user;
};

/*
 * Stage one akcipher request; a tag or -errno as vcdb_submit().  Its completion comes from
 * vcdb_poll()/vcdb_wait() like any other: dst/dst_len is the whole writable output area
 * (dst_len 0 for VERIFY); the device's output length is used_len - 1.
 */
int vcdb_akc_submit(struct vcdb *db, const struct vcdb_akc_req *r);

#endif /* VCDBENCH_H */
