/*
 * mica-info: host information and the domain list, straight from mica
 * through libmica. The work is here rather than in main() so that the
 * tests run the whole program against a fake doorbell.
 */
#ifndef MICA_INFO_H
#define MICA_INFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/sbuf.h"
#include "../lib/libmica.h"

/* The program: writes its report to out and errors to err; returns the
 * exit status (0, 1 when mica cannot be reached or fails, 2 for usage). */
int mica_info_main(int argc, char **argv, FILE *out, FILE *err);

/* "name                   : value" lines, as xm info prints them. */
void mica_info_host(struct sbuf *sb, const struct mica_physinfo *pi);
/* xm list: the header and one row per domain. */
void mica_info_domains(struct sbuf *sb, const struct mica_domain_info *d,
                       size_t n, uint64_t uptime_ns);
/* Both as one JSON object; with host NULL, only the domains' array. */
void mica_info_json(struct sbuf *sb, const struct mica_physinfo *host,
                    const struct mica_domain_info *d, size_t n,
                    uint64_t uptime_ns);

#endif
