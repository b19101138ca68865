/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * A raw vhost-user frontend for hostile tests: it sends whatever it is told,
 * in whatever order, and reports what the backend did with it (a reply, a
 * dropped connection, silence).  No virtio-crypto knowledge; libvcdbench is
 * the well-behaved frontend.
 *
 * Guest memory is one memfd region at guest-physical address 0, mapped here
 * at v->mem; the frontend's "user addresses" (what SET_VRING_ADDR carries)
 * are v->mem + offset, as QEMU's are its own virtual addresses.
 *
 * Errors: 0 or a count on success, -errno on failure; -ECONNRESET means the
 * backend closed the connection.
 */
#ifndef VHU_RAW_H
#define VHU_RAW_H

#include <stddef.h>
#include <stdint.h>

/* Requests, flags and payloads: the project's one vhost-user table. */
#include "vcryptd/vhost_user_proto.h"

#define VHU_RAW_PAYLOAD 4096u /* the relay's limit; session replies are 632 or 1072 */
#define VHU_RAW_MAX_FDS 16    /* more than a message may carry, to send too many */

struct vhu_raw_msg {
	struct vhu_hdr hdr;
	uint8_t payload[VHU_RAW_PAYLOAD];
	int fd; /* first descriptor that came with it, or -1 (others are closed) */
};

struct vhu_raw {
	int sock; /* -1 once closed */
	int mem_fd;
	uint8_t *mem; /* guest-physical 0 */
	size_t mem_size;
	int call_fd, kick_fd;
};

/* Connect to @path, retrying up to @timeout_ms, and create @mem_size bytes of guest memory. */
int vhu_raw_open(struct vhu_raw *v, const char *path, size_t mem_size, unsigned int timeout_ms);
/* Close the connection and free everything.  A zeroed or closed @v is fine. */
void vhu_raw_close(struct vhu_raw *v);

/*
 * Send @h as it is, then @len bytes of payload (which need not be h->size),
 * with @nfds descriptors (at most VHU_RAW_MAX_FDS).
 */
int vhu_raw_send_hdr(struct vhu_raw *v, const struct vhu_hdr *h, const void *payload, uint32_t len,
	const int *fds, unsigned int nfds);
/* Send one message; @flags gets the version bit added (VHU_FLAG_VERSION). */
int vhu_raw_send(struct vhu_raw *v, uint32_t request, uint32_t flags, const void *payload,
	uint32_t size, const int *fds, unsigned int nfds);
/* Receive one message within @timeout_ms: 0, -ETIMEDOUT, -ECONNRESET, -EPROTO. */
int vhu_raw_recv(struct vhu_raw *v, struct vhu_raw_msg *m, unsigned int timeout_ms);
/*
 * GET_FEATURES and its reply: proves the backend has handled everything sent
 * before (it answers in order).  0, -ETIMEDOUT or -ECONNRESET.
 */
int vhu_raw_barrier(struct vhu_raw *v, unsigned int timeout_ms);

int vhu_raw_u64(struct vhu_raw *v, uint32_t request, uint64_t value);
int vhu_raw_state(struct vhu_raw *v, uint32_t request, uint32_t index, uint32_t num);
/* SET_MEM_TABLE: the one region. */
int vhu_raw_mem_table(struct vhu_raw *v);
/*
 * Describe queue @index: SET_VRING_NUM @num, SET_VRING_BASE 0, SET_VRING_ADDR
 * with the three rings at these offsets of guest memory, SET_VRING_CALL and
 * SET_VRING_KICK with fresh eventfds (the kick completes the ring).
 */
int vhu_raw_ring(struct vhu_raw *v, uint32_t index, uint32_t num, uint64_t desc_off,
	uint64_t avail_off, uint64_t used_off);

#endif /* VHU_RAW_H */
