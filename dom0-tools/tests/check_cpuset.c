/* Unit tests of CPU lists. */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "common/cpuset.h"

static char *normalise(const char *text)
{
    struct cpuset cs;
    char why[128];
    struct sbuf sb = SBUF_INIT;

    ck_assert_msg(cpuset_parse(text, &cs, why, sizeof(why)) == 0,
                  "'%s' rejected: %s", text, why);
    cpuset_format(&cs, &sb);
    return sbuf_detach(&sb);
}

static void check_norm(const char *text, const char *want)
{
    char *got = normalise(text);

    ck_assert_str_eq(got, want);
    free(got);
}

static void check_bad(const char *text, const char *want)
{
    struct cpuset cs;
    char why[128] = "";

    ck_assert_int_eq(cpuset_parse(text, &cs, why, sizeof(why)), -1);
    ck_assert_str_eq(why, want);
}

START_TEST(test_parse_and_format)
{
    check_norm("0", "0");
    check_norm("0-3,5", "0-3,5");
    check_norm("5,3,2,1,0", "0-3,5");
    check_norm(" 0 - 3 , 7 ", "0-3,7");
    check_norm("0-7,^3", "0-2,4-7");
    check_norm("0-7,^2-5", "0-1,6-7");
    check_norm("^3,0-7", "0-7");
    check_norm("^3", "");
    check_norm("1023", "1023");
    check_norm("0,2,4", "0,2,4");
}
END_TEST

START_TEST(test_all)
{
    struct cpuset cs;
    char why[64];

    ck_assert_int_eq(cpuset_parse("all", &cs, why, sizeof(why)), 0);
    ck_assert_uint_eq(cpuset_count(&cs), CPUSET_MAX);
    ck_assert(cpuset_covers(&cs, 8));
    ck_assert_int_eq(cpuset_parse("all,^0", &cs, why, sizeof(why)), 0);
    ck_assert(!cpuset_has(&cs, 0));
    ck_assert(cpuset_has(&cs, 1));
    ck_assert(!cpuset_covers(&cs, 8));
}
END_TEST

START_TEST(test_errors)
{
    check_bad("", "the list is empty");
    check_bad("0,,1", "an item is empty");
    check_bad("0,", "an item is empty");
    check_bad("x", "expected a CPU number at 'x'");
    check_bad("0-3,x", "expected a CPU number at 'x'");
    check_bad("3-", "range 3- has no end");
    check_bad("3-1", "range 3-1 runs backwards");
    check_bad("1024", "CPU 1024 is out of range (0..1023)");
    check_bad("99999999999999", "CPU 99999999999999 is out of range (0..1023)");
    check_bad("1 2", "unexpected '2'");
}
END_TEST

START_TEST(test_set_operations)
{
    struct cpuset a, b;

    cpuset_clear(&a);
    cpuset_clear(&b);
    ck_assert(cpuset_equal(&a, &b));
    cpuset_add(&a, 4);
    cpuset_add(&a, 5000);   /* Out of range: ignored. */
    ck_assert(!cpuset_equal(&a, &b));
    ck_assert(cpuset_has(&a, 4));
    ck_assert_uint_eq(cpuset_count(&a), 1);
    ck_assert(!cpuset_covers(&a, 0));
}
END_TEST

Suite *cpuset_suite(void)
{
    Suite *s = suite_create("cpuset");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_parse_and_format);
    tcase_add_test(tc, test_all);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_set_operations);
    suite_add_tcase(s, tc);
    return s;
}
