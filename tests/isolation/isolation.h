/* Shared by the isolation guest's files. */
#ifndef ISOLATION_H
#define ISOLATION_H

/* A guest-physical address past the probe's RAM (it has 4 MiB) that no
 * other page of its own sits at either, and reachable RIP-relative from
 * the 64-bit code near 1 MiB. */
#define OUTSIDE      0x40000000u
#define OUTSIDE_STR "0x40000000"

void mmio_forms(void);

#endif
