/* The scheduler: per-CPU run queues of vCPUs, time slices from the LAPIC
 * timer. */
#ifndef MICA_SCHED_H
#define MICA_SCHED_H

#include <mica/types.h>

struct vcpu;

/* CPUs no vCPU but dom0's may use (bit mask). */
extern uint64_t sched_reserved_cpus;

void sched_start(void) __noreturn;   /* the BSP joins its loop */
void sched_loop(void) __noreturn;
void sched_add_vcpu(struct vcpu *v);  /* picks its CPU */
void vcpu_wake(struct vcpu *v);
/* Says so, and powers off with autoexit. */
void sched_all_domains_ended(void);
/* Makes the current vCPU give up its CPU after this exit. */
void sched_yield(void);       /* queue it if it is now runnable */
void vcpu_pause_flag(struct vcpu *v, uint32_t flag);
void vcpu_unpause_flag(struct vcpu *v, uint32_t flag);

#endif
