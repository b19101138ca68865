/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* The hostile vhost-user message tests (hostile_msgs.c), for test_hostile.c's suite. */
#ifndef VCRYPTD_HOSTILE_MSGS_H
#define VCRYPTD_HOSTILE_MSGS_H

#include <check.h>

/* Test @i and its case name (CK_RUN_CASE), or NULL past the last one. */
const TTest *hostile_msgs_test(unsigned int i, const char **name);

#endif /* VCRYPTD_HOSTILE_MSGS_H */
