/* VMX operation and the VMCS itself: the VMX instructions, each checked
 * for VMfail (Intel SDM vol. 3C, 31.2); the capability MSRs and the
 * controls mica takes from them (appendix A); VMXON on each CPU; and
 * making a vCPU's VMCS current on a CPU, with the host state that a VM
 * exit loads there. */
#include <mica/console.h>
#include <mica/errno.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/string.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include "vmx_int.h"

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
#define EPT_CAP_2M              (1ull << 16)
#define EPT_CAP_INVEPT          (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE   (1ull << 25)
#define EPT_CAP_INVEPT_ALL      (1ull << 26)
#define VPID_CAP_INVVPID        (1ull << 32)
#define VPID_CAP_SINGLE         (1ull << 41)
#define VPID_CAP_ALL            (1ull << 42)

/* IA32_VMX_MISC (SDM A.6): the VMX-preemption timer counts down by one
 * each time this bit of the TSC changes. */
#define MSR_IA32_VMX_MISC       0x00000485
#define MISC_PREEMPT_RATE(m)    ((unsigned)(m) & 0x1f)

/* The longest a xenU vCPU runs before a VM exit gives mica its CPU back,
 * whatever the guest does.  An external interrupt (mica's slice timer, a
 * kick from another CPU) is meant to end the run, and does on real
 * processors whatever the guest's RFLAGS.IF; Bochs 2.7, though, works out
 * at VM entry whether an interrupt may be taken as for the host, before it
 * counts the CPU as in the guest (cpu/vmx.cc: RFLAGS loaded through
 * setEFlags() while in_vmx_guest is still 0): a guest entered with IF
 * clear, from mica's IF clear, keeps its interrupts pending until it
 * changes IF itself, which a guest spinning with interrupts off never
 * does.  The VMX-preemption timer does not depend on IF, so each run ends
 * by this bound at the latest: then mica takes the pending interrupt, and
 * a slice or a kick is late by no more than this. */
#define RUN_BOUND_NS            2000000ull      /* 2 ms */

#define INVEPT_SINGLE           1
#define INVEPT_ALL              2
#define INVVPID_SINGLE          1
#define INVVPID_ALL             2

struct vmx_caps vmx;

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

const char *vmx_insn_error_name(uint64_t err)
{
    if (err < ARRAY_SIZE(insn_errors) && insn_errors[err])
        return insn_errors[err];
    return "unknown";
}

/* The VM-instruction error of the current VMCS, or -1 if there is none
 * (then the failure was VMfailInvalid). */
int64_t vmx_insn_error(void)
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
    int64_t err = vmx_insn_error();

    if (p->arch.hvm)
        ((struct vmx_cpu *)p->arch.hvm)->vmfails++;
    if (err < 0)
        pr_err("VMX: %s %#lx failed on CPU%u: VMfailInvalid (no current VMCS)\n",
               op, arg, p->id);
    else
        pr_err("VMX: %s %#lx failed on CPU%u: VM-instruction error %lld (%s)\n",
               op, arg, p->id, (long long)err, vmx_insn_error_name((uint64_t)err));
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
    bool name(paddr_t addr)                                                 \
    {                                                                       \
        bool fail;                                                          \
                                                                            \
        __asm__ volatile(#name " %[addr]"                                   \
                         : "=@ccbe"(fail) : [addr] "m"(addr) : "memory");   \
        if (unlikely(fail))                                                 \
            vmx_report_vmfail(#name, addr);                                 \
        return !fail;                                                       \
    }
static VMX_PA_INSN(vmptrld)
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

/* A zeroed page for a VMXON or VMCS region (SDM 25.2, A.1). */
void *vmx_alloc_region(void)
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

/* Controls dom0's vCPUs must have off: its device interrupts and NMIs go
 * straight to its own IDT, and its HLT waits for them in the guest. */
#define DOM0_PIN_OFF    (PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)
#define DOM0_PROC_OFF   PROC_HLT_EXITING
/* And those it is better without, where the processor lets them be 0:
 * the instructions act on dom0's own CPU alone, and its CR8 is its own
 * LAPIC's TPR, the register it also reaches by MMIO (SDM 3A 11.8.6.1): a
 * copy kept by mica, as for xenU, would disagree with it.  CR3 exiting is
 * off for every guest where it can be. */
#define DOM0_PROC_UNWANTED (PROC_INVLPG_EXITING | PROC_MWAIT_EXITING |     \
                            PROC_RDPMC_EXITING | PROC_RDTSC_EXITING |       \
                            PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | \
                            PROC_UNCOND_IO_EXITING | PROC_MONITOR_EXITING)
/* Instructions that raise #UD unless a secondary control enables them
 * (SDM 26.3): dom0's CPUID may show them, so dom0 gets them wherever the
 * processor has the control. */
#define DOM0_PROC2_WANT (PROC2_ENABLE_XSAVES | PROC2_USER_WAIT_PAUSE)

/* dom0's controls: xenU's, with interrupts, HLT and the instructions above
 * left to the guest, and I/O through bitmaps (controls.c) instead of
 * every port exiting.  Its device memory is mapped in 2 MiB pages where
 * it can be (p2m.c), which EPT may lack (SDM A.10).  Returns why dom0
 * cannot run here, or NULL. */
static const char *dom0_controls(bool tru, uint64_t ept_cap)
{
    uint64_t pin = rdmsr(tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
    uint64_t proc = rdmsr(tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
    uint32_t proc2_may = (uint32_t)(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32);
    uint32_t pin_must = (uint32_t)pin, proc_must = (uint32_t)proc;

    if (pin_must & DOM0_PIN_OFF)
        return "VMX forces interrupt or NMI exiting";
    if (proc_must & DOM0_PROC_OFF)
        return "VMX forces HLT exiting";
    if (!((proc >> 32) & PROC_USE_IO_BITMAPS))
        return "VMX without I/O bitmaps";
    if (!(ept_cap & EPT_CAP_2M))
        return "EPT without 2 MiB pages";
    /* dom0 never gives its CPU back (its vCPU is alone there): no bound. */
    vmx.dom0_pin = vmx.pin & ~(DOM0_PIN_OFF | PIN_PREEMPTION_TIMER);
    vmx.dom0_proc = (vmx.proc & ~(uint32_t)(DOM0_PROC_OFF | DOM0_PROC_UNWANTED)) |
                    proc_must | PROC_USE_IO_BITMAPS;
    vmx.dom0_proc2 = vmx.proc2 | (DOM0_PROC2_WANT & proc2_may);
    return NULL;
}

/* The VMX-preemption timer's start value for RUN_BOUND_NS, from the TSC
 * rate lapic_calibrate() measured; without the timer (an older processor)
 * interrupt exits alone end a run. */
static void preemption_timer_setup(void)
{
    uint64_t ticks;

    vmx.preempt_ticks = 0;
    if (!(vmx.pin & PIN_PREEMPTION_TIMER))
        return;
    ticks = (RUN_BOUND_NS * tsc_khz / 1000000) >> MISC_PREEMPT_RATE(rdmsr(MSR_IA32_VMX_MISC));
    vmx.preempt_ticks = (uint32_t)MIN(MAX(ticks, 1ull), 0xffffffffull);
}

bool vmx_probe(const char **why)
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
                      PIN_EXT_INTR_EXITING | PIN_NMI_EXITING, PIN_PREEMPTION_TIMER,
                      &vmx.pin)) {
        *why = "VMX without external-interrupt or NMI exiting";
        return false;
    }
    preemption_timer_setup();
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
    vmx.dom0_why = dom0_controls(tru, rdmsr(MSR_IA32_VMX_EPT_VPID_CAP));

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

int vmx_cpu_up(void)
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
    c->vmxon_region = vmx_alloc_region();
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
bool vmcs_get(struct vmx_vcpu *sv)
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

void vmcs_put(struct vmx_vcpu *sv)
{
    struct vmx_cpu *c = this_cpu()->arch.hvm;

    if (sv->cpu != NO_CPU)
        return;                 /* it lives on this CPU */
    vmclear(pa(sv->vmcs));
    c->current = NULL;
}

/* Drops what any CPU may cache for this vCPU's EPT tables and VPID. */
void vmx_flush_guest_tlb(struct vmx_vcpu *sv)
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
bool vmcs_load_for_run(struct vmx_vcpu *sv, struct pcpu *p, struct vmx_cpu *c)
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
        /* Moved without vcpu_unload() (vmx.c) on its old CPU: loading it
         * here would make it active on two CPUs (SDM 25.11.1). */
        pr_err("VMX: d%u v%u: moved from CPU%u to CPU%u without VMCLEAR\n",
               sv->v->domain->id, sv->v->id, sv->cpu, p->id);
        return false;
    }
    if (!vmcs_get(sv))
        return false;
    sv->cpu = p->id;
    sv->launched = false;
    write_host_state(p);
    vmx_flush_guest_tlb(sv);
    return true;
}
