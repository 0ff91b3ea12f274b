/* A domain's life cycle: create, destroy, pause, shut down, resize,
 * rename. */
#include "libmica_int.h"

int mica_domain_create(const struct mica_domain_create *req)
{
    mica_touch_in(req, sizeof(*req));
    return (int)mica_call(MICA_CTL_domain_create, MICA_PTR(req), 0, 0, 0,
                          0);
}

int mica_domain_destroy(domid_t domid)
{
    return (int)mica_call(MICA_CTL_domain_destroy, domid, 0, 0, 0, 0);
}

int mica_domain_pause(domid_t domid)
{
    return (int)mica_call(MICA_CTL_domain_pause, domid, 0, 0, 0, 0);
}

int mica_domain_unpause(domid_t domid)
{
    return (int)mica_call(MICA_CTL_domain_unpause, domid, 0, 0, 0, 0);
}

int mica_domain_shutdown(domid_t domid, unsigned reason)
{
    return (int)mica_call(MICA_CTL_domain_shutdown, domid, reason, 0, 0, 0);
}

int mica_domain_set_memory(domid_t domid, uint64_t kib)
{
    return (int)mica_call(MICA_CTL_domain_set_memory, domid, kib, 0, 0, 0);
}

int mica_domain_set_vcpus(domid_t domid, unsigned count)
{
    return (int)mica_call(MICA_CTL_domain_set_vcpus, domid, count, 0, 0, 0);
}

int mica_domain_rename(domid_t domid, const char name[MICA_NAME_MAX])
{
    mica_touch_in(name, MICA_NAME_MAX);
    return (int)mica_call(MICA_CTL_domain_rename, domid, MICA_PTR(name), 0, 0,
                          0);
}
