/* hello: the smallest useful guest.  It checks what the PVH start gives it
 * (magic, version, command line, memory map), writes through console_io
 * and shuts down with a reason. */
#include "guest.h"

enum verdict test_main(const char *cmdline)
{
    uint64_t ram = ram_size();
    char who[32];

    printf("Hello from a mica guest! start_info v%u, %u KiB RAM, cmdline '%s'\n",
           start_info->version, (unsigned)(ram >> 10), cmdline);
    if (start_info->version < 1 || !start_info->memmap_entries) {
        printf("no memory map in start_info\n");
        return FAILURE;
    }
    if (ram < (uint64_t)(uintptr_t)_end) {
        printf("RAM (%u KiB) ends below the kernel image\n", (unsigned)(ram >> 10));
        return FAILURE;
    }
    if (cmdline_value(cmdline, "expect_mem", who, sizeof(who))) {
        unsigned long mib = 0;

        for (const char *p = who; *p >= '0' && *p <= '9'; p++)
            mib = mib * 10 + (unsigned long)(*p - '0');
        if (ram != (uint64_t)mib << 20) {
            printf("expected %lu MiB of RAM\n", mib);
            return FAILURE;
        }
    }
    return SUCCESS;
}
