/*
 * xen/compiler.h - helpers shared by mica's guest-ABI headers.
 *
 * The headers in this directory describe memory and registers that a guest
 * and the hypervisor must agree on byte for byte.  They are read by C99, C11
 * and C++11 compilers, for 32-bit and 64-bit x86, and by the assembler (for
 * the constants only), so everything here avoids extensions that any of
 * those would reject under -pedantic.
 *
 * The names in this file are mica's own (MICA_ABI_*); everything else in
 * these headers uses Xen's names so that guests written for Xen build
 * unchanged.
 */
#ifndef MICA_GUEST_ABI_XEN_COMPILER_H
#define MICA_GUEST_ABI_XEN_COMPILER_H

#if !defined(__x86_64__) && !defined(__i386__)
#error "mica's guest ABI is defined for x86 guests only (i386 or x86_64)"
#endif
#if defined(__x86_64__) && defined(__ILP32__)
/* Xen's x86_64 layouts assume 64-bit longs and pointers; x32 has neither. */
#error "the x32 ABI is not supported by mica's guest ABI headers"
#endif

/*
 * Integer constants.  Assembly has no U/UL/ULL suffixes, so the suffix is
 * added only when the header is read by a C or C++ compiler.
 */
#define MICA_ABI_PASTE_(a, b) a##b
#define MICA_ABI_PASTE(a, b)  MICA_ABI_PASTE_(a, b)

#ifdef __ASSEMBLER__
# define MICA_ABI_U(x)   x
# define MICA_ABI_UL(x)  x
# define MICA_ABI_ULL(x) x
#else
# define MICA_ABI_U(x)   MICA_ABI_PASTE(x, U)
# define MICA_ABI_UL(x)  MICA_ABI_PASTE(x, UL)
# define MICA_ABI_ULL(x) MICA_ABI_PASTE(x, ULL)
#endif

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

/*
 * MICA_ABI_ASSERT(name, cond): fail the build when a layout is wrong.
 *
 * C11 and C++11 have a keyword for this.  C99 has not, so there the check
 * declares an array type whose size turns negative when @cond is false;
 * @name keeps those typedefs distinct, so every check needs its own name.
 */
#if defined(__cplusplus) && __cplusplus >= 201103L
# define MICA_ABI_ASSERT(name, cond) \
    static_assert(cond, "mica guest ABI layout check failed: " #name)
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && \
      __STDC_VERSION__ >= 201112L
# define MICA_ABI_ASSERT(name, cond) \
    _Static_assert(cond, "mica guest ABI layout check failed: " #name)
#else
# define MICA_ABI_ASSERT(name, cond) \
    typedef char mica_abi_check_##name[(cond) ? 1 : -1]
#endif

/* The size of struct @tag, and the offset of @member inside it. */
#define MICA_ABI_SIZE(tag, size) \
    MICA_ABI_ASSERT(size_##tag, sizeof(struct tag) == (size))
#define MICA_ABI_OFFSET(tag, member, off) \
    MICA_ABI_ASSERT(off_##tag##__##member, offsetof(struct tag, member) == (off))

/*
 * A trailing array whose length the caller chooses.  ISO C99 has flexible
 * array members; ISO C++ does not, and GNU C++ accepts them only when
 * marked as an extension.
 */
#if defined(__cplusplus) && defined(__clang__)
/* clang ignores __extension__ here; silence its warning for this member. */
# define MICA_ABI_FLEX_MEMBER(type, name)                                 \
    _Pragma("clang diagnostic push")                                      \
    _Pragma("clang diagnostic ignored \"-Wc99-extensions\"")              \
    type name[]                                                           \
    _Pragma("clang diagnostic pop")
#elif defined(__cplusplus) && defined(__GNUC__)
# define MICA_ABI_FLEX_MEMBER(type, name) __extension__ type name[]
#elif defined(__cplusplus)
# define MICA_ABI_FLEX_MEMBER(type, name) type name[1] /* sizeof counts it */
#else
# define MICA_ABI_FLEX_MEMBER(type, name) type name[]
#endif

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_COMPILER_H */
