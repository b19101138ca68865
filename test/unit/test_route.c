/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The routing policy (route.h): vcd_route_pick() and vcd_route_crossover(),
 * pure functions, checked case by case against the rules route.h states.
 */
#include <check.h>
#include <stdlib.h>

#include "vcryptd/route.h"
#include "unit_main.h"

#define CPU   VCD_BACKEND_CPU
#define ACCEL VCD_BACKEND_ACCEL

static struct vcd_route_cand
cand(uint8_t backend, uint8_t role, bool up, uint32_t room)
{
	return (struct vcd_route_cand){.backend = backend, .role = role, .up = up, .room = room};
}

START_TEST(size_split_at_threshold)
{
	struct vcd_route_cand c[2] = {cand(0, CPU, true, 10), cand(1, ACCEL, true, 10)};
	bool spilled = true;

	/* Below the threshold: cpu; at and above: accel; no spill either way. */
	ck_assert_int_eq(vcd_route_pick(c, 2, 16383, 16384, &spilled), 0);
	ck_assert(!spilled);
	ck_assert_int_eq(vcd_route_pick(c, 2, 16384, 16384, &spilled), 1);
	ck_assert(!spilled);
	ck_assert_int_eq(vcd_route_pick(c, 2, 1 << 20, 16384, &spilled), 1);
	/* Threshold 0: accel always; never: cpu always, even for the largest. */
	ck_assert_int_eq(vcd_route_pick(c, 2, 1, 0, &spilled), 1);
	ck_assert_int_eq(vcd_route_pick(c, 2, 1 << 22, VCD_THRESHOLD_NEVER, &spilled), 0);
}
END_TEST

START_TEST(capability_single_candidate)
{
	/* A session only the accelerator can run goes there whatever its size. */
	struct vcd_route_cand a[1] = {cand(3, ACCEL, true, 5)};
	struct vcd_route_cand p[1] = {cand(2, CPU, true, 5)};
	bool spilled = false;

	ck_assert_int_eq(vcd_route_pick(a, 1, 64, 16384, &spilled), 3);
	ck_assert(!spilled); /* nothing of the preferred role exists: not a spill */
	ck_assert_int_eq(vcd_route_pick(p, 1, 1 << 20, 16384, &spilled), 2);
	ck_assert(!spilled);
}
END_TEST

START_TEST(spill_both_ways)
{
	struct vcd_route_cand c[2] = {cand(0, CPU, true, 0), cand(1, ACCEL, true, 4)};
	bool spilled = false;

	/* cpu preferred but full: to the accelerator, counted as a spill. */
	ck_assert_int_eq(vcd_route_pick(c, 2, 64, 16384, &spilled), 1);
	ck_assert(spilled);
	/* accel preferred but full: to the cpu. */
	c[0].room = 3;
	c[1].room = 0;
	ck_assert_int_eq(vcd_route_pick(c, 2, 65536, 16384, &spilled), 0);
	ck_assert(spilled);
}
END_TEST

START_TEST(most_room_wins)
{
	struct vcd_route_cand c[4] = {cand(0, CPU, true, 2), cand(1, ACCEL, true, 3),
		cand(2, ACCEL, true, 9), cand(3, ACCEL, false, 100)};
	bool spilled;

	/* Among accelerators that are up, the one with most room; ties to the first. */
	ck_assert_int_eq(vcd_route_pick(c, 4, 65536, 4096, &spilled), 2);
	c[1].room = 9;
	ck_assert_int_eq(vcd_route_pick(c, 4, 65536, 4096, &spilled), 1);
}
END_TEST

START_TEST(down_is_skipped)
{
	struct vcd_route_cand c[2] = {cand(0, CPU, true, 8), cand(1, ACCEL, false, 8)};
	bool spilled = true;

	/* The accelerator is down: its work goes to the cpu, which is not a spill. */
	ck_assert_int_eq(vcd_route_pick(c, 2, 65536, 4096, &spilled), 0);
	ck_assert(!spilled);
}
END_TEST

START_TEST(wait_or_none)
{
	struct vcd_route_cand c[2] = {cand(0, CPU, true, 0), cand(1, ACCEL, true, 0)};
	bool spilled;

	/* Everything full: wait on the ring. */
	ck_assert_int_eq(vcd_route_pick(c, 2, 64, 4096, &spilled), VCD_ROUTE_WAIT);
	/* Full or down: still wait for the one that is up. */
	c[1].up = false;
	ck_assert_int_eq(vcd_route_pick(c, 2, 64, 4096, &spilled), VCD_ROUTE_WAIT);
	/* Everything down: no backend, the guest gets an error. */
	c[0].up = false;
	ck_assert_int_eq(vcd_route_pick(c, 2, 64, 4096, &spilled), VCD_ROUTE_NONE);
	ck_assert_int_eq(vcd_route_pick(c, 0, 64, 4096, &spilled), VCD_ROUTE_NONE);
}
END_TEST

static const uint32_t sizes[5] = {64, 1024, 4096, 16384, 65536};

START_TEST(crossover_rule)
{
	const double cpu[5] = {100, 300, 900, 3500, 14000};
	const double acc[5] = {2000, 2100, 2300, 3000, 6000};
	/* Cheaper from 16384 on. */
	ck_assert_uint_eq(vcd_route_crossover(sizes, cpu, acc, 5), 16384);
}
END_TEST

START_TEST(crossover_edges)
{
	const double cpu[5] = {100, 300, 900, 3500, 14000};
	const double cheap[5] = {50, 100, 200, 300, 400};
	const double dear[5] = {5000, 5000, 5000, 5000, 50000};
	/* Noise: cheaper at 1024 and 65536 but not at 4096 -> only the run from 65536 counts. */
	const double noisy[5] = {2000, 200, 1000, 4000, 6000};
	const double missing[5] = {50, 100, 200, 300, -1};

	ck_assert_uint_eq(vcd_route_crossover(sizes, cpu, cheap, 5), 0);
	ck_assert_uint_eq(vcd_route_crossover(sizes, cpu, dear, 5), VCD_THRESHOLD_NEVER);
	ck_assert_uint_eq(vcd_route_crossover(sizes, cpu, noisy, 5), 65536);
	ck_assert_uint_eq(vcd_route_crossover(sizes, cpu, missing, 5), VCD_THRESHOLD_NEVER);
	ck_assert_uint_eq(vcd_route_crossover(sizes, cpu, cheap, 0), VCD_THRESHOLD_NEVER);
}
END_TEST

START_TEST(crossover_consistent_with_pick)
{
	/*
	 * Whatever the costs, routing with the crossover sends every measured
	 * size to the role that was cheaper there, except sizes below a dip.
	 */
	double cpu[5], acc[5];
	unsigned int seed = 7, trial, i;

	for (trial = 0; trial < 1000; trial++) {
		struct vcd_route_cand c[2] = {cand(0, CPU, true, 1), cand(1, ACCEL, true, 1)};
		uint32_t t;
		bool spilled;

		for (i = 0; i < 5; i++) {
			cpu[i] = 1 + rand_r(&seed) % 1000;
			acc[i] = 1 + rand_r(&seed) % 1000;
		}
		t = vcd_route_crossover(sizes, cpu, acc, 5);
		for (i = 0; i < 5; i++) {
			int b = vcd_route_pick(c, 2, sizes[i], t, &spilled);

			if (b ==
				1) /* sent to accel: it was cheaper here and at every larger size */
				for (unsigned int k = i; k < 5; k++)
					ck_assert(acc[k] < cpu[k]);
			else if (i == 4)
				ck_assert(acc[4] >= cpu[4]);
		}
	}
}
END_TEST

static Suite *
route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *t = tcase_create("pick");

	tcase_add_test(t, size_split_at_threshold);
	tcase_add_test(t, capability_single_candidate);
	tcase_add_test(t, spill_both_ways);
	tcase_add_test(t, most_room_wins);
	tcase_add_test(t, down_is_skipped);
	tcase_add_test(t, wait_or_none);
	suite_add_tcase(s, t);
	t = tcase_create("crossover");
	tcase_add_test(t, crossover_rule);
	tcase_add_test(t, crossover_edges);
	tcase_add_test(t, crossover_consistent_with_pick);
	suite_add_tcase(s, t);
	return s;
}

VCD_UNIT_MAIN(route_suite)
