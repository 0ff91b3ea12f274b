/* The scheduler.  Each CPU has a FIFO run queue of the vCPUs placed on it;
 * a vCPU runs until it blocks, its domain stops, or its time slice (a
 * one-shot LAPIC timer) ends, and then goes to the back of the queue.
 * Blocked vCPUs are on no queue and cost nothing until woken. */
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/traps.h>

#define SLICE_NS 10000000ull        /* 10 ms */

static spinlock_t rq_lock[MAX_CPUS];
uint64_t sched_reserved_cpus;
static bool autoexit;
param_bool("autoexit", autoexit);

static void rq_push(struct pcpu *c, struct vcpu *v)
{
    struct vcpu **pp = &c->runq_head;

    while (*pp)
        pp = &(*pp)->rq_next;
    v->rq_next = NULL;
    *pp = v;
    v->on_runq = true;
}

static struct vcpu *rq_pop(struct pcpu *c)
{
    unsigned long f = spin_lock_irqsave(&rq_lock[c->id]);
    struct vcpu *v = c->runq_head;

    if (v) {
        c->runq_head = v->rq_next;
        v->on_runq = false;
        v->running = true;
    }
    spin_unlock_irqrestore(&rq_lock[c->id], f);
    return v;
}

void sched_add_vcpu(struct vcpu *v)
{
    unsigned int best = 0, best_load = ~0u;

    /* dom0's vCPUs go to dom0's CPUs.  Others take the least loaded CPU
     * allowed that dom0 does not own, and the boot CPU only when nothing
     * else will do. */
    if (v->domain->is_dom0) {
        v->pcpu = (unsigned int)__builtin_ctzll(sched_reserved_cpus | (1ull << 63));
        __atomic_fetch_add(&pcpus[v->pcpu].nr_vcpus, 1, __ATOMIC_RELAXED);
        return;
    }
    for (unsigned int i = 0; i < nr_cpus; i++) {
        unsigned int load = pcpus[i].nr_vcpus + (i == 0 && nr_cpus > 1 ? 1000 : 0);

        if (!pcpus[i].online || !(v->cpu_affinity & (1ull << i)) ||
            (sched_reserved_cpus & (1ull << i)))
            continue;
        if (load < best_load) {
            best = i;
            best_load = load;
        }
    }
    v->pcpu = best;
    __atomic_fetch_add(&pcpus[best].nr_vcpus, 1, __ATOMIC_RELAXED);
}

void vcpu_wake(struct vcpu *v)
{
    struct pcpu *c = &pcpus[v->pcpu];
    unsigned long f = spin_lock_irqsave(&rq_lock[c->id]);
    bool queued = false;

    if (!v->pause_flags && !v->on_runq && !v->running) {
        rq_push(c, v);
        queued = true;
    }
    spin_unlock_irqrestore(&rq_lock[c->id], f);
    if (queued && c != this_cpu())
        lapic_send_ipi(c->arch.apic_id, VEC_RESCHED);
}

void vcpu_pause_flag(struct vcpu *v, uint32_t flag)
{
    __atomic_fetch_or(&v->pause_flags, flag, __ATOMIC_SEQ_CST);
    /* A vCPU running elsewhere leaves the guest at the IPI. */
    if (v->running && v->pcpu != this_cpu()->id)
        lapic_send_ipi(pcpus[v->pcpu].arch.apic_id, VEC_RESCHED);
}

void vcpu_unpause_flag(struct vcpu *v, uint32_t flag)
{
    if (!(__atomic_and_fetch(&v->pause_flags, ~flag, __ATOMIC_SEQ_CST)))
        vcpu_wake(v);
}

void sched_all_domains_ended(void)
{
    static bool said;

    /* Two CPUs can reap the last two domains at once: say it once. */
    if (__atomic_exchange_n(&said, true, __ATOMIC_SEQ_CST))
        return;
    if (autoexit) {
        printk("All domains have ended; powering off (autoexit).\n");
        machine_stop(0);
    }
    printk("All domains have ended; mica is idle.\n");
}

/* Runs v until it must give up the CPU. */
static void run_vcpu(struct pcpu *c, struct vcpu *v)
{
    uint64_t start = now_ns();
    unsigned long f;
    bool keep;
    /* dom0's CPU is its own: the LAPIC and every interrupt are dom0's, so
     * mica neither arms a time slice there nor opens an interrupt window
     * (an interrupt for dom0 would land in mica's IDT). */
    bool dedicated = v->domain->is_dom0;

    c->current = v;
    c->need_resched = false;
    if (!dedicated)
        lapic_timer_oneshot(SLICE_NS);
    do {
        uint64_t now;

        hvm_ops->run(v, &v->exit);
        /* Take the interrupt that ended the guest's run, if any. */
        if (!dedicated)
            local_irq_window();
        keep = hvm_handle_exit(v, &v->exit);
        /* Account as we go: a dedicated vCPU never leaves this loop. */
        now = now_ns();
        v->cpu_time_ns += now - start;
        c->busy_ns += now - start;
        start = now;
    } while (keep && !c->need_resched);
    if (!dedicated)
        lapic_timer_stop();
    c->current = NULL;

    f = spin_lock_irqsave(&rq_lock[c->id]);
    v->running = false;
    if (!v->pause_flags)
        rq_push(c, v);
    spin_unlock_irqrestore(&rq_lock[c->id], f);
}

void sched_yield(void)
{
    this_cpu()->need_resched = true;
}

void sched_loop(void)
{
    struct pcpu *c = this_cpu();

    for (;;) {
        struct vcpu *v;

        local_irq_disable();
        v = rq_pop(c);
        if (!v) {
            safe_halt();
            continue;
        }
        if (!v->pause_flags)
            run_vcpu(c, v);
        else
            v->running = false;
        if ((v->pause_flags & VPF_DEAD) &&
            (!v->domain->toolstack || v->domain->destroying)) {
            if (domain_reap(v->domain) && domains_alive() == 0)
                sched_all_domains_ended();
        }
    }
}

void sched_start(void)
{
    local_irq_enable();
    sched_loop();
}
