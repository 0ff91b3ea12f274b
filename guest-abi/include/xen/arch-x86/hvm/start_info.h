/*
 * xen/arch-x86/hvm/start_info.h - Xen's home for struct hvm_start_info.
 *
 * mica defines it in xen/hvm/start_info.h; this file exists so that guests
 * including Xen's path still build.
 */
#ifndef MICA_GUEST_ABI_XEN_ARCH_X86_HVM_START_INFO_H
#define MICA_GUEST_ABI_XEN_ARCH_X86_HVM_START_INFO_H

#include "../../hvm/start_info.h"

#endif /* MICA_GUEST_ABI_XEN_ARCH_X86_HVM_START_INFO_H */
