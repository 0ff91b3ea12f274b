/* The AMD-V backend: SVM with nested paging.  AMD APM vol. 2, chapter 15.
 * Under QEMU's TCG there is no next-RIP (NRIPS), so instruction lengths
 * come from what the exit says (IOIO gives the next RIP) or from the fixed
 * encodings of the intercepted instructions. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/event.h>
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
#include <mica/ctl.h>
#include "vmcb.h"

#define CPUID_SVM_BIT   (1u << 2)       /* 0x80000001 ECX */
#define CPUID_NPT_BIT   (1u << 0)       /* 0x8000000A EDX */
#define CPUID_NRIPS_BIT (1u << 3)
#define VM_CR_SVMDIS    (1u << 4)

void svm_vmrun(uint64_t vmcb_pa, struct guest_regs *regs, uint64_t host_save_pa);

struct svm_vcpu {
    struct guest_fpu fpu;   /* first, for its alignment */
    struct vmcb *vmcb;
    unsigned int last_cpu;
    uint64_t asid_round;    /* last_cpu's round its ASID is from */
    bool flush;
};

struct svm_cpu {
    void *hsave;        /* VM_HSAVE_PA: the processor's own host save area */
    void *host_vmcb;    /* VMSAVE/VMLOAD area for mica's hidden state */
    spinlock_t lock;    /* guards owner */
    struct svm_vcpu *owner;     /* whose FPU and debug registers are loaded */
    /* ASIDs are this CPU's to hand out, one per vCPU that arrives, in
     * rounds; each round starts with a flush of every ASID (svm_run). */
    uint32_t next_asid;
    uint64_t asid_round;
};

static void *iopm, *msrpm;      /* xenU: every port and most MSRs trap */
static void *dom0_iopm, *dom0_msrpm;  /* dom0: only what mica keeps */
static uint32_t max_asid;
static bool has_nrips;

static void *alloc_contig(unsigned pages, uint8_t fill)
{
    mfn_t m = frame_alloc_range(pages, 1, FRAME_FLOOR_MFN, GiB(4) >> PAGE_SHIFT);
    void *p;

    if (m == MFN_INVALID)
        return NULL;
    p = (void *)(uintptr_t)(m << PAGE_SHIFT);
    memset(p, fill, pages * PAGE_SIZE);
    return p;
}

static bool svm_usable(const char **why)
{
    struct cpuid_regs r = cpuid(0x80000000);

    if (r.eax < 0x8000000a || !(cpuid(0x80000001).ecx & CPUID_SVM_BIT)) {
        *why = "no SVM";
        return false;
    }
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
        *why = "SVM disabled by the firmware (VM_CR.SVMDIS)";
        return false;
    }
    r = cpuid(0x8000000a);
    if (!(r.edx & CPUID_NPT_BIT)) {
        *why = "SVM without nested paging";
        return false;
    }
    return true;
}

/* Lets the guest use an MSR directly (clears both bits in the bitmap), or
 * traps it (sets them). */
static void msr_set(void *map, uint32_t msr, bool trap)
{
    uint8_t *bm = map;
    uint32_t base;

    if (msr < 0x2000)
        base = 0;
    else if (msr >= 0xc0000000 && msr < 0xc0002000)
        base = 0x800, msr -= 0xc0000000;
    else if (msr >= 0xc0010000 && msr < 0xc0012000)
        base = 0x1000, msr -= 0xc0010000;
    else
        return;
    if (trap)
        bm[base + msr / 4] |= (uint8_t)(3u << ((msr % 4) * 2));
    else
        bm[base + msr / 4] &= (uint8_t)~(3u << ((msr % 4) * 2));
}

static void io_trap(void *map, uint16_t port, unsigned int count)
{
    uint8_t *bm = map;

    for (unsigned int p = port; p < port + count; p++)
        bm[p / 8] |= (uint8_t)(1u << (p % 8));
}

/* dom0's bitmaps: everything passes but the doorbell, mica's own UART,
 * and the MSRs that hold SVM itself (EFER.SVME, VM_CR, VM_HSAVE_PA). */
static int dom0_bitmaps(void)
{
    if (dom0_iopm)
        return 0;
    dom0_iopm = alloc_contig(3, 0);
    dom0_msrpm = alloc_contig(2, 0);
    if (!dom0_iopm || !dom0_msrpm)
        return -ENOMEM;
    io_trap(dom0_iopm, MICA_CTL_PORT, 4);
    if (mica_uart_port)
        io_trap(dom0_iopm, mica_uart_port, 8);
    msr_set(dom0_msrpm, MSR_EFER, true);
    msr_set(dom0_msrpm, MSR_VM_CR, true);
    msr_set(dom0_msrpm, MSR_VM_HSAVE_PA, true);
    return 0;
}

static int svm_cpu_up(void)
{
    struct pcpu *c = this_cpu();
    struct svm_cpu *s;
    const char *why;

    if (!svm_usable(&why))
        return -ENODEV;
    s = kzalloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->next_asid = max_asid;    /* the first vCPU here starts a round */
    s->hsave = page_alloc_zeroed();
    s->host_vmcb = page_alloc_zeroed();
    if (!s->hsave || !s->host_vmcb)
        return -ENOMEM;
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, (uintptr_t)s->hsave);
    c->arch.hvm = s;
    return 0;
}

static int svm_vcpu_create(struct vcpu *v)
{
    struct svm_vcpu *sv = kzalloc(sizeof(*sv));
    struct vmcb *vm;

    if (!sv)
        return -ENOMEM;
    guest_fpu_init(&sv->fpu);
    sv->vmcb = vm = page_alloc_zeroed();
    if (!vm) {
        kfree(sv);
        return -ENOMEM;
    }
    /* #DF only: see double_fault(). */
    vm->intercept_exc = 1u << 8;
    vm->intercept1 = INT1_INTR | INT1_NMI | INT1_SMI | INT1_INIT |
                     INT1_CPUID | INT1_HLT | INT1_IOIO | INT1_MSR |
                     INT1_SHUTDOWN | INT1_INVD | INT1_TASKSW | INT1_INVLPGA;
    /* VMRUN must be intercepted (APM 15.5.1); the rest keep the guest
     * from SVM itself (EFER.SVME is set under it) and from MONITOR/MWAIT,
     * which its CPUID does not offer: each gets #UD, as it would on a CPU
     * without them. */
    vm->intercept2 = INT2_VMRUN | INT2_VMMCALL | INT2_VMLOAD | INT2_VMSAVE |
                     INT2_STGI | INT2_CLGI | INT2_SKINIT |
                     INT2_MONITOR | INT2_MWAIT | INT2_XSETBV;
    vm->iopm_pa = (uintptr_t)iopm;
    vm->msrpm_pa = (uintptr_t)msrpm;
    vm->vintr = VINTR_MASKING;
    if (v->domain->is_dom0) {
        /* A passthrough partition on its own CPU: interrupts, NMIs, HLT
         * and MONITOR/MWAIT reach the hardware; with V_INTR_MASKING clear
         * the guest's RFLAGS.IF masks them (APM 15.21.1). */
        if (dom0_bitmaps() < 0) {
            page_free(vm);
            kfree(sv);
            return -ENOMEM;
        }
        vm->intercept1 &= ~(INT1_INTR | INT1_NMI | INT1_HLT);
        vm->intercept2 &= ~(INT2_MONITOR | INT2_MWAIT);
        vm->iopm_pa = (uintptr_t)dom0_iopm;
        vm->msrpm_pa = (uintptr_t)dom0_msrpm;
        vm->vintr = 0;
    }
    vm->np_enable = 1;
    vm->n_cr3 = v->domain->npt_root << PAGE_SHIFT;
    vm->g_pat = 0x0007040600070406ull;   /* the power-on PAT */
    vm->efer = EFER_SVME;
    sv->last_cpu = ~0u;
    v->hvm = sv;
    return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
    struct svm_vcpu *sv = v->hvm;

    if (!sv)
        return;
    /* No CPU may save into it later: the vCPU runs nowhere now. */
    for (unsigned int i = 0; i < nr_cpus; i++) {
        struct svm_cpu *c = pcpus[i].arch.hvm;
        unsigned long f;

        if (!c)
            continue;
        f = spin_lock_irqsave(&c->lock);
        if (c->owner == sv)
            c->owner = NULL;
        spin_unlock_irqrestore(&c->lock, f);
    }
    page_free(sv->vmcb);
    kfree(sv);
    v->hvm = NULL;
}

/* A VMCB may run on any CPU (svm_run flushes the ASID's TLB entries when
 * it arrives on another); only the lazily switched FPU and debug
 * registers can still be in this CPU's registers. */
static void svm_vcpu_unload(struct vcpu *v)
{
    struct svm_vcpu *sv = v->hvm;
    struct svm_cpu *c = this_cpu()->arch.hvm;
    unsigned long f;

    if (!sv || !c)
        return;
    f = spin_lock_irqsave(&c->lock);
    if (c->owner == sv) {
        guest_fpu_save(&sv->fpu);
        c->owner = NULL;
    }
    spin_unlock_irqrestore(&c->lock, f);
}

static void set_seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib,
                    uint32_t limit, uint64_t base)
{
    s->sel = sel;
    s->attrib = attrib;
    s->limit = limit;
    s->base = base;
}

static void set_start_seg(struct vmcb_seg *s, const struct start_seg *g)
{
    set_seg(s, g->sel, g->attr, g->limit, g->base);
}

/* VCPUOP_initialise's state, checked by vcpu_op.c against what VMRUN
 * accepts (APM 15.5.1).  The VMCB's attribute format is the ABI's. */
static void start_hvm(struct vcpu *v, struct vmcb *vm,
                      const struct vcpu_start_state *st)
{
    set_start_seg(&vm->cs, &st->cs);
    set_start_seg(&vm->ds, &st->ds);
    set_start_seg(&vm->es, &st->es);
    set_start_seg(&vm->ss, &st->ss);
    set_start_seg(&vm->fs, &st->fs);
    set_start_seg(&vm->gs, &st->gs);
    set_start_seg(&vm->tr, &st->tr);
    set_seg(&vm->gdtr, 0, 0, 0, 0);
    vm->idtr.limit = 0;
    vm->cpl = (st->ss.attr >> 5) & 3;
    vm->cr0 = st->cr0;
    vm->cr3 = st->cr3;
    vm->cr4 = st->cr4;
    vm->efer = st->efer | EFER_SVME;
    v->regs = st->regs;
}

static void svm_vcpu_set_start(struct vcpu *v, const struct vcpu_start_state *st)
{
    struct vmcb *vm = ((struct svm_vcpu *)v->hvm)->vmcb;

    set_seg(&vm->ldtr, 0, 0x082, 0, 0);
    set_seg(&vm->idtr, 0, 0, 0xffff, 0);
    vm->cpl = 0;
    vm->dr6 = 0xffff0ff0;
    vm->dr7 = 0x400;
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rip = st->rip;
    v->regs.rflags = X86_RFLAGS_RSVD1;
    if (st->mode == START_HVM) {
        start_hvm(v, vm, st);
        return;
    }
    if (st->mode == START_LINUX64) {
        /* 64-bit code (L=1), flat data, a busy 64-bit TSS, paging on. */
        set_seg(&vm->cs, 0x10, 0xa9b, 0xffffffff, 0);
        set_seg(&vm->ds, 0x18, 0xc93, 0xffffffff, 0);
        vm->es = vm->ss = vm->fs = vm->gs = vm->ds;
        set_seg(&vm->tr, 0x20, 0x08b, 0x67, 0);
        set_seg(&vm->gdtr, 0, 0, st->gdt_limit, st->gdt_base);
        vm->idtr.limit = 0;
        vm->cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET | X86_CR0_NE;
        vm->cr3 = st->cr3;
        vm->cr4 = X86_CR4_PAE;
        vm->efer = EFER_LME | EFER_LMA | EFER_SVME;
        v->regs.rsi = st->rsi;
        return;
    }
    /* PVH: 32-bit flat code and data, paging off, a busy 32-bit TSS
     * (Xen's docs/misc/pvh.pandoc). */
    set_seg(&vm->cs, 0x08, 0xc9b, 0xffffffff, 0);
    set_seg(&vm->ds, 0x10, 0xc93, 0xffffffff, 0);
    vm->es = vm->ss = vm->fs = vm->gs = vm->ds;
    set_seg(&vm->tr, 0x18, 0x08b, 0x67, 0);
    set_seg(&vm->gdtr, 0, 0, 0xffff, 0);
    vm->cr0 = X86_CR0_PE | X86_CR0_ET;
    vm->cr3 = 0;
    vm->cr4 = 0;
    vm->efer = EFER_SVME;
    v->regs.rbx = st->rbx;
}

static const char *exit_name(uint64_t code)
{
    switch (code) {
    case SVM_EXIT_INTR: return "INTR";
    case SVM_EXIT_NMI: return "NMI";
    case SVM_EXIT_SMI: return "SMI";
    case SVM_EXIT_INIT: return "INIT";
    case SVM_EXIT_CPUID: return "CPUID";
    case SVM_EXIT_HLT: return "HLT";
    case SVM_EXIT_IOIO: return "IOIO";
    case SVM_EXIT_MSR: return "MSR";
    case SVM_EXIT_SHUTDOWN: return "SHUTDOWN";
    case SVM_EXIT_VMRUN: return "VMRUN";
    case SVM_EXIT_VMMCALL: return "VMMCALL";
    case SVM_EXIT_XSETBV: return "XSETBV";
    case SVM_EXIT_NPF: return "NPF";
    case SVM_EXIT_INVALID: return "INVALID";
    case SVM_EXIT_TASKSW: return "TASK_SWITCH";
    case SVM_EXIT_INVD: return "INVD";
    default:
        if (code >= SVM_EXIT_EXC_BASE && code < SVM_EXIT_EXC_BASE + 32)
            return "exception";
        return "unknown";
    }
}

/* A guest double fault is intercepted so that a guest which cannot take it
 * ends as a triple fault even where the SHUTDOWN intercept is unreliable
 * (Bochs 2.7 panics before delivering it).  If the guest's IDT has a
 * present gate for vector 8 the #DF goes back to the guest unchanged;
 * otherwise delivering it would shut the CPU down, which is a triple fault
 * by definition (AMD APM vol. 2, 8.2.9). */
static bool double_fault_deliverable(struct vcpu *v, struct vmcb *vm)
{
    bool lm = vm->efer & EFER_LMA;
    unsigned size = !(vm->cr0 & X86_CR0_PE) ? 4 : lm ? 16 : 8;
    uint8_t gate[16];

    if (vm->idtr.limit < 8 * size + size - 1)
        return false;
    if (!(vm->cr0 & X86_CR0_PE))
        return true;        /* real mode: any IVT entry is "present" */
    if (copy_from_guest(v, gate, vm->idtr.base + 8 * size, size))
        return false;
    return gate[5] & 0x80;
}

/* An event-channel upcall goes in as an external interrupt when the guest
 * can take one; until then a virtual interrupt request with its intercept
 * makes the CPU exit at the moment it could (APM 15.21.4). */
static void svm_intr_assist(struct vcpu *v, struct vmcb *vm)
{
    int vec = evtchn_upcall_vector(v);

    vm->vintr &= ~(VINTR_IRQ | VINTR_PRIO(0xf) | VINTR_IGN_TPR);
    vm->intercept1 &= ~INT1_VINTR;
    if (vec < 0)
        return;
    if (!(vm->event_inj & EVENTINJ_VALID) && (v->regs.rflags & X86_RFLAGS_IF) &&
        !(vm->int_state & INT_STATE_SHADOW)) {
        vm->event_inj = EVENTINJ_VALID | EVENTINJ_TYPE_INTR | (uint8_t)vec;
        return;
    }
    vm->vintr |= VINTR_IRQ | VINTR_PRIO(0xf) | VINTR_IGN_TPR;
    vm->intercept1 |= INT1_VINTR;
}

/* An exit that came while the guest was receiving an interrupt, NMI or
 * exception leaves it undelivered (EXITINTINFO): it goes in again with the
 * next entry.  Software interrupts and #BP/#OF are not re-injected: RIP
 * still points at their instruction, which runs again. */
static void svm_requeue_event(struct vmcb *vm)
{
    uint64_t info = vm->exitintinfo;
    uint64_t type = info & EVENTINJ_TYPE_MASK;
    uint8_t vec = (uint8_t)info;

    if (!(info & EVENTINJ_VALID))
        return;
    if (type == EVENTINJ_TYPE_INTR || type == EVENTINJ_TYPE_NMI ||
        (type == EVENTINJ_TYPE_EXC && vec != 3 && vec != 4))
        vm->event_inj = info;
}

static void svm_run(struct vcpu *v, struct hvm_exit *e)
{
    struct svm_vcpu *sv = v->hvm;
    struct vmcb *vm = sv->vmcb;
    struct svm_cpu *sc = this_cpu()->arch.hvm;
    uint64_t code;

    if (sc->owner != sv) {
        unsigned long f = spin_lock_irqsave(&sc->lock);

        if (sc->owner)
            guest_fpu_save(&sc->owner->fpu);
        guest_fpu_load(&sv->fpu);
        sc->owner = sv;
        spin_unlock_irqrestore(&sc->lock, f);
    }
    /* The TLB tags guest translations with the ASID alone (APM 15.16),
     * so no two vCPUs may use one ASID on a CPU between flushes: a vCPU
     * takes a fresh one from the CPU when it arrives there, or when the
     * CPU has begun a new round since.  A round begins when the ASIDs run
     * out, with a flush of them all. */
    if (sv->last_cpu != this_cpu()->id || sv->asid_round != sc->asid_round) {
        if (sc->next_asid >= max_asid) {
            sc->asid_round++;
            sc->next_asid = 1;
            vm->tlb_control = TLB_FLUSH_ALL;
        }
        vm->asid = sc->next_asid++;
        sv->asid_round = sc->asid_round;
        sv->last_cpu = this_cpu()->id;
    }
    /* svm_npt_flush() may set it from another CPU meanwhile. */
    if (__atomic_exchange_n(&sv->flush, false, __ATOMIC_ACQ_REL) &&
        vm->tlb_control != TLB_FLUSH_ALL)
        vm->tlb_control = TLB_FLUSH_ASID;
    /* Common code moved RIP past an instruction it emulated (STI; HLT):
     * the STI or MOV SS shadow covered only that instruction. */
    if (vm->rip != v->regs.rip)
        vm->int_state &= ~INT_STATE_SHADOW;
    vm->rax = v->regs.rax;
    vm->rip = v->regs.rip;
    vm->rsp = v->regs.rsp;
    vm->rflags = v->regs.rflags;
    if (!v->domain->is_dom0)
        svm_intr_assist(v, vm);

    __asm__ volatile("clgi; sti" ::: "memory");
    svm_vmrun((uintptr_t)vm, &v->regs, (uintptr_t)sc->host_vmcb);
    __asm__ volatile("cli; stgi" ::: "memory");

    vm->tlb_control = TLB_FLUSH_NONE;
    v->regs.rax = vm->rax;
    v->regs.rip = vm->rip;
    v->regs.rsp = vm->rsp;
    v->regs.rflags = vm->rflags;

    code = vm->exitcode;
    /* QEMU's TCG writes VMEXIT_INVALID as a 32-bit -1. */
    if (code == 0xffffffffull)
        code = SVM_EXIT_INVALID;
    /* What was injected went in, or is in EXITINTINFO. */
    vm->event_inj = 0;
    svm_requeue_event(vm);
    memset(e, 0, sizeof(*e));
    e->raw = code;
    e->raw_name = exit_name(code);
    switch (code) {
    case SVM_EXIT_INTR:
    case SVM_EXIT_VINTR:
    case SVM_EXIT_NMI:
    case SVM_EXIT_SMI:
    case SVM_EXIT_INIT:
        e->reason = EXIT_NONE;
        break;
    case SVM_EXIT_CPUID:
        e->reason = EXIT_CPUID;
        e->insn_len = 2;
        break;
    case SVM_EXIT_HLT:
        e->reason = EXIT_HLT;
        e->insn_len = 1;
        break;
    case SVM_EXIT_VMMCALL:
        e->reason = EXIT_HYPERCALL;
        e->insn_len = 3;
        break;
    case SVM_EXIT_MSR:
        e->reason = vm->exitinfo1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
        e->insn_len = 2;
        break;
    case SVM_EXIT_IOIO: {
        uint64_t info = vm->exitinfo1;

        e->reason = EXIT_IO;
        e->io.port = (uint16_t)(info >> 16);
        e->io.in = info & 1;
        e->io.string = info & (1u << 2);
        e->io.rep = info & (1u << 3);
        e->io.size = (info & (1u << 4)) ? 1 : (info & (1u << 5)) ? 2 : 4;
        /* EXITINFO2 holds the next RIP, with or without NRIPS. */
        e->insn_len = (uint8_t)(vm->exitinfo2 - vm->rip);
        break;
    }
    case SVM_EXIT_NPF:
        e->reason = EXIT_NPF;
        e->npf.gpa = vm->exitinfo2;
        e->npf.present = vm->exitinfo1 & 1;
        e->npf.write = vm->exitinfo1 & 2;
        e->npf.fetch = vm->exitinfo1 & 16;
        e->npf.read = !e->npf.write && !e->npf.fetch;
        break;
    case SVM_EXIT_SHUTDOWN:
        e->reason = EXIT_TRIPLE_FAULT;
        break;
    case SVM_EXIT_EXC_BASE + 8:
        if (double_fault_deliverable(v, vm)) {
            vm->event_inj = EVENTINJ_VALID | EVENTINJ_TYPE_EXC |
                            EVENTINJ_ERRVALID | 8;
            e->reason = EXIT_NONE;
        } else {
            e->reason = EXIT_TRIPLE_FAULT;
        }
        break;
    case SVM_EXIT_INVALID:
        e->reason = EXIT_INVALID;
        break;
    case SVM_EXIT_INVLPGA:
    case SVM_EXIT_VMRUN:
    case SVM_EXIT_VMLOAD:
    case SVM_EXIT_VMSAVE:
    case SVM_EXIT_STGI:
    case SVM_EXIT_CLGI:
    case SVM_EXIT_SKINIT:
    case SVM_EXIT_MONITOR:
    case SVM_EXIT_MWAIT:
    case SVM_EXIT_MWAIT_CND:
        vm->event_inj = EVENTINJ_VALID | EVENTINJ_TYPE_EXC | 6;
        e->reason = EXIT_NONE;
        break;
    default:
        e->reason = EXIT_UNHANDLED;
        break;
    }
    if (has_nrips && vm->nrip && e->reason != EXIT_IO &&
        vm->nrip > vm->rip && vm->nrip - vm->rip < 16)
        e->insn_len = (uint8_t)(vm->nrip - vm->rip);
}

static void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
                                 uint32_t err)
{
    struct vmcb *vm = ((struct svm_vcpu *)v->hvm)->vmcb;

    vm->event_inj = EVENTINJ_VALID | EVENTINJ_TYPE_EXC | vector |
                    (has_err ? EVENTINJ_ERRVALID | ((uint64_t)err << 32) : 0);
}

static void svm_get_paging(struct vcpu *v, struct guest_paging *p)
{
    struct vmcb *vm = ((struct svm_vcpu *)v->hvm)->vmcb;

    p->cr0 = vm->cr0;
    p->cr3 = vm->cr3;
    p->cr4 = vm->cr4;
    p->efer = vm->efer;
}

static int svm_guest_bits(struct vcpu *v)
{
    struct vmcb *vm = ((struct svm_vcpu *)v->hvm)->vmcb;

    if ((vm->efer & EFER_LMA) && (vm->cs.attrib & (1u << 9)))   /* CS.L */
        return 64;
    if (!(vm->cr0 & X86_CR0_PE))
        return 16;
    return (vm->cs.attrib & (1u << 10)) ? 32 : 16;               /* CS.D */
}

/* The VMCB keeps the CPL apart from the segments (APM vol. 2, 15.5.1). */
static int svm_guest_cpl(struct vcpu *v)
{
    return ((struct svm_vcpu *)v->hvm)->vmcb->cpl & 3;
}

/* The VMCB holds ES, CS, SS, DS, FS and GS in their encoding order. */
static uint64_t svm_seg_base(struct vcpu *v, int seg)
{
    struct vmcb *vm = ((struct svm_vcpu *)v->hvm)->vmcb;

    return seg >= 0 && seg < 6 ? (&vm->es)[seg].base : 0;
}

static int svm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct vmcb *vm = ((struct svm_vcpu *)v->hvm)->vmcb;

    switch (msr) {
    case MSR_EFER:
        *val = vm->efer & ~(uint64_t)EFER_SVME;
        return 0;
    case MSR_IA32_PAT:
        *val = vm->g_pat;
        return 0;
    }
    return -1;
}

static int svm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct vmcb *vm = ((struct svm_vcpu *)v->hvm)->vmcb;

    switch (msr) {
    case MSR_EFER:
        /* SCE, LME, LMA, NXE are the guest's; SVME stays set (VMRUN
         * requires it) and is hidden from the guest. */
        if (val & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
            return -2;
        /* LMA is the processor's: it follows LME and CR0.PG. */
        vm->efer = (val & ~(uint64_t)EFER_LMA) | (vm->efer & EFER_LMA) | EFER_SVME;
        if ((val & EFER_LME) && (vm->cr0 & X86_CR0_PG))
            vm->efer |= EFER_LMA;
        return 0;
    case MSR_IA32_PAT:
        vm->g_pat = val;
        return 0;
    }
    return -1;
}

/* NPT entries are ordinary x86 page-table entries; nested walks are user
 * accesses, so every level needs U (APM 15.25.5). */
static uint64_t svm_npt_table_entry(mfn_t table)
{
    return (table << PAGE_SHIFT) | PTE_P | PTE_W | PTE_U;
}

static uint64_t svm_npt_leaf_entry(mfn_t frame, bool write, bool exec, bool ram)
{
    /* Device memory needs no bits here: the host MTRRs, which the firmware
     * set uncacheable for it, still apply under NPT (APM 15.25.8). */
    (void)exec;
    (void)ram;
    return (frame << PAGE_SHIFT) | PTE_P | PTE_U | (write ? PTE_W : 0);
}

static void svm_npt_flush(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i] && d->vcpus[i]->hvm)
            ((struct svm_vcpu *)d->vcpus[i]->hvm)->flush = true;
}

static int svm_global_init(void)
{
    const char *why;

    if (!svm_usable(&why))
        return -ENODEV;
    iopm = alloc_contig(3, 0xff);
    msrpm = alloc_contig(2, 0xff);
    if (!iopm || !msrpm)
        return -ENOMEM;
    static const uint32_t direct[] = {
        MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
        MSR_CSTAR, MSR_SFMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
        MSR_IA32_SYSENTER_EIP,
    };
    for (unsigned i = 0; i < ARRAY_SIZE(direct); i++)
        msr_set(msrpm, direct[i], false);
    max_asid = cpuid(0x8000000a).ebx;
    if (max_asid < 2)
        max_asid = 2;
    has_nrips = cpuid(0x8000000a).edx & CPUID_NRIPS_BIT;
    printk("SVM: %u ASIDs, nested paging, %s\n", max_asid,
           has_nrips ? "next-RIP saved" : "no next-RIP (lengths decoded)");
    return 0;
}

const struct hvm_ops svm_ops = {
    .name = "AMD-V (SVM + NPT)",
    .cpu_up = svm_cpu_up,
    .vcpu_create = svm_vcpu_create,
    .vcpu_destroy = svm_vcpu_destroy,
    .vcpu_set_start = svm_vcpu_set_start,
    .run = svm_run,
    .vcpu_unload = svm_vcpu_unload,
    .inject_exception = svm_inject_exception,
    .get_paging = svm_get_paging,
    .guest_bits = svm_guest_bits,
    .seg_base = svm_seg_base,
    .guest_cpl = svm_guest_cpl,
    .msr_read = svm_msr_read,
    .msr_write = svm_msr_write,
    .npt_table_entry = svm_npt_table_entry,
    .npt_leaf_entry = svm_npt_leaf_entry,
    .npt_flush = svm_npt_flush,
    .hypercall_insn = { 0x0f, 0x01, 0xd9 },     /* VMMCALL */
};

int svm_init(void) { return svm_global_init(); }
bool svm_available(const char **why) { return svm_usable(why); }
