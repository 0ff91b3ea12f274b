/* The hardware-virtualization interface.  SVM and VMX each provide one
 * struct hvm_ops; hvm_select() picks one at boot and common code calls only
 * through it.  Exits come back as a struct hvm_exit in vendor-neutral
 * terms; the guest's general registers live in struct vcpu (guest_regs)
 * across every exit, the backend syncing the ones its hardware keeps. */
#ifndef ASM_HVM_H
#define ASM_HVM_H

#include <mica/types.h>

struct vcpu;
struct domain;

enum hvm_exit_reason {
    EXIT_NONE,          /* handled inside the backend, or an interrupt */
    EXIT_CPUID,
    EXIT_HLT,
    EXIT_HYPERCALL,     /* VMCALL or VMMCALL */
    EXIT_IO,
    EXIT_MSR_READ,
    EXIT_MSR_WRITE,
    EXIT_NPF,           /* nested page fault / EPT violation */
    EXIT_TRIPLE_FAULT,
    EXIT_INVALID,       /* the hardware refused the guest state */
    EXIT_UNHANDLED,     /* anything else: the domain is crashed */
};

struct hvm_exit {
    enum hvm_exit_reason reason;
    uint64_t raw;               /* vendor exit code, for the log */
    const char *raw_name;       /* vendor name of that code, if known */
    uint8_t insn_len;           /* of the exiting instruction, when known */
    union {
        struct {
            uint16_t port;
            uint8_t size;       /* 1, 2 or 4 */
            bool in, string, rep;
        } io;
        struct {
            gpaddr_t gpa;
            bool read, write, fetch, present;
        } npf;
    };
};

/* General registers of a guest vCPU. */
struct guest_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rsp, rflags;
};

/* A segment register's hidden part for START_HVM.  `attr` is packed as in
 * Xen's vcpu_hvm_context and SVM's VMCB: type 3:0, S 4, DPL 6:5, P 7,
 * AVL 8, L 9, D/B 10, G 11; 0 is a null (unusable) segment.  `limit` is in
 * bytes and agrees with G (G set: bits 11:0 all ones; G clear: bits 31:20
 * zero), as VMX requires. */
struct start_seg {
    uint64_t base;
    uint32_t limit;
    uint16_t sel;
    uint16_t attr;
};

/* The state a vCPU starts in. */
struct vcpu_start_state {
    enum {
        START_PVH32,    /* 32-bit flat protected mode, paging off (PVH) */
        START_LINUX64,  /* Linux's 64-bit boot protocol (see below) */
        START_HVM,      /* all of it given: VCPUOP_initialise (see below) */
    } mode;
    uint64_t rip;
    uint64_t rbx;       /* PVH: start_info */
    /* START_LINUX64: long mode with paging (CR3 = cr3, CR0 = PE|PG|ET|NE,
     * CR4 = PAE, EFER = LME|LMA), GDTR = gdt_base/gdt_limit, CS = 0x10
     * (64-bit code), DS/ES/SS/FS/GS = 0x18 (flat data), interrupts off,
     * RSI = boot_params (Linux Documentation/arch/x86/boot.rst, 64-bit boot
     * protocol). */
    uint64_t rsi;
    uint64_t cr3;
    uint64_t gdt_base;
    uint16_t gdt_limit;
    /* START_HVM: every general register (rip = regs.rip, and cr3 above),
     * CR0, CR4 and EFER as the guest sees them, with EFER.LMA set exactly
     * when long mode is on; FS and GS given like the others; GDTR and IDTR
     * empty (base 0, limit 0), LDTR null; the CPL is SS.DPL.  Under PAE
     * paging outside long mode, the four PDPTEs CR3 names (VMX loads them
     * from the VMCS).  vcpu_op.c has checked that the CPU can enter it. */
    struct guest_regs regs;
    uint64_t cr0, cr4, efer;
    struct start_seg cs, ds, es, ss, fs, gs, tr;
    uint64_t pdpte[4];
};

/* I/O ports mica keeps from dom0, which otherwise has every port: the
 * toolstack doorbell (MICA_CTL_PORT, 4 ports) and, when mica keeps a serial
 * port for itself after dom0 starts, that UART's 8 ports
 * (mica_uart_port; 0 when none). */
extern uint16_t mica_uart_port;

struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
};

struct hvm_ops {
    const char *name;
    int (*cpu_up)(void);
    int (*vcpu_create)(struct vcpu *v);
    void (*vcpu_destroy)(struct vcpu *v);
    void (*vcpu_set_start)(struct vcpu *v, const struct vcpu_start_state *s);
    /* Runs the guest until an exit; called with interrupts disabled. */
    void (*run)(struct vcpu *v, struct hvm_exit *e);
    /* Called on the CPU that last ran v, which runs nowhere now: puts
     * back in memory whatever of v's state this CPU still holds, so that
     * another CPU may run it next (the scheduler moving it). */
    void (*vcpu_unload)(struct vcpu *v);
    void (*inject_exception)(struct vcpu *v, uint8_t vector, bool has_err,
                             uint32_t err);
    void (*get_paging)(struct vcpu *v, struct guest_paging *p);
    /* 16, 32 or 64: the operand size of the guest's code segment. */
    int (*guest_bits)(struct vcpu *v);
    /* The guest's current privilege level, 0-3. */
    int (*guest_cpl)(struct vcpu *v);
    /* The base of a segment register, numbered as instructions encode
     * them (0-5: ES, CS, SS, DS, FS, GS; enum x86_seg). */
    uint64_t (*seg_base)(struct vcpu *v, int seg);
    /* MSRs whose state the backend keeps (EFER, PAT, ...); return 0 if
     * handled, -1 if the MSR is not one of these. */
    int (*msr_read)(struct vcpu *v, uint32_t msr, uint64_t *val);
    int (*msr_write)(struct vcpu *v, uint32_t msr, uint64_t val);
    /* Second-level page-table entry formats (AMD NPT, Intel EPT).  A leaf
     * maps 4 KiB, or 2 MiB when p2m.c sets bit 7 (PS in both formats); `ram`
     * is false for device memory (EPT: uncacheable type). */
    uint64_t (*npt_table_entry)(mfn_t table);
    uint64_t (*npt_leaf_entry)(mfn_t frame, bool write, bool exec, bool ram);
    /* Makes a domain's second-level mapping changes visible. */
    void (*npt_flush)(struct domain *d);
    /* The instruction a hypercall stub uses (3 bytes). */
    uint8_t hypercall_insn[3];
};

extern const struct hvm_ops *hvm_ops;
extern const struct hvm_ops svm_ops, vmx_ops;

void hvm_select(void);
int hvm_cpu_up(void);

/* Handles an exit in common code; returns false if the vCPU must not be
 * resumed (it blocked, or its domain ended). */
bool hvm_handle_exit(struct vcpu *v, struct hvm_exit *e);

#endif
