/* Error numbers.  mica returns negative errno values everywhere; the numbers
 * are Xen's (and Linux's), so a value can go straight back to a guest. */
#ifndef MICA_ERRNO_H
#define MICA_ERRNO_H

#define EPERM    1
#define ENOENT   2
#define ESRCH    3
#define EINTR    4
#define EIO      5
#define E2BIG    7
#define ENOEXEC  8
#define EBADF    9
#define EAGAIN  11
#define ENOMEM  12
#define EACCES  13
#define EFAULT  14
#define EBUSY   16
#define EEXIST  17
#define ENODEV  19
#define EINVAL  22
#define ENOSPC  28
#define ERANGE  34
#define ENOSYS  38
#define EOPNOTSUPP 95
#define ETIMEDOUT 110

#endif
