/* Copies between dom0's memory and a domain's, for the domain builder. */
#include "libmica_int.h"

int mica_copy_to_domain(domid_t domid, uint64_t gpa, const void *buf,
                        size_t len)
{
    /* Reading first also brings in the pages of a file that the builder
     * mapped but has not read yet (a kernel image, say). */
    mica_touch_in(buf, len);
    return (int)mica_call(MICA_CTL_copy_to_domain, domid, gpa, MICA_PTR(buf),
                          len, 0);
}

int mica_copy_from_domain(domid_t domid, uint64_t gpa, void *buf,
                          size_t len)
{
    mica_touch_out(buf, len);
    return (int)mica_call(MICA_CTL_copy_from_domain, domid, gpa,
                          MICA_PTR(buf), len, 0);
}
