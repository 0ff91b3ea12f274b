/* The frame allocator: every page of RAM that mica did not keep for its
 * image, the boot modules and firmware, one bit each (1 = in use). */
#ifndef MICA_FRAME_H
#define MICA_FRAME_H

#include <mica/types.h>

/* Bytes of bitmap needed to cover frames [0, max_mfn). */
size_t frame_bitmap_bytes(mfn_t max_mfn);

/* Starts with every frame in use; frame_release() then frees RAM. */
void frame_init(uint64_t *bitmap, mfn_t max_mfn);
/* Init-time: marks [start, end) free or in use, with no checks. */
void frame_release(mfn_t start, mfn_t end);
void frame_reserve(mfn_t start, mfn_t end);

/* One frame at or above the allocator's floor (1 MiB: low memory is kept
 * for what needs it, such as the AP trampoline).  MFN_INVALID if none. */
mfn_t frame_alloc(void);
/* `count` contiguous frames aligned to `align` frames within
 * [min_mfn, max_mfn). */
mfn_t frame_alloc_range(uint64_t count, uint64_t align, mfn_t min_mfn,
                        mfn_t max_mfn);
/* Returns 0, or -EINVAL for a frame that is out of range or already free
 * (a double free: the caller has a bug worth reporting). */
int frame_free(mfn_t mfn);
int frame_free_range(mfn_t mfn, uint64_t count);

/* One frame full of zeros: a clean one if the scrubber has left any,
 * else any free frame, zeroed here.  MFN_INVALID if none. */
mfn_t frame_alloc_zeroed(void);
/* Up to n (at most 64) such frames, one lock for all; returns how many it
 * got, fewer only when memory runs out. */
unsigned int frame_alloc_zeroed_batch(mfn_t *out, unsigned int n);

/* Scrubbing (frame.c's header comment).  frame_scrub_init() starts it,
 * once RAM is mapped: from then on every free frame counts as dirty until
 * zeroed.  frame_scrub() zeroes up to `max` dirty free frames and says how
 * many it did; an idle CPU calls it. */
void frame_scrub_init(void);
unsigned int frame_scrub(unsigned int max);

/* Free frames, dirty ones included; and the dirty ones alone. */
uint64_t frame_free_count(void);
uint64_t frame_dirty_count(void);
uint64_t frame_total_count(void);
bool frame_is_free(mfn_t mfn);

#define FRAME_FLOOR_MFN (MiB(1) >> PAGE_SHIFT)

#endif
