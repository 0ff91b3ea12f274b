/* Guest-visible time: the pvclock scale (Xen's vcpu_time_info) and the
 * wall clock in shared_info.  The arithmetic is pure and lives here, where
 * the host unit tests reach it. */
#ifndef MICA_TIME_H
#define MICA_TIME_H

#include <mica/types.h>

/* ns = ((ticks << shift, or >> -shift) * mul) >> 32. */
struct pvclock_scale {
    uint32_t mul;
    int8_t shift;
};

/* The scale for a TSC of `khz` kHz, as Xen computes it: the frequency is
 * halved or doubled into (1 GHz, 2 GHz], which leaves mul = 1e9 / that in
 * 32.32 fixed point below 1, so it fits 32 bits with full precision. */
static inline struct pvclock_scale pvclock_scale_for(uint64_t khz)
{
    uint64_t tps = khz * 1000;
    struct pvclock_scale s = { 0, 0 };

    if (tps == 0)
        return s;
    while (tps > 2000000000ull) {
        tps >>= 1;
        s.shift--;
    }
    while (tps <= 1000000000ull) {
        tps <<= 1;
        s.shift++;
    }
    s.mul = (uint32_t)((1000000000ull << 32) / tps);
    return s;
}

/* What a guest computes from a pvclock record: ticks to nanoseconds. */
static inline uint64_t pvclock_scale_delta(uint64_t ticks, struct pvclock_scale s)
{
    if (s.shift < 0)
        ticks >>= -s.shift;
    else
        ticks <<= s.shift;
    /* The 96-bit product, in two halves. */
    return (ticks >> 32) * s.mul + (((ticks & 0xffffffffull) * s.mul) >> 32);
}

/* Seconds since the Unix epoch of a proleptic Gregorian date and time
 * (month 1-12, day 1-31), by counting days from 1970-01-01 in 400-year
 * eras (the civil-from-days method). */
static inline uint64_t time_epoch_seconds(unsigned int year, unsigned int month,
                                          unsigned int day, unsigned int hour,
                                          unsigned int min, unsigned int sec)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;          /* March is 0 */
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;

    return (uint64_t)(days * 86400 + hour * 3600 + min * 60 + sec);
}

/* The BCD byte the RTC keeps unless its status register B says binary. */
static inline unsigned int time_bcd(unsigned int v)
{
    return (v & 15) + (v >> 4) * 10;
}

/* The arch's battery-backed clock: seconds since the Unix epoch, 0 if
 * unreadable. */
uint64_t rtc_read_epoch(void);

struct vcpu;
struct domain;
/* Reads the wall clock once; called before dom0 can own the RTC. */
void time_init_wallclock(void);
/* Writes the vCPU's pvclock record (at every schedule-in) and the domain's
 * wall clock (when its shared_info is created). */
void time_update_vcpu(struct vcpu *v);
void time_update_wallclock(struct domain *d);
/* pvclock system time now: ns since mica started keeping guest time. */
uint64_t time_system_ns(void);

#endif
