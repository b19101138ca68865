/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * "Guest memory": 1..4 memfd regions whose guest-physical ranges are adjacent and which
 * the bench maps at adjacent virtual addresses, so that a buffer can run from one region
 * into the next and GPA -> VA is one addition.  Layout, from GPA 0:
 *
 *   [ring: desc | avail | used][slot 0: meta | src | dst] ... [slot n-1]
 *   [window around boundary 0] ... [window around boundary nr-2][scratch page]
 *
 * Each region boundary sits in the middle of a window of 2 * mem.window bytes that only
 * cross_region requests use, so those buffers straddle two regions by construction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vcdb_internal.h"

static void
slots_layout(struct vcdb *db)
{
	uint32_t max = db->o.max_data;

	/* Linux splits src in pages and dst as 2320 + pages; leave room for odd splits. */
	db->segs_max = 2 * (max / VCDB_PAGE + 4) + 16;
	db->meta_size = VCDB_ALIGN(VCDB_META_TABLE + 16 * db->segs_max, VCDB_PAGE);
	db->src_size = VCDB_ALIGN(max, VCDB_PAGE);
	db->dst_size = VCDB_ALIGN(max + VCDB_PAGE, VCDB_PAGE);
}

static uint64_t
slot_stride(const struct vcdb *db)
{
	return (uint64_t)db->meta_size + db->src_size + db->dst_size;
}

/* Region sizes: first holds ring + slots + half a window, middle ones a whole window. */
static void
regions_layout(struct vcdb *db)
{
	struct vcdb_mem *m = &db->mem;
	uint64_t area = m->slots_gpa + slot_stride(db) * db->o.queue_depth;
	unsigned int k;

	m->window = VCDB_ALIGN(2 * (uint64_t)db->o.max_data + 2 * VCDB_PAGE, VCDB_PAGE);
	m->nr = db->o.nr_regions;
	for (k = 0; k < m->nr; k++) {
		uint64_t sz = 2 * m->window;

		if (k == 0)
			sz = area + (m->nr > 1 ? m->window : VCDB_PAGE);
		else if (k == m->nr - 1)
			sz = m->window + VCDB_PAGE;
		m->r[k].gpa = k ? m->r[k - 1].gpa + m->r[k - 1].size : 0;
		m->r[k].size = sz;
		m->r[k].fd = -1;
	}
	m->size = m->r[m->nr - 1].gpa + m->r[m->nr - 1].size;
	m->tail_gpa = m->size - VCDB_PAGE;
}

static int
region_map(struct vcdb_mem *m, struct vcdb_region *r)
{
	void *va;

	r->fd = memfd_create("vcdbench-guest", MFD_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (ftruncate(r->fd, (off_t)r->size) < 0)
		return -errno;
	va = mmap(m->base + r->gpa, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, r->fd,
		0);
	if (va == MAP_FAILED)
		return -errno;
	r->va = va;
	return 0;
}

static void
slots_place(struct vcdb *db)
{
	uint64_t stride = slot_stride(db);
	unsigned int i;

	for (i = 0; i < db->o.queue_depth; i++) {
		struct vcdb_slot *s = &db->slots[i];

		s->meta_gpa = db->mem.slots_gpa + stride * i;
		s->src_gpa = s->meta_gpa + db->meta_size;
		s->dst_gpa = s->src_gpa + db->src_size;
		db->free_slots[i] = (int)(db->o.queue_depth - 1 - i);
	}
	db->nr_free_slots = db->o.queue_depth;
}

int
vcdb_mem_setup(struct vcdb *db)
{
	struct vcdb_mem *m = &db->mem;
	unsigned int k;
	void *va;
	int rc;

	slots_layout(db);
	m->slots_gpa = db->nb_vq * vq_ring_bytes(db->o.ring_size);
	regions_layout(db);
	va = mmap(NULL, m->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		return -errno;
	m->base = va;
	for (k = 0; k < m->nr; k++) {
		rc = region_map(m, &m->r[k]);
		if (rc < 0)
			return rc;
	}
	db->slots = calloc(db->o.queue_depth, sizeof(*db->slots));
	db->free_slots = calloc(db->o.queue_depth, sizeof(*db->free_slots));
	if (db->slots == NULL || db->free_slots == NULL)
		return -ENOMEM;
	slots_place(db);
	return 0;
}

void
vcdb_mem_teardown(struct vcdb_mem *m)
{
	unsigned int k;

	for (k = 0; k < m->nr; k++)
		if (m->r[k].fd >= 0)
			close(m->r[k].fd);
	if (m->base != NULL)
		munmap(m->base, m->size);
	memset(m, 0, sizeof(*m));
}

void *
vcdb_gpa_va(const struct vcdb *db, uint64_t gpa)
{
	return db->mem.base + gpa;
}

uint64_t
vcdb_va_gpa(const struct vcdb *db, const void *va)
{
	return (uint64_t)((const uint8_t *)va - db->mem.base);
}

/* GPA where region @k ends and region @k + 1 begins. */
uint64_t
vcdb_boundary(const struct vcdb *db, unsigned int k)
{
	return db->mem.r[k].gpa + db->mem.r[k].size;
}
