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
 * supported rather than code that runs.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg_int.h"
#include "../common/sbuf.h"
#include "../common/xalloc.h"

enum tok_type {
    T_EOF,
    T_NEWLINE,
    T_NAME,
    T_STRING,
    T_NUMBER,
    T_EQ,
    T_OPEN,     /* [ or ( */
    T_CLOSE,    /* ] or ) */
    T_COMMA,
    T_OTHER,    /* Any other character: an operator we do not support. */
};

struct token {
    enum tok_type type;
    int line, col;
    char *text;     /* Names, strings (decoded), numbers (spelling). */
    char ch;        /* T_OPEN, T_CLOSE, T_OTHER. */
};

struct lexer {
    const char *p, *end;
    int line, col;
    int depth;      /* Open brackets: newlines inside them are blanks. */
    const char *file;
    struct diag *d;
    bool failed;
    struct token peeked;
    bool have_peek;
};

static void fail(struct lexer *lx, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct lexer *lx, int line, int col, const char *fmt, ...)
{
    if (lx->failed)
        return;
    lx->failed = true;

    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diag_error(lx->d, lx->file, line, col, "%s", msg);
}

static bool at_end(const struct lexer *lx)
{
    return lx->p >= lx->end;
}

static char peekc(const struct lexer *lx, size_t ahead)
{
    return lx->end - lx->p > (ptrdiff_t)ahead ? lx->p[ahead] : '\0';
}

static char advance(struct lexer *lx)
{
    char c = *lx->p++;

    if (c == '\n') {
        lx->line++;
        lx->col = 1;
    } else if (((unsigned char)c & 0xc0) != 0x80) {
        lx->col++;
    }
    return c;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends the character that a Python escape stands for; returns -1 on a
 * malformed one. Unknown escapes stay as written, as Python keeps them. */
static int read_escape(struct lexer *lx, struct sbuf *sb, int eline,
                       int ecol)
{
    char e = advance(lx);

    switch (e) {
    case 'n': sbuf_putc(sb, '\n'); return 0;
    case 't': sbuf_putc(sb, '\t'); return 0;
    case 'r': sbuf_putc(sb, '\r'); return 0;
    case 'a': sbuf_putc(sb, '\a'); return 0;
    case 'b': sbuf_putc(sb, '\b'); return 0;
    case 'f': sbuf_putc(sb, '\f'); return 0;
    case 'v': sbuf_putc(sb, '\v'); return 0;
    case '\\': sbuf_putc(sb, '\\'); return 0;
    case '\'': sbuf_putc(sb, '\''); return 0;
    case '"': sbuf_putc(sb, '"'); return 0;
    case '\n': return 0;   /* A backslash-newline continues the string. */
    case 'x': {
        int hi = hexval(peekc(lx, 0));
        int lo = hi >= 0 ? hexval(peekc(lx, 1)) : -1;
        if (lo < 0) {
            fail(lx, eline, ecol, "\\x must be followed by two hex digits");
            return -1;
        }
        if (hi == 0 && lo == 0) {
            fail(lx, eline, ecol,
                 "\\x00 is not allowed: strings cannot hold NUL");
            return -1;
        }
        advance(lx);
        advance(lx);
        sbuf_putc(sb, (char)(hi << 4 | lo));
        return 0;
    }
    case '0':
        fail(lx, eline, ecol, "\\0 is not allowed: strings cannot hold NUL");
        return -1;
    default:
        sbuf_putc(sb, '\\');
        sbuf_putc(sb, e);
        return 0;
    }
}

static int read_string(struct lexer *lx, struct token *t, bool raw)
{
    char q = advance(lx);

    if (peekc(lx, 0) == q && peekc(lx, 1) == q) {
        fail(lx, t->line, t->col, "triple-quoted strings are not supported");
        return -1;
    }
    struct sbuf sb = SBUF_INIT;
    for (;;) {
        if (at_end(lx) || *lx->p == '\n') {
            fail(lx, t->line, t->col, "unterminated string");
            break;
        }
        int eline = lx->line, ecol = lx->col;
        char c = advance(lx);
        if (c == q) {
            t->type = T_STRING;
            t->text = sbuf_detach(&sb);
            return 0;
        }
        if (c == '\0') {
            fail(lx, eline, ecol, "NUL byte in input");
            break;
        }
        if (c != '\\') {
            sbuf_putc(&sb, c);
        } else if (at_end(lx)) {
            fail(lx, t->line, t->col, "unterminated string");
            break;
        } else if (raw) {
            /* A raw string keeps the backslash, but it still protects the
             * character after it from ending the string. */
            sbuf_putc(&sb, '\\');
            sbuf_putc(&sb, advance(lx));
        } else if (read_escape(lx, &sb, eline, ecol) < 0) {
            break;
        }
    }
    sbuf_free(&sb);
    return -1;
}

static bool is_name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static int read_number(struct lexer *lx, struct token *t)
{
    const char *start = lx->p;
    bool hex = false;

    if (*lx->p == '-' || *lx->p == '+')
        advance(lx);
    if (peekc(lx, 0) == '0' && (peekc(lx, 1) == 'x' || peekc(lx, 1) == 'X'))
        hex = true;
    while (!at_end(lx)) {
        char c = *lx->p;
        char prev = lx->p > start ? lx->p[-1] : '\0';
        if (isalnum((unsigned char)c) || c == '.' || c == '_' ||
            ((c == '+' || c == '-') && !hex && (prev == 'e' || prev == 'E')))
            advance(lx);
        else
            break;
    }
    size_t n = (size_t)(lx->p - start);
    size_t sign = (*start == '-' || *start == '+');
    const char *digits = start + sign;
    bool f;
    int64_t iv;
    double fv;
    enum sxp_numclass k = sxp_read_number(start, n, &f, &iv, &fv);
    if (k == SXP_NOT_NUMBER) {
        fail(lx, t->line, t->col, "bad number '%.*s'", (int)n, start);
        return -1;
    }
    if (k == SXP_NUMBER_RANGE) {
        fail(lx, t->line, t->col, "number '%.*s' is out of range", (int)n,
             start);
        return -1;
    }
    /* Python 2 read 010 as octal 8 and Python 3 refuses it; either way a
     * leading zero here would not mean what it seems to. */
    if (!f && !hex && n - sign >= 2 && digits[0] == '0' &&
        isdigit((unsigned char)digits[1])) {
        fail(lx, t->line, t->col,
             "number '%.*s' has a leading zero; write it without", (int)n,
             start);
        return -1;
    }
    t->type = T_NUMBER;
    t->text = xstrndup(start, n);
    return 0;
}

/* Skips blanks, comments and continuations; newlines only inside
 * brackets. */
static void skip_blank(struct lexer *lx)
{
    while (!at_end(lx)) {
        char c = *lx->p;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' ||
            (c == '\n' && lx->depth > 0)) {
            advance(lx);
        } else if (c == '\\' && peekc(lx, 1) == '\n') {
            advance(lx);
            advance(lx);
        } else if (c == '\\' && peekc(lx, 1) == '\r' && peekc(lx, 2) == '\n') {
            advance(lx);
            advance(lx);
            advance(lx);
        } else if (c == '#') {
            while (!at_end(lx) && *lx->p != '\n')
                advance(lx);
        } else {
            break;
        }
    }
}

static int lex(struct lexer *lx, struct token *t)
{
    memset(t, 0, sizeof(*t));
    skip_blank(lx);
    t->line = lx->line;
    t->col = lx->col;
    if (at_end(lx)) {
        t->type = T_EOF;
        return 0;
    }

    char c = *lx->p;
    if (c == '\n' || c == ';') {
        advance(lx);
        t->type = T_NEWLINE;
        return 0;
    }
    if (c == '"' || c == '\'')
        return read_string(lx, t, false);
    if (is_name_start(c)) {
        /* r'...' and u'...' are Python string prefixes, not names. */
        char q = peekc(lx, 1);
        if ((q == '\'' || q == '"') && strchr("rRuU", c)) {
            advance(lx);
            return read_string(lx, t, c == 'r' || c == 'R');
        }
        const char *start = lx->p;
        while (!at_end(lx) && is_name_char(*lx->p))
            advance(lx);
        t->type = T_NAME;
        t->text = xstrndup(start, (size_t)(lx->p - start));
        return 0;
    }
    if (isdigit((unsigned char)c) ||
        ((c == '-' || c == '+' || c == '.') &&
         isdigit((unsigned char)peekc(lx, 1))))
        return read_number(lx, t);

    advance(lx);
    t->ch = c;
    switch (c) {
    case '=': t->type = T_EQ; break;
    case ',': t->type = T_COMMA; break;
    case '[': case '(':
        t->type = T_OPEN;
        lx->depth++;
        break;
    case ']': case ')':
        t->type = T_CLOSE;
        if (lx->depth > 0)
            lx->depth--;
        break;
    case '\0':
        fail(lx, t->line, t->col, "NUL byte in input");
        return -1;
    default:
        t->type = T_OTHER;
    }
    return 0;
}

static int next(struct lexer *lx, struct token *t)
{
    if (lx->have_peek) {
        *t = lx->peeked;
        lx->have_peek = false;
        return 0;
    }
    return lex(lx, t);
}

static const struct token *peek(struct lexer *lx)
{
    if (!lx->have_peek) {
        if (lex(lx, &lx->peeked) < 0)
            return NULL;
        lx->have_peek = true;
    }
    return &lx->peeked;
}

/* A short description of a token for messages. */
static void describe(const struct token *t, char *buf, size_t len)
{
    switch (t->type) {
    case T_EOF: snprintf(buf, len, "end of file"); break;
    case T_NEWLINE: snprintf(buf, len, "end of line"); break;
    case T_NAME: snprintf(buf, len, "'%.40s'", t->text); break;
    case T_STRING: snprintf(buf, len, "a string"); break;
    case T_NUMBER: snprintf(buf, len, "%.40s", t->text); break;
    default:
        if (isprint((unsigned char)t->ch))
            snprintf(buf, len, "'%c'", t->ch);
        else
            snprintf(buf, len, "byte 0x%02x", (unsigned char)t->ch);
    }
}

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
        fail(lx, open->line, open->col, "lists nested deeper than %d levels",
             SXP_MAX_DEPTH);
        goto bad;
    }
    for (;;) {
        const struct token *t = peek(lx);
        if (!t)
            goto bad;
        if (t->type == T_EOF) {
            fail(lx, t->line, t->col, "missing '%c' for '%c' opened at %d:%d",
                 want, open->ch, open->line, open->col);
            goto bad;
        }
        if (t->type == T_CLOSE) {
            struct token close;
            next(lx, &close);
            if (close.ch != want) {
                fail(lx, close.line, close.col,
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
        if (next(lx, &sep) < 0)
            goto bad;
        if (sep.type == T_COMMA) {
            free(sep.text);
            continue;
        }
        if (sep.type == T_CLOSE && sep.ch == want)
            return list;
        char got[64];
        describe(&sep, got, sizeof(got));
        if (sep.type == T_EOF)
            fail(lx, sep.line, sep.col, "missing '%c' for '%c' opened at "
                 "%d:%d", want, open->ch, open->line, open->col);
        else if (sep.type == T_CLOSE)
            fail(lx, sep.line, sep.col, "'%c' does not match '%c' opened at "
                 "%d:%d", sep.ch, open->ch, open->line, open->col);
        else
            fail(lx, sep.line, sep.col, "expected ',' or '%c' in the list "
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

    if (next(lx, &t) < 0)
        return NULL;
    switch (t.type) {
    case T_STRING: {
        /* Adjacent strings join, as in Python: "a" "b" is "ab". */
        struct sbuf sb = SBUF_INIT;
        sbuf_puts(&sb, t.text);
        free(t.text);
        const struct token *p;
        while ((p = peek(lx)) && p->type == T_STRING) {
            struct token more;
            next(lx, &more);
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
        fail(lx, t.line, t.col, "%s: unquoted word '%.40s'; strings need "
             "quotes: \"%.40s\"", key, t.text, t.text);
        free(t.text);
        return NULL;
    case T_OPEN:
        return parse_list(lx, &t, key, depth);
    default:
        describe(&t, got, sizeof(got));
        fail(lx, t.line, t.col, "%s: expected a value, got %s", key, got);
        free(t.text);
        return NULL;
    }
}

static int parse_statement(struct lexer *lx, struct token *name,
                           struct sxp_node *doc)
{
    struct token t;
    char got[64];

    if (next(lx, &t) < 0)
        return -1;
    if (t.type != T_EQ) {
        describe(&t, got, sizeof(got));
        fail(lx, t.line, t.col, "expected '=' after '%.40s', got %s",
             name->text, got);
        free(t.text);
        return -1;
    }
    struct sxp_node *value = parse_value(lx, name->text, 0);
    if (!value)
        return -1;

    if (next(lx, &t) < 0)
        goto bad;
    if (t.type != T_NEWLINE && t.type != T_EOF) {
        describe(&t, got, sizeof(got));
        fail(lx, t.line, t.col, "%s: unexpected %s after the value (only "
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
        if (next(&lx, &t) < 0)
            break;
        if (t.type == T_EOF)
            return doc;
        if (t.type == T_NEWLINE)
            continue;
        if (t.type != T_NAME) {
            char got[64];
            describe(&t, got, sizeof(got));
            fail(&lx, t.line, t.col, "expected a key name, got %s", got);
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
