/* sched: how much CPU this domain gets, measured from its own runstate
 * (VCPUOP_get_runstate_info), written against Xen's ABI only.
 *
 * The domain sleeps until system time `start` ms, spins until start +
 * `window` ms, and works out from the runstate how much of that window it
 * ran.  Several domains given the same window on one CPU share it by
 * their weights; a capped one gets its cap.  With `expect` (per mille of
 * the window) the share must come within `tol` percent of it (default
 * 10).  The runstate's own rules are checked on the way: the four times
 * add up to the system time that passed, and a registered runstate area
 * is kept up to date.
 *
 * 32-bit guests have no 64-bit division in their runtime: div() below
 * does what little is needed. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define MS 1000000ull

static struct shared_info shinfo __attribute__((aligned(4096)));
static struct vcpu_runstate_info area;

static uint64_t now(void)
{
    return pvclock_read(&shinfo.vcpu_info[0].time).ns;
}

static long vcpu_op(unsigned int cmd, unsigned int id, void *arg)
{
    return hypercall3(__HYPERVISOR_vcpu_op, cmd, id, (unsigned long)arg);
}

static unsigned long number(const char *cmdline, const char *key, unsigned long dflt)
{
    char buf[16];
    unsigned long n = 0;

    if (!cmdline_value(cmdline, key, buf, sizeof(buf)))
        return dflt;
    for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (unsigned long)(*p - '0');
    return n;
}

/* n / d, by long division. */
static uint64_t div(uint64_t n, uint64_t d)
{
    uint64_t q = 0, r = 0;

    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    return q;
}

static unsigned long ms(uint64_t ns) { return (unsigned long)div(ns, 1000000); }

static uint64_t sum(const struct vcpu_runstate_info *r)
{
    return r->time[0] + r->time[1] + r->time[2] + r->time[3];
}

/* The runstate, and when it was read: mica's moment lies in [*a, *b]. */
static void runstate(struct vcpu_runstate_info *r, uint64_t *a, uint64_t *b)
{
    long rc;

    *a = now();
    rc = vcpu_op(VCPUOP_get_runstate_info, 0, r);
    *b = now();
    CHECK(rc == 0, "get_runstate_info: %ld", rc);
    CHECK(r->state == RUNSTATE_running, "own state %d while running", r->state);
}

/* Time run up to `t`, from a runstate read at about m (while running). */
static uint64_t ran_until(const struct vcpu_runstate_info *r, uint64_t m, uint64_t t)
{
    uint64_t since = r->state_entry_time > t ? r->state_entry_time : t;
    uint64_t after = m > since ? m - since : 0;

    return r->time[RUNSTATE_running] > after ? r->time[RUNSTATE_running] - after : 0;
}

static void block_until(uint64_t t)
{
    while (now() < t) {
        hypercall2(__HYPERVISOR_set_timer_op, (unsigned long)t, (unsigned long)(t >> 32));
        hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
    }
}

/* The registered area is rewritten at every schedule-in: while the vCPU
 * runs, it shows the current stint exactly as the hypercall does. */
static void check_area(void)
{
    struct vcpu_runstate_info r, copy;
    uint64_t a, b, old, t;
    bool same = false;
    long rc;

    rc = vcpu_op(VCPUOP_register_runstate_memory_area, 0, &(uint64_t){ (uintptr_t)&area });
    CHECK(rc == 0, "register_runstate_memory_area: %ld", rc);
    CHECK(area.state == RUNSTATE_running && sum(&area) > 0,
          "area not written at once: state %d", area.state);
    old = area.state_entry_time;
    /* Off the CPU and back: blocked, or preempted meanwhile. */
    t = now() + 2 * MS;
    block_until(t);
    /* A schedule-in between reading the area and the hypercall would
     * rewrite it: read until both agree on the stint. */
    for (int i = 0; i < 3 && !same; i++) {
        copy = area;
        runstate(&r, &a, &b);
        same = copy.state_entry_time == area.state_entry_time;
    }
    CHECK(copy.state == RUNSTATE_running && copy.state_entry_time > old &&
          copy.state_entry_time == r.state_entry_time &&
          copy.time[RUNSTATE_runnable] == r.time[RUNSTATE_runnable] &&
          copy.time[RUNSTATE_blocked] == r.time[RUNSTATE_blocked] &&
          copy.time[RUNSTATE_offline] == r.time[RUNSTATE_offline] &&
          copy.time[RUNSTATE_running] <= r.time[RUNSTATE_running],
          "area: state %d, entry %llu -> %llu, times %llu %llu %llu %llu; hypercall "
          "at %llu: entry %llu, times %llu %llu %llu %llu", copy.state,
          (unsigned long long)old, (unsigned long long)copy.state_entry_time,
          (unsigned long long)copy.time[0], (unsigned long long)copy.time[1],
          (unsigned long long)copy.time[2], (unsigned long long)copy.time[3],
          (unsigned long long)a, (unsigned long long)r.state_entry_time,
          (unsigned long long)r.time[0], (unsigned long long)r.time[1],
          (unsigned long long)r.time[2], (unsigned long long)r.time[3]);
    rc = vcpu_op(VCPUOP_register_runstate_memory_area, 0, &(uint64_t){ 0 });
    CHECK(rc == 0, "unregister: %ld", rc);
}

enum verdict test_main(const char *cmdline)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
        .gpfn = (xen_pfn_t)((uintptr_t)&shinfo >> 12),
    };
    struct vcpu_runstate_info r0, r1;
    uint64_t start, end, a0, b0, a1, b1, t;
    unsigned long window = number(cmdline, "window", 1000);
    unsigned long expect = number(cmdline, "expect", 0), tol = number(cmdline, "tol", 10);
    uint64_t ran, win, runnable;
    uint32_t share, lo, hi;
    unsigned long spins = 0;
    long rc;

    if (hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&xatp)) {
        printf("cannot map shared_info\n");
        return ERROR;
    }
    sched_yield();      /* have the time record written */
    t = now();

    rc = vcpu_op(VCPUOP_get_runstate_info, 1, &r0);
    CHECK(rc == -XEN_ENOENT, "runstate of vCPU 1: %ld", rc);
    rc = vcpu_op(VCPUOP_get_runstate_info, 0, (void *)0xfff00000);
    CHECK(rc == -XEN_EFAULT, "runstate to 0xfff00000: %ld", rc);
    check_area();
    start = number(cmdline, "start", 0) * MS;
    if (!start)
        start = now() + 50 * MS;
    end = start + window * MS;
    if (now() + 10 * MS > start) {
        printf("sched: up at %lu ms, after the window opened at %lu ms\n",
               (unsigned long)(t >> 20), (unsigned long)(start >> 20));
        return ERROR;
    }

    /* Interrupts on, as a kernel keeps them (nothing is bound, so none
     * comes): Bochs 2.7 lets an interrupt take the CPU from a guest only
     * if the guest entered with IF set or has changed IF since, so a
     * guest spinning with IF clear would keep its CPU there. */
    __asm__ volatile("sti");
    block_until(start);
    runstate(&r0, &a0, &b0);
    while (now() < end)
        spins++;
    runstate(&r1, &a1, &b1);
    __asm__ volatile("cli");

    /* The four states account for every nanosecond between the reads. */
    CHECK(sum(&r1) - sum(&r0) >= a1 - b0 && sum(&r1) - sum(&r0) <= b1 - a0,
          "runstate sums moved %llu ns in %llu..%llu ns",
          (unsigned long long)(sum(&r1) - sum(&r0)), (unsigned long long)(a1 - b0),
          (unsigned long long)(b1 - a0));

    ran = ran_until(&r1, a1 / 2 + b1 / 2, end);
    t = ran_until(&r0, a0 / 2 + b0 / 2, start);
    ran = ran > t ? ran - t : 0;
    win = end - start;
    share = (uint32_t)div(ran * 1000, win);
    runnable = r1.time[RUNSTATE_runnable] - r0.time[RUNSTATE_runnable];
    printf("sched: ran %lu of %lu ms (%lu.%lu%%), waited %lu ms; %lu spins\n",
           ms(ran), ms(win), (unsigned long)(share / 10), (unsigned long)(share % 10),
           ms(runnable), spins);
    /* Spinning, it was running or waiting for the CPU between the reads,
     * never blocked or offline. */
    CHECK(r1.time[RUNSTATE_offline] == r0.time[RUNSTATE_offline], "offline while spinning");
    CHECK(r1.time[RUNSTATE_blocked] == r0.time[RUNSTATE_blocked],
          "blocked %llu ns while spinning",
          (unsigned long long)(r1.time[RUNSTATE_blocked] - r0.time[RUNSTATE_blocked]));
    if (expect) {
        lo = (uint32_t)(expect * (100 - tol) / 100);
        hi = (uint32_t)(expect * (100 + tol) / 100);
        CHECK(share >= lo && share <= hi, "share %lu per mille, expected %lu (%lu..%lu)",
              (unsigned long)share, expect, (unsigned long)lo, (unsigned long)hi);
        printf("sched: share %lu.%lu%%, expected %lu.%lu%% within %lu%%: %s\n",
               (unsigned long)(share / 10), (unsigned long)(share % 10),
               expect / 10, expect % 10, tol, share >= lo && share <= hi ? "yes" : "no");
    }
    printf("sched: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
