/*
 * Tests of mica-info: the whole program, run in-process against a fake
 * mica behind libmica's doorbell, compared with its exact output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "mica-info/info.h"

#define GIGA 1000000000ull

/* What the fake mica reports, and how it answers. */
static struct mica_physinfo host;
static struct mica_domain_info doms[200];
static unsigned nr_doms;
static long version_answer, physinfo_answer, list_answer;
static unsigned list_rings;
/* The fake's unseen console, handed out 1000 bytes a call at most. */
static char unseen[6000];
static long unseen_answer;

static long fake_mica(uint64_t op, const uint64_t a[5])
{
    switch (op) {
    case MICA_CTL_version:
        return version_answer;
    case MICA_CTL_physinfo:
        if (physinfo_answer)
            return physinfo_answer;
        memcpy((void *)(uintptr_t)a[0], &host, sizeof(host));
        return 0;
    case MICA_CTL_domain_list: {
        unsigned n = nr_doms < a[1] ? nr_doms : (unsigned)a[1];

        list_rings++;
        if (list_answer)
            return list_answer;
        memcpy((void *)(uintptr_t)a[0], doms, n * sizeof(doms[0]));
        return nr_doms;         /* how many exist, as mica answers */
    }
    case MICA_CTL_dmesg: {
        uint64_t *pos = (uint64_t *)(uintptr_t)a[2];
        size_t have = strlen(unseen), n;

        if (a[3] != MICA_DMESG_UNSEEN || unseen_answer)
            return unseen_answer ? unseen_answer : -EINVAL;
        n = *pos < have ? have - (size_t)*pos : 0;
        n = n < a[1] ? n : (size_t)a[1];
        n = n < 1000 ? n : 1000;
        memcpy((void *)(uintptr_t)a[0], unseen + *pos, n);
        *pos += n;
        return (long)n;
    }
    default:
        return -ENOSYS;
    }
}

static void add_domain(unsigned domid, const char *name, unsigned vcpus,
                       uint32_t flags, uint64_t pages, uint64_t cpu_ns,
                       uint64_t created_ns)
{
    struct mica_domain_info *d = &doms[nr_doms++];

    memset(d, 0, sizeof(*d));
    d->domid = (uint16_t)domid;
    d->nr_vcpus = (uint16_t)vcpus;
    d->flags = flags;
    d->tot_pages = d->max_pages = pages;
    d->cpu_time_ns = cpu_ns;
    d->created_ns = created_ns;
    /* memcpy: a name of MICA_NAME_MAX characters has no NUL. */
    memcpy(d->name, name, strlen(name));
}

static void setup(void)
{
    memset(&host, 0, sizeof(host));
    /* A mica of ABI 1.0: any minor of our major is accepted. */
    host.version = 0x00010000;
    host.nr_cpus = 4;
    host.dom0_cpus = 1;
    host.cpu_khz = 2994321;
    host.total_pages = 524288;      /* 2048 MiB */
    host.free_pages = 262144 + 255; /* 1024 MiB and change */
    host.dom0_pages = 131072;       /* 512 MiB */
    host.uptime_ns = 90061 * GIGA + GIGA / 2;
    strcpy(host.hvm, "AMD-V (SVM + NPT)");
    strcpy(host.mica_version, "0.4.0");

    nr_doms = 0;
    add_domain(0, "Domain-0", 1, MICA_DOMF_running, 131072,
               54 * GIGA + 940000000, 0);
    add_domain(3, "web1", 2, MICA_DOMF_blocked | MICA_DOMF_xen_guest, 65536,
               3 * GIGA, 90000 * GIGA);
    add_domain(12, "a-domain-name-of-32-characters-!", 1,
               MICA_DOMF_paused | MICA_DOMF_xen_guest, 32768, 0,
               host.uptime_ns);

    version_answer = 0x00010000;
    physinfo_answer = list_answer = unseen_answer = 0;
    unseen[0] = '\0';
    list_rings = 0;
    mica_set_doorbell(fake_mica);
}

static void teardown(void)
{
    mica_set_doorbell(NULL);
}

struct result {
    int status;
    char *out, *err;
};

/* Runs mica-info with the arguments given, up to a NULL. */
static struct result run(const char *arg, ...)
{
    char *argv[8] = { (char *)"mica-info" };
    int argc = 1;
    va_list ap;
    struct result r;
    size_t olen, elen;

    va_start(ap, arg);
    for (; arg; arg = va_arg(ap, const char *)) {
        ck_assert_int_lt(argc, 7);
        argv[argc++] = (char *)arg;
    }
    va_end(ap);
    argv[argc] = NULL;

    FILE *out = open_memstream(&r.out, &olen);
    FILE *err = open_memstream(&r.err, &elen);
    ck_assert(out && err);
    r.status = mica_info_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

static void result_free(struct result *r)
{
    free(r->out);
    free(r->err);
}

#define HOST_TEXT \
    "mica_version           : 0.4.0\n" \
    "mica_abi               : 1.0\n" \
    "hvm                    : AMD-V (SVM + NPT)\n" \
    "nr_cpus                : 4\n" \
    "dom0_cpus              : 1\n" \
    "cpu_mhz                : 2994\n" \
    "total_memory           : 2048\n" \
    "free_memory            : 1024\n" \
    "dom0_memory            : 512\n" \
    "uptime                 : 1 day, 1:01:01\n"

#define LIST_TEXT \
    "Name                                        ID   Mem VCPUs      " \
    "State   Time(s)\n" \
    "Domain-0                                     0   512     1     " \
    "r-----     54.9\n" \
    "web1                                         3   256     2     " \
    "-b----      3.0\n" \
    "a-domain-name-of-32-characters-!            12   128     1     " \
    "--p---      0.0\n"

#define LIST_JSON \
    "[\n" \
    "  {\"name\": \"Domain-0\", \"domid\": 0, \"memory\": 512, " \
    "\"vcpus\": 1, \"state\": \"r-----\", \"cpu_time\": 54.9, " \
    "\"up_time\": 90061.5},\n" \
    "  {\"name\": \"web1\", \"domid\": 3, \"memory\": 256, " \
    "\"vcpus\": 2, \"state\": \"-b----\", \"cpu_time\": 3.0, " \
    "\"up_time\": 61.5},\n" \
    "  {\"name\": \"a-domain-name-of-32-characters-!\", " \
    "\"domid\": 12, \"memory\": 128, \"vcpus\": 1, \"state\": \"--p---\", " \
    "\"cpu_time\": 0.0, \"up_time\": 0.0}\n" \
    "]\n"

START_TEST(test_report)
{
    struct result r = run(NULL);

    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, HOST_TEXT "\n" LIST_TEXT);
    ck_assert_str_eq(r.err, "");
    result_free(&r);
}
END_TEST

START_TEST(test_domains_only)
{
    struct result r = run("--domains", NULL);

    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, LIST_TEXT);
    result_free(&r);
}
END_TEST

START_TEST(test_json)
{
    struct result r = run("--json", NULL);

    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out,
        "{\n"
        "  \"mica_version\": \"0.4.0\",\n"
        "  \"mica_abi\": \"1.0\",\n"
        "  \"hvm\": \"AMD-V (SVM + NPT)\",\n"
        "  \"nr_cpus\": 4,\n"
        "  \"dom0_cpus\": 1,\n"
        "  \"cpu_mhz\": 2994,\n"
        "  \"total_memory\": 2048,\n"
        "  \"free_memory\": 1024,\n"
        "  \"dom0_memory\": 512,\n"
        "  \"uptime\": 90061.5,\n"
        "  \"domains\": [\n"
        "    {\"name\": \"Domain-0\", \"domid\": 0, \"memory\": 512, "
        "\"vcpus\": 1, \"state\": \"r-----\", \"cpu_time\": 54.9, "
        "\"up_time\": 90061.5},\n"
        "    {\"name\": \"web1\", \"domid\": 3, \"memory\": 256, "
        "\"vcpus\": 2, \"state\": \"-b----\", \"cpu_time\": 3.0, "
        "\"up_time\": 61.5},\n"
        "    {\"name\": \"a-domain-name-of-32-characters-!\", "
        "\"domid\": 12, \"memory\": 128, \"vcpus\": 1, \"state\": "
        "\"--p---\", \"cpu_time\": 0.0, \"up_time\": 0.0}\n"
        "  ]\n"
        "}\n");
    result_free(&r);

    r = run("--domains", "--json", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, LIST_JSON);
    result_free(&r);
}
END_TEST

/* mica's strings fill their fields without a NUL when they are full. */
START_TEST(test_full_strings)
{
    memcpy(host.mica_version, "0.4.0-rc1+abcdef", 16);
    memcpy(host.hvm, "Intel VT-x (VMX + EPT + UG) \"x\"\\", 32);
    struct result r = run("--json", NULL);

    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out,
        "  \"mica_version\": \"0.4.0-rc1+abcdef\",\n"
        "  \"mica_abi\": \"1.0\",\n"
        "  \"hvm\": \"Intel VT-x (VMX + EPT + UG) \\\"x\\\"\\\\\",\n"));
    result_free(&r);

    r = run(NULL);
    ck_assert_ptr_nonnull(strstr(r.out,
        "mica_version           : 0.4.0-rc1+abcdef\n"
        "mica_abi               : 1.0\n"
        "hvm                    : Intel VT-x (VMX + EPT + UG) \"x\"\\\n"));
    result_free(&r);
}
END_TEST

/* A list longer than the first buffer is asked for again, whole, and a
 * buffer that holds it exactly is enough. */
START_TEST(test_long_list)
{
    char name[16];

    while (nr_doms < 100) {
        snprintf(name, sizeof(name), "guest%u", nr_doms);
        add_domain(nr_doms, name, 1, MICA_DOMF_blocked, 256, 0, 0);
    }
    struct result r = run("--domains", NULL);

    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(list_rings, 2);
    size_t lines = 0;
    for (const char *s = r.out; *s; s++)
        lines += *s == '\n';
    ck_assert_uint_eq(lines, 101);
    ck_assert_ptr_nonnull(strstr(r.out, "\nguest99 "));
    result_free(&r);

    /* Exactly as many as the first buffer holds: one ring. */
    nr_doms = 64;
    list_rings = 0;
    r = run("--domains", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(list_rings, 1);
    result_free(&r);
}
END_TEST

START_TEST(test_help)
{
    struct result r = run("-h", NULL);

    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "Usage: mica-info [--domains] [--json] | "
                      "--unseen\n", 49) == 0);
    ck_assert_str_eq(r.err, "");
    result_free(&r);

    r = run("--help", NULL);
    ck_assert_int_eq(r.status, 0);
    result_free(&r);
}
END_TEST

START_TEST(test_bad_option)
{
    struct result r = run("--domain", NULL);

    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    ck_assert(strncmp(r.err, "mica-info: unknown option '--domain'\n"
                      "Usage: ", 44) == 0);
    result_free(&r);
}
END_TEST

START_TEST(test_no_mica)
{
    version_answer = 0;         /* the OUT went nowhere */
    struct result r = run(NULL);

    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "mica-info: cannot reach mica: not running "
                     "under mica (no answer on I/O port 0xe0)\n");
    result_free(&r);
}
END_TEST

START_TEST(test_other_major)
{
    version_answer = 0x00020001;
    struct result r = run("--domains", NULL);

    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "mica-info: cannot reach mica: mica speaks "
                     "toolstack ABI 2.1 and this program 1.3: their major "
                     "versions differ\n");
    result_free(&r);
}
END_TEST

START_TEST(test_call_errors)
{
    physinfo_answer = -EFAULT;
    struct result r = run(NULL);

    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "mica-info: cannot read the host information: "
                     "Bad address\n");
    result_free(&r);

    physinfo_answer = 0;
    list_answer = -ENOMEM;
    r = run(NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "mica-info: cannot list the domains: "
                     "Cannot allocate memory\n");
    result_free(&r);
}
END_TEST

/* --unseen copies the whole ring, over several calls, and nothing else. */
START_TEST(test_unseen)
{
    size_t len = 0;

    while (len + 40 < sizeof(unseen) - 1)
        len += (size_t)snprintf(unseen + len, sizeof(unseen) - len,
                                "(d%zu) line %zu of a boot guest\n",
                                len % 7, len);
    struct result r = run("--unseen", NULL);

    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, unseen);
    ck_assert_str_eq(r.err, "");
    ck_assert_uint_eq(list_rings, 0);
    result_free(&r);

    unseen[0] = '\0';
    r = run("--unseen", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "");
    result_free(&r);
}
END_TEST

START_TEST(test_unseen_errors)
{
    unseen_answer = -EINVAL;
    struct result r = run("--unseen", NULL);

    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "mica-info: cannot read mica's unseen console: "
                     "this mica keeps none (toolstack ABI before 1.3)\n");
    result_free(&r);

    unseen_answer = -EPERM;
    r = run("--unseen", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "mica-info: cannot read mica's unseen console: "
                     "Operation not permitted\n");
    result_free(&r);

    r = run("--unseen", "--json", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert(!strncmp(r.err, "mica-info: --unseen goes alone\nUsage:", 37));
    ck_assert_str_eq(r.out, "");
    result_free(&r);
}
END_TEST

Suite *mica_info_suite(void)
{
    Suite *s = suite_create("mica-info");
    TCase *tc = tcase_create("report");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_report);
    tcase_add_test(tc, test_domains_only);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_full_strings);
    tcase_add_test(tc, test_long_list);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_bad_option);
    tcase_add_test(tc, test_no_mica);
    tcase_add_test(tc, test_other_major);
    tcase_add_test(tc, test_call_errors);
    tcase_add_test(tc, test_unseen);
    tcase_add_test(tc, test_unseen_errors);
    suite_add_tcase(s, tc);
    return s;
}
