/*
 * The domain builder: turns a PVH kernel (ELF with a XEN_ELFNOTE_PHYS32_ENTRY
 * note), an optional ramdisk and a command line into a running domain,
 * through libmica. It lays the guest out as mica's boot-time builder does
 * (hypervisor/common/domain_build.c): the kernel at its physical addresses,
 * hvm_start_info v1 in the page after it, then the command line and a
 * one-entry memory map [0, memory); a ramdisk, when given, is the single
 * hvm_modlist_entry module, page-aligned after the start_info data.
 */
#ifndef MICA_XEND_BUILD_H
#define MICA_XEND_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct build_request {
    const char *name;
    uint64_t memory_kb;
    unsigned vcpus;
    uint64_t cpu_mask;          /* 0: any CPU */
    unsigned console_limit;     /* bytes; 0: mica's default */
    const char *kernel;
    const char *ramdisk;        /* NULL: none */
    const char *cmdline;        /* NULL: empty */
    bool paused;                /* leave it paused after building */
};

/* What an ELF image asks for, found by elf_parse. */
struct build_segment {
    uint64_t offset, paddr, filesz, memsz;
};

#define BUILD_MAX_SEGMENTS 16

struct build_image {
    uint32_t entry;             /* XEN_ELFNOTE_PHYS32_ENTRY */
    uint64_t phys_end;          /* end of the highest segment in memory */
    unsigned nsegs;
    struct build_segment segs[BUILD_MAX_SEGMENTS];
};

/*
 * Checks an ELF32/ELF64 x86 executable with every offset bounds-checked and
 * collects its PT_LOAD segments and PVH entry. Returns 0, or -1 with the
 * reason (lower case, no file name) in why.
 */
int build_parse_elf(const uint8_t *img, size_t size, struct build_image *bi,
                    char *why, size_t whylen);

/*
 * Builds and (unless r->paused) starts the domain. Returns its domid, or -1
 * with the reason in why; a domain made halfway is destroyed again.
 */
int build_domain(const struct build_request *r, char *why, size_t whylen);

#endif
