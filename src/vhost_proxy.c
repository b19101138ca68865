/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The vhost-user relay that lets QEMU >= 8.1 talk to vcryptd on DPDK < 25.03.
 *
 * QEMU 8.1 sends a 1072-byte CREATE_CRYPTO_SESSION message; librte_vhost
 * before 25.03 closes any connection whose message exceeds its 632-byte
 * payload union, before an application hook can see it.  So vcryptd owns the
 * VM's public socket itself: each frontend connection is paired with a
 * connection to librte_vhost's server socket in vcryptd's private runtime
 * directory, and every message is relayed unchanged (with its file
 * descriptors) except the crypto-session messages, which are answered here.
 * Only control messages pass through this thread; the data path (shared
 * memory, kick and call eventfds) is unaffected.
 *
 * Thread: one "vcd-proxy" thread; add/start/stop from the main lcore.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vcryptd/log.h"
#include "vcryptd/vhost_dev.h"
#include "vcryptd/vhost_proxy.h"
#include "vcryptd/vhost_user_proto.h"

#define HDR_SIZE     VHU_HDR_SIZE
#define PAYLOAD_MAX  4096 /* every vhost-user request is far smaller */
#define FDS_MAX      VHU_MAX_FDS
#define IO_TIMEOUT_S 5
/* A whole message must arrive within this once its first bytes have. */
#define MSG_DEADLINE_MS 500

struct msg {
	struct vhu_hdr hdr;
	uint8_t payload[PAYLOAD_MAX];
	int fds[FDS_MAX];
	int nfds;
} __attribute__((packed));

struct listener {
	int fd;
	struct vcd_vm *vm;
};

struct conn {
	int front; /* the frontend (QEMU) */
	int back;  /* librte_vhost */
	struct vcd_vm *vm;
};

/*
 * Listeners and connections are slots (fd -1: free), changed by the main
 * thread (VMs added or removed at run time) and the relay thread under
 * proxy_lock; the relay thread drops it only while it sleeps in poll().
 */
static pthread_mutex_t proxy_lock = PTHREAD_MUTEX_INITIALIZER;
static struct listener listeners[VCD_MAX_VMS] = {[0 ... VCD_MAX_VMS - 1] = {.fd = -1}};
static struct conn conns[2 * VCD_MAX_VMS] = {[0 ... 2 * VCD_MAX_VMS - 1] = {-1, -1, NULL}};
static pthread_t thread;
static int wake[2] = {-1, -1};
static bool running;

/* Make the relay thread rebuild its poll set. */
static void
poke(void)
{
	if (wake[1] >= 0 && write(wake[1], "p", 1) != 1)
		VCD_LOG(WARNING, "cannot wake the relay thread");
}

static int
unix_addr(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	if (len >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

static void
set_timeouts(int fd)
{
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
close_fds(struct msg *m)
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

/*
 * The rest of a message, by @deadline (ms): a frontend that announces a
 * payload and then trickles it would otherwise hold this thread, and so every
 * other VM's control channel, for as long as it likes.
 */
static int
read_full(int fd, void *buf, size_t len, uint64_t deadline)
{
	uint8_t *p = buf;

	while (len > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint64_t now = now_ms();
		ssize_t n;

		if (now >= deadline || poll(&pfd, 1, (int)(deadline - now)) != 1)
			return -1;
		n = read(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One message with the descriptors that came with its header. 0, or -1 to drop. */
static int
recv_msg(int fd, struct msg *m)
{
	char cbuf[CMSG_SPACE(FDS_MAX * sizeof(int))];
	struct iovec iov = {.iov_base = m, .iov_len = HDR_SIZE};
	struct msghdr mh = {.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	uint64_t deadline = now_ms() + MSG_DEADLINE_MS;
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	m->nfds = 0;
	if (n <= 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			memcpy(m->fds, CMSG_DATA(c), (size_t)k * sizeof(int));
			m->nfds = k;
		}
	}
	if ((mh.msg_flags & MSG_CTRUNC) ||
		(n < HDR_SIZE &&
			read_full(fd, (uint8_t *)m + n, HDR_SIZE - (size_t)n, deadline) != 0) ||
		m->hdr.size > PAYLOAD_MAX ||
		read_full(fd, m->payload, m->hdr.size, deadline) != 0) {
		close_fds(m);
		return -1;
	}
	return 0;
}

/* Send a message and its descriptors (which are then closed here). */
static int
send_msg(int fd, struct msg *m)
{
	char cbuf[CMSG_SPACE(FDS_MAX * sizeof(int))];
	struct iovec iov = {.iov_base = m, .iov_len = HDR_SIZE + m->hdr.size};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (m->nfds > 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE((size_t)m->nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)m->nfds * sizeof(int));
		memcpy(CMSG_DATA(c), m->fds, (size_t)m->nfds * sizeof(int));
	}
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	close_fds(m);
	return n == (ssize_t)(HDR_SIZE + m->hdr.size) ? 0 : -1;
}

/* Answer a crypto-session message ourselves. 0, or -1 to drop the frontend. */
static int
session_msg(struct conn *c, struct msg *m)
{
	bool need_reply = (m->hdr.flags & VHU_FLAG_NEED_REPLY) != 0;
	int rc;

	close_fds(m);
	rc = vcd_vhost_session_msg(c->vm, m->hdr.request, m->payload, m->hdr.size, PAYLOAD_MAX);
	m->hdr.flags = VHU_FLAG_VERSION | VHU_FLAG_REPLY;
	if (rc > 0)
		return send_msg(c->front, m);
	if (need_reply) {
		uint64_t ack = rc < 0;

		memcpy(m->payload, &ack, sizeof(ack));
		m->hdr.size = sizeof(ack);
		return send_msg(c->front, m);
	}
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->front >= 0)
		close(c->front);
	if (c->back >= 0)
		close(c->back);
	c->front = c->back = -1;
	c->vm = NULL;
}

/* Relay one message from @from; the frontend's session messages stop here. */
static void
relay(struct conn *c, bool from_front)
{
	static struct msg m;
	int rc;

	if (recv_msg(from_front ? c->front : c->back, &m) != 0) {
		conn_close(c);
		return;
	}
	if (from_front && (vhu_msg_flags(m.hdr.request) & VHU_SESSION)) {
		rc = session_msg(c, &m);
	} else {
		rc = send_msg(from_front ? c->back : c->front, &m);
	}
	if (rc != 0)
		conn_close(c);
}

static int
connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (unix_addr(&sa, path) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	set_timeouts(fd);
	return fd;
}

static void
accept_one(struct listener *l)
{
	int front = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	unsigned int i;

	if (front < 0)
		return;
	for (i = 0; i < RTE_DIM(conns) && conns[i].front >= 0; i++)
		;
	if (i == RTE_DIM(conns)) {
		VCD_LOG(WARNING, "%s: too many frontend connections, refusing one", l->vm->name);
		close(front);
		return;
	}
	set_timeouts(front);
	conns[i].back = connect_unix(l->vm->vhost_path);
	if (conns[i].back < 0) {
		VCD_LOG(ERR, "%s: cannot reach librte_vhost at %s: %s", l->vm->name,
			l->vm->vhost_path, strerror(errno));
		close(front);
		return;
	}
	conns[i].front = front;
	conns[i].vm = l->vm;
}

static unsigned int
build_pollset(struct pollfd *pfd, void **owner, bool *is_front, unsigned int *nb_listen)
{
	unsigned int i, n = 0;

	pfd[n++] = (struct pollfd){.fd = wake[0], .events = POLLIN};
	for (i = 0; i < RTE_DIM(listeners); i++) {
		if (listeners[i].fd < 0)
			continue;
		owner[n] = &listeners[i];
		pfd[n++] = (struct pollfd){.fd = listeners[i].fd, .events = POLLIN};
	}
	*nb_listen = n - 1;
	for (i = 0; i < RTE_DIM(conns); i++) {
		if (conns[i].front < 0)
			continue;
		owner[n] = &conns[i];
		is_front[n] = true;
		pfd[n++] = (struct pollfd){.fd = conns[i].front, .events = POLLIN};
		owner[n] = &conns[i];
		is_front[n] = false;
		pfd[n++] = (struct pollfd){.fd = conns[i].back, .events = POLLIN};
	}
	return n;
}

/* Serve the events of one poll() round; false when told to exit. ctl: proxy_lock held. */
static bool
serve_round(struct pollfd *pfd, unsigned int n, unsigned int nb_listen, void **owner,
	const bool *is_front)
{
	unsigned int i;

	if (pfd[0].revents != 0) {
		char buf[64];
		ssize_t r = read(wake[0], buf, sizeof(buf));

		if (r <= 0 || memchr(buf, 'x', (size_t)r) != NULL)
			return false;
	}
	for (i = 1; i < 1 + nb_listen; i++) {
		struct listener *l = owner[i];

		/* Skip a listener removed (or replaced) while we slept. */
		if ((pfd[i].revents & POLLIN) && l->fd == pfd[i].fd)
			accept_one(l);
	}
	for (; i < n; i++) {
		struct conn *c = owner[i];

		/* A connection closed since the poll set was built has other fds now. */
		if (pfd[i].revents == 0 || (is_front[i] ? c->front : c->back) != pfd[i].fd)
			continue;
		relay(c, is_front[i]);
	}
	return true;
}

static void *
proxy_main(void *arg)
{
	struct pollfd pfd[1 + VCD_MAX_VMS + 4 * VCD_MAX_VMS];
	void *owner[RTE_DIM(pfd)];
	bool is_front[RTE_DIM(pfd)];
	bool more = true;

	RTE_SET_USED(arg);
	while (more) {
		unsigned int n, nb_listen;

		memset(is_front, 0, sizeof(is_front));
		pthread_mutex_lock(&proxy_lock);
		n = build_pollset(pfd, owner, is_front, &nb_listen);
		pthread_mutex_unlock(&proxy_lock);
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			break;
		pthread_mutex_lock(&proxy_lock);
		more = serve_round(pfd, n, nb_listen, owner, is_front);
		pthread_mutex_unlock(&proxy_lock);
	}
	return NULL;
}

int
vcd_socket_clear_stale(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	if (unix_addr(&sa, path) != 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(path) == 0 ? 0 : -errno;
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (unix_addr(&sa, path) != 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int
vcd_proxy_add(struct vcd_vm *vm, const char *private_dir)
{
	unsigned int i;
	int n, fd;

	n = snprintf(
		vm->vhost_path, sizeof(vm->vhost_path), "%s/vhost-%s.sock", private_dir, vm->name);
	if (n < 0 || n >= VCD_SUN_PATH_MAX)
		return -ENAMETOOLONG;
	fd = vcd_socket_clear_stale(vm->socket);
	if (fd == 0)
		fd = listen_unix(vm->socket);
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&proxy_lock);
	for (i = 0; i < RTE_DIM(listeners) && listeners[i].fd >= 0; i++)
		;
	if (i < RTE_DIM(listeners)) {
		listeners[i].fd = fd;
		listeners[i].vm = vm;
	}
	pthread_mutex_unlock(&proxy_lock);
	if (i == RTE_DIM(listeners)) {
		close(fd);
		unlink(vm->socket);
		return -ENOSPC;
	}
	poke();
	return 0;
}

void
vcd_proxy_remove(struct vcd_vm *vm)
{
	unsigned int i;

	pthread_mutex_lock(&proxy_lock);
	for (i = 0; i < RTE_DIM(listeners); i++) {
		if (listeners[i].fd >= 0 && listeners[i].vm == vm) {
			close(listeners[i].fd);
			unlink(vm->socket);
			listeners[i].fd = -1;
			listeners[i].vm = NULL;
		}
	}
	for (i = 0; i < RTE_DIM(conns); i++) {
		if (conns[i].front >= 0 && conns[i].vm == vm)
			conn_close(&conns[i]);
	}
	pthread_mutex_unlock(&proxy_lock);
	poke();
}

int
vcd_proxy_start(void)
{
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
		return -errno;
	if (pthread_create(&thread, NULL, proxy_main, NULL) != 0)
		return -EAGAIN;
	pthread_setname_np(thread, "vcd-proxy");
	running = true;
	return 0;
}

void
vcd_proxy_stop(void)
{
	unsigned int i;

	if (running) {
		if (write(wake[1], "x", 1) != 1)
			VCD_LOG(ERR, "cannot wake the proxy thread");
		pthread_join(thread, NULL);
		running = false;
	}
	for (i = 0; i < RTE_DIM(conns); i++) {
		if (conns[i].front >= 0)
			conn_close(&conns[i]);
	}
	for (i = 0; i < RTE_DIM(listeners); i++) {
		if (listeners[i].fd < 0)
			continue;
		close(listeners[i].fd);
		unlink(listeners[i].vm->socket);
		listeners[i].fd = -1;
	}
	if (wake[0] >= 0) {
		close(wake[0]);
		close(wake[1]);
		wake[0] = wake[1] = -1;
	}
}
