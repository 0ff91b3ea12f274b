/* Guest time: the pvclock record in each vcpu_info and the wall clock in
 * shared_info.
 *
 * System time is one linear function of the TSC for the whole machine,
 * fixed when the first domain is created: system_time = base_ns +
 * scale(tsc - base_tsc), base_ns being mica's uptime then.  So it is
 * nanoseconds since mica booted, every record any vCPU sees lies on the same
 * line, and re-writing a record never moves a guest's clock back.  Guests
 * read the host TSC unchanged (TSC offset 0 in both backends). */
#include <mica/domain.h>
#include <mica/event.h>
#include <mica/string.h>
#include <mica/time.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <xen/xen.h>

static struct pvclock_scale scale;
static uint64_t base_tsc, base_ns;
/* The wall clock at system time 0. */
static uint64_t wc_sec;
static uint32_t wc_nsec;
static bool ready;

void time_init_wallclock(void)
{
    uint64_t rtc, up;

    if (ready)
        return;
    scale = pvclock_scale_for(tsc_khz);
    base_ns = now_ns();
    base_tsc = rdtsc();
    rtc = rtc_read_epoch();
    /* The RTC counts whole seconds: the wall clock is good to one. */
    up = base_ns;
    if (rtc * 1000000000ull > up) {
        uint64_t wc = rtc * 1000000000ull - up;

        wc_sec = wc / 1000000000ull;
        wc_nsec = (uint32_t)(wc % 1000000000ull);
    }
    __atomic_store_n(&ready, true, __ATOMIC_RELEASE);
}

uint64_t time_system_ns(void)
{
    return base_ns + pvclock_scale_delta(rdtsc() - base_tsc, scale);
}

/* The version protocol: odd while the fields change, with the stores kept
 * in that order for a reader on another CPU. */
#define BEGIN_UPDATE(ver) do {                              \
        (ver)++;                                            \
        __atomic_thread_fence(__ATOMIC_SEQ_CST);            \
    } while (0)
#define END_UPDATE(ver) do {                                \
        __atomic_thread_fence(__ATOMIC_SEQ_CST);            \
        (ver)++;                                            \
    } while (0)

void time_update_vcpu(struct vcpu *v)
{
    uint8_t *vi = vcpu_info_of(v);
    volatile struct vcpu_time_info *t;
    uint64_t tsc;

    /* vCPUs beyond the legacy 32 have one only after register_vcpu_info. */
    if (!vi || !ready)
        return;
    /* vcpu_info has the same layout (and time the same offset, 32) for
     * 32- and 64-bit guests. */
    t = (volatile struct vcpu_time_info *)(vi + offsetof(struct vcpu_info, time));
    tsc = rdtsc();
    BEGIN_UPDATE(t->version);
    t->tsc_timestamp = tsc;
    t->system_time = base_ns + pvclock_scale_delta(tsc - base_tsc, scale);
    t->tsc_to_system_mul = scale.mul;
    t->tsc_shift = scale.shift;
    t->flags = 0;
    END_UPDATE(t->version);
}

/* shared_info's tail depends on the guest's word size: the wall clock
 * sits at 3072 (wc_sec_hi at 3084) for 64-bit guests and at 2304
 * (wc_sec_hi in the arch part, at 2340) for 32-bit ones.  The domain
 * latches its size when it maps the page; the other place is cleared, as
 * it is event-channel state in that layout. */
struct wallclock {
    uint32_t version, sec, nsec;
};

static void write_wc(uint8_t *page, size_t off, size_t hi_off)
{
    volatile struct wallclock *w = (volatile struct wallclock *)(page + off);

    BEGIN_UPDATE(w->version);
    w->sec = (uint32_t)wc_sec;
    w->nsec = wc_nsec;
    *(volatile uint32_t *)(page + hi_off) = (uint32_t)(wc_sec >> 32);
    END_UPDATE(w->version);
}

static void clear_wc(uint8_t *page, size_t off, size_t hi_off)
{
    memset(page + off, 0, sizeof(struct wallclock));
    memset(page + hi_off, 0, 4);
}

void time_update_wallclock(struct domain *d)
{
    uint8_t *page = (uint8_t *)d->shared_info;

    if (!page || !ready)
        return;
    if (d->shinfo_32) {
        clear_wc(page, 3072, 3084);
        write_wc(page, 2304, 2340);
    } else {
        clear_wc(page, 2304, 2340);
        write_wc(page, 3072, 3084);
    }
}
