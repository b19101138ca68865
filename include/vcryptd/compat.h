/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The DPDK releases vcryptd builds against (Debian 12: 22.11, Debian 13:
 * 24.11), their differences in one place.  Code elsewhere calls the vcd_*
 * names below and never tests RTE_VERSION itself.
 *
 * - Telemetry: 23.03 added rte_tel_data_add_{dict,array}_uint() and
 *   deprecated the _u64 names (a warning, an error with -Dwerror=true).
 * - Algorithm names: 23.11 removed rte_crypto_{cipher,auth}_algorithm_strings[];
 *   their replacements (23.03) do not exist in 22.11.
 * - RSA: 24.11 moved the padding from the op into the session (below).
 * - The 1072-byte vhost-user crypto session message (QEMU >= 8.1) reaches
 *   librte_vhost only from 25.03 (b1d02713d3): meson.build's
 *   VCD_DPDK_HAS_BIG_VHOST_MSG, checked against 24.11's source (the payload
 *   union is still 632 bytes in every 24.11.x), says whether the relay
 *   (vhost_proxy.h) is needed.
 */
#ifndef VCRYPTD_COMPAT_H
#define VCRYPTD_COMPAT_H

#include <rte_crypto_asym.h>
#include <rte_crypto_sym.h>
#include <rte_cryptodev.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define vcd_tel_dict_u64  rte_tel_data_add_dict_uint
#define vcd_tel_array_u64 rte_tel_data_add_array_uint

static inline const char *
vcd_cipher_algo_name(enum rte_crypto_cipher_algorithm a)
{
	const char *n = rte_cryptodev_get_cipher_algo_string(a);

	return n != NULL ? n : "?";
}

static inline const char *
vcd_auth_algo_name(enum rte_crypto_auth_algorithm a)
{
	const char *n = rte_cryptodev_get_auth_algo_string(a);

	return n != NULL ? n : "?";
}
#else
#define vcd_tel_dict_u64  rte_tel_data_add_dict_u64
#define vcd_tel_array_u64 rte_tel_data_add_array_u64

static inline const char *
vcd_cipher_algo_name(enum rte_crypto_cipher_algorithm a)
{
	/* @a comes from a PMD's capabilities: an algorithm this DPDK knows. */
	const char *n = rte_crypto_cipher_algorithm_strings[a];

	return n != NULL ? n : "?";
}

static inline const char *
vcd_auth_algo_name(enum rte_crypto_auth_algorithm a)
{
	const char *n = rte_crypto_auth_algorithm_strings[a];

	return n != NULL ? n : "?";
}
#endif

/*
 * RSA padding: 24.11 (8a97564b1c) moved it from the op
 * (rte_crypto_rsa_op_param.padding) into the session's transform.  vcryptd
 * makes one session per padding it uses, and sets both: the one the DPDK in
 * use reads counts.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(24, 11, 0, 0)
static inline void
vcd_rsa_xform_padding(struct rte_crypto_asym_xform *x, enum rte_crypto_rsa_padding_type t)
{
	x->rsa.padding.type = t;
}

static inline void
vcd_rsa_op_padding(struct rte_crypto_asym_op *op, enum rte_crypto_rsa_padding_type t)
{
	RTE_SET_USED(op);
	RTE_SET_USED(t);
}
#else
static inline void
vcd_rsa_xform_padding(struct rte_crypto_asym_xform *x, enum rte_crypto_rsa_padding_type t)
{
	RTE_SET_USED(x);
	RTE_SET_USED(t);
}

static inline void
vcd_rsa_op_padding(struct rte_crypto_asym_op *op, enum rte_crypto_rsa_padding_type t)
{
	op->rsa.padding.type = t;
}
#endif

#endif /* VCRYPTD_COMPAT_H */
