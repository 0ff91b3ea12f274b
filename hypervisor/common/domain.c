/* Domains: creation, memory, vCPUs, shutdown and crash, and reaping, which
 * gives every frame back once no vCPU of the domain runs any more. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/event.h>
#include <mica/frame.h>
#include <mica/grant_table.h>
#include <mica/heap.h>
#include <mica/lib.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <mica/time.h>
#include <asm/apic.h>
#include <asm/p2m.h>
#include <xen/sched.h>
#include <xen/xen.h>

static struct domain *domain_list;
static spinlock_t list_lock = SPINLOCK_INIT;
/* Domains created and not yet freed.  A domain leaves domain_list when its
 * reaping starts but counts here until its memory is back, so "all domains
 * have ended" is said only after the last one's goodbye. */
static unsigned int nr_domains;
static domid_t next_id = 1;

static const char *const shutdown_names[] = {
    [SHUTDOWN_poweroff] = "poweroff",
    [SHUTDOWN_reboot] = "reboot",
    [SHUTDOWN_suspend] = "suspend",
    [SHUTDOWN_crash] = "crash",
    [SHUTDOWN_watchdog] = "watchdog",
};

/* Whether a domain on the list has this ID; list_lock is held. */
static bool id_taken(domid_t id)
{
    for (struct domain *d = domain_list; d; d = d->next)
        if (d->id == id)
            return true;
    return false;
}

struct domain *domain_create(const char *name, bool xen_guest)
{
    return domain_create_id(name, xen_guest, DOMID_INVALID);
}

/* id: a fixed ID (domain 0), or DOMID_INVALID for the next free one. */
struct domain *domain_create_id(const char *name, bool xen_guest, domid_t id)
{
    struct domain *d = kzalloc(sizeof(*d));
    unsigned long f;

    if (!d)
        return NULL;
    /* The first domain is made before dom0 runs, so the RTC is still
     * mica's to read. */
    time_init_wallclock();
    d->console_size = DOMAIN_CONSOLE_SIZE;
    d->console = kmalloc(d->console_size);
    d->ring_gfn = GFN_NONE;
    d->parked = MFN_INVALID;
    d->shared_info_gfn = GFN_NONE;
    if (xen_guest)
        d->shared_info = page_alloc_zeroed();
    if (!d->console || (xen_guest && !d->shared_info) || p2m_init(d) < 0) {
        if (d->shared_info)
            page_free(d->shared_info);
        kfree(d->console);
        kfree(d);
        return NULL;
    }
    strlcpy(d->name, name, sizeof(d->name));
    d->xen_guest = xen_guest;
    d->console_line_start = true;
    d->state = DOMAIN_RUNNING;
    d->weight = SCHED_DEFAULT_WEIGHT;
    d->created_ns = now_ns();
    f = spin_lock_irqsave(&list_lock);
    if (id != DOMID_INVALID) {
        d->id = id;
    } else {
        /* The next ID no domain has: the count wraps after 32751, and
         * a domain that lives that long keeps its ID to itself. */
        unsigned int tries = 0;

        do {
            d->id = next_id++;
            if (next_id >= DOMID_FIRST_RESERVED)
                next_id = 1;
        } while (id_taken(d->id) && ++tries < DOMID_FIRST_RESERVED);
        if (tries == DOMID_FIRST_RESERVED) {
            spin_unlock_irqrestore(&list_lock, f);
            p2m_destroy(d);
            if (d->shared_info)
                page_free(d->shared_info);
            kfree(d->console);
            kfree(d);
            return NULL;
        }
    }
    d->next = domain_list;
    domain_list = d;
    __atomic_fetch_add(&nr_domains, 1, __ATOMIC_SEQ_CST);
    spin_unlock_irqrestore(&list_lock, f);
    return d;
}

/* Gives the domain RAM at guest-physical [0, bytes), zeroed so that nothing
 * of an earlier owner shows through, and a Xen guest its console and store
 * rings just above.  The frames come scrubbed by an idle CPU where it has
 * got to them (frame.c), so that zeroing is mostly done before the domain
 * is asked for. */
int domain_alloc_memory(struct domain *d, uint64_t bytes)
{
    uint64_t pages = ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT;
    mfn_t batch[64];

    if (pages > frame_free_count())
        return -ENOMEM;
    for (gfn_t g = 0; g < pages;) {
        unsigned int got = frame_alloc_zeroed_batch(batch,
                                                    (unsigned int)MIN(pages - g, 64u));

        if (!got)
            return -ENOMEM;
        for (unsigned int i = 0; i < got; i++, g++) {
            int rc = p2m_map(d, g, batch[i], true, true);

            if (rc < 0) {
                /* What is mapped goes with the domain; the rest now. */
                while (i < got)
                    frame_free(batch[i++]);
                return rc;
            }
            d->tot_pages++;
        }
    }
    d->max_pages = d->ram_pages = d->tot_pages;
    return domain_rings_init(d);
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v;

    if (id >= MAX_VCPUS || d->vcpus[id])
        return NULL;
    v = kzalloc(sizeof(*v));
    if (!v)
        return NULL;
    v->id = id;
    v->domain = d;
    v->pause_flags = VPF_PAUSED;
    v->cpu_affinity = ~0ull;
    if (hvm_ops->vcpu_create(v) < 0) {
        kfree(v);
        return NULL;
    }
    d->vcpus[id] = v;
    if (id >= d->nr_vcpus)
        d->nr_vcpus = id + 1;
    sched_add_vcpu(v);
    return v;
}

void domain_unpause(struct domain *d)
{
    if (!d->started_ns)
        d->started_ns = now_ns();
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i])
            vcpu_unpause_flag(d->vcpus[i], VPF_PAUSED);
}

void domain_pause(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i])
            vcpu_pause_flag(d->vcpus[i], VPF_PAUSED);
}

static void stop_vcpus(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i])
            vcpu_pause_flag(d->vcpus[i], VPF_DEAD);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    unsigned long f = spin_lock_irqsave(&d->lock);

    if (d->state != DOMAIN_RUNNING) {
        spin_unlock_irqrestore(&d->lock, f);
        return;
    }
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    spin_unlock_irqrestore(&d->lock, f);
    printk("d%u (%s): shut down: %s, code %d\n", d->id, d->name,
           reason < ARRAY_SIZE(shutdown_names) && shutdown_names[reason]
               ? shutdown_names[reason] : "unknown",
           d->shutdown_code);
    stop_vcpus(d);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    unsigned long f = spin_lock_irqsave(&d->lock);
    va_list ap;

    if (d->state != DOMAIN_RUNNING) {
        spin_unlock_irqrestore(&d->lock, f);
        return;
    }
    d->state = DOMAIN_CRASHED;
    d->shutdown_reason = SHUTDOWN_crash;
    va_start(ap, fmt);
    vsnprintf(d->crash_reason, sizeof(d->crash_reason), fmt, ap);
    va_end(ap);
    spin_unlock_irqrestore(&d->lock, f);
    pr_err("d%u (%s): crashed: %s\n", d->id, d->name, d->crash_reason);
    stop_vcpus(d);
}

void domain_destroy(struct domain *d)
{
    unsigned long f;

    /* Before destroying is set: from then on a CPU whose vCPU of d
     * leaves may free it. */
    domain_reap_hold(d);
    f = spin_lock_irqsave(&d->lock);

    if (d->state == DOMAIN_RUNNING) {
        d->state = DOMAIN_SHUTDOWN;
        d->shutdown_reason = SHUTDOWN_poweroff;
    }
    d->destroying = true;
    spin_unlock_irqrestore(&d->lock, f);
    stop_vcpus(d);
    /* If no vCPU is on a CPU or queued, free it now; otherwise the
     * scheduler does when the last one leaves. */
    domain_reap(d);
}

void domain_reap_hold(struct domain *d)
{
    __atomic_add_fetch(&d->reap_refs, 1, __ATOMIC_SEQ_CST);
}

/* Called by the scheduler when a vCPU of a stopped domain leaves its CPU
 * or its queue, and by domain_destroy, each with a hold.  Boot-time
 * domains have no toolstack to keep them for, so they go as soon as they
 * stop; the toolstack's go once destroyed.  Two CPUs whose vCPUs of one
 * domain leave at once may both come here: one marks it dying, and
 * whichever lets go of its hold last frees it. */
bool domain_reap(struct domain *d)
{
    unsigned long f;
    struct domain **pp;
    uint64_t pages;
    /* The scheduler comes here each time a vCPU leaves its CPU: a running
     * domain costs it two reads and the hold's release. */
    bool idle = d->state != DOMAIN_RUNNING && d->state != DOMAIN_DYING &&
                (!d->toolstack || d->destroying);

    for (unsigned i = 0; idle && i < d->nr_vcpus; i++)
        if (d->vcpus[i] && (d->vcpus[i]->running || d->vcpus[i]->on_runq))
            idle = false;
    if (idle) {
        f = spin_lock_irqsave(&list_lock);
        if (d->state != DOMAIN_DYING) {
            d->state = DOMAIN_DYING;
            for (pp = &domain_list; *pp; pp = &(*pp)->next) {
                if (*pp == d) {
                    *pp = d->next;
                    break;
                }
            }
        }
        spin_unlock_irqrestore(&list_lock, f);
    }
    /* Nobody takes a hold on a dying domain (its vCPUs neither run nor
     * queue, and the doorbell no longer finds it), so the count only
     * falls from here. */
    if (__atomic_sub_fetch(&d->reap_refs, 1, __ATOMIC_SEQ_CST) != 0 ||
        __atomic_load_n(&d->state, __ATOMIC_SEQ_CST) != DOMAIN_DYING)
        return false;

    pages = d->tot_pages + d->parked_pages;
    /* Its ports first: a peer's send must not reach it once it goes. */
    evtchn_destroy(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];

        if (!v)
            continue;
        sched_timer_stop(v);
        sched_poll_done(v);
        sched_remove_vcpu(v);
        hvm_ops->vcpu_destroy(v);
        kfree(v);
    }
    p2m_destroy(d);
    while (d->parked != MFN_INVALID) {
        mfn_t m = d->parked;

        d->parked = *(mfn_t *)(uintptr_t)(m << PAGE_SHIFT);
        frame_free(m);
    }
    if (d->shared_info)
        page_free(d->shared_info);
    gnttab_destroy(d);
    /* A toolstack makes and ends domains by the thousand (and logs them
     * itself): its domains' goodbyes go to the log ring (xm dmesg), and
     * to the console only with loglvl=all. */
    log_printf(d->toolstack ? LOG_DEBUG : LOG_INFO,
               "d%u (%s): destroyed, %llu pages returned\n", d->id, d->name,
               (unsigned long long)pages);
    kfree(d->console);
    kfree(d);
    __atomic_fetch_sub(&nr_domains, 1, __ATOMIC_SEQ_CST);
    /* Its frames are dirty: an idle CPU scrubs them for the next domain. */
    sched_wake_idle();
    return true;
}

static void console_first_output(struct domain *d, size_t n)
{
    if (!d->first_output_ns && d->started_ns && n) {
        d->first_output_ns = now_ns();
        pr_debug("d%u (%s): first output %llu ns after its start\n", d->id, d->name,
                 (unsigned long long)(d->first_output_ns - d->started_ns));
    }
}

/* Into the buffer the toolstack reads (xm console). */
static void console_keep(struct domain *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d->console[(d->console_head + i) % d->console_size] = s[i];
    d->console_head += n;
}

/* A guest's output shows as "(dN) ..." on mica's console and is kept for
 * the toolstack.  Many guests (XTF's, say) write each line to both their
 * consoles; then, as under Xen, the debug console's lines go to mica's
 * console and the ring's to the toolstack, each line once in each. */
void domain_console_write(struct domain *d, const char *s, size_t n)
{
    console_first_output(d, n);
    d->debug_console_used = true;
    if (!d->ring_console_used)
        console_keep(d, s, n);
    console_guest_write(d->id, &d->console_line_start, s, n);
}

void domain_console_ring_write(struct domain *d, const char *s, size_t n)
{
    console_first_output(d, n);
    d->ring_console_used = true;
    console_keep(d, s, n);
    if (!d->debug_console_used)
        console_guest_write(d->id, &d->console_line_start, s, n);
}

unsigned int domains_alive(void)
{
    return __atomic_load_n(&nr_domains, __ATOMIC_SEQ_CST);
}

struct domain *domain_find(domid_t id)
{
    unsigned long f = spin_lock_irqsave(&list_lock);
    struct domain *d;

    for (d = domain_list; d && d->id != id; d = d->next)
        ;
    spin_unlock_irqrestore(&list_lock, f);
    return d;
}

struct domain *domain_find_hold(domid_t id)
{
    unsigned long f = spin_lock_irqsave(&list_lock);
    struct domain *d;

    /* A dying domain is off the list, so no hold is taken on one. */
    for (d = domain_list; d && d->id != id; d = d->next)
        ;
    if (d)
        domain_reap_hold(d);
    spin_unlock_irqrestore(&list_lock, f);
    return d;
}

void domain_for_each(void (*fn)(struct domain *d, void *arg), void *arg)
{
    unsigned long f = spin_lock_irqsave(&list_lock);

    for (struct domain *d = domain_list; d; d = d->next)
        fn(d, arg);
    spin_unlock_irqrestore(&list_lock, f);
}
