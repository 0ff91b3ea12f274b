/* Unit tests of xm's command-line parsing. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "xm/cli.h"
#include "xm/coninput.h"

#define MAX_ARGS 16

/* Parses "xm" followed by the given words (NULL-terminated). */
static int run(struct xm_args *a, struct sbuf *err, ...)
{
    static char *argv[MAX_ARGS + 2];
    va_list ap;
    int argc = 0;

    argv[argc++] = "xm";
    va_start(ap, err);
    for (char *w; (w = va_arg(ap, char *)) && argc <= MAX_ARGS;)
        argv[argc++] = w;
    va_end(ap);
    argv[argc] = NULL;
    sbuf_init(err);
    return xm_parse_args(argc, argv, a, err);
}

#define PARSE_OK(a, ...) do { \
        struct sbuf e_; \
        int rc_ = run((a), &e_, __VA_ARGS__, (char *)NULL); \
        ck_assert_msg(rc_ == 0, "unexpected error: %s", sbuf_str(&e_)); \
        sbuf_free(&e_); \
    } while (0)

/* Expects a usage error whose text is exactly want. */
#define PARSE_ERR(want, ...) do { \
        struct xm_args a_; \
        struct sbuf e_; \
        ck_assert_int_eq(run(&a_, &e_, __VA_ARGS__, (char *)NULL), -1); \
        ck_assert_str_eq(sbuf_str(&e_), (want)); \
        sbuf_free(&e_); \
        xm_args_free(&a_); \
    } while (0)

START_TEST(test_create)
{
    struct xm_args a;

    PARSE_OK(&a, "create", "-c", "web1.cfg", "memory=512", "-n",
             "name=web2", "--paused");
    ck_assert_int_eq(a.cmd, XM_CREATE);
    ck_assert_str_eq(a.cmd_name, "create");
    ck_assert(a.console && a.dry_run && a.paused);
    ck_assert_str_eq(a.file, "web1.cfg");
    ck_assert_uint_eq(a.nvars, 2);
    ck_assert_str_eq(a.vars[0], "memory=512");
    ck_assert_str_eq(a.vars[1], "name=web2");
    xm_args_free(&a);

    PARSE_OK(&a, "create", "-cnp", "--", "-odd-name.cfg");
    ck_assert(a.console && a.dry_run && a.paused);
    ck_assert_str_eq(a.file, "-odd-name.cfg");
    xm_args_free(&a);

    PARSE_ERR("Error: 'xm create' requires at least 1 argument.\n"
              "Usage: xm create <ConfigFile> [options] [vars]\n", "create");
    PARSE_ERR("Error: expected key=value after the configuration file, got "
              "'extra'\nUsage: xm create <ConfigFile> [options] [vars]\n",
              "create", "a.cfg", "extra");
    PARSE_ERR("Error: option -x not recognized\n"
              "Usage: xm create <ConfigFile> [options] [vars]\n",
              "create", "-x", "a.cfg");
}
END_TEST

START_TEST(test_list)
{
    struct xm_args a;

    PARSE_OK(&a, "list");
    ck_assert_int_eq(a.cmd, XM_LIST);
    ck_assert_uint_eq(a.nnames, 0);
    ck_assert(!a.long_format && !a.json);
    xm_args_free(&a);

    PARSE_OK(&a, "list", "web1", "--long", "web2");
    ck_assert(a.long_format);
    ck_assert_uint_eq(a.nnames, 2);
    ck_assert_str_eq(a.names[1], "web2");
    xm_args_free(&a);

    PARSE_OK(&a, "list", "-l");
    ck_assert(a.long_format);
    xm_args_free(&a);

    PARSE_OK(&a, "li", "--json");
    ck_assert_int_eq(a.cmd, XM_LIST);
    ck_assert(a.json);
    xm_args_free(&a);

    PARSE_ERR("Error: --long and --json cannot be used together\n"
              "Usage: xm list [options] [Domain, ...]\n",
              "list", "-l", "--json");
    PARSE_ERR("Error: option -J not recognized\n"
              "Usage: xm list [options] [Domain, ...]\n", "list", "-J");
    PARSE_ERR("Error: option --json must not have an argument\n"
              "Usage: xm list [options] [Domain, ...]\n", "list",
              "--json=yes");
}
END_TEST

START_TEST(test_domain_commands)
{
    static const struct { const char *word; enum xm_cmd cmd; } one[] = {
        { "destroy", XM_DESTROY }, { "pause", XM_PAUSE },
        { "unpause", XM_UNPAUSE }, { "console", XM_CONSOLE },
        { "domid", XM_DOMID }, { "delete", XM_DELETE },
    };
    struct xm_args a;

    for (size_t i = 0; i < sizeof(one) / sizeof(*one); i++) {
        PARSE_OK(&a, one[i].word, "web1");
        ck_assert_int_eq(a.cmd, one[i].cmd);
        ck_assert_str_eq(a.domain, "web1");
        xm_args_free(&a);
    }
    PARSE_ERR("Error: 'xm pause' requires 1 argument.\n"
              "Usage: xm pause <Domain>\n", "pause");
    PARSE_ERR("Error: 'xm destroy' requires 1 argument.\n"
              "Usage: xm destroy <Domain>\n", "destroy", "a", "b");

    PARSE_OK(&a, "console", "-q", "7");
    ck_assert(a.quiet);
    ck_assert_str_eq(a.domain, "7");
    xm_args_free(&a);
}
END_TEST

START_TEST(test_shutdown_and_reboot)
{
    struct xm_args a;

    PARSE_OK(&a, "shutdown", "-w", "web1");
    ck_assert(a.wait && !a.all);
    ck_assert_str_eq(a.domain, "web1");
    xm_args_free(&a);

    PARSE_OK(&a, "shutdown", "-wa");
    ck_assert(a.wait && a.all);
    ck_assert_ptr_null(a.domain);
    xm_args_free(&a);

    PARSE_OK(&a, "reboot", "web1", "--wait");
    ck_assert_int_eq(a.cmd, XM_REBOOT);
    ck_assert(a.wait);
    xm_args_free(&a);

    PARSE_ERR("Error: -a and a domain cannot be given together\n"
              "Usage: xm shutdown <Domain> [-wa]\n", "shutdown", "-a", "x");
    PARSE_ERR("Error: no domain given (or use -a for all)\n"
              "Usage: xm shutdown <Domain> [-wa]\n", "shutdown");
    PARSE_ERR("Error: option -a not recognized\n"
              "Usage: xm reboot <Domain> [-w]\n", "reboot", "-a", "x");
}
END_TEST

START_TEST(test_host_commands)
{
    struct xm_args a;

    PARSE_OK(&a, "info");
    ck_assert_int_eq(a.cmd, XM_INFO);
    xm_args_free(&a);
    PARSE_OK(&a, "dmesg", "--clear");
    ck_assert(a.clear);
    xm_args_free(&a);
    PARSE_OK(&a, "dmesg");
    ck_assert(!a.clear);
    xm_args_free(&a);
    PARSE_OK(&a, "log");
    ck_assert_int_eq(a.cmd, XM_LOG);
    xm_args_free(&a);
    PARSE_ERR("Error: 'xm dmesg' requires 0 arguments.\n"
              "Usage: xm dmesg [-c|--clear]\n", "dmesg", "now");
    PARSE_ERR("Error: 'xm info' requires 0 arguments.\n"
              "Usage: xm info\n", "info", "x");
}
END_TEST

START_TEST(test_memory_and_vcpus)
{
    struct xm_args a;

    PARSE_OK(&a, "mem-set", "web1", "512");
    ck_assert_int_eq(a.cmd, XM_MEM_SET);
    ck_assert_uint_eq(a.mem_mib, 512);
    xm_args_free(&a);
    PARSE_OK(&a, "mem-max", "web1", "2g");
    ck_assert_uint_eq(a.mem_mib, 2048);
    xm_args_free(&a);
    PARSE_OK(&a, "balloon", "web1", "262144k");
    ck_assert_int_eq(a.cmd, XM_MEM_SET);
    ck_assert_uint_eq(a.mem_mib, 256);
    xm_args_free(&a);
    PARSE_ERR("Error: invalid memory size '1000k': expected whole MiB, e.g. "
              "512 or 2g\nUsage: xm mem-set <Domain> <Mem>\n",
              "mem-set", "web1", "1000k");
    PARSE_ERR("Error: invalid memory size 'lots': expected whole MiB, e.g. "
              "512 or 2g\nUsage: xm mem-max <Domain> <Mem>\n",
              "mem-max", "web1", "lots");
    PARSE_ERR("Error: 'xm mem-set' requires 2 arguments.\n"
              "Usage: xm mem-set <Domain> <Mem>\n", "mem-set", "web1");

    PARSE_OK(&a, "vcpu-set", "web1", "4");
    ck_assert_uint_eq(a.vcpus, 4);
    xm_args_free(&a);
    PARSE_ERR("Error: invalid number of vCPUs '0': expected 1..128\n"
              "Usage: xm vcpu-set <Domain> <vCPUs>\n", "vcpu-set", "w", "0");

    PARSE_OK(&a, "vcpu-pin", "web1", "all", "0-3,^2");
    ck_assert_int_eq(a.vcpu, XM_ALL_VCPUS);
    ck_assert_str_eq(a.cpus, "0-3,^2");
    xm_args_free(&a);
    PARSE_OK(&a, "vcpu-pin", "web1", "1", "all");
    ck_assert_int_eq(a.vcpu, 1);
    xm_args_free(&a);
    PARSE_ERR("Error: invalid VCPU 'x': expected 0..127 or all\n"
              "Usage: xm vcpu-pin <Domain> <VCPU|all> <CPUs|all>\n",
              "vcpu-pin", "w", "x", "1");
    PARSE_ERR("Error: invalid CPU list '1-': range 1- has no end\n"
              "Usage: xm vcpu-pin <Domain> <VCPU|all> <CPUs|all>\n",
              "vcpu-pin", "w", "0", "1-");

    PARSE_OK(&a, "vcpu-list", "a", "b");
    ck_assert_int_eq(a.cmd, XM_VCPU_LIST);
    ck_assert_uint_eq(a.nnames, 2);
    xm_args_free(&a);
}
END_TEST

START_TEST(test_names_and_ids)
{
    struct xm_args a;

    PARSE_OK(&a, "uptime", "-s", "web1");
    ck_assert(a.short_format);
    ck_assert_uint_eq(a.nnames, 1);
    xm_args_free(&a);
    PARSE_OK(&a, "domname", "12");
    ck_assert_uint_eq(a.domid, 12);
    xm_args_free(&a);
    PARSE_ERR("Error: invalid domain id '-1': expected 0..32751\n"
              "Usage: xm domname <DomId>\n", "domname", "--", "-1");
    PARSE_OK(&a, "rename", "web1", "web-2");
    ck_assert_str_eq(a.domain, "web1");
    ck_assert_str_eq(a.new_name, "web-2");
    xm_args_free(&a);
    PARSE_ERR("Error: invalid new name: 'a b' may only hold letters, digits "
              "and _ . - (it has a space at character 2)\n"
              "Usage: xm rename <Domain> <NewDomainName>\n",
              "rename", "web1", "a b");
    PARSE_ERR("Error: invalid new name: 'a/b' may only hold letters, digits "
              "and _ . - (it has '/' at character 2)\n"
              "Usage: xm rename <Domain> <NewDomainName>\n",
              "rename", "web1", "a/b");
    PARSE_ERR("Error: invalid new name: the name may only hold letters, "
              "digits and _ . - (it has control character 0x07 at "
              "character 3)\nUsage: xm rename <Domain> <NewDomainName>\n",
              "rename", "web1", "ab\a");
}
END_TEST

START_TEST(test_top_and_sched)
{
    struct xm_args a;

    PARSE_OK(&a, "top");
    ck_assert(!a.batch);
    ck_assert_uint_eq(a.iterations, 0);
    ck_assert_uint_eq(a.delay, XM_TOP_DEFAULT_DELAY);
    xm_args_free(&a);
    PARSE_OK(&a, "top", "-b", "-i5", "--delay=2");
    ck_assert(a.batch);
    ck_assert_uint_eq(a.iterations, 5);
    ck_assert_uint_eq(a.delay, 2);
    xm_args_free(&a);
    PARSE_OK(&a, "top", "-bi", "3", "-d", "1");
    ck_assert(a.batch);
    ck_assert_uint_eq(a.iterations, 3);
    ck_assert_uint_eq(a.delay, 1);
    xm_args_free(&a);
    PARSE_ERR("Error: option -i requires argument\n"
              "Usage: xm top [-b] [-i N] [-d SECS]\n", "top", "-i");
    PARSE_ERR("Error: invalid iteration count '0': expected a number from "
              "1\nUsage: xm top [-b] [-i N] [-d SECS]\n", "top", "-i", "0");

    PARSE_OK(&a, "sched-credit");
    ck_assert_ptr_null(a.domain);
    ck_assert(!a.has_weight && !a.has_cap);
    xm_args_free(&a);
    PARSE_OK(&a, "sched-credit", "-d", "web1", "-w=512", "--cap", "50");
    ck_assert_str_eq(a.domain, "web1");
    ck_assert(a.has_weight && a.has_cap);
    ck_assert_uint_eq(a.weight, 512);
    ck_assert_uint_eq(a.cap, 50);
    xm_args_free(&a);
    PARSE_ERR("Error: -w and -c need a domain (-d DOMAIN)\n"
              "Usage: xm sched-credit [-d <Domain> [-w[=WEIGHT]|-c[=CAP]]]\n",
              "sched-credit", "-w", "10");
    PARSE_ERR("Error: invalid weight '70000': expected 1..65535\n"
              "Usage: xm sched-credit [-d <Domain> [-w[=WEIGHT]|-c[=CAP]]]\n",
              "sched-credit", "-d", "x", "-w", "70000");
}
END_TEST

START_TEST(test_managed_and_saved)
{
    struct xm_args a;

    PARSE_OK(&a, "new", "web1.cfg", "vcpus=2");
    ck_assert_int_eq(a.cmd, XM_NEW);
    ck_assert_str_eq(a.file, "web1.cfg");
    ck_assert_uint_eq(a.nvars, 1);
    xm_args_free(&a);
    PARSE_OK(&a, "start", "-p", "web1");
    ck_assert(a.paused);
    ck_assert_str_eq(a.domain, "web1");
    xm_args_free(&a);
    PARSE_OK(&a, "save", "web1", "/tmp/web1.chk");
    ck_assert_str_eq(a.domain, "web1");
    ck_assert_str_eq(a.file, "/tmp/web1.chk");
    xm_args_free(&a);
    PARSE_OK(&a, "restore", "/tmp/web1.chk", "-p");
    ck_assert_str_eq(a.file, "/tmp/web1.chk");
    ck_assert(a.paused);
    xm_args_free(&a);
    PARSE_ERR("Error: 'xm save' requires 2 arguments.\n"
              "Usage: xm save <Domain> <CheckpointFile>\n", "save", "web1");
}
END_TEST

START_TEST(test_help_and_unknown)
{
    struct xm_args a;

    PARSE_OK(&a, "help");
    ck_assert_int_eq(a.cmd, XM_HELP);
    ck_assert_ptr_null(a.topic);
    xm_args_free(&a);
    PARSE_OK(&a, "--help");
    ck_assert_int_eq(a.cmd, XM_HELP);
    xm_args_free(&a);
    PARSE_OK(&a, "help", "cre");
    ck_assert_str_eq(a.topic, "create");
    xm_args_free(&a);
    PARSE_OK(&a, "vcpu-pin", "--help");
    ck_assert_int_eq(a.cmd, XM_HELP);
    ck_assert_str_eq(a.topic, "vcpu-pin");
    xm_args_free(&a);

    PARSE_ERR("Error: Subcommand frobnicate not found!\n"
              "Usage: xm <subcommand> [args]\n"
              "Run 'xm help' for the list of subcommands.\n", "frobnicate");
    /* An ambiguous prefix is not a command. */
    PARSE_ERR("Error: Subcommand vcpu not found!\n"
              "Usage: xm <subcommand> [args]\n"
              "Run 'xm help' for the list of subcommands.\n", "vcpu");
    PARSE_ERR("Error: Subcommand nope not found!\n"
              "Usage: xm <subcommand> [args]\n"
              "Run 'xm help' for the list of subcommands.\n", "help", "nope");

    struct sbuf e;
    char *argv[] = { "xm", NULL };
    sbuf_init(&e);
    ck_assert_int_eq(xm_parse_args(1, argv, &a, &e), -1);
    ck_assert_ptr_nonnull(strstr(sbuf_str(&e), "Error: no subcommand given"));
    sbuf_free(&e);
    xm_args_free(&a);
}
END_TEST

START_TEST(test_help_text)
{
    struct sbuf sb = SBUF_INIT;

    xm_command_help(&sb, XM_LIST);
    ck_assert_str_eq(sbuf_str(&sb),
        "Usage: xm list [options] [Domain, ...]\n\n"
        "List information about all/some domains.\n\n"
        "  -l, --long                     Output all VM details in SXP\n"
        "  --json                         Output as JSON (mica)\n");
    sbuf_free(&sb);

    xm_command_help(&sb, XM_TOP);
    ck_assert_ptr_nonnull(strstr(sbuf_str(&sb), "  -i, --iterations=N"));
    sbuf_free(&sb);

    xm_overview_help(&sb);
    for (int c = 0; c < XM_NCMDS; c++) {
        char line[64];
        snprintf(line, sizeof(line), "\n %-20s ", xm_command_name(c));
        ck_assert_msg(strstr(sbuf_str(&sb), line), "%s missing from help",
                      xm_command_name(c));
    }
    sbuf_free(&sb);
}
END_TEST

/* xm console's typed input: queued up to Ctrl-], which ends the session
 * and is not passed on; a full queue drops the excess but still sees the
 * escape; what the ring took leaves the queue. */
START_TEST(test_console_input)
{
    static struct con_input q;
    static char big[CON_INPUT_MAX + 10];

    memset(&q, 0, sizeof(q));
    ck_assert_uint_eq(con_input_room(&q), CON_INPUT_MAX);
    ck_assert_uint_eq(con_input_add(&q, "ls\r", 3), 3);
    ck_assert(!q.escaped);
    ck_assert_uint_eq(q.len, 3);
    ck_assert_int_eq(memcmp(q.buf, "ls\r", 3), 0);
    /* Other control characters (Ctrl-C, NUL) are the guest's. */
    ck_assert_uint_eq(con_input_add(&q, "\x03\0", 2), 2);
    ck_assert_uint_eq(q.len, 5);
    /* The ring took 2: the rest moves to the front. */
    con_input_taken(&q, 2);
    ck_assert_uint_eq(q.len, 3);
    ck_assert_int_eq(memcmp(q.buf, "\r\x03\0", 3), 0);
    con_input_taken(&q, 3);
    ck_assert_uint_eq(q.len, 0);

    /* Bytes before Ctrl-] go; it and what follows do not. */
    ck_assert_uint_eq(con_input_add(&q, "ab\x1dq", 4), 2);
    ck_assert(q.escaped);
    ck_assert_uint_eq(q.len, 2);
    ck_assert_uint_eq(con_input_room(&q), 0);
    ck_assert_uint_eq(con_input_add(&q, "more", 4), 0);
    ck_assert_uint_eq(q.len, 2);

    /* Ctrl-] alone, as a terminal sends it. */
    memset(&q, 0, sizeof(q));
    ck_assert_uint_eq(con_input_add(&q, "\x1d", 1), 0);
    ck_assert(q.escaped);
    ck_assert_uint_eq(q.len, 0);

    /* A paste larger than the queue: the excess is dropped, and an escape
     * beyond the room is still seen. */
    memset(&q, 0, sizeof(q));
    memset(big, 'x', sizeof(big));
    ck_assert_uint_eq(con_input_add(&q, big, sizeof(big)), CON_INPUT_MAX);
    ck_assert(!q.escaped);
    ck_assert_uint_eq(con_input_room(&q), 0);
    big[5] = CON_ESCAPE;
    ck_assert_uint_eq(con_input_add(&q, big, sizeof(big)), 0);
    ck_assert(q.escaped);
    /* More taken than queued empties it. */
    con_input_taken(&q, CON_INPUT_MAX + 1);
    ck_assert_uint_eq(q.len, 0);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("xm-cli");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_create);
    tcase_add_test(tc, test_list);
    tcase_add_test(tc, test_domain_commands);
    tcase_add_test(tc, test_shutdown_and_reboot);
    tcase_add_test(tc, test_host_commands);
    tcase_add_test(tc, test_memory_and_vcpus);
    tcase_add_test(tc, test_names_and_ids);
    tcase_add_test(tc, test_top_and_sched);
    tcase_add_test(tc, test_managed_and_saved);
    tcase_add_test(tc, test_help_and_unknown);
    tcase_add_test(tc, test_help_text);
    tcase_add_test(tc, test_console_input);
    suite_add_tcase(s, tc);
    return s;
}
