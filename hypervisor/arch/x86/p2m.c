/* Second-level page tables, 4 levels of 4 KiB pages, in the vendor's entry
 * format (hvm_ops->npt_*_entry).  Both formats keep the frame address in
 * bits 12-51 and a non-zero low three bits in every present entry (NPT:
 * P/W/U, EPT: R/W/X), so the walk is common.  Bit 11 is ignored by both
 * and marks frames the domain owns. */
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/string.h>
#include <asm/hvm.h>
#include <asm/p2m.h>

#define ADDR_MASK 0x000ffffffffff000ull
#define PRESENT(e) ((e) & 7)
#define P2M_OWNED (1ull << 11)
#define P2M_WRITE_BIT (1ull << 1)   /* W in both NPT and EPT */
#define P2M_LARGE (1ull << 7)       /* PS in NPT, "large page" in EPT */

static uint64_t *table(mfn_t m) { return (uint64_t *)(uintptr_t)(m << PAGE_SHIFT); }

int p2m_init(struct domain *d)
{
    uint64_t *root = page_alloc_zeroed();

    if (!root)
        return -ENOMEM;
    d->npt_root = (uintptr_t)root >> PAGE_SHIFT;
    d->npt_pages = 1;
    return 0;
}

/* The entry for gfn at `level` (0: 4 KiB, 1: 2 MiB), creating tables on
 * the way if asked.  Stops early, returning the large leaf, if a 2 MiB
 * mapping covers gfn (then *found_level says 1). */
static uint64_t *walk(struct domain *d, gfn_t gfn, int level, bool create,
                      int *found_level)
{
    uint64_t *t = table(d->npt_root);

    if (gfn >> 36)
        return NULL;            /* beyond a 48-bit guest-physical space */
    for (int l = 3; l > level; l--) {
        uint64_t *e = &t[(gfn >> (9 * l)) & 511];

        if (PRESENT(*e) && l == 1 && (*e & P2M_LARGE)) {
            if (found_level)
                *found_level = 1;
            return e;
        }
        if (!PRESENT(*e)) {
            uint64_t *n;

            if (!create)
                return NULL;
            n = page_alloc_zeroed();
            if (!n)
                return NULL;
            d->npt_pages++;
            *e = hvm_ops->npt_table_entry((uintptr_t)n >> PAGE_SHIFT);
        }
        t = table((*e & ADDR_MASK) >> PAGE_SHIFT);
    }
    if (found_level)
        *found_level = level;
    return &t[(gfn >> (9 * level)) & 511];
}

int p2m_map(struct domain *d, gfn_t gfn, mfn_t mfn, bool write, bool owned)
{
    int lvl;
    uint64_t *e = walk(d, gfn, 0, true, &lvl);

    if (!e)
        return -ENOMEM;
    if (PRESENT(*e))
        return -EEXIST;
    *e = hvm_ops->npt_leaf_entry(mfn, write, true, true) | (owned ? P2M_OWNED : 0);
    return 0;
}

int p2m_map_device(struct domain *d, gfn_t gfn, mfn_t mfn, bool write,
                   bool ram, bool large)
{
    int lvl;
    uint64_t *e = walk(d, gfn, large ? 1 : 0, true, &lvl);

    if (!e)
        return -ENOMEM;
    if (PRESENT(*e))
        return -EEXIST;
    *e = hvm_ops->npt_leaf_entry(mfn, write, true, ram) | (large ? P2M_LARGE : 0);
    return 0;
}

/* Puts `new` (0: not present) in gfn's 4 KiB entry and tells what was
 * there.  A 2 MiB mapping is never split: -EBUSY. */
static int swap_leaf(struct domain *d, gfn_t gfn, uint64_t new, bool create,
                     mfn_t *old, bool *old_owned)
{
    int lvl = 0;
    uint64_t *e = walk(d, gfn, 0, create, &lvl);

    *old = MFN_INVALID;
    *old_owned = false;
    if (!e)
        return create ? -ENOMEM : 0;
    if (lvl != 0)
        return -EBUSY;
    if (PRESENT(*e)) {
        *old = (*e & ADDR_MASK) >> PAGE_SHIFT;
        *old_owned = *e & P2M_OWNED;
    }
    __atomic_store_n(e, new, __ATOMIC_RELEASE);
    return 0;
}

int p2m_replace(struct domain *d, gfn_t gfn, mfn_t mfn, bool write,
                mfn_t *old, bool *old_owned)
{
    return swap_leaf(d, gfn, hvm_ops->npt_leaf_entry(mfn, write, true, true), true,
                     old, old_owned);
}

int p2m_unmap(struct domain *d, gfn_t gfn, mfn_t *old, bool *old_owned)
{
    return swap_leaf(d, gfn, 0, false, old, old_owned);
}

mfn_t p2m_lookup(struct domain *d, gfn_t gfn, bool *writable)
{
    int lvl = 0;
    uint64_t *e = walk(d, gfn, 0, false, &lvl);

    if (!e || !PRESENT(*e))
        return MFN_INVALID;
    if (writable)
        *writable = *e & P2M_WRITE_BIT;
    if (lvl == 1)
        return ((*e & ADDR_MASK) >> PAGE_SHIFT) + (gfn & 511);
    return (*e & ADDR_MASK) >> PAGE_SHIFT;
}

static void free_level(struct domain *d, uint64_t *t, int level)
{
    /* A domain's frames mostly come in runs (domain_alloc_memory): one
     * frame_free_range() per run, not one call per frame. */
    mfn_t run = MFN_INVALID;
    uint64_t len = 0;

    for (int i = 0; i < 512; i++) {
        uint64_t e = t[i];

        if (!PRESENT(e))
            continue;
        if (level > 0 && !(level == 1 && (e & P2M_LARGE))) {
            free_level(d, table((e & ADDR_MASK) >> PAGE_SHIFT), level - 1);
        } else if (level == 0 && (e & P2M_OWNED)) {
            mfn_t m = (e & ADDR_MASK) >> PAGE_SHIFT;

            if (len && m == run + len) {
                len++;
            } else {
                if (len)
                    frame_free_range(run, len);
                run = m;
                len = 1;
            }
            d->tot_pages--;
        }
    }
    if (len)
        frame_free_range(run, len);
    page_free(t);
    d->npt_pages--;
}

void p2m_destroy(struct domain *d)
{
    if (d->npt_root == 0)
        return;
    free_level(d, table(d->npt_root), 3);
    d->npt_root = 0;
}

typedef int (*chunk_fn)(void *host, size_t n, void *arg);

/* Splits [gpa, gpa+n) at page boundaries and hands each piece's host
 * address to fn. */
static int for_each_chunk(struct domain *d, gpaddr_t gpa, size_t n,
                          bool write, chunk_fn fn, void *arg)
{
    while (n) {
        size_t off = gpa & (PAGE_SIZE - 1);
        size_t len = MIN(n, PAGE_SIZE - off);
        bool w;
        mfn_t m = p2m_lookup(d, gpa >> PAGE_SHIFT, &w);
        int rc;

        if (m == MFN_INVALID || (write && !w))
            return -EFAULT;
        rc = fn((char *)(uintptr_t)(m << PAGE_SHIFT) + off, len, arg);
        if (rc)
            return rc;
        gpa += len;
        n -= len;
    }
    return 0;
}

struct cursor {
    const char *src;
    char *dst;
};

static int to_host(void *host, size_t n, void *arg)
{
    struct cursor *c = arg;

    memcpy(host, c->src, n);
    c->src += n;
    return 0;
}

static int from_host(void *host, size_t n, void *arg)
{
    struct cursor *c = arg;

    memcpy(c->dst, host, n);
    c->dst += n;
    return 0;
}

static int zero_host(void *host, size_t n, void *arg)
{
    (void)arg;
    memset(host, 0, n);
    return 0;
}

int copy_to_guest_phys(struct domain *d, gpaddr_t gpa, const void *src, size_t n)
{
    struct cursor c = { .src = src };

    return for_each_chunk(d, gpa, n, true, to_host, &c);
}

int zero_guest_phys(struct domain *d, gpaddr_t gpa, size_t n)
{
    return for_each_chunk(d, gpa, n, true, zero_host, NULL);
}

int copy_from_guest_phys(struct domain *d, void *dst, gpaddr_t gpa, size_t n)
{
    struct cursor c = { .dst = dst };

    return for_each_chunk(d, gpa, n, false, from_host, &c);
}
