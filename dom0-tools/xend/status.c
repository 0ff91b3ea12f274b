/* Reading a snapshot (status.h): lookups and its JSON form. */
#include "status.h"

#include <stdlib.h>
#include <string.h>

void xstat_free(struct xstat *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->doms[i].config);
    free(s->doms);
    s->doms = NULL;
    s->n = 0;
}

const struct xstat_dom *xstat_find(const struct xstat *s, const char *dom)
{
    char *end;
    long id = strtol(dom, &end, 10);
    bool numeric = *dom >= '0' && *dom <= '9' && !*end;

    /* A name first: a domain may be called "7". */
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->doms[i].d.name, dom) == 0)
            return &s->doms[i];
    for (size_t i = 0; numeric && i < s->n; i++)
        if (s->doms[i].d.domid >= 0 && s->doms[i].d.domid == id)
            return &s->doms[i];
    return NULL;
}

/* Copies one of mica's fixed-size strings, which may lack a NUL. */
static void field(char *out, const char *in, size_t len)
{
    memcpy(out, in, len);
    out[len] = '\0';
}

void xstat_node_json(struct sbuf *sb, const struct xstat *s)
{
    const struct mica_physinfo *pi = &s->pi;
    char hvm[sizeof(pi->hvm) + 1], ver[sizeof(pi->mica_version) + 1];

    field(hvm, pi->hvm, sizeof(pi->hvm));
    field(ver, pi->mica_version, sizeof(pi->mica_version));
    sbuf_puts(sb, "{\"host\": ");
    sbuf_json_string(sb, s->host);
    sbuf_printf(sb, ", \"nr_cpus\": %u, \"dom0_cpus\": %u, \"cpu_mhz\": %u, "
                "\"virt_caps\": ", pi->nr_cpus, pi->dom0_cpus,
                pi->cpu_khz / 1000);
    sbuf_json_string(sb, hvm);
    sbuf_printf(sb, ", \"total_memory\": %llu, \"free_memory\": %llu, "
                "\"dom0_memory\": %llu, \"mica_version\": ",
                (unsigned long long)(pi->total_pages / 256),
                (unsigned long long)(pi->free_pages / 256),
                (unsigned long long)(pi->dom0_pages / 256));
    sbuf_json_string(sb, ver);
    sbuf_printf(sb, ", \"mica_abi\": \"%u.%u\", \"xen_scheduler\": "
                "\"credit\", \"uptime\": %.1f, \"nr_domains\": %zu}\n",
                MICA_CTL_MAJOR(pi->version), pi->version & 0xffff,
                (double)pi->uptime_ns / 1e9, s->n);
}

/* The state letters of xm list: "rbpscd", '-' when clear. */
static void state(unsigned flags, char out[7])
{
    static const char letters[] = "rbpscd";

    for (int i = 0; i < 6; i++)
        out[i] = (flags >> i) & 1 ? letters[i] : '-';
    out[6] = '\0';
}

void xstat_dom_json(struct sbuf *sb, const struct xstat_dom *x,
                    bool with_config)
{
    const struct proto_dom *d = &x->d;
    char st[7];

    state(d->flags, st);
    sbuf_puts(sb, "{\"name\": ");
    sbuf_json_string(sb, d->name);
    if (d->domid < 0)
        sbuf_puts(sb, ", \"domid\": null");
    else
        sbuf_printf(sb, ", \"domid\": %d", d->domid);
    sbuf_printf(sb, ", \"state\": \"%s\", \"memory\": %llu, "
                "\"memory_actual_kib\": %llu, \"maxmem_kib\": %llu, "
                "\"vcpus\": %u, \"cpu_time\": %.3f, ", st,
                (unsigned long long)(d->mem_kib / 1024),
                (unsigned long long)d->cur_kib,
                (unsigned long long)d->max_kib, d->vcpus,
                (double)d->cpu_ns / 1e9);
    if (d->domid < 0)
        sbuf_puts(sb, "\"up_time\": null");
    else
        sbuf_printf(sb, "\"up_time\": %.3f", (double)d->up_ns / 1e9);
    sbuf_printf(sb, ", \"managed\": %s", x->managed ? "true" : "false");
    if (with_config) {
        sbuf_puts(sb, ", \"config\": ");
        if (x->config)
            sbuf_json_string(sb, x->config);
        else
            sbuf_puts(sb, "null");
    }
    sbuf_putc(sb, '}');
}
