/* Tests for hypervisor/include/mica/time.h: the pvclock scale a guest
 * multiplies TSC deltas by, and the RTC date arithmetic behind the wall
 * clock. */
#include <check.h>
#include <stdint.h>

#include <mica/time.h>

#include "unit.h"

/* One second of ticks must come out as one second, to within 2 ns, for
 * TSCs from 1 MHz to 10 GHz, including the exact powers of two the
 * normalisation loops stop at. */
START_TEST(scale_one_second)
{
    static const uint64_t khz[] = { 1000, 14318, 1000000, 1000001, 1999999,
                                    2000000, 2000001, 2400000, 3000000,
                                    3999999, 4000000, 5000000, 10000000 };

    for (unsigned i = 0; i < sizeof(khz) / sizeof(khz[0]); i++) {
        struct pvclock_scale s = pvclock_scale_for(khz[i]);
        uint64_t ns = pvclock_scale_delta(khz[i] * 1000, s);

        ck_assert_msg(ns >= 999999998 && ns <= 1000000000,
                      "%llu kHz: a second is %llu ns", (unsigned long long)khz[i],
                      (unsigned long long)ns);
        /* mul is a fraction in [0.5, 1): the full 32 bits are used. */
        ck_assert_uint_ge(s.mul, 0x80000000u);
    }
}
END_TEST

START_TEST(scale_exact_values)
{
    struct pvclock_scale s = pvclock_scale_for(1000000);     /* 1 GHz */

    ck_assert_int_eq(s.shift, 1);
    ck_assert_uint_eq(s.mul, 0x80000000u);
    s = pvclock_scale_for(2000000);                          /* 2 GHz */
    ck_assert_int_eq(s.shift, 0);
    ck_assert_uint_eq(s.mul, 0x80000000u);
    s = pvclock_scale_for(4000000);                          /* 4 GHz */
    ck_assert_int_eq(s.shift, -1);
    ck_assert_uint_eq(s.mul, 0x80000000u);
    s = pvclock_scale_for(0);
    ck_assert_uint_eq(s.mul, 0);
    ck_assert_uint_eq(pvclock_scale_delta(12345, s), 0);
}
END_TEST

/* A day of a 3 GHz TSC, and a year of a 1 MHz one, without overflow. */
START_TEST(scale_long_deltas)
{
    struct pvclock_scale s = pvclock_scale_for(3000000);
    uint64_t day = 86400ull * 1000000000ull;
    uint64_t ns = pvclock_scale_delta(86400ull * 3000000000ull, s);

    ck_assert_msg(ns >= day - 100000 && ns <= day, "a day is %llu ns",
                  (unsigned long long)ns);
    s = pvclock_scale_for(1000);
    ns = pvclock_scale_delta(365ull * 86400 * 1000000, s);
    ck_assert_msg(ns >= 365ull * day - 365ull * 86400 * 2 && ns <= 365ull * day,
                  "a year is %llu ns", (unsigned long long)ns);
}
END_TEST

START_TEST(epoch_seconds)
{
    ck_assert_uint_eq(time_epoch_seconds(1970, 1, 1, 0, 0, 0), 0);
    ck_assert_uint_eq(time_epoch_seconds(2000, 1, 1, 0, 0, 0), 946684800ull);
    ck_assert_uint_eq(time_epoch_seconds(2000, 3, 1, 0, 0, 0), 951868800ull);
    ck_assert_uint_eq(time_epoch_seconds(2024, 2, 29, 12, 0, 0), 1709208000ull);
    ck_assert_uint_eq(time_epoch_seconds(2026, 11, 21, 16, 15, 5), 1795277705ull);
    ck_assert_uint_eq(time_epoch_seconds(2099, 12, 31, 23, 59, 59), 4102444799ull);
}
END_TEST

START_TEST(bcd)
{
    ck_assert_uint_eq(time_bcd(0x00), 0);
    ck_assert_uint_eq(time_bcd(0x09), 9);
    ck_assert_uint_eq(time_bcd(0x10), 10);
    ck_assert_uint_eq(time_bcd(0x59), 59);
    ck_assert_uint_eq(time_bcd(0x99), 99);
}
END_TEST

Suite *time_suite(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("pvclock");

    tcase_add_test(tc, scale_one_second);
    tcase_add_test(tc, scale_exact_values);
    tcase_add_test(tc, scale_long_deltas);
    tcase_add_test(tc, epoch_seconds);
    tcase_add_test(tc, bcd);
    suite_add_tcase(s, tc);
    return s;
}
