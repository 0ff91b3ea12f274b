/* Host and domain information: the calls in which mica only writes. */
#include "libmica_int.h"

int mica_physinfo(struct mica_physinfo *info)
{
    mica_touch_out(info, sizeof(*info));
    return (int)mica_call(MICA_CTL_physinfo, MICA_PTR(info), 0, 0, 0, 0);
}

int mica_domain_list(struct mica_domain_info *info, unsigned max)
{
    mica_touch_out(info, (size_t)max * sizeof(*info));
    return (int)mica_call(MICA_CTL_domain_list, MICA_PTR(info), max, 0, 0,
                          0);
}

int mica_domain_info(domid_t domid, struct mica_domain_info *info)
{
    mica_touch_out(info, sizeof(*info));
    return (int)mica_call(MICA_CTL_domain_info, domid, MICA_PTR(info), 0, 0,
                          0);
}
