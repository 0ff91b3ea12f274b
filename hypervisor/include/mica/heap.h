/* mica's heap, for objects that are not whole pages. */
#ifndef MICA_HEAP_H
#define MICA_HEAP_H

#include <mica/types.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

/* Whole zeroed pages, directly from the frame allocator (identity map). */
void *page_alloc_zeroed(void);
void page_free(void *p);

#endif
