/* Control-register accesses that exit (Intel SDM vol. 3C, 26.1.3): the
 * guest's CR0 and CR4 behind the read shadows of the bits mica owns, its
 * CR8 kept apart from the host's task priority, the PAE PDPTEs that a
 * write must put in the VMCS, the switch into and out of IA-32e mode, and
 * dom0's XCR0. */
#include <mica/domain.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/layout.h>
#include <asm/p2m.h>
#include "vmx_int.h"

/* Reserved bits of a present PAE PDPTE (SDM 3A 4.4.1) */
#define PDPTE_RSVD              ((1ull << 63) | 0x1e6ull)

#define X86_CR4_OSXSAVE         (1u << 18)
#define CPUID1_ECX_XSAVE        (1u << 26)
/* XCR0 state components (SDM vol. 1, 13.1) */
#define XCR0_X87                (1ull << 0)
#define XCR0_SSE                (1ull << 1)
#define XCR0_AVX                (1ull << 2)
#define XCR0_MPX                (3ull << 3)     /* BNDREGS, BNDCSR */
#define XCR0_AVX512             (7ull << 5)     /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_AMX                (3ull << 17)    /* XTILECFG, XTILEDATA */

/* The CR0 and CR4 that the guest sees: its own bits, and the read shadows
 * of those mica owns. */
uint64_t vmx_guest_cr0(void)
{
    return (vmcs_read(GUEST_CR0) & ~vmx.cr0_mask) |
           (vmcs_read(CR0_READ_SHADOW) & vmx.cr0_mask);
}

uint64_t vmx_guest_cr4(void)
{
    return (vmcs_read(GUEST_CR4) & ~vmx.cr4_mask) |
           (vmcs_read(CR4_READ_SHADOW) & vmx.cr4_mask);
}

/* 64, 32 or 16: the mode the guest's code runs in. */
int vmx_mode_bits(void)
{
    uint64_t ar = vmcs_read(GUEST_CS_AR);

    if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (ar & AR_L))
        return 64;
    if (!(vmcs_read(GUEST_CR0) & X86_CR0_PE))
        return 16;
    return (ar & AR_DB) ? 32 : 16;
}

/* The value CR0 must hold for a guest value `val`: NE and any other bit
 * VMX fixes at 1 (SDM A.7), PE and PG as the guest has them, and never
 * the guest's CD or NW. */
uint64_t vmx_real_cr0(uint64_t val)
{
    return ((val & ~(uint64_t)(X86_CR0_CD | X86_CR0_NW)) | vmx.cr0_on) &
           vmx.cr0_fixed1;
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
    uint64_t old = vmx_guest_cr0(), cr4 = vmx_guest_cr4();
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
    vmcs_write(GUEST_CR0, vmx_real_cr0(val));
    vmcs_write(CR0_READ_SHADOW, val);
    return CR_DONE;
}

static int set_cr4(struct vcpu *v, uint64_t val)
{
    uint64_t old = vmx_guest_cr4(), cr0 = vmx_guest_cr0();
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
    bool pae_paging = (vmx_guest_cr0() & X86_CR0_PG) &&
                      (vmx_guest_cr4() & X86_CR4_PAE) &&
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
void vmx_handle_cr_access(struct vcpu *v, struct vmx_vcpu *sv,
                          struct hvm_exit *e)
{
    uint64_t q = vmcs_read(EXIT_QUALIFICATION);
    unsigned int cr = q & 15, type = (q >> 4) & 3;
    uint64_t *reg = gpr(&v->regs, (unsigned)(q >> 8));
    bool wide = vmx_mode_bits() == 64;
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
        rc = set_cr0(v, vmx_guest_cr0() & ~0x8ull);
        break;
    case 3: {                                   /* LMSW: sets PE, never clears it */
        uint64_t cr0 = vmx_guest_cr0();

        rc = set_cr0(v, (cr0 & ~0xeull) | ((q >> 16) & 0xf));
        break;
    }
    }
    e->reason = EXIT_NONE;
    if (rc == CR_DONE) {
        v->regs.rip += vmcs_read(EXIT_INSTRUCTION_LEN);
        sv->flush = true;       /* as the real write would flush the TLB */
    } else if (rc == CR_FAULT) {
        vmx_inject_hw_exception(13, true, 0);
    } else {
        e->reason = EXIT_UNHANDLED;
    }
}

/* The combinations of state components XSETBV accepts (SDM vol. 2,
 * "XSETBV"): x87 always, only those the processor has, AVX with SSE,
 * MPX's two and AMX's two together, AVX-512's three together and with
 * AVX. */
static bool xcr0_valid(uint64_t val)
{
    struct cpuid_regs r = cpuid_count(0xd, 0);
    uint64_t supported = ((uint64_t)r.edx << 32) | r.eax;

    if (!(val & XCR0_X87) || (val & ~supported))
        return false;
    if ((val & XCR0_AVX) && !(val & XCR0_SSE))
        return false;
    if ((val & XCR0_MPX) && (val & XCR0_MPX) != XCR0_MPX)
        return false;
    if ((val & XCR0_AMX) && (val & XCR0_AMX) != XCR0_AMX)
        return false;
    if ((val & XCR0_AVX512) &&
        ((val & XCR0_AVX512) != XCR0_AVX512 || !(val & XCR0_AVX)))
        return false;
    return true;
}

/* XSETBV, which always exits (SDM 26.1.2), from dom0.  Its CPU is its own,
 * and VM entries and exits leave XCR0 alone, so the guest's XCR0 is the
 * processor's: checked here as XSETBV would check it, then set for real.
 * The #UD of CR4.OSXSAVE clear and the #GP of CPL > 0 come before the exit
 * (SDM 26.1.1).  XSETBV in VMX root operation wants mica's CR4.OSXSAVE as
 * well; mica itself never uses XSAVE. */
void vmx_handle_xsetbv(struct vcpu *v, struct hvm_exit *e)
{
    uint64_t val = ((v->regs.rdx & 0xffffffffu) << 32) | (v->regs.rax & 0xffffffffu);
    uint64_t cr4;

    e->reason = EXIT_NONE;
    if ((uint32_t)v->regs.rcx != 0 || !(cpuid(1).ecx & CPUID1_ECX_XSAVE) ||
        !xcr0_valid(val)) {
        vmx_inject_hw_exception(13, true, 0);
        return;
    }
    cr4 = read_cr4();
    write_cr4(cr4 | X86_CR4_OSXSAVE);
    __asm__ volatile("xsetbv" :: "c"(0u), "a"((uint32_t)val),
                     "d"((uint32_t)(val >> 32)) : "memory");
    write_cr4(cr4);
    v->regs.rip += vmcs_read(EXIT_INSTRUCTION_LEN);
}
