/*
 * mica's entry from the boot loader.  Multiboot 2 loaders (GRUB) and
 * multiboot 1 loaders (QEMU's -kernel) both enter here in 32-bit protected
 * mode, paging off, with the magic in EAX and the information structure in EBX.
 * We build an identity map of the first 4 GiB with 2 MiB pages, switch to
 * long mode and call start_mica(magic, info) in C.
 *
 * Application processors come here too, through the real-mode trampoline
 * (trampoline.S), at ap_start32.
 */
#include <asm/layout.h>

#define MB2_MAGIC       0xe85250d6
#define MB2_ARCH_I386   0
#define MB1_MAGIC       0x1badb002
/* Page-aligned modules, memory info, and the load addresses in the header
 * (the "a.out kludge"): a multiboot 1 loader then needs no ELF parsing, so
 * QEMU's -kernel, which refuses 64-bit ELF files, loads mica.elf too. */
#define MB1_FLAGS       0x00010003

        .section .multiboot, "a"
        .balign 8
mb2_header:
        .long   MB2_MAGIC
        .long   MB2_ARCH_I386
        .long   mb2_header_end - mb2_header
        .long   -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
        /* Information request: memory map, modules, command line, ACPI. */
        .balign 8
1:      .short  1, 1                    /* optional: boot even without one */
        .long   2f - 1b
        .long   1, 3, 6, 14, 15
2:
        /* Module alignment: page-aligned modules. */
        .balign 8
        .short  6, 0
        .long   8
        /* End tag. */
        .balign 8
        .short  0, 0
        .long   8
mb2_header_end:

        .balign 4
mb1_header:
        .long   MB1_MAGIC
        .long   MB1_FLAGS
        .long   -(MB1_MAGIC + MB1_FLAGS)
        .long   mb1_header              /* header_addr */
        .long   _image_start            /* load_addr: the file from here */
        .long   _edata                  /* load_end_addr */
        .long   _end                    /* bss_end_addr */
        .long   _start                  /* entry_addr */

        .section .text.boot, "ax"
        .code32
        .globl  _start
_start:
        cli
        cld
        movl    %eax, boot_magic
        movl    %ebx, boot_info_pa
        movl    $boot_stack_top, %esp

        /* Long mode needs CPUID leaf 0x80000001 EDX bit 29. */
        movl    $0x80000000, %eax
        cpuid
        cmpl    $0x80000001, %eax
        jb      no_long_mode
        movl    $0x80000001, %eax
        cpuid
        btl     $29, %edx
        jnc     no_long_mode

        /* Clear .bss (the loader may not), without touching boot_magic and
         * boot_info_pa, which live in .data. */
        movl    $__bss_start, %edi
        movl    $__bss_end, %ecx
        subl    %edi, %ecx
        xorl    %eax, %eax
        rep stosb

        /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB
         * pages: the first 4 GiB, identity mapped, writable. */
        movl    $boot_pdpt, %eax
        orl     $(PTE_P | PTE_W), %eax
        movl    %eax, boot_pml4
        movl    $boot_pd, %edi
        movl    $boot_pdpt, %esi
        movl    $4, %ecx
1:      movl    %edi, %eax
        orl     $(PTE_P | PTE_W), %eax
        movl    %eax, (%esi)
        addl    $8, %esi
        addl    $4096, %edi
        loop    1b
        movl    $boot_pd, %edi
        xorl    %eax, %eax
        xorl    %edx, %edx          /* high half of the physical address */
        movl    $2048, %ecx
1:      movl    %eax, %ebx
        orl     $(PTE_P | PTE_W | PTE_PS), %ebx
        movl    %ebx, (%edi)
        movl    %edx, 4(%edi)
        addl    $8, %edi
        addl    $0x200000, %eax
        adcl    $0, %edx
        loop    1b

        call    enter_long_mode32
        ljmp    $GDT_CS64, $start64

/* Shared by the BSP and the APs: PAE, CR3, EFER.LME, paging.  Returns with
 * the 64-bit GDT loaded; the caller far-jumps to 64-bit code. */
enter_long_mode32:
        movl    %cr4, %eax
        orl     $0x20, %eax                 /* CR4.PAE */
        movl    %eax, %cr4
        movl    $boot_pml4, %eax
        movl    %eax, %cr3
        movl    $0xc0000080, %ecx           /* EFER */
        rdmsr
        orl     $0x100, %eax                /* EFER.LME */
        wrmsr
        movl    %cr0, %eax
        /* Caches on: APs leave INIT with CD and NW set (SDM 3A, 9.1.1). */
        andl    $~0x60000000, %eax          /* CD, NW */
        orl     $0x80010001, %eax           /* PG, WP, PE */
        movl    %eax, %cr0
        lgdt    boot_gdtr
        ret

no_long_mode:
        /* Say why on COM1, unconfigured as it may be, then stop. */
        movl    $msg_no_lm, %esi
1:      lodsb
        testb   %al, %al
        jz      2f
        movw    $0x3f8, %dx
        outb    %al, %dx
        jmp     1b
2:      hlt
        jmp     2b

        .globl  ap_start32
ap_start32:
        movw    $GDT_DS, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movl    $ap_boot_stack_tmp, %esp
        call    enter_long_mode32
        ljmp    $GDT_CS64, $ap_start64

        .code64
start64:
        movw    $GDT_DS, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        xorl    %eax, %eax
        movw    %ax, %fs
        movw    %ax, %gs
        movq    $boot_stack_top, %rsp
        xorl    %ebp, %ebp
        movl    boot_magic(%rip), %edi
        movl    boot_info_pa(%rip), %esi
        call    start_mica
1:      hlt
        jmp     1b

ap_start64:
        movw    $GDT_DS, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        xorl    %eax, %eax
        movw    %ax, %fs
        movw    %ax, %gs
        movq    ap_boot_stack(%rip), %rsp
        xorl    %ebp, %ebp
        movl    ap_boot_cpu(%rip), %edi
        call    ap_main
1:      hlt
        jmp     1b

        .section .data
        .balign 8
        .globl  boot_gdt
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff      /* 0x10: data */
        .quad   0x00cf9a000000ffff      /* 0x18: 32-bit code */
boot_gdt_end:
        .globl  boot_gdtr
boot_gdtr:
        .short  boot_gdt_end - boot_gdt - 1
        .quad   boot_gdt
        .globl  boot_magic, boot_info_pa, ap_boot_stack, ap_boot_cpu
boot_magic:     .long 0
boot_info_pa:   .long 0
ap_boot_stack:  .quad 0
ap_boot_cpu:    .long 0
msg_no_lm:      .asciz "mica: this CPU has no 64-bit long mode; stopped.\r\n"

        .section .bss
        .balign 4096
        .globl  boot_pml4, boot_pdpt, boot_pd
boot_pml4:      .skip 4096
boot_pdpt:      .skip 4096
boot_pd:        .skip 4 * 4096
boot_stack:     .skip BOOT_STACK_SIZE
        .globl  boot_stack_top
boot_stack_top:
        /* APs share this tiny stack only between the trampoline and the
         * switch to their own stack; they start one at a time. */
                .skip 256
ap_boot_stack_tmp:
