/* Reading a pvclock record: see guest.h. */
#include "guest.h"
#include <xen/xen.h>

/* (a * b) >> 32 for a 64-bit a and a 32-bit b, in 32-bit arithmetic. */
uint64_t pvclock_mul_frac(uint64_t a, uint32_t b)
{
    uint64_t lo = (uint64_t)(uint32_t)a * b;
    uint64_t hi = (a >> 32) * b;

    return hi + (lo >> 32);
}

struct pvclock_sample pvclock_read(const volatile struct vcpu_time_info *t)
{
    struct pvclock_sample s;
    uint32_t v1, v2, mul;
    uint64_t stamp, sys, d;
    int8_t shift;

    /* An odd version, or one that changed, means mica was updating it. */
    do {
        v1 = t->version;
        __asm__ volatile("" ::: "memory");
        stamp = t->tsc_timestamp;
        sys = t->system_time;
        mul = t->tsc_to_system_mul;
        shift = t->tsc_shift;
        s.tsc = rdtsc();
        __asm__ volatile("" ::: "memory");
        v2 = t->version;
    } while ((v1 & 1) || v1 != v2);
    d = s.tsc - stamp;
    d = shift < 0 ? d >> -shift : d << shift;
    s.ns = sys + pvclock_mul_frac(d, mul);
    s.version = v2;
    return s;
}
