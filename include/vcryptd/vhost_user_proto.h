/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The vhost-user protocol as vcryptd speaks it (the vhost-user specification
 * in QEMU's docs/interop/vhost-user.rst): one table of the requests, the wire
 * header and the payloads.  Both sides use it: the daemon (vhost_dev.c, the
 * relay in vhost_proxy.c, the checks in vhost_msg.c), the vcryptd-bench
 * frontend and the raw frontend of the hostile tests.  Header only, no state:
 * any thread.
 */
#ifndef VCRYPTD_VHOST_USER_PROTO_H
#define VCRYPTD_VHOST_USER_PROTO_H

#include <stdint.h>

/*
 * What the daemon does with a request, beyond handing it to librte_vhost:
 *  STOPS_RING     librte_vhost changes or tears down the rings on it without
 *                 asking: the worker must stop the data ring first;
 *  UNMAPS_MEMORY  ... and unmaps guest memory: out of the devices' IOMMU first;
 *  NOT_OFFERED    it belongs to a feature vcryptd never offers (dirty
 *                 logging, postcopy, IOTLB, inflight, config space, the
 *                 backend channel, memory slots, status, the net device's
 *                 requests): refused, although librte_vhost 22.11 would act
 *                 on several of them anyway (POSTCOPY_ADVISE/LISTEN do not
 *                 check that PAGEFAULT was negotiated, and would register
 *                 guest memory with a userfaultfd the frontend controls, so
 *                 that a worker touching an absent page would block for good;
 *                 SET_LOG_BASE maps the fd it is given);
 *  SESSION        a crypto-session message, answered by vcryptd itself.
 */
#define VHU_STOPS_RING    0x1u
#define VHU_UNMAPS_MEMORY 0x2u
#define VHU_NOT_OFFERED   0x4u
#define VHU_SESSION       0x8u

/*
 * The payload a request carries (frontend to backend), which fixes its size
 * and how many descriptors come with it:
 *  NONE     nothing, no fd;
 *  U64      a u64, no fd;
 *  STATE    struct vhu_state, no fd;
 *  ADDR     struct vhu_vring_addr, no fd;
 *  FILE     a u64: vring index in bits 0-7, VHU_VRING_NOFD in bit 8, the rest
 *           zero; one eventfd unless NOFD;
 *  MEM      struct vhu_mem_table with nregions regions, one fd per region;
 *  SESSION  a create-session layout (session_msg.c checks it), no fd;
 *  ANY      not looked at (requests vcryptd refuses).
 */
enum vhu_payload {
	VHU_PL_NONE,
	VHU_PL_U64,
	VHU_PL_STATE,
	VHU_PL_ADDR,
	VHU_PL_FILE,
	VHU_PL_MEM,
	VHU_PL_SESSION,
	VHU_PL_ANY,
};

/* X(name, id, payload, flags): every request the specification numbers up to 40. */
#define VHU_MESSAGES(X)                                                                            \
	X(GET_FEATURES, 1, VHU_PL_NONE, 0)                                                         \
	X(SET_FEATURES, 2, VHU_PL_U64, VHU_STOPS_RING)                                             \
	X(SET_OWNER, 3, VHU_PL_NONE, 0)                                                            \
	X(RESET_OWNER, 4, VHU_PL_NONE, VHU_STOPS_RING | VHU_UNMAPS_MEMORY)                         \
	X(SET_MEM_TABLE, 5, VHU_PL_MEM, VHU_STOPS_RING | VHU_UNMAPS_MEMORY)                        \
	X(SET_LOG_BASE, 6, VHU_PL_ANY, VHU_NOT_OFFERED)                                            \
	X(SET_LOG_FD, 7, VHU_PL_ANY, VHU_NOT_OFFERED)                                              \
	X(SET_VRING_NUM, 8, VHU_PL_STATE, VHU_STOPS_RING)                                          \
	X(SET_VRING_ADDR, 9, VHU_PL_ADDR, VHU_STOPS_RING)                                          \
	X(SET_VRING_BASE, 10, VHU_PL_STATE, VHU_STOPS_RING)                                        \
	X(GET_VRING_BASE, 11, VHU_PL_STATE, VHU_STOPS_RING)                                        \
	X(SET_VRING_KICK, 12, VHU_PL_FILE, VHU_STOPS_RING)                                         \
	X(SET_VRING_CALL, 13, VHU_PL_FILE, VHU_STOPS_RING)                                         \
	X(SET_VRING_ERR, 14, VHU_PL_FILE, 0)                                                       \
	X(GET_PROTOCOL_FEATURES, 15, VHU_PL_NONE, 0)                                               \
	X(SET_PROTOCOL_FEATURES, 16, VHU_PL_U64, 0)                                                \
	X(GET_QUEUE_NUM, 17, VHU_PL_ANY, VHU_NOT_OFFERED)                                          \
	X(SET_VRING_ENABLE, 18, VHU_PL_STATE, VHU_STOPS_RING)                                      \
	X(SEND_RARP, 19, VHU_PL_ANY, VHU_NOT_OFFERED)                                              \
	X(NET_SET_MTU, 20, VHU_PL_ANY, VHU_NOT_OFFERED)                                            \
	X(SET_SLAVE_REQ_FD, 21, VHU_PL_ANY, VHU_NOT_OFFERED)                                       \
	X(IOTLB_MSG, 22, VHU_PL_ANY, VHU_NOT_OFFERED)                                              \
	X(SET_VRING_ENDIAN, 23, VHU_PL_ANY, VHU_NOT_OFFERED)                                       \
	X(GET_CONFIG, 24, VHU_PL_ANY, VHU_NOT_OFFERED)                                             \
	X(SET_CONFIG, 25, VHU_PL_ANY, VHU_NOT_OFFERED)                                             \
	X(CREATE_CRYPTO_SESSION, 26, VHU_PL_SESSION, VHU_SESSION)                                  \
	X(CLOSE_CRYPTO_SESSION, 27, VHU_PL_U64, VHU_SESSION)                                       \
	X(POSTCOPY_ADVISE, 28, VHU_PL_ANY, VHU_NOT_OFFERED)                                        \
	X(POSTCOPY_LISTEN, 29, VHU_PL_ANY, VHU_NOT_OFFERED)                                        \
	X(POSTCOPY_END, 30, VHU_PL_ANY, VHU_NOT_OFFERED)                                           \
	X(GET_INFLIGHT_FD, 31, VHU_PL_ANY, VHU_NOT_OFFERED)                                        \
	X(SET_INFLIGHT_FD, 32, VHU_PL_ANY, VHU_NOT_OFFERED)                                        \
	X(GPU_SET_SOCKET, 33, VHU_PL_ANY, VHU_NOT_OFFERED)                                         \
	X(RESET_DEVICE, 34, VHU_PL_ANY, VHU_NOT_OFFERED)                                           \
	X(VRING_KICK, 35, VHU_PL_ANY, VHU_NOT_OFFERED)                                             \
	X(GET_MAX_MEM_SLOTS, 36, VHU_PL_ANY, VHU_NOT_OFFERED)                                      \
	X(ADD_MEM_REG, 37, VHU_PL_ANY, VHU_NOT_OFFERED)                                            \
	X(REM_MEM_REG, 38, VHU_PL_ANY, VHU_NOT_OFFERED)                                            \
	X(SET_STATUS, 39, VHU_PL_ANY, VHU_NOT_OFFERED)                                             \
	X(GET_STATUS, 40, VHU_PL_ANY, VHU_NOT_OFFERED)

#define VHU_REQUEST_ENUM(name, id, payload, flags) VHU_##name = id,
enum vhu_request { VHU_MESSAGES(VHU_REQUEST_ENUM) };
#undef VHU_REQUEST_ENUM

/* One request's row of the table; NULL name: not a request we know. */
struct vhu_msg_info {
	const char *name;
	enum vhu_payload payload;
	uint32_t flags;
};

static inline struct vhu_msg_info
vhu_msg_info(uint32_t request)
{
#define VHU_INFO_CASE(name, id, payload, flags)                                                    \
	case id:                                                                                   \
		return (struct vhu_msg_info){#name, payload, flags};
	switch (request) {
		VHU_MESSAGES(VHU_INFO_CASE)
	default:
		return (struct vhu_msg_info){NULL, VHU_PL_ANY, 0};
	}
#undef VHU_INFO_CASE
}

/* The request's name for log lines ("SET_MEM_TABLE"), or "unknown". */
static inline const char *
vhu_msg_name(uint32_t request)
{
	const char *n = vhu_msg_info(request).name;

	return n != NULL ? n : "unknown";
}

static inline uint32_t
vhu_msg_flags(uint32_t request)
{
	return vhu_msg_info(request).flags;
}

/* The header of every message: u32 request, u32 flags, u32 size, then size bytes. */
struct vhu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

#define VHU_HDR_SIZE 12
_Static_assert(sizeof(struct vhu_hdr) == VHU_HDR_SIZE, "vhost-user header is 12 bytes");
#define VHU_VERSION_MASK    0x3u
#define VHU_FLAG_VERSION    0x1u
#define VHU_FLAG_REPLY      (1u << 2)
#define VHU_FLAG_NEED_REPLY (1u << 3)

/* SET_VRING_NUM, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_ENABLE. */
struct vhu_state {
	uint32_t index;
	uint32_t num;
};

/* SET_VRING_ADDR: the frontend's virtual addresses of the three rings. */
struct vhu_vring_addr {
	uint32_t index;
	uint32_t flags; /* VHU_VRING_F_LOG: log_guest_addr is valid */
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

#define VHU_VRING_F_LOG 0x1u

/* SET_MEM_TABLE */
struct vhu_mem_region {
	uint64_t gpa;         /* guest physical address */
	uint64_t size;        /* bytes */
	uint64_t uaddr;       /* the frontend's virtual address (vring addresses use it) */
	uint64_t mmap_offset; /* where the region begins in its fd */
};

#define VHU_MAX_REGIONS 8 /* VHOST_MEMORY_MAX_NREGIONS */

struct vhu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhu_mem_region r[VHU_MAX_REGIONS];
};

#define VHU_MEM_TABLE_SIZE(n) (8u + 32u * (n))
_Static_assert(sizeof(struct vhu_mem_table) == VHU_MEM_TABLE_SIZE(VHU_MAX_REGIONS), "packed");
_Static_assert(sizeof(struct vhu_vring_addr) == 40, "vhost_vring_addr is 40 bytes");

/* FILE payloads (SET_VRING_KICK/CALL/ERR). */
#define VHU_VRING_IDX_MASK 0xffu
#define VHU_VRING_NOFD     0x100u

#define VHU_MAX_FDS       8     /* descriptors one message may carry */
#define VHU_MAX_VRINGS    256   /* librte_vhost's VHOST_MAX_VRING; the FILE index has 8 bits */
#define VHU_RING_SIZE_MAX 32768 /* virtio: a split ring has at most 2^15 entries */

#define VHU_F_PROTOCOL_FEATURES    30 /* virtio feature bit */
#define VHU_PROTO_F_REPLY_ACK      3
#define VHU_PROTO_F_CRYPTO_SESSION 7

#endif /* VCRYPTD_VHOST_USER_PROTO_H */
