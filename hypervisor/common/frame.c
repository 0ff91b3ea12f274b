/* Frame allocator: see mica/frame.h.  A bitmap costs 32 KiB per GiB of RAM
 * and makes every question (is this free, give me N aligned frames below X)
 * a simple scan; single-frame allocation starts at a moving hint, so it is
 * fast in the common case.
 *
 * Scrubbing, as Xen does it in its idle loop.  A guest must never see an
 * earlier owner's bytes, and zeroing 16 MiB for a new domain was most of
 * what creating it cost.  Two more bitmaps say what a free frame holds:
 *
 *   dirty  freed since scrubbing started (a domain's RAM, mica's own
 *          pages), not zeroed yet: the scrubber's work;
 *   clean  zeroed by the scrubber, not used since;
 *   neither: RAM nobody has used since boot, contents unknown.
 *
 * A CPU with nothing to run calls frame_scrub() (sched.c: from 10 ms after
 * a domain's end), which takes a batch of dirty frames out of the free
 * pool, zeroes them with the lock dropped and gives them back clean, so
 * that the scheduler looks for work between batches.  One CPU scrubs at a
 * time: more would mostly contend for the lock (and, under an emulator,
 * for the host's CPUs).  frame_alloc_zeroed() takes a clean frame if there
 * is one, and otherwise any free frame, which it zeroes itself: nothing
 * depends on the scrubber having run.  Dirty frames, and those being
 * zeroed, count as free (frame_free_count()).
 *
 * RAM unused since boot is not scrubbed in the background but zeroed when
 * first taken, as before: under QEMU's -icount every CPU's instructions
 * share one clock, and zeroing a few hundred MiB behind the boot would
 * slow it (and the guest benchmarks) by tens of milliseconds to speed up
 * only the first domain.  Frames go round: the next domain takes the
 * clean frames of the last.
 *
 * The invariants: a clean or dirty bit is set only for a frame free in
 * `map`, never both (an allocation clears them); every clean frame is at
 * or above clean_hint, and every dirty one at or above dirty_hint, so
 * neither search ever wraps around. */
#include <mica/cmdline.h>
#include <mica/errno.h>
#include <mica/frame.h>
#include <mica/spinlock.h>
#include <mica/string.h>

static uint64_t *map;
static mfn_t nframes;
static uint64_t nfree, ntotal;
static mfn_t hint = FRAME_FLOOR_MFN;
static spinlock_t lock = SPINLOCK_INIT;
/* NULL until frame_scrub_init(); then bitmaps of nframes bits each. */
static uint64_t *dirty, *clean;
static uint64_t ndirty, nclean;
static mfn_t clean_hint, dirty_hint;

#define BIT(m) (1ull << ((m) % 64))

/* scrub=0: no background scrubbing; every zeroed frame is zeroed when it
 * is taken, as before it existed (make bench's guest figures use this). */
static bool scrub_on = true;
#ifdef __MICA__
param_bool("scrub", scrub_on);
#endif

static bool test(mfn_t m) { return map[m / 64] & (1ull << (m % 64)); }
static void set(mfn_t m)  { map[m / 64] |= 1ull << (m % 64); }
static void clr(mfn_t m)  { map[m / 64] &= ~(1ull << (m % 64)); }

/* Marks m in use and forgets what it held; the lock is held. */
static void take(mfn_t m)
{
    set(m);
    if (!dirty)
        return;
    if (dirty[m / 64] & BIT(m)) {
        dirty[m / 64] &= ~BIT(m);
        ndirty--;
    }
    if (clean[m / 64] & BIT(m)) {
        clean[m / 64] &= ~BIT(m);
        nclean--;
    }
}

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
    dirty = clean = NULL;
    ndirty = nclean = 0;
}

void frame_scrub_init(void)
{
    uint64_t pages = ALIGN_UP(frame_bitmap_bytes(nframes), PAGE_SIZE) >> PAGE_SHIFT;
    uint64_t *bm;
    unsigned long f;
    mfn_t m;

    if (!scrub_on || dirty)
        return;
    m = frame_alloc_range(2 * pages, 1, FRAME_FLOOR_MFN, ~(mfn_t)0);
    if (m == MFN_INVALID)
        return;                 /* then every zeroed frame is zeroed at once */
    bm = (uint64_t *)(uintptr_t)(m << PAGE_SHIFT);
    memset(bm, 0, 2 * pages * PAGE_SIZE);
    f = spin_lock_irqsave(&lock);
    dirty = bm;
    clean = bm + pages * PAGE_SIZE / 8;
    clean_hint = dirty_hint = nframes;
    spin_unlock_irqrestore(&lock, f);
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
        take(m);
        nfree--;
        hint = m + 1;
    }
    spin_unlock_irqrestore(&lock, f);
    return m;
}

/* The first set bit of bm at or after `from`, below `limit`. */
static mfn_t find_set(const uint64_t *bm, mfn_t from, mfn_t limit)
{
    for (mfn_t m = from; m < limit; m = ALIGN_DOWN(m, 64) + 64) {
        uint64_t w = bm[m / 64] & ~((1ull << (m % 64)) - 1);

        if (w)
            return ALIGN_DOWN(m, 64) + (mfn_t)__builtin_ctzll(w);
    }
    return MFN_INVALID;
}

static void zero_frame(mfn_t m)
{
    memset((void *)(uintptr_t)(m << PAGE_SHIFT), 0, PAGE_SIZE);
}

unsigned int frame_alloc_zeroed_batch(mfn_t *out, unsigned int n)
{
    uint64_t zero = 0;          /* which of out[] it must zero */
    unsigned int got = 0;
    unsigned long f;
    bool look;

    n = MIN(n, 64u);
    f = spin_lock_irqsave(&lock);
    look = nclean != 0;
    while (got < n) {
        mfn_t m = MFN_INVALID;

        if (look) {
            m = find_set(clean, clean_hint, nframes);
            if (m != MFN_INVALID)
                clean_hint = m + 1;
            look = m != MFN_INVALID && nclean > 1;
        }
        if (m == MFN_INVALID) {
            m = find_free(hint, nframes);
            if (m == MFN_INVALID)
                m = find_free(FRAME_FLOOR_MFN, MIN(hint, nframes));
            if (m == MFN_INVALID)
                break;
            hint = m + 1;
            zero |= 1ull << got;
        }
        take(m);
        nfree--;
        out[got++] = m;
    }
    spin_unlock_irqrestore(&lock, f);
    for (unsigned int i = 0; i < got; i++)
        if (zero & (1ull << i))
            zero_frame(out[i]);
    return got;
}

mfn_t frame_alloc_zeroed(void)
{
    mfn_t m;

    return frame_alloc_zeroed_batch(&m, 1) ? m : MFN_INVALID;
}

unsigned int frame_scrub(unsigned int max)
{
    static bool busy;           /* one CPU scrubs at a time */
    mfn_t batch[16];
    unsigned int n = 0;
    unsigned long f;

    if (!__atomic_load_n(&ndirty, __ATOMIC_RELAXED) ||
        __atomic_exchange_n(&busy, true, __ATOMIC_ACQUIRE))
        return 0;
    /* Out of the pool while they are zeroed, but still counted free; the
     * lock is taken twice per batch, not per frame. */
    f = spin_lock_irqsave(&lock);
    while (n < MIN(max, 16u) && dirty) {
        mfn_t m = find_set(dirty, dirty_hint, nframes);

        if (m == MFN_INVALID)
            break;
        take(m);
        dirty_hint = m + 1;
        batch[n++] = m;
    }
    spin_unlock_irqrestore(&lock, f);
    for (unsigned int i = 0; i < n; i++)
        zero_frame(batch[i]);
    f = spin_lock_irqsave(&lock);
    for (unsigned int i = 0; i < n; i++) {
        clr(batch[i]);
        clean[batch[i] / 64] |= BIT(batch[i]);
        clean_hint = MIN(clean_hint, batch[i]);
    }
    nclean += n;
    spin_unlock_irqrestore(&lock, f);
    __atomic_store_n(&busy, false, __ATOMIC_RELEASE);
    return n;
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
            take(found + i);
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
    /* Check all before changing any, so a bad call changes nothing; a
     * word (64 frames) at a time, as a domain's frames go back in runs. */
    for (mfn_t m = mfn, end = mfn + count; m < end && !rc;) {
        unsigned int n = (unsigned int)MIN(64 - m % 64, end - m);
        uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << (m % 64);

        if ((map[m / 64] & mask) != mask)
            rc = -EINVAL;
        m += n;
    }
    if (!rc) {
        for (mfn_t m = mfn, end = mfn + count; m < end;) {
            unsigned int n = (unsigned int)MIN(64 - m % 64, end - m);
            uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << (m % 64);

            map[m / 64] &= ~mask;
            /* Low memory is never handed out zeroed: not worth zeroing
             * (the floor is a whole word of the map).  A frame in use was
             * neither dirty nor clean. */
            _Static_assert(FRAME_FLOOR_MFN % 64 == 0, "floor inside a word");
            if (dirty && m >= FRAME_FLOOR_MFN) {
                dirty[m / 64] |= mask;
                ndirty += n;
            }
            m += n;
        }
        nfree += count;
        if (dirty && mfn < dirty_hint)
            dirty_hint = MAX(mfn, FRAME_FLOOR_MFN);
        if (mfn < hint && mfn >= FRAME_FLOOR_MFN)
            hint = mfn;
    }
    spin_unlock_irqrestore(&lock, f);
    return rc;
}

uint64_t frame_free_count(void)  { return nfree; }
uint64_t frame_dirty_count(void) { return __atomic_load_n(&ndirty, __ATOMIC_RELAXED); }
uint64_t frame_total_count(void) { return ntotal; }

bool frame_is_free(mfn_t mfn)
{
    return mfn < nframes && !test(mfn);
}
