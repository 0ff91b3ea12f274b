/* Shared by the host unit tests: one Check suite per source under test. */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdbool.h>

/* Each builds its suite; regression tests for bugs they found sit with
 * the others. */
Suite *frame_suite(void);
Suite *cmdline_suite(void);
Suite *multiboot_suite(void);
Suite *memmap_suite(void);
Suite *elf_suite(void);
Suite *vsprintf_suite(void);
Suite *string_suite(void);
Suite *time_suite(void);
Suite *credit_suite(void);
Suite *emulate_suite(void);
Suite *console_suite(void);

#endif
