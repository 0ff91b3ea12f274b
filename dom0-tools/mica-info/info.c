/*
 * mica-info's report. The host block follows xm info ("%-23s: value",
 * memory in MiB, cpu_mhz), the domain list is xm list's own formatter, so
 * the text reads like the xm commands it stands in for until xm exists.
 */
#include "info.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/xalloc.h"
#include "../xm/format.h"

/* mica's state flags are xm's letters in xm's order (ctl.h), so the low
 * six bits pass straight to the formatter. */
_Static_assert(MICA_DOMF_running == XM_STATE_RUNNING &&
               MICA_DOMF_blocked == XM_STATE_BLOCKED &&
               MICA_DOMF_paused == XM_STATE_PAUSED &&
               MICA_DOMF_shutdown == XM_STATE_SHUTDOWN &&
               MICA_DOMF_crashed == XM_STATE_CRASHED &&
               MICA_DOMF_dying == XM_STATE_DYING,
               "mica's domain flags must match xm's state letters");
#define STATE_MASK 0x3fu

#define PAGES_PER_MIB 256u     /* 4 KiB pages */

/* mica's fixed-size strings need not end in a NUL when full. */
#define COPY_FIELD(dst, src) do {                                   \
        _Static_assert(sizeof(dst) > sizeof(src), "room for NUL");  \
        memcpy((dst), (src), sizeof(src));                          \
        (dst)[sizeof(src)] = '\0';                                  \
    } while (0)

static void host_line(struct sbuf *sb, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void host_line(struct sbuf *sb, const char *key, const char *fmt, ...)
{
    va_list ap;

    sbuf_printf(sb, "%-23s: ", key);
    va_start(ap, fmt);
    sbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    sbuf_putc(sb, '\n');
}

/* "[N day[s], ]H:MM:SS", as xm uptime prints a domain's. */
static void uptime_string(char *buf, size_t len, uint64_t ns)
{
    uint64_t s = ns / 1000000000u;
    uint64_t days = s / 86400;
    int n = 0;

    if (days > 0)
        n = snprintf(buf, len, "%llu day%s, ", (unsigned long long)days,
                     days > 1 ? "s" : "");
    snprintf(buf + n, len - (size_t)n, "%llu:%02llu:%02llu",
             (unsigned long long)(s % 86400 / 3600),
             (unsigned long long)(s % 3600 / 60),
             (unsigned long long)(s % 60));
}

void mica_info_host(struct sbuf *sb, const struct mica_physinfo *pi)
{
    char version[sizeof(pi->mica_version) + 1], hvm[sizeof(pi->hvm) + 1];
    char up[64];

    COPY_FIELD(version, pi->mica_version);
    COPY_FIELD(hvm, pi->hvm);
    uptime_string(up, sizeof(up), pi->uptime_ns);
    host_line(sb, "mica_version", "%s", version);
    host_line(sb, "mica_abi", "%u.%u", MICA_CTL_MAJOR(pi->version),
              pi->version & 0xffffu);
    host_line(sb, "hvm", "%s", hvm);
    host_line(sb, "nr_cpus", "%u", pi->nr_cpus);
    host_line(sb, "dom0_cpus", "%u", pi->dom0_cpus);
    host_line(sb, "cpu_mhz", "%u", pi->cpu_khz / 1000);
    host_line(sb, "total_memory", "%llu",
              (unsigned long long)(pi->total_pages / PAGES_PER_MIB));
    host_line(sb, "free_memory", "%llu",
              (unsigned long long)(pi->free_pages / PAGES_PER_MIB));
    host_line(sb, "dom0_memory", "%llu",
              (unsigned long long)(pi->dom0_pages / PAGES_PER_MIB));
    host_line(sb, "uptime", "%s", up);
}

/* xm's view of one domain; name must hold MICA_NAME_MAX + 1 bytes. */
static struct xm_dominfo to_xm(const struct mica_domain_info *d,
                               uint64_t uptime_ns, char *name)
{
    struct xm_dominfo x;

    memcpy(name, d->name, MICA_NAME_MAX);
    name[MICA_NAME_MAX] = '\0';
    if (name[0] == '\0')        /* mica names every domain; be safe */
        snprintf(name, MICA_NAME_MAX + 1, "Domain-%u", d->domid);
    x.name = name;
    x.domid = d->domid;
    x.mem_mib = d->tot_pages / PAGES_PER_MIB;
    x.vcpus = d->nr_vcpus;
    x.state = d->flags & STATE_MASK;
    x.cpu_time = (double)d->cpu_time_ns / 1e9;
    x.up_time = uptime_ns > d->created_ns ?
                (double)(uptime_ns - d->created_ns) / 1e9 : 0.0;
    return x;
}

void mica_info_domains(struct sbuf *sb, const struct mica_domain_info *d,
                       size_t n, uint64_t uptime_ns)
{
    xm_list_header(sb);
    for (size_t i = 0; i < n; i++) {
        char name[MICA_NAME_MAX + 1];
        struct xm_dominfo x = to_xm(&d[i], uptime_ns, name);

        xm_list_row(sb, &x);
    }
}

static void json_host(struct sbuf *sb, const struct mica_physinfo *pi)
{
    char version[sizeof(pi->mica_version) + 1], hvm[sizeof(pi->hvm) + 1];

    COPY_FIELD(version, pi->mica_version);
    COPY_FIELD(hvm, pi->hvm);
    sbuf_puts(sb, "{\n  \"mica_version\": ");
    sbuf_json_string(sb, version);
    sbuf_printf(sb, ",\n  \"mica_abi\": \"%u.%u\",\n  \"hvm\": ",
                MICA_CTL_MAJOR(pi->version), pi->version & 0xffffu);
    sbuf_json_string(sb, hvm);
    sbuf_printf(sb, ",\n  \"nr_cpus\": %u,\n  \"dom0_cpus\": %u,\n"
                "  \"cpu_mhz\": %u,\n  \"total_memory\": %llu,\n"
                "  \"free_memory\": %llu,\n  \"dom0_memory\": %llu,\n"
                "  \"uptime\": %.1f,\n", pi->nr_cpus, pi->dom0_cpus,
                pi->cpu_khz / 1000,
                (unsigned long long)(pi->total_pages / PAGES_PER_MIB),
                (unsigned long long)(pi->free_pages / PAGES_PER_MIB),
                (unsigned long long)(pi->dom0_pages / PAGES_PER_MIB),
                (double)pi->uptime_ns / 1e9);
}

void mica_info_json(struct sbuf *sb, const struct mica_physinfo *host,
                    const struct mica_domain_info *d, size_t n,
                    uint64_t uptime_ns)
{
    struct xm_dominfo *x = xcalloc(n ? n : 1, sizeof(*x));
    char (*names)[MICA_NAME_MAX + 1] = xcalloc(n ? n : 1, sizeof(*names));
    struct sbuf list = SBUF_INIT;

    for (size_t i = 0; i < n; i++)
        x[i] = to_xm(&d[i], uptime_ns, names[i]);
    xm_list_json(&list, x, n);
    if (!host) {
        sbuf_puts(sb, sbuf_str(&list));
    } else {
        /* The array nested one level deeper: indent its lines. */
        json_host(sb, host);
        sbuf_puts(sb, "  \"domains\": ");
        for (const char *s = sbuf_str(&list); *s; s++) {
            sbuf_putc(sb, *s);
            if (*s == '\n' && s[1] != '\0')
                sbuf_puts(sb, "  ");
        }
        sbuf_puts(sb, "}\n");
    }
    sbuf_free(&list);
    free(names);
    free(x);
}

/* Every domain: mica says how many exist, so a list that outgrew the
 * buffer is asked for again with room for all of them. */
static int list_domains(struct mica_domain_info **out)
{
    unsigned max = 64;

    for (;;) {
        struct mica_domain_info *d = xcalloc(max, sizeof(*d));
        int n = mica_domain_list(d, max);

        if (n < 0) {
            int err = errno;
            free(d);
            errno = err;
            return -1;
        }
        if ((unsigned)n <= max) {
            *out = d;
            return n;
        }
        free(d);
        max = (unsigned)n + 8;  /* room for a few created meanwhile */
    }
}

static void usage(FILE *f)
{
    fputs("Usage: mica-info [--domains] [--json] | --unseen\n"
          "Shows mica's host information and its domains; run it as root "
          "in domain 0.\n"
          "\n"
          "  --domains   only the domain list, as xm list prints it\n"
          "  --json      the same facts as JSON\n"
          "  --unseen    what mica meant for its console after dom0 took "
          "the serial\n"
          "              port (boot-time guests' output, mica's news)\n"
          "  -h, --help  this text\n", f);
}

/* Copies mica's unseen console lines to `out`. */
static int print_unseen(FILE *out, FILE *err)
{
    char buf[4096];
    uint64_t pos = 0;
    ssize_t n;

    while ((n = mica_dmesg_unseen(buf, sizeof(buf), &pos)) > 0)
        fwrite(buf, 1, (size_t)n, out);
    if (n < 0) {
        fprintf(err, "mica-info: cannot read mica's unseen console: %s\n",
                errno == EINVAL ? "this mica keeps none (toolstack ABI "
                                  "before 1.3)" : strerror(errno));
        return 1;
    }
    if (fflush(out) == EOF) {
        fprintf(err, "mica-info: cannot write: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

int mica_info_main(int argc, char **argv, FILE *out, FILE *err)
{
    bool domains_only = false, json = false, unseen = false;
    struct mica_physinfo pi;
    struct mica_domain_info *doms = NULL;
    struct sbuf sb = SBUF_INIT;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(out);
            return 0;
        } else if (!strcmp(argv[i], "--domains")) {
            domains_only = true;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--unseen")) {
            unseen = true;
        } else {
            fprintf(err, "mica-info: unknown option '%s'\n", argv[i]);
            usage(err);
            return 2;
        }
    }

    if (unseen && (domains_only || json)) {
        fputs("mica-info: --unseen goes alone\n", err);
        usage(err);
        return 2;
    }
    if (mica_open() < 0) {
        fprintf(err, "mica-info: cannot reach mica: %s\n", mica_open_error());
        return 1;
    }
    if (unseen)
        return print_unseen(out, err);
    if (mica_physinfo(&pi) < 0) {
        fprintf(err, "mica-info: cannot read the host information: %s\n",
                strerror(errno));
        return 1;
    }
    int n = list_domains(&doms);
    if (n < 0) {
        fprintf(err, "mica-info: cannot list the domains: %s\n",
                strerror(errno));
        return 1;
    }

    if (json) {
        mica_info_json(&sb, domains_only ? NULL : &pi, doms, (size_t)n,
                       pi.uptime_ns);
    } else {
        if (!domains_only) {
            mica_info_host(&sb, &pi);
            sbuf_putc(&sb, '\n');
        }
        mica_info_domains(&sb, doms, (size_t)n, pi.uptime_ns);
    }
    fputs(sbuf_str(&sb), out);
    sbuf_free(&sb);
    free(doms);
    if (fflush(out) == EOF) {
        fprintf(err, "mica-info: cannot write the report: %s\n",
                strerror(errno));
        return 1;
    }
    return 0;
}
