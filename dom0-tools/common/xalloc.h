/*
 * Allocation helpers for the dom0 tools.
 *
 * The tools are short-lived processes (xm) or a daemon that cannot do
 * anything useful once the heap is exhausted, so an allocation failure
 * prints one line and aborts instead of threading ENOMEM through every
 * parser. This keeps the parsers' error paths about the input, which is
 * what the user can fix.
 */
#ifndef MICA_XALLOC_H
#define MICA_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
