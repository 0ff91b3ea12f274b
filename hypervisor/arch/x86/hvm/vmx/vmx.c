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
 * dom0's vCPUs differ from the others only in their controls, which leave
 * their CPU's interrupts, HLT and nearly all of its ports and MSRs to them
 * (controls.c).
 *
 * This file holds the hvm_ops; vmx_int.h lists what vmcs.c, controls.c,
 * cr.c and exit.c hold for it. */
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

/* Flat segments and a busy TSS, as VMCS access rights (SDM table 25-2):
 * type, S, DPL, P in 7:0, then AVL, L, D/B, G.  Type 11 is a busy 32-bit
 * TSS, and in IA-32e mode a busy 64-bit one. */
#define AR_CODE32_FLAT          0xc09bu
#define AR_CODE64               0xa09bu
#define AR_DATA32_FLAT          0xc093u
#define AR_TSS_BUSY             0x008bu

#define PAT_POWER_ON            0x0007040600070406ull
#define DR7_INIT                0x400ull

#define NR_VPIDS                65536

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

static int vmx_vcpu_create(struct vcpu *v)
{
    struct vmx_cpu *c = this_cpu()->arch.hvm;
    struct vmx_vcpu *sv;
    unsigned int fails;
    int rc;

    if (!c)
        return -ENODEV;         /* VMX is off on this CPU */
    rc = vmx_controls_prepare(v->domain);
    if (rc < 0)
        return rc;
    sv = page_alloc_zeroed();
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
        vmx_write_controls(sv, v->domain);
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

static void vmx_vcpu_unload(struct vcpu *v)
{
    if (v->hvm)
        vcpu_unload(v->hvm);
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

/* PVH: 32-bit flat code and data, paging off, a busy 32-bit TSS (Xen's
 * docs/misc/pvh.pandoc). */
static void start_pvh32(void)
{
    set_seg(SEG_CS, 0x08, 0, 0xffffffff, AR_CODE32_FLAT);
    set_seg(SEG_DS, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_ES, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_SS, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_FS, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_GS, 0x10, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_TR, 0x18, 0, 0x67, AR_TSS_BUSY);
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
}

/* Linux's 64-bit boot protocol (Documentation/arch/x86/boot.rst): long
 * mode with the loader's page tables and GDT, 64-bit code at 0x10, flat
 * data at 0x18, no IDT.  VM entry wants a usable TR even so (SDM
 * 27.3.1.2): a busy 64-bit TSS at 0, which Linux replaces with its own.
 * EFER.LMA and the "IA-32e mode guest" entry control go together (SDM
 * 27.3.1.1). */
static void start_linux64(const struct vcpu_start_state *st)
{
    const uint64_t cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;

    set_seg(SEG_CS, 0x10, 0, 0xffffffff, AR_CODE64);
    set_seg(SEG_DS, 0x18, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_ES, 0x18, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_SS, 0x18, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_FS, 0x18, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_GS, 0x18, 0, 0xffffffff, AR_DATA32_FLAT);
    set_seg(SEG_TR, 0, 0, 0x67, AR_TSS_BUSY);
    vmcs_write(GUEST_GDTR_BASE, st->gdt_base);
    vmcs_write(GUEST_GDTR_LIMIT, st->gdt_limit);
    vmcs_write(GUEST_IDTR_BASE, 0);
    vmcs_write(GUEST_IDTR_LIMIT, 0);
    vmcs_write(GUEST_CR0, vmx_real_cr0(cr0));
    vmcs_write(CR0_READ_SHADOW, cr0);
    vmcs_write(GUEST_CR3, st->cr3);
    vmcs_write(GUEST_CR4, X86_CR4_PAE | vmx.cr4_fixed0);
    vmcs_write(CR4_READ_SHADOW, X86_CR4_PAE);
    vmcs_write(GUEST_IA32_EFER, EFER_LME | EFER_LMA);
    vmcs_set_bits(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
}

/* A START_HVM segment: the ABI's packed attributes move AVL, L, D/B and G
 * from bits 11:8 to 15:12 (SDM table 25-2); a null one is unusable. */
static void set_start_seg(enum vmx_seg s, const struct start_seg *g)
{
    uint32_t ar = g->attr ? (g->attr & 0xffu) | ((g->attr & 0xf00u) << 4)
                          : AR_UNUSABLE;

    set_seg(s, g->sel, g->base, g->limit, ar);
}

/* VCPUOP_initialise's state, which vcpu_op.c has checked against the
 * VM-entry checks (SDM 27.3.1).  CR0 and CR4 as for a guest write (cr.c):
 * the bits mica owns in the read shadows; the PDPTEs go in with the rest
 * in vmx_vcpu_set_start(). */
static void start_hvm(const struct vcpu_start_state *st)
{
    set_start_seg(SEG_CS, &st->cs);
    set_start_seg(SEG_DS, &st->ds);
    set_start_seg(SEG_ES, &st->es);
    set_start_seg(SEG_SS, &st->ss);
    set_start_seg(SEG_FS, &st->fs);
    set_start_seg(SEG_GS, &st->gs);
    set_start_seg(SEG_TR, &st->tr);
    vmcs_write(GUEST_GDTR_BASE, 0);
    vmcs_write(GUEST_GDTR_LIMIT, 0);
    vmcs_write(GUEST_IDTR_BASE, 0);
    vmcs_write(GUEST_IDTR_LIMIT, 0);
    vmcs_write(GUEST_CR0, vmx_real_cr0(st->cr0));
    vmcs_write(CR0_READ_SHADOW, st->cr0);
    vmcs_write(GUEST_CR3, st->cr3);
    vmcs_write(GUEST_CR4, st->cr4 | vmx.cr4_fixed0);
    vmcs_write(CR4_READ_SHADOW, st->cr4);
    vmcs_write(GUEST_IA32_EFER, st->efer);
    if (st->efer & EFER_LMA)
        vmcs_set_bits(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
    else
        vmcs_clear_bits(ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
}

static void vmx_vcpu_set_start(struct vcpu *v, const struct vcpu_start_state *st)
{
    struct vmx_vcpu *sv = v->hvm;
    struct vmx_cpu *c = this_cpu()->arch.hvm;
    unsigned long f;

    if (!vmcs_get(sv))
        return;         /* reported; the first VM entry will fail */
    if (st->mode == START_LINUX64)
        start_linux64(st);
    else if (st->mode == START_HVM)
        start_hvm(st);
    else
        start_pvh32();
    set_seg(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
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
        vmcs_write((enum vmcs_field)(GUEST_PDPTE0 + 2 * i),
                   st->mode == START_HVM ? st->pdpte[i] : 0);
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
    if (st->mode == START_LINUX64)
        v->regs.rsi = st->rsi;
    else
        v->regs.rbx = st->rbx;
    v->regs.rflags = X86_RFLAGS_RSVD1;
    if (st->mode == START_HVM)
        v->regs = st->regs;
    sv->exit_rip = v->regs.rip;
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
    if (!v->domain->is_dom0) {
        vmx_intr_assist(v);
        /* The run ends by this bound even if no interrupt exit comes
         * (RUN_BOUND_NS in vmcs.c); the timer starts anew at each entry. */
        if (vmx.preempt_ticks)
            vmcs_write(GUEST_PREEMPTION_TIMER, vmx.preempt_ticks);
    }

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

/* enum vmx_seg numbers ES-GS as instructions encode them. */
static uint64_t vmx_seg_base(struct vcpu *v, int seg)
{
    struct vmx_vcpu *sv = v->hvm;
    uint64_t base;

    if (seg < SEG_ES || seg > SEG_GS || !vmcs_get(sv))
        return 0;
    base = vmcs_read(GUEST_SEG_BASE(seg));
    vmcs_put(sv);
    return base;
}

/* SS.DPL is the CPL in every mode: 0 in real mode, 3 in virtual-8086
 * mode (Intel SDM 3C 27.3.1.2 checks exactly that on entry). */
static int vmx_guest_cpl(struct vcpu *v)
{
    struct vmx_vcpu *sv = v->hvm;
    int cpl;

    if (!vmcs_get(sv))
        return 0;
    cpl = (int)(vmcs_read(GUEST_SEG_AR(SEG_SS)) >> 5) & 3;
    vmcs_put(sv);
    return cpl;
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

/* Write-back for RAM, uncacheable for device memory, with the guest's
 * PAT combined in (IPAT clear): the EPT type takes the place of the MTRR
 * type (SDM 29.3.7.2), so device memory behaves as under an MTRR that
 * says UC, where a PAT of WC still gives WC (SDM 3A table 13-7). */
static uint64_t vmx_npt_leaf_entry(mfn_t frame, bool write, bool exec, bool ram)
{
    return (frame << PAGE_SHIFT) | EPT_R | (write ? EPT_W : 0) |
           (exec ? EPT_X : 0) |
           ((ram ? MEMTYPE_WB : MEMTYPE_UC) << EPT_MEMTYPE_SHIFT);
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

bool vmx_available(const char **why)
{
    return vmx_probe(why);
}

int vmx_init(void)
{
    const char *why;
    int rc;

    if (!vmx_probe(&why))
        return -ENODEV;
    rc = vmx_controls_init();
    if (rc < 0)
        return rc;
    printk("VMX: EPT, unrestricted guest, %s, %s, VMCS revision %#x\n",
           vmx.vpid ? "VPID" : "no VPID",
           vmx.preempt_ticks ? "preemption timer" : "no preemption timer", vmx.revision);
    if (vmx.dom0_why)
        printk("VMX: no passthrough partition (dom0) here: %s\n", vmx.dom0_why);
    return 0;
}

const struct hvm_ops vmx_ops = {
    .name = "Intel VT-x (VMX + EPT)",
    .cpu_up = vmx_cpu_up,
    .vcpu_create = vmx_vcpu_create,
    .vcpu_destroy = vmx_vcpu_destroy,
    .vcpu_set_start = vmx_vcpu_set_start,
    .run = vmx_run,
    .vcpu_unload = vmx_vcpu_unload,
    .inject_exception = vmx_inject_exception,
    .get_paging = vmx_get_paging,
    .guest_bits = vmx_guest_bits,
    .seg_base = vmx_seg_base,
    .guest_cpl = vmx_guest_cpl,
    .msr_read = vmx_msr_read,
    .msr_write = vmx_msr_write,
    .npt_table_entry = vmx_npt_table_entry,
    .npt_leaf_entry = vmx_npt_leaf_entry,
    .npt_flush = vmx_npt_flush,
    .hypercall_insn = { 0x0f, 0x01, 0xc1 },     /* VMCALL */
};
