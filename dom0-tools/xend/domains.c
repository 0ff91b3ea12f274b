/*
 * The domains xend knows: creating them with the builder, keeping their
 * consoles, acting on their stops (on_poweroff, on_reboot, on_crash),
 * the managed ones of xm new, and finding them all again when xend
 * restarts. Each has a directory XEND_DOMAINS_DIR/<name> with
 *
 *   config.sxp   its configuration, normalised (memory is the target of
 *                xm mem-set, maxmem that of xm mem-max)
 *   xend.sxp     what else xend keeps: (xend (managed yes) (vcpus_target 2))
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "dump.h"
#include "proto.h"
#include "xend.h"
#include "../common/cpuset.h"
#include "../common/readfile.h"
#include "../common/xalloc.h"
#include "../lib/libmica.h"
#include "../sxp/sxp.h"

#define MAX_DOMAINS 256

struct xdom *xend_domains;

struct xdom *xdom_by_domid(int domid)
{
    if (domid < 0)
        return NULL;
    for (struct xdom *x = xend_domains; x; x = x->next)
        if (x->domid == domid)
            return x;
    return NULL;
}

struct xdom *xdom_find(const char *s)
{
    char *end;
    long id = strtol(s, &end, 10);

    for (struct xdom *x = xend_domains; x; x = x->next)
        if (strcmp(x->name, s) == 0)
            return x;
    if (*s >= '0' && *s <= '9' && !*end && id <= 0xffff)
        return xdom_by_domid((int)id);
    return NULL;
}

static void dom_dir(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", XEND_DOMAINS_DIR, name);
}

static void dom_file(const char *name, const char *file, char *buf,
                     size_t len)
{
    snprintf(buf, len, "%s/%s/%s", XEND_DOMAINS_DIR, name, file);
}

static void mkdirs(const char *path)
{
    char tmp[256];

    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0700);
            *p = '/';
        }
    }
    mkdir(tmp, 0700);
}

/* Writes path through a temporary file, so that a crash leaves the old
 * version or the new one. */
static int write_file(const char *path, const char *text)
{
    char tmp[300];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.new", path);
    f = fopen(tmp, "w");
    if (!f)
        return -1;
    if (fputs(text, f) < 0) {
        fclose(f);
        unlink(tmp);
        return -1;
    }
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

void xdom_save(const struct xdom *x)
{
    char path[300];
    struct sbuf cfg = SBUF_INIT, st = SBUF_INIT;
    char *sxp;

    if (!x->has_cfg)
        return;
    dom_dir(x->name, path, sizeof(path));
    mkdirs(path);
    sxp = domcfg_to_sxp(&x->cfg);
    sbuf_printf(&cfg, "%s\n", sxp);
    free(sxp);
    sbuf_printf(&st, "(xend (managed %s)", x->managed ? "yes" : "no");
    if (x->vcpus_target)
        sbuf_printf(&st, " (vcpus_target %u)", x->vcpus_target);
    sbuf_puts(&st, ")\n");
    dom_file(x->name, "config.sxp", path, sizeof(path));
    if (write_file(path, sbuf_str(&cfg)) < 0)
        xlog(XEND_LOG_WARNING, "cannot save %s: %s", path, strerror(errno));
    dom_file(x->name, "xend.sxp", path, sizeof(path));
    if (write_file(path, sbuf_str(&st)) < 0)
        xlog(XEND_LOG_WARNING, "cannot save %s: %s", path, strerror(errno));
    sbuf_free(&cfg);
    sbuf_free(&st);
}

static void remove_files(const char *name)
{
    char path[300];

    dom_file(name, "config.sxp", path, sizeof(path));
    unlink(path);
    dom_file(name, "xend.sxp", path, sizeof(path));
    unlink(path);
    dom_dir(name, path, sizeof(path));
    rmdir(path);
}

static struct xdom *xdom_add(int domid, const char *name)
{
    struct xdom *x = xcalloc(1, sizeof(*x));
    struct xdom **pp = &xend_domains;

    x->domid = domid;
    x->name = xstrdup(name);
    domcfg_init(&x->cfg);
    /* At the end: the list keeps the order domains came in. */
    while (*pp)
        pp = &(*pp)->next;
    *pp = x;
    return x;
}

void xdom_forget(struct xdom *x, bool remove)
{
    for (struct xdom **pp = &xend_domains; *pp; pp = &(*pp)->next) {
        if (*pp == x) {
            *pp = x->next;
            break;
        }
    }
    if (remove && x->has_cfg)
        remove_files(x->name);
    domcfg_free(&x->cfg);
    free(x->name);
    free(x->con);
    free(x);
}

void xdom_halted(struct xdom *x)
{
    xlog(XEND_LOG_INFO, "managed domain %s is not running now", x->name);
    x->domid = -1;
    x->handled = false;
    x->vcpus_target = 0;
    xdom_save(x);
}

int xdom_rename(struct xdom *x, const char *name, char *why, size_t whylen)
{
    char from[300], to[300];

    if (x->has_cfg) {
        dom_dir(x->name, from, sizeof(from));
        dom_dir(name, to, sizeof(to));
        if (access(from, F_OK) == 0 && rename(from, to) < 0) {
            snprintf(why, whylen, "cannot rename %s to %s: %s", from, to,
                     strerror(errno));
            return -1;
        }
        free(x->cfg.name);
        x->cfg.name = xstrdup(name);
    }
    free(x->name);
    x->name = xstrdup(name);
    xdom_save(x);
    return 0;
}

static uint64_t mask_of(const char *list)
{
    struct cpuset cs;
    char why[128];
    uint64_t mask = 0;

    if (cpuset_parse(list, &cs, why, sizeof(why)) < 0)
        return 0;
    for (unsigned i = 0; i < 64; i++)
        if (cpuset_has(&cs, i))
            mask |= UINT64_C(1) << i;
    return mask;
}

/* mica takes one mask for every vCPU at creation; per-vCPU lists are
 * applied with vcpu_pin after it. */
static uint64_t cpu_mask(const struct domcfg *c)
{
    return c->ncpus == 1 && !c->cpus_per_vcpu ? mask_of(c->cpus[0]) : 0;
}

/* What the configuration says beyond what creation takes: the maximum
 * memory, the scheduler's weight and cap, per-vCPU pinning. A mica that
 * cannot do one of them is logged, not fatal: the domain runs. */
static void apply_settings(int domid, const struct domcfg *c)
{
    if (c->maxmem_mib > c->memory_mib &&
        mica_domain_set_memory((domid_t)domid, c->maxmem_mib << 10) < 0)
        xlog(XEND_LOG_WARNING, "%s: maxmem %llu MiB not applied: %s",
             c->name, (unsigned long long)c->maxmem_mib, strerror(errno));
    if ((c->cpu_weight != DOMCFG_DEFAULT_WEIGHT || c->cpu_cap != 0) &&
        mica_sched_credit((domid_t)domid, c->cpu_weight, c->cpu_cap) < 0)
        xlog(XEND_LOG_WARNING, "%s: cpu_weight %u and cpu_cap %u not "
             "applied: %s", c->name, c->cpu_weight, c->cpu_cap,
             strerror(errno));
    for (size_t v = 0; c->cpus_per_vcpu && v < c->ncpus && v < c->vcpus;
         v++) {
        uint64_t m = mask_of(c->cpus[v]);
        if (m && mica_vcpu_pin((domid_t)domid, (unsigned)v, m) < 0)
            xlog(XEND_LOG_WARNING, "%s: vCPU %zu not pinned to %s: %s",
                 c->name, v, c->cpus[v], strerror(errno));
    }
}

static int build(const struct domcfg *c, bool paused, char *why,
                 size_t whylen)
{
    struct build_request r = {
        .name = c->name,
        .memory_kb = c->memory_mib << 10,
        .vcpus = c->vcpus,
        .cpu_mask = cpu_mask(c),
        .console_limit = xend_cfg.console_limit_kib << 10,
        .kernel = c->kernel,
        .ramdisk = c->ramdisk,
        .cmdline = c->cmdline,
        .paused = paused,
    };
    int domid;

    if (c->type != DOMCFG_PVH) {
        snprintf(why, whylen, "%s: only PVH guests can be built so far",
                 c->name);
        return -1;
    }
    if (!c->kernel) {
        snprintf(why, whylen, "%s: no kernel given", c->name);
        return -1;
    }
    domid = build_domain(&r, why, whylen);
    if (domid >= 0)
        apply_settings(domid, c);
    return domid;
}

bool xdom_name_in_use(const char *name, const struct xdom *except)
{
    struct mica_domain_info info[MAX_DOMAINS];
    int n = mica_domain_list(info, MAX_DOMAINS);

    for (struct xdom *x = xend_domains; x; x = x->next)
        if (x != except && strcmp(x->name, name) == 0)
            return true;
    for (int i = 0; i < n && i < MAX_DOMAINS; i++)
        if (strncmp(info[i].name, name, MICA_NAME_MAX) == 0 &&
            (!except || except->domid != info[i].domid))
            return true;
    return false;
}

/* Reads and checks a configuration sent by xm. */
static int parse_config(const char *sxp, size_t len, struct domcfg *c,
                        char *why, size_t whylen)
{
    struct diag d;

    diag_init(&d);
    if (domcfg_parse(sxp, len, "<request>", NULL, 0, c, &d) < 0) {
        snprintf(why, whylen, "bad configuration: %s", diag_first_error(&d));
        diag_free(&d);
        domcfg_free(c);
        return -1;
    }
    diag_free(&d);
    if (strlen(c->name) >= MICA_NAME_MAX) {
        snprintf(why, whylen, "domain name '%s' is longer than %d characters",
                 c->name, MICA_NAME_MAX - 1);
        domcfg_free(c);
        return -1;
    }
    if (xdom_name_in_use(c->name, NULL)) {
        snprintf(why, whylen, "Domain '%s' already exists", c->name);
        domcfg_free(c);
        return -1;
    }
    return 0;
}

int xdom_create(const char *sxp, size_t len, bool paused, char *why,
                size_t whylen)
{
    struct domcfg c;
    int domid;

    if (parse_config(sxp, len, &c, why, whylen) < 0)
        return -1;
    domid = build(&c, paused, why, whylen);
    if (domid < 0) {
        xlog(XEND_LOG_ERROR, "creating %s failed: %s", c.name, why);
        domcfg_free(&c);
        return -1;
    }
    struct xdom *x = xdom_add(domid, c.name);
    x->cfg = c;
    x->has_cfg = true;
    xdom_save(x);
    xlog(XEND_LOG_INFO, "created domain %s (%d)%s", x->name, domid,
         paused ? ", paused" : "");
    return domid;
}

int xdom_new(const char *sxp, size_t len, char *why, size_t whylen)
{
    struct domcfg c;

    if (parse_config(sxp, len, &c, why, whylen) < 0)
        return -1;
    struct xdom *x = xdom_add(-1, c.name);
    x->cfg = c;
    x->has_cfg = true;
    x->managed = true;
    xdom_save(x);
    xlog(XEND_LOG_INFO, "managing domain %s (not started)", x->name);
    return 0;
}

int xdom_start(struct xdom *x, bool paused, char *why, size_t whylen)
{
    int domid = build(&x->cfg, paused, why, whylen);

    if (domid < 0) {
        xlog(XEND_LOG_ERROR, "starting %s failed: %s", x->name, why);
        return -1;
    }
    x->domid = domid;
    x->conpos = 0;
    x->handled = false;
    xlog(XEND_LOG_INFO, "started managed domain %s (%d)%s", x->name, domid,
         paused ? ", paused" : "");
    return domid;
}

/* Reads NAME/xend.sxp into x; a missing or broken one means defaults. */
static void load_state(struct xdom *x)
{
    char path[300];
    struct diag d;
    struct sxp_node *doc;
    const struct sxp_node *top, *v;

    dom_file(x->name, "xend.sxp", path, sizeof(path));
    diag_init(&d);
    doc = sxp_parse_file(path, &d);
    top = doc && doc->count > 0 ? doc->items[0] : NULL;
    if (top && sxp_head(top) && strcmp(sxp_head(top), "xend") == 0) {
        v = sxp_value(sxp_lookup(top, "managed"));
        x->managed = sxp_is_text(v) && strcmp(v->text, "yes") == 0;
        v = sxp_value(sxp_lookup(top, "vcpus_target"));
        if (v && v->type == SXP_NUMBER && !v->is_float && v->ival > 0 &&
            v->ival <= DOMCFG_MAX_VCPUS)
            x->vcpus_target = (unsigned)v->ival;
    }
    sxp_free(doc);
    diag_free(&d);
}

void xdom_rediscover(void)
{
    struct mica_domain_info info[MAX_DOMAINS];
    int n = mica_domain_list(info, MAX_DOMAINS);
    DIR *dir = opendir(XEND_DOMAINS_DIR);
    struct dirent *e;

    if (n > MAX_DOMAINS)
        n = MAX_DOMAINS;
    while (dir && (e = readdir(dir))) {
        char path[300], why[128];
        struct domcfg c;
        struct diag d;
        int domid = -1;

        if (e->d_name[0] == '.' ||
            domcfg_check_name(e->d_name, why, sizeof(why)) < 0)
            continue;
        dom_file(e->d_name, "config.sxp", path, sizeof(path));
        if (access(path, R_OK) != 0)
            continue;
        diag_init(&d);
        if (domcfg_load(path, NULL, 0, &c, &d) < 0) {
            xlog(XEND_LOG_WARNING, "%s: %s", path, diag_first_error(&d));
            diag_free(&d);
            domcfg_free(&c);
            continue;
        }
        diag_free(&d);
        for (int i = 0; i < n; i++)
            if (info[i].domid != 0 &&
                strncmp(info[i].name, e->d_name, MICA_NAME_MAX) == 0)
                domid = info[i].domid;
        struct xdom *x = xdom_add(domid, e->d_name);
        x->cfg = c;
        x->has_cfg = true;
        load_state(x);
        if (domid >= 0) {
            /* A domain found stopped was stopped while xend was away: its
             * action is applied on the next tick, as if it had just
             * stopped. */
            xlog(XEND_LOG_INFO, "managing domain %s (%d) again", x->name,
                 domid);
        } else if (x->managed) {
            x->vcpus_target = 0;
            xlog(XEND_LOG_INFO, "managed domain %s is not running",
                 x->name);
        } else {
            xlog(XEND_LOG_INFO, "domain %s has gone while xend was away",
                 x->name);
            xdom_forget(x, true);
        }
    }
    if (dir)
        closedir(dir);
    for (int i = 0; i < n; i++) {
        char name[MICA_NAME_MAX + 1];

        memcpy(name, info[i].name, MICA_NAME_MAX);
        name[MICA_NAME_MAX] = '\0';
        if (info[i].domid != 0 && !xdom_by_domid(info[i].domid))
            xlog(XEND_LOG_INFO, "domain %s (%u) is not ours: no %s/%s", name,
                 info[i].domid, XEND_DOMAINS_DIR, name);
    }
}

static void keep_console(struct xdom *x, const char *buf, size_t n)
{
    size_t limit = (size_t)xend_cfg.console_limit_kib << 10;

    if (limit == 0)
        return;
    if (n >= limit) {
        buf += n - limit;
        n = limit;
    }
    if (x->conlen + n > limit) {
        size_t drop = x->conlen + n - limit;
        memmove(x->con, x->con + drop, x->conlen - drop);
        x->conlen -= drop;
    }
    if (!x->con)
        x->con = xmalloc(limit);
    memcpy(x->con + x->conlen, buf, n);
    x->conlen += n;
}

static void drain_console(struct xdom *x,
                          void (*sink)(int, const char *, size_t))
{
    char buf[4096];
    ssize_t n;

    while ((n = mica_console_read((domid_t)x->domid, buf, sizeof(buf),
                                  &x->conpos)) > 0) {
        keep_console(x, buf, (size_t)n);
        if (sink)
            sink(x->domid, buf, (size_t)n);
    }
}

static bool crashed(const struct mica_domain_info *i)
{
    return (i->flags & MICA_DOMF_crashed) ||
           i->shutdown_reason == SHUTDOWN_crash ||
           i->shutdown_reason == SHUTDOWN_watchdog;
}

static enum domcfg_action stop_action(const struct xdom *x,
                                      const struct mica_domain_info *i,
                                      const char **why)
{
    if (crashed(i)) {
        *why = "crashed";
        return x->cfg.on_crash;
    }
    if (i->shutdown_reason == SHUTDOWN_reboot) {
        *why = "rebooted";
        return x->cfg.on_reboot;
    }
    *why = "powered off";
    return x->cfg.on_poweroff;
}

/* Writes a crashed domain's memory and what mica says about it to
 * XEND_DUMP_DIR (enable-dump, coredump-*). */
static void dump_core(const struct xdom *x, const struct mica_domain_info *i)
{
    char path[512], txt[520], why[300];
    struct mica_vcpu_info v[64];
    struct sbuf text = SBUF_INIT, log = SBUF_INIT;
    uint64_t bytes, holes, pos = 0;
    time_t now = time(NULL);
    struct tm tm;
    char buf[4096];
    ssize_t got;
    int nv;

    localtime_r(&now, &tm);
    mkdirs(XEND_DUMP_DIR);
    dump_core_path(path, sizeof(path), XEND_DUMP_DIR, &tm, x->name,
                   x->domid);
    if (dump_memory(x->domid, i->tot_pages * 4096, path, &bytes, &holes,
                    why, sizeof(why)) < 0) {
        xlog(XEND_LOG_ERROR, "core dump of %s (%d) failed: %s", x->name,
             x->domid, why);
        return;
    }
    nv = mica_vcpu_info((domid_t)x->domid, v, 64);
    if (nv < 0)
        nv = -errno;
    else if (nv > 64)
        nv = 64;
    while ((got = mica_dmesg(buf, sizeof(buf), &pos)) > 0)
        sbuf_put(&log, buf, (size_t)got);
    dump_info_text(&text, x->name, i, v, nv, sbuf_str(&log), bytes);
    snprintf(txt, sizeof(txt), "%s.txt", path);
    if (write_file(txt, sbuf_str(&text)) < 0)
        xlog(XEND_LOG_WARNING, "cannot write %s: %s", txt, strerror(errno));
    xlog(XEND_LOG_INFO, "dumped the core of %s (%d): %s, %llu bytes%s",
         x->name, x->domid, path, (unsigned long long)bytes,
         holes ? ", with pages mica would not give as zeros" : "");
    sbuf_free(&text);
    sbuf_free(&log);
}

static void restart(struct xdom *x)
{
    char why[256];
    int domid = build(&x->cfg, false, why, sizeof(why));

    if (domid < 0) {
        xlog(XEND_LOG_ERROR, "restarting %s failed: %s", x->name, why);
        if (x->managed)
            xdom_halted(x);
        else
            xdom_forget(x, true);
        return;
    }
    xlog(XEND_LOG_INFO, "restarted %s as domain %d", x->name, domid);
    x->domid = domid;
    x->conpos = 0;
    x->handled = false;
    x->vcpus_target = 0;
}

/* The name a rename-restart gives the stopped domain: NAME-DOMID, cut to
 * fit mica's names. */
static void keep_name(const struct xdom *x, int old, char *buf, size_t len)
{
    char suffix[16];
    int n = snprintf(suffix, sizeof(suffix), "-%d", old);
    int room = MICA_NAME_MAX - 1 - n;

    snprintf(buf, len, "%.*s%s", room, x->name, suffix);
}

/* Acts on a domain that has stopped. */
static void stopped(struct xdom *x, const struct mica_domain_info *i)
{
    const char *why = "stopped";
    enum domcfg_action a = x->has_cfg ? stop_action(x, i, &why)
                                      : DOMCFG_PRESERVE;
    int old = x->domid;

    xlog(XEND_LOG_INFO, "domain %s (%d) %s (reason %u, code %d): %s",
         x->name, old, why, i->shutdown_reason, i->shutdown_code,
         domcfg_action_name(a));
    if (x->has_cfg && crashed(i) &&
        (xend_cfg.enable_dump || a == DOMCFG_COREDUMP_DESTROY ||
         a == DOMCFG_COREDUMP_RESTART))
        dump_core(x, i);
    switch (a) {
    case DOMCFG_PRESERVE:
        x->handled = true;
        return;
    case DOMCFG_RENAME_RESTART: {
        /* The stopped domain stays under a new name, in xend and in
         * mica; the configuration's name starts again. */
        char name[MICA_NAME_MAX];
        keep_name(x, old, name, sizeof(name));
        if (mica_domain_rename((domid_t)old, name) < 0)
            xlog(XEND_LOG_WARNING, "mica did not rename domain %d to %s: "
                 "%s", old, name, strerror(errno));
        struct xdom *keep = xdom_add(old, name);
        keep->handled = true;
        keep->con = x->con;
        keep->conlen = x->conlen;
        x->con = NULL;
        x->conlen = 0;
        restart(x);
        return;
    }
    case DOMCFG_RESTART:
    case DOMCFG_COREDUMP_RESTART:
        mica_domain_destroy((domid_t)old);
        restart(x);
        return;
    case DOMCFG_DESTROY:
    case DOMCFG_COREDUMP_DESTROY:
        mica_domain_destroy((domid_t)old);
        if (x->managed)
            xdom_halted(x);
        else
            xdom_forget(x, true);
        return;
    }
}

void xdom_tick(void (*sink)(int domid, const char *buf, size_t n))
{
    struct mica_domain_info info[MAX_DOMAINS];
    int n = mica_domain_list(info, MAX_DOMAINS);
    struct xdom *next;

    if (n < 0)
        return;
    if (n > MAX_DOMAINS)
        n = MAX_DOMAINS;
    for (struct xdom *x = xend_domains; x; x = next) {
        const struct mica_domain_info *i = NULL;

        next = x->next;
        if (x->domid < 0)
            continue;
        for (int k = 0; k < n; k++)
            if (info[k].domid == x->domid)
                i = &info[k];
        if (!i) {
            xlog(XEND_LOG_INFO, "domain %s (%d) is gone", x->name, x->domid);
            if (x->managed)
                xdom_halted(x);
            else
                xdom_forget(x, true);
            continue;
        }
        drain_console(x, sink);
        if ((i->flags & (MICA_DOMF_shutdown | MICA_DOMF_crashed)) &&
            !x->handled)
            stopped(x, i);
    }
}

void xdom_config_line(const struct xdom *x, struct sbuf *sb)
{
    if (!x->has_cfg)
        return;
    char *s = domcfg_to_sxp(&x->cfg);
    /* One line: a newline and the indentation after it become a space
     * (newlines inside strings are written as \n, so none is lost). */
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            sbuf_putc(sb, ' ');
            while (p[1] == ' ')
                p++;
        } else {
            sbuf_putc(sb, *p);
        }
    }
    free(s);
}

static const struct mica_domain_info *by_domid(
    const struct mica_domain_info *info, int n, int domid)
{
    for (int k = 0; k < n; k++)
        if (info[k].domid == domid)
            return &info[k];
    return NULL;
}

int xstat_collect(struct xstat *s)
{
    static struct mica_domain_info info[MAX_DOMAINS];
    struct utsname u;
    int n;
    size_t k = 0, stopped_count = 0;

    memset(s, 0, sizeof(*s));
    n = mica_domain_list(info, MAX_DOMAINS);
    if (n < 0 || mica_physinfo(&s->pi) < 0)
        return -1;
    if (n > MAX_DOMAINS)
        n = MAX_DOMAINS;
    if (uname(&u) == 0)
        snprintf(s->host, sizeof(s->host), "%s", u.nodename);
    for (struct xdom *x = xend_domains; x; x = x->next)
        if (x->managed && (x->domid < 0 || !by_domid(info, n, x->domid)))
            stopped_count++;
    s->doms = xcalloc((size_t)n + stopped_count + 1, sizeof(*s->doms));
    for (int i = 0; i < n; i++) {
        struct xstat_dom *o = &s->doms[k++];
        struct xdom *x = xdom_by_domid(info[i].domid);
        struct proto_dom *d = &o->d;

        d->domid = info[i].domid;
        d->flags = info[i].flags;
        if ((d->flags & (MICA_DOMF_shutdown | MICA_DOMF_crashed)) &&
            !(d->flags & MICA_DOMF_dying) && (!x || x->handled))
            d->flags |= PROTO_DOMF_SETTLED;
        d->cur_kib = info[i].tot_pages * 4;
        d->max_kib = info[i].max_pages * 4;
        d->mem_kib = x && x->has_cfg ? x->cfg.memory_mib << 10 : d->cur_kib;
        d->vcpus = info[i].nr_vcpus;
        d->cpu_ns = info[i].cpu_time_ns;
        d->up_ns = s->pi.uptime_ns > info[i].created_ns ?
                   s->pi.uptime_ns - info[i].created_ns : 0;
        if (x) {
            snprintf(d->name, sizeof(d->name), "%s", x->name);
        } else {
            memcpy(d->name, info[i].name, MICA_NAME_MAX);
            d->name[MICA_NAME_MAX] = '\0';
        }
        if (x && x->has_cfg) {
            struct sbuf sb = SBUF_INIT;
            xdom_config_line(x, &sb);
            o->config = sbuf_detach(&sb);
        }
        o->managed = x && x->managed;
    }
    /* Then the managed domains that are not running, in the order they
     * came. */
    for (struct xdom *x = xend_domains; x; x = x->next) {
        if (!x->managed || (x->domid >= 0 && by_domid(info, n, x->domid)))
            continue;
        struct xstat_dom *o = &s->doms[k++];
        struct proto_dom *d = &o->d;
        struct sbuf sb = SBUF_INIT;

        d->domid = -1;
        d->mem_kib = x->cfg.memory_mib << 10;
        d->max_kib = x->cfg.maxmem_mib << 10;
        d->vcpus = x->cfg.vcpus;
        snprintf(d->name, sizeof(d->name), "%s", x->name);
        xdom_config_line(x, &sb);
        o->config = sbuf_detach(&sb);
        o->managed = x->managed;
    }
    s->n = k;
    return 0;
}
