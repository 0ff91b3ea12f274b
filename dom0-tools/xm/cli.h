/*
 * xm's command line: the classic command set, parsed into one struct
 * before anything is done, so that every usage error is found (and
 * reported the way xm reported it) before xend is asked for anything.
 */
#ifndef MICA_XM_CLI_H
#define MICA_XM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/sbuf.h"

enum xm_cmd {
    XM_HELP,
    XM_CREATE,
    XM_LIST,
    XM_DESTROY,
    XM_SHUTDOWN,
    XM_REBOOT,
    XM_PAUSE,
    XM_UNPAUSE,
    XM_CONSOLE,
    XM_INFO,
    XM_DMESG,
    XM_LOG,
    XM_MEM_SET,
    XM_MEM_MAX,
    XM_VCPU_SET,
    XM_VCPU_PIN,
    XM_VCPU_LIST,
    XM_UPTIME,
    XM_DOMID,
    XM_DOMNAME,
    XM_RENAME,
    XM_TOP,
    XM_SCHED_CREDIT,
    XM_NEW,
    XM_START,
    XM_DELETE,
    XM_SAVE,
    XM_RESTORE,
    XM_NCMDS
};

/* vcpu-pin's VCPU argument when it is "all". */
#define XM_ALL_VCPUS (-1)
/* top's delay when -d is not given: xentop's. */
#define XM_TOP_DEFAULT_DELAY 3

struct xm_args {
    enum xm_cmd cmd;
    const char *cmd_name;       /* Canonical, e.g. "mem-set". */

    /* Flags. Each is set only by the commands that take it. */
    bool console;               /* create -c, start -c */
    bool dry_run;               /* create -n */
    bool paused;                /* create/start/restore -p */
    bool long_format;           /* list -l */
    bool json;                  /* list --json */
    bool wait;                  /* shutdown/reboot -w */
    bool all;                   /* shutdown -a */
    bool clear;                 /* dmesg -c */
    bool quiet;                 /* console -q */
    bool batch;                 /* top -b */
    bool short_format;          /* uptime -s */

    /* Operands. Strings point into argv. */
    const char *domain;         /* The DOM of most commands; -d of
                                 * sched-credit; NAME of start/delete. */
    const char *file;           /* CONFIG of create/new; FILE of save and
                                 * restore. */
    const char *new_name;       /* rename */
    uint64_t mem_mib;           /* mem-set, mem-max */
    unsigned vcpus;             /* vcpu-set */
    int vcpu;                   /* vcpu-pin; XM_ALL_VCPUS for all */
    const char *cpus;           /* vcpu-pin; "all" or a CPU list */
    unsigned domid;             /* domname */
    unsigned iterations;        /* top -i; 0 means until interrupted */
    unsigned delay;             /* top -d, seconds */
    bool has_weight, has_cap;   /* sched-credit */
    unsigned weight, cap;
    const char *topic;          /* help CMD; NULL for the overview */

    const char **names;         /* list, vcpu-list, uptime */
    size_t nnames;
    const char **vars;          /* create/new key=value */
    size_t nvars;
};

/*
 * Parses argv (argv[0] is the program). On success returns 0. On a usage
 * error returns -1 with "Error: ..." and a usage line in err, as xm
 * printed them to stderr. Free with xm_args_free either way.
 */
int xm_parse_args(int argc, char **argv, struct xm_args *out,
                  struct sbuf *err);
void xm_args_free(struct xm_args *a);

/* Looks a command up by name, alias or unique prefix; -1 if none. */
int xm_lookup_command(const char *name);
const char *xm_command_name(enum xm_cmd cmd);

/* "Usage: xm create <ConfigFile> [options] [vars]" and a newline. */
void xm_usage_line(struct sbuf *sb, enum xm_cmd cmd);
/* xm help CMD: usage, description and options. */
void xm_command_help(struct sbuf *sb, enum xm_cmd cmd);
/* xm help: every command with its description. */
void xm_overview_help(struct sbuf *sb);

#endif
