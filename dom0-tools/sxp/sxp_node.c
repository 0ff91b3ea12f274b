/*
 * SXP nodes: building, freeing, comparing and typed access.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sxp.h"
#include "../common/xalloc.h"

static struct sxp_node *new_node(enum sxp_type type)
{
    struct sxp_node *n = xcalloc(1, sizeof(*n));

    n->type = type;
    return n;
}

struct sxp_node *sxp_new_list(void)
{
    return new_node(SXP_LIST);
}

struct sxp_node *sxp_new_symbol(const char *text)
{
    struct sxp_node *n = new_node(SXP_SYMBOL);

    n->text = xstrdup(text);
    return n;
}

struct sxp_node *sxp_new_string(const char *text)
{
    struct sxp_node *n = new_node(SXP_STRING);

    n->text = xstrdup(text);
    return n;
}

struct sxp_node *sxp_new_int(int64_t v)
{
    struct sxp_node *n = new_node(SXP_NUMBER);

    n->ival = v;
    n->fval = (double)v;
    return n;
}

struct sxp_node *sxp_new_float(double v)
{
    struct sxp_node *n = new_node(SXP_NUMBER);

    n->is_float = true;
    n->fval = v;
    return n;
}

struct sxp_node *sxp_append(struct sxp_node *list, struct sxp_node *child)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 4;
        list->items = xrealloc(list->items, list->cap * sizeof(*list->items));
    }
    list->items[list->count++] = child;
    return list;
}

struct sxp_node *sxp_add_pair(struct sxp_node *list, const char *name,
                              struct sxp_node *value)
{
    struct sxp_node *pair = sxp_new_list();

    sxp_append(pair, sxp_new_symbol(name));
    sxp_append(pair, value);
    sxp_append(list, pair);
    return pair;
}

void sxp_free(struct sxp_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->count; i++)
        sxp_free(n->items[i]);
    free(n->items);
    free(n->text);
    free(n->owned_file);
    free(n);
}

const char *sxp_head(const struct sxp_node *list)
{
    if (!sxp_is_list(list) || list->count == 0 ||
        !sxp_is_text(list->items[0]))
        return NULL;
    return list->items[0]->text;
}

const struct sxp_node *sxp_lookup(const struct sxp_node *list,
                                  const char *name)
{
    if (!sxp_is_list(list))
        return NULL;
    for (size_t i = 0; i < list->count; i++) {
        const char *head = sxp_head(list->items[i]);
        if (head && strcmp(head, name) == 0)
            return list->items[i];
    }
    return NULL;
}

const struct sxp_node *sxp_value(const struct sxp_node *pair)
{
    if (!sxp_is_list(pair) || pair->count < 2)
        return NULL;
    return pair->items[1];
}

void sxp_describe(const struct sxp_node *n, char *buf, size_t len)
{
    /* Long values are cut so that a message stays on one readable line. */
    enum { SHOWN = 40 };

    if (!n) {
        snprintf(buf, len, "nothing");
    } else if (n->type == SXP_LIST) {
        snprintf(buf, len, n->count ? "a list" : "an empty list");
    } else if (n->type == SXP_NUMBER) {
        if (n->text)
            snprintf(buf, len, "%.*s", SHOWN, n->text);
        else if (n->is_float)
            snprintf(buf, len, "%g", n->fval);
        else
            snprintf(buf, len, "%" PRId64, n->ival);
    } else {
        size_t tl = strlen(n->text);
        snprintf(buf, len, "'%.*s%s'", SHOWN, n->text,
                 tl > SHOWN ? "..." : "");
    }
}

int sxp_get_int(const struct sxp_node *n, const char *what, int64_t min,
                int64_t max, int64_t *out, struct diag *d)
{
    int64_t v = 0;
    bool ok = false;

    if (n && n->type == SXP_NUMBER && !n->is_float) {
        v = n->ival;
        ok = true;
    } else if (n && n->type == SXP_STRING) {
        /* A quoted number is still a number to the people who write
         * memory = "512", as xm's int() conversion accepted it. */
        bool f;
        double fv;
        if (sxp_read_number(n->text, strlen(n->text), &f, &v, &fv) ==
                SXP_NUMBER_OK && !f)
            ok = true;
    }
    if (ok && v >= min && v <= max) {
        *out = v;
        return 0;
    }

    char got[64];
    sxp_describe(n, got, sizeof(got));
    diag_error(d, n ? n->file : NULL, n ? n->line : 0, n ? n->column : 0,
               "%s: expected an integer %" PRId64 "..%" PRId64 ", got %s",
               what, min, max, got);
    return -1;
}

int sxp_get_text(const struct sxp_node *n, const char *what,
                 const char **out, struct diag *d)
{
    if (sxp_is_text(n)) {
        *out = n->text;
        return 0;
    }
    char got[64];
    sxp_describe(n, got, sizeof(got));
    if (n && n->type == SXP_NUMBER)
        diag_error(d, n->file, n->line, n->column,
                   "%s: expected a string, got the number %s "
                   "(quote it: \"%s\")", what, got, got);
    else
        diag_error(d, n ? n->file : NULL, n ? n->line : 0,
                   n ? n->column : 0, "%s: expected a string, got %s",
                   what, got);
    return -1;
}

bool sxp_equal(const struct sxp_node *a, const struct sxp_node *b)
{
    if (!a || !b)
        return a == b;
    if (sxp_is_text(a) && sxp_is_text(b))
        return strcmp(a->text, b->text) == 0;
    if (a->type != b->type)
        return false;
    if (a->type == SXP_NUMBER) {
        if (a->is_float != b->is_float)
            return false;
        return a->is_float ? a->fval == b->fval : a->ival == b->ival;
    }
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (!sxp_equal(a->items[i], b->items[i]))
            return false;
    return true;
}
