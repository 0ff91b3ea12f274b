/* pvclock: the time a PVH guest reads from shared_info, written against
 * Xen's ABI only.  It maps shared_info, then checks vCPU 0's time record
 * (version protocol, a usable scale), that system time never goes back
 * over many reads and across reschedules, that it advances with the TSC,
 * and that the wall clock is set. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/memory.h>

static struct shared_info shinfo __attribute__((aligned(4096)));

/* vCPU 0's clock. */
static struct pvclock_sample read_clock(void)
{
    return pvclock_read(&shinfo.vcpu_info[0].time);
}

static uint64_t kid(uint64_t ns) { return ns >> 10; }   /* ~microseconds */

enum verdict test_main(const char *cmdline)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = (xen_pfn_t)((uintptr_t)&shinfo >> 12),
    };
    volatile struct vcpu_time_info *t = &shinfo.vcpu_info[0].time;
    struct pvclock_sample a, b, prev;
    uint32_t wcv, wsec, wnsec;
    long rc;

    (void)cmdline;
    rc = hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
                    (unsigned long)&xatp);
    if (rc) {
        printf("add_to_physmap(shared_info): %ld\n", rc);
        return FAILURE;
    }
    /* The record is written when the vCPU is scheduled in: yield once so
     * that it is, whatever happened before the page was mapped. */
    sched_yield();
    printf("pvclock: version %u, mul %u, shift %d, system time %llu us\n",
           t->version, t->tsc_to_system_mul, t->tsc_shift,
           (unsigned long long)kid(t->system_time));
    CHECK(!(t->version & 1) && t->version, "version %u", t->version);
    CHECK(t->tsc_to_system_mul != 0, "tsc_to_system_mul is 0");

    /* Monotonic over many reads and a few reschedules. */
    prev = read_clock();
    for (int i = 0; i < 20000; i++) {
        struct pvclock_sample s = read_clock();

        if (s.ns < prev.ns) {
            CHECK(0, "time went back: %llu then %llu ns",
                  (unsigned long long)prev.ns, (unsigned long long)s.ns);
            break;
        }
        prev = s;
        if (i % 5000 == 4999)
            sched_yield();
    }

    /* It advances, and by what the scale says for the TSC ticks that passed:
     * the record was rewritten at each yield, so compare across them. */
    a = read_clock();
    for (volatile int i = 0; i < 2000000; i++)
        ;
    sched_yield();
    b = read_clock();
    printf("pvclock: %llu us over %llu kTSC ticks, record %u -> %u\n",
           (unsigned long long)kid(b.ns - a.ns),
           (unsigned long long)((b.tsc - a.tsc) >> 10), a.version, b.version);
    CHECK(b.ns > a.ns, "system time did not advance");
    CHECK(b.version != a.version, "record not rewritten at a reschedule");
    {
        /* Apply the current scale to the TSC delta: it must agree with the
         * system-time delta to within 1/1024, whatever the updates did. */
        uint64_t d = b.tsc - a.tsc, want, got = b.ns - a.ns;
        int8_t shift = t->tsc_shift;

        d = shift < 0 ? d >> -shift : d << shift;
        want = pvclock_mul_frac(d, t->tsc_to_system_mul);
        CHECK(got <= want + (want >> 10) + 1000 && got + (want >> 10) + 1000 >= want,
              "system time moved %llu ns, TSC says %llu ns",
              (unsigned long long)got, (unsigned long long)want);
    }

    do {
        wcv = shinfo.wc_version;
        __asm__ volatile("" ::: "memory");
        wsec = shinfo.wc_sec;
        wnsec = shinfo.wc_nsec;
        __asm__ volatile("" ::: "memory");
    } while ((wcv & 1) || wcv != shinfo.wc_version);
    printf("wallclock: version %u, %u s %u ns at system time 0\n", wcv, wsec, wnsec);
    /* The RTC's years are taken as 20xx: any clock that reads is past 2000. */
    CHECK(wcv != 0 && wsec >= 946684800u && wnsec < 1000000000u,
          "wallclock version %u, %u s, %u ns", wcv, wsec, wnsec);

    printf("pvclock: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
