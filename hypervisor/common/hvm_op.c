/* hvm_op: the HVM parameters a PVH guest reads and writes about itself
 * (the event-channel callback, where its console and store rings are),
 * and its vCPUs' upcall vectors. */
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/hypercall.h>
#include <asm/p2m.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

/* Vectors below 0x10 are the CPU's exceptions; Xen refuses them too. */
#define CALLBACK_VECTOR_MIN 0x10

/* Decode: the callback value must be 0 (none) or a vector in bits 7:0
 * with nothing else set but the type. */
static bool callback_valid(uint64_t via)
{
    if (via == 0)
        return true;
    if (MICA_HVM_CALLBACK_TYPE(via) != HVM_PARAM_CALLBACK_TYPE_VECTOR)
        return false;
    via &= ~HVM_PARAM_CALLBACK_IRQ_TYPE_MASK;
    return via <= 0xff && via >= CALLBACK_VECTOR_MIN;
}

static long param(struct vcpu *v, uint64_t arg, bool set)
{
    struct domain *d = v->domain;
    struct xen_hvm_param p;

    if (copy_from_guest(v, &p, arg, sizeof(p)))
        return -EFAULT;
    if (p.domid != DOMID_SELF && p.domid != d->id)
        return -EPERM;
    if (p.index >= HVM_NR_PARAMS)
        return -EINVAL;

    switch (p.index) {
    case HVM_PARAM_CALLBACK_IRQ:
        if (set) {
            if (!callback_valid(p.value))
                return -EINVAL;
            __atomic_store_n(&d->callback_via, p.value, __ATOMIC_RELEASE);
            return 0;
        }
        p.value = __atomic_load_n(&d->callback_via, __ATOMIC_ACQUIRE);
        break;
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_PFN:
    case HVM_PARAM_CONSOLE_EVTCHN:
        /* Set when the domain was built (console_ring.c); the guest may
         * only read them, as in Xen. */
        if (set)
            return -EPERM;
        if (d->ring_gfn == GFN_NONE)
            p.value = 0;
        else if (p.index == HVM_PARAM_STORE_PFN)
            p.value = store_gfn(d);
        else if (p.index == HVM_PARAM_STORE_EVTCHN)
            p.value = d->store_port;
        else if (p.index == HVM_PARAM_CONSOLE_PFN)
            p.value = console_gfn(d);
        else
            p.value = d->cons_port;
        break;
    default:
        return -ENOSYS;
    }
    return copy_to_guest(v, arg, &p, sizeof(p)) ? -EFAULT : 0;
}

/* HVMOP_set_evtchn_upcall_vector: one vCPU's own upcall vector. */
static long upcall_vector(struct vcpu *v, uint64_t arg)
{
    struct domain *d = v->domain;
    struct xen_hvm_evtchn_upcall_vector u;

    if (copy_from_guest(v, &u, arg, sizeof(u)))
        return -EFAULT;
    if (u.vector < CALLBACK_VECTOR_MIN)
        return -EINVAL;
    if (u.vcpu >= d->nr_vcpus || !d->vcpus[u.vcpu])
        return -ENOENT;
    __atomic_store_n(&d->vcpus[u.vcpu]->upcall_vector, u.vector, __ATOMIC_RELEASE);
    return 0;
}

long do_hvm_op(struct vcpu *v, const uint64_t a[5])
{
    switch (a[0]) {
    case HVMOP_set_evtchn_upcall_vector:
        return upcall_vector(v, a[1]);
    case HVMOP_set_param:
        return param(v, a[1], true);
    case HVMOP_get_param:
        return param(v, a[1], false);
    default:
        return -ENOSYS;
    }
}
