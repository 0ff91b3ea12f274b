/* Unit tests of xm's classic output formats. */
#include <string.h>

#include "suites.h"
#include "xm/format.h"

START_TEST(test_state_string)
{
    char s[7];

    xm_state_string(0, s);
    ck_assert_str_eq(s, "------");
    xm_state_string(XM_STATE_RUNNING, s);
    ck_assert_str_eq(s, "r-----");
    xm_state_string(XM_STATE_BLOCKED | XM_STATE_PAUSED, s);
    ck_assert_str_eq(s, "-bp---");
    xm_state_string(XM_STATE_SHUTDOWN | XM_STATE_CRASHED | XM_STATE_DYING, s);
    ck_assert_str_eq(s, "---scd");
}
END_TEST

START_TEST(test_list)
{
    struct sbuf sb = SBUF_INIT;
    struct xm_dominfo doms[] = {
        { "Domain-0", 0, 984, 1, XM_STATE_RUNNING, 54.94, 100 },
        { "web1", 12, 256, 2, XM_STATE_BLOCKED, 3.0, 10 },
        { "managed", -1, 128, 1, 0, 0.0, -1 },
    };

    xm_list_header(&sb);
    for (size_t i = 0; i < 3; i++)
        xm_list_row(&sb, &doms[i]);
    ck_assert_str_eq(sbuf_str(&sb),
        "Name                                        ID   Mem VCPUs      "
        "State   Time(s)\n"
        "Domain-0                                     0   984     1     "
        "r-----     54.9\n"
        "web1                                        12   256     2     "
        "-b----      3.0\n"
        "managed                                          128     1     "
        "------      0.0\n");
    sbuf_free(&sb);
}
END_TEST

START_TEST(test_list_json)
{
    struct sbuf sb = SBUF_INIT;
    struct xm_dominfo doms[] = {
        { "web\"1", 3, 256, 2, XM_STATE_PAUSED, 1.3, 7.5 },
        { "off", -1, 64, 1, 0, 0, -1 },
    };

    xm_list_json(&sb, doms, 2);
    ck_assert_str_eq(sbuf_str(&sb),
        "[\n"
        "  {\"name\": \"web\\\"1\", \"domid\": 3, \"memory\": 256, "
        "\"vcpus\": 2, \"state\": \"--p---\", \"cpu_time\": 1.3, "
        "\"up_time\": 7.5},\n"
        "  {\"name\": \"off\", \"domid\": null, \"memory\": 64, "
        "\"vcpus\": 1, \"state\": \"------\", \"cpu_time\": 0.0, "
        "\"up_time\": null}\n"
        "]\n");
    sbuf_free(&sb);

    xm_list_json(&sb, doms, 0);
    ck_assert_str_eq(sbuf_str(&sb), "[]\n");
    sbuf_free(&sb);
}
END_TEST

START_TEST(test_vcpu_list)
{
    struct sbuf sb = SBUF_INIT;
    struct cpuset any, some, none;
    char why[64];

    cpuset_parse("0-3", &any, why, sizeof(why));
    cpuset_parse("1,3", &some, why, sizeof(why));
    cpuset_clear(&none);
    struct xm_vcpuinfo v[] = {
        { "Domain-0", 0, 0, true, true, false, 0, 120.44, &any },
        { "web1", 5, 1, true, false, true, 3, 2.0, &some },
        { "web1", 5, 2, false, false, false, 0, 0.0, &none },
        /* A managed domain that is not running: no ID, its vCPUs down,
         * the affinity its configuration pins. */
        { "halted", -1, 0, false, false, false, 0, 0.0, &some },
    };

    xm_vcpu_list_header(&sb);
    for (size_t i = 0; i < 4; i++)
        xm_vcpu_list_row(&sb, &v[i], 4);
    ck_assert_str_eq(sbuf_str(&sb),
        "Name                              ID  VCPU   CPU State   Time(s) "
        "CPU Affinity\n"
        "Domain-0                           0     0     0   r--     120.4 "
        "any cpu\n"
        "web1                               5     1     3   -b-       2.0 "
        "1,3\n"
        "web1                               5     2     -   --p       0.0 "
        "no cpus\n"
        "halted                                   0     -   --p       0.0 "
        "1,3\n");
    sbuf_free(&sb);
}
END_TEST

START_TEST(test_uptime)
{
    struct sbuf sb = SBUF_INIT;
    struct xm_dominfo d0 = { "Domain-0", 0, 0, 1, 0, 0, 3 * 86400 + 3723.4 };
    struct xm_dominfo d1 = { "web1", 7, 0, 1, 0, 0, 86400 + 59.6 };
    struct xm_dominfo d2 = { "fresh", 8, 0, 1, 0, 0, 5 };

    xm_uptime_header(&sb);
    xm_uptime_row(&sb, &d0);
    xm_uptime_row(&sb, &d1);
    xm_uptime_row(&sb, &d2);
    ck_assert_str_eq(sbuf_str(&sb),
        "Name                                ID Uptime \n"
        "Domain-0                             0 3 days,  1:02:03\n"
        "web1                                 7 1 day,  0:01:00\n"
        "fresh                                8  0:00:05\n");
    sbuf_free(&sb);

    struct tm now = { .tm_hour = 14, .tm_min = 2, .tm_sec = 9 };
    xm_uptime_short_row(&sb, &d0, &now);
    ck_assert_str_eq(sbuf_str(&sb), " 14:02:09 up 3 days,  1:02, "
                                    "Domain-0 (0)\n");
    sbuf_free(&sb);
}
END_TEST

START_TEST(test_sched_credit)
{
    struct sbuf sb = SBUF_INIT;

    xm_sched_credit_dict(&sb, 256, 0);
    ck_assert_str_eq(sbuf_str(&sb), "{'cap': 0, 'weight': 256}\n");
    sbuf_free(&sb);

    xm_sched_credit_header(&sb);
    xm_sched_credit_row(&sb, "Domain-0", 0, -1, -1);
    xm_sched_credit_row(&sb, "web1", 12, 512, 150);
    xm_sched_credit_row(&sb, "managed", -1, 256, 0);
    ck_assert_str_eq(sbuf_str(&sb),
        "Name                                ID Weight  Cap\n"
        "Domain-0                             0     -1   -1\n"
        "web1                                12    512  150\n"
        "managed                                   256    0\n");
    sbuf_free(&sb);
}
END_TEST

START_TEST(test_top)
{
    struct sbuf sb = SBUF_INIT;
    char st[7];
    struct xm_topinfo t[] = {
        { "Domain-0", XM_STATE_RUNNING, 54940000000ull, 12.34, 524288,
          524288, 1 },
        { "a-very-long-name", XM_STATE_BLOCKED | XM_STATE_PAUSED, 0, 0,
          16384, 32768, 2 },
        { "crasher", XM_STATE_CRASHED, 1, 0, 16384, 16384, 1 },
    };
    struct tm now = { .tm_hour = 9, .tm_min = 5, .tm_sec = 3 };

    xm_top_state(XM_STATE_RUNNING | XM_STATE_DYING, st);
    ck_assert_str_eq(st, "d----r");
    xm_top_state(XM_STATE_SHUTDOWN | XM_STATE_BLOCKED | XM_STATE_CRASHED |
                 XM_STATE_PAUSED, st);
    ck_assert_str_eq(st, "-sbcp-");

    xm_top_header(&sb);
    for (size_t i = 0; i < 3; i++)
        xm_top_row(&sb, &t[i], 2097152);
    ck_assert_str_eq(sbuf_str(&sb),
        "      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) "
        "MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   "
        "VBD_WR SSID\n"
        "  Domain-0 -----r         54   12.3     524288   25.0     524288 "
        "     25.0     1    0        0        0    0        0        0 "
        "       0    0\n"
        "a-very-lon --b-p-          0    0.0      16384    0.8      32768 "
        "      1.6     2    0        0        0    0        0        0 "
        "       0    0\n"
        "   crasher ---c--          0    0.0      16384    0.8      16384 "
        "      0.8     1    0        0        0    0        0        0 "
        "       0    0\n");
    sbuf_free(&sb);

    xm_top_summary(&sb, &now, "0.4.0", t, 3, 2097152, 1048576, 4, 2994);
    ck_assert_str_eq(sbuf_str(&sb),
        "xentop - 09:05:03   mica 0.4.0\n"
        "3 domains: 1 running, 1 blocked, 0 paused, 1 crashed, 0 dying, "
        "0 shutdown \n"
        "Mem: 2097152k total, 1048576k used, 1048576k free    "
        "CPUs: 4 @ 2994MHz\n");
    sbuf_free(&sb);
}
END_TEST

Suite *format_suite(void)
{
    Suite *s = suite_create("xm-format");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_state_string);
    tcase_add_test(tc, test_list);
    tcase_add_test(tc, test_list_json);
    tcase_add_test(tc, test_vcpu_list);
    tcase_add_test(tc, test_uptime);
    tcase_add_test(tc, test_sched_credit);
    tcase_add_test(tc, test_top);
    suite_add_tcase(s, tc);
    return s;
}
