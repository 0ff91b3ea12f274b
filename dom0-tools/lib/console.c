/* Domain consoles and mica's own console ring (xm console, xm dmesg). */
#include "libmica_int.h"

ssize_t mica_console_read(domid_t domid, void *buf, size_t len,
                          uint64_t *pos)
{
    mica_touch_out(buf, len);
    mica_touch_out(pos, sizeof(*pos));
    return mica_call(MICA_CTL_console_read, domid, MICA_PTR(buf), len,
                     MICA_PTR(pos), 0);
}

ssize_t mica_console_write(domid_t domid, const void *buf, size_t len)
{
    mica_touch_in(buf, len);
    return mica_call(MICA_CTL_console_write, domid, MICA_PTR(buf), len, 0,
                     0);
}

ssize_t mica_dmesg(void *buf, size_t len, uint64_t *pos)
{
    mica_touch_out(buf, len);
    mica_touch_out(pos, sizeof(*pos));
    return mica_call(MICA_CTL_dmesg, MICA_PTR(buf), len, MICA_PTR(pos), 0,
                     0);
}

ssize_t mica_dmesg_unseen(void *buf, size_t len, uint64_t *pos)
{
    mica_touch_out(buf, len);
    mica_touch_out(pos, sizeof(*pos));
    return mica_call(MICA_CTL_dmesg, MICA_PTR(buf), len, MICA_PTR(pos),
                     MICA_DMESG_UNSEEN, 0);
}
