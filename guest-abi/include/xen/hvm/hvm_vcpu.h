/*
 * xen/hvm/hvm_vcpu.h - Xen's home for struct vcpu_hvm_context.
 *
 * mica keeps the definition with the rest of VCPUOP in xen/vcpu.h; this
 * file exists so that guests including Xen's path still build.
 */
#ifndef MICA_GUEST_ABI_XEN_HVM_HVM_VCPU_H
#define MICA_GUEST_ABI_XEN_HVM_HVM_VCPU_H

#include "../vcpu.h"

#endif /* MICA_GUEST_ABI_XEN_HVM_HVM_VCPU_H */
