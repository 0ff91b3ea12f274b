/* What guests see of CPUID, and Xen's MSRs. */
#ifndef ASM_CPUID_H
#define ASM_CPUID_H

#include <mica/types.h>

struct vcpu;

/* Answers the CPUID in the vCPU's EAX/ECX into its EAX-EDX. */
void cpuid_guest(struct vcpu *v);
/* 0 if handled, -1 if not an MSR of this module, -2 to refuse (#GP). */
int cpuid_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int cpuid_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
