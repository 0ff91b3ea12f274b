/*
 * xen/memory.h - __HYPERVISOR_memory_op.
 *
 *   long memory_op(unsigned int cmd, void *arg);
 *
 * Growing and shrinking a domain's memory, placing special pages (shared
 * info, grant table) in its physical address space, and reading its memory
 * map.  Frame numbers are guest frame numbers unless said otherwise.
 *
 * Only bits 5:0 of @cmd select the command.  Xen keeps the bits above for
 * itself, to resume a long call after preempting it, so a guest passes
 * them as zero.
 */
#ifndef MICA_GUEST_ABI_XEN_MEMORY_H
#define MICA_GUEST_ABI_XEN_MEMORY_H

#include "xen.h"

#define XENMEM_increase_reservation        0  /* struct xen_memory_reservation */
#define XENMEM_decrease_reservation        1  /* struct xen_memory_reservation */
#define XENMEM_maximum_ram_page            2  /* @arg NULL; returns highest frame */
#define XENMEM_current_reservation         3  /* @arg -> domid_t; returns pages */
#define XENMEM_maximum_reservation         4  /* @arg -> domid_t; returns pages */
#define XENMEM_machphys_mfn_list           5  /* PV only */
#define XENMEM_populate_physmap            6  /* struct xen_memory_reservation */
#define XENMEM_add_to_physmap              7  /* struct xen_add_to_physmap */
/* 8 (translate_gpfn_list) was removed. */
#define XENMEM_memory_map                  9  /* struct xen_memory_map */
#define XENMEM_machine_memory_map         10  /* struct xen_memory_map (host) */
#define XENMEM_exchange                   11  /* struct xen_memory_exchange */
#define XENMEM_machphys_mapping           12  /* PV only */
#define XENMEM_set_memory_map             13  /* struct xen_foreign_memory_map */
#define XENMEM_maximum_gpfn               14  /* @arg -> domid_t; returns highest gfn */
#define XENMEM_remove_from_physmap        15  /* struct xen_remove_from_physmap */
#define XENMEM_set_pod_target             16
#define XENMEM_get_pod_target             17
#define XENMEM_get_sharing_freed_pages    18
#define XENMEM_get_sharing_shared_pages   19
#define XENMEM_paging_op                  20
#define XENMEM_access_op                  21
#define XENMEM_sharing_op                 22
#define XENMEM_add_to_physmap_batch       23  /* struct xen_add_to_physmap_batch */
#define XENMEM_claim_pages                24
#define XENMEM_machphys_compat_mfn_list   25
#define XENMEM_get_vnumainfo              26
#define XENMEM_reserved_device_memory_map 27
#define XENMEM_acquire_resource           28

/*
 * xen_memory_reservation.mem_flags: bits 7:0 limit the machine address
 * width of the frames allocated (0 = no limit), bits 15:8 hold a NUMA node
 * plus one (0 = any node), and the bits above are flags.
 */
#define XENMEMF_address_bits(x)     (x)
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_exact_node(n)       (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1 << 18)  /* the node is a virtual node */

/* What xen_add_to_physmap.space refers to. */
#define XENMAPSPACE_shared_info  0  /* the shared_info page; idx 0 */
#define XENMAPSPACE_grant_table  1  /* grant table frame idx */
#define XENMAPSPACE_gmfn         2  /* move the guest's own frame idx */
#define XENMAPSPACE_gmfn_range   3  /* like gmfn, for @size frames */
#define XENMAPSPACE_gmfn_foreign 4  /* a frame of another domain (batch only) */
#define XENMAPSPACE_dev_mmio     5  /* device MMIO (Arm only) */

/* Set in idx with XENMAPSPACE_grant_table to map status frames instead. */
#define XENMAPIDX_grant_table_status 0x80000000U

#ifndef __ASSEMBLER__

/*
 * XENMEM_{increase,decrease}_reservation and XENMEM_populate_physmap.
 *
 * @extent_start is an array of @nr_extents frame numbers, each the first
 * frame of a block of 2^@extent_order frames.  populate_physmap fills the
 * listed guest frames with fresh memory; decrease_reservation frees them;
 * increase_reservation (not for translated guests) returns machine frames.
 * The result is the number of extents done.  Unprivileged callers may only
 * name DOMID_SELF.
 */
struct xen_memory_reservation {
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    xen_ulong_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;         /* XENMEMF_* */
    domid_t domid;
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);

/*
 * XENMEM_exchange: give back the extents in @in and receive @out in their
 * place, all or nothing per extent.  @nr_exchanged must start at zero and
 * reports how many input extents were consumed.
 */
struct xen_memory_exchange {
    struct xen_memory_reservation in;
    struct xen_memory_reservation out;
    xen_ulong_t nr_exchanged;
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_exchange_t);

/* Argument of XENMEM_{current,maximum}_reservation and maximum_gpfn. */
struct xen_memory_domain {
    domid_t domid;
};

/*
 * XENMEM_add_to_physmap: make the page @idx of @space appear at guest
 * frame @gpfn of @domid.  A PVH guest maps its shared_info page this way.
 */
struct xen_add_to_physmap {
    domid_t domid;
    uint16_t size;              /* frame count, XENMAPSPACE_gmfn_range only */
    uint32_t space;             /* XENMAPSPACE_* */
    xen_ulong_t idx;
    xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);

/* XENMEM_add_to_physmap_batch: @size mappings at once, one error each. */
struct xen_add_to_physmap_batch {
    domid_t domid;
    uint16_t space;             /* XENMAPSPACE_* */
    uint16_t size;
    union xen_add_to_physmap_batch_extra {
        domid_t foreign_domid;  /* XENMAPSPACE_gmfn_foreign */
        uint16_t res0;          /* zero for every other space */
    } u;
    XEN_GUEST_HANDLE(xen_ulong_t) idxs;   /* IN */
    XEN_GUEST_HANDLE(xen_pfn_t) gpfns;    /* IN */
    XEN_GUEST_HANDLE(int) errs;           /* OUT: 0 or -XEN_E* per entry */
};
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);

/* XENMEM_remove_from_physmap: unmap whatever is at guest frame @gpfn. */
struct xen_remove_from_physmap {
    domid_t domid;
    xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);

/*
 * XENMEM_memory_map / XENMEM_machine_memory_map.
 *
 * @buffer receives BIOS E820 records: 20 bytes each, a 64-bit base, a
 * 64-bit length and a 32-bit type, with no padding between records.  On
 * entry @nr_entries is the room in @buffer, on return the number written.
 */
struct xen_memory_map {
    uint32_t nr_entries;
    XEN_GUEST_HANDLE(void) buffer;
};
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);

/* XENMEM_set_memory_map (toolstack): set @domid's memory map. */
struct xen_foreign_memory_map {
    domid_t domid;
    struct xen_memory_map map;
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);

/* Layout checks. */
MICA_ABI_SIZE(xen_memory_domain, 2);
MICA_ABI_OFFSET(xen_add_to_physmap, size, 2);
MICA_ABI_OFFSET(xen_add_to_physmap, space, 4);
MICA_ABI_OFFSET(xen_add_to_physmap_batch, space, 2);
MICA_ABI_OFFSET(xen_add_to_physmap_batch, size, 4);
MICA_ABI_OFFSET(xen_add_to_physmap_batch, u, 6);
MICA_ABI_OFFSET(xen_add_to_physmap_batch, idxs, 8);
#if defined(__x86_64__)
MICA_ABI_OFFSET(xen_memory_reservation, nr_extents, 8);
MICA_ABI_OFFSET(xen_memory_reservation, extent_order, 16);
MICA_ABI_OFFSET(xen_memory_reservation, mem_flags, 20);
MICA_ABI_OFFSET(xen_memory_reservation, domid, 24);
MICA_ABI_SIZE(xen_memory_reservation, 32);
MICA_ABI_OFFSET(xen_memory_exchange, out, 32);
MICA_ABI_OFFSET(xen_memory_exchange, nr_exchanged, 64);
MICA_ABI_SIZE(xen_memory_exchange, 72);
MICA_ABI_OFFSET(xen_add_to_physmap, idx, 8);
MICA_ABI_OFFSET(xen_add_to_physmap, gpfn, 16);
MICA_ABI_SIZE(xen_add_to_physmap, 24);
MICA_ABI_OFFSET(xen_add_to_physmap_batch, gpfns, 16);
MICA_ABI_OFFSET(xen_add_to_physmap_batch, errs, 24);
MICA_ABI_SIZE(xen_add_to_physmap_batch, 32);
MICA_ABI_OFFSET(xen_remove_from_physmap, gpfn, 8);
MICA_ABI_SIZE(xen_remove_from_physmap, 16);
MICA_ABI_OFFSET(xen_memory_map, buffer, 8);
MICA_ABI_SIZE(xen_memory_map, 16);
MICA_ABI_OFFSET(xen_foreign_memory_map, map, 8);
MICA_ABI_SIZE(xen_foreign_memory_map, 24);
#else
MICA_ABI_OFFSET(xen_memory_reservation, nr_extents, 4);
MICA_ABI_OFFSET(xen_memory_reservation, extent_order, 8);
MICA_ABI_OFFSET(xen_memory_reservation, mem_flags, 12);
MICA_ABI_OFFSET(xen_memory_reservation, domid, 16);
MICA_ABI_SIZE(xen_memory_reservation, 20);
MICA_ABI_OFFSET(xen_memory_exchange, out, 20);
MICA_ABI_OFFSET(xen_memory_exchange, nr_exchanged, 40);
MICA_ABI_SIZE(xen_memory_exchange, 44);
MICA_ABI_OFFSET(xen_add_to_physmap, idx, 8);
MICA_ABI_OFFSET(xen_add_to_physmap, gpfn, 12);
MICA_ABI_SIZE(xen_add_to_physmap, 16);
MICA_ABI_OFFSET(xen_add_to_physmap_batch, gpfns, 12);
MICA_ABI_OFFSET(xen_add_to_physmap_batch, errs, 16);
MICA_ABI_SIZE(xen_add_to_physmap_batch, 20);
MICA_ABI_OFFSET(xen_remove_from_physmap, gpfn, 4);
MICA_ABI_SIZE(xen_remove_from_physmap, 8);
MICA_ABI_OFFSET(xen_memory_map, buffer, 4);
MICA_ABI_SIZE(xen_memory_map, 8);
MICA_ABI_OFFSET(xen_foreign_memory_map, map, 4);
MICA_ABI_SIZE(xen_foreign_memory_map, 12);
#endif

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_MEMORY_H */
