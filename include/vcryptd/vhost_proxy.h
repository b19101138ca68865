/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * vhost-user relay between each VM's public socket and librte_vhost (see
 * src/vhost_proxy.c for why).  Main lcore or the control paths of reload and
 * vcryptctl: VMs may be added and removed before or after start.
 */
#ifndef VCRYPTD_VHOST_PROXY_H
#define VCRYPTD_VHOST_PROXY_H

#include "vcryptd/vm.h"

/*
 * Listen on @vm->socket and set @vm->vhost_path to the private socket in
 * @private_dir that librte_vhost must serve.  0 or -errno.
 */
int vcd_proxy_add(struct vcd_vm *vm, const char *private_dir);
/* Stop relaying @vm: close its listener (removing the socket) and its connections. */
void vcd_proxy_remove(struct vcd_vm *vm);
/* Accept @vm's frontends from now on: librte_vhost listens on its private socket. */
void vcd_proxy_arm(struct vcd_vm *vm);
int vcd_proxy_start(void);
/* Close every relayed connection and listener and remove the public sockets. */
void vcd_proxy_stop(void);

/*
 * A socket file left by a dead daemon would make bind() fail.  Remove it only
 * if nobody answers on it: 0, -EADDRINUSE (someone does), -EEXIST (not a socket).
 */
int vcd_socket_clear_stale(const char *path);

#endif /* VCRYPTD_VHOST_PROXY_H */
