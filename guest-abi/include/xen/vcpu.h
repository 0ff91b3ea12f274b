/*
 * xen/vcpu.h - __HYPERVISOR_vcpu_op.
 *
 *   long vcpu_op(int cmd, unsigned int vcpuid, void *arg);
 *
 * Bringing secondary vCPUs up and down, per-vCPU timers, and registering
 * guest memory the hypervisor keeps up to date (vcpu_info, runstate).
 * @vcpuid names a vCPU of the calling domain.
 */
#ifndef MICA_GUEST_ABI_XEN_VCPU_H
#define MICA_GUEST_ABI_XEN_VCPU_H

#include "xen.h"

/*
 * Set the initial register state of a vCPU that has not run yet.  For
 * guests in a hardware container (HVM, PVH) @arg is a struct
 * vcpu_hvm_context.
 */
#define VCPUOP_initialise                     0
#define VCPUOP_up                             1  /* start an initialised vCPU */
#define VCPUOP_down                           2  /* stop a vCPU; it keeps its state */
#define VCPUOP_is_up                          3  /* returns 1 if running, else 0 */
#define VCPUOP_get_runstate_info              4  /* struct vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area  5  /* ..._memory_area */
#define VCPUOP_set_periodic_timer             6  /* struct vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer            7  /* @arg NULL */
#define VCPUOP_set_singleshot_timer           8  /* struct vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer          9  /* @arg NULL */
#define VCPUOP_register_vcpu_info            10  /* struct vcpu_register_vcpu_info */
#define VCPUOP_send_nmi                      11  /* @arg NULL */
#define VCPUOP_get_physid                    12  /* struct vcpu_get_physid */
#define VCPUOP_register_vcpu_time_memory_area 13 /* ..._time_memory_area */
#define VCPUOP_register_runstate_phys_area   14  /* addr.p is a guest physical address */
#define VCPUOP_register_vcpu_time_phys_area  15  /* addr.p is a guest physical address */

/* vcpu_runstate_info.state */
#define RUNSTATE_running  0  /* on a physical CPU now */
#define RUNSTATE_runnable 1  /* ready, waiting for a physical CPU */
#define RUNSTATE_blocked  2  /* waiting for an event */
#define RUNSTATE_offline  3  /* neither runnable nor blocked: down or paused */

/*
 * Set in state_entry_time of a registered runstate area while the
 * hypervisor is rewriting it, once the guest has enabled
 * VMASST_TYPE_runstate_update_flag.
 */
#define XEN_RUNSTATE_UPDATE   (xen_mk_ullong(1) << 63)

/* vcpu_set_singleshot_timer.flags */
#define _VCPU_SSHOTTMR_future 0
/* Fail with -XEN_ETIME if the deadline has already passed (advisory). */
#define VCPU_SSHOTTMR_future  (xen_mk_uint(1) << _VCPU_SSHOTTMR_future)

/* vcpu_hvm_context.mode */
#define VCPU_HVM_MODE_32B 0  /* start from cpu_regs.x86_32 */
#define VCPU_HVM_MODE_64B 1  /* start in long mode from cpu_regs.x86_64 */

#ifndef __ASSEMBLER__

/*
 * Time a vCPU has spent in each RUNSTATE_*, in ns of system time; the four
 * sums never drift from system time.
 */
struct vcpu_runstate_info {
    int32_t state;              /* RUNSTATE_* */
    uint64_t state_entry_time;  /* system time @state was entered */
    uint64_t time[4];           /* indexed by RUNSTATE_* */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);

/*
 * VCPUOP_register_runstate_memory_area: keep a copy of the runstate at
 * this guest virtual address (or, for the _phys_area command, guest
 * physical address in @p).
 */
struct vcpu_register_runstate_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
        struct vcpu_runstate_info *v;
        uint64_t p;
    } addr;
};
typedef struct vcpu_register_runstate_memory_area
    vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);

/* VCPUOP_set_periodic_timer: VIRQ_TIMER every @period_ns. */
struct vcpu_set_periodic_timer {
    uint64_t period_ns;
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);

/* VCPUOP_set_singleshot_timer: VIRQ_TIMER once, at @timeout_abs_ns. */
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;    /* absolute system time */
    uint32_t flags;             /* VCPU_SSHOTTMR_* */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);

/*
 * VCPUOP_register_vcpu_info: move this vCPU's struct vcpu_info out of
 * shared_info (where only XEN_LEGACY_MAX_VCPUS fit) to byte @offset of
 * guest frame @mfn.  The structure must not cross a page boundary.
 */
struct vcpu_register_vcpu_info {
    uint64_t mfn;               /* guest frame number for HVM/PVH guests */
    uint32_t offset;
    uint32_t rsvd;              /* must be zero */
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);

/* VCPUOP_get_physid: APIC id in bits 31:0, ACPI id in bits 63:32. */
struct vcpu_get_physid {
    uint64_t phys_id;
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);
#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

/*
 * VCPUOP_register_vcpu_time_memory_area: keep a second copy of the
 * vcpu_time_info at this address, e.g. one mapped into user space.
 */
DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);
struct vcpu_register_time_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_time_info_t) h;
        struct vcpu_time_info *v;
        uint64_t p;
    } addr;
};
typedef struct vcpu_register_time_memory_area
    vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);

/*
 * Initial state of a vCPU started in 32-bit protected mode (or, with
 * EFER.LME/LMA set, in compatibility mode).  The hidden parts of CS, DS,
 * SS, ES and TR are given directly; the other segments start flat.  The
 * *_ar fields are the descriptor attribute bits packed as
 *   type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11, 15:12 zero
 * (descriptor bits 40-47 and 52-55; Intel SDM vol. 3, 3.4.5).
 */
struct vcpu_hvm_x86_32 {
    uint32_t eax;
    uint32_t ecx;
    uint32_t edx;
    uint32_t ebx;
    uint32_t esp;
    uint32_t ebp;
    uint32_t esi;
    uint32_t edi;
    uint32_t eip;
    uint32_t eflags;
    uint32_t cr0;
    uint32_t cr3;
    uint32_t cr4;
    uint32_t pad1;
    uint64_t efer;              /* only NXE, or LME|LMA for compat mode */
    uint32_t cs_base;
    uint32_t ds_base;
    uint32_t ss_base;
    uint32_t es_base;
    uint32_t tr_base;
    uint32_t cs_limit;
    uint32_t ds_limit;
    uint32_t ss_limit;
    uint32_t es_limit;
    uint32_t tr_limit;
    uint16_t cs_ar;
    uint16_t ds_ar;
    uint16_t ss_ar;
    uint16_t es_ar;
    uint16_t tr_ar;
    uint16_t pad2[3];
};
typedef struct vcpu_hvm_x86_32 xen_vcpu_hvm_x86_32_t;

/*
 * Initial state of a vCPU started directly in 64-bit mode; the hypervisor
 * gives the segment registers flat 64-bit values.
 */
struct vcpu_hvm_x86_64 {
    uint64_t rax;
    uint64_t rcx;
    uint64_t rdx;
    uint64_t rbx;
    uint64_t rsp;
    uint64_t rbp;
    uint64_t rsi;
    uint64_t rdi;
    uint64_t rip;
    uint64_t rflags;
    uint64_t cr0;
    uint64_t cr3;
    uint64_t cr4;
    uint64_t efer;
};
typedef struct vcpu_hvm_x86_64 xen_vcpu_hvm_x86_64_t;

/* VCPUOP_initialise for HVM and PVH guests. */
struct vcpu_hvm_context {
    uint32_t mode;              /* VCPU_HVM_MODE_* */
    uint32_t pad;
    union {
        xen_vcpu_hvm_x86_32_t x86_32;
        xen_vcpu_hvm_x86_64_t x86_64;
    } cpu_regs;
};
typedef struct vcpu_hvm_context vcpu_hvm_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_hvm_context_t);

/* Layout checks. */
MICA_ABI_SIZE(vcpu_register_runstate_memory_area, 8);
MICA_ABI_SIZE(vcpu_register_time_memory_area, 8);
MICA_ABI_SIZE(vcpu_set_periodic_timer, 8);
MICA_ABI_OFFSET(vcpu_set_singleshot_timer, flags, 8);
MICA_ABI_SIZE(vcpu_register_vcpu_info, 16);
MICA_ABI_OFFSET(vcpu_register_vcpu_info, offset, 8);
MICA_ABI_OFFSET(vcpu_register_vcpu_info, rsvd, 12);
MICA_ABI_SIZE(vcpu_get_physid, 8);
MICA_ABI_SIZE(vcpu_hvm_x86_32, 120);
MICA_ABI_OFFSET(vcpu_hvm_x86_32, eip, 32);
MICA_ABI_OFFSET(vcpu_hvm_x86_32, cr0, 40);
MICA_ABI_OFFSET(vcpu_hvm_x86_32, efer, 56);
MICA_ABI_OFFSET(vcpu_hvm_x86_32, cs_base, 64);
MICA_ABI_OFFSET(vcpu_hvm_x86_32, cs_limit, 84);
MICA_ABI_OFFSET(vcpu_hvm_x86_32, cs_ar, 104);
MICA_ABI_OFFSET(vcpu_hvm_x86_32, tr_ar, 112);
MICA_ABI_SIZE(vcpu_hvm_x86_64, 112);
MICA_ABI_OFFSET(vcpu_hvm_x86_64, rip, 64);
MICA_ABI_OFFSET(vcpu_hvm_x86_64, cr0, 80);
MICA_ABI_OFFSET(vcpu_hvm_x86_64, efer, 104);
MICA_ABI_OFFSET(vcpu_hvm_context, cpu_regs, 8);
MICA_ABI_SIZE(vcpu_hvm_context, 128);
#if defined(__x86_64__)
MICA_ABI_OFFSET(vcpu_runstate_info, state_entry_time, 8);
MICA_ABI_OFFSET(vcpu_runstate_info, time, 16);
MICA_ABI_SIZE(vcpu_runstate_info, 48);
MICA_ABI_SIZE(vcpu_set_singleshot_timer, 16);
#else
MICA_ABI_OFFSET(vcpu_runstate_info, state_entry_time, 4);
MICA_ABI_OFFSET(vcpu_runstate_info, time, 12);
MICA_ABI_SIZE(vcpu_runstate_info, 44);
MICA_ABI_SIZE(vcpu_set_singleshot_timer, 12);
#endif

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_VCPU_H */
