/*
 * Real-mode start of an application processor.  smp.c copies this blob to
 * TRAMPOLINE_PA and sends the SIPI with that page as the vector, so the AP
 * starts here with CS = TRAMPOLINE_PA >> 4 and IP = 0.  It loads the boot
 * GDT (whose descriptor it carries, with an absolute base, so no patching
 * is needed), enters protected mode and jumps to ap_start32 in head.S.
 */
#include <asm/layout.h>

        .section .rodata
        .code16
        .globl  trampoline_start, trampoline_end
trampoline_start:
        cli
        cld
        movw    %cs, %ax
        movw    %ax, %ds
        lgdtl   tramp_gdtr - trampoline_start
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   $GDT_CS32, $ap_start32

        .balign 8
tramp_gdtr:
        .short  31
        .long   boot_gdt
trampoline_end:
