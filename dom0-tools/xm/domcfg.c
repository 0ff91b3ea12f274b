/*
 * struct domcfg: its life cycle, comparison and normalised SXP form.
 * Reading lives in domcfg_read.c and domcfg_classic.c.
 */
#include "domcfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../sxp/sxp.h"

static const char *const action_names[] = {
    [DOMCFG_DESTROY] = "destroy",
    [DOMCFG_RESTART] = "restart",
    [DOMCFG_PRESERVE] = "preserve",
    [DOMCFG_RENAME_RESTART] = "rename-restart",
    [DOMCFG_COREDUMP_DESTROY] = "coredump-destroy",
    [DOMCFG_COREDUMP_RESTART] = "coredump-restart",
};

const char *domcfg_action_name(enum domcfg_action a)
{
    return a <= DOMCFG_COREDUMP_RESTART ? action_names[a] : "?";
}

const char *domcfg_type_name(enum domcfg_type t)
{
    return t == DOMCFG_HVM ? "hvm" : "pvh";
}

int domcfg_check_name(const char *s, char *why, size_t len)
{
    if (s[0] == '\0') {
        snprintf(why, len, "must not be empty");
        return -1;
    }
    /* The characters that are safe in file names, xenstore paths and the
     * columns of xm list alike. The message names the first other one,
     * since a blank or a control character is hard to see. */
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        char what[32];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-')
            continue;
        if (ch == ' ')
            snprintf(what, sizeof(what), "a space");
        else if (ch == '\t')
            snprintf(what, sizeof(what), "a tab");
        else if (ch < 0x20 || ch == 0x7f)
            snprintf(what, sizeof(what), "control character 0x%02x", ch);
        else if (ch >= 0x80)
            snprintf(what, sizeof(what), "non-ASCII byte 0x%02x", ch);
        else
            snprintf(what, sizeof(what), "'%c'", ch);
        /* The name itself only when it prints as it is. */
        bool plain = true;
        for (const char *q = s; *q; q++)
            if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
                plain = false;
        if (plain)
            snprintf(why, len, "'%.40s' may only hold letters, digits and "
                     "_ . - (it has %s at character %zu)", s, what,
                     (size_t)(p - s) + 1);
        else
            snprintf(why, len, "the name may only hold letters, digits and "
                     "_ . - (it has %s at character %zu)", what,
                     (size_t)(p - s) + 1);
        return -1;
    }
    if (strcmp(s, "Domain-0") == 0) {
        snprintf(why, len, "'Domain-0' is the name of dom0");
        return -1;
    }
    return 0;
}

void domcfg_init(struct domcfg *c)
{
    memset(c, 0, sizeof(*c));
    c->memory_mib = DOMCFG_DEFAULT_MEMORY_MIB;
    c->vcpus = 1;
    c->maxvcpus = 1;
    c->type = DOMCFG_PVH;
    /* The defaults of classic xend's XendConfig. */
    c->on_poweroff = DOMCFG_DESTROY;
    c->on_reboot = DOMCFG_RESTART;
    c->on_crash = DOMCFG_RESTART;
    c->cpu_weight = DOMCFG_DEFAULT_WEIGHT;
    c->cpu_cap = 0;
}

void domcfg_free(struct domcfg *c)
{
    free(c->name);
    for (size_t i = 0; i < c->ncpus; i++)
        free(c->cpus[i]);
    free(c->cpus);
    free(c->kernel);
    free(c->ramdisk);
    free(c->cmdline);
    memset(c, 0, sizeof(*c));
}

/* Drops every CPU list: no pinning. */
static void drop_cpus(struct domcfg *c)
{
    for (size_t i = 0; i < c->ncpus; i++)
        free(c->cpus[i]);
    free(c->cpus);
    c->cpus = NULL;
    c->ncpus = 0;
    c->cpus_per_vcpu = false;
}

void domcfg_set_affinity(struct domcfg *c, int vcpu, const char *list)
{
    bool any = strcmp(list, "all") == 0;

    if (vcpu < 0) {
        drop_cpus(c);
        if (!any) {
            c->cpus = xmalloc(sizeof(*c->cpus));
            c->cpus[0] = xstrdup(list);
            c->ncpus = 1;
        }
        return;
    }
    if (!c->cpus_per_vcpu) {
        /* One list for every vCPU (or none): spelled out per vCPU. */
        size_t n = c->vcpus > (unsigned)vcpu ? c->vcpus : (size_t)vcpu + 1;
        char **lists = xcalloc(n, sizeof(*lists));

        for (size_t i = 0; i < n; i++)
            lists[i] = xstrdup(c->ncpus ? c->cpus[0] : "all");
        drop_cpus(c);
        c->cpus = lists;
        c->ncpus = n;
        c->cpus_per_vcpu = true;
    } else if ((size_t)vcpu >= c->ncpus) {
        c->cpus = xrealloc(c->cpus, ((size_t)vcpu + 1) * sizeof(*c->cpus));
        while (c->ncpus <= (size_t)vcpu)
            c->cpus[c->ncpus++] = xstrdup("all");
    }
    free(c->cpus[vcpu]);
    c->cpus[vcpu] = xstrdup(list);
    /* The same list for each vCPU (and none beyond them) is one list, or
     * no pinning at all when it is "all". */
    if (c->ncpus < c->vcpus)
        return;
    for (size_t i = 1; i < c->ncpus; i++)
        if (strcmp(c->cpus[i], c->cpus[0]) != 0)
            return;
    char *one = xstrdup(c->cpus[0]);
    domcfg_set_affinity(c, -1, one);
    free(one);
}

static bool str_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool domcfg_equal(const struct domcfg *a, const struct domcfg *b)
{
    if (!str_equal(a->name, b->name) || a->memory_mib != b->memory_mib ||
        a->maxmem_mib != b->maxmem_mib || a->vcpus != b->vcpus ||
        a->maxvcpus != b->maxvcpus ||
        a->ncpus != b->ncpus || a->cpus_per_vcpu != b->cpus_per_vcpu ||
        a->type != b->type || !str_equal(a->kernel, b->kernel) ||
        !str_equal(a->ramdisk, b->ramdisk) ||
        !str_equal(a->cmdline, b->cmdline) ||
        a->on_poweroff != b->on_poweroff || a->on_reboot != b->on_reboot ||
        a->on_crash != b->on_crash || a->cpu_weight != b->cpu_weight ||
        a->cpu_cap != b->cpu_cap)
        return false;
    for (size_t i = 0; i < a->ncpus; i++)
        if (!str_equal(a->cpus[i], b->cpus[i]))
            return false;
    return true;
}

char *domcfg_to_sxp(const struct domcfg *c)
{
    struct sxp_node *vm = sxp_new_list();

    sxp_append(vm, sxp_new_symbol("vm"));
    sxp_add_pair(vm, "name", sxp_new_string(c->name ? c->name : ""));
    sxp_add_pair(vm, "memory", sxp_new_int((int64_t)c->memory_mib));
    sxp_add_pair(vm, "maxmem", sxp_new_int((int64_t)c->maxmem_mib));
    sxp_add_pair(vm, "vcpus", sxp_new_int(c->vcpus));
    /* Only when it says more than vcpus, which it otherwise is. */
    if (c->maxvcpus > c->vcpus)
        sxp_add_pair(vm, "maxvcpus", sxp_new_int(c->maxvcpus));
    if (c->ncpus > 0) {
        if (c->cpus_per_vcpu) {
            struct sxp_node *list = sxp_new_list();
            for (size_t i = 0; i < c->ncpus; i++)
                sxp_append(list, sxp_new_string(c->cpus[i]));
            sxp_add_pair(vm, "cpus", list);
        } else {
            sxp_add_pair(vm, "cpus", sxp_new_string(c->cpus[0]));
        }
    }
    sxp_add_pair(vm, "cpu_weight", sxp_new_int(c->cpu_weight));
    sxp_add_pair(vm, "cpu_cap", sxp_new_int(c->cpu_cap));
    sxp_add_pair(vm, "on_poweroff",
                 sxp_new_symbol(domcfg_action_name(c->on_poweroff)));
    sxp_add_pair(vm, "on_reboot",
                 sxp_new_symbol(domcfg_action_name(c->on_reboot)));
    sxp_add_pair(vm, "on_crash",
                 sxp_new_symbol(domcfg_action_name(c->on_crash)));

    struct sxp_node *boot = sxp_new_list();
    sxp_append(boot, sxp_new_symbol(domcfg_type_name(c->type)));
    sxp_add_pair(boot, "kernel", sxp_new_string(c->kernel ? c->kernel : ""));
    if (c->ramdisk)
        sxp_add_pair(boot, "ramdisk", sxp_new_string(c->ramdisk));
    if (c->cmdline)
        sxp_add_pair(boot, "args", sxp_new_string(c->cmdline));
    sxp_add_pair(vm, "image", boot);

    char *s = sxp_write_str(vm);
    sxp_free(vm);
    return s;
}
