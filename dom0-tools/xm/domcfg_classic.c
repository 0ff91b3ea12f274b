/*
 * The classic configuration form: the small part of Python that xm
 * configuration files use in practice.
 *
 *   # comment
 *   name   = "web1"                 strings in '' or "", Python escapes
 *   memory = 256                    integers: decimal, 0x hex, negative
 *   disk   = [ 'phy:/dev/vg/web1,xvda,w',
 *              'file:/srv/data.img,xvdb,r' ]   lists span lines
 *   extra  = "console=hvc0 " \
 *            "quiet"                continuation and string concatenation
 *
 * xm executed these files as Python. mica reads them instead, so an
 * expression or statement (import os, 64 * 4) is an error that says what is
 * supported rather than code that runs. The tokens come from cfglex.c;
 * this file turns statements into (key value) pairs.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfglex.h"
#include "domcfg_int.h"
#include "../common/sbuf.h"
#include "../common/xalloc.h"

static struct sxp_node *node_at(const struct lexer *lx, enum sxp_type type,
                                const struct token *t)
{
    struct sxp_node *n = xcalloc(1, sizeof(*n));

    n->type = type;
    n->line = t->line;
    n->column = t->col;
    n->file = lx->file;
    return n;
}

/* Marks a value of None, which the caller drops. */
static struct sxp_node none_marker;

static struct sxp_node *parse_value(struct lexer *lx, const char *key,
                                    int depth);

static struct sxp_node *parse_list(struct lexer *lx, const struct token *open,
                                   const char *key, int depth)
{
    char want = open->ch == '[' ? ']' : ')';
    struct sxp_node *list = node_at(lx, SXP_LIST, open);

    if (depth >= SXP_MAX_DEPTH) {
        cfglex_fail(lx, open->line, open->col, "lists nested deeper than %d levels",
             SXP_MAX_DEPTH);
        goto bad;
    }
    for (;;) {
        const struct token *t = cfglex_peek(lx);
        if (!t)
            goto bad;
        if (t->type == T_EOF) {
            cfglex_fail(lx, t->line, t->col, "missing '%c' for '%c' opened at %d:%d",
                 want, open->ch, open->line, open->col);
            goto bad;
        }
        if (t->type == T_CLOSE) {
            struct token close;
            cfglex_next(lx, &close);
            if (close.ch != want) {
                cfglex_fail(lx, close.line, close.col,
                     "'%c' does not match '%c' opened at %d:%d", close.ch,
                     open->ch, open->line, open->col);
                goto bad;
            }
            return list;
        }
        /* The peeked token is overwritten by the next read, so keep where
         * the item starts. */
        struct token at = { .line = t->line, .col = t->col };
        struct sxp_node *item = parse_value(lx, key, depth + 1);
        if (!item)
            goto bad;
        if (item == &none_marker) {
            struct sxp_node *n = node_at(lx, SXP_SYMBOL, &at);
            n->text = xstrdup("None");
            item = n;
        }
        sxp_append(list, item);

        struct token sep;
        if (cfglex_next(lx, &sep) < 0)
            goto bad;
        if (sep.type == T_COMMA) {
            free(sep.text);
            continue;
        }
        if (sep.type == T_CLOSE && sep.ch == want)
            return list;
        char got[64];
        cfglex_describe(&sep, got, sizeof(got));
        if (sep.type == T_EOF)
            cfglex_fail(lx, sep.line, sep.col, "missing '%c' for '%c' opened at "
                 "%d:%d", want, open->ch, open->line, open->col);
        else if (sep.type == T_CLOSE)
            cfglex_fail(lx, sep.line, sep.col, "'%c' does not match '%c' opened at "
                 "%d:%d", sep.ch, open->ch, open->line, open->col);
        else
            cfglex_fail(lx, sep.line, sep.col, "expected ',' or '%c' in the list "
                 "opened at %d:%d, got %s", want, open->line, open->col,
                 got);
        free(sep.text);
        goto bad;
    }
bad:
    sxp_free(list);
    return NULL;
}

static struct sxp_node *parse_value(struct lexer *lx, const char *key,
                                    int depth)
{
    struct token t;
    char got[64];

    if (cfglex_next(lx, &t) < 0)
        return NULL;
    switch (t.type) {
    case T_STRING: {
        /* Adjacent strings join, as in Python: "a" "b" is "ab". */
        struct sbuf sb = SBUF_INIT;
        sbuf_puts(&sb, t.text);
        free(t.text);
        const struct token *p;
        while ((p = cfglex_peek(lx)) && p->type == T_STRING) {
            struct token more;
            cfglex_next(lx, &more);
            sbuf_puts(&sb, more.text);
            free(more.text);
        }
        struct sxp_node *n = node_at(lx, SXP_STRING, &t);
        n->text = sbuf_detach(&sb);
        if (!p) {
            sxp_free(n);
            return NULL;
        }
        return n;
    }
    case T_NUMBER: {
        struct sxp_node *n = node_at(lx, SXP_NUMBER, &t);
        sxp_read_number(t.text, strlen(t.text), &n->is_float, &n->ival,
                        &n->fval);
        n->text = t.text;
        return n;
    }
    case T_NAME:
        if (strcmp(t.text, "True") == 0 || strcmp(t.text, "False") == 0) {
            struct sxp_node *n = node_at(lx, SXP_NUMBER, &t);
            n->ival = t.text[0] == 'T';
            n->fval = (double)n->ival;
            free(t.text);
            return n;
        }
        if (strcmp(t.text, "None") == 0) {
            free(t.text);
            return &none_marker;
        }
        cfglex_fail(lx, t.line, t.col, "%s: unquoted word '%.40s'; strings need "
             "quotes: \"%.40s\"", key, t.text, t.text);
        free(t.text);
        return NULL;
    case T_OPEN:
        return parse_list(lx, &t, key, depth);
    default:
        cfglex_describe(&t, got, sizeof(got));
        cfglex_fail(lx, t.line, t.col, "%s: expected a value, got %s", key, got);
        free(t.text);
        return NULL;
    }
}

static int parse_statement(struct lexer *lx, struct token *name,
                           struct sxp_node *doc)
{
    struct token t;
    char got[64];

    if (cfglex_next(lx, &t) < 0)
        return -1;
    if (t.type != T_EQ) {
        cfglex_describe(&t, got, sizeof(got));
        cfglex_fail(lx, t.line, t.col, "expected '=' after '%.40s', got %s",
             name->text, got);
        free(t.text);
        return -1;
    }
    struct sxp_node *value = parse_value(lx, name->text, 0);
    if (!value)
        return -1;

    if (cfglex_next(lx, &t) < 0)
        goto bad;
    if (t.type != T_NEWLINE && t.type != T_EOF) {
        cfglex_describe(&t, got, sizeof(got));
        cfglex_fail(lx, t.line, t.col, "%s: unexpected %s after the value (only "
             "strings, numbers and lists are supported)", name->text, got);
        free(t.text);
        goto bad;
    }
    if (value == &none_marker)
        return 0;

    struct sxp_node *pair = node_at(lx, SXP_LIST, name);
    struct sxp_node *key = node_at(lx, SXP_SYMBOL, name);
    key->text = xstrdup(name->text);
    sxp_append(pair, key);
    sxp_append(pair, value);
    sxp_append(doc, pair);
    return 0;
bad:
    if (value != &none_marker)
        sxp_free(value);
    return -1;
}

struct sxp_node *domcfg_classic_parse(const char *text, size_t len,
                                      const char *file, struct diag *d)
{
    struct sxp_node *doc = sxp_new_list();

    doc->owned_file = xstrdup(file ? file : "<input>");
    doc->file = doc->owned_file;
    doc->line = 1;
    doc->column = 1;

    struct lexer lx = {
        .p = text, .end = text + len, .line = 1, .col = 1,
        .file = doc->file, .d = d,
    };
    for (;;) {
        struct token t;
        if (cfglex_next(&lx, &t) < 0)
            break;
        if (t.type == T_EOF)
            return doc;
        if (t.type == T_NEWLINE)
            continue;
        if (t.type != T_NAME) {
            char got[64];
            cfglex_describe(&t, got, sizeof(got));
            cfglex_fail(&lx, t.line, t.col, "expected a key name, got %s", got);
            free(t.text);
            break;
        }
        int rc = parse_statement(&lx, &t, doc);
        free(t.text);
        if (rc < 0)
            break;
    }
    if (lx.have_peek)
        free(lx.peeked.text);
    sxp_free(doc);
    return NULL;
}

int domcfg_looks_like_sxp(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len) {
        char c = text[i];
        if (c == '#') {
            while (i < len && text[i] != '\n')
                i++;
        } else if (isspace((unsigned char)c)) {
            i++;
        } else {
            return c == '(';
        }
    }
    return 0;
}
