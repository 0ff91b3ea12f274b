/* The Check suites of the dom0-tools unit tests, and shared helpers. */
#ifndef MICA_TESTS_SUITES_H
#define MICA_TESTS_SUITES_H

#include <check.h>

#include "common/diag.h"

Suite *sxp_suite(void);
Suite *cpuset_suite(void);
Suite *xend_config_suite(void);
Suite *domcfg_suite(void);
Suite *cli_suite(void);
Suite *format_suite(void);
Suite *corpus_suite(void);
Suite *libmica_suite(void);
Suite *mica_info_suite(void);
Suite *build_suite(void);
Suite *xend_suite(void);

/* Asserts that d's first error is exactly want. */
#define ck_assert_first_error(d, want) do { \
        const char *got_ = diag_first_error(d); \
        ck_assert_msg(got_ != NULL, "expected the error \"%s\", got none", \
                      (want)); \
        ck_assert_str_eq(got_, (want)); \
    } while (0)

#endif
