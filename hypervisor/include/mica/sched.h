/* The scheduler: per-CPU run queues of vCPUs, time slices from the LAPIC
 * timer. */
#ifndef MICA_SCHED_H
#define MICA_SCHED_H

#include <mica/types.h>

struct vcpu;

/* Credit weights, as in Xen's credit scheduler. */
#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_MIN_WEIGHT     1
#define SCHED_MAX_WEIGHT     65535

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
/* Arms the vCPU's single-shot timer for `deadline` (pvclock system time,
 * ns; one in the past fires at once), or disarms it. */
void sched_timer_set(struct vcpu *v, uint64_t deadline);
void sched_timer_stop(struct vcpu *v);
/* Blocks the current vCPU (HLT, SCHEDOP_block) until its timer fires,
 * unless it already has: then clears that and returns false. */
bool sched_block(struct vcpu *v);
void vcpu_unpause_flag(struct vcpu *v, uint32_t flag);
bool sched_poll_block(struct vcpu *v, uint64_t deadline);
void sched_poll_done(struct vcpu *v);

#endif
