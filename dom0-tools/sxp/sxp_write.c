/*
 * The SXP writer: normalised, readable text that parses back to an equal
 * tree.
 *
 * Normalised means one spelling per value, so that two configurations can
 * be compared with diff: integers in decimal, floats in the shortest form
 * that keeps every bit, texts bare when they can be and in double quotes
 * when they cannot, one space between items, and the same line breaks for
 * the same tree.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sxp.h"
#include "../common/sbuf.h"
#include "../common/xalloc.h"

/* Lists longer than this, counted from the start of the line, are broken
 * over several lines. */
#define WIDTH 79
#define INDENT 4

/* A text may go bare when the reader would read it back as the same text:
 * it is non-empty, has no delimiter in it, and is not shaped like a
 * number (the string "42" must stay a string). */
static bool can_be_bare(const char *s)
{
    size_t n = strlen(s);
    bool f;
    int64_t iv;
    double fv;

    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!sxp_is_atom_char(s[i]))
            return false;
    return sxp_read_number(s, n, &f, &iv, &fv) == SXP_NOT_NUMBER;
}

static void write_quoted(struct sbuf *sb, const char *s)
{
    sbuf_putc(sb, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': sbuf_puts(sb, "\\\""); break;
        case '\\': sbuf_puts(sb, "\\\\"); break;
        case '\n': sbuf_puts(sb, "\\n"); break;
        case '\t': sbuf_puts(sb, "\\t"); break;
        case '\r': sbuf_puts(sb, "\\r"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                sbuf_printf(sb, "\\x%02x", c);
            else
                sbuf_putc(sb, (char)c);
        }
    }
    sbuf_putc(sb, '"');
}

static void write_number(struct sbuf *sb, const struct sxp_node *n)
{
    if (!n->is_float) {
        sbuf_printf(sb, "%" PRId64, n->ival);
        return;
    }
    /* %.17g always reads back to the same double. Without a point or an
     * exponent the result would read back as an integer, so add ".0". */
    char buf[64];
    snprintf(buf, sizeof(buf), "%.17g", n->fval);
    sbuf_puts(sb, buf);
    if (!strpbrk(buf, ".e"))
        sbuf_puts(sb, ".0");
}

void sxp_write_atom(struct sbuf *sb, const struct sxp_node *n)
{
    if (n->type == SXP_NUMBER)
        write_number(sb, n);
    else if (can_be_bare(n->text))
        sbuf_puts(sb, n->text);
    else
        write_quoted(sb, n->text);
}

static void write_flat(struct sbuf *sb, const struct sxp_node *n)
{
    if (n->type != SXP_LIST) {
        sxp_write_atom(sb, n);
        return;
    }
    sbuf_putc(sb, '(');
    for (size_t i = 0; i < n->count; i++) {
        if (i)
            sbuf_putc(sb, ' ');
        write_flat(sb, n->items[i]);
    }
    sbuf_putc(sb, ')');
}

/*
 * The width of n written on one line, or any value above limit once it is
 * clear that it will not fit; stopping early keeps the writer linear in
 * practice rather than quadratic in the depth.
 */
static size_t flat_width(const struct sxp_node *n, size_t limit)
{
    if (n->type != SXP_LIST) {
        struct sbuf tmp = SBUF_INIT;
        sxp_write_atom(&tmp, n);
        size_t w = tmp.len;
        sbuf_free(&tmp);
        return w;
    }
    size_t w = 2 + (n->count ? n->count - 1 : 0);
    for (size_t i = 0; i < n->count && w <= limit; i++)
        w += flat_width(n->items[i], limit - w);
    return w;
}

static void write_pretty(struct sbuf *sb, const struct sxp_node *n,
                         size_t col)
{
    if (n->type != SXP_LIST || n->count == 0 ||
        col + flat_width(n, WIDTH - (col < WIDTH ? col : WIDTH)) <= WIDTH) {
        write_flat(sb, n);
        return;
    }
    sbuf_putc(sb, '(');
    write_pretty(sb, n->items[0], col + 1);
    for (size_t i = 1; i < n->count; i++) {
        sbuf_putc(sb, '\n');
        sbuf_pad(sb, ' ', col + INDENT);
        write_pretty(sb, n->items[i], col + INDENT);
    }
    sbuf_putc(sb, ')');
}

char *sxp_write_str(const struct sxp_node *n)
{
    struct sbuf sb = SBUF_INIT;

    write_pretty(&sb, n, 0);
    return sbuf_detach(&sb);
}

char *sxp_write_doc_str(const struct sxp_node *doc)
{
    struct sbuf sb = SBUF_INIT;

    for (size_t i = 0; i < doc->count; i++) {
        write_pretty(&sb, doc->items[i], 0);
        sbuf_putc(&sb, '\n');
    }
    return sbuf_detach(&sb);
}

int sxp_write(FILE *f, const struct sxp_node *n)
{
    char *s = sxp_write_str(n);
    int rc = fprintf(f, "%s\n", s) < 0 ? -1 : 0;

    free(s);
    return rc;
}
