/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/* A raw vhost-user frontend for hostile tests (see vhu_raw.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "vcdbench.h"
#include "vhu_raw.h"

int
vhu_raw_open(struct vhu_raw *v, const char *path, size_t mem_size, unsigned int timeout_ms)
{
	void *va;
	int err;

	memset(v, 0, sizeof(*v));
	v->sock = v->mem_fd = v->call_fd = v->kick_fd = -1;
	v->mem_fd = memfd_create("vhu-raw-guest", MFD_CLOEXEC);
	if (v->mem_fd < 0 || ftruncate(v->mem_fd, (off_t)mem_size) < 0)
		goto fail;
	va = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->mem_fd, 0);
	if (va == MAP_FAILED)
		goto fail;
	v->mem = va;
	v->mem_size = mem_size;
	v->sock = vcdb_unix_connect(path, timeout_ms);
	if (v->sock >= 0) {
		/* A payload that never comes fails too (poll() bounds the rest). */
		struct timeval tv = {.tv_sec = 10};

		setsockopt(v->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		return 0;
	}
	errno = -v->sock;
	v->sock = -1;
fail:
	err = -errno;
	vhu_raw_close(v);
	return err;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void
vhu_raw_close(struct vhu_raw *v)
{
	if (v->mem == NULL && v->mem_fd == 0 && v->sock == 0)
		return; /* zeroed, never opened */
	close_fd(&v->sock);
	close_fd(&v->call_fd);
	close_fd(&v->kick_fd);
	close_fd(&v->mem_fd);
	if (v->mem != NULL)
		munmap(v->mem, v->mem_size);
	v->mem = NULL;
	v->mem_size = 0;
}

int
vhu_raw_send_hdr(struct vhu_raw *v, const struct vhu_hdr *h, const void *payload, uint32_t len,
	const int *fds, unsigned int nfds)
{
	struct iovec iov[2] = {
		{(void *)(uintptr_t)h, sizeof(*h)}, {(void *)(uintptr_t)payload, len}};
	char cbuf[CMSG_SPACE(VHU_RAW_MAX_FDS * sizeof(int))];
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	ssize_t n;

	if (v->sock < 0)
		return -ECONNRESET;
	if (nfds > VHU_RAW_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	n = sendmsg(v->sock, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EPIPE || errno == ECONNRESET ? -ECONNRESET : -errno;
	return n == (ssize_t)(sizeof(*h) + len) ? 0 : -EIO;
}

int
vhu_raw_send(struct vhu_raw *v, uint32_t request, uint32_t flags, const void *payload,
	uint32_t size, const int *fds, unsigned int nfds)
{
	struct vhu_hdr h = {request, flags | VHU_FLAG_VERSION, size};

	return vhu_raw_send_hdr(v, &h, payload, size, fds, nfds);
}

/* Wait until the socket is readable: 0, or -ETIMEDOUT. */
static int
wait_readable(int fd, unsigned int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int rc;

	do
		rc = poll(&p, 1, (int)timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

static void
take_fds(struct msghdr *mh, struct vhu_raw_msg *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t i, n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (m->fd < 0)
				m->fd = fd;
			else
				close(fd);
		}
	}
}

int
vhu_raw_recv(struct vhu_raw *v, struct vhu_raw_msg *m, unsigned int timeout_ms)
{
	char cbuf[CMSG_SPACE(VHU_RAW_MAX_FDS * sizeof(int))];
	struct vhu_hdr h;
	struct iovec iov = {&h, sizeof(h)};
	struct msghdr mh = {.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf)};
	ssize_t n;
	int rc;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (v->sock < 0)
		return -ECONNRESET;
	rc = wait_readable(v->sock, timeout_ms);
	if (rc != 0)
		return rc;
	n = recvmsg(v->sock, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == ECONNRESET ? -ECONNRESET : -errno;
	if (n == 0)
		return -ECONNRESET;
	take_fds(&mh, m);
	if (n != (ssize_t)sizeof(h) || h.size > sizeof(m->payload))
		return -EPROTO;
	m->hdr = h;
	if (h.size == 0)
		return 0;
	rc = wait_readable(v->sock, timeout_ms);
	if (rc != 0)
		return rc;
	n = recv(v->sock, m->payload, h.size, MSG_WAITALL);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return -ECONNRESET;
	return n == (ssize_t)h.size ? 0 : -EPROTO;
}

int
vhu_raw_barrier(struct vhu_raw *v, unsigned int timeout_ms)
{
	struct vhu_raw_msg m;
	int rc = vhu_raw_send(v, VHU_GET_FEATURES, 0, NULL, 0, NULL, 0);

	while (rc == 0) {
		rc = vhu_raw_recv(v, &m, timeout_ms);
		close_fd(&m.fd);
		if (rc == 0 && m.hdr.request == VHU_GET_FEATURES && (m.hdr.flags & VHU_FLAG_REPLY))
			return 0;
	}
	return rc;
}

int
vhu_raw_u64(struct vhu_raw *v, uint32_t request, uint64_t value)
{
	return vhu_raw_send(v, request, 0, &value, sizeof(value), NULL, 0);
}

int
vhu_raw_state(struct vhu_raw *v, uint32_t request, uint32_t index, uint32_t num)
{
	uint32_t s[2] = {index, num};

	return vhu_raw_send(v, request, 0, s, sizeof(s), NULL, 0);
}

int
vhu_raw_mem_table(struct vhu_raw *v)
{
	struct vhu_mem_table mt = {
		.nregions = 1, .r[0] = {.gpa = 0, .size = v->mem_size, .uaddr = (uintptr_t)v->mem}};

	return vhu_raw_send(v, VHU_SET_MEM_TABLE, 0, &mt, VHU_MEM_TABLE_SIZE(1), &v->mem_fd, 1);
}

int
vhu_raw_ring(struct vhu_raw *v, uint32_t index, uint32_t num, uint64_t desc_off, uint64_t avail_off,
	uint64_t used_off)
{
	struct vhu_vring_addr a = {.index = index,
		.desc = (uintptr_t)(v->mem + desc_off),
		.used = (uintptr_t)(v->mem + used_off),
		.avail = (uintptr_t)(v->mem + avail_off)};
	uint64_t q = index;
	int rc;

	close_fd(&v->call_fd);
	close_fd(&v->kick_fd);
	v->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->call_fd < 0 || v->kick_fd < 0)
		return -errno;
	rc = vhu_raw_state(v, VHU_SET_VRING_NUM, index, num);
	if (rc == 0)
		rc = vhu_raw_state(v, VHU_SET_VRING_BASE, index, 0);
	if (rc == 0)
		rc = vhu_raw_send(v, VHU_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	if (rc == 0)
		rc = vhu_raw_send(v, VHU_SET_VRING_CALL, 0, &q, sizeof(q), &v->call_fd, 1);
	if (rc == 0)
		rc = vhu_raw_send(v, VHU_SET_VRING_KICK, 0, &q, sizeof(q), &v->kick_fd, 1);
	return rc;
}
