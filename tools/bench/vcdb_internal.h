/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* Private to libvcdbench: the connection, guest memory, ring and request slots. */
#ifndef VCDB_INTERNAL_H
#define VCDB_INTERNAL_H

#include <linux/virtio_ring.h>
#include <stdio.h>

#include "vcdbench.h"

#define VCDB_PAGE        4096u
#define VCDB_ALIGN(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))

#include "vcryptd/vhost_user_proto.h"

/* One memfd region of guest memory; GPA ranges are adjacent, VA too. */
struct vcdb_region {
	int fd;
	uint64_t gpa;
	uint64_t size;
	uint8_t *va;
};

struct vcdb_mem {
	uint8_t *base; /* VA of GPA 0; the regions follow each other */
	uint64_t size;
	unsigned int nr;
	struct vcdb_region r[VCDB_MAX_REGIONS];
	uint64_t slots_gpa; /* where request slots start */
	uint64_t window;    /* half size of the window around each region boundary */
	uint64_t tail_gpa;  /* a scratch page at the very end of memory */
};

/* Driver side of one split virtqueue. */
struct vcdb_vq {
	uint16_t num;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t avail_idx;  /* next avail slot (shadow, published by flush) */
	uint16_t kicked_idx; /* avail->idx at the last flush */
	uint16_t last_used;
	uint16_t free_head, free_tail;
	uint16_t nr_free;
	uint16_t *next_free;   /* own free list: never trust the shared table */
	uint16_t *chain_len;   /* ring descriptors held by the chain at each head */
	uint16_t *chain_first; /* where those begin in next_free order */
	int *head_tag;         /* request slot at each head */
	int kick_fd, call_fd;
	bool event_idx;
	bool no_interrupt;
	bool fifo; /* descriptor reuse order, see desc_free() */
};

/* Per-slot metadata block in guest memory (offsets from meta). */
#define VCDB_META_HDR         0
#define VCDB_META_DPDK_STATUS 72 /* the PMD keeps the status right after the header */
#define VCDB_META_DPDK_TABLE  80 /* ... and its indirect table after that */
#define VCDB_META_IV          256
#define VCDB_META_STATUS      320
#define VCDB_META_DIGEST      384
#define VCDB_META_TABLE       512
#define VCDB_STATUS_UNSET     0xa5 /* what a status byte holds before the backend writes it */

struct vcdb_slot {
	uint64_t meta_gpa, src_gpa, dst_gpa;
	uint64_t status_gpa, digest_gpa; /* of the request in flight */
	uint64_t out_gpa;                /* where its output data lies */
	uint32_t out_len, out_extra, digest_len;
	uint64_t user;
	bool busy, cross;
};

/* A segment of a request before it becomes a descriptor. */
struct vcdb_seg {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags; /* VRING_DESC_F_WRITE, or raw flags for malformed chains */
	uint16_t next;  /* raw chains only */
};

struct vcdb {
	int sock;
	char path[108];
	struct vcdb_opts o;
	uint64_t features, pfeatures;
	int64_t last_reply_id;
	struct vcdb_mem mem;
	/* Data queues; requests go on vq[cur_q] (vcdb_next_queue() turns it), answers come from
	 * all. */
	struct vcdb_vq vq[VCDB_MAX_QUEUES];
	unsigned int nb_vq, cur_q, reap_q;
	struct vcdb_slot *slots;
	int *free_slots;
	unsigned int nr_free_slots;
	unsigned int segs_max; /* table entries per slot */
	struct vcdb_seg *segs; /* scratch for building one request */
	uint32_t meta_size, src_size, dst_size;
	bool cross_busy;
	bool mal_ready; /* mal_sid holds the malformed catalogue's AES-CBC session */
	uint64_t mal_sid;
	struct vcdb_stats st;
};

#define vcdb_log(db, ...)                                                                          \
	do {                                                                                       \
		if ((db)->o.verbose)                                                               \
			fprintf(stderr, "vcdbench: " __VA_ARGS__);                                 \
	} while (0)

/* mem.c */
int vcdb_mem_setup(struct vcdb *db);
void vcdb_mem_teardown(struct vcdb_mem *m);
void *vcdb_gpa_va(const struct vcdb *db, uint64_t gpa);
uint64_t vcdb_va_gpa(const struct vcdb *db, const void *va);
uint64_t vcdb_boundary(const struct vcdb *db, unsigned int k);

/* vhu_client.c */
int vhu_connect(struct vcdb *db, const char *path);
int vhu_handshake(struct vcdb *db);
int vhu_start_queue(struct vcdb *db);
int vhu_stop_queue(struct vcdb *db);
int vhu_create_session(struct vcdb *db, const void *payload, uint32_t size, int64_t *id);
int vhu_close_session(struct vcdb *db, uint64_t id);

/* vq.c */
uint64_t vq_ring_bytes(unsigned int num);
int vq_init(struct vcdb *db);
void vq_setup_ring(struct vcdb *db);
void vq_fini(struct vcdb_vq *vq);
int vq_add_indirect(
	struct vcdb *db, int tag, uint64_t table_gpa, const struct vcdb_seg *s, unsigned int n);
int vq_add_direct(struct vcdb *db, int tag, const struct vcdb_seg *s, unsigned int n);
int vq_add_raw(
	struct vcdb *db, int tag, const struct vcdb_seg *s, unsigned int n, unsigned int head_off);
int vq_flush(struct vcdb *db);
int vq_reap(struct vcdb *db, int *tag, uint32_t *len);
void vq_count_calls(struct vcdb *db);

/* req.c */
int req_submit(struct vcdb *db, int tag, const struct vcdb_req *r);
int slot_get(struct vcdb *db);
void slot_put(struct vcdb *db, int tag);
void req_fill_cpl(struct vcdb *db, int tag, uint32_t used_len, struct vcdb_cpl *c);

#endif /* VCDB_INTERNAL_H */
