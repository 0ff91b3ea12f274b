/*
 * Reading a domain configuration: one table of keys for both forms.
 *
 * Each form is first turned into (key value) pairs that keep their source
 * positions: domcfg_classic.c does that for the classic form, and for SXP
 * the pairs are already there inside (vm ...) and (image (pvh ...)). One
 * set of handlers then checks and stores every value, which is what makes
 * the two forms mean exactly the same. Checks that involve several keys
 * (maxmem against memory, cpu_cap against vcpus) run once at the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg.h"
#include "domcfg_int.h"
#include "../common/cpuset.h"
#include "../common/readfile.h"
#include "../common/sbuf.h"
#include "../common/xalloc.h"
#include "../sxp/sxp.h"

enum slot {
    S_NAME, S_MEMORY, S_MAXMEM, S_VCPUS, S_MAXVCPUS, S_CPUS, S_KERNEL,
    S_RAMDISK, S_CMDLINE, S_EXTRA, S_ROOT, S_TYPE, S_ON_POWEROFF, S_ON_REBOOT,
    S_ON_CRASH, S_WEIGHT, S_CAP, NSLOTS
};

/* Where a key may be written. */
#define IN_CFG 1u   /* The classic form, and xm create's overrides. */
#define IN_VM 2u    /* Directly inside (vm ...). */
#define IN_IMG 4u   /* Inside (image (pvh ...)). */

struct key {
    const char *name;
    enum slot slot;
    unsigned where;
};

/* extra and args are the same setting under xm's and xend's names, as are
 * type and builder. */
static const struct key keys[] = {
    { "name", S_NAME, IN_CFG | IN_VM },
    { "memory", S_MEMORY, IN_CFG | IN_VM },
    { "maxmem", S_MAXMEM, IN_CFG | IN_VM },
    { "vcpus", S_VCPUS, IN_CFG | IN_VM },
    { "maxvcpus", S_MAXVCPUS, IN_CFG | IN_VM },
    { "cpus", S_CPUS, IN_CFG | IN_VM },
    { "kernel", S_KERNEL, IN_CFG | IN_IMG },
    { "ramdisk", S_RAMDISK, IN_CFG | IN_IMG },
    { "cmdline", S_CMDLINE, IN_CFG },
    { "extra", S_EXTRA, IN_CFG },
    { "args", S_EXTRA, IN_IMG },
    { "root", S_ROOT, IN_CFG | IN_IMG },
    { "type", S_TYPE, IN_CFG },
    { "builder", S_TYPE, IN_CFG },
    { "on_poweroff", S_ON_POWEROFF, IN_CFG | IN_VM },
    { "on_reboot", S_ON_REBOOT, IN_CFG | IN_VM },
    { "on_crash", S_ON_CRASH, IN_CFG | IN_VM },
    { "cpu_weight", S_WEIGHT, IN_CFG | IN_VM },
    { "cpu_cap", S_CAP, IN_CFG | IN_VM },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct reader {
    struct domcfg *c;
    struct diag *d;
    const char *file;
    /* Position for "missing key" errors: the (vm ...) form, or 1:1. */
    int where_line, where_col;
    /* The key and value nodes that set each slot, for repeats and for the
     * checks at the end. */
    const struct sxp_node *key_at[NSLOTS];
    const struct sxp_node *val_at[NSLOTS];
    /* Pieces of the command line, joined at the end. */
    char *cmdline, *extra, *root;
};

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static void replace(char **slot, const char *value)
{
    free(*slot);
    *slot = value ? xstrdup(value) : NULL;
}

static void report(struct reader *r, const struct sxp_node *at,
                   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void report(struct reader *r, const struct sxp_node *at,
                   const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diag_error(r->d, at->file, at->line, at->column, "%s", msg);
}

static int set_name(struct reader *r, const struct sxp_node *v)
{
    const char *s;
    char why[128];

    if (sxp_get_text(v, "name", &s, r->d) < 0)
        return -1;
    if (domcfg_check_name(s, why, sizeof(why)) < 0) {
        report(r, v, "name: %s", why);
        return -1;
    }
    replace(&r->c->name, s);
    return 0;
}

static int set_path(struct reader *r, const char *what,
                    const struct sxp_node *v, char **slot, bool may_be_empty)
{
    const char *s;

    if (sxp_get_text(v, what, &s, r->d) < 0)
        return -1;
    if (s[0] == '\0' && !may_be_empty) {
        report(r, v, "%s: must not be empty", what);
        return -1;
    }
    /* An empty ramdisk means none, as xm read ramdisk = "". */
    replace(slot, s[0] ? s : NULL);
    return 0;
}

static int set_action(struct reader *r, const char *what,
                      const struct sxp_node *v, enum domcfg_action *out)
{
    if (sxp_is_text(v)) {
        for (int a = DOMCFG_DESTROY; a <= DOMCFG_COREDUMP_RESTART; a++) {
            if (strcmp(v->text, domcfg_action_name(a)) == 0) {
                *out = (enum domcfg_action)a;
                return 0;
            }
        }
    }
    char got[64];
    sxp_describe(v, got, sizeof(got));
    report(r, v, "%s: expected one of destroy, restart, preserve, "
           "rename-restart, coredump-destroy, coredump-restart, got %s",
           what, got);
    return -1;
}

static int set_type(struct reader *r, const char *what,
                    const struct sxp_node *v)
{
    const char *s;

    if (sxp_get_text(v, what, &s, r->d) < 0)
        return -1;
    /* xm's builders were 'linux' (a paravirtualised kernel) and 'hvm';
     * mica boots every kernel through PVH, so the first means pvh. */
    if (strcmp(s, "pvh") == 0 || strcmp(s, "linux") == 0 ||
        strcmp(s, "generic") == 0) {
        r->c->type = DOMCFG_PVH;
    } else if (strcmp(s, "pv") == 0) {
        diag_warn(r->d, v->file, v->line, v->column,
                  "%s: mica has no classic PV mode; 'pv' runs as 'pvh'",
                  what);
        r->c->type = DOMCFG_PVH;
    } else if (strcmp(s, "hvm") == 0) {
        r->c->type = DOMCFG_HVM;
    } else {
        char got[64];
        sxp_describe(v, got, sizeof(got));
        report(r, v, "%s: expected one of pvh, hvm, linux, generic, pv, "
               "got %s", what, got);
        return -1;
    }
    return 0;
}

/* Parses one CPU list (text, or a lone CPU number) into normalised form. */
static char *cpu_list(struct reader *r, const struct sxp_node *v)
{
    char text[32], why[128];
    const char *s;

    if (v->type == SXP_NUMBER && !v->is_float) {
        snprintf(text, sizeof(text), "%lld", (long long)v->ival);
        s = text;
    } else if (sxp_is_text(v)) {
        s = v->text;
    } else {
        char got[64];
        sxp_describe(v, got, sizeof(got));
        report(r, v, "cpus: expected a CPU list such as \"0-3,5\", got %s",
               got);
        return NULL;
    }

    struct cpuset cs;
    if (cpuset_parse(s, &cs, why, sizeof(why)) < 0) {
        report(r, v, "cpus: bad CPU list '%.40s': %s", s, why);
        return NULL;
    }
    unsigned n = cpuset_count(&cs);
    if (n == 0) {
        report(r, v, "cpus: '%.40s' selects no CPU", s);
        return NULL;
    }
    if (n == CPUSET_MAX)
        return xstrdup("all");
    struct sbuf sb = SBUF_INIT;
    cpuset_format(&cs, &sb);
    return sbuf_detach(&sb);
}

static void clear_cpus(struct domcfg *c)
{
    for (size_t i = 0; i < c->ncpus; i++)
        free(c->cpus[i]);
    free(c->cpus);
    c->cpus = NULL;
    c->ncpus = 0;
    c->cpus_per_vcpu = false;
}

static int set_cpus(struct reader *r, const struct sxp_node *v)
{
    struct domcfg *c = r->c;

    clear_cpus(c);
    if (v->type != SXP_LIST) {
        char *one = cpu_list(r, v);
        if (!one)
            return -1;
        /* "all" for every vCPU is simply no pinning. */
        if (strcmp(one, "all") == 0) {
            free(one);
            return 0;
        }
        c->cpus = xmalloc(sizeof(*c->cpus));
        c->cpus[0] = one;
        c->ncpus = 1;
        return 0;
    }
    /* A list pins vCPU i to its i-th entry, as in xm. */
    if (v->count == 0)
        return 0;
    char **lists = xcalloc(v->count, sizeof(*lists));
    for (size_t i = 0; i < v->count; i++) {
        lists[i] = cpu_list(r, v->items[i]);
        if (!lists[i]) {
            for (size_t j = 0; j < i; j++)
                free(lists[j]);
            free(lists);
            return -1;
        }
    }
    c->cpus = lists;
    c->ncpus = v->count;
    c->cpus_per_vcpu = true;
    return 0;
}

static int set_uint(struct reader *r, const char *what,
                    const struct sxp_node *v, int64_t min, int64_t max,
                    int64_t *out)
{
    return sxp_get_int(v, what, min, max, out, r->d);
}

/* Stores one value; returns -1 after reporting a bad one. */
static int apply(struct reader *r, const struct key *k,
                 const struct sxp_node *v)
{
    struct domcfg *c = r->c;
    const char *s;
    int64_t n;

    switch (k->slot) {
    case S_NAME:
        return set_name(r, v);
    case S_MEMORY:
        if (set_uint(r, "memory", v, 1, (int64_t)DOMCFG_MAX_MEMORY_MIB,
                     &n) < 0)
            return -1;
        c->memory_mib = (uint64_t)n;
        return 0;
    case S_MAXMEM:
        if (set_uint(r, "maxmem", v, 1, (int64_t)DOMCFG_MAX_MEMORY_MIB,
                     &n) < 0)
            return -1;
        c->maxmem_mib = (uint64_t)n;
        return 0;
    case S_VCPUS:
        if (set_uint(r, "vcpus", v, 1, DOMCFG_MAX_VCPUS, &n) < 0)
            return -1;
        c->vcpus = (unsigned)n;
        return 0;
    case S_MAXVCPUS:
        if (set_uint(r, "maxvcpus", v, 1, DOMCFG_MAX_VCPUS, &n) < 0)
            return -1;
        c->maxvcpus = (unsigned)n;
        return 0;
    case S_CPUS:
        return set_cpus(r, v);
    case S_KERNEL:
        return set_path(r, "kernel", v, &c->kernel, false);
    case S_RAMDISK:
        return set_path(r, "ramdisk", v, &c->ramdisk, true);
    case S_CMDLINE:
    case S_EXTRA:
    case S_ROOT:
        if (sxp_get_text(v, k->name, &s, r->d) < 0)
            return -1;
        replace(k->slot == S_CMDLINE ? &r->cmdline :
                k->slot == S_EXTRA ? &r->extra : &r->root, s);
        return 0;
    case S_TYPE:
        return set_type(r, k->name, v);
    case S_ON_POWEROFF:
        return set_action(r, k->name, v, &c->on_poweroff);
    case S_ON_REBOOT:
        return set_action(r, k->name, v, &c->on_reboot);
    case S_ON_CRASH:
        return set_action(r, k->name, v, &c->on_crash);
    case S_WEIGHT:
        if (set_uint(r, "cpu_weight", v, 1, 65535, &n) < 0)
            return -1;
        c->cpu_weight = (unsigned)n;
        return 0;
    case S_CAP:
        /* The bound that depends on vcpus is checked at the end. */
        if (set_uint(r, "cpu_cap", v, 0, 100 * DOMCFG_MAX_VCPUS, &n) < 0)
            return -1;
        c->cpu_cap = (unsigned)n;
        return 0;
    case NSLOTS:
        break;
    }
    return -1;
}

/*
 * Takes one (key value) pair written in scope `where`. Overrides replace
 * earlier values; a key repeated inside one file is an error, because the
 * two forms would disagree on which one wins (xend took the first, Python
 * the last).
 */
static void take_pair(struct reader *r, const struct sxp_node *pair,
                      unsigned where, bool override, const char *container)
{
    const char *name = sxp_head(pair);
    char got[64];

    if (!name) {
        sxp_describe(pair, got, sizeof(got));
        report(r, pair, "expected (key value) in (%s ...), got %s",
               container, got);
        return;
    }
    const struct sxp_node *keynode = pair->items[0];
    const struct key *k = find_key(name);
    if (!k || !(k->where & where)) {
        if (k && where == IN_VM && (k->where & IN_IMG))
            diag_warn(r->d, keynode->file, keynode->line, keynode->column,
                      "'%s' belongs inside (image (pvh ...)); ignored", name);
        else if (k && where == IN_IMG)
            diag_warn(r->d, keynode->file, keynode->line, keynode->column,
                      "'%s' belongs in (vm ...), not in the image; ignored",
                      name);
        else
            diag_warn(r->d, keynode->file, keynode->line, keynode->column,
                      "unknown key '%s'; ignored", name);
        return;
    }
    if (pair->count != 2) {
        report(r, pair, "%s: expected one value, got %zu", name,
               pair->count - 1);
        return;
    }
    const struct sxp_node *prev = r->key_at[k->slot];
    if (prev && !override) {
        report(r, keynode, "%s is already set at %d:%d", name, prev->line,
               prev->column);
        return;
    }
    if (apply(r, k, pair->items[1]) == 0) {
        r->key_at[k->slot] = keynode;
        r->val_at[k->slot] = pair->items[1];
    }
}

static void read_image(struct reader *r, const struct sxp_node *image)
{
    char got[64];

    if (image->count != 2) {
        report(r, image, "image: expected one (pvh ...) or (hvm ...) "
               "inside, got %zu items", image->count - 1);
        return;
    }
    if (!sxp_head(image->items[1])) {
        sxp_describe(image->items[1], got, sizeof(got));
        report(r, image->items[1], "image: expected (pvh ...) or "
               "(hvm ...), got %s", got);
        return;
    }
    const struct sxp_node *boot = image->items[1];
    const struct sxp_node *head = boot->items[0];
    if (r->key_at[S_TYPE]) {
        report(r, image, "image is already set at %d:%d",
               r->key_at[S_TYPE]->line, r->key_at[S_TYPE]->column);
        return;
    }
    if (set_type(r, "image", head) == 0)
        r->key_at[S_TYPE] = head;
    for (size_t i = 1; i < boot->count; i++)
        take_pair(r, boot->items[i], IN_IMG, false, head->text);
}

static void read_sxp_form(struct reader *r, const struct sxp_node *doc)
{
    char got[64];

    if (doc->count == 0) {
        report(r, doc, "expected (vm ...), got nothing");
        return;
    }
    const struct sxp_node *vm = doc->items[0];
    const char *head = sxp_head(vm);
    if (!head || (strcmp(head, "vm") != 0 && strcmp(head, "domain") != 0)) {
        sxp_describe(vm, got, sizeof(got));
        if (head)
            report(r, vm, "expected (vm ...), got (%.40s ...)", head);
        else
            report(r, vm, "expected (vm ...), got %s", got);
        return;
    }
    if (doc->count > 1) {
        report(r, doc->items[1], "expected one (vm ...) per file; this is "
               "a second expression");
        return;
    }
    r->where_line = vm->line;
    r->where_col = vm->column;
    for (size_t i = 1; i < vm->count; i++) {
        const struct sxp_node *item = vm->items[i];
        const char *name = sxp_head(item);
        if (name && strcmp(name, "image") == 0)
            read_image(r, item);
        else
            take_pair(r, item, IN_VM, false, head);
    }
}

static void take_override(struct reader *r, const char *arg,
                          struct sxp_node *holder)
{
    const char *eq = strchr(arg, '=');
    struct sxp_node *pair = sxp_new_list();

    pair->file = holder->file;
    pair->line = 1;
    pair->column = 1;
    if (!eq || eq == arg) {
        report(r, pair, "expected key=value, got '%.40s'", arg);
        sxp_free(pair);
        return;
    }
    char *key = xstrndup(arg, (size_t)(eq - arg));
    struct sxp_node *k = sxp_new_symbol(key);
    struct sxp_node *v = sxp_new_string(eq + 1);
    free(key);
    k->file = v->file = holder->file;
    k->line = v->line = 1;
    k->column = 1;
    v->column = (int)(eq - arg) + 2;
    sxp_append(pair, k);
    sxp_append(pair, v);
    /* The pair must outlive this call: the reader keeps pointers to it. */
    sxp_append(holder, pair);
    take_pair(r, pair, IN_CFG, true, "command line");
}

/* Joins root, cmdline and extra the way xm did: "root=R ARGS". */
static void finish_cmdline(struct reader *r)
{
    const char *args = r->cmdline ? r->cmdline : r->extra;
    struct sbuf sb = SBUF_INIT;

    if (r->cmdline && r->extra) {
        const struct sxp_node *at = r->key_at[S_EXTRA];
        diag_warn(r->d, at->file, at->line, at->column,
                  "both cmdline and extra are set; extra is ignored");
    }
    if (r->root && r->root[0]) {
        const char *root = r->root;
        if (strncmp(root, "root=", 5) == 0)
            root += 5;
        sbuf_printf(&sb, "root=%s", root);
    }
    if (args && args[0]) {
        if (sb.len)
            sbuf_putc(&sb, ' ');
        sbuf_puts(&sb, args);
    }
    replace(&r->c->cmdline, sb.len ? sbuf_str(&sb) : NULL);
    sbuf_free(&sb);
}

static void validate(struct reader *r)
{
    struct domcfg *c = r->c;

    if (!c->name)
        diag_error(r->d, r->file, r->where_line, r->where_col,
                   "missing required key 'name'");
    if (!c->kernel)
        diag_error(r->d, r->file, r->where_line, r->where_col,
                   "missing required key 'kernel'");
    if (!r->key_at[S_MAXMEM]) {
        c->maxmem_mib = c->memory_mib;
    } else if (c->maxmem_mib < c->memory_mib) {
        report(r, r->val_at[S_MAXMEM], "maxmem: %llu MiB is less than "
               "memory (%llu MiB)", (unsigned long long)c->maxmem_mib,
               (unsigned long long)c->memory_mib);
    }
    if (!r->key_at[S_MAXVCPUS]) {
        c->maxvcpus = c->vcpus;
    } else if (c->maxvcpus < c->vcpus) {
        report(r, r->val_at[S_MAXVCPUS], "maxvcpus: %u is less than vcpus "
               "(%u)", c->maxvcpus, c->vcpus);
    }
    if (c->cpu_cap > 100 * c->vcpus) {
        report(r, r->val_at[S_CAP], "cpu_cap: expected 0..%u (100 per vCPU, "
               "0 for no cap), got %u", 100 * c->vcpus, c->cpu_cap);
    }
    if (c->cpus_per_vcpu && c->ncpus > c->maxvcpus &&
        c->maxvcpus >= c->vcpus) {
        const struct sxp_node *at = r->val_at[S_CPUS];
        diag_warn(r->d, at->file, at->line, at->column,
                  "cpus lists %zu vCPUs but the domain has %u; the rest "
                  "are ignored", c->ncpus, c->maxvcpus);
    }
    finish_cmdline(r);
}

int domcfg_parse(const char *text, size_t len, const char *file,
                 const char *const *overrides, size_t noverrides,
                 struct domcfg *c, struct diag *d)
{
    size_t errors_before = d->errors;
    bool sxp = domcfg_looks_like_sxp(text, len);
    struct sxp_node *doc = sxp ? sxp_parse(text, len, file, d)
                               : domcfg_classic_parse(text, len, file, d);

    domcfg_init(c);
    if (!doc)
        return -1;

    struct reader r = {
        .c = c, .d = d, .file = doc->file, .where_line = 1, .where_col = 1,
    };
    if (sxp) {
        read_sxp_form(&r, doc);
    } else {
        for (size_t i = 0; i < doc->count; i++)
            take_pair(&r, doc->items[i], IN_CFG, false, "file");
    }

    struct sxp_node *cli = sxp_new_list();
    cli->owned_file = xstrdup("<command line>");
    cli->file = cli->owned_file;
    for (size_t i = 0; i < noverrides; i++)
        take_override(&r, overrides[i], cli);

    if (d->errors == errors_before)
        validate(&r);
    free(r.cmdline);
    free(r.extra);
    free(r.root);
    sxp_free(cli);
    sxp_free(doc);
    return d->errors > errors_before ? -1 : 0;
}

int domcfg_load(const char *path, const char *const *overrides,
                size_t noverrides, struct domcfg *c, struct diag *d)
{
    char *buf;
    size_t len;
    int err = read_whole_file(path, &buf, &len);

    if (err < 0) {
        domcfg_init(c);
        diag_error(d, path, 0, 0, "cannot read: %s", strerror(-err));
        return -1;
    }
    int rc = domcfg_parse(buf, len, path, overrides, noverrides, c, d);
    free(buf);
    return rc;
}
