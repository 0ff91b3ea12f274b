/* Vendor selection, and the exits that mean the same on both vendors:
 * CPUID, HLT, hypercalls, port I/O, MSRs, nested page faults, triple
 * faults.  Anything a guest does that mica does not handle crashes that
 * domain, never mica. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/event.h>
#include <mica/hypercall.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <asm/cpu.h>
#include <asm/cpuid.h>
#include <asm/emulate.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/dom0.h>
#include <mica/bootinfo.h>
#include <mica/ctl.h>
#include <mica/errno.h>
#include <mica/heap.h>
#include <mica/lib.h>

const struct hvm_ops *hvm_ops;
extern struct boot_info boot_info;
void ctl_dispatch(struct vcpu *v);

int svm_init(void);
bool svm_available(const char **why);
int vmx_init(void);
bool vmx_available(const char **why);

void hvm_select(void)
{
    const char *svm_why = "", *vmx_why = "";

    if (svm_available(&svm_why)) {
        if (svm_init() == 0)
            hvm_ops = &svm_ops;
        else
            svm_why = "SVM would not start";
    }
    if (!hvm_ops && vmx_available(&vmx_why)) {
        if (vmx_init() == 0)
            hvm_ops = &vmx_ops;
        else
            vmx_why = "VMX would not start";
    }
    if (!hvm_ops) {
        fatal("no usable hardware virtualization (AMD-V: %s; Intel VT-x: "
              "%s). mica needs AMD-V (SVM with nested paging) or Intel VT-x "
              "(VMX with EPT and unrestricted guest); if the CPU has them, "
              "enable them in the firmware setup", svm_why, vmx_why);
    }
    printk("HVM: using %s\n", hvm_ops->name);
}

int hvm_cpu_up(void)
{
    return hvm_ops->cpu_up();
}

static void advance(struct vcpu *v, struct hvm_exit *e)
{
    v->regs.rip += e->insn_len;
}

static void handle_io(struct vcpu *v, struct hvm_exit *e)
{
    struct domain *d = v->domain;

    if (e->io.port == MICA_CTL_PORT && e->io.size == 4 && !e->io.in &&
        !e->io.string) {
        /* The toolstack doorbell: answered for dom0 and for boot-time
         * control domains (module option "ctl"), refused for the rest. */
        advance(v, e);
        if (d->is_dom0 || d->ctl_allowed)
            ctl_dispatch(v);
        else
            v->regs.rax = (uint64_t)-EPERM;
        return;
    }
    if (e->io.string) {
        /* No emulated device here takes string I/O. */
        domain_crash(d, "string I/O to port %#x at rip %#llx", e->io.port,
                     (unsigned long long)v->regs.rip);
        return;
    }
    if (e->io.in) {
        /* Nothing answers: the bus floats high. */
        uint64_t mask = e->io.size == 4 ? 0xffffffffull : (1ull << (8 * e->io.size)) - 1;

        v->regs.rax = (v->regs.rax & ~mask) | mask;
    } else if (e->io.port == 0xe9) {
        /* Xen's HVM debug console: one byte per OUT. */
        char c = (char)v->regs.rax;

        domain_console_write(d, &c, 1);
    }
    advance(v, e);
}

static void handle_msr(struct vcpu *v, struct hvm_exit *e)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val;
    int rc;

    if (e->reason == EXIT_MSR_READ) {
        rc = cpuid_msr_read(v, msr, &val);
        if (rc == -1)
            rc = hvm_ops->msr_read(v, msr, &val);
        if (rc == 0) {
            v->regs.rax = (uint32_t)val;
            v->regs.rdx = val >> 32;
        }
    } else {
        val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
        rc = cpuid_msr_write(v, msr, val);
        if (rc == -1)
            rc = hvm_ops->msr_write(v, msr, val);
    }
    if (rc == 0) {
        advance(v, e);
    } else {
        pr_debug("d%u v%u: %s of MSR %#x refused (#GP)\n", v->domain->id,
                 v->id, e->reason == EXIT_MSR_READ ? "read" : "write", msr);
        hvm_ops->inject_exception(v, 13, true, 0);
    }
}

/* dom0 sees all physical addresses but mica's RAM.  Device memory above
 * what map_dom0() mapped at boot is mapped on first touch; mica's RAM reads
 * as zeros (one shared read-only page), so dom0 can probe it through
 * /dev/mem and find nothing of mica's.  A write there ends dom0. */
static bool dom0_npf(struct vcpu *v, struct hvm_exit *e)
{
    static mfn_t zero_mfn = MFN_INVALID;
    gfn_t gfn = e->npf.gpa >> PAGE_SHIFT;
    bool mica_ram = false;

    if (e->npf.present)
        return false;
    for (unsigned i = 0; i < boot_info.nmem; i++) {
        const struct mem_region *r = &boot_info.mem[i];

        if (r->type == MEM_USABLE && e->npf.gpa >= r->start &&
            e->npf.gpa < r->start + r->len && !dom0_owns(e->npf.gpa, 1))
            mica_ram = true;
    }
    if (!mica_ram)
        return p2m_map_device(v->domain, gfn, gfn, true, false, false) == 0;
    if (e->npf.write || e->npf.fetch)
        return false;
    if (zero_mfn == MFN_INVALID) {
        void *z = page_alloc_zeroed();

        if (!z)
            return false;
        zero_mfn = (uintptr_t)z >> PAGE_SHIFT;
    }
    return p2m_map_device(v->domain, gfn, zero_mfn, false, true, false) == 0;
}

/* Crashes the domain for an access outside its memory; `why` (with the
 * instruction's bytes, if any were read) says why it was not emulated, on
 * a line of its own: crash reasons are short. */
static void npf_crash(struct vcpu *v, struct hvm_exit *e, bool fetch,
                      const char *why, const uint8_t *insn, size_t n)
{
    const char *kind = fetch ? "fetch" : e->npf.write ? "write" : "read";
    char hex[3 * X86_MAX_INSN_LEN + 1] = "";

    for (size_t i = 0; i < n; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * i, " %02x", insn[i]);
    if (why)
        pr_err("d%u (%s): cannot emulate the %s of guest-physical %#llx at rip %#llx: %s%s%s\n",
               v->domain->id, v->domain->name, kind, (unsigned long long)e->npf.gpa,
               (unsigned long long)v->regs.rip, why, n ? "; instruction bytes" : "", hex);
    domain_crash(v->domain, "%s of guest-physical %#llx, outside its memory, at rip %#llx",
                 kind, (unsigned long long)e->npf.gpa, (unsigned long long)v->regs.rip);
}

/* A xenU domain's data access to guest-physical memory that nothing backs
 * goes, as under Xen for an HVM or PVH guest without a device model, to a
 * null device: a read gives all ones, a write vanishes, and the guest goes
 * on after the instruction.  Guests rely on it to probe for devices that
 * are not there (XTF reads the HPET's and the IO-APIC's ID registers and
 * takes all ones for "no such device").  Only the MOV forms emulate.c
 * decodes are emulated; any other instruction there, and any instruction
 * fetch from there, crashes the domain.  The first such access of each
 * domain is logged. */
static void null_mmio(struct vcpu *v, struct hvm_exit *e)
{
    int mode = hvm_ops->guest_bits(v), rc;
    uint8_t insn[X86_MAX_INSN_LEN];
    uint64_t rip = v->regs.rip, ip_mask, pc, linear;
    struct mmio_insn in;
    size_t n = sizeof(insn);
    gpaddr_t gpa;

    if (e->npf.fetch || e->npf.present) {
        npf_crash(v, e, e->npf.fetch, NULL, NULL, 0);
        return;
    }
    /* Another vCPU may have populated the page since: run it again. */
    if (p2m_lookup(v->domain, e->npf.gpa >> PAGE_SHIFT, NULL) != MFN_INVALID)
        return;

    ip_mask = mode == 64 ? ~0ull : mode == 32 ? 0xffffffffull : 0xffff;
    pc = mode == 64 ? rip
                    : (hvm_ops->seg_base(v, X86_SEG_CS) + (rip & ip_mask)) & 0xffffffffull;
    /* The instruction may end the last page the guest has mapped there. */
    if (copy_from_guest(v, insn, pc, n)) {
        n = PAGE_SIZE - (pc & (PAGE_SIZE - 1));
        if (n >= sizeof(insn) || copy_from_guest(v, insn, pc, n))
            n = 0;
    }
    /* A fetch the CPU did not report as one (AMD's I/D bit in the fault
     * code is not promised in every paging mode) is found here: RIP itself
     * is on the page that faulted. */
    if (!n && !guest_linear_to_phys(v, pc, false, &gpa) &&
        gpa >> PAGE_SHIFT == e->npf.gpa >> PAGE_SHIFT) {
        npf_crash(v, e, true, NULL, NULL, 0);
        return;
    }
    rc = mmio_decode(insn, n, mode, &in);
    if (rc != MMIO_OK) {
        npf_crash(v, e, false, mmio_decode_error(rc), insn, n);
        return;
    }
    n = in.len;
    linear = mmio_linear(&in, &v->regs,
                         in.mode == 64 && in.seg < X86_SEG_FS ? 0
                                                              : hvm_ops->seg_base(v, in.seg));
    if ((linear & (PAGE_SIZE - 1)) + in.bytes > PAGE_SIZE) {
        npf_crash(v, e, false, "the access crosses a page boundary", insn, n);
        return;
    }
    /* A fault while the CPU walked the guest's own page tables (which
     * point outside its memory) also lands here: the operand's address
     * must lead to the page that faulted. */
    if (guest_linear_to_phys(v, linear, in.write, &gpa) ||
        gpa >> PAGE_SHIFT != e->npf.gpa >> PAGE_SHIFT) {
        npf_crash(v, e, false, "the fault is not at the instruction's operand", insn, n);
        return;
    }
    if (in.write != e->npf.write) {
        npf_crash(v, e, false, "the instruction's access is not the one that faulted", insn, n);
        return;
    }
    if (!v->domain->null_mmio_seen) {
        v->domain->null_mmio_seen = true;
        printk("d%u (%s): %s of guest-physical %#llx at rip %#llx: outside "
               "its memory, no device there: %s (only the first is logged)\n",
               v->domain->id, v->domain->name, in.write ? "write" : "read",
               (unsigned long long)e->npf.gpa, (unsigned long long)rip,
               in.write ? "dropped" : "reads all ones");
    }
    if (!in.write)
        mmio_complete_read(&in, &v->regs, ~0ull);
    v->regs.rip = (rip + in.len) & ip_mask;
}

/* The state of the vCPU whose exit crashed its domain, for whoever has to
 * find out why. */
static void dump_guest(struct vcpu *v)
{
    const struct guest_regs *r = &v->regs;
    struct guest_paging p;
    int bits = hvm_ops->guest_bits(v);
    char buf[800];
    size_t n;

    hvm_ops->get_paging(v, &p);
    /* One message, so that other CPUs' lines do not land in between. */
    n = (size_t)snprintf(buf, sizeof(buf),
        "d%u (%s) vCPU%u, %d-bit, as it crashed:\n"
        "  rip %016llx rsp %016llx rflags %08llx\n"
        "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
        "  rsi %016llx rdi %016llx rbp %016llx\n",
        v->domain->id, v->domain->name, v->id, bits,
        (unsigned long long)r->rip, (unsigned long long)r->rsp,
        (unsigned long long)r->rflags,
        (unsigned long long)r->rax, (unsigned long long)r->rbx,
        (unsigned long long)r->rcx, (unsigned long long)r->rdx,
        (unsigned long long)r->rsi, (unsigned long long)r->rdi,
        (unsigned long long)r->rbp);
    if (bits == 64 && n < sizeof(buf))
        n += (size_t)snprintf(buf + n, sizeof(buf) - n,
            "  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
            "  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n",
            (unsigned long long)r->r8, (unsigned long long)r->r9,
            (unsigned long long)r->r10, (unsigned long long)r->r11,
            (unsigned long long)r->r12, (unsigned long long)r->r13,
            (unsigned long long)r->r14, (unsigned long long)r->r15);
    if (n < sizeof(buf))
        snprintf(buf + n, sizeof(buf) - n,
                 "  cr0 %08llx cr3 %016llx cr4 %08llx efer %08llx\n",
                 (unsigned long long)p.cr0, (unsigned long long)p.cr3,
                 (unsigned long long)p.cr4,
                 /* SVM runs guests with EFER.SVME set; they read it clear. */
                 (unsigned long long)(p.efer & ~(1ull << 12)));
    printk("%s", buf);
}

static bool handle_exit(struct vcpu *v, struct hvm_exit *e);

/* Handles an exit; false when the vCPU is not to run again now.  If the
 * exit crashed the domain, the vCPU's registers follow the crash line. */
bool hvm_handle_exit(struct vcpu *v, struct hvm_exit *e)
{
    struct domain *d = v->domain;
    bool was_running = d->state == DOMAIN_RUNNING;
    bool go = handle_exit(v, e);

    if (was_running && d->state == DOMAIN_CRASHED &&
        !__atomic_exchange_n(&d->crash_dumped, true, __ATOMIC_ACQ_REL))
        dump_guest(v);
    return go;
}

static bool handle_exit(struct vcpu *v, struct hvm_exit *e)
{
    struct domain *d = v->domain;

    v->exits++;
    switch (e->reason) {
    case EXIT_NONE:
        return true;
    case EXIT_CPUID:
        cpuid_guest(v);
        advance(v, e);
        return true;
    case EXIT_HLT:
        advance(v, e);
        /* A pending upcall, or a timer that fired since, counts as the
         * interrupt HLT waits for. */
        return !evtchn_block(v);
    case EXIT_HYPERCALL:
        advance(v, e);
        hypercall_dispatch(v);
        return !v->pause_flags;
    case EXIT_IO:
        handle_io(v, e);
        break;
    case EXIT_MSR_READ:
    case EXIT_MSR_WRITE:
        handle_msr(v, e);
        break;
    case EXIT_NPF:
        if (d->is_dom0) {
            if (!dom0_npf(v, e))
                npf_crash(v, e, e->npf.fetch, NULL, NULL, 0);
            break;
        }
        null_mmio(v, e);
        break;
    case EXIT_TRIPLE_FAULT:
        domain_crash(d, "triple fault at rip %#llx",
                     (unsigned long long)v->regs.rip);
        break;
    case EXIT_INVALID:
        domain_crash(d, "the CPU refused its state (exit %s %#llx)",
                     e->raw_name, (unsigned long long)e->raw);
        break;
    case EXIT_UNHANDLED:
        domain_crash(d, "unhandled exit %s (%#llx) at rip %#llx",
                     e->raw_name, (unsigned long long)e->raw,
                     (unsigned long long)v->regs.rip);
        break;
    }
    return !v->pause_flags;
}
