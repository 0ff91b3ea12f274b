/* pingpong: two domains bounce an event over an interdomain channel,
 * written against Xen's ABI only; a third may try to butt in.
 *
 *   role=ping peer=D rounds=N   offers a port to domain D, waits for its
 *                               "ready", then sends N pings, each waiting
 *                               for the reply
 *   role=pong peer=D port=P     binds to D's port P and answers each event
 *   role=intruder peer=D port=P tries to bind to D's port P (offered to
 *                               someone else), and to act for D: every
 *                               try must fail
 */
#include "guest.h"
#include "events.h"
#include <xen/errno.h>
#include <xen/sched.h>

static volatile unsigned int received;
static evtchn_port_t my_port;
static bool echo;

static uint64_t now(void)
{
    return pvclock_read(&my_vcpu_info->time).ns;
}

static long send(evtchn_port_t p)
{
    struct evtchn_send s = { .port = p };

    return evtchn_op(EVTCHNOP_send, &s);
}

static void on_event(evtchn_port_t p)
{
    received++;
    if (echo)
        send(p);
}

/* Waits, halted, until `count` events have come or `ns` have passed. */
static bool wait_for(unsigned int count, uint64_t ns)
{
    uint64_t end = now() + ns;

    irq_disable();
    while (received < count && now() < end) {
        hypercall2(__HYPERVISOR_set_timer_op, (unsigned long)(now() + 1000000),
                   (unsigned long)((now() + 1000000) >> 32));
        safe_halt();
        irq_disable();
    }
    return received >= count;
}

static enum verdict ping(domid_t peer, unsigned int rounds)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = peer };
    uint64_t t0, t1, c0, c1;
    long rc;

    rc = evtchn_op(EVTCHNOP_alloc_unbound, &au);
    if (rc) {
        printf("alloc_unbound: %ld\n", rc);
        return ERROR;
    }
    my_port = au.port;
    evtchn_set_handler(my_port, on_event);
    printf("pingpong: ping offers port %u to d%u\n", my_port, peer);
    if (!wait_for(1, 10000000000ull)) {
        printf("pingpong: d%u never said it was ready\n", peer);
        return FAILURE;
    }
    t0 = now();
    c0 = rdtsc();
    for (unsigned int i = 0; i < rounds; i++) {
        rc = send(my_port);
        CHECK(rc == 0, "send: %ld", rc);
        if (!wait_for(i + 2, 5000000000ull)) {
            printf("pingpong: no reply to ping %u\n", i + 1);
            return FAILURE;
        }
    }
    c1 = rdtsc();
    t1 = now();
    CHECK(received == rounds + 1, "%u events for %u pings", received, rounds);
    /* ns >> 10: roughly microseconds, without 64-bit division. */
    printf("pingpong: %u round trips with d%u, ~%lu us each\n", rounds, peer,
           (unsigned long)((uint32_t)((t1 - t0) >> 10) / rounds));
    /* For `make bench`: TSC ticks per round trip (instructions, under
     * QEMU's -icount); in 16-tick units first if the total is large. */
    if (c1 - c0 < 0xffffffffull)
        printf("BENCH evtchn-interdomain %lu\n", (unsigned long)((uint32_t)(c1 - c0) / rounds));
    else
        printf("BENCH evtchn-interdomain %lu\n",
               (unsigned long)((uint32_t)((c1 - c0) >> 4) / rounds) << 4);
    /* Tell pong we are done: close our end, its sends now fail to reach us. */
    struct evtchn_close c = { .port = my_port };
    CHECK(evtchn_op(EVTCHNOP_close, &c) == 0, "close");
    return check_failures ? FAILURE : SUCCESS;
}

static enum verdict pong(domid_t peer, evtchn_port_t port, unsigned int rounds)
{
    struct evtchn_bind_interdomain bi = { .remote_dom = peer, .remote_port = port };
    struct evtchn_status st;
    uint64_t end = now() + 10000000000ull;
    long rc;

    /* ping may not have offered the port yet. */
    while ((rc = evtchn_op(EVTCHNOP_bind_interdomain, &bi)) == -XEN_EINVAL && now() < end)
        sched_yield();
    if (rc) {
        printf("bind_interdomain(d%u, %u): %ld\n", peer, port, rc);
        return FAILURE;
    }
    my_port = bi.local_port;
    st.dom = DOMID_SELF;
    st.port = my_port;
    rc = evtchn_op(EVTCHNOP_status, &st);
    CHECK(rc == 0 && st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == peer &&
          st.u.interdomain.port == port, "status: %ld %u d%u:%u", rc, st.status,
          st.u.interdomain.dom, st.u.interdomain.port);
    /* The bind left our end pending (Xen does that): drop it, then say
     * we are ready and answer everything from now on. */
    events_scan();
    received = 0;
    evtchn_set_handler(my_port, on_event);
    echo = true;
    printf("pingpong: pong bound port %u to d%u:%u\n", my_port, peer, port);
    CHECK(send(my_port) == 0, "ready");
    if (!wait_for(rounds, 30000000000ull))
        printf("pingpong: only %u of %u pings came\n", received, rounds);
    CHECK(received == rounds, "%u pings, expected %u", received, rounds);
    printf("pingpong: pong answered %u pings\n", received);
    return check_failures ? FAILURE : SUCCESS;
}

static enum verdict intruder(domid_t victim, evtchn_port_t port)
{
    struct evtchn_bind_interdomain bi = { .remote_dom = victim, .remote_port = port };
    struct evtchn_alloc_unbound au = { .dom = victim, .remote_dom = DOMID_SELF };
    struct evtchn_status st = { .dom = victim, .port = port };
    uint64_t end = now() + 200000000ull;
    unsigned int tries = 0;

    while (now() < end) {
        long rc = evtchn_op(EVTCHNOP_bind_interdomain, &bi);

        CHECK(rc == -XEN_EINVAL || rc == -XEN_ESRCH, "bind to d%u:%u: %ld", victim, port, rc);
        tries++;
        sched_yield();
    }
    CHECK(evtchn_op(EVTCHNOP_alloc_unbound, &au) == -XEN_EPERM, "alloc_unbound for d%u",
          victim);
    CHECK(evtchn_op(EVTCHNOP_status, &st) == -XEN_EPERM, "status of d%u's port", victim);
    printf("pingpong: intruder: %u tries to bind d%u:%u refused\n", tries, victim, port);
    return check_failures ? FAILURE : SUCCESS;
}

enum verdict test_main(const char *cmdline)
{
    char role[16];
    domid_t peer = (domid_t)cmdline_ulong(cmdline, "peer", 1);
    evtchn_port_t port = (evtchn_port_t)cmdline_ulong(cmdline, "port", 1);
    unsigned int rounds = (unsigned int)cmdline_ulong(cmdline, "rounds", 1000);
    long rc = events_init();

    if (rc) {
        printf("events_init: %ld\n", rc);
        return ERROR;
    }
    sched_yield();
    if (!cmdline_value(cmdline, "role", role, sizeof(role)))
        return ERROR;
    if (!strcmp(role, "ping"))
        return ping(peer, rounds);
    if (!strcmp(role, "pong"))
        return pong(peer, port, rounds);
    if (!strcmp(role, "intruder"))
        return intruder(peer, port);
    return ERROR;
}
