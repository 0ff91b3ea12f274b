/* Prefaulting the buffers mica reads and writes (see libmica_int.h). */
#include "libmica_int.h"

/* x86 pages are 4 KiB or multiples of it, so one byte in every 4 KiB
 * reaches every page whatever the mapping's page size. */
#define TOUCH_STEP 4096u

/* The offset of the first byte of the next page after offset off. */
static size_t next_page(uintptr_t base, size_t off)
{
    return (size_t)(((base + off) | (TOUCH_STEP - 1)) + 1 - base);
}

void mica_touch_out(void *buf, size_t len)
{
    volatile unsigned char *p = buf;

    /* Writing back the byte just read keeps the contents, which matters
     * for in-out arguments such as the console cursors. */
    for (size_t off = 0; off < len; off = next_page((uintptr_t)buf, off))
        p[off] = p[off];
}

void mica_touch_in(const void *buf, size_t len)
{
    const volatile unsigned char *p = buf;

    for (size_t off = 0; off < len; off = next_page((uintptr_t)buf, off))
        (void)p[off];
}
