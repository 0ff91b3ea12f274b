/*
 * Unit tests of xend's parts that work alone: the lines of the protocol
 * (written, then read back), the HTTP server's request parser and
 * answers, the snapshot's JSON, and the core dumps against a fake mica.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "lib/libmica.h"
#include "xend/dump.h"
#include "xend/http.h"
#include "xend/proto.h"
#include "xend/status.h"

/* --- the protocol's lines --- */

/* Field by field: the structs have padding that initialisers leave. */
static void same_dom(const struct proto_dom *a, const struct proto_dom *b)
{
    ck_assert_int_eq(a->domid, b->domid);
    ck_assert_uint_eq(a->flags, b->flags);
    ck_assert_uint_eq(a->mem_kib, b->mem_kib);
    ck_assert_uint_eq(a->cur_kib, b->cur_kib);
    ck_assert_uint_eq(a->max_kib, b->max_kib);
    ck_assert_uint_eq(a->vcpus, b->vcpus);
    ck_assert_uint_eq(a->cpu_ns, b->cpu_ns);
    ck_assert_uint_eq(a->up_ns, b->up_ns);
    ck_assert_str_eq(a->name, b->name);
}

START_TEST(test_dom_line)
{
    struct sbuf sb = SBUF_INIT;
    struct proto_dom d = {
        .domid = 7, .flags = 0x102, .mem_kib = 16384, .cur_kib = 16380,
        .max_kib = 32768, .vcpus = 2, .cpu_ns = 123456789012ull,
        .up_ns = 5, .name = "web-1",
    }, back;

    proto_put_dom(&sb, &d);
    ck_assert_str_eq(sbuf_str(&sb), "7\t258\t16384\t16380\t32768\t2\t"
                     "123456789012\t5\tweb-1\n");
    ck_assert_int_eq(proto_get_dom(sbuf_str(&sb), &back), 0);
    same_dom(&d, &back);
    sbuf_free(&sb);

    /* A managed domain that is not running: "-" for its domid. */
    d.domid = -1;
    proto_put_dom(&sb, &d);
    ck_assert_int_eq(sbuf_str(&sb)[0], '-');
    ck_assert_int_eq(proto_get_dom(sbuf_str(&sb), &back), 0);
    ck_assert_int_eq(back.domid, -1);
    sbuf_free(&sb);

    /* A tab in a name cannot split the line. */
    snprintf(d.name, sizeof(d.name), "a\tb");
    proto_put_dom(&sb, &d);
    ck_assert_int_eq(proto_get_dom(sbuf_str(&sb), &back), 0);
    ck_assert_str_eq(back.name, "a?b");
    sbuf_free(&sb);

    ck_assert_int_eq(proto_get_dom("7\t1\t2\t3\t4\t5\t6\t7", &back), -1);
    ck_assert_int_eq(proto_get_dom("x\t1\t2\t3\t4\t5\t6\t7\tn", &back), -1);
    ck_assert_int_eq(proto_get_dom("70000\t1\t2\t3\t4\t5\t6\t7\tn", &back),
                     -1);
    ck_assert_int_eq(proto_get_dom("1\t-1\t2\t3\t4\t5\t6\t7\tn", &back), -1);
    ck_assert_int_eq(proto_get_dom("1\t1\t2\t3\t4\t5\t6\t7\t", &back), -1);
    ck_assert_int_eq(proto_get_dom("node\t1\t1\t1\t1\t1\tv", &back), -1);
}
END_TEST

START_TEST(test_node_vcpu_sched_lines)
{
    struct sbuf sb = SBUF_INIT;
    struct proto_node n = { 4, 1, 2994, 2097152, 1048576, "0.4.0" }, nb;
    struct proto_vcpu v = { 3, 1, 2, 0x3, 1500000000ull, 0xeull, "spin" },
                      vb;
    struct proto_sched s = { 5, 512, 0, "web1" }, sb2;

    proto_put_node(&sb, &n);
    ck_assert_str_eq(sbuf_str(&sb), "node\t4\t1\t2994\t2097152\t1048576\t"
                     "0.4.0\n");
    ck_assert_int_eq(proto_get_node(sbuf_str(&sb), &nb), 0);
    ck_assert_uint_eq(nb.nr_cpus, 4);
    ck_assert_uint_eq(nb.dom0_cpus, 1);
    ck_assert_uint_eq(nb.cpu_mhz, 2994);
    ck_assert_uint_eq(nb.total_kib, 2097152);
    ck_assert_uint_eq(nb.free_kib, 1048576);
    ck_assert_str_eq(nb.version, "0.4.0");
    /* A node line is no domain line and no vCPU line. */
    ck_assert_int_eq(proto_get_vcpu(sbuf_str(&sb), &vb), -1);
    sbuf_free(&sb);

    proto_put_vcpu(&sb, &v);
    ck_assert_str_eq(sbuf_str(&sb), "3\t1\t2\t3\t1500000000\te\tspin\n");
    ck_assert_int_eq(proto_get_vcpu(sbuf_str(&sb), &vb), 0);
    ck_assert_int_eq(vb.domid, 3);
    ck_assert_uint_eq(vb.vcpu, 1);
    ck_assert_uint_eq(vb.cpu, 2);
    ck_assert_uint_eq(vb.flags, 3);
    ck_assert_uint_eq(vb.cpu_ns, 1500000000ull);
    ck_assert_uint_eq(vb.affinity, 0xe);
    ck_assert_str_eq(vb.name, "spin");
    ck_assert_int_eq(proto_get_node(sbuf_str(&sb), &nb), -1);
    sbuf_free(&sb);
    /* A managed domain that is not running: "-" for its domid. */
    v.domid = -1;
    proto_put_vcpu(&sb, &v);
    ck_assert_str_eq(sbuf_str(&sb), "-\t1\t2\t3\t1500000000\te\tspin\n");
    ck_assert_int_eq(proto_get_vcpu(sbuf_str(&sb), &vb), 0);
    ck_assert_int_eq(vb.domid, -1);
    sbuf_free(&sb);
    ck_assert_int_eq(proto_get_vcpu("3\t1\t2\t3\t4\tzz\tspin", &vb), -1);
    ck_assert_int_eq(proto_get_vcpu("3\t1\t2\t3\t4\t11223344556677889\tx",
                                    &vb), -1);

    proto_put_sched(&sb, &s);
    ck_assert_str_eq(sbuf_str(&sb), "5\t512\t0\tweb1\n");
    ck_assert_int_eq(proto_get_sched(sbuf_str(&sb), &sb2), 0);
    ck_assert_int_eq(sb2.domid, 5);
    ck_assert_int_eq(sb2.weight, 512);
    ck_assert_int_eq(sb2.cap, 0);
    ck_assert_str_eq(sb2.name, "web1");
    sbuf_free(&sb);
    /* What mica would not give travels as "-" and comes back as -1. */
    s.domid = -1;
    s.weight = s.cap = -1;
    proto_put_sched(&sb, &s);
    ck_assert_str_eq(sbuf_str(&sb), "-\t-\t-\tweb1\n");
    ck_assert_int_eq(proto_get_sched(sbuf_str(&sb), &sb2), 0);
    ck_assert_int_eq(sb2.weight, -1);
    ck_assert_int_eq(sb2.cap, -1);
    ck_assert_int_eq(sb2.domid, -1);
    sbuf_free(&sb);
}
END_TEST

/* --- HTTP --- */

static int parse(const char *text, struct http_request *r)
{
    return http_parse_request(text, strlen(text), r);
}

START_TEST(test_http_parse)
{
    struct http_request r;
    const char *get = "GET /xend/node HTTP/1.1\r\nHost: x\r\n\r\n";

    ck_assert_int_eq(parse(get, &r), (int)strlen(get));
    ck_assert_str_eq(r.method, "GET");
    ck_assert_str_eq(r.path, "/xend/node");
    ck_assert_uint_eq(r.minor, 1);

    /* Bare LF line ends, HTTP/1.0, a query, escapes. */
    ck_assert_int_eq(parse("GET /xend/domain/we%62%2d1?x=1 HTTP/1.0\n\n",
                           &r), 41);
    ck_assert_str_eq(r.path, "/xend/domain/web-1");
    ck_assert_uint_eq(r.minor, 0);

    /* Not complete yet: a client may send its head in pieces. */
    ck_assert_int_eq(parse("GET /xend/node HTTP/1.1\r\nHost: x\r\n", &r), 0);
    ck_assert_int_eq(parse("GET /xe", &r), 0);
    ck_assert_int_eq(parse("", &r), 0);

    /* Never valid. */
    ck_assert_int_eq(parse("GET /x HTTP/2.0\r\n\r\n", &r), -1);
    ck_assert_int_eq(parse("GET  /x HTTP/1.1\r\n\r\n", &r), -1);
    ck_assert_int_eq(parse("GET x HTTP/1.1\r\n\r\n", &r), -1);
    ck_assert_int_eq(parse("get /x HTTP/1.1\r\n\r\n", &r), -1);
    ck_assert_int_eq(parse("GET /x%00y HTTP/1.1\r\n\r\n", &r), -1);
    ck_assert_int_eq(parse("GET /x%4 HTTP/1.1\r\n\r\n", &r), -1);
    ck_assert_int_eq(parse("GET /x\r\n\r\n", &r), -1);
    ck_assert_int_eq(parse("\r\n\r\n", &r), -1);

    /* A head that never ends is cut off at HTTP_MAX_HEAD. */
    size_t big = HTTP_MAX_HEAD + 10;
    char *junk = malloc(big);
    memset(junk, 'a', big);
    memcpy(junk, "GET / HTTP/1.1\r\n", 16);
    ck_assert_int_eq(http_parse_request(junk, HTTP_MAX_HEAD - 1, &r), 0);
    ck_assert_int_eq(http_parse_request(junk, big, &r), -1);
    free(junk);

    /* A path longer than there is room for. */
    char lng[400];
    snprintf(lng, sizeof(lng), "GET /%0300d HTTP/1.1\r\n\r\n", 0);
    ck_assert_int_eq(parse(lng, &r), -1);
}
END_TEST

static enum http_route route_of(const char *text, const char **dom)
{
    static struct http_request r;

    ck_assert_int_gt(parse(text, &r), 0);
    return http_route(&r, dom);
}

START_TEST(test_http_route)
{
    const char *dom;

    ck_assert_int_eq(route_of("GET /xend/node HTTP/1.1\r\n\r\n", &dom),
                     HTTP_NODE);
    ck_assert_int_eq(route_of("GET /xend/node/ HTTP/1.1\r\n\r\n", &dom),
                     HTTP_NODE);
    ck_assert_int_eq(route_of("GET /xend/domain HTTP/1.0\r\n\r\n", &dom),
                     HTTP_DOMAINS);
    ck_assert_int_eq(route_of("GET /xend/domain/web1 HTTP/1.1\r\n\r\n",
                              &dom), HTTP_DOMAIN);
    ck_assert_str_eq(dom, "web1");
    ck_assert_int_eq(route_of("GET /xend/domain/7/ HTTP/1.1\r\n\r\n", &dom),
                     HTTP_DOMAIN);
    ck_assert_str_eq(dom, "7");
    ck_assert_int_eq(route_of("GET /xend/domain/a/b HTTP/1.1\r\n\r\n", &dom),
                     HTTP_NOT_FOUND);
    ck_assert_int_eq(route_of("GET /xend/domain/ HTTP/1.1\r\n\r\n", &dom),
                     HTTP_DOMAINS);
    ck_assert_int_eq(route_of("GET / HTTP/1.1\r\n\r\n", &dom),
                     HTTP_NOT_FOUND);
    ck_assert_int_eq(route_of("GET /xend HTTP/1.1\r\n\r\n", &dom),
                     HTTP_NOT_FOUND);
    ck_assert_int_eq(route_of("GET /xend/nodes HTTP/1.1\r\n\r\n", &dom),
                     HTTP_NOT_FOUND);
    ck_assert_int_eq(route_of("POST /xend/node HTTP/1.1\r\n\r\n", &dom),
                     HTTP_BAD_METHOD);
    ck_assert_int_eq(route_of("HEAD /xend/node HTTP/1.1\r\n\r\n", &dom),
                     HTTP_BAD_METHOD);
    ck_assert_int_eq(route_of("DELETE /nowhere HTTP/1.1\r\n\r\n", &dom),
                     HTTP_BAD_METHOD);
    ck_assert(http_route_needs_status(HTTP_DOMAIN));
    ck_assert(!http_route_needs_status(HTTP_NOT_FOUND));
}
END_TEST

static struct xstat_dom two_doms[2];

static void fill_status(struct xstat *s)
{
    memset(s, 0, sizeof(*s));
    memset(two_doms, 0, sizeof(two_doms));
    s->pi.version = 0x00010001;
    s->pi.nr_cpus = 4;
    s->pi.dom0_cpus = 1;
    s->pi.cpu_khz = 2994321;
    s->pi.total_pages = 524288;
    s->pi.free_pages = 262144;
    s->pi.dom0_pages = 131072;
    s->pi.uptime_ns = 90061500000000ull;
    memcpy(s->pi.hvm, "AMD-V (SVM + NPT)", 18);
    /* Full field, no NUL: read within its 16 bytes. */
    memcpy(s->pi.mica_version, "0.4.0-rc1+abcdef", 16);
    snprintf(s->host, sizeof(s->host), "dom0");
    two_doms[0].d = (struct proto_dom){ 3, 0x2, 16384, 16380, 32768, 1,
                                        1500000000ull, 2500000000ull,
                                        "web\"1" };
    two_doms[0].config = "(vm (name web1))";
    two_doms[1].d = (struct proto_dom){ -1, 0, 65536, 0, 65536, 2, 0, 0,
                                        "off" };
    two_doms[1].managed = true;
    s->doms = two_doms;
    s->n = 2;
}

/* The body of a response, after the blank line. */
static const char *body_of(const struct sbuf *sb)
{
    const char *b = strstr(sbuf_str(sb), "\r\n\r\n");

    ck_assert_ptr_nonnull(b);
    return b + 4;
}

static void check_length(const struct sbuf *sb)
{
    const char *cl = strstr(sbuf_str(sb), "Content-Length: ");

    ck_assert_ptr_nonnull(cl);
    ck_assert_uint_eq(strtoul(cl + 16, NULL, 10), strlen(body_of(sb)));
}

START_TEST(test_http_respond)
{
    struct xstat s;
    struct sbuf out = SBUF_INIT;

    fill_status(&s);
    ck_assert_int_eq(http_respond(HTTP_NODE, NULL, &s, &out), 200);
    ck_assert(strncmp(sbuf_str(&out), "HTTP/1.1 200 OK\r\n", 17) == 0);
    ck_assert_ptr_nonnull(strstr(sbuf_str(&out),
                                 "Content-Type: application/json\r\n"));
    check_length(&out);
    ck_assert_str_eq(body_of(&out),
        "{\"host\": \"dom0\", \"nr_cpus\": 4, \"dom0_cpus\": 1, "
        "\"cpu_mhz\": 2994, \"virt_caps\": \"AMD-V (SVM + NPT)\", "
        "\"total_memory\": 2048, \"free_memory\": 1024, "
        "\"dom0_memory\": 512, \"mica_version\": \"0.4.0-rc1+abcdef\", "
        "\"mica_abi\": \"1.1\", \"xen_scheduler\": \"credit\", "
        "\"uptime\": 90061.5, \"nr_domains\": 2}\n");
    sbuf_free(&out);

    ck_assert_int_eq(http_respond(HTTP_DOMAINS, NULL, &s, &out), 200);
    check_length(&out);
    ck_assert_str_eq(body_of(&out),
        "[\n"
        "  {\"name\": \"web\\\"1\", \"domid\": 3, \"state\": \"-b----\", "
        "\"memory\": 16, \"memory_actual_kib\": 16380, "
        "\"maxmem_kib\": 32768, \"vcpus\": 1, \"cpu_time\": 1.500, "
        "\"up_time\": 2.500, \"managed\": false},\n"
        "  {\"name\": \"off\", \"domid\": null, \"state\": \"------\", "
        "\"memory\": 64, \"memory_actual_kib\": 0, \"maxmem_kib\": 65536, "
        "\"vcpus\": 2, \"cpu_time\": 0.000, \"up_time\": null, "
        "\"managed\": true}\n"
        "]\n");
    sbuf_free(&out);

    /* One domain, by id or name, with its configuration. */
    ck_assert_int_eq(http_respond(HTTP_DOMAIN, "3", &s, &out), 200);
    check_length(&out);
    ck_assert_ptr_nonnull(strstr(body_of(&out),
                                 "\"config\": \"(vm (name web1))\"}\n"));
    sbuf_free(&out);
    ck_assert_int_eq(http_respond(HTTP_DOMAIN, "off", &s, &out), 200);
    ck_assert_ptr_nonnull(strstr(body_of(&out), "\"config\": null}\n"));
    sbuf_free(&out);
    ck_assert_int_eq(http_respond(HTTP_DOMAIN, "nosuch", &s, &out), 404);
    ck_assert_str_eq(body_of(&out),
                     "{\"error\": \"Domain 'nosuch' does not exist.\"}\n");
    sbuf_free(&out);

    ck_assert_int_eq(http_respond(HTTP_NOT_FOUND, NULL, NULL, &out), 404);
    ck_assert(strncmp(sbuf_str(&out), "HTTP/1.1 404 Not Found\r\n", 24) == 0);
    check_length(&out);
    sbuf_free(&out);
    ck_assert_int_eq(http_respond(HTTP_BAD_METHOD, NULL, NULL, &out), 405);
    ck_assert_ptr_nonnull(strstr(sbuf_str(&out), "\r\nAllow: GET\r\n"));
    check_length(&out);
    sbuf_free(&out);
    ck_assert_int_eq(http_respond(HTTP_BAD_REQUEST, NULL, NULL, &out), 400);
    check_length(&out);
    sbuf_free(&out);
}
END_TEST

START_TEST(test_xstat_find)
{
    struct xstat s;

    fill_status(&s);
    ck_assert_ptr_eq(xstat_find(&s, "web\"1"), &two_doms[0]);
    ck_assert_ptr_eq(xstat_find(&s, "3"), &two_doms[0]);
    ck_assert_ptr_eq(xstat_find(&s, "off"), &two_doms[1]);
    /* A stopped domain has no id to be found by. */
    ck_assert_ptr_null(xstat_find(&s, "-1"));
    ck_assert_ptr_null(xstat_find(&s, "4"));
    ck_assert_ptr_null(xstat_find(&s, ""));
}
END_TEST

/* --- core dumps, against a fake mica --- */

#define DUMP_PAGES 20
#define HOLE_PAGE 5

static long dump_doorbell(uint64_t op, const uint64_t a[5])
{
    if (op != MICA_CTL_copy_from_domain)
        return -ENOSYS;
    if (a[0] != 9)
        return -ESRCH;
    /* RAM is DUMP_PAGES pages; one of them mica will not give. */
    for (uint64_t off = 0; off < a[3]; off += 4096) {
        uint64_t page = (a[1] + off) / 4096;
        if (page >= DUMP_PAGES || page == HOLE_PAGE)
            return -EINVAL;
    }
    for (uint64_t k = 0; k < a[3]; k++)
        ((unsigned char *)(uintptr_t)a[2])[k] =
            (unsigned char)((a[1] + k) / 4096 + 1);
    return 0;
}

START_TEST(test_dump_path)
{
    char buf[256];
    struct tm tm = { .tm_year = 124, .tm_mon = 0, .tm_mday = 31,
                     .tm_hour = 14, .tm_min = 2, .tm_sec = 9 };

    dump_core_path(buf, sizeof(buf), "/var/lib/xen/dump", &tm, "web1", 5);
    ck_assert_str_eq(buf, "/var/lib/xen/dump/2024-0131-1402.09-web1.5.core");
}
END_TEST

START_TEST(test_dump_memory)
{
    char path[] = "/tmp/check_dump.XXXXXX", why[256];
    uint64_t bytes, holes;
    int fd = mkstemp(path);
    struct stat st;

    ck_assert_int_ge(fd, 0);
    close(fd);
    /* It must not overwrite a file. */
    mica_set_doorbell(dump_doorbell);
    ck_assert_int_eq(dump_memory(9, DUMP_PAGES * 4096, path, &bytes, &holes,
                                 why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "cannot create"));
    unlink(path);

    ck_assert_int_eq(dump_memory(9, DUMP_PAGES * 4096, path, &bytes, &holes,
                                 why, sizeof(why)), 0);
    ck_assert_uint_eq(bytes, DUMP_PAGES * 4096);
    ck_assert_uint_eq(holes, 1);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq((uint64_t)st.st_size, DUMP_PAGES * 4096);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    FILE *f = fopen(path, "rb");
    for (int p = 0; p < DUMP_PAGES; p++) {
        unsigned char page[4096];
        ck_assert_uint_eq(fread(page, 1, sizeof(page), f), sizeof(page));
        unsigned char want = p == HOLE_PAGE ? 0 : (unsigned char)(p + 1);
        ck_assert_uint_eq(page[0], want);
        ck_assert_uint_eq(page[4095], want);
    }
    fclose(f);
    unlink(path);

    /* A domain that is gone: no file is left behind. */
    ck_assert_int_eq(dump_memory(8, DUMP_PAGES * 4096, path, &bytes, &holes,
                                 why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "No such process"));
    ck_assert_int_ne(access(path, F_OK), 0);
    mica_set_doorbell(NULL);
}
END_TEST

START_TEST(test_dump_text)
{
    struct sbuf sb = SBUF_INIT;
    struct mica_domain_info i = {
        .domid = 4, .nr_vcpus = 1, .flags = MICA_DOMF_crashed,
        .shutdown_reason = SHUTDOWN_crash, .tot_pages = 4096,
        .max_pages = 4096, .cpu_time_ns = 1500000000ull,
        .created_ns = 2000000000ull,
    };
    struct mica_vcpu_info v = { .vcpu = 0, .cpu = 1, .flags = 1,
                                .cpu_time_ns = 1500000000ull,
                                .affinity = 0xe };
    const char *log =
        "(mica) d4 (old): created by the toolstack, 4096 KiB, 1 vCPU(s)\n"
        "(mica) d4 (old): destroyed, 1024 pages returned\n"
        "(mica) d40 (other): created by the toolstack, 1 vCPU(s)\n"
        "(mica) d4 (crasher): created by the toolstack, 16384 KiB\n"
        "(mica) d3 (x): shut down: poweroff, code 0\n"
        "(mica) d4 (crasher): crashed: triple fault at rip 0x100041\n";

    dump_info_text(&sb, "crasher", &i, &v, 1, log, 16777216);
    ck_assert_str_eq(sbuf_str(&sb),
        "domain:          crasher (id 4)\n"
        "state:           ----c-\n"
        "shutdown reason: crash (3), code 0\n"
        "memory:          16384 KiB (maximum 16384 KiB)\n"
        "vcpus:           1\n"
        "cpu time:        1.500 s\n"
        "created:         2.000 s after mica started\n"
        "vcpu 0           cpu 1, flags 0x1, 1.500 s, affinity 0xe\n"
        "mica's log about it:\n"
        "    (mica) d4 (crasher): created by the toolstack, 16384 KiB\n"
        "    (mica) d4 (crasher): crashed: triple fault at rip 0x100041\n"
        "memory image:    16777216 bytes of guest-physical memory from "
        "address 0, raw\n");
    sbuf_free(&sb);

    dump_info_text(&sb, "crasher", &i, NULL, -ENOSYS, NULL, 0);
    ck_assert_ptr_nonnull(strstr(sbuf_str(&sb), "vcpu state:      not "
                                 "available (Function not implemented)\n"));
    sbuf_free(&sb);
}
END_TEST

Suite *xend_suite(void)
{
    Suite *s = suite_create("xend");
    TCase *tc = tcase_create("proto");

    tcase_add_test(tc, test_dom_line);
    tcase_add_test(tc, test_node_vcpu_sched_lines);
    suite_add_tcase(s, tc);
    tc = tcase_create("http");
    tcase_add_test(tc, test_http_parse);
    tcase_add_test(tc, test_http_route);
    tcase_add_test(tc, test_http_respond);
    tcase_add_test(tc, test_xstat_find);
    suite_add_tcase(s, tc);
    tc = tcase_create("dump");
    tcase_add_test(tc, test_dump_path);
    tcase_add_test(tc, test_dump_memory);
    tcase_add_test(tc, test_dump_text);
    suite_add_tcase(s, tc);
    return s;
}
