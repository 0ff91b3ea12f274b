/* Each CPU's private data, reached through GS (x86) as this_cpu(). */
#ifndef MICA_PERCPU_H
#define MICA_PERCPU_H

#include <mica/types.h>
#include <asm/percpu.h>

#define MAX_CPUS 64

struct vcpu;

struct pcpu {
    struct pcpu *self;          /* must be first: this_cpu() reads it */
    unsigned int id;
    bool online;
    bool unusable;              /* came up, but cannot run domains */
    bool need_resched;
    void *stack_top;
    struct vcpu *current;       /* the vCPU running here, or NULL */
    struct vcpu *runq_head;     /* runnable vCPUs assigned to this CPU */
    uint64_t idle_ns, busy_ns;
    unsigned int nr_vcpus;      /* vCPUs placed here, for placement */
    struct pcpu_arch arch;
};

extern struct pcpu pcpus[MAX_CPUS];
extern unsigned int nr_cpus;

static inline struct pcpu *this_cpu(void)
{
    struct pcpu *p;

    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}

static inline unsigned int smp_processor_id(void)
{
    return this_cpu()->id;
}

#endif
