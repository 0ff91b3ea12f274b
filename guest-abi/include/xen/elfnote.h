/*
 * xen/elfnote.h - ELF notes through which a guest kernel describes itself.
 *
 * The notes sit in a PT_NOTE segment with the owner name "Xen"; the note
 * type is one of the numbers below.  "Numeric" notes carry a 32- or 64-bit
 * little-endian value, "string" notes a NUL-terminated string.  A PVH
 * kernel for mica needs XEN_ELFNOTE_PHYS32_ENTRY; the rest are optional.
 */
#ifndef MICA_GUEST_ABI_XEN_ELFNOTE_H
#define MICA_GUEST_ABI_XEN_ELFNOTE_H

#define XEN_ELFNOTE_INFO               0  /* unused */
#define XEN_ELFNOTE_ENTRY              1  /* numeric: PV virtual entry point */
#define XEN_ELFNOTE_HYPERCALL_PAGE     2  /* numeric: where to put the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE          3  /* numeric: virtual address of the image */
#define XEN_ELFNOTE_PADDR_OFFSET       4  /* numeric: paddr fields minus real paddr */
#define XEN_ELFNOTE_XEN_VERSION        5  /* string: hypervisor version wanted */
#define XEN_ELFNOTE_GUEST_OS           6  /* string: e.g. "linux" */
#define XEN_ELFNOTE_GUEST_VERSION      7  /* string */
#define XEN_ELFNOTE_LOADER             8  /* string: e.g. "generic" */
#define XEN_ELFNOTE_PAE_MODE           9  /* string: x86_32 PAE support */
#define XEN_ELFNOTE_FEATURES          10  /* string: XENFEAT_ names, '|'-separated */
#define XEN_ELFNOTE_BSD_SYMTAB        11  /* string "yes": load the symbol table */
#define XEN_ELFNOTE_HV_START_LOW      12  /* numeric: lowest hypervisor hole (PV) */
#define XEN_ELFNOTE_L1_MFN_VALID      13  /* numeric mask and value (PV) */
#define XEN_ELFNOTE_SUSPEND_CANCEL    14  /* numeric: suspend may be cancelled */
#define XEN_ELFNOTE_INIT_P2M          15  /* numeric: where to map the p2m (PV) */
#define XEN_ELFNOTE_MOD_START_PFN     16  /* numeric: module given as a frame (PV) */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* numeric: XENFEAT_* bitmap */
/*
 * Numeric (32-bit): physical address of the 32-bit PVH entry point, which
 * is entered as xen/hvm/start_info.h describes.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY      18
/*
 * Up to three 32-bit values: alignment, lowest start address and highest
 * end address for loading a relocatable PVH kernel somewhere else than its
 * link address.
 */
#define XEN_ELFNOTE_PHYS32_RELOC      19
#define XEN_ELFNOTE_MAX               XEN_ELFNOTE_PHYS32_RELOC

/* Notes written into crash dumps, not read from kernels. */
#define XEN_ELFNOTE_CRASH_INFO              0x1000001
#define XEN_ELFNOTE_CRASH_REGS              0x1000002
#define XEN_ELFNOTE_DUMPCORE_NONE           0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER         0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif /* MICA_GUEST_ABI_XEN_ELFNOTE_H */
