/* sched_op: yielding, blocking and shutting down (Xen's SCHEDOP_*). */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/event.h>
#include <mica/string.h>
#include <mica/time.h>
#include <mica/hypercall.h>
#include <mica/sched.h>
#include <asm/p2m.h>
#include <xen/event_channel.h>
#include <xen/sched.h>

long do_sched_op(struct vcpu *v, const uint64_t a[5])
{
    uint64_t cmd = a[0], arg = a[1];
    struct domain *d = v->domain;

    switch (cmd) {
    case SCHEDOP_yield:
        sched_yield();
        return 0;
    case SCHEDOP_block:
        /* Until an upcall or the vCPU's timer; at once if one is pending. */
        evtchn_block(v);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;

        if (copy_from_guest(v, &s, arg, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_watchdog)
            return -EINVAL;
        domain_shutdown(d, s.reason);
        return 0;
    }
    case SCHEDOP_shutdown_code: {
        struct sched_shutdown s;

        if (copy_from_guest(v, &s, arg, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_watchdog)
            return -EINVAL;
        d->shutdown_code = (int)s.reason;
        return 0;
    }
    default:
        return -ENOSYS;
    }
}
