/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* The main() of every Check unit test: run the file's suite, exit non-zero on a failure. */
#ifndef VCRYPTD_TEST_UNIT_MAIN_H
#define VCRYPTD_TEST_UNIT_MAIN_H

#include <check.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The EAL -l argument for a unit test: the first CPU this process may run on
 * (2-core machines, cpusets without CPU 0), as text in @buf.
 */
static inline const char *
vcd_unit_lcore(char *buf, size_t len)
{
	cpu_set_t set;
	unsigned int i, cpu = 0;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set)) {
				cpu = i;
				break;
			}
	snprintf(buf, len, "%u", cpu);
	return buf;
}

#define VCD_UNIT_MAIN(suite_fn)                                                                    \
	int main(void)                                                                             \
	{                                                                                          \
		SRunner *sr = srunner_create(suite_fn());                                          \
		int failed;                                                                        \
                                                                                                   \
		srunner_run_all(sr, CK_NORMAL);                                                    \
		failed = srunner_ntests_failed(sr);                                                \
		srunner_free(sr);                                                                  \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                                  \
	}

#endif
