/* memory_op: a domain's view of its own memory (the reservation counts, its
 * memory map, and where mica's pages for it are mapped).  Only bits 5:0 of
 * the command select the operation; Xen keeps the bits above to resume
 * preempted calls, which none of these is. */
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/grant_table.h>
#include <mica/hypercall.h>
#include <mica/string.h>
#include <mica/time.h>
#include <asm/p2m.h>
#include <xen/memory.h>

#define MEMOP_CMD_MASK 0x3f

/* shared_info may go anywhere below 4 GiB.  The bound keeps the page
 * tables a guest can make mica build, by moving the page about, small. */
#define SHARED_INFO_GFN_LIMIT (1ull << 20)

/* E820 type of usable RAM. */
#define E820_RAM      1
#define E820_RESERVED 2

/* An unprivileged domain may only ask about itself. */
static long own_domain(struct vcpu *v, uint64_t arg, struct domain **out)
{
    struct xen_memory_domain md;

    if (copy_from_guest(v, &md, arg, sizeof(md)))
        return -EFAULT;
    if (md.domid != DOMID_SELF && md.domid != v->domain->id)
        return -EPERM;
    *out = v->domain;
    return 0;
}

/* The guest's xen_memory_map: a 32-bit count then a handle as wide as its
 * pointers (offset 8 in 64-bit guests, 4 in 32-bit ones). */
static long memory_map(struct vcpu *v, uint64_t arg)
{
    bool wide = hvm_ops->guest_bits(v) == 64;
    uint8_t raw[16];
    uint32_t room;
    uint64_t buffer = 0;
    struct domain *d = v->domain;
    struct {
        uint64_t addr, size;
        uint32_t type;
    } __attribute__((packed)) e820[2];
    uint32_t n = 1;
    _Static_assert(sizeof(e820[0]) == 20, "E820 records are 20 bytes");

    if (copy_from_guest(v, raw, arg, wide ? 16 : 8))
        return -EFAULT;
    memcpy(&room, raw, 4);
    memcpy(&buffer, raw + (wide ? 8 : 4), wide ? 8 : 4);

    /* The RAM the domain was built with, from 0, and the region of the
     * console and store rings, reserved.  As in Xen, a buffer too small gets as
     * many entries as fit, and the count says how many that was. */
    e820[0].addr = 0;
    e820[0].size = d->ram_pages << PAGE_SHIFT;
    e820[0].type = E820_RAM;
    if (d->ring_gfn != GFN_NONE) {
        e820[1].addr = d->ring_gfn << PAGE_SHIFT;
        e820[1].size = SPECIAL_PAGES * PAGE_SIZE;
        e820[1].type = E820_RESERVED;
        n = 2;
    }
    room = MIN(room, n);
    if (room && copy_to_guest(v, buffer, e820, room * sizeof(e820[0])))
        return -EFAULT;
    return copy_to_guest(v, arg, &room, sizeof(room)) ? -EFAULT : 0;
}

/* A page of mica's now mapped at gfn took the place of whatever was there,
 * with the domain's lock held: one of mica's pages there is no longer
 * mapped anywhere, and a RAM frame of the domain's is given up (the
 * domain's reservation drops by one).  keep: the page that moved in. */
static void displaced(struct domain *d, gfn_t gfn, mfn_t old, bool owned,
                      const void *keep)
{
    struct grant_table *gt = d->gnttab;

    if (d->shared_info != keep && d->shared_info_gfn == gfn)
        d->shared_info_gfn = GFN_NONE;
    for (unsigned int i = 0; gt && i < gt->nr_frames; i++)
        if (gt->frame[i] != keep && gt->gfn[i] == gfn)
            gt->gfn[i] = GFN_NONE;
    /* Another vCPU may still hold it in its TLB: it goes back to the
     * pool with the domain. */
    if (old != MFN_INVALID && owned) {
        *(mfn_t *)(uintptr_t)(old << PAGE_SHIFT) = d->parked;
        d->parked = old;
        d->parked_pages++;
        d->tot_pages--;
    }
}

/* XENMAPSPACE_grant_table: frame idx of the domain's grant table, which
 * grows to it, at gpfn.  As in Xen the frame leaves the place it was
 * mapped at before; status frames (XENMAPIDX_grant_table_status) are
 * version 2's and refused with the indices past the table's maximum. */
static long map_grant_frame(struct domain *d, uint64_t idx, gfn_t gpfn)
{
    struct grant_table *gt;
    mfn_t old, gone;
    bool owned, gone_owned;
    unsigned long f;
    gfn_t prev;
    long rc;

    if (idx >= GNTTAB_MAX_FRAMES || gpfn >= SHARED_INFO_GFN_LIMIT)
        return -EINVAL;
    rc = gnttab_grow(d, (unsigned int)idx + 1);
    if (rc)
        return rc;
    gt = d->gnttab;
    f = spin_lock_irqsave(&d->lock);
    rc = p2m_replace(d, gpfn, (uintptr_t)gt->frame[idx] >> PAGE_SHIFT, true,
                     &old, &owned);
    if (rc == 0) {
        prev = gt->gfn[idx];
        if (prev != GFN_NONE && prev != gpfn)
            p2m_unmap(d, prev, &gone, &gone_owned);
        gt->gfn[idx] = gpfn;
        displaced(d, gpfn, old, owned, gt->frame[idx]);
    }
    spin_unlock_irqrestore(&d->lock, f);
    if (rc == 0)
        hvm_ops->npt_flush(d);
    return rc;
}

/* XENMEM_add_to_physmap, shared_info and grant table frames.  As in Xen,
 * the page leaves the frame it was mapped at before, and a RAM frame of the
 * domain's at the new place is given up. */
static long add_to_physmap(struct vcpu *v, uint64_t arg)
{
    struct domain *d = v->domain;
    bool wide = hvm_ops->guest_bits(v) == 64;
    uint8_t raw[24];
    uint16_t domid;
    uint32_t space;
    uint64_t idx = 0, gpfn = 0;
    mfn_t old, gone;
    bool owned, gone_owned;
    unsigned long f;
    long rc;

    /* Decode: domid, size and space, then idx and gpfn as wide as the
     * guest's long. */
    if (copy_from_guest(v, raw, arg, wide ? 24 : 16))
        return -EFAULT;
    memcpy(&domid, raw, 2);
    memcpy(&space, raw + 4, 4);
    memcpy(&idx, raw + 8, wide ? 8 : 4);
    memcpy(&gpfn, raw + (wide ? 16 : 12), wide ? 8 : 4);
    if (domid != DOMID_SELF && domid != d->id)
        return -EPERM;
    if (space == XENMAPSPACE_grant_table)
        return map_grant_frame(d, idx, gpfn);
    if (space != XENMAPSPACE_shared_info)
        return -ENOSYS;
    if (idx != 0 || gpfn >= SHARED_INFO_GFN_LIMIT || !d->shared_info)
        return -EINVAL;

    /* Do. */
    f = spin_lock_irqsave(&d->lock);
    rc = p2m_replace(d, gpfn, (uintptr_t)d->shared_info >> PAGE_SHIFT, true,
                     &old, &owned);
    if (rc == 0 && d->shared_info_gfn != GFN_NONE && d->shared_info_gfn != gpfn)
        p2m_unmap(d, d->shared_info_gfn, &gone, &gone_owned);
    if (rc == 0) {
        d->shared_info_gfn = gpfn;
        d->shinfo_32 = !wide;
        time_update_wallclock(d);
        displaced(d, gpfn, old, owned, d->shared_info);
    }
    spin_unlock_irqrestore(&d->lock, f);
    if (rc == 0)
        hvm_ops->npt_flush(d);
    return rc;
}

long do_memory_op(struct vcpu *v, const uint64_t a[5])
{
    unsigned int cmd = (unsigned int)(a[0] & MEMOP_CMD_MASK);
    uint64_t arg = a[1];
    struct domain *d;
    long rc;

    switch (cmd) {
    case XENMEM_current_reservation:
        rc = own_domain(v, arg, &d);
        return rc ? rc : (long)d->tot_pages;
    case XENMEM_maximum_reservation:
        rc = own_domain(v, arg, &d);
        return rc ? rc : (long)d->max_pages;
    case XENMEM_memory_map:
        return memory_map(v, arg);
    case XENMEM_add_to_physmap:
        return add_to_physmap(v, arg);
    default:
        return -ENOSYS;
    }
}
