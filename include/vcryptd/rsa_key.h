/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * RSA keys as a guest hands them over (virtio-crypto akcipher sessions, the
 * key bytes of QEMU >= 8.1's session message): PKCS#1 DER, as the Linux
 * driver passes the caller's blob on unchanged and QEMU's own parser
 * (crypto/rsakey.c) expects it:
 *
 *   RSAPublicKey  ::= SEQUENCE { n INTEGER, e INTEGER }
 *   RSAPrivateKey ::= SEQUENCE { version INTEGER (0), n, e, d, p, q, dp, dq, qinv }
 *
 * A private key whose p, q, dp, dq and qinv are all 0 is accepted and run
 * without CRT: QEMU's session message caps the key at 1024 bytes, and a full
 * RSA-2048 private key (1191 bytes) does not fit, one of n, e and d does.
 * Strict DER (definite minimal lengths, positive minimal INTEGERs, nothing
 * after the SEQUENCE); version 1 (multi-prime) is not supported.  Pure: the
 * result points into the caller's buffer.
 */
#ifndef VCRYPTD_RSA_KEY_H
#define VCRYPTD_RSA_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VCD_RSA_MIN_BITS 1024
#define VCD_RSA_MAX_BITS 4096

struct vcd_rsa_num {
	const uint8_t *p; /* big-endian magnitude, no leading zero byte; NULL if 0 */
	size_t len;
};

struct vcd_rsa_key {
	bool priv;
	bool crt; /* p, q, dp, dq, qinv are there (private keys) */
	unsigned int bits;
	struct vcd_rsa_num n, e, d, p, q, dp, dq, qinv;
};

/*
 * Parse @len bytes of DER at @der as a public (@priv false) or private key.
 * 0, or -EINVAL (not the DER structure), -ENOTSUP (multi-prime, a modulus
 * outside VCD_RSA_MIN_BITS..VCD_RSA_MAX_BITS, an even or < 3 public
 * exponent, d >= n).
 */
int vcd_rsa_key_parse(const uint8_t *der, size_t len, bool priv, struct vcd_rsa_key *k);

#endif /* VCRYPTD_RSA_KEY_H */
