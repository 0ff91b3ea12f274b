/* xenver: xen_version, written against Xen's ABI only.  It checks the
 * version against CPUID, each string query, the feature map, and that bad
 * sub-operations and bad buffers are refused rather than obeyed. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/version.h>
#include <xen/arch-x86/cpuid.h>

static long xenver(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_xen_version, cmd, (unsigned long)arg);
}

/* True if s holds a NUL within n bytes. */
static bool terminated(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i])
            return true;
    return false;
}

static bool contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++)
        if (!strncmp(hay, needle, n))
            return true;
    return false;
}

static xen_capabilities_info_t caps;

enum verdict test_main(const char *cmdline)
{
    uint32_t a, b, c, d;
    long ver, rc;
    xen_extraversion_t extra;
    xen_changeset_info_t cs;
    struct xen_compile_info ci;
    struct xen_feature_info fi;
    struct { xen_platform_parameters_t p; uint32_t guard; } pp;

    (void)cmdline;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                     : "a"(XEN_CPUID_FIRST_LEAF + 1), "c"(0));
    ver = xenver(XENVER_version, NULL);
    printf("xen_version: %ld.%ld, CPUID says %u.%u\n", ver >> 16, ver & 0xffff,
           a >> 16, a & 0xffff);
    CHECK(ver == (long)a, "XENVER_version %#lx, CPUID %#x", ver, a);

    rc = xenver(XENVER_pagesize, NULL);
    CHECK(rc == 4096, "XENVER_pagesize %ld", rc);

    /* IA32_DEBUGCTL reads as zero, as under Xen, and takes zero back (a
     * #GP here would end the test with a triple fault). */
    {
        uint32_t lo, hi;

        __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1d9));
        CHECK(lo == 0 && hi == 0, "DEBUGCTL %#x:%#x", hi, lo);
        __asm__ volatile("wrmsr" : : "c"(0x1d9), "a"(0), "d"(0));
    }

    memset(extra, 0x55, sizeof(extra));
    rc = xenver(XENVER_extraversion, extra);
    CHECK(rc == 0 && terminated(extra, sizeof(extra)), "extraversion rc %ld", rc);

    memset(cs, 0x55, sizeof(cs));
    rc = xenver(XENVER_changeset, cs);
    CHECK(rc == 0 && terminated(cs, sizeof(cs)) && cs[0], "changeset rc %ld", rc);

    memset(&ci, 0x55, sizeof(ci));
    rc = xenver(XENVER_compile_info, &ci);
    CHECK(rc == 0 && terminated(ci.compiler, sizeof(ci.compiler)) && ci.compiler[0] &&
          terminated(ci.compile_by, sizeof(ci.compile_by)) &&
          terminated(ci.compile_domain, sizeof(ci.compile_domain)) &&
          terminated(ci.compile_date, sizeof(ci.compile_date)),
          "compile_info rc %ld", rc);

    memset(caps, 0x55, sizeof(caps));
    rc = xenver(XENVER_capabilities, caps);
    CHECK(rc == 0 && terminated(caps, sizeof(caps)), "capabilities rc %ld", rc);
    if (!rc) {
        printf("version %ld.%ld%s, capabilities '%s', changeset '%s'\n",
               ver >> 16, ver & 0xffff, extra, caps, cs);
        printf("compiled with '%s' on %s\n", ci.compiler, ci.compile_date);
    }
    /* This guest is 32-bit: the host must say it can run one. */
    CHECK(!rc && contains(caps, "hvm-3.0-x86_32"), "no hvm-3.0-x86_32 in capabilities");

    /* xen_ulong_t is 4 bytes here: nothing may be written past it. */
    pp.p.virt_start = 0x12345678;
    pp.guard = 0xcafef00d;
    rc = xenver(XENVER_platform_parameters, &pp.p);
    CHECK(rc == 0 && pp.guard == 0xcafef00d, "platform_parameters rc %ld guard %#x",
          rc, pp.guard);

    fi.submap_idx = 0;
    fi.submap = 0;
    rc = xenver(XENVER_get_features, &fi);
    printf("features submap 0: %#x\n", fi.submap);
    CHECK(rc == 0 && (fi.submap & (1u << XENFEAT_hvm_callback_vector)),
          "get_features: no hvm_callback_vector in %#x", fi.submap);
    CHECK(rc == 0 && (fi.submap & (1u << XENFEAT_auto_translated_physmap)),
          "get_features rc %ld submap %#x", rc, fi.submap);
    /* No PV-only features for a guest in a hardware container. */
    CHECK(!(fi.submap & (1u << XENFEAT_mmu_pt_update_preserve_ad)) &&
          !(fi.submap & (1u << XENFEAT_dom0)), "PV or dom0 features %#x", fi.submap);
    fi.submap_idx = XENFEAT_NR_SUBMAPS;
    rc = xenver(XENVER_get_features, &fi);
    CHECK(rc == -XEN_EINVAL, "get_features submap %u: rc %ld", XENFEAT_NR_SUBMAPS, rc);

    rc = xenver(99, &fi);
    CHECK(rc == -XEN_ENOSYS, "sub-op 99: rc %ld", rc);
    rc = xenver(0x80000000u, &fi);
    CHECK(rc == -XEN_ENOSYS, "sub-op 0x80000000: rc %ld", rc);

    /* Buffers outside the guest's RAM, and one running off its end. */
    rc = xenver(XENVER_capabilities, (void *)0xfff00000);
    CHECK(rc == -XEN_EFAULT, "capabilities to 0xfff00000: rc %ld", rc);
    rc = xenver(XENVER_compile_info, (void *)(uintptr_t)(ram_size() - 16));
    CHECK(rc == -XEN_EFAULT, "compile_info across the end of RAM: rc %ld", rc);
    rc = xenver(XENVER_get_features, (void *)(uintptr_t)(ram_size() + 4096));
    CHECK(rc == -XEN_EFAULT, "get_features beyond RAM: rc %ld", rc);

    printf("xenver: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
