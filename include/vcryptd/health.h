/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Backend health, per worker queue pair: device errors, stalls (ops in
 * flight and no completion), queue pairs that refuse every enqueue, and
 * probes that bring a backend that is down back up.
 *
 *   UP --(fail_errors consecutive device errors, a stall, refusals)--> DOWN
 *   DOWN --(probe_ms later: a probe op staged)--> PROBING
 *   PROBING --(probe succeeds)--> UP;  --(fails, or stalls)--> DOWN
 *
 * A backend without a probe session goes straight back UP at probe time
 * (real traffic is the probe).  One log line per transition, never one per
 * request.  Thread: the owning worker.
 */
#ifndef VCRYPTD_HEALTH_H
#define VCRYPTD_HEALTH_H

#include <stdbool.h>

#include <rte_crypto.h>

struct vcd_worker;

/* An op completed without a device error on backend @b. */
void vcd_health_ok(struct vcd_worker *w, unsigned int b);
/*
 * A device error on @op: counted, the backend maybe taken down; true if the
 * op runs again elsewhere (vcd_dispatch_again), false if it is to be answered.
 */
bool vcd_health_device_error(struct vcd_worker *w, struct rte_crypto_op *op);
/* A probe op came back: the backend is up again if it succeeded.  Releases @op. */
void vcd_health_probe_done(struct vcd_worker *w, struct rte_crypto_op *op);
/*
 * Queue pair @b refused an enqueue while idle: returns true (and has taken
 * the backend down, its staged ops moved or answered) once that has lasted
 * longer than the stall time.
 */
bool vcd_health_refusing(struct vcd_worker *w, unsigned int b);
/* Per poll: stalls, and probes of backends that are down. */
void vcd_health_tick(struct vcd_worker *w);

#endif /* VCRYPTD_HEALTH_H */
