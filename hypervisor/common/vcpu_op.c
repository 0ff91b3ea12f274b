/* vcpu_op and set_timer_op: a vCPU's single-shot timer and questions about
 * a domain's vCPUs.  Timer deadlines are absolute pvclock system times. */
#include <mica/domain.h>
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
    case VCPUOP_stop_periodic_timer:
        /* mica has no periodic timer: it is always stopped. */
        if (t != v)
            return -EINVAL;
        return 0;
    default:
        return -ENOSYS;
    }
}
