/*
 * Classic xm output. The printf formats are those of xm's main.py
 * (xm_brief_list, xm_vcpu_list, xm_uptime, xm_sched_credit), including
 * its quirks: the Time(s) header is one column wider than the values
 * under it, the vcpu-list row has two spaces before the time, and the
 * uptime header ends in a space. Scripts that cut columns out of xm's
 * output depend on them. xm top prints xentop's columns (xentop.c).
 */
#include "format.h"

#include <stdio.h>

void xm_state_string(unsigned state, char out[7])
{
    static const char letters[] = "rbpscd";

    for (int i = 0; i < 6; i++)
        out[i] = (state >> i) & 1 ? letters[i] : '-';
    out[6] = '\0';
}

void xm_list_header(struct sbuf *sb)
{
    sbuf_printf(sb, "%-40s %5s %5s %5s %10s %9s\n", "Name", "ID", "Mem",
                "VCPUs", "State", "Time(s)");
}

/* Not-running (managed) domains show an empty ID, as in xm. */
static const char *domid_str(int domid, char buf[16])
{
    if (domid < 0)
        return "";
    snprintf(buf, 16, "%d", domid);
    return buf;
}

void xm_list_row(struct sbuf *sb, const struct xm_dominfo *d)
{
    char state[7], id[16];

    xm_state_string(d->state, state);
    sbuf_printf(sb, "%-40s %5s %5llu %5u %10s %8.1f\n", d->name,
                domid_str(d->domid, id), (unsigned long long)d->mem_mib,
                d->vcpus, state, d->cpu_time);
}

void xm_list_json(struct sbuf *sb, const struct xm_dominfo *d, size_t n)
{
    sbuf_puts(sb, "[");
    for (size_t i = 0; i < n; i++) {
        char state[7];
        xm_state_string(d[i].state, state);
        sbuf_puts(sb, i ? ",\n  {" : "\n  {");
        sbuf_puts(sb, "\"name\": ");
        sbuf_json_string(sb, d[i].name);
        if (d[i].domid < 0)
            sbuf_puts(sb, ", \"domid\": null");
        else
            sbuf_printf(sb, ", \"domid\": %d", d[i].domid);
        sbuf_printf(sb, ", \"memory\": %llu, \"vcpus\": %u, "
                    "\"state\": \"%s\", \"cpu_time\": %.1f",
                    (unsigned long long)d[i].mem_mib, d[i].vcpus, state,
                    d[i].cpu_time);
        if (d[i].up_time < 0)
            sbuf_puts(sb, ", \"up_time\": null}");
        else
            sbuf_printf(sb, ", \"up_time\": %.1f}", d[i].up_time);
    }
    sbuf_puts(sb, n ? "\n]\n" : "]\n");
}

void xm_vcpu_list_header(struct sbuf *sb)
{
    sbuf_printf(sb, "%-32s %3s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU",
                "CPU", "State", "Time(s)", "CPU Affinity");
}

void xm_format_affinity(struct sbuf *sb, const struct cpuset *cs,
                        unsigned nr_cpus)
{
    if (cpuset_count(cs) == 0)
        sbuf_puts(sb, "no cpus");
    else if (cpuset_covers(cs, nr_cpus))
        sbuf_puts(sb, "any cpu");
    else
        cpuset_format(cs, sb);
}

void xm_vcpu_list_row(struct sbuf *sb, const struct xm_vcpuinfo *v,
                      unsigned nr_cpus)
{
    char cpu[16], state[4], id[16] = "";
    struct sbuf aff = SBUF_INIT;

    /* An offline vCPU has no CPU and shows as paused, as in xm. */
    if (v->online) {
        snprintf(cpu, sizeof(cpu), "%u", v->cpu);
        state[0] = v->running ? 'r' : '-';
        state[1] = v->blocked ? 'b' : '-';
        state[2] = '-';
    } else {
        snprintf(cpu, sizeof(cpu), "-");
        state[0] = state[1] = '-';
        state[2] = 'p';
    }
    state[3] = '\0';
    xm_format_affinity(&aff, v->affinity, nr_cpus);
    /* A managed domain that is not running has no ID, as in xm list. */
    if (v->domid >= 0)
        snprintf(id, sizeof(id), "%d", v->domid);
    sbuf_printf(sb, "%-32s %3s %5u %5s %5s  %8.1f %s\n", v->name, id,
                v->number, cpu, state, v->cpu_time, sbuf_str(&aff));
    sbuf_free(&aff);
}

void xm_uptime_header(struct sbuf *sb)
{
    sbuf_printf(sb, "%-33s %4s %s \n", "Name", "ID", "Uptime");
}

/* Whole seconds, rounded half up as Python's round() did for these. */
static long long whole_seconds(double t)
{
    return t <= 0 ? 0 : (long long)(t + 0.5);
}

/* "[N day[s], ]H:MM" */
static void days_hours_minutes(struct sbuf *sb, long long up)
{
    long long days = up / 86400;
    long long hours = up % 86400 / 3600;
    long long minutes = up % 3600 / 60;

    if (days > 0)
        sbuf_printf(sb, "%lld day%s, ", days, days > 1 ? "s" : "");
    sbuf_printf(sb, "%2lld:%02lld", hours, minutes);
}

void xm_uptime_row(struct sbuf *sb, const struct xm_dominfo *d)
{
    char id[16];
    long long up = whole_seconds(d->up_time);

    sbuf_printf(sb, "%-32s %5s ", d->name, domid_str(d->domid, id));
    days_hours_minutes(sb, up);
    sbuf_printf(sb, ":%02lld\n", up % 60);
}

void xm_uptime_short_row(struct sbuf *sb, const struct xm_dominfo *d,
                         const struct tm *now)
{
    char id[16];

    sbuf_printf(sb, " %02d:%02d:%02d up ", now->tm_hour, now->tm_min,
                now->tm_sec);
    days_hours_minutes(sb, whole_seconds(d->up_time));
    sbuf_printf(sb, ", %s (%s)\n", d->name, domid_str(d->domid, id));
}

void xm_sched_credit_dict(struct sbuf *sb, long weight, long cap)
{
    /* Python's repr of the dict xend answered: keys in its hash order. */
    sbuf_printf(sb, "{'cap': %ld, 'weight': %ld}\n", cap, weight);
}

void xm_sched_credit_header(struct sbuf *sb)
{
    sbuf_printf(sb, "%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
}

void xm_sched_credit_row(struct sbuf *sb, const char *name, int domid,
                         long weight, long cap)
{
    char id[16];

    sbuf_printf(sb, "%-32s %5s %6ld %4ld\n", name, domid_str(domid, id),
                weight, cap);
}

void xm_top_state(unsigned state, char out[7])
{
    static const struct { unsigned flag; char ch; } order[] = {
        { XM_STATE_DYING, 'd' }, { XM_STATE_SHUTDOWN, 's' },
        { XM_STATE_BLOCKED, 'b' }, { XM_STATE_CRASHED, 'c' },
        { XM_STATE_PAUSED, 'p' }, { XM_STATE_RUNNING, 'r' },
    };

    for (int i = 0; i < 6; i++)
        out[i] = state & order[i].flag ? order[i].ch : '-';
    out[6] = '\0';
}

void xm_top_summary(struct sbuf *sb, const struct tm *now,
                    const char *version, const struct xm_topinfo *t,
                    size_t n, uint64_t total_kib, uint64_t free_kib,
                    unsigned nr_cpus, unsigned cpu_mhz)
{
    unsigned run = 0, block = 0, pause = 0, crash = 0, dying = 0, down = 0;

    /* Each domain counts once, in xentop's order of precedence. */
    for (size_t i = 0; i < n; i++) {
        unsigned s = t[i].state;
        if (s & XM_STATE_RUNNING)
            run++;
        else if (s & XM_STATE_BLOCKED)
            block++;
        else if (s & XM_STATE_PAUSED)
            pause++;
        else if (s & XM_STATE_SHUTDOWN)
            down++;
        else if (s & XM_STATE_CRASHED)
            crash++;
        else if (s & XM_STATE_DYING)
            dying++;
    }
    sbuf_printf(sb, "xentop - %02d:%02d:%02d   mica %s\n", now->tm_hour,
                now->tm_min, now->tm_sec, version);
    sbuf_printf(sb, "%zu domains: %u running, %u blocked, %u paused, "
                "%u crashed, %u dying, %u shutdown \n", n, run, block, pause,
                crash, dying, down);
    sbuf_printf(sb, "Mem: %lluk total, %lluk used, %lluk free    "
                "CPUs: %u @ %uMHz\n", (unsigned long long)total_kib,
                (unsigned long long)(total_kib - free_kib),
                (unsigned long long)free_kib, nr_cpus, cpu_mhz);
}

void xm_top_header(struct sbuf *sb)
{
    sbuf_printf(sb, "%10s %6s %10s %6s %10s %6s %10s %9s %5s %4s %8s %8s "
                "%4s %8s %8s %8s %4s\n", "NAME", "STATE", "CPU(sec)",
                "CPU(%)", "MEM(k)", "MEM(%)", "MAXMEM(k)", "MAXMEM(%)",
                "VCPUS", "NETS", "NETTX(k)", "NETRX(k)", "VBDS", "VBD_OO",
                "VBD_RD", "VBD_WR", "SSID");
}

void xm_top_row(struct sbuf *sb, const struct xm_topinfo *t,
                uint64_t total_kib)
{
    char st[7];
    double total = total_kib ? (double)total_kib : 1.0;

    xm_top_state(t->state, st);
    /* mica's domains have no network or block devices of their own yet,
     * and no security labels: those columns are 0, as xentop showed for
     * a domain without them. */
    sbuf_printf(sb, "%10.10s %6s %10llu %6.1f %10llu %6.1f %10llu %9.1f "
                "%5u %4u %8u %8u %4u %8u %8u %8u %4u\n", t->name, st,
                (unsigned long long)(t->cpu_ns / 1000000000u), t->cpu_pct,
                (unsigned long long)t->mem_kib,
                (double)t->mem_kib / total * 100,
                (unsigned long long)t->max_kib,
                (double)t->max_kib / total * 100, t->vcpus, 0u, 0u, 0u, 0u,
                0u, 0u, 0u, 0u);
}
