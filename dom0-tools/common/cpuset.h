/*
 * Sets of physical CPUs, written the way xm wrote them: "0-3,5", "^2"
 * to take a CPU away again, "all".
 */
#ifndef MICA_CPUSET_H
#define MICA_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* The largest CPU number a list may name is CPUSET_MAX - 1. */
#define CPUSET_MAX 1024

struct cpuset {
    uint64_t bits[CPUSET_MAX / 64];
};

/*
 * Parses a CPU list. Items are applied left to right, so "0-7,^3" is
 * 0-2,4-7 and "^3,0-7" is 0-7, as in xm. On failure returns -1 and puts a
 * one-line reason (without the list itself) into why.
 */
int cpuset_parse(const char *text, struct cpuset *out, char *why,
                 size_t whylen);

void cpuset_clear(struct cpuset *cs);
void cpuset_add(struct cpuset *cs, unsigned cpu);
bool cpuset_has(const struct cpuset *cs, unsigned cpu);
unsigned cpuset_count(const struct cpuset *cs);
bool cpuset_equal(const struct cpuset *a, const struct cpuset *b);
/* True when every CPU below nr_cpus is in the set. */
bool cpuset_covers(const struct cpuset *cs, unsigned nr_cpus);

/* Appends the shortest range form, e.g. "0-3,5"; nothing for an empty set. */
void cpuset_format(const struct cpuset *cs, struct sbuf *sb);

#endif
