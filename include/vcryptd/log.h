/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Log types: "vcryptd.ctl" for the control plane (start-up, connections,
 * sessions) and "vcryptd.data" for the data path.  The data path never logs
 * per request; VCD_DLOG is for rare events (a worker starting, a ring
 * attaching) and compiles out above RTE_LOG_DP_LEVEL.
 */
#ifndef VCRYPTD_LOG_H
#define VCRYPTD_LOG_H

#include <rte_log.h>

extern int vcd_logtype_ctl;
extern int vcd_logtype_data;

#define VCD_LOG(level, fmt, ...)                                                                   \
	rte_log(RTE_LOG_##level, vcd_logtype_ctl, "vcryptd: " fmt "\n", ##__VA_ARGS__)

#define VCD_DLOG(level, fmt, ...) RTE_LOG_DP(level, VCD_DATA, fmt "\n", ##__VA_ARGS__)

/* RTE_LOG_DP pastes "RTE_LOGTYPE_" in front of the type name. */
#define RTE_LOGTYPE_VCD_DATA vcd_logtype_data

#endif /* VCRYPTD_LOG_H */
