/*
 * The SVM world switch.
 *   void svm_vmrun(uint64_t vmcb_pa, struct guest_regs *regs,
 *                  uint64_t host_save_pa)
 * Called with GIF clear and RFLAGS.IF set (so that, once VMRUN sets GIF,
 * physical interrupts exit the guest).  VMRUN itself keeps the host's RSP,
 * RIP and RAX; VMSAVE/VMLOAD around it keep the hidden state that VMRUN
 * does not (FS/GS/TR/LDTR, KernelGsBase, STAR family, SYSENTER), since mica
 * finds its per-CPU data through GS.  AMD APM vol. 2, 15.5.
 */
#include <asm-offsets.h>

        .text
        .globl  svm_vmrun
svm_vmrun:
        pushq   %rbp
        movq    %rsp, %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        pushq   %rsi                    /* regs */
        pushq   %rdx                    /* host save area */
        pushq   %rdi                    /* guest VMCB */

        movq    %rdx, %rax
        vmsave

        movq    %rsi, %rax
        movq    GREG_RBX(%rax), %rbx
        movq    GREG_RCX(%rax), %rcx
        movq    GREG_RDX(%rax), %rdx
        movq    GREG_RSI(%rax), %rsi
        movq    GREG_RDI(%rax), %rdi
        movq    GREG_RBP(%rax), %rbp
        movq    GREG_R8(%rax), %r8
        movq    GREG_R9(%rax), %r9
        movq    GREG_R10(%rax), %r10
        movq    GREG_R11(%rax), %r11
        movq    GREG_R12(%rax), %r12
        movq    GREG_R13(%rax), %r13
        movq    GREG_R14(%rax), %r14
        movq    GREG_R15(%rax), %r15

        movq    (%rsp), %rax            /* guest VMCB */
        vmload
        vmrun
        vmsave

        /* RAX is the VMCB address again; the guest's RAX is in the VMCB. */
        movq    16(%rsp), %rax          /* regs */
        movq    %rbx, GREG_RBX(%rax)
        movq    %rcx, GREG_RCX(%rax)
        movq    %rdx, GREG_RDX(%rax)
        movq    %rsi, GREG_RSI(%rax)
        movq    %rdi, GREG_RDI(%rax)
        movq    %rbp, GREG_RBP(%rax)
        movq    %r8, GREG_R8(%rax)
        movq    %r9, GREG_R9(%rax)
        movq    %r10, GREG_R10(%rax)
        movq    %r11, GREG_R11(%rax)
        movq    %r12, GREG_R12(%rax)
        movq    %r13, GREG_R13(%rax)
        movq    %r14, GREG_R14(%rax)
        movq    %r15, GREG_R15(%rax)

        movq    8(%rsp), %rax           /* host save area */
        vmload

        addq    $24, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
