/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Device side of one split virtqueue in guest memory.  Everything a guest
 * writes is treated as hostile: descriptor indices, lengths, flags and
 * addresses are bounds-checked, loops are cut by counting, and guest physical
 * addresses are only ever turned into host pointers through the VM's own
 * memory table, so no guest value can make the daemon touch memory outside
 * that guest's regions.
 *
 * Thread: a vcd_vring belongs to one worker lcore; the control thread fills it
 * (vcd_vring_setup) only while the worker has acknowledged it detached.
 */
#ifndef VCRYPTD_VRING_H
#define VCRYPTD_VRING_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/virtio_ring.h>
#include <rte_vhost.h>

/*
 * Segments mapped per direction after merging host-contiguous descriptors.
 * Past this the walk goes on without mapping (rd_mapped/wr_mapped say how far
 * the segments reach): Linux 6.1's virtio_crypto hands each scatterlist entry
 * to virtqueue_add_sgs(), which walks it to its end, so an N-page buffer
 * arrives as N(N+1)/2 descriptors, the data in order first, then repeats.
 */
#define VCD_CHAIN_MAX_SEGS 1024
/* Upper bound on descriptors walked in one chain: ~2 MiB Linux requests. */
#define VCD_CHAIN_MAX_DESC (1u << 18)

/* A host-contiguous piece of a guest buffer. */
struct vcd_seg {
	uint8_t *va;
	uint32_t len;
};

/* Why a chain could not be turned into segments (counters index). */
enum vcd_chain_err {
	VCD_CHAIN_OK = 0,
	VCD_CHAIN_BAD_HEAD,  /* head index >= ring size */
	VCD_CHAIN_BAD_INDEX, /* next index >= table size */
	VCD_CHAIN_LOOP,      /* more descriptors than the table holds */
	VCD_CHAIN_NESTED_INDIRECT,
	VCD_CHAIN_BAD_INDIRECT,  /* indirect table length or mapping */
	VCD_CHAIN_BAD_ADDR,      /* buffer not inside the guest's regions */
	VCD_CHAIN_ORDER,         /* readable descriptor after a writable one */
	VCD_CHAIN_TOO_MANY_SEGS, /* (unused since segments past the limit are left unmapped) */
	VCD_CHAIN_ERR_MAX,
};

/* One request's buffers: readable part then writable part, as virtio orders them. */
struct vcd_vring;

struct vcd_chain {
	struct vcd_vring *vr; /* the ring it came from: where its answer goes */
	uint16_t head;
	uint16_t nb_rd;
	uint16_t nb_wr;
	uint8_t err;        /* enum vcd_chain_err */
	uint32_t rd_len;    /* bytes of all readable descriptors */
	uint32_t wr_len;    /* bytes of all writable descriptors */
	uint32_t rd_mapped; /* leading readable bytes that rd[] describes */
	uint32_t wr_mapped; /* leading writable bytes that wr[] describes */
	uint8_t *status;    /* last writable byte if the chain can carry a status, else NULL */
	struct vcd_seg rd[VCD_CHAIN_MAX_SEGS];
	struct vcd_seg wr[VCD_CHAIN_MAX_SEGS];
};

struct vcd_vring {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	struct rte_vhost_memory *mem; /* the worker's private copy of the memory table */
	uint16_t size;                /* power of two */
	uint16_t last_avail;          /* next avail slot to take */
	uint16_t used_idx;            /* shadow of used->idx */
	uint16_t signalled_used;      /* used idx at the last notification (event idx) */
	bool signalled_valid;
	bool event_idx;
	int callfd;
	uint32_t pending_used; /* entries written since the last publish */
	uint32_t xlate_hint;   /* memory region of the last translation: tried first */
	uint16_t qid;          /* its vhost-user vring index (data queue) */
	/* Notification coalescing (share.h): one owed since owed_since, for owed entries. */
	bool notify_owed;
	uint32_t owed;
	uint32_t notify_target;
	uint64_t owed_since;
	uint64_t last_notify;
};

/* Fill @vr from librte_vhost's view of vring @qid of @vid; takes ownership of @mem. */
int vcd_vring_setup(struct vcd_vring *vr, int vid, uint16_t qid, struct rte_vhost_memory *mem,
	bool event_idx, uint16_t last_avail, uint16_t last_used);

/*
 * Number of chains the guest has made available and we have not taken.  A
 * guest claiming more than the ring holds is broken; take at most a ring's
 * worth (it only replays its own stale entries).
 */
static inline uint16_t
vcd_vring_avail_count(const struct vcd_vring *vr)
{
	uint16_t idx = __atomic_load_n(&vr->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t n = (uint16_t)(idx - vr->last_avail);

	return n <= vr->size ? n : vr->size;
}

/*
 * Take the next available chain and resolve it into segments.  Always consumes
 * one avail entry; on a malformed chain, c->err says why and c->status is the
 * status byte if one could still be located (else NULL).
 */
void vcd_vring_pop(struct vcd_vring *vr, struct vcd_chain *c);

/*
 * Tests only: false makes every pop take the general walk (vring.c's
 * walk_fast() is a shortcut for the usual chain shape that must agree with it).
 */
extern bool vcd_vring_fast_walk;

/* The same for a head the caller read from the next avail slot (vcd_vring_avail_heads). */
void vcd_vring_pop_head(struct vcd_vring *vr, struct vcd_chain *c, uint16_t head);

/*
 * Give back the last @n chains popped, untouched: the next pop takes them
 * again (the worker had no resources for them this time).
 */
static inline void
vcd_vring_unpop(struct vcd_vring *vr, uint16_t n)
{
	vr->last_avail = (uint16_t)(vr->last_avail - n);
}

/*
 * Copy the next @n avail entries (chain heads) out of the ring at once: the
 * guest writes the next ones into the same lines while we work, so each line
 * is read once, at the start of a burst, rather than at every pipeline stage.
 * @n is at most vcd_vring_avail_count().
 */
static inline void
vcd_vring_avail_heads(const struct vcd_vring *vr, uint16_t *heads, uint16_t n)
{
	uint16_t start = vr->last_avail & (vr->size - 1);
	uint16_t first = n < vr->size - start ? n : (uint16_t)(vr->size - start);

	memcpy(heads, &vr->avail->ring[start], (size_t)first * sizeof(*heads));
	memcpy(heads + first, &vr->avail->ring[0], (size_t)(n - first) * sizeof(*heads));
}

/*
 * Prefetch stages for a chain whose head a guest gave (any value: these are
 * only hints, never dereferenced unchecked), issued a few chains before it is
 * popped so that the misses on lines the guest has just written on another
 * CPU overlap with the work on the chains before it.
 *
 * Stage 1: its head descriptor.
 */
static inline void
vcd_vring_prefetch_desc(const struct vcd_vring *vr, uint16_t head)
{
	__builtin_prefetch(&vr->desc[head & (vr->size - 1)]);
}

/*
 * Stage 2, one chain later: for an indirect chain, the start of its table (two
 * lines: the five or six descriptors of a virtio-crypto request).  Reads the
 * head descriptor that stage 1 brought in.
 */
static inline void
vcd_vring_prefetch_table(const struct vcd_vring *vr, uint16_t head)
{
	const struct vring_desc *d = &vr->desc[head & (vr->size - 1)];

	if (d->flags & VRING_DESC_F_INDIRECT) {
		uint64_t len = 128;
		uint64_t va = rte_vhost_va_from_guest_pa(vr->mem, d->addr, &len);

		if (va != 0) {
			__builtin_prefetch((const void *)(uintptr_t)va);
			if (len > 64)
				__builtin_prefetch((const void *)(uintptr_t)(va + 64));
		}
	}
}

/* The used-ring entry the next completion will write, for writing. */
static inline void
vcd_vring_prefetch_used(const struct vcd_vring *vr)
{
	__builtin_prefetch(&vr->used->ring[vr->used_idx & (vr->size - 1)], 1);
}

/* Write a used entry (not yet visible to the guest). */
static inline void
vcd_vring_push(struct vcd_vring *vr, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &vr->used->ring[vr->used_idx & (vr->size - 1)];

	e->id = head;
	e->len = len;
	vr->used_idx++;
	vr->pending_used++;
}

/*
 * Publish pushed entries; returns whether the guest asked to be notified of
 * them (and has a call fd): the caller then writes the call fd once.
 */
bool vcd_vring_flush(struct vcd_vring *vr);

/* Ask the guest not to kick us (we poll). */
void vcd_vring_suppress_kicks(struct vcd_vring *vr);

const char *vcd_chain_err_name(enum vcd_chain_err err);

#endif /* VCRYPTD_VRING_H */
