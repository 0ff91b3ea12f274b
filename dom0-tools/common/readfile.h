/* Reading a whole configuration file into memory. */
#ifndef MICA_READFILE_H
#define MICA_READFILE_H

#include <stddef.h>

/* Configuration files are small; anything larger is a mistake (a disk
 * image named by accident, /dev/zero) and is refused rather than read. */
#define READFILE_MAX (4u << 20)

/*
 * Reads path into a fresh NUL-terminated buffer. Returns 0, or a negative
 * errno value (-EFBIG when the file exceeds READFILE_MAX).
 */
int read_whole_file(const char *path, char **buf, size_t *len);

#endif
