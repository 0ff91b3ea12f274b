/* Formatting and small helpers with no hardware behind them. */
#ifndef MICA_LIB_H
#define MICA_LIB_H

#include <stdarg.h>
#include <mica/types.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Parses an unsigned number in decimal, hex (0x) or octal (0); *end is set
 * past the digits.  Returns false if no digit was found or it overflowed. */
bool parse_u64(const char *s, const char **end, uint64_t *out);
/* Like parse_u64, then an optional K/M/G/T suffix (binary units). */
bool parse_size(const char *s, const char **end, uint64_t *out);

#endif
