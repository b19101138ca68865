/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * SIGBUS containment for guest memory (guard.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "vcryptd/config.h"
#include "vcryptd/guard.h"
#include "vcryptd/log.h"

#define GUARD_REGIONS 8 /* VHOST_MEMORY_MAX_NREGIONS */

/* Read by the handler on any thread: plain words, atomic loads and stores. */
static struct {
	uintptr_t lo[GUARD_REGIONS], hi[GUARD_REGIONS];
	uint32_t broken;
} slots[VCD_MAX_VMS];
static uint64_t faults, calls_cut;

static void
on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	unsigned int s, r;

	(void)ctx;
	for (s = 0; s < VCD_MAX_VMS; s++) {
		for (r = 0; r < GUARD_REGIONS; r++) {
			uintptr_t lo = __atomic_load_n(&slots[s].lo[r], __ATOMIC_ACQUIRE);
			uintptr_t hi = __atomic_load_n(&slots[s].hi[r], __ATOMIC_ACQUIRE);

			if (a < lo || a >= hi)
				continue;
			/* Zero pages over the whole region: the access completes there. */
			if (mmap((void *)lo, hi - lo, PROT_READ | PROT_WRITE,
				    MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
				    0) == MAP_FAILED)
				goto fatal;
			vcd_guard_mark(s, VCD_GUARD_SIGBUS);
			return;
		}
	}
fatal:
	/* Not guest memory: ours.  Returning re-runs the access under the default action. */
	signal(sig, SIG_DFL);
}

int
vcd_guard_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) != 0) {
		VCD_LOG(ERR, "cannot install the SIGBUS handler: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

void
vcd_guard_set(unsigned int slot, const struct rte_vhost_memory *mem)
{
	unsigned int r;

	if (slot >= VCD_MAX_VMS)
		return;
	for (r = 0; r < GUARD_REGIONS; r++) {
		uintptr_t lo = 0, hi = 0;

		if (mem != NULL && r < mem->nregions && mem->regions[r].mmap_addr != NULL) {
			lo = (uintptr_t)mem->regions[r].mmap_addr;
			hi = lo + mem->regions[r].mmap_size;
		}
		/* Empty ([lo, 0)) while it changes: never a range the handler could misread. */
		__atomic_store_n(&slots[slot].hi[r], 0, __ATOMIC_RELEASE);
		__atomic_store_n(&slots[slot].lo[r], lo, __ATOMIC_RELEASE);
		__atomic_store_n(&slots[slot].hi[r], hi, __ATOMIC_RELEASE);
	}
}

void
vcd_guard_mark(unsigned int slot, uint32_t why)
{
	if (slot >= VCD_MAX_VMS)
		return;
	__atomic_fetch_or(&slots[slot].broken, why, __ATOMIC_RELEASE);
	__atomic_fetch_add(why == VCD_GUARD_SIGBUS ? &faults : &calls_cut, 1, __ATOMIC_RELAXED);
}

uint32_t
vcd_guard_take_broken(unsigned int slot)
{
	return slot < VCD_MAX_VMS ? __atomic_exchange_n(&slots[slot].broken, 0, __ATOMIC_ACQ_REL)
				  : 0;
}

uint64_t
vcd_guard_faults(void)
{
	return __atomic_load_n(&faults, __ATOMIC_RELAXED);
}

uint64_t
vcd_guard_calls_cut(void)
{
	return __atomic_load_n(&calls_cut, __ATOMIC_RELAXED);
}
