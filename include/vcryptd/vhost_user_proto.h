/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vhost-user protocol numbers (the vhost-user specification in QEMU's docs)
 * that both sides of vcryptd use: the daemon and its relay, and the
 * vcryptd-bench frontend.
 */
#ifndef VCRYPTD_VHOST_USER_PROTO_H
#define VCRYPTD_VHOST_USER_PROTO_H

enum vhu_request {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_RESET_OWNER = 4,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_LOG_BASE = 6,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_ADDR = 9,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_SET_VRING_KICK = 12,
	VHU_SET_VRING_CALL = 13,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_SET_VRING_ENABLE = 18,
	VHU_IOTLB_MSG = 22,
	VHU_GET_CONFIG = 24,
	VHU_SET_CONFIG = 25,
	VHU_CREATE_CRYPTO_SESSION = 26,
	VHU_CLOSE_CRYPTO_SESSION = 27,
	VHU_POSTCOPY_ADVISE = 28,
	VHU_POSTCOPY_LISTEN = 29,
	VHU_POSTCOPY_END = 30,
	VHU_GET_INFLIGHT_FD = 31,
	VHU_SET_INFLIGHT_FD = 32,
};

/* Header: u32 request, u32 flags, u32 size, then size bytes of payload. */
#define VHU_HDR_SIZE        12
#define VHU_FLAG_VERSION    0x1u
#define VHU_FLAG_REPLY      (1u << 2)
#define VHU_FLAG_NEED_REPLY (1u << 3)

#define VHU_F_PROTOCOL_FEATURES    30 /* virtio feature bit */
#define VHU_PROTO_F_REPLY_ACK      3
#define VHU_PROTO_F_CRYPTO_SESSION 7

#endif /* VCRYPTD_VHOST_USER_PROTO_H */
