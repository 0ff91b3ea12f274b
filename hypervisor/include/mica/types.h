/* Basic types shared by all of mica's code. */
#ifndef MICA_TYPES_H
#define MICA_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint64_t paddr_t;   /* host-physical address */
typedef uint64_t mfn_t;     /* host (machine) frame number */
typedef uint64_t gfn_t;     /* guest-physical frame number */
typedef uint64_t gpaddr_t;  /* guest-physical address */
typedef uint16_t domid_t;

/* Domain IDs follow Xen's, so DOMID_* come from <xen/xen.h>. */
#define MFN_INVALID   (~(mfn_t)0)

#define PAGE_SHIFT 12
#define PAGE_SIZE  ((uint64_t)1 << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)   (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __packed    __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn  __attribute__((noreturn))
#define __unused    __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))

#define container_of(p, type, member) \
    ((type *)((char *)(p) - offsetof(type, member)))

#endif
