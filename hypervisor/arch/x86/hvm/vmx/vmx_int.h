/* What the files of the VMX backend share: the capabilities found at
 * boot, the state kept for each vCPU and each CPU, and the functions one
 * file offers the others.  vmcs.h keeps the VMCS field encodings and the
 * only accessors of those fields.
 *
 *   vmcs.c      VMX instructions, capabilities, VMXON, making a VMCS current
 *   controls.c  what makes each kind of vCPU exit: its VM-execution
 *               controls and the MSR and I/O bitmaps behind them
 *   cr.c        the guest's control-register accesses that exit
 *   exit.c      VM exits in common terms, and the events that go back in
 *   vmx.c       the hvm_ops: vCPUs, running, MSRs, EPT entries, boot
 *
 * Section numbers of the Intel SDM in all of them are those of the 2023
 * and later editions (see the top of vmx.c). */
#ifndef VMX_VMX_INT_H
#define VMX_VMX_INT_H

#include <mica/domain.h>
#include <mica/percpu.h>
#include <mica/spinlock.h>
#include <mica/types.h>
#include <asm/fpu.h>
#include <asm/hvm.h>
#include "vmcs.h"

/* Memory types as IA32_VMX_BASIC (SDM A.1), the EPTP and EPT entries
 * encode them. */
#define MEMTYPE_UC              0ull
#define MEMTYPE_WB              6ull
/* EPTP (SDM 25.6.11): write-back walks of 4 levels (length - 1 in 5:3). */
#define EPTP_FLAGS              (MEMTYPE_WB | (3ull << 3))
BUILD_BUG_ON(EPTP_FLAGS != 0x1e);

#define NO_CPU                  (~0u)

/* What every CPU uses, fixed at boot from the capability MSRs. */
struct vmx_caps {
    uint32_t revision;
    bool low_regions;           /* VMXON/VMCS regions below 4 GiB */
    uint32_t pin, proc, proc2, exit, entry;
    /* What the VMX-preemption timer starts from at each xenU entry (the
     * bound on one run in the guest), or 0 without the timer (vmcs.c). */
    uint32_t preempt_ticks;
    /* A passthrough vCPU's (dom0's) controls; dom0_why says why there are
     * none, or is NULL. */
    uint32_t dom0_pin, dom0_proc, dom0_proc2;
    const char *dom0_why;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint64_t cr0_on;                    /* CR0 bits VMX needs set */
    uint64_t cr0_mask, cr4_mask;        /* the bits mica owns */
    bool vpid, invept_single, invept_all, invvpid_single, invvpid_all;
};
extern struct vmx_caps vmx;

/* State that stays in the CPU between the runs of one vCPU. */
struct lazy_state {
    struct guest_fpu fpu;               /* x87/SSE, DR0-3, DR6 */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t cr2;
};

struct vmx_vcpu {
    struct lazy_state lazy;             /* first: see the assertion below */
    struct vcpu *v;
    void *vmcs;
    unsigned int cpu;                   /* where the VMCS is active, or NO_CPU */
    bool launched;
    bool flush;                         /* INVEPT before the next entry */
    uint16_t vpid;                      /* 0: none */
    uint8_t cr8;                        /* the guest's task priority */
    uint64_t exit_rip;                  /* RIP at the last exit */
    struct vmx_vcpu *next_dead;
};
BUILD_BUG_ON(offsetof(struct vmx_vcpu, lazy.fpu.fxsave) % 16 != 0);
BUILD_BUG_ON(sizeof(struct vmx_vcpu) > PAGE_SIZE);   /* one page each */

struct vmx_cpu {
    void *vmxon_region;
    struct vmx_vcpu *current;           /* whose VMCS is current here */
    unsigned int vmfails;               /* VMfails seen on this CPU */
    spinlock_t lock;                    /* guards the two below */
    struct vmx_vcpu *owner;             /* whose lazy state the CPU holds */
    struct vmx_vcpu *dead;              /* destroyed, VMCS still active here */
};

static inline paddr_t pa(const void *p)
{
    return (uintptr_t)p;        /* mica's RAM is identity-mapped */
}

static inline uint64_t eptp(const struct domain *d)
{
    return (d->npt_root << PAGE_SHIFT) | EPTP_FLAGS;
}

/* exit.c: the event-channel upcall, before each entry */
void vmx_intr_assist(struct vcpu *v);

/* entry.S */
int vmx_enter(struct guest_regs *regs, int launched);
extern char vmx_exit_point[];

/* vmcs.c */
int64_t vmx_insn_error(void);
const char *vmx_insn_error_name(uint64_t err);
bool vmclear(paddr_t addr);
void *vmx_alloc_region(void);
bool vmx_probe(const char **why);
int vmx_cpu_up(void);
bool vmcs_get(struct vmx_vcpu *sv);
void vmcs_put(struct vmx_vcpu *sv);
void vmx_flush_guest_tlb(struct vmx_vcpu *sv);
bool vmcs_load_for_run(struct vmx_vcpu *sv, struct pcpu *p, struct vmx_cpu *c);

/* controls.c */
int vmx_controls_init(void);
int vmx_controls_prepare(const struct domain *d);
void vmx_write_controls(struct vmx_vcpu *sv, const struct domain *d);

/* cr.c: these work on the current VMCS. */
uint64_t vmx_guest_cr0(void);
uint64_t vmx_guest_cr4(void);
int vmx_mode_bits(void);
uint64_t vmx_real_cr0(uint64_t val);
void vmx_handle_cr_access(struct vcpu *v, struct vmx_vcpu *sv,
                          struct hvm_exit *e);
void vmx_handle_xsetbv(struct vcpu *v, struct hvm_exit *e);

/* exit.c: these too. */
void vmx_inject_hw_exception(uint8_t vector, bool has_err, uint32_t err);
void vmx_decode_exit(struct vcpu *v, struct vmx_vcpu *sv, struct hvm_exit *e);

#endif
