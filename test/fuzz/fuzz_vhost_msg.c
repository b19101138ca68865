/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Fuzzing what the relay does with a frontend's byte stream (src/vhost_msg.c):
 * vcd_vhu_recv() reads messages and their descriptors off a real unix socket,
 * vcd_vhu_check() judges each one, as vhost_proxy.c does (and vhost_dev.c's
 * pre-message hook without the relay).  The input is what a frontend writes:
 * the harness sends it into one end of a socket pair, piece by piece with the
 * descriptors each piece carries, closes that end, and reads the other.
 *
 * Input: a sequence of pieces, each
 *   u8  control: low 4 bits, descriptors sent with the piece (0-15)
 *   u8  one per descriptor: low 3 bits its kind (see make_fd(): a memfd, a
 *       non-blocking or a blocking eventfd, a pipe, a socket, /dev/zero, a
 *       read-only memfd, the previous memfd again), high 5 bits a memfd's
 *       size (sizes[])
 *   u16 length (little endian), then that many bytes (fewer if the input ends)
 *
 * Checked on every input, beyond ASan and UBSan:
 *  - vcd_vhu_recv() returns 0 with at most 8 open descriptors and at most
 *    VCD_VHU_PAYLOAD_MAX bytes, or -ECONNRESET, -EMSGSIZE, -E2BIG (never
 *    -ETIMEDOUT: the writer is gone, nothing may wait);
 *  - a refusal comes with a reason; a verdict is one of the three;
 *  - a message that passes obeys the rules, checked again here another way
 *    (128-bit arithmetic, /proc/self/fdinfo for eventfds) and, for a memory
 *    table, by mapping each region from its fd and reading its first and last
 *    byte: a region the file does not back would end the run with SIGBUS;
 *  - no descriptor is left open afterwards.
 *
 * Built two ways, like fuzz_vring.c: libFuzzer (VCD_LIBFUZZER), or a replay main().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "vcryptd/vhost_msg.h"

#define MIB       (1ull << 20)
#define MAX_FDS   64 /* made for one input */
#define PIECE_FDS 15

enum fd_kind {
	K_MEMFD,
	K_EVENTFD,
	K_EVENTFD_BLOCKING,
	K_PIPE,
	K_SOCKET,
	K_DEVZERO,
	K_MEMFD_RDONLY,
	K_SAME_MEMFD,
};

static const uint64_t sizes[32] = {0, 4096, 8192, 12288, 65536, MIB, 2 * MIB, 4 * MIB, 5000, 4095,
	MIB + 4096, 8 * MIB, 3 * MIB, 16384, 1, 4097, 2 * MIB - 4096, 2 * MIB + 4096, 6 * MIB,
	128 * 1024, 256 * 1024, 512 * 1024, 4 * MIB + 4096, 7 * MIB, 8 * MIB - 4096, 24576, 32768,
	36864, 40960, 3 * 4096 + 1, 1536 * 1024, 8 * MIB};

struct input {
	const uint8_t *p;
	size_t left;
};

static bool
take(struct input *in, void *out, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

static int
memfd_of(uint64_t size)
{
	int fd = memfd_create("fuzz-guest", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A descriptor of kind @spec; other ends go to @keep. */
static int
make_fd(uint8_t spec, int *last_memfd, int *keep, unsigned int *nkeep)
{
	uint64_t size = sizes[spec >> 3];
	char path[48];
	int p[2], fd;

	switch ((enum fd_kind)(spec & 7)) {
	case K_MEMFD:
		fd = memfd_of(size);
		if (fd >= 0) {
			if (*last_memfd >= 0)
				close(*last_memfd);
			*last_memfd = dup(fd);
		}
		return fd;
	case K_EVENTFD:
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	case K_EVENTFD_BLOCKING:
		return eventfd(0, EFD_CLOEXEC);
	case K_PIPE:
	case K_SOCKET:
		if ((spec & 7) == K_PIPE ? pipe2(p, O_CLOEXEC)
					 : socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
			return -1;
		keep[(*nkeep)++] = p[0];
		return p[1];
	case K_DEVZERO:
		return open("/dev/zero", O_RDWR | O_CLOEXEC);
	case K_MEMFD_RDONLY:
		p[0] = memfd_of(size);
		if (p[0] < 0)
			return -1;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		close(p[0]);
		return fd;
	case K_SAME_MEMFD:
		return *last_memfd >= 0 ? dup(*last_memfd) : memfd_of(size);
	}
	return -1;
}

static void
send_piece(int sock, const uint8_t *data, size_t len, const int *fds, unsigned int nfds)
{
	char cbuf[CMSG_SPACE(PIECE_FDS * sizeof(int))] = {0};
	struct iovec iov = {(void *)(uintptr_t)data, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (nfds > 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return; /* a full socket: the rest of the input is lost, which is fine */
}

/* Write the whole input as a frontend would; @sock is closed at the end. */
static void
frontend(int sock, const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	int keep[MAX_FDS], last_memfd = -1;
	unsigned int nkeep = 0, made = 0;
	uint8_t ctl;

	while (take(&in, &ctl, 1)) {
		int fds[PIECE_FDS];
		unsigned int i, nfds = 0, want = ctl & 15;
		uint16_t len = 0;

		for (i = 0; i < want && in.left > 0; i++) {
			uint8_t spec;
			int fd;

			take(&in, &spec, 1);
			if (made >= MAX_FDS - 2 || nkeep >= MAX_FDS - 1)
				continue;
			fd = make_fd(spec, &last_memfd, keep, &nkeep);
			made++;
			if (fd >= 0)
				fds[nfds++] = fd;
		}
		if (!take(&in, &len, 2))
			len = 0;
		if (len > in.left)
			len = (uint16_t)in.left;
		send_piece(sock, in.p, len, fds, nfds);
		in.p += len;
		in.left -= len;
		while (nfds > 0)
			close(fds[--nfds]);
	}
	while (nkeep > 0)
		close(keep[--nkeep]);
	if (last_memfd >= 0)
		close(last_memfd);
	close(sock);
}

/* Another way to tell an eventfd: its fdinfo has an "eventfd-count" line. */
static bool
fdinfo_eventfd(int fd)
{
	char path[48], buf[512];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "eventfd-count:") != NULL;
}

typedef unsigned __int128 u128;

static bool
disjoint(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
	return (u128)a + n <= b || (u128)b + m <= a;
}

/* A region that passed: map it whole and read both ends (SIGBUS if the file does not back it). */
static void
touch_region(const struct vhu_mem_region *r, int fd)
{
	volatile uint8_t *va;
	struct stat st;

	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
	CHECK(r->size > 0 && (u128)r->mmap_offset + r->size <= (u128)st.st_size);
	CHECK((u128)r->gpa + r->size <= ((u128)1 << 64) &&
		(u128)r->uaddr + r->size <= ((u128)1 << 64));
	CHECK(((r->gpa | r->size | r->uaddr | r->mmap_offset) % 4096) == 0);
	va = mmap(NULL, r->mmap_offset + r->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(va != MAP_FAILED);
	(void)va[r->mmap_offset];
	(void)va[r->mmap_offset + r->size - 1];
	munmap((void *)(uintptr_t)va, r->mmap_offset + r->size);
}

static void
check_mem(const struct vcd_vhu_msg *m)
{
	struct vhu_mem_table t;
	uint32_t i, j;

	CHECK(m->hdr.size >= 8 && m->hdr.size <= sizeof(t));
	memcpy(&t, m->payload, m->hdr.size);
	CHECK(t.nregions <= VHU_MAX_REGIONS && m->hdr.size == VHU_MEM_TABLE_SIZE(t.nregions));
	CHECK((uint32_t)m->nfds == t.nregions);
	for (i = 0; i < t.nregions; i++) {
		touch_region(&t.r[i], m->fds[i]);
		for (j = 0; j < i; j++) {
			CHECK(disjoint(t.r[i].gpa, t.r[i].size, t.r[j].gpa, t.r[j].size));
			CHECK(disjoint(t.r[i].uaddr, t.r[i].size, t.r[j].uaddr, t.r[j].size));
		}
	}
}

static void
check_state(const struct vcd_vhu_msg *m)
{
	struct vhu_state s;

	CHECK(m->hdr.size == sizeof(s) && m->nfds == 0);
	memcpy(&s, m->payload, sizeof(s));
	CHECK(s.index < VHU_MAX_VRINGS);
	if (m->hdr.request == VHU_SET_VRING_NUM)
		CHECK(s.num >= 1 && s.num <= VHU_RING_SIZE_MAX && (s.num & (s.num - 1)) == 0);
	if (m->hdr.request == VHU_SET_VRING_BASE)
		CHECK(s.num <= 0xffff);
	if (m->hdr.request == VHU_SET_VRING_ENABLE)
		CHECK(s.num <= 1);
}

static void
check_file(const struct vcd_vhu_msg *m)
{
	uint64_t u;

	CHECK(m->hdr.size == sizeof(u));
	memcpy(&u, m->payload, sizeof(u));
	CHECK((u >> 9) == 0);
	CHECK(m->nfds == ((u & VHU_VRING_NOFD) ? 0 : 1));
	if (m->nfds == 1) {
		CHECK(fdinfo_eventfd(m->fds[0]));
		if (m->hdr.request == VHU_SET_VRING_CALL)
			CHECK(fcntl(m->fds[0], F_GETFL) & O_NONBLOCK);
	}
}

/* What a message that passed must be. */
static void
check_passed(const struct vcd_vhu_msg *m)
{
	struct vhu_msg_info info = vhu_msg_info(m->hdr.request);
	struct vhu_vring_addr a;

	CHECK(info.name != NULL && !(info.flags & VHU_NOT_OFFERED));
	CHECK((m->hdr.flags & ~VHU_FLAG_NEED_REPLY) == VHU_FLAG_VERSION);
	switch (info.payload) {
	case VHU_PL_NONE:
		CHECK(m->hdr.size == 0 && m->nfds == 0);
		break;
	case VHU_PL_U64:
		CHECK(m->hdr.size == 8 && m->nfds == 0);
		break;
	case VHU_PL_STATE:
		check_state(m);
		break;
	case VHU_PL_ADDR:
		CHECK(m->hdr.size == sizeof(a) && m->nfds == 0);
		memcpy(&a, m->payload, sizeof(a));
		CHECK(a.index < VHU_MAX_VRINGS && a.flags == 0);
		CHECK(a.desc % 16 == 0 && a.avail % 2 == 0 && a.used % 4 == 0);
		break;
	case VHU_PL_FILE:
		check_file(m);
		break;
	case VHU_PL_MEM:
		check_mem(m);
		break;
	case VHU_PL_SESSION:
		CHECK(m->nfds == 0);
		break;
	case VHU_PL_ANY:
		CHECK(false); /* only requests we refuse */
		break;
	}
}

static void
backend(int sock)
{
	static struct vcd_vhu_msg m;
	int rc;

	while ((rc = vcd_vhu_recv(sock, &m, 1000)) == 0) {
		char why[VCD_VHU_WHY_MAX];
		enum vcd_vhu_verdict v;

		CHECK(m.nfds >= 0 && m.nfds <= VHU_MAX_FDS && m.hdr.size <= VCD_VHU_PAYLOAD_MAX);
		for (int i = 0; i < m.nfds; i++)
			CHECK(fcntl(m.fds[i], F_GETFD) >= 0);
		memset(why, 0x55, sizeof(why));
		v = vcd_vhu_check(&m.hdr, m.payload, m.fds, (unsigned int)m.nfds, why, sizeof(why));
		CHECK(v == VCD_VHU_PASS || v == VCD_VHU_REFUSE || v == VCD_VHU_CLOSE);
		if (v == VCD_VHU_PASS)
			check_passed(&m);
		else
			CHECK(why[0] != '\0' && memchr(why, '\0', sizeof(why)) != NULL);
		vcd_vhu_close_fds(&m);
	}
	CHECK(rc == -ECONNRESET || rc == -EMSGSIZE || rc == -E2BIG);
	CHECK(m.nfds == 0);
	close(sock);
}

/* The lowest free descriptor: the same before and after an input, or something leaked. */
static int
lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2], before = lowest_free_fd();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	frontend(sv[0], data, size);
	backend(sv[1]);
	CHECK(lowest_free_fd() == before);
	return 0;
}
