/* The heap: power-of-two size classes from 32 to 2048 bytes carved out of
 * pages, and whole pages for anything larger.  Each block carries a 16-byte
 * header naming its class (or page count), so kfree() needs no size and can
 * catch a pointer that was never allocated.  A page of small blocks goes
 * back to the frame allocator as soon as none of its blocks is in use, so
 * that a domain's end gives back every page its start took (the count of
 * blocks in use lives in bytes 12-15 of the page, the `pad` of its first
 * block's header, which neither the caller nor the free list touches). */
#include <mica/console.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/spinlock.h>
#include <mica/string.h>

#define MIN_SHIFT 5
#define MAX_SHIFT 11
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define HDR 16
#define MAGIC_SMALL 0x6d696361736d6c6cull   /* "micasmll" */
#define MAGIC_LARGE 0x6d6963616c617267ull   /* "micalarg" */

struct hdr {
    uint64_t magic;
    uint32_t klass;     /* size class, or page count for large blocks */
    uint32_t pad;
};

struct free_block {
    struct free_block *next;
};

static struct free_block *free_lists[NCLASSES];
static spinlock_t lock = SPINLOCK_INIT;

static void *pa_to_ptr(mfn_t m) { return (void *)(uintptr_t)(m << PAGE_SHIFT); }

/* The count of blocks in use in the page of small blocks that holds p. */
static uint32_t *page_inuse(void *p)
{
    return &((struct hdr *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE))->pad;
}

/* Takes every block of a page with none in use off its free list and
 * gives the page back; the lock is held. */
static void release_page(unsigned k, char *page)
{
    for (struct free_block **pp = &free_lists[k]; *pp;) {
        if ((char *)*pp >= page && (char *)*pp < page + PAGE_SIZE)
            *pp = (*pp)->next;
        else
            pp = &(*pp)->next;
    }
    frame_free((uintptr_t)page >> PAGE_SHIFT);
}

static bool refill(unsigned k)
{
    mfn_t m = frame_alloc();
    size_t bsize = (size_t)1 << (k + MIN_SHIFT);
    char *page;

    if (m == MFN_INVALID)
        return false;
    page = pa_to_ptr(m);
    *page_inuse(page) = 0;
    for (size_t off = 0; off + bsize <= PAGE_SIZE; off += bsize) {
        struct free_block *b = (struct free_block *)(page + off);

        b->next = free_lists[k];
        free_lists[k] = b;
    }
    return true;
}

void *kmalloc(size_t size)
{
    size_t need = size + HDR;
    struct hdr *h;

    if (size > GiB(1))
        return NULL;
    if (need <= ((size_t)1 << MAX_SHIFT)) {
        unsigned k = 0;
        unsigned long f;

        while (((size_t)1 << (k + MIN_SHIFT)) < need)
            k++;
        f = spin_lock_irqsave(&lock);
        if (!free_lists[k] && !refill(k)) {
            spin_unlock_irqrestore(&lock, f);
            return NULL;
        }
        h = (struct hdr *)free_lists[k];
        free_lists[k] = free_lists[k]->next;
        (*page_inuse(h))++;
        spin_unlock_irqrestore(&lock, f);
        h->magic = MAGIC_SMALL;
        h->klass = k;
    } else {
        uint64_t pages = ALIGN_UP(need, PAGE_SIZE) >> PAGE_SHIFT;
        mfn_t m = pages == 1 ? frame_alloc()
                             : frame_alloc_range(pages, 1, FRAME_FLOOR_MFN,
                                                 ~(mfn_t)0);

        if (m == MFN_INVALID)
            return NULL;
        h = pa_to_ptr(m);
        h->magic = MAGIC_LARGE;
        h->klass = (uint32_t)pages;
    }
    return (char *)h + HDR;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);

    if (p)
        memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    struct hdr *h;

    if (!p)
        return;
    h = (struct hdr *)((char *)p - HDR);
    if (h->magic == MAGIC_SMALL && h->klass < NCLASSES) {
        struct free_block *b = (struct free_block *)h;
        unsigned long f;

        unsigned k = h->klass;

        h->magic = 0;
        f = spin_lock_irqsave(&lock);
        b->next = free_lists[k];
        free_lists[k] = b;
        if (--*page_inuse(b) == 0)
            release_page(k, (char *)ALIGN_DOWN((uintptr_t)b, PAGE_SIZE));
        spin_unlock_irqrestore(&lock, f);
    } else if (h->magic == MAGIC_LARGE) {
        uint32_t pages = h->klass;

        h->magic = 0;
        frame_free_range((uintptr_t)h >> PAGE_SHIFT, pages);
    } else {
        pr_err("kfree: %p was not allocated by kmalloc\n", p);
    }
}

void *page_alloc_zeroed(void)
{
    mfn_t m = frame_alloc_zeroed();

    return m == MFN_INVALID ? NULL : pa_to_ptr(m);
}

void page_free(void *p)
{
    if (p && frame_free((uintptr_t)p >> PAGE_SHIFT) < 0)
        pr_err("page_free: %p is not an allocated frame\n", p);
}
