/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * One vhost-user message from a frontend: read off the socket (the relay) and
 * checked before librte_vhost sees it, in the relay (vhost_proxy.c) or,
 * without the relay, in vhost_dev.c's pre-message hook.  librte_vhost 22.11
 * trusts much of what a frontend sends (see vhost_msg.c): a memory table
 * larger than its file, for one, is mapped, and the first touch of the part
 * no file backs kills the daemon with SIGBUS, every VM with it.
 *
 * No state, no allocation: any thread.  The checks look at the descriptors
 * (fstat, fcntl, readlink of /proc/self/fd) and touch nothing else.
 */
#ifndef VCRYPTD_VHOST_MSG_H
#define VCRYPTD_VHOST_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "vcryptd/vhost_user_proto.h"

enum vcd_vhu_verdict {
	VCD_VHU_PASS,   /* hand it on */
	VCD_VHU_REFUSE, /* a request vcryptd does not offer: answer a failure ack if the
			   frontend asked for a reply (VHU_FLAG_NEED_REPLY), else close */
	VCD_VHU_CLOSE,  /* malformed: close the connection */
};

/* Room for the reason vcd_vhu_check() gives (one log line's worth). */
#define VCD_VHU_WHY_MAX 160

/*
 * Check message @h (its @h->size bytes of @payload and the @nfds descriptors
 * @fds that came with it) against the protocol as vcryptd offers it.  On
 * REFUSE and CLOSE, @why says what is wrong (naming the region of a memory
 * table); the caller closes the descriptors and logs it.
 */
enum vcd_vhu_verdict vcd_vhu_check(const struct vhu_hdr *h, const void *payload, const int *fds,
	unsigned int nfds, char *why, size_t why_len);

/* The relay reads messages of up to this much payload. */
#define VCD_VHU_PAYLOAD_MAX 4096

struct vcd_vhu_msg {
	struct vhu_hdr hdr; /* the payload follows it, so both go out in one piece */
	uint8_t payload[VCD_VHU_PAYLOAD_MAX];
	int fds[VHU_MAX_FDS];
	int nfds;
};

_Static_assert(offsetof(struct vcd_vhu_msg, payload) == VHU_HDR_SIZE, "header, then payload");

/*
 * Read one message from @sock: the header with the descriptors that came
 * with it, then the payload, all of it within @deadline_ms of the first
 * bytes (a frontend trickling a message would otherwise hold the relay
 * thread, and every other VM's control channel, for as long as it likes).
 * 0, or with nothing left open: -ECONNRESET (closed, before or within the
 * message), -ETIMEDOUT (not all there by the deadline), -EMSGSIZE (payload
 * over VCD_VHU_PAYLOAD_MAX), -E2BIG (more than VHU_MAX_FDS descriptors), or
 * another -errno of recvmsg().
 */
int vcd_vhu_recv(int sock, struct vcd_vhu_msg *m, unsigned int deadline_ms);

/* Close the descriptors of @m. */
void vcd_vhu_close_fds(struct vcd_vhu_msg *m);

#endif /* VCRYPTD_VHOST_MSG_H */
