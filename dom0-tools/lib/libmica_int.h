/* libmica's internals: the one path to the doorbell, shared by its files. */
#ifndef MICA_LIBMICA_INT_H
#define MICA_LIBMICA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libmica.h"

/* A pointer as the register value mica expects: the virtual address. */
#define MICA_PTR(p) ((uint64_t)(uintptr_t)(p))

/*
 * Rings the doorbell with op and five arguments (unused ones 0) and turns
 * mica's answer into the C convention: the value when it is >= 0,
 * otherwise -1 with errno. This is the only place that sets errno from an
 * answer of mica's.
 */
long mica_call(unsigned op, uint64_t a0, uint64_t a1, uint64_t a2,
               uint64_t a3, uint64_t a4);

/* True while a test's doorbell replaces the real one. */
bool mica_doorbell_replaced(void);
/* Whether the real doorbell may ring: mica_open() sets it once the port
 * is ours, for the handshake, and keeps it only when the handshake passes. */
void mica_set_ready(bool on);

/*
 * Make the pages of a buffer present before mica walks dom0's page tables
 * to reach it: mica cannot fault pages in, it answers -EFAULT instead.
 * mica_touch_out() writes one byte of every page (with its own value), so
 * a page mica writes into is also private and writable, not a copy-on-write
 * or zero page; mica_touch_in() only reads, so a const buffer in read-only
 * memory is fine.
 */
void mica_touch_out(void *buf, size_t len);
void mica_touch_in(const void *buf, size_t len);

#endif
