#include "cpuset.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void cpuset_clear(struct cpuset *cs)
{
    memset(cs, 0, sizeof(*cs));
}

void cpuset_add(struct cpuset *cs, unsigned cpu)
{
    if (cpu < CPUSET_MAX)
        cs->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

static void del(struct cpuset *cs, unsigned cpu)
{
    if (cpu < CPUSET_MAX)
        cs->bits[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

bool cpuset_has(const struct cpuset *cs, unsigned cpu)
{
    return cpu < CPUSET_MAX && (cs->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct cpuset *cs)
{
    unsigned n = 0;

    for (unsigned i = 0; i < CPUSET_MAX; i++)
        n += cpuset_has(cs, i);
    return n;
}

bool cpuset_equal(const struct cpuset *a, const struct cpuset *b)
{
    return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

bool cpuset_covers(const struct cpuset *cs, unsigned nr_cpus)
{
    for (unsigned i = 0; i < nr_cpus && i < CPUSET_MAX; i++)
        if (!cpuset_has(cs, i))
            return false;
    return nr_cpus > 0;
}

/* Reads a CPU number at *p; returns -1 when there is none. */
static long read_cpu(const char **p)
{
    const char *s = *p;
    long v = 0;

    if (!isdigit((unsigned char)*s))
        return -1;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s - '0');
        if (v > 1000000)
            v = 1000000;   /* Large enough to be reported as out of range. */
        s++;
    }
    *p = s;
    return v;
}

static void skip_spaces(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

int cpuset_parse(const char *text, struct cpuset *out, char *why,
                 size_t whylen)
{
    const char *p = text;

    cpuset_clear(out);
    skip_spaces(&p);
    if (*p == '\0') {
        snprintf(why, whylen, "the list is empty");
        return -1;
    }
    for (;;) {
        skip_spaces(&p);
        bool exclude = false;
        if (*p == '^') {
            exclude = true;
            p++;
        }
        long lo, hi;
        if (!exclude && strncmp(p, "all", 3) == 0) {
            lo = 0;
            hi = CPUSET_MAX - 1;
            p += 3;
        } else {
            const char *num = p;
            lo = read_cpu(&p);
            if (lo < 0) {
                if (*p == '\0' || *p == ',')
                    snprintf(why, whylen, "an item is empty");
                else if (*p > 0x20 && *p < 0x7f)
                    snprintf(why, whylen, "expected a CPU number at '%c'",
                             *p);
                else
                    snprintf(why, whylen, "expected a CPU number at byte "
                             "0x%02x", (unsigned char)*p);
                return -1;
            }
            hi = lo;
            skip_spaces(&p);
            if (*p == '-') {
                p++;
                skip_spaces(&p);
                num = p;
                hi = read_cpu(&p);
                if (hi < 0) {
                    snprintf(why, whylen, "range %ld- has no end", lo);
                    return -1;
                }
                if (hi < lo) {
                    snprintf(why, whylen, "range %ld-%ld runs backwards",
                             lo, hi);
                    return -1;
                }
            }
            if (hi >= CPUSET_MAX) {
                /* Quote the digits as written: the value may have been
                 * clipped while reading. */
                int len = 0;
                while (num[len] >= '0' && num[len] <= '9')
                    len++;
                snprintf(why, whylen, "CPU %.*s is out of range (0..%d)",
                         len > 20 ? 20 : len, num, CPUSET_MAX - 1);
                return -1;
            }
        }
        for (long c = lo; c <= hi; c++) {
            if (exclude)
                del(out, (unsigned)c);
            else
                cpuset_add(out, (unsigned)c);
        }
        skip_spaces(&p);
        if (*p == '\0')
            return 0;
        if (*p != ',') {
            if (*p > 0x20 && *p < 0x7f)
                snprintf(why, whylen, "unexpected '%c'", *p);
            else
                snprintf(why, whylen, "unexpected byte 0x%02x",
                         (unsigned char)*p);
            return -1;
        }
        p++;
    }
}

void cpuset_format(const struct cpuset *cs, struct sbuf *sb)
{
    bool first = true;

    for (unsigned i = 0; i < CPUSET_MAX; i++) {
        if (!cpuset_has(cs, i))
            continue;
        unsigned j = i;
        while (j + 1 < CPUSET_MAX && cpuset_has(cs, j + 1))
            j++;
        sbuf_printf(sb, first ? "%u" : ",%u", i);
        if (j > i)
            sbuf_printf(sb, "-%u", j);
        first = false;
        i = j;
    }
}
