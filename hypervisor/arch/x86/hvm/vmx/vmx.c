/* The Intel VT-x backend: VMX with EPT, unrestricted guest and, where the
 * processor has it, VPID.  Intel SDM vol. 3C, chapters 25-31 and
 * appendices A-C.  Section numbers are those of the 2023 and later
 * editions (25 VMCS, 26 non-root operation, 27 VM entries, 28 VM exits,
 * 29 address translation, 31 instruction reference); earlier editions
 * number these chapters one lower.
 *
 * Each vCPU has its own VMCS.  A VMCS may be active on one CPU at a time
 * (SDM 25.1): mica writes it while building a domain and VMCLEARs it, so
 * that whichever CPU runs the vCPU first can VMLAUNCH it; from then on it
 * stays active on that CPU and is VMRESUMEd.  Moving a vCPU means VMCLEAR
 * on the old CPU first (vcpu_unload() below).
 *
 * Guest state that VM entries and exits do not switch, and that mica itself
 * never uses (the SYSCALL MSRs, KERNEL_GS_BASE, CR2, DR0-3, DR6, x87/SSE
 * registers), stays in the CPU while the guest is out and is swapped only
 * when a different vCPU runs on that CPU. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/percpu.h>
#include <mica/spinlock.h>
#include <mica/string.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/hvm.h>
#include <asm/layout.h>
#include <asm/p2m.h>
#include "vmcs.h"

#define CPUID1_ECX_VMX          (1u << 5)
#define FC_LOCK                 (1ull << 0)     /* IA32_FEATURE_CONTROL */
#define FC_VMXON_OUTSIDE_SMX    (1ull << 2)

/* IA32_VMX_BASIC (SDM A.1) */
#define BASIC_REVISION(b)       ((uint32_t)(b) & 0x7fffffffu)
#define BASIC_REGION_SIZE(b)    (((b) >> 32) & 0x1fff)
#define BASIC_32BIT_ADDRS       (1ull << 48)
#define BASIC_MEMTYPE(b)        (((b) >> 50) & 0xf)
#define BASIC_TRUE_CTLS         (1ull << 55)

/* IA32_VMX_EPT_VPID_CAP (SDM A.10) */
#define EPT_CAP_WALK4           (1ull << 6)
#define EPT_CAP_WB              (1ull << 14)
#define EPT_CAP_INVEPT          (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE   (1ull << 25)
#define EPT_CAP_INVEPT_ALL      (1ull << 26)
#define VPID_CAP_INVVPID        (1ull << 32)
#define VPID_CAP_SINGLE         (1ull << 41)
#define VPID_CAP_ALL            (1ull << 42)

#define INVEPT_SINGLE           1
#define INVEPT_ALL              2
#define INVVPID_SINGLE          1
#define INVVPID_ALL             2

/* EPT entries (SDM 29.3.2, tables 29-1 to 29-6).  Bit 11 is ignored by
 * the processor and p2m.c keeps it for "the domain owns this frame". */
#define EPT_R                   (1ull << 0)
#define EPT_W                   (1ull << 1)
#define EPT_X                   (1ull << 2)
#define EPT_MEMTYPE_SHIFT       3
#define EPT_SW_OWNED            (1ull << 11)
#define MEMTYPE_WB              6ull
/* EPTP (SDM 25.6.11): write-back walks of 4 levels (length - 1 in 5:3). */
#define EPTP_FLAGS              (MEMTYPE_WB | (3ull << 3))
BUILD_BUG_ON(EPTP_FLAGS != 0x1e);
BUILD_BUG_ON(((EPT_R | EPT_W | EPT_X | (7ull << EPT_MEMTYPE_SHIFT)) & EPT_SW_OWNED) != 0);

/* Flat 32-bit segments and a busy 32-bit TSS, as VMCS access rights
 * (SDM table 25-2): type, S, DPL, P in 7:0, then AVL, L, D/B, G. */
#define AR_CODE32_FLAT          0xc09bu
#define AR_DATA32_FLAT          0xc093u
#define AR_TSS32_BUSY           0x008bu

#define PAT_POWER_ON            0x0007040600070406ull
#define DR7_INIT                0x400ull
/* Reserved bits of a present PAE PDPTE (SDM 3A 4.4.1) */
#define PDPTE_RSVD              ((1ull << 63) | 0x1e6ull)

#define NO_CPU                  (~0u)
#define NR_VPIDS                65536

int vmx_enter(struct guest_regs *regs, int launched);
extern char vmx_exit_point[];

/* What every CPU uses, fixed at boot from the capability MSRs. */
static struct {
    uint32_t revision;
    bool low_regions;           /* VMXON/VMCS regions below 4 GiB */
    uint32_t pin, proc, proc2, exit, entry;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint64_t cr0_on;                    /* CR0 bits VMX needs set */
    uint64_t cr0_mask, cr4_mask;        /* the bits mica owns */
    bool vpid, invept_single, invept_all, invvpid_single, invvpid_all;
} vmx;

static void *msr_bitmap;                /* shared, read-only once built */
static uint64_t vpid_map[NR_VPIDS / 64];
static spinlock_t vpid_lock = SPINLOCK_INIT;

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

/* ---- VMX instructions ------------------------------------------------ */

/* VM-instruction error numbers (SDM 31.4). */
static const char *const insn_errors[] = {
    [1] = "VMCALL in VMX root operation",
    [2] = "VMCLEAR with an invalid address",
    [3] = "VMCLEAR with the VMXON pointer",
    [4] = "VMLAUNCH with a non-clear VMCS",
    [5] = "VMRESUME with a non-launched VMCS",
    [6] = "VMRESUME after VMXOFF",
    [7] = "VM entry with invalid control fields",
    [8] = "VM entry with invalid host-state fields",
    [9] = "VMPTRLD with an invalid address",
    [10] = "VMPTRLD with the VMXON pointer",
    [11] = "VMPTRLD with a wrong VMCS revision",
    [12] = "unsupported VMCS component",
    [13] = "VMWRITE to a read-only VMCS component",
    [15] = "VMXON in VMX root operation",
    [26] = "VM entry with events blocked by MOV SS",
    [28] = "invalid operand to INVEPT/INVVPID",
};

static const char *insn_error_name(uint64_t err)
{
    if (err < ARRAY_SIZE(insn_errors) && insn_errors[err])
        return insn_errors[err];
    return "unknown";
}

/* The VM-instruction error of the current VMCS, or -1 if there is none
 * (then the failure was VMfailInvalid). */
static int64_t insn_error(void)
{
    uint64_t err;
    bool fail;

    __asm__ volatile("vmread %[f], %[err]"
                     : [err] "=r"(err), "=@ccbe"(fail)
                     : [f] "r"((uint64_t)VM_INSTRUCTION_ERROR));
    return fail ? -1 : (int64_t)err;
}

void vmx_report_vmfail(const char *op, unsigned long arg)
{
    struct pcpu *p = this_cpu();
    int64_t err = insn_error();

    if (p->arch.hvm)
        ((struct vmx_cpu *)p->arch.hvm)->vmfails++;
    if (err < 0)
        pr_err("VMX: %s %#lx failed on CPU%u: VMfailInvalid (no current VMCS)\n",
               op, arg, p->id);
    else
        pr_err("VMX: %s %#lx failed on CPU%u: VM-instruction error %lld (%s)\n",
               op, arg, p->id, (long long)err, insn_error_name((uint64_t)err));
}

void vmx_report_too_wide(enum vmcs_field f, uint64_t val)
{
    struct vmx_cpu *c = this_cpu()->arch.hvm;

    if (c)
        c->vmfails++;
    pr_err("VMX: value %#llx does not fit VMCS field %#x\n",
           (unsigned long long)val, (unsigned)f);
}

#define VMX_PA_INSN(name)                                                   \
    static bool name(paddr_t addr)                                          \
    {                                                                       \
        bool fail;                                                          \
                                                                            \
        __asm__ volatile(#name " %[addr]"                                   \
                         : "=@ccbe"(fail) : [addr] "m"(addr) : "memory");   \
        if (unlikely(fail))                                                 \
            vmx_report_vmfail(#name, addr);                                 \
        return !fail;                                                       \
    }
VMX_PA_INSN(vmptrld)
VMX_PA_INSN(vmclear)
#undef VMX_PA_INSN

/* VMXON is reported from the flags alone: after VMfailInvalid the CPU is
 * not in VMX operation, where VMREAD would raise #UD. */
static bool vmxon(paddr_t addr)
{
    bool invalid, valid;

    __asm__ volatile("vmxon %[addr]"
                     : "=@ccc"(invalid), "=@ccz"(valid)
                     : [addr] "m"(addr) : "memory");
    if (unlikely(valid))
        vmx_report_vmfail("vmxon", addr);
    else if (unlikely(invalid))
        pr_err("VMX: vmxon %#llx failed on CPU%u: VMfailInvalid\n",
               (unsigned long long)addr, this_cpu()->id);
    return !invalid && !valid;
}

static void invept(uint64_t type, uint64_t eptp)
{
    struct { uint64_t eptp, reserved; } desc = { eptp, 0 };
    bool fail;

    __asm__ volatile("invept %[desc], %[type]"
                     : "=@ccbe"(fail)
                     : [desc] "m"(desc), [type] "r"(type) : "memory");
    if (unlikely(fail))
        vmx_report_vmfail("invept", eptp);
}

static void invvpid(uint64_t type, uint16_t vpid)
{
    struct { uint64_t vpid, linear; } desc = { vpid, 0 };
    bool fail;

    __asm__ volatile("invvpid %[desc], %[type]"
                     : "=@ccbe"(fail)
                     : [desc] "m"(desc), [type] "r"(type) : "memory");
    if (unlikely(fail))
        vmx_report_vmfail("invvpid", vpid);
}

static paddr_t pa(const void *p)
{
    return (uintptr_t)p;        /* mica's RAM is identity-mapped */
}

/* A zeroed page for a VMXON or VMCS region (SDM 25.2, A.1). */
static void *alloc_region(void)
{
    mfn_t m;

    if (!vmx.low_regions)
        return page_alloc_zeroed();
    m = frame_alloc_range(1, 1, FRAME_FLOOR_MFN, GiB(4) >> PAGE_SHIFT);
    if (m == MFN_INVALID)
        return NULL;
    memset((void *)(uintptr_t)(m << PAGE_SHIFT), 0, PAGE_SIZE);
    return (void *)(uintptr_t)(m << PAGE_SHIFT);
}

/* ---- Capabilities ---------------------------------------------------- */

static bool firmware_allows_vmx(const char **why)
{
    uint64_t fc;

    if (!(cpuid(1).ecx & CPUID1_ECX_VMX)) {
        *why = "no VMX";
        return false;
    }
    /* Locked without VMXON-outside-SMX, VMXON faults (SDM 24.7). */
    fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if ((fc & FC_LOCK) && !(fc & FC_VMXON_OUTSIDE_SMX)) {
        *why = "VMX disabled by the firmware (IA32_FEATURE_CONTROL)";
        return false;
    }
    return true;
}

/* A control word from its capability MSR (SDM A.3-A.5): bits set in the
 * low half must be 1, bits clear in the high half must be 0.  All of
 * `need` must be allowed; `want` is taken where it is. */
static bool ctl_from_msr(uint32_t msr, uint32_t need, uint32_t want,
                         uint32_t *out)
{
    uint64_t cap = rdmsr(msr);
    uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);

    if (need & ~may)
        return false;
    *out = must | need | (want & may);
    return true;
}

static bool probe(const char **why)
{
    uint64_t basic, cap;
    bool tru;

    if (!firmware_allows_vmx(why))
        return false;
    basic = rdmsr(MSR_IA32_VMX_BASIC);
    if (BASIC_REGION_SIZE(basic) > PAGE_SIZE || BASIC_MEMTYPE(basic) != MEMTYPE_WB) {
        *why = "VMX wants VMCS regions larger than a page or not write-back";
        return false;
    }
    vmx.revision = BASIC_REVISION(basic);
    vmx.low_regions = basic & BASIC_32BIT_ADDRS;
    /* The TRUE MSRs let default-1 controls (CR3 exiting, ...) be 0 (A.2). */
    tru = basic & BASIC_TRUE_CTLS;

    if (!ctl_from_msr(tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
                      PIN_EXT_INTR_EXITING | PIN_NMI_EXITING, 0, &vmx.pin)) {
        *why = "VMX without external-interrupt or NMI exiting";
        return false;
    }
    /* CR8 accesses exit: with no TPR shadow, the guest would otherwise
     * set the host's own task priority. */
    if (!ctl_from_msr(tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
                      PROC_HLT_EXITING | PROC_CR8_LOAD_EXITING |
                      PROC_CR8_STORE_EXITING | PROC_UNCOND_IO_EXITING |
                      PROC_USE_MSR_BITMAPS | PROC_SECONDARY_CONTROLS,
                      PROC_MWAIT_EXITING | PROC_MONITOR_EXITING, &vmx.proc)) {
        *why = "VMX without secondary controls or MSR bitmaps";
        return false;
    }
    cap = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32;
    if (!(cap & PROC2_ENABLE_EPT)) {
        *why = "VMX without EPT";
        return false;
    }
    if (!(cap & PROC2_UNRESTRICTED_GUEST)) {
        *why = "VMX without unrestricted guest";
        return false;
    }
    ctl_from_msr(MSR_IA32_VMX_PROCBASED_CTLS2,
                 PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST,
                 PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID,
                 &vmx.proc2);

    cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
    if (!(cap & EPT_CAP_WALK4) || !(cap & EPT_CAP_WB)) {
        *why = "EPT without 4-level write-back tables";
        return false;
    }
    if (!(cap & EPT_CAP_INVEPT) || !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
        *why = "EPT without INVEPT";
        return false;
    }
    vmx.invept_single = cap & EPT_CAP_INVEPT_SINGLE;
    vmx.invept_all = cap & EPT_CAP_INVEPT_ALL;
    /* VPIDs are only worth having if they can be flushed. */
    vmx.vpid = (vmx.proc2 & PROC2_ENABLE_VPID) && (cap & VPID_CAP_INVVPID) &&
               (cap & (VPID_CAP_SINGLE | VPID_CAP_ALL));
    vmx.invvpid_single = cap & VPID_CAP_SINGLE;
    vmx.invvpid_all = cap & VPID_CAP_ALL;
    if (!vmx.vpid)
        vmx.proc2 &= ~PROC2_ENABLE_VPID;

    /* Acknowledge-interrupt-on-exit stays 0: the interrupt waits in the
     * LAPIC until mica enables interrupts after the exit.  The guest's DR7
     * and DEBUGCTL go with it (exits set the host's to 0x400 and 0, SDM
     * 28.5.1), or its breakpoints would vanish at the first exit. */
    if (!ctl_from_msr(tru ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
                      EXIT_SAVE_DEBUG_CONTROLS | EXIT_HOST_ADDR_SPACE_SIZE |
                      EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
                      EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER, 0, &vmx.exit) ||
        !ctl_from_msr(tru ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
                      ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_LOAD_IA32_PAT |
                      ENTRY_LOAD_IA32_EFER, 0, &vmx.entry)) {
        *why = "VMX without PAT and EFER switching";
        return false;
    }
    vmx.entry &= ~ENTRY_IA32E_MODE_GUEST;       /* follows the guest */
    /* Controls mica does not set up must not be forced on it. */
    if ((vmx.proc & (PROC_TPR_SHADOW | PROC_USE_IO_BITMAPS)) ||
        (vmx.exit & EXIT_ACK_INTR_ON_EXIT)) {
        *why = "VMX forces controls mica does not support";
        return false;
    }

    vmx.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
    vmx.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    vmx.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
    vmx.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    /* mica owns the bits VMX fixes: the guest sees its own values through
     * the read shadows, and writes to them exit (SDM 25.6.6).  Unrestricted
     * guest frees PE and PG (SDM 27.3.1.1); bits CR4 cannot hold are owned
     * so that setting them faults.  CD and NW are owned too: neither VM
     * entry nor VM exit changes them (SDM 27.3.2.1, 28.5.1), so a guest
     * that set them would disable the caches for mica and every other
     * guest on that CPU.  Its own CD and NW live in the shadow only. */
    vmx.cr0_on = vmx.cr0_fixed0 & ~(uint64_t)(X86_CR0_PE | X86_CR0_PG);
    vmx.cr0_mask = vmx.cr0_on | X86_CR0_CD | X86_CR0_NW;
    vmx.cr4_mask = vmx.cr4_fixed0 | ~vmx.cr4_fixed1;
    return true;
}

/* ---- Per CPU --------------------------------------------------------- */

static int vmx_cpu_up(void)
{
    struct pcpu *p = this_cpu();
    struct vmx_cpu *c;
    const char *why;
    uint64_t fc;

    /* Firmware might have set each CPU up differently. */
    if (!firmware_allows_vmx(&why)) {
        pr_err("CPU%u: %s\n", p->id, why);
        return -ENODEV;
    }
    c = kzalloc(sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->vmxon_region = alloc_region();
    if (!c->vmxon_region) {
        kfree(c);
        return -ENOMEM;
    }
    fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if (!(fc & FC_LOCK))
        wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FC_LOCK | FC_VMXON_OUTSIDE_SMX);
    /* VMXON needs CR0 and CR4 within the fixed bits (SDM A.7, A.8): that
     * sets CR0.NE and CR4.VMXE.  Guests' SSE state is swapped with FXSAVE,
     * which needs OSFXSR. */
    write_cr0((read_cr0() | vmx.cr0_fixed0) & vmx.cr0_fixed1);
    write_cr4((read_cr4() | vmx.cr4_fixed0 | X86_CR4_OSFXSR |
               X86_CR4_OSXMMEXCPT) & vmx.cr4_fixed1);
    *(uint32_t *)c->vmxon_region = vmx.revision;
    if (!vmxon(pa(c->vmxon_region))) {
        page_free(c->vmxon_region);
        kfree(c);
        return -EIO;
    }
    /* Nothing cached by whoever ran VMX here before may survive. */
    if (vmx.invept_all)
        invept(INVEPT_ALL, 0);
    if (vmx.vpid && vmx.invvpid_all)
        invvpid(INVVPID_ALL, 0);
    p->arch.hvm = c;
    return 0;
}

/* ---- Making a VMCS current ------------------------------------------ */

/* Makes sv's VMCS current on this CPU so that it can be read and written.
 * One that has not run yet is loaded here and must be given back with
 * vmcs_put(); one active on another CPU cannot be touched here. */
static bool vmcs_get(struct vmx_vcpu *sv)
{
    struct pcpu *p = this_cpu();
    struct vmx_cpu *c = p->arch.hvm;

    if (!c || (sv->cpu != NO_CPU && sv->cpu != p->id)) {
        pr_err("VMX: d%u v%u: VMCS not reachable from CPU%u (active on CPU%d)\n",
               sv->v->domain->id, sv->v->id, p->id,
               sv->cpu == NO_CPU ? -1 : (int)sv->cpu);
        return false;
    }
    if (c->current == sv)
        return true;
    if (!vmptrld(pa(sv->vmcs)))
        return false;
    c->current = sv;
    return true;
}

static void vmcs_put(struct vmx_vcpu *sv)
{
    struct vmx_cpu *c = this_cpu()->arch.hvm;

    if (sv->cpu != NO_CPU)
        return;                 /* it lives on this CPU */
    vmclear(pa(sv->vmcs));
    c->current = NULL;
}

static uint64_t eptp(const struct domain *d)
{
    return (d->npt_root << PAGE_SHIFT) | EPTP_FLAGS;
}

/* Drops what any CPU may cache for this vCPU's EPT tables and VPID. */
static void flush_guest_tlb(struct vmx_vcpu *sv)
{
    invept(vmx.invept_single ? INVEPT_SINGLE : INVEPT_ALL, eptp(sv->v->domain));
    if (sv->vpid)
        invvpid(vmx.invvpid_single ? INVVPID_SINGLE : INVVPID_ALL, sv->vpid);
}

/* The host state a VM exit loads (SDM 25.5, 28.5): this CPU's own GDT,
 * TSS and per-CPU GS base, so it is written whenever a VMCS arrives on a
 * CPU.  mica's FS and GS selectors are 0; its GS base is this_cpu(). */
static void write_host_state(struct pcpu *p)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __packed idtr;

    __asm__ volatile("sidt %0" : "=m"(idtr));
    vmcs_write(HOST_CR0, read_cr0());
    vmcs_write(HOST_CR3, read_cr3());
    vmcs_write(HOST_CR4, read_cr4());
    vmcs_write(HOST_CS_SEL, GDT_CS64);
    vmcs_write(HOST_SS_SEL, GDT_DS);
    vmcs_write(HOST_DS_SEL, GDT_DS);
    vmcs_write(HOST_ES_SEL, GDT_DS);
    vmcs_write(HOST_FS_SEL, 0);
    vmcs_write(HOST_GS_SEL, 0);
    vmcs_write(HOST_TR_SEL, GDT_TSS);
    vmcs_write(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    vmcs_write(HOST_GS_BASE, (uintptr_t)p);
    vmcs_write(HOST_TR_BASE, (uintptr_t)&p->arch.tss);
    vmcs_write(HOST_GDTR_BASE, (uintptr_t)p->arch.gdt);
    vmcs_write(HOST_IDTR_BASE, idtr.base);
    vmcs_write(HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS) & 0xffffffffu);
    vmcs_write(HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
    vmcs_write(HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
    vmcs_write(HOST_IA32_EFER, rdmsr(MSR_EFER));
    vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_write(HOST_RIP, (uintptr_t)vmx_exit_point);
}

/* Makes sv's VMCS current here for a run; on its first run on this CPU
 * it also gets this CPU's host state and a clean TLB. */
static bool load_for_run(struct vmx_vcpu *sv, struct pcpu *p, struct vmx_cpu *c)
{
    if (sv->cpu == p->id) {
        if (c->current != sv) {
            if (!vmptrld(pa(sv->vmcs)))
                return false;
            c->current = sv;
        }
        return true;
    }
    if (sv->cpu != NO_CPU) {
        /* Moved without vcpu_unload() on its old CPU: loading it here
         * would make it active on two CPUs (SDM 25.11.1). */
        pr_err("VMX: d%u v%u: moved from CPU%u to CPU%u without VMCLEAR\n",
               sv->v->domain->id, sv->v->id, sv->cpu, p->id);
        return false;
    }
    if (!vmcs_get(sv))
        return false;
    sv->cpu = p->id;
    sv->launched = false;
    write_host_state(p);
    flush_guest_tlb(sv);
    return true;
}

/* ---- Lazily switched state ------------------------------------------ */

static void lazy_init(struct lazy_state *l)
{
    memset(l, 0, sizeof(*l));
    guest_fpu_init(&l->fpu);
}

/* Besides the FPU and debug registers, VMX switches neither the SYSCALL
 * MSRs nor KernelGsBase nor CR2 (SVM's VMLOAD/VMSAVE and VMCB do). */
static void lazy_save(struct lazy_state *l)
{
    guest_fpu_save(&l->fpu);
    l->star = rdmsr(MSR_STAR);
    l->lstar = rdmsr(MSR_LSTAR);
    l->cstar = rdmsr(MSR_CSTAR);
    l->sfmask = rdmsr(MSR_SFMASK);
    l->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
    l->cr2 = read_cr2();
}

static void lazy_load(const struct lazy_state *l)
{
    guest_fpu_load(&l->fpu);
    wrmsr(MSR_STAR, l->star);
    wrmsr(MSR_LSTAR, l->lstar);
    wrmsr(MSR_CSTAR, l->cstar);
    wrmsr(MSR_SFMASK, l->sfmask);
    wrmsr(MSR_KERNEL_GS_BASE, l->kernel_gs_base);
    write_cr2(l->cr2);
}

static void lazy_switch(struct vmx_cpu *c, struct vmx_vcpu *sv)
{
    unsigned long f = spin_lock_irqsave(&c->lock);

    if (c->owner)
        lazy_save(&c->owner->lazy);
    lazy_load(&sv->lazy);
    c->owner = sv;
    spin_unlock_irqrestore(&c->lock, f);
}

/* Takes sv off this CPU: its lazy state back to memory and its VMCS clear,
 * so that any CPU may load it next.  A scheduler that moves vCPUs between
 * CPUs must have the old CPU do this first. */
static void vcpu_unload(struct vmx_vcpu *sv)
{
    struct pcpu *p = this_cpu();
    struct vmx_cpu *c = p->arch.hvm;
    unsigned long f;

    if (!c)
        return;                 /* VMX is off here: it never ran here */
    f = spin_lock_irqsave(&c->lock);
    if (c->owner == sv) {
        lazy_save(&sv->lazy);
        c->owner = NULL;
    }
    spin_unlock_irqrestore(&c->lock, f);
    if (sv->cpu == p->id) {
        vmclear(pa(sv->vmcs));
        if (c->current == sv)
            c->current = NULL;
        sv->cpu = NO_CPU;
        sv->launched = false;
    }
}

/* ---- vCPUs ----------------------------------------------------------- */

static uint16_t vpid_alloc(void)
{
    unsigned long f = spin_lock_irqsave(&vpid_lock);
    uint16_t vpid = 0;

    /* VPID 0 is the host's (SDM 29.1). */
    vpid_map[0] |= 1;
    for (unsigned i = 0; i < ARRAY_SIZE(vpid_map) && !vpid; i++) {
        if (vpid_map[i] == ~0ull)
            continue;
        unsigned bit = (unsigned)__builtin_ctzll(~vpid_map[i]);

        vpid_map[i] |= 1ull << bit;
        vpid = (uint16_t)(i * 64 + bit);
    }
    spin_unlock_irqrestore(&vpid_lock, f);
    return vpid;
}

static void vpid_free(uint16_t vpid)
{
    unsigned long f = spin_lock_irqsave(&vpid_lock);

    vpid_map[vpid / 64] &= ~(1ull << (vpid % 64));
    spin_unlock_irqrestore(&vpid_lock, f);
}

static void free_vcpu(struct vmx_vcpu *sv)
{
    if (sv->vpid)
        vpid_free(sv->vpid);
    page_free(sv->vmcs);
    page_free(sv);
}

/* The controls, which stay as they are for the vCPU's life. */
static void write_controls(struct vmx_vcpu *sv, const struct domain *d)
{
    uint32_t proc2 = vmx.proc2;

    if (!sv->vpid)
        proc2 &= ~PROC2_ENABLE_VPID;   /* all 65535 in use: flush instead */
    vmcs_write(PIN_CONTROLS, vmx.pin);
    vmcs_write(PROC_CONTROLS, vmx.proc);
    vmcs_write(PROC_CONTROLS2, proc2);
    vmcs_write(EXIT_CONTROLS, vmx.exit);
    vmcs_write(ENTRY_CONTROLS, vmx.entry);
    vmcs_write(EXCEPTION_BITMAP, 0);
    vmcs_write(PF_ERROR_CODE_MASK, 0);
    vmcs_write(PF_ERROR_CODE_MATCH, 0);
    vmcs_write(CR3_TARGET_COUNT, 0);
    vmcs_write(EXIT_MSR_STORE_COUNT, 0);
    vmcs_write(EXIT_MSR_LOAD_COUNT, 0);
    vmcs_write(ENTRY_MSR_LOAD_COUNT, 0);
    vmcs_write(ENTRY_INTR_INFO, 0);
    vmcs_write(TSC_OFFSET, 0);
    vmcs_write(MSR_BITMAP, pa(msr_bitmap));
    vmcs_write(EPT_POINTER, eptp(d));
    if (sv->vpid)
        vmcs_write(VPID, sv->vpid);
    vmcs_write(CR0_GUEST_HOST_MASK, vmx.cr0_mask);
    vmcs_write(CR4_GUEST_HOST_MASK, vmx.cr4_mask);
    vmcs_write(VMCS_LINK_POINTER, ~0ull);       /* no shadow VMCS */
}

static int vmx_vcpu_create(struct vcpu *v)
{
    struct vmx_cpu *c = this_cpu()->arch.hvm;
    struct vmx_vcpu *sv = page_alloc_zeroed();
    unsigned int fails;

    if (!c) {
        page_free(sv);
        return -ENODEV;         /* VMX is off on this CPU */
    }
    if (!sv)
        return -ENOMEM;
    sv->vmcs = alloc_region();
    if (!sv->vmcs) {
        page_free(sv);
        return -ENOMEM;
    }
    sv->v = v;
    sv->cpu = NO_CPU;
    if (vmx.vpid)
        sv->vpid = vpid_alloc();
    lazy_init(&sv->lazy);
    *(uint32_t *)sv->vmcs = vmx.revision;

    /* VMCLEAR puts a new region in the clear launch state (SDM 25.11.3). */
    fails = c->vmfails;
    if (vmclear(pa(sv->vmcs)) && vmcs_get(sv)) {
        write_controls(sv, v->domain);
        vmcs_put(sv);
    }
    if (c->vmfails != fails) {
        pr_err("VMX: d%u v%u: cannot set up its VMCS\n", v->domain->id, v->id);
        free_vcpu(sv);
        return -EIO;
    }
    v->hvm = sv;
    return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
    struct vmx_vcpu *sv = v->hvm;
    struct vmx_cpu *c;
    unsigned long f;

    if (!sv)
        return;
    v->hvm = NULL;
    if (sv->cpu == NO_CPU || sv->cpu == this_cpu()->id) {
        vcpu_unload(sv);
        free_vcpu(sv);
        return;
    }
    /* Only the CPU it is active on may VMCLEAR it (SDM 25.11.1), and
     * until then the processor may still write to its region: that CPU
     * frees it before its next VM entry. */
    c = pcpus[sv->cpu].arch.hvm;
    f = spin_lock_irqsave(&c->lock);
    if (c->owner == sv)
        c->owner = NULL;
    sv->next_dead = c->dead;
    c->dead = sv;
    spin_unlock_irqrestore(&c->lock, f);
}

static void reap_dead(struct vmx_cpu *c)
{
    unsigned long f = spin_lock_irqsave(&c->lock);
    struct vmx_vcpu *sv = c->dead;

    c->dead = NULL;
    spin_unlock_irqrestore(&c->lock, f);
    while (sv) {
        struct vmx_vcpu *next = sv->next_dead;

        vmclear(pa(sv->vmcs));
        if (c->current == sv)
            c->current = NULL;
        free_vcpu(sv);
        sv = next;
    }
}

static void set_seg(enum vmx_seg s, uint16_t sel, uint64_t base,
                    uint32_t limit, uint32_t ar)
{
    vmcs_write(GUEST_SEG_SEL(s), sel);
    vmcs_write(GUEST_SEG_BASE(s), base);
    vmcs_write(GUEST_SEG_LIMIT(s), limit);
    vmcs_write(GUEST_SEG_AR(s), ar);
}

/* The value CR0 must hold for a guest value `val`: NE and any other bit
 * VMX fixes at 1 (SDM A.7), PE and PG as the guest has them, and never
 * the guest's CD or NW. */
static uint64_t real_cr0(uint64_t val)
{
    return ((val & ~(uint64_t)(X86_CR0_CD | X86_CR0_NW)) | vmx.cr0_on) &
           vmx.cr0_fixed1;
}

static void vmx_vcpu_set_start(struct vcpu *v, const struct vcpu_start_state *st)
{
    struct vmx_vcpu *sv = v->hvm;
    struct vmx_cpu *c = this_cpu()->arch.hvm;
    unsigned long f;

    if (!vmcs_get(sv))
        return;         /* reported; the first VM entry will fail */
    /* PVH: 32-bit flat code and data, paging off, a busy 32-bit TSS
     * (Xen's docs/misc/pvh.pandoc), the LDT unusable. */
    set_seg(SEG_CS, 0x08, 0, 0xffffffff, AR_CODE32_FLAT);
    set_seg(SEG_DS, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_ES, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_SS, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_FS, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_GS, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_TR, 0x18, 0, 0x67, AR_TSS32_BUSY);
    set_seg(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
    vmcs_write(GUEST_GDTR_BASE, 0);
    vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
    vmcs_write(GUEST_IDTR_BASE, 0);
    vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
    vmcs_write(GUEST_CR0, real_cr0(X86_CR0_PE | X86_CR0_ET));
    vmcs_write(CR0_READ_SHADOW, X86_CR0_PE | X86_CR0_ET);
    vmcs_write(GUEST_CR3, 0);
    vmcs_write(GUEST_CR4, vmx.cr4_fixed0);
    vmcs_write(CR4_READ_SHADOW, 0);
    vmcs_write(GUEST_IA32_EFER, 0);
    vmcs_clear_bits(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
    vmcs_write(GUEST_IA32_PAT, PAT_POWER_ON);
    vmcs_write(GUEST_IA32_DEBUGCTL, 0);
    vmcs_write(GUEST_DR7, DR7_INIT);
    vmcs_write(GUEST_SYSENTER_CS, 0);
    vmcs_write(GUEST_SYSENTER_ESP, 0);
    vmcs_write(GUEST_SYSENTER_EIP, 0);
    vmcs_write(GUEST_INTERRUPTIBILITY, 0);
    vmcs_write(GUEST_ACTIVITY_STATE, 0);        /* active */
    vmcs_write(GUEST_PENDING_DBG, 0);
    vmcs_write(ENTRY_INTR_INFO, 0);
    for (int i = 0; i < 4; i++)
        vmcs_write((enum vmcs_field)(GUEST_PDPTE0 + 2 * i), 0);
    vmcs_put(sv);

    /* Registers outside the VMCS start clean too; if this CPU holds the
     * old ones, they must not be saved over the new. */
    f = spin_lock_irqsave(&c->lock);
    if (c->owner == sv)
        c->owner = NULL;
    lazy_init(&sv->lazy);
    spin_unlock_irqrestore(&c->lock, f);
    sv->cr8 = 0;
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rip = st->rip;
    v->regs.rbx = st->rbx;
    v->regs.rflags = X86_RFLAGS_RSVD1;
    sv->exit_rip = st->rip;
}

/* ---- Guest control registers ---------------------------------------- */

static uint64_t guest_cr0(void)
{
    return (vmcs_read(GUEST_CR0) & ~vmx.cr0_mask) |
           (vmcs_read(CR0_READ_SHADOW) & vmx.cr0_mask);
}

static uint64_t guest_cr4(void)
{
    return (vmcs_read(GUEST_CR4) & ~vmx.cr4_mask) |
           (vmcs_read(CR4_READ_SHADOW) & vmx.cr4_mask);
}

static int guest_bits(void)
{
    uint64_t ar = vmcs_read(GUEST_CS_AR);

    if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (ar & AR_L))
        return 64;
    if (!(vmcs_read(GUEST_CR0) & X86_CR0_PE))
        return 16;
    return (ar & AR_DB) ? 32 : 16;
}

/* Raises a hardware exception in the guest at the next VM entry. */
static void inject_hw_exception(uint8_t vector, bool has_err, uint32_t err)
{
    uint32_t info = INTR_INFO_VALID | vector |
                    (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT);

    /* No error code is delivered in real mode (SDM 27.2.1.3). */
    if (has_err && (vmcs_read(GUEST_CR0) & X86_CR0_PE)) {
        info |= INTR_INFO_ERROR_CODE_VALID;
        vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, err);
    }
    vmcs_write(ENTRY_INTR_INFO, info);
}

enum { CR_DONE, CR_FAULT, CR_UNHANDLED };

/* Under PAE paging with EPT, VM entry takes the four PDPTEs from the VMCS
 * (SDM 27.3.2.4), so a CR write that mica emulates and that would load
 * them must put them there.  Reserved bits fault the write (SDM 3A 4.4.1). */
static bool read_pdptes(struct vcpu *v, uint64_t cr3, uint64_t pdpte[4])
{
    if (copy_from_guest_phys(v->domain, pdpte, cr3 & 0xffffffe0u, 32) < 0)
        return false;
    for (int i = 0; i < 4; i++)
        if ((pdpte[i] & PTE_P) && (pdpte[i] & PDPTE_RSVD))
            return false;
    return true;
}

static void write_pdptes(const uint64_t pdpte[4])
{
    for (int i = 0; i < 4; i++)
        vmcs_write((enum vmcs_field)(GUEST_PDPTE0 + 2 * i), pdpte[i]);
}

/* EFER.LMA and the "IA-32e mode guest" entry control move together (SDM
 * 27.3.1.1); exits keep the control in step by themselves (SDM A.6,
 * IA32_VMX_MISC bit 5, always 1 with unrestricted guest). */
static void set_lma(bool lma)
{
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    uint64_t tr_ar = vmcs_read(GUEST_TR_AR);

    /* The processor takes a busy 16-bit TSS into IA-32e mode as it is,
     * but VM entry wants type 11 there (SDM 27.3.1.2). */
    if (lma && (tr_ar & 0xf) == 3)
        vmcs_write(GUEST_TR_AR, (tr_ar & ~0xfull) | 11);

    vmcs_write(GUEST_IA32_EFER, lma ? efer | EFER_LMA : efer & ~(uint64_t)EFER_LMA);
    if (lma)
        vmcs_set_bits(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
    else
        vmcs_clear_bits(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
}

/* MOV to CR0 as the processor does it (SDM vol. 2, "MOV—Move to/from
 * Control Registers"; 3A 10.8.5 for entering and leaving IA-32e mode).
 * Checks come first, so a faulting write changes nothing. */
static int set_cr0(struct vcpu *v, uint64_t val)
{
    uint64_t old = guest_cr0(), cr4 = guest_cr4();
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    bool lma = efer & EFER_LMA, cs_l = vmcs_read(GUEST_CS_AR) & AR_L;
    uint64_t pdpte[4];
    bool pae_paging;

    if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
        ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
        return CR_FAULT;
    if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) && (efer & EFER_LME)) {
        if (!(cr4 & X86_CR4_PAE) || cs_l)
            return CR_FAULT;
        lma = true;
    } else if ((old & X86_CR0_PG) && !(val & X86_CR0_PG) && lma) {
        if (cs_l)
            return CR_FAULT;    /* IA-32e mode is left from compatibility mode */
        lma = false;
    }
    pae_paging = (val & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !lma;
    if (pae_paging && ((val ^ old) & (X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)) &&
        !read_pdptes(v, vmcs_read(GUEST_CR3), pdpte))
        return CR_FAULT;

    if (pae_paging && ((val ^ old) & (X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)))
        write_pdptes(pdpte);
    if (lma != (bool)(efer & EFER_LMA))
        set_lma(lma);
    vmcs_write(GUEST_CR0, real_cr0(val));
    vmcs_write(CR0_READ_SHADOW, val);
    return CR_DONE;
}

static int set_cr4(struct vcpu *v, uint64_t val)
{
    uint64_t old = guest_cr4(), cr0 = guest_cr0();
    bool lma = vmcs_read(GUEST_IA32_EFER) & EFER_LMA;
    bool reload = (cr0 & X86_CR0_PG) && (val & X86_CR4_PAE) && !lma &&
                  ((val ^ old) & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE));
    uint64_t pdpte[4];

    /* CPUID shows no VMX, so VMXE is as reserved as the bits VMX cannot
     * hold (SDM A.8). */
    if (val & (X86_CR4_VMXE | ~vmx.cr4_fixed1))
        return CR_FAULT;
    if (lma && !(val & X86_CR4_PAE))
        return CR_FAULT;
    if (reload && !read_pdptes(v, vmcs_read(GUEST_CR3), pdpte))
        return CR_FAULT;

    if (reload)
        write_pdptes(pdpte);
    vmcs_write(GUEST_CR4, val | vmx.cr4_fixed0);
    vmcs_write(CR4_READ_SHADOW, val);
    return CR_DONE;
}

/* Only reached if the processor cannot turn CR3 exiting off. */
static int set_cr3(struct vcpu *v, uint64_t val)
{
    bool pae_paging = (guest_cr0() & X86_CR0_PG) && (guest_cr4() & X86_CR4_PAE) &&
                      !(vmcs_read(GUEST_IA32_EFER) & EFER_LMA);
    uint64_t pdpte[4];

    val &= ~(1ull << 63);       /* the PCID no-flush hint: mica flushes */
    if (pae_paging && !read_pdptes(v, val, pdpte))
        return CR_FAULT;
    if (pae_paging)
        write_pdptes(pdpte);
    vmcs_write(GUEST_CR3, val);
    return CR_DONE;
}

/* The general registers as exit qualifications number them (SDM table
 * 28-3): RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15. */
static uint64_t *gpr(struct guest_regs *r, unsigned int n)
{
    switch (n & 15) {
    case 0: return &r->rax;
    case 1: return &r->rcx;
    case 2: return &r->rdx;
    case 3: return &r->rbx;
    case 4: return &r->rsp;
    case 5: return &r->rbp;
    case 6: return &r->rsi;
    case 7: return &r->rdi;
    default: return &r->r8 + ((n & 15) - 8);
    }
}
BUILD_BUG_ON(offsetof(struct guest_regs, r15) - offsetof(struct guest_regs, r8) != 7 * 8);

/* A control-register access that exited: a write to a bit mica owns, or
 * CR8 (SDM 26.1.3; qualification in table 28-3).  Emulated here, so
 * common code sees EXIT_NONE. */
static void handle_cr_access(struct vcpu *v, struct vmx_vcpu *sv,
                             struct hvm_exit *e)
{
    uint64_t q = vmcs_read(EXIT_QUALIFICATION);
    unsigned int cr = q & 15, type = (q >> 4) & 3;
    uint64_t *reg = gpr(&v->regs, (unsigned)(q >> 8));
    bool wide = guest_bits() == 64;
    uint64_t val = wide ? *reg : (uint32_t)*reg;
    int rc = CR_UNHANDLED;

    switch (type) {
    case 0:                                     /* MOV to CR */
        if (cr == 0)
            rc = set_cr0(v, val);
        else if (cr == 3)
            rc = set_cr3(v, val);
        else if (cr == 4)
            rc = set_cr4(v, val);
        else if (cr == 8) {
            rc = (val & ~0xfull) ? CR_FAULT : CR_DONE;
            if (rc == CR_DONE)
                sv->cr8 = (uint8_t)val;
        }
        break;
    case 1:                                     /* MOV from CR */
        if (cr == 3 || cr == 8) {
            val = cr == 3 ? vmcs_read(GUEST_CR3) : sv->cr8;
            *reg = wide ? val : (uint32_t)val;
            rc = CR_DONE;
        }
        break;
    case 2:                                     /* CLTS */
        rc = set_cr0(v, guest_cr0() & ~0x8ull);
        break;
    case 3: {                                   /* LMSW: sets PE, never clears it */
        uint64_t cr0 = guest_cr0();

        rc = set_cr0(v, (cr0 & ~0xeull) | ((q >> 16) & 0xf));
        break;
    }
    }
    e->reason = EXIT_NONE;
    if (rc == CR_DONE) {
        v->regs.rip += vmcs_read(EXIT_INSTRUCTION_LEN);
        sv->flush = true;       /* as the real write would flush the TLB */
    } else if (rc == CR_FAULT) {
        inject_hw_exception(13, true, 0);
    } else {
        e->reason = EXIT_UNHANDLED;
    }
}

/* ---- Running --------------------------------------------------------- */

static const char *const exit_names[EXIT_REASON_MAX + 1] = {
    [EXIT_REASON_EXCEPTION_NMI] = "EXCEPTION_NMI",
    [EXIT_REASON_EXT_INTR] = "EXTERNAL_INTERRUPT",
    [EXIT_REASON_TRIPLE_FAULT] = "TRIPLE_FAULT",
    [EXIT_REASON_INIT] = "INIT",
    [EXIT_REASON_SIPI] = "SIPI",
    [EXIT_REASON_TASK_SWITCH] = "TASK_SWITCH",
    [EXIT_REASON_CPUID] = "CPUID",
    [EXIT_REASON_GETSEC] = "GETSEC",
    [EXIT_REASON_HLT] = "HLT",
    [EXIT_REASON_INVD] = "INVD",
    [EXIT_REASON_INVLPG] = "INVLPG",
    [EXIT_REASON_RDPMC] = "RDPMC",
    [EXIT_REASON_RDTSC] = "RDTSC",
    [EXIT_REASON_RSM] = "RSM",
    [EXIT_REASON_VMCALL] = "VMCALL",
    [EXIT_REASON_VMCLEAR] = "VMCLEAR",
    [EXIT_REASON_VMLAUNCH] = "VMLAUNCH",
    [EXIT_REASON_VMPTRLD] = "VMPTRLD",
    [EXIT_REASON_VMPTRST] = "VMPTRST",
    [EXIT_REASON_VMREAD] = "VMREAD",
    [EXIT_REASON_VMRESUME] = "VMRESUME",
    [EXIT_REASON_VMWRITE] = "VMWRITE",
    [EXIT_REASON_VMXOFF] = "VMXOFF",
    [EXIT_REASON_VMXON] = "VMXON",
    [EXIT_REASON_CR_ACCESS] = "CR_ACCESS",
    [EXIT_REASON_DR_ACCESS] = "DR_ACCESS",
    [EXIT_REASON_IO] = "IO_INSTRUCTION",
    [EXIT_REASON_RDMSR] = "RDMSR",
    [EXIT_REASON_WRMSR] = "WRMSR",
    [EXIT_REASON_BAD_GUEST_STATE] = "ENTRY_FAIL_GUEST_STATE",
    [EXIT_REASON_MSR_LOADING] = "ENTRY_FAIL_MSR_LOADING",
    [EXIT_REASON_MWAIT] = "MWAIT",
    [EXIT_REASON_MTF] = "MONITOR_TRAP_FLAG",
    [EXIT_REASON_MONITOR] = "MONITOR",
    [EXIT_REASON_PAUSE] = "PAUSE",
    [EXIT_REASON_MACHINE_CHECK] = "ENTRY_FAIL_MACHINE_CHECK",
    [EXIT_REASON_EPT_VIOLATION] = "EPT_VIOLATION",
    [EXIT_REASON_EPT_MISCONFIG] = "EPT_MISCONFIG",
    [EXIT_REASON_INVEPT] = "INVEPT",
    [EXIT_REASON_RDTSCP] = "RDTSCP",
    [EXIT_REASON_INVVPID] = "INVVPID",
    [EXIT_REASON_WBINVD] = "WBINVD",
    [EXIT_REASON_XSETBV] = "XSETBV",
    [EXIT_REASON_RDRAND] = "RDRAND",
    [EXIT_REASON_INVPCID] = "INVPCID",
    [EXIT_REASON_VMFUNC] = "VMFUNC",
    [EXIT_REASON_RDSEED] = "RDSEED",
    [EXIT_REASON_XSAVES] = "XSAVES",
    [EXIT_REASON_XRSTORS] = "XRSTORS",
};

static const char *exit_name(uint32_t basic)
{
    if (basic < ARRAY_SIZE(exit_names) && exit_names[basic])
        return exit_names[basic];
    return "unknown";
}

/* An exit that came while the guest was receiving an event (IDT-vectoring
 * information, SDM 28.2.4) leaves that event undelivered: it goes in again
 * with the next entry, with its instruction length for software ones. */
static void requeue_event(void)
{
    uint32_t info = (uint32_t)vmcs_read(IDT_VECTORING_INFO);
    uint32_t type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

    if (!(info & INTR_INFO_VALID))
        return;
    vmcs_write(ENTRY_INTR_INFO, info & (INTR_INFO_VALID | INTR_INFO_ERROR_CODE_VALID |
                                        INTR_INFO_TYPE_MASK | INTR_INFO_VECTOR_MASK));
    if (info & INTR_INFO_ERROR_CODE_VALID)
        vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, vmcs_read(IDT_VECTORING_ERROR_CODE));
    if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
        type == INTR_TYPE_SW_EXCEPTION)
        vmcs_write(ENTRY_INSTRUCTION_LEN, vmcs_read(EXIT_INSTRUCTION_LEN));
}

static void report_entry_failure(struct vcpu *v, uint32_t reason)
{
    pr_err("VMX: d%u v%u: VM entry failed (%s), qualification %#llx\n",
           v->domain->id, v->id, exit_name(reason & 0xffff),
           (unsigned long long)vmcs_read(EXIT_QUALIFICATION));
    pr_err("VMX:   CR0 %#llx CR3 %#llx CR4 %#llx EFER %#llx entry controls %#llx\n",
           (unsigned long long)vmcs_read(GUEST_CR0),
           (unsigned long long)vmcs_read(GUEST_CR3),
           (unsigned long long)vmcs_read(GUEST_CR4),
           (unsigned long long)vmcs_read(GUEST_IA32_EFER),
           (unsigned long long)vmcs_read(ENTRY_CONTROLS));
    pr_err("VMX:   CS %#llx/%#llx RIP %#llx RFLAGS %#llx interruptibility %#llx\n",
           (unsigned long long)vmcs_read(GUEST_CS_SEL),
           (unsigned long long)vmcs_read(GUEST_CS_AR),
           (unsigned long long)vmcs_read(GUEST_RIP),
           (unsigned long long)vmcs_read(GUEST_RFLAGS),
           (unsigned long long)vmcs_read(GUEST_INTERRUPTIBILITY));
}

/* Translates the exit into common terms.  Instructions VMX makes exit but
 * a guest may not use (VMX itself, MONITOR/MWAIT, GETSEC: CPUID shows none
 * of them) raise #UD as on a processor without them. */
static void decode_exit(struct vcpu *v, struct vmx_vcpu *sv, struct hvm_exit *e)
{
    uint32_t reason = (uint32_t)vmcs_read(EXIT_REASON);
    uint32_t basic = reason & 0xffff;
    uint64_t q;

    e->raw = reason;
    e->raw_name = exit_name(basic);
    if (reason & EXIT_REASON_ENTRY_FAILURE) {
        report_entry_failure(v, reason);
        e->reason = EXIT_INVALID;
        return;
    }
    sv->launched = true;
    requeue_event();
    switch (basic) {
    case EXIT_REASON_EXCEPTION_NMI: {
        uint32_t info = (uint32_t)vmcs_read(EXIT_INTR_INFO);

        if (((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) != INTR_TYPE_NMI) {
            e->reason = EXIT_UNHANDLED;
            break;
        }
        /* The NMI was meant for mica and the exit consumed it (SDM 26.2):
         * hand it to mica's own handler, as SVM does by leaving it pending. */
        __asm__ volatile("int $2" ::: "memory");
        e->reason = EXIT_NONE;
        break;
    }
    case EXIT_REASON_EXT_INTR:
    case EXIT_REASON_INIT:
    case EXIT_REASON_SIPI:
        e->reason = EXIT_NONE;
        break;
    case EXIT_REASON_TRIPLE_FAULT:
        e->reason = EXIT_TRIPLE_FAULT;
        break;
    case EXIT_REASON_CPUID:
        e->reason = EXIT_CPUID;
        break;
    case EXIT_REASON_HLT:
        e->reason = EXIT_HLT;
        break;
    case EXIT_REASON_VMCALL:
        e->reason = EXIT_HYPERCALL;
        break;
    case EXIT_REASON_RDMSR:
        e->reason = EXIT_MSR_READ;
        break;
    case EXIT_REASON_WRMSR:
        e->reason = EXIT_MSR_WRITE;
        break;
    case EXIT_REASON_IO:                        /* table 28-5 */
        q = vmcs_read(EXIT_QUALIFICATION);
        e->reason = EXIT_IO;
        e->io.size = (uint8_t)((q & 7) + 1);
        e->io.in = q & (1u << 3);
        e->io.string = q & (1u << 4);
        e->io.rep = q & (1u << 5);
        e->io.port = (uint16_t)(q >> 16);
        break;
    case EXIT_REASON_EPT_VIOLATION:             /* table 28-7 */
        q = vmcs_read(EXIT_QUALIFICATION);
        e->reason = EXIT_NPF;
        e->npf.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
        e->npf.read = q & EPT_QUAL_READ;
        e->npf.write = q & EPT_QUAL_WRITE;
        e->npf.fetch = q & EPT_QUAL_FETCH;
        e->npf.present = q & EPT_QUAL_PERMS;
        break;
    case EXIT_REASON_CR_ACCESS:
        handle_cr_access(v, sv, e);
        return;
    case EXIT_REASON_GETSEC:
    case EXIT_REASON_VMCLEAR:
    case EXIT_REASON_VMLAUNCH:
    case EXIT_REASON_VMPTRLD:
    case EXIT_REASON_VMPTRST:
    case EXIT_REASON_VMREAD:
    case EXIT_REASON_VMRESUME:
    case EXIT_REASON_VMWRITE:
    case EXIT_REASON_VMXOFF:
    case EXIT_REASON_VMXON:
    case EXIT_REASON_INVEPT:
    case EXIT_REASON_INVVPID:
    case EXIT_REASON_MWAIT:
    case EXIT_REASON_MONITOR:
        inject_hw_exception(6, false, 0);
        e->reason = EXIT_NONE;
        break;
    default:
        e->reason = EXIT_UNHANDLED;
        break;
    }
    e->insn_len = (uint8_t)vmcs_read(EXIT_INSTRUCTION_LEN);
}

static void vmx_run(struct vcpu *v, struct hvm_exit *e)
{
    struct vmx_vcpu *sv = v->hvm;
    struct pcpu *p = this_cpu();
    struct vmx_cpu *c = p->arch.hvm;
    int rc;

    memset(e, 0, sizeof(*e));
    if (__atomic_load_n(&c->dead, __ATOMIC_ACQUIRE))
        reap_dead(c);
    if (!load_for_run(sv, p, c)) {
        e->reason = EXIT_INVALID;
        e->raw_name = "VMCS not loadable";
        return;
    }
    if (__atomic_exchange_n(&sv->flush, false, __ATOMIC_ACQ_REL))
        flush_guest_tlb(sv);
    if (c->owner != sv)
        lazy_switch(c, sv);
    /* Common code moved RIP past an instruction it emulated: the STI or
     * MOV SS shadow covered only that instruction (SDM 25.4.2). */
    if (v->regs.rip != sv->exit_rip) {
        uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY);

        if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
            vmcs_write(GUEST_INTERRUPTIBILITY,
                       intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
    }
    vmcs_write(GUEST_RIP, v->regs.rip);
    vmcs_write(GUEST_RSP, v->regs.rsp);
    vmcs_write(GUEST_RFLAGS, v->regs.rflags);

    rc = vmx_enter(&v->regs, sv->launched);
    if (rc) {
        const char *insn = sv->launched ? "VMRESUME" : "VMLAUNCH";
        int64_t err = rc == 2 ? insn_error() : -1;

        if (err >= 0)
            pr_err("VMX: d%u v%u: %s failed on CPU%u: VM-instruction error %lld (%s)\n",
                   v->domain->id, v->id, insn, p->id, (long long)err,
                   insn_error_name((uint64_t)err));
        else
            pr_err("VMX: d%u v%u: %s failed on CPU%u: VMfailInvalid\n",
                   v->domain->id, v->id, insn, p->id);
        e->reason = EXIT_INVALID;
        e->raw = (uint64_t)err;
        e->raw_name = sv->launched ? "VMRESUME failed" : "VMLAUNCH failed";
        return;
    }
    v->regs.rip = sv->exit_rip = vmcs_read(GUEST_RIP);
    v->regs.rsp = vmcs_read(GUEST_RSP);
    v->regs.rflags = vmcs_read(GUEST_RFLAGS);
    decode_exit(v, sv, e);
}

/* ---- The other operations -------------------------------------------- */

static void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
                                 uint32_t err)
{
    struct vmx_vcpu *sv = v->hvm;

    if (vector >= 32 || vector == 2) {
        pr_err("VMX: d%u v%u: vector %u is not an exception\n",
               v->domain->id, v->id, vector);
        return;
    }
    if (!vmcs_get(sv))
        return;
    inject_hw_exception(vector, has_err, err);
    vmcs_put(sv);
}

static void vmx_get_paging(struct vcpu *v, struct guest_paging *p)
{
    struct vmx_vcpu *sv = v->hvm;

    memset(p, 0, sizeof(*p));
    if (!vmcs_get(sv))
        return;
    /* PE and PG are the guest's own in CR0; the shadows give the rest. */
    p->cr0 = guest_cr0();
    p->cr3 = vmcs_read(GUEST_CR3);
    p->cr4 = guest_cr4();
    p->efer = vmcs_read(GUEST_IA32_EFER);
    vmcs_put(sv);
}

static int vmx_guest_bits(struct vcpu *v)
{
    struct vmx_vcpu *sv = v->hvm;
    int bits;

    if (!vmcs_get(sv))
        return 32;
    bits = guest_bits();
    vmcs_put(sv);
    return bits;
}

/* PAT entries may hold UC, WC, WT, WP, WB or UC- (SDM 3A 13.12.2). */
static bool pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        uint8_t t = (uint8_t)(pat >> (8 * i));

        if (t > 7 || t == 2 || t == 3)
            return false;
    }
    return true;
}

static int vmx_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct vmx_vcpu *sv = v->hvm;

    if (msr != MSR_EFER && msr != MSR_IA32_PAT)
        return -1;
    if (!vmcs_get(sv))
        return -2;
    *val = vmcs_read(msr == MSR_EFER ? GUEST_IA32_EFER : GUEST_IA32_PAT);
    vmcs_put(sv);
    return 0;
}

static int vmx_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct vmx_vcpu *sv = v->hvm;
    uint64_t cur;
    int rc = 0;

    if (msr != MSR_EFER && msr != MSR_IA32_PAT)
        return -1;
    if (!vmcs_get(sv))
        return -2;
    if (msr == MSR_EFER) {
        cur = vmcs_read(GUEST_IA32_EFER);
        /* LME may not change while paging is on; LMA is the processor's,
         * following LME and CR0.PG (SDM 3A 10.8.5). */
        if ((val & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) ||
            (((val ^ cur) & EFER_LME) && (guest_cr0() & X86_CR0_PG)))
            rc = -2;
        else
            vmcs_write(GUEST_IA32_EFER, (val & ~(uint64_t)EFER_LMA) | (cur & EFER_LMA));
    } else {
        if (pat_valid(val))
            vmcs_write(GUEST_IA32_PAT, val);
        else
            rc = -2;
    }
    vmcs_put(sv);
    return rc;
}

static uint64_t vmx_npt_table_entry(mfn_t table)
{
    return (table << PAGE_SHIFT) | EPT_R | EPT_W | EPT_X;
}

/* Write-back, with the guest's PAT combined in (IPAT clear; SDM 29.3.7). */
static uint64_t vmx_npt_leaf_entry(mfn_t frame, bool write, bool exec)
{
    return (frame << PAGE_SHIFT) | EPT_R | (write ? EPT_W : 0) |
           (exec ? EPT_X : 0) | (MEMTYPE_WB << EPT_MEMTYPE_SHIFT);
}

/* INVEPT single-context drops the guest-physical and the combined
 * mappings of the EPTP, for every VPID (SDM 29.4.3.1), so it is all a
 * second-level change needs. */
static void vmx_npt_flush(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i] && d->vcpus[i]->hvm)
            __atomic_store_n(&((struct vmx_vcpu *)d->vcpus[i]->hvm)->flush, true,
                             __ATOMIC_RELEASE);
}

/* ---- Boot ------------------------------------------------------------ */

/* The MSR bitmap (SDM 25.6.9): read bits for MSRs 0-0x1fff at 0 and for
 * 0xc0000000-0xc0001fff at 1 KiB; the write bits 2 KiB after each. */
static void msr_passthrough(uint32_t msr)
{
    uint8_t *bm = msr_bitmap;
    unsigned int base;

    if (msr <= 0x1fff) {
        base = 0;
    } else if (msr >= 0xc0000000u && msr <= 0xc0001fffu) {
        base = 0x400;
        msr -= 0xc0000000u;
    } else {
        return;
    }
    bm[base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
    bm[base + 0x800 + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

bool vmx_available(const char **why)
{
    return probe(why);
}

int vmx_init(void)
{
    const char *why;

    if (!probe(&why))
        return -ENODEV;
    msr_bitmap = page_alloc_zeroed();
    if (!msr_bitmap)
        return -ENOMEM;
    memset(msr_bitmap, 0xff, PAGE_SIZE);
    /* The guest's own: the FS/GS bases and SYSENTER MSRs are switched by
     * VM entry and exit (SDM 27.3.2.1, 28.5.1), the rest lazily here. */
    static const uint32_t direct[] = {
        MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
        MSR_CSTAR, MSR_SFMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
        MSR_IA32_SYSENTER_EIP,
    };
    for (unsigned i = 0; i < ARRAY_SIZE(direct); i++)
        msr_passthrough(direct[i]);
    printk("VMX: EPT, unrestricted guest, %s, VMCS revision %#x\n",
           vmx.vpid ? "VPID" : "no VPID", vmx.revision);
    return 0;
}

const struct hvm_ops vmx_ops = {
    .name = "Intel VT-x (VMX + EPT)",
    .cpu_up = vmx_cpu_up,
    .vcpu_create = vmx_vcpu_create,
    .vcpu_destroy = vmx_vcpu_destroy,
    .vcpu_set_start = vmx_vcpu_set_start,
    .run = vmx_run,
    .inject_exception = vmx_inject_exception,
    .get_paging = vmx_get_paging,
    .guest_bits = vmx_guest_bits,
    .msr_read = vmx_msr_read,
    .msr_write = vmx_msr_write,
    .npt_table_entry = vmx_npt_table_entry,
    .npt_leaf_entry = vmx_npt_leaf_entry,
    .npt_flush = vmx_npt_flush,
    .hypercall_insn = { 0x0f, 0x01, 0xc1 },     /* VMCALL */
};
