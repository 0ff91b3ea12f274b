/* Frame allocator: see mica/frame.h.  A bitmap costs 32 KiB per GiB of RAM
 * and makes every question (is this free, give me N aligned frames below X)
 * a simple scan; single-frame allocation starts at a moving hint, so it is
 * fast in the common case. */
#include <mica/errno.h>
#include <mica/frame.h>
#include <mica/spinlock.h>
#include <mica/string.h>

static uint64_t *map;
static mfn_t nframes;
static uint64_t nfree, ntotal;
static mfn_t hint = FRAME_FLOOR_MFN;
static spinlock_t lock = SPINLOCK_INIT;

static bool test(mfn_t m) { return map[m / 64] & (1ull << (m % 64)); }
static void set(mfn_t m)  { map[m / 64] |= 1ull << (m % 64); }
static void clr(mfn_t m)  { map[m / 64] &= ~(1ull << (m % 64)); }

size_t frame_bitmap_bytes(mfn_t max_mfn)
{
    return (size_t)ALIGN_UP(max_mfn, 64) / 8;
}

void frame_init(uint64_t *bitmap, mfn_t max_mfn)
{
    map = bitmap;
    nframes = max_mfn;
    memset(map, 0xff, frame_bitmap_bytes(max_mfn));
    nfree = ntotal = 0;
    hint = FRAME_FLOOR_MFN;
}

static unsigned int ones(uint64_t w)
{
    unsigned int n = 0;

    for (; w; w &= w - 1)
        n++;
    return n;
}

/* Sets (used) or clears (free) the bits of [start, end) a word at a time,
 * and returns how many bits changed. */
static uint64_t change(mfn_t start, mfn_t end, bool used)
{
    uint64_t changed = 0;

    if (end > nframes)
        end = nframes;
    for (mfn_t m = start; m < end;) {
        unsigned int lo = m % 64;
        unsigned int n = (unsigned int)MIN(64 - lo, end - m);
        uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << lo;
        uint64_t *w = &map[m / 64];

        changed += ones((used ? ~*w : *w) & mask);
        *w = used ? *w | mask : *w & ~mask;
        m += n;
    }
    return changed;
}

void frame_release(mfn_t start, mfn_t end)
{
    uint64_t n = change(start, end, false);

    nfree += n;
    ntotal += n;
}

void frame_reserve(mfn_t start, mfn_t end)
{
    uint64_t n = change(start, end, true);

    nfree -= n;
    ntotal -= n;
}

/* Finds a clear bit at or after `from`, skipping full words. */
static mfn_t find_free(mfn_t from, mfn_t limit)
{
    mfn_t m = from;

    while (m < limit) {
        uint64_t w = map[m / 64] | ((1ull << (m % 64)) - 1);

        if (w != ~0ull) {
            m = ALIGN_DOWN(m, 64) + (mfn_t)__builtin_ctzll(~w);
            return m < limit ? m : MFN_INVALID;
        }
        m = ALIGN_DOWN(m, 64) + 64;
    }
    return MFN_INVALID;
}

mfn_t frame_alloc(void)
{
    unsigned long f = spin_lock_irqsave(&lock);
    mfn_t m = find_free(hint, nframes);

    if (m == MFN_INVALID)
        m = find_free(FRAME_FLOOR_MFN, hint < nframes ? hint : nframes);
    if (m != MFN_INVALID) {
        set(m);
        nfree--;
        hint = m + 1;
    }
    spin_unlock_irqrestore(&lock, f);
    return m;
}

mfn_t frame_alloc_range(uint64_t count, uint64_t align, mfn_t min_mfn,
                        mfn_t max_mfn)
{
    unsigned long f;
    mfn_t m, found = MFN_INVALID;

    if (!count)
        return MFN_INVALID;
    if (!align)
        align = 1;
    if (align & (align - 1))
        return MFN_INVALID;         /* ALIGN_UP needs a power of two */
    if (max_mfn > nframes)
        max_mfn = nframes;
    if (min_mfn >= max_mfn || ALIGN_UP(min_mfn, align) < min_mfn)
        return MFN_INVALID;
    f = spin_lock_irqsave(&lock);
    m = ALIGN_UP(min_mfn, align);
    while (m + count <= max_mfn) {
        uint64_t i;

        m = find_free(m, max_mfn);
        if (m == MFN_INVALID)
            break;
        if (m % align) {
            m = ALIGN_UP(m, align);
            continue;
        }
        for (i = 0; i < count && m + i < max_mfn && !test(m + i); i++)
            ;
        if (i == count) {
            found = m;
            break;
        }
        m = ALIGN_UP(m + i + 1, align);
    }
    if (found != MFN_INVALID) {
        for (uint64_t i = 0; i < count; i++)
            set(found + i);
        nfree -= count;
    }
    spin_unlock_irqrestore(&lock, f);
    return found;
}

int frame_free(mfn_t mfn)
{
    return frame_free_range(mfn, 1);
}

int frame_free_range(mfn_t mfn, uint64_t count)
{
    unsigned long f;
    int rc = 0;

    if (mfn >= nframes || count > nframes - mfn)
        return -EINVAL;
    f = spin_lock_irqsave(&lock);
    /* Check all before changing any, so a bad call changes nothing. */
    for (uint64_t i = 0; i < count; i++)
        if (!test(mfn + i))
            rc = -EINVAL;
    if (!rc) {
        for (uint64_t i = 0; i < count; i++)
            clr(mfn + i);
        nfree += count;
        if (mfn < hint && mfn >= FRAME_FLOOR_MFN)
            hint = mfn;
    }
    spin_unlock_irqrestore(&lock, f);
    return rc;
}

uint64_t frame_free_count(void)  { return nfree; }
uint64_t frame_total_count(void) { return ntotal; }

bool frame_is_free(mfn_t mfn)
{
    return mfn < nframes && !test(mfn);
}
