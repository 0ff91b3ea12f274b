/* schedctl: pinning, migration, weights and caps through the toolstack
 * doorbell, seen from a boot-time control domain (module option "ctl",
 * pinned to CPU0).  It makes a spinner domain of its own (a few bytes of
 * code that count in its memory), then:
 *
 *  - watches it with vcpu_info on the CPU its cpu_mask names, running;
 *  - pins it to CPU0, where this domain runs: it must move there (within
 *    microseconds, as a kick makes CPU1 let go; 500 ms are allowed for
 *    an emulator the host does not run for a while) and, as two vCPUs
 *    never share a CPU at one time, is never seen running while this
 *    domain is, yet counts on while this one sleeps;
 *  - pins it back: it leaves this CPU and runs on CPU1 again;
 *  - caps it at 50% of a CPU and measures its CPU time, then uncaps it;
 *  - and checks what the calls refuse.
 *
 * Every CPU number comes from mica's own view (vcpu_info), and the
 * spinner's counter shows that it ran wherever it was said to be. */
#include "guest.h"
#include "doorbell.h"
#include <mica/ctl.h>
#include <mica/errno.h>
#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/sched.h>

#define MS 1000000ull
#define SCHED_DEFAULT 256       /* a new domain's weight */
#define SPIN_CODE   0x1000
#define SPIN_COUNT  0x2000

/* The spinner: interrupts on (see tests/sched), then count for ever. */
extern const uint8_t spin_start[], spin_end[];
__asm__(".pushsection .rodata\n"
        "spin_start:\n"
        "    sti\n"
        "1:  incl 0x2000\n"                 /* SPIN_COUNT */
        "    jmp 1b\n"
        "spin_end:\n"
        ".popsection\n");

static struct shared_info shinfo __attribute__((aligned(4096)));
static struct mica_vcpu_info vi[4];

static uint64_t now(void)
{
    return pvclock_read(&shinfo.vcpu_info[0].time).ns;
}

static void sleep_ms(unsigned int ms)
{
    uint64_t t = now() + ms * MS;

    while (now() < t) {
        hypercall2(__HYPERVISOR_set_timer_op, (unsigned long)t, (unsigned long)(t >> 32));
        hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
    }
}

/* n / d, by long division (32-bit guests have no 64-bit divide). */
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

static long vcpus(unsigned int id)
{
    return ctl(MICA_CTL_vcpu_info, id, (uintptr_t)vi, 4, 0);
}

static uint32_t counter(unsigned int id)
{
    uint32_t n = 0;

    CHECK(ctl(MICA_CTL_copy_from_domain, id, SPIN_COUNT, (uintptr_t)&n, 4) == 0,
          "reading the spinner's counter");
    return n;
}

static long spinner(void)
{
    static struct mica_domain_create cr;
    struct mica_vcpu_state st = { .mode = MICA_VCPU_PVH32, .rip = SPIN_CODE };
    long id, rc;

    memset(&cr, 0, sizeof(cr));
    __builtin_memcpy(cr.name, "spinner", 8);
    cr.memory_kb = 1024;
    cr.vcpus = 2;
    cr.cpu_mask = 1u << 1;
    id = ctl(MICA_CTL_domain_create, (uintptr_t)&cr, 0, 0, 0);
    if (id <= 0)
        return id;
    rc = ctl(MICA_CTL_copy_to_domain, (uint32_t)id, SPIN_CODE, (uintptr_t)spin_start,
             (uint32_t)(spin_end - spin_start));
    if (!rc)
        rc = ctl(MICA_CTL_vcpu_set_state, (uint32_t)id, 0, (uintptr_t)&st, 0);
    if (!rc)
        rc = ctl(MICA_CTL_domain_unpause, (uint32_t)id, 0, 0, 0);
    return rc ? rc : id;
}

/* Samples the spinner's vCPU 0 every 2 ms for `ms`: where it was each
 * time, and how often it was running. */
static void watch(unsigned int id, unsigned int ms, uint32_t cpus, unsigned int *running,
                  unsigned int *samples)
{
    uint64_t end = now() + ms * MS;

    *running = *samples = 0;
    while (now() < end) {
        long n = vcpus(id);

        CHECK(n == 2, "vcpu_info: %ld", n);
        (*samples)++;
        CHECK((1u << vi[0].cpu) & cpus, "vCPU 0 on CPU%u, allowed 0x%x", vi[0].cpu, cpus);
        if (vi[0].flags & MICA_VCPUF_running)
            (*running)++;
        sleep_ms(2);
    }
}

/* Waits up to `ms` for vCPU 0 to be placed on `cpu`; the time taken. */
static uint64_t wait_moved(unsigned int id, unsigned int cpu, unsigned int ms)
{
    uint64_t t0 = now();

    while (vcpus(id) == 2 && vi[0].cpu != cpu && now() < t0 + ms * MS)
        ;
    return now() - t0;
}

/* The share of one CPU the spinner's vCPU 0 had over `ms`, per mille. */
static unsigned long share(unsigned int id, unsigned int ms)
{
    uint64_t t0, t1, c0, c1;

    vcpus(id);
    c0 = vi[0].cpu_time_ns;
    t0 = now();
    sleep_ms(ms);
    vcpus(id);
    c1 = vi[0].cpu_time_ns;
    t1 = now();
    return (unsigned long)div((c1 - c0) * 1000, t1 - t0);
}

static void refusals(unsigned int id, unsigned int self)
{
    long rc;

    rc = ctl(MICA_CTL_vcpu_pin, id, 2, 1, 0);
    CHECK(rc == -ENOENT, "pin vCPU 2 of 2: %ld", rc);
    rc = ctl(MICA_CTL_vcpu_pin, id, 0, 0, 0);
    CHECK(rc == -EINVAL, "pin to no CPU: %ld", rc);
    rc = ctl(MICA_CTL_vcpu_pin, id, 0, 1u << 31, 0);
    CHECK(rc == -EINVAL, "pin to CPU31 only: %ld", rc);
    rc = ctl(MICA_CTL_vcpu_pin, 999, 0, 1, 0);
    CHECK(rc == -ESRCH, "pin in domain 999: %ld", rc);
    rc = ctl(MICA_CTL_vcpu_pin, self, 0, 1, 0);
    CHECK(rc == -EPERM, "pin a boot-time domain (itself): %ld", rc);

    rc = ctl(MICA_CTL_sched_credit, id, MICA_SCHED_KEEP, MICA_SCHED_KEEP, 0);
    CHECK(rc == SCHED_DEFAULT, "read weight: %ld", rc);
    rc = ctl(MICA_CTL_sched_credit, id, 512, MICA_SCHED_KEEP, 0);
    CHECK(rc == 512, "weight 512: %ld", rc);
    rc = ctl(MICA_CTL_sched_credit, id, 0, MICA_SCHED_KEEP, 0);
    CHECK(rc == -EINVAL, "weight 0: %ld", rc);
    rc = ctl(MICA_CTL_sched_credit, id, 65536, MICA_SCHED_KEEP, 0);
    CHECK(rc == -EINVAL, "weight 65536: %ld", rc);
    rc = ctl(MICA_CTL_sched_credit, id, MICA_SCHED_KEEP, 201, 0);
    CHECK(rc == -EINVAL, "cap 201 with 2 vCPUs: %ld", rc);
    rc = ctl(MICA_CTL_sched_credit, id, MICA_SCHED_KEEP, MICA_SCHED_KEEP, 0);
    CHECK(rc == 512, "weight after the refusals: %ld", rc);
    rc = ctl(MICA_CTL_sched_credit, 999, MICA_SCHED_KEEP, MICA_SCHED_KEEP, 0);
    CHECK(rc == -ESRCH, "read domain 999: %ld", rc);
    rc = ctl(MICA_CTL_sched_credit, self, MICA_SCHED_KEEP, MICA_SCHED_KEEP, 0);
    CHECK(rc == SCHED_DEFAULT, "read itself: %ld", rc);
    rc = ctl(MICA_CTL_sched_credit, self, 1000, MICA_SCHED_KEEP, 0);
    CHECK(rc == -EPERM, "set its own weight: %ld", rc);

    rc = ctl(MICA_CTL_vcpu_info, id, 0xfff00000u, 4, 0);
    CHECK(rc == -EFAULT, "vcpu_info to 0xfff00000: %ld", rc);
    rc = ctl(MICA_CTL_vcpu_info, id, 0xfff00000u, 0, 0);
    CHECK(rc == 2, "vcpu_info with room for none: %ld", rc);
    rc = ctl(MICA_CTL_vcpu_info, 999, (uintptr_t)vi, 4, 0);
    CHECK(rc == -ESRCH, "vcpu_info of domain 999: %ld", rc);
    printf("schedctl: the refusals\n");
}


enum verdict test_main(const char *cmdline)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
        .gpfn = (xen_pfn_t)((uintptr_t)&shinfo >> 12),
    };
    unsigned int running, samples, id, self;
    uint32_t n0, n1;
    unsigned long s;
    uint64_t t;
    long rc;

    (void)cmdline;
    if (hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&xatp)) {
        printf("cannot map shared_info\n");
        return ERROR;
    }
    sched_yield();
    rc = ctl(MICA_CTL_version, 0, 0, 0, 0);
    if (rc != MICA_CTL_VERSION) {
        printf("schedctl: the doorbell answers %ld\n", rc);
        return ERROR;
    }
    self = 1;
    rc = ctl(MICA_CTL_vcpu_info, self, (uintptr_t)vi, 4, 0);
    CHECK(rc == 1 && vi[0].cpu == 0 && (vi[0].flags & MICA_VCPUF_running) &&
          vi[0].affinity == 1, "itself: %ld, CPU%u, flags %#x, affinity %#llx", rc,
          vi[0].cpu, vi[0].flags, (unsigned long long)vi[0].affinity);
    rc = spinner();
    if (rc <= 0) {
        printf("schedctl: cannot make the spinner: %ld\n", rc);
        return ERROR;
    }
    id = (unsigned int)rc;

    /* Where its cpu_mask put it: CPU1, running (nothing else is there). */
    rc = vcpus(id);
    CHECK(rc == 2 && vi[0].affinity == 2 && (vi[0].flags & MICA_VCPUF_online) &&
          !(vi[1].flags & MICA_VCPUF_online), "spinner: %ld vCPUs, affinity %#llx, "
          "flags %#x %#x", rc, (unsigned long long)vi[0].affinity, vi[0].flags, vi[1].flags);
    n0 = counter(id);
    watch(id, 100, 1u << 1, &running, &samples);
    n1 = counter(id);
    printf("schedctl: on CPU1: running in %u of %u looks, counted %lu\n", running, samples,
           (unsigned long)(n1 - n0));
    CHECK(running * 2 >= samples && n1 != n0, "not running on CPU1");

    /* Pinned to this CPU: it moves at once, never runs while we do, and
     * counts while we sleep. */
    rc = ctl(MICA_CTL_vcpu_pin, id, 0, 1u << 0, 0);
    CHECK(rc == 0, "pin to CPU0: %ld", rc);
    t = wait_moved(id, 0, 500);
    CHECK(vi[0].cpu == 0 && vi[0].affinity == 1, "still on CPU%u after %llu ns", vi[0].cpu,
          (unsigned long long)t);
    n0 = counter(id);
    watch(id, 100, 1u << 0, &running, &samples);
    n1 = counter(id);
    printf("schedctl: pinned to CPU0 (ours): moved, running in %u of %u looks, counted %lu\n",
           running, samples, (unsigned long)(n1 - n0));
    CHECK(running == 0, "seen running on our CPU while we ran, %u times", running);
    CHECK(n1 != n0, "did not run on CPU0");

    /* Back to CPU1: it leaves this CPU, whose state it holds, at once. */
    rc = ctl(MICA_CTL_vcpu_pin, id, 0, 1u << 1, 0);
    CHECK(rc == 0, "pin to CPU1: %ld", rc);
    t = wait_moved(id, 1, 500);
    CHECK(vi[0].cpu == 1, "still on CPU%u after %llu ns", vi[0].cpu, (unsigned long long)t);
    n0 = counter(id);
    watch(id, 100, 1u << 1, &running, &samples);
    n1 = counter(id);
    printf("schedctl: back on CPU1: running in %u of %u looks, counted %lu\n", running,
           samples, (unsigned long)(n1 - n0));
    CHECK(running * 2 >= samples && n1 != n0, "not running on CPU1 again");

    /* A vCPU that is down is placed at once too. */
    rc = ctl(MICA_CTL_vcpu_pin, id, 1, 1u << 0, 0);
    CHECK(rc == 0 && vcpus(id) == 2 && vi[1].cpu == 0 && vi[1].affinity == 1,
          "pin the down vCPU 1 to CPU0: %ld, on CPU%u", rc, vi[1].cpu);

    refusals(id, self);

    /* A cap of 50% of a CPU, then none. */
    rc = ctl(MICA_CTL_sched_credit, id, MICA_SCHED_KEEP, 50, 0);
    CHECK(rc == 512, "cap 50: %ld", rc);
    s = share(id, 600);
    printf("schedctl: capped at 50%%: %lu.%lu%% of CPU1\n", s / 10, s % 10);
    CHECK(s >= 450 && s <= 550, "capped at 50%%: %lu per mille", s);
    rc = ctl(MICA_CTL_sched_credit, id, MICA_SCHED_KEEP, 0, 0);
    CHECK(rc == 512, "cap 0: %ld", rc);
    s = share(id, 100);
    printf("schedctl: uncapped: %lu.%lu%%\n", s / 10, s % 10);
    CHECK(s >= 900, "uncapped: %lu per mille", s);

    /* Paused, it stops where it is; destroyed, it is gone. */
    CHECK(ctl(MICA_CTL_domain_pause, id, 0, 0, 0) == 0, "pause");
    /* A vCPU on another CPU leaves at mica's IPI: on a loaded emulator
     * that CPU may lag ours by milliseconds, so wait until mica says
     * neither vCPU is on a CPU (a second at most). */
    for (unsigned int tries = 0; tries < 200; tries++) {
        sleep_ms(5);
        if (vcpus(id) == 2 && !((vi[0].flags | vi[1].flags) & MICA_VCPUF_running))
            break;
    }
    n0 = counter(id);
    sleep_ms(20);
    rc = vcpus(id);
    CHECK(rc == 2 && (vi[0].flags & MICA_VCPUF_paused) && !(vi[0].flags & MICA_VCPUF_running) &&
          counter(id) == n0, "paused: flags %#x", vi[0].flags);
    CHECK(ctl(MICA_CTL_domain_destroy, id, 0, 0, 0) == 0, "destroy");
    rc = vcpus(id);
    CHECK(rc == -ESRCH, "vcpu_info after destroy: %ld", rc);

    printf("schedctl: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
