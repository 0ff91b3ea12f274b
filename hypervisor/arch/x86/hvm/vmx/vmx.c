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
 * when a different vCPU runs on that CPU.
 *
 * This file holds the hvm_ops; vmx_int.h lists what vmcs.c, cr.c and
 * exit.c hold for it. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/heap.h>
#include <mica/percpu.h>
#include <mica/spinlock.h>
#include <mica/string.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/hvm.h>
#include "vmx_int.h"

/* EPT entries (SDM 29.3.2, tables 29-1 to 29-6).  Bit 11 is ignored by
 * the processor and p2m.c keeps it for "the domain owns this frame". */
#define EPT_R                   (1ull << 0)
#define EPT_W                   (1ull << 1)
#define EPT_X                   (1ull << 2)
#define EPT_MEMTYPE_SHIFT       3
#define EPT_SW_OWNED            (1ull << 11)
BUILD_BUG_ON(((EPT_R | EPT_W | EPT_X | (7ull << EPT_MEMTYPE_SHIFT)) & EPT_SW_OWNED) != 0);

/* Flat 32-bit segments and a busy 32-bit TSS, as VMCS access rights
 * (SDM table 25-2): type, S, DPL, P in 7:0, then AVL, L, D/B, G. */
#define AR_CODE32_FLAT          0xc09bu
#define AR_DATA32_FLAT          0xc093u
#define AR_TSS32_BUSY           0x008bu

#define PAT_POWER_ON            0x0007040600070406ull
#define DR7_INIT                0x400ull

#define NR_VPIDS                65536

static void *msr_bitmap;                /* shared, read-only once built */
static uint64_t vpid_map[NR_VPIDS / 64];
static spinlock_t vpid_lock = SPINLOCK_INIT;

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
    sv->vmcs = vmx_alloc_region();
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
    vmcs_write(GUEST_CR0, vmx_real_cr0(X86_CR0_PE | X86_CR0_ET));
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


/* ---- Running --------------------------------------------------------- */

static void vmx_run(struct vcpu *v, struct hvm_exit *e)
{
    struct vmx_vcpu *sv = v->hvm;
    struct pcpu *p = this_cpu();
    struct vmx_cpu *c = p->arch.hvm;
    int rc;

    memset(e, 0, sizeof(*e));
    if (__atomic_load_n(&c->dead, __ATOMIC_ACQUIRE))
        reap_dead(c);
    if (!vmcs_load_for_run(sv, p, c)) {
        e->reason = EXIT_INVALID;
        e->raw_name = "VMCS not loadable";
        return;
    }
    if (__atomic_exchange_n(&sv->flush, false, __ATOMIC_ACQ_REL))
        vmx_flush_guest_tlb(sv);
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
        int64_t err = rc == 2 ? vmx_insn_error() : -1;

        if (err >= 0)
            pr_err("VMX: d%u v%u: %s failed on CPU%u: VM-instruction error %lld (%s)\n",
                   v->domain->id, v->id, insn, p->id, (long long)err,
                   vmx_insn_error_name((uint64_t)err));
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
    vmx_decode_exit(v, sv, e);
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
    vmx_inject_hw_exception(vector, has_err, err);
    vmcs_put(sv);
}

static void vmx_get_paging(struct vcpu *v, struct guest_paging *p)
{
    struct vmx_vcpu *sv = v->hvm;

    memset(p, 0, sizeof(*p));
    if (!vmcs_get(sv))
        return;
    /* PE and PG are the guest's own in CR0; the shadows give the rest. */
    p->cr0 = vmx_guest_cr0();
    p->cr3 = vmcs_read(GUEST_CR3);
    p->cr4 = vmx_guest_cr4();
    p->efer = vmcs_read(GUEST_IA32_EFER);
    vmcs_put(sv);
}

static int vmx_guest_bits(struct vcpu *v)
{
    struct vmx_vcpu *sv = v->hvm;
    int bits;

    if (!vmcs_get(sv))
        return 32;
    bits = vmx_mode_bits();
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
            (((val ^ cur) & EFER_LME) && (vmx_guest_cr0() & X86_CR0_PG)))
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
    return vmx_probe(why);
}

int vmx_init(void)
{
    const char *why;

    if (!vmx_probe(&why))
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
