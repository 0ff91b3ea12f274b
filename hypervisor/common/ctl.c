/* The toolstack doorbell (guest-abi/include/mica/ctl.h): dom0's root
 * processes create and manage domains through these calls.  Each handler
 * decodes and checks everything it was given before it changes anything,
 * and reaches the caller's buffers only through copy_{from,to}_guest. */
#include <mica/console.h>
#include <mica/ctl.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/hypercall.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <mica/version.h>
#include <asm/apic.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <xen/sched.h>

#define CHUNK 256

typedef long (*ctl_fn)(struct vcpu *v, const uint64_t a[5]);

static long ctl_version(struct vcpu *v, const uint64_t a[5])
{
    (void)v;
    (void)a;
    return MICA_CTL_VERSION;
}

static long ctl_physinfo(struct vcpu *v, const uint64_t a[5])
{
    struct mica_physinfo pi;
    struct domain *d0 = domain_find(0);

    memset(&pi, 0, sizeof(pi));
    pi.version = MICA_CTL_VERSION;
    pi.nr_cpus = nr_cpus;
    for (uint64_t m = sched_reserved_cpus; m; m &= m - 1)
        pi.dom0_cpus++;
    pi.cpu_khz = (uint32_t)tsc_khz;
    pi.dom0_pages = d0 ? d0->tot_pages : 0;
    pi.total_pages = frame_total_count();
    pi.free_pages = frame_free_count();
    pi.uptime_ns = now_ns();
    strlcpy(pi.hvm, hvm_ops->name, sizeof(pi.hvm));
    strlcpy(pi.mica_version, MICA_VERSION, sizeof(pi.mica_version));
    return copy_to_guest(v, a[0], &pi, sizeof(pi));
}

static void fill_info(struct domain *d, struct mica_domain_info *i)
{
    bool all_blocked = d->nr_vcpus > 0, any_running = false, paused = false;

    memset(i, 0, sizeof(*i));
    i->domid = d->id;
    i->nr_vcpus = (uint16_t)d->nr_vcpus;
    for (unsigned k = 0; k < d->nr_vcpus; k++) {
        struct vcpu *vc = d->vcpus[k];

        if (!vc)
            continue;
        i->cpu_time_ns += sched_cpu_time(vc);
        any_running |= vc->running;
        all_blocked &= !vc->running && (vc->pause_flags & VPF_BLOCKED);
        paused |= vc->pause_flags & VPF_PAUSED;
    }
    i->flags = (any_running ? MICA_DOMF_running : 0) |
               (all_blocked ? MICA_DOMF_blocked : 0) |
               (paused ? MICA_DOMF_paused : 0) |
               (d->state == DOMAIN_SHUTDOWN ? MICA_DOMF_shutdown : 0) |
               (d->state == DOMAIN_CRASHED ? MICA_DOMF_crashed : 0) |
               /* Destroyed, waiting for its vCPUs to leave their CPUs. */
               (d->state == DOMAIN_DYING || d->destroying ? MICA_DOMF_dying : 0) |
               (d->xen_guest ? MICA_DOMF_xen_guest : 0);
    i->shutdown_reason = d->shutdown_reason;
    i->shutdown_code = d->shutdown_code;
    i->tot_pages = d->tot_pages;
    i->max_pages = d->max_pages;
    i->created_ns = d->created_ns;
    strlcpy(i->name, d->name, sizeof(i->name));
}

struct list_state {
    struct mica_domain_info *buf;
    unsigned int n, max;
};

static void count(struct domain *d, void *arg)
{
    (void)d;
    (*(unsigned int *)arg)++;
}

static void collect(struct domain *d, void *arg)
{
    struct list_state *s = arg;

    if (s->n < s->max)
        fill_info(d, &s->buf[s->n++]);
}

/* Fills up to `max` entries, lowest ID first, and returns how many domains
 * exist, so a caller with too small a buffer can ask again. */
static long ctl_domain_list(struct vcpu *v, const uint64_t a[5])
{
    struct list_state s = { NULL, 0, 0 };
    unsigned int total = 0;
    long rc = 0;

    domain_for_each(count, &total);
    s.max = total + 8;          /* room for domains created meanwhile */
    s.buf = kmalloc(s.max * sizeof(*s.buf));
    if (!s.buf)
        return -ENOMEM;
    domain_for_each(collect, &s);
    for (unsigned i = 1; i < s.n; i++) {
        struct mica_domain_info t = s.buf[i];
        unsigned j = i;

        for (; j && s.buf[j - 1].domid > t.domid; j--)
            s.buf[j] = s.buf[j - 1];
        s.buf[j] = t;
    }
    for (unsigned i = 0; i < s.n && i < a[1] && !rc; i++)
        rc = copy_to_guest(v, a[0] + i * sizeof(*s.buf), &s.buf[i], sizeof(*s.buf));
    kfree(s.buf);
    return rc ? rc : (long)s.n;
}

struct info_state {
    uint64_t id;
    struct mica_domain_info *info;
    bool found;
};

static void info_one(struct domain *d, void *arg)
{
    struct info_state *s = arg;

    if (d->id == s->id) {
        fill_info(d, s->info);
        s->found = true;
    }
}

/* Read under the list lock, as domain_list is: a boot-time domain is freed
 * by the scheduler the moment it stops, doorbell or not. */
static long ctl_domain_info(struct vcpu *v, const uint64_t a[5])
{
    struct mica_domain_info i;
    struct info_state s = { a[0], &i, false };

    domain_for_each(info_one, &s);
    if (!s.found)
        return -ESRCH;
    return copy_to_guest(v, a[1], &i, sizeof(i));
}

/* Copies a ring's bytes from the caller's cursor on; returns the count. */
static long read_ring(struct vcpu *v, uint64_t buf, uint64_t len, uint64_t pos_ptr,
                      size_t (*rd)(void *src, uint64_t *pos, char *out, size_t n),
                      void *src)
{
    char tmp[CHUNK];
    uint64_t pos, done = 0;

    if (copy_from_guest(v, &pos, pos_ptr, sizeof(pos)))
        return -EFAULT;
    while (done < len) {
        size_t n = rd(src, &pos, tmp, (size_t)MIN(len - done, sizeof(tmp)));

        if (!n)
            break;
        if (copy_to_guest(v, buf + done, tmp, n))
            return -EFAULT;
        done += n;
    }
    if (copy_to_guest(v, pos_ptr, &pos, sizeof(pos)))
        return -EFAULT;
    return (long)done;
}

static size_t mica_ring(void *src, uint64_t *pos, char *out, size_t n)
{
    (void)src;
    return console_ring_read(pos, out, n);
}

static size_t domain_ring(void *src, uint64_t *pos, char *out, size_t n)
{
    struct domain *d = src;
    uint64_t head = d->console_head, start = *pos, k;

    if (head > d->console_size && start < head - d->console_size)
        start = head - d->console_size;
    k = MIN(n, head - MIN(start, head));
    for (uint64_t i = 0; i < k; i++)
        out[i] = d->console[(start + i) % d->console_size];
    *pos = start + k;
    return (size_t)k;
}

static size_t held_ring(void *src, uint64_t *pos, char *out, size_t n)
{
    (void)src;
    return console_held_read(pos, out, n);
}

static long ctl_dmesg(struct vcpu *v, const uint64_t a[5])
{
    if (a[3] & ~(uint64_t)MICA_DMESG_UNSEEN)
        return -EINVAL;
    return read_ring(v, a[0], a[1], a[2],
                     (a[3] & MICA_DMESG_UNSEEN) ? held_ring : mica_ring, NULL);
}

/* The domains the current call found, held until it returns: a boot-time
 * domain that stops meanwhile is freed by the scheduler the moment its
 * last vCPU leaves, and must not be while a call reads or changes it.
 * One call at a time (ctl_lock), so one list. */
static struct domain *held[2];
static unsigned int nr_held;

static struct domain *find_held(uint64_t id)
{
    struct domain *d;

    if (id >= DOMID_FIRST_RESERVED || nr_held == ARRAY_SIZE(held))
        return NULL;
    d = domain_find_hold((domid_t)id);
    if (d)
        held[nr_held++] = d;
    return d;
}

static long ctl_console_read(struct vcpu *v, const uint64_t a[5])
{
    struct domain *d = find_held(a[0]);

    if (!d)
        return -ESRCH;
    return read_ring(v, a[1], a[2], a[3], domain_ring, d);
}

/* The domains a toolstack may act on.  Nobody acts on dom0.  A boot-time
 * control domain acts only on domains made through the doorbell: not on
 * itself (pausing itself would be for good), and not on boot-time
 * domains.  Doorbell-made domains are freed only by domain_destroy here,
 * under ctl_lock; boot-time ones may go when they stop, but not while
 * held (find_held).  One being destroyed is gone as far as the doorbell
 * is concerned. */
static struct domain *target(uint64_t id, long *err)
{
    struct domain *d = find_held(id);
    struct domain *caller = this_cpu()->current->domain;

    *err = -ESRCH;
    if (d && d->destroying)
        return NULL;
    if (d && (d->is_dom0 || (!caller->is_dom0 && !d->toolstack))) {
        *err = -EPERM;
        return NULL;
    }
    return d;
}

static long ctl_domain_create(struct vcpu *v, const uint64_t a[5])
{
    struct mica_domain_create c;
    struct domain *d;
    int rc;

    if (copy_from_guest(v, &c, a[0], sizeof(c)))
        return -EFAULT;
    c.name[sizeof(c.name) - 1] = '\0';
    /* The name goes to mica's console as it is: printable, no blanks, as
     * domain_rename wants it (a control domain must not be able to send
     * the console terminal escapes). */
    for (size_t i = 0; c.name[i]; i++)
        if (c.name[i] <= 0x20 || c.name[i] >= 0x7f)
            return -EINVAL;
    if (!c.name[0] || c.vcpus < 1 || c.vcpus > MAX_VCPUS ||
        c.memory_kb < 1024 || (c.flags & ~MICA_CREATE_xen_guest) || c.reserved)
        return -EINVAL;
    if ((c.memory_kb >> 2) + 64 > frame_free_count())
        return -ENOMEM;
    if (c.console_limit && (c.console_limit < 1024 || c.console_limit > DOMAIN_CONSOLE_MAX))
        return -EINVAL;
    d = domain_create(c.name, c.flags & MICA_CREATE_xen_guest);
    if (!d)
        return -ENOMEM;
    d->toolstack = true;
    if (c.console_limit) {
        /* Nothing is written yet: the buffer can simply be replaced. */
        char *buf = kmalloc(c.console_limit);

        if (!buf) {
            domain_destroy(d);
            return -ENOMEM;
        }
        kfree(d->console);
        d->console = buf;
        d->console_size = c.console_limit;
    }
    rc = domain_alloc_memory(d, c.memory_kb << 10);
    for (unsigned i = 0; !rc && i < c.vcpus; i++) {
        struct vcpu *vc = vcpu_create(d, i);

        if (!vc)
            rc = -ENOMEM;
        else if (c.cpu_mask)
            vc->cpu_affinity = c.cpu_mask;
        /* vCPU 0 starts; the others wait for the guest's VCPUOP_up. */
        if (vc && i > 0)
            vc->pause_flags |= VPF_DOWN;
    }
    if (rc) {
        domain_destroy(d);
        return rc;
    }
    /* In the log ring (xm dmesg); on the console with loglvl=all, as
     * its destruction (domain_reap). */
    pr_debug("d%u (%s): created by the toolstack, %llu KiB, %u vCPU(s)\n",
             d->id, d->name, (unsigned long long)c.memory_kb, c.vcpus);
    return d->id;
}

static long ctl_domain_destroy(struct vcpu *v, const uint64_t a[5])
{
    long err;
    struct domain *d = target(a[0], &err);

    (void)v;
    if (!d)
        return err;
    domain_destroy(d);
    return 0;
}

static long ctl_domain_pause(struct vcpu *v, const uint64_t a[5])
{
    long err;
    struct domain *d = target(a[0], &err);

    (void)v;
    if (!d)
        return err;
    domain_pause(d);
    return 0;
}

static long ctl_domain_unpause(struct vcpu *v, const uint64_t a[5])
{
    long err;
    struct domain *d = target(a[0], &err);

    (void)v;
    if (!d)
        return err;
    if (d->state != DOMAIN_RUNNING)
        return -EINVAL;
    domain_unpause(d);
    return 0;
}

static long ctl_domain_shutdown(struct vcpu *v, const uint64_t a[5])
{
    long err;
    struct domain *d = target(a[0], &err);

    (void)v;
    if (!d)
        return err;
    if (a[1] > SHUTDOWN_watchdog)
        return -EINVAL;
    domain_shutdown(d, (unsigned int)a[1]);
    return 0;
}

/* Copies between the caller's buffer and a domain's guest-physical memory,
 * a chunk at a time.  -EFAULT names a bad caller buffer, -EINVAL a range
 * outside the domain's memory. */
static long copy_domain(struct vcpu *v, const uint64_t a[5], bool to_domain)
{
    char tmp[CHUNK];
    long err;
    struct domain *d = target(a[0], &err);
    uint64_t gpa = a[1], buf = a[2], len = a[3];

    if (!d)
        return err;
    for (uint64_t done = 0; done < len;) {
        size_t n = (size_t)MIN(len - done, sizeof(tmp));

        if (to_domain) {
            if (copy_from_guest(v, tmp, buf + done, n))
                return -EFAULT;
            if (copy_to_guest_phys(d, gpa + done, tmp, n))
                return -EINVAL;
        } else {
            if (copy_from_guest_phys(d, tmp, gpa + done, n))
                return -EINVAL;
            if (copy_to_guest(v, buf + done, tmp, n))
                return -EFAULT;
        }
        done += n;
    }
    return 0;
}

static long ctl_copy_to_domain(struct vcpu *v, const uint64_t a[5])
{
    return copy_domain(v, a, true);
}

static long ctl_copy_from_domain(struct vcpu *v, const uint64_t a[5])
{
    return copy_domain(v, a, false);
}

static long ctl_vcpu_set_state(struct vcpu *v, const uint64_t a[5])
{
    struct mica_vcpu_state s;
    struct vcpu_start_state st;
    long err;
    struct domain *d = target(a[0], &err);

    if (!d)
        return err;
    if (a[1] >= d->nr_vcpus || !d->vcpus[a[1]])
        return -ENOENT;
    if (copy_from_guest(v, &s, a[2], sizeof(s)))
        return -EFAULT;
    if (s.mode != MICA_VCPU_PVH32 || s.reserved || s.rip > 0xffffffffu ||
        s.rbx > 0xffffffffu)
        return -EINVAL;
    if (!(d->vcpus[a[1]]->pause_flags & VPF_PAUSED))
        return -EBUSY;          /* only a vCPU that is not running */
    memset(&st, 0, sizeof(st));
    st.mode = START_PVH32;
    st.rip = s.rip;
    st.rbx = s.rbx;
    hvm_ops->vcpu_set_start(d->vcpus[a[1]], &st);
    return 0;
}

/* Input for a domain's console ring; returns the bytes it took (fewer
 * than asked when the ring is full). */
static long ctl_console_write(struct vcpu *v, const uint64_t a[5])
{
    char tmp[CHUNK];
    long err;
    struct domain *d = target(a[0], &err);
    uint64_t done = 0;

    if (!d)
        return err;
    if (!d->cons_ring)
        return -ENODEV;
    while (done < a[2]) {
        size_t n = (size_t)MIN(a[2] - done, sizeof(tmp));
        long took;

        if (copy_from_guest(v, tmp, a[1] + done, n))
            return -EFAULT;
        took = domain_console_input(d, tmp, n);
        if (took < 0)
            return took;
        done += (uint64_t)took;
        if ((size_t)took < n)
            break;
    }
    return (long)done;
}

static long ctl_vcpu_pin(struct vcpu *v, const uint64_t a[5])
{
    long err;
    struct domain *d = target(a[0], &err);
    uint64_t usable = sched_usable_cpus();

    (void)v;
    if (!d)
        return err;
    if (a[1] >= d->nr_vcpus || !d->vcpus[a[1]])
        return -ENOENT;
    if (!(a[2] & usable))
        return -EINVAL;
    /* A vCPU on a CPU it may no longer use leaves it at once. */
    sched_set_affinity(d->vcpus[a[1]], a[2] & usable);
    return 0;
}

struct sched_state {
    uint64_t id;
    bool found;
    unsigned int weight, cap;
    unsigned int n;                     /* vcpu_info: entries filled */
    struct mica_vcpu_info *vcpus;       /* MAX_VCPUS of them */
};

static void sched_one(struct domain *d, void *arg)
{
    struct sched_state *s = arg;

    if (d->id != s->id)
        return;
    s->found = true;
    s->weight = d->weight;
    s->cap = d->cap;
    for (unsigned int i = 0; s->vcpus && i < d->nr_vcpus; i++) {
        struct vcpu *vc = d->vcpus[i];
        struct mica_vcpu_info *o;
        uint32_t pf;

        if (!vc)
            continue;
        pf = vc->pause_flags;
        o = &s->vcpus[s->n++];
        memset(o, 0, sizeof(*o));
        o->vcpu = vc->id;
        o->cpu = vc->pcpu;
        o->flags = (pf & VPF_DOWN ? 0 : MICA_VCPUF_online) |
                   (vc->running ? MICA_VCPUF_running : 0) |
                   (!vc->running && (pf & VPF_BLOCKED) ? MICA_VCPUF_blocked : 0) |
                   (pf & VPF_PAUSED ? MICA_VCPUF_paused : 0);
        o->cpu_time_ns = sched_cpu_time(vc);
        o->affinity = vc->cpu_affinity;
    }
}

/* A domain's weight and cap, and its vCPUs, read under the domain list's
 * lock (as domain_info is): any domain, dom0 and boot-time ones too. */
static bool sched_read(uint64_t id, struct sched_state *s)
{
    s->id = id;
    s->found = false;
    s->n = 0;
    if (id >= DOMID_FIRST_RESERVED)
        return false;
    domain_for_each(sched_one, s);
    return s->found;
}

/* (domid, weight, cap) -> cap << 32 | weight, after the call.  Either may
 * be MICA_SCHED_KEEP; with both, any domain may be read.  A change needs a
 * domain the caller may act on (target()). */
static long ctl_sched_credit(struct vcpu *v, const uint64_t a[5])
{
    uint64_t weight = a[1], cap = a[2];
    struct sched_state s = { 0 };
    struct domain *d;
    long err;

    (void)v;
    if (weight == MICA_SCHED_KEEP && cap == MICA_SCHED_KEEP) {
        if (!sched_read(a[0], &s))
            return -ESRCH;
        return (long)((uint64_t)s.cap << 32 | s.weight);
    }
    d = target(a[0], &err);
    if (!d)
        return err;
    if (weight != MICA_SCHED_KEEP && (weight < SCHED_MIN_WEIGHT || weight > SCHED_MAX_WEIGHT))
        return -EINVAL;
    if (cap != MICA_SCHED_KEEP && cap > 100ull * d->nr_vcpus)
        return -EINVAL;
    if (weight != MICA_SCHED_KEEP)
        d->weight = (unsigned int)weight;
    if (cap != MICA_SCHED_KEEP)
        d->cap = (unsigned int)cap;
    sched_domain_changed(d);
    return (long)((uint64_t)d->cap << 32 | d->weight);
}

/* (domid, struct mica_vcpu_info *, max) -> how many vCPUs the domain has;
 * the first `max` of them are written. */
static long ctl_vcpu_info(struct vcpu *v, const uint64_t a[5])
{
    struct mica_vcpu_info *buf = kmalloc(MAX_VCPUS * sizeof(*buf));
    struct sched_state s = { .vcpus = buf };
    long rc = 0;

    if (!buf)
        return -ENOMEM;
    if (!sched_read(a[0], &s))
        rc = -ESRCH;
    for (unsigned int i = 0; !rc && i < s.n && i < a[2]; i++)
        rc = copy_to_guest(v, a[1] + i * sizeof(*buf), &buf[i], sizeof(*buf));
    kfree(buf);
    return rc ? rc : (long)s.n;
}

/* The most RAM a domain may hold (max_pages), as Xen 3's max_mem: never
 * below what it holds, since nothing here can take memory back. */
static long ctl_domain_set_memory(struct vcpu *v, const uint64_t a[5])
{
    long err;
    struct domain *d = target(a[0], &err);
    uint64_t pages = a[1] >> 2;
    unsigned long f;

    (void)v;
    if (!d)
        return err;
    f = spin_lock_irqsave(&d->lock);
    if (pages < d->tot_pages) {
        spin_unlock_irqrestore(&d->lock, f);
        return -EINVAL;
    }
    d->max_pages = pages;
    spin_unlock_irqrestore(&d->lock, f);
    return 0;
}

/* A vCPU added by domain_set_vcpus, to a domain that may be running: down
 * (the guest brings it up with VCPUOP_initialise and VCPUOP_up), paused if
 * the domain is, and pinned as vCPU 0 is, all before the domain's other
 * vCPUs can find it through d->vcpus and d->nr_vcpus.  vcpu_create would
 * publish it first and mark it down after, leaving a moment in which the
 * guest's VCPUOP_up or VCPUOP_initialise sees it neither up nor down. */
static struct vcpu *add_down_vcpu(struct domain *d, unsigned int id)
{
    struct vcpu *v0 = d->vcpus[0], *v;

    if (id >= MAX_VCPUS || d->vcpus[id])
        return NULL;
    v = kzalloc(sizeof(*v));
    if (!v)
        return NULL;
    v->id = id;
    v->domain = d;
    /* Pause and unpause are doorbell calls, so vCPU 0's flag holds while
     * this one runs. */
    v->pause_flags = VPF_DOWN | (v0 ? v0->pause_flags & VPF_PAUSED : VPF_PAUSED);
    v->cpu_affinity = v0 ? v0->cpu_affinity : ~0ull;
    if (hvm_ops->vcpu_create(v) < 0) {
        kfree(v);
        return NULL;
    }
    sched_add_vcpu(v);
    __atomic_store_n(&d->vcpus[id], v, __ATOMIC_RELEASE);
    if (id >= d->nr_vcpus)
        __atomic_store_n(&d->nr_vcpus, id + 1, __ATOMIC_RELEASE);
    return v;
}

/* Frees a domain's last vCPU, as domain_reap frees them all.  Only for a
 * domain that has never run: no guest code of it can hold the vCPU, no
 * event or timer names it, and every other path to it is a doorbell call,
 * which waits for this one. */
static void drop_last_vcpu(struct domain *d)
{
    unsigned int id = d->nr_vcpus - 1;
    struct vcpu *v = d->vcpus[id];

    __atomic_store_n(&d->nr_vcpus, id, __ATOMIC_RELEASE);
    __atomic_store_n(&d->vcpus[id], NULL, __ATOMIC_RELEASE);
    if (!v)
        return;
    sched_timer_stop(v);
    sched_poll_done(v);
    sched_remove_vcpu(v);
    hvm_ops->vcpu_destroy(v);
    kfree(v);
}

/*
 * (domid, count): how many vCPUs the domain has, 1..MAX_VCPUS, as Xen's
 * max_vcpus.  More adds vCPUs that are down, for the guest to bring up
 * (while it runs, too).  Fewer removes the highest ones, and only from a
 * domain that has never run (created, never unpaused) and only vCPUs that
 * are down: a vCPU of a domain that ran may be named by its event
 * channels, timers and guest state, which nothing here can take back
 * safely, so that is -EBUSY, as a vCPU that is up is.
 */
static long ctl_domain_set_vcpus(struct vcpu *v, const uint64_t a[5])
{
    long err;
    struct domain *d = target(a[0], &err);
    uint64_t count = a[1];

    (void)v;
    if (!d)
        return err;
    if (count < 1 || count > MAX_VCPUS)
        return -EINVAL;
    if (d->state != DOMAIN_RUNNING)
        return -EINVAL;         /* shut down: its vCPUs are dead */
    if (count < d->nr_vcpus) {
        if (d->started_ns)
            return -EBUSY;
        for (unsigned int i = (unsigned int)count; i < d->nr_vcpus; i++)
            if (d->vcpus[i] && !(d->vcpus[i]->pause_flags & VPF_DOWN))
                return -EBUSY;
        while (d->nr_vcpus > count)
            drop_last_vcpu(d);
        return 0;
    }
    for (unsigned int i = d->nr_vcpus; i < count; i++)
        if (!add_down_vcpu(d, i))
            return -ENOMEM;     /* the ones added stay, down */
    return 0;
}

struct name_clash {
    const struct domain *self;
    const char *name;
    bool found;
};

static void name_taken(struct domain *d, void *arg)
{
    struct name_clash *c = arg;

    if (d != c->self && strncmp(d->name, c->name, sizeof(d->name)) == 0)
        c->found = true;
}

/* A new name for the console's "dN (name)" and domain_info: printable,
 * no blanks, unique.  Readers do not lock, so the terminating NUL is
 * never moved: the buffer is cleared to the new length and filled. */
static long ctl_domain_rename(struct vcpu *v, const uint64_t a[5])
{
    char name[MICA_NAME_MAX], old[MICA_NAME_MAX];
    long err;
    struct domain *d = target(a[0], &err);
    struct name_clash c = { d, name, false };
    size_t n;

    if (!d)
        return err;
    if (copy_from_guest(v, name, a[1], sizeof(name)))
        return -EFAULT;
    n = strnlen(name, sizeof(name));
    if (n == 0 || n == sizeof(name))
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (name[i] <= 0x20 || name[i] >= 0x7f)
            return -EINVAL;
    domain_for_each(name_taken, &c);
    if (c.found)
        return -EEXIST;
    strlcpy(old, d->name, sizeof(old));
    for (size_t i = sizeof(d->name) - 1; i > n; i--)
        d->name[i] = '\0';
    d->name[n] = '\0';
    memcpy(d->name, name, n);
    printk("d%u (%s): renamed from %s\n", d->id, d->name, old);
    return 0;
}

static const ctl_fn table[MICA_CTL_NR] = {
    [MICA_CTL_version] = ctl_version,
    [MICA_CTL_physinfo] = ctl_physinfo,
    [MICA_CTL_domain_list] = ctl_domain_list,
    [MICA_CTL_domain_info] = ctl_domain_info,
    [MICA_CTL_domain_create] = ctl_domain_create,
    [MICA_CTL_domain_destroy] = ctl_domain_destroy,
    [MICA_CTL_domain_pause] = ctl_domain_pause,
    [MICA_CTL_domain_unpause] = ctl_domain_unpause,
    [MICA_CTL_domain_shutdown] = ctl_domain_shutdown,
    [MICA_CTL_domain_set_memory] = ctl_domain_set_memory,
    [MICA_CTL_domain_set_vcpus] = ctl_domain_set_vcpus,
    [MICA_CTL_vcpu_pin] = ctl_vcpu_pin,
    [MICA_CTL_sched_credit] = ctl_sched_credit,
    [MICA_CTL_vcpu_info] = ctl_vcpu_info,
    [MICA_CTL_copy_to_domain] = ctl_copy_to_domain,
    [MICA_CTL_copy_from_domain] = ctl_copy_from_domain,
    [MICA_CTL_vcpu_set_state] = ctl_vcpu_set_state,
    [MICA_CTL_console_read] = ctl_console_read,
    [MICA_CTL_console_write] = ctl_console_write,
    [MICA_CTL_dmesg] = ctl_dmesg,
    [MICA_CTL_domain_rename] = ctl_domain_rename,
};

/* One call at a time, whichever vCPU of dom0 or of a control domain makes
 * it: a domain one call destroys must not be in use by another. */
static spinlock_t ctl_lock = SPINLOCK_INIT;

void ctl_dispatch(struct vcpu *v)
{
    uint64_t a[5];
    uint64_t op = guest_call_args(v, a);
    unsigned long f;
    long ret;

    if (op >= MICA_CTL_NR || !table[op]) {
        ret = -ENOSYS;
    } else {
        f = spin_lock_irqsave(&ctl_lock);
        ret = table[op](v, a);
        /* Let go of what the call found: a domain that stopped meanwhile
         * (or that it destroyed) may be freed now. */
        while (nr_held)
            domain_reap(held[--nr_held]);
        spin_unlock_irqrestore(&ctl_lock, f);
    }
    guest_call_return(v, ret);
}
