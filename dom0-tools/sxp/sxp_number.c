/*
 * Which spellings are numbers.
 *
 *   [+-]? 0x HEX+                          an integer in hex
 *   [+-]? DIGIT+                           an integer
 *   [+-]? DIGIT+ . DIGIT* EXP?             a float
 *   [+-]? . DIGIT+ EXP?                    a float
 *   [+-]? DIGIT+ EXP                       a float
 *   EXP = [eE] [+-]? DIGIT+
 *
 * Anything else, such as 10.0.0.1, 1e, 0x or a UUID, is a symbol. Leading
 * zeros are decimal (010 is ten), as Python's int() read them in xend.
 * Integers must fit in 64 signed bits and floats must be finite; a
 * spelling that has the shape of a number but not the size is an error
 * rather than a silent symbol, because it is almost certainly a typo in a
 * value that was meant to be a number.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sxp.h"

static int digit_value(char c, int base)
{
    int v;

    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    else
        return -1;
    return v < base ? v : -1;
}

static enum sxp_numclass read_integer(const char *s, size_t n, int base,
                                      bool neg, int64_t *out)
{
    uint64_t v = 0;
    /* The magnitude of INT64_MIN is one more than INT64_MAX. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    bool range = false;

    for (size_t i = 0; i < n; i++) {
        int dv = digit_value(s[i], base);
        if (v > (limit - (uint64_t)dv) / (uint64_t)base)
            range = true;
        else
            v = v * (uint64_t)base + (uint64_t)dv;
    }
    if (range)
        return SXP_NUMBER_RANGE;
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return SXP_NUMBER_OK;
}

static size_t count_digits(const char *s, size_t i, size_t n, int base)
{
    size_t start = i;

    while (i < n && digit_value(s[i], base) >= 0)
        i++;
    return i - start;
}

enum sxp_numclass sxp_read_number(const char *s, size_t n, bool *is_float,
                                  int64_t *ival, double *fval)
{
    size_t i = 0;
    bool neg = false;

    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        size_t h = count_digits(s, i + 2, n, 16);
        if (h == 0 || i + 2 + h != n)
            return SXP_NOT_NUMBER;
        *is_float = false;
        enum sxp_numclass c = read_integer(s + i + 2, h, 16, neg, ival);
        if (c == SXP_NUMBER_OK)
            *fval = (double)*ival;
        return c;
    }

    size_t int_digits = count_digits(s, i, n, 10);
    size_t j = i + int_digits;
    size_t frac_digits = 0;
    bool dot = false, exp = false;

    if (j < n && s[j] == '.') {
        dot = true;
        frac_digits = count_digits(s, j + 1, n, 10);
        j += 1 + frac_digits;
    }
    if (int_digits == 0 && frac_digits == 0)
        return SXP_NOT_NUMBER;
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-'))
            k++;
        size_t e = count_digits(s, k, n, 10);
        if (e == 0)
            return SXP_NOT_NUMBER;
        exp = true;
        j = k + e;
    }
    if (j != n)
        return SXP_NOT_NUMBER;

    if (!dot && !exp) {
        *is_float = false;
        enum sxp_numclass c = read_integer(s + i, int_digits, 10, neg, ival);
        if (c == SXP_NUMBER_OK)
            *fval = (double)*ival;
        return c;
    }

    /* strtod needs a terminated copy; numbers are short, and one longer
     * than the buffer can only be an absurd spelling. */
    char tmp[512];
    if (n >= sizeof(tmp))
        return SXP_NUMBER_RANGE;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    double v = strtod(tmp, NULL);
    if (!isfinite(v))
        return SXP_NUMBER_RANGE;
    *is_float = true;
    *fval = v;
    *ival = 0;
    return SXP_NUMBER_OK;
}
