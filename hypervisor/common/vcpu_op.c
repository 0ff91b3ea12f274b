/* vcpu_op and set_timer_op: bringing a domain's vCPUs up and down, a
 * vCPU's single-shot timer, and questions about a domain's vCPUs.  Timer
 * deadlines are absolute pvclock system times. */
#include <mica/domain.h>
#include <mica/event.h>
#include <mica/string.h>
#include <mica/errno.h>
#include <mica/hypercall.h>
#include <mica/sched.h>
#include <mica/time.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/p2m.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

/* set_timer_op(deadline): 0 disarms.  A 32-bit guest passes the 64-bit
 * deadline in two registers, low half first (Xen's convention). */
long do_set_timer_op(struct vcpu *v, const uint64_t a[5])
{
    uint64_t deadline = hvm_ops->guest_bits(v) == 64 ? a[0] : (a[1] << 32) | a[0];

    if (deadline == 0)
        sched_timer_stop(v);
    else
        sched_timer_set(v, deadline);
    return 0;
}

/* VCPUOP_register_vcpu_info: moves t's vcpu_info into the guest frame it
 * names, once, for itself or a vCPU that is down.  The frame stays the
 * domain's while mica writes there: no hypercall frees a domain's RAM
 * before it dies, and a frame shared_info replaces is parked (memory_op.c),
 * not freed.  As Xen does, the
 * new copy starts with every selector bit and the upcall set, so that the
 * guest looks at all its ports once. */
static long register_vcpu_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;
    uint8_t *old, *new;
    bool writable;
    mfn_t mfn;

    if (copy_from_guest(v, &r, arg, sizeof(r)))
        return -EFAULT;
    if (r.rsvd || r.offset > PAGE_SIZE - sizeof(struct vcpu_info))
        return -EINVAL;
    if (t->vcpu_info || (t != v && !(t->pause_flags & VPF_DOWN)))
        return -EINVAL;
    mfn = p2m_lookup(v->domain, r.mfn, &writable);
    if (mfn == MFN_INVALID || !writable || r.mfn == v->domain->shared_info_gfn)
        return -EINVAL;
    new = (uint8_t *)(uintptr_t)((mfn << PAGE_SHIFT) + r.offset);
    old = vcpu_info_of(t);
    if (old)
        memcpy(new, old, sizeof(struct vcpu_info));
    else
        memset(new, 0, sizeof(struct vcpu_info));
    /* evtchn_pending_sel: 4 bytes at 4 or 8 at 8; all ones covers both. */
    memset(new + 4, 0xff, 12);
    __atomic_store_n(&t->vcpu_info, new, __ATOMIC_SEQ_CST);
    __atomic_store_n(new, 1, __ATOMIC_SEQ_CST);
    time_update_vcpu(t);
    vcpu_unpause_flag(t, VPF_BLOCKED);
    return 0;
}

/* ---- Bringing vCPUs up and down --------------------------------------
 * VCPUOP_initialise gives a vCPU that never had one a register state, as
 * a struct vcpu_hvm_context; VCPUOP_up then lets it run.  Xen's checks
 * (arch_set_info_hvm_guest) come first; on top of them mica refuses what
 * one of its backends could not enter (Intel SDM 27.3.1, AMD APM 15.5.1),
 * so that a bad context is -EINVAL and never a crashed domain. */

/* Segment attributes as the ABI packs them (see asm/hvm.h). */
#define SA_TYPE(a)      ((a) & 0xfu)
#define SA_S            (1u << 4)
#define SA_DPL(a)       (((a) >> 5) & 3u)
#define SA_P            (1u << 7)
#define SA_L            (1u << 9)
#define SA_DB           (1u << 10)
#define SA_G            (1u << 11)
#define SA_CODE         8u              /* type bits */
#define SA_WRITE_READ   2u              /* data: writable; code: readable */
#define SA_TSS_BUSY32   11u
#define SA_FLAT_DATA    0xc93u          /* read/write, accessed, DPL 0, 32-bit, 4 GiB */
#define SA_CODE64       0xa9bu          /* execute/read, accessed, DPL 0, L */
#define SA_TSS64        0x08bu          /* busy TSS */

/* CR0: PE MP EM TS ET NE WP AM NW CD PG.  CR4: VME to OSXMMEXCPT (bits
 * 0-10), which every processor with SVM or VMX has; a guest turns on the
 * newer ones itself, once it has looked at CPUID. */
#define CR0_KNOWN       0xe005003full
#define CR4_KNOWN       0x7ffull
#define EFER_KNOWN      ((uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
/* RFLAGS bits a vCPU may start with: all but VM (17, virtual-8086 mode)
 * and the reserved ones; bit 1 is set for it. */
#define RFLAGS_KNOWN    0x3d7fd7ull
/* Reserved bits of a present PAE PDPTE below MAXPHYADDR (SDM 3A 4.4.1). */
#define PDPTE_RSVD      ((1ull << 63) | 0x1e6ull)

enum seg_kind { SEG_KIND_CS, SEG_KIND_SS, SEG_KIND_DATA, SEG_KIND_TR };

static unsigned int maxphyaddr(void)
{
    return cpuid(0x80000008).eax & 0xff;
}

/* One of the five segments a 32-bit context gives, as Xen checks it;
 * present ones are marked accessed (TR busy), as loading a descriptor
 * would.  Only DS and ES may be null.  The limit must agree with G. */
static bool seg_ok(struct start_seg *s, enum seg_kind k)
{
    uint16_t a = s->attr;

    if (a & 0xf000)
        return false;
    if (!a)
        return k == SEG_KIND_DATA;
    if (!(a & SA_P))
        return false;
    a |= k == SEG_KIND_TR ? 2 : 1;
    s->attr = a;
    if ((a & SA_G) ? (s->limit & 0xfff) != 0xfff : (s->limit >> 20) != 0)
        return false;
    switch (k) {
    case SEG_KIND_TR:
        return !(a & SA_S) && SA_TYPE(a) == SA_TSS_BUSY32;
    case SEG_KIND_CS:
        return (a & SA_S) && (SA_TYPE(a) & SA_CODE);
    case SEG_KIND_SS:
        return (a & SA_S) && !(SA_TYPE(a) & SA_CODE) && (SA_TYPE(a) & SA_WRITE_READ);
    case SEG_KIND_DATA:
        return (a & SA_S) &&
               (!(SA_TYPE(a) & SA_CODE) || (SA_TYPE(a) & SA_WRITE_READ));
    }
    return false;
}

static struct start_seg seg32(uint32_t base, uint32_t limit, uint16_t attr)
{
    return (struct start_seg){ .base = base, .limit = limit, .attr = attr };
}

static int context_32(const struct vcpu_hvm_x86_32 *r, struct vcpu_start_state *st)
{
    if (r->pad1 || r->pad2[0] || r->pad2[1] || r->pad2[2])
        return -EINVAL;
    st->cs = seg32(r->cs_base, r->cs_limit, r->cs_ar);
    st->ds = seg32(r->ds_base, r->ds_limit, r->ds_ar);
    st->es = seg32(r->es_base, r->es_limit, r->es_ar);
    st->ss = seg32(r->ss_base, r->ss_limit, r->ss_ar);
    st->tr = seg32(r->tr_base, r->tr_limit, r->tr_ar);
    if (!seg_ok(&st->cs, SEG_KIND_CS) || !seg_ok(&st->ss, SEG_KIND_SS) ||
        !seg_ok(&st->ds, SEG_KIND_DATA) || !seg_ok(&st->es, SEG_KIND_DATA) ||
        !seg_ok(&st->tr, SEG_KIND_TR))
        return -EINVAL;
    /* Xen's sanity checks: EIP inside CS, CPL = SS.DPL = CS.DPL, and DS
     * and ES no less privileged than CS. */
    if (r->eip > st->cs.limit || SA_DPL(st->ss.attr) != SA_DPL(st->cs.attr) ||
        (st->ds.attr && SA_DPL(st->ds.attr) > SA_DPL(st->cs.attr)) ||
        (st->es.attr && SA_DPL(st->es.attr) > SA_DPL(st->cs.attr)))
        return -EINVAL;
    st->fs = st->gs = seg32(0, 0xffffffff, SA_FLAT_DATA);
    st->regs.rax = r->eax;
    st->regs.rcx = r->ecx;
    st->regs.rdx = r->edx;
    st->regs.rbx = r->ebx;
    st->regs.rsp = r->esp;
    st->regs.rbp = r->ebp;
    st->regs.rsi = r->esi;
    st->regs.rdi = r->edi;
    st->regs.rip = r->eip;
    st->regs.rflags = r->eflags;
    st->cr0 = r->cr0;
    st->cr3 = r->cr3;
    st->cr4 = r->cr4;
    st->efer = r->efer;
    /* Paging is optional here, protection is not. */
    if (!(st->cr0 & X86_CR0_PE))
        return -EINVAL;
    return 0;
}

/* Long mode with flat segments, as Xen sets them. */
static int context_64(const struct vcpu_hvm_x86_64 *r, struct vcpu_start_state *st)
{
    /* Canonical for 4-level paging (CR4.LA57 is not allowed here). */
    if ((uint64_t)((int64_t)(r->rip << 16) >> 16) != r->rip)
        return -EINVAL;
    if (!(r->cr0 & X86_CR0_PG) || !(r->cr4 & X86_CR4_PAE) || !(r->efer & EFER_LME))
        return -EINVAL;
    st->cs = (struct start_seg){ .limit = 0xffffffff, .attr = SA_CODE64 };
    st->ds = st->es = st->ss = st->fs = st->gs =
        (struct start_seg){ .limit = 0xffffffff, .attr = SA_FLAT_DATA };
    st->tr = (struct start_seg){ .limit = 0x67, .attr = SA_TSS64 };
    st->regs.rax = r->rax;
    st->regs.rcx = r->rcx;
    st->regs.rdx = r->rdx;
    st->regs.rbx = r->rbx;
    st->regs.rsp = r->rsp;
    st->regs.rbp = r->rbp;
    st->regs.rsi = r->rsi;
    st->regs.rdi = r->rdi;
    st->regs.rip = r->rip;
    st->regs.rflags = r->rflags;
    st->cr0 = r->cr0;
    st->cr3 = r->cr3;
    st->cr4 = r->cr4;
    st->efer = r->efer;
    return 0;
}

/* What both modes share: control registers, EFER and RFLAGS that the CPU
 * accepts together, and the PDPTEs of PAE paging. */
static int context_common(struct domain *d, struct vcpu_start_state *st)
{
    uint64_t cr0 = st->cr0 | X86_CR0_ET, cr4 = st->cr4, efer = st->efer;
    uint64_t phys_rsvd = ~0ull << maxphyaddr();
    bool lma;

    if ((cr0 & ~CR0_KNOWN) || !(cr0 & X86_CR0_PE) ||
        ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
        return -EINVAL;
    if (cr4 & ~CR4_KNOWN)
        return -EINVAL;
    if ((efer & ~EFER_KNOWN) || ((efer & EFER_LMA) && !(efer & EFER_LME)))
        return -EINVAL;
    if ((efer & EFER_NXE) && !(cpuid(0x80000001).edx & (1u << 20)))
        return -EINVAL;
    /* As in Xen, LME means long mode: that needs paging with PAE, and a
     * code segment that is not both L and D. */
    lma = efer & EFER_LME;
    if (lma) {
        efer |= EFER_LMA;
        if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) ||
            ((st->cs.attr & SA_L) && (st->cs.attr & SA_DB)))
            return -EINVAL;
    } else if (st->cs.attr & SA_L) {
        return -EINVAL;
    }
    if (st->cr3 & phys_rsvd)
        return -EINVAL;
    if (st->regs.rflags & ~RFLAGS_KNOWN)
        return -EINVAL;
    st->regs.rflags |= X86_RFLAGS_RSVD1;
    memset(st->pdpte, 0, sizeof(st->pdpte));
    if ((cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !lma) {
        if (copy_from_guest_phys(d, st->pdpte, st->cr3 & 0xffffffe0u, sizeof(st->pdpte)))
            return -EINVAL;
        for (int i = 0; i < 4; i++)
            if ((st->pdpte[i] & PTE_P) && (st->pdpte[i] & (PDPTE_RSVD | phys_rsvd)))
                return -EINVAL;
    }
    st->cr0 = cr0;
    st->efer = efer;
    st->rip = st->regs.rip;
    return 0;
}

static long initialise(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
    struct domain *d = v->domain;
    struct vcpu_hvm_context c;
    struct vcpu_start_state st;
    unsigned long f;
    long rc;

    if (copy_from_guest(v, &c, arg, sizeof(c)))
        return -EFAULT;
    memset(&st, 0, sizeof(st));
    st.mode = START_HVM;
    if (c.pad)
        rc = -EINVAL;
    else if (c.mode == VCPU_HVM_MODE_32B)
        rc = context_32(&c.cpu_regs.x86_32, &st);
    else if (c.mode == VCPU_HVM_MODE_64B)
        rc = context_64(&c.cpu_regs.x86_64, &st);
    else
        rc = -EINVAL;
    if (!rc)
        rc = context_common(d, &st);

    /* Xen answers -EEXIST before looking at the context. */
    f = spin_lock_irqsave(&d->lock);
    if (t->initialised || !(t->pause_flags & VPF_DOWN)) {
        rc = -EEXIST;
    } else if (!rc) {
        /* It never ran: no CPU holds any of its state. */
        hvm_ops->vcpu_set_start(t, &st);
        __atomic_store_n(&t->initialised, true, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&d->lock, f);
    return rc;
}

/* As in Xen, taking down the domain's last vCPU that is up powers it off;
 * d->lock makes that decision once when two go down together.  The vCPU
 * keeps its state: VCPUOP_up resumes it where it stopped (after this
 * hypercall, if it took itself down). */
static long down(struct domain *d, struct vcpu *t)
{
    bool others = false;
    unsigned long f = spin_lock_irqsave(&d->lock);

    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i] && d->vcpus[i] != t && !(d->vcpus[i]->pause_flags & VPF_DOWN))
            others = true;
    if (others && !(t->pause_flags & VPF_DOWN)) {
        __atomic_store_n(&t->initialised, true, __ATOMIC_RELEASE);
        vcpu_pause_flag(t, VPF_DOWN);
    }
    spin_unlock_irqrestore(&d->lock, f);
    if (!others)
        domain_shutdown(d, SHUTDOWN_poweroff);
    return 0;
}

long do_vcpu_op(struct vcpu *v, const uint64_t a[5])
{
    struct domain *d = v->domain;
    uint64_t cmd = a[0], id = a[1], arg = a[2];
    struct vcpu *t;

    if (id >= d->nr_vcpus || !(t = d->vcpus[id]))
        return -ENOENT;

    switch (cmd) {
    case VCPUOP_initialise:
        return initialise(v, t, arg);
    case VCPUOP_up:
        /* Xen: -EINVAL for a vCPU that has no state yet; 0 if it is up. */
        if (!__atomic_load_n(&t->initialised, __ATOMIC_ACQUIRE) &&
            (t->pause_flags & VPF_DOWN))
            return -EINVAL;
        if (t->pause_flags & VPF_DOWN)
            vcpu_unpause_flag(t, VPF_DOWN);
        return 0;
    case VCPUOP_down:
        return down(d, t);
    case VCPUOP_is_up:
        return !(t->pause_flags & VPF_DOWN);
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer st;

        /* As in Xen, a vCPU sets only its own timer. */
        if (t != v)
            return -EINVAL;
        /* 12 bytes: i386 guests have no tail padding after flags. */
        st.flags = 0;
        if (copy_from_guest(v, &st, arg, offsetof(struct vcpu_set_singleshot_timer, flags) +
                                             sizeof(st.flags)))
            return -EFAULT;
        if ((st.flags & VCPU_SSHOTTMR_future) && st.timeout_abs_ns < time_system_ns())
            return -XEN_ETIME;
        sched_timer_set(v, st.timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if (t != v)
            return -EINVAL;
        sched_timer_stop(v);
        return 0;
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, t, arg);
    case VCPUOP_get_runstate_info: {
        /* Any vCPU of the caller's domain, as in Xen. */
        uint8_t img[48];
        size_t n = sched_runstate_image(t, hvm_ops->guest_bits(v) == 64, img);

        return copy_to_guest(v, arg, img, n) ? -EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area: {
        /* A guest virtual address (in the low half for a 32-bit guest),
         * or 0 for none; written whenever t goes onto a CPU, and now if t
         * is the caller. */
        bool wide = hvm_ops->guest_bits(v) == 64;
        uint64_t gva;

        if (copy_from_guest(v, &gva, arg, sizeof(gva)))
            return -EFAULT;
        t->sched.runstate_area = wide ? gva : (uint32_t)gva;
        t->sched.runstate_wide = wide;
        if (t == v)
            sched_runstate_area_update(v);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        /* mica has no periodic timer: it is always stopped. */
        if (t != v)
            return -EINVAL;
        return 0;
    default:
        return -ENOSYS;
    }
}
