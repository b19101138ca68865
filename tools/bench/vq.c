/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The driver side of one split virtqueue in shared memory: descriptor table, avail and
 * used rings, indirect tables supplied by the caller.  Descriptor bookkeeping (free list,
 * which descriptors a chain holds) is private, never read back from the shared table, so
 * a malformed chain or a misbehaving backend cannot corrupt it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vcdb_internal.h"

uint64_t
vq_ring_bytes(unsigned int num)
{
	uint64_t desc = VCDB_ALIGN(16ull * num, VCDB_PAGE);
	uint64_t avail = VCDB_ALIGN(4 + 2ull * num + 2, VCDB_PAGE);
	uint64_t used = VCDB_ALIGN(4 + 8ull * num + 2, VCDB_PAGE);

	return desc + avail + used;
}

static uint16_t *
used_event(struct vcdb_vq *vq)
{
	return &vq->avail->ring[vq->num];
}

static uint16_t *
avail_event(struct vcdb_vq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->num];
}

static void
ring_place(struct vcdb *db, struct vcdb_vq *vq, unsigned int q)
{
	unsigned int num = vq->num;

	vq->desc_gpa = q * vq_ring_bytes(num); /* queue q's rings after those of the others */
	vq->avail_gpa = vq->desc_gpa + VCDB_ALIGN(16ull * num, VCDB_PAGE);
	vq->used_gpa = vq->avail_gpa + VCDB_ALIGN(4 + 2ull * num + 2, VCDB_PAGE);
	vq->desc = vcdb_gpa_va(db, vq->desc_gpa);
	vq->avail = vcdb_gpa_va(db, vq->avail_gpa);
	vq->used = vcdb_gpa_va(db, vq->used_gpa);
	memset(vq->desc, 0, vq_ring_bytes(num));
}

static int
vq_init_one(struct vcdb *db, struct vcdb_vq *vq)
{
	unsigned int i;

	vq->num = (uint16_t)db->o.ring_size;
	vq->next_free = calloc(vq->num, sizeof(*vq->next_free));
	vq->chain_len = calloc(vq->num, sizeof(*vq->chain_len));
	vq->chain_first = calloc(vq->num, sizeof(*vq->chain_first));
	vq->head_tag = calloc(vq->num, sizeof(*vq->head_tag));
	if (!vq->next_free || !vq->chain_len || !vq->chain_first || !vq->head_tag)
		return -ENOMEM;
	for (i = 0; i < vq->num; i++)
		vq->next_free[i] = (uint16_t)(i + 1);
	vq->nr_free = vq->num;
	vq->free_tail = (uint16_t)(vq->num - 1);
	vq->fifo = db->o.reuse == VCDB_REUSE_FIFO;
	vq->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vq->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vq->kick_fd < 0 || vq->call_fd < 0)
		return -errno;
	return 0;
}

int
vq_init(struct vcdb *db)
{
	unsigned int q;
	int rc = 0;

	for (q = 0; q < db->nb_vq && rc == 0; q++)
		rc = vq_init_one(db, &db->vq[q]);
	return rc;
}

/* Called once features are known and memory is mapped. */
void
vq_setup_ring(struct vcdb *db)
{
	unsigned int q;

	for (q = 0; q < db->nb_vq; q++) {
		struct vcdb_vq *vq = &db->vq[q];

		ring_place(db, vq, q);
		vq->event_idx = (db->features >> VIRTIO_RING_F_EVENT_IDX) & 1;
		vq->no_interrupt = db->o.no_interrupt;
		if (vq->no_interrupt)
			vq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
		*used_event(vq) = 0;
	}
}

void
vq_fini(struct vcdb_vq *vq)
{
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	free(vq->next_free);
	free(vq->chain_len);
	free(vq->chain_first);
	free(vq->head_tag);
	memset(vq, 0, sizeof(*vq));
	vq->kick_fd = vq->call_fd = -1;
}

/* Take @n descriptors, linked in next_free order; returns the first. */
static int
desc_alloc(struct vcdb_vq *vq, unsigned int n, uint16_t *ids)
{
	uint16_t d;
	unsigned int i;

	if (n == 0 || n > vq->nr_free)
		return -EAGAIN;
	d = vq->free_head;
	for (i = 0; i < n; i++) {
		ids[i] = d;
		if (i + 1 < n)
			d = vq->next_free[d];
	}
	vq->free_head = vq->next_free[d];
	vq->nr_free = (uint16_t)(vq->nr_free - n);
	return ids[0];
}

/*
 * Give a chain's descriptors back.  Linux's virtio_ring pushes them at the head of its
 * free list (LIFO); DPDK's crypto_virtio appends them at the tail (FIFO), so with in-order
 * completion its head index always equals the avail index: DPDK's vhost_crypto relies on
 * that and writes used entries at the head index.
 */
static void
desc_free(struct vcdb_vq *vq, uint16_t head)
{
	uint16_t first = vq->chain_first[head], last = first;
	unsigned int i;

	for (i = 1; i < vq->chain_len[head]; i++)
		last = vq->next_free[last];
	if (vq->nr_free == 0) {
		vq->free_head = first;
		vq->free_tail = last;
	} else if (vq->fifo) {
		vq->next_free[vq->free_tail] = first;
		vq->free_tail = last;
	} else {
		vq->next_free[last] = vq->free_head;
		vq->free_head = first;
	}
	vq->nr_free = (uint16_t)(vq->nr_free + vq->chain_len[head]);
	vq->chain_len[head] = 0;
}

/* @head goes on the avail ring; @first is where its descriptors begin in next_free order. */
static void
avail_push(struct vcdb_vq *vq, int tag, uint16_t head, uint16_t first, unsigned int n)
{
	vq->chain_len[head] = (uint16_t)n;
	vq->chain_first[head] = first;
	vq->head_tag[head] = tag;
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head; /* num: a power of two (vcdb.c) */
	vq->avail_idx++;
}

int
vq_add_direct(struct vcdb *db, int tag, const struct vcdb_seg *s, unsigned int n)
{
	struct vcdb_vq *vq = &db->vq[db->cur_q];
	uint16_t ids[n ? n : 1];
	unsigned int i;
	int head;

	head = desc_alloc(vq, n, ids);
	if (head < 0)
		return head;
	for (i = 0; i < n; i++) {
		struct vring_desc *d = &vq->desc[ids[i]];

		d->addr = s[i].gpa;
		d->len = s[i].len;
		d->flags = (uint16_t)(s[i].flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0));
		d->next = i + 1 < n ? ids[i + 1] : 0;
	}
	avail_push(vq, tag, (uint16_t)head, (uint16_t)head, n);
	return 0;
}

/* Write @n segments as an indirect table at @table_gpa; one ring descriptor points to it. */
int
vq_add_indirect(
	struct vcdb *db, int tag, uint64_t table_gpa, const struct vcdb_seg *s, unsigned int n)
{
	struct vring_desc *t = vcdb_gpa_va(db, table_gpa);
	struct vcdb_seg ring = {table_gpa, (uint32_t)(16 * n), VRING_DESC_F_INDIRECT, 0};
	unsigned int i;

	for (i = 0; i < n; i++) {
		t[i].addr = s[i].gpa;
		t[i].len = s[i].len;
		t[i].flags = (uint16_t)(s[i].flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0));
		t[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
	}
	return vq_add_direct(db, tag, &ring, 1);
}

/*
 * A chain exactly as given (malformed cases): flags are raw, and each next names a
 * position in @s (mapped to the descriptor placed there) or, when >= n, is written as is.
 */
int
vq_add_raw(
	struct vcdb *db, int tag, const struct vcdb_seg *s, unsigned int n, unsigned int head_off)
{
	struct vcdb_vq *vq = &db->vq[db->cur_q];
	uint16_t ids[n ? n : 1];
	unsigned int i;

	if (head_off >= n || desc_alloc(vq, n, ids) < 0)
		return -EAGAIN;
	for (i = 0; i < n; i++) {
		struct vring_desc *d = &vq->desc[ids[i]];

		d->addr = s[i].gpa;
		d->len = s[i].len;
		d->flags = s[i].flags;
		d->next = s[i].next < n ? ids[s[i].next] : s[i].next;
	}
	avail_push(vq, tag, ids[head_off], ids[0], n);
	return 0;
}

static bool
need_kick(struct vcdb_vq *vq, uint16_t old, uint16_t new_idx)
{
	if (vq->event_idx)
		return vring_need_event(*avail_event(vq), new_idx, old);
	return !(vq->used->flags & VRING_USED_F_NO_NOTIFY);
}

/* Publish what was staged on @vq; kick through the eventfd if the backend wants it. */
static int
vq_flush_one(struct vcdb *db, struct vcdb_vq *vq)
{
	uint16_t old = vq->kicked_idx;
	uint64_t one = 1;

	if (old == vq->avail_idx)
		return 0;
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	vq->kicked_idx = vq->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* idx visible before reading event/flags */
	if (!need_kick(vq, old, vq->avail_idx))
		return 0;
	if (write(vq->kick_fd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	db->st.kicks++;
	return 1;
}

int
vq_flush(struct vcdb *db)
{
	unsigned int q;
	int rc, kicked = 0;

	for (q = 0; q < db->nb_vq; q++) {
		rc = vq_flush_one(db, &db->vq[q]);
		if (rc < 0)
			return rc;
		kicked |= rc;
	}
	return kicked;
}

/* One used entry of @vq: 1 and its tag and length, 0 if none, -EPROTO for a bogus id. */
static int
vq_reap_one(struct vcdb_vq *vq, int *tag, uint32_t *len)
{
	struct vring_used_elem e;
	uint16_t head;

	if (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) == vq->last_used)
		return 0;
	e = vq->used->ring[vq->last_used & (vq->num - 1)];
	vq->last_used++;
	if (vq->event_idx && !vq->no_interrupt)
		__atomic_store_n(used_event(vq), vq->last_used, __ATOMIC_RELEASE);
	if (e.id >= vq->num || vq->chain_len[e.id] == 0)
		return -EPROTO;
	head = (uint16_t)e.id;
	*tag = vq->head_tag[head];
	*len = e.len;
	desc_free(vq, head);
	return 1;
}

/* One used entry of any queue, each queue in turn. */
int
vq_reap(struct vcdb *db, int *tag, uint32_t *len)
{
	unsigned int k;

	for (k = 0; k < db->nb_vq; k++) {
		unsigned int q = db->reap_q;
		int rc = vq_reap_one(&db->vq[q], tag, len);

		db->reap_q = q + 1 == db->nb_vq ? 0 : q + 1;
		if (rc != 0) {
			db->st.per_queue[q] += rc > 0;
			return rc;
		}
	}
	return 0;
}

void
vq_count_calls(struct vcdb *db)
{
	uint64_t v;
	unsigned int q;

	for (q = 0; q < db->nb_vq; q++) {
		if (read(db->vq[q].call_fd, &v, sizeof(v)) == sizeof(v))
			db->st.calls += v;
	}
}
