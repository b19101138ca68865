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
 * Every message from a frontend is checked first (vhost_msg.c): one that
 * librte_vhost must not see (a memory table its files do not back, say)
 * closes the connection, and nothing of it reaches the library.  Only control
 * messages pass through this thread; the data path (shared memory, kick and
 * call eventfds) is unaffected.
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
#include <unistd.h>

#include "vcryptd/log.h"
#include "vcryptd/vhost_dev.h"
#include "vcryptd/vhost_msg.h"
#include "vcryptd/vhost_proxy.h"
#include "vcryptd/vhost_user_proto.h"

#define HDR_SIZE     VHU_HDR_SIZE
#define PAYLOAD_MAX  VCD_VHU_PAYLOAD_MAX /* every vhost-user request is far smaller */
#define FDS_MAX      VHU_MAX_FDS
#define IO_TIMEOUT_S 5
/* A whole message must arrive within this once its first bytes have. */
#define MSG_DEADLINE_MS 500

struct listener {
	int fd;
	struct vcd_vm *vm;
	/*
	 * Accepted from only once librte_vhost listens on the private socket
	 * (vcd_proxy_arm()): a frontend that connects before waits in the
	 * listen backlog instead of finding nothing to be relayed to.
	 */
	bool armed;
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

/* Send a message and its descriptors (which are then closed here). */
static int
send_msg(int fd, struct vcd_vhu_msg *m)
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
	vcd_vhu_close_fds(m);
	return n == (ssize_t)(HDR_SIZE + m->hdr.size) ? 0 : -1;
}

/* Answer @m with a u64 (REPLY_ACK: 0 success, else failure). */
static int
send_ack(int fd, struct vcd_vhu_msg *m, uint64_t ack)
{
	m->hdr.flags = VHU_FLAG_VERSION | VHU_FLAG_REPLY;
	memcpy(m->payload, &ack, sizeof(ack));
	m->hdr.size = sizeof(ack);
	return send_msg(fd, m);
}

/* Answer a crypto-session message ourselves. 0, or -1 to drop the frontend. */
static int
session_msg(struct conn *c, struct vcd_vhu_msg *m)
{
	bool need_reply = (m->hdr.flags & VHU_FLAG_NEED_REPLY) != 0;
	int rc;

	rc = vcd_vhost_session_msg(c->vm, m->hdr.request, m->payload, m->hdr.size, PAYLOAD_MAX);
	if (rc > 0) {
		m->hdr.flags = VHU_FLAG_VERSION | VHU_FLAG_REPLY;
		return send_msg(c->front, m);
	}
	return need_reply ? send_ack(c->front, m, rc < 0) : 0;
}

/*
 * A frontend's message, checked before librte_vhost sees it (vhost_msg.c):
 * 0 to relay it, 1 if refused here with a failure ack, -1 to close the
 * connection (nothing of it reaches the library).
 */
static int
screen(struct conn *c, struct vcd_vhu_msg *m)
{
	char why[VCD_VHU_WHY_MAX];
	enum vcd_vhu_verdict v =
		vcd_vhu_check(&m->hdr, m->payload, m->fds, (unsigned int)m->nfds, why, sizeof(why));
	uint32_t req = m->hdr.request;

	if (v == VCD_VHU_PASS)
		return 0;
	vcd_vhu_close_fds(m);
	if (v == VCD_VHU_REFUSE && (m->hdr.flags & VHU_FLAG_NEED_REPLY)) {
		VCD_LOG(WARNING, "%s: vhost-user request %u (%s) refused: %s", c->vm->name, req,
			vhu_msg_name(req), why);
		return send_ack(c->front, m, 1) == 0 ? 1 : -1;
	}
	VCD_LOG(WARNING, "%s: vhost-user request %u (%s) refused, connection closed: %s",
		c->vm->name, req, vhu_msg_name(req), why);
	return -1;
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

static const char *
recv_error(int rc)
{
	switch (rc) {
	case -E2BIG:
		return "more than " RTE_STR(VHU_MAX_FDS) " fds";
	case -EMSGSIZE:
		return "payload over " RTE_STR(VCD_VHU_PAYLOAD_MAX) " bytes";
	case -ETIMEDOUT:
		return "incomplete after " RTE_STR(MSG_DEADLINE_MS) " ms";
	default:
		return strerror(-rc);
	}
}

/*
 * Relay one message from @from.  The frontend's are checked first; its
 * session messages stop here.
 */
static void
relay(struct conn *c, bool from_front)
{
	static struct vcd_vhu_msg m;
	int rc = vcd_vhu_recv(from_front ? c->front : c->back, &m, MSG_DEADLINE_MS);

	if (rc != 0) {
		if (from_front && rc != -ECONNRESET)
			VCD_LOG(WARNING, "%s: vhost-user message unreadable, connection closed: %s",
				c->vm->name, recv_error(rc));
		conn_close(c);
		return;
	}
	if (!from_front)
		rc = send_msg(c->front, &m);
	else if ((rc = screen(c, &m)) != 0)
		rc = rc > 0 ? 0 : -1;
	else if (vhu_msg_flags(m.hdr.request) & VHU_SESSION)
		rc = session_msg(c, &m);
	else
		rc = send_msg(c->back, &m);
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
		if (listeners[i].fd < 0 || !listeners[i].armed)
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
		listeners[i].armed = false;
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
vcd_proxy_arm(struct vcd_vm *vm)
{
	unsigned int i;

	pthread_mutex_lock(&proxy_lock);
	for (i = 0; i < RTE_DIM(listeners); i++) {
		if (listeners[i].fd >= 0 && listeners[i].vm == vm)
			listeners[i].armed = true;
	}
	pthread_mutex_unlock(&proxy_lock);
	poke();
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
