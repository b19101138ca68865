/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
#include "vcryptd/log.h"

RTE_LOG_REGISTER(vcd_logtype_ctl, vcryptd.ctl, INFO);
RTE_LOG_REGISTER(vcd_logtype_data, vcryptd.data, WARNING);
