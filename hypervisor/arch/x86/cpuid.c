/* The CPUID a guest sees: the host's, minus what mica does not virtualize
 * (SVM, VMX, XSAVE/AVX state, MONITOR, performance counters), with the
 * hypervisor bit set, and Xen's leaves at 0x40000000 for domains that are
 * Xen guests.  The Xen hypercall-page MSR lives here too, since CPUID leaf
 * 0x40000002 is where guests learn its number. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/string.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/cpuid.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <xen/xen.h>

/* The Xen interface version guests are told (xen_version and CPUID). */
#define XEN_COMPAT_MAJOR 4
#define XEN_COMPAT_MINOR 17
#define XEN_MSR_HYPERCALL_PAGE 0x40000000u

#define LEAF1_ECX_MONITOR (1u << 3)
#define LEAF1_ECX_VMX     (1u << 5)
#define LEAF1_ECX_PDCM    (1u << 15)
#define LEAF1_ECX_X2APIC  (1u << 21)
#define LEAF1_ECX_XSAVE   (1u << 26)
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define LEAF1_ECX_AVX     (1u << 28)
#define LEAF1_ECX_HV      (1u << 31)
#define LEAF7_EBX_AVX2    (1u << 5)
#define LEAF7_EBX_AVX512  0xd0230000u   /* F, DQ, IFMA, PF, ER, CD, BW, VL */
#define EXT1_ECX_SVM      (1u << 2)
#define LEAF1_EDX_ACPI    (1u << 22)

static void xen_leaves(struct vcpu *v, uint32_t leaf, struct cpuid_regs *r)
{
    memset(r, 0, sizeof(*r));
    switch (leaf - XEN_CPUID_FIRST_LEAF) {
    case 0:
        r->eax = XEN_CPUID_LEAF(4);
        r->ebx = XEN_CPUID_SIGNATURE_EBX;
        r->ecx = XEN_CPUID_SIGNATURE_ECX;
        r->edx = XEN_CPUID_SIGNATURE_EDX;
        break;
    case 1:
        r->eax = (XEN_COMPAT_MAJOR << 16) | XEN_COMPAT_MINOR;
        break;
    case 2:
        r->eax = 1;                         /* one hypercall page */
        r->ebx = XEN_MSR_HYPERCALL_PAGE;
        break;
    case 4:
        r->eax = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT;
        r->ebx = v->id;
        r->ecx = v->domain->id;
        break;
    }
}

/* Whether leaves 0x15 (TSC to crystal ratio) and 0x16 (base frequency)
 * agree, within 2%, with the TSC rate lapic_calibrate() measured against
 * the PIT.  Read as Linux does (native_calibrate_tsc, cpu_khz_from_cpuid):
 * the crystal times EBX/EAX of 0x15, the crystal worked out from 0x16's
 * base frequency when 0x15 leaves it out, and 0x16 alone otherwise.
 * Emulators can contradict themselves here: Bochs's Skylake-X model says
 * 3.5 GHz while its TSC counts its instructions (100 MHz by default), so
 * a guest that believed the leaves kept time 35 times too slowly. */
static bool tsc_leaves_agree(void)
{
    uint32_t max = cpuid(0).eax;
    struct cpuid_regs l15 = { 0 }, l16 = { 0 };
    uint64_t crystal_khz = 0, khz = 0;

    if (max < 0x15)
        return true;
    l15 = cpuid(0x15);
    if (max >= 0x16)
        l16 = cpuid(0x16);
    if (l15.eax && l15.ebx) {
        crystal_khz = l15.ecx / 1000;
        if (!crystal_khz)
            crystal_khz = (uint64_t)l16.eax * 1000 * l15.eax / l15.ebx;
        khz = crystal_khz * l15.ebx / l15.eax;
    } else {
        khz = (uint64_t)l16.eax * 1000;
    }
    return !khz || (khz * 50 >= tsc_khz * 49 && khz * 50 <= tsc_khz * 51);
}

void cpuid_guest(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
    struct cpuid_regs r;

    if (leaf >= XEN_CPUID_FIRST_LEAF && leaf < XEN_CPUID_FIRST_LEAF + 0x10000) {
        if (v->domain->xen_guest && leaf <= XEN_CPUID_LEAF(4))
            xen_leaves(v, leaf, &r);
        else
            memset(&r, 0, sizeof(r));
    } else {
        r = cpuid_count(leaf, sub);
        switch (leaf) {
        case 1:
            r.ecx &= ~(LEAF1_ECX_MONITOR | LEAF1_ECX_VMX | LEAF1_ECX_PDCM |
                       LEAF1_ECX_X2APIC | LEAF1_ECX_XSAVE | LEAF1_ECX_OSXSAVE |
                       LEAF1_ECX_AVX);
            r.ecx |= LEAF1_ECX_HV;
            r.edx &= ~LEAF1_EDX_ACPI;
            /* APIC ID in bits 31-24, one logical CPU per package.  A
             * vCPU of dom0's runs on a CPU of its own, whose LAPIC it
             * has: the ID is that CPU's. */
            r.ebx = (r.ebx & 0x0000ffffu) | (1u << 16) |
                    (v->domain->is_dom0 ? r.ebx & 0xff000000u : v->id << 24);
            break;
        case 7:
            if (sub == 0)
                r.ebx &= ~(LEAF7_EBX_AVX2 | LEAF7_EBX_AVX512);
            break;
        case 0x15:                          /* TSC and crystal clock */
        case 0x16:                          /* processor frequencies */
            /* Leaves that contradict the TSC go: the guest measures it. */
            if (!tsc_leaves_agree())
                memset(&r, 0, sizeof(r));
            break;
        case 0xa:                           /* performance monitoring */
        case 0xd:                           /* XSAVE state */
            memset(&r, 0, sizeof(r));
            break;
        case 0x80000001:
            r.ecx &= ~EXT1_ECX_SVM;
            break;
        case 0x8000000a:                    /* SVM features */
            memset(&r, 0, sizeof(r));
            break;
        }
    }
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
}

/* Fills a guest page with Xen's hypercall stubs: 32 bytes per hypercall,
 * "mov $nr, %eax; vmcall-or-vmmcall; ret". */
static int write_hypercall_page(struct vcpu *v, gpaddr_t gpa)
{
    uint8_t page[PAGE_SIZE];

    memset(page, 0xcc, sizeof(page));   /* int3 between stubs */
    for (unsigned nr = 0; nr < PAGE_SIZE / 32; nr++) {
        uint8_t *s = page + nr * 32;

        s[0] = 0xb8;
        memcpy(s + 1, &nr, 4);
        memcpy(s + 5, hvm_ops->hypercall_insn, 3);
        s[8] = 0xc3;
    }
    return copy_to_guest_phys(v->domain, gpa, page, sizeof(page));
}

int cpuid_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (msr == XEN_MSR_HYPERCALL_PAGE)
        return -2;                          /* write-only, as in Xen */
    if (msr == MSR_IA32_DEBUGCTL && !v->domain->is_dom0) {
        /* As Xen: no branch tracing or LBRs for guests, and the MSR
         * reads as zero (XTF's debug-regs reads it first thing). */
        *val = 0;
        return 0;
    }
    return -1;
}

int cpuid_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (msr == MSR_IA32_DEBUGCTL && !v->domain->is_dom0)
        return val ? -2 : 0;                /* only the value it reads */
    if (msr != XEN_MSR_HYPERCALL_PAGE)
        return -1;
    if (!v->domain->xen_guest)
        return -2;
    /* Bits 11:0 select the page of a multi-page area; there is one. */
    if (val & 0xfff)
        return -2;
    if (write_hypercall_page(v, val & PAGE_MASK) < 0) {
        pr_warn("d%u: hypercall page at %#llx is not in its RAM\n",
                v->domain->id, (unsigned long long)val);
        return -2;
    }
    return 0;
}
