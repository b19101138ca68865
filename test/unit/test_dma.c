/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Unit tests for src/dma.c: the mode decision for every backend set and IOVA
 * mode, and, with a real EAL (no hugepages, no PCI, one crypto_null vdev), the
 * EAL side of guest memory mapping on memfd-backed regions shaped like the
 * ones librte_vhost maps.  There is no QAT (no PCI device) here: the tests
 * named *_no_qat force VCD_DMA_MAP with an empty device list, so they exercise
 * rte_extmem_register/unregister bookkeeping but never rte_dev_dma_map.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cryptodev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_vhost.h>

#include "vcryptd/dma.h"
#include "unit_main.h"

#define REGION_LEN       (4u << 20)
#define MAX_TEST_REGIONS 3

START_TEST(pick_mode_all_combinations)
{
	static const enum rte_iova_mode modes[] = {RTE_IOVA_DC, RTE_IOVA_PA, RTE_IOVA_VA};
	unsigned int i;

	for (i = 0; i < RTE_DIM(modes); i++)
		ck_assert_int_eq(vcd_dma_pick_mode(false, modes[i]), VCD_DMA_NONE);
	ck_assert_int_eq(vcd_dma_pick_mode(true, RTE_IOVA_VA), VCD_DMA_MAP);
	ck_assert_int_eq(vcd_dma_pick_mode(true, RTE_IOVA_PA), VCD_DMA_BOUNCE);
	/* Not decided yet: never hand a device a VA it may not translate. */
	ck_assert_int_eq(vcd_dma_pick_mode(true, RTE_IOVA_DC), VCD_DMA_BOUNCE);
}
END_TEST

START_TEST(defaults_before_init)
{
	ck_assert_int_eq(vcd_dma_mode(), VCD_DMA_NONE);
	ck_assert(!vcd_dma_dev_needs_iova(0));
	ck_assert(!vcd_dma_dev_needs_iova(255));
	ck_assert_uint_eq(vcd_dma_bounce_iova((void *)0x1000), 0x1000);
	/* Not the MAP mode: mapping does nothing; a vid out of range is still refused. */
	ck_assert_int_eq(vcd_dma_map_vm(0, NULL), 0);
	ck_assert_int_eq(vcd_dma_map_vm(-1, NULL), -EINVAL);
	vcd_dma_unmap_vm(-1);
}
END_TEST

/* ---- With EAL ---- */

/* A guest region as librte_vhost holds it: a shared mapping of a memfd. */
struct fake_region {
	int fd;
	void *va;
	size_t len;
};

static struct {
	struct rte_vhost_memory hdr;
	struct rte_vhost_mem_region regions[MAX_TEST_REGIONS];
} table;
static struct fake_region fr[MAX_TEST_REGIONS];

static void
fake_region_open(struct fake_region *f, size_t len)
{
	f->fd = memfd_create("vcd-test-dma", MFD_CLOEXEC);
	ck_assert_int_ge(f->fd, 0);
	ck_assert_int_eq(ftruncate(f->fd, (off_t)len), 0);
	f->va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
	ck_assert_ptr_ne(f->va, MAP_FAILED);
	f->len = len;
}

static void
fake_region_close(struct fake_region *f)
{
	if (f->va != NULL)
		munmap(f->va, f->len);
	if (f->fd >= 0)
		close(f->fd);
	f->va = NULL;
	f->fd = -1;
}

/*
 * table := the regions fr[idx[0]], ..., fr[idx[n-1]]; mmap_size = @sizes[i] when
 * given and non-zero, else the whole mapping.
 */
static struct rte_vhost_memory *
make_table(unsigned int n, const unsigned int *idx, const size_t *sizes)
{
	unsigned int i;

	memset(&table, 0, sizeof(table));
	table.hdr.nregions = n;
	for (i = 0; i < n; i++) {
		const struct fake_region *f = &fr[idx[i]];
		struct rte_vhost_mem_region *r = &table.hdr.regions[i];

		r->guest_phys_addr = (uint64_t)i << 32;
		r->guest_user_addr = 0x7f0000000000ull + ((uint64_t)i << 32);
		r->host_user_addr = (uint64_t)(uintptr_t)f->va;
		r->size = f->len;
		r->mmap_addr = f->va;
		r->mmap_size = sizes != NULL && sizes[i] != 0 ? sizes[i] : f->len;
		r->fd = f->fd;
	}
	return &table.hdr;
}

static const unsigned int R0[] = {0}, R1[] = {1}, R01[] = {0, 1};

static bool
registered(const struct fake_region *f)
{
	return rte_mem_virt2memseg_list(f->va) != NULL &&
		rte_mem_virt2memseg_list((const char *)f->va + f->len - 1) != NULL;
}

static bool
unregistered(const struct fake_region *f)
{
	return rte_mem_virt2memseg_list(f->va) == NULL &&
		rte_mem_virt2memseg_list((const char *)f->va + f->len - 1) == NULL;
}

static bool eal_up;

/* At the exit of the process that started EAL (each test's child, or the runner). */
static void
eal_stop(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (dir[0] != '\0')
		rmdir(dir); /* empty: no shared config, no telemetry */
}

/* Checked fixture: in each test's child, or once per process without fork. */
static void
eal_setup(void)
{
	char lcore[16], prefix[64];
	unsigned int i;

	for (i = 0; i < MAX_TEST_REGIONS; i++) {
		fr[i].fd = -1;
		fr[i].va = NULL;
	}
	if (eal_up)
		return;
	vcd_unit_lcore(lcore, sizeof(lcore));
	snprintf(prefix, sizeof(prefix), "--file-prefix=vcd-test-dma-%d", (int)getpid());
	{
		char *argv[] = {"test_dma", "--no-huge", "-m", "64", "--no-shconf", "--no-pci",
			"--no-telemetry", "-l", lcore, "--log-level=error", "--vdev", "crypto_null",
			prefix, NULL};

		ck_assert_msg(rte_eal_init((int)RTE_DIM(argv) - 1, argv) >= 0, "rte_eal_init: %s",
			rte_strerror(rte_errno));
	}
	eal_up = true;
	atexit(eal_stop);
}

static void
eal_teardown(void)
{
	unsigned int i;

	for (i = 0; i < MAX_TEST_REGIONS; i++)
		fake_region_close(&fr[i]);
}

START_TEST(init_with_crypto_null_is_none)
{
	int id;

	ck_assert_int_eq(vcd_dma_init(), 0);
	ck_assert_int_eq(vcd_dma_mode(), VCD_DMA_NONE);
	id = rte_cryptodev_get_dev_id("crypto_null");
	ck_assert_int_ge(id, 0);
	ck_assert(!vcd_dma_dev_needs_iova((uint8_t)id));
	/* A second call decides nothing new. */
	ck_assert_int_eq(vcd_dma_init(), 0);
	ck_assert_int_eq(vcd_dma_mode(), VCD_DMA_NONE);

	/* NONE: guest memory is left alone. */
	fake_region_open(&fr[0], REGION_LEN);
	ck_assert_int_eq(vcd_dma_map_vm(3, make_table(1, R0, NULL)), 0);
	ck_assert(unregistered(&fr[0]));
	vcd_dma_unmap_vm(3);
}
END_TEST

START_TEST(map_unmap_registers_extmem_no_qat)
{
	struct vcd_dma_vm st;

	memset(&st, 0, sizeof(st));
	vcd_dma_set_mode_for_test(VCD_DMA_MAP);
	fake_region_open(&fr[0], REGION_LEN);
	fake_region_open(&fr[1], 2 * REGION_LEN);
	ck_assert(unregistered(&fr[0]) && unregistered(&fr[1]));

	ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(2, R01, NULL)), 0);
	ck_assert_uint_eq(st.nregions, 2);
	ck_assert(registered(&fr[0]) && registered(&fr[1]));
	ck_assert_uint_eq(st.regions[0].pgsz, (size_t)sysconf(_SC_PAGESIZE)); /* memfd */
	ck_assert_ptr_eq(rte_mem_virt2memseg_list(fr[0].va)->base_va, fr[0].va);
	ck_assert_uint_eq(rte_mem_virt2memseg_list(fr[1].va)->len, 2 * REGION_LEN);

	vcd_dma_unmap_mem(&st);
	ck_assert_uint_eq(st.nregions, 0);
	ck_assert(unregistered(&fr[0]) && unregistered(&fr[1]));
	vcd_dma_unmap_mem(&st); /* twice: harmless */
	ck_assert(unregistered(&fr[0]));
}
END_TEST

START_TEST(double_map_is_balanced_no_qat)
{
	struct vcd_dma_vm st;
	unsigned int i;
	int socket_id;

	memset(&st, 0, sizeof(st));
	vcd_dma_set_mode_for_test(VCD_DMA_MAP);
	fake_region_open(&fr[0], REGION_LEN);
	fake_region_open(&fr[1], REGION_LEN);

	/*
	 * The ring starts again and again on one table: registered once, no EEXIST
	 * (each registration takes a new socket id, so the id shows it stayed put).
	 */
	ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(1, R0, NULL)), 0);
	socket_id = rte_mem_virt2memseg_list(fr[0].va)->socket_id;
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(1, R0, NULL)), 0);
		ck_assert_uint_eq(st.nregions, 1);
		ck_assert(registered(&fr[0]));
		ck_assert_int_eq(rte_mem_virt2memseg_list(fr[0].va)->socket_id, socket_id);
	}
	/* One unmap undoes it all: nothing left registered. */
	vcd_dma_unmap_mem(&st);
	ck_assert(unregistered(&fr[0]));
	/* Many full cycles: EAL has 128 memseg lists, a leak would run out. */
	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(2, R01, NULL)), 0);
		vcd_dma_unmap_mem(&st);
	}
	ck_assert(unregistered(&fr[0]) && unregistered(&fr[1]));

	/* Another table (SET_MEM_TABLE without our unmap): the old region goes first. */
	ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(1, R0, NULL)), 0);
	ck_assert(registered(&fr[0]) && unregistered(&fr[1]));
	ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(1, R1, NULL)), 0);
	ck_assert(unregistered(&fr[0]) && registered(&fr[1]));
	/* The same region again with a different length is another table too. */
	{
		const size_t half[] = {REGION_LEN / 2};

		ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(1, R1, half)), 0);
		ck_assert_uint_eq(rte_mem_virt2memseg_list(fr[1].va)->len, REGION_LEN / 2);
	}
	vcd_dma_unmap_mem(&st);
	ck_assert(unregistered(&fr[0]) && unregistered(&fr[1]));
}
END_TEST

START_TEST(failed_map_is_undone_no_qat)
{
	struct vcd_dma_vm st;
	const size_t bad[] = {0, REGION_LEN - 100}; /* not a multiple of the page size */

	memset(&st, 0, sizeof(st));
	st.vid = 7;
	vcd_dma_set_mode_for_test(VCD_DMA_MAP);
	fake_region_open(&fr[0], REGION_LEN);
	fake_region_open(&fr[1], REGION_LEN);

	ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(2, R01, bad)), -EINVAL);
	ck_assert_uint_eq(st.nregions, 0);
	ck_assert(unregistered(&fr[0]) && unregistered(&fr[1])); /* region 0 was undone */
	/* The same table again: the same answer, nothing retried or registered. */
	ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(2, R01, bad)), -EINVAL);
	ck_assert(unregistered(&fr[0]));
	/* A good table afterwards maps. */
	ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(2, R01, NULL)), 0);
	ck_assert(registered(&fr[0]) && registered(&fr[1]));
	vcd_dma_unmap_mem(&st);
	ck_assert(unregistered(&fr[0]) && unregistered(&fr[1]));

	/* A region already registered by someone else (EEXIST): refused, nothing taken over. */
	ck_assert_int_eq(rte_extmem_register(fr[1].va, fr[1].len, NULL, 0, 4096), 0);
	ck_assert_int_eq(vcd_dma_map_mem(&st, make_table(2, R01, NULL)), -EEXIST);
	ck_assert(unregistered(&fr[0]) && registered(&fr[1]));
	ck_assert_int_eq(rte_extmem_unregister(fr[1].va, fr[1].len), 0);

	/* More regions than librte_vhost's table holds. */
	memset(&table, 0, sizeof(table));
	table.hdr.nregions = VCD_DMA_MAX_REGIONS + 1;
	ck_assert_int_eq(vcd_dma_map_mem(&st, &table.hdr), -E2BIG);
	ck_assert_int_eq(vcd_dma_map_mem(&st, NULL), -EINVAL);
}
END_TEST

START_TEST(map_by_vid_no_qat)
{
	vcd_dma_set_mode_for_test(VCD_DMA_MAP);
	fake_region_open(&fr[0], REGION_LEN);
	fake_region_open(&fr[1], REGION_LEN);

	ck_assert_int_eq(vcd_dma_map_vm(RTE_MAX_VHOST_DEVICE, make_table(1, R0, NULL)), -EINVAL);
	ck_assert_int_eq(vcd_dma_map_vm(-1, make_table(1, R0, NULL)), -EINVAL);
	/* Two VMs, two tables. */
	ck_assert_int_eq(vcd_dma_map_vm(0, make_table(1, R0, NULL)), 0);
	ck_assert_int_eq(vcd_dma_map_vm(1, make_table(1, R1, NULL)), 0);
	ck_assert(registered(&fr[0]) && registered(&fr[1]));
	/* The SET_MEM_TABLE pre-hook, then the ring starting again on vid 1. */
	vcd_dma_unmap_vm(1);
	ck_assert(registered(&fr[0]) && unregistered(&fr[1]));
	ck_assert_int_eq(vcd_dma_map_vm(1, make_table(1, R1, NULL)), 0);
	ck_assert(registered(&fr[1]));
	/* Disconnection after the pre-hook: the second unmap finds nothing to do. */
	vcd_dma_unmap_vm(1);
	vcd_dma_unmap_vm(1);
	vcd_dma_unmap_vm(0);
	vcd_dma_unmap_vm(-1);
	ck_assert(unregistered(&fr[0]) && unregistered(&fr[1]));
}
END_TEST

START_TEST(bounce_iova_by_mode)
{
	void *p = rte_malloc("vcd-test-dma", 4096, 64);

	ck_assert_ptr_nonnull(p);
	vcd_dma_set_mode_for_test(VCD_DMA_MAP);
	ck_assert_uint_eq(vcd_dma_bounce_iova(p), (rte_iova_t)(uintptr_t)p);
	vcd_dma_set_mode_for_test(VCD_DMA_BOUNCE);
	ck_assert_uint_eq(vcd_dma_bounce_iova(p), rte_malloc_virt2iova(p));
	ck_assert_uint_ne(vcd_dma_bounce_iova(p), RTE_BAD_IOVA);
	/* BOUNCE: guest memory is not registered. */
	fake_region_open(&fr[0], REGION_LEN);
	ck_assert_int_eq(vcd_dma_map_vm(2, make_table(1, R0, NULL)), 0);
	ck_assert(unregistered(&fr[0]));
	vcd_dma_unmap_vm(2);
	rte_free(p);
}
END_TEST

static Suite *
dma_suite(void)
{
	Suite *s = suite_create("dma");
	TCase *pure = tcase_create("pure");
	TCase *eal = tcase_create("eal");

	tcase_add_test(pure, pick_mode_all_combinations);
	tcase_add_test(pure, defaults_before_init);
	suite_add_tcase(s, pure);

	tcase_add_checked_fixture(eal, eal_setup, eal_teardown);
	tcase_set_timeout(eal, 60);
	tcase_add_test(eal, init_with_crypto_null_is_none);
	tcase_add_test(eal, map_unmap_registers_extmem_no_qat);
	tcase_add_test(eal, double_map_is_balanced_no_qat);
	tcase_add_test(eal, failed_map_is_undone_no_qat);
	tcase_add_test(eal, map_by_vid_no_qat);
	tcase_add_test(eal, bounce_iova_by_mode);
	suite_add_tcase(s, eal);
	return s;
}

VCD_UNIT_MAIN(dma_suite)
