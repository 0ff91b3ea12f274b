/* Typed input of xm console: see coninput.h. */
#include <string.h>

#include "coninput.h"

size_t con_input_room(const struct con_input *q)
{
    return q->escaped ? 0 : sizeof(q->buf) - q->len;
}

size_t con_input_add(struct con_input *q, const char *s, size_t n)
{
    const char *esc = memchr(s, CON_ESCAPE, n);
    size_t keep = esc ? (size_t)(esc - s) : n;

    if (q->escaped)
        return 0;
    if (keep > con_input_room(q))
        keep = con_input_room(q);
    memcpy(q->buf + q->len, s, keep);
    q->len += keep;
    if (esc)
        q->escaped = true;
    return keep;
}

void con_input_taken(struct con_input *q, size_t n)
{
    if (n >= q->len) {
        q->len = 0;
        return;
    }
    memmove(q->buf, q->buf + n, q->len - n);
    q->len -= n;
}
