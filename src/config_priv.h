/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * What the pieces of the configuration code share; not part of the API
 * (that is include/vcryptd/config.h).
 *
 *   config.c        the option table, values in and out of fields, defaults,
 *                   instances of [backend] and [vm]
 *   config_parse.c  text into a configuration: the file, --set, --socket
 *   config_check.c  validation, the reload check, lcore lists
 *   config_out.c    visit and dump, the EAL argument vector
 *   cli.c           the command line, -h, the start-up sequence
 */
#ifndef VCRYPTD_CONFIG_PRIV_H
#define VCRYPTD_CONFIG_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcryptd/config.h"

/* Unnamed sections ([daemon], [routing]) hold fields of struct vcd_config itself. */
enum sect { SEC_DAEMON, SEC_ROUTING, SEC_BACKEND, SEC_VM, SEC_COUNT };

/* T_SIZE: uint32_t bytes min..max with an optional K/KiB or M/MiB suffix, or
 * "auto" (VCD_THRESHOLD_AUTO) or "never" (VCD_THRESHOLD_NEVER). */
enum opt_type { T_STRING, T_PATH, T_UINT, T_BOOL, T_ENUM, T_LCORES, T_SIZE };

#define F_RUNTIME 1u /* may change on reload while guests run */

struct option_desc {
	enum sect sect;
	const char *key;
	enum opt_type type;
	size_t offset; /* into struct vcd_config / vcd_backend_conf / vcd_vm_conf */
	size_t size;
	const char *def;                     /* default, in the file's syntax */
	uint32_t min, max;                   /* T_UINT, T_SIZE bounds; T_ENUM range of values */
	const char *(*name)(int v);          /* T_ENUM: value -> name */
	const char *(*check)(const char *v); /* extra check: NULL or the problem */
	unsigned int flags;
	const char *help;
};

struct sect_desc {
	const char *name;
	bool named;
	unsigned int max;
};

/* The table (config.c), in dump and -h order. */
extern const struct option_desc config_options[];
extern const size_t config_nb_options;
extern const struct sect_desc config_sections[SEC_COUNT];

/* Bound on config_nb_options, for arrays indexed by option (config.c checks it). */
#define CONFIG_OPTIONS_MAX 64

/* Longest formatted value. */
#define VALUE_MAX PATH_MAX

/* Format into @err and return @rc; the one way errors are reported. */
int config_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Copy with zero fill, so that equal configurations compare equal byte for byte. */
void config_copy_str(char *dst, size_t size, const char *src);

/* A [backend] or [vm] name: 1..VCD_NAME_MAX-1 of A-Z a-z 0-9 _ . - */
bool config_valid_name(const char *s);

/* "[daemon]", "[routing]", "[vm NAME]" into @buf; returns @buf. */
const char *config_section_label(enum sect s, const char *name, char *buf, size_t len);

/* Store @v into @o's field of @base; on failure @why says what is wrong. */
int config_opt_set(const struct option_desc *o, void *base, const char *v, char *why, size_t len);

/* @o's field of @base as the file would have it. */
void config_opt_format(const struct option_desc *o, const void *base, char *buf, size_t len);

/* @c itself for [daemon] and [routing], or the [backend] or [vm] named @name; NULL if none. */
void *config_instance(struct vcd_config *c, enum sect s, const char *name);

/* Append a new [backend NAME] or [vm NAME] at its defaults; NULL when full. */
void *config_add_instance(struct vcd_config *c, enum sect s, const char *name);

/* Reset @c to defaults and read the file @path; sockets stay as written. */
int config_read_file(struct vcd_config *c, const char *path, char *err, size_t errlen);

/* One --set assignment; sockets stay as written. */
int config_set_one(struct vcd_config *c, const char *assignment, char *err, size_t errlen);

/* Put the sockets of [vm] sections that have no '/' into socket_dir. */
int config_resolve_sockets(struct vcd_config *c, char *err, size_t errlen);

#endif /* VCRYPTD_CONFIG_PRIV_H */
