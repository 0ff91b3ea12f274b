/* xend's internals: the daemon's state, shared by its files. */
#ifndef MICA_XEND_XEND_H
#define MICA_XEND_XEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "../common/sbuf.h"
#include "../xm/domcfg.h"

/* A domain xend manages: created by it, or found again after a restart
 * through its saved configuration. */
struct xdom {
    struct xdom *next;
    int domid;
    char *name;
    struct domcfg cfg;
    bool has_cfg;           /* false for a rename-restart's preserved one */
    bool handled;           /* its stop has been acted on (preserve) */
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
struct xdom *xdom_find(const char *name_or_id);
struct xdom *xdom_by_domid(int domid);
/* Builds a domain from cfg (SXP text sxp); returns its domid or -1, why. */
int xdom_create(const char *sxp, size_t len, bool paused, char *why,
                size_t whylen);
void xdom_forget(struct xdom *x, bool remove_file);
/* Finds the domains that still run after a restart of xend. */
void xdom_rediscover(void);
/* Every ~100 ms: collects console output, applies on_poweroff & co.
 * Output read since the last call is passed to console_sink. */
void xdom_tick(void (*console_sink)(int domid, const char *buf, size_t n));
void xdom_config_sxp(const struct xdom *x, struct sbuf *sb);

/* requests.c */
/* Answers one request into reply (status line first). Returns the domid
 * to follow for console, else -1. */
int xend_request(char *req, size_t len, struct sbuf *reply);

#endif
