/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Accelerator memory (see include/vcryptd/dma.h): which backends need IOVAs,
 * and in IOVA-as-VA mode the registration and IOMMU mapping of guest memory
 * for them.
 *
 * Every PCI backend device is mapped separately: a driver may have its own
 * dma_map (mlx5), and otherwise DPDK maps through VFIO's default container.
 * Several VFIO devices share that container, so the second device's map of a
 * range finds it mapped (the kernel's EEXIST, which EAL treats as success) and
 * on unmap only the first device's unmap finds the range (EAL logs "Couldn't
 * find previously mapped region" for the others).  A region therefore counts
 * as unmapped when at least one device unmapped it.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_cryptodev.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "vcryptd/dma.h"
#include "vcryptd/log.h"

static enum vcd_dma_mode dma_mode = VCD_DMA_NONE;
static bool dma_inited;
/* Distinct rte_devices of the PCI backends (several cryptodevs may share one). */
static struct rte_device *pci_devs[RTE_CRYPTO_MAX_DEVS];
static unsigned int nb_pci_devs;
static bool needs_iova[RTE_CRYPTO_MAX_DEVS];
/* One state per vhost vid (vcd_dma_map_vm); serialised by the VM's ctl_lock. */
static struct vcd_dma_vm vm_states[RTE_MAX_VHOST_DEVICE];

enum vcd_dma_mode
vcd_dma_pick_mode(bool any_pci_backend, enum rte_iova_mode iova_mode)
{
	if (!any_pci_backend)
		return VCD_DMA_NONE;
	return iova_mode == RTE_IOVA_VA ? VCD_DMA_MAP : VCD_DMA_BOUNCE;
}

static bool
dev_on_pci(const struct rte_device *dev)
{
	const struct rte_bus *bus = dev != NULL ? rte_dev_bus(dev) : NULL;
	const char *name = bus != NULL ? rte_bus_name(bus) : NULL;

	return name != NULL && strcmp(name, "pci") == 0;
}

static void
add_pci_dev(struct rte_device *dev)
{
	unsigned int i;

	for (i = 0; i < nb_pci_devs; i++)
		if (pci_devs[i] == dev)
			return;
	pci_devs[nb_pci_devs++] = dev;
}

int
vcd_dma_init(void)
{
	unsigned int count = rte_cryptodev_count(), seen = 0, nb_iova = 0;
	unsigned int id;

	if (dma_inited)
		return 0;
	for (id = 0; id < RTE_CRYPTO_MAX_DEVS && seen < count; id++) {
		struct rte_cryptodev_info info;

		if (!rte_cryptodev_is_valid_dev((uint8_t)id))
			continue;
		seen++;
		memset(&info, 0, sizeof(info));
		rte_cryptodev_info_get((uint8_t)id, &info);
		if (!dev_on_pci(info.device))
			continue;
		needs_iova[id] = true;
		nb_iova++;
		add_pci_dev(info.device);
	}
	dma_mode = vcd_dma_pick_mode(nb_pci_devs > 0, rte_eal_iova_mode());
	dma_inited = true;
	switch (dma_mode) {
	case VCD_DMA_NONE:
		VCD_LOG(INFO, "DMA: no PCI backend, guest memory used by virtual address");
		break;
	case VCD_DMA_MAP:
		VCD_LOG(INFO,
			"DMA: guest memory regions mapped for %u PCI device(s) (IOVA as VA; %u "
			"cryptodev(s))",
			nb_pci_devs, nb_iova);
		break;
	case VCD_DMA_BOUNCE:
		VCD_LOG(INFO,
			"DMA: IOVA as PA: requests for PCI backends go through bounce buffers "
			"(%u cryptodev(s))",
			nb_iova);
		break;
	}
	return 0;
}

enum vcd_dma_mode
vcd_dma_mode(void)
{
	return dma_mode;
}

bool
vcd_dma_dev_needs_iova(uint8_t dev_id)
{
	return dev_id < RTE_CRYPTO_MAX_DEVS && needs_iova[dev_id];
}

void
vcd_dma_set_mode_for_test(enum vcd_dma_mode mode)
{
	dma_mode = mode;
	dma_inited = true;
}

rte_iova_t
vcd_dma_bounce_iova(const void *va)
{
	/* Not rte_malloc_virt2iova(): it takes only the start of an allocation. */
	if (dma_mode == VCD_DMA_BOUNCE)
		return rte_mem_virt2iova(va);
	return (rte_iova_t)(uintptr_t)va;
}

static int
rte_err(void)
{
	return rte_errno > 0 ? -rte_errno : -EIO;
}

static bool
pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* The region's page size: the file's block size (hugetlbfs: the huge page size), else the
 * system's. */
static size_t
region_pgsz(const struct rte_vhost_mem_region *r)
{
	long sys = sysconf(_SC_PAGESIZE);
	size_t pg = sys > 0 ? (size_t)sys : 4096;
	struct stat st;

	if (r->fd >= 0 && fstat(r->fd, &st) == 0 && st.st_blksize > 0) {
		size_t bs = (size_t)st.st_blksize;

		if (pow2(bs) && bs > pg && ((uintptr_t)r->mmap_addr & (bs - 1)) == 0 &&
			(r->mmap_size & (bs - 1)) == 0)
			pg = bs;
	}
	return pg;
}

static void
unmap_region(const struct vcd_dma_vm *s, uint32_t idx, const struct vcd_dma_region *r)
{
	unsigned int d = nb_pci_devs, ok = 0;
	int err = 0;

	while (d-- > 0) {
		if (rte_dev_dma_unmap(pci_devs[d], r->va, (uint64_t)(uintptr_t)r->va, r->len) == 0)
			ok++;
		else
			err = rte_err();
	}
	if (nb_pci_devs > 0 && ok == 0)
		VCD_LOG(WARNING,
			"DMA: vid %d: region %u (%p, %zu bytes): unmap failed on every PCI "
			"device: %s",
			s->vid, idx, r->va, r->len, strerror(-err));
	else if (err != 0)
		VCD_LOG(DEBUG,
			"DMA: vid %d: region %u: unmapped by %u of %u devices (shared IOMMU "
			"container)",
			s->vid, idx, ok, nb_pci_devs);
	if (rte_extmem_unregister(r->va, r->len) != 0)
		VCD_LOG(WARNING, "DMA: vid %d: region %u (%p, %zu bytes): EAL unregister: %s",
			s->vid, idx, r->va, r->len, strerror(-rte_err()));
}

static int
map_region(const struct vcd_dma_vm *s, uint32_t idx, const struct vcd_dma_region *r)
{
	unsigned int d;
	int rc;

	if (rte_extmem_register(r->va, r->len, NULL, 0, r->pgsz) != 0) {
		rc = rte_err();
		VCD_LOG(WARNING,
			"DMA: vid %d: guest memory region %u (%p, %zu bytes, %zu-byte pages): "
			"cannot register with EAL: %s",
			s->vid, idx, r->va, r->len, r->pgsz, strerror(-rc));
		return rc;
	}
	for (d = 0; d < nb_pci_devs; d++) {
		if (rte_dev_dma_map(pci_devs[d], r->va, (uint64_t)(uintptr_t)r->va, r->len) == 0)
			continue;
		rc = rte_err();
		VCD_LOG(WARNING,
			"DMA: vid %d: guest memory region %u (%p, %zu bytes): cannot DMA-map it "
			"into %s: %s",
			s->vid, idx, r->va, r->len, rte_dev_name(pci_devs[d]), strerror(-rc));
		while (d-- > 0)
			rte_dev_dma_unmap(pci_devs[d], r->va, (uint64_t)(uintptr_t)r->va, r->len);
		rte_extmem_unregister(r->va, r->len);
		return rc;
	}
	return 0;
}

static bool
same_regions(
	const struct vcd_dma_region *a, uint32_t na, const struct vcd_dma_region *b, uint32_t nb)
{
	uint32_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].va != b[i].va || a[i].len != b[i].len)
			return false;
	return true;
}

void
vcd_dma_unmap_mem(struct vcd_dma_vm *state)
{
	while (state->nregions > 0) {
		state->nregions--;
		unmap_region(state, state->nregions, &state->regions[state->nregions]);
	}
	state->failed_rc = 0;
	state->failed_nregions = 0;
}

int
vcd_dma_map_mem(struct vcd_dma_vm *state, const struct rte_vhost_memory *mem)
{
	struct vcd_dma_region want[VCD_DMA_MAX_REGIONS];
	uint32_t i, n;
	int rc = 0;

	if (dma_mode != VCD_DMA_MAP)
		return 0;
	if (mem == NULL)
		return -EINVAL;
	if (mem->nregions > VCD_DMA_MAX_REGIONS) {
		VCD_LOG(WARNING, "DMA: vid %d: %u guest memory regions, at most %u can be mapped",
			state->vid, mem->nregions, VCD_DMA_MAX_REGIONS);
		return -E2BIG;
	}
	n = mem->nregions;
	for (i = 0; i < n; i++) {
		const struct rte_vhost_mem_region *r = &mem->regions[i];

		want[i].va = r->mmap_addr;
		want[i].len = (size_t)r->mmap_size;
		want[i].pgsz = region_pgsz(r);
	}
	if (state->nregions > 0 && same_regions(state->regions, state->nregions, want, n))
		return 0;
	if (state->failed_rc != 0 && same_regions(state->failed, state->failed_nregions, want, n))
		return state->failed_rc;
	vcd_dma_unmap_mem(state); /* another table: the old one goes first */
	for (i = 0; i < n && rc == 0; i++) {
		if (want[i].va == NULL || want[i].len == 0) {
			VCD_LOG(WARNING, "DMA: vid %d: guest memory region %u is not mapped",
				state->vid, i);
			rc = -EINVAL;
		} else {
			rc = map_region(state, i, &want[i]);
		}
		if (rc == 0)
			state->regions[state->nregions++] = want[i];
	}
	if (rc != 0) {
		vcd_dma_unmap_mem(state);
		state->failed_rc = rc;
		state->failed_nregions = n;
		memcpy(state->failed, want, n * sizeof(want[0]));
	}
	return rc;
}

int
vcd_dma_map_vm(int vid, const struct rte_vhost_memory *mem)
{
	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE)
		return -EINVAL;
	vm_states[vid].vid = vid;
	return vcd_dma_map_mem(&vm_states[vid], mem);
}

void
vcd_dma_unmap_vm(int vid)
{
	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE)
		return;
	vcd_dma_unmap_mem(&vm_states[vid]);
}
