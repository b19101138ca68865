/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Fuzzing vcd_vring_pop(), the walker that turns a guest's descriptor chains into host
 * segments.  No EAL: a fake memory table of 1-3 regions maps guest physical ranges onto host
 * buffers (rte_vhost_va_from_guest_pa() is an inline that only reads that table), and the
 * split ring lives in the first region as a guest's would, so descriptors may point at the
 * ring itself.  Everything the guest controls comes from the input: the ring contents, the
 * descriptor tables (direct and indirect), the avail entries, and where its memory is.
 *
 * Input, little-endian, missing bytes read as zero (see read_layout()):
 *   0      flags: bits 0-1 region count - 1 (3 reads as 1); bit 2 the regions share one host
 *          allocation (host-adjacent, so segments may merge across them); bit 3 the last
 *          region is a sparse 6 GiB mapping (lengths near 4 GiB); bit 4 the memory table
 *          lists the regions in reverse guest order; bit 5 host order is reversed too;
 *          bit 6 event idx
 *   1      log2 of the ring size (low 4 bits)
 *   2      pops - 1 (low 3 bits)
 *   3..4   last_avail
 *   5..12  guest physical base (lowered so that the last region ends below 2^64)
 *   13..36 per region: u32 size (extra bytes after the ring for region 0), u32 gap in guest
 *          physical space before the region
 *   37..52 the avail ring entries the pops consume, one u16 each
 *   53..   guest memory: region 0 from offset 0 (descriptor table, then avail and used
 *          rings, then the rest), then the next small regions; the rest stays zero
 *
 * Built two ways: with clang and -fsanitize=fuzzer (VCD_LIBFUZZER) for fuzzing, and with any
 * compiler and a main() that replays the files and directories named on its command line,
 * so the seed corpus runs as an ordinary test.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "vcryptd/vring.h"

#define REGIONS_MAX      3
#define SMALL_REGION_MAX (64u << 10)
#define HUGE_REGION_SIZE (6ull << 30)
#define POPS_MAX         8

#define F_NB_REGIONS 0x03
#define F_HOST_BLOCK 0x04
#define F_HUGE       0x08
#define F_TABLE_REV  0x10
#define F_HOST_REV   0x20
#define F_EVENT_IDX  0x40

struct input {
	const uint8_t *p;
	size_t n;
};

/* What the header asks for; region 0 (lowest guest address) holds the ring. */
struct layout {
	uint8_t flags;
	unsigned int nb_regions;
	unsigned int nb_pops;
	uint16_t ring_size;
	uint16_t last_avail;
	uint64_t gpa_base;
	uint32_t size_arg[REGIONS_MAX];
	uint32_t gap[REGIONS_MAX];
	uint16_t heads[POPS_MAX];
	size_t avail_off;
	size_t used_off;
	size_t ring_bytes;
};

/* One fake guest: regions in guest-address order, and the table as a VMM would hand it over. */
struct guest {
	struct rte_vhost_memory *mem;
	uint8_t *host[REGIONS_MAX];
	uint64_t len[REGIONS_MAX];
	uint64_t gpa[REGIONS_MAX];
	bool huge[REGIONS_MAX];
	void *alloc[REGIONS_MAX]; /* what to free: one block, or one buffer per small region */
};

static uint64_t
take(struct input *in, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		uint64_t b = 0;

		if (in->n > 0) {
			b = *in->p++;
			in->n--;
		}
		v |= b << (8 * i);
	}
	return v;
}

/* Reserved once, never written: reads of untouched pages cost no memory. */
static uint8_t *
huge_region(void)
{
	static uint8_t *huge;
	static bool tried;

	if (!tried) {
		void *p = mmap(NULL, HUGE_REGION_SIZE, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		huge = p == MAP_FAILED ? NULL : p;
		tried = true;
	}
	return huge;
}

static void
read_layout(struct input *in, struct layout *l)
{
	l->flags = (uint8_t)take(in, 1);
	l->nb_regions = (l->flags & F_NB_REGIONS) % REGIONS_MAX + 1;
	l->ring_size = (uint16_t)(1u << (take(in, 1) & 15));
	l->nb_pops = (take(in, 1) & (POPS_MAX - 1)) + 1;
	l->last_avail = (uint16_t)take(in, 2);
	l->gpa_base = take(in, 8);
	for (unsigned int i = 0; i < REGIONS_MAX; i++) {
		l->size_arg[i] = (uint32_t)take(in, 4);
		l->gap[i] = (uint32_t)take(in, 4);
	}
	for (unsigned int i = 0; i < POPS_MAX; i++)
		l->heads[i] = (uint16_t)take(in, 2);
	if (l->nb_regions == 1 || huge_region() == NULL)
		l->flags &= (uint8_t)~F_HUGE;
	/* The split ring layout of the virtio spec, event idx fields included. */
	l->avail_off = sizeof(struct vring_desc) * l->ring_size;
	l->used_off = (l->avail_off + 4 + 2u * l->ring_size + 2 + 3) & ~(size_t)3;
	l->ring_bytes = l->used_off + 4 + sizeof(struct vring_used_elem) * l->ring_size + 2;
}

static uint64_t
region_len(const struct layout *l, unsigned int i)
{
	if (i == 0)
		return l->ring_bytes + l->size_arg[0] % (SMALL_REGION_MAX + 1);
	if (i == l->nb_regions - 1 && (l->flags & F_HUGE))
		return HUGE_REGION_SIZE;
	return 1 + l->size_arg[i] % SMALL_REGION_MAX;
}

/* Guest addresses: base, then each region after its gap; nothing wraps past 2^64 - 1. */
static void
place_gpa(const struct layout *l, struct guest *g)
{
	uint64_t span = 0;
	uint64_t at;

	for (unsigned int i = 0; i < l->nb_regions; i++)
		span += (uint64_t)l->gap[i] + g->len[i];
	at = l->gpa_base > UINT64_MAX - span ? UINT64_MAX - span : l->gpa_base;
	for (unsigned int i = 0; i < l->nb_regions; i++) {
		g->gpa[i] = at + l->gap[i];
		at = g->gpa[i] + g->len[i];
	}
}

/* Host buffers: one malloc each (ASan redzones between), or back to back in one block. */
static int
place_host(const struct layout *l, struct guest *g)
{
	unsigned int n = l->nb_regions - ((l->flags & F_HUGE) ? 1 : 0);
	uint64_t total = 0;
	uint8_t *block;

	if (l->flags & F_HUGE)
		g->host[n] = huge_region();
	for (unsigned int i = 0; i < n; i++)
		total += g->len[i];
	if (!(l->flags & F_HOST_BLOCK)) {
		for (unsigned int i = 0; i < n; i++) {
			g->host[i] = g->alloc[i] = calloc(1, g->len[i]);
			if (g->host[i] == NULL)
				return -1;
		}
		return 0;
	}
	/* Region 0 holds the ring: start the block so that it lands 16-byte aligned. */
	block = g->alloc[0] = calloc(1, total + 15);
	if (block == NULL)
		return -1;
	if (l->flags & F_HOST_REV)
		block += (16 - (total - g->len[0]) % 16) % 16;
	for (unsigned int k = 0; k < n; k++) {
		unsigned int i = (l->flags & F_HOST_REV) ? n - 1 - k : k;

		g->host[i] = block;
		block += g->len[i];
	}
	return 0;
}

static int
build_guest(const struct layout *l, struct input *in, struct guest *g)
{
	for (unsigned int i = 0; i < l->nb_regions; i++) {
		g->len[i] = region_len(l, i);
		g->huge[i] = i == l->nb_regions - 1 && (l->flags & F_HUGE);
	}
	place_gpa(l, g);
	if (place_host(l, g) != 0)
		return -1;
	for (unsigned int i = 0; i < l->nb_regions && in->n > 0; i++) {
		size_t n = in->n < g->len[i] ? in->n : (size_t)g->len[i];

		if (g->huge[i])
			continue;
		memcpy(g->host[i], in->p, n);
		in->p += n;
		in->n -= n;
	}
	g->mem = calloc(1, sizeof(*g->mem) + l->nb_regions * sizeof(g->mem->regions[0]));
	if (g->mem == NULL)
		return -1;
	g->mem->nregions = l->nb_regions;
	for (unsigned int i = 0; i < l->nb_regions; i++) {
		unsigned int t = (l->flags & F_TABLE_REV) ? l->nb_regions - 1 - i : i;
		struct rte_vhost_mem_region *r = &g->mem->regions[t];

		r->guest_phys_addr = g->gpa[i];
		r->guest_user_addr = 0x7f0000000000ull + g->gpa[i] % (1ull << 40);
		r->host_user_addr = (uint64_t)(uintptr_t)g->host[i];
		r->size = g->len[i];
		r->mmap_addr = g->host[i];
		r->mmap_size = g->len[i];
		r->fd = -1;
	}
	return 0;
}

static void
free_guest(struct guest *g)
{
	for (unsigned int i = 0; i < REGIONS_MAX; i++)
		free(g->alloc[i]);
	free(g->mem);
}

/* Is the host range [p, p + len) guest memory?  Host-adjacent regions may share a segment. */
static bool
host_range_mapped(const struct guest *g, unsigned int nb, uintptr_t p, uint64_t len)
{
	uintptr_t end = p + len;

	if (len == 0 || end < p)
		return false;
	for (unsigned int hops = 0; hops < nb; hops++) {
		bool found = false;

		for (unsigned int i = 0; i < nb && !found; i++) {
			uintptr_t lo = (uintptr_t)g->host[i];

			if (p >= lo && p < lo + g->len[i]) {
				if (end <= lo + g->len[i])
					return true;
				p = lo + g->len[i];
				found = true;
			}
		}
		if (!found)
			return false;
	}
	return false;
}

/* Each segment is non-empty guest memory that the harness can read; returns the total. */
static uint64_t
check_segs(const struct guest *g, unsigned int nb, const struct vcd_seg *s, uint16_t n)
{
	uint64_t sum = 0;

	CHECK(n <= VCD_CHAIN_MAX_SEGS);
	for (uint16_t i = 0; i < n; i++) {
		CHECK(s[i].len > 0);
		CHECK(host_range_mapped(g, nb, (uintptr_t)s[i].va, s[i].len));
		(void)*(volatile uint8_t *)s[i].va;
		(void)*(volatile uint8_t *)(s[i].va + s[i].len - 1);
		sum += s[i].len;
	}
	return sum;
}

static void
check_chain(const struct guest *g, const struct vcd_vring *vr, const struct vcd_chain *c)
{
	unsigned int nb = g->mem->nregions;
	uint64_t rd = check_segs(g, nb, c->rd, c->nb_rd);
	uint64_t wr = check_segs(g, nb, c->wr, c->nb_wr);

	CHECK(c->err < VCD_CHAIN_ERR_MAX);
	CHECK(strcmp(vcd_chain_err_name((enum vcd_chain_err)c->err), "unknown") != 0);
	if (c->head >= vr->size)
		CHECK(c->err == VCD_CHAIN_BAD_HEAD && c->nb_rd + c->nb_wr == 0 &&
			c->status == NULL);
	if (c->status != NULL) {
		CHECK(host_range_mapped(g, nb, (uintptr_t)c->status, 1));
		(void)*(volatile uint8_t *)c->status;
	}
	if (c->err != VCD_CHAIN_OK)
		return;
	CHECK(c->rd_mapped == rd && c->wr_mapped == wr);
	CHECK(c->rd_mapped <= c->rd_len && c->wr_mapped <= c->wr_len);
	CHECK(c->rd_len <= (1u << 30));
	/* Segments fully mapped: the status is the end of the last one. */
	if (c->status != NULL && c->wr_mapped == c->wr_len)
		CHECK(c->nb_wr > 0 &&
			c->status == c->wr[c->nb_wr - 1].va + c->wr[c->nb_wr - 1].len - 1);
}

/*
 * The fast walk (walk_fast) must give what the general walk gives: pop the
 * same entry again with it turned off and compare everything but segment
 * bytes beyond the counts.  @c holds the fast result; @ref is scratch.
 */
static void
check_same_as_general(struct vcd_vring *vr, const struct vcd_chain *c, struct vcd_chain *ref)
{
	struct vcd_vring again = *vr;

	again.last_avail--;
	memset(ref, 0x5a, sizeof(*ref));
	vcd_vring_fast_walk = false;
	vcd_vring_pop(&again, ref);
	vcd_vring_fast_walk = true;
	CHECK(ref->head == c->head && ref->err == c->err && ref->status == c->status);
	CHECK(ref->nb_rd == c->nb_rd && ref->nb_wr == c->nb_wr);
	CHECK(ref->rd_len == c->rd_len && ref->wr_len == c->wr_len);
	CHECK(ref->rd_mapped == c->rd_mapped && ref->wr_mapped == c->wr_mapped);
	for (uint16_t i = 0; i < c->nb_rd; i++) /* field by field: vcd_seg has padding */
		CHECK(ref->rd[i].va == c->rd[i].va && ref->rd[i].len == c->rd[i].len);
	for (uint16_t i = 0; i < c->nb_wr; i++)
		CHECK(ref->wr[i].va == c->wr[i].va && ref->wr[i].len == c->wr[i].len);
}

/* Pop as the worker does: one chain per avail entry, every chain completed. */
static void
run_ring(const struct layout *l, const struct guest *g, struct vcd_chain *c, struct vcd_chain *ref)
{
	struct vcd_vring vr = {
		.desc = (struct vring_desc *)(void *)g->host[0],
		.avail = (struct vring_avail *)(void *)(g->host[0] + l->avail_off),
		.used = (struct vring_used *)(void *)(g->host[0] + l->used_off),
		.mem = g->mem,
		.size = l->ring_size,
		.last_avail = l->last_avail,
		.used_idx = l->last_avail,
		.event_idx = (l->flags & F_EVENT_IDX) != 0,
		.callfd = -1,
	};
	uint16_t mask = (uint16_t)(l->ring_size - 1);

	for (unsigned int k = 0; k < l->nb_pops; k++)
		vr.avail->ring[(uint16_t)(l->last_avail + k) & mask] = l->heads[k];
	for (unsigned int k = 0; k < l->nb_pops; k++) {
		uint16_t before = vr.last_avail;
		uint16_t head = vr.avail->ring[before & mask];

		memset(c, 0xa5 ^ (int)k, sizeof(*c));
		CHECK(vcd_vring_avail_count(&vr) <= vr.size);
		vcd_vring_pop(&vr, c);
		CHECK(vr.last_avail == (uint16_t)(before + 1) && c->head == head);
		CHECK(vr.used_idx == (uint16_t)(l->last_avail + k));
		check_chain(g, &vr, c);
		check_same_as_general(&vr, c, ref);
		vcd_vring_push(&vr, c->head, c->wr_len);
		/* Publish after each chain: event idx then compares against the last signal. */
		vcd_vring_flush(&vr);
		CHECK(vr.used->idx == vr.used_idx && vr.pending_used == 0);
	}
	CHECK(vr.used_idx == (uint16_t)(l->last_avail + l->nb_pops));
	vcd_vring_suppress_kicks(&vr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {.p = data, .n = size};
	struct layout l;
	struct guest g;
	struct vcd_chain *c = malloc(sizeof(*c));
	struct vcd_chain *ref = malloc(sizeof(*ref));

	memset(&g, 0, sizeof(g));
	read_layout(&in, &l);
	if (c != NULL && ref != NULL && build_guest(&l, &in, &g) == 0)
		run_ring(&l, &g, c, ref);
	free_guest(&g);
	free(c);
	free(ref);
	return 0;
}
