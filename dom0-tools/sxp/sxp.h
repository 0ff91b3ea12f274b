/*
 * SXP: the S-expressions of classic xend.
 *
 * xend-config.sxp, the (vm ...) domain configurations and `xm list -l` all
 * use this one notation:
 *
 *   # a comment runs to the end of the line
 *   (vm (name web1) (memory 0x100) (args "console=hvc0 \"quoted\""))
 *
 * An atom is a number (42, -7, 0x1f, 1.5, 2e3), a symbol (any run of
 * characters other than space, parentheses, quotes and '#'), or a string in
 * single or double quotes with the escapes \n \t \r \\ \" \' and \xHH.
 *
 * Symbols and strings are both text: (name web1) and (name "web1") mean
 * the same, and the writer quotes a text only when it must. The node still
 * records how the text was spelt, and where: every node carries the file,
 * line and column it came from, so that a checker several layers up can say
 * exactly which value it rejects.
 */
#ifndef MICA_SXP_H
#define MICA_SXP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/diag.h"

/*
 * Lists may nest this deep. Real files nest five or six levels; the limit
 * turns hostile input into an error instead of a stack overflow in the
 * parser, the writer and sxp_free, which all recurse.
 */
#define SXP_MAX_DEPTH 64

enum sxp_type {
    SXP_LIST,
    SXP_SYMBOL,
    SXP_STRING,
    SXP_NUMBER,
};

struct sxp_node {
    enum sxp_type type;
    /* Where the node starts in its source; 0:0 for nodes built in code. */
    int line;
    int column;
    const char *file;

    /* Symbols and strings: the text, NUL-terminated (NUL cannot occur in
     * it). Numbers: the spelling in the source, or NULL if built in code. */
    char *text;

    /* Numbers. */
    bool is_float;
    int64_t ival;
    double fval;

    /* Lists. */
    struct sxp_node **items;
    size_t count;
    size_t cap;

    /* Set on a document root, which owns the file name string. */
    char *owned_file;
};

/* The result of reading a number's spelling. */
enum sxp_numclass {
    SXP_NOT_NUMBER,
    SXP_NUMBER_OK,
    SXP_NUMBER_RANGE,    /* Looks like a number but does not fit. */
};

/*
 * Parses a whole document: the top-level expressions become the items of
 * the returned list, in order. Returns NULL after reporting the first
 * syntax error to d as "file:line:column: message". len bytes of text are
 * read; text need not be NUL-terminated.
 */
struct sxp_node *sxp_parse(const char *text, size_t len, const char *file,
                           struct diag *d);
/* Reads and parses a file; a file that cannot be read is reported too. */
struct sxp_node *sxp_parse_file(const char *path, struct diag *d);

void sxp_free(struct sxp_node *n);

/* Construction, for writers. Text is copied. */
struct sxp_node *sxp_new_list(void);
struct sxp_node *sxp_new_symbol(const char *text);
struct sxp_node *sxp_new_string(const char *text);
struct sxp_node *sxp_new_int(int64_t v);
struct sxp_node *sxp_new_float(double v);
/* Appends child (ownership passes to list) and returns list. */
struct sxp_node *sxp_append(struct sxp_node *list, struct sxp_node *child);
/* Builds (name value) and appends it to list; returns the new pair. */
struct sxp_node *sxp_add_pair(struct sxp_node *list, const char *name,
                              struct sxp_node *value);

/* Bytes that may appear in a symbol: anything visible but the
 * delimiters. Shared by the reader and the writer so they cannot drift. */
static inline bool sxp_is_atom_char(char c)
{
    unsigned char u = (unsigned char)c;

    return u > 0x20 && u != 0x7f && c != '(' && c != ')' && c != '"' &&
           c != '\'' && c != '#';
}

/* Symbols and strings. */
static inline bool sxp_is_text(const struct sxp_node *n)
{
    return n && (n->type == SXP_SYMBOL || n->type == SXP_STRING);
}

static inline bool sxp_is_list(const struct sxp_node *n)
{
    return n && n->type == SXP_LIST;
}

/* The head of a list when it is text, else NULL: "vm" for (vm ...). */
const char *sxp_head(const struct sxp_node *list);
/* The first item of list that is a list headed by name, or NULL. */
const struct sxp_node *sxp_lookup(const struct sxp_node *list,
                                  const char *name);
/* The second item of (name value), or NULL when there is none. */
const struct sxp_node *sxp_value(const struct sxp_node *pair);

/*
 * Typed access. Each reports a type or range error at the node's own
 * position, prefixed by what ("memory: expected an integer 1..65535, got
 * 'lots'"), and returns -1; 0 on success.
 */
int sxp_get_int(const struct sxp_node *n, const char *what, int64_t min,
                int64_t max, int64_t *out, struct diag *d);
int sxp_get_text(const struct sxp_node *n, const char *what,
                 const char **out, struct diag *d);

/* Describes a node briefly for a message: 'abc', 42, a list. */
void sxp_describe(const struct sxp_node *n, char *buf, size_t len);

/* Structural equality; a symbol equals a string with the same text. */
bool sxp_equal(const struct sxp_node *a, const struct sxp_node *b);

/* Classifies a spelling as the parser does, and gives its value. */
enum sxp_numclass sxp_read_number(const char *s, size_t n, bool *is_float,
                                  int64_t *ival, double *fval);

/*
 * Writing. sxp_write_str returns normalised text in a fresh buffer: a list
 * that fits stays on one line; a longer one puts each item after the head
 * on its own line, indented by four. A document root (from sxp_parse) is
 * written as its top-level items, one after another, each ending in a
 * newline. parse(write(x)) equals x.
 */
char *sxp_write_str(const struct sxp_node *n);
char *sxp_write_doc_str(const struct sxp_node *doc);
int sxp_write(FILE *f, const struct sxp_node *n);
/* Appends one atom as it would be written (quoted when it must be). */
struct sbuf;
void sxp_write_atom(struct sbuf *sb, const struct sxp_node *n);

#endif
