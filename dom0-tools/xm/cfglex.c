/*
 * Tokens of the classic configuration form.
 *
 * Newlines end statements except inside brackets, where they are blanks;
 * a backslash at the end of a line continues it; '#' starts a comment.
 * Strings take Python's quotes, prefixes (r, u) and escapes, keeping an
 * unknown escape as written, as Python does.
 */
#include "cfglex.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/sbuf.h"
#include "../common/xalloc.h"
#include "../sxp/sxp.h"

void cfglex_fail(struct lexer *lx, int line, int col, const char *fmt, ...)
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
            cfglex_fail(lx, eline, ecol, "\\x must be followed by two hex digits");
            return -1;
        }
        if (hi == 0 && lo == 0) {
            cfglex_fail(lx, eline, ecol,
                 "\\x00 is not allowed: strings cannot hold NUL");
            return -1;
        }
        advance(lx);
        advance(lx);
        sbuf_putc(sb, (char)(hi << 4 | lo));
        return 0;
    }
    case '0':
        cfglex_fail(lx, eline, ecol, "\\0 is not allowed: strings cannot hold NUL");
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
        cfglex_fail(lx, t->line, t->col, "triple-quoted strings are not supported");
        return -1;
    }
    struct sbuf sb = SBUF_INIT;
    for (;;) {
        if (at_end(lx) || *lx->p == '\n') {
            cfglex_fail(lx, t->line, t->col, "unterminated string");
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
            cfglex_fail(lx, eline, ecol, "NUL byte in input");
            break;
        }
        if (c != '\\') {
            sbuf_putc(&sb, c);
        } else if (at_end(lx)) {
            cfglex_fail(lx, t->line, t->col, "unterminated string");
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
        cfglex_fail(lx, t->line, t->col, "bad number '%.*s'", (int)n, start);
        return -1;
    }
    if (k == SXP_NUMBER_RANGE) {
        cfglex_fail(lx, t->line, t->col, "number '%.*s' is out of range", (int)n,
             start);
        return -1;
    }
    /* Python 2 read 010 as octal 8 and Python 3 refuses it; either way a
     * leading zero here would not mean what it seems to. */
    if (!f && !hex && n - sign >= 2 && digits[0] == '0' &&
        isdigit((unsigned char)digits[1])) {
        cfglex_fail(lx, t->line, t->col,
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
        cfglex_fail(lx, t->line, t->col, "NUL byte in input");
        return -1;
    default:
        t->type = T_OTHER;
    }
    return 0;
}

int cfglex_next(struct lexer *lx, struct token *t)
{
    if (lx->have_peek) {
        *t = lx->peeked;
        lx->have_peek = false;
        return 0;
    }
    return lex(lx, t);
}

const struct token *cfglex_peek(struct lexer *lx)
{
    if (!lx->have_peek) {
        if (lex(lx, &lx->peeked) < 0)
            return NULL;
        lx->have_peek = true;
    }
    return &lx->peeked;
}

/* A short description of a token for messages. */
void cfglex_describe(const struct token *t, char *buf, size_t len)
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

