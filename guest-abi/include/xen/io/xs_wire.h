/*
 * xen/io/xs_wire.h - the xenstore protocol and a domain's xenstore ring.
 *
 * A guest talks to the xenstore daemon through one shared page (frame
 * HVM_PARAM_STORE_PFN, event channel HVM_PARAM_STORE_EVTCHN) holding two
 * byte rings.  Each message is a struct xsd_sockmsg header followed by
 * @len bytes of payload, usually NUL-terminated strings.  The rings follow
 * the same free-running index rules as the console (xen/io/console.h).
 */
#ifndef MICA_GUEST_ABI_XEN_IO_XS_WIRE_H
#define MICA_GUEST_ABI_XEN_IO_XS_WIRE_H

#include "../compiler.h"

#define XENSTORE_RING_SIZE 1024
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

/* Limits on a single message. */
#define XENSTORE_PAYLOAD_MAX  4096  /* exceeding it breaks the connection */
#define XENSTORE_ABS_PATH_MAX 3072  /* exceeding these earns an error reply */
#define XENSTORE_REL_PATH_MAX 2048

/* xenstore_domain_interface.server_features */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1  /* @connection is honoured */
#define XENSTORE_SERVER_FEATURE_ERROR        2  /* @error is reported */
#define XENSTORE_SERVER_FEATURE_WATCHDEPTH   4  /* XS_WATCH takes a depth */
#define XENSTORE_SERVER_FEATURE_DOMID_ANY    8  /* DOMID_ANY in permissions */

/* xenstore_domain_interface.connection */
#define XENSTORE_CONNECTED 0  /* normal operation */
#define XENSTORE_RECONNECT 1  /* guest asks to reset the rings */

/* xenstore_domain_interface.error */
#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1  /* communication problem */
#define XENSTORE_ERROR_RINGIDX 2  /* an index was out of range */
#define XENSTORE_ERROR_PROTO   3  /* protocol violation, e.g. payload too long */

#ifndef __ASSEMBLER__

/* xsd_sockmsg.type */
enum xsd_sockmsg_type {
    XS_CONTROL              = 0,
    XS_DIRECTORY            = 1,
    XS_READ                 = 2,
    XS_GET_PERMS            = 3,
    XS_WATCH                = 4,
    XS_UNWATCH              = 5,
    XS_TRANSACTION_START    = 6,
    XS_TRANSACTION_END      = 7,
    XS_INTRODUCE            = 8,
    XS_RELEASE              = 9,
    XS_GET_DOMAIN_PATH      = 10,
    XS_WRITE                = 11,
    XS_MKDIR                = 12,
    XS_RM                   = 13,
    XS_SET_PERMS            = 14,
    XS_WATCH_EVENT          = 15,
    XS_ERROR                = 16,
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME               = 18,
    XS_SET_TARGET           = 19,
    /* 20 was XS_RESTRICT, now removed. */
    XS_RESET_WATCHES        = 21,
    XS_DIRECTORY_PART       = 22,
    XS_GET_FEATURE          = 23,
    XS_SET_FEATURE          = 24,
    XS_GET_QUOTA            = 25,
    XS_SET_QUOTA            = 26,
    XS_TYPE_COUNT           = 27,     /* number of types defined */
    XS_INVALID              = 0xffff  /* never a valid type */
};
#define XS_DEBUG XS_CONTROL           /* older name */

/* Fields of an XS_WATCH_EVENT payload, in order. */
enum xs_watch_type {
    XS_WATCH_PATH = 0,
    XS_WATCH_TOKEN = 1
};

/*
 * Errors travel as the errno name in an XS_ERROR payload (e.g. "ENOENT").
 * The table maps them to the includer's errno values, so it exists only
 * when the includer has an errno.h in scope.
 */
struct xsd_errors {
    int errnum;
    const char *errstring;
};
#ifdef EINVAL
#define XSD_ERROR(x) { x, #x }
static const struct xsd_errors xsd_errors[]
#if defined(__GNUC__)
    __attribute__((unused))
#endif
    = {
    /* New entries go at the end only. */
    XSD_ERROR(EINVAL),
    XSD_ERROR(EACCES),
    XSD_ERROR(EEXIST),
    XSD_ERROR(EISDIR),
    XSD_ERROR(ENOENT),
    XSD_ERROR(ENOMEM),
    XSD_ERROR(ENOSPC),
    XSD_ERROR(EIO),
    XSD_ERROR(ENOTEMPTY),
    XSD_ERROR(ENOSYS),
    XSD_ERROR(EROFS),
    XSD_ERROR(EBUSY),
    XSD_ERROR(EAGAIN),
    XSD_ERROR(EISCONN),
    XSD_ERROR(E2BIG),
    XSD_ERROR(EPERM),
};
#endif

/* Header of every message, in both directions. */
struct xsd_sockmsg {
    uint32_t type;              /* enum xsd_sockmsg_type */
    uint32_t req_id;            /* chosen by the client, echoed in the reply */
    uint32_t tx_id;             /* transaction, or 0 */
    uint32_t len;               /* payload bytes that follow */
};

typedef uint32_t XENSTORE_RING_IDX;

/* The shared page. */
struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];   /* guest to daemon */
    char rsp[XENSTORE_RING_SIZE];   /* replies and watch events */
    XENSTORE_RING_IDX req_cons;     /* advanced by the daemon */
    XENSTORE_RING_IDX req_prod;     /* advanced by the guest */
    XENSTORE_RING_IDX rsp_cons;     /* advanced by the guest */
    XENSTORE_RING_IDX rsp_prod;     /* advanced by the daemon */
    uint32_t server_features;       /* XENSTORE_SERVER_FEATURE_* */
    uint32_t connection;            /* XENSTORE_CONNECTED / _RECONNECT */
    uint32_t error;                 /* XENSTORE_ERROR_* */
    /*
     * Event channel for the daemon to signal, when the hypervisor built
     * the domain itself; 0 means the one given with XS_INTRODUCE.
     */
    uint32_t evtchn_port;
};

/* Layout checks: identical for i386 and x86_64. */
MICA_ABI_SIZE(xsd_sockmsg, 16);
MICA_ABI_OFFSET(xsd_sockmsg, req_id, 4);
MICA_ABI_OFFSET(xsd_sockmsg, tx_id, 8);
MICA_ABI_OFFSET(xsd_sockmsg, len, 12);
MICA_ABI_OFFSET(xenstore_domain_interface, rsp, 1024);
MICA_ABI_OFFSET(xenstore_domain_interface, req_cons, 2048);
MICA_ABI_OFFSET(xenstore_domain_interface, req_prod, 2052);
MICA_ABI_OFFSET(xenstore_domain_interface, rsp_cons, 2056);
MICA_ABI_OFFSET(xenstore_domain_interface, rsp_prod, 2060);
MICA_ABI_OFFSET(xenstore_domain_interface, server_features, 2064);
MICA_ABI_OFFSET(xenstore_domain_interface, connection, 2068);
MICA_ABI_OFFSET(xenstore_domain_interface, error, 2072);
MICA_ABI_OFFSET(xenstore_domain_interface, evtchn_port, 2076);
MICA_ABI_SIZE(xenstore_domain_interface, 2080);

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_IO_XS_WIRE_H */
