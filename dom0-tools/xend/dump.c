/* Core dumps of crashed domains (dump.h). */
#define _GNU_SOURCE     /* memmem */
#include "dump.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/libmica.h"

#define PAGE 4096u
/* Copied a chunk at a time: mica copies 256 bytes a step, so a chunk is
 * many steps in one doorbell. */
#define CHUNK (64u << 10)

void dump_core_path(char *buf, size_t len, const char *dir,
                    const struct tm *when, const char *name, int domid)
{
    char stamp[32];

    strftime(stamp, sizeof(stamp), "%Y-%m%d-%H%M.%S", when);
    snprintf(buf, len, "%s/%s-%s.%d.core", dir, stamp, name, domid);
}

static const char *reason_name(unsigned r)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
        [SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
        [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
    };

    return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r]
                                                            : "unknown";
}

/* Whether a log line is about domain tag ("dN ("): the tag opens the
 * line or follows a blank (after a prefix such as "(mica) "). */
static bool about(const char *l, size_t n, const char *tag, size_t tlen)
{
    for (size_t k = 0; k + tlen <= n; k++)
        if ((k == 0 || l[k - 1] == ' ') && memcmp(l + k, tag, tlen) == 0)
            return true;
    return false;
}

/* The lines of mica's log about domain domid since it was last created,
 * each indented. */
static void domain_lines(struct sbuf *sb, const char *dmesg, int domid)
{
    static const char created[] = "created by the toolstack";
    char tag[16];
    size_t tlen = (size_t)snprintf(tag, sizeof(tag), "d%d (", domid);
    const char *from = NULL;

    /* An earlier domain may have had the same id: start at the last
     * creation of this one, or at the first line about it. */
    for (const char *l = dmesg; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        if (about(l, n, tag, tlen) &&
            (!from || memmem(l, n, created, sizeof(created) - 1)))
            from = l;
        l = nl ? nl + 1 : NULL;
    }
    for (const char *l = from; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        if (about(l, n, tag, tlen))
            sbuf_printf(sb, "    %.*s\n", (int)n, l);
        l = nl ? nl + 1 : NULL;
    }
}

void dump_info_text(struct sbuf *sb, const char *name,
                    const struct mica_domain_info *i,
                    const struct mica_vcpu_info *v, int nv,
                    const char *dmesg, uint64_t bytes)
{
    static const char letters[] = "rbpscd";
    char st[7];

    for (int k = 0; k < 6; k++)
        st[k] = (i->flags >> k) & 1 ? letters[k] : '-';
    st[6] = '\0';
    sbuf_printf(sb, "domain:          %s (id %u)\n", name, i->domid);
    sbuf_printf(sb, "state:           %s\n", st);
    sbuf_printf(sb, "shutdown reason: %s (%u), code %d\n",
                reason_name(i->shutdown_reason), i->shutdown_reason,
                i->shutdown_code);
    sbuf_printf(sb, "memory:          %llu KiB (maximum %llu KiB)\n",
                (unsigned long long)(i->tot_pages * 4),
                (unsigned long long)(i->max_pages * 4));
    sbuf_printf(sb, "vcpus:           %u\n", i->nr_vcpus);
    sbuf_printf(sb, "cpu time:        %.3f s\n", (double)i->cpu_time_ns / 1e9);
    sbuf_printf(sb, "created:         %.3f s after mica started\n",
                (double)i->created_ns / 1e9);
    if (nv < 0) {
        sbuf_printf(sb, "vcpu state:      not available (%s)\n",
                    strerror(-nv));
    } else {
        for (int k = 0; k < nv; k++)
            sbuf_printf(sb, "vcpu %-3u         cpu %u, flags %#x, %.3f s, "
                        "affinity %#llx\n", v[k].vcpu, v[k].cpu, v[k].flags,
                        (double)v[k].cpu_time_ns / 1e9,
                        (unsigned long long)v[k].affinity);
    }
    sbuf_puts(sb, "mica's log about it:\n");
    domain_lines(sb, dmesg, i->domid);
    sbuf_printf(sb, "memory image:    %llu bytes of guest-physical memory "
                "from address 0, raw\n", (unsigned long long)bytes);
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;

    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int dump_memory(int domid, uint64_t ram_bytes, const char *path,
                uint64_t *bytes, uint64_t *holes, char *why, size_t whylen)
{
    char *buf = malloc(CHUNK);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    uint64_t gpa = 0;
    bool end = false;

    *bytes = *holes = 0;
    if (fd < 0 || !buf) {
        snprintf(why, whylen, "cannot create %s: %s", path, strerror(errno));
        free(buf);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    while (!end) {
        if (mica_copy_from_domain((domid_t)domid, gpa, buf, CHUNK) == 0) {
            if (write_all(fd, buf, CHUNK) < 0)
                goto write_error;
            gpa += CHUNK;
            continue;
        }
        if (errno != EINVAL)
            goto mica_error;
        /* Part of the chunk is outside the domain's memory: page by page,
         * to find where its RAM ends. */
        for (unsigned off = 0; off < CHUNK; off += PAGE, gpa += PAGE) {
            if (mica_copy_from_domain((domid_t)domid, gpa, buf, PAGE) == 0) {
                if (write_all(fd, buf, PAGE) < 0)
                    goto write_error;
            } else if (errno != EINVAL) {
                goto mica_error;
            } else if (gpa >= ram_bytes) {
                end = true;
                break;
            } else {
                memset(buf, 0, PAGE);
                if (write_all(fd, buf, PAGE) < 0)
                    goto write_error;
                (*holes)++;
            }
        }
    }
    *bytes = gpa;
    free(buf);
    if (close(fd) < 0) {
        snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;

write_error:
    snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
    goto fail;
mica_error:
    snprintf(why, whylen, "cannot read the memory of domain %d at %#llx: "
             "%s", domid, (unsigned long long)gpa, strerror(errno));
fail:
    free(buf);
    close(fd);
    unlink(path);
    return -1;
}
