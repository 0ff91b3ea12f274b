/* Loading ELF32/ELF64 kernels that carry Xen's PVH entry note. */
#ifndef MICA_ELF_H
#define MICA_ELF_H

#include <mica/types.h>

struct elf_target {
    /* Each returns 0 or a negative errno (e.g. outside the guest's RAM). */
    int (*copy)(void *ctx, uint64_t paddr, const void *src, size_t n);
    int (*zero)(void *ctx, uint64_t paddr, size_t n);
    void *ctx;
};

struct elf_info {
    bool is64;
    uint64_t phys_start, phys_end;  /* what the segments cover */
    bool has_pvh_entry;
    uint32_t pvh_entry;             /* XEN_ELFNOTE_PHYS32_ENTRY */
    const char *error;              /* why loading failed, for the log */
};

/* Checks the image, then loads its PT_LOAD segments by physical address. */
int elf_load(const void *image, size_t size, const struct elf_target *t,
             struct elf_info *info);
/* Only parses: fills info without writing anything. */
int elf_inspect(const void *image, size_t size, struct elf_info *info);

#endif
