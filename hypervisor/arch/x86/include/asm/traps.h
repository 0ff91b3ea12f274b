/* Interrupt vectors and handlers. */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <asm/regs.h>

#define VEC_DE  0
#define VEC_NMI 2
#define VEC_DF  8
#define VEC_GP  13
#define VEC_PF  14
#define VEC_MC  18

/* mica's own interrupt vectors, highest priority class on the LAPIC. */
#define VEC_TIMER    0xf0
#define VEC_RESCHED  0xf1
#define VEC_STOP     0xf2
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_t)(struct cpu_regs *regs);

void traps_init(void);              /* the IDT, once */
void cpu_tables_init(struct pcpu *c); /* GDT, TSS, IDT on this CPU */
void irq_set_handler(unsigned int vector, irq_handler_t fn);
void crash_report(const char *why, const struct cpu_regs *regs);
void backtrace(uint64_t rbp);
__noreturn void machine_stop(int code);

#endif
