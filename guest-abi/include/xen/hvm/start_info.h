/*
 * xen/hvm/start_info.h - what a PVH guest finds in %ebx at its entry point.
 *
 * A PVH kernel names a 32-bit entry point in its XEN_ELFNOTE_PHYS32_ENTRY
 * note.  It is entered in 32-bit protected mode with paging off, flat
 * CS/DS/ES/SS, and %ebx holding the physical address of a struct
 * hvm_start_info.  Every address in these structures is a guest physical
 * address; 0 means "not supplied", since nothing is ever placed at address
 * 0.  Xen places all of it below 4 GiB.
 *
 * Version 0 ends after rsdp_paddr (48 bytes).  Version 1 adds the memory
 * map; a reader that understands version 1 must still check that
 * memmap_entries is non-zero.
 */
#ifndef MICA_GUEST_ABI_XEN_HVM_START_INFO_H
#define MICA_GUEST_ABI_XEN_HVM_START_INFO_H

#include "../compiler.h"

/* "xEn3" with the top bit of the 'E' set, read as a little-endian word. */
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

/* hvm_memmap_table_entry.type: the ACPI address range types. */
#define XEN_HVM_MEMMAP_TYPE_RAM      1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI     3  /* ACPI tables, reclaimable */
#define XEN_HVM_MEMMAP_TYPE_NVS      4  /* ACPI non-volatile storage */
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6
#define XEN_HVM_MEMMAP_TYPE_PMEM     7  /* persistent memory */

#ifndef __ASSEMBLER__

struct hvm_start_info {
    uint32_t magic;             /* XEN_HVM_START_MAGIC_VALUE */
    uint32_t version;           /* 1 here; later versions only append */
    uint32_t flags;             /* SIF_* (xen/xen.h) */
    uint32_t nr_modules;        /* entries at modlist_paddr */
    uint64_t modlist_paddr;     /* array of struct hvm_modlist_entry */
    uint64_t cmdline_paddr;     /* NUL-terminated kernel command line */
    uint64_t rsdp_paddr;        /* ACPI RSDP */
    /* Version 1 and later: */
    uint64_t memmap_paddr;      /* array of struct hvm_memmap_table_entry */
    uint32_t memmap_entries;    /* 0: no memory map supplied */
    uint32_t reserved;          /* zero */
};

struct hvm_modlist_entry {
    uint64_t paddr;             /* start of the module */
    uint64_t size;              /* length in bytes */
    uint64_t cmdline_paddr;     /* NUL-terminated module command line */
    uint64_t reserved;
};

struct hvm_memmap_table_entry {
    uint64_t addr;              /* start of the range */
    uint64_t size;              /* length in bytes */
    uint32_t type;              /* XEN_HVM_MEMMAP_TYPE_* */
    uint32_t reserved;          /* zero */
};

/* Layout checks: identical for i386 and x86_64. */
MICA_ABI_SIZE(hvm_start_info, 56);
MICA_ABI_OFFSET(hvm_start_info, version, 4);
MICA_ABI_OFFSET(hvm_start_info, flags, 8);
MICA_ABI_OFFSET(hvm_start_info, nr_modules, 12);
MICA_ABI_OFFSET(hvm_start_info, modlist_paddr, 16);
MICA_ABI_OFFSET(hvm_start_info, cmdline_paddr, 24);
MICA_ABI_OFFSET(hvm_start_info, rsdp_paddr, 32);
MICA_ABI_OFFSET(hvm_start_info, memmap_paddr, 40);
MICA_ABI_OFFSET(hvm_start_info, memmap_entries, 48);
MICA_ABI_OFFSET(hvm_start_info, reserved, 52);
MICA_ABI_SIZE(hvm_modlist_entry, 32);
MICA_ABI_OFFSET(hvm_modlist_entry, size, 8);
MICA_ABI_OFFSET(hvm_modlist_entry, cmdline_paddr, 16);
MICA_ABI_SIZE(hvm_memmap_table_entry, 24);
MICA_ABI_OFFSET(hvm_memmap_table_entry, size, 8);
MICA_ABI_OFFSET(hvm_memmap_table_entry, type, 16);

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_HVM_START_INFO_H */
