/* Unit tests of domain configurations in both forms. */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "xm/domcfg.h"

static int parse_over(const char *text, const char *const *ov, size_t nov,
                      struct domcfg *c, struct diag *d)
{
    diag_init(d);
    return domcfg_parse(text, strlen(text), "d.cfg", ov, nov, c, d);
}

static int parse(const char *text, struct domcfg *c, struct diag *d)
{
    return parse_over(text, NULL, 0, c, d);
}

static void load_ok(const char *name, struct domcfg *c, size_t warnings)
{
    struct diag d;
    char path[512];

    snprintf(path, sizeof(path), "%s/data/%s", TESTS_DIR, name);
    diag_init(&d);
    ck_assert_msg(domcfg_load(path, NULL, 0, c, &d) == 0, "%s: %s", name,
                  diag_first_error(&d));
    ck_assert_uint_eq(d.warnings, warnings);
    diag_free(&d);
}

static void check_web1(const struct domcfg *c)
{
    ck_assert_str_eq(c->name, "web1");
    ck_assert_uint_eq(c->memory_mib, 256);
    ck_assert_uint_eq(c->maxmem_mib, 512);
    ck_assert_uint_eq(c->vcpus, 2);
    ck_assert_uint_eq(c->ncpus, 1);
    ck_assert(!c->cpus_per_vcpu);
    ck_assert_str_eq(c->cpus[0], "0-1,3");
    ck_assert_int_eq(c->type, DOMCFG_PVH);
    ck_assert_str_eq(c->kernel, "/boot/vmlinuz-6.1");
    ck_assert_str_eq(c->ramdisk, "/boot/initrd.img-6.1");
    ck_assert_str_eq(c->cmdline, "root=/dev/xvda1 ro console=hvc0 quiet");
    ck_assert_int_eq(c->on_poweroff, DOMCFG_DESTROY);
    ck_assert_int_eq(c->on_reboot, DOMCFG_RESTART);
    ck_assert_int_eq(c->on_crash, DOMCFG_RENAME_RESTART);
    ck_assert_uint_eq(c->cpu_weight, 512);
    ck_assert_uint_eq(c->cpu_cap, 150);
}

START_TEST(test_both_forms_are_equivalent)
{
    struct domcfg a, b;

    load_ok("web1.cfg", &a, 2);
    load_ok("web1.sxp", &b, 0);
    check_web1(&a);
    check_web1(&b);
    ck_assert(domcfg_equal(&a, &b));
    domcfg_free(&a);
    domcfg_free(&b);
}
END_TEST

static const char web1_sxp[] =
    "(vm\n"
    "    (name web1)\n"
    "    (memory 256)\n"
    "    (maxmem 512)\n"
    "    (vcpus 2)\n"
    "    (cpus 0-1,3)\n"
    "    (cpu_weight 512)\n"
    "    (cpu_cap 150)\n"
    "    (on_poweroff destroy)\n"
    "    (on_reboot restart)\n"
    "    (on_crash rename-restart)\n"
    "    (image\n"
    "        (pvh\n"
    "            (kernel /boot/vmlinuz-6.1)\n"
    "            (ramdisk /boot/initrd.img-6.1)\n"
    "            (args \"root=/dev/xvda1 ro console=hvc0 quiet\"))))";

START_TEST(test_normalised_sxp_round_trip)
{
    struct domcfg a, b;
    struct diag d;

    load_ok("web1.cfg", &a, 2);
    char *s = domcfg_to_sxp(&a);
    ck_assert_str_eq(s, web1_sxp);
    ck_assert_int_eq(parse(s, &b, &d), 0);
    ck_assert_uint_eq(d.count, 0);
    ck_assert(domcfg_equal(&a, &b));
    char *s2 = domcfg_to_sxp(&b);
    ck_assert_str_eq(s, s2);
    free(s);
    free(s2);
    diag_free(&d);
    domcfg_free(&a);
    domcfg_free(&b);
}
END_TEST

START_TEST(test_defaults)
{
    struct domcfg c;
    struct diag d;

    ck_assert_int_eq(parse("name = 'min'\nkernel = '/k'\n", &c, &d), 0);
    ck_assert_uint_eq(d.count, 0);
    ck_assert_uint_eq(c.memory_mib, 128);
    ck_assert_uint_eq(c.maxmem_mib, 128);
    ck_assert_uint_eq(c.vcpus, 1);
    ck_assert_uint_eq(c.ncpus, 0);
    ck_assert_int_eq(c.type, DOMCFG_PVH);
    ck_assert_ptr_null(c.ramdisk);
    ck_assert_ptr_null(c.cmdline);
    ck_assert_int_eq(c.on_poweroff, DOMCFG_DESTROY);
    ck_assert_int_eq(c.on_reboot, DOMCFG_RESTART);
    ck_assert_int_eq(c.on_crash, DOMCFG_RESTART);
    ck_assert_uint_eq(c.cpu_weight, 256);
    ck_assert_uint_eq(c.cpu_cap, 0);
    char *s = domcfg_to_sxp(&c);
    ck_assert_str_eq(s, "(vm\n    (name min)\n    (memory 128)\n"
                        "    (maxmem 128)\n    (vcpus 1)\n"
                        "    (cpu_weight 256)\n    (cpu_cap 0)\n"
                        "    (on_poweroff destroy)\n    (on_reboot restart)\n"
                        "    (on_crash restart)\n"
                        "    (image (pvh (kernel /k))))");
    free(s);
    domcfg_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_hvm_file)
{
    struct domcfg c;

    load_ok("winxp.hvm", &c, 5);
    ck_assert_int_eq(c.type, DOMCFG_HVM);
    ck_assert_str_eq(c.name, "winxp");
    ck_assert_uint_eq(c.memory_mib, 512);
    ck_assert_int_eq(c.on_crash, DOMCFG_PRESERVE);
    char *s = domcfg_to_sxp(&c);
    ck_assert_ptr_nonnull(strstr(s, "(image (hvm (kernel "
                                    "/usr/lib/xen/boot/hvmloader)))"));
    free(s);
    domcfg_free(&c);
}
END_TEST

START_TEST(test_every_action)
{
    static const char *const names[] = { "destroy", "restart", "preserve",
        "rename-restart", "coredump-destroy", "coredump-restart" };
    char text[256];
    struct domcfg c;
    struct diag d;

    for (int i = 0; i < 6; i++) {
        snprintf(text, sizeof(text), "name='a'\nkernel='/k'\n"
                 "on_poweroff='%s'\non_reboot=\"%s\"\non_crash='%s'",
                 names[i], names[i], names[i]);
        ck_assert_int_eq(parse(text, &c, &d), 0);
        ck_assert_int_eq(c.on_poweroff, i);
        ck_assert_int_eq(c.on_reboot, i);
        ck_assert_int_eq(c.on_crash, i);
        ck_assert_str_eq(domcfg_action_name(c.on_crash), names[i]);
        domcfg_free(&c);
        diag_free(&d);
    }
}
END_TEST

START_TEST(test_types)
{
    static const struct { const char *text; enum domcfg_type t;
                          size_t warnings; } cases[] = {
        { "type = 'pvh'", DOMCFG_PVH, 0 },
        { "type = 'hvm'", DOMCFG_HVM, 0 },
        { "builder = 'linux'", DOMCFG_PVH, 0 },
        { "builder = 'generic'", DOMCFG_PVH, 0 },
        { "type = 'pv'", DOMCFG_PVH, 1 },
        { "builder = 'hvm'", DOMCFG_HVM, 0 },
    };
    char text[128];
    struct domcfg c;
    struct diag d;

    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        snprintf(text, sizeof(text), "name='a'\nkernel='/k'\n%s",
                 cases[i].text);
        ck_assert_int_eq(parse(text, &c, &d), 0);
        ck_assert_int_eq(c.type, cases[i].t);
        ck_assert_uint_eq(d.warnings, cases[i].warnings);
        domcfg_free(&c);
        diag_free(&d);
    }
    ck_assert_int_eq(parse("name='a'\nkernel='/k'\ntype='pv'", &c, &d), 0);
    ck_assert_str_eq(d.msgs[0].text, "d.cfg:3:6: warning: type: mica has no "
                     "classic PV mode; 'pv' runs as 'pvh'");
    domcfg_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_cpus_forms)
{
    struct domcfg c;
    struct diag d;

    ck_assert_int_eq(parse("name='a'\nkernel='/k'\ncpus = 3", &c, &d), 0);
    ck_assert_uint_eq(c.ncpus, 1);
    ck_assert_str_eq(c.cpus[0], "3");
    domcfg_free(&c);
    diag_free(&d);

    ck_assert_int_eq(parse("name='a'\nkernel='/k'\ncpus = 'all'", &c, &d),
                     0);
    ck_assert_uint_eq(c.ncpus, 0);
    domcfg_free(&c);
    diag_free(&d);

    ck_assert_int_eq(parse("name='a'\nkernel='/k'\nvcpus = 3\n"
                           "cpus = ['2', 3, '0-1,5', 'all']", &c, &d), 0);
    ck_assert(c.cpus_per_vcpu);
    ck_assert_uint_eq(c.ncpus, 4);
    ck_assert_str_eq(c.cpus[0], "2");
    ck_assert_str_eq(c.cpus[1], "3");
    ck_assert_str_eq(c.cpus[2], "0-1,5");
    ck_assert_str_eq(c.cpus[3], "all");
    ck_assert_str_eq(d.msgs[0].text, "d.cfg:4:8: warning: cpus lists 4 "
                     "vCPUs but the domain has 3; the rest are ignored");
    char *s = domcfg_to_sxp(&c);
    ck_assert_ptr_nonnull(strstr(s, "(cpus (\"2\" \"3\" 0-1,5 all))"));
    struct domcfg c2;
    struct diag d2;
    ck_assert_int_eq(parse(s, &c2, &d2), 0);
    ck_assert(domcfg_equal(&c, &c2));
    free(s);
    domcfg_free(&c);
    domcfg_free(&c2);
    diag_free(&d);
    diag_free(&d2);
}
END_TEST

START_TEST(test_command_line_pieces)
{
    struct domcfg c;
    struct diag d;

    ck_assert_int_eq(parse("name='a'\nkernel='/k'\nroot='root=/dev/xvda'",
                           &c, &d), 0);
    ck_assert_str_eq(c.cmdline, "root=/dev/xvda");
    domcfg_free(&c);
    diag_free(&d);

    ck_assert_int_eq(parse("name='a'\nkernel='/k'\ncmdline='quiet'\n"
                           "extra='ignored'\nroot='/dev/sda'", &c, &d), 0);
    ck_assert_str_eq(c.cmdline, "root=/dev/sda quiet");
    ck_assert_str_eq(d.msgs[0].text, "d.cfg:4:1: warning: both cmdline and "
                     "extra are set; extra is ignored");
    domcfg_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_classic_syntax)
{
    struct domcfg c;
    struct diag d;
    const char *text =
        "name = 'py'; kernel = r'/k\\n'\n"
        "extra = 'a\\tb\\d' \"\\x41\" \\\n"
        "   'c'   # comment\n"
        "memory = \"512\"\n"
        "vcpus = 0x2\n"
        "ramdisk = None\n"
        "cpus = ( '0', '1', )\n"
        "acpi = True\n";

    ck_assert_int_eq(parse(text, &c, &d), 0);
    ck_assert_str_eq(c.name, "py");
    ck_assert_str_eq(c.kernel, "/k\\n");
    ck_assert_str_eq(c.cmdline, "a\tb\\dAc");
    ck_assert_uint_eq(c.memory_mib, 512);
    ck_assert_uint_eq(c.vcpus, 2);
    ck_assert_ptr_null(c.ramdisk);
    ck_assert(c.cpus_per_vcpu);
    ck_assert_uint_eq(d.warnings, 1);
    ck_assert_str_eq(d.msgs[0].text, "d.cfg:8:1: warning: unknown key "
                     "'acpi'; ignored");
    domcfg_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_sxp_misplaced_keys)
{
    struct domcfg c;
    struct diag d;

    ck_assert_int_eq(parse("(vm (name a) (kernel /x) (bogus 1)\n"
                           " (image (pvh (kernel /k) (memory 5))))", &c, &d),
                     0);
    ck_assert_uint_eq(d.warnings, 3);
    ck_assert_str_eq(d.msgs[0].text, "d.cfg:1:15: warning: 'kernel' belongs "
                     "inside (image (pvh ...)); ignored");
    ck_assert_str_eq(d.msgs[1].text, "d.cfg:1:27: warning: unknown key "
                     "'bogus'; ignored");
    ck_assert_str_eq(d.msgs[2].text, "d.cfg:2:27: warning: 'memory' belongs "
                     "in (vm ...), not in the image; ignored");
    ck_assert_str_eq(c.kernel, "/k");
    ck_assert_uint_eq(c.memory_mib, 128);
    domcfg_free(&c);
    diag_free(&d);
}
END_TEST

START_TEST(test_overrides)
{
    struct domcfg c;
    struct diag d;
    const char *ov[] = { "memory=1024", "name=web2", "extra=single",
                         "cpus=0-1" };

    ck_assert_int_eq(parse_over("(vm (name web1) (memory 64) "
                                "(image (pvh (kernel /k) (args x))))", ov, 4,
                                &c, &d), 0);
    ck_assert_uint_eq(c.memory_mib, 1024);
    ck_assert_uint_eq(c.maxmem_mib, 1024);
    ck_assert_str_eq(c.name, "web2");
    ck_assert_str_eq(c.cmdline, "single");
    ck_assert_str_eq(c.cpus[0], "0-1");
    domcfg_free(&c);
    diag_free(&d);

    const char *bad[] = { "memory=lots" };
    ck_assert_int_eq(parse_over("name='a'\nkernel='/k'", bad, 1, &c, &d),
                     -1);
    ck_assert_first_error(&d, "<command line>:1:8: memory: expected an "
                              "integer 1..16777216, got 'lots'");
    domcfg_free(&c);
    diag_free(&d);

    const char *noeq[] = { "memory" };
    ck_assert_int_eq(parse_over("name='a'\nkernel='/k'", noeq, 1, &c, &d),
                     -1);
    ck_assert_first_error(&d, "<command line>:1:1: expected key=value, got "
                              "'memory'");
    domcfg_free(&c);
    diag_free(&d);

    /* An override may supply what the file lacks. */
    const char *kernel[] = { "kernel=/boot/k" };
    ck_assert_int_eq(parse_over("name='a'", kernel, 1, &c, &d), 0);
    ck_assert_str_eq(c.kernel, "/boot/k");
    domcfg_free(&c);
    diag_free(&d);
}
END_TEST

static void check_bad(const char *text, const char *want)
{
    struct domcfg c;
    struct diag d;

    ck_assert_int_eq(parse(text, &c, &d), -1);
    ck_assert_first_error(&d, want);
    domcfg_free(&c);
    diag_free(&d);
}

START_TEST(test_validation_errors)
{
    check_bad("kernel = '/k'", "d.cfg:1:1: missing required key 'name'");
    check_bad("name = 'a'", "d.cfg:1:1: missing required key 'kernel'");
    check_bad("\n(vm (name a))", "d.cfg:2:1: missing required key 'kernel'");
    check_bad("name = ''", "d.cfg:1:8: name: must not be empty");
    check_bad("name = 'my vm'", "d.cfg:1:8: name: 'my vm' may only hold "
              "letters, digits and _ . - (it has a space at character 3)");
    check_bad("name = 'tab\\there'", "d.cfg:1:8: name: the name may only "
              "hold letters, digits and _ . - (it has a tab at character "
              "4)");
    check_bad("name = 'Domain-0'", "d.cfg:1:8: name: 'Domain-0' is the name "
              "of dom0");
    check_bad("name = 42", "d.cfg:1:8: name: expected a string, got the "
              "number 42 (quote it: \"42\")");
    check_bad("memory = 0", "d.cfg:1:10: memory: expected an integer "
              "1..16777216, got 0");
    check_bad("name='a'\nkernel='/k'\nmemory=256\nmaxmem=128",
              "d.cfg:4:8: maxmem: 128 MiB is less than memory (256 MiB)");
    check_bad("vcpus = 129", "d.cfg:1:9: vcpus: expected an integer 1..128, "
              "got 129");
    check_bad("cpu_weight = 0", "d.cfg:1:14: cpu_weight: expected an integer "
              "1..65535, got 0");
    check_bad("name='a'\nkernel='/k'\nvcpus=2\ncpu_cap=201",
              "d.cfg:4:9: cpu_cap: expected 0..200 (100 per vCPU, 0 for no "
              "cap), got 201");
    check_bad("cpus = '0-3,x'", "d.cfg:1:8: cpus: bad CPU list '0-3,x': "
              "expected a CPU number at 'x'");
    check_bad("cpus = '^1'", "d.cfg:1:8: cpus: '^1' selects no CPU");
    check_bad("on_crash = 'explode'", "d.cfg:1:12: on_crash: expected one of "
              "destroy, restart, preserve, rename-restart, coredump-destroy, "
              "coredump-restart, got 'explode'");
    check_bad("type = 'qemu'", "d.cfg:1:8: type: expected one of pvh, hvm, "
              "linux, generic, pv, got 'qemu'");
    check_bad("kernel = ''", "d.cfg:1:10: kernel: must not be empty");
    check_bad("memory = 1\nmemory = 2", "d.cfg:2:1: memory is already set "
              "at 1:1");
    check_bad("type = 'pvh'\nbuilder = 'hvm'", "d.cfg:2:1: builder is "
              "already set at 1:1");
}
END_TEST

START_TEST(test_sxp_shape_errors)
{
    check_bad("(domain (name a) (image (pvh (kernel /k))) (memory))",
              "d.cfg:1:44: memory: expected one value, got 0");
    check_bad("(vmm (name a))", "d.cfg:1:1: expected (vm ...), got "
              "(vmm ...)");
    check_bad("(vm (name a)) (vm (name b))", "d.cfg:1:15: expected one "
              "(vm ...) per file; this is a second expression");
    check_bad("(vm (name a) kernel)", "d.cfg:1:14: expected (key value) in "
              "(vm ...), got 'kernel'");
    check_bad("(vm (name a) (image pvh))", "d.cfg:1:21: image: expected "
              "(pvh ...) or (hvm ...), got 'pvh'");
    check_bad("(vm (image (pvh (kernel /k)) (hvm)))", "d.cfg:1:5: image: "
              "expected one (pvh ...) or (hvm ...) inside, got 2 items");
    check_bad("(vm (image (xen (kernel /k))))", "d.cfg:1:13: image: "
              "expected one of pvh, hvm, linux, generic, pv, got 'xen'");
    check_bad("(vm (image (pvh (kernel /k))) (image (pvh (kernel /j))))",
              "d.cfg:1:31: image is already set at 1:13");
}
END_TEST

START_TEST(test_unreadable_file)
{
    struct domcfg c;
    struct diag d;

    diag_init(&d);
    ck_assert_int_eq(domcfg_load(TESTS_DIR "/data/missing.cfg", NULL, 0, &c,
                                 &d), -1);
    ck_assert_first_error(&d, TESTS_DIR "/data/missing.cfg: cannot read: "
                              "No such file or directory");
    domcfg_free(&c);
    diag_free(&d);
}
END_TEST

/* The SXP that a configuration's cpus come out as (the (cpus ...) pair,
 * or "" without one). */
static const char *cpus_sxp(const struct domcfg *c, char *buf, size_t len)
{
    char *sxp = domcfg_to_sxp(c);
    const char *p = strstr(sxp, "(cpus ");
    size_t n = 0;

    if (p) {
        int depth = 0;
        do {
            depth += p[n] == '(' ? 1 : p[n] == ')' ? -1 : 0;
            n++;
        } while (p[n] && depth > 0);
    }
    snprintf(buf, len, "%.*s", (int)n, p ? p : "");
    free(sxp);
    return buf;
}

/* xm vcpu-pin on a domain that is not running: its cpus change, and what
 * is written reads back the same. */
START_TEST(test_set_affinity)
{
    struct domcfg c, back;
    struct diag d;
    char buf[256];

    ck_assert_int_eq(parse("name = \"p\"\nvcpus = 3\nkernel = \"/k\"\n", &c,
                           &d), 0);
    diag_free(&d);
    ck_assert_str_eq(cpus_sxp(&c, buf, sizeof(buf)), "");
    /* One vCPU: the others stay unpinned ("all"). */
    domcfg_set_affinity(&c, 1, "2-3");
    ck_assert(c.cpus_per_vcpu);
    ck_assert_uint_eq(c.ncpus, 3);
    ck_assert_str_eq(cpus_sxp(&c, buf, sizeof(buf)),
                     "(cpus (all 2-3 all))");
    /* It reads back as it was written. */
    char *sxp = domcfg_to_sxp(&c);
    ck_assert_int_eq(parse(sxp, &back, &d), 0);
    ck_assert_uint_eq(d.warnings, 0);
    ck_assert(domcfg_equal(&c, &back));
    diag_free(&d);
    domcfg_free(&back);
    free(sxp);
    /* Each vCPU on the same CPUs is one list for all. */
    domcfg_set_affinity(&c, 0, "2-3");
    domcfg_set_affinity(&c, 2, "2-3");
    ck_assert(!c.cpus_per_vcpu);
    ck_assert_uint_eq(c.ncpus, 1);
    ck_assert_str_eq(cpus_sxp(&c, buf, sizeof(buf)), "(cpus 2-3)");
    /* One list for all, then one vCPU elsewhere: spelled out (a list
     * that looks like a number is written as a string). */
    domcfg_set_affinity(&c, 0, "1");
    ck_assert_str_eq(cpus_sxp(&c, buf, sizeof(buf)),
                     "(cpus (\"1\" 2-3 2-3))");
    /* All of them at once; "all" is no pinning. */
    domcfg_set_affinity(&c, -1, "1,3");
    ck_assert_str_eq(cpus_sxp(&c, buf, sizeof(buf)), "(cpus 1,3)");
    domcfg_set_affinity(&c, -1, "all");
    ck_assert_uint_eq(c.ncpus, 0);
    ck_assert_str_eq(cpus_sxp(&c, buf, sizeof(buf)), "");
    /* Back to no pinning one vCPU at a time. */
    domcfg_set_affinity(&c, 2, "0");
    domcfg_set_affinity(&c, 2, "all");
    ck_assert_uint_eq(c.ncpus, 0);
    domcfg_free(&c);
}
END_TEST

/* maxvcpus: the most vCPUs vcpu-set may give a running domain; vcpus
 * when absent (and then not written), never below vcpus. */
START_TEST(test_maxvcpus)
{
    struct domcfg c, back;
    struct diag d;
    char *sxp;

    ck_assert_int_eq(parse("name = \"m\"\nvcpus = 2\nkernel = \"/k\"\n", &c,
                           &d), 0);
    ck_assert_uint_eq(c.maxvcpus, 2);
    sxp = domcfg_to_sxp(&c);
    ck_assert_ptr_null(strstr(sxp, "maxvcpus"));
    free(sxp);
    diag_free(&d);
    domcfg_free(&c);

    ck_assert_int_eq(parse("name = \"m\"\nvcpus = 2\nmaxvcpus = 4\n"
                           "kernel = \"/k\"\n", &c, &d), 0);
    ck_assert_uint_eq(c.vcpus, 2);
    ck_assert_uint_eq(c.maxvcpus, 4);
    diag_free(&d);
    sxp = domcfg_to_sxp(&c);
    ck_assert_ptr_nonnull(strstr(sxp, "(maxvcpus 4)"));
    ck_assert_int_eq(parse(sxp, &back, &d), 0);
    ck_assert(domcfg_equal(&c, &back));
    diag_free(&d);
    domcfg_free(&back);
    free(sxp);
    domcfg_free(&c);

    ck_assert_int_eq(parse("name = \"m\"\nvcpus = 3\nmaxvcpus = 2\n"
                           "kernel = \"/k\"\n", &c, &d), -1);
    ck_assert_first_error(&d, "d.cfg:3:12: maxvcpus: 2 is less than vcpus "
                          "(3)");
    diag_free(&d);
    domcfg_free(&c);
}
END_TEST

Suite *domcfg_suite(void)
{
    Suite *s = suite_create("domcfg");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_both_forms_are_equivalent);
    tcase_add_test(tc, test_normalised_sxp_round_trip);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_hvm_file);
    tcase_add_test(tc, test_every_action);
    tcase_add_test(tc, test_types);
    tcase_add_test(tc, test_cpus_forms);
    tcase_add_test(tc, test_command_line_pieces);
    tcase_add_test(tc, test_classic_syntax);
    tcase_add_test(tc, test_sxp_misplaced_keys);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_validation_errors);
    tcase_add_test(tc, test_sxp_shape_errors);
    tcase_add_test(tc, test_unreadable_file);
    tcase_add_test(tc, test_set_affinity);
    tcase_add_test(tc, test_maxvcpus);
    suite_add_tcase(s, tc);
    return s;
}
