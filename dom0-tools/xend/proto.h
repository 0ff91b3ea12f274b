/*
 * The xm <-> xend protocol on the unix socket (docs/toolstack.md).
 *
 * Request: one line, the command and its arguments separated by tabs,
 * then (create and new only) the domain configuration as SXP; the client
 * then shuts its writing side down, so the request ends at end of file.
 * Reply: one status line, "OK" or "ERROR <message>", then the command's
 * output until xend closes the connection (console: until the domain goes
 * or the client leaves).
 *
 * The lines of the outputs that xm parses (domains, the node, vCPUs,
 * scheduler parameters) are written and read by the functions below, the
 * one definition both programs use: fields separated by tabs, the name
 * last, "-" for the domid of a managed domain that is not running.
 */
#ifndef MICA_XEND_PROTO_H
#define MICA_XEND_PROTO_H

#include <stdint.h>

#include "../common/sbuf.h"

#define XEND_PROTO_MAX_REQUEST (256u << 10)
#define XEND_PROTO_OK "OK"
#define XEND_PROTO_ERROR "ERROR "
/* Where xend keeps the configurations of the domains it manages, one
 * directory each (docs/toolstack.md). */
#define XEND_DOMAINS_DIR "/var/lib/xend/domains"
#define XEND_PID_FILE "/var/run/xend.pid"
/* Where a crashed domain's memory goes with enable-dump (Xen's place). */
#define XEND_DUMP_DIR "/var/lib/xen/dump"

/* Room for a name in the lines: mica's are shorter, xend's
 * rename-restart names ("NAME-DOMID") too. */
#define PROTO_NAME_MAX 64

/* One domain, as `list` and `top` send it. */
/* In proto_dom.flags beside MICA_DOMF_*: the domain has stopped and xend
 * has done what its on_* setting says and keeps it (preserve), or has no
 * setting for it: it will not go or change by itself (xm shutdown -w). */
#define PROTO_DOMF_SETTLED (1u << 30)

struct proto_dom {
    int domid;              /* -1: managed by xend, not running */
    unsigned flags;         /* MICA_DOMF_*; 0 when not running */
    uint64_t mem_kib;       /* xend's memory target, else what it has */
    uint64_t cur_kib;       /* what it has now (mica's tot_pages) */
    uint64_t max_kib;       /* the most it may have (max_pages) */
    unsigned vcpus;
    uint64_t cpu_ns;
    uint64_t up_ns;
    char name[PROTO_NAME_MAX];
};

/* The host, first line of `top` and `vcpu-list`. */
struct proto_node {
    unsigned nr_cpus;
    unsigned dom0_cpus;     /* CPUs 0..dom0_cpus-1 are dom0's */
    unsigned cpu_mhz;
    uint64_t total_kib;
    uint64_t free_kib;
    char version[32];       /* mica's */
};

/* One vCPU of `vcpu-list`. */
struct proto_vcpu {
    int domid;              /* -1: a managed domain that is not running */
    unsigned vcpu;
    unsigned cpu;
    unsigned flags;         /* MICA_VCPUF_* */
    uint64_t cpu_ns;
    uint64_t affinity;      /* bit mask of CPUs */
    char name[PROTO_NAME_MAX];
};

/* One domain of `sched-credit`; -1 for a value mica would not give. */
struct proto_sched {
    int domid;
    long weight;
    long cap;
    char name[PROTO_NAME_MAX];
};

/* Each put appends one line; each get parses one (without or with its
 * newline) and returns 0, or -1 when the line is not of that kind. */
void proto_put_dom(struct sbuf *sb, const struct proto_dom *d);
int proto_get_dom(const char *line, struct proto_dom *d);
void proto_put_node(struct sbuf *sb, const struct proto_node *n);
int proto_get_node(const char *line, struct proto_node *n);
void proto_put_vcpu(struct sbuf *sb, const struct proto_vcpu *v);
int proto_get_vcpu(const char *line, struct proto_vcpu *v);
void proto_put_sched(struct sbuf *sb, const struct proto_sched *s);
int proto_get_sched(const char *line, struct proto_sched *s);

#endif
