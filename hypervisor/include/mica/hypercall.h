/* Guest hypercalls, with Xen's numbers and conventions. */
#ifndef MICA_HYPERCALL_H
#define MICA_HYPERCALL_H

#include <mica/types.h>

struct vcpu;

/* Reads the number and arguments from the vCPU's registers, runs the
 * handler and leaves the result in its RAX. */
void hypercall_dispatch(struct vcpu *v);

/* The number and five arguments of a call (hypercall or toolstack
 * doorbell), in the registers of the vCPU's mode; and its result. */
uint64_t guest_call_args(struct vcpu *v, uint64_t a[5]);
void guest_call_return(struct vcpu *v, long ret);

typedef long (*hypercall_fn)(struct vcpu *v, const uint64_t a[5]);

long do_console_io(struct vcpu *v, const uint64_t a[5]);
long do_sched_op(struct vcpu *v, const uint64_t a[5]);
long do_xen_version(struct vcpu *v, const uint64_t a[5]);
long do_memory_op(struct vcpu *v, const uint64_t a[5]);
long do_hvm_op(struct vcpu *v, const uint64_t a[5]);
long do_set_timer_op(struct vcpu *v, const uint64_t a[5]);
long do_vcpu_op(struct vcpu *v, const uint64_t a[5]);
long do_event_channel_op(struct vcpu *v, const uint64_t a[5]);
long do_event_channel_op_compat(struct vcpu *v, const uint64_t a[5]);
long do_grant_table_op(struct vcpu *v, const uint64_t a[5]);

#endif
