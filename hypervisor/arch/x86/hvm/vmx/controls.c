/* What makes a guest exit: the VM-execution, exit and entry controls of
 * each vCPU, fixed when it is created, and the MSR and I/O bitmaps they
 * point to (Intel SDM vol. 3C, 25.6-25.8).
 *
 * A xenU vCPU exits on every I/O instruction, every MSR but the few the
 * processor or vmx.c switches for it, HLT, CR8, and external interrupts
 * and NMIs, which are mica's.
 *
 * A dom0 vCPU is a passthrough partition on a CPU of its own (DESIGN.md
 * section 3): that CPU's LAPIC, interrupts and NMIs, HLT and MWAIT, TSC
 * and performance counters, CR8 and nearly every MSR and I/O port are
 * dom0's, so none of them exits.  What still exits is what any guest
 * cannot be given: CPUID, VMX and XSETBV, the control-register bits VMX
 * owns, EPT violations (dom0's device memory is mapped on first touch),
 * triple faults, mica's own I/O ports and the MSRs listed below. */
#include <mica/console.h>
#include <mica/errno.h>
#include <mica/heap.h>
#include <mica/spinlock.h>
#include <mica/string.h>
#include <mica/ctl.h>
#include <asm/cpu.h>
#include "vmx_int.h"

#define MSR_IA32_BIOS_UPDT_TRIG     0x00000079
#define MSR_IA32_SMM_MONITOR_CTL    0x0000009b
/* IA32_VMX_BASIC to IA32_VMX_EXIT_CTLS2, the VMX capability MSRs (SDM
 * appendix A). */
#define MSR_VMX_FIRST               0x00000480
#define MSR_VMX_LAST                0x00000493

#define UART_PORTS                  8

static void *msr_bitmap;                /* xenU's, shared, read-only once built */
/* dom0's, built at its first vCPU's creation and read-only from then on. */
static void *dom0_msr_bitmap, *dom0_io_bitmap[2];
static spinlock_t dom0_lock = SPINLOCK_INIT;

/* ---- Bitmaps ---------------------------------------------------------- */

/* The MSR bitmap (SDM 25.6.9): read bits for MSRs 0-0x1fff at 0 and for
 * 0xc0000000-0xc0001fff at 1 KiB; the write bits 2 KiB after each.  MSRs
 * outside both ranges always exit.  Sets or clears the exit bits of one
 * MSR for reads, writes or both. */
static void msr_exits(void *bitmap, uint32_t msr, bool rd, bool wr, bool exit)
{
    uint8_t *bm = bitmap, bit = (uint8_t)(1u << (msr % 8));
    unsigned int base;

    if (msr <= 0x1fff) {
        base = 0;
    } else if (msr >= 0xc0000000u && msr <= 0xc0001fffu) {
        base = 0x400;
        msr -= 0xc0000000u;
    } else {
        return;
    }
    base += msr / 8;
    if (rd)
        bm[base] = exit ? bm[base] | bit : bm[base] & (uint8_t)~bit;
    if (wr)
        bm[base + 0x800] = exit ? bm[base + 0x800] | bit : bm[base + 0x800] & (uint8_t)~bit;
}

/* The I/O bitmaps (SDM 25.6.4): A for ports 0-0x7fff, B for the rest, one
 * bit a port.  An access exits if any port it touches has its bit set
 * (SDM 26.1.3), so a wide access that covers one of mica's ports exits
 * too. */
static void io_exits(uint16_t port, unsigned int n)
{
    for (unsigned int p = port; p < port + n && p <= 0xffff; p++) {
        uint8_t *bm = dom0_io_bitmap[p >> 15];

        bm[(p & 0x7fff) / 8] |= (uint8_t)(1u << (p % 8));
    }
}

/* xenU's MSR bitmap: everything exits but the guest's own MSRs that VM
 * entry and exit switch (the FS/GS bases and SYSENTER MSRs, SDM 27.3.2.1,
 * 28.5.1) or that vmx.c switches lazily. */
int vmx_controls_init(void)
{
    static const uint32_t direct[] = {
        MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
        MSR_CSTAR, MSR_SFMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
        MSR_IA32_SYSENTER_EIP,
    };

    msr_bitmap = page_alloc_zeroed();
    if (!msr_bitmap)
        return -ENOMEM;
    memset(msr_bitmap, 0xff, PAGE_SIZE);
    for (unsigned i = 0; i < ARRAY_SIZE(direct); i++)
        msr_exits(msr_bitmap, direct[i], true, true, false);
    return 0;
}

/* dom0's bitmaps.  Its MSRs are its CPU's, except:
 *  - IA32_FEATURE_CONTROL, IA32_SMM_MONITOR_CTL and the VMX capability
 *    MSRs: VMX is mica's, and dom0's CPUID does not show it.  Unhandled,
 *    they raise #GP, which Linux's rdmsr_safe() expects.
 *  - writes to IA32_BIOS_UPDT_TRIG: microcode must not be loaded in VMX
 *    non-root operation (SDM 33.4), nor on one core of the many mica
 *    runs on.
 * EFER and PAT need no exit: WRMSR changes the real register, VM exits
 * save it in the guest-state area and load mica's (the "save/load
 * IA32_EFER/PAT" exit controls, SDM 28.3.1, 28.5.1), and VM entries load
 * the guest's again (SDM 27.3.2.1); LMA and the "IA-32e mode guest" entry
 * control follow the processor's own mode changes (SDM 28.2, A.6).  The
 * FS/GS bases, SYSENTER and debug MSRs are switched the same way, and the
 * SYSCALL MSRs lazily by vmx.c.  The rest (TSC, APIC base, MTRRs, ...)
 * act on dom0's CPU alone, whose only other user is mica's exit handling:
 * EPT, not the MTRRs, gives the guest's memory types (SDM 29.3.7.2).
 * Every I/O port is dom0's but the toolstack doorbell and mica's own
 * UART, if it keeps one. */
static int dom0_bitmaps(void)
{
    unsigned long f = spin_lock_irqsave(&dom0_lock);
    int rc = 0;

    if (dom0_msr_bitmap)
        goto out;
    dom0_io_bitmap[0] = page_alloc_zeroed();
    dom0_io_bitmap[1] = page_alloc_zeroed();
    dom0_msr_bitmap = page_alloc_zeroed();
    if (!dom0_io_bitmap[0] || !dom0_io_bitmap[1] || !dom0_msr_bitmap) {
        page_free(dom0_io_bitmap[0]);
        page_free(dom0_io_bitmap[1]);
        page_free(dom0_msr_bitmap);
        dom0_io_bitmap[0] = dom0_io_bitmap[1] = dom0_msr_bitmap = NULL;
        rc = -ENOMEM;
        goto out;
    }
    msr_exits(dom0_msr_bitmap, MSR_IA32_FEATURE_CONTROL, true, true, true);
    msr_exits(dom0_msr_bitmap, MSR_IA32_SMM_MONITOR_CTL, true, true, true);
    for (uint32_t msr = MSR_VMX_FIRST; msr <= MSR_VMX_LAST; msr++)
        msr_exits(dom0_msr_bitmap, msr, true, true, true);
    msr_exits(dom0_msr_bitmap, MSR_IA32_BIOS_UPDT_TRIG, false, true, true);

    io_exits(MICA_CTL_PORT, 4);
    if (mica_uart_port)
        io_exits(mica_uart_port, UART_PORTS);
out:
    spin_unlock_irqrestore(&dom0_lock, f);
    return rc;
}

/* ---- Controls --------------------------------------------------------- */

/* What a vCPU of d needs before its controls can be written. */
int vmx_controls_prepare(const struct domain *d)
{
    if (!d->is_dom0)
        return 0;
    if (vmx.dom0_why) {
        pr_err("VMX: d%u: cannot run as a passthrough partition: %s\n",
               d->id, vmx.dom0_why);
        return -ENODEV;
    }
    return dom0_bitmaps();
}

/* The controls, which stay as they are for the vCPU's life; on the
 * current VMCS. */
void vmx_write_controls(struct vmx_vcpu *sv, const struct domain *d)
{
    bool dom0 = d->is_dom0;
    uint32_t proc2 = dom0 ? vmx.dom0_proc2 : vmx.proc2;

    if (!sv->vpid)
        proc2 &= ~PROC2_ENABLE_VPID;   /* all 65535 in use: flush instead */
    vmcs_write(PIN_CONTROLS, dom0 ? vmx.dom0_pin : vmx.pin);
    vmcs_write(PROC_CONTROLS, dom0 ? vmx.dom0_proc : vmx.proc);
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
    vmcs_write(MSR_BITMAP, pa(dom0 ? dom0_msr_bitmap : msr_bitmap));
    if (dom0) {
        vmcs_write(IO_BITMAP_A, pa(dom0_io_bitmap[0]));
        vmcs_write(IO_BITMAP_B, pa(dom0_io_bitmap[1]));
    }
    /* No XSAVES exits for any IA32_XSS bit (SDM 26.1.3). */
    if (proc2 & PROC2_ENABLE_XSAVES)
        vmcs_write(XSS_EXIT_BITMAP, 0);
    vmcs_write(EPT_POINTER, eptp(d));
    if (sv->vpid)
        vmcs_write(VPID, sv->vpid);
    vmcs_write(CR0_GUEST_HOST_MASK, vmx.cr0_mask);
    vmcs_write(CR4_GUEST_HOST_MASK, vmx.cr4_mask);
    vmcs_write(VMCS_LINK_POINTER, ~0ull);       /* no shadow VMCS */
}
