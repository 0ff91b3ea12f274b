/*
 * libFuzzer target for the configuration readers.
 *
 * Every input goes through the SXP reader and, as the same bytes might be
 * any configuration file, through the classic-form reader, the domain
 * configuration reader and the xend-config reader too. Beyond "no crash,
 * no leak, no hang" (the sanitizers and libFuzzer's limits), it checks the
 * promises the readers make:
 *   - a failed parse reports exactly one error;
 *   - SXP that parses writes out as text that parses back to an equal
 *     tree, and writing that tree again gives the same text;
 *   - a domain configuration that is accepted prints as SXP that is
 *     accepted again and means the same configuration;
 *   - an accepted xend configuration prints as SXP that reads back to the
 *     same settings.
 * Run with `make fuzz` (clang).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sxp/sxp.h"
#include "xend/config.h"
#include "xm/domcfg.h"
#include "xm/domcfg_int.h"

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_sxp: %s\n%s\n", what, detail ? detail : "");
    abort();
}

/* Calls the typed helpers on every node, for their own sake. */
static void poke(const struct sxp_node *n, struct diag *d)
{
    char buf[64];
    int64_t v;
    const char *s;

    sxp_describe(n, buf, sizeof(buf));
    sxp_get_int(n, "x", -5, 5, &v, d);
    sxp_get_text(n, "x", &s, d);
    if (n->type != SXP_LIST)
        return;
    sxp_head(n);
    sxp_lookup(n, "vm");
    sxp_value(n);
    for (size_t i = 0; i < n->count; i++)
        poke(n->items[i], d);
}

static void check_sxp(const char *text, size_t len)
{
    struct diag d;

    diag_init(&d);
    struct sxp_node *doc = sxp_parse(text, len, "fuzz", &d);
    if (!doc) {
        if (d.errors != 1 || d.count != 1)
            die("a failed parse must report exactly one error", NULL);
        diag_free(&d);
        return;
    }

    char *w1 = sxp_write_doc_str(doc);
    struct diag d2;
    diag_init(&d2);
    struct sxp_node *again = sxp_parse(w1, strlen(w1), "fuzz-again", &d2);
    if (!again)
        die("written SXP does not parse", diag_first_error(&d2));
    if (!sxp_equal(doc, again))
        die("written SXP parses to a different tree", w1);
    char *w2 = sxp_write_doc_str(again);
    if (strcmp(w1, w2) != 0)
        die("writing is not stable", w1);

    poke(doc, &d);
    free(w1);
    free(w2);
    sxp_free(again);
    sxp_free(doc);
    diag_free(&d);
    diag_free(&d2);
}

static void check_classic(const char *text, size_t len)
{
    struct diag d;

    diag_init(&d);
    struct sxp_node *doc = domcfg_classic_parse(text, len, "fuzz.cfg", &d);
    if (!doc && d.errors != 1)
        die("a failed classic parse must report exactly one error", NULL);
    sxp_free(doc);
    diag_free(&d);
}

static void check_domcfg(const char *text, size_t len)
{
    struct domcfg c;
    struct diag d;
    static const char *const overrides[] = { "vcpus=2" };

    diag_init(&d);
    int rc = domcfg_parse(text, len, "fuzz.cfg", overrides,
                          len % 2 ? 1 : 0, &c, &d);
    if (rc == 0) {
        char *s = domcfg_to_sxp(&c);
        struct domcfg c2;
        struct diag d2;
        diag_init(&d2);
        if (domcfg_parse(s, strlen(s), "fuzz.sxp", NULL, 0, &c2, &d2) != 0)
            die("a printed domain configuration is rejected",
                diag_first_error(&d2));
        if (!domcfg_equal(&c, &c2))
            die("a printed domain configuration means something else", s);
        free(s);
        domcfg_free(&c2);
        diag_free(&d2);
    } else if (d.errors == 0) {
        die("domcfg_parse failed without an error", NULL);
    }
    domcfg_free(&c);
    diag_free(&d);
}

static void check_xend(const char *text, size_t len)
{
    struct xend_config c;
    struct diag d;

    diag_init(&d);
    xend_config_defaults(&c);
    if (xend_config_parse(text, len, "xend-config.sxp", &c, &d) == 0) {
        char *s = xend_config_to_sxp(&c);
        struct xend_config c2;
        struct diag d2;
        diag_init(&d2);
        xend_config_defaults(&c2);
        if (xend_config_parse(s, strlen(s), "again.sxp", &c2, &d2) != 0)
            die("printed xend settings are rejected",
                diag_first_error(&d2));
        char *s2 = xend_config_to_sxp(&c2);
        if (strcmp(s, s2) != 0)
            die("printed xend settings read back differently", s);
        free(s);
        free(s2);
        xend_config_free(&c2);
        diag_free(&d2);
    }
    xend_config_free(&c);
    diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;

    check_sxp(text, size);
    check_classic(text, size);
    check_domcfg(text, size);
    check_xend(text, size);
    return 0;
}
