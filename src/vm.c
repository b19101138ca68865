/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * The table of VMs (one vhost-user socket each): created from the config at
 * start, added and removed at run time (SIGHUP reload, vcryptctl), each
 * assigned to the worker serving the fewest VMs.  Slots are never freed, only
 * marked unused, so telemetry may read any slot at any time.
 *
 * Threads: changes are serialised by table_lock (main thread for reload and
 * shut-down, the telemetry thread for vcryptctl); librte_vhost's thread only
 * looks VMs up by socket path.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "vcryptd/guard.h"
#include "vcryptd/log.h"
#include "vcryptd/share.h"
#include "vcryptd/stats.h"
#include "vcryptd/vhost_dev.h"

static struct vcd_vm vms[VCD_MAX_VMS];
static unsigned int high; /* slots [0, high) have been used */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t default_max_sessions;
static uint32_t session_pool = UINT32_MAX; /* VM sessions the backends are sized for */

uint32_t
vcd_vm_quotas(const struct vcd_config *cfg)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < cfg->nb_vms; i++)
		n += cfg->vms[i].max_sessions ? cfg->vms[i].max_sessions : cfg->max_sessions_per_vm;
	return n;
}

void
vcd_vms_set_pool(uint32_t sessions)
{
	session_pool = sessions;
}

/* table_lock held: the session quotas of the VMs there are. */
static uint64_t
quotas_locked(void)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < high; i++) {
		if (vms[i].in_use)
			n += vms[i].max_sessions;
	}
	return n;
}
static bool serving;

unsigned int
vcd_vm_slots(void)
{
	return __atomic_load_n(&high, __ATOMIC_ACQUIRE);
}

struct vcd_vm *
vcd_vm_at(unsigned int idx)
{
	return idx < vcd_vm_slots() && __atomic_load_n(&vms[idx].in_use, __ATOMIC_ACQUIRE)
		? &vms[idx]
		: NULL;
}

unsigned int
vcd_vm_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < vcd_vm_slots(); i++)
		n += vcd_vm_at(i) != NULL;
	return n;
}

struct vcd_vm *
vcd_vm_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < vcd_vm_slots(); i++) {
		struct vcd_vm *vm = vcd_vm_at(i);

		if (vm != NULL && strcmp(vm->name, name) == 0)
			return vm;
	}
	return NULL;
}

struct vcd_vm *
vcd_vm_find_path(const char *vhost_path)
{
	unsigned int i;

	for (i = 0; i < vcd_vm_slots(); i++) {
		struct vcd_vm *vm = vcd_vm_at(i);

		if (vm != NULL && strcmp(vm->vhost_path, vhost_path) == 0)
			return vm;
	}
	return NULL;
}

/* The worker with the least measured busy share (vcd_workers_sample()); ties: fewer VMs. */
static struct vcd_worker *
least_loaded_worker(void)
{
	struct vcd_worker *best = vcd_worker_get(0);
	unsigned int i;

	for (i = 1; i < vcd_worker_count(); i++) {
		struct vcd_worker *w = vcd_worker_get(i);

		if (w->load < best->load - 0.02 ||
			(w->load <= best->load + 0.02 &&
				vcd_worker_vm_count(w) < vcd_worker_vm_count(best)))
			best = w;
	}
	return best;
}

void
vcd_vms_sample(double dt_s)
{
	unsigned int i;

	pthread_mutex_lock(&table_lock);
	for (i = 0; i < vcd_vm_slots(); i++) {
		struct vcd_vm *vm = vcd_vm_at(i);
		uint64_t c;

		if (vm == NULL)
			continue;
		c = __atomic_load_n(&vm->stats.cost, __ATOMIC_RELAXED);
		vm->cost_rate = 0.75 * vm->cost_rate + 0.25 * (double)(c - vm->cost_seen) / dt_s;
		vm->cost_seen = c;
	}
	pthread_mutex_unlock(&table_lock);
}

/* Rebalance when the busiest and idlest workers differ by this much busy share. */
#define REBALANCE_GAP 0.25

/*
 * table_lock held, after a VM was added or removed: if the busiest worker is
 * REBALANCE_GAP busier than the idlest and has more than one VM, move to the
 * idlest the VM whose estimated share of the busiest (its cost rate's part of
 * that worker's load) comes closest to half the gap, if moving it narrows
 * the gap.  One move at most, through the drain (vcd_vhost_move()).
 */
static void
rebalance_locked(void)
{
	struct vcd_worker *busy = NULL, *idle = NULL;
	struct vcd_vm *pick = NULL;
	double gap, total = 0, best = 1e300;
	unsigned int i;

	for (i = 0; i < vcd_worker_count(); i++) {
		struct vcd_worker *w = vcd_worker_get(i);

		if (busy == NULL || w->load > busy->load)
			busy = w;
		if (idle == NULL || w->load < idle->load)
			idle = w;
	}
	if (busy == NULL || busy == idle || vcd_worker_vm_count(busy) < 2)
		return;
	gap = busy->load - idle->load;
	if (gap < REBALANCE_GAP)
		return;
	for (i = 0; i < vcd_vm_slots(); i++) {
		struct vcd_vm *vm = vcd_vm_at(i);

		if (vm != NULL && vm->worker == busy->id)
			total += vm->cost_rate;
	}
	if (total <= 0)
		return;
	for (i = 0; i < vcd_vm_slots(); i++) {
		struct vcd_vm *vm = vcd_vm_at(i);
		double share, miss;

		if (vm == NULL || vm->worker != busy->id)
			continue;
		share = busy->load * vm->cost_rate / total;
		miss = share > gap / 2 ? share - gap / 2 : gap / 2 - share;
		if (share > 0 && share < gap && miss < best) {
			best = miss;
			pick = vm;
		}
	}
	if (pick != NULL) {
		VCD_LOG(NOTICE, "rebalance: worker %u %.0f %% busy, worker %u %.0f %%: moving %s",
			busy->id, 100 * busy->load, idle->id, 100 * idle->load, pick->name);
		vcd_vhost_move(pick, idle);
	}
}

int
vcd_vm_move(const char *name, unsigned int worker)
{
	struct vcd_vm *vm;
	int rc;

	if (worker >= vcd_worker_count())
		return -EINVAL;
	pthread_mutex_lock(&table_lock);
	vm = vcd_vm_find(name);
	rc = vm == NULL                ? -ENOENT
		: vm->worker == worker ? 0
				       : vcd_vhost_move(vm, vcd_worker_get(worker));
	pthread_mutex_unlock(&table_lock);
	return rc;
}

static void
vm_fill(struct vcd_vm *vm, const struct vcd_vm_conf *vc, const struct vcd_worker *w)
{
	memset(vm, 0, offsetof(struct vcd_vm, in_use));
	snprintf(vm->name, sizeof(vm->name), "%s", vc->name);
	snprintf(vm->socket, sizeof(vm->socket), "%s", vc->socket);
	snprintf(vm->vhost_path, sizeof(vm->vhost_path), "%s", vc->socket);
	vm->layout = vc->session_layout;
	vm->max_sessions = vc->max_sessions ? vc->max_sessions : default_max_sessions;
	vm->max_dataqueues = vc->max_dataqueues ? vc->max_dataqueues : 1;
	vcd_share_vm_apply(vm, vc);
	vm->worker = w->id;
	vm->vid = -1;
	pthread_mutex_init(&vm->ctl_lock, NULL);
}

/* table_lock held. */
static int
add_locked(const struct vcd_vm_conf *vc)
{
	struct vcd_worker *w = least_loaded_worker();
	struct vcd_vm *vm = NULL;
	unsigned int i;
	int rc;

	uint32_t quota = vc->max_sessions ? vc->max_sessions : default_max_sessions;

	if (vcd_vm_find(vc->name) != NULL)
		return -EEXIST;
	if (quotas_locked() + quota > session_pool) {
		VCD_LOG(ERR,
			"[vm %s]: its %u sessions do not fit: the VMs there are hold %llu of the "
			"%u the daemon was sized for; raise [daemon] session_pool (restart) or "
			"lower this VM's max_sessions",
			vc->name, quota, (unsigned long long)quotas_locked(), session_pool);
		return -ENOBUFS;
	}
	for (i = 0; i < VCD_MAX_VMS && vm == NULL; i++) {
		if (!vms[i].in_use && !vms[i].reserved)
			vm = &vms[i];
	}
	if (vm == NULL)
		return -ENOSPC;
	vm_fill(vm, vc, w);
	vm->reserved = true;
	rc = serving ? vcd_vhost_serve(vm) : 0;
	if (rc == 0 && vcd_worker_attach(w, vm) != 0)
		rc = -ENOSPC;
	vm->reserved = false;
	if (rc != 0) {
		pthread_mutex_destroy(&vm->ctl_lock);
		return rc;
	}
	__atomic_store_n(&vm->in_use, true, __ATOMIC_RELEASE);
	if ((unsigned int)(vm - vms) >= high)
		__atomic_store_n(&high, (unsigned int)(vm - vms) + 1, __ATOMIC_RELEASE);
	return 0;
}

int
vcd_vm_add(const struct vcd_vm_conf *vc)
{
	int rc;

	pthread_mutex_lock(&table_lock);
	rc = add_locked(vc);
	if (rc == 0 && serving)
		rebalance_locked();
	pthread_mutex_unlock(&table_lock);
	if (rc == 0 && serving)
		VCD_LOG(NOTICE, "%s: added (socket %s)", vc->name, vc->socket);
	return rc;
}

/* table_lock held: drain, close the socket, leave the worker, free the slot. */
static void
remove_locked(struct vcd_vm *vm)
{
	if (serving)
		vcd_vhost_unserve(vm); /* refuses new connections from here on */
	vcd_stats_log_vm(vm);          /* every request taken has been answered by now */
	if (vcd_worker_detach(vcd_worker_get(vm->worker), vm) != 0) {
		/*
		 * The worker may still look at this slot: never reuse it.  It keeps
		 * in_use under a name no VM can have, so nothing finds it again.
		 */
		VCD_LOG(ERR, "%s: its worker did not let go: slot %u is retired", vm->name,
			(unsigned int)(vm - vms));
		vm->name[0] = '\0';
		return;
	}
	__atomic_store_n(&vm->in_use, false, __ATOMIC_RELEASE);
	pthread_mutex_destroy(&vm->ctl_lock);
}

unsigned int
vcd_vm_slot(const struct vcd_vm *vm)
{
	return (unsigned int)(vm - vms);
}

void
vcd_vms_reset_broken(void)
{
	unsigned int i;

	pthread_mutex_lock(&table_lock);
	for (i = 0; i < vcd_vm_slots(); i++) {
		struct vcd_vm *vm = vcd_vm_at(i);
		uint32_t why;

		if (vm == NULL || (why = vcd_guard_take_broken(i)) == 0)
			continue;
		VCD_LOG(WARNING, "%s: %s: frontend disconnected, socket served again", vm->name,
			why & VCD_GUARD_SIGBUS
				? "its guest memory file shrank under the mapping (SIGBUS "
				  "contained)"
				: "its call fd blocked the worker's notification (made blocking "
				  "and full after it was given)");
		vcd_vhost_drop(vm);
	}
	pthread_mutex_unlock(&table_lock);
}

int
vcd_vm_remove(const char *name)
{
	struct vcd_vm *vm;

	pthread_mutex_lock(&table_lock);
	vm = vcd_vm_find(name);
	if (vm != NULL) {
		remove_locked(vm);
		rebalance_locked();
	}
	pthread_mutex_unlock(&table_lock);
	if (vm == NULL)
		return -ENOENT;
	VCD_LOG(NOTICE, "%s: removed (its guest was answered and disconnected)", name);
	return 0;
}

int
vcd_vms_init(const struct vcd_config *cfg)
{
	unsigned int i;
	int rc = 0;

	default_max_sessions = cfg->max_sessions_per_vm;
	vcd_vhost_init(cfg);
	for (i = 0; i < cfg->nb_vms && rc == 0; i++)
		rc = vcd_vm_add(&cfg->vms[i]);
	return rc;
}

int
vcd_vms_start(void)
{
	unsigned int i;
	int rc = 0;

	pthread_mutex_lock(&table_lock);
	for (i = 0; i < high && rc == 0; i++) {
		if (vms[i].in_use)
			rc = vcd_vhost_serve(&vms[i]);
	}
	serving = rc == 0;
	pthread_mutex_unlock(&table_lock);
	return rc != 0 ? rc : vcd_vhost_start();
}

void
vcd_vms_stop(void)
{
	unsigned int i;

	pthread_mutex_lock(&table_lock);
	for (i = 0; i < high; i++) {
		if (vms[i].in_use)
			remove_locked(&vms[i]);
	}
	serving = false;
	pthread_mutex_unlock(&table_lock);
	vcd_vhost_stop();
}

/* Reload: VMs gone from @next are removed, new ones added, run-time knobs applied. */
int
vcd_vms_apply(const struct vcd_config *cur, const struct vcd_config *next)
{
	unsigned int i, j;
	int rc = 0;

	for (i = 0; i < cur->nb_vms; i++) {
		for (j = 0; j < next->nb_vms; j++) {
			if (strcmp(cur->vms[i].name, next->vms[j].name) == 0)
				break;
		}
		if (j == next->nb_vms)
			vcd_vm_remove(cur->vms[i].name);
	}
	default_max_sessions = next->max_sessions_per_vm;
	for (j = 0; j < next->nb_vms; j++) {
		struct vcd_vm *vm = vcd_vm_find(next->vms[j].name);
		int r;

		if (vm != NULL) {
			/* Take effect for the VM's next connection. */
			pthread_mutex_lock(&vm->ctl_lock);
			vm->layout = next->vms[j].session_layout;
			vm->max_sessions = next->vms[j].max_sessions ? next->vms[j].max_sessions
								     : default_max_sessions;
			vm->max_dataqueues = next->vms[j].max_dataqueues;
			vcd_share_vm_apply(vm, &next->vms[j]); /* at the worker's next poll */
			pthread_mutex_unlock(&vm->ctl_lock);
			continue;
		}
		r = vcd_vm_add(&next->vms[j]);
		if (r != 0) {
			VCD_LOG(ERR, "[vm %s]: cannot add: %s", next->vms[j].name, strerror(-r));
			rc = r;
		}
	}
	return rc;
}
