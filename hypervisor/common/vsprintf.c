/* A small vsnprintf: %c %s %d %i %u %x %X %o %p %%, the l/ll/z/h
 * length modifiers, '-', '0', '+' and '#' flags, a field width and a precision
 * (both may be '*').  It always terminates the buffer and returns the length
 * the full output would have had, as C99 says. */
#include <mica/lib.h>
#include <mica/string.h>

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

/* Divides *n by base and returns the remainder.  32-bit test guests build
 * this file too, and there a 64-bit division would need libgcc. */
static unsigned int divmod(uint64_t *n, unsigned int base)
{
#if defined(__i386__)
    uint64_t q = 0, r = 0;

    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((*n >> i) & 1);
        if (r >= base) {
            r -= base;
            q |= 1ull << i;
        }
    }
    *n = q;
    return (unsigned int)r;
#else
    unsigned int r = (unsigned int)(*n % base);

    *n /= base;
    return r;
#endif
}

/* Prints v with an optional sign or "0x"/"0" prefix, at least `prec`
 * digits, padded to `width` with spaces (before the prefix) or zeros
 * (after it), as C99 says. */
static void number(struct out *o, uint64_t v, bool neg, unsigned base,
                   bool upper, int width, int prec, bool left, bool zero,
                   bool plus, bool alt)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24], prefix[3];
    int n = 0, np = 0;

    if (neg)
        prefix[np++] = '-';
    else if (plus)
        prefix[np++] = '+';
    if (prec == 0 && v == 0) {
        n = 0;
    } else {
        do {
            tmp[n++] = digits[divmod(&v, base)];
        } while (v);
    }
    if (alt && base == 16 && n) {
        prefix[np++] = '0';
        prefix[np++] = upper ? 'X' : 'x';
    } else if (alt && base == 8 && (n == 0 || tmp[n - 1] != '0') && prec <= n) {
        tmp[n++] = '0';
    }
    if (prec >= 0)
        zero = false;       /* a precision turns the 0 flag off (C99) */
    if (prec < n)
        prec = n;
    width -= prec + np;
    if (!left && !zero)
        pad(o, ' ', width);
    for (int i = 0; i < np; i++)
        put(o, prefix[i]);
    if (!left && zero)
        pad(o, '0', width);
    pad(o, '0', prec - n);
    while (n)
        put(o, tmp[--n]);
    if (left)
        pad(o, ' ', width);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        bool left = false, zero = false, plus = false, alt = false;
        int width = 0, prec = -1, lng = 0;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        for (fmt++;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '0')
                zero = true;
            else if (*fmt == '+')
                plus = true;
            else if (*fmt == '#')
                alt = true;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = true;
                width = -width;
            }
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            prec = 0;
            fmt++;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            }
            while (*fmt >= '0' && *fmt <= '9')
                prec = prec * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
            if (*fmt != 'h')
                lng++;
            fmt++;
        }

        switch (*fmt) {
        case 'c':
            pad(&o, ' ', left ? 0 : width - 1);
            put(&o, (char)va_arg(ap, int));
            pad(&o, ' ', left ? width - 1 : 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n;

            if (!s)
                s = "(null)";
            n = (int)(prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s));
            pad(&o, ' ', left ? 0 : width - n);
            for (int i = 0; i < n; i++)
                put(&o, s[i]);
            pad(&o, ' ', left ? width - n : 0);
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = lng >= 2 ? va_arg(ap, long long)
                      : lng ? va_arg(ap, long) : va_arg(ap, int);
            uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

            number(&o, u, v < 0, 10, false, width, prec, left, zero, plus, false);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v = lng >= 2 ? va_arg(ap, unsigned long long)
                       : lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;

            number(&o, v, false, base, *fmt == 'X', width, prec, left, zero,
                   false, alt);
            break;
        }
        case 'p':
            number(&o, (uintptr_t)va_arg(ap, void *), false, 16, false,
                   width, -1, left, zero, false, true);
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

bool parse_u64(const char *s, const char **end, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    const char *p = s;
    bool any = false;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && p[1] >= '0' && p[1] <= '7') {
        base = 8;
        p++;
    }
    for (;; p++) {
        unsigned d;

        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (*p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (*p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            break;
        if (d >= base)
            break;
        if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
            __builtin_add_overflow(v, (uint64_t)d, &v))
            return false;
        any = true;
    }
    if (end)
        *end = p;
    if (any)
        *out = v;
    return any;
}

bool parse_size(const char *s, const char **end, uint64_t *out)
{
    const char *p;
    uint64_t v;
    unsigned shift = 0;

    if (!parse_u64(s, &p, &v))
        return false;
    switch (*p) {
    case 'k': case 'K': shift = 10; p++; break;
    case 'm': case 'M': shift = 20; p++; break;
    case 'g': case 'G': shift = 30; p++; break;
    case 't': case 'T': shift = 40; p++; break;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    if (end)
        *end = p;
    *out = v << shift;
    return true;
}
