/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Guest memory that disappears under us: a frontend that shrinks or
 * truncates the file behind its memory table after we mapped it makes the
 * next access by a worker, a PMD or librte_vhost's thread raise SIGBUS.  That
 * must cost the frontend its own connection, never the daemon.
 *
 * Design.  The memory table's regions are published here (per VM slot) from
 * the moment librte_vhost has mapped them until just before it unmaps them.
 * A SIGBUS handler (every thread: signal dispositions are per process) looks
 * the faulting address up among them; if it lies in a VM's region, it maps
 * anonymous zero pages over the whole region (MAP_FIXED, async-signal-safe),
 * marks the VM broken and returns, so that the access completes on the
 * replacement memory: the faulting worker finishes its request on zeros,
 * nothing of another VM is touched.  The main loop then disconnects a broken
 * VM (vcd_vms_reset_broken()) and listens for the frontend again; the
 * library unmaps the replacement with the region.  A SIGBUS anywhere else is
 * a bug of ours: the default action (a core dump) runs.
 *
 * Limits: answers written after the fault go to the replacement memory, not
 * to the guest (its memory is gone anyway); a frontend that shrinks its file
 * can only hurt itself.  Memory tables whose files are too small from the
 * start never get this far (vhost_msg.c refuses them).  Sealed memfds
 * (F_SEAL_SHRINK) cannot shrink at all: for them this never fires.
 */
#ifndef VCRYPTD_GUARD_H
#define VCRYPTD_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_vhost.h>

/* Main lcore, before any guest memory is mapped: install the SIGBUS handler. */
int vcd_guard_init(void);

/*
 * Control thread: VM slot @slot's guest memory is now @mem's regions (NULL:
 * none, before the library unmaps them).  The VM's ring is stopped whenever
 * this runs, so no worker faults on the ranges being changed.
 */
void vcd_guard_set(unsigned int slot, const struct rte_vhost_memory *mem);

/* Why a VM was found broken (a mask). */
#define VCD_GUARD_SIGBUS       1u /* its memory file shrank under the mapping */
#define VCD_GUARD_CALL_BLOCKED 2u /* its call fd blocked the worker's write */

/* Any thread: mark VM slot @slot broken for @why (async-signal-safe). */
void vcd_guard_mark(unsigned int slot, uint32_t why);

/* Why VM slot @slot was marked broken (0: it was not); test and clear. */
uint32_t vcd_guard_take_broken(unsigned int slot);

/* SIGBUS faults contained since start (telemetry). */
uint64_t vcd_guard_faults(void);

/* Blocked call-fd writes interrupted since start (telemetry). */
uint64_t vcd_guard_calls_cut(void);

#endif /* VCRYPTD_GUARD_H */
