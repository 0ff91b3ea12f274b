/*
 * The lexer of the classic configuration form: the tokens of the part of
 * Python that xm configuration files use. Internal to the domain
 * configuration reader (domcfg_classic.c is its parser).
 */
#ifndef MICA_CFGLEX_H
#define MICA_CFGLEX_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/diag.h"

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

/* Reports the first error only; later ones would follow from it. */
void cfglex_fail(struct lexer *lx, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reads the next token into t; returns -1 after a reported error. The
 * token's text belongs to the caller. */
int cfglex_next(struct lexer *lx, struct token *t);
/* The next token without taking it, or NULL after an error. */
const struct token *cfglex_peek(struct lexer *lx);
/* A short description of a token for messages: 'word', end of line... */
void cfglex_describe(const struct token *t, char *buf, size_t len);

#endif
