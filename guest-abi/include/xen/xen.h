/*
 * xen/xen.h - core of the Xen-compatible guest ABI that mica implements.
 *
 * This header holds what every other one builds on: the basic types, guest
 * handles, the hypercall and virtual-IRQ numbers, the CPUID leaves through
 * which a guest discovers the hypervisor, and the shared-info page that
 * carries event-channel bits and pvclock time.  Numbers and layouts follow
 * Xen's published x86 ABI, so a guest written for Xen compiles against this
 * file unchanged; the text is mica's own.
 *
 * Only x86 is described.  Where Xen's layout depends on the guest's word
 * size (anything built from xen_ulong_t, xen_pfn_t or a guest handle), the
 * layout checks at the end of each header are given for both i386 and
 * x86_64.
 */
#ifndef MICA_GUEST_ABI_XEN_XEN_H
#define MICA_GUEST_ABI_XEN_XEN_H

#include "compiler.h"

/* Xen's spelling of typed integer constants, usable from C and assembly. */
#define xen_mk_uint(x)   MICA_ABI_U(x)
#define xen_mk_ulong(x)  MICA_ABI_UL(x)
#define xen_mk_ullong(x) MICA_ABI_ULL(x)

/*
 * Hypercall numbers.
 *
 * A guest makes hypercall N by calling offset N * 32 of its hypercall page,
 * the page it asks the hypervisor to fill by writing that page's guest
 * physical address to the MSR reported in CPUID leaf XEN_CPUID_LEAF(2).
 * Arguments go in rdi, rsi, rdx, r10, r8 (ebx, ecx, edx, esi, edi for
 * 32-bit guests); the result comes back in rax (eax) and is a negative
 * XEN_E* value on failure.  Numbers that mica does not implement return
 * -XEN_ENOSYS.
 */
#define __HYPERVISOR_set_trap_table                 0
#define __HYPERVISOR_mmu_update                     1
#define __HYPERVISOR_set_gdt                        2
#define __HYPERVISOR_stack_switch                   3
#define __HYPERVISOR_set_callbacks                  4
#define __HYPERVISOR_fpu_taskswitch                 5
#define __HYPERVISOR_sched_op_compat                6  /* pre-3.0.2 form */
#define __HYPERVISOR_platform_op                    7
#define __HYPERVISOR_set_debugreg                   8
#define __HYPERVISOR_get_debugreg                   9
#define __HYPERVISOR_update_descriptor             10
/* 11 is not assigned. */
#define __HYPERVISOR_memory_op                     12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14
#define __HYPERVISOR_set_timer_op                  15
#define __HYPERVISOR_event_channel_op_compat       16  /* pre-3.0.2 form */
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op_compat             19  /* pre-3.0.2 form */
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                          23
#define __HYPERVISOR_vcpu_op                       24
#define __HYPERVISOR_set_segment_base              25
#define __HYPERVISOR_mmuext_op                     26
#define __HYPERVISOR_xsm_op                        27
#define __HYPERVISOR_nmi_op                        28
#define __HYPERVISOR_sched_op                      29
#define __HYPERVISOR_callback_op                   30
#define __HYPERVISOR_xenoprof_op                   31
#define __HYPERVISOR_event_channel_op              32
#define __HYPERVISOR_physdev_op                    33
#define __HYPERVISOR_hvm_op                        34
#define __HYPERVISOR_sysctl                        35
#define __HYPERVISOR_domctl                        36
#define __HYPERVISOR_kexec_op                      37
#define __HYPERVISOR_tmem_op                       38
#define __HYPERVISOR_argo_op                       39
#define __HYPERVISOR_xenpmu_op                     40
#define __HYPERVISOR_dm_op                         41
#define __HYPERVISOR_hypfs_op                      42

/* Numbers 48-55 are set aside for architecture-specific hypercalls. */
#define __HYPERVISOR_arch_0                        48
#define __HYPERVISOR_arch_1                        49
#define __HYPERVISOR_arch_2                        50
#define __HYPERVISOR_arch_3                        51
#define __HYPERVISOR_arch_4                        52
#define __HYPERVISOR_arch_5                        53
#define __HYPERVISOR_arch_6                        54
#define __HYPERVISOR_arch_7                        55

/*
 * Virtual interrupts, bound to an event channel with EVTCHNOP_bind_virq.
 * Some are per vCPU (the timer, debug requests); the others are global and
 * are delivered to whichever vCPU the channel is bound to.
 */
#define VIRQ_TIMER        0  /* per vCPU: singleshot/periodic timer fired */
#define VIRQ_DEBUG        1  /* per vCPU: dump debugging state, please */
#define VIRQ_CONSOLE      2  /* global: input arrived on the hypervisor console */
#define VIRQ_DOM_EXC      3  /* global: some domain changed state (dom0) */
#define VIRQ_TBUF         4  /* global: trace records are waiting */
/* 5 is not assigned. */
#define VIRQ_DEBUGGER     6  /* global: a domain paused for a debugger */
#define VIRQ_XENOPROF     7  /* per vCPU: profiling sample ready */
#define VIRQ_CON_RING     8  /* global: the hypervisor's log ring grew */
#define VIRQ_PCPU_STATE   9  /* global: a physical CPU came or went */
#define VIRQ_MEM_EVENT   10  /* global: a memory event is pending */
#define VIRQ_ARGO        11  /* per domain: an Argo message arrived */
#define VIRQ_ENOMEM      12  /* global: the hypervisor heap is low */
#define VIRQ_XENPMU      13  /* per vCPU: performance counter interrupt */

#define VIRQ_ARCH_0      16
#define VIRQ_ARCH_1      17
#define VIRQ_ARCH_2      18
#define VIRQ_ARCH_3      19
#define VIRQ_ARCH_4      20
#define VIRQ_ARCH_5      21
#define VIRQ_ARCH_6      22
#define VIRQ_ARCH_7      23
#define NR_VIRQS         24

/*
 * VM-assist modes, toggled with __HYPERVISOR_vm_assist(cmd, type).  Most
 * concern classic PV guests; runstate_update_flag matters to every guest
 * that maps its runstate area (see xen/vcpu.h, XEN_RUNSTATE_UPDATE).
 */
#define VMASST_CMD_enable                 0
#define VMASST_CMD_disable                1
#define VMASST_TYPE_4gb_segments          0
#define VMASST_TYPE_4gb_segments_notify   1
#define VMASST_TYPE_writable_pagetables   2
#define VMASST_TYPE_pae_extended_cr3      3
#define VMASST_TYPE_architectural_iopl    4
#define VMASST_TYPE_runstate_update_flag  5
#define VMASST_TYPE_m2p_strict           32

/*
 * Domain identifiers.  Real domains are numbered below
 * DOMID_FIRST_RESERVED; the values from there up name special owners or
 * stand for "the caller".
 */
#define DOMID_FIRST_RESERVED xen_mk_uint(0x7FF0)
#define DOMID_SELF           xen_mk_uint(0x7FF0) /* the calling domain */
#define DOMID_IO             xen_mk_uint(0x7FF1) /* owner of I/O (MMIO) pages */
#define DOMID_XEN            xen_mk_uint(0x7FF2) /* owner of hypervisor pages */
#define DOMID_COW            xen_mk_uint(0x7FF3) /* owner of shared CoW pages */
#define DOMID_INVALID        xen_mk_uint(0x7FF4) /* no owner / unknown */
#define DOMID_ANY            xen_mk_uint(0x7FF5) /* wildcard, where allowed */
#define DOMID_IDLE           xen_mk_uint(0x7FFF) /* the idle domain */
#define DOMID_MASK           xen_mk_uint(0x7FFF) /* bits a domid may use */

/*
 * CPUID leaves.
 *
 * The hypervisor's leaves start at the first 0x100-aligned base from
 * 0x40000000 that is not taken by another interface (mica uses
 * 0x40000000 itself).  Relative to that base:
 *
 *  +0  eax = highest hypervisor leaf; ebx:ecx:edx = "XenVMMXenVMM".
 *  +1  eax = version, major in bits 31:16, minor in bits 15:0.
 *  +2  eax = number of hypercall pages (always 1); ebx = index of the MSR
 *      that installs the hypercall page; ecx = XEN_CPUID_FEAT1_* bits.
 *  +3  time: sub-leaf 0 eax = XEN_CPUID_TSC_* flags, ebx = TSC mode,
 *      ecx = guest TSC frequency in kHz, edx = TSC incarnation; sub-leaf 1
 *      ecx/edx = the pvclock multiplier and shift; sub-leaf 2 eax = host
 *      TSC frequency in kHz.
 *  +4  HVM features: eax = XEN_HVM_CPUID_* flags, ebx = vCPU id when
 *      XEN_HVM_CPUID_VCPU_ID_PRESENT, ecx = domain id when
 *      XEN_HVM_CPUID_DOMID_PRESENT.
 *  +5  PV parameters: ebx bits 7:0 = machine address width.
 */
#define XEN_CPUID_FIRST_LEAF    0x40000000
#define XEN_CPUID_LEAF(i)       (XEN_CPUID_FIRST_LEAF + (i))

/* "XenV" "MMXe" "nVMM": the signature bytes read little-endian. */
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4d
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566e

/* Leaf +2, ecx. */
#define _XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD 0
#define XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD  (xen_mk_uint(1) << 0)

/* Leaf +3, sub-leaf 0: eax flags and ebx modes. */
#define XEN_CPUID_TSC_EMULATED            (xen_mk_uint(1) << 0)
#define XEN_CPUID_HOST_TSC_RELIABLE       (xen_mk_uint(1) << 1)
#define XEN_CPUID_RDTSCP_INSTR_AVAIL      (xen_mk_uint(1) << 2)
#define XEN_CPUID_TSC_MODE_DEFAULT        0
#define XEN_CPUID_TSC_MODE_ALWAYS_EMULATE xen_mk_uint(1)
#define XEN_CPUID_TSC_MODE_NEVER_EMULATE  xen_mk_uint(2)
#define XEN_CPUID_TSC_MODE_PVRDTSCP       xen_mk_uint(3)

/* Leaf +4, eax. */
#define XEN_HVM_CPUID_APIC_ACCESS_VIRT    (xen_mk_uint(1) << 0)
#define XEN_HVM_CPUID_X2APIC_VIRT         (xen_mk_uint(1) << 1)
#define XEN_HVM_CPUID_IOMMU_MAPPINGS      (xen_mk_uint(1) << 2)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT     (xen_mk_uint(1) << 3)
#define XEN_HVM_CPUID_DOMID_PRESENT       (xen_mk_uint(1) << 4)
#define XEN_HVM_CPUID_EXT_DEST_ID         (xen_mk_uint(1) << 5)
#define XEN_HVM_CPUID_UPCALL_VECTOR       (xen_mk_uint(1) << 6)

/* Leaf +5, ebx. */
#define XEN_CPUID_MACHINE_ADDRESS_WIDTH_MASK (xen_mk_uint(0xff) << 0)

/* Highest leaf offset defined so far (+5). */
#define XEN_CPUID_MAX_NUM_LEAVES 5

/*
 * Writing a byte to this I/O port from an HVM or PVH guest appends it to
 * the hypervisor's debug log: the cheapest possible console for test
 * kernels.
 */
#define XEN_HVM_DEBUGCONS_IOPORT 0xe9

/* Flags in hvm_start_info.flags (and the PV start_info). */
#define SIF_PRIVILEGED      (1 << 0)  /* the domain is privileged */
#define SIF_INITDOMAIN      (1 << 1)  /* the domain is the initial domain */
#define SIF_MULTIBOOT_MOD   (1 << 2)  /* mod_start is a multiboot module list */
#define SIF_MOD_START_PFN   (1 << 3)  /* mod_start is a frame number */
#define SIF_VIRT_P2M_4TOOLS (1 << 4)  /* tools understand a linear p2m */
#define SIF_PM_MASK         (0xFF << 8) /* reserved for power management */

/* The legacy shared_info page has room for this many vcpu_info slots. */
#define XEN_LEGACY_MAX_VCPUS 32

/* Bits in vcpu_time_info.flags. */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0) /* TSC is synchronised across CPUs */
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1) /* guest was paused; soft lockups expected */

/*
 * The vCPU's upcall mask lives in vcpu_info (the field after
 * evtchn_upcall_pending) rather than being padding.
 */
#define XEN_HAVE_PV_UPCALL_MASK 1

#ifndef __ASSEMBLER__

typedef uint16_t domid_t;

/*
 * Xen declares these as "unsigned long" on x86, so they are 32 bits wide in
 * i386 guests and 64 bits wide in x86_64 guests; the shared_info layout
 * depends on that.  The checks below pin the widths down.
 */
typedef unsigned long xen_pfn_t;
typedef unsigned long xen_ulong_t;
#define PRI_xen_pfn   "lx"
#define PRIu_xen_pfn  "lu"
#define PRI_xen_ulong "lx"

typedef uint8_t xen_domain_handle_t[16];

/*
 * Guest handles.
 *
 * A guest handle is a guest virtual address that the hypervisor reads or
 * writes on the guest's behalf.  On x86 it is a struct wrapping a pointer,
 * so it is as wide as a pointer in the guest (4 or 8 bytes) and a handle to
 * one type cannot be passed where a handle to another is expected.
 *
 *   DEFINE_XEN_GUEST_HANDLE(foo_t);      declare handle types for foo_t
 *   XEN_GUEST_HANDLE(foo_t) h;           a field holding such a handle
 *   set_xen_guest_handle(h, ptr);        store a pointer in it
 *
 * Each DEFINE_ creates a handle to the type and one to its const form.
 */
#define ___DEFINE_XEN_GUEST_HANDLE(name, type) \
    typedef struct { type *p; } __guest_handle_##name
#define __DEFINE_XEN_GUEST_HANDLE(name, type)  \
    ___DEFINE_XEN_GUEST_HANDLE(name, type);    \
    ___DEFINE_XEN_GUEST_HANDLE(const_##name, const type)
#define DEFINE_XEN_GUEST_HANDLE(name)   __DEFINE_XEN_GUEST_HANDLE(name, name)
#define __XEN_GUEST_HANDLE(name)        __guest_handle_##name
#define XEN_GUEST_HANDLE(name)          __XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_PARAM(name)    XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle_raw(hnd, val) do { (hnd).p = (val); } while (0)
#define set_xen_guest_handle(hnd, val)  set_xen_guest_handle_raw(hnd, val)

DEFINE_XEN_GUEST_HANDLE(char);
__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
DEFINE_XEN_GUEST_HANDLE(int);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
__DEFINE_XEN_GUEST_HANDLE(uint8, uint8_t);
__DEFINE_XEN_GUEST_HANDLE(uint16, uint16_t);
__DEFINE_XEN_GUEST_HANDLE(uint32, uint32_t);
__DEFINE_XEN_GUEST_HANDLE(uint64, uint64_t);

/*
 * __HYPERVISOR_multicall takes an array of these and runs each entry's
 * hypercall in turn, storing its return value in @result.
 */
struct multicall_entry {
    xen_ulong_t op;
    xen_ulong_t result;
    xen_ulong_t args[6];
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);

/*
 * pvclock: the per-vCPU time record.
 *
 * The hypervisor makes @version odd, updates the other fields, then makes
 * it even again.  A reader copies the fields between two reads of @version
 * and retries if the two differ or are odd.  Nanoseconds since boot are
 *
 *   system_time + (((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32
 *
 * where a negative @tsc_shift means a right shift and @tsc_to_system_mul
 * is a 32.32 fixed-point fraction.
 */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* TSC when the record was last updated */
    uint64_t system_time;       /* ns since boot at @tsc_timestamp */
    uint32_t tsc_to_system_mul; /* TSC ticks to ns, 32.32 fixed point */
    int8_t   tsc_shift;         /* applied to the TSC delta before @mul */
    uint8_t  flags;             /* XEN_PVCLOCK_* */
    uint8_t  pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;

/* The x86 part of vcpu_info: the guest's CR2 at its last page fault. */
struct arch_vcpu_info {
    xen_ulong_t cr2;
#if defined(__x86_64__)
    xen_ulong_t pad;            /* keeps vcpu_info at 64 bytes */
#else
    xen_ulong_t pad[5];         /* keeps vcpu_info at 64 bytes */
#endif
};
typedef struct arch_vcpu_info arch_vcpu_info_t;

/*
 * Per-vCPU event state and time.
 *
 * The hypervisor sets @evtchn_upcall_pending, and the bit in
 * @evtchn_pending_sel for the word of shared_info.evtchn_pending that holds
 * a newly pending port, before it interrupts the vCPU.  The guest clears
 * @evtchn_upcall_pending before scanning, so an event that arrives during
 * the scan raises a fresh upcall.  A non-zero @evtchn_upcall_mask stops
 * upcalls to this vCPU.  Only the vCPU itself and the hypervisor acting for
 * it touch these bytes, so plain stores suffice.
 */
struct vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask;
    xen_ulong_t evtchn_pending_sel;
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
typedef struct vcpu_info vcpu_info_t;

/* The x86 tail of shared_info, mostly used by classic PV guests. */
struct arch_shared_info {
    xen_ulong_t max_pfn;        /* valid entries in the guest's p2m */
    xen_pfn_t   pfn_to_mfn_frame_list_list;
    xen_ulong_t nmi_reason;
    xen_ulong_t p2m_cr3;        /* address space in which p2m_vaddr is valid */
    xen_ulong_t p2m_vaddr;      /* virtual address of a linear p2m */
    xen_ulong_t p2m_generation; /* odd while the p2m is being changed */
#if defined(__i386__)
    uint32_t    wc_sec_hi;      /* i386 has no room for it in shared_info */
#endif
};
typedef struct arch_shared_info arch_shared_info_t;

/*
 * The shared-info page, one per domain, mapped by the guest with
 * XENMEM_add_to_physmap(XENMAPSPACE_shared_info).
 *
 * Event channel N is pending when bit N of @evtchn_pending is set and
 * masked when bit N of @evtchn_mask is set; bit N lives in word
 * N / (8 * sizeof(xen_ulong_t)).  The hypervisor sets pending bits and only
 * raises an upcall for an unmasked channel whose bit went from 0 to 1; the
 * guest clears pending bits and owns the mask.
 *
 * The wall clock at system time 0 is
 * (wc_sec_hi << 32 | wc_sec) seconds plus @wc_nsec nanoseconds since the
 * Unix epoch; @wc_version works like vcpu_time_info.version.  On i386 the
 * high word sits in arch.wc_sec_hi; xen_wc_sec_hi names it either way.
 */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
    xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
#if defined(__x86_64__)
    uint32_t wc_sec_hi;
# define xen_wc_sec_hi wc_sec_hi
#else
# define xen_wc_sec_hi arch.wc_sec_hi
#endif
    struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;

/* Layout checks. */
MICA_ABI_ASSERT(domid_t_size, sizeof(domid_t) == 2);
MICA_ABI_ASSERT(xen_domain_handle_t_size, sizeof(xen_domain_handle_t) == 16);

MICA_ABI_SIZE(vcpu_time_info, 32);
MICA_ABI_OFFSET(vcpu_time_info, version, 0);
MICA_ABI_OFFSET(vcpu_time_info, tsc_timestamp, 8);
MICA_ABI_OFFSET(vcpu_time_info, system_time, 16);
MICA_ABI_OFFSET(vcpu_time_info, tsc_to_system_mul, 24);
MICA_ABI_OFFSET(vcpu_time_info, tsc_shift, 28);
MICA_ABI_OFFSET(vcpu_time_info, flags, 29);

MICA_ABI_SIZE(vcpu_info, 64);
MICA_ABI_OFFSET(vcpu_info, evtchn_upcall_pending, 0);
MICA_ABI_OFFSET(vcpu_info, evtchn_upcall_mask, 1);
MICA_ABI_OFFSET(vcpu_info, time, 32);

MICA_ABI_OFFSET(shared_info, vcpu_info, 0);
MICA_ABI_OFFSET(shared_info, evtchn_pending, 2048);

#if defined(__x86_64__)
MICA_ABI_ASSERT(xen_ulong_t_size, sizeof(xen_ulong_t) == 8);
MICA_ABI_ASSERT(xen_pfn_t_size, sizeof(xen_pfn_t) == 8);
MICA_ABI_ASSERT(guest_handle_size, sizeof(XEN_GUEST_HANDLE(void)) == 8);
MICA_ABI_SIZE(multicall_entry, 64);
MICA_ABI_SIZE(arch_vcpu_info, 16);
MICA_ABI_OFFSET(vcpu_info, evtchn_pending_sel, 8);
MICA_ABI_OFFSET(vcpu_info, arch, 16);
MICA_ABI_SIZE(arch_shared_info, 48);
MICA_ABI_OFFSET(arch_shared_info, p2m_generation, 40);
MICA_ABI_OFFSET(shared_info, evtchn_mask, 2560);
MICA_ABI_OFFSET(shared_info, wc_version, 3072);
MICA_ABI_OFFSET(shared_info, wc_sec, 3076);
MICA_ABI_OFFSET(shared_info, wc_nsec, 3080);
MICA_ABI_OFFSET(shared_info, wc_sec_hi, 3084);
MICA_ABI_OFFSET(shared_info, arch, 3088);
MICA_ABI_SIZE(shared_info, 3136);
#else
MICA_ABI_ASSERT(xen_ulong_t_size, sizeof(xen_ulong_t) == 4);
MICA_ABI_ASSERT(xen_pfn_t_size, sizeof(xen_pfn_t) == 4);
MICA_ABI_ASSERT(guest_handle_size, sizeof(XEN_GUEST_HANDLE(void)) == 4);
MICA_ABI_SIZE(multicall_entry, 32);
MICA_ABI_SIZE(arch_vcpu_info, 24);
MICA_ABI_OFFSET(vcpu_info, evtchn_pending_sel, 4);
MICA_ABI_OFFSET(vcpu_info, arch, 8);
MICA_ABI_SIZE(arch_shared_info, 28);
MICA_ABI_OFFSET(arch_shared_info, wc_sec_hi, 24);
MICA_ABI_OFFSET(shared_info, evtchn_mask, 2176);
MICA_ABI_OFFSET(shared_info, wc_version, 2304);
MICA_ABI_OFFSET(shared_info, wc_sec, 2308);
MICA_ABI_OFFSET(shared_info, wc_nsec, 2312);
MICA_ABI_OFFSET(shared_info, arch, 2316);
MICA_ABI_SIZE(shared_info, 2344);
#endif

#endif /* !__ASSEMBLER__ */

/* CONSOLEIO_* belong with __HYPERVISOR_console_io; Xen guests expect them here. */
#include "console_io.h"

#endif /* MICA_GUEST_ABI_XEN_XEN_H */
