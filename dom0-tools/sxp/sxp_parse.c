/*
 * The SXP reader: text to a tree of nodes, or one precise error.
 *
 * Positions are 1-based. Columns count characters, not bytes: the
 * continuation bytes of a UTF-8 sequence do not advance the column, so the
 * column matches what an editor shows. A tab counts as one column, as in
 * compilers' messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sxp.h"
#include "../common/readfile.h"
#include "../common/xalloc.h"
#include "../common/sbuf.h"

struct reader {
    const char *p;
    const char *end;
    int line;
    int col;
    const char *file;
    struct diag *d;
    bool failed;
};

static void fail(struct reader *r, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct reader *r, int line, int col, const char *fmt, ...)
{
    /* Only the first syntax error is reported: after it the reader's idea
     * of where lists open and close is a guess, and so would be any
     * further message. */
    if (r->failed)
        return;
    r->failed = true;

    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diag_error(r->d, r->file, line, col, "%s", msg);
}

static bool at_end(const struct reader *r)
{
    return r->p >= r->end;
}

/* Consumes one byte, keeping line and column up to date. */
static char advance(struct reader *r)
{
    char c = *r->p++;

    if (c == '\n') {
        r->line++;
        r->col = 1;
    } else if (((unsigned char)c & 0xc0) != 0x80) {
        r->col++;
    }
    return c;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static void skip_blank(struct reader *r)
{
    while (!at_end(r)) {
        char c = *r->p;
        if (is_space(c)) {
            advance(r);
        } else if (c == '#') {
            while (!at_end(r) && *r->p != '\n')
                advance(r);
        } else {
            break;
        }
    }
}

static struct sxp_node *new_at(struct reader *r, enum sxp_type type,
                               int line, int col)
{
    struct sxp_node *n = xcalloc(1, sizeof(*n));

    n->type = type;
    n->line = line;
    n->column = col;
    n->file = r->file;
    return n;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static struct sxp_node *read_string(struct reader *r)
{
    int line = r->line, col = r->col;
    char quote = advance(r);
    struct sbuf sb = SBUF_INIT;

    for (;;) {
        if (at_end(r)) {
            fail(r, line, col, "unterminated string");
            goto bad;
        }
        int eline = r->line, ecol = r->col;
        char c = advance(r);
        if (c == quote)
            break;
        if (c == '\0') {
            fail(r, eline, ecol, "NUL byte in input");
            goto bad;
        }
        if (c != '\\') {
            sbuf_putc(&sb, c);
            continue;
        }
        if (at_end(r)) {
            fail(r, line, col, "unterminated string");
            goto bad;
        }
        char e = advance(r);
        switch (e) {
        case 'n': sbuf_putc(&sb, '\n'); break;
        case 't': sbuf_putc(&sb, '\t'); break;
        case 'r': sbuf_putc(&sb, '\r'); break;
        case '\\': sbuf_putc(&sb, '\\'); break;
        case '"': sbuf_putc(&sb, '"'); break;
        case '\'': sbuf_putc(&sb, '\''); break;
        case 'x': {
            int hi = r->end - r->p >= 2 ? hex_value(r->p[0]) : -1;
            int lo = hi >= 0 ? hex_value(r->p[1]) : -1;
            if (lo < 0) {
                fail(r, eline, ecol,
                     "\\x must be followed by two hex digits");
                goto bad;
            }
            if (hi == 0 && lo == 0) {
                fail(r, eline, ecol,
                     "\\x00 is not allowed: strings cannot hold NUL");
                goto bad;
            }
            advance(r);
            advance(r);
            sbuf_putc(&sb, (char)(hi << 4 | lo));
            break;
        }
        default:
            if ((unsigned char)e >= 0x21 && (unsigned char)e < 0x7f)
                fail(r, eline, ecol, "unknown escape '\\%c' in string", e);
            else
                fail(r, eline, ecol, "unknown escape in string "
                     "(backslash before byte 0x%02x)", (unsigned char)e);
            goto bad;
        }
    }
    struct sxp_node *n = new_at(r, SXP_STRING, line, col);
    n->text = sbuf_detach(&sb);
    return n;
bad:
    sbuf_free(&sb);
    return NULL;
}

static struct sxp_node *read_atom(struct reader *r)
{
    int line = r->line, col = r->col;
    const char *start = r->p;

    while (!at_end(r) && sxp_is_atom_char(*r->p))
        advance(r);

    size_t len = (size_t)(r->p - start);
    if (len == 0) {
        unsigned char c = (unsigned char)*r->p;
        if (c == 0)
            fail(r, line, col, "NUL byte in input");
        else
            fail(r, line, col, "unexpected control character 0x%02x", c);
        return NULL;
    }

    bool is_float;
    int64_t iv;
    double fv;
    switch (sxp_read_number(start, len, &is_float, &iv, &fv)) {
    case SXP_NUMBER_OK: {
        struct sxp_node *n = new_at(r, SXP_NUMBER, line, col);
        n->text = xstrndup(start, len);
        n->is_float = is_float;
        n->ival = iv;
        n->fval = fv;
        return n;
    }
    case SXP_NUMBER_RANGE:
        fail(r, line, col, "number '%.*s' is out of range",
             len > 40 ? 40 : (int)len, start);
        return NULL;
    case SXP_NOT_NUMBER:
        break;
    }
    struct sxp_node *n = new_at(r, SXP_SYMBOL, line, col);
    n->text = xstrndup(start, len);
    return n;
}

static struct sxp_node *read_expr(struct reader *r, int depth);

static struct sxp_node *read_list(struct reader *r, int depth)
{
    int line = r->line, col = r->col;

    if (depth >= SXP_MAX_DEPTH) {
        fail(r, line, col, "lists nested deeper than %d levels",
             SXP_MAX_DEPTH);
        return NULL;
    }
    advance(r);   /* '(' */

    struct sxp_node *list = new_at(r, SXP_LIST, line, col);
    for (;;) {
        skip_blank(r);
        if (at_end(r)) {
            fail(r, r->line, r->col, "missing ')' for '(' opened at %d:%d",
                 line, col);
            sxp_free(list);
            return NULL;
        }
        if (*r->p == ')') {
            advance(r);
            return list;
        }
        struct sxp_node *item = read_expr(r, depth + 1);
        if (!item) {
            sxp_free(list);
            return NULL;
        }
        sxp_append(list, item);
    }
}

static struct sxp_node *read_expr(struct reader *r, int depth)
{
    char c = *r->p;

    if (c == '(')
        return read_list(r, depth);
    if (c == '"' || c == '\'')
        return read_string(r);
    return read_atom(r);
}

struct sxp_node *sxp_parse(const char *text, size_t len, const char *file,
                           struct diag *d)
{
    struct sxp_node *doc = xcalloc(1, sizeof(*doc));

    doc->type = SXP_LIST;
    doc->owned_file = xstrdup(file ? file : "<input>");
    doc->file = doc->owned_file;
    doc->line = 1;
    doc->column = 1;

    struct reader r = {
        .p = text,
        .end = text + len,
        .line = 1,
        .col = 1,
        .file = doc->file,
        .d = d,
    };
    for (;;) {
        skip_blank(&r);
        if (at_end(&r))
            return doc;
        if (*r.p == ')') {
            fail(&r, r.line, r.col, "unexpected ')'");
            break;
        }
        struct sxp_node *item = read_expr(&r, 0);
        if (!item)
            break;
        sxp_append(doc, item);
    }
    sxp_free(doc);
    return NULL;
}

struct sxp_node *sxp_parse_file(const char *path, struct diag *d)
{
    char *buf;
    size_t len;
    int err = read_whole_file(path, &buf, &len);

    if (err < 0) {
        diag_error(d, path, 0, 0, "cannot read: %s", strerror(-err));
        return NULL;
    }
    struct sxp_node *doc = sxp_parse(buf, len, path, d);
    free(buf);
    return doc;
}
