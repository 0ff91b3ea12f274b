/* Event channels: Xen's 2-level ABI.
 *
 * A port is a bit in shared_info's evtchn_pending bitmap, with a mask bit
 * beside it.  Raising a port that is not masked sets the bit for its word
 * in the notified vCPU's evtchn_pending_sel and then its
 * evtchn_upcall_pending; the 0-to-1 change of the latter is the upcall,
 * which wakes the vCPU and, if it asked for a callback vector, interrupts
 * it at the next entry with interrupts enabled.
 *
 * Port p is bit p of both bitmaps whatever the guest's word size (x86 is
 * little-endian), so mica works on them as 32-bit words.  Only the
 * offsets differ: evtchn_pending is at 2048 in both layouts, evtchn_mask at
 * 2560 (64-bit) or 2176 (32-bit), and evtchn_pending_sel at 8 or 4 in
 * vcpu_info.
 *
 * One lock guards every domain's ports: a connection joins two domains,
 * and a domain's ports are closed under it before the domain is freed, so
 * a port's pointer to its peer domain is good while the lock is held. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/event.h>
#include <mica/heap.h>
#include <mica/hypercall.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/spinlock.h>
#include <mica/string.h>
#include <asm/apic.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/traps.h>
#include <xen/event_channel.h>
#include <xen/hvm/params.h>
#include <xen/xen.h>

struct evtchn {
    uint8_t state;              /* EVTCHNSTAT_* */
    uint8_t notify_vcpu;
    uint16_t virq;              /* EVTCHNSTAT_virq */
    uint16_t remote_port;       /* EVTCHNSTAT_interdomain */
    domid_t remote_domid;       /* unbound: who may bind; interdomain: peer */
    uint8_t backend;            /* EVTCHN_BACKEND_*: mica serves this port */
    struct domain *remote;      /* EVTCHNSTAT_interdomain */
};

static spinlock_t evtchn_lock = SPINLOCK_INIT;

#define PENDING_OFF 2048

static volatile uint32_t *word(uint8_t *base, size_t off, unsigned int bit)
{
    return (volatile uint32_t *)(base + off) + bit / 32;
}

static bool test_and_set(volatile uint32_t *w, unsigned int bit)
{
    uint32_t m = 1u << (bit % 32);

    return __atomic_fetch_or(w, m, __ATOMIC_SEQ_CST) & m;
}

static bool test_and_clear(volatile uint32_t *w, unsigned int bit)
{
    uint32_t m = 1u << (bit % 32);

    return __atomic_fetch_and(w, ~m, __ATOMIC_SEQ_CST) & m;
}

static bool test(volatile uint32_t *w, unsigned int bit)
{
    return __atomic_load_n(w, __ATOMIC_SEQ_CST) & (1u << (bit % 32));
}

static size_t mask_off(const struct domain *d)
{
    return d->shinfo_32 ? 2176 : 2560;
}

/* The width of evtchn_pending_sel's words, and where it is. */
static unsigned int sel_bits(const struct domain *d)
{
    return d->shinfo_32 ? 32 : 64;
}

uint8_t *vcpu_info_of(struct vcpu *v)
{
    if (v->vcpu_info)
        return v->vcpu_info;
    if (!v->domain->shared_info || v->id >= XEN_LEGACY_MAX_VCPUS)
        return NULL;
    return (uint8_t *)v->domain->shared_info + 64 * v->id;
}

bool evtchn_upcall_pending(struct vcpu *v)
{
    uint8_t *vi = vcpu_info_of(v);

    return vi && __atomic_load_n(vi, __ATOMIC_SEQ_CST);
}

int evtchn_upcall_vector(struct vcpu *v)
{
    uint64_t via;

    if (!evtchn_upcall_pending(v))
        return -1;
    if (v->upcall_vector)
        return v->upcall_vector;
    via = __atomic_load_n(&v->domain->callback_via, __ATOMIC_ACQUIRE);
    if (MICA_HVM_CALLBACK_TYPE(via) == HVM_PARAM_CALLBACK_TYPE_VECTOR && (uint8_t)via)
        return (uint8_t)via;
    return -1;
}

/* Wakes v if it waits, and makes it leave the guest if it runs on another
 * CPU, so that it sees what changed at its next entry.  A CPU about to
 * enter has interrupts off: the IPI then ends that entry at once. */
static void vcpu_kick(struct vcpu *v)
{
    vcpu_unpause_flag(v, VPF_BLOCKED);
    if (v->running && v->pcpu != this_cpu()->id)
        lapic_send_ipi(pcpus[v->pcpu].arch.apic_id, VEC_RESCHED);
}

bool evtchn_block(struct vcpu *v)
{
    if (evtchn_upcall_pending(v) || !sched_block(v))
        return false;
    /* An event raised between the test and the block found nothing to
     * wake: look again now that the block is visible. */
    if (evtchn_upcall_pending(v)) {
        vcpu_unpause_flag(v, VPF_BLOCKED);
        return false;
    }
    return true;
}

/* The upcall: evtchn_upcall_pending goes to 1 and the vCPU wakes (from
 * HLT, SCHEDOP_block or SCHEDOP_poll) or, running elsewhere, leaves the
 * guest so that the vector goes in at its next entry. */
static void mark_pending(struct vcpu *v)
{
    uint8_t *vi = vcpu_info_of(v);

    if (!vi || __atomic_exchange_n(vi, 1, __ATOMIC_SEQ_CST))
        return;
    vcpu_kick(v);
}

/* Raises port p of d.  The caller holds evtchn_lock. */
static void set_pending(struct domain *d, unsigned int p)
{
    uint8_t *si = (uint8_t *)d->shared_info;
    struct evtchn *c = &d->evtchn[p];
    struct vcpu *v = c->notify_vcpu < d->nr_vcpus ? d->vcpus[c->notify_vcpu] : NULL;

    if (!si || !v)
        return;
    if (test_and_set(word(si, PENDING_OFF, p), p))
        return;
    /* A vCPU polling for this port (or for several) wakes whether or not
     * the port is masked: SCHEDOP_poll works on masked ports. */
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *w = d->vcpus[i];

        if (w && w->polling && (w->poll_port < 0 || w->poll_port == (int)p)) {
            __atomic_store_n(&w->polling, false, __ATOMIC_SEQ_CST);
            sched_poll_done(w);
            vcpu_unpause_flag(w, VPF_BLOCKED);
        }
    }
    if (!test(word(si, mask_off(d), p), p)) {
        uint8_t *vi = vcpu_info_of(v);
        unsigned int sel = p / sel_bits(d);

        if (vi && !test_and_set(word(vi, sel_bits(d) / 8, sel), sel))
            mark_pending(v);
    }
}

bool evtchn_is_pending(struct domain *d, unsigned int p)
{
    return d->shared_info && p < EVTCHN_PORTS &&
           test(word((uint8_t *)d->shared_info, PENDING_OFF, p), p);
}

static void clear_pending(struct domain *d, unsigned int p)
{
    if (d->shared_info)
        test_and_clear(word((uint8_t *)d->shared_info, PENDING_OFF, p), p);
}

/* ---- ports --------------------------------------------------------- */

static int ensure_table(struct domain *d)
{
    if (!d->shared_info)
        return -ENOSYS;         /* not a Xen guest */
    if (!d->evtchn) {
        d->evtchn = kzalloc(EVTCHN_PORTS * sizeof(*d->evtchn));
        if (!d->evtchn)
            return -ENOMEM;
    }
    return 0;
}

/* A free port of d, or a negative errno; evtchn_lock is held. */
static int alloc_port(struct domain *d)
{
    int rc = ensure_table(d);

    if (rc < 0)
        return rc;
    for (unsigned p = 1; p < EVTCHN_PORTS; p++) {
        if (d->evtchn[p].state == EVTCHNSTAT_closed) {
            memset(&d->evtchn[p], 0, sizeof(d->evtchn[p]));
            return (int)p;
        }
    }
    return -ENOSPC;
}

static struct evtchn *port(struct domain *d, uint64_t p)
{
    if (!d->evtchn || p == 0 || p >= EVTCHN_PORTS)
        return NULL;
    return &d->evtchn[p];
}

static bool virq_is_per_vcpu(unsigned int virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
           virq == VIRQ_XENPMU;
}

/* Frees port p of d, and turns its peer's end, if any, back to unbound. */
static void close_port(struct domain *d, unsigned int p)
{
    struct evtchn *c = &d->evtchn[p];

    switch (c->state) {
    case EVTCHNSTAT_virq: {
        unsigned int owner = virq_is_per_vcpu(c->virq) ? c->notify_vcpu : 0;

        if (owner < d->nr_vcpus && d->vcpus[owner] &&
            d->vcpus[owner]->virq_port[c->virq] == p)
            d->vcpus[owner]->virq_port[c->virq] = 0;
        break;
    }
    case EVTCHNSTAT_interdomain: {
        struct evtchn *r = port(c->remote, c->remote_port);

        if (r && r->state == EVTCHNSTAT_interdomain && r->remote == d &&
            r->remote_port == p) {
            r->state = EVTCHNSTAT_unbound;
            r->remote = NULL;
            r->remote_domid = d->id;
        }
        break;
    }
    default:
        break;
    }
    clear_pending(d, p);
    memset(c, 0, sizeof(*c));
}

void evtchn_destroy(struct domain *d)
{
    unsigned long f = spin_lock_irqsave(&evtchn_lock);

    if (d->evtchn) {
        for (unsigned p = 1; p < EVTCHN_PORTS; p++)
            if (d->evtchn[p].state != EVTCHNSTAT_closed)
                close_port(d, p);
        kfree(d->evtchn);
        d->evtchn = NULL;
    }
    spin_unlock_irqrestore(&evtchn_lock, f);
}

bool evtchn_send_timer(struct vcpu *v)
{
    struct domain *d = v->domain;
    unsigned long f = spin_lock_irqsave(&evtchn_lock);
    unsigned int p = v->virq_port[VIRQ_TIMER];

    if (p && d->evtchn && d->evtchn[p].state == EVTCHNSTAT_virq)
        set_pending(d, p);
    spin_unlock_irqrestore(&evtchn_lock, f);
    return p != 0;
}

int evtchn_alloc_backend(struct domain *d, unsigned int kind)
{
    unsigned long f = spin_lock_irqsave(&evtchn_lock);
    int p = alloc_port(d);

    if (p > 0) {
        d->evtchn[p].state = EVTCHNSTAT_unbound;
        d->evtchn[p].remote_domid = 0;
        d->evtchn[p].backend = (uint8_t)kind;
    }
    spin_unlock_irqrestore(&evtchn_lock, f);
    return p;
}

void evtchn_backend_notify(struct domain *d, unsigned int p)
{
    unsigned long f = spin_lock_irqsave(&evtchn_lock);
    struct evtchn *e = port(d, p);

    if (e && e->state == EVTCHNSTAT_unbound && e->backend)
        set_pending(d, p);
    spin_unlock_irqrestore(&evtchn_lock, f);
}

/* ---- the operations -------------------------------------------------- */

static bool self(struct domain *d, domid_t id)
{
    return id == DOMID_SELF || id == d->id;
}

static struct vcpu *vcpu_of(struct domain *d, uint64_t id)
{
    return id < d->nr_vcpus ? d->vcpus[id] : NULL;
}

static long alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *a)
{
    int p;

    /* Only a privileged domain may make ports for others, as in Xen. */
    if (!self(d, a->dom))
        return -EPERM;
    if (a->remote_dom >= DOMID_FIRST_RESERVED && a->remote_dom != DOMID_SELF)
        return -ESRCH;
    p = alloc_port(d);
    if (p < 0)
        return p;
    d->evtchn[p].state = EVTCHNSTAT_unbound;
    d->evtchn[p].remote_domid = a->remote_dom == DOMID_SELF ? d->id : a->remote_dom;
    a->port = (evtchn_port_t)p;
    return 0;
}

static long bind_interdomain(struct domain *d, struct evtchn_bind_interdomain *b)
{
    domid_t rid = b->remote_dom == DOMID_SELF ? d->id : b->remote_dom;
    struct domain *rd = rid < DOMID_FIRST_RESERVED ? domain_find(rid) : NULL;
    struct evtchn *r;
    int p;

    if (!rd || rd->state == DOMAIN_DYING || !rd->evtchn)
        return rd ? -EINVAL : -ESRCH;
    r = port(rd, b->remote_port);
    if (!r || r->state != EVTCHNSTAT_unbound || r->remote_domid != d->id)
        return -EINVAL;
    p = alloc_port(d);
    if (p < 0)
        return p;
    d->evtchn[p].state = EVTCHNSTAT_interdomain;
    d->evtchn[p].remote = rd;
    d->evtchn[p].remote_domid = rd->id;
    d->evtchn[p].remote_port = (uint16_t)b->remote_port;
    r->state = EVTCHNSTAT_interdomain;
    r->remote = d;
    r->remote_domid = d->id;
    r->remote_port = (uint16_t)p;
    b->local_port = (evtchn_port_t)p;
    /* As Xen does: raise the new end, so that a notification sent before
     * the bind is not lost. */
    set_pending(d, (unsigned int)p);
    return 0;
}

static long bind_virq(struct domain *d, struct evtchn_bind_virq *b)
{
    struct vcpu *v = vcpu_of(d, b->vcpu);
    int p;

    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    if (!virq_is_per_vcpu(b->virq) && b->vcpu != 0)
        return -EINVAL;
    if (!v)
        return -ENOENT;
    if (v->virq_port[b->virq])
        return -EEXIST;
    p = alloc_port(d);
    if (p < 0)
        return p;
    d->evtchn[p].state = EVTCHNSTAT_virq;
    d->evtchn[p].virq = (uint16_t)b->virq;
    d->evtchn[p].notify_vcpu = (uint8_t)b->vcpu;
    v->virq_port[b->virq] = (uint16_t)p;
    b->port = (evtchn_port_t)p;
    return 0;
}

static long bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
    int p;

    if (!vcpu_of(d, b->vcpu))
        return -ENOENT;
    p = alloc_port(d);
    if (p < 0)
        return p;
    d->evtchn[p].state = EVTCHNSTAT_ipi;
    d->evtchn[p].notify_vcpu = (uint8_t)b->vcpu;
    b->port = (evtchn_port_t)p;
    return 0;
}

static long op_close(struct domain *d, const struct evtchn_close *c)
{
    struct evtchn *e = port(d, c->port);

    if (!e || e->state == EVTCHNSTAT_closed)
        return -EINVAL;
    close_port(d, c->port);
    return 0;
}

static long op_send(struct domain *d, const struct evtchn_send *s)
{
    struct evtchn *e = port(d, s->port);

    if (!e)
        return -EINVAL;
    switch (e->state) {
    case EVTCHNSTAT_interdomain:
        set_pending(e->remote, e->remote_port);
        return 0;
    case EVTCHNSTAT_ipi:
        set_pending(d, s->port);
        return 0;
    case EVTCHNSTAT_unbound:
        /* mica's own backends listen on some; on the others nobody does
         * yet, and the event is dropped, as in Xen. */
        if (e->backend == EVTCHN_BACKEND_CONSOLE && console_ring_service(d))
            set_pending(d, s->port);
        return 0;
    default:
        return -EINVAL;
    }
}

static long op_status(struct domain *d, struct evtchn_status *s)
{
    struct evtchn *e;

    if (!self(d, s->dom))
        return -EPERM;
    if (s->port >= EVTCHN_PORTS)
        return -EINVAL;
    e = port(d, s->port);       /* port 0, or no table yet: closed */
    memset(&s->u, 0, sizeof(s->u));
    s->status = e ? e->state : EVTCHNSTAT_closed;
    s->vcpu = e ? e->notify_vcpu : 0;
    if (!e)
        return 0;
    switch (e->state) {
    case EVTCHNSTAT_unbound:
        s->u.unbound.dom = e->remote_domid;
        break;
    case EVTCHNSTAT_interdomain:
        s->u.interdomain.dom = e->remote_domid;
        s->u.interdomain.port = e->remote_port;
        break;
    case EVTCHNSTAT_virq:
        s->u.virq = e->virq;
        break;
    default:
        break;
    }
    return 0;
}

/* Which vCPU a port notifies: as in Xen, not for per-vCPU VIRQs or IPIs,
 * whose vCPU is part of what they are. */
static long bind_vcpu(struct domain *d, const struct evtchn_bind_vcpu *b)
{
    struct evtchn *e = port(d, b->port);

    if (!e)
        return -EINVAL;
    if (!vcpu_of(d, b->vcpu))
        return -ENOENT;
    switch (e->state) {
    case EVTCHNSTAT_virq:
        if (virq_is_per_vcpu(e->virq))
            return -EINVAL;
        /* fall through */
    case EVTCHNSTAT_unbound:
    case EVTCHNSTAT_interdomain:
        e->notify_vcpu = (uint8_t)b->vcpu;
        return 0;
    default:
        return -EINVAL;
    }
}

/* Clears the mask bit; an event that came while masked is delivered now. */
static long op_unmask(struct domain *d, const struct evtchn_unmask *u)
{
    uint8_t *si = (uint8_t *)d->shared_info;
    struct evtchn *e = port(d, u->port);
    struct vcpu *v;

    if (!si)
        return -ENOSYS;
    if (u->port == 0 || u->port >= EVTCHN_PORTS)
        return -EINVAL;
    /* A closed port may be unmasked too: the bit is the guest's. */
    v = vcpu_of(d, e ? e->notify_vcpu : 0);
    if (test_and_clear(word(si, mask_off(d), u->port), u->port) &&
        test(word(si, PENDING_OFF, u->port), u->port) && v) {
        uint8_t *vi = vcpu_info_of(v);
        unsigned int sel = u->port / sel_bits(d);

        if (vi && !test_and_set(word(vi, sel_bits(d) / 8, sel), sel))
            mark_pending(v);
    }
    return 0;
}

static long op_reset(struct domain *d, const struct evtchn_reset *r)
{
    if (!self(d, r->dom))
        return -EPERM;
    if (d->evtchn)
        for (unsigned p = 1; p < EVTCHN_PORTS; p++)
            if (d->evtchn[p].state != EVTCHNSTAT_closed)
                close_port(d, p);
    return 0;
}

/* Each command's argument size, for the copy in and out. */
static const uint8_t arg_size[] = {
    [EVTCHNOP_bind_interdomain] = sizeof(struct evtchn_bind_interdomain),
    [EVTCHNOP_bind_virq] = sizeof(struct evtchn_bind_virq),
    [EVTCHNOP_close] = sizeof(struct evtchn_close),
    [EVTCHNOP_send] = sizeof(struct evtchn_send),
    [EVTCHNOP_status] = sizeof(struct evtchn_status),
    [EVTCHNOP_alloc_unbound] = sizeof(struct evtchn_alloc_unbound),
    [EVTCHNOP_bind_ipi] = sizeof(struct evtchn_bind_ipi),
    [EVTCHNOP_bind_vcpu] = sizeof(struct evtchn_bind_vcpu),
    [EVTCHNOP_unmask] = sizeof(struct evtchn_unmask),
    [EVTCHNOP_reset] = sizeof(struct evtchn_reset),
};

/* The commands that answer through their argument. */
static bool has_output(unsigned int cmd)
{
    return cmd == EVTCHNOP_bind_interdomain || cmd == EVTCHNOP_bind_virq ||
           cmd == EVTCHNOP_status || cmd == EVTCHNOP_alloc_unbound ||
           cmd == EVTCHNOP_bind_ipi;
}

static long evtchn_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    struct domain *d = v->domain;
    union {
        struct evtchn_bind_interdomain bind_interdomain;
        struct evtchn_bind_virq bind_virq;
        struct evtchn_close close;
        struct evtchn_send send;
        struct evtchn_status status;
        struct evtchn_alloc_unbound alloc_unbound;
        struct evtchn_bind_ipi bind_ipi;
        struct evtchn_bind_vcpu bind_vcpu;
        struct evtchn_unmask unmask;
        struct evtchn_reset reset;
    } u;
    unsigned long f;
    long rc;

    /* The FIFO ABI (init_control...) is not offered: guests fall back to
     * the 2-level one when it fails.  Neither are physical IRQs. */
    if (cmd >= ARRAY_SIZE(arg_size) || !arg_size[cmd])
        return -ENOSYS;
    if (!d->shared_info)
        return -ENOSYS;
    if (copy_from_guest(v, &u, arg, arg_size[cmd]))
        return -EFAULT;

    f = spin_lock_irqsave(&evtchn_lock);
    switch (cmd) {
    case EVTCHNOP_bind_interdomain:
        rc = bind_interdomain(d, &u.bind_interdomain);
        break;
    case EVTCHNOP_bind_virq:
        rc = bind_virq(d, &u.bind_virq);
        break;
    case EVTCHNOP_close:
        rc = op_close(d, &u.close);
        break;
    case EVTCHNOP_send:
        rc = op_send(d, &u.send);
        break;
    case EVTCHNOP_status:
        rc = op_status(d, &u.status);
        break;
    case EVTCHNOP_alloc_unbound:
        rc = alloc_unbound(d, &u.alloc_unbound);
        break;
    case EVTCHNOP_bind_ipi:
        rc = bind_ipi(d, &u.bind_ipi);
        break;
    case EVTCHNOP_bind_vcpu:
        rc = bind_vcpu(d, &u.bind_vcpu);
        break;
    case EVTCHNOP_unmask:
        rc = op_unmask(d, &u.unmask);
        break;
    default:
        rc = op_reset(d, &u.reset);
        break;
    }
    spin_unlock_irqrestore(&evtchn_lock, f);

    if (rc == 0 && has_output((unsigned int)cmd) &&
        copy_to_guest(v, arg, &u, arg_size[cmd])) {
        /* Xen leaves a port it bound in place when the answer cannot be
         * written; so does mica: the guest can find it with status. */
        return -EFAULT;
    }
    return rc;
}

long do_event_channel_op(struct vcpu *v, const uint64_t a[5])
{
    return evtchn_op(v, a[0], a[1]);
}

/* The old form (hypercall 16): one struct evtchn_op, the command first
 * and the argument 8 bytes in. */
long do_event_channel_op_compat(struct vcpu *v, const uint64_t a[5])
{
    uint32_t cmd;

    if (copy_from_guest(v, &cmd, a[0], sizeof(cmd)))
        return -EFAULT;
    return evtchn_op(v, cmd, a[0] + 8);
}
