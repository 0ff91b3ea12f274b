/* Local APIC: enable, EOI, IPIs, INIT-SIPI-SIPI, and the timer, calibrated
 * (with the TSC) against PIT channel 2, or against the ACPI PM timer when
 * the PIT is missing or disagrees with it.  Intel SDM 3A chapter 11. */
#include <mica/console.h>
#include <mica/errno.h>
#include <mica/percpu.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/traps.h>

#define APIC_ID      0x020
#define APIC_EOI     0x0b0
#define APIC_SVR     0x0f0
#define APIC_ESR     0x280
#define APIC_ICR_LO  0x300
#define APIC_ICR_HI  0x310
#define APIC_LVT_TMR 0x320
#define APIC_TMICT   0x380
#define APIC_TMCCT   0x390
#define APIC_TDCR    0x3e0

#define ICR_BUSY     (1u << 12)
#define ICR_INIT     0x00000500u
#define ICR_STARTUP  0x00000600u
#define ICR_LEVEL_ASSERT 0x00004000u
#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define TDCR_DIV16   0x3

#define PIT_HZ 1193182u
#define PM_TMR_HZ 3579545u

static paddr_t base = 0xfee00000;
uint64_t tsc_khz, lapic_timer_khz;
static uint64_t tsc_at_boot;

static uint32_t rd(uint32_t reg) { return mmio_read32(base + reg); }
static void wr(uint32_t reg, uint32_t v) { mmio_write32(base + reg, v); }

uint32_t lapic_id(void) { return rd(APIC_ID) >> 24; }
void lapic_eoi(void) { wr(APIC_EOI, 0); }

static void timer_irq(struct cpu_regs *r)
{
    (void)r;
    lapic_eoi();
    this_cpu()->need_resched = true;
}

static void resched_irq(struct cpu_regs *r)
{
    (void)r;
    lapic_eoi();
    this_cpu()->need_resched = true;
}

/* The legacy 8259 PICs come out of the BIOS delivering IRQ 0 at vector 8,
 * where it would look like a double fault.  mica uses only the LAPIC, so
 * the PICs are moved out of the exception range and masked. */
void pic_disable(void)
{
    outb(0x20, 0x11);   /* ICW1: init, ICW4 follows */
    outb(0xa0, 0x11);
    outb(0x21, 0x20);   /* ICW2: vectors 0x20-0x27 */
    outb(0xa1, 0x28);   /*       and 0x28-0x2f */
    outb(0x21, 0x04);   /* ICW3: slave on IRQ 2 */
    outb(0xa1, 0x02);
    outb(0x21, 0x01);   /* ICW4: 8086 mode */
    outb(0xa1, 0x01);
    outb(0x21, 0xff);   /* mask everything */
    outb(0xa1, 0xff);
}

void lapic_init(void)
{
    uint64_t msr = rdmsr(MSR_IA32_APIC_BASE);

    base = msr & 0xffffff000ull;
    wrmsr(MSR_IA32_APIC_BASE, msr | (1u << 11));    /* global enable */
    wr(APIC_SVR, 0x100 | VEC_SPURIOUS);
    wr(APIC_LVT_TMR, LVT_MASKED | VEC_TIMER);
    wr(APIC_TDCR, TDCR_DIV16);
    wr(APIC_ESR, 0);
    irq_set_handler(VEC_TIMER, timer_irq);
    irq_set_handler(VEC_RESCHED, resched_irq);
}

/* Waits `ticks` of the PIT (at most 65535) on channel 2, polling its
 * output through port 0x61, with the speaker off.  False if it never ends
 * (no PIT: port 0x61 then reads a constant). */
static bool pit_wait(uint16_t ticks)
{
    uint8_t gate = (inb(0x61) & ~0x02) | 0x01;

    outb(0x61, gate & ~0x01);
    outb(0x43, 0xb0);                   /* channel 2, lo/hi, mode 0 */
    outb(0x42, ticks & 0xff);
    outb(0x42, ticks >> 8);
    outb(0x61, gate);                   /* start counting */
    /* A port read takes about a microsecond: this is seconds. */
    for (uint32_t n = 0; n < 20000000; n++)
        if (inb(0x61) & 0x20)
            return true;
    return false;
}

static uint32_t pm_tmr_read(void)
{
    return inl(acpi.pm_tmr) & (acpi.pm_tmr_32 ? 0xffffffffu : 0xffffffu);
}

static uint32_t pm_tmr_since(uint32_t from)
{
    return (pm_tmr_read() - from) & (acpi.pm_tmr_32 ? 0xffffffffu : 0xffffffu);
}

/* Counts the TSC and the LAPIC timer (divide by 16, from all ones) over
 * `hz`/100 ticks of a clock of `hz`: the PIT's or the PM timer's. */
struct window {
    uint64_t tsc;
    uint32_t lapic;
    uint32_t pm;                        /* PM timer ticks seen meanwhile */
    uint32_t hz, ticks;                 /* the window: ticks of hz */
    bool ok;
};

static struct window measure(bool use_pm)
{
    struct window w = { 0, 0, 0, PIT_HZ, PIT_HZ / 100, false };
    uint32_t pm0 = acpi.pm_tmr ? pm_tmr_read() : 0;
    uint64_t t0;

    wr(APIC_LVT_TMR, LVT_MASKED | VEC_TIMER);
    wr(APIC_TDCR, TDCR_DIV16);
    wr(APIC_TMICT, 0xffffffffu);
    t0 = rdtsc();
    if (use_pm) {
        pm0 = pm_tmr_read();
        t0 = rdtsc();
        w.hz = PM_TMR_HZ;
        w.ticks = PM_TMR_HZ / 100;
        while (pm_tmr_since(pm0) < w.ticks)
            cpu_relax();
        w.ok = true;
    } else {
        w.ok = pit_wait(PIT_HZ / 100);
    }
    w.tsc = rdtsc() - t0;
    w.lapic = 0xffffffffu - rd(APIC_TMCCT);
    if (acpi.pm_tmr)
        w.pm = pm_tmr_since(pm0);
    wr(APIC_TMICT, 0);
    return w;
}

void lapic_calibrate(void)
{
    /* 10 ms: long enough that a host descheduling an emulator for a moment
     * does not skew the result (a 5 ms window was seen to, under load). */
    struct window w;
    uint64_t expect_pm = PM_TMR_HZ / 100;

    tsc_at_boot = rdtsc();
    w = measure(false);
    /* A PIT that never ends, or ends far from 10 ms by the PM timer, is
     * absent (some PCs gate it off) or broken: use the PM timer.  Far: a
     * factor of two, as under emulation the two can differ by tens of
     * percent in one 10 ms window (OVMF's QEMU, seen). */
    if (acpi.pm_tmr && (!w.ok || w.pm < expect_pm / 2 ||
                        w.pm > expect_pm * 2)) {
        if (w.ok)
            pr_warn("PIT: its 10 ms took %u ticks of the ACPI PM timer, not "
                    "%llu (gated off or absent?); calibrating against the PM "
                    "timer\n", w.pm, (unsigned long long)expect_pm);
        else
            pr_warn("PIT: never counted down (gated off or absent?); "
                    "calibrating against the ACPI PM timer\n");
        w = measure(true);
    } else if (!w.ok) {
        pr_err("PIT: absent, and no ACPI PM timer: the TSC and LAPIC timer "
               "rates below are guesses\n");
    }
    /* Both counted for w.ticks / w.hz seconds (10 ms). */
    lapic_timer_khz = (uint64_t)w.lapic * w.hz / w.ticks / 1000;
    tsc_khz = w.tsc * w.hz / w.ticks / 1000;
    if (!lapic_timer_khz)
        lapic_timer_khz = 1;
    if (!tsc_khz)
        tsc_khz = 1;
    pr_info("TSC %llu.%03llu MHz, LAPIC timer %llu kHz\n",
            (unsigned long long)(tsc_khz / 1000),
            (unsigned long long)(tsc_khz % 1000),
            (unsigned long long)lapic_timer_khz);
}

static volatile unsigned int selftest_ticks;

static void selftest_irq(struct cpu_regs *r)
{
    (void)r;
    selftest_ticks++;
    lapic_eoi();
}

/* Checks at boot that the timer interrupts in both modes: three periodic
 * ticks of 100 us, then one one-shot of 100 us that must not fire again
 * within the next millisecond, each within a generous deadline. */
int lapic_timer_selftest(void)
{
    uint64_t deadline;
    unsigned int periodic, oneshot;

    irq_set_handler(VEC_TIMER, selftest_irq);
    selftest_ticks = 0;
    lapic_timer_periodic(100000);
    deadline = now_ns() + 1000000000;
    while (selftest_ticks < 3 && now_ns() < deadline)
        safe_halt();
    lapic_timer_stop();
    local_irq_disable();
    periodic = selftest_ticks;
    selftest_ticks = 0;
    lapic_timer_oneshot(100000);
    deadline = now_ns() + 1000000000;
    while (!selftest_ticks && now_ns() < deadline) {
        local_irq_window();
        cpu_relax();
    }
    /* Another 1 ms: a one-shot timer must not fire again. */
    deadline = now_ns() + 1000000;
    while (now_ns() < deadline)
        local_irq_window();
    oneshot = selftest_ticks;
    lapic_timer_stop();
    irq_set_handler(VEC_TIMER, timer_irq);
    if (periodic < 3 || oneshot != 1) {
        pr_err("LAPIC timer: %u periodic ticks (want 3), %u one-shot (want 1)\n",
               periodic, oneshot);
        return -EIO;
    }
    printk("LAPIC timer: periodic and one-shot modes work\n");
    return 0;
}

uint64_t now_ns(void)
{
    uint64_t d = rdtsc() - tsc_at_boot;

    /* d * 1e6 / tsc_khz without overflow for years of uptime. */
    return (d / tsc_khz) * 1000000 + (d % tsc_khz) * 1000000 / tsc_khz;
}

static uint32_t ns_to_count(uint64_t ns)
{
    uint64_t c = ns * lapic_timer_khz / 1000000;

    if (c == 0)
        c = 1;
    return c > 0xffffffffu ? 0xffffffffu : (uint32_t)c;
}

void lapic_timer_oneshot(uint64_t ns)
{
    wr(APIC_LVT_TMR, VEC_TIMER);
    wr(APIC_TMICT, ns_to_count(ns));
}

void lapic_timer_periodic(uint64_t ns)
{
    wr(APIC_LVT_TMR, LVT_PERIODIC | VEC_TIMER);
    wr(APIC_TMICT, ns_to_count(ns));
}

void lapic_timer_stop(void)
{
    wr(APIC_TMICT, 0);
    wr(APIC_LVT_TMR, LVT_MASKED | VEC_TIMER);
}

static int icr_wait(void)
{
    for (int i = 0; i < 1000000; i++)
        if (!(rd(APIC_ICR_LO) & ICR_BUSY))
            return 0;
    return -ETIMEDOUT;
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    unsigned long f = local_irq_save();

    icr_wait();
    wr(APIC_ICR_HI, apic_id << 24);
    wr(APIC_ICR_LO, vector);
    local_irq_restore(f);
}

void lapic_send_stop_all(void)
{
    if (!tsc_khz)
        return;                 /* too early: no other CPU runs yet */
    icr_wait();
    /* Destination shorthand "all excluding self" (bits 18-19 = 11). */
    wr(APIC_ICR_LO, (3u << 18) | VEC_STOP);
}

void udelay(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_khz / 1000;

    while (rdtsc() < end)
        cpu_relax();
}

/* The SDM's 10 ms wait after INIT is for old processors; like Linux, mica
 * skips it on Intel family 6 and later and AMD family 0xf and later. */
static uint64_t init_delay_us(void)
{
    struct cpuid_regs r = cpuid(0);
    unsigned family = (cpuid(1).eax >> 8) & 0xf;
    bool amd = r.ebx == 0x68747541;     /* "Auth"enticAMD */

    if ((amd && family >= 0xf) || (!amd && family >= 6))
        return 0;
    return 10000;
}

/* INIT, wait, SIPI, SIPI: Intel SDM 3A, 9.4.4.1. */
int lapic_start_ap(uint32_t apic_id, uint8_t sipi_page)
{
    wr(APIC_ESR, 0);
    wr(APIC_ICR_HI, apic_id << 24);
    wr(APIC_ICR_LO, ICR_INIT | ICR_LEVEL_ASSERT);
    if (icr_wait())
        return -ETIMEDOUT;
    udelay(init_delay_us());
    for (int i = 0; i < 2; i++) {
        wr(APIC_ICR_HI, apic_id << 24);
        wr(APIC_ICR_LO, ICR_STARTUP | sipi_page);
        udelay(200);
        if (icr_wait())
            return -ETIMEDOUT;
    }
    return 0;
}
