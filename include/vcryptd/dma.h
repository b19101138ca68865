/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The vcryptd authors
 */
/*
 * Accelerator memory: what a DMA-capable backend (Intel QAT, crypto_qat, or
 * any cryptodev on the "pci" bus) needs before it may be handed a guest
 * buffer.
 *
 * The worker builds zero-copy mbufs over guest memory with buf_iova = the host
 * virtual address.  Virtual devices (crypto_aesni_mb, crypto_null) only read
 * buf_addr, so that is all they need.  A PCI device reads buf_iova through its
 * IOMMU (VFIO), where by default only DPDK's own memory is mapped.  The mode
 * says how the daemon makes buf_iova correct:
 *
 *  - VCD_DMA_NONE: no backend needs IOVAs; nothing is registered or mapped.
 *  - VCD_DMA_MAP (EAL IOVA mode VA): each guest memory region librte_vhost
 *    mmap'd is registered with rte_extmem_register() and DMA-mapped into
 *    every PCI backend device with rte_dev_dma_map(dev, va, iova = va, len),
 *    so buf_iova = va is right for every device.  Done per memory table, when
 *    a VM's ring starts (vcd_dma_map_vm), undone before librte_vhost unmaps
 *    that memory (vcd_dma_unmap_vm).
 *  - VCD_DMA_BOUNCE (EAL IOVA mode PA, e.g. igb_uio or VFIO no-IOMMU): guest
 *    pages are neither pinned nor physically contiguous, so requests for PCI
 *    backends must be copied through DPDK memory (rte_malloc / mempools),
 *    whose IOVA is rte_malloc_virt2iova() (vcd_dma_bounce_iova).  The worker
 *    does the copy; the map functions do nothing in this mode.
 *
 * Threads:
 *  - vcd_dma_init() runs once on the main lcore, after the cryptodevs are
 *    probed and the backends configured (vcd_vhost_init() calls it), before
 *    any VM is served or any worker asks.  The mode and the device list are
 *    read-only afterwards: vcd_dma_mode(), vcd_dma_dev_needs_iova() and
 *    vcd_dma_bounce_iova() may then be called from any thread, the data path
 *    included (no locks, no logging).
 *  - vcd_dma_map_*() / vcd_dma_unmap_*() run on control threads (librte_vhost's
 *    event thread, the main lcore on reload/shutdown).  Calls on one state
 *    (one vid) must be serialised by the caller (vhost_dev.c holds the VM's
 *    ctl_lock); different states may be mapped concurrently (DPDK's memory
 *    config and VFIO take their own locks).  Unmap only while no request on
 *    that memory is in flight (the ring is stopped and drained).
 */
#ifndef VCRYPTD_DMA_H
#define VCRYPTD_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_vhost.h>

enum vcd_dma_mode {
	VCD_DMA_NONE = 0, /* no backend needs IOVAs (vdevs only): VA is fine */
	VCD_DMA_MAP,      /* IOVA as VA: guest regions registered and DMA-mapped, buf_iova = va */
	VCD_DMA_BOUNCE,   /* IOVA as PA: requests for PCI backends go through DPDK memory */
};

/* librte_vhost 22.11's VHOST_MEMORY_MAX_NREGIONS (we offer no CONFIGURE_MEM_SLOTS). */
#define VCD_DMA_MAX_REGIONS 8

/* One guest memory region as registered with EAL and mapped into the PCI devices. */
struct vcd_dma_region {
	void *va;    /* rte_vhost_mem_region.mmap_addr */
	size_t len;  /* rte_vhost_mem_region.mmap_size */
	size_t pgsz; /* page size given to rte_extmem_register() */
};

/*
 * What is registered for one VM's memory table.  Zero-initialised = nothing.
 * Embeddable in struct vcd_vm; until then dma.c keeps one per vid
 * (vcd_dma_map_vm / vcd_dma_unmap_vm).
 */
struct vcd_dma_vm {
	int vid;           /* for log messages only; set by the owner */
	uint32_t nregions; /* regions registered (and mapped), in order */
	struct vcd_dma_region regions[VCD_DMA_MAX_REGIONS];
	/* The last table that failed to map (so that it is neither retried nor logged again). */
	int failed_rc; /* 0, or the -errno it failed with */
	uint32_t failed_nregions;
	struct vcd_dma_region failed[VCD_DMA_MAX_REGIONS];
};

/*
 * The mode for a backend set (pure, no EAL needed): no PCI backend -> NONE
 * whatever the IOVA mode; with a PCI backend, RTE_IOVA_VA -> MAP and
 * RTE_IOVA_PA -> BOUNCE.  RTE_IOVA_DC (EAL not initialised; an initialised
 * EAL always reports PA or VA) -> BOUNCE, the choice that never hands a device
 * a virtual address it cannot translate.
 */
enum vcd_dma_mode vcd_dma_pick_mode(bool any_pci_backend, enum rte_iova_mode iova_mode);

/*
 * Decide the mode: the backends that need IOVAs are the cryptodevs whose
 * rte_device is on the "pci" bus; with rte_eal_iova_mode() through
 * vcd_dma_pick_mode().  Logs the mode once at INFO.  Main lcore, after the
 * backends are configured.  Later calls change nothing and return 0.
 */
int vcd_dma_init(void);

/* The mode decided by vcd_dma_init() (VCD_DMA_NONE before it).  Any thread. */
enum vcd_dma_mode vcd_dma_mode(void);

/*
 * Whether cryptodev @dev_id is a PCI device, i.e. reads buf_iova: in
 * VCD_DMA_MAP mode buf_iova = va of mapped guest memory is right for it, in
 * VCD_DMA_BOUNCE mode its requests must be bounced.  False for vdevs and
 * unknown ids.  Any thread, after vcd_dma_init().
 */
bool vcd_dma_dev_needs_iova(uint8_t dev_id);

/*
 * Make @mem (librte_vhost's memory table of one VM) usable by every PCI
 * backend.  VCD_DMA_MAP mode: for each region (mmap_addr, mmap_size; page
 * size from fstat(fd).st_blksize, else the system page size)
 * rte_extmem_register() then rte_dev_dma_map() for every PCI backend device.
 * If @state already holds exactly this table, nothing is done (no double
 * registration); if it holds another one, that one is unmapped first.
 * On failure everything done is undone in reverse, a WARNING names the vid
 * and the region, and -errno is returned: the caller must not start the ring.
 * The same table failing again returns the same error without retrying or
 * logging.  Other modes: no-op, returns 0.
 */
int vcd_dma_map_mem(struct vcd_dma_vm *state, const struct rte_vhost_memory *mem);

/*
 * Undo vcd_dma_map_mem() in reverse (rte_dev_dma_unmap for every device, then
 * rte_extmem_unregister), region by region from the last; forgets a recorded
 * failure.  Idempotent; a no-op on an empty state.
 */
void vcd_dma_unmap_mem(struct vcd_dma_vm *state);

/*
 * The same, on a table of states kept in dma.c, one per vhost vid (what
 * vhost_dev.c uses).  -EINVAL for a vid out of range.  Map when the ring
 * starts; unmap before librte_vhost unmaps guest memory (SET_MEM_TABLE,
 * RESET_OWNER, disconnection, unregistering the socket).
 */
int vcd_dma_map_vm(int vid, const struct rte_vhost_memory *mem);
void vcd_dma_unmap_vm(int vid);

/*
 * The IOVA to give a device for @va, memory allocated by DPDK (rte_malloc,
 * mempool objects: bounce buffers).  VCD_DMA_BOUNCE mode:
 * rte_malloc_virt2iova(@va) (RTE_BAD_IOVA if @va is not DPDK memory); other
 * modes: the virtual address.  Any thread.
 */
rte_iova_t vcd_dma_bounce_iova(const void *va);

/*
 * Tests only: force @mode without a device list (with no PCI device the
 * rte_dev_dma_map step is skipped, extmem registration still runs).
 */
void vcd_dma_set_mode_for_test(enum vcd_dma_mode mode);

#endif /* VCRYPTD_DMA_H */
