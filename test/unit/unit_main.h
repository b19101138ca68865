/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* The main() of every Check unit test: run the file's suite, exit non-zero on a failure. */
#ifndef VCRYPTD_TEST_UNIT_MAIN_H
#define VCRYPTD_TEST_UNIT_MAIN_H

#include <check.h>
#include <stdlib.h>

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
