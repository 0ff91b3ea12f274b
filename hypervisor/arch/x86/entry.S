/*
 * Interrupt and exception entry.  One 16-byte stub per vector pushes a zero
 * error code where the CPU pushes none, then the vector number, and jumps to
 * trap_common, which saves the general registers as a struct cpu_regs
 * (asm/regs.h) and calls trap_dispatch(regs).
 */
        .section .text
        .balign 16
        .globl  trap_stubs
trap_stubs:
        .set    vec, 0
        .rept   256
        .balign 16
        .if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        .else
        pushq   $0
        .endif
        pushq   $vec
        jmp     trap_common
        .set    vec, vec + 1
        .endr

trap_common:
        pushq   %rax
        pushq   %rbx
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %rbp
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, %rdi
        /* A frame-pointer link for the backtrace: the interrupted RIP and
         * RBP, as a call would have left them. */
        pushq   17*8(%rsp)
        pushq   %rbp
        movq    %rsp, %rbp
        cld
        call    trap_dispatch
        addq    $16, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rbp
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
        addq    $16, %rsp       /* vector, error code */
        iretq
