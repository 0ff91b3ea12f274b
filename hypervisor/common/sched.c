/* The scheduler.  Each CPU has a FIFO run queue of the vCPUs placed on it;
 * a vCPU runs until it blocks, its domain stops, or its time slice (a
 * one-shot LAPIC timer) ends, and then goes to the back of the queue.
 * Blocked vCPUs are on no queue and cost nothing until woken. */
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/event.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/time.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/traps.h>
#include <xen/xen.h>

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

/* ---- vCPU timers ------------------------------------------------------
 * Each CPU keeps the armed timers of the vCPUs placed on it, sorted by
 * deadline, under its run-queue lock.  The CPU's scheduler loop fires the
 * expired ones; its LAPIC one-shot is programmed for the earlier of the
 * time slice's end and the first deadline, and for the first deadline when
 * it idles.  dom0's dedicated CPUs never hold a timer (dom0 makes no
 * hypercalls and no xenU vCPU runs there), so mica never touches their
 * LAPIC. */
static struct vcpu *timers[MAX_CPUS];
/* The vCPU whose timer a CPU is firing, between taking it off the list and
 * waking it: sched_timer_stop waits for that, so that reaping a domain
 * cannot free a vCPU under the waker. */
static struct vcpu *firing[MAX_CPUS];

/* Takes v off its list; the list's lock is held. */
static void timer_unlink(struct vcpu *v)
{
    for (struct vcpu **pp = &timers[v->timer_cpu]; *pp; pp = &(*pp)->timer_next) {
        if (*pp == v) {
            *pp = v->timer_next;
            break;
        }
    }
    v->timer_armed = false;
}

void sched_timer_stop(struct vcpu *v)
{
    unsigned int cpu = v->timer_cpu;
    unsigned long f = spin_lock_irqsave(&rq_lock[cpu]);

    if (v->timer_armed)
        timer_unlink(v);
    spin_unlock_irqrestore(&rq_lock[cpu], f);
    while (__atomic_load_n(&firing[cpu], __ATOMIC_ACQUIRE) == v)
        cpu_relax();
}

void sched_timer_set(struct vcpu *v, uint64_t deadline)
{
    unsigned int cpu = v->pcpu;
    struct vcpu **pp;
    unsigned long f;

    sched_timer_stop(v);
    v->timer_fired = false;
    f = spin_lock_irqsave(&rq_lock[cpu]);
    for (pp = &timers[cpu]; *pp && (*pp)->timer_deadline <= deadline;
         pp = &(*pp)->timer_next)
        ;
    v->timer_deadline = deadline;
    v->timer_cpu = cpu;
    v->timer_next = *pp;
    *pp = v;
    v->timer_armed = true;
    spin_unlock_irqrestore(&rq_lock[cpu], f);
}

/* ---- SCHEDOP_poll timeouts --------------------------------------------
 * A second, rarer kind of deadline: a vCPU in SCHEDOP_poll with a timeout.
 * Each CPU keeps its pollers' deadlines in a list of their own, sorted,
 * under the same lock; expiry ends the poll (the vCPU wakes, its poll
 * returns 0).  A poller is always the current vCPU of its CPU when it
 * arms one, so the list is its CPU's. */
static struct vcpu *pollers[MAX_CPUS];

static void poll_unlink(struct vcpu *v)
{
    for (struct vcpu **pp = &pollers[v->poll_cpu]; *pp; pp = &(*pp)->poll_next) {
        if (*pp == v) {
            *pp = v->poll_next;
            break;
        }
    }
    v->poll_armed = false;
}

bool sched_poll_block(struct vcpu *v, uint64_t deadline)
{
    unsigned int cpu = v->pcpu;
    unsigned long f;

    sched_poll_done(v);         /* a deadline left from an earlier poll */
    if (deadline) {
        struct vcpu **pp;

        f = spin_lock_irqsave(&rq_lock[cpu]);
        for (pp = &pollers[cpu]; *pp && (*pp)->poll_deadline <= deadline;
             pp = &(*pp)->poll_next)
            ;
        v->poll_deadline = deadline;
        v->poll_cpu = cpu;
        v->poll_next = *pp;
        *pp = v;
        v->poll_armed = true;
        spin_unlock_irqrestore(&rq_lock[cpu], f);
    }
    vcpu_pause_flag(v, VPF_BLOCKED);
    /* An event that came between the caller's look at its ports and the
     * flag cleared `polling` and found nothing to wake: look again. */
    if (!__atomic_load_n(&v->polling, __ATOMIC_SEQ_CST)) {
        sched_poll_done(v);
        vcpu_unpause_flag(v, VPF_BLOCKED);
        return false;
    }
    return true;
}

/* Called when the poll ends, however it ended. */
void sched_poll_done(struct vcpu *v)
{
    unsigned int cpu = v->poll_cpu;
    unsigned long f = spin_lock_irqsave(&rq_lock[cpu]);

    if (v->poll_armed)
        poll_unlink(v);
    spin_unlock_irqrestore(&rq_lock[cpu], f);
    /* Wait out a firing on another CPU (reaping must not free v under
     * it); on this one, the firing is what called us. */
    while (cpu != this_cpu()->id && __atomic_load_n(&firing[cpu], __ATOMIC_ACQUIRE) == v)
        cpu_relax();
}

static void pollers_fire(struct pcpu *c)
{
    for (;;) {
        unsigned long f = spin_lock_irqsave(&rq_lock[c->id]);
        struct vcpu *v = pollers[c->id];

        if (!v || v->poll_deadline > time_system_ns()) {
            spin_unlock_irqrestore(&rq_lock[c->id], f);
            return;
        }
        pollers[c->id] = v->poll_next;
        v->poll_armed = false;
        firing[c->id] = v;
        spin_unlock_irqrestore(&rq_lock[c->id], f);
        __atomic_store_n(&v->polling, false, __ATOMIC_SEQ_CST);
        vcpu_unpause_flag(v, VPF_BLOCKED);
        __atomic_store_n(&firing[c->id], NULL, __ATOMIC_RELEASE);
    }
}

/* The first deadline on this CPU's lists, or ~0. */
static uint64_t timer_first(struct pcpu *c)
{
    unsigned long f = spin_lock_irqsave(&rq_lock[c->id]);
    uint64_t t = timers[c->id] ? timers[c->id]->timer_deadline : ~0ull;

    if (pollers[c->id] && pollers[c->id]->poll_deadline < t)
        t = pollers[c->id]->poll_deadline;
    spin_unlock_irqrestore(&rq_lock[c->id], f);
    return t;
}

/* Fires this CPU's expired timers: each marks its vCPU's timer event and
 * wakes it if it was blocked. */
static void timers_fire(struct pcpu *c)
{
    for (;;) {
        unsigned long f = spin_lock_irqsave(&rq_lock[c->id]);
        struct vcpu *v = timers[c->id];

        if (!v || v->timer_deadline > time_system_ns()) {
            spin_unlock_irqrestore(&rq_lock[c->id], f);
            return;
        }
        timers[c->id] = v->timer_next;
        v->timer_armed = false;
        /* With VIRQ_TIMER bound the event wakes it; without, the flag
         * stands for the interrupt a block or HLT waits for. */
        v->timer_fired = !v->virq_port[VIRQ_TIMER];
        firing[c->id] = v;
        spin_unlock_irqrestore(&rq_lock[c->id], f);
        if (!evtchn_send_timer(v))
            vcpu_unpause_flag(v, VPF_BLOCKED);
        __atomic_store_n(&firing[c->id], NULL, __ATOMIC_RELEASE);
    }
}

/* How long the LAPIC one-shot may wait: until `limit` ns from now, or the
 * first deadline if sooner (at least 1 us, so that it does fire). */
static uint64_t timer_wait_ns(struct pcpu *c, uint64_t limit)
{
    uint64_t first = timer_first(c), now;

    if (first == ~0ull)
        return limit;
    now = time_system_ns();
    if (first <= now + 1000)
        return 1000;
    return MIN(first - now, limit);
}

bool sched_block(struct vcpu *v)
{
    if (__atomic_exchange_n(&v->timer_fired, false, __ATOMIC_SEQ_CST))
        return false;
    vcpu_pause_flag(v, VPF_BLOCKED);
    /* A timer on another CPU's list (the vCPU was moved) may have fired
     * between the test and the flag, and found nothing to wake: look
     * again now that the flag is visible. */
    if (__atomic_exchange_n(&v->timer_fired, false, __ATOMIC_SEQ_CST)) {
        vcpu_unpause_flag(v, VPF_BLOCKED);
        return false;
    }
    return true;
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
    time_update_vcpu(v);
    if (!dedicated)
        lapic_timer_oneshot(timer_wait_ns(c, SLICE_NS));
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
        timers_fire(c);
        pollers_fire(c);
        v = rq_pop(c);
        if (!v) {
            /* Sleep until the first timer here, if any, or an IPI. */
            if ((timers[c->id] || pollers[c->id]) && !(sched_reserved_cpus & (1ull << c->id)))
                lapic_timer_oneshot(timer_wait_ns(c, 1000000000ull));
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
