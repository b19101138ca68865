/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Log types: "vcryptd.ctl" for the control plane (start-up, connections,
 * sessions) and "vcryptd.data" for the data path.  The data path never logs
 * per request: its rare events (a backend down or up again, a worker that
 * does not quiesce) are one VCD_LOG line each.
 */
#ifndef VCRYPTD_LOG_H
#define VCRYPTD_LOG_H

#include <rte_log.h>

extern int vcd_logtype_ctl;
extern int vcd_logtype_data;

#define VCD_LOG(level, fmt, ...)                                                                   \
	rte_log(RTE_LOG_##level, vcd_logtype_ctl, "vcryptd: " fmt "\n", ##__VA_ARGS__)

#endif /* VCRYPTD_LOG_H */
