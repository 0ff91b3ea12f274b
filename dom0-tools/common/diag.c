#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "xalloc.h"

void diag_init(struct diag *d)
{
    memset(d, 0, sizeof(*d));
}

void diag_free(struct diag *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->msgs[i].text);
    free(d->msgs);
    diag_init(d);
}

void diag_report(struct diag *d, enum diag_level level, const char *file,
                 int line, int column, const char *fmt, ...)
{
    static const char *const label[] = {
        [DIAG_NOTE] = "note: ",
        [DIAG_WARNING] = "warning: ",
        [DIAG_ERROR] = "",
    };
    struct sbuf sb = SBUF_INIT;
    va_list ap;

    sbuf_puts(&sb, file ? file : "<input>");
    if (line > 0)
        sbuf_printf(&sb, ":%d:%d", line, column);
    sbuf_printf(&sb, ": %s", label[level]);
    va_start(ap, fmt);
    sbuf_vprintf(&sb, fmt, ap);
    va_end(ap);

    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->msgs = xrealloc(d->msgs, d->cap * sizeof(*d->msgs));
    }
    d->msgs[d->count].level = level;
    d->msgs[d->count].text = sbuf_detach(&sb);
    d->count++;
    if (level == DIAG_ERROR)
        d->errors++;
    else if (level == DIAG_WARNING)
        d->warnings++;
}

const char *diag_first_error(const struct diag *d)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->msgs[i].level == DIAG_ERROR)
            return d->msgs[i].text;
    return NULL;
}

const char *diag_find(const struct diag *d, enum diag_level level,
                      const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->msgs[i].level == level && strstr(d->msgs[i].text, needle))
            return d->msgs[i].text;
    return NULL;
}

void diag_print(const struct diag *d, FILE *f)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(f, "%s\n", d->msgs[i].text);
}
