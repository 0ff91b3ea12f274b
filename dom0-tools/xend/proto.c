/*
 * The lines xend sends and xm reads (proto.h). Writing and reading live
 * together so that the two sides cannot drift apart; the unit tests
 * read back what is written.
 */
#include "proto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 12

/* A name as the last field: tabs and newlines would split the line, so
 * they become '?' (no name that mica or xend accepts holds them). */
static void put_name(struct sbuf *sb, const char *name)
{
    for (const char *p = name; *p; p++)
        sbuf_putc(sb, *p == '\t' || *p == '\n' || *p == '\r' ? '?' : *p);
    sbuf_putc(sb, '\n');
}

static void put_domid(struct sbuf *sb, int domid)
{
    if (domid < 0)
        sbuf_puts(sb, "-\t");
    else
        sbuf_printf(sb, "%d\t", domid);
}

/*
 * Splits a copy of line at tabs into f[]; the last field runs to the end
 * of the line (without its newline). Returns the number of fields, or -1
 * when it is not exactly want.
 */
static int split(const char *line, char *buf, size_t len, char **f,
                 int want)
{
    size_t n = strcspn(line, "\n");
    int k = 0;

    if (n >= len)
        return -1;
    memcpy(buf, line, n);
    buf[n] = '\0';
    f[k++] = buf;
    for (char *p = buf; *p && k < want; p++) {
        if (*p == '\t') {
            *p = '\0';
            f[k++] = p + 1;
        }
    }
    return k == want ? k : -1;
}

static bool get_u64(const char *s, uint64_t *out)
{
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

static bool get_uint(const char *s, unsigned *out)
{
    uint64_t v;

    if (!get_u64(s, &v) || v > 0xffffffffu)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool get_domid(const char *s, int *out)
{
    unsigned v;

    if (strcmp(s, "-") == 0) {
        *out = -1;
        return true;
    }
    if (!get_uint(s, &v) || v > 0xffff)
        return false;
    *out = (int)v;
    return true;
}

/* A scheduler value: a number, or "-" for one mica did not give. */
static bool get_long(const char *s, long *out)
{
    unsigned v;

    if (strcmp(s, "-") == 0) {
        *out = -1;
        return true;
    }
    if (!get_uint(s, &v))
        return false;
    *out = (long)v;
    return true;
}

static bool get_name(const char *s, char *out)
{
    size_t n = strlen(s);

    if (n == 0 || n >= PROTO_NAME_MAX)
        return false;
    memcpy(out, s, n + 1);
    return true;
}

void proto_put_dom(struct sbuf *sb, const struct proto_dom *d)
{
    put_domid(sb, d->domid);
    sbuf_printf(sb, "%u\t%llu\t%llu\t%llu\t%u\t%llu\t%llu\t", d->flags,
                (unsigned long long)d->mem_kib,
                (unsigned long long)d->cur_kib,
                (unsigned long long)d->max_kib, d->vcpus,
                (unsigned long long)d->cpu_ns, (unsigned long long)d->up_ns);
    put_name(sb, d->name);
}

int proto_get_dom(const char *line, struct proto_dom *d)
{
    char buf[512], *f[MAX_FIELDS];

    memset(d, 0, sizeof(*d));
    if (split(line, buf, sizeof(buf), f, 9) < 0)
        return -1;
    return get_domid(f[0], &d->domid) && get_uint(f[1], &d->flags) &&
           get_u64(f[2], &d->mem_kib) && get_u64(f[3], &d->cur_kib) &&
           get_u64(f[4], &d->max_kib) && get_uint(f[5], &d->vcpus) &&
           get_u64(f[6], &d->cpu_ns) && get_u64(f[7], &d->up_ns) &&
           get_name(f[8], d->name) ? 0 : -1;
}

void proto_put_node(struct sbuf *sb, const struct proto_node *n)
{
    sbuf_printf(sb, "node\t%u\t%u\t%u\t%llu\t%llu\t", n->nr_cpus,
                n->dom0_cpus, n->cpu_mhz, (unsigned long long)n->total_kib,
                (unsigned long long)n->free_kib);
    put_name(sb, n->version);
}

int proto_get_node(const char *line, struct proto_node *n)
{
    char buf[512], *f[MAX_FIELDS];

    memset(n, 0, sizeof(*n));
    if (split(line, buf, sizeof(buf), f, 7) < 0 || strcmp(f[0], "node") != 0)
        return -1;
    if (!get_uint(f[1], &n->nr_cpus) || !get_uint(f[2], &n->dom0_cpus) ||
        !get_uint(f[3], &n->cpu_mhz) || !get_u64(f[4], &n->total_kib) ||
        !get_u64(f[5], &n->free_kib) || strlen(f[6]) >= sizeof(n->version))
        return -1;
    strcpy(n->version, f[6]);
    return 0;
}

void proto_put_vcpu(struct sbuf *sb, const struct proto_vcpu *v)
{
    put_domid(sb, v->domid);
    sbuf_printf(sb, "%u\t%u\t%u\t%llu\t%llx\t", v->vcpu, v->cpu, v->flags,
                (unsigned long long)v->cpu_ns,
                (unsigned long long)v->affinity);
    put_name(sb, v->name);
}

int proto_get_vcpu(const char *line, struct proto_vcpu *v)
{
    char buf[512], *f[MAX_FIELDS], *end;

    memset(v, 0, sizeof(*v));
    if (split(line, buf, sizeof(buf), f, 7) < 0)
        return -1;
    if (!get_domid(f[0], &v->domid) ||
        !get_uint(f[1], &v->vcpu) || !get_uint(f[2], &v->cpu) ||
        !get_uint(f[3], &v->flags) || !get_u64(f[4], &v->cpu_ns) ||
        !get_name(f[6], v->name))
        return -1;
    if (!*f[5] || strspn(f[5], "0123456789abcdef") != strlen(f[5]) ||
        strlen(f[5]) > 16)
        return -1;
    v->affinity = strtoull(f[5], &end, 16);
    return 0;
}

void proto_put_sched(struct sbuf *sb, const struct proto_sched *s)
{
    put_domid(sb, s->domid);
    if (s->weight < 0)
        sbuf_puts(sb, "-\t");
    else
        sbuf_printf(sb, "%ld\t", s->weight);
    if (s->cap < 0)
        sbuf_puts(sb, "-\t");
    else
        sbuf_printf(sb, "%ld\t", s->cap);
    put_name(sb, s->name);
}

int proto_get_sched(const char *line, struct proto_sched *s)
{
    char buf[512], *f[MAX_FIELDS];

    memset(s, 0, sizeof(*s));
    if (split(line, buf, sizeof(buf), f, 4) < 0)
        return -1;
    return get_domid(f[0], &s->domid) && get_long(f[1], &s->weight) &&
           get_long(f[2], &s->cap) && get_name(f[3], s->name) ? 0 : -1;
}
