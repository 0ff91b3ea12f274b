/* evtchn: event channels within one domain, written against Xen's ABI
 * only.  VIRQ_TIMER through the callback vector, IPIs, masking and
 * unmasking, a loopback interdomain channel, status, close, the upcall
 * held back while interrupts are off, SCHEDOP_block woken by an event,
 * register_vcpu_info, and the refusals. */
#include "guest.h"
#include "events.h"
#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define MS 1000000ull

static volatile unsigned int timer_events, ipi_events, loop_events;
static evtchn_port_t timer_port, ipi_port;
static uint8_t vcpu_info_page[4096] __attribute__((aligned(4096)));

static void on_timer(evtchn_port_t p) { (void)p; timer_events++; }
static void on_ipi(evtchn_port_t p) { (void)p; ipi_events++; }
static void on_loop(evtchn_port_t p) { (void)p; loop_events++; }

static uint64_t now(void)
{
    return pvclock_read(&my_vcpu_info->time).ns;
}

static long vcpu_op(unsigned int cmd, unsigned int id, void *arg)
{
    return hypercall3(__HYPERVISOR_vcpu_op, cmd, id, (unsigned long)arg);
}

static long set_timer(uint64_t deadline)
{
    return hypercall2(__HYPERVISOR_set_timer_op, (unsigned long)deadline,
                      (unsigned long)(deadline >> 32));
}

static long send(evtchn_port_t p)
{
    struct evtchn_send s = { .port = p };

    return evtchn_op(EVTCHNOP_send, &s);
}

static long status(evtchn_port_t p, struct evtchn_status *st)
{
    st->dom = DOMID_SELF;
    st->port = p;
    return evtchn_op(EVTCHNOP_status, st);
}

static long close_port(evtchn_port_t p)
{
    struct evtchn_close c = { .port = p };

    return evtchn_op(EVTCHNOP_close, &c);
}

static void test_timer_virq(void)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct evtchn_status st;
    uint64_t t0;
    long rc;

    rc = evtchn_op(EVTCHNOP_bind_virq, &bv);
    CHECK(rc == 0 && bv.port != 0, "bind_virq(TIMER): %ld, port %u", rc, bv.port);
    timer_port = bv.port;
    evtchn_set_handler(timer_port, on_timer);
    rc = status(timer_port, &st);
    CHECK(rc == 0 && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER &&
          st.vcpu == 0, "status(timer port): %ld, status %u virq %u", rc, st.status,
          st.u.virq);

    /* The timer, then STI;HLT: the upcall ends the HLT. */
    t0 = now();
    CHECK(set_timer(t0 + 5 * MS) == 0, "set_timer_op");
    for (int i = 0; i < 100 && !timer_events; i++)
        safe_halt();
    irq_disable();
    CHECK(timer_events == 1, "VIRQ_TIMER events after HLT: %u", timer_events);
    CHECK(now() >= t0 + 5 * MS, "the timer fired early");
    printf("evtchn: VIRQ_TIMER on port %u woke HLT through vector %#x\n", timer_port,
           UPCALL_VECTOR);

    /* Binding it again, on a vCPU that does not exist, a VIRQ that does
     * not exist, a global VIRQ on another vCPU. */
    rc = evtchn_op(EVTCHNOP_bind_virq, &bv);
    CHECK(rc == -XEN_EEXIST, "bind_virq(TIMER) twice: %ld", rc);
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 7 };
    CHECK(evtchn_op(EVTCHNOP_bind_virq, &bv) == -XEN_ENOENT, "bind_virq on vCPU 7");
    bv = (struct evtchn_bind_virq){ .virq = NR_VIRQS, .vcpu = 0 };
    CHECK(evtchn_op(EVTCHNOP_bind_virq, &bv) == -XEN_EINVAL, "bind_virq(NR_VIRQS)");
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_CONSOLE, .vcpu = 1 };
    CHECK(evtchn_op(EVTCHNOP_bind_virq, &bv) == -XEN_EINVAL, "global VIRQ on vCPU 1");
}

static void test_ipi_and_mask(void)
{
    struct evtchn_bind_ipi bi = { .vcpu = 0 };
    struct evtchn_unmask um;
    unsigned int before;
    long rc;

    rc = evtchn_op(EVTCHNOP_bind_ipi, &bi);
    CHECK(rc == 0 && bi.port != 0 && bi.port != timer_port, "bind_ipi: %ld port %u", rc,
          bi.port);
    ipi_port = bi.port;
    evtchn_set_handler(ipi_port, on_ipi);

    /* With interrupts on, the upcall comes as the hypercall returns. */
    irq_enable();
    rc = send(ipi_port);
    irq_disable();
    CHECK(rc == 0 && ipi_events == 1, "send(ipi) with interrupts on: %ld, %u events", rc,
          ipi_events);

    /* With interrupts off, it waits for STI. */
    rc = send(ipi_port);
    CHECK(rc == 0 && ipi_events == 1 && my_vcpu_info->evtchn_upcall_pending,
          "send(ipi) with interrupts off: delivered at once, or not pending");
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    CHECK(ipi_events == 2, "the held-back upcall after STI: %u events", ipi_events);

    /* A masked port stays pending, with no upcall; unmask delivers it. */
    evtchn_mask(ipi_port);
    before = upcalls;
    irq_enable();
    rc = send(ipi_port);
    irq_disable();
    CHECK(rc == 0 && upcalls == before && evtchn_test_pending(ipi_port) &&
          ipi_events == 2, "send to a masked port: upcall %u->%u, pending %d", before,
          upcalls, evtchn_test_pending(ipi_port));
    um.port = ipi_port;
    irq_enable();
    rc = evtchn_op(EVTCHNOP_unmask, &um);
    irq_disable();
    CHECK(rc == 0 && ipi_events == 3 && !evtchn_test_pending(ipi_port),
          "unmask: %ld, %u events", rc, ipi_events);
    printf("evtchn: IPI port %u: delivered, held back by CLI, masked and unmasked\n",
           ipi_port);
}

static void test_block(void)
{
    uint64_t t0 = now();
    long rc;

    /* SCHEDOP_block with interrupts off returns when the event is pending;
     * the guest takes it when it enables them. */
    CHECK(set_timer(t0 + 3 * MS) == 0, "set_timer_op");
    rc = hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
    CHECK(rc == 0 && my_vcpu_info->evtchn_upcall_pending,
          "SCHEDOP_block: %ld, upcall pending %u", rc, my_vcpu_info->evtchn_upcall_pending);
    CHECK(now() >= t0 + 3 * MS, "SCHEDOP_block returned before the timer");
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    CHECK(timer_events == 2, "timer events after block: %u", timer_events);

    /* With an upcall already pending, block does not sleep. */
    CHECK(send(ipi_port) == 0, "send");
    t0 = now();
    rc = hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
    CHECK(rc == 0 && now() - t0 < 50 * MS, "block with an upcall pending slept");
    events_scan();
    CHECK(ipi_events == 4, "ipi events: %u", ipi_events);
}

static long poll(evtchn_port_t *ports, unsigned int nr, uint64_t timeout)
{
    struct sched_poll sp = { .nr_ports = nr, .timeout = timeout };

    set_xen_guest_handle(sp.ports, ports);
    return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&sp);
}

/* SCHEDOP_poll: at once for a pending port; until the timeout; woken by a
 * masked port (no upcall); the refusals. */
static void test_poll(void)
{
    evtchn_port_t ports[2] = { ipi_port, timer_port };
    struct evtchn_unmask um = { .port = timer_port };
    uint64_t t0;
    long rc;

    evtchn_mask(ipi_port);
    CHECK(send(ipi_port) == 0, "send");
    t0 = now();
    rc = poll(ports, 1, 0);
    CHECK(rc == 0 && evtchn_test_pending(ipi_port) && now() - t0 < 50 * MS,
          "poll on a pending port: %ld", rc);
    evtchn_clear_pending(ipi_port);

    t0 = now();
    rc = poll(ports, 1, t0 + 5 * MS);
    CHECK(rc == 0 && now() >= t0 + 5 * MS && now() < t0 + 1000 * MS,
          "poll with a 5 ms timeout: %ld after %lu ns", rc, (unsigned long)(now() - t0));

    /* The timer's port, masked: the poll wakes, no upcall comes. */
    evtchn_mask(timer_port);
    t0 = now();
    CHECK(set_timer(t0 + 3 * MS) == 0, "set_timer_op");
    rc = poll(ports, 2, t0 + 2000 * MS);
    CHECK(rc == 0 && evtchn_test_pending(timer_port) && now() >= t0 + 3 * MS &&
          now() < t0 + 1000 * MS, "poll woken by the masked timer port: %ld", rc);
    irq_enable();
    rc = evtchn_op(EVTCHNOP_unmask, &um);
    irq_disable();
    CHECK(rc == 0 && timer_events == 3, "the timer event after unmask: %u", timer_events);
    um.port = ipi_port;
    CHECK(evtchn_op(EVTCHNOP_unmask, &um) == 0, "unmask ipi");

    CHECK(poll(ports, 129, 0) == -XEN_EINVAL, "poll on 129 ports");
    ports[1] = 5000;
    CHECK(poll(ports, 2, 0) == -XEN_EINVAL, "poll on port 5000");
    CHECK(poll((evtchn_port_t *)0xfffff000, 2, 0) == -XEN_EFAULT, "poll, bad ports");
    CHECK(hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, 0xfffff000) == -XEN_EFAULT,
          "poll, bad argument");
    printf("evtchn: SCHEDOP_poll: pending port, 5 ms timeout, masked timer port\n");
}

static void test_loopback(void)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain bi;
    struct evtchn_status st;
    long rc;

    rc = evtchn_op(EVTCHNOP_alloc_unbound, &au);
    CHECK(rc == 0 && au.port != 0, "alloc_unbound: %ld", rc);
    rc = status(au.port, &st);
    CHECK(rc == 0 && st.status == EVTCHNSTAT_unbound, "status(unbound): %ld %u", rc,
          st.status);
    bi.remote_dom = DOMID_SELF;
    bi.remote_port = au.port;
    rc = evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    CHECK(rc == 0 && bi.local_port != 0 && bi.local_port != au.port,
          "bind_interdomain(self): %ld", rc);
    /* The new end starts pending, as in Xen. */
    CHECK(evtchn_test_pending(bi.local_port), "new interdomain end not pending");
    evtchn_clear_pending(bi.local_port);
    evtchn_set_handler(bi.local_port, on_loop);
    evtchn_set_handler(au.port, on_loop);
    rc = status(bi.local_port, &st);
    CHECK(rc == 0 && st.status == EVTCHNSTAT_interdomain &&
          st.u.interdomain.port == au.port, "status(interdomain): %ld %u port %u", rc,
          st.status, st.u.interdomain.port);

    irq_enable();
    rc = send(au.port);
    irq_disable();
    CHECK(rc == 0 && loop_events == 1, "send over loopback: %ld, %u", rc, loop_events);
    irq_enable();
    rc = send(bi.local_port);
    irq_disable();
    CHECK(rc == 0 && loop_events == 2, "send back over loopback: %ld, %u", rc, loop_events);

    /* Binding the same unbound port twice fails; closing one end leaves
     * the other unbound; sends to it are dropped. */
    CHECK(evtchn_op(EVTCHNOP_bind_interdomain, &bi) == -XEN_EINVAL, "second bind");
    CHECK(close_port(bi.local_port) == 0, "close");
    rc = status(au.port, &st);
    CHECK(rc == 0 && st.status == EVTCHNSTAT_unbound, "far end after close: %u", st.status);
    CHECK(send(au.port) == 0, "send on an unbound port");
    CHECK(close_port(bi.local_port) == -XEN_EINVAL, "close twice");
    CHECK(send(bi.local_port) == -XEN_EINVAL, "send on a closed port");
    CHECK(close_port(au.port) == 0, "close the unbound end");
    printf("evtchn: loopback interdomain channel %u <-> %u: both ways, closed\n",
           au.port, bi.local_port);
}

static void test_refusals(void)
{
    struct evtchn_alloc_unbound au = { .dom = 5, .remote_dom = DOMID_SELF };
    struct evtchn_status st;
    struct evtchn_bind_interdomain bi = { .remote_dom = 0x7fe0, .remote_port = 1 };

    CHECK(evtchn_op(EVTCHNOP_alloc_unbound, &au) == -XEN_EPERM, "alloc_unbound for d5");
    CHECK(status(5000, &st) == -XEN_EINVAL, "status(5000)");
    CHECK(status(999, &st) == 0 && st.status == EVTCHNSTAT_closed, "status(999)");
    CHECK(evtchn_op(EVTCHNOP_bind_interdomain, &bi) == -XEN_ESRCH, "bind to no domain");
    CHECK(evtchn_op(EVTCHNOP_send, (void *)0xfffff000) == -XEN_EFAULT, "bad pointer");
    CHECK(evtchn_op(EVTCHNOP_init_control, &st) == -XEN_ENOSYS, "FIFO init_control");
    CHECK(evtchn_op(99, &st) == -XEN_ENOSYS, "command 99");
    CHECK(send(0) == -XEN_EINVAL, "send(0)");
    CHECK(send(1024) == -XEN_EINVAL, "send(1024)");
}

static void test_vcpu_info(void)
{
    struct vcpu_register_vcpu_info r = {
        .mfn = (uintptr_t)vcpu_info_page >> 12, .offset = 64, .rsvd = 0,
    };
    volatile struct vcpu_info *vi = (volatile struct vcpu_info *)(vcpu_info_page + 64);
    long rc;

    r.rsvd = 1;
    CHECK(vcpu_op(VCPUOP_register_vcpu_info, 0, &r) == -XEN_EINVAL, "rsvd set");
    r.rsvd = 0;
    r.offset = 4096 - 32;
    CHECK(vcpu_op(VCPUOP_register_vcpu_info, 0, &r) == -XEN_EINVAL, "crosses a page");
    r.offset = 64;
    rc = vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
    CHECK(rc == 0, "register_vcpu_info: %ld", rc);
    /* The new copy asks for a scan, and carries the time. */
    CHECK(vi->evtchn_upcall_pending == 1, "new vcpu_info: upcall not pending");
    my_vcpu_info = vi;
    events_scan();
    CHECK(vi->time.version != 0 && (vi->time.version & 1) == 0 && vi->time.system_time,
          "no time in the new vcpu_info");
    CHECK(vcpu_op(VCPUOP_register_vcpu_info, 0, &r) == -XEN_EINVAL, "registered twice");
    irq_enable();
    rc = send(ipi_port);
    irq_disable();
    CHECK(rc == 0 && ipi_events == 5, "IPI through the moved vcpu_info: %u", ipi_events);
    CHECK(xen_shared.vcpu_info[0].evtchn_upcall_pending == 0,
          "the old vcpu_info still gets upcalls");
    printf("evtchn: vcpu_info moved to frame %#lx+64; events and time follow\n",
           (unsigned long)r.mfn);
}

enum verdict test_main(const char *cmdline)
{
    long rc;

    (void)cmdline;
    rc = events_init();
    if (rc) {
        printf("events_init: %ld\n", rc);
        return ERROR;
    }
    sched_yield();
    test_timer_virq();
    test_ipi_and_mask();
    test_block();
    test_poll();
    test_loopback();
    test_refusals();
    test_vcpu_info();
    printf("evtchn: %u upcalls, %u events\n", upcalls, events_handled);
    return check_failures ? FAILURE : SUCCESS;
}
