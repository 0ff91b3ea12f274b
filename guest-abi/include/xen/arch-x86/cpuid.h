/*
 * xen/arch-x86/cpuid.h - Xen's home for the XEN_CPUID_* constants.
 *
 * mica defines them in xen/xen.h; this file exists so that guests
 * including Xen's path still build.
 */
#ifndef MICA_GUEST_ABI_XEN_ARCH_X86_CPUID_H
#define MICA_GUEST_ABI_XEN_ARCH_X86_CPUID_H

#include "../xen.h"

#endif /* MICA_GUEST_ABI_XEN_ARCH_X86_CPUID_H */
