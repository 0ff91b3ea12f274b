/*
 * xen/version.h - __HYPERVISOR_xen_version.
 *
 *   long xen_version(int cmd, void *arg);
 *
 * XENVER_version, XENVER_pagesize and XENVER_build_id return their answer
 * as the result; every other command fills the buffer at @arg and returns
 * 0, or a negative XEN_E* value.
 */
#ifndef MICA_GUEST_ABI_XEN_VERSION_H
#define MICA_GUEST_ABI_XEN_VERSION_H

#include "xen.h"
#include "features.h"

#define XENVER_version              0  /* @arg NULL; returns major << 16 | minor */
#define XENVER_extraversion         1  /* @arg -> xen_extraversion_t */
#define XENVER_compile_info         2  /* @arg -> struct xen_compile_info */
#define XENVER_capabilities         3  /* @arg -> xen_capabilities_info_t */
#define XENVER_changeset            4  /* @arg -> xen_changeset_info_t */
#define XENVER_platform_parameters  5  /* @arg -> struct xen_platform_parameters */
#define XENVER_get_features         6  /* @arg -> struct xen_feature_info */
#define XENVER_pagesize             7  /* @arg NULL; returns the page size */
#define XENVER_guest_handle         8  /* @arg -> xen_domain_handle_t */
#define XENVER_commandline          9  /* @arg -> xen_commandline_t */
#define XENVER_build_id            10  /* @arg -> struct xen_build_id */
/*
 * Length-checked forms of the string queries: @arg -> struct xen_varbuf,
 * or NULL to ask for the length.  The result is the number of bytes
 * written (not NUL-terminated), or the length needed.
 */
#define XENVER_extraversion2       11
#define XENVER_capabilities2       12
#define XENVER_changeset2          13
#define XENVER_commandline2        14

#ifndef __ASSEMBLER__

/* The fixed-size buffers below silently truncate longer strings. */
typedef char xen_extraversion_t[16];      /* e.g. ".0" or "-rc1" */
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;

/* Space-separated guest types the host can run, e.g. "hvm-3.0-x86_64". */
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

typedef char xen_commandline_t[1024];

/*
 * Lowest virtual address the hypervisor reserves in a PV guest's address
 * space.  Meaningless for guests in a hardware container; kept so that
 * guests which ask anyway get an answer.
 */
struct xen_platform_parameters {
    xen_ulong_t virt_start;
};
typedef struct xen_platform_parameters xen_platform_parameters_t;

/* XENVER_get_features: the caller picks a submap, the hypervisor fills it. */
struct xen_feature_info {
    uint32_t submap_idx;        /* IN: which group of 32 XENFEAT_* bits */
    uint32_t submap;            /* OUT: the bits */
};
typedef struct xen_feature_info xen_feature_info_t;

/* A length followed by that many bytes. */
struct xen_varbuf {
    uint32_t len;               /* IN: bytes available in @buf */
    MICA_ABI_FLEX_MEMBER(unsigned char, buf); /* OUT */
};
typedef struct xen_varbuf xen_varbuf_t;

/* XENVER_build_id: same shape as struct xen_varbuf. */
struct xen_build_id {
    uint32_t len;               /* IN: bytes available in @buf */
    MICA_ABI_FLEX_MEMBER(unsigned char, buf); /* OUT */
};
typedef struct xen_build_id xen_build_id_t;

/* Layout checks. */
MICA_ABI_ASSERT(xen_extraversion_t_size, sizeof(xen_extraversion_t) == 16);
MICA_ABI_ASSERT(xen_capabilities_info_t_size,
                sizeof(xen_capabilities_info_t) == 1024);
MICA_ABI_ASSERT(xen_changeset_info_t_size, sizeof(xen_changeset_info_t) == 64);
MICA_ABI_ASSERT(xen_commandline_t_size, sizeof(xen_commandline_t) == 1024);
MICA_ABI_SIZE(xen_compile_info, 144);
MICA_ABI_OFFSET(xen_compile_info, compile_by, 64);
MICA_ABI_OFFSET(xen_compile_info, compile_domain, 80);
MICA_ABI_OFFSET(xen_compile_info, compile_date, 112);
MICA_ABI_SIZE(xen_feature_info, 8);
MICA_ABI_OFFSET(xen_feature_info, submap, 4);
MICA_ABI_OFFSET(xen_varbuf, buf, 4);
MICA_ABI_OFFSET(xen_build_id, buf, 4);
MICA_ABI_SIZE(xen_platform_parameters, sizeof(xen_ulong_t));

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_VERSION_H */
