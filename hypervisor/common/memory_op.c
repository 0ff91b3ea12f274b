/* memory_op: a domain's view of its own memory (the reservation counts and
 * its memory map).  Only bits 5:0 of the command select the operation; Xen
 * keeps the bits above to resume preempted calls, which none of these is. */
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/hypercall.h>
#include <mica/string.h>
#include <asm/p2m.h>
#include <xen/memory.h>

#define MEMOP_CMD_MASK 0x3f

/* E820 type of usable RAM. */
#define E820_RAM 1

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
    struct {
        uint64_t addr, size;
        uint32_t type;
    } __attribute__((packed)) e820;
    _Static_assert(sizeof(e820) == 20, "E820 records are 20 bytes");

    if (copy_from_guest(v, raw, arg, wide ? 16 : 8))
        return -EFAULT;
    memcpy(&room, raw, 4);
    memcpy(&buffer, raw + (wide ? 8 : 4), wide ? 8 : 4);

    /* One RAM entry: the memory the domain was built with, from 0.  As in
     * Xen, a buffer too small gets as many entries as fit, and the count
     * says how many that was. */
    e820.addr = 0;
    e820.size = v->domain->max_pages << PAGE_SHIFT;
    e820.type = E820_RAM;
    room = MIN(room, 1u);
    if (room && copy_to_guest(v, buffer, &e820, sizeof(e820)))
        return -EFAULT;
    return copy_to_guest(v, arg, &room, sizeof(room)) ? -EFAULT : 0;
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
    default:
        return -ENOSYS;
    }
}
