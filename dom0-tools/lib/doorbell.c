/*
 * The doorbell: one OUT to MICA_CTL_PORT with the operation in RAX and the
 * arguments in RDI, RSI, RDX, R10 and R8 (ctl.h); mica answers in RAX.
 */
#include "libmica_int.h"

#include <errno.h>

#if !defined(__x86_64__)
#error "libmica uses ctl.h's 64-bit calling convention: build it for x86-64"
#endif

static mica_doorbell_fn replacement;
static bool ready;

/*
 * The arguments are register variables, so the OUT sees them where ctl.h
 * puts them. ctl.h promises nothing about the argument registers after the
 * call, so they are in-out here; "memory" because mica may have written
 * into any buffer we passed.
 */
static long out_doorbell(uint64_t op, const uint64_t a[5])
{
    register uint64_t rax __asm__("rax") = op;
    register uint64_t rdi __asm__("rdi") = a[0];
    register uint64_t rsi __asm__("rsi") = a[1];
    register uint64_t rdx __asm__("rdx") = a[2];
    register uint64_t r10 __asm__("r10") = a[3];
    register uint64_t r8 __asm__("r8") = a[4];

    __asm__ volatile("outl %%eax, %[port]"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx),
                       "+r"(r10), "+r"(r8)
                     : [port] "N"(MICA_CTL_PORT)
                     : "memory");
    return (long)rax;
}

void mica_set_doorbell(mica_doorbell_fn fn)
{
    replacement = fn;
}

bool mica_doorbell_replaced(void)
{
    return replacement != NULL;
}

void mica_set_ready(bool on)
{
    ready = on;
}

static long ring(unsigned op, const uint64_t args[5])
{
    if (replacement)
        return replacement(op, args);
    /* Without ioperm() dom0's kernel would kill us with SIGSEGV for the
     * OUT, and without the handshake nobody may be listening: a missing
     * or failed mica_open() is better told as an error. */
    if (!ready)
        return -ENOTCONN;
    return out_doorbell(op, args);
}

long mica_call(unsigned op, uint64_t a0, uint64_t a1, uint64_t a2,
               uint64_t a3, uint64_t a4)
{
    const uint64_t args[5] = { a0, a1, a2, a3, a4 };
    long r = ring(op, args);

    if (r >= 0)
        return r;
    /* mica answers Linux errno numbers, which end at 4095 as the kernel's
     * do; anything more negative is no errno at all. */
    errno = r >= -4095 ? (int)-r : EIO;
    return -1;
}
