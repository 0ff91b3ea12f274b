/*
 * The corpus of broken configurations in tests/bad-configs: each file NAME
 * has NAME.expected beside it, holding the exact first error that reading
 * it must give. Files whose names start with "xend-" are xend-config.sxp
 * files; the others are domain configurations in either form. Adding a
 * case is adding two files.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "common/readfile.h"
#include "xend/config.h"
#include "xm/domcfg.h"

#define CORPUS_DIR TESTS_DIR "/bad-configs"
#define MAX_CASES 256
#define SUFFIX ".expected"

static char *cases[MAX_CASES];
static int ncases;

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n > m && strcmp(s + n - m, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_cases(void)
{
    DIR *dir = opendir(CORPUS_DIR);
    struct dirent *e;

    if (!dir)
        return;
    while ((e = readdir(dir)) && ncases < MAX_CASES) {
        if (e->d_name[0] == '.' || has_suffix(e->d_name, SUFFIX))
            continue;
        cases[ncases++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(cases, (size_t)ncases, sizeof(*cases), by_name);
}

static char *read_text(const char *dir, const char *name, const char *suffix)
{
    char path[1024];
    char *buf;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffix);
    ck_assert_msg(read_whole_file(path, &buf, &len) == 0, "cannot read %s",
                  path);
    return buf;
}

START_TEST(test_corpus_file)
{
    const char *name = cases[_i];
    char *text = read_text(CORPUS_DIR, name, "");
    char *want = read_text(CORPUS_DIR, name, SUFFIX);
    struct diag d;
    int rc;

    want[strcspn(want, "\n")] = '\0';
    diag_init(&d);
    if (strncmp(name, "xend-", 5) == 0) {
        struct xend_config c;
        xend_config_defaults(&c);
        rc = xend_config_parse(text, strlen(text), name, &c, &d);
        xend_config_free(&c);
    } else {
        struct domcfg c;
        rc = domcfg_parse(text, strlen(text), name, NULL, 0, &c, &d);
        domcfg_free(&c);
    }
    ck_assert_msg(rc == -1, "%s was accepted", name);
    ck_assert_msg(diag_first_error(&d) != NULL, "%s: no error", name);
    ck_assert_msg(strcmp(diag_first_error(&d), want) == 0,
                  "%s:\n  expected: %s\n  got:      %s", name, want,
                  diag_first_error(&d));
    diag_free(&d);
    free(text);
    free(want);
}
END_TEST

START_TEST(test_corpus_is_complete)
{
    DIR *dir = opendir(CORPUS_DIR);
    struct dirent *e;
    int expected = 0;

    ck_assert_ptr_nonnull(dir);
    while ((e = readdir(dir))) {
        if (!has_suffix(e->d_name, SUFFIX))
            continue;
        expected++;
        char base[512];
        snprintf(base, sizeof(base), "%.*s",
                 (int)(strlen(e->d_name) - strlen(SUFFIX)), e->d_name);
        bool found = false;
        for (int i = 0; i < ncases; i++)
            found |= strcmp(cases[i], base) == 0;
        ck_assert_msg(found, "%s has no configuration beside it", e->d_name);
    }
    closedir(dir);
    ck_assert_int_eq(expected, ncases);
    ck_assert_int_ge(ncases, 15);
}
END_TEST

Suite *corpus_suite(void)
{
    Suite *s = suite_create("bad-configs");
    TCase *tc = tcase_create("core");

    find_cases();
    tcase_add_test(tc, test_corpus_is_complete);
    tcase_add_loop_test(tc, test_corpus_file, 0, ncases);
    suite_add_tcase(s, tc);
    return s;
}
