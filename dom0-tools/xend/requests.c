/*
 * The requests xm sends (docs/toolstack.md): decoded, done, and answered
 * with a status line and the output. Every refusal says what was wrong
 * and, where there is one, what to do instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "proto.h"
#include "xend.h"
#include "../common/cpuset.h"
#include "../common/readfile.h"
#include "../common/xalloc.h"
#include "../lib/libmica.h"

#define MAX_ARGS 16
#define MAX_DOMAINS 256
#define MAX_VCPUS_SHOWN 128

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

/* A domain named in a request: xend's record of it, mica's, or both. */
struct target {
    const char *arg;
    struct xdom *x;             /* NULL: xend has no record */
    bool running;               /* mica has it: info is valid */
    struct mica_domain_info info;
    const char *name;
};

static int resolve(struct sbuf *r, const char *dom, struct target *t)
{
    static struct mica_domain_info info[MAX_DOMAINS];
    char *end;
    long id = strtol(dom, &end, 10);
    bool numeric = *dom >= '0' && *dom <= '9' && !*end;

    memset(t, 0, sizeof(*t));
    t->arg = dom;
    t->x = xdom_find(dom);
    if (t->x) {
        t->name = t->x->name;
        t->running = t->x->domid >= 0 &&
                     mica_domain_info((domid_t)t->x->domid, &t->info) == 0;
        /* An unmanaged domain gone since the last tick is gone. */
        if (t->running || t->x->managed)
            return 0;
    } else {
        int n = mica_domain_list(info, MAX_DOMAINS);
        for (int i = 0; i < n && i < MAX_DOMAINS; i++) {
            if (strncmp(info[i].name, dom, MICA_NAME_MAX) == 0 ||
                (numeric && id == info[i].domid)) {
                t->info = info[i];
                t->running = true;
                t->name = dom;
                if (numeric) {
                    /* Point at a NUL-terminated copy of mica's name. */
                    static char name[MICA_NAME_MAX + 1];
                    memcpy(name, info[i].name, MICA_NAME_MAX);
                    name[MICA_NAME_MAX] = '\0';
                    t->name = name;
                }
                return 0;
            }
        }
    }
    error(r, "Domain '%s' does not exist.", dom);
    return -1;
}

static int need_running(struct sbuf *r, const struct target *t)
{
    if (t->running)
        return 0;
    error(r, "Domain '%s' is not running.", t->name);
    return -1;
}

static bool is_dom0(const struct target *t)
{
    return t->running && t->info.domid == 0;
}

/*
 * Checks a changed configuration the way it will be read back from its
 * file; on a problem the old one is restored and -1 returned with the
 * reader's message.
 */
static int keep_config(struct sbuf *r, struct xdom *x, struct domcfg *old)
{
    char *sxp = domcfg_to_sxp(&x->cfg);
    struct domcfg c;
    struct diag d;
    int rc;

    diag_init(&d);
    rc = domcfg_parse(sxp, strlen(sxp), "<config>", NULL, 0, &c, &d);
    if (rc < 0) {
        error(r, "%s: the change would make its configuration invalid: %s",
              x->name, diag_first_error(&d));
        domcfg_free(&x->cfg);
        x->cfg = *old;
    } else {
        domcfg_free(old);
        xdom_save(x);
    }
    domcfg_free(&c);
    diag_free(&d);
    free(sxp);
    return rc;
}

/* A copy of a configuration, to restore after a failed change. */
static struct domcfg copy_config(const struct domcfg *c)
{
    char *sxp = domcfg_to_sxp(c);
    struct domcfg out;
    struct diag d;

    diag_init(&d);
    domcfg_parse(sxp, strlen(sxp), "<config>", NULL, 0, &out, &d);
    diag_free(&d);
    free(sxp);
    return out;
}

/* Domains as `list` sends them: every one, or those named. */
static void do_list(struct sbuf *r, char **argv, int argc, bool long_form,
                    bool running_only, bool node_line)
{
    struct xstat s;
    struct sbuf body = SBUF_INIT;

    if (xstat_collect(&s) < 0) {
        error(r, "cannot list domains: %s", strerror(errno));
        return;
    }
    for (int a = 0; a < argc; a++) {
        if (!xstat_find(&s, argv[a])) {
            error(r, "Domain '%s' does not exist.", argv[a]);
            xstat_free(&s);
            return;
        }
    }
    if (node_line) {
        struct proto_node n = {
            .nr_cpus = s.pi.nr_cpus, .dom0_cpus = s.pi.dom0_cpus,
            .cpu_mhz = s.pi.cpu_khz / 1000,
            .total_kib = s.pi.total_pages * 4,
            .free_kib = s.pi.free_pages * 4,
        };
        memcpy(n.version, s.pi.mica_version, sizeof(s.pi.mica_version));
        proto_put_node(&body, &n);
    }
    for (size_t k = 0; k < s.n; k++) {
        const struct xstat_dom *o = &s.doms[k];
        bool want = argc == 0;

        for (int a = 0; a < argc; a++)
            if (xstat_find(&s, argv[a]) == o)
                want = true;
        if (!want || (running_only && o->d.domid < 0))
            continue;
        proto_put_dom(&body, &o->d);
        /* list-long: one more line, the configuration (empty without). */
        if (long_form)
            sbuf_printf(&body, "%s\n", o->config ? o->config : "");
    }
    ok(r);
    sbuf_put(r, sbuf_str(&body), body.len);
    sbuf_free(&body);
    xstat_free(&s);
}

static void do_simple(struct sbuf *r, const char *cmd, const char *dom,
                      const char *arg)
{
    struct target t;
    int rc;

    if (resolve(r, dom, &t) < 0 || need_running(r, &t) < 0)
        return;
    if (is_dom0(&t)) {
        error(r, "Cannot %s privileged domain 0", cmd);
        return;
    }
    if (strcmp(cmd, "destroy") == 0) {
        rc = mica_domain_destroy(t.info.domid);
    } else if (strcmp(cmd, "pause") == 0) {
        rc = mica_domain_pause(t.info.domid);
    } else if (strcmp(cmd, "unpause") == 0) {
        rc = mica_domain_unpause(t.info.domid);
    } else {
        unsigned reason = arg && strcmp(arg, "reboot") == 0 ?
                          SHUTDOWN_reboot : SHUTDOWN_poweroff;
        rc = mica_domain_shutdown(t.info.domid, reason);
    }
    if (rc < 0) {
        error(r, "%s %s: %s", cmd, dom, strerror(errno));
        return;
    }
    xlog(XEND_LOG_INFO, "%s domain %u%s%s", cmd, t.info.domid,
         arg ? " " : "", arg ? arg : "");
    if (strcmp(cmd, "destroy") == 0 && t.x) {
        if (t.x->managed)
            xdom_halted(t.x);
        else
            xdom_forget(t.x, true);
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
    ROW("xend-http-server", "%s", c->http_server ? "yes" : "no");
    if (c->http_server)
        ROW("xend-address:port", "%s:%u", c->address[0] ? c->address : "*",
            c->port);
    ROW("console-limit", "%u", c->console_limit_kib);
    ROW("dom0-min-mem", "%llu", (unsigned long long)c->dom0_min_mem_mib);
    ROW("dom0-cpus", "%u", c->dom0_cpus);
    ROW("enable-dump", "%s", c->enable_dump ? "yes" : "no");
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
    sbuf_put(r, sbuf_str(&body), body.len);
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

/* console-input DOM, with the bytes typed at xm console as the payload:
 * into the domain's console ring (mica's console_write). The body is how
 * many the ring took; fewer than sent when it is full, and xm offers the
 * rest again. */
static void do_console_input(struct sbuf *r, const char *dom, const char *in,
                             size_t n)
{
    struct target t;
    ssize_t took = 0;

    if (resolve(r, dom, &t) < 0 || need_running(r, &t) < 0)
        return;
    if (is_dom0(&t)) {
        error(r, "Domain-0's console is not one xend serves");
        return;
    }
    if (n)
        took = mica_console_write((domid_t)t.info.domid, in, n);
    if (took < 0) {
        if (errno == ENODEV)
            error(r, "Domain '%s' has no console ring (it is not a Xen "
                  "guest): it takes no input", t.name);
        else if (errno == ENOSYS)
            error(r, "mica does not take console input yet (its "
                  "console_write operation answers ENOSYS)");
        else
            error(r, "cannot pass input to the console of '%s': %s",
                  t.name, strerror(errno));
        return;
    }
    ok(r);
    sbuf_printf(r, "%zd\n", took);
}

/* The console: what xend kept, then (the caller) what comes. */
static int do_console(struct sbuf *r, const char *dom)
{
    struct target t;

    if (resolve(r, dom, &t) < 0)
        return -1;
    if (!t.x) {
        error(r, "Domain '%s' is not managed by xend", dom);
        return -1;
    }
    if (!t.running) {
        error(r, "Domain '%s' is not started", t.name);
        return -1;
    }
    ok(r);
    sbuf_put(r, t.x->con ? t.x->con : "", t.x->conlen);
    return t.x->domid;
}

/* What mica says when an operation is missing, in words. */
static bool missing(struct sbuf *r, const char *what, const char *op)
{
    if (errno != ENOSYS)
        return false;
    error(r, "mica does not %s yet (its %s operation answers ENOSYS)", what,
          op);
    return true;
}

/* "-" or a number in [0, max]; MICA_SCHED_KEEP for "-". */
static int sched_arg(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v;

    if (strcmp(s, "-") == 0) {
        *out = MICA_SCHED_KEEP;
        return 0;
    }
    v = strtoul(s, &end, 10);
    if (!*s || *end || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static void sched_line(struct sbuf *body, int domid, long weight, long cap,
                       const char *name)
{
    struct proto_sched p = { .domid = domid, .weight = weight, .cap = cap };

    snprintf(p.name, sizeof(p.name), "%s", name);
    proto_put_sched(body, &p);
}

/* sched-credit [DOM [WEIGHT|- CAP|-]]: reads or sets the weight and cap. */
static void do_sched_credit(struct sbuf *r, char **argv, int argc)
{
    struct sbuf body = SBUF_INIT;
    struct target t;
    long v;

    if (argc == 0) {
        struct xstat s;
        if (xstat_collect(&s) < 0) {
            error(r, "cannot list domains: %s", strerror(errno));
            return;
        }
        for (size_t k = 0; k < s.n; k++) {
            const struct xstat_dom *o = &s.doms[k];
            struct xdom *x = xdom_find(o->d.name);
            long w = -1, c = -1;
            if (o->d.domid < 0 && x) {
                w = x->cfg.cpu_weight;
                c = x->cfg.cpu_cap;
            } else if ((v = mica_sched_credit((domid_t)o->d.domid,
                                              MICA_SCHED_KEEP,
                                              MICA_SCHED_KEEP)) >= 0) {
                w = MICA_SCHED_WEIGHT(v);
                c = MICA_SCHED_CAP(v);
            } else if (missing(r, "give the credit scheduler's weight and "
                               "cap", "sched_credit")) {
                xstat_free(&s);
                sbuf_free(&body);
                return;
            }
            sched_line(&body, o->d.domid, w, c, o->d.name);
        }
        xstat_free(&s);
        ok(r);
        sbuf_put(r, sbuf_str(&body), body.len);
        sbuf_free(&body);
        return;
    }
    if (resolve(r, argv[0], &t) < 0)
        return;
    unsigned weight = MICA_SCHED_KEEP, cap = MICA_SCHED_KEEP;
    if (argc >= 3 && (sched_arg(argv[1], 65535, &weight) < 0 ||
                      sched_arg(argv[2], 100 * DOMCFG_MAX_VCPUS, &cap) < 0 ||
                      weight == 0)) {
        error(r, "sched-credit: bad weight '%s' or cap '%s'", argv[1],
              argv[2]);
        return;
    }
    bool set = weight != MICA_SCHED_KEEP || cap != MICA_SCHED_KEEP;
    long w, c;
    if (t.running) {
        v = mica_sched_credit(t.info.domid, weight, cap);
        if (v < 0) {
            if (missing(r, set ? "set the credit scheduler's weight and cap"
                               : "give the credit scheduler's weight and cap",
                        "sched_credit"))
                return;
            if (errno == EINVAL)
                error(r, "mica refused weight %s and cap %s for '%s': the "
                      "weight must be 1..65535 and the cap 0..%u (100 per "
                      "vCPU, 0 for none)", argv[1], argv[2], t.name,
                      100 * t.info.nr_vcpus);
            else if (errno == EPERM && is_dom0(&t))
                error(r, "mica does not let dom0's scheduler parameters be "
                      "%s", set ? "changed" : "read");
            else
                error(r, "sched-credit %s: %s", t.name, strerror(errno));
            return;
        }
        w = MICA_SCHED_WEIGHT(v);
        c = MICA_SCHED_CAP(v);
    } else {
        w = weight != MICA_SCHED_KEEP ? weight : t.x->cfg.cpu_weight;
        c = cap != MICA_SCHED_KEEP ? cap : t.x->cfg.cpu_cap;
    }
    /* What is set is also what a restart gets. */
    if (set && t.x && t.x->has_cfg) {
        struct domcfg old = copy_config(&t.x->cfg);
        t.x->cfg.cpu_weight = (unsigned)w;
        t.x->cfg.cpu_cap = (unsigned)c;
        if (keep_config(r, t.x, &old) < 0)
            return;
    }
    if (set)
        xlog(XEND_LOG_INFO, "sched-credit %s: weight %ld, cap %ld", t.name,
             w, c);
    ok(r);
    if (!set)
        sched_line(r, t.running ? (int)t.info.domid : -1, w, c, t.name);
}

/* The name to show for a domain mica lists. */
static void name_of(const struct mica_domain_info *i, char *buf, size_t len)
{
    struct xdom *x = xdom_by_domid(i->domid);

    if (x) {
        snprintf(buf, len, "%s", x->name);
    } else {
        size_t n = strnlen(i->name, MICA_NAME_MAX);
        snprintf(buf, len, "%.*s", (int)n, i->name);
    }
}

/* The CPUs a configuration gives vCPU i (every CPU when it pins none). */
static uint64_t config_affinity(const struct domcfg *c, unsigned i)
{
    const char *list = NULL;
    struct cpuset cs;
    char why[128];
    uint64_t mask = 0;

    if (c->cpus_per_vcpu && i < c->ncpus)
        list = c->cpus[i];
    else if (!c->cpus_per_vcpu && c->ncpus == 1)
        list = c->cpus[0];
    if (!list || cpuset_parse(list, &cs, why, sizeof(why)) < 0)
        return ~UINT64_C(0);
    for (unsigned k = 0; k < 64; k++)
        if (cpuset_has(&cs, k))
            mask |= UINT64_C(1) << k;
    return mask;
}

static void do_vcpu_list(struct sbuf *r, char **argv, int argc)
{
    static struct mica_domain_info info[MAX_DOMAINS];
    static struct mica_vcpu_info v[MAX_VCPUS_SHOWN];
    struct mica_physinfo pi;
    struct sbuf body = SBUF_INIT;
    struct proto_node node = { 0 };
    int n = mica_domain_list(info, MAX_DOMAINS);

    if (n < 0 || mica_physinfo(&pi) < 0) {
        error(r, "cannot list domains: %s", strerror(errno));
        return;
    }
    if (n > MAX_DOMAINS)
        n = MAX_DOMAINS;
    node.nr_cpus = pi.nr_cpus;
    node.dom0_cpus = pi.dom0_cpus;
    node.cpu_mhz = pi.cpu_khz / 1000;
    node.total_kib = pi.total_pages * 4;
    node.free_kib = pi.free_pages * 4;
    memcpy(node.version, pi.mica_version, sizeof(pi.mica_version));
    proto_put_node(&body, &node);
    for (int a = 0; a < argc; a++) {
        struct target t;
        if (resolve(r, argv[a], &t) < 0) {
            sbuf_free(&body);
            return;
        }
    }
    for (int k = 0; k < n; k++) {
        char name[PROTO_NAME_MAX];
        bool want = argc == 0;

        name_of(&info[k], name, sizeof(name));
        for (int a = 0; a < argc; a++) {
            char *end;
            long id = strtol(argv[a], &end, 10);
            if (strcmp(argv[a], name) == 0 ||
                (argv[a][0] >= '0' && argv[a][0] <= '9' && !*end &&
                 id == info[k].domid))
                want = true;
        }
        if (!want)
            continue;
        int nv = mica_vcpu_info(info[k].domid, v, MAX_VCPUS_SHOWN);
        if (nv < 0) {
            if (!missing(r, "report vCPUs", "vcpu_info"))
                error(r, "cannot read the vCPUs of %s: %s", name,
                      strerror(errno));
            sbuf_free(&body);
            return;
        }
        for (int i = 0; i < nv && i < MAX_VCPUS_SHOWN; i++) {
            struct proto_vcpu p = {
                .domid = info[k].domid, .vcpu = v[i].vcpu, .cpu = v[i].cpu,
                .flags = v[i].flags, .cpu_ns = v[i].cpu_time_ns,
                .affinity = v[i].affinity,
            };
            snprintf(p.name, sizeof(p.name), "%s", name);
            proto_put_vcpu(&body, &p);
        }
    }
    /* Then the managed domains that are not running: the vCPUs they
     * start with, down, with the affinity their configuration gives. */
    for (struct xdom *x = xend_domains; x; x = x->next) {
        bool want = argc == 0;

        if (x->domid >= 0 || !x->managed)
            continue;
        for (int a = 0; a < argc; a++)
            want |= strcmp(argv[a], x->name) == 0;
        for (unsigned i = 0; want && i < x->cfg.vcpus; i++) {
            struct proto_vcpu p = { .domid = -1, .vcpu = i,
                                    .affinity = config_affinity(&x->cfg, i) };
            snprintf(p.name, sizeof(p.name), "%s", x->name);
            proto_put_vcpu(&body, &p);
        }
    }
    ok(r);
    sbuf_put(r, sbuf_str(&body), body.len);
    sbuf_free(&body);
}

/* "0-3" for CPUs [from, to), "none" when empty. */
static void cpu_range(char *buf, size_t len, unsigned from, unsigned to)
{
    if (to <= from)
        snprintf(buf, len, "none");
    else if (to - from == 1)
        snprintf(buf, len, "%u", from);
    else
        snprintf(buf, len, "%u-%u", from, to - 1);
}

/*
 * vcpu-pin on a managed domain that is not running: the pinning goes into
 * its configuration's cpus, for when it starts (build() applies it), and
 * vcpu-list shows it meanwhile. As for a running domain, CPUs the host
 * does not have are left out, and a list of dom0's CPUs only, where mica
 * runs no guest vCPU, is refused.
 */
static void pin_stopped(struct sbuf *r, struct target *t, const char *vcpu,
                        const char *cpus, uint64_t mask,
                        const struct mica_physinfo *pi)
{
    uint64_t host = pi->nr_cpus >= 64 ? ~UINT64_C(0)
                                      : (UINT64_C(1) << pi->nr_cpus) - 1;
    uint64_t dom0 = pi->dom0_cpus >= 64 ? ~UINT64_C(0)
                                        : (UINT64_C(1) << pi->dom0_cpus) - 1;
    struct sbuf list = SBUF_INIT;
    struct domcfg old;
    struct cpuset cs;
    int which = -1;
    char hosts[32], dom0s[32];

    cpu_range(hosts, sizeof(hosts), 0, pi->nr_cpus);
    cpu_range(dom0s, sizeof(dom0s), 0, pi->dom0_cpus);
    if (!(mask & ~dom0)) {
        error(r, "Cannot pin vCPU %s of '%s' to CPUs %s: none of them runs "
              "guests (dom0's CPUs are %s, this host's %s)", vcpu, t->name,
              cpus, dom0s, hosts);
        return;
    }
    if (strcmp(vcpu, "all") != 0) {
        char *end;
        unsigned long k = strtoul(vcpu, &end, 10);
        /* vCPUs vcpu-set may add later are pinned from the start too. */
        unsigned n = t->x->cfg.maxvcpus;

        if (!*vcpu || *end || k >= n) {
            error(r, "Domain '%s' has no vCPU %s (it may have %u: 0..%u, "
                  "maxvcpus)", t->name, vcpu, n, n - 1);
            return;
        }
        which = (int)k;
    }
    /* Every CPU of the host is no pinning; otherwise the host's CPUs of
     * the list, normalised. */
    if ((mask & host) == host) {
        sbuf_puts(&list, "all");
    } else {
        cpuset_clear(&cs);
        for (unsigned i = 0; i < 64; i++)
            if (mask >> i & 1)
                cpuset_add(&cs, i);
        cpuset_format(&cs, &list);
    }
    old = copy_config(&t->x->cfg);
    domcfg_set_affinity(&t->x->cfg, which, sbuf_str(&list));
    if (keep_config(r, t->x, &old) == 0) {
        xlog(XEND_LOG_INFO, "pinned vCPU %s of %s to CPUs %s when it starts",
             vcpu, t->name, sbuf_str(&list));
        ok(r);
    }
    sbuf_free(&list);
}

static void do_vcpu_pin(struct sbuf *r, const char *dom, const char *vcpu,
                        const char *cpus)
{
    struct mica_physinfo pi;
    struct cpuset cs;
    struct target t;
    char why[128], host[32], dom0[32];
    uint64_t mask = 0;
    unsigned first, last;

    if (resolve(r, dom, &t) < 0)
        return;
    if (is_dom0(&t)) {
        error(r, "Cannot pin dom0's vCPUs: mica keeps them on dom0's own "
              "CPUs");
        return;
    }
    if (cpuset_parse(cpus, &cs, why, sizeof(why)) < 0) {
        error(r, "invalid CPU list '%s': %s", cpus, why);
        return;
    }
    if (mica_physinfo(&pi) < 0) {
        error(r, "cannot read host information: %s", strerror(errno));
        return;
    }
    for (unsigned i = 0; i < pi.nr_cpus && i < 64; i++)
        if (cpuset_has(&cs, i))
            mask |= UINT64_C(1) << i;
    cpu_range(host, sizeof(host), 0, pi.nr_cpus);
    cpu_range(dom0, sizeof(dom0), 0, pi.dom0_cpus);
    if (!mask) {
        error(r, "CPU list '%s' names no CPU of this host, which has CPUs %s",
              cpus, host);
        return;
    }
    if (!t.running) {
        pin_stopped(r, &t, vcpu, cpus, mask, &pi);
        return;
    }
    if (strcmp(vcpu, "all") == 0) {
        first = 0;
        last = t.info.nr_vcpus;
    } else {
        char *end;
        unsigned long k = strtoul(vcpu, &end, 10);
        if (!*vcpu || *end || k >= t.info.nr_vcpus) {
            error(r, "Domain '%s' has no vCPU %s (it has %u: 0..%u)", t.name,
                  vcpu, t.info.nr_vcpus, t.info.nr_vcpus - 1);
            return;
        }
        first = (unsigned)k;
        last = first + 1;
    }
    for (unsigned k = first; k < last; k++) {
        if (mica_vcpu_pin(t.info.domid, k, mask) == 0)
            continue;
        if (missing(r, "pin vCPUs", "vcpu_pin"))
            return;
        if (errno == EINVAL)
            error(r, "Cannot pin vCPU %u of '%s' to CPUs %s: none of them "
                  "runs guests (dom0's CPUs are %s, this host's %s)", k,
                  t.name, cpus, dom0, host);
        else
            error(r, "Cannot pin vCPU %u of '%s' to CPUs %s: %s", k, t.name,
                  cpus, strerror(errno));
        return;
    }
    xlog(XEND_LOG_INFO, "pinned vCPU %s of %s to CPUs %s", vcpu, t.name,
         cpus);
    ok(r);
}

static void do_rename(struct sbuf *r, const char *dom, const char *name)
{
    struct target t;
    char why[160];

    if (domcfg_check_name(name, why, sizeof(why)) < 0) {
        error(r, "invalid name: %s", why);
        return;
    }
    if (strlen(name) >= MICA_NAME_MAX) {
        error(r, "invalid name: '%s' is longer than %d characters", name,
              MICA_NAME_MAX - 1);
        return;
    }
    if (resolve(r, dom, &t) < 0)
        return;
    if (is_dom0(&t)) {
        error(r, "Cannot rename privileged domain 0");
        return;
    }
    if (strcmp(t.name, name) == 0) {
        ok(r);
        return;
    }
    if (xdom_name_in_use(name, t.x)) {
        error(r, "Domain '%s' already exists", name);
        return;
    }
    char old[PROTO_NAME_MAX];
    snprintf(old, sizeof(old), "%s", t.name);
    if (t.running) {
        char buf[MICA_NAME_MAX] = { 0 };
        memcpy(buf, name, strlen(name));
        if (mica_domain_rename(t.info.domid, buf) < 0) {
            if (missing(r, "rename domains", "domain_rename"))
                return;
            if (errno == EEXIST)
                error(r, "Domain '%s' already exists", name);
            else
                error(r, "mica refused to rename '%s' to '%s': %s", old,
                      name, strerror(errno));
            return;
        }
    }
    if (t.x && xdom_rename(t.x, name, why, sizeof(why)) < 0) {
        error(r, "%s", why);
        return;
    }
    xlog(XEND_LOG_INFO, "renamed domain %s to %s", old, name);
    ok(r);
}

static int mem_arg(struct sbuf *r, const char *s, uint64_t *mib)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);

    if (!*s || *end || v == 0 || v > DOMCFG_MAX_MEMORY_MIB) {
        error(r, "invalid memory size '%s' MiB", s);
        return -1;
    }
    *mib = v;
    return 0;
}

/* What mem-max and mem-set both start with: the size and the domain,
 * which may not be dom0; -1 once the reply says why not. */
static int mem_request(struct sbuf *r, const char *dom, const char *arg,
                       struct target *t, uint64_t *mib)
{
    if (mem_arg(r, arg, mib) < 0 || resolve(r, dom, t) < 0)
        return -1;
    if (is_dom0(t)) {
        error(r, "mica does not change dom0's memory: dom0 keeps what it "
              "booted with (dom0_mem=)");
        return -1;
    }
    return 0;
}

/* mem-max: the most memory the domain may have, in mica and in its
 * configuration. */
static void do_mem_max(struct sbuf *r, const char *dom, const char *arg)
{
    struct target t;
    uint64_t mib;

    if (mem_request(r, dom, arg, &t, &mib) < 0)
        return;
    if (t.x && t.x->has_cfg && mib < t.x->cfg.memory_mib) {
        error(r, "%llu MiB is below the memory target of '%s' (%llu MiB): "
              "lower that first with xm mem-set", (unsigned long long)mib,
              t.name, (unsigned long long)t.x->cfg.memory_mib);
        return;
    }
    if (t.running && mica_domain_set_memory(t.info.domid, mib << 10) < 0) {
        if (missing(r, "change a domain's maximum memory",
                    "domain_set_memory"))
            return;
        if (errno == EINVAL)
            error(r, "Cannot set the maximum of '%s' to %llu MiB: it holds "
                  "%llu KiB now, and mica cannot take memory back", t.name,
                  (unsigned long long)mib,
                  (unsigned long long)(t.info.tot_pages * 4));
        else
            error(r, "mem-max %s: %s", t.name, strerror(errno));
        return;
    }
    if (t.x && t.x->has_cfg) {
        struct domcfg old = copy_config(&t.x->cfg);
        t.x->cfg.maxmem_mib = mib;
        if (keep_config(r, t.x, &old) < 0)
            return;
    }
    xlog(XEND_LOG_INFO, "mem-max %s: %llu MiB", t.name,
         (unsigned long long)mib);
    ok(r);
}

/* mem-set: the memory target. Xen wrote it to xenstore for the guest's
 * balloon driver; mica has no xenstore, so xend keeps it, shows it in
 * xm list, and builds the domain with it when it starts again. */
static void do_mem_set(struct sbuf *r, const char *dom, const char *arg)
{
    struct target t;
    uint64_t mib;

    if (mem_request(r, dom, arg, &t, &mib) < 0)
        return;
    if (!t.x || !t.x->has_cfg) {
        error(r, "Domain '%s' is not managed by xend: it has no memory "
              "target to set", t.name);
        return;
    }
    if (mib > t.x->cfg.maxmem_mib) {
        error(r, "%llu MiB is above the maximum of '%s' (%llu MiB): raise "
              "that first with xm mem-max", (unsigned long long)mib, t.name,
              (unsigned long long)t.x->cfg.maxmem_mib);
        return;
    }
    struct domcfg old = copy_config(&t.x->cfg);
    t.x->cfg.memory_mib = mib;
    if (keep_config(r, t.x, &old) < 0)
        return;
    xlog(XEND_LOG_INFO, "mem-set %s: target %llu MiB", t.name,
         (unsigned long long)mib);
    ok(r);
    if (!t.running)
        return;
    uint64_t has = t.info.tot_pages * 4;
    if (has > mib << 10)
        sbuf_printf(r, "Note: '%s' holds %llu KiB until its balloon driver "
                    "gives memory back (mica has no xenstore to ask it yet) "
                    "or it is restarted; its target is %llu MiB.\n", t.name,
                    (unsigned long long)has, (unsigned long long)mib);
    else if (has < mib << 10)
        sbuf_printf(r, "Note: '%s' holds %llu KiB: mica cannot add memory "
                    "to a running domain yet, so it gets its target of %llu "
                    "MiB when it is restarted.\n", t.name,
                    (unsigned long long)has, (unsigned long long)mib);
}

/* vcpu-set: how many vCPUs should be online. A stopped managed domain
 * gets that many; a running one keeps the vCPUs it was built with, and
 * the number is recorded, since mica has no xenstore to tell the guest. */
/*
 * vcpu-set above the vCPUs a running domain has: up to its configuration's
 * maxvcpus (what it has, without one), mica adds vCPUs that are down
 * (domain_set_vcpus), pinned as the configuration's per-vCPU cpus say, for
 * the guest to bring up with VCPUOP_up.
 */
static void grow_vcpus(struct sbuf *r, struct target *t, unsigned n)
{
    const struct domcfg *c = t->x && t->x->has_cfg ? &t->x->cfg : NULL;
    unsigned max = c && c->maxvcpus > t->info.nr_vcpus ? c->maxvcpus
                                                       : t->info.nr_vcpus;
    unsigned had = t->info.nr_vcpus;

    if (n > max) {
        error(r, "Cannot set vcpus greater than max vcpus on running "
              "domain: '%s' may have %u vCPU%s (maxvcpus)", t->name, max,
              max == 1 ? "" : "s");
        return;
    }
    if (mica_domain_set_vcpus((domid_t)t->info.domid, n) < 0) {
        if (errno == ENOSYS)
            error(r, "Cannot set vcpus greater than max vcpus on running "
                  "domain: '%s' was built with %u vCPU%s, and mica does not "
                  "add vCPUs yet (its domain_set_vcpus operation answers "
                  "ENOSYS)", t->name, had, had == 1 ? "" : "s");
        else
            error(r, "mica refused %u vCPUs for '%s': %s", n, t->name,
                  strerror(errno));
        return;
    }
    for (unsigned v = had; c && c->cpus_per_vcpu && v < n && v < c->ncpus;
         v++) {
        uint64_t m = config_affinity(c, v);
        if (m != ~UINT64_C(0) &&
            mica_vcpu_pin((domid_t)t->info.domid, v, m) < 0)
            xlog(XEND_LOG_WARNING, "%s: vCPU %u not pinned to %s: %s",
                 t->name, v, c->cpus[v], strerror(errno));
    }
    if (t->x) {
        t->x->vcpus_target = n;
        xdom_save(t->x);
    }
    xlog(XEND_LOG_INFO, "vcpu-set %s: %u vCPUs (%u added, down)", t->name, n,
         n - had);
    ok(r);
    sbuf_printf(r, "Note: '%s' now has %u vCPUs; the new one%s down "
                "until the guest brings %s up (VCPUOP_up).\n", t->name, n,
                n - had == 1 ? " is" : "s are", n - had == 1 ? "it" : "them");
}

static void do_vcpu_set(struct sbuf *r, const char *dom, const char *arg)
{
    struct target t;
    char *end;
    unsigned long n = strtoul(arg, &end, 10);

    if (!*arg || *end || n < 1 || n > DOMCFG_MAX_VCPUS) {
        error(r, "invalid number of vCPUs '%s': expected 1..%d", arg,
              DOMCFG_MAX_VCPUS);
        return;
    }
    if (resolve(r, dom, &t) < 0)
        return;
    if (is_dom0(&t)) {
        error(r, "mica does not change dom0's vCPUs");
        return;
    }
    if (!t.running) {
        struct domcfg old = copy_config(&t.x->cfg);
        t.x->cfg.vcpus = (unsigned)n;
        if (t.x->cfg.maxvcpus < n)
            t.x->cfg.maxvcpus = (unsigned)n;
        if (keep_config(r, t.x, &old) < 0)
            return;
        xlog(XEND_LOG_INFO, "vcpu-set %s: %lu vCPUs when it starts", t.name,
             n);
        ok(r);
        return;
    }
    if (n > t.info.nr_vcpus) {
        grow_vcpus(r, &t, (unsigned)n);
        return;
    }
    if (!t.x) {
        error(r, "Domain '%s' is not managed by xend: it has no vCPU target "
              "to set", t.name);
        return;
    }
    t.x->vcpus_target = (unsigned)n;
    xdom_save(t.x);
    xlog(XEND_LOG_INFO, "vcpu-set %s: target %lu vCPUs online", t.name, n);
    ok(r);
    sbuf_printf(r, "Note: xend records %lu vCPU%s online for '%s'; the "
                "guest is not told (mica has no xenstore yet), so it keeps "
                "the vCPUs it brought up.\n", n, n == 1 ? "" : "s", t.name);
}

/* start NAME (paused|running) [console] */
static int do_start(struct sbuf *r, char **argv, int argc)
{
    struct xdom *x = xdom_find(argv[0]);
    char why[512];
    int domid;

    if (!x) {
        error(r, "Domain '%s' does not exist.", argv[0]);
        return -1;
    }
    if (!x->managed) {
        error(r, "Domain '%s' is not managed by xend: xm start starts "
              "domains added with xm new", x->name);
        return -1;
    }
    if (x->domid >= 0) {
        error(r, "Domain '%s' is already running", x->name);
        return -1;
    }
    domid = xdom_start(x, argc > 1 && strcmp(argv[1], "paused") == 0, why,
                       sizeof(why));
    if (domid < 0) {
        error(r, "%s", why);
        return -1;
    }
    ok(r);
    sbuf_printf(r, "%d\n", domid);
    return argc > 2 && strcmp(argv[2], "console") == 0 ? domid : -1;
}

static void do_delete(struct sbuf *r, const char *name)
{
    struct xdom *x = xdom_find(name);

    if (!x) {
        error(r, "Domain '%s' does not exist.", name);
    } else if (!x->managed) {
        error(r, "Domain '%s' is not managed by xend: xm delete removes "
              "domains added with xm new", x->name);
    } else if (x->domid >= 0) {
        error(r, "Domain '%s' is running: shut it down or destroy it first",
              x->name);
    } else {
        xlog(XEND_LOG_INFO, "deleted managed domain %s", x->name);
        xdom_forget(x, true);
        ok(r);
    }
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
    } else if (strcmp(cmd, "new") == 0) {
        char why[512];
        if (xdom_new(payload, plen, why, sizeof(why)) < 0)
            error(r, "%s", why);
        else
            ok(r);
    } else if (strcmp(cmd, "start") == 0) {
        NEED(1);
        return do_start(r, argv + 1, argc - 1);
    } else if (strcmp(cmd, "delete") == 0) {
        NEED(1);
        do_delete(r, argv[1]);
    } else if (strcmp(cmd, "list") == 0) {
        do_list(r, argv + 1, argc - 1, false, false, false);
    } else if (strcmp(cmd, "list-long") == 0) {
        do_list(r, argv + 1, argc - 1, true, false, false);
    } else if (strcmp(cmd, "top") == 0) {
        do_list(r, NULL, 0, false, true, true);
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
    } else if (strcmp(cmd, "console-input") == 0) {
        NEED(1);
        do_console_input(r, argv[1], payload, plen);
    } else if (strcmp(cmd, "info") == 0) {
        do_info(r);
    } else if (strcmp(cmd, "dmesg") == 0) {
        do_dmesg(r, argc > 1 && strcmp(argv[1], "clear") == 0);
    } else if (strcmp(cmd, "log") == 0) {
        do_log(r);
    } else if (strcmp(cmd, "sched-credit") == 0) {
        if (argc != 1 && argc != 2 && argc != 4) {
            error(r, "'sched-credit' takes DOM, or DOM WEIGHT CAP");
            return -1;
        }
        do_sched_credit(r, argv + 1, argc - 1);
    } else if (strcmp(cmd, "vcpu-list") == 0) {
        do_vcpu_list(r, argv + 1, argc - 1);
    } else if (strcmp(cmd, "vcpu-pin") == 0) {
        NEED(3);
        do_vcpu_pin(r, argv[1], argv[2], argv[3]);
    } else if (strcmp(cmd, "rename") == 0) {
        NEED(2);
        do_rename(r, argv[1], argv[2]);
    } else if (strcmp(cmd, "mem-max") == 0) {
        NEED(2);
        do_mem_max(r, argv[1], argv[2]);
    } else if (strcmp(cmd, "mem-set") == 0) {
        NEED(2);
        do_mem_set(r, argv[1], argv[2]);
    } else if (strcmp(cmd, "vcpu-set") == 0) {
        NEED(2);
        do_vcpu_set(r, argv[1], argv[2]);
    } else {
        error(r, "unknown request '%s'", cmd);
    }
#undef NEED
    return -1;
}
