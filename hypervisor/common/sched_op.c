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

/* Most ports one SCHEDOP_poll may wait for, as in Xen. */
#define POLL_MAX 128

/* SCHEDOP_poll: sleeps until one of the ports is pending (masked or not),
 * or until the timeout (absolute system time; 0 = none).  As in Xen, a
 * port already pending, or a timeout already past, returns at once, and a
 * wake-up may be spurious: the caller looks at its ports again. */
static long poll(struct vcpu *v, uint64_t arg)
{
    struct domain *d = v->domain;
    bool wide = hvm_ops->guest_bits(v) == 64;
    evtchn_port_t ports[POLL_MAX];
    uint8_t raw[24];
    uint64_t handle = 0, timeout;
    uint32_t nr;

    if (!d->shared_info)
        return -ENOSYS;
    if (copy_from_guest(v, raw, arg, wide ? 24 : 16))
        return -EFAULT;
    memcpy(&handle, raw, wide ? 8 : 4);
    memcpy(&nr, raw + (wide ? 8 : 4), 4);
    memcpy(&timeout, raw + (wide ? 16 : 8), 8);
    if (nr > POLL_MAX)
        return -EINVAL;
    if (nr && copy_from_guest(v, ports, handle, nr * sizeof(ports[0])))
        return -EFAULT;
    for (uint32_t i = 0; i < nr; i++)
        if (ports[i] >= EVTCHN_PORTS)
            return -EINVAL;

    /* Say what we wait for, then look: an event raised from here on sees
     * `polling` and wakes us; one raised before is seen by the look. */
    v->poll_port = nr == 1 ? (int)ports[0] : -1;
    __atomic_store_n(&v->polling, true, __ATOMIC_SEQ_CST);
    for (uint32_t i = 0; i < nr; i++) {
        if (evtchn_is_pending(d, ports[i])) {
            __atomic_store_n(&v->polling, false, __ATOMIC_SEQ_CST);
            return 0;
        }
    }
    if (timeout && timeout <= time_system_ns()) {
        __atomic_store_n(&v->polling, false, __ATOMIC_SEQ_CST);
        return 0;
    }
    /* The vCPU sleeps once this call returns to the scheduler; the event
     * or the timeout that wakes it ends the poll and disarms the other. */
    sched_poll_block(v, timeout);
    return 0;
}

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
    case SCHEDOP_poll:
        return poll(v, arg);
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
