/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * What every vhost-user message from a frontend must be before librte_vhost
 * sees it (see vhost_msg.h).  librte_vhost 22.11 (lib/vhost/vhost_user.c)
 * already refuses, by closing the connection: a payload over its union,
 * vring indexes of 256 and more, descriptor counts other than the request's
 * (for the requests it knows), ring sizes over 32768 or not a power of two,
 * mmap_offset + size wrapping, features it did not offer.  What it does not
 * check, and this file does:
 *  - the header's version and flags;
 *  - payload sizes: the library reads a short payload's missing bytes from
 *    whatever its stack held;
 *  - a memory table's regions against the files they come from (a region
 *    past the end of its memfd is mapped, and touching that part is SIGBUS),
 *    their alignment, wrap-around and overlaps, and that each fd is a regular
 *    file (a memfd or a hugetlbfs file) opened for reading and writing;
 *  - that kick, call and error fds are eventfds, and that the call fd does
 *    not block: the worker writes it on its data path, and a pipe or a
 *    blocking eventfd whose count the frontend has filled would stop the
 *    worker and every VM on it for good;
 *  - descriptors on crypto-session messages, which vcryptd answers itself
 *    (without the relay, librte_vhost would leave them open: a frontend could
 *    exhaust the daemon's descriptors);
 *  - the reserved bits of vring-file payloads (the library masks them off),
 *    SET_VRING_BASE past 16 bits (it truncates), SET_VRING_ENABLE other than
 *    0 or 1, split-ring alignment and flags of SET_VRING_ADDR;
 *  - requests of features vcryptd never offers, several of which the library
 *    acts on anyway (SET_LOG_BASE maps the fd it is given, SET_STATUS and
 *    the net device's requests change its state, postcopy registers a
 *    userfaultfd).
 * What stays with the library and vring.c: that rings lie inside guest
 * memory (the library translates them against the memory table; vring.c
 * checks them again for the size and features the worker uses).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vcryptd/vhost_msg.h"

/* Guest memory comes in pages of at least this much (QEMU aligns its sections so). */
#define PAGE 4096ull

static enum vcd_vhu_verdict
verdict(enum vcd_vhu_verdict v, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return v;
}

#define bad(why, len, ...) verdict(VCD_VHU_CLOSE, why, len, __VA_ARGS__)

static bool
is_eventfd(int fd)
{
	static const char want[] = "anon_inode:[eventfd]";
	char path[48], link[sizeof(want) + 1];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link));
	return n == (ssize_t)sizeof(want) - 1 && memcmp(link, want, sizeof(want) - 1) == 0;
}

/* What the message's payload kind fixes: its size (-1: see the payload) and descriptors. */
static long
payload_size(enum vhu_payload kind, const struct vhu_hdr *h, const uint8_t *p)
{
	uint32_t n;

	switch (kind) {
	case VHU_PL_NONE:
		return 0;
	case VHU_PL_U64:
	case VHU_PL_FILE:
	case VHU_PL_STATE:
		return 8;
	case VHU_PL_ADDR:
		return (long)sizeof(struct vhu_vring_addr);
	case VHU_PL_MEM:
		if (h->size < 8)
			return 8;
		memcpy(&n, p, sizeof(n));
		return n <= VHU_MAX_REGIONS ? (long)VHU_MEM_TABLE_SIZE(n) : -1;
	case VHU_PL_SESSION: /* session_msg.c checks the layouts */
	case VHU_PL_ANY:
		break;
	}
	return -1;
}

static unsigned int
fds_expected(enum vhu_payload kind, const uint8_t *p)
{
	uint64_t u64;
	uint32_t n;

	switch (kind) {
	case VHU_PL_FILE:
		memcpy(&u64, p, sizeof(u64));
		return (u64 & VHU_VRING_NOFD) ? 0 : 1;
	case VHU_PL_MEM:
		memcpy(&n, p, sizeof(n));
		return n;
	default:
		return 0;
	}
}

static enum vcd_vhu_verdict
check_state(uint32_t request, const uint8_t *p, char *why, size_t len)
{
	struct vhu_state s;

	memcpy(&s, p, sizeof(s));
	if (s.index >= VHU_MAX_VRINGS)
		return bad(why, len, "vring index %u (at most %u)", s.index, VHU_MAX_VRINGS - 1);
	switch (request) {
	case VHU_SET_VRING_NUM:
		if (s.num == 0 || s.num > VHU_RING_SIZE_MAX || (s.num & (s.num - 1)) != 0)
			return bad(why, len, "ring size %u: not a power of two from 1 to %u", s.num,
				VHU_RING_SIZE_MAX);
		break;
	case VHU_SET_VRING_BASE:
		/* A split ring's indexes run free modulo 2^16: any 16-bit base is one. */
		if (s.num > 0xffff)
			return bad(why, len, "ring base %u does not fit in 16 bits", s.num);
		break;
	case VHU_SET_VRING_ENABLE:
		if (s.num > 1)
			return bad(why, len, "enable %u: 0 or 1", s.num);
		break;
	default:
		break;
	}
	return VCD_VHU_PASS;
}

/* virtio 1.x, 2.7 (split virtqueues): descriptor table 16, avail 2, used 4. */
static enum vcd_vhu_verdict
check_addr(const uint8_t *p, char *why, size_t len)
{
	struct vhu_vring_addr a;

	memcpy(&a, p, sizeof(a));
	if (a.index >= VHU_MAX_VRINGS)
		return bad(why, len, "vring index %u (at most %u)", a.index, VHU_MAX_VRINGS - 1);
	if (a.flags & VHU_VRING_F_LOG)
		return bad(why, len, "dirty logging asked for, not offered");
	if (a.flags != 0)
		return bad(why, len, "unknown flags %#x", a.flags);
	if ((a.desc & 15) != 0 || (a.avail & 1) != 0 || (a.used & 3) != 0)
		return bad(why, len,
			"rings not aligned (desc %#llx: 16, avail %#llx: 2, used %#llx: 4)",
			(unsigned long long)a.desc, (unsigned long long)a.avail,
			(unsigned long long)a.used);
	return VCD_VHU_PASS;
}

static enum vcd_vhu_verdict
check_file(uint32_t request, const uint8_t *p, const int *fds, unsigned int nfds, char *why,
	size_t len)
{
	uint64_t u64;
	int fl;

	memcpy(&u64, p, sizeof(u64));
	if (u64 & ~(uint64_t)(VHU_VRING_IDX_MASK | VHU_VRING_NOFD))
		return bad(why, len, "reserved bits set in %#llx", (unsigned long long)u64);
	if (nfds == 0)
		return VCD_VHU_PASS;
	if (!is_eventfd(fds[0]))
		return bad(why, len, "the fd is not an eventfd");
	/* The worker writes it; kick and error fds are never written here. */
	fl = fcntl(fds[0], F_GETFL);
	if (request == VHU_SET_VRING_CALL && (fl < 0 || !(fl & O_NONBLOCK)))
		return bad(why, len,
			"the call eventfd blocks (the worker writes it: a full one would stop it)");
	return VCD_VHU_PASS;
}

/* [a, a + n) and [b, b + m), n and m > 0, neither wrapping. */
static bool
overlap(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
	return a < b + m && b < a + n;
}

static enum vcd_vhu_verdict
check_region(unsigned int i, const struct vhu_mem_region *r, int fd, char *why, size_t len)
{
	struct stat st;
	int fl;

	if (r->size == 0)
		return bad(why, len, "region %u: size 0", i);
	if (((r->gpa | r->size | r->uaddr | r->mmap_offset) & (PAGE - 1)) != 0)
		return bad(why, len,
			"region %u: guest address %#llx, size %#llx, frontend address %#llx or "
			"offset %#llx not a multiple of %llu",
			i, (unsigned long long)r->gpa, (unsigned long long)r->size,
			(unsigned long long)r->uaddr, (unsigned long long)r->mmap_offset, PAGE);
	if (r->gpa > UINT64_MAX - r->size || r->uaddr > UINT64_MAX - r->size ||
		r->mmap_offset > UINT64_MAX - r->size)
		return bad(why, len, "region %u: size %#llx wraps an address or the offset", i,
			(unsigned long long)r->size);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return bad(
			why, len, "region %u: the fd is not a regular file (memfd, hugetlbfs)", i);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_RDWR)
		return bad(why, len, "region %u: the fd is not open for reading and writing", i);
	if (st.st_size < 0 || r->mmap_offset + r->size > (uint64_t)st.st_size)
		return bad(why, len,
			"region %u: offset %#llx + size %#llx past the end of its file (%lld "
			"bytes)",
			i, (unsigned long long)r->mmap_offset, (unsigned long long)r->size,
			(long long)st.st_size);
	return VCD_VHU_PASS;
}

static enum vcd_vhu_verdict
check_mem(const uint8_t *p, const int *fds, char *why, size_t len)
{
	struct vhu_mem_region r[VHU_MAX_REGIONS];
	enum vcd_vhu_verdict v;
	uint32_t n, i, j;

	memcpy(&n, p, sizeof(n));
	memcpy(r, p + 8, (size_t)n * sizeof(r[0]));
	for (i = 0; i < n; i++) {
		v = check_region(i, &r[i], fds[i], why, len);
		if (v != VCD_VHU_PASS)
			return v;
		for (j = 0; j < i; j++) {
			if (overlap(r[i].gpa, r[i].size, r[j].gpa, r[j].size))
				return bad(why, len,
					"region %u: guest addresses overlap region %u's", i, j);
			if (overlap(r[i].uaddr, r[i].size, r[j].uaddr, r[j].size))
				return bad(why, len,
					"region %u: frontend addresses overlap region %u's", i, j);
		}
	}
	return VCD_VHU_PASS;
}

enum vcd_vhu_verdict
vcd_vhu_check(const struct vhu_hdr *h, const void *payload, const int *fds, unsigned int nfds,
	char *why, size_t why_len)
{
	struct vhu_msg_info info = vhu_msg_info(h->request);
	const uint8_t *p = payload;
	long size;

	why[0] = '\0';
	if ((h->flags & VHU_VERSION_MASK) != VHU_FLAG_VERSION ||
		(h->flags & ~(VHU_VERSION_MASK | VHU_FLAG_NEED_REPLY)) != 0)
		return bad(why, why_len, "flags %#x: version 1 and NEED_REPLY only", h->flags);
	if (info.name == NULL)
		return bad(why, why_len, "unknown request");
	if (info.flags & VHU_NOT_OFFERED)
		return verdict(VCD_VHU_REFUSE, why, why_len, "feature not offered");
	size = payload_size(info.payload, h, p);
	if (size < 0 && info.payload == VHU_PL_MEM)
		return bad(why, why_len, "more than %u regions", VHU_MAX_REGIONS);
	if (size >= 0 && h->size != (uint32_t)size)
		return bad(why, why_len, "payload of %u bytes, not %ld", h->size, size);
	if (nfds != fds_expected(info.payload, p))
		return bad(why, why_len, "%u fds, not %u", nfds, fds_expected(info.payload, p));
	switch (info.payload) {
	case VHU_PL_STATE:
		return check_state(h->request, p, why, why_len);
	case VHU_PL_ADDR:
		return check_addr(p, why, why_len);
	case VHU_PL_FILE:
		return check_file(h->request, p, fds, nfds, why, why_len);
	case VHU_PL_MEM:
		return check_mem(p, fds, why, why_len);
	default:
		return VCD_VHU_PASS;
	}
}

/* ---- reading a message off the socket (the relay) ---- */

void
vcd_vhu_close_fds(struct vcd_vhu_msg *m)
{
	while (m->nfds > 0)
		close(m->fds[--m->nfds]);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The rest of a message, by @deadline (ms): 0, -ETIMEDOUT or -ECONNRESET (cut short). */
static int
read_full(int fd, void *buf, size_t len, uint64_t deadline)
{
	uint8_t *p = buf;

	while (len > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint64_t now = now_ms();
		ssize_t n;

		if (now >= deadline || poll(&pfd, 1, (int)(deadline - now)) != 1)
			return -ETIMEDOUT;
		n = read(fd, p, len);
		if (n <= 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Keep the descriptors of every SCM_RIGHTS part, up to VHU_MAX_FDS; -1 if there were more. */
static int
take_fds(struct msghdr *mh, struct vcd_vhu_msg *m)
{
	struct cmsghdr *c;
	int rc = 0;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t i, k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (m->nfds < VHU_MAX_FDS) {
				m->fds[m->nfds++] = fd;
			} else {
				close(fd);
				rc = -1;
			}
		}
	}
	return rc;
}

static int
recv_rest(int sock, struct vcd_vhu_msg *m, size_t got, uint64_t deadline)
{
	int rc = 0;

	if (got < VHU_HDR_SIZE)
		rc = read_full(sock, (uint8_t *)&m->hdr + got, VHU_HDR_SIZE - got, deadline);
	if (rc == 0 && m->hdr.size > VCD_VHU_PAYLOAD_MAX)
		rc = -EMSGSIZE;
	if (rc == 0)
		rc = read_full(sock, m->payload, m->hdr.size, deadline);
	return rc;
}

int
vcd_vhu_recv(int sock, struct vcd_vhu_msg *m, unsigned int deadline_ms)
{
	char cbuf[CMSG_SPACE(VHU_MAX_FDS * sizeof(int))];
	struct iovec iov = {.iov_base = &m->hdr, .iov_len = VHU_HDR_SIZE};
	struct msghdr mh = {.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf)};
	uint64_t deadline = now_ms() + deadline_ms;
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	int rc;

	m->nfds = 0;
	if (n <= 0)
		return n == 0 || errno == ECONNRESET ? -ECONNRESET : -errno;
	rc = take_fds(&mh, m) != 0 || (mh.msg_flags & MSG_CTRUNC) ? -E2BIG : 0;
	if (rc == 0)
		rc = recv_rest(sock, m, (size_t)n, deadline);
	if (rc != 0)
		vcd_vhu_close_fds(m);
	return rc;
}
