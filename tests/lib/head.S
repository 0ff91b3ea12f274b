/*
 * Entry of mica's test guests: a PVH kernel (Xen's PVH boot ABI).  We start
 * in 32-bit flat protected mode with paging off and EBX pointing at
 * struct hvm_start_info; set up a stack and call guest_start(start_info).
 */
#include <xen/elfnote.h>

        .section .text.entry, "ax"
        .code32
        .globl  _start
_start:
        cli
        cld
        movl    $stack_top, %esp
        /* The i386 ABI wants ESP 16-byte aligned at each call. */
        subl    $8, %esp
        pushl   $0                      /* end of the frame-pointer chain */
        pushl   %ebx
        call    guest_start
1:      hlt
        jmp     1b

        .section .note.Xen, "a", @note
        .balign 4
        .long   4                       /* name size */
        .long   4                       /* descriptor size */
        .long   XEN_ELFNOTE_PHYS32_ENTRY
        .asciz  "Xen"
        .balign 4
        .long   _start
        .balign 4

        .section .bss
        .balign 16
stack:  .skip   16384
stack_top:
