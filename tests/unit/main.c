/* Runs every unit-test suite and ends with one verdict line:
 * "unit tests: N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "unit.h"

int main(void)
{
    SRunner *sr = srunner_create(frame_suite());
    int run, failed;

    srunner_add_suite(sr, cmdline_suite());
    srunner_add_suite(sr, multiboot_suite());
    srunner_add_suite(sr, memmap_suite());
    srunner_add_suite(sr, elf_suite());
    srunner_add_suite(sr, vsprintf_suite());
    srunner_add_suite(sr, string_suite());
    srunner_add_suite(sr, time_suite());
    srunner_add_suite(sr, credit_suite());
    srunner_add_suite(sr, emulate_suite());
    srunner_add_suite(sr, console_suite());
    srunner_run_all(sr, CK_ENV);
    run = srunner_ntests_run(sr);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("unit tests: %d passed, %d failed\n", run - failed, failed);
    return failed ? 1 : 0;
}
