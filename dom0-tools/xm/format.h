/*
 * The classic output formats of xm list, xm vcpu-list, xm uptime,
 * xm sched-credit and xm top (xentop's), column for column, so that
 * scripts written against xm keep working.
 */
#ifndef MICA_XM_FORMAT_H
#define MICA_XM_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../common/cpuset.h"
#include "../common/sbuf.h"

/* The state flags, shown in this order as "rbpscd", '-' when clear. */
#define XM_STATE_RUNNING  (1u << 0)
#define XM_STATE_BLOCKED  (1u << 1)
#define XM_STATE_PAUSED   (1u << 2)
#define XM_STATE_SHUTDOWN (1u << 3)
#define XM_STATE_CRASHED  (1u << 4)
#define XM_STATE_DYING    (1u << 5)

struct xm_dominfo {
    const char *name;
    int domid;              /* -1: a managed domain that is not running. */
    uint64_t mem_mib;
    unsigned vcpus;
    unsigned state;         /* XM_STATE_* */
    double cpu_time;        /* Seconds. */
    double up_time;         /* Seconds; negative when not running. */
};

struct xm_vcpuinfo {
    const char *name;
    int domid;              /* -1: a managed domain that is not running */
    unsigned number;
    bool online, running, blocked;
    unsigned cpu;
    double cpu_time;
    const struct cpuset *affinity;
};

/* "r-b---" style; out needs 7 bytes. */
void xm_state_string(unsigned state, char out[7]);

void xm_list_header(struct sbuf *sb);
void xm_list_row(struct sbuf *sb, const struct xm_dominfo *d);
/* mica's addition: the same facts as a JSON array. */
void xm_list_json(struct sbuf *sb, const struct xm_dominfo *d, size_t n);

void xm_vcpu_list_header(struct sbuf *sb);
void xm_vcpu_list_row(struct sbuf *sb, const struct xm_vcpuinfo *v,
                      unsigned nr_cpus);
/* "any cpu", "no cpus" or ranges such as "0-3,5". */
void xm_format_affinity(struct sbuf *sb, const struct cpuset *cs,
                        unsigned nr_cpus);

/* sched-credit: one domain as xm printed the dict of xend's answer, or a
 * table of all ("-1" where a value is missing, as xm showed). */
void xm_sched_credit_dict(struct sbuf *sb, long weight, long cap);
void xm_sched_credit_header(struct sbuf *sb);
void xm_sched_credit_row(struct sbuf *sb, const char *name, int domid,
                         long weight, long cap);

/* One domain of xm top, with xentop's columns. */
struct xm_topinfo {
    const char *name;
    unsigned state;         /* XM_STATE_* */
    uint64_t cpu_ns;
    double cpu_pct;         /* since the last update; 0 for the first */
    uint64_t mem_kib;       /* what it has now */
    uint64_t max_kib;
    unsigned vcpus;
};

/* xentop's state letters, in its order "dsbcpr". */
void xm_top_state(unsigned state, char out[7]);
/* The three summary lines of the interactive display. */
void xm_top_summary(struct sbuf *sb, const struct tm *now,
                    const char *version, const struct xm_topinfo *t,
                    size_t n, uint64_t total_kib, uint64_t free_kib,
                    unsigned nr_cpus, unsigned cpu_mhz);
void xm_top_header(struct sbuf *sb);
void xm_top_row(struct sbuf *sb, const struct xm_topinfo *t,
                uint64_t total_kib);

void xm_uptime_header(struct sbuf *sb);
void xm_uptime_row(struct sbuf *sb, const struct xm_dominfo *d);
/* uptime -s: " 14:02:11 up 2 days,  3:04, web1 (5)". */
void xm_uptime_short_row(struct sbuf *sb, const struct xm_dominfo *d,
                         const struct tm *now);

#endif
