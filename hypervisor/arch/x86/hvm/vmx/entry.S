/*
 * The VMX world switch.
 *   int vmx_enter(struct guest_regs *regs, int launched)
 * Runs the guest whose VMCS is current on this CPU until its next VM exit,
 * with VMLAUNCH for a VMCS in the clear state and VMRESUME after.  Returns
 * 0 after a VM exit (a failed VM entry included: it too arrives as an exit,
 * Intel SDM 27.8), 1 on VMfailInvalid and 2 on VMfailValid, when the
 * instruction falls through and VM-instruction error says why (SDM 31.2).
 *
 * A VM exit loads RIP and RSP from the VMCS host-state area (SDM 28.5.3)
 * and nothing else of the GPRs: HOST_RIP is vmx_exit_point (written in C
 * when the VMCS arrives on a CPU), HOST_RSP is written here, pointing at
 * the saved `regs` pointer.  The guest's RIP, RSP and RFLAGS live in the
 * VMCS; C moves them to and from struct guest_regs.  Called with
 * interrupts disabled; external interrupts exit the guest, except dom0's,
 * which its own IDT takes.
 */
#include <asm-offsets.h>
#include "vmcs.h"

        .text
        .globl  vmx_enter
        .type   vmx_enter, @function
vmx_enter:
        pushq   %rbp
        movq    %rsp, %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        pushq   %rdi                    /* regs: (%rsp) from here on */

        movl    $VMCS_ENC_HOST_RSP, %eax
        vmwrite %rsp, %rax
        jbe     .Lfail

        /* MOVs leave the flags alone: test `launched` before the loads. */
        testl   %esi, %esi
        movq    GREG_RAX(%rdi), %rax
        movq    GREG_RBX(%rdi), %rbx
        movq    GREG_RCX(%rdi), %rcx
        movq    GREG_RDX(%rdi), %rdx
        movq    GREG_RSI(%rdi), %rsi
        movq    GREG_RBP(%rdi), %rbp
        movq    GREG_R8(%rdi), %r8
        movq    GREG_R9(%rdi), %r9
        movq    GREG_R10(%rdi), %r10
        movq    GREG_R11(%rdi), %r11
        movq    GREG_R12(%rdi), %r12
        movq    GREG_R13(%rdi), %r13
        movq    GREG_R14(%rdi), %r14
        movq    GREG_R15(%rdi), %r15
        movq    GREG_RDI(%rdi), %rdi
        jnz     1f
        vmlaunch
        jmp     .Lfail
1:      vmresume

.Lfail:
        /* The instruction fell through: CF=1 is VMfailInvalid, ZF=1
         * VMfailValid.  No guest ran; `regs` is untouched. */
        movl    $1, %eax
        jc      2f
        movl    $2, %eax
2:      addq    $8, %rsp
        jmp     .Lout

        .globl  vmx_exit_point
vmx_exit_point:
        /* Guest GPRs are live; RSP is HOST_RSP, pointing at `regs`. */
        pushq   %rdi
        movq    8(%rsp), %rdi
        movq    %rax, GREG_RAX(%rdi)
        movq    %rbx, GREG_RBX(%rdi)
        movq    %rcx, GREG_RCX(%rdi)
        movq    %rdx, GREG_RDX(%rdi)
        movq    %rsi, GREG_RSI(%rdi)
        movq    %rbp, GREG_RBP(%rdi)
        movq    %r8, GREG_R8(%rdi)
        movq    %r9, GREG_R9(%rdi)
        movq    %r10, GREG_R10(%rdi)
        movq    %r11, GREG_R11(%rdi)
        movq    %r12, GREG_R12(%rdi)
        movq    %r13, GREG_R13(%rdi)
        movq    %r14, GREG_R14(%rdi)
        movq    %r15, GREG_R15(%rdi)
        popq    %rax                    /* the guest's RDI */
        movq    %rax, GREG_RDI(%rdi)
        addq    $8, %rsp
        xorl    %eax, %eax

.Lout:
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .size   vmx_enter, . - vmx_enter
