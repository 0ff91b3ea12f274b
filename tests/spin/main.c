/* spin: a guest that computes for a while and reports, so that several can
 * run at once on different CPUs (the harness checks mica's placement). */
#include "guest.h"

enum verdict test_main(const char *cmdline)
{
    char iters_s[16] = "2000000";
    unsigned long iters = 0;
    uint32_t x = 1;

    cmdline_value(cmdline, "iters", iters_s, sizeof(iters_s));
    for (const char *p = iters_s; *p >= '0' && *p <= '9'; p++)
        iters = iters * 10 + (unsigned long)(*p - '0');
    /* iters=forever: until the toolstack stops it, however fast the
     * platform (a 32-bit count lasts only a minute or so under Bochs). */
    if (strcmp(iters_s, "forever") == 0) {
        printf("spin: until stopped\n");
        for (;;)
            x = x * 1103515245u + 12345u;
    }
    printf("spin: %lu iterations\n", iters);
    for (unsigned long i = 0; i < iters; i++)
        x = x * 1103515245u + 12345u;
    printf("spin: done (%#x)\n", x);
    return SUCCESS;
}
