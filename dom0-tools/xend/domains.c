/*
 * The domains xend manages: creating them with the builder, keeping their
 * consoles, acting on their stops (on_poweroff, on_reboot, on_crash) and
 * finding them again when xend restarts. Their configurations are kept in
 * XEND_DOMAINS_DIR/<name>.sxp for that.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "proto.h"
#include "xend.h"
#include "../common/cpuset.h"
#include "../common/xalloc.h"
#include "../lib/libmica.h"

#define MAX_DOMAINS 256

struct xdom *xend_domains;

struct xdom *xdom_by_domid(int domid)
{
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
    if (*s && !*end)
        return xdom_by_domid((int)id);
    return NULL;
}

static void cfg_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s.sxp", XEND_DOMAINS_DIR, name);
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

static void save_config(const struct xdom *x)
{
    char path[256];
    char *sxp = domcfg_to_sxp(&x->cfg);
    FILE *f;

    mkdirs(XEND_DOMAINS_DIR);
    cfg_path(x->name, path, sizeof(path));
    f = fopen(path, "w");
    if (!f || fprintf(f, "%s\n", sxp) < 0 || fclose(f) != 0)
        xlog(XEND_LOG_WARNING, "cannot save %s: %s", path, strerror(errno));
    free(sxp);
}

static struct xdom *xdom_add(int domid, const char *name)
{
    struct xdom *x = xcalloc(1, sizeof(*x));

    x->domid = domid;
    x->name = xstrdup(name);
    domcfg_init(&x->cfg);
    x->next = xend_domains;
    xend_domains = x;
    return x;
}

void xdom_forget(struct xdom *x, bool remove_file)
{
    char path[256];

    for (struct xdom **pp = &xend_domains; *pp; pp = &(*pp)->next) {
        if (*pp == x) {
            *pp = x->next;
            break;
        }
    }
    if (remove_file && x->has_cfg) {
        cfg_path(x->name, path, sizeof(path));
        unlink(path);
    }
    domcfg_free(&x->cfg);
    free(x->name);
    free(x->con);
    free(x);
}

static uint64_t cpu_mask(const struct domcfg *c)
{
    struct cpuset cs;
    char why[128];
    uint64_t mask = 0;

    /* mica takes one mask for every vCPU at creation; per-vCPU lists are
     * applied with vcpu_pin after it. */
    if (c->ncpus != 1 || c->cpus_per_vcpu ||
        cpuset_parse(c->cpus[0], &cs, why, sizeof(why)) < 0)
        return 0;
    for (unsigned i = 0; i < 64; i++)
        if (cpuset_has(&cs, i))
            mask |= UINT64_C(1) << i;
    return mask;
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

    if (c->type != DOMCFG_PVH) {
        snprintf(why, whylen, "%s: only PVH guests can be built so far",
                 c->name);
        return -1;
    }
    if (!c->kernel) {
        snprintf(why, whylen, "%s: no kernel given", c->name);
        return -1;
    }
    return build_domain(&r, why, whylen);
}

static bool name_in_use(const char *name)
{
    struct mica_domain_info info[MAX_DOMAINS];
    int n = mica_domain_list(info, MAX_DOMAINS);

    for (int i = 0; i < n && i < MAX_DOMAINS; i++)
        if (strncmp(info[i].name, name, MICA_NAME_MAX) == 0)
            return true;
    return xdom_find(name) != NULL;
}

int xdom_create(const char *sxp, size_t len, bool paused, char *why,
                size_t whylen)
{
    struct domcfg c;
    struct diag d;
    int domid;

    diag_init(&d);
    if (domcfg_parse(sxp, len, "<request>", NULL, 0, &c, &d) < 0) {
        snprintf(why, whylen, "bad configuration: %s", diag_first_error(&d));
        diag_free(&d);
        domcfg_free(&c);
        return -1;
    }
    diag_free(&d);
    if (strlen(c.name) >= MICA_NAME_MAX) {
        snprintf(why, whylen, "domain name '%s' is longer than %d characters",
                 c.name, MICA_NAME_MAX - 1);
        domcfg_free(&c);
        return -1;
    }
    if (name_in_use(c.name)) {
        snprintf(why, whylen, "Domain '%s' already exists", c.name);
        domcfg_free(&c);
        return -1;
    }
    domid = build(&c, paused, why, whylen);
    if (domid < 0) {
        xlog(XEND_LOG_ERROR, "creating %s failed: %s", c.name, why);
        domcfg_free(&c);
        return -1;
    }
    struct xdom *x = xdom_add(domid, c.name);
    x->cfg = c;
    x->has_cfg = true;
    save_config(x);
    xlog(XEND_LOG_INFO, "created domain %s (%d)%s", x->name, domid,
         paused ? ", paused" : "");
    return domid;
}

void xdom_rediscover(void)
{
    struct mica_domain_info info[MAX_DOMAINS];
    int n = mica_domain_list(info, MAX_DOMAINS);

    for (int i = 0; i < n && i < MAX_DOMAINS; i++) {
        char name[MICA_NAME_MAX + 1], path[256];
        struct domcfg c;
        struct diag d;

        if (info[i].domid == 0)
            continue;
        memcpy(name, info[i].name, MICA_NAME_MAX);
        name[MICA_NAME_MAX] = '\0';
        cfg_path(name, path, sizeof(path));
        if (access(path, R_OK) != 0) {
            xlog(XEND_LOG_INFO, "domain %s (%u) is not ours: no %s", name,
                 info[i].domid, path);
            continue;
        }
        diag_init(&d);
        if (domcfg_load(path, NULL, 0, &c, &d) < 0) {
            xlog(XEND_LOG_WARNING, "%s: %s", path, diag_first_error(&d));
            diag_free(&d);
            domcfg_free(&c);
            continue;
        }
        diag_free(&d);
        struct xdom *x = xdom_add(info[i].domid, name);
        x->cfg = c;
        x->has_cfg = true;
        /* A domain found stopped was stopped while xend was away: its
         * action is applied on the next tick, as if it had just stopped. */
        xlog(XEND_LOG_INFO, "managing domain %s (%u) again", name,
             info[i].domid);
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

static enum domcfg_action stop_action(const struct xdom *x,
                                      const struct mica_domain_info *i,
                                      const char **why)
{
    if ((i->flags & MICA_DOMF_crashed) ||
        i->shutdown_reason == SHUTDOWN_crash ||
        i->shutdown_reason == SHUTDOWN_watchdog) {
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

static void restart(struct xdom *x)
{
    char why[256];
    int domid = build(&x->cfg, false, why, sizeof(why));

    if (domid < 0) {
        xlog(XEND_LOG_ERROR, "restarting %s failed: %s", x->name, why);
        xdom_forget(x, true);
        return;
    }
    xlog(XEND_LOG_INFO, "restarted %s as domain %d", x->name, domid);
    x->domid = domid;
    x->conpos = 0;
    x->handled = false;
}

/* Acts on a managed domain that has stopped. */
static void stopped(struct xdom *x, const struct mica_domain_info *i)
{
    const char *why;
    enum domcfg_action a = x->has_cfg ? stop_action(x, i, &why)
                                      : DOMCFG_PRESERVE;
    int old = x->domid;

    if (!x->has_cfg)
        why = "stopped";
    xlog(XEND_LOG_INFO, "domain %s (%d) %s (reason %u, code %d): %s",
         x->name, old, why, i->shutdown_reason, i->shutdown_code,
         domcfg_action_name(a));
    switch (a) {
    case DOMCFG_PRESERVE:
        x->handled = true;
        return;
    case DOMCFG_RENAME_RESTART: {
        /* The stopped domain stays, under a new name in xend; mica keeps
         * its own name for it, as it has no rename. */
        char name[64];
        snprintf(name, sizeof(name), "%s-%d", x->name, old);
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
        for (int k = 0; k < n; k++)
            if (info[k].domid == x->domid)
                i = &info[k];
        if (!i) {
            xlog(XEND_LOG_INFO, "domain %s (%d) is gone", x->name, x->domid);
            xdom_forget(x, true);
            continue;
        }
        drain_console(x, sink);
        if ((i->flags & (MICA_DOMF_shutdown | MICA_DOMF_crashed)) &&
            !x->handled)
            stopped(x, i);
    }
}

void xdom_config_sxp(const struct xdom *x, struct sbuf *sb)
{
    if (x->has_cfg) {
        char *s = domcfg_to_sxp(&x->cfg);
        sbuf_puts(sb, s);
        free(s);
    }
}
