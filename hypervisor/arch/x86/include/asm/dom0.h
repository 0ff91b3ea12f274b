/* Domain 0: an unmodified Linux kernel in a passthrough partition. */
#ifndef ASM_DOM0_H
#define ASM_DOM0_H

#include <mica/bootinfo.h>
#include <mica/types.h>

#define DOM0_MAX_RANGES 32

/* dom0's RAM: host-physical = guest-physical, sorted, disjoint. */
struct dom0_layout {
    bool present;               /* a bzImage module was given */
    unsigned int kernel_mod;    /* its module index; the initrd follows */
    int initrd_mod;             /* -1: none */
    struct mem_region ram[DOM0_MAX_RANGES];
    unsigned int nram;
    uint64_t pages;
    unsigned int cpus;
};

extern struct dom0_layout dom0_layout;

/* True if the module looks like a Linux bzImage (boot protocol 2.x). */
bool bzimage_probe(const void *image, size_t size);

/* Decides dom0's memory right after the frame allocator is up, before
 * mica allocates anything else, and takes it out of the allocator. */
void dom0_plan_memory(const struct boot_info *bi, paddr_t image_start,
                      paddr_t image_end, paddr_t bitmap, size_t bitmap_bytes);

/* Builds and starts dom0 (after the boot-time PVH domains). */
int dom0_build(const struct boot_info *bi);

/* True if host-physical [pa, pa+len) is dom0's RAM. */
bool dom0_owns(paddr_t pa, uint64_t len);

#endif
