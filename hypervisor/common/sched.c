/* The scheduler: a credit scheduler in the manner of Xen's.
 *
 * Each CPU has a run queue of the vCPUs placed on it.  A vCPU earns credit
 * while it wants a CPU, in proportion to its weight among the vCPUs that
 * want the same CPU, and spends it while it runs (credit.h has the
 * arithmetic).  A CPU runs the queued vCPU with the most credit, so those
 * with credit (UNDER) go before those in debt (OVER) and equals take
 * turns, until it blocks, its time slice (a one-shot LAPIC timer) ends, or
 * another CPU needs this one's attention.  Credit is bounded both ways, so
 * a vCPU that slept long does not come back to own the CPU.  A capped
 * domain may use its cap's part of each accounting period; past it, its
 * vCPUs stay queued but are passed over ("parked") until the next period.
 * Blocked vCPUs are on no queue and cost nothing until woken.
 *
 * vCPUs move between CPUs: one that wakes while its CPU is busy goes to an
 * idle CPU its affinity allows; an idle CPU takes a waiting vCPU from a
 * busy one; a vCPU pinned away from its CPU leaves it at once.  Hardware
 * state goes first: only the CPU that last ran a vCPU can put its state
 * back in memory (a VMCS is VMCLEARed where it is active, SDM 25.11.1), so
 * a CPU that wants to run a vCPU still loaded elsewhere asks that CPU to
 * unload it (the unload requests below) and runs something else, or
 * halts, until that CPU says it is done.
 *
 * dom0's CPUs (sched_reserved_cpus) are dom0's alone: its vCPU never
 * leaves the guest there, no other vCPU goes there, and mica never arms
 * their LAPIC timers.
 *
 * Locking: a CPU's run-queue lock guards its queue, its timer list, and
 * the scheduling state (pcpu, on_runq, running, sched) of the vCPUs
 * placed on it.  v->pcpu changes only under the old CPU's lock, so
 * lock_vcpu() reads it, locks, and checks it again.  No code holds two
 * run-queue locks at once: a vCPU between two queues keeps on_runq set,
 * and then nothing but its mover queues it.  The unload-request locks and
 * a domain's cap lock are leaves, taken inside a run-queue lock. */
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/credit.h>
#include <mica/domain.h>
#include <mica/event.h>
#include <mica/frame.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <mica/time.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/dom0.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/traps.h>
#include <xen/vcpu.h>
#include <xen/xen.h>

#define SLICE_NS      10000000ull       /* 10 ms */
/* The shortest slice: what a capped domain gets for the last of its
 * budget (carried over if it overshoots, credit.h). */
#define MIN_SLICE_NS    100000ull
#define CPU_BIT(c)    (1ull << (c))
/* Frames an idle CPU zeroes before it looks for work again, and how long
 * after a domain's end it starts (sched_wake_idle). */
#define SCRUB_BATCH   16
#define SCRUB_DELAY_NS 10000000ull

static spinlock_t rq_lock[MAX_CPUS];
uint64_t sched_reserved_cpus;
/* CPUs halted in the scheduler with nothing to run: a woken vCPU whose
 * own CPU is busy goes to one of these. */
static volatile uint64_t idle_cpus;
/* When each CPU last shared out its time; only that CPU touches it. */
static uint64_t acct_ns[MAX_CPUS];
/* Each CPU's unload requests: vCPUs whose state it holds that another CPU
 * wants to run. */
static spinlock_t unload_lock[MAX_CPUS];
static struct vcpu *unloads[MAX_CPUS];
static bool autoexit;
param_bool("autoexit", autoexit);

/* Xen's sched=: mica has its credit scheduler only. */
static int parse_sched(const char *v)
{
    if (strcmp(v, "credit"))
        pr_warn("sched=%s: mica has only the credit scheduler; using it\n", v);
    return 0;
}
param_custom("sched", parse_sched);

/* ---- CPUs and placement ---------------------------------------------- */

uint64_t sched_usable_cpus(void)
{
    uint64_t m = 0;

    for (unsigned int i = 0; i < nr_cpus; i++)
        if (pcpus[i].online && !(sched_reserved_cpus & CPU_BIT(i)))
            m |= CPU_BIT(i);
    return m;
}

/* Where v may run: its affinity among the usable CPUs, or any of them if
 * the affinity names none (a cpus= beyond this machine).  dom0's vCPUs
 * stay where they are. */
static uint64_t allowed_cpus(const struct vcpu *v)
{
    uint64_t usable, m;

    if (v->domain->is_dom0)
        return CPU_BIT(v->pcpu);
    usable = sched_usable_cpus();
    m = v->cpu_affinity & usable;
    if (m)
        return m;
    return usable ? usable : CPU_BIT(v->pcpu);
}

/* Called with v's CPU's lock held, or for a vCPU nobody else can reach. */
static void set_pcpu(struct vcpu *v, unsigned int cpu)
{
    __atomic_fetch_sub(&pcpus[v->pcpu].nr_vcpus, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&pcpus[cpu].nr_vcpus, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&v->pcpu, cpu, __ATOMIC_RELEASE);
}

/* Whether CPU i has nothing to do: halted idle, or in its scheduler loop
 * with an empty queue (a timer it fired is waking someone).  A guess. */
static bool cpu_free(unsigned int i)
{
    return (__atomic_load_n(&idle_cpus, __ATOMIC_RELAXED) & CPU_BIT(i)) ||
           (!pcpus[i].current && !pcpus[i].runq_head);
}

/* Where a vCPU that is about to queue should go: its own CPU if allowed
 * and free; else an idle CPU it may use; else its own if allowed; else
 * the allowed CPU with the fewest vCPUs. */
static unsigned int pick_cpu(const struct vcpu *v)
{
    uint64_t allowed = allowed_cpus(v);
    uint64_t idle = __atomic_load_n(&idle_cpus, __ATOMIC_RELAXED) & allowed;
    unsigned int p = v->pcpu, best = p, best_load = ~0u;

    if ((allowed & CPU_BIT(p)) && (!idle || cpu_free(p)))
        return p;
    if (idle)
        return (unsigned int)__builtin_ctzll(idle);
    for (uint64_t m = allowed; m; m &= m - 1) {
        unsigned int i = (unsigned int)__builtin_ctzll(m);

        if (pcpus[i].nr_vcpus < best_load) {
            best = i;
            best_load = pcpus[i].nr_vcpus;
        }
    }
    return best;
}

static void kick(unsigned int cpu)
{
    if (cpu != this_cpu()->id)
        lapic_send_ipi(pcpus[cpu].arch.apic_id, VEC_RESCHED);
}

static void kick_mask(uint64_t m)
{
    for (; m; m &= m - 1)
        kick((unsigned int)__builtin_ctzll(m));
}

/* Locks the run queue v is on (or would be); returns with v->pcpu stable. */
static unsigned long lock_vcpu(struct vcpu *v, unsigned int *cpu)
{
    for (;;) {
        unsigned int c = __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE);
        unsigned long f = spin_lock_irqsave(&rq_lock[c]);

        if (v->pcpu == c) {
            *cpu = c;
            return f;
        }
        spin_unlock_irqrestore(&rq_lock[c], f);
    }
}

void sched_add_vcpu(struct vcpu *v)
{
    unsigned int best = 0, best_load = ~0u;

    v->sched.loaded_cpu = SCHED_NO_CPU;
    v->sched.state = RUNSTATE_offline;
    v->sched.state_entry = time_system_ns();
    /* dom0's vCPUs go to dom0's CPUs.  Others take the least loaded CPU
     * allowed that dom0 does not own, and the boot CPU only when nothing
     * else will do. */
    if (v->domain->is_dom0) {
        uint64_t m = sched_reserved_cpus;

        /* vCPU n on the n-th of them (dom0_smp.c). */
        for (unsigned int k = 0; k < v->id && m; k++)
            m &= m - 1;
        v->pcpu = (unsigned int)__builtin_ctzll(m | (1ull << 63));
        __atomic_fetch_add(&pcpus[v->pcpu].nr_vcpus, 1, __ATOMIC_RELAXED);
        return;
    }
    for (unsigned int i = 0; i < nr_cpus; i++) {
        unsigned int load = pcpus[i].nr_vcpus + (i == 0 && nr_cpus > 1 ? 1000 : 0);

        if (!pcpus[i].online || !(v->cpu_affinity & CPU_BIT(i)) ||
            (sched_reserved_cpus & CPU_BIT(i)))
            continue;
        if (load < best_load) {
            best = i;
            best_load = load;
        }
    }
    v->pcpu = best;
    __atomic_fetch_add(&pcpus[best].nr_vcpus, 1, __ATOMIC_RELAXED);
}

/* ---- Runstate ---------------------------------------------------------- */

/* What a vCPU that is not running is doing, by why it stopped. */
static int flags_state(uint32_t flags)
{
    if (flags & (VPF_DOWN | VPF_PAUSED | VPF_DEAD))
        return RUNSTATE_offline;
    if (flags & VPF_BLOCKED)
        return RUNSTATE_blocked;
    return RUNSTATE_runnable;
}

/* Under v's CPU's lock.  Entry times never go back, so that the four
 * sums add up to the time since the vCPU was made. */
static void runstate_set(struct vcpu *v, int state, uint64_t now)
{
    struct sched_vcpu *s = &v->sched;

    if (s->state == state)
        return;
    if (now < s->state_entry)
        now = s->state_entry;
    s->state_time[s->state] += now - s->state_entry;
    s->state = state;
    s->state_entry = now;
}

void sched_get_runstate(struct vcpu *v, struct vcpu_runstate_info *r)
{
    unsigned int p;
    unsigned long f = lock_vcpu(v, &p);
    uint64_t now = time_system_ns();

    memset(r, 0, sizeof(*r));
    r->state = v->sched.state;
    r->state_entry_time = v->sched.state_entry;
    for (int i = 0; i < 4; i++)
        r->time[i] = v->sched.state_time[i];
    if (now > r->state_entry_time)
        r->time[r->state] += now - r->state_entry_time;
    spin_unlock_irqrestore(&rq_lock[p], f);
}

size_t sched_runstate_image(struct vcpu *v, bool wide, uint8_t out[48])
{
    struct vcpu_runstate_info r;

    sched_get_runstate(v, &r);
    if (wide) {
        memcpy(out, &r, sizeof(r));
        return sizeof(r);
    }
    /* i386 aligns uint64_t to 4 bytes: no hole after `state`. */
    memcpy(out, &r.state, 4);
    memcpy(out + 4, &r.state_entry_time, 8);
    memcpy(out + 12, r.time, sizeof(r.time));
    return 44;
}

/* As in Xen, an address that does not map is the guest's loss: nothing is
 * written and nothing is said. */
void sched_runstate_area_update(struct vcpu *v)
{
    uint8_t img[48];
    size_t n;

    if (!v->sched.runstate_area)
        return;
    n = sched_runstate_image(v, v->sched.runstate_wide, img);
    (void)copy_to_guest(v, v->sched.runstate_area, img, n);
}

/* ---- Run queues ---------------------------------------------------------- */

static void rq_link(struct pcpu *c, struct vcpu *v)
{
    struct vcpu **pp = &c->runq_head;

    while (*pp)
        pp = &(*pp)->rq_next;
    v->rq_next = NULL;
    *pp = v;
    v->on_runq = true;
}

/* Queues a vCPU that is between two queues (on_runq set, on no list) on
 * the CPU it was given, and wakes that CPU. */
static void enqueue_moved(struct vcpu *v)
{
    unsigned int t;
    unsigned long f = lock_vcpu(v, &t);

    rq_link(&pcpus[t], v);
    spin_unlock_irqrestore(&rq_lock[t], f);
    kick(t);
}

/* ---- Credit and caps ----------------------------------------------------- */

/* How many of d's vCPUs want a CPU: its weight is shared among them. */
static unsigned int active_vcpus(const struct domain *d)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        const struct vcpu *w = d->vcpus[i];

        if (w && (w->running || !w->pause_flags))
            n++;
    }
    return n;
}

/* Shares the time since this CPU last did so among the vCPUs that wanted
 * it: those queued here and `ran`, which had the CPU and used `used` of
 * it.  Under c's lock. */
static void account(struct pcpu *c, struct vcpu *ran, uint64_t used, uint64_t now)
{
    uint64_t delta = now > acct_ns[c->id] ? now - acct_ns[c->id] : 0, sum = 0;
    struct vcpu *v;

    acct_ns[c->id] = now;
    if (ran) {
        ran->sched.weight = credit_vcpu_weight(ran->domain->weight, active_vcpus(ran->domain));
        sum += ran->sched.weight;
    }
    for (v = c->runq_head; v; v = v->rq_next) {
        if (v->pause_flags)
            continue;
        v->sched.weight = credit_vcpu_weight(v->domain->weight, active_vcpus(v->domain));
        sum += v->sched.weight;
    }
    if (ran) {
        int64_t spent = (int64_t)MIN(used, CREDIT_MAX_SHARE_NS);

        ran->sched.credit = credit_clamp(ran->sched.credit - spent +
                                         (int64_t)credit_share(delta, ran->sched.weight, sum));
    }
    for (v = c->runq_head; v; v = v->rq_next)
        if (!v->pause_flags)
            v->sched.credit = credit_clamp(v->sched.credit +
                                           (int64_t)credit_share(delta, v->sched.weight, sum));
}

/* What d may still run in this period (~0: no cap); *next: when the next
 * period begins. */
static uint64_t cap_left(struct domain *d, uint64_t now, uint64_t *next)
{
    unsigned long f;
    uint64_t left;

    if (!d->cap)
        return ~0ull;
    f = spin_lock_irqsave(&d->sched.lock);
    left = credit_cap_left(&d->sched.cap, now, credit_cap_budget(d->cap));
    if (next)
        *next = credit_cap_next_period(&d->sched.cap);
    spin_unlock_irqrestore(&d->sched.lock, f);
    return left;
}

static void cap_charge(struct domain *d, uint64_t start, uint64_t ns)
{
    unsigned long f;

    if (!d->cap)
        return;
    f = spin_lock_irqsave(&d->sched.lock);
    credit_cap_charge(&d->sched.cap, start, ns, credit_cap_budget(d->cap));
    spin_unlock_irqrestore(&d->sched.lock, f);
}

/* ---- Unloading: moving a vCPU's state off the CPU that holds it --------- */

/* Asks CPU o, which holds v's state, to unload it; the caller kicks o. */
static void request_unload(struct vcpu *v, unsigned int o)
{
    unsigned long f = spin_lock_irqsave(&unload_lock[o]);

    if (!v->sched.unload_queued) {
        v->sched.unload_next = unloads[o];
        unloads[o] = v;
        v->sched.unload_queued = true;
    }
    spin_unlock_irqrestore(&unload_lock[o], f);
}

/* Unloads what was asked of this CPU and kicks the CPUs that wait for it.
 * The lock is held throughout, so that sched_remove_vcpu() cannot free a
 * vCPU under us. */
static void unloads_service(struct pcpu *c)
{
    uint64_t kicks = 0;
    struct vcpu *v;
    unsigned long f;

    if (!__atomic_load_n(&unloads[c->id], __ATOMIC_ACQUIRE))
        return;
    f = spin_lock_irqsave(&unload_lock[c->id]);
    while ((v = unloads[c->id])) {
        unloads[c->id] = v->sched.unload_next;
        v->sched.unload_queued = false;
        if (v->sched.loaded_cpu == c->id) {
            hvm_ops->vcpu_unload(v);
            __atomic_store_n(&v->sched.loaded_cpu, SCHED_NO_CPU, __ATOMIC_RELEASE);
        }
        kicks |= CPU_BIT(v->pcpu);
    }
    spin_unlock_irqrestore(&unload_lock[c->id], f);
    kick_mask(kicks);
}

/* Unloads a vCPU this CPU just ran and that will not run here next. */
static void unload_here(struct vcpu *v)
{
    hvm_ops->vcpu_unload(v);
    __atomic_store_n(&v->sched.loaded_cpu, SCHED_NO_CPU, __ATOMIC_RELEASE);
}

void sched_remove_vcpu(struct vcpu *v)
{
    unsigned int o = v->sched.loaded_cpu;

    if (o != SCHED_NO_CPU) {
        unsigned long f = spin_lock_irqsave(&unload_lock[o]);

        if (v->sched.unload_queued) {
            for (struct vcpu **pp = &unloads[o]; *pp; pp = &(*pp)->sched.unload_next) {
                if (*pp == v) {
                    *pp = v->sched.unload_next;
                    break;
                }
            }
            v->sched.unload_queued = false;
        }
        spin_unlock_irqrestore(&unload_lock[o], f);
    }
    __atomic_fetch_sub(&pcpus[v->pcpu].nr_vcpus, 1, __ATOMIC_RELAXED);
}

/* ---- Waking, stopping, pinning ------------------------------------------- */

void vcpu_wake(struct vcpu *v)
{
    unsigned int p, t;
    unsigned long f = lock_vcpu(v, &p);
    bool queued = false, moved = false;

    if (!v->pause_flags && !v->running) {
        runstate_set(v, RUNSTATE_runnable, time_system_ns());
        /* One still queued from before it stopped simply stays. */
        if (!v->on_runq) {
            t = pick_cpu(v);
            if (t == p) {
                rq_link(&pcpus[p], v);
                queued = true;
            } else {
                v->on_runq = true;
                set_pcpu(v, t);
                moved = true;
            }
        }
    }
    spin_unlock_irqrestore(&rq_lock[p], f);
    if (moved)
        enqueue_moved(v);
    else if (queued)
        kick(p);
}

void vcpu_pause_flag(struct vcpu *v, uint32_t flag)
{
    unsigned int p;
    unsigned long f;

    __atomic_fetch_or(&v->pause_flags, flag, __ATOMIC_SEQ_CST);
    if (v->running) {
        /* Its runstate changes when it leaves the CPU; one running
         * elsewhere leaves the guest at the IPI. */
        if (v->pcpu != this_cpu()->id)
            lapic_send_ipi(pcpus[v->pcpu].arch.apic_id, VEC_RESCHED);
        return;
    }
    f = lock_vcpu(v, &p);
    if (!v->running)
        runstate_set(v, flags_state(v->pause_flags), time_system_ns());
    spin_unlock_irqrestore(&rq_lock[p], f);
}

void vcpu_unpause_flag(struct vcpu *v, uint32_t flag)
{
    uint32_t left = __atomic_and_fetch(&v->pause_flags, ~flag, __ATOMIC_SEQ_CST);
    unsigned int p;
    unsigned long f;

    if (!left) {
        vcpu_wake(v);
        return;
    }
    /* Still stopped, perhaps for a different reason now (paused and
     * blocked, then unpaused: blocked). */
    if (v->running || flags_state(left) == flags_state(left | flag))
        return;
    f = lock_vcpu(v, &p);
    if (!v->running)
        runstate_set(v, flags_state(v->pause_flags), time_system_ns());
    spin_unlock_irqrestore(&rq_lock[p], f);
}

void sched_set_affinity(struct vcpu *v, uint64_t mask)
{
    unsigned int p;
    unsigned long f = lock_vcpu(v, &p);
    bool resched = false;

    v->cpu_affinity = mask;
    if (!(allowed_cpus(v) & CPU_BIT(p))) {
        /* One running or queued there leaves at that CPU's next decision,
         * which the kick brings now; one that waits will wake where it may
         * run. */
        if (v->running || v->on_runq)
            resched = true;
        else
            set_pcpu(v, pick_cpu(v));
    }
    spin_unlock_irqrestore(&rq_lock[p], f);
    if (resched && p == this_cpu()->id)
        this_cpu()->need_resched = true;
    else if (resched)
        kick(p);
}

/* Between two exits the time is not yet in cpu_time_ns: run_start_ns says
 * since when it is owed (0: not in the guest).  run_vcpu() moves
 * run_start_ns before it adds to cpu_time_ns, and this reads them the
 * other way round, so a race undercounts for a moment but never counts
 * an interval twice. */
uint64_t sched_cpu_time(const struct vcpu *v)
{
    uint64_t t = __atomic_load_n(&v->cpu_time_ns, __ATOMIC_ACQUIRE);
    uint64_t s = __atomic_load_n(&v->run_start_ns, __ATOMIC_ACQUIRE), now = now_ns();

    return t + (s && now > s ? now - s : 0);
}

void sched_domain_changed(struct domain *d)
{
    uint64_t cpus = 0;

    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];

        if (v && v->on_runq)
            cpus |= CPU_BIT(v->pcpu);
    }
    kick_mask(cpus);
}

/* ---- vCPU timers ------------------------------------------------------
 * Each CPU keeps the armed timers of the vCPUs placed on it, sorted by
 * deadline, under its run-queue lock.  The CPU's scheduler loop fires the
 * expired ones; its LAPIC one-shot is programmed for the earlier of the
 * time slice's end and the first deadline, and for the first deadline when
 * it idles.  A timer stays on the list it was armed on when its vCPU
 * moves.  dom0's dedicated CPUs never hold a timer (dom0 makes no
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

/* Disarms the poll's deadline, if armed (an event ended the poll). */
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

/* ---- Choosing and running -------------------------------------------------- */

/* What a pass over a run queue found besides its choice. */
struct pick {
    struct vcpu *away;          /* taken off to go elsewhere (via rq_next) */
    uint64_t unload_kicks;      /* CPUs asked to unload a vCPU */
    uint64_t unpark;            /* when the first parked vCPU may run */
    uint64_t waiting;           /* CPUs the vCPUs left waiting may use */
    struct domain *reap;        /* a stopped domain whose vCPU left the queue */
};

/* Whether v may run now as far as its domain's cap goes. */
static bool cap_allows(struct vcpu *v, uint64_t now, uint64_t *unpark)
{
    uint64_t next;

    if (!v->domain->cap || cap_left(v->domain, now, &next))
        return true;
    *unpark = MIN(*unpark, next);
    return false;
}

/* Chooses what CPU c runs next: the queued vCPU with the most credit among
 * those it may run now (one that yielded only if there is no other).  On
 * the way it lets go of vCPUs that stopped while queued, sends away those
 * pinned elsewhere, and asks for the state of those still loaded on
 * another CPU.  Under c's lock. */
static struct vcpu *pick(struct pcpu *c, uint64_t now, struct pick *r)
{
    struct vcpu **pp = &c->runq_head, **best = NULL, **yielder = NULL, *v;
    uint64_t waiting = 0;
    unsigned int eligible = 0;

    while ((v = *pp)) {
        if (v->pause_flags) {
            struct domain *d = v->domain;
            bool dead = (v->pause_flags & VPF_DEAD) && (!d->toolstack || d->destroying);

            /* Held before it leaves the queue: from then on another CPU
             * may find the domain idle and free it. */
            if (dead)
                domain_reap_hold(d);
            *pp = v->rq_next;
            v->on_runq = false;
            runstate_set(v, flags_state(v->pause_flags), now);
            if (dead) {
                /* Its domain may be freed now: that is done unlocked. */
                r->reap = d;
                return NULL;
            }
            continue;
        }
        if (!(allowed_cpus(v) & CPU_BIT(c->id))) {
            *pp = v->rq_next;
            set_pcpu(v, pick_cpu(v));   /* on_runq stays set while it moves */
            v->rq_next = r->away;
            r->away = v;
            continue;
        }
        pp = &v->rq_next;
    }
    /* The most credit wins; the first of equals, so that queue order
     * makes them take turns. */
    for (pp = &c->runq_head; (v = *pp); pp = &v->rq_next) {
        unsigned int lc = v->sched.loaded_cpu;

        if (lc != SCHED_NO_CPU && lc != c->id) {
            request_unload(v, lc);
            r->unload_kicks |= CPU_BIT(lc);
            continue;
        }
        if (!cap_allows(v, now, &r->unpark))
            continue;
        eligible++;
        waiting |= allowed_cpus(v);
        if (v->sched.yielded) {
            if (!yielder)
                yielder = pp;
        } else if (!best || v->sched.credit > (*best)->sched.credit) {
            best = pp;
        }
    }
    if (!best)
        best = yielder;
    if (!best)
        return NULL;
    v = *best;
    *best = v->rq_next;
    v->on_runq = false;
    v->running = true;
    v->sched.loaded_cpu = c->id;
    runstate_set(v, RUNSTATE_running, now);
    c->current = v;
    /* Those that yielded have given way once, as asked. */
    if (yielder)
        for (struct vcpu *w = c->runq_head; w; w = w->rq_next)
            w->sched.yielded = false;
    v->sched.yielded = false;
    if (eligible > 1)
        r->waiting = waiting;
    return v;
}

/* What a pass leaves to do once the lock is dropped. */
static void settle(struct pcpu *c, struct pick *r)
{
    uint64_t idle;

    while (r->away) {
        struct vcpu *v = r->away;

        r->away = v->rq_next;
        enqueue_moved(v);
    }
    kick_mask(r->unload_kicks);
    /* Others wait here: an idle CPU they may use takes one (steal()). */
    idle = __atomic_load_n(&idle_cpus, __ATOMIC_RELAXED) & r->waiting & ~CPU_BIT(c->id);
    if (idle)
        kick((unsigned int)__builtin_ctzll(idle));
}

/* An idle CPU takes the waiting vCPU with the most credit from a busy
 * CPU's queue, if its affinity allows; true if it took one. */
static bool steal(struct pcpu *c)
{
    uint64_t now, unpark = ~0ull;

    if (sched_reserved_cpus & CPU_BIT(c->id))
        return false;
    now = time_system_ns();
    for (unsigned int i = 1; i < nr_cpus; i++) {
        unsigned int o = (c->id + i) % nr_cpus;
        struct pcpu *oc = &pcpus[o];
        struct vcpu **pp, **best = NULL, *v = NULL;
        unsigned long f;

        if ((sched_reserved_cpus & CPU_BIT(o)) || !oc->current || !oc->runq_head)
            continue;
        f = spin_lock_irqsave(&rq_lock[o]);
        for (pp = &oc->runq_head; *pp; pp = &(*pp)->rq_next) {
            struct vcpu *w = *pp;

            if (w->pause_flags || !(allowed_cpus(w) & CPU_BIT(c->id)) ||
                !cap_allows(w, now, &unpark))
                continue;
            if (!best || w->sched.credit > (*best)->sched.credit)
                best = pp;
        }
        if (best) {
            v = *best;
            *best = v->rq_next;
            set_pcpu(v, c->id);         /* on_runq stays set while it moves */
        }
        spin_unlock_irqrestore(&rq_lock[o], f);
        if (v) {
            enqueue_moved(v);
            return true;
        }
    }
    return false;
}

/* When idle CPUs may scrub: 10 ms after a domain's end, so that the
 * scrubber does not compete with the toolstack finishing its destroy.
 * Under QEMU's -icount, where all CPUs share one clock, it would otherwise
 * be counted in `xm destroy` or not, by the luck of QEMU's round robin. */
static uint64_t scrub_from;

void sched_wake_idle(void)
{
    uint64_t idle = __atomic_load_n(&idle_cpus, __ATOMIC_RELAXED);

    __atomic_store_n(&scrub_from, time_system_ns() + SCRUB_DELAY_NS, __ATOMIC_RELAXED);
    /* They set their timers for it. */
    kick_mask(idle & ~CPU_BIT(this_cpu()->id));
}

/* Nothing to run: zero a few dirty frames (frame.c) and go back to look
 * for work, which bounds how long a woken vCPU waits to a batch (64 KiB of
 * stores, a few microseconds); with nothing to zero, halt until an IPI,
 * the first timer here, the end of a cap's period, or scrub_from. */
static void idle(struct pcpu *c, uint64_t unpark)
{
    bool own = !(sched_reserved_cpus & CPU_BIT(c->id));
    uint64_t look = 0;

    /* A CPU of dom0's whose vCPU Linux has not started yet looks at the
     * wakeup mailbox now and then (dom0_smp.c). */
    if (!own && dom0_cpu_idle(c->id, &look))
        return;
    if (!own && look)
        lapic_timer_oneshot(look);
    if (own) {
        uint64_t limit = 1000000000ull, now = time_system_ns();
        uint64_t from = __atomic_load_n(&scrub_from, __ATOMIC_RELAXED);
        bool later = frame_dirty_count() && now < from;

        if (!later && frame_scrub(SCRUB_BATCH)) {
            local_irq_window();
            return;
        }
        if (unpark != ~0ull)
            limit = unpark > now + 1000 ? MIN(unpark - now, limit) : 1000;
        if (later)
            limit = MIN(limit, MAX(from - now, 1000ull));
        if (timers[c->id] || pollers[c->id] || unpark != ~0ull || later)
            lapic_timer_oneshot(timer_wait_ns(c, limit));
        __atomic_fetch_or(&idle_cpus, CPU_BIT(c->id), __ATOMIC_SEQ_CST);
    }
    safe_halt();
    if (own) {
        local_irq_disable();
        __atomic_fetch_and(&idle_cpus, ~CPU_BIT(c->id), __ATOMIC_SEQ_CST);
        /* Time nobody wanted is nobody's credit. */
        acct_ns[c->id] = time_system_ns();
    }
}

/* Runs v until it must give up the CPU; returns its domain, held
 * (domain_reap_hold) for the caller's domain_reap, which frees it if it
 * has stopped for good and no other vCPU of it runs. */
static struct domain *run_vcpu(struct pcpu *c, struct vcpu *v)
{
    struct domain *d = v->domain;
    uint64_t start = now_ns(), sys_start = time_system_ns(), slice = SLICE_NS, end;
    unsigned long f;
    bool keep, leave, moved = false;
    /* dom0's CPU is its own: the LAPIC and every interrupt are dom0's, so
     * mica neither arms a time slice there nor opens an interrupt window
     * (an interrupt for dom0 would land in mica's IDT). */
    bool dedicated = d->is_dom0;

    c->current = v;
    c->need_resched = false;
    __atomic_store_n(&v->run_start_ns, start, __ATOMIC_RELEASE);
    time_update_vcpu(v);
    sched_runstate_area_update(v);
    if (!dedicated) {
        if (d->cap)
            slice = MAX(MIN(slice, cap_left(d, sys_start, NULL)), MIN_SLICE_NS);
        lapic_timer_oneshot(timer_wait_ns(c, slice));
    }
    do {
        uint64_t now;

        hvm_ops->run(v, &v->exit);
        /* Take the interrupt that ended the guest's run, if any. */
        if (!dedicated)
            local_irq_window();
        keep = hvm_handle_exit(v, &v->exit);
        /* Account as we go: a dedicated vCPU never leaves this loop. */
        now = now_ns();
        __atomic_store_n(&v->run_start_ns, now, __ATOMIC_RELEASE);
        __atomic_store_n(&v->cpu_time_ns, v->cpu_time_ns + (now - start), __ATOMIC_RELEASE);
        c->busy_ns += now - start;
        start = now;
    } while (keep && !c->need_resched);
    __atomic_store_n(&v->run_start_ns, 0, __ATOMIC_RELEASE);
    if (!dedicated)
        lapic_timer_stop();
    c->current = NULL;

    end = time_system_ns();
    cap_charge(d, sys_start, end - sys_start);
    /* Pinned away from here: its state goes back to memory now, while
     * no other CPU can run it. */
    leave = !(allowed_cpus(v) & CPU_BIT(c->id));
    if (leave)
        unload_here(v);
    f = spin_lock_irqsave(&rq_lock[c->id]);
    account(c, v, end - sys_start, end);
    /* Once v is not running, another CPU may free d (domain_reap): hold
     * it first.  vcpu_pause_flag sets a flag, then reads running; we
     * clear running, then read the flags: the fence makes sure one of
     * the two sees the other. */
    domain_reap_hold(d);
    v->running = false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (v->pause_flags) {
        runstate_set(v, flags_state(v->pause_flags), end);
    } else {
        runstate_set(v, RUNSTATE_runnable, end);
        if (!leave) {
            rq_link(c, v);
        } else {
            v->on_runq = true;
            set_pcpu(v, pick_cpu(v));
            moved = true;
        }
    }
    spin_unlock_irqrestore(&rq_lock[c->id], f);
    if (moved)
        enqueue_moved(v);
    return d;
}

void sched_yield(void)
{
    struct pcpu *c = this_cpu();

    if (c->current)
        c->current->sched.yielded = true;
    c->need_resched = true;
}

static void reap(struct domain *d)
{
    if (d && domain_reap(d) && domains_alive() == 0)
        sched_all_domains_ended();
}

void sched_loop(void)
{
    struct pcpu *c = this_cpu();

    for (;;) {
        struct pick r = { NULL, 0, ~0ull, 0, NULL };
        struct vcpu *v;
        uint64_t now;
        unsigned long f;

        local_irq_disable();
        timers_fire(c);
        pollers_fire(c);
        unloads_service(c);
        now = time_system_ns();
        f = spin_lock_irqsave(&rq_lock[c->id]);
        account(c, NULL, 0, now);
        v = pick(c, now, &r);
        spin_unlock_irqrestore(&rq_lock[c->id], f);
        settle(c, &r);
        if (r.reap) {
            reap(r.reap);
            continue;
        }
        if (v)
            reap(run_vcpu(c, v));
        else if (!steal(c))
            idle(c, r.unpark);
    }
}

void sched_start(void)
{
    local_irq_enable();
    sched_loop();
}
