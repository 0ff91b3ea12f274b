/* fpu: guest register state that VM exits do not switch stays each
 * guest's own.  Run two of these on one CPU with different seeds: each
 * puts its pattern in XMM3 and DR0, then yields to the other many times,
 * checking after each turn that its values are still there. */
#include "guest.h"

static uint32_t pattern(uint32_t seed, int lane)
{
    return seed * 0x01010101u ^ (uint32_t)lane << 28;
}

enum verdict test_main(const char *cmdline)
{
    char seed_s[16];
    uint32_t seed = 0, xmm[4] __attribute__((aligned(16)));
    uint32_t dr0;
    unsigned long cr4;

    if (!cmdline_value(cmdline, "seed", seed_s, sizeof(seed_s)))
        return ERROR;
    for (const char *p = seed_s; *p >= '0' && *p <= '9'; p++)
        seed = seed * 10 + (uint32_t)(*p - '0');

    /* SSE needs CR4.OSFXSR; the guest starts with CR4 = 0. */
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1u << 9)));
    for (int i = 0; i < 4; i++)
        xmm[i] = pattern(seed, i);
    __asm__ volatile("movdqa %0, %%xmm3" : : "m"(xmm));
    __asm__ volatile("mov %0, %%dr0" : : "r"(pattern(seed, 7)));

    for (int turn = 0; turn < 100; turn++) {
        sched_yield();
        __asm__ volatile("movdqa %%xmm3, %0" : "=m"(xmm));
        __asm__ volatile("mov %%dr0, %0" : "=r"(dr0));
        for (int i = 0; i < 4; i++) {
            if (xmm[i] != pattern(seed, i)) {
                printf("fpu: xmm3 lane %d is %#x after turn %d, want %#x\n",
                       i, xmm[i], turn, pattern(seed, i));
                return FAILURE;
            }
        }
        if (dr0 != pattern(seed, 7)) {
            printf("fpu: dr0 is %#x after turn %d\n", dr0, turn);
            return FAILURE;
        }
    }
    printf("fpu: xmm3 and dr0 kept over 100 turns\n");
    return SUCCESS;
}
