/* The toolstack doorbell as a 32-bit guest rings it (docs/toolstack-abi.md):
 * operation in EAX, arguments in EBX, ECX, EDX, ESI, the result in EAX.
 * Only dom0 and boot-time control domains (module option "ctl") get an
 * answer other than -EPERM. */
#ifndef TESTS_DOORBELL_H
#define TESTS_DOORBELL_H

#include <stdint.h>
#include <mica/ctl.h>

static inline long ctl(unsigned int op, uint32_t a1, uint32_t a2, uint32_t a3,
                       uint32_t a4)
{
    long ret;
    uint32_t b, c, d, s;

    __asm__ volatile("outl %%eax, %[port]"
                     : "=a"(ret), "=b"(b), "=c"(c), "=d"(d), "=S"(s)
                     : "a"(op), "1"(a1), "2"(a2), "3"(a3), "4"(a4),
                       [port] "i"(MICA_CTL_PORT)
                     : "memory");
    return ret;
}

#endif
