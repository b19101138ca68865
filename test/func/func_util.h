/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* What the functional test programs share (they run under with_daemon.sh). */
#ifndef VCRYPTD_FUNC_UTIL_H
#define VCRYPTD_FUNC_UTIL_H

#include <stdbool.h>

#include <check.h>

/* Whether the daemon ($VCD_DAEMON_PID) still runs: kill(pid, 0) alone also succeeds on a zombie. */
bool func_daemon_running(void);

/* Run @s in this process (CK_NOFORK: the tests share connections); 0 if all passed. */
int func_run_suite(Suite *s);

#endif /* VCRYPTD_FUNC_UTIL_H */
