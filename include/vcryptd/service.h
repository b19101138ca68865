/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Living under systemd: the sd_notify protocol (READY=1, RELOADING=1,
 * STOPPING=1, STATUS=...) spoken directly on $NOTIFY_SOCKET, and a DPDK log
 * stream that writes each line once to stderr, with a syslog priority prefix
 * ("<3>") when journald reads it.  Both do nothing special outside systemd.
 * Main lcore only.
 */
#ifndef VCRYPTD_SERVICE_H
#define VCRYPTD_SERVICE_H

/* Send one notification ("READY=1", "STATUS=..."); no-op without $NOTIFY_SOCKET. */
void vcd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Install vcryptd's log stream (before rte_eal_init, so EAL's lines use it too). */
void vcd_log_stream_init(void);

#endif /* VCRYPTD_SERVICE_H */
