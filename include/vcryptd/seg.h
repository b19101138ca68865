/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Segment lists: the host-contiguous pieces of a guest buffer that the ring
 * walk produced (vring.h).  Every reader and writer of request data walks
 * them through these helpers; all are static inline, because the data path
 * calls them a few times per request.  Pure: no EAL, no guest access outside
 * the segments they are given.
 */
#ifndef VCRYPTD_SEG_H
#define VCRYPTD_SEG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "vcryptd/vring.h"

/* The pieces of bytes [off, off+len) of a segment list, in order. */
struct vcd_seg_iter {
	const struct vcd_seg *s;
	uint16_t n, i;
	uint32_t off;  /* into s[i] */
	uint32_t left; /* bytes of the range not yet yielded */
};

static inline void
vcd_seg_iter_init(
	struct vcd_seg_iter *it, const struct vcd_seg *s, uint16_t n, uint32_t off, uint32_t len)
{
	it->s = s;
	it->n = n;
	it->left = len;
	for (it->i = 0; it->i < n && off >= s[it->i].len; it->i++)
		off -= s[it->i].len;
	it->off = off;
}

/* The next piece, or false when the range is done or the segments end first (left > 0). */
static inline bool
vcd_seg_next(struct vcd_seg_iter *it, uint8_t **va, uint32_t *len)
{
	if (it->left == 0 || it->i >= it->n)
		return false;
	*va = it->s[it->i].va + it->off;
	*len = RTE_MIN(it->s[it->i].len - it->off, it->left);
	it->left -= *len;
	it->off = 0;
	it->i++;
	return true;
}

/*
 * Copy [off, off+len) of a segment list into @dst; false if the list is
 * shorter.  The usual ranges (the header; the IV after a header that is a
 * segment of its own) lie inside the first or the second segment: one copy.
 */
static inline bool
vcd_seg_copy(const struct vcd_seg *s, uint16_t n, uint32_t off, void *dst, uint32_t len)
{
	struct vcd_seg_iter it;
	uint8_t *d = dst, *va;
	uint32_t take;

	if (likely(n > 0 && (uint64_t)off + len <= s[0].len)) {
		memcpy(dst, s[0].va + off, len);
		return true;
	}
	if (n > 1 && off >= s[0].len && (uint64_t)(off - s[0].len) + len <= s[1].len) {
		memcpy(dst, s[1].va + (off - s[0].len), len);
		return true;
	}
	vcd_seg_iter_init(&it, s, n, off, len);
	while (vcd_seg_next(&it, &va, &take)) {
		memcpy(d, va, take);
		d += take;
	}
	return it.left == 0;
}

/* How many segments [off, off+len) touches. */
static inline uint32_t
vcd_seg_span(const struct vcd_seg *s, uint16_t n, uint32_t off, uint32_t len)
{
	struct vcd_seg_iter it;
	uint32_t count = 0, take;
	uint8_t *va;

	vcd_seg_iter_init(&it, s, n, off, len);
	while (vcd_seg_next(&it, &va, &take))
		count++;
	return count;
}

/* Host pointer to [off, off+len) if one segment holds all of it, else NULL. */
static inline uint8_t *
vcd_seg_ptr(const struct vcd_seg *s, uint16_t n, uint32_t off, uint32_t len)
{
	struct vcd_seg_iter it;
	uint32_t take;
	uint8_t *va;

	vcd_seg_iter_init(&it, s, n, off, len);
	return vcd_seg_next(&it, &va, &take) && take == len ? va : NULL;
}

/* Scatter @len bytes of @src over the start of the segments. */
static inline void
vcd_seg_scatter(const struct vcd_seg *s, uint16_t n, const uint8_t *src, uint32_t len)
{
	uint16_t i;

	for (i = 0; i < n && len > 0; i++) {
		uint32_t take = RTE_MIN(s[i].len, len);

		memcpy(s[i].va, src, take);
		src += take;
		len -= take;
	}
}

/*
 * Copy [off, off+len) of segment list @s to the start of list @d (which may
 * overlap it: memmove, and nothing when a piece is already in place).
 */
static inline void
vcd_seg_to_seg(const struct vcd_seg *d, uint16_t nd, const struct vcd_seg *s, uint16_t ns,
	uint32_t off, uint32_t len)
{
	struct vcd_seg_iter it;
	uint32_t take, doff = 0;
	uint16_t i = 0;
	uint8_t *va;

	vcd_seg_iter_init(&it, s, ns, off, len);
	while (vcd_seg_next(&it, &va, &take)) {
		while (take > 0 && i < nd) {
			uint32_t n = RTE_MIN(take, d[i].len - doff);

			if (d[i].va + doff != va)
				memmove(d[i].va + doff, va, n);
			va += n;
			take -= n;
			doff += n;
			if (doff == d[i].len) {
				i++;
				doff = 0;
			}
		}
	}
}

#endif /* VCRYPTD_SEG_H */
