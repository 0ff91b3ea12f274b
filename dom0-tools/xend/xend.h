/* xend's internals: the daemon's state, shared by its files. */
#ifndef MICA_XEND_XEND_H
#define MICA_XEND_XEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "status.h"
#include "../common/sbuf.h"
#include "../xm/domcfg.h"

/*
 * A domain xend knows: one it created (kept until it is destroyed), one
 * found again after a restart through its saved configuration, or a
 * managed one (xm new), which stays, stopped, until xm delete.
 */
struct xdom {
    struct xdom *next;
    int domid;              /* -1: not running (managed ones only) */
    char *name;
    struct domcfg cfg;      /* memory is xm mem-set's target */
    bool has_cfg;           /* false for a rename-restart's preserved one */
    bool managed;           /* xm new */
    bool handled;           /* its stop has been acted on (preserve) */
    unsigned vcpus_target;  /* xm vcpu-set; 0: none given */
    char *con;              /* the console output kept, at most limit */
    size_t conlen;
    uint64_t conpos;        /* mica's console cursor */
};

extern struct xend_config xend_cfg;
extern struct xdom *xend_domains;

/* log.c */
void xlog(enum xend_loglevel level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int xlog_open(const char *path, enum xend_loglevel level);

/* domains.c */
/* By name, or by the id of a running one. */
struct xdom *xdom_find(const char *name_or_id);
struct xdom *xdom_by_domid(int domid);
/* Whether mica or xend has a domain of that name (other than except). */
bool xdom_name_in_use(const char *name, const struct xdom *except);
/* Builds a domain from a configuration (SXP text); returns its domid or
 * -1 with the reason in why. */
int xdom_create(const char *sxp, size_t len, bool paused, char *why,
                size_t whylen);
/* xm new: records a managed domain without starting it; 0 or -1, why. */
int xdom_new(const char *sxp, size_t len, char *why, size_t whylen);
/* xm start: builds a managed domain that is not running; its domid or
 * -1, why. */
int xdom_start(struct xdom *x, bool paused, char *why, size_t whylen);
/* A managed domain has stopped for good: it stays, not running. */
void xdom_halted(struct xdom *x);
void xdom_forget(struct xdom *x, bool remove_files);
/* Renames xend's record and its files (mica's name is the caller's). */
int xdom_rename(struct xdom *x, const char *name, char *why,
                size_t whylen);
/* Writes the record's files (after a change to its configuration). */
void xdom_save(const struct xdom *x);
/* Finds the domains that still run after a restart of xend, and the
 * managed ones. */
void xdom_rediscover(void);
/* Every ~100 ms: collects console output, applies on_poweroff & co.
 * Output read since the last call is passed to console_sink. */
void xdom_tick(void (*console_sink)(int domid, const char *buf, size_t n));
/* The configuration as SXP on one line; empty without one. */
void xdom_config_line(const struct xdom *x, struct sbuf *sb);

/* requests.c */
/* Answers one request into reply (status line first). Returns the domid
 * to follow for console, else -1. */
int xend_request(char *req, size_t len, struct sbuf *reply);

#endif
