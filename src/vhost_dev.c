/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The virtio-crypto device on librte_vhost's generic API.
 *
 * librte_vhost speaks the vhost-user protocol (sockets, memory table, vring
 * addresses, kick/call fds); everything crypto is ours.  Two facts shape this
 * file (see ARCHITECTURE.md):
 *  - QEMU 7.2 never sends SET_VRING_ENABLE or SET_STATUS for this device, so
 *    librte_vhost never calls new_device().  We therefore start the data ring
 *    ourselves, from the post-message hook, as soon as it is mapped and has
 *    its kick fd, whatever the library thinks of the device.
 *  - librte_vhost unmaps guest memory (SET_MEM_TABLE) and tears rings down
 *    (GET_VRING_BASE, RESET_OWNER, new addresses or fds) without asking the
 *    application.  The pre-message hook of every such message first stops the
 *    ring on its worker and waits until every request already taken has been
 *    answered; the post-message hook starts it again when it can.
 *
 * We do not use rte_vhost_vring_call(): it takes the virtqueue's spinlock,
 * which the library holds while it runs our pre-message hook, and that hook
 * waits for the worker: the worker would spin on the lock forever.  The
 * worker signals the call eventfd itself, with the same event-idx rule
 * (vring.c).
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <rte_eal.h>
#include <rte_vhost.h>

#include "vcryptd/dma.h"
#include "vcryptd/guard.h"
#include "vcryptd/log.h"
#include "vcryptd/session_msg.h"
#include "vcryptd/vhost_dev.h"
#include "vcryptd/vhost_msg.h"
#include "vcryptd/vhost_proxy.h"
#include "vcryptd/vhost_user_proto.h"
#include "vcd_build_config.h"

/*
 * librte_vhost's payload union: the crypto session struct is its largest,
 * 632 bytes up to 24.11, 1072 from 25.03 on.
 */
#if VCD_DPDK_HAS_BIG_VHOST_MSG
#define VHU_PAYLOAD_MAX 1072
#else
#define VHU_PAYLOAD_MAX 632
#endif

/*
 * What librte_vhost hands the extern hooks: its struct vhu_msg_context
 * (lib/vhost/vhost_user.h), the packed VhostUserMsg then the descriptors that
 * came with it.  The library's own comment there says external handlers rely
 * on this layout.
 */
struct vhu_msg {
	struct vhu_hdr hdr;
	union {
		uint64_t u64;
		struct vhu_state state;
		uint8_t bytes[VHU_PAYLOAD_MAX];
	} payload;
	int fds[VHU_MAX_FDS];
	int fd_num;
} __attribute__((packed));

#define VCD_VIRTIO_FEATURES                                                                        \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |                    \
		(1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES))
#define VCD_PROTOCOL_FEATURES                                                                      \
	((1ULL << VHOST_USER_PROTOCOL_F_CRYPTO_SESSION) | (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK))

static struct vcd_vm *vm_by_vid[RTE_MAX_VHOST_DEVICE];
static bool use_proxy;
static mode_t socket_mode = 0660;
static gid_t socket_gid = (gid_t)-1;

static struct vcd_vm *
vm_of(int vid)
{
	return (vid >= 0 && vid < RTE_MAX_VHOST_DEVICE) ? vm_by_vid[vid] : NULL;
}

/*
 * Ask the VM's worker for @want and wait until it is there.  ctl_lock held.
 * There is no time limit: giving up on a drain would let the library unmap
 * guest memory under requests still in flight.  A worker that takes long is
 * reported every 10 s.
 */
static void
vm_set_run(struct vcd_vm *vm, uint32_t want)
{
	unsigned int i;

	__atomic_store_n(&vm->want, want, __ATOMIC_RELEASE);
	for (i = 1; __atomic_load_n(&vm->have, __ATOMIC_ACQUIRE) != want; i++) {
		usleep(50);
		if (i % 200000 == 0)
			VCD_LOG(WARNING,
				"%s: worker %u has not %s the ring after %u s (%u in flight)",
				vm->name, vm->worker,
				want == VCD_VM_RUNNING ? "started" : "drained", i / 20000,
				__atomic_load_n(&vm->inflight, __ATOMIC_RELAXED));
	}
}

/* Stop the data rings: every request taken gets its answer first. ctl_lock held. */
static void
ring_stop(struct vcd_vm *vm)
{
	unsigned int q;

	if (vm->want == VCD_VM_STOPPED && vm->have == VCD_VM_STOPPED)
		return;
	vm_set_run(vm, VCD_VM_STOPPED);
	for (q = 0; q < vm->nb_vq; q++) {
		struct vcd_vring *vr = &vm->vq[q];

		/* Tell the library where we are, so GET_VRING_BASE answers the right index. */
		rte_vhost_set_vring_base(vm->vid, vr->qid, vr->last_avail, vr->used_idx);
		free(vr->mem);
		vr->mem = NULL;
		VCD_LOG(DEBUG, "%s: queue %u stopped at avail %u used %u", vm->name, vr->qid,
			vr->last_avail, vr->used_idx);
	}
}

/* The data queues (of the first max_dataqueues) the frontend has fully described and not disabled.
 */
static uint32_t
queues_ready(const struct vcd_vm *vm)
{
	uint32_t ready = 0, q;

	for (q = 0; q < vm->max_dataqueues && q < VCD_MAX_DATAQ; q++) {
		struct rte_vhost_vring vv;

		if (!(vm->ring_disabled & (1u << q)) &&
			rte_vhost_get_vhost_vring(vm->vid, (uint16_t)q, &vv) == 0 &&
			vv.desc != NULL && vv.avail != NULL && vv.used != NULL && vv.kickfd >= 0)
			ready |= 1u << q;
	}
	return ready;
}

/*
 * Start the data queues that are fully described; one that became ready
 * while the others run joins them through a stop (drain) and a start.
 * ctl_lock held.
 */
static void
ring_try_start(struct vcd_vm *vm)
{
	struct rte_vhost_memory *mem = NULL;
	uint64_t features = 0;
	uint32_t ready, running = 0, q;
	int rc = 0;

	if (!vm->connected || vm->stopping)
		return;
	ready = queues_ready(vm);
	for (q = 0; q < vm->nb_vq; q++)
		running |= 1u << vm->vq[q].qid;
	if (vm->have == VCD_VM_RUNNING) {
		if ((ready & ~running) == 0)
			return;
		ring_stop(vm); /* a queue joins: through the drain */
	}
	if (ready == 0)
		return;
	if (rte_vhost_get_mem_table(vm->vid, &mem) != 0)
		return;
	/* PCI backends (QAT) read buf_iova: their IOMMU must know this memory table. */
	rc = vcd_dma_map_vm(vm->vid, mem);
	free(mem);
	if (rc != 0) {
		if (!vm->ring_refused)
			VCD_LOG(WARNING,
				"%s: data ring not started: guest memory not DMA-mapped (%s)",
				vm->name, strerror(-rc));
		vm->ring_refused = true;
		return;
	}
	rte_vhost_get_negotiated_features(vm->vid, &features);
	vm->nb_vq = 0;
	for (q = 0; q < VCD_MAX_DATAQ && rc == 0; q++) {
		uint16_t last_avail, last_used;

		if (!(ready & (1u << q)))
			continue;
		if (rte_vhost_get_mem_table(vm->vid, &mem) != 0)
			break;
		rte_vhost_get_vring_base(vm->vid, (uint16_t)q, &last_avail, &last_used);
		rc = vcd_vring_setup(&vm->vq[vm->nb_vq], vm->vid, (uint16_t)q, mem,
			(features & (1ULL << VIRTIO_RING_F_EVENT_IDX)) != 0, last_avail, last_used);
		if (rc != 0) {
			free(mem);
			break;
		}
		vm->nb_vq++;
	}
	if (rc != 0 || vm->nb_vq == 0) {
		for (q = 0; q < vm->nb_vq; q++) {
			free(vm->vq[q].mem);
			vm->vq[q].mem = NULL;
		}
		vm->nb_vq = 0;
		/* A frontend's fault, logged once per connection: it could repeat it forever. */
		if (rc != 0 && !vm->ring_refused)
			VCD_LOG(WARNING,
				"%s: data ring refused (%s): rings outside guest memory "
				"or a size that is not a power of two",
				vm->name, strerror(-rc));
		if (rc != 0)
			vm->ring_refused = true; /* until the next connection */
		return;
	}
	vm->vq_next = 0;
	vm_set_run(vm, VCD_VM_RUNNING);
	VCD_LOG(INFO, "%s: %u data queue(s) of %u entries running on worker %u (features 0x%llx)",
		vm->name, vm->nb_vq, vm->vq[0].size, vm->worker, (unsigned long long)features);
}

static int
create_session(struct vcd_vm *vm, uint8_t *payload, uint32_t size, uint32_t cap)
{
	enum vcd_sess_layout used = VCD_SESS_LAYOUT_AUTO;
	struct vcd_sess_params p;
	uint64_t id = 0;
	int64_t reply;
	int rc;

	rc = vcd_sess_msg_decode(vm->layout, payload, size, &p, &used);
	if (rc == 0)
		rc = vcd_sess_create(&vm->sessions, &p, &id, vm->name);
	if (rc != 0) {
		vm->sessions_refused++;
		VCD_LOG(NOTICE, "%s: create-session (%u bytes, %s layout) refused: %s", vm->name,
			size, vcd_sess_layout_name(used), strerror(-rc));
	} else {
		vm->sessions_created++;
	}
	reply = rc == 0 ? (int64_t)id : -1;
	if (used != VCD_SESS_LAYOUT_AUTO && vcd_sess_msg_size(used) == size && size <= cap)
		vcd_sess_msg_set_reply_id(used, payload, reply);
	else if (size >= sizeof(reply))
		memcpy(payload, &reply, sizeof(reply)); /* both 632-byte layouts read it at 0 */
	return 1;
}

static int
close_session(struct vcd_vm *vm, const uint8_t *payload, uint32_t size)
{
	struct vcd_session *s = NULL;
	uint64_t id = 0;

	if (size == sizeof(id)) {
		memcpy(&id, payload, sizeof(id));
		s = vcd_sess_unpublish(&vm->sessions, id);
	}
	if (s == NULL) {
		VCD_LOG(NOTICE, "%s: close-session for unknown session %#llx (%u bytes)", vm->name,
			(unsigned long long)id, size);
		return -1;
	}
	/*
	 * The worker may have looked it up just before: wait for it to let go.
	 * A worker that does not confirm may still use it: then it is never
	 * freed (a leak, logged, rather than a use after free).
	 */
	if (vcd_worker_quiesce(vcd_worker_get(vm->worker)) != 0) {
		VCD_LOG(ERR, "%s: session %#llx not freed: its worker did not confirm", vm->name,
			(unsigned long long)id);
		return 0;
	}
	while (__atomic_load_n(&s->inflight, __ATOMIC_ACQUIRE) != 0)
		usleep(50);
	vcd_sess_destroy(s);
	return 0;
}

int
vcd_vhost_session_msg(
	struct vcd_vm *vm, uint32_t request, uint8_t *payload, uint32_t size, uint32_t cap)
{
	int rc;

	pthread_mutex_lock(&vm->ctl_lock);
	if (!vm->connected)
		rc = -1;
	else if (request == VHU_CREATE_CRYPTO_SESSION)
		rc = create_session(vm, payload, size, cap);
	else
		rc = close_session(vm, payload, size);
	pthread_mutex_unlock(&vm->ctl_lock);
	return rc;
}

/* Session messages arriving through librte_vhost (no proxy). */
static enum rte_vhost_msg_result
session_msg(struct vcd_vm *vm, struct vhu_msg *m)
{
	int rc = vcd_vhost_session_msg(
		vm, m->hdr.request, m->payload.bytes, m->hdr.size, VHU_PAYLOAD_MAX);

	if (rc > 0)
		return RTE_VHOST_MSG_RESULT_REPLY;
	/* An error without a requested reply would make the library drop the guest. */
	if (rc < 0 && (m->hdr.flags & VHU_FLAG_NEED_REPLY))
		return RTE_VHOST_MSG_RESULT_ERR;
	return RTE_VHOST_MSG_RESULT_OK;
}

/*
 * Without the relay, the checks the relay makes (vhost_msg.c), here.  The
 * library has read the message and its descriptors, and acts on it only after
 * this hook: on RTE_VHOST_MSG_RESULT_ERR it skips its own handler (and our
 * post-message hook) and, unless the frontend asked for a reply (then it
 * sends a failure ack), closes the connection.  So a bad memory table is
 * never mapped.  The library leaves the descriptors of a message refused here
 * open: close them.  true: hand the message on.
 */
static bool
screen(const char *name, struct vhu_msg *m)
{
	char why[VCD_VHU_WHY_MAX];
	unsigned int nfds =
		m->fd_num >= 0 && m->fd_num <= VHU_MAX_FDS ? (unsigned int)m->fd_num : 0;
	uint32_t req = m->hdr.request;
	enum vcd_vhu_verdict v;
	int fds[VHU_MAX_FDS];
	unsigned int i;

	memcpy(fds, (const void *)m->fds, sizeof(fds)); /* a packed member */
	v = vcd_vhu_check(&m->hdr, m->payload.bytes, fds, nfds, why, sizeof(why));
	if (v == VCD_VHU_PASS)
		return true;
	for (i = 0; i < nfds; i++) {
		if (m->fds[i] >= 0)
			close(m->fds[i]);
		m->fds[i] = -1;
	}
	m->fd_num = 0;
	if (v == VCD_VHU_REFUSE && (m->hdr.flags & VHU_FLAG_NEED_REPLY)) {
		VCD_LOG(WARNING, "%s: vhost-user request %u (%s) refused: %s", name, req,
			vhu_msg_name(req), why);
		return false;
	}
	/* A malformed message closes the connection, whether a reply was asked for or not. */
	m->hdr.flags &= ~VHU_FLAG_NEED_REPLY;
	VCD_LOG(WARNING, "%s: vhost-user request %u (%s) refused, connection closed: %s", name, req,
		vhu_msg_name(req), why);
	return false;
}

static enum rte_vhost_msg_result
pre_msg(int vid, void *msg)
{
	struct vcd_vm *vm = vm_of(vid);
	struct vhu_msg *m = msg;
	uint32_t flags = vhu_msg_flags(m->hdr.request);
	enum rte_vhost_msg_result res = RTE_VHOST_MSG_RESULT_NOT_HANDLED;

	if (!screen(vm != NULL ? vm->name : "vhost-user", m))
		return RTE_VHOST_MSG_RESULT_ERR;
	if (vm == NULL)
		return res;
	if (flags & VHU_SESSION)
		return session_msg(vm, m);
	if (flags & VHU_STOPS_RING) {
		pthread_mutex_lock(&vm->ctl_lock);
		ring_stop(vm);
		/*
		 * The library unmaps guest memory next: out of the devices' IOMMU
		 * and out of the SIGBUS guard's ranges first.
		 */
		if (flags & VHU_UNMAPS_MEMORY) {
			vcd_dma_unmap_vm(vid);
			vcd_guard_set(vcd_vm_slot(vm), NULL);
		}
		pthread_mutex_unlock(&vm->ctl_lock);
	}
	return res;
}

static enum rte_vhost_msg_result
post_msg(int vid, void *msg)
{
	struct vcd_vm *vm = vm_of(vid);
	struct vhu_msg *m = msg;

	if (vm == NULL)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	pthread_mutex_lock(&vm->ctl_lock);
	if (m->hdr.request == VHU_SET_MEM_TABLE) {
		struct rte_vhost_memory *mem = NULL;

		/* Mapped now: a SIGBUS in it from here on costs only this VM (guard.h). */
		if (rte_vhost_get_mem_table(vid, &mem) == 0) {
			vcd_guard_set(vcd_vm_slot(vm), mem);
			free(mem);
		}
	}
	if (m->hdr.request == VHU_SET_VRING_ENABLE && m->payload.state.index < VCD_MAX_DATAQ) {
		uint32_t bit = 1u << m->payload.state.index;

		vm->ring_disabled = m->payload.state.num == 0 ? vm->ring_disabled | bit
							      : vm->ring_disabled & ~bit;
	}
	ring_try_start(vm);
	pthread_mutex_unlock(&vm->ctl_lock);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops extern_ops = {
	.pre_msg_handle = pre_msg,
	.post_msg_handle = post_msg,
};

static struct vcd_vm *
vm_by_socket(int vid)
{
	char path[PATH_MAX];

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) != 0)
		return NULL;
	return vcd_vm_find_path(path);
}

static int
new_connection(int vid)
{
	struct vcd_vm *vm = vm_by_socket(vid);
	int rc = -1;

	if (vm == NULL || vid >= RTE_MAX_VHOST_DEVICE)
		return -1;
	pthread_mutex_lock(&vm->ctl_lock);
	if (vm->connected || vm->stopping) {
		VCD_LOG(WARNING, "%s: refusing a second connection on %s", vm->name, vm->socket);
	} else if (vcd_sess_table_init(
			   &vm->sessions, vm->max_sessions, (uint32_t)vm->connections + 1) != 0) {
		VCD_LOG(ERR, "%s: out of memory for the session table", vm->name);
	} else {
		vm->vid = vid;
		vm->connected = true;
		vm->ring_disabled = 0;
		vm->ring_refused = false;
		vm->connections++;
		vm_by_vid[vid] = vm;
		rte_vhost_extern_callback_register(vid, &extern_ops, vm);
		VCD_LOG(INFO, "%s: frontend connected (vid %d)", vm->name, vid);
		rc = 0;
	}
	pthread_mutex_unlock(&vm->ctl_lock);
	return rc;
}

/* ctl_lock held: forget the connection; nothing of it is in flight any more. */
static void
vm_disconnect(struct vcd_vm *vm)
{
	ring_stop(vm);
	if (!vm->connected)
		return;
	/* Before librte_vhost unmaps the memory (after destroy_connection returns). */
	vcd_guard_set(vcd_vm_slot(vm), NULL);
	vcd_dma_unmap_vm(vm->vid);
	if (vcd_worker_quiesce(vcd_worker_get(vm->worker)) == 0)
		vcd_sess_table_fini(&vm->sessions);
	else /* the worker may still use them: leaked, never freed under it */
		VCD_LOG(ERR, "%s: sessions not freed: its worker did not confirm", vm->name);
	vm_by_vid[vm->vid] = NULL;
	vm->vid = -1;
	vm->connected = false;
}

static void
destroy_connection(int vid)
{
	struct vcd_vm *vm = vm_of(vid);

	if (vm == NULL)
		return;
	pthread_mutex_lock(&vm->ctl_lock);
	vm_disconnect(vm);
	pthread_mutex_unlock(&vm->ctl_lock);
	VCD_LOG(INFO, "%s: frontend disconnected, its sessions freed", vm->name);
}

/* Frontends that do start the device (QEMU <= 7.0, DPDK's virtio-user) get here too. */
static int
new_device(int vid)
{
	struct vcd_vm *vm = vm_of(vid);

	if (vm != NULL) {
		pthread_mutex_lock(&vm->ctl_lock);
		ring_try_start(vm);
		pthread_mutex_unlock(&vm->ctl_lock);
	}
	return 0;
}

static void
destroy_device(int vid)
{
	struct vcd_vm *vm = vm_of(vid);

	if (vm != NULL) {
		pthread_mutex_lock(&vm->ctl_lock);
		ring_stop(vm);
		pthread_mutex_unlock(&vm->ctl_lock);
	}
}

static const struct rte_vhost_device_ops device_ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
	.new_connection = new_connection,
	.destroy_connection = destroy_connection,
};

void
vcd_vhost_init(const struct vcd_config *cfg)
{
	const struct group *g = cfg->socket_group[0] ? getgrnam(cfg->socket_group) : NULL;

	use_proxy = cfg->vhost_proxy;
	socket_mode = (mode_t)strtoul(cfg->socket_mode, NULL, 8);
	socket_gid = g != NULL ? g->gr_gid : (gid_t)-1;
	vcd_dma_init(); /* the backends are configured by now */
}

/* Who may connect: config's socket_mode and socket_group (QEMU runs as kvm/libvirt-qemu). */
static int
set_socket_perms(const struct vcd_vm *vm)
{
	if (chmod(vm->socket, socket_mode) != 0 ||
		(socket_gid != (gid_t)-1 && chown(vm->socket, (uid_t)-1, socket_gid) != 0)) {
		int rc = -errno;

		VCD_LOG(ERR,
			"%s: cannot set mode %o / group of %s: %s ([daemon] socket_mode, "
			"socket_group)",
			vm->name, (unsigned int)socket_mode, vm->socket, strerror(-rc));
		return rc;
	}
	return 0;
}

static int
start_socket(struct vcd_vm *vm)
{
	const char *path = vm->vhost_path;
	int rc;

	if (use_proxy) {
		rc = vcd_proxy_add(vm, rte_eal_get_runtime_dir());
		if (rc == 0)
			rc = vcd_socket_clear_stale(path);
	} else {
		rc = vcd_socket_clear_stale(path);
	}
	if (rc != 0) {
		VCD_LOG(ERR, "%s: socket %s: %s (%s)", vm->name, vm->socket, strerror(-rc),
			rc == -EADDRINUSE ? "another vcryptd is serving it"
					  : "remove the file or choose another socket path");
		return rc;
	}
	if (rte_vhost_driver_register(path, 0) != 0)
		return -EIO;
	if (rte_vhost_driver_set_features(path, VCD_VIRTIO_FEATURES) != 0 ||
		rte_vhost_driver_set_protocol_features(path, VCD_PROTOCOL_FEATURES) != 0 ||
		rte_vhost_driver_callback_register(path, &device_ops) != 0 ||
		rte_vhost_driver_start(path) != 0) {
		rte_vhost_driver_unregister(path);
		return -EIO;
	}
	rc = set_socket_perms(vm);
	if (rc != 0) {
		rte_vhost_driver_unregister(path);
		return rc;
	}
	if (use_proxy)
		vcd_proxy_arm(vm); /* librte_vhost listens: frontends may come through */
	VCD_LOG(INFO, "%s: listening on %s (worker %u%s)", vm->name, vm->socket, vm->worker,
		use_proxy ? ", relayed to librte_vhost" : "");
	return 0;
}

int
vcd_vhost_serve(struct vcd_vm *vm)
{
	int rc;

	snprintf(vm->vhost_path, sizeof(vm->vhost_path), "%s", vm->socket);
	rc = start_socket(vm);
	if (rc != 0) {
		VCD_LOG(ERR, "%s: cannot serve vhost-user socket %s", vm->name, vm->socket);
		if (use_proxy)
			vcd_proxy_remove(vm);
	}
	return rc;
}

int
vcd_vhost_start(void)
{
	return use_proxy ? vcd_proxy_start() : 0;
}

void
vcd_vhost_unserve(struct vcd_vm *vm)
{
	pthread_mutex_lock(&vm->ctl_lock);
	vm->stopping = true;
	ring_stop(vm);
	/* Before the library unmaps guest memory (closing the connection below). */
	if (vm->connected) {
		vcd_dma_unmap_vm(vm->vid);
		vcd_guard_set(vcd_vm_slot(vm), NULL);
	}
	pthread_mutex_unlock(&vm->ctl_lock);
	if (use_proxy)
		vcd_proxy_remove(vm); /* closes its frontends and public socket */
	/* Closes the connection; the library calls no destroy_connection for it. */
	rte_vhost_driver_unregister(vm->vhost_path);
	pthread_mutex_lock(&vm->ctl_lock);
	vm_disconnect(vm);
	pthread_mutex_unlock(&vm->ctl_lock);
}

int
vcd_vhost_move(struct vcd_vm *vm, struct vcd_worker *to)
{
	struct vcd_worker *from = vcd_worker_get(vm->worker);
	bool was_running;
	int rc;

	pthread_mutex_lock(&vm->ctl_lock);
	was_running = vm->want == VCD_VM_RUNNING;
	ring_stop(vm); /* drained: every request taken has been answered */
	rc = vcd_worker_detach(from, vm);
	/* Neither worker looks at the VM now (or the old one may: it stays there). */
	vm->deficit = 0;
	vm->tb_on = false;
	vm->backlogged = false;
	if (rc == 0 && vcd_worker_attach(to, vm) == 0) {
		vm->worker = to->id;
	} else {
		vcd_worker_attach(from, vm);
		rc = rc != 0 ? rc : -ENOSPC;
	}
	if (was_running)
		ring_try_start(vm);
	pthread_mutex_unlock(&vm->ctl_lock);
	if (rc == 0)
		VCD_LOG(NOTICE, "%s: moved from worker %u to worker %u", vm->name, from->id,
			to->id);
	return rc;
}

void
vcd_vhost_drop(struct vcd_vm *vm)
{
	vcd_vhost_unserve(vm);
	pthread_mutex_lock(&vm->ctl_lock);
	vm->stopping = false;
	pthread_mutex_unlock(&vm->ctl_lock);
	vcd_vhost_serve(vm); /* logs why if it cannot */
}

void
vcd_vhost_stop(void)
{
	if (use_proxy)
		vcd_proxy_stop();
}
