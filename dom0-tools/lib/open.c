/*
 * mica_open(): port access and the version handshake.
 *
 * Telling "not running under mica" apart matters because the OUT itself
 * cannot fail: on bare metal, or under another hypervisor, nobody
 * intercepts port 0xe0 and RAX comes back unchanged. Two checks cover it.
 * First, CPUID leaf 1 ECX bit 31: real CPUs return it clear and
 * hypervisors set it for their guests (AMD APM vol. 3, appendix E.3.2;
 * Intel SDM vol. 2A, CPUID, the ECX feature bits), and mica sets it for
 * every domain, dom0 included (hypervisor/arch/x86/cpuid.c); with it
 * clear we never send an OUT to a port that may belong to real hardware.
 * If mica ever hides the bit from dom0, this check must go. Second, RAX
 * starts as MICA_CTL_version, which is 0, so an unanswered OUT reads as
 * version 0, which mica never answers (MICA_CTL_VERSION is 0x00010000).
 */
#include "libmica_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>

static char why[160] = "no error";
static uint32_t abi_version;

/* Sets errno and the message that mica_open_error() returns. */
__attribute__((format(printf, 2, 3)))
static int fail(int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    errno = err;
    return -1;
}

static bool hypervisor_present(void)
{
    uint32_t eax = 1, ebx, ecx = 0, edx;

    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
    return (ecx >> 31) & 1;
}

/*
 * outl touches the four ports MICA_CTL_PORT..+3, and the TSS I/O bitmap
 * must allow every one of them, hence ioperm(port, 4).
 */
static int get_port(void)
{
    if (ioperm(MICA_CTL_PORT, 4, 1) < 0) {
        int err = errno;

        if (err == EPERM)
            return fail(err, "%s (run as root: the doorbell needs I/O port "
                        "access)", strerror(err));
        if (err == ENOSYS)
            return fail(err, "%s (this kernel has no ioperm(): it was built "
                        "without CONFIG_X86_IOPL_IOPERM)", strerror(err));
        return fail(err, "%s (ioperm on I/O port %#x)", strerror(err),
                    MICA_CTL_PORT);
    }
    if (!hypervisor_present())
        return fail(ENODEV, "not running under mica (the CPU reports no "
                    "hypervisor)");
    mica_set_ready(true);
    return 0;
}

int mica_open(void)
{
    mica_set_ready(false);
    abi_version = 0;
    if (!mica_doorbell_replaced() && get_port() < 0)
        return -1;

    long v = mica_call(MICA_CTL_version, 0, 0, 0, 0, 0);
    mica_set_ready(false);
    if (v < 0 && errno == EPERM)
        return fail(EPERM, "%s (mica answers only domain 0)",
                    strerror(EPERM));
    if (v < 0)
        return fail(errno, "%s (mica refused the version handshake)",
                    strerror(errno));
    if (v == 0)
        return fail(ENODEV, "not running under mica (no answer on I/O "
                    "port %#x)", MICA_CTL_PORT);
    if (v > UINT32_MAX || MICA_CTL_MAJOR((uint32_t)v) !=
                          MICA_CTL_MAJOR(MICA_CTL_VERSION))
        return fail(EPROTO, "mica speaks toolstack ABI %lu.%lu and this "
                    "program %u.%u: their major versions differ",
                    (unsigned long)v >> 16, (unsigned long)v & 0xffff,
                    MICA_CTL_MAJOR(MICA_CTL_VERSION),
                    MICA_CTL_VERSION & 0xffff);
    abi_version = (uint32_t)v;
    mica_set_ready(true);
    snprintf(why, sizeof(why), "no error");
    return 0;
}

const char *mica_open_error(void)
{
    return why;
}

uint32_t mica_abi_version(void)
{
    return abi_version;
}
