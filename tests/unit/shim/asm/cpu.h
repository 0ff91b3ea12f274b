/* Host stand-in for hypervisor/arch/x86/include/asm/cpu.h, found first on
 * the unit tests' include path.  The real header executes cli/sti, which
 * would fault in a user process; here the interrupt flag is a variable, so
 * a test can also check that every irqsave is matched by a restore. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <mica/types.h>

#define X86_RFLAGS_IF (1u << 9)

/* The simulated RFLAGS.IF lives in shim/shim.c. */
extern unsigned long shim_rflags;

static inline void local_irq_enable(void)  { shim_rflags |= X86_RFLAGS_IF; }
static inline void local_irq_disable(void) { shim_rflags &= ~(unsigned long)X86_RFLAGS_IF; }
static inline void cpu_relax(void)         { }

static inline unsigned long local_irq_save(void)
{
    unsigned long f = shim_rflags;

    local_irq_disable();
    return f;
}

static inline void local_irq_restore(unsigned long f)
{
    if (f & X86_RFLAGS_IF)
        local_irq_enable();
}

#endif
