/*
 * A growable, always NUL-terminated string buffer.
 *
 * Writers build their output here rather than on a FILE so that the same
 * code serves printing, tests that compare exact text, and the socket
 * protocol xend will speak later.
 */
#ifndef MICA_SBUF_H
#define MICA_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
    char *buf;
    size_t len;
    size_t cap;
};

#define SBUF_INIT { NULL, 0, 0 }

void sbuf_init(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);
void sbuf_putc(struct sbuf *sb, char c);
void sbuf_put(struct sbuf *sb, const char *s, size_t n);
void sbuf_puts(struct sbuf *sb, const char *s);
void sbuf_pad(struct sbuf *sb, char c, size_t n);
void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Hands the string to the caller (never NULL) and resets the buffer. */
/* Appends s as a JSON string literal, quoted and escaped. */
void sbuf_json_string(struct sbuf *sb, const char *s);
char *sbuf_detach(struct sbuf *sb);
/* The current text; valid until the next append. Never NULL. */
const char *sbuf_str(const struct sbuf *sb);

#endif
