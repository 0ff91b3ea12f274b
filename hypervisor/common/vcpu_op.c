/* vcpu_op and set_timer_op: a vCPU's single-shot timer and questions about
 * a domain's vCPUs.  Timer deadlines are absolute pvclock system times. */
#include <mica/domain.h>
#include <mica/event.h>
#include <mica/string.h>
#include <mica/errno.h>
#include <mica/hypercall.h>
#include <mica/sched.h>
#include <mica/time.h>
#include <asm/p2m.h>
#include <xen/errno.h>
#include <xen/vcpu.h>

/* set_timer_op(deadline): 0 disarms.  A 32-bit guest passes the 64-bit
 * deadline in two registers, low half first (Xen's convention). */
long do_set_timer_op(struct vcpu *v, const uint64_t a[5])
{
    uint64_t deadline = hvm_ops->guest_bits(v) == 64 ? a[0] : (a[1] << 32) | a[0];

    if (deadline == 0)
        sched_timer_stop(v);
    else
        sched_timer_set(v, deadline);
    return 0;
}

/* VCPUOP_register_vcpu_info: moves t's vcpu_info into the guest frame it
 * names, once, for itself or a vCPU that is down.  The frame stays the
 * domain's while mica writes there: no hypercall frees a domain's RAM
 * before it dies, and a frame shared_info replaces is parked (memory_op.c),
 * not freed.  As Xen does, the
 * new copy starts with every selector bit and the upcall set, so that the
 * guest looks at all its ports once. */
static long register_vcpu_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;
    uint8_t *old, *new;
    bool writable;
    mfn_t mfn;

    if (copy_from_guest(v, &r, arg, sizeof(r)))
        return -EFAULT;
    if (r.rsvd || r.offset > PAGE_SIZE - sizeof(struct vcpu_info))
        return -EINVAL;
    if (t->vcpu_info || (t != v && !(t->pause_flags & VPF_DOWN)))
        return -EINVAL;
    mfn = p2m_lookup(v->domain, r.mfn, &writable);
    if (mfn == MFN_INVALID || !writable || r.mfn == v->domain->shared_info_gfn)
        return -EINVAL;
    new = (uint8_t *)(uintptr_t)((mfn << PAGE_SHIFT) + r.offset);
    old = vcpu_info_of(t);
    if (old)
        memcpy(new, old, sizeof(struct vcpu_info));
    else
        memset(new, 0, sizeof(struct vcpu_info));
    /* evtchn_pending_sel: 4 bytes at 4 or 8 at 8; all ones covers both. */
    memset(new + 4, 0xff, 12);
    __atomic_store_n(&t->vcpu_info, new, __ATOMIC_SEQ_CST);
    __atomic_store_n(new, 1, __ATOMIC_SEQ_CST);
    time_update_vcpu(t);
    vcpu_unpause_flag(t, VPF_BLOCKED);
    return 0;
}

long do_vcpu_op(struct vcpu *v, const uint64_t a[5])
{
    struct domain *d = v->domain;
    uint64_t cmd = a[0], id = a[1], arg = a[2];
    struct vcpu *t;

    if (id >= d->nr_vcpus || !(t = d->vcpus[id]))
        return -ENOENT;

    switch (cmd) {
    case VCPUOP_is_up:
        return !(t->pause_flags & VPF_DOWN);
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer st;

        /* As in Xen, a vCPU sets only its own timer. */
        if (t != v)
            return -EINVAL;
        /* 12 bytes: i386 guests have no tail padding after flags. */
        st.flags = 0;
        if (copy_from_guest(v, &st, arg, offsetof(struct vcpu_set_singleshot_timer, flags) +
                                             sizeof(st.flags)))
            return -EFAULT;
        if ((st.flags & VCPU_SSHOTTMR_future) && st.timeout_abs_ns < time_system_ns())
            return -XEN_ETIME;
        sched_timer_set(v, st.timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if (t != v)
            return -EINVAL;
        sched_timer_stop(v);
        return 0;
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, t, arg);
    case VCPUOP_stop_periodic_timer:
        /* mica has no periodic timer: it is always stopped. */
        if (t != v)
            return -EINVAL;
        return 0;
    default:
        return -ENOSYS;
    }
}
