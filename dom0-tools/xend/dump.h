/*
 * Core dumps of crashed domains (enable-dump, on_crash=coredump-*): the
 * domain's guest-physical memory, raw from address 0, in a .core file
 * named as Xen named them, and beside it a .core.txt file with what mica
 * reports about the domain and its vCPUs and what its console said about
 * it. Raw rather than Xen's ELF: mica gives no register state to put in
 * notes yet, and a raw image is what a debugger loads at an address.
 */
#ifndef MICA_XEND_DUMP_H
#define MICA_XEND_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <mica/ctl.h>

#include "../common/sbuf.h"

/* DIR/YYYY-MMDD-HHMM.SS-NAME.DOMID.core, Xen's dumpCore() name. */
void dump_core_path(char *buf, size_t len, const char *dir,
                    const struct tm *when, const char *name, int domid);

/*
 * The text file: i as mica reported it, the vCPUs (nv < 0: vcpu_info
 * failed with errno -nv), the lines of mica's console log about the
 * domain (from dmesg, which may be NULL), and the size of the memory
 * image.
 */
void dump_info_text(struct sbuf *sb, const char *name,
                    const struct mica_domain_info *i,
                    const struct mica_vcpu_info *v, int nv,
                    const char *dmesg, uint64_t bytes);

/*
 * Copies domain domid's memory into a new file at path (it must not
 * exist): every page from 0 that mica gives, until the first one it
 * refuses at or above ram_bytes (pages it refuses below that are written
 * as zeros and counted in *holes). Returns 0 with the size in *bytes, or
 * -1 with the reason in why.
 */
int dump_memory(int domid, uint64_t ram_bytes, const char *path,
                uint64_t *bytes, uint64_t *holes, char *why, size_t whylen);

#endif
