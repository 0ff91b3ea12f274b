#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void sbuf_init(struct sbuf *sb)
{
    sb->buf = NULL;
    sb->len = 0;
    sb->cap = 0;
}

void sbuf_free(struct sbuf *sb)
{
    free(sb->buf);
    sbuf_init(sb);
}

static void grow(struct sbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;

    if (need <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    sb->buf = xrealloc(sb->buf, cap);
    sb->cap = cap;
}

void sbuf_put(struct sbuf *sb, const char *s, size_t n)
{
    grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sbuf_putc(struct sbuf *sb, char c)
{
    sbuf_put(sb, &c, 1);
}

void sbuf_puts(struct sbuf *sb, const char *s)
{
    sbuf_put(sb, s, strlen(s));
}

void sbuf_pad(struct sbuf *sb, char c, size_t n)
{
    grow(sb, n);
    memset(sb->buf + sb->len, c, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
    va_list again;

    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n > 0) {
        grow(sb, (size_t)n);
        vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, again);
        sb->len += (size_t)n;
    }
    va_end(again);
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

char *sbuf_detach(struct sbuf *sb)
{
    char *s = sb->buf ? sb->buf : xstrdup("");

    sbuf_init(sb);
    return s;
}

const char *sbuf_str(const struct sbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

void sbuf_json_string(struct sbuf *sb, const char *s)
{
    sbuf_putc(sb, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            sbuf_printf(sb, "\\%c", c);
        else if (c < 0x20)
            sbuf_printf(sb, "\\u%04x", c);
        else
            sbuf_putc(sb, (char)c);
    }
    sbuf_putc(sb, '"');
}
