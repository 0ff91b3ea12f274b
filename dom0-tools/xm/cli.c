/*
 * Parsing xm's command line.
 *
 * Options may come before, between or after operands, as with Python's
 * getopt.gnu_getopt that xm used; "--" ends them. Short options bundle
 * (-wa), take their value attached or as the next word (-i5, -i 5), and
 * long ones take it after '=' or as the next word. The error texts are
 * xm's: "option -x not recognized", "'xm pause' requires 1 argument.".
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "domcfg.h"
#include "../common/cpuset.h"
#include "../common/xalloc.h"

/* Domain IDs from 0x7ff0 up are Xen's reserved ones (DOMID_SELF...). */
#define MAX_DOMID 0x7fef

struct parse {
    const struct xm_cmd_spec *spec;
    enum xm_cmd cmd;
    struct sbuf *err;
    const char *optval[XM_MAX_OPTS];
    bool optset[XM_MAX_OPTS];
    const char **pos;
    int npos;
};

static int usage_error(struct sbuf *err, int cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports "Error: ..." and the usage of cmd (or of xm, when cmd < 0). */
static int usage_error(struct sbuf *err, int cmd, const char *fmt, ...)
{
    va_list ap;

    sbuf_puts(err, "Error: ");
    va_start(ap, fmt);
    sbuf_vprintf(err, fmt, ap);
    va_end(ap);
    sbuf_putc(err, '\n');
    if (cmd >= 0) {
        xm_usage_line(err, (enum xm_cmd)cmd);
    } else {
        sbuf_puts(err, "Usage: xm <subcommand> [args]\n"
                       "Run 'xm help' for the list of subcommands.\n");
    }
    return -1;
}

static int opt_index(const struct xm_cmd_spec *s, char letter,
                     const char *lname, size_t lname_len)
{
    for (int i = 0; i < XM_MAX_OPTS && s->opts[i].help; i++) {
        const struct xm_opt *o = &s->opts[i];
        if (lname) {
            if (o->lname && strlen(o->lname) == lname_len &&
                strncmp(o->lname, lname, lname_len) == 0)
                return i;
        } else if (o->letter == letter && !o->long_only) {
            return i;
        }
    }
    return -1;
}

static int take_long(struct parse *p, const char *arg, int argc, char **argv,
                     int *i)
{
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int k = opt_index(p->spec, 0, name, len);

    if (k < 0)
        return usage_error(p->err, p->cmd, "option --%.*s not recognized",
                           (int)len, name);
    const struct xm_opt *o = &p->spec->opts[k];
    if (o->has_arg) {
        if (eq) {
            p->optval[k] = eq + 1;
        } else if (*i + 1 < argc) {
            p->optval[k] = argv[++*i];
        } else {
            return usage_error(p->err, p->cmd, "option --%s requires "
                               "argument", o->lname);
        }
    } else if (eq) {
        return usage_error(p->err, p->cmd, "option --%s must not have an "
                           "argument", o->lname);
    }
    p->optset[k] = true;
    return 0;
}

static int take_short(struct parse *p, const char *arg, int argc,
                      char **argv, int *i)
{
    for (const char *c = arg + 1; *c; c++) {
        int k = opt_index(p->spec, *c, NULL, 0);
        if (k < 0)
            return usage_error(p->err, p->cmd, "option -%c not recognized",
                               *c);
        const struct xm_opt *o = &p->spec->opts[k];
        p->optset[k] = true;
        if (!o->has_arg)
            continue;
        if (c[1]) {
            /* -i5, and -w=256 as xm's own help spells it. */
            p->optval[k] = c[1] == '=' ? c + 2 : c + 1;
        } else if (*i + 1 < argc) {
            p->optval[k] = argv[++*i];
        } else {
            return usage_error(p->err, p->cmd, "option -%c requires "
                               "argument", *c);
        }
        break;
    }
    return 0;
}

static bool opt(const struct parse *p, char letter, const char **val)
{
    for (int i = 0; i < XM_MAX_OPTS && p->spec->opts[i].help; i++) {
        if (p->spec->opts[i].letter == letter && p->optset[i]) {
            if (val)
                *val = p->optval[i];
            return true;
        }
    }
    return false;
}

/* A whole decimal number in [min, max]; no sign, no spaces, no suffix. */
static int parse_num(const char *s, unsigned long long min,
                     unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;

    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (unsigned long long)(*s - '0');
        if (v > max)
            return -1;
    }
    if (v < min)
        return -1;
    *out = v;
    return 0;
}

/*
 * A memory size in MiB: plain, or with a k, m, g or t suffix as xm's
 * int_unit() took. Sizes are whole MiB, since that is what domains get.
 */
static int parse_mem(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    unsigned long long shift_kib = 10;   /* Plain numbers are MiB. */
    char num[32];

    if (n == 0 || n >= sizeof(num))
        return -1;
    switch (s[n - 1]) {
    case 'k': case 'K': shift_kib = 0; n--; break;
    case 'm': case 'M': shift_kib = 10; n--; break;
    case 'g': case 'G': shift_kib = 20; n--; break;
    case 't': case 'T': shift_kib = 30; n--; break;
    }
    memcpy(num, s, n);
    num[n] = '\0';

    unsigned long long v;
    if (parse_num(num, 1, 1ull << 40, &v) < 0)
        return -1;
    unsigned long long kib = v << shift_kib;
    if (kib % 1024 != 0 || kib / 1024 > DOMCFG_MAX_MEMORY_MIB)
        return -1;
    *out = kib / 1024;
    return 0;
}

static int check_arity(struct parse *p)
{
    const struct xm_cmd_spec *s = p->spec;
    int n = p->npos;

    if (n >= s->min_pos && (s->max_pos == MANY || n <= s->max_pos))
        return 0;
    if (s->max_pos == s->min_pos)
        return usage_error(p->err, p->cmd, "'xm %s' requires %d argument%s.",
                           s->name, s->min_pos, s->min_pos == 1 ? "" : "s");
    if (s->max_pos == MANY)
        return usage_error(p->err, p->cmd, "'xm %s' requires at least %d "
                           "argument%s.", s->name, s->min_pos,
                           s->min_pos == 1 ? "" : "s");
    return usage_error(p->err, p->cmd, "'xm %s' requires between %d and %d "
                       "arguments.", s->name, s->min_pos, s->max_pos);
}

/* create and new: CONFIG, then key=value overrides. */
static int finish_config_cmd(struct parse *p, struct xm_args *a)
{
    a->file = p->pos[0];
    a->vars = xcalloc((size_t)p->npos, sizeof(*a->vars));
    for (int i = 1; i < p->npos; i++) {
        const char *eq = strchr(p->pos[i], '=');
        if (!eq || eq == p->pos[i])
            return usage_error(p->err, p->cmd, "expected key=value after "
                               "the configuration file, got '%s'",
                               p->pos[i]);
        a->vars[a->nvars++] = p->pos[i];
    }
    return 0;
}

static void take_names(struct parse *p, struct xm_args *a)
{
    a->names = xcalloc((size_t)p->npos + 1, sizeof(*a->names));
    for (int i = 0; i < p->npos; i++)
        a->names[a->nnames++] = p->pos[i];
}

/* The checks and conversions that belong to one command. */
static int finish(struct parse *p, struct xm_args *a)
{
    const char *v;
    unsigned long long n;
    uint64_t mib;

    if (check_arity(p) < 0)
        return -1;
    a->domain = p->npos > 0 ? p->pos[0] : NULL;

    switch (p->cmd) {
    case XM_HELP:
        a->domain = NULL;
        if (p->npos == 1) {
            int c = xm_lookup_command(p->pos[0]);
            if (c < 0)
                return usage_error(p->err, -1, "Subcommand %s not found!",
                                   p->pos[0]);
            a->topic = xm_command_name((enum xm_cmd)c);
        }
        return 0;
    case XM_CREATE:
    case XM_NEW:
        a->domain = NULL;
        a->console = opt(p, 'c', NULL);
        a->dry_run = opt(p, 'n', NULL);
        a->paused = opt(p, 'p', NULL);
        return finish_config_cmd(p, a);
    case XM_LIST:
    case XM_VCPU_LIST:
    case XM_UPTIME:
        a->domain = NULL;
        a->long_format = p->cmd == XM_LIST && opt(p, 'l', NULL);
        a->json = p->cmd == XM_LIST && opt(p, 'J', NULL);
        a->short_format = p->cmd == XM_UPTIME && opt(p, 's', NULL);
        if (a->long_format && a->json)
            return usage_error(p->err, p->cmd, "--long and --json cannot be "
                               "used together");
        take_names(p, a);
        return 0;
    case XM_SHUTDOWN:
        a->wait = opt(p, 'w', NULL);
        a->all = opt(p, 'a', NULL);
        if (a->all && a->domain)
            return usage_error(p->err, p->cmd, "-a and a domain cannot be "
                               "given together");
        if (!a->all && !a->domain)
            return usage_error(p->err, p->cmd, "no domain given (or use -a "
                               "for all)");
        return 0;
    case XM_REBOOT:
        a->wait = opt(p, 'w', NULL);
        return 0;
    case XM_CONSOLE:
        a->quiet = opt(p, 'q', NULL);
        return 0;
    case XM_DMESG:
        a->clear = opt(p, 'c', NULL);
        return 0;
    case XM_MEM_SET:
    case XM_MEM_MAX:
        if (parse_mem(p->pos[1], &mib) < 0)
            return usage_error(p->err, p->cmd, "invalid memory size '%s': "
                               "expected whole MiB, e.g. 512 or 2g",
                               p->pos[1]);
        a->mem_mib = mib;
        return 0;
    case XM_VCPU_SET:
        if (parse_num(p->pos[1], 1, DOMCFG_MAX_VCPUS, &n) < 0)
            return usage_error(p->err, p->cmd, "invalid number of vCPUs "
                               "'%s': expected 1..%d", p->pos[1],
                               DOMCFG_MAX_VCPUS);
        a->vcpus = (unsigned)n;
        return 0;
    case XM_VCPU_PIN: {
        if (strcmp(p->pos[1], "all") == 0)
            a->vcpu = XM_ALL_VCPUS;
        else if (parse_num(p->pos[1], 0, DOMCFG_MAX_VCPUS - 1, &n) == 0)
            a->vcpu = (int)n;
        else
            return usage_error(p->err, p->cmd, "invalid VCPU '%s': expected "
                               "0..%d or all", p->pos[1],
                               DOMCFG_MAX_VCPUS - 1);
        struct cpuset cs;
        char why[128];
        if (cpuset_parse(p->pos[2], &cs, why, sizeof(why)) < 0)
            return usage_error(p->err, p->cmd, "invalid CPU list '%s': %s",
                               p->pos[2], why);
        if (cpuset_count(&cs) == 0)
            return usage_error(p->err, p->cmd, "CPU list '%s' selects no "
                               "CPU", p->pos[2]);
        a->cpus = p->pos[2];
        return 0;
    }
    case XM_DOMNAME:
        a->domain = NULL;
        if (parse_num(p->pos[0], 0, MAX_DOMID, &n) < 0)
            return usage_error(p->err, p->cmd, "invalid domain id '%s': "
                               "expected 0..%d", p->pos[0], MAX_DOMID);
        a->domid = (unsigned)n;
        return 0;
    case XM_RENAME: {
        char why[128];
        if (domcfg_check_name(p->pos[1], why, sizeof(why)) < 0)
            return usage_error(p->err, p->cmd, "invalid new name: %s", why);
        a->new_name = p->pos[1];
        return 0;
    }
    case XM_TOP:
        a->batch = opt(p, 'b', NULL);
        a->delay = XM_TOP_DEFAULT_DELAY;
        if (opt(p, 'i', &v)) {
            if (parse_num(v, 1, 1000000, &n) < 0)
                return usage_error(p->err, p->cmd, "invalid iteration count "
                                   "'%s': expected a number from 1", v);
            a->iterations = (unsigned)n;
        }
        if (opt(p, 'd', &v)) {
            if (parse_num(v, 1, 86400, &n) < 0)
                return usage_error(p->err, p->cmd, "invalid delay '%s': "
                                   "expected 1..86400 seconds", v);
            a->delay = (unsigned)n;
        }
        return 0;
    case XM_SCHED_CREDIT:
        opt(p, 'd', &a->domain);
        if (opt(p, 'w', &v)) {
            if (parse_num(v, 1, 65535, &n) < 0)
                return usage_error(p->err, p->cmd, "invalid weight '%s': "
                                   "expected 1..65535", v);
            a->has_weight = true;
            a->weight = (unsigned)n;
        }
        if (opt(p, 'c', &v)) {
            if (parse_num(v, 0, 100 * DOMCFG_MAX_VCPUS, &n) < 0)
                return usage_error(p->err, p->cmd, "invalid cap '%s': "
                                   "expected 0..%d (0 for no cap)", v,
                                   100 * DOMCFG_MAX_VCPUS);
            a->has_cap = true;
            a->cap = (unsigned)n;
        }
        if ((a->has_weight || a->has_cap) && !a->domain)
            return usage_error(p->err, p->cmd, "-w and -c need a domain "
                               "(-d DOMAIN)");
        return 0;
    case XM_START:
        a->paused = opt(p, 'p', NULL);
        a->console = opt(p, 'c', NULL);
        return 0;
    case XM_SAVE:
        a->file = p->pos[1];
        return 0;
    case XM_RESTORE:
        a->domain = NULL;
        a->file = p->pos[0];
        a->paused = opt(p, 'p', NULL);
        return 0;
    default:
        return 0;
    }
}

int xm_parse_args(int argc, char **argv, struct xm_args *a, struct sbuf *err)
{
    memset(a, 0, sizeof(*a));
    if (argc < 2)
        return usage_error(err, -1, "no subcommand given");

    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0)
        name = "help";
    int c = xm_lookup_command(name);
    if (c < 0)
        return usage_error(err, -1, "Subcommand %s not found!", argv[1]);

    struct parse p = {
        .spec = &xm_cmd_specs[c],
        .cmd = (enum xm_cmd)c,
        .err = err,
        .pos = xcalloc((size_t)argc, sizeof(*p.pos)),
    };
    a->cmd = (enum xm_cmd)c;
    a->cmd_name = p.spec->name;

    int rc = 0;
    bool options_done = false;
    for (int i = 2; i < argc && rc == 0; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && (strcmp(arg, "-h") == 0 ||
                                     strcmp(arg, "--help") == 0)) {
            /* xm CMD --help shows that command's help. */
            a->cmd = XM_HELP;
            a->cmd_name = xm_cmd_specs[XM_HELP].name;
            a->topic = p.spec->name;
            free(p.pos);
            return 0;
        } else if (!options_done && strncmp(arg, "--", 2) == 0) {
            rc = take_long(&p, arg, argc, argv, &i);
        } else if (!options_done && arg[0] == '-' && arg[1]) {
            rc = take_short(&p, arg, argc, argv, &i);
        } else {
            p.pos[p.npos++] = arg;
        }
    }
    if (rc == 0)
        rc = finish(&p, a);
    free(p.pos);
    return rc;
}

void xm_args_free(struct xm_args *a)
{
    free(a->names);
    free(a->vars);
    a->names = NULL;
    a->vars = NULL;
    a->nnames = a->nvars = 0;
}
