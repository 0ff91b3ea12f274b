/* Guest hypercalls, with Xen's numbers and conventions. */
#ifndef MICA_HYPERCALL_H
#define MICA_HYPERCALL_H

#include <mica/types.h>

struct vcpu;

/* Reads the number and arguments from the vCPU's registers, runs the
 * handler and leaves the result in its RAX. */
void hypercall_dispatch(struct vcpu *v);

typedef long (*hypercall_fn)(struct vcpu *v, const uint64_t a[5]);

long do_console_io(struct vcpu *v, const uint64_t a[5]);
long do_sched_op(struct vcpu *v, const uint64_t a[5]);

#endif
