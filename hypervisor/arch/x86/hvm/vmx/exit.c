/* VM exits in common terms (Intel SDM vol. 3C, chapter 28), and the
 * events that go into the guest with the next VM entry: an exception
 * mica raises, or one the exit interrupted. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/event.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include "vmx_int.h"

static const char *const exit_names[EXIT_REASON_MAX + 1] = {
    [EXIT_REASON_EXCEPTION_NMI] = "EXCEPTION_NMI",
    [EXIT_REASON_EXT_INTR] = "EXTERNAL_INTERRUPT",
    [EXIT_REASON_TRIPLE_FAULT] = "TRIPLE_FAULT",
    [EXIT_REASON_INTR_WINDOW] = "INTERRUPT_WINDOW",
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
    [EXIT_REASON_PREEMPTION_TIMER] = "PREEMPTION_TIMER",
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

/* Raises a hardware exception in the guest at the next VM entry. */
void vmx_inject_hw_exception(uint8_t vector, bool has_err, uint32_t err)
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

/* An event-channel upcall goes in as an external interrupt when the guest
 * can take one (RFLAGS.IF set, no STI or MOV SS shadow, no other event
 * going in); until then interrupt-window exiting makes the CPU exit at the
 * moment it could (SDM 25.6.2, 26.7.5). */
void vmx_intr_assist(struct vcpu *v)
{
    int vec = evtchn_upcall_vector(v);
    uint32_t proc = (uint32_t)vmcs_read(PROC_CONTROLS);
    uint32_t want = proc & ~PROC_INTR_WINDOW_EXITING;

    if (vec >= 0) {
        if (!(vmcs_read(ENTRY_INTR_INFO) & INTR_INFO_VALID) &&
            (v->regs.rflags & X86_RFLAGS_IF) &&
            !(vmcs_read(GUEST_INTERRUPTIBILITY) &
              (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
            vmcs_write(ENTRY_INTR_INFO, INTR_INFO_VALID | (uint8_t)vec |
                                        (INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT));
        else
            want |= PROC_INTR_WINDOW_EXITING;
    }
    if (want != proc)
        vmcs_write(PROC_CONTROLS, want);
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
void vmx_decode_exit(struct vcpu *v, struct vmx_vcpu *sv, struct hvm_exit *e)
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
    case EXIT_REASON_PREEMPTION_TIMER:  /* the run's bound (vmx_run) */
    case EXIT_REASON_INTR_WINDOW:
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
        vmx_handle_cr_access(v, sv, e);
        return;
    case EXIT_REASON_XSETBV:
        if (!v->domain->is_dom0) {
            e->reason = EXIT_UNHANDLED;
            break;
        }
        vmx_handle_xsetbv(v, e);
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
        vmx_inject_hw_exception(6, false, 0);
        e->reason = EXIT_NONE;
        break;
    default:
        e->reason = EXIT_UNHANDLED;
        break;
    }
    e->insn_len = (uint8_t)vmcs_read(EXIT_INSTRUCTION_LEN);
}
