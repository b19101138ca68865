/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vhost-user sockets and the virtio-crypto device's control side: one server
 * socket per VM on librte_vhost's generic API, session messages, and the
 * start/stop of each VM's data ring on its worker.
 *
 * Threads: init/start/stop on the main lcore; everything else runs in
 * librte_vhost's event thread callbacks.
 */
#ifndef VCRYPTD_VHOST_DEV_H
#define VCRYPTD_VHOST_DEV_H

#include "vcryptd/config.h"
#include "vcryptd/vm.h"
#include "vcryptd/worker.h"

void vcd_vhost_init(const struct vcd_config *cfg);

/* Create @vm's socket (directly on librte_vhost, or through the relay). */
int vcd_vhost_serve(struct vcd_vm *vm);

/* Drain @vm (every request taken is answered), close its socket, free its sessions. */
void vcd_vhost_unserve(struct vcd_vm *vm);

/* Drop @vm's frontend (as unserve does) and listen for it again on the same socket. */
void vcd_vhost_drop(struct vcd_vm *vm);

/*
 * Control: move @vm to worker @to through the drain: its ring stops once
 * every request taken has its answer, the old worker lets go, the new one
 * takes it and the ring starts again where it stopped (nothing lost, nothing
 * answered twice).  0, or -ETIMEDOUT if the old worker did not let go (the
 * VM then stays where it was).
 */
struct vcd_worker;
int vcd_vhost_move(struct vcd_vm *vm, struct vcd_worker *to);

/* Start / stop the relay thread, when there is one. */
int vcd_vhost_start(void);
void vcd_vhost_stop(void);

/*
 * A CREATE (26) or CLOSE (27) crypto-session message for @vm, whichever way it
 * arrived (librte_vhost's hook, or the proxy).  @payload has room for @cap
 * bytes; a reply is written in place.  Returns 1 (send @size bytes of
 * @payload back as the reply), 0 (done, no reply), -1 (refused).
 */
int vcd_vhost_session_msg(
	struct vcd_vm *vm, uint32_t request, uint8_t *payload, uint32_t size, uint32_t cap);

#endif /* VCRYPTD_VHOST_DEV_H */
