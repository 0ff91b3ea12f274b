/* Shared by the host unit tests: one Check suite per source under test. */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdbool.h>

/* Each builds its suite.  With known_bugs, the suite holds only the tests
 * that document bugs still present in the hypervisor (run by `make
 * run-bugs`); they are kept out of the default run so that it stays green. */
Suite *frame_suite(bool known_bugs);
Suite *cmdline_suite(bool known_bugs);
Suite *multiboot_suite(bool known_bugs);
Suite *elf_suite(bool known_bugs);
Suite *vsprintf_suite(bool known_bugs);

#endif
