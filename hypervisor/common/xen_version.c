/* xen_version: who the guest is talking to.  mica answers as the Xen
 * version it implements the ABI of (4.17, the same figure as CPUID leaf
 * 0x40000001), and names itself in the extra version. */
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/hypercall.h>
#include <mica/string.h>
#include <mica/version.h>
#include <asm/p2m.h>
#include <xen/version.h>

#define XEN_MAJOR 4
#define XEN_MINOR 17

/* Every guest mica runs is in a hardware container; both widths and PAE. */
static const char capabilities[] = "hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p";

/* The features a xenU domain really has.  Guests own their page tables and
 * mica translates guest frames through NPT/EPT, so the frames a guest sees
 * are not machine frames.  The callback vector and the safe pvclock are
 * added to this map when they exist (issue 3); advertising them earlier
 * would send Linux down paths that hang. */
static uint32_t feature_submap0(const struct domain *d)
{
    (void)d;
    return (1u << XENFEAT_writable_page_tables) |
           (1u << XENFEAT_auto_translated_physmap) |
           (1u << XENFEAT_not_direct_mapped) |
           (1u << XENFEAT_hvm_callback_vector) |
           (1u << XENFEAT_hvm_safe_pvclock);
}

/* Copies a fixed-size string buffer, NUL-padded, to the guest. */
static long put_string(struct vcpu *v, uint64_t arg, const char *s, size_t size)
{
    char buf[64];

    if (size > sizeof(buf)) {
        /* Only capabilities is larger: write the string, then its NUL. */
        size_t n = strlen(s) + 1;

        return copy_to_guest(v, arg, s, n) ? -EFAULT : 0;
    }
    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(v, arg, buf, size) ? -EFAULT : 0;
}

long do_xen_version(struct vcpu *v, const uint64_t a[5])
{
    uint64_t cmd = a[0], arg = a[1];

    switch (cmd) {
    case XENVER_version:
        return (XEN_MAJOR << 16) | XEN_MINOR;
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_extraversion:
        return put_string(v, arg, "-mica" MICA_VERSION, XEN_EXTRAVERSION_LEN);
    case XENVER_changeset:
        return put_string(v, arg, "unavailable", XEN_CHANGESET_INFO_LEN);
    case XENVER_capabilities:
        return put_string(v, arg, capabilities, XEN_CAPABILITIES_INFO_LEN);
    case XENVER_compile_info: {
        struct xen_compile_info ci;

        memset(&ci, 0, sizeof(ci));
        strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
        strlcpy(ci.compile_by, "mica", sizeof(ci.compile_by));
        strlcpy(ci.compile_domain, "", sizeof(ci.compile_domain));
        strlcpy(ci.compile_date, __DATE__ " " __TIME__, sizeof(ci.compile_date));
        return copy_to_guest(v, arg, &ci, sizeof(ci)) ? -EFAULT : 0;
    }
    case XENVER_platform_parameters: {
        /* virt_start is a PV notion (the hole Xen keeps in a PV guest's
         * address space); a guest in a hardware container has no such hole,
         * and Xen 4.17 answers 0 to HVM guests too.  xen_ulong_t is as wide
         * as the guest's long. */
        uint64_t zero = 0;
        size_t n = hvm_ops->guest_bits(v) == 64 ? 8 : 4;

        return copy_to_guest(v, arg, &zero, n) ? -EFAULT : 0;
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;

        if (copy_from_guest(v, &fi, arg, sizeof(fi)))
            return -EFAULT;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -EINVAL;
        fi.submap = feature_submap0(v->domain);
        return copy_to_guest(v, arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }
    default:
        return -ENOSYS;
    }
}
