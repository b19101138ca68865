/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* Private to libvcdbench: the malformed catalogue's cases (mal_cases.c) and runner. */
#ifndef VCDB_MALFORMED_H
#define VCDB_MALFORMED_H

#include "vcdb_internal.h"

#define NO_ALT            (-100)
#define GOT_TIMEOUT       (-3)
#define GOT_LEN_NO_STATUS (-4)
#define GOT_ACCEPTED      (-5)
#define GOT_TRANSPORT     (-6)
#define WAIT_MS           3000
#define DATA_LEN          64u
#define MAX_SEGS          16

struct mal_ctx {
	struct vcdb *db;
	int tag;
	struct vcdb_slot *s;
	struct virtio_crypto_op_data_req *hdr;
	struct vcdb_seg sg[MAX_SEGS];
	unsigned int n;
	bool direct;
	struct vcdb_seg ring; /* the ring descriptor of an indirect request */
};

struct mal_case {
	const char *name;
	int expect, alt;
	int (*data)(struct mal_ctx *c);
	int (*sess)(struct vcdb *db, uint8_t *buf, uint32_t *size);
};

extern const uint8_t vcdb_mal_key[16]; /* the catalogue's AES-128 key ... */
extern const uint8_t vcdb_mal_iv[16];  /* ... and IV */
extern const struct mal_case vcdb_mal_cases[];
extern const size_t vcdb_mal_nr_cases;

/* A good AES-CBC-128 encrypt session with vcdb_mal_key. */
void mal_sess_good(struct vcd_sess_params *p);

#endif /* VCDB_MALFORMED_H */
