/*
 * The dom0-tools unit-test runner: every suite in one SRunner, so that the
 * last line is Check's summary for the lot.
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(sxp_suite());

    srunner_add_suite(sr, cpuset_suite());
    srunner_add_suite(sr, xend_config_suite());
    srunner_add_suite(sr, domcfg_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, format_suite());
    srunner_add_suite(sr, corpus_suite());
    srunner_add_suite(sr, libmica_suite());
    srunner_add_suite(sr, mica_info_suite());
    srunner_add_suite(sr, build_suite());
    srunner_add_suite(sr, xend_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
