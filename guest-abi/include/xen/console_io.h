/*
 * xen/console_io.h - sub-operations of __HYPERVISOR_console_io.
 *
 *   long console_io(unsigned int cmd, unsigned int count, char *buffer);
 *
 * CONSOLEIO_write prints @count bytes from @buffer on the hypervisor's
 * console and returns 0 or a negative XEN_E* value.  CONSOLEIO_read copies
 * up to @count bytes of pending console input into @buffer and returns how
 * many it copied.  Xen lets only privileged domains read; unprivileged
 * guests use this for early output before their console ring is up.
 */
#ifndef MICA_GUEST_ABI_XEN_CONSOLE_IO_H
#define MICA_GUEST_ABI_XEN_CONSOLE_IO_H

#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

#endif /* MICA_GUEST_ABI_XEN_CONSOLE_IO_H */
