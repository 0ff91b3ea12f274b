/*
 * xend-config.sxp: parameters, defaults and checks.
 *
 * Sources for the defaults, cited per parameter below:
 *   [seed]      Table 14.1 "xend configuration parameters" of the Red Hat
 *               Virtualization guide (shared/seeds/004_*.txt), DESIGN §5.
 *   [XendRoot]  Xen 3.0's tools/python/xen/xend/XendRoot.py, the code that
 *               read this file, with its *_default attributes.
 *   [example]   Xen's tools/examples/xend-config.sxp, whose comments say
 *               "Commented out entries show the default for that entry".
 *   [RHEL5]     The xend-config.sxp that RHEL 5 shipped, which set
 *               (dom0-min-mem 256).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/readfile.h"
#include "../common/sbuf.h"
#include "../common/xalloc.h"
#include "../sxp/sxp.h"

/* [seed], [XendRoot]: logfile_default = "/var/log/xend.log". (Xen 3.1 and
 * later moved it to /var/log/xen/xend.log; the seed keeps the classic.) */
#define DEF_LOGFILE "/var/log/xend.log"
/* [seed], [XendRoot]: loglevel_default = 'DEBUG'. */
#define DEF_LOGLEVEL XEND_LOG_DEBUG
/* [seed], [XendRoot]: xend_unix_server_default = 'yes'. (Xen 3.1 turned it
 * off in favour of XML-RPC, which mica does not have.) */
#define DEF_UNIX_SERVER true
/* [seed], [XendRoot]: xend_unix_path_default. */
#define DEF_UNIX_PATH "/var/lib/xend/xend-socket"
/* [seed], [XendRoot]: xend_http_server_default = 'no'. */
#define DEF_HTTP_SERVER false
/* [seed], [XendRoot]: xend_port_default = 8000. */
#define DEF_PORT 8000
/* [seed] "The default value allows all connections", [XendRoot]:
 * xend_address_default = ''. */
#define DEF_ADDRESS ""
/* [seed] "the default is no", [example]. (Xen 2's XendRoot said yes.) */
#define DEF_RELOCATION_SERVER false
/* [seed], [XendRoot]: xend_relocation_port_default = 8002. */
#define DEF_RELOCATION_PORT 8002
/* xend-relocation-address: [seed] "The default value is the value of
 * xend-address", applied in finish(). */
/* [XendRoot]: get_console_limit() defaults to 1024; [example] "The limit
 * (in kilobytes) on the size of the console buffer". */
#define DEF_CONSOLE_LIMIT_KIB 1024
/* [RHEL5] (dom0-min-mem 256); the seed names the old spelling min-mem.
 * XendRoot's own fallback was 0 and upstream's example file set 196; 256
 * is what the classic distribution's administrators saw in their file. */
#define DEF_DOM0_MIN_MEM 256
/* [XendRoot]: dom0_vcpus_default = 0; [example] "If dom0-cpus = 0, dom0
 * will take all cpus available". */
#define DEF_DOM0_CPUS 0
/* [seed] "the default is 0", [XendRoot]: get_enable_dump() -> 'no'. */
#define DEF_ENABLE_DUMP false
/* Xen 3.0's XendRoot returned None when network-script was unset: no
 * script runs. (Xen 2 defaulted to 'network'.) */
#define DEF_NETWORK_SCRIPT ""
/* Xen 3's XendOptions: external_migration_tool_default = ''. */
#define DEF_EXTERNAL_MIGRATION_TOOL ""

/* The upper bounds are mica's, chosen to catch units typed wrong: a
 * console buffer of a gigabyte, or dom0 keeping a petabyte. */
#define MAX_CONSOLE_LIMIT_KIB (1u << 20)
#define MAX_DOM0_MIN_MEM (UINT64_C(1) << 24)
#define MAX_DOM0_CPUS 4096

static const char *const level_names[] = {
    [XEND_LOG_DEBUG] = "DEBUG",
    [XEND_LOG_INFO] = "INFO",
    [XEND_LOG_WARNING] = "WARNING",
    [XEND_LOG_ERROR] = "ERROR",
    [XEND_LOG_CRITICAL] = "CRITICAL",
};

const char *xend_loglevel_name(enum xend_loglevel l)
{
    return l <= XEND_LOG_CRITICAL ? level_names[l] : "?";
}

void xend_config_defaults(struct xend_config *c)
{
    c->logfile = xstrdup(DEF_LOGFILE);
    c->loglevel = DEF_LOGLEVEL;
    c->unix_server = DEF_UNIX_SERVER;
    c->unix_path = xstrdup(DEF_UNIX_PATH);
    c->http_server = DEF_HTTP_SERVER;
    c->port = DEF_PORT;
    c->address = xstrdup(DEF_ADDRESS);
    c->relocation_server = DEF_RELOCATION_SERVER;
    c->relocation_port = DEF_RELOCATION_PORT;
    c->relocation_address = NULL;
    c->console_limit_kib = DEF_CONSOLE_LIMIT_KIB;
    c->dom0_min_mem_mib = DEF_DOM0_MIN_MEM;
    c->dom0_cpus = DEF_DOM0_CPUS;
    c->enable_dump = DEF_ENABLE_DUMP;
    c->network_script = xstrdup(DEF_NETWORK_SCRIPT);
    c->external_migration_tool = xstrdup(DEF_EXTERNAL_MIGRATION_TOOL);
}

void xend_config_free(struct xend_config *c)
{
    free(c->logfile);
    free(c->unix_path);
    free(c->address);
    free(c->relocation_address);
    free(c->network_script);
    free(c->external_migration_tool);
    memset(c, 0, sizeof(*c));
}

enum kind { K_BOOL, K_PORT, K_PATH, K_TEXT, K_LEVEL, K_UINT };

struct param {
    const char *name;
    enum kind kind;
    size_t offset;
    uint64_t min, max;      /* K_UINT only. */
};

#define OFF(field) offsetof(struct xend_config, field)

/* min-mem shares dom0-min-mem's offset; it is the older name. */
static const struct param params[] = {
    { "logfile", K_PATH, OFF(logfile), 0, 0 },
    { "loglevel", K_LEVEL, OFF(loglevel), 0, 0 },
    { "xend-unix-server", K_BOOL, OFF(unix_server), 0, 0 },
    { "xend-unix-path", K_PATH, OFF(unix_path), 0, 0 },
    { "xend-http-server", K_BOOL, OFF(http_server), 0, 0 },
    { "xend-port", K_PORT, OFF(port), 0, 0 },
    { "xend-address", K_TEXT, OFF(address), 0, 0 },
    { "xend-relocation-server", K_BOOL, OFF(relocation_server), 0, 0 },
    { "xend-relocation-port", K_PORT, OFF(relocation_port), 0, 0 },
    { "xend-relocation-address", K_TEXT, OFF(relocation_address), 0, 0 },
    { "console-limit", K_UINT, OFF(console_limit_kib), 1,
      MAX_CONSOLE_LIMIT_KIB },
    { "dom0-min-mem", K_UINT, OFF(dom0_min_mem_mib), 0, MAX_DOM0_MIN_MEM },
    { "min-mem", K_UINT, OFF(dom0_min_mem_mib), 0, MAX_DOM0_MIN_MEM },
    { "dom0-cpus", K_UINT, OFF(dom0_cpus), 0, MAX_DOM0_CPUS },
    { "enable-dump", K_BOOL, OFF(enable_dump), 0, 0 },
    { "network-script", K_TEXT, OFF(network_script), 0, 0 },
    { "external-migration-tool", K_TEXT, OFF(external_migration_tool), 0,
      0 },
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

/*
 * Parameters of classic xend that mica has no use for. A file copied from
 * a Xen host is full of them, so they get a gentler warning than a name
 * that is simply misspelt.
 */
static const char *const classic_unused[] = {
    "xen-api-server", "xend-tcp-xmlrpc-server", "xend-unix-xmlrpc-server",
    "xend-tcp-xmlrpc-server-address", "xend-tcp-xmlrpc-server-port",
    "xend-relocation-hosts-allow", "xend-relocation-ssl-server",
    "xend-relocation-ssl-port", "xend-relocation-ssl", "xend-event-port",
    "vif-script", "vif-bridge", "vif-antispoof", "vnc-listen", "vncpasswd",
    "vnc-tls", "vnc-x509-cert-dir", "vnc-x509-verify", "keymap",
    "console-address", "console-port-base", "enable-dom0-ballooning",
    "xend-domains-path", "xend-state-path", "xend-storage-path",
    "xend-security-path", "xsm_module_name", "resource-label-change-script",
    "qemu-dm-logrotate-count", "block-file", "block-phy",
};

static bool is_classic_unused(const char *name)
{
    for (size_t i = 0; i < sizeof(classic_unused) / sizeof(*classic_unused);
         i++)
        if (strcmp(classic_unused[i], name) == 0)
            return true;
    return false;
}

static const struct param *find_param(const char *name)
{
    for (size_t i = 0; i < NPARAMS; i++)
        if (strcmp(params[i].name, name) == 0)
            return &params[i];
    return NULL;
}

/*
 * Booleans as Xen 3's XendRoot.get_config_bool() read them: yes, y, 1, on,
 * true, t and no, n, 0, off, false, f, in any case.
 */
static int parse_bool(const struct sxp_node *v, bool *out)
{
    static const char *const yes[] = { "yes", "y", "1", "on", "true", "t" };
    static const char *const no[] = { "no", "n", "0", "off", "false", "f" };
    const char *s;

    if (v->type == SXP_NUMBER && !v->is_float && (v->ival == 0 ||
                                                  v->ival == 1)) {
        *out = v->ival == 1;
        return 0;
    }
    if (!sxp_is_text(v))
        return -1;
    s = v->text;
    for (size_t i = 0; i < 6; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

static void set_string(char **slot, const char *value)
{
    free(*slot);
    *slot = xstrdup(value);
}

/* Applies one (name value) form; reports and returns -1 on a bad value. */
static int apply(struct xend_config *c, const struct param *p,
                 const struct sxp_node *v, struct diag *d)
{
    char *base = (char *)c;
    char got[64];
    const char *s;
    int64_t n;

    sxp_describe(v, got, sizeof(got));
    switch (p->kind) {
    case K_BOOL: {
        bool b;
        if (parse_bool(v, &b) < 0) {
            diag_error(d, v->file, v->line, v->column,
                       "%s: expected yes or no (or true/false, on/off, "
                       "1/0), got %s", p->name, got);
            return -1;
        }
        *(bool *)(base + p->offset) = b;
        return 0;
    }
    case K_PORT:
        if (sxp_get_int(v, p->name, 1, 65535, &n, d) < 0)
            return -1;
        *(unsigned *)(base + p->offset) = (unsigned)n;
        return 0;
    case K_UINT:
        if (sxp_get_int(v, p->name, (int64_t)p->min, (int64_t)p->max, &n,
                        d) < 0)
            return -1;
        if (p->offset == OFF(dom0_min_mem_mib))
            c->dom0_min_mem_mib = (uint64_t)n;
        else
            *(unsigned *)(base + p->offset) = (unsigned)n;
        return 0;
    case K_LEVEL:
        if (sxp_is_text(v)) {
            for (int i = XEND_LOG_DEBUG; i <= XEND_LOG_CRITICAL; i++) {
                if (strcasecmp(v->text, level_names[i]) == 0) {
                    c->loglevel = (enum xend_loglevel)i;
                    return 0;
                }
            }
        }
        diag_error(d, v->file, v->line, v->column,
                   "%s: expected one of DEBUG, INFO, WARNING, ERROR, "
                   "CRITICAL, got %s", p->name, got);
        return -1;
    case K_PATH:
        if (sxp_get_text(v, p->name, &s, d) < 0)
            return -1;
        /* xend runs from /, so a relative path would land somewhere the
         * administrator did not mean. */
        if (s[0] != '/') {
            diag_error(d, v->file, v->line, v->column,
                       "%s: expected an absolute path, got %s", p->name,
                       got);
            return -1;
        }
        set_string((char **)(base + p->offset), s);
        return 0;
    case K_TEXT:
        if (sxp_get_text(v, p->name, &s, d) < 0)
            return -1;
        set_string((char **)(base + p->offset), s);
        return 0;
    }
    return -1;
}

/* The parameter's canonical index, so that min-mem and dom0-min-mem count
 * as the same parameter when looking for repeats. */
static size_t canonical(const struct param *p)
{
    if (strcmp(p->name, "min-mem") == 0)
        return (size_t)(find_param("dom0-min-mem") - params);
    return (size_t)(p - params);
}

int xend_config_parse(const char *text, size_t len, const char *file,
                      struct xend_config *c, struct diag *d)
{
    size_t errors_before = d->errors;
    struct sxp_node *doc = sxp_parse(text, len, file, d);

    if (!doc)
        return -1;

    const struct sxp_node *seen[NPARAMS] = { NULL };
    for (size_t i = 0; i < doc->count; i++) {
        const struct sxp_node *form = doc->items[i];
        const char *name = sxp_head(form);
        char got[64];

        if (!name) {
            sxp_describe(form, got, sizeof(got));
            diag_error(d, form->file, form->line, form->column,
                       "expected (parameter value), got %s", got);
            continue;
        }
        const struct param *p = find_param(name);
        if (!p) {
            const struct sxp_node *h = form->items[0];
            if (is_classic_unused(name))
                diag_warn(d, h->file, h->line, h->column,
                          "'%s' is a classic xend parameter that mica does "
                          "not use; ignored", name);
            else
                diag_warn(d, h->file, h->line, h->column,
                          "unknown parameter '%s'; ignored", name);
            continue;
        }
        if (form->count != 2) {
            diag_error(d, form->file, form->line, form->column,
                       "%s: expected one value, got %zu", name,
                       form->count - 1);
            continue;
        }
        size_t k = canonical(p);
        if (seen[k]) {
            /* Classic xend took the first occurrence (sxp.child_value), so
             * a later one is ignored, with a warning because it is
             * almost always an edit that did not take effect. */
            diag_warn(d, form->file, form->line, form->column,
                      "%s is already set at %d:%d; this one is ignored",
                      name, seen[k]->line, seen[k]->column);
            continue;
        }
        seen[k] = form;
        apply(c, p, form->items[1], d);
    }
    sxp_free(doc);

    if (!c->relocation_address)
        c->relocation_address = xstrdup(c->address);
    return d->errors > errors_before ? -1 : 0;
}

int xend_config_load(const char *path, struct xend_config *c,
                     struct diag *d)
{
    char *buf;
    size_t len;

    if (!path)
        path = XEND_CONFIG_PATH;
    int err = read_whole_file(path, &buf, &len);
    if (err == -ENOENT) {
        diag_note(d, path, 0, 0, "no such file; using the defaults");
        if (!c->relocation_address)
            c->relocation_address = xstrdup(c->address);
        return 0;
    }
    if (err < 0) {
        diag_error(d, path, 0, 0, "cannot read: %s", strerror(-err));
        return -1;
    }
    int rc = xend_config_parse(buf, len, path, c, d);
    free(buf);
    return rc;
}

char *xend_config_to_sxp(const struct xend_config *c)
{
    struct sxp_node *doc = sxp_new_list();
    const char *reloc = c->relocation_address ? c->relocation_address
                                              : c->address;

    sxp_add_pair(doc, "logfile", sxp_new_string(c->logfile));
    sxp_add_pair(doc, "loglevel",
                 sxp_new_symbol(xend_loglevel_name(c->loglevel)));
    sxp_add_pair(doc, "xend-unix-server",
                 sxp_new_symbol(c->unix_server ? "yes" : "no"));
    sxp_add_pair(doc, "xend-unix-path", sxp_new_string(c->unix_path));
    sxp_add_pair(doc, "xend-http-server",
                 sxp_new_symbol(c->http_server ? "yes" : "no"));
    sxp_add_pair(doc, "xend-port", sxp_new_int(c->port));
    sxp_add_pair(doc, "xend-address", sxp_new_string(c->address));
    sxp_add_pair(doc, "xend-relocation-server",
                 sxp_new_symbol(c->relocation_server ? "yes" : "no"));
    sxp_add_pair(doc, "xend-relocation-port",
                 sxp_new_int(c->relocation_port));
    sxp_add_pair(doc, "xend-relocation-address", sxp_new_string(reloc));
    sxp_add_pair(doc, "console-limit", sxp_new_int(c->console_limit_kib));
    sxp_add_pair(doc, "dom0-min-mem",
                 sxp_new_int((int64_t)c->dom0_min_mem_mib));
    sxp_add_pair(doc, "dom0-cpus", sxp_new_int(c->dom0_cpus));
    sxp_add_pair(doc, "enable-dump",
                 sxp_new_symbol(c->enable_dump ? "yes" : "no"));
    sxp_add_pair(doc, "network-script", sxp_new_string(c->network_script));
    sxp_add_pair(doc, "external-migration-tool",
                 sxp_new_string(c->external_migration_tool));

    char *s = sxp_write_doc_str(doc);
    sxp_free(doc);
    return s;
}

int xend_check(const char *path, bool show, FILE *out, FILE *err)
{
    struct xend_config c;
    struct diag d;

    diag_init(&d);
    xend_config_defaults(&c);
    int rc = xend_config_load(path, &c, &d);
    diag_print(&d, err);
    if (rc == 0) {
        fprintf(out, "%s: OK (%zu warning%s)\n", path, d.warnings,
                d.warnings == 1 ? "" : "s");
        if (show) {
            char *s = xend_config_to_sxp(&c);
            fputs(s, out);
            free(s);
        }
    } else {
        fprintf(err, "%s: %zu error%s; xend would not start\n", path,
                d.errors, d.errors == 1 ? "" : "s");
    }
    xend_config_free(&c);
    diag_free(&d);
    return rc == 0 ? 0 : 1;
}
