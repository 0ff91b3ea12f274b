/*
 * The requests xm sends (docs/toolstack.md): decoded, done, and answered
 * with a status line and the output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "proto.h"
#include "xend.h"
#include "../common/readfile.h"
#include "../lib/libmica.h"

#define MAX_ARGS 16
#define MAX_DOMAINS 256

/* Where `xm dmesg` starts: `xm dmesg -c` moves it to the end. */
static uint64_t dmesg_start;

static void error(struct sbuf *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void error(struct sbuf *r, const char *fmt, ...)
{
    va_list ap;

    sbuf_puts(r, XEND_PROTO_ERROR);
    va_start(ap, fmt);
    sbuf_vprintf(r, fmt, ap);
    va_end(ap);
    sbuf_putc(r, '\n');
}

static void ok(struct sbuf *r)
{
    sbuf_puts(r, XEND_PROTO_OK "\n");
}

/* A domain by name or id, among all that mica has. */
static int lookup(const char *s, struct mica_domain_info *out)
{
    static struct mica_domain_info info[MAX_DOMAINS];
    int n = mica_domain_list(info, MAX_DOMAINS);
    char *end;
    long id = strtol(s, &end, 10);
    struct xdom *x = xdom_find(s);

    if (x)
        return mica_domain_info((domid_t)x->domid, out);
    for (int i = 0; i < n && i < MAX_DOMAINS; i++) {
        if (strncmp(info[i].name, s, MICA_NAME_MAX) == 0 ||
            (*s && !*end && id == info[i].domid)) {
            *out = info[i];
            return 0;
        }
    }
    errno = ESRCH;
    return -1;
}

static const char *dom_name(const struct mica_domain_info *i, char *buf)
{
    struct xdom *x = xdom_by_domid(i->domid);

    if (x)
        return x->name;
    memcpy(buf, i->name, MICA_NAME_MAX);
    buf[MICA_NAME_MAX] = '\0';
    return buf;
}

static void do_list(struct sbuf *r, char **argv, int argc, bool long_form)
{
    struct mica_domain_info info[MAX_DOMAINS];
    struct mica_physinfo pi;
    int n = mica_domain_list(info, MAX_DOMAINS);
    struct sbuf body = SBUF_INIT;

    if (n < 0 || mica_physinfo(&pi) < 0) {
        error(r, "cannot list domains: %s", strerror(errno));
        return;
    }
    if (n > MAX_DOMAINS)
        n = MAX_DOMAINS;
    for (int a = 0; a < argc; a++) {
        struct mica_domain_info one;
        if (lookup(argv[a], &one) < 0) {
            error(r, "Domain '%s' does not exist.", argv[a]);
            sbuf_free(&body);
            return;
        }
    }
    for (int k = 0; k < n; k++) {
        const struct mica_domain_info *i = &info[k];
        char buf[MICA_NAME_MAX + 1];
        const char *name = dom_name(i, buf);
        bool want = argc == 0;
        uint64_t up = pi.uptime_ns > i->created_ns ?
                      pi.uptime_ns - i->created_ns : 0;

        for (int a = 0; a < argc; a++) {
            char *end;
            long id = strtol(argv[a], &end, 10);
            if (strcmp(argv[a], name) == 0 || (!*end && id == i->domid))
                want = true;
        }
        if (!want)
            continue;
        /* One line a domain: id, flags, KiB, vCPUs, CPU ns, up ns, name. */
        sbuf_printf(&body, "%u\t%u\t%llu\t%u\t%llu\t%llu\t%s\n", i->domid,
                    i->flags, (unsigned long long)(i->tot_pages * 4),
                    i->nr_vcpus, (unsigned long long)i->cpu_time_ns,
                    (unsigned long long)up, name);
        if (long_form) {
            struct xdom *x = xdom_by_domid(i->domid);
            struct sbuf cfg = SBUF_INIT;
            if (x)
                xdom_config_sxp(x, &cfg);
            /* One line, so that xm reads two lines a domain. */
            for (size_t c = 0; c < cfg.len; c++)
                sbuf_putc(&body, cfg.buf[c] == '\n' ? ' ' : cfg.buf[c]);
            sbuf_putc(&body, '\n');
            sbuf_free(&cfg);
        }
    }
    ok(r);
    sbuf_put(r, body.buf ? body.buf : "", body.len);
    sbuf_free(&body);
}

static void do_simple(struct sbuf *r, const char *cmd, const char *dom,
                      const char *arg)
{
    struct mica_domain_info i;
    int rc;

    if (lookup(dom, &i) < 0) {
        error(r, "Domain '%s' does not exist.", dom);
        return;
    }
    if (i.domid == 0) {
        error(r, "Cannot %s privileged domain 0", cmd);
        return;
    }
    if (strcmp(cmd, "destroy") == 0) {
        rc = mica_domain_destroy(i.domid);
    } else if (strcmp(cmd, "pause") == 0) {
        rc = mica_domain_pause(i.domid);
    } else if (strcmp(cmd, "unpause") == 0) {
        rc = mica_domain_unpause(i.domid);
    } else {
        unsigned reason = arg && strcmp(arg, "reboot") == 0 ?
                          SHUTDOWN_reboot : SHUTDOWN_poweroff;
        rc = mica_domain_shutdown(i.domid, reason);
    }
    if (rc < 0) {
        error(r, "%s %s: %s", cmd, dom, strerror(errno));
        return;
    }
    xlog(XEND_LOG_INFO, "%s domain %u%s%s", cmd, i.domid, arg ? " " : "",
         arg ? arg : "");
    if (strcmp(cmd, "destroy") == 0) {
        struct xdom *x = xdom_by_domid(i.domid);
        if (x)
            xdom_forget(x, true);
    }
    ok(r);
}

static void do_info(struct sbuf *r)
{
    struct mica_physinfo pi;
    struct utsname u;
    const struct xend_config *c = &xend_cfg;

    if (mica_physinfo(&pi) < 0) {
        error(r, "cannot read host information: %s", strerror(errno));
        return;
    }
    uname(&u);
    ok(r);
#define ROW(k, ...) do { sbuf_printf(r, "%-23s: ", k); \
                         sbuf_printf(r, __VA_ARGS__); sbuf_putc(r, '\n'); \
                    } while (0)
    ROW("host", "%s", u.nodename);
    ROW("release", "%s", u.release);
    ROW("version", "%s", u.version);
    ROW("machine", "%s", u.machine);
    ROW("nr_cpus", "%u", pi.nr_cpus);
    ROW("nr_nodes", "%u", 1u);
    ROW("cpu_mhz", "%u", pi.cpu_khz / 1000);
    ROW("virt_caps", "%s", pi.hvm);
    ROW("total_memory", "%llu", (unsigned long long)(pi.total_pages / 256));
    ROW("free_memory", "%llu", (unsigned long long)(pi.free_pages / 256));
    ROW("dom0_memory", "%llu", (unsigned long long)(pi.dom0_pages / 256));
    ROW("dom0_cpus", "%u", pi.dom0_cpus);
    ROW("mica_version", "%s", pi.mica_version);
    ROW("mica_abi", "%u.%u", MICA_CTL_MAJOR(mica_abi_version()),
        mica_abi_version() & 0xffff);
    ROW("xen_caps", "%s", "hvm-3.0-x86_32 hvm-3.0-x86_64");
    ROW("xen_scheduler", "%s", "credit");
    ROW("xen_pagesize", "%u", 4096u);
    ROW("uptime", "%llu", (unsigned long long)(pi.uptime_ns / 1000000000u));
    ROW("xend_config_format", "%u", 4u);
    ROW("logfile", "%s", c->logfile);
    ROW("loglevel", "%s", xend_loglevel_name(c->loglevel));
    ROW("xend-unix-path", "%s", c->unix_path);
    ROW("console-limit", "%u", c->console_limit_kib);
    ROW("dom0-min-mem", "%llu", (unsigned long long)c->dom0_min_mem_mib);
    ROW("dom0-cpus", "%u", c->dom0_cpus);
#undef ROW
}

static void do_dmesg(struct sbuf *r, bool clear)
{
    char buf[4096];
    uint64_t pos = dmesg_start;
    ssize_t n;
    struct sbuf body = SBUF_INIT;

    while ((n = mica_dmesg(buf, sizeof(buf), &pos)) > 0)
        sbuf_put(&body, buf, (size_t)n);
    if (n < 0) {
        error(r, "cannot read mica's console: %s", strerror(errno));
        sbuf_free(&body);
        return;
    }
    if (clear)
        dmesg_start = pos;
    ok(r);
    sbuf_put(r, body.buf ? body.buf : "", body.len);
    sbuf_free(&body);
}

static void do_log(struct sbuf *r)
{
    char *text;
    size_t len;

    if (read_whole_file(xend_cfg.logfile, &text, &len) < 0) {
        error(r, "cannot read %s: %s", xend_cfg.logfile, strerror(errno));
        return;
    }
    ok(r);
    sbuf_put(r, text, len);
    free(text);
}

/* The console: what xend kept, then (the caller) what comes. */
static int do_console(struct sbuf *r, const char *dom)
{
    struct mica_domain_info i;
    struct xdom *x;

    if (lookup(dom, &i) < 0) {
        error(r, "Domain '%s' does not exist.", dom);
        return -1;
    }
    x = xdom_by_domid(i.domid);
    if (!x) {
        error(r, "Domain '%s' is not managed by xend", dom);
        return -1;
    }
    ok(r);
    sbuf_put(r, x->con ? x->con : "", x->conlen);
    return x->domid;
}

int xend_request(char *req, size_t len, struct sbuf *r)
{
    char *nl = memchr(req, '\n', len);
    char *argv[MAX_ARGS];
    int argc = 0;
    char *payload;
    size_t plen;

    if (!nl) {
        error(r, "malformed request");
        return -1;
    }
    *nl = '\0';
    payload = nl + 1;
    plen = len - (size_t)(payload - req);
    for (char *p = req; p && argc < MAX_ARGS;) {
        argv[argc++] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
    }
    const char *cmd = argv[0];
    xlog(XEND_LOG_DEBUG, "request: %s", cmd);
#define NEED(k) do { if (argc < (k) + 1) { \
        error(r, "'%s' needs %d argument(s)", cmd, (k)); return -1; } \
    } while (0)
    if (strcmp(cmd, "create") == 0) {
        char why[512];
        bool paused = argc > 1 && strcmp(argv[1], "paused") == 0;
        int domid = xdom_create(payload, plen, paused, why, sizeof(why));
        if (domid < 0) {
            error(r, "%s", why);
        } else {
            ok(r);
            sbuf_printf(r, "%d\n", domid);
            /* create -c follows from here, so that the output of a domain
             * that stops at once is not missed between two requests. */
            if (argc > 2 && strcmp(argv[2], "console") == 0)
                return domid;
        }
    } else if (strcmp(cmd, "list") == 0) {
        do_list(r, argv + 1, argc - 1, false);
    } else if (strcmp(cmd, "list-long") == 0) {
        do_list(r, argv + 1, argc - 1, true);
    } else if (strcmp(cmd, "destroy") == 0 || strcmp(cmd, "pause") == 0 ||
               strcmp(cmd, "unpause") == 0) {
        NEED(1);
        do_simple(r, cmd, argv[1], NULL);
    } else if (strcmp(cmd, "shutdown") == 0) {
        NEED(2);
        do_simple(r, cmd, argv[1], argv[2]);
    } else if (strcmp(cmd, "console") == 0) {
        NEED(1);
        return do_console(r, argv[1]);
    } else if (strcmp(cmd, "info") == 0) {
        do_info(r);
    } else if (strcmp(cmd, "dmesg") == 0) {
        do_dmesg(r, argc > 1 && strcmp(argv[1], "clear") == 0);
    } else if (strcmp(cmd, "log") == 0) {
        do_log(r);
    } else {
        error(r, "unknown request '%s'", cmd);
    }
#undef NEED
    return -1;
}
