/*
 * Diagnostics: the errors, warnings and notes that the configuration
 * parsers produce, each already formatted for a person.
 *
 * Every message that points into a file reads "file:line:column: text"
 * (warnings and notes say so after the position), the form compilers use,
 * so editors can jump to it. Parsers keep going after a semantic error so
 * that one run reports every bad value; the first error is kept apart
 * because it is what a caller shows when it shows only one.
 */
#ifndef MICA_DIAG_H
#define MICA_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum diag_level {
    DIAG_NOTE,
    DIAG_WARNING,
    DIAG_ERROR,
};

struct diag_msg {
    enum diag_level level;
    char *text;
};

struct diag {
    struct diag_msg *msgs;
    size_t count;
    size_t cap;
    size_t errors;
    size_t warnings;
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);

/*
 * Records a message. A line of 0 means the message is about the whole
 * file, and is printed as "file: text". A NULL file prints as "<input>".
 */
void diag_report(struct diag *d, enum diag_level level, const char *file,
                 int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#define diag_error(d, file, line, col, ...) \
    diag_report((d), DIAG_ERROR, (file), (line), (col), __VA_ARGS__)
#define diag_warn(d, file, line, col, ...) \
    diag_report((d), DIAG_WARNING, (file), (line), (col), __VA_ARGS__)
#define diag_note(d, file, line, col, ...) \
    diag_report((d), DIAG_NOTE, (file), (line), (col), __VA_ARGS__)

/* The first error's text, or NULL when there was none. */
const char *diag_first_error(const struct diag *d);
/* The first message of a level that contains needle, or NULL. */
const char *diag_find(const struct diag *d, enum diag_level level,
                      const char *needle);
/* Prints every message, one a line, in the order they were reported. */
void diag_print(const struct diag *d, FILE *f);

#endif
