/* isolation: two roles.
 *   role=canary fills its RAM with a canary, yields so that the prober runs,
 *     then checks that every word is intact (SUCCESS) or not (FAILURE).
 *   role=probe-read / role=probe-write first looks for the canary in its own
 *     RAM (it must not find it: mica gives each domain zeroed frames of its
 *     own), then reads or writes just past its RAM, which must end this
 *     domain (mica logs the crash) without reaching anyone else's memory. */
#include "guest.h"

#define CANARY 0x5ca1ab1eu

/* The first page after the kernel and after the start_info page (which
 * holds the command line and memory map: the only non-zero data a fresh
 * domain should have beyond its image). */
static uint32_t *ram_begin(void)
{
    uintptr_t a = ((uintptr_t)_end + 4095) & ~(uintptr_t)4095;
    uintptr_t si = ((uintptr_t)start_info & ~(uintptr_t)4095) + 4096;

    return (uint32_t *)(a > si ? a : si);
}

static enum verdict canary(void)
{
    uint32_t *p = ram_begin(), *end = (uint32_t *)(uintptr_t)ram_size();
    unsigned long bad = 0;

    for (uint32_t *q = p; q < end; q++)
        *q = CANARY;
    printf("canary: %u KiB filled\n", (unsigned)((end - p) * 4 / 1024));
    for (int i = 0; i < 4; i++)
        sched_yield();
    for (uint32_t *q = p; q < end; q++)
        bad += *q != CANARY;
    printf("canary: %lu words changed\n", bad);
    return bad ? FAILURE : SUCCESS;
}

static enum verdict probe(bool write)
{
    uint32_t *p = ram_begin(), *end = (uint32_t *)(uintptr_t)ram_size();
    unsigned long found = 0, nonzero = 0;
    volatile uint32_t *outside = end + 1024;

    for (uint32_t *q = p; q < end; q++) {
        found += *q == CANARY;
        nonzero += *q != 0;
    }
    printf("probe: %lu canary words, %lu non-zero words in own RAM\n", found, nonzero);
    if (found || nonzero)
        return FAILURE;
    printf("probe: %s guest-physical %p, past the end of RAM\n",
           write ? "writing" : "reading", (void *)outside);
    if (write)
        *outside = CANARY;
    else
        found = *outside;
    printf("probe: the access outside RAM did not fault (value %#lx)\n", found);
    return FAILURE;
}

enum verdict test_main(const char *cmdline)
{
    char role[32];

    if (!cmdline_value(cmdline, "role", role, sizeof(role)))
        return ERROR;
    if (!strcmp(role, "canary"))
        return canary();
    if (!strcmp(role, "probe-read"))
        return probe(false);
    if (!strcmp(role, "probe-write"))
        return probe(true);
    return ERROR;
}
