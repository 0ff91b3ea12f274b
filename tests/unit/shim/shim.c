/* What the hypervisor's sources expect from the rest of mica and glibc 2.36
 * lacks.  strlcpy is written here, for the host, rather than taken from
 * hypervisor/common/string.c, whose memcpy and friends would clash with
 * libc's own. */
#include <asm/cpu.h>
#include <mica/string.h>

/* Interrupts start enabled, as on a CPU running mica after boot. */
unsigned long shim_rflags = X86_RFLAGS_IF;

/* OpenBSD's contract: copies at most n - 1 bytes, always terminates when
 * n > 0, and returns strlen(s) so the caller can detect truncation. */
size_t strlcpy(char *d, const char *s, size_t n)
{
    size_t len = strlen(s);

    if (n) {
        size_t c = len < n ? len : n - 1;

        memcpy(d, s, c);
        d[c] = '\0';
    }
    return len;
}
