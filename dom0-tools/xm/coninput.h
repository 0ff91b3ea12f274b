/* What xm console does with typed input: bytes up to Ctrl-] are queued
 * for the guest's console ring (xend's console-input request), Ctrl-]
 * ends the session. Kept apart from the socket code so that it can be
 * unit-tested. */
#ifndef MICA_XM_CONINPUT_H
#define MICA_XM_CONINPUT_H

#include <stdbool.h>
#include <stddef.h>

#define CON_ESCAPE 0x1d          /* Ctrl-]: leaves xm console, as in Xen */
/* Queued bytes at most. xm keeps reading its input while the queue is
 * full, to see a Ctrl-]: a guest that does not read its console loses
 * what fits neither its ring nor this queue, as on a serial line. */
#define CON_INPUT_MAX 1024

struct con_input {
    char buf[CON_INPUT_MAX];
    size_t len;                  /* queued, not yet taken by the guest */
    bool escaped;                /* Ctrl-] was typed: the session ends */
};

/* Room left in the queue (0 once the session is over). */
size_t con_input_room(const struct con_input *q);
/* Takes n bytes just read: those before a Ctrl-] are queued as far as
 * there is room, the escape and what follows it are dropped and mark the
 * session as over. Returns the number of bytes queued. */
size_t con_input_add(struct con_input *q, const char *s, size_t n);
/* The guest's console took the first n queued bytes. */
void con_input_taken(struct con_input *q, size_t n);

#endif
