/*
 * xen/grant_table.h - __HYPERVISOR_grant_table_op.
 *
 *   long grant_table_op(unsigned int cmd, void *args, unsigned int count);
 *
 * A domain lets others reach some of its pages by writing entries into its
 * grant table: a run of frames, shared with the hypervisor, holding an
 * array of grant entries.  An entry's index is its grant reference; the
 * entry names the page, the domain allowed to use it and how.  The other
 * domain then asks the hypervisor to map or copy the page by reference.
 *
 * An HVM or PVH guest places its table frames in its physical address
 * space with XENMEM_add_to_physmap, space XENMAPSPACE_grant_table (see
 * memory.h).  @args points to an array of @count structs of the type named
 * after the command; several commands take exactly one (@count 1).
 */
#ifndef MICA_GUEST_ABI_XEN_GRANT_TABLE_H
#define MICA_GUEST_ABI_XEN_GRANT_TABLE_H

#include "xen.h"

#define GNTTABOP_map_grant_ref      0
#define GNTTABOP_unmap_grant_ref    1
#define GNTTABOP_setup_table        2
#define GNTTABOP_dump_table         3
#define GNTTABOP_transfer           4
#define GNTTABOP_copy               5
#define GNTTABOP_query_size         6
#define GNTTABOP_unmap_and_replace  7
#define GNTTABOP_set_version        8
#define GNTTABOP_get_status_frames  9
#define GNTTABOP_get_version       10
#define GNTTABOP_swap_grant_ref    11
#define GNTTABOP_cache_flush       12

/*
 * grant_entry_v1.flags: bits 1:0 say what the entry is, the bits above
 * qualify it.  The hypervisor sets GTF_reading/GTF_writing while another
 * domain uses the page, and the transfer bits when a page has arrived.
 */
#define GTF_invalid          0  /* unused: nobody may use the page */
#define GTF_permit_access    1  /* @domid may map or copy @frame */
#define GTF_accept_transfer  2  /* @domid may hand us a page into this entry */
#define GTF_transitive       3  /* v2 only: a grant of another grant */
#define GTF_type_mask        3

#define _GTF_readonly        2
#define GTF_readonly         (1U << _GTF_readonly)   /* no writable mappings */
#define _GTF_reading         3
#define GTF_reading          (1U << _GTF_reading)    /* in use, read */
#define _GTF_writing         4
#define GTF_writing          (1U << _GTF_writing)    /* in use, written */
#define _GTF_PWT             5
#define GTF_PWT              (1U << _GTF_PWT)        /* cache attributes */
#define _GTF_PCD             6
#define GTF_PCD              (1U << _GTF_PCD)        /* for the mapping */
#define _GTF_PAT             7
#define GTF_PAT              (1U << _GTF_PAT)
#define _GTF_sub_page        8
#define GTF_sub_page         (1U << _GTF_sub_page)   /* v2 only */

/* With GTF_accept_transfer: the transfer has begun, and is complete. */
#define _GTF_transfer_committed 2
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

/* Results in the status field of a command's struct (the call itself
 * returns 0 when it got as far as writing one). */
#define GNTST_okay               0
#define GNTST_general_error    (-1)
#define GNTST_bad_domain       (-2)   /* no such domain */
#define GNTST_bad_gntref       (-3)   /* no such grant reference, or not usable */
#define GNTST_bad_handle       (-4)   /* no such mapping handle */
#define GNTST_bad_virt_addr    (-5)   /* an address the caller gave is bad */
#define GNTST_bad_dev_addr     (-6)   /* a device address to unmap is bad */
#define GNTST_no_device_space  (-7)   /* the IOMMU has no room */
#define GNTST_permission_denied (-8)  /* the caller may not do this */
#define GNTST_bad_page         (-9)   /* the page is not usable for this */
#define GNTST_bad_copy_arg    (-10)   /* a copy would cross a page boundary */
#define GNTST_address_too_big (-11)   /* a transferred page is too high */
#define GNTST_eagain          (-12)   /* not done: try again */
#define GNTST_no_space        (-13)   /* out of handles or the like */

#ifndef __ASSEMBLER__

typedef uint32_t grant_ref_t;     /* index into the grant table */
typedef uint32_t grant_handle_t;  /* names one mapping of a grant */

/* One version-1 entry: 8 bytes, 512 to a 4 KiB frame. */
struct grant_entry_v1 {
    uint16_t flags;             /* GTF_* */
    domid_t domid;              /* who may use it */
    uint32_t frame;             /* the page: its gfn (HVM) or mfn (PV) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;

/*
 * Entries a toolstack fills before the guest runs: the console's and the
 * store's rings.  A guest keeps its hands off references below this.
 */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0
#define GNTTAB_RESERVED_XENSTORE   1

/*
 * GNTTABOP_setup_table (@count 1): make @dom's table at least @nr_frames
 * frames long and write the frame number of each of its first @nr_frames
 * frames into @frame_list.  For a translated (HVM/PVH) guest that is the
 * guest frame the table frame is mapped at, or all ones while unmapped.
 */
struct gnttab_setup_table {
    domid_t dom;                            /* IN: DOMID_SELF or an ID */
    uint32_t nr_frames;                     /* IN */
    int16_t status;                         /* OUT: GNTST_* */
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* OUT: @nr_frames numbers */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_setup_table_t);

/*
 * GNTTABOP_query_size (@count 1): how many frames @dom's table has now
 * and may grow to.
 */
struct gnttab_query_size {
    domid_t dom;                /* IN */
    uint32_t nr_frames;         /* OUT */
    uint32_t max_nr_frames;     /* OUT */
    int16_t status;             /* OUT: GNTST_* */
};
typedef struct gnttab_query_size gnttab_query_size_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_query_size_t);

/*
 * GNTTABOP_set_version: use entry format @version (1 or 2) from now on.
 * On return @version holds the format in force, whatever the result.
 */
struct gnttab_set_version {
    uint32_t version;           /* IN/OUT */
};
typedef struct gnttab_set_version gnttab_set_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_set_version_t);

/* GNTTABOP_get_version: the entry format @dom uses. */
struct gnttab_get_version {
    domid_t dom;                /* IN */
    uint16_t pad;
    uint32_t version;           /* OUT */
};
typedef struct gnttab_get_version gnttab_get_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_version_t);

/* Layout checks. */
MICA_ABI_SIZE(grant_entry_v1, 8);
MICA_ABI_OFFSET(grant_entry_v1, domid, 2);
MICA_ABI_OFFSET(grant_entry_v1, frame, 4);
MICA_ABI_OFFSET(gnttab_setup_table, nr_frames, 4);
MICA_ABI_OFFSET(gnttab_setup_table, status, 8);
MICA_ABI_SIZE(gnttab_query_size, 16);
MICA_ABI_OFFSET(gnttab_query_size, nr_frames, 4);
MICA_ABI_OFFSET(gnttab_query_size, max_nr_frames, 8);
MICA_ABI_OFFSET(gnttab_query_size, status, 12);
MICA_ABI_SIZE(gnttab_set_version, 4);
MICA_ABI_SIZE(gnttab_get_version, 8);
MICA_ABI_OFFSET(gnttab_get_version, version, 4);
#if defined(__x86_64__)
MICA_ABI_OFFSET(gnttab_setup_table, frame_list, 16);
MICA_ABI_SIZE(gnttab_setup_table, 24);
#else
MICA_ABI_OFFSET(gnttab_setup_table, frame_list, 12);
MICA_ABI_SIZE(gnttab_setup_table, 16);
#endif

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_GRANT_TABLE_H */
