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
    unsigned int cpus;          /* dom0_cpus; dom0_plan_cpus() settles it */
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

/* dom0's CPUs (dom0_smp.c).  dom0_plan_cpus() decides how many once the
 * APs are up and reserves them; dom0_release_cpus() gives them back if
 * dom0 does not start. */
void dom0_plan_cpus(void);
void dom0_release_cpus(void);
/* Bytes dom0_smp_tables() needs (0: no firmware MADT to start from). */
size_t dom0_smp_area_size(void);
/* Builds dom0's ACPI tables, wakeup mailbox and AP page tables in that
 * area of its RAM; returns the RSDP's address, or 0. */
paddr_t dom0_smp_tables(paddr_t area);
struct vcpu;
/* Leaves dom0's vCPU n >= 1 down on its CPU until Linux wakes it. */
void dom0_smp_wait(struct vcpu *v);
/* A CPU of dom0's with nothing to run: true if it just started dom0's
 * vCPU there; else *look_ns is when to look at the mailbox again. */
bool dom0_cpu_idle(unsigned int cpu, uint64_t *look_ns);

#endif
