/* Freestanding string and memory routines.  GCC may emit calls to
 * memset/memcpy/memmove/memcmp on its own, so these keep their C names. */
#include <mica/string.h>

/* String instructions move 8 bytes per step where they can: emulators
 * (and -icount measurements) count every repetition, and copying dom0's
 * kernel or zeroing a domain's memory would otherwise dominate mica's own
 * boot and domain creation. */
#if defined(__x86_64__)
#define WORD 8
#define STOSW "rep stosq"
#define MOVSW "rep movsq"
#else                           /* the 32-bit test guests build this too */
#define WORD 4
#define STOSW "rep stosl"
#define MOVSW "rep movsl"
#endif

void *memset(void *d, int c, size_t n)
{
    void *p = d;
    size_t q = n / WORD;
    unsigned long v = (unsigned long)0x0101010101010101ull * (unsigned char)c;

    __asm__ volatile(STOSW : "+D"(p), "+c"(q) : "a"(v) : "memory");
    n %= WORD;
    __asm__ volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(v) : "memory");
    return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
    void *dp = d;
    size_t q = n / WORD;

    __asm__ volatile(MOVSW : "+D"(dp), "+S"(s), "+c"(q) : : "memory");
    n %= WORD;
    __asm__ volatile("rep movsb" : "+D"(dp), "+S"(s), "+c"(n) : : "memory");
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

    if (dp <= sp || dp >= sp + n)
        return memcpy(d, s, n);
    /* Overlapping, destination above: copy backwards, with the direction
     * flag set only for these two instructions. */
    {
        size_t tail = n % WORD, q = n / WORD;
        unsigned char *de = dp + n - 1;
        const unsigned char *se = sp + n - 1;

        __asm__ volatile("std; rep movsb; cld"
                         : "+D"(de), "+S"(se), "+c"(tail) : : "memory");
        de -= WORD - 1;
        se -= WORD - 1;
        __asm__ volatile("std; " MOVSW "; cld"
                         : "+D"(de), "+S"(se), "+c"(q) : : "memory");
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (; *s; s++)
        if (*s == (char)c)
            return (char *)s;
    return c ? NULL : (char *)s;
}

/* Copies at most n-1 bytes and always terminates; returns strlen(s) so a
 * caller can tell that the copy was cut short. */
size_t strlcpy(char *d, const char *s, size_t n)
{
    size_t len = strlen(s);

    if (n) {
        size_t k = len < n - 1 ? len : n - 1;
        memcpy(d, s, k);
        d[k] = '\0';
    }
    return len;
}
