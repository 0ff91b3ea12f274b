/* Hypercall dispatch: one bounds-checked table.  64-bit guests pass the
 * number in RAX and arguments in RDI, RSI, RDX, R10, R8; 32-bit guests in
 * EAX and EBX, ECX, EDX, ESI, EDI (Xen's conventions). */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/hypercall.h>
#include <xen/xen.h>

static const hypercall_fn table[] = {
    [__HYPERVISOR_memory_op] = do_memory_op,
    [__HYPERVISOR_set_timer_op] = do_set_timer_op,
    [__HYPERVISOR_xen_version] = do_xen_version,
    [__HYPERVISOR_console_io] = do_console_io,
    [__HYPERVISOR_sched_op] = do_sched_op,
    [__HYPERVISOR_vcpu_op] = do_vcpu_op,
    [__HYPERVISOR_hvm_op] = do_hvm_op,
    [__HYPERVISOR_event_channel_op] = do_event_channel_op,
    [__HYPERVISOR_event_channel_op_compat] = do_event_channel_op_compat,
    [__HYPERVISOR_grant_table_op] = do_grant_table_op,
};

uint64_t guest_call_args(struct vcpu *v, uint64_t a[5])
{
    struct guest_regs *r = &v->regs;

    if (hvm_ops->guest_bits(v) == 64) {
        a[0] = r->rdi; a[1] = r->rsi; a[2] = r->rdx; a[3] = r->r10; a[4] = r->r8;
        return r->rax;
    }
    a[0] = (uint32_t)r->rbx; a[1] = (uint32_t)r->rcx;
    a[2] = (uint32_t)r->rdx; a[3] = (uint32_t)r->rsi;
    a[4] = (uint32_t)r->rdi;
    return (uint32_t)r->rax;
}

void guest_call_return(struct vcpu *v, long ret)
{
    if (hvm_ops->guest_bits(v) == 64)
        v->regs.rax = (uint64_t)ret;
    else
        v->regs.rax = (uint32_t)ret;
}

void hypercall_dispatch(struct vcpu *v)
{
    uint64_t a[5];
    uint64_t nr = guest_call_args(v, a);
    long ret;

    if (!v->domain->xen_guest)
        ret = -ENOSYS;
    else if (hvm_ops->guest_cpl(v) != 0)
        ret = -EPERM;           /* as Xen: the guest's kernel alone may call */
    else if (nr >= ARRAY_SIZE(table) || !table[nr])
        ret = -ENOSYS;
    else
        ret = table[nr](v, a);
    guest_call_return(v, ret);
}
