/* A domain's own grant table, version 1 (grant_table.c). */
#ifndef MICA_GRANT_TABLE_H
#define MICA_GRANT_TABLE_H

#include <mica/types.h>

struct domain;

/* Frames a domain's table may grow to (Xen's default is 64), and the
 * frames Xen gives every domain from the start: mica allocates them when
 * first used, which a guest cannot tell apart. */
#define GNTTAB_MAX_FRAMES     32
#define GNTTAB_INITIAL_FRAMES 1

/* Made on first use.  Frames [0, nr_frames) are allocated, zeroed, and
 * are mica's (not in the domain's tot_pages, like shared_info); gfn[i] is
 * where frame i is mapped in the domain, GFN_NONE while nowhere.  Both
 * change under the domain's lock. */
struct grant_table {
    unsigned int nr_frames;
    void *frame[GNTTAB_MAX_FRAMES];
    gfn_t gfn[GNTTAB_MAX_FRAMES];
};

/* Makes d's table at least nr frames long: 0, -EINVAL past the maximum,
 * or -ENOMEM.  Called without d->lock. */
int gnttab_grow(struct domain *d, unsigned int nr);
/* Frees the table of a domain being reaped. */
void gnttab_destroy(struct domain *d);

#endif
