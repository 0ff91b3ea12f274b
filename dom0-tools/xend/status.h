/*
 * A snapshot of the node and its domains as xend sees them: mica's view
 * merged with xend's records. `xm list`, `xm top` and the HTTP server all
 * answer from one, so they agree. Taking one needs mica (domains.c);
 * reading it does not, so the HTTP code is tested on hand-made ones.
 */
#ifndef MICA_XEND_STATUS_H
#define MICA_XEND_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include <mica/ctl.h>

#include "proto.h"

struct xstat_dom {
    struct proto_dom d;
    bool managed;           /* xm new: kept while it is not running */
    char *config;           /* normalised SXP on one line, or NULL */
};

struct xstat {
    struct mica_physinfo pi;
    char host[65];          /* dom0's host name */
    struct xstat_dom *doms; /* running ones by domid, then stopped ones */
    size_t n;
};

/* Fills s; returns 0, or -1 with errno when mica cannot be asked. */
int xstat_collect(struct xstat *s);
void xstat_free(struct xstat *s);
/* The domain named, or with that domid; NULL when there is none. */
const struct xstat_dom *xstat_find(const struct xstat *s, const char *dom);

/* JSON: the node as one object (and a newline); one domain as an object,
 * with its configuration when asked. */
void xstat_node_json(struct sbuf *sb, const struct xstat *s);
void xstat_dom_json(struct sbuf *sb, const struct xstat_dom *x,
                    bool with_config);

#endif
