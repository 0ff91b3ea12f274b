/* The scheduler: per-CPU run queues of vCPUs ordered by credit, time
 * slices from the LAPIC timer, weights, caps, pinning and migration
 * (see sched.c and docs/scheduler.md). */
#ifndef MICA_SCHED_H
#define MICA_SCHED_H

#include <mica/types.h>
#include <mica/credit.h>
#include <mica/spinlock.h>

struct vcpu;
struct domain;
struct vcpu_runstate_info;

/* Credit weights, as in Xen's credit scheduler. */
#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_MIN_WEIGHT     1
#define SCHED_MAX_WEIGHT     65535

#define SCHED_NO_CPU         (~0u)

/* A vCPU's scheduling state (struct vcpu's `sched`), guarded by the
 * run-queue lock of its CPU (vcpu->pcpu) unless said otherwise. */
struct sched_vcpu {
    int64_t credit;             /* ns: earned by weight, spent by running */
    uint64_t weight;            /* its part of the domain's, at the last accounting */
    /* The CPU that may still hold its hardware state (a VMCS active
     * there, its FPU registers), or SCHED_NO_CPU: no other CPU may run it
     * until that CPU has unloaded it.  Changed only by that CPU. */
    volatile unsigned int loaded_cpu;
    struct vcpu *unload_next;   /* on loaded_cpu's list of unload requests */
    bool unload_queued;         /* ... under that list's lock */
    bool yielded;               /* SCHEDOP_yield: others first, once */
    /* Runstate (Xen's RUNSTATE_*): the current one, since when, and the
     * time spent in each before that, in system time. */
    int state;
    uint64_t state_entry;
    uint64_t state_time[4];
    /* VCPUOP_register_runstate_memory_area: the guest virtual address
     * written at each schedule-in (0: none), in the 64-bit layout or the
     * 32-bit one. */
    uint64_t runstate_area;
    bool runstate_wide;
};

/* A domain's cap accounting (struct domain's `sched`). */
struct sched_domain {
    spinlock_t lock;            /* a leaf lock: nothing is taken inside it */
    struct credit_cap cap;
};

/* CPUs no vCPU but dom0's may use (bit mask). */
extern uint64_t sched_reserved_cpus;

void sched_start(void) __noreturn;   /* the BSP joins its loop */
void sched_loop(void) __noreturn;
void sched_add_vcpu(struct vcpu *v);  /* picks its CPU */
/* Forgets a vCPU of a domain being freed: it runs nowhere and is on no
 * queue; called before the backend frees its state. */
void sched_remove_vcpu(struct vcpu *v);
void vcpu_wake(struct vcpu *v);
/* Says so, and powers off with autoexit. */
void sched_all_domains_ended(void);
/* There is background work (dirty frames to scrub): idle CPUs wake up
 * to do it. */
void sched_wake_idle(void);
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
/* SCHEDOP_poll: blocks the current vCPU, with a timeout at `deadline`
 * (system time; 0: none) that ends the poll; false if an event came
 * first.  sched_poll_done() disarms the timeout however the poll ended. */
bool sched_poll_block(struct vcpu *v, uint64_t deadline);
void sched_poll_done(struct vcpu *v);

/* The CPUs vCPUs other than dom0's may run on: online and not dom0's. */
uint64_t sched_usable_cpus(void);
/* Pins v to `mask` (already checked against sched_usable_cpus()); a vCPU
 * on a CPU no longer allowed leaves it at once. */
void sched_set_affinity(struct vcpu *v, uint64_t mask);
/* v's CPU time (ns), the stint it is running now included. */
uint64_t sched_cpu_time(const struct vcpu *v);
/* d's weight or cap changed: its queued vCPUs' CPUs look again (one
 * parked by a cap that was raised may run now). */
void sched_domain_changed(struct domain *d);
/* v's runstate, with the time in its current state counted up to now. */
void sched_get_runstate(struct vcpu *v, struct vcpu_runstate_info *r);
/* The same as a guest lays it out: 48 bytes for a 64-bit guest, 44 for a
 * 32-bit one (wide false); returns the size. */
size_t sched_runstate_image(struct vcpu *v, bool wide, uint8_t out[48]);
/* Writes v's runstate to its registered area, if any; v runs here. */
void sched_runstate_area_update(struct vcpu *v);

#endif
