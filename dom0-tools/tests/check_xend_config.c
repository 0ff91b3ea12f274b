/* Unit tests of xend-config.sxp reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "xend/config.h"

/* Parses text over the defaults; returns the parser's result. */
static int load(const char *text, struct xend_config *c, struct diag *d)
{
    diag_init(d);
    xend_config_defaults(c);
    return xend_config_parse(text, strlen(text), "x.sxp", c, d);
}

static void check_defaults(const struct xend_config *c)
{
    ck_assert_str_eq(c->logfile, "/var/log/xend.log");
    ck_assert_int_eq(c->loglevel, XEND_LOG_DEBUG);
    ck_assert(c->unix_server);
    ck_assert_str_eq(c->unix_path, "/var/lib/xend/xend-socket");
    ck_assert(!c->http_server);
    ck_assert_uint_eq(c->port, 8000);
    ck_assert_str_eq(c->address, "");
    ck_assert(!c->relocation_server);
    ck_assert_uint_eq(c->relocation_port, 8002);
    ck_assert_str_eq(c->relocation_address, "");
    ck_assert_uint_eq(c->console_limit_kib, 1024);
    ck_assert_uint_eq(c->dom0_min_mem_mib, 256);
    ck_assert_uint_eq(c->dom0_cpus, 0);
    ck_assert(!c->enable_dump);
    ck_assert_str_eq(c->network_script, "");
    ck_assert_str_eq(c->external_migration_tool, "");
}

START_TEST(test_empty_file_gives_defaults)
{
    struct xend_config c;
    struct diag d;

    ck_assert_int_eq(load("# nothing but a comment\n", &c, &d), 0);
    ck_assert_uint_eq(d.count, 0);
    check_defaults(&c);
    xend_config_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_missing_file_gives_defaults_and_note)
{
    struct xend_config c;
    struct diag d;

    diag_init(&d);
    xend_config_defaults(&c);
    ck_assert_int_eq(xend_config_load(TESTS_DIR "/data/absent.sxp", &c, &d),
                     0);
    ck_assert_uint_eq(d.errors, 0);
    ck_assert_uint_eq(d.count, 1);
    ck_assert_str_eq(d.msgs[0].text, TESTS_DIR "/data/absent.sxp: note: "
                     "no such file; using the defaults");
    check_defaults(&c);
    xend_config_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_every_key)
{
    struct xend_config c;
    struct diag d;

    diag_init(&d);
    xend_config_defaults(&c);
    ck_assert_int_eq(xend_config_load(TESTS_DIR "/data/xend-full.sxp", &c,
                                      &d), 0);
    ck_assert_uint_eq(d.count, 0);
    ck_assert_str_eq(c.logfile, "/var/log/mica/xend.log");
    ck_assert_int_eq(c.loglevel, XEND_LOG_WARNING);
    ck_assert(!c.unix_server);
    ck_assert_str_eq(c.unix_path, "/run/xend/socket");
    ck_assert(c.http_server);
    ck_assert_uint_eq(c.port, 8080);
    ck_assert_str_eq(c.address, "localhost");
    ck_assert(c.relocation_server);
    ck_assert_uint_eq(c.relocation_port, 0x1f42);
    ck_assert_str_eq(c.relocation_address, "192.168.1.10");
    ck_assert_uint_eq(c.console_limit_kib, 64);
    ck_assert_uint_eq(c.dom0_min_mem_mib, 512);
    ck_assert_uint_eq(c.dom0_cpus, 2);
    ck_assert(c.enable_dump);
    ck_assert_str_eq(c.network_script, "network-bridge netdev=eth1");
    ck_assert_str_eq(c.external_migration_tool,
                     "/usr/lib/mica/migrate-devices");
    xend_config_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_relocation_address_follows_xend_address)
{
    struct xend_config c;
    struct diag d;

    ck_assert_int_eq(load("(xend-address 10.0.0.1)", &c, &d), 0);
    ck_assert_str_eq(c.relocation_address, "10.0.0.1");
    xend_config_free(&c);
    diag_free(&d);

    ck_assert_int_eq(load("(xend-relocation-address '')\n"
                          "(xend-address 10.0.0.1)", &c, &d), 0);
    ck_assert_str_eq(c.relocation_address, "");
    xend_config_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_booleans)
{
    static const char *const yes[] = { "yes", "YES", "y", "1", "on", "On",
                                       "true", "True", "t", "\"yes\"" };
    static const char *const no[] = { "no", "No", "n", "0", "off", "false",
                                      "FALSE", "f", "'no'" };
    char text[64];
    struct xend_config c;
    struct diag d;

    for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
        snprintf(text, sizeof(text), "(enable-dump %s)", yes[i]);
        ck_assert_int_eq(load(text, &c, &d), 0);
        ck_assert_msg(c.enable_dump, "%s should be true", yes[i]);
        xend_config_free(&c);
        diag_free(&d);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++) {
        snprintf(text, sizeof(text), "(xend-unix-server %s)", no[i]);
        ck_assert_int_eq(load(text, &c, &d), 0);
        ck_assert_msg(!c.unix_server, "%s should be false", no[i]);
        xend_config_free(&c);
        diag_free(&d);
    }
}
END_TEST

START_TEST(test_min_mem_alias)
{
    struct xend_config c;
    struct diag d;

    ck_assert_int_eq(load("(min-mem 300)", &c, &d), 0);
    ck_assert_uint_eq(c.dom0_min_mem_mib, 300);
    xend_config_free(&c);
    diag_free(&d);

    ck_assert_int_eq(load("(min-mem 0)", &c, &d), 0);
    ck_assert_uint_eq(c.dom0_min_mem_mib, 0);
    xend_config_free(&c);
    diag_free(&d);

    /* The two spellings are one parameter: the second is a repeat. */
    ck_assert_int_eq(load("(dom0-min-mem 300)\n(min-mem 100)", &c, &d), 0);
    ck_assert_uint_eq(c.dom0_min_mem_mib, 300);
    ck_assert_uint_eq(d.warnings, 1);
    ck_assert_str_eq(d.msgs[0].text, "x.sxp:2:1: warning: min-mem is "
                     "already set at 1:1; this one is ignored");
    xend_config_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_loglevels)
{
    static const char *const names[] = { "DEBUG", "INFO", "WARNING",
                                         "ERROR", "CRITICAL" };
    char text[64];
    struct xend_config c;
    struct diag d;

    for (int i = 0; i < 5; i++) {
        snprintf(text, sizeof(text), "(loglevel %s)", names[i]);
        ck_assert_int_eq(load(text, &c, &d), 0);
        ck_assert_int_eq(c.loglevel, i);
        ck_assert_str_eq(xend_loglevel_name(c.loglevel), names[i]);
        xend_config_free(&c);
        diag_free(&d);
    }
}
END_TEST

static void check_bad(const char *text, const char *want)
{
    struct xend_config c;
    struct diag d;

    ck_assert_int_eq(load(text, &c, &d), -1);
    ck_assert_first_error(&d, want);
    xend_config_free(&c);
    diag_free(&d);
}

START_TEST(test_bad_values)
{
    check_bad("(xend-port abc)",
              "x.sxp:1:12: xend-port: expected an integer 1..65535, got 'abc'");
    check_bad("(xend-port 0)",
              "x.sxp:1:12: xend-port: expected an integer 1..65535, got 0");
    check_bad("\n  (xend-relocation-port 70000)",
              "x.sxp:2:25: xend-relocation-port: expected an integer "
              "1..65535, got 70000");
    check_bad("(xend-http-server maybe)",
              "x.sxp:1:19: xend-http-server: expected yes or no (or "
              "true/false, on/off, 1/0), got 'maybe'");
    check_bad("(enable-dump 2)",
              "x.sxp:1:14: enable-dump: expected yes or no (or true/false, "
              "on/off, 1/0), got 2");
    check_bad("(loglevel VERBOSE)",
              "x.sxp:1:11: loglevel: expected one of DEBUG, INFO, WARNING, "
              "ERROR, CRITICAL, got 'VERBOSE'");
    check_bad("(logfile xend.log)",
              "x.sxp:1:10: logfile: expected an absolute path, got "
              "'xend.log'");
    check_bad("(xend-unix-path (a b))",
              "x.sxp:1:17: xend-unix-path: expected a string, got a list");
    check_bad("(console-limit 0)",
              "x.sxp:1:16: console-limit: expected an integer 1..1048576, "
              "got 0");
    check_bad("(dom0-min-mem -1)",
              "x.sxp:1:15: dom0-min-mem: expected an integer 0..16777216, "
              "got -1");
    check_bad("(dom0-cpus lots)",
              "x.sxp:1:12: dom0-cpus: expected an integer 0..4096, got "
              "'lots'");
    check_bad("(network-script 42)",
              "x.sxp:1:17: network-script: expected a string, got the "
              "number 42 (quote it: \"42\")");
    check_bad("(xend-port 8000 8001)",
              "x.sxp:1:1: xend-port: expected one value, got 2");
    check_bad("(xend-port)", "x.sxp:1:1: xend-port: expected one value, "
              "got 0");
    check_bad("xend-port", "x.sxp:1:1: expected (parameter value), got "
              "'xend-port'");
    check_bad("()", "x.sxp:1:1: expected (parameter value), got an empty "
              "list");
    check_bad("(xend-port 8000", "x.sxp:1:16: missing ')' for '(' opened "
              "at 1:1");
}
END_TEST

START_TEST(test_every_bad_value_is_reported)
{
    struct xend_config c;
    struct diag d;

    ck_assert_int_eq(load("(xend-port x)\n(loglevel y)\n(xend-port 9)\n"
                          "(console-limit 8)", &c, &d), -1);
    ck_assert_uint_eq(d.errors, 2);
    /* A bad value leaves the default, and a good one still applies. */
    ck_assert_uint_eq(c.port, 8000);
    ck_assert_uint_eq(c.console_limit_kib, 8);
    xend_config_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_unknown_keys_warn)
{
    struct xend_config c;
    struct diag d;

    ck_assert_int_eq(load("(xend-prot 8000)\n  (vif-script vif-bridge)",
                          &c, &d), 0);
    ck_assert_uint_eq(d.warnings, 2);
    ck_assert_uint_eq(d.errors, 0);
    ck_assert_str_eq(d.msgs[0].text, "x.sxp:1:2: warning: unknown "
                     "parameter 'xend-prot'; ignored");
    ck_assert_str_eq(d.msgs[1].text, "x.sxp:2:4: warning: 'vif-script' is "
                     "a classic xend parameter that mica does not use; "
                     "ignored");
    check_defaults(&c);
    xend_config_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_classic_file)
{
    struct xend_config c;
    struct diag d;

    diag_init(&d);
    xend_config_defaults(&c);
    ck_assert_int_eq(xend_config_load(TESTS_DIR "/data/xend-classic.sxp", &c,
                                      &d), 0);
    ck_assert_uint_eq(d.errors, 0);
    ck_assert_uint_eq(d.warnings, 5);
    ck_assert_ptr_nonnull(diag_find(&d, DIAG_WARNING, "'vncpasswd'"));
    ck_assert_uint_eq(c.dom0_min_mem_mib, 196);
    ck_assert_str_eq(c.network_script, "network-bridge");
    ck_assert(c.unix_server);
    xend_config_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_to_sxp_round_trip)
{
    struct xend_config c, c2;
    struct diag d;

    diag_init(&d);
    xend_config_defaults(&c);
    ck_assert_int_eq(xend_config_load(TESTS_DIR "/data/xend-full.sxp", &c,
                                      &d), 0);
    char *s = xend_config_to_sxp(&c);
    ck_assert_ptr_nonnull(strstr(s, "(xend-port 8080)\n"));
    ck_assert_ptr_nonnull(strstr(s, "(xend-address localhost)\n"));
    ck_assert_ptr_nonnull(strstr(s, "(network-script \"network-bridge "
                                    "netdev=eth1\")\n"));
    diag_free(&d);

    ck_assert_int_eq(load(s, &c2, &d), 0);
    ck_assert_uint_eq(d.count, 0);
    char *s2 = xend_config_to_sxp(&c2);
    ck_assert_str_eq(s, s2);
    free(s);
    free(s2);
    xend_config_free(&c);
    xend_config_free(&c2);
    diag_free(&d);
}
END_TEST

START_TEST(test_check_function)
{
    char *out_buf = NULL, *err_buf = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *out = open_memstream(&out_buf, &out_len);
    FILE *err = open_memstream(&err_buf, &err_len);

    ck_assert_int_eq(xend_check(TESTS_DIR "/data/xend-full.sxp", true, out,
                                err), 0);
    ck_assert_int_eq(xend_check(TESTS_DIR "/bad-configs/xend-bad-port.sxp",
                                false, out, err), 1);
    fclose(out);
    fclose(err);
    ck_assert_ptr_nonnull(strstr(out_buf, "xend-full.sxp: OK (0 warnings)"));
    ck_assert_ptr_nonnull(strstr(out_buf, "(dom0-cpus 2)"));
    ck_assert_ptr_nonnull(strstr(err_buf, "xend-bad-port.sxp:"));
    ck_assert_ptr_nonnull(strstr(err_buf, "1 error; xend would not start"));
    free(out_buf);
    free(err_buf);
}
END_TEST

Suite *xend_config_suite(void)
{
    Suite *s = suite_create("xend-config");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_empty_file_gives_defaults);
    tcase_add_test(tc, test_missing_file_gives_defaults_and_note);
    tcase_add_test(tc, test_every_key);
    tcase_add_test(tc, test_relocation_address_follows_xend_address);
    tcase_add_test(tc, test_booleans);
    tcase_add_test(tc, test_min_mem_alias);
    tcase_add_test(tc, test_loglevels);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_every_bad_value_is_reported);
    tcase_add_test(tc, test_unknown_keys_warn);
    tcase_add_test(tc, test_classic_file);
    tcase_add_test(tc, test_to_sxp_round_trip);
    tcase_add_test(tc, test_check_function);
    suite_add_tcase(s, tc);
    return s;
}
