/* Offsets that assembly needs, generated from the C definitions so they are
 * never typed twice.  The build compiles this to assembly and turns each
 * "->SYM value" marker into a #define. */
#include <stddef.h>
#include <mica/domain.h>
#include <asm/hvm.h>

#define DEFINE(sym, val) \
    __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(GREG_RAX, offsetof(struct guest_regs, rax));
    DEFINE(GREG_RBX, offsetof(struct guest_regs, rbx));
    DEFINE(GREG_RCX, offsetof(struct guest_regs, rcx));
    DEFINE(GREG_RDX, offsetof(struct guest_regs, rdx));
    DEFINE(GREG_RSI, offsetof(struct guest_regs, rsi));
    DEFINE(GREG_RDI, offsetof(struct guest_regs, rdi));
    DEFINE(GREG_RBP, offsetof(struct guest_regs, rbp));
    DEFINE(GREG_R8, offsetof(struct guest_regs, r8));
    DEFINE(GREG_R9, offsetof(struct guest_regs, r9));
    DEFINE(GREG_R10, offsetof(struct guest_regs, r10));
    DEFINE(GREG_R11, offsetof(struct guest_regs, r11));
    DEFINE(GREG_R12, offsetof(struct guest_regs, r12));
    DEFINE(GREG_R13, offsetof(struct guest_regs, r13));
    DEFINE(GREG_R14, offsetof(struct guest_regs, r14));
    DEFINE(GREG_R15, offsetof(struct guest_regs, r15));
    DEFINE(GREG_RIP, offsetof(struct guest_regs, rip));
    DEFINE(GREG_RSP, offsetof(struct guest_regs, rsp));
    DEFINE(GREG_RFLAGS, offsetof(struct guest_regs, rflags));
}
