/* console_io: a guest's debug console (Xen's CONSOLEIO_write). */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/hypercall.h>
#include <asm/p2m.h>
#include <xen/console_io.h>

#define CHUNK 128

long do_console_io(struct vcpu *v, const uint64_t a[5])
{
    uint64_t cmd = a[0], count = a[1], buf = a[2];
    char tmp[CHUNK];

    switch (cmd) {
    case CONSOLEIO_write:
        if (count > (1u << 20))
            return -EINVAL;
        for (uint64_t done = 0; done < count;) {
            size_t n = (size_t)MIN(count - done, CHUNK);

            if (copy_from_guest(v, tmp, buf + done, n))
                return -EFAULT;
            domain_console_write(v->domain, tmp, n);
            done += n;
        }
        return 0;
    case CONSOLEIO_read:
        /* Reading mica's console is for the control domain only. */
        return -EPERM;
    default:
        return -ENOSYS;
    }
}
