/* vCPUs: placement, scheduler weight and cap, initial register state,
 * what each is doing. */
#include "libmica_int.h"

int mica_vcpu_pin(domid_t domid, unsigned vcpu, uint64_t cpu_mask)
{
    return (int)mica_call(MICA_CTL_vcpu_pin, domid, vcpu, cpu_mask, 0, 0);
}

long mica_sched_credit(domid_t domid, unsigned weight, unsigned cap)
{
    return mica_call(MICA_CTL_sched_credit, domid, weight, cap, 0, 0);
}

int mica_vcpu_info(domid_t domid, struct mica_vcpu_info *info, unsigned max)
{
    mica_touch_out(info, (size_t)max * sizeof(*info));
    return (int)mica_call(MICA_CTL_vcpu_info, domid, MICA_PTR(info), max, 0,
                          0);
}

int mica_vcpu_set_state(domid_t domid, unsigned vcpu,
                        const struct mica_vcpu_state *state)
{
    mica_touch_in(state, sizeof(*state));
    return (int)mica_call(MICA_CTL_vcpu_set_state, domid, vcpu,
                          MICA_PTR(state), 0, 0);
}
