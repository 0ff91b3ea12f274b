/* grant_table_op: a domain's own grant table, version 1.
 *
 * A domain has a table of up to GNTTAB_MAX_FRAMES frames, allocated as it
 * asks for them, which it maps into its physical address space with
 * XENMEM_add_to_physmap (memory_op.c) and fills with grant entries.  What
 * the entries are for, other domains mapping or copying the granted pages
 * (map_grant_ref, copy and the rest), is not done yet: those commands
 * answer -ENOSYS, as does version 2.
 *
 * Results follow Xen's for an HVM guest: a call that got as far as the
 * status field returns 0 and puts the GNTST_* result there. */
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/grant_table.h>
#include <mica/heap.h>
#include <mica/hypercall.h>
#include <mica/lib.h>
#include <mica/string.h>
#include <asm/p2m.h>
#include <xen/grant_table.h>

/* Xen keeps the bits of the command from 12 up for continuations of
 * cache_flush; any other command with them set is refused. */
#define GNTTABOP_CMD_BITS 12
#define GNTTABOP_CMD_MASK ((1u << GNTTABOP_CMD_BITS) - 1)

static struct grant_table *gnttab_get(struct domain *d)
{
    struct grant_table *gt = __atomic_load_n(&d->gnttab, __ATOMIC_ACQUIRE);
    struct grant_table *none = NULL;

    if (gt)
        return gt;
    gt = kzalloc(sizeof(*gt));
    if (!gt)
        return NULL;
    /* Two vCPUs may get here at once: the first one's table stays. */
    if (!__atomic_compare_exchange_n(&d->gnttab, &none, gt, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        kfree(gt);
        gt = none;
    }
    return gt;
}

int gnttab_grow(struct domain *d, unsigned int nr)
{
    struct grant_table *gt;
    unsigned long f;

    if (nr > GNTTAB_MAX_FRAMES)
        return -EINVAL;
    gt = gnttab_get(d);
    if (!gt)
        return -ENOMEM;
    /* One frame at a time, allocated outside the lock; a frame another
     * vCPU added meanwhile makes ours surplus. */
    for (;;) {
        unsigned int n;
        void *p;

        f = spin_lock_irqsave(&d->lock);
        n = gt->nr_frames;
        spin_unlock_irqrestore(&d->lock, f);
        if (n >= nr)
            return 0;
        p = page_alloc_zeroed();
        if (!p)
            return -ENOMEM;
        f = spin_lock_irqsave(&d->lock);
        if (gt->nr_frames == n) {
            gt->frame[n] = p;
            gt->gfn[n] = GFN_NONE;
            gt->nr_frames = n + 1;
            p = NULL;
        }
        spin_unlock_irqrestore(&d->lock, f);
        if (p)
            page_free(p);
    }
}

void gnttab_destroy(struct domain *d)
{
    struct grant_table *gt = d->gnttab;

    if (!gt)
        return;
    for (unsigned int i = 0; i < gt->nr_frames; i++)
        page_free(gt->frame[i]);
    kfree(gt);
    d->gnttab = NULL;
}

/* How many frames d's table has, as Xen counts them. */
static unsigned int nr_frames(struct domain *d)
{
    struct grant_table *gt = __atomic_load_n(&d->gnttab, __ATOMIC_ACQUIRE);
    unsigned int n = gt ? __atomic_load_n(&gt->nr_frames, __ATOMIC_RELAXED) : 0;

    return MAX(n, GNTTAB_INITIAL_FRAMES);
}

/* The domain a command names: the caller's own, or another, which an
 * unprivileged guest may not look at.  0, or the GNTST_* status. */
static int16_t target(struct vcpu *v, domid_t dom)
{
    if (dom == DOMID_SELF || dom == v->domain->id)
        return GNTST_okay;
    /* As Xen: a domain that does not exist first, then the permission. */
    return domain_find(dom) ? GNTST_permission_denied : GNTST_bad_domain;
}

/* GNTTABOP_setup_table.  The frame numbers a translated guest gets are
 * the guest frames its table frames are mapped at, all ones for one not
 * mapped (Xen's INVALID_GFN): the guest maps them itself with
 * add_to_physmap, and this call only grows the table. */
static long setup_table(struct vcpu *v, uint64_t uop, unsigned int count)
{
    bool wide = hvm_ops->guest_bits(v) == 64;
    struct domain *d = v->domain;
    uint8_t raw[24];
    domid_t dom;
    uint32_t nr;
    int16_t status;
    uint64_t list = 0;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(v, raw, uop, wide ? 24 : 16))
        return -EFAULT;
    memcpy(&dom, raw, 2);
    memcpy(&nr, raw + 4, 4);
    memcpy(&list, raw + (wide ? 16 : 12), wide ? 8 : 4);

    status = target(v, dom);
    if (status == GNTST_okay && (nr > GNTTAB_MAX_FRAMES || gnttab_grow(d, nr)))
        status = GNTST_general_error;
    for (uint32_t i = 0; status == GNTST_okay && i < nr; i++) {
        unsigned long f = spin_lock_irqsave(&d->lock);
        uint64_t gfn = d->gnttab->gfn[i];

        spin_unlock_irqrestore(&d->lock, f);
        /* As Xen, a frame it cannot write says so but the rest go on. */
        if (copy_to_guest(v, list + i * (wide ? 8 : 4), &gfn, wide ? 8 : 4))
            status = GNTST_bad_virt_addr;
    }
    return copy_to_guest(v, uop + 8, &status, sizeof(status)) ? -EFAULT : 0;
}

/* GNTTABOP_query_size. */
static long query_size(struct vcpu *v, uint64_t uop, unsigned int count)
{
    struct gnttab_query_size q;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(v, &q, uop, sizeof(q)))
        return -EFAULT;
    q.status = target(v, q.dom);
    if (q.status == GNTST_okay) {
        q.nr_frames = nr_frames(v->domain);
        q.max_nr_frames = GNTTAB_MAX_FRAMES;
    }
    return copy_to_guest(v, uop, &q, sizeof(q)) ? -EFAULT : 0;
}

/* GNTTABOP_set_version.  Version 1 is the one in force from the start;
 * version 2 gets -ENOSYS, Xen's answer when it is configured away
 * (gnttab=max-ver:1), "as before set_version was introduced". */
static long set_version(struct vcpu *v, uint64_t uop)
{
    struct gnttab_set_version sv;
    long rc;

    if (copy_from_guest(v, &sv, uop, sizeof(sv)))
        return -EFAULT;
    if (sv.version == 1)
        rc = 0;
    else if (sv.version == 2)
        rc = -ENOSYS;
    else
        rc = -EINVAL;
    sv.version = 1;
    return copy_to_guest(v, uop, &sv, sizeof(sv)) ? -EFAULT : rc;
}

/* GNTTABOP_get_version: errors, not a status, as Xen. */
static long get_version(struct vcpu *v, uint64_t uop)
{
    struct gnttab_get_version gv;
    uint32_t version = 1;

    if (copy_from_guest(v, &gv, uop, sizeof(gv)))
        return -EFAULT;
    switch (target(v, gv.dom)) {
    case GNTST_okay:
        break;
    case GNTST_bad_domain:
        return -ESRCH;
    default:
        return -EPERM;
    }
    return copy_to_guest(v, uop + 4, &version, sizeof(version)) ? -EFAULT : 0;
}

long do_grant_table_op(struct vcpu *v, const uint64_t a[5])
{
    unsigned int cmd = (unsigned int)a[0];
    uint64_t uop = a[1];
    unsigned int count = (unsigned int)a[2];

    if ((int)count < 0)
        return -EINVAL;
    if ((cmd & ~GNTTABOP_CMD_MASK) && (cmd & GNTTABOP_CMD_MASK) != GNTTABOP_cache_flush)
        return -EINVAL;

    switch (cmd & GNTTABOP_CMD_MASK) {
    case GNTTABOP_setup_table:
        return setup_table(v, uop, count);
    case GNTTABOP_query_size:
        return query_size(v, uop, count);
    case GNTTABOP_set_version:
        return set_version(v, uop);
    case GNTTABOP_get_version:
        return get_version(v, uop);
    default:
        /* Mapping, copying, transferring and swapping grants, status
         * frames (version 2 only) and cache flushes (Arm): not yet. */
        return -ENOSYS;
    }
}
