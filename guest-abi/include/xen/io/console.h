/*
 * xen/io/console.h - the shared page of a domain's paravirtual console.
 *
 * The page's frame and its event channel are given by HVM_PARAM_CONSOLE_PFN
 * and HVM_PARAM_CONSOLE_EVTCHN.  @out carries guest output to the backend,
 * @in carries keyboard input to the guest.  Each ring has a producer and a
 * consumer index that only ever grow (wrapping at 2^32); the byte for index
 * i is at MASK_XENCONS_IDX(i, ring).  The writer of a ring fills bytes,
 * issues a write barrier, advances its producer index and notifies the
 * event channel; the reader does the mirror image with its consumer index.
 * A ring is empty when prod == cons and full when prod - cons equals its
 * size.
 */
#ifndef MICA_GUEST_ABI_XEN_IO_CONSOLE_H
#define MICA_GUEST_ABI_XEN_IO_CONSOLE_H

#include "../compiler.h"

/*
 * xencons_interface.connection: whether a backend is servicing the rings.
 * A domain builder that starts the guest before the backend marks the page
 * disconnected, so the guest can fall back to CONSOLEIO_write instead of
 * filling @out; a zeroed page reads as connected, as older backends expect.
 */
#define XENCONSOLE_CONNECTED    0
#define XENCONSOLE_DISCONNECTED 1

#ifndef __ASSEMBLER__

typedef uint32_t XENCONS_RING_IDX;

/* Position in @ring of free-running index @idx; the ring size is a power of 2. */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
    char in[1024];              /* backend to guest */
    char out[2048];             /* guest to backend */
    XENCONS_RING_IDX in_cons;   /* advanced by the guest */
    XENCONS_RING_IDX in_prod;   /* advanced by the backend */
    XENCONS_RING_IDX out_cons;  /* advanced by the backend */
    XENCONS_RING_IDX out_prod;  /* advanced by the guest */
    uint8_t connection;         /* XENCONSOLE_*, written by the backend */
};

/* Layout checks: identical for i386 and x86_64. */
MICA_ABI_OFFSET(xencons_interface, in, 0);
MICA_ABI_OFFSET(xencons_interface, out, 1024);
MICA_ABI_OFFSET(xencons_interface, in_cons, 3072);
MICA_ABI_OFFSET(xencons_interface, in_prod, 3076);
MICA_ABI_OFFSET(xencons_interface, out_cons, 3080);
MICA_ABI_OFFSET(xencons_interface, out_prod, 3084);
MICA_ABI_OFFSET(xencons_interface, connection, 3088);
MICA_ABI_SIZE(xencons_interface, 3092);

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_IO_CONSOLE_H */
