/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Split virtqueue, device side.  See include/vcryptd/vring.h for the rules.
 * Every descriptor is copied out of guest memory once before it is used, so a
 * guest rewriting its table while we walk it cannot make a checked value
 * change under us.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>

#include "vcryptd/vring.h"

static const char *const chain_err_names[VCD_CHAIN_ERR_MAX] = {
	[VCD_CHAIN_OK] = "ok",
	[VCD_CHAIN_BAD_HEAD] = "bad_head",
	[VCD_CHAIN_BAD_INDEX] = "bad_index",
	[VCD_CHAIN_LOOP] = "loop",
	[VCD_CHAIN_NESTED_INDIRECT] = "nested_indirect",
	[VCD_CHAIN_BAD_INDIRECT] = "bad_indirect",
	[VCD_CHAIN_BAD_ADDR] = "bad_addr",
	[VCD_CHAIN_ORDER] = "order",
	[VCD_CHAIN_TOO_MANY_SEGS] = "too_many_segs",
};

const char *
vcd_chain_err_name(enum vcd_chain_err err)
{
	return err < VCD_CHAIN_ERR_MAX ? chain_err_names[err] : "unknown";
}

/* Whether [p, p+len) lies inside one region of the daemon's mapping of guest memory. */
static bool
in_one_region(const struct rte_vhost_memory *mem, const void *p, uint64_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	uint32_t i;

	for (i = 0; i < mem->nregions; i++) {
		const struct rte_vhost_mem_region *r = &mem->regions[i];

		if (a >= r->host_user_addr && len <= r->size &&
			a - r->host_user_addr <= r->size - len)
			return true;
	}
	return false;
}

/*
 * librte_vhost checks the rings against guest memory once, for the size they
 * had then; a frontend may change the size (SET_VRING_NUM) or turn on event
 * idx afterwards without the rings being translated again.  Check them here
 * for the size and features we will actually use.
 */
static bool
rings_inside(const struct rte_vhost_vring *vv, const struct rte_vhost_memory *mem, bool event_idx)
{
	uint64_t extra = event_idx ? 2 : 0;

	return in_one_region(mem, vv->desc, 16ull * vv->size) &&
		in_one_region(mem, vv->avail, 4 + 2ull * vv->size + extra) &&
		in_one_region(mem, vv->used, 4 + 8ull * vv->size + extra);
}

int
vcd_vring_setup(struct vcd_vring *vr, int vid, uint16_t qid, struct rte_vhost_memory *mem,
	bool event_idx, uint16_t last_avail, uint16_t last_used)
{
	struct rte_vhost_vring vv;

	if (rte_vhost_get_vhost_vring(vid, qid, &vv) != 0)
		return -ENODEV;
	if (vv.desc == NULL || vv.avail == NULL || vv.used == NULL || vv.size == 0)
		return -EAGAIN;
	if ((vv.size & (vv.size - 1)) != 0 || !rings_inside(&vv, mem, event_idx))
		return -EINVAL;
	memset(vr, 0, sizeof(*vr));
	vr->desc = vv.desc;
	vr->avail = vv.avail;
	vr->used = vv.used;
	vr->size = vv.size;
	vr->callfd = vv.callfd;
	vr->mem = mem;
	vr->event_idx = event_idx;
	vr->last_avail = last_avail;
	vr->used_idx = last_used;
	vr->qid = qid;
	return 0;
}

/*
 * Guest physical address to host pointer, through the region the previous
 * lookup hit (*hint) before searching them all: a request's buffers nearly
 * always lie in one region.  Same rule as rte_vhost_va_from_guest_pa(): the
 * region holding @gpa, *len cut to what it holds from there; NULL if none.
 */
static inline uint8_t *
xlate(const struct rte_vhost_memory *mem, uint32_t *hint, uint64_t gpa, uint64_t *len)
{
	const struct rte_vhost_mem_region *r = &mem->regions[*hint];
	uint64_t off;

	/* off wraps past the size when @gpa lies below the region */
	if (unlikely(*hint >= mem->nregions || (off = gpa - r->guest_phys_addr) >= r->size)) {
		uint32_t i;

		for (i = 0; i < mem->nregions; i++) {
			r = &mem->regions[i];
			off = gpa - r->guest_phys_addr;
			if (off < r->size)
				break;
		}
		if (i == mem->nregions)
			return NULL;
		*hint = i;
	}
	if (*len > r->size - off)
		*len = r->size - off;
	return (uint8_t *)(uintptr_t)(r->host_user_addr + off);
}

/*
 * Append [gpa, gpa+len) to @segs as host pieces, merging each with the
 * previous segment when host-contiguous; *mapped grows by what was appended.
 */
static inline int
map_into(const struct rte_vhost_memory *mem, uint32_t *hint, uint64_t gpa, uint32_t len,
	struct vcd_seg *segs, uint16_t *nb, uint16_t max, uint32_t *mapped)
{
	while (len > 0) {
		uint64_t l = len;
		uint8_t *va = xlate(mem, hint, gpa, &l);
		struct vcd_seg *prev = *nb != 0 ? &segs[*nb - 1] : NULL;

		if (unlikely(va == NULL))
			return -EFAULT;
		if (prev != NULL && prev->va + prev->len == va &&
			(uint64_t)prev->len + l <= UINT32_MAX) {
			prev->len += (uint32_t)l;
		} else {
			if (unlikely(*nb >= max))
				return -E2BIG;
			segs[*nb].va = va;
			segs[*nb].len = (uint32_t)l;
			(*nb)++;
		}
		*mapped += (uint32_t)l;
		gpa += l;
		len -= (uint32_t)l;
	}
	return 0;
}

/* Host pointer to the last byte of [gpa, gpa+len), or NULL if it is not guest memory. */
static uint8_t *
map_last_byte(const struct vcd_vring *vr, uint64_t gpa, uint32_t len)
{
	uint64_t l = 1;
	uint32_t hint = vr->xlate_hint;

	if (len == 0 || gpa + len < gpa)
		return NULL;
	return xlate(vr->mem, &hint, gpa + len - 1, &l);
}

/* Walk state shared by the direct and the indirect walk. */
struct walk {
	struct vcd_chain *c;
	const struct rte_vhost_memory *mem;
	uint32_t hint; /* region of the last translation (xlate) */
	uint64_t rd_total, wr_total;
	bool rd_full, wr_full;     /* segment arrays full: the rest is walked, not mapped */
	struct vring_desc last_wr; /* last writable descriptor seen */
	bool have_wr;
	bool mapping; /* false once a buffer failed: keep walking only to find the status */
};

static void
walk_fail(struct walk *w, enum vcd_chain_err err)
{
	if (w->c->err == VCD_CHAIN_OK)
		w->c->err = err;
	w->mapping = false;
}

static inline __attribute__((always_inline)) void
walk_buffer(struct walk *w, const struct vring_desc *d)
{
	struct vcd_chain *c = w->c;
	int rc;

	if (d->flags & VRING_DESC_F_WRITE) {
		w->last_wr = *d;
		w->have_wr = true;
	} else if (unlikely(w->have_wr)) {
		walk_fail(w, VCD_CHAIN_ORDER);
	}
	if (unlikely(!w->mapping) || d->len == 0)
		return;
	if (d->flags & VRING_DESC_F_WRITE) {
		w->wr_total += d->len;
		rc = w->wr_full ? 0
				: map_into(w->mem, &w->hint, d->addr, d->len, c->wr, &c->nb_wr,
					  VCD_CHAIN_MAX_SEGS, &c->wr_mapped);
		w->wr_full |= rc == -E2BIG;
	} else {
		w->rd_total += d->len;
		rc = w->rd_full ? 0
				: map_into(w->mem, &w->hint, d->addr, d->len, c->rd, &c->nb_rd,
					  VCD_CHAIN_MAX_SEGS, &c->rd_mapped);
		w->rd_full |= rc == -E2BIG;
	}
	/* Totals fit the used ring's 32-bit length, and 1 GiB bounds what we ever map. */
	if (unlikely((rc != 0 && rc != -E2BIG) || w->rd_total > (1u << 30) ||
		    w->wr_total > UINT32_MAX))
		walk_fail(w, VCD_CHAIN_BAD_ADDR);
}

/*
 * One copy of a descriptor out of guest memory.  Indirect tables need not be
 * 8-byte aligned (virtio does not ask it), so read through a packed type.
 */
struct unaligned_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
} __attribute__((packed, may_alias));

static inline struct vring_desc
read_desc(const struct vring_desc *p)
{
	const volatile struct unaligned_desc *u = (const volatile struct unaligned_desc *)p;
	struct vring_desc d;

	d.addr = u->addr;
	d.len = u->len;
	d.flags = u->flags;
	d.next = u->next;
	return d;
}

/* Returns false on a structural error: the chain cannot be trusted to carry a status. */
static bool
walk_table(const struct vcd_vring *vr, struct walk *w, const struct vring_desc *tbl, uint32_t n,
	uint16_t idx, bool indirect)
{
	uint32_t count = 0;

	for (;;) {
		struct vring_desc d;

		if (idx >= n) {
			walk_fail(w, VCD_CHAIN_BAD_INDEX);
			return false;
		}
		/*
		 * Virtio forbids chains longer than the queue, but Linux's
		 * virtio_ring builds indirect tables longer than the queue
		 * when a request has many segments: accept up to our own bound.
		 */
		if (++count > n || count > VCD_CHAIN_MAX_DESC) {
			walk_fail(w, VCD_CHAIN_LOOP);
			return false;
		}
		d = read_desc(&tbl[idx]);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			const struct vring_desc *itbl;
			uint64_t l = d.len;

			if (indirect) {
				walk_fail(w, VCD_CHAIN_NESTED_INDIRECT);
				return false;
			}
			if (count != 1 || (d.flags & VRING_DESC_F_NEXT) || d.len == 0 ||
				d.len % sizeof(d) != 0 || d.len / sizeof(d) > VCD_CHAIN_MAX_DESC) {
				walk_fail(w, VCD_CHAIN_BAD_INDIRECT);
				return false;
			}
			itbl = (const void *)xlate(w->mem, &w->hint, d.addr, &l);
			if (itbl == NULL || l != d.len) {
				walk_fail(w, VCD_CHAIN_BAD_INDIRECT);
				return false;
			}
			return walk_table(vr, w, itbl, d.len / sizeof(d), 0, true);
		}
		walk_buffer(w, &d);
		if (!(d.flags & VRING_DESC_F_NEXT))
			return true;
		idx = d.next;
	}
}

bool vcd_vring_fast_walk = true;

/* Descriptors the fast walk takes: a virtio-crypto request has 4 to 7. */
#define FAST_MAX_DESC 16

/* The region the fast walk maps through, copied into registers. */
struct fast_region {
	uint64_t gpa, size;
	uintptr_t host;
};

/* Host pointer to [gpa, gpa+len) if region @r holds all of it, else NULL. */
static inline uint8_t *
in_region(const struct fast_region *r, uint64_t gpa, uint32_t len)
{
	uint64_t off = gpa - r->gpa; /* wraps past the size below the region */

	if (off >= r->size || len > r->size - off)
		return NULL;
	return (uint8_t *)(r->host + off);
}

static inline void
region_load(struct fast_region *r, const struct rte_vhost_mem_region *m)
{
	r->gpa = m->guest_phys_addr;
	r->size = m->size;
	r->host = (uintptr_t)m->host_user_addr;
}

/*
 * The region holding all of [gpa, gpa+len), as xlate() finds it (the lookup
 * the general walk uses, so both walks agree even on overlapping regions), or
 * -1.  Out of line: the fast walk needs it only when a buffer leaves the
 * region of the one before.
 */
static __attribute__((noinline)) int
region_of(const struct rte_vhost_memory *mem, uint32_t hint, uint64_t gpa, uint32_t len)
{
	uint64_t l = len;

	return xlate(mem, &hint, gpa, &l) != NULL && l == len ? (int)hint : -1;
}

/*
 * Host pointer to [gpa, gpa+len) through region_of(), which becomes @r and
 * *hint; NULL if no one region holds it.  A guest of more than ~3 GiB has two
 * regions at least (QEMU splits RAM around the PCI hole).
 */
static inline uint8_t *
in_any_region(const struct rte_vhost_memory *mem, struct fast_region *r, uint32_t *hint,
	uint64_t gpa, uint32_t len)
{
	int i = region_of(mem, *hint, gpa, len);

	if (i < 0)
		return NULL;
	*hint = (uint32_t)i;
	region_load(r, &mem->regions[i]);
	return in_region(r, gpa, len);
}

/*
 * Append a host range to @segs, merged with the last segment when it starts
 * where that one ends (*end).  The caller keeps the totals within what a
 * segment length holds.
 */
static inline void
fast_append(struct vcd_seg *segs, uint16_t *nb, uint8_t **end, uint8_t *va, uint32_t len)
{
	if (va == *end) {
		segs[*nb - 1].len += len;
	} else {
		segs[*nb].va = va;
		segs[*nb].len = len;
		(*nb)++;
	}
	*end = va + len;
}

/*
 * The usual chain, walked with the same rules and fewer steps: at most
 * FAST_MAX_DESC descriptors (directly in the ring or, from the head, in one
 * indirect table), every buffer inside one memory region (tried first: the
 * region of the previous buffer), readable ones first, within the length limits.  Returns
 * false on anything else, having written nothing but @c's segment arrays: the
 * general walk then starts over, and finds and names what is wrong.
 */
static bool
walk_fast(struct vcd_vring *vr, struct vcd_chain *c)
{
	const struct vring_desc *tbl = vr->desc;
	struct fast_region r;
	uint32_t hint = vr->xlate_hint;
	uint64_t rd_total = 0, wr_total = 0;
	uint32_t n = vr->size, count = 0, last_wr_len = 0;
	uint16_t idx = c->head, nb_rd = 0, nb_wr = 0;
	uint8_t *rd_end = NULL, *wr_end = NULL;
	bool have_wr = false;
	struct vring_desc d;

	if (unlikely(hint >= vr->mem->nregions))
		return false;
	region_load(&r, &vr->mem->regions[hint]);
	d = read_desc(&tbl[idx]);
	if (d.flags & VRING_DESC_F_INDIRECT) {
		n = d.len / sizeof(d);
		if ((d.flags & VRING_DESC_F_NEXT) || d.len % sizeof(d) != 0 || n == 0 ||
			n > FAST_MAX_DESC)
			return false;
		tbl = (const struct vring_desc *)in_region(&r, d.addr, d.len);
		if (tbl == NULL)
			tbl = (const struct vring_desc *)in_any_region(
				vr->mem, &r, &hint, d.addr, d.len);
		if (tbl == NULL)
			return false;
		idx = 0;
		d = read_desc(&tbl[0]);
	}
	for (;;) {
		uint8_t *va;

		if (++count > n || count > FAST_MAX_DESC || (d.flags & VRING_DESC_F_INDIRECT))
			return false;
		if (d.flags & VRING_DESC_F_WRITE) {
			have_wr = true;
			last_wr_len = d.len;
			wr_total += d.len;
			if (d.len != 0) {
				va = in_region(&r, d.addr, d.len);
				if (unlikely(va == NULL))
					va = in_any_region(vr->mem, &r, &hint, d.addr, d.len);
				if (va == NULL || wr_total > UINT32_MAX)
					return false;
				fast_append(c->wr, &nb_wr, &wr_end, va, d.len);
			}
		} else {
			rd_total += d.len;
			if (have_wr)
				return false;
			if (d.len != 0) {
				va = in_region(&r, d.addr, d.len);
				if (unlikely(va == NULL))
					va = in_any_region(vr->mem, &r, &hint, d.addr, d.len);
				if (va == NULL || rd_total > (1u << 30))
					return false;
				fast_append(c->rd, &nb_rd, &rd_end, va, d.len);
			}
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		idx = d.next;
		if (idx >= n)
			return false;
		d = read_desc(&tbl[idx]);
	}
	vr->xlate_hint = hint;
	c->nb_rd = nb_rd;
	c->nb_wr = nb_wr;
	c->rd_len = c->rd_mapped = (uint32_t)rd_total;
	c->wr_len = c->wr_mapped = (uint32_t)wr_total;
	if (have_wr && last_wr_len != 0)
		c->status = wr_end - 1;
	return true;
}

void
vcd_vring_pop(struct vcd_vring *vr, struct vcd_chain *c)
{
	uint16_t head = *(volatile uint16_t *)&vr->avail->ring[vr->last_avail & (vr->size - 1)];

	vcd_vring_pop_head(vr, c, head);
}

/* The general walk: any chain, every rule checked, the first error named. */
static void
walk_general(struct vcd_vring *vr, struct vcd_chain *c)
{
	struct walk w = {.c = c, .mem = vr->mem, .hint = vr->xlate_hint, .mapping = true};
	bool ok = walk_table(vr, &w, vr->desc, vr->size, c->head, false);

	vr->xlate_hint = w.hint;
	if (!ok)
		return;
	c->rd_len = (uint32_t)w.rd_total;
	c->wr_len = (uint32_t)w.wr_total;
	if (!w.have_wr || w.last_wr.len == 0)
		return;
	if (c->err == VCD_CHAIN_OK && !w.wr_full && c->nb_wr > 0) {
		struct vcd_seg *s = &c->wr[c->nb_wr - 1];

		c->status = s->va + s->len - 1;
		return;
	}
	c->status = map_last_byte(vr, w.last_wr.addr, w.last_wr.len);
}

void
vcd_vring_pop_head(struct vcd_vring *vr, struct vcd_chain *c, uint16_t head)
{
	vr->last_avail++;
	c->vr = vr;
	c->head = head;
	c->nb_rd = c->nb_wr = 0;
	c->rd_len = c->wr_len = 0;
	c->rd_mapped = c->wr_mapped = 0;
	c->err = VCD_CHAIN_OK;
	c->status = NULL;
	if (unlikely(c->head >= vr->size)) {
		c->err = VCD_CHAIN_BAD_HEAD;
		return;
	}
	if (likely(vcd_vring_fast_walk) && walk_fast(vr, c))
		return;
	walk_general(vr, c);
}

static inline bool
need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

bool
vcd_vring_flush(struct vcd_vring *vr)
{
	bool notify;

	if (vr->pending_used == 0)
		return false;
	__atomic_store_n(&vr->used->idx, vr->used_idx, __ATOMIC_RELEASE);
	vr->pending_used = 0;
	/* used->idx must be visible before we read the guest's interrupt wishes. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vr->event_idx) {
		uint16_t ev = *(volatile uint16_t *)&vr->avail->ring[vr->size];

		notify = !vr->signalled_valid || need_event(ev, vr->used_idx, vr->signalled_used);
		vr->signalled_used = vr->used_idx;
		vr->signalled_valid = true;
	} else {
		notify = !(*(volatile uint16_t *)&vr->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	return notify && vr->callfd >= 0;
}

void
vcd_vring_suppress_kicks(struct vcd_vring *vr)
{
	if (vr->event_idx) {
		/* avail_event one behind where we are: the guest never crosses it. */
		volatile uint16_t *avail_event =
			(volatile uint16_t *)(void *)&vr->used->ring[vr->size];

		*avail_event = (uint16_t)(vr->last_avail - 1);
	} else {
		*(volatile uint16_t *)&vr->used->flags = VRING_USED_F_NO_NOTIFY;
	}
}
