/* Constants shared by C and assembly. */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#define GDT_CS64  0x08
#define GDT_DS    0x10
#define GDT_CS32  0x18
#define GDT_TSS   0x20      /* per-CPU GDTs put the TSS here (16 bytes) */

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_U   0x004
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_A   0x020
#define PTE_D   0x040
#define PTE_PS  0x080
#define PTE_G   0x100

#define BOOT_STACK_SIZE 16384
#define CPU_STACK_SIZE  16384

/* The AP trampoline's page, below 1 MiB (its page number is the SIPI
 * vector). */
#define TRAMPOLINE_PA   0x8000

#endif
