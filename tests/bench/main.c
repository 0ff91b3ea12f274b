/* bench: the guest half of `make bench`, written against Xen's ABI only so
 * that the same ELF runs under mica and under Xen 4.17.  It prints
 *
 *   BENCH null-hypercall N      TSC ticks per xen_version(XENVER_version)
 *   BENCH evtchn-loopback N     ticks from EVTCHNOP_send on one end of a
 *                               loopback interdomain channel to the upcall
 *                               handler having run for the other end
 *
 * the best average over several batches.  Under QEMU's
 * -icount shift=0,sleep=off the TSC counts executed instructions, so the
 * figures are instruction counts and repeat.  Nothing here is a test. */
#include "guest.h"
#include "events.h"
#include <xen/version.h>

#define BATCHES 8
#define PER_BATCH 64            /* best_of() divides by shifting */

static volatile unsigned int delivered;

static void on_event(evtchn_port_t p)
{
    (void)p;
    delivered++;
}

static uint64_t best_of(uint64_t (*batch)(void))
{
    uint64_t best = ~0ull;

    for (int i = 0; i < BATCHES; i++) {
        uint64_t t = batch();

        if (t < best)
            best = t;
    }
    return best >> 6;           /* / PER_BATCH, without 64-bit division */
}

static uint64_t null_batch(void)
{
    uint64_t t0 = rdtsc();

    for (int i = 0; i < PER_BATCH; i++)
        hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
    return rdtsc() - t0;
}

static evtchn_port_t send_port;

static uint64_t loopback_batch(void)
{
    struct evtchn_send s = { .port = send_port };
    uint64_t t0;
    unsigned int want = delivered + PER_BATCH;

    irq_enable();
    t0 = rdtsc();
    for (int i = 0; i < PER_BATCH; i++)
        evtchn_op(EVTCHNOP_send, &s);
    t0 = rdtsc() - t0;
    irq_disable();
    CHECK(delivered == want, "%u events of %u", delivered, want);
    return t0;
}

enum verdict test_main(const char *cmdline)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain bi;
    long rc;

    (void)cmdline;
    /* The first output: `make bench` times the domain's start to it. */
    printf("bench: started\n");
    rc = events_init();
    if (rc) {
        printf("events_init: %ld\n", rc);
        return ERROR;
    }
    printf("BENCH null-hypercall %lu\n", (unsigned long)best_of(null_batch));

    rc = evtchn_op(EVTCHNOP_alloc_unbound, &au);
    bi.remote_dom = DOMID_SELF;
    bi.remote_port = au.port;
    if (!rc)
        rc = evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    if (rc) {
        printf("loopback channel: %ld\n", rc);
        return ERROR;
    }
    events_scan();              /* the new end starts pending */
    evtchn_set_handler(bi.local_port, on_event);
    send_port = au.port;
    printf("BENCH evtchn-loopback %lu\n", (unsigned long)best_of(loopback_batch));
    return check_failures ? FAILURE : SUCCESS;
}
