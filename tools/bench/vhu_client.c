/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The vhost-user frontend ("master") side of the protocol, as QEMU speaks it for
 * cryptodev-vhost-user: one unix stream socket, a 12-byte header (request, flags with
 * version 1, payload size) then the payload; file descriptors ride as SCM_RIGHTS.
 * Replies carry the same request code and the REPLY flag.
 */
#include <errno.h>
#include <linux/virtio_config.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vcdb_internal.h"

#define VHU_MAX_PAYLOAD 4096u

_Static_assert(VCDB_MAX_REGIONS <= VHU_MAX_REGIONS, "a memory table holds 8 regions at most");

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int
connect_once(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	err = -errno;
	close(fd);
	return err;
}

static int
set_timeout(int fd, unsigned int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (long)(ms % 1000) * 1000};

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/* Retry while the backend is not listening yet, like QEMU's reconnect=1. */
int
vcdb_unix_connect(const char *path, unsigned int timeout_ms)
{
	unsigned int waited = 0;
	int fd;

	for (;;) {
		fd = connect_once(path);
		if (fd >= 0 || (fd != -ENOENT && fd != -ECONNREFUSED))
			break;
		if (waited >= timeout_ms)
			break;
		sleep_ms(50);
		waited += 50;
	}
	return fd;
}

int
vhu_connect(struct vcdb *db, const char *path)
{
	int fd = vcdb_unix_connect(path, db->o.connect_timeout_ms);

	if (fd < 0)
		return fd;
	db->sock = fd;
	return set_timeout(fd, db->o.reply_timeout_ms);
}

static int
send_msg(struct vcdb *db, uint32_t req, uint32_t flags, const void *payload, uint32_t size,
	const int *fds, unsigned int nfds)
{
	struct vhu_hdr h = {.request = req, .flags = VHU_FLAG_VERSION | flags, .size = size};
	char ctl[CMSG_SPACE(sizeof(int) * VHU_MAX_FDS)] = {0};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)payload, size}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = size ? 2 : 1};
	ssize_t n;

	if (nfds > 0) {
		struct cmsghdr *c;

		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	vcdb_log(db, "-> request %u size %u fds %u\n", req, size, nfds);
	n = sendmsg(db->sock, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EPIPE ? -ECONNRESET : -errno;
	return (size_t)n == sizeof(h) + size ? 0 : -EIO;
}

static int
recv_full(struct vcdb *db, void *buf, size_t len)
{
	ssize_t n;

	if (len == 0)
		return 0;
	n = recv(db->sock, buf, len, MSG_WAITALL);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	return (size_t)n == len ? 0 : -ECONNRESET;
}

/* Read one reply to @req; its payload (at most @cap bytes) into @payload. */
static int
recv_reply(struct vcdb *db, uint32_t req, void *payload, uint32_t cap, uint32_t *size)
{
	uint8_t sink[VHU_MAX_PAYLOAD];
	struct vhu_hdr h;
	int rc;

	rc = recv_full(db, &h, sizeof(h));
	if (rc < 0)
		return rc;
	vcdb_log(db, "<- request %u flags %#x size %u\n", h.request, h.flags, h.size);
	if (h.size > VHU_MAX_PAYLOAD)
		return -EPROTO;
	rc = recv_full(db, h.size <= cap ? payload : sink, h.size);
	if (rc < 0)
		return rc;
	if (h.request != req || !(h.flags & VHU_FLAG_REPLY) || h.size > cap)
		return -EPROTO;
	*size = h.size;
	return 0;
}

static int
get_u64(struct vcdb *db, uint32_t req, uint64_t *val)
{
	uint32_t size;
	int rc;

	rc = send_msg(db, req, 0, NULL, 0, NULL, 0);
	if (rc < 0)
		return rc;
	rc = recv_reply(db, req, val, sizeof(*val), &size);
	if (rc < 0)
		return rc;
	return size == sizeof(*val) ? 0 : -EPROTO;
}

static bool
proto_has(const struct vcdb *db, unsigned int bit)
{
	return (db->pfeatures >> bit) & 1;
}

/* With REPLY_ACK the backend answers a NEED_REPLY message with a u64: 0 = success. */
static int
wait_ack(struct vcdb *db, uint32_t req)
{
	uint64_t ack = 1;
	uint32_t size;
	int rc;

	rc = recv_reply(db, req, &ack, sizeof(ack), &size);
	if (rc < 0)
		return rc;
	if (size != sizeof(ack))
		return -EPROTO;
	return ack == 0 ? 0 : -EREMOTEIO;
}

static int
send_acked(struct vcdb *db, uint32_t req, const void *payload, uint32_t size, const int *fds,
	unsigned int nfds, bool want_ack)
{
	bool ack = want_ack && proto_has(db, VHU_PROTO_F_REPLY_ACK);
	int rc;

	rc = send_msg(db, req, ack ? VHU_FLAG_NEED_REPLY : 0, payload, size, fds, nfds);
	if (rc < 0 || !ack)
		return rc;
	return wait_ack(db, req);
}

static int
set_u64(struct vcdb *db, uint32_t req, uint64_t val)
{
	return send_acked(db, req, &val, sizeof(val), NULL, 0, false);
}

static int
set_state(struct vcdb *db, uint32_t req, unsigned int index, unsigned int num)
{
	struct vhu_state st = {.index = index, .num = num};

	return send_acked(db, req, &st, sizeof(st), NULL, 0, false);
}

static uint64_t
features_wanted(const struct vcdb *db)
{
	uint64_t want = 1ull << VHU_F_PROTOCOL_FEATURES;

	if (db->o.startup == VCDB_STARTUP_QEMU72)
		return want;
	want |= 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_RING_F_INDIRECT_DESC;
	if (!db->o.no_event_idx)
		want |= 1ull << VIRTIO_RING_F_EVENT_IDX;
	return want;
}

static int
negotiate_protocol(struct vcdb *db)
{
	uint64_t offered;
	int rc;

	rc = get_u64(db, VHU_GET_PROTOCOL_FEATURES, &offered);
	if (rc < 0)
		return rc;
	db->pfeatures =
		offered & (1ull << VHU_PROTO_F_REPLY_ACK | 1ull << VHU_PROTO_F_CRYPTO_SESSION);
	vcdb_log(db, "protocol features offered %#llx acked %#llx\n", (unsigned long long)offered,
		(unsigned long long)db->pfeatures);
	return set_u64(db, VHU_SET_PROTOCOL_FEATURES, db->pfeatures);
}

/*
 * QEMU's vhost_dev_init() order: GET_FEATURES, protocol features, SET_OWNER, then the
 * call eventfd of each queue.  Features are set later, at start.
 */
int
vhu_handshake(struct vcdb *db)
{
	uint64_t offered;
	int rc;

	rc = get_u64(db, VHU_GET_FEATURES, &offered);
	if (rc < 0)
		return rc;
	db->features = offered & features_wanted(db);
	vcdb_log(db, "features offered %#llx acked %#llx\n", (unsigned long long)offered,
		(unsigned long long)db->features);
	if (db->features & (1ull << VHU_F_PROTOCOL_FEATURES)) {
		rc = negotiate_protocol(db);
		if (rc < 0)
			return rc;
	}
	rc = send_msg(db, VHU_SET_OWNER, 0, NULL, 0, NULL, 0);
	if (rc < 0)
		return rc;
	return send_acked(db, VHU_SET_VRING_CALL, &(uint64_t){0}, 8, &db->vq[0].call_fd, 1, false);
}

static int
set_mem_table(struct vcdb *db)
{
	struct vhu_mem_table m = {.nregions = db->mem.nr};
	int fds[VCDB_MAX_REGIONS];
	unsigned int k;

	for (k = 0; k < db->mem.nr; k++) {
		const struct vcdb_region *r = &db->mem.r[k];

		/* userspace_addr: where this process mapped it; vring addresses live there */
		m.r[k] = (struct vhu_mem_region){r->gpa, r->size, (uintptr_t)r->va, 0};
		fds[k] = r->fd;
	}
	return send_acked(
		db, VHU_SET_MEM_TABLE, &m, VHU_MEM_TABLE_SIZE(m.nregions), fds, m.nregions, true);
}

static int
set_vring_addr(struct vcdb *db, unsigned int q)
{
	struct vhu_vring_addr a = {
		.index = q,
		.desc = (uintptr_t)db->vq[q].desc,
		.used = (uintptr_t)db->vq[q].used,
		.avail = (uintptr_t)db->vq[q].avail,
	};

	return send_acked(db, VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, false);
}

/*
 * vhost_dev_start(): features, memory, then each data queue's ring; qemu72 stops
 * before ENABLE.
 */
int
vhu_start_queue(struct vcdb *db)
{
	unsigned int q;
	int rc;

	rc = set_u64(db, VHU_SET_FEATURES, db->features);
	if (rc == 0)
		rc = set_mem_table(db);
	for (q = 0; q < db->nb_vq && rc == 0; q++) {
		uint64_t idx = q;

		rc = set_state(db, VHU_SET_VRING_NUM, q, db->vq[q].num);
		if (rc == 0)
			rc = set_state(db, VHU_SET_VRING_BASE, q, 0);
		if (rc == 0)
			rc = set_vring_addr(db, q);
		if (rc == 0)
			rc = send_acked(
				db, VHU_SET_VRING_KICK, &idx, 8, &db->vq[q].kick_fd, 1, false);
		if (rc == 0)
			rc = send_acked(
				db, VHU_SET_VRING_CALL, &idx, 8, &db->vq[q].call_fd, 1, false);
	}
	if (rc < 0 || db->o.startup == VCDB_STARTUP_QEMU72)
		return rc;
	if (!(db->features & (1ull << VHU_F_PROTOCOL_FEATURES)))
		return 0;
	for (q = 0; q < db->nb_vq && rc == 0; q++)
		rc = set_state(db, VHU_SET_VRING_ENABLE, q, 1);
	return rc;
}

/* GET_VRING_BASE stops each ring; the backend answers with its last avail index. */
int
vhu_stop_queue(struct vcdb *db)
{
	unsigned int q;

	for (q = 0; q < db->nb_vq; q++) {
		struct vhu_state st = {.index = q};
		uint32_t size;
		int rc;

		rc = send_msg(db, VHU_GET_VRING_BASE, 0, &st, sizeof(st), NULL, 0);
		if (rc < 0)
			return rc;
		rc = recv_reply(db, VHU_GET_VRING_BASE, &st, sizeof(st), &size);
		if (rc < 0)
			return rc;
		vcdb_log(db, "queue %u stopped at %u\n", q, st.num);
	}
	return 0;
}

int
vhu_create_session(struct vcdb *db, const void *payload, uint32_t size, int64_t *id)
{
	uint8_t reply[VHU_MAX_PAYLOAD] = {0};
	uint32_t rsize;
	int rc;

	if (!proto_has(db, VHU_PROTO_F_CRYPTO_SESSION))
		return -ENOTSUP;
	rc = send_msg(db, VHU_CREATE_CRYPTO_SESSION, 0, payload, size, NULL, 0);
	if (rc < 0)
		return rc;
	rc = recv_reply(db, VHU_CREATE_CRYPTO_SESSION, reply, sizeof(reply), &rsize);
	if (rc < 0)
		return rc;
	if (rsize < vcd_sess_msg_size(db->o.layout)) {
		*id = -1; /* a short reply cannot hold an id: treat it as a refusal */
		return 0;
	}
	*id = vcd_sess_msg_reply_id(db->o.layout, reply);
	return 0;
}

int
vhu_close_session(struct vcdb *db, uint64_t id)
{
	if (!proto_has(db, VHU_PROTO_F_CRYPTO_SESSION))
		return -ENOTSUP;
	return send_acked(db, VHU_CLOSE_CRYPTO_SESSION, &id, sizeof(id), NULL, 0, db->o.close_ack);
}
