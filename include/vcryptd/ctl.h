/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Control commands: every telemetry command that changes the daemon's state
 * (vcryptctl add/remove/log-level/calibrate).  The fault injector's
 * /vcryptd/fault stays in fault.c, which only test builds compile.
 */
#ifndef VCRYPTD_CTL_H
#define VCRYPTD_CTL_H

#include "vcryptd/config.h"

/* Main lcore, after the workers and VMs exist. */
void vcd_ctl_register(const struct vcd_config *cfg);

/* Main loop, every tick: run what a command left for the main thread (a calibration). */
void vcd_ctl_poll(void);

#endif /* VCRYPTD_CTL_H */
