/* Tests for hypervisor/include/mica/credit.h: shares by weight, the
 * bounds on credit, caps per accounting period, and the rule sched.c
 * picks by (the most credit runs) played out over many slices. */
#include <check.h>
#include <stdint.h>

#include <mica/credit.h>

#include "unit.h"

#define MS 1000000ull
#define P  CREDIT_PERIOD_NS

START_TEST(weight_is_shared_by_the_domain_s_vcpus)
{
    ck_assert_uint_eq(credit_vcpu_weight(256, 1), 256ull << 16);
    ck_assert_uint_eq(credit_vcpu_weight(256, 2), 128ull << 16);
    ck_assert_uint_eq(credit_vcpu_weight(256, 0), 256ull << 16);
    /* Three vCPUs of weight 1: nothing is lost to the division. */
    ck_assert_uint_gt(credit_vcpu_weight(1, 3), 0);
    ck_assert_uint_eq(credit_vcpu_weight(65535, 1), 65535ull << 16);
}
END_TEST

START_TEST(shares_follow_weights)
{
    uint64_t a = credit_vcpu_weight(512, 1), b = credit_vcpu_weight(256, 1);

    ck_assert_uint_eq(credit_share(30 * MS, a, a + b), 20 * MS);
    ck_assert_uint_eq(credit_share(30 * MS, b, a + b), 10 * MS);
    ck_assert_uint_eq(credit_share(7, a, a), 7);
    /* No competition, or a weight that is not part of the sum. */
    ck_assert_uint_eq(credit_share(30 * MS, a, 0), 0);
    ck_assert_uint_eq(credit_share(30 * MS, a + 1, a), 0);
    /* The largest weights and a long gap neither overflow nor give more
     * than the time shared. */
    a = credit_vcpu_weight(65535, 1);
    ck_assert_uint_eq(credit_share(~0ull, a, a), CREDIT_MAX_SHARE_NS);
    ck_assert_uint_le(credit_share(CREDIT_MAX_SHARE_NS, a, 2 * a + 5),
                      CREDIT_MAX_SHARE_NS / 2);
}
END_TEST

START_TEST(credit_is_bounded_both_ways)
{
    ck_assert_int_eq(credit_clamp(0), 0);
    ck_assert_int_eq(credit_clamp(CREDIT_LIMIT_NS + 1), CREDIT_LIMIT_NS);
    ck_assert_int_eq(credit_clamp(-CREDIT_LIMIT_NS - 1), -CREDIT_LIMIT_NS);
    ck_assert_int_eq(credit_clamp(INT64_MIN / 2), -CREDIT_LIMIT_NS);
}
END_TEST

START_TEST(cap_budget_per_period)
{
    ck_assert_uint_eq(credit_cap_budget(0), 0);
    ck_assert_uint_eq(credit_cap_budget(25), P / 4);
    ck_assert_uint_eq(credit_cap_budget(100), P);
    ck_assert_uint_eq(credit_cap_budget(250), P * 5 / 2);      /* 2.5 CPUs */
}
END_TEST

START_TEST(cap_left_and_carry_over)
{
    struct credit_cap c = { 0, 0 };
    uint64_t b = credit_cap_budget(50);

    /* The first look moves to the period it is in, with nothing used. */
    ck_assert_uint_eq(credit_cap_left(&c, 10 * P + 1, b), b);
    ck_assert_uint_eq(c.epoch, 10);
    credit_cap_charge(&c, 10 * P + 1, b + 2 * MS, b);           /* 2 ms over */
    ck_assert_uint_eq(credit_cap_left(&c, 10 * P + b + 3 * MS, b), 0);
    ck_assert_uint_eq(credit_cap_next_period(&c), 11 * P);
    /* The overshoot is paid back in the next period... */
    ck_assert_uint_eq(credit_cap_left(&c, 11 * P, b), b - 2 * MS);
    /* ... but an unused budget is not kept. */
    ck_assert_uint_eq(credit_cap_left(&c, 12 * P, b), b);
    credit_cap_charge(&c, 12 * P, MS, b);
    ck_assert_uint_eq(credit_cap_left(&c, 13 * P, b), b);
    /* Three budgets used in period 13 are paid off by 14 and 15. */
    credit_cap_charge(&c, 13 * P, 3 * b, b);
    ck_assert_uint_eq(credit_cap_left(&c, 14 * P, b), 0);
    ck_assert_uint_eq(credit_cap_left(&c, 15 * P, b), 0);
    ck_assert_uint_eq(credit_cap_left(&c, 16 * P, b), b);
    /* Years later: no overflow, nothing owed. */
    credit_cap_charge(&c, 16 * P, 10 * b, b);
    ck_assert_uint_eq(credit_cap_left(&c, ~0ull / 2, b), b);
}
END_TEST

/* The regression: a run across a period's end used to be all the first
 * period's, whose spare budget then let the second part run free. */
START_TEST(cap_run_across_a_period_end)
{
    struct credit_cap c = { 0, 0 };
    uint64_t b = credit_cap_budget(50);

    credit_cap_charge(&c, 2 * P - 4 * MS, 10 * MS, b);
    ck_assert_uint_eq(c.epoch, 2);
    ck_assert_uint_eq(credit_cap_left(&c, 2 * P + 6 * MS, b), b - 6 * MS);
}
END_TEST

/* Two vCPUs on one CPU with weights 2:1, run the way sched.c does: each
 * slice the one with the most credit runs (the first of equals), and the
 * slice's time is shared out by weight.  Over 300 slices the CPU splits
 * 2:1 to within one slice. */
START_TEST(most_credit_first_splits_by_weight)
{
    const uint64_t slice = 10 * MS;
    uint64_t w[2] = { credit_vcpu_weight(512, 1), credit_vcpu_weight(256, 1) };
    int64_t credit[2] = { 0, 0 };
    uint64_t ran[2] = { 0, 0 };
    int last = 1;

    for (int i = 0; i < 300; i++) {
        /* Queue order: the one that ran last is behind. */
        int first = 1 - last, k = credit[first] >= credit[last] ? first : last;

        ran[k] += slice;
        credit[k] -= (int64_t)slice;
        for (int j = 0; j < 2; j++)
            credit[j] = credit_clamp(credit[j] +
                                     (int64_t)credit_share(slice, w[j], w[0] + w[1]));
        last = k;
    }
    ck_assert_uint_eq(ran[0] + ran[1], 300 * slice);
    ck_assert_uint_le(ran[0] > 2 * ran[1] ? ran[0] - 2 * ran[1] : 2 * ran[1] - ran[0],
                      2 * slice);
}
END_TEST

Suite *credit_suite(void)
{
    Suite *s = suite_create("credit");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, weight_is_shared_by_the_domain_s_vcpus);
    tcase_add_test(tc, shares_follow_weights);
    tcase_add_test(tc, credit_is_bounded_both_ways);
    tcase_add_test(tc, cap_budget_per_period);
    tcase_add_test(tc, cap_left_and_carry_over);
    tcase_add_test(tc, cap_run_across_a_period_end);
    tcase_add_test(tc, most_credit_first_splits_by_weight);
    suite_add_tcase(s, tc);
    return s;
}
