/* The x86 part of each CPU's private data. */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <mica/types.h>

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iopb;
} __packed;
BUILD_BUG_ON(sizeof(struct tss64) != 104);

#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3
#define IST_STACK_SIZE 4096

struct pcpu_arch {
    uint64_t gdt[8] __aligned(16);
    struct tss64 tss __aligned(16);
    uint32_t apic_id;
    void *ist_stacks[3];
    void *hvm;                  /* the vendor backend's per-CPU state */
};

#endif
