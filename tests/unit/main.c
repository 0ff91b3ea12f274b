/* Runs every unit-test suite and ends with one verdict line:
 * "unit tests: N passed, N failed".  `--known-bugs` runs instead the tests
 * that document bugs the hypervisor still has. */
#include <stdio.h>
#include <string.h>

#include "unit.h"

int main(int argc, char **argv)
{
    bool bugs = argc > 1 && !strcmp(argv[1], "--known-bugs");
    SRunner *sr = srunner_create(frame_suite(bugs));
    int run, failed;

    srunner_add_suite(sr, cmdline_suite(bugs));
    srunner_add_suite(sr, multiboot_suite(bugs));
    srunner_add_suite(sr, elf_suite(bugs));
    srunner_add_suite(sr, vsprintf_suite(bugs));
    srunner_run_all(sr, CK_ENV);
    run = srunner_ntests_run(sr);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("unit tests: %d passed, %d failed\n", run - failed, failed);
    return failed ? 1 : 0;
}
