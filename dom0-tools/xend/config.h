/*
 * /etc/xen/xend-config.sxp: the daemon's settings.
 *
 * The file is a sequence of (name value) forms, read the way classic xend
 * read it: every parameter of the classic file with its classic default,
 * unknown names warned about, and every bad value reported with its
 * position and what would have been accepted.
 */
#ifndef MICA_XEND_CONFIG_H
#define MICA_XEND_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/diag.h"

#define XEND_CONFIG_PATH "/etc/xen/xend-config.sxp"

enum xend_loglevel {
    XEND_LOG_DEBUG,
    XEND_LOG_INFO,
    XEND_LOG_WARNING,
    XEND_LOG_ERROR,
    XEND_LOG_CRITICAL,
};

struct xend_config {
    char *logfile;
    enum xend_loglevel loglevel;
    bool unix_server;
    char *unix_path;
    bool http_server;
    unsigned port;
    char *address;               /* "" means every address. */
    bool relocation_server;
    unsigned relocation_port;
    char *relocation_address;    /* Defaults to address. */
    unsigned console_limit_kib;
    uint64_t dom0_min_mem_mib;   /* 0: never balloon dom0 down. */
    unsigned dom0_cpus;          /* 0: all of dom0's CPUs. */
    bool enable_dump;
    char *network_script;        /* "" means none. */
    char *external_migration_tool;
};

/* Fills c with the classic defaults; free with xend_config_free. */
void xend_config_defaults(struct xend_config *c);
void xend_config_free(struct xend_config *c);

/*
 * Parses the text of a configuration file into c, which must hold the
 * defaults (or an earlier configuration) already. Returns 0, or -1 when
 * any error was reported; c then holds the defaults for the bad values.
 */
int xend_config_parse(const char *text, size_t len, const char *file,
                      struct xend_config *c, struct diag *d);

/*
 * Loads path (XEND_CONFIG_PATH when NULL) over the defaults. A file that
 * does not exist is not an error, as in classic xend: the defaults apply
 * and a note says so.
 */
int xend_config_load(const char *path, struct xend_config *c,
                     struct diag *d);

const char *xend_loglevel_name(enum xend_loglevel l);

/* The effective settings as normalised SXP, one parameter a line. */
char *xend_config_to_sxp(const struct xend_config *c);

/*
 * `xend --check FILE`: validates FILE without starting anything, prints
 * every message to err and a one-line verdict to out. With show set, the
 * effective configuration is printed to out as well. Returns the exit
 * status: 0 when the file is usable, 1 when it has errors.
 */
int xend_check(const char *path, bool show, FILE *out, FILE *err);

#endif
