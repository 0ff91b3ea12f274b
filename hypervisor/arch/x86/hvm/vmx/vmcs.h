/* The Intel VMCS: field encodings (Intel SDM vol. 3C, appendix B), control
 * bits (chapter 25), exit reasons (appendix C), and the only way mica
 * touches a VMCS field: vmcs_read() and vmcs_write(), which catch VMfail.
 *
 * An encoding carries its own width in bits 14:13 and its kind in bits
 * 11:10 (SDM 25.11.2), so a field typed into the wrong group is caught by
 * the assertions below rather than by a VM-entry failure days later. */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

/* entry.S writes HOST_RSP itself, just before VMLAUNCH/VMRESUME. */
#define VMCS_ENC_HOST_RSP 0x6c14

#ifndef __ASSEMBLER__

#include <mica/types.h>

enum vmcs_field {
    /* 16-bit control, guest-state and host-state fields */
    VPID                        = 0x0000,
    GUEST_ES_SEL                = 0x0800,   /* ES, CS, SS, DS, FS, GS, LDTR, TR */
    GUEST_CS_SEL                = 0x0802,
    GUEST_TR_SEL                = 0x080e,
    HOST_ES_SEL                 = 0x0c00,
    HOST_CS_SEL                 = 0x0c02,
    HOST_SS_SEL                 = 0x0c04,
    HOST_DS_SEL                 = 0x0c06,
    HOST_FS_SEL                 = 0x0c08,
    HOST_GS_SEL                 = 0x0c0a,
    HOST_TR_SEL                 = 0x0c0c,

    /* 64-bit fields (full access; the "high" halves are for 32-bit VMMs) */
    IO_BITMAP_A                 = 0x2000,
    IO_BITMAP_B                 = 0x2002,
    MSR_BITMAP                  = 0x2004,
    EXIT_MSR_STORE_ADDR         = 0x2006,
    EXIT_MSR_LOAD_ADDR          = 0x2008,
    ENTRY_MSR_LOAD_ADDR         = 0x200a,
    TSC_OFFSET                  = 0x2010,
    EPT_POINTER                 = 0x201a,
    XSS_EXIT_BITMAP             = 0x202c,
    GUEST_PHYSICAL_ADDRESS      = 0x2400,
    VMCS_LINK_POINTER           = 0x2800,
    GUEST_IA32_DEBUGCTL         = 0x2802,
    GUEST_IA32_PAT              = 0x2804,
    GUEST_IA32_EFER             = 0x2806,
    GUEST_PDPTE0                = 0x280a,   /* PDPTE0..3, 2 apart */
    HOST_IA32_PAT               = 0x2c00,
    HOST_IA32_EFER              = 0x2c02,

    /* 32-bit fields */
    PIN_CONTROLS                = 0x4000,
    PROC_CONTROLS               = 0x4002,
    EXCEPTION_BITMAP            = 0x4004,
    PF_ERROR_CODE_MASK          = 0x4006,
    PF_ERROR_CODE_MATCH         = 0x4008,
    CR3_TARGET_COUNT            = 0x400a,
    EXIT_CONTROLS               = 0x400c,
    EXIT_MSR_STORE_COUNT        = 0x400e,
    EXIT_MSR_LOAD_COUNT         = 0x4010,
    ENTRY_CONTROLS              = 0x4012,
    ENTRY_MSR_LOAD_COUNT        = 0x4014,
    ENTRY_INTR_INFO             = 0x4016,
    ENTRY_EXCEPTION_ERROR_CODE  = 0x4018,
    ENTRY_INSTRUCTION_LEN       = 0x401a,
    TPR_THRESHOLD               = 0x401c,
    PROC_CONTROLS2              = 0x401e,
    VM_INSTRUCTION_ERROR        = 0x4400,
    EXIT_REASON                 = 0x4402,
    EXIT_INTR_INFO              = 0x4404,
    EXIT_INTR_ERROR_CODE        = 0x4406,
    IDT_VECTORING_INFO          = 0x4408,
    IDT_VECTORING_ERROR_CODE    = 0x440a,
    EXIT_INSTRUCTION_LEN        = 0x440c,
    EXIT_INSTRUCTION_INFO       = 0x440e,
    GUEST_ES_LIMIT              = 0x4800,   /* ES..TR, then GDTR, IDTR */
    GUEST_TR_LIMIT              = 0x480e,
    GUEST_GDTR_LIMIT            = 0x4810,
    GUEST_IDTR_LIMIT            = 0x4812,
    GUEST_ES_AR                 = 0x4814,   /* ES..TR */
    GUEST_CS_AR                 = 0x4816,
    GUEST_TR_AR                 = 0x4822,
    GUEST_INTERRUPTIBILITY      = 0x4824,
    GUEST_ACTIVITY_STATE        = 0x4826,
    GUEST_SYSENTER_CS           = 0x482a,
    GUEST_PREEMPTION_TIMER      = 0x482e,
    HOST_SYSENTER_CS            = 0x4c00,

    /* natural-width fields */
    CR0_GUEST_HOST_MASK         = 0x6000,
    CR4_GUEST_HOST_MASK         = 0x6002,
    CR0_READ_SHADOW             = 0x6004,
    CR4_READ_SHADOW             = 0x6006,
    EXIT_QUALIFICATION          = 0x6400,
    GUEST_LINEAR_ADDRESS        = 0x640a,
    GUEST_CR0                   = 0x6800,
    GUEST_CR3                   = 0x6802,
    GUEST_CR4                   = 0x6804,
    GUEST_ES_BASE               = 0x6806,   /* ES..TR, then GDTR, IDTR */
    GUEST_TR_BASE               = 0x6814,
    GUEST_GDTR_BASE             = 0x6816,
    GUEST_IDTR_BASE             = 0x6818,
    GUEST_DR7                   = 0x681a,
    GUEST_RSP                   = 0x681c,
    GUEST_RIP                   = 0x681e,
    GUEST_RFLAGS                = 0x6820,
    GUEST_PENDING_DBG           = 0x6822,
    GUEST_SYSENTER_ESP          = 0x6824,
    GUEST_SYSENTER_EIP          = 0x6826,
    HOST_CR0                    = 0x6c00,
    HOST_CR3                    = 0x6c02,
    HOST_CR4                    = 0x6c04,
    HOST_FS_BASE                = 0x6c06,
    HOST_GS_BASE                = 0x6c08,
    HOST_TR_BASE                = 0x6c0a,
    HOST_GDTR_BASE              = 0x6c0c,
    HOST_IDTR_BASE              = 0x6c0e,
    HOST_SYSENTER_ESP           = 0x6c10,
    HOST_SYSENTER_EIP           = 0x6c12,
    HOST_RSP                    = VMCS_ENC_HOST_RSP,
    HOST_RIP                    = 0x6c16,
};

/* The guest segment registers in the order their fields are numbered
 * (SDM B.1.2, B.3.3, B.4.3): field = first field + 2 * index. */
enum vmx_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };
#define GUEST_SEG_SEL(s)   ((enum vmcs_field)(GUEST_ES_SEL + 2 * (s)))
#define GUEST_SEG_LIMIT(s) ((enum vmcs_field)(GUEST_ES_LIMIT + 2 * (s)))
#define GUEST_SEG_AR(s)    ((enum vmcs_field)(GUEST_ES_AR + 2 * (s)))
#define GUEST_SEG_BASE(s)  ((enum vmcs_field)(GUEST_ES_BASE + 2 * (s)))

/* Bits 14:13 of an encoding (SDM 25.11.2). */
#define VMCS_WIDTH(f)  (((unsigned)(f) >> 13) & 3)
#define VMCS_W16   0
#define VMCS_W64   1
#define VMCS_W32   2
#define VMCS_WNAT  3

#define VMCS_ASSERT_WIDTH(f, w) BUILD_BUG_ON(VMCS_WIDTH(f) != (w))
VMCS_ASSERT_WIDTH(VPID, VMCS_W16);
VMCS_ASSERT_WIDTH(GUEST_SEG_SEL(SEG_TR), VMCS_W16);
VMCS_ASSERT_WIDTH(HOST_TR_SEL, VMCS_W16);
VMCS_ASSERT_WIDTH(MSR_BITMAP, VMCS_W64);
VMCS_ASSERT_WIDTH(EPT_POINTER, VMCS_W64);
VMCS_ASSERT_WIDTH(XSS_EXIT_BITMAP, VMCS_W64);
VMCS_ASSERT_WIDTH(GUEST_PHYSICAL_ADDRESS, VMCS_W64);
VMCS_ASSERT_WIDTH(VMCS_LINK_POINTER, VMCS_W64);
VMCS_ASSERT_WIDTH(GUEST_IA32_EFER, VMCS_W64);
VMCS_ASSERT_WIDTH(GUEST_PDPTE0 + 6, VMCS_W64);
VMCS_ASSERT_WIDTH(HOST_IA32_EFER, VMCS_W64);
VMCS_ASSERT_WIDTH(PROC_CONTROLS2, VMCS_W32);
VMCS_ASSERT_WIDTH(EXIT_INSTRUCTION_LEN, VMCS_W32);
VMCS_ASSERT_WIDTH(GUEST_SEG_LIMIT(SEG_TR), VMCS_W32);
VMCS_ASSERT_WIDTH(GUEST_SEG_AR(SEG_TR), VMCS_W32);
VMCS_ASSERT_WIDTH(GUEST_SYSENTER_CS, VMCS_W32);
VMCS_ASSERT_WIDTH(GUEST_PREEMPTION_TIMER, VMCS_W32);
VMCS_ASSERT_WIDTH(HOST_SYSENTER_CS, VMCS_W32);
VMCS_ASSERT_WIDTH(CR4_READ_SHADOW, VMCS_WNAT);
VMCS_ASSERT_WIDTH(EXIT_QUALIFICATION, VMCS_WNAT);
VMCS_ASSERT_WIDTH(GUEST_SEG_BASE(SEG_TR), VMCS_WNAT);
VMCS_ASSERT_WIDTH(GUEST_SYSENTER_EIP, VMCS_WNAT);
VMCS_ASSERT_WIDTH(HOST_RIP, VMCS_WNAT);
/* The per-segment groups line up with the named ends of each group. */
BUILD_BUG_ON(GUEST_SEG_SEL(SEG_CS) != GUEST_CS_SEL);
BUILD_BUG_ON(GUEST_SEG_SEL(SEG_TR) != GUEST_TR_SEL);
BUILD_BUG_ON(GUEST_SEG_LIMIT(SEG_TR) != GUEST_TR_LIMIT);
BUILD_BUG_ON(GUEST_SEG_LIMIT(SEG_TR + 1) != GUEST_GDTR_LIMIT);
BUILD_BUG_ON(GUEST_SEG_AR(SEG_CS) != GUEST_CS_AR);
BUILD_BUG_ON(GUEST_SEG_AR(SEG_TR) != GUEST_TR_AR);
BUILD_BUG_ON(GUEST_SEG_BASE(SEG_TR) != GUEST_TR_BASE);
BUILD_BUG_ON(GUEST_SEG_BASE(SEG_TR + 1) != GUEST_GDTR_BASE);
/* Bits 11:10 say guest state (2) or host state (3). */
BUILD_BUG_ON(((GUEST_IA32_EFER >> 10) & 3) != 2 || ((HOST_IA32_EFER >> 10) & 3) != 3);
BUILD_BUG_ON(((GUEST_RIP >> 10) & 3) != 2 || ((HOST_RIP >> 10) & 3) != 3);

/* Pin-based controls (SDM 25.6.1) */
#define PIN_EXT_INTR_EXITING        (1u << 0)
#define PIN_NMI_EXITING             (1u << 3)
#define PIN_VIRTUAL_NMIS            (1u << 5)
#define PIN_PREEMPTION_TIMER        (1u << 6)

/* Primary processor-based controls (SDM 25.6.2, table 25-6) */
#define PROC_INTR_WINDOW_EXITING    (1u << 2)
#define PROC_HLT_EXITING            (1u << 7)
#define PROC_INVLPG_EXITING         (1u << 9)
#define PROC_MWAIT_EXITING          (1u << 10)
#define PROC_RDPMC_EXITING          (1u << 11)
#define PROC_RDTSC_EXITING          (1u << 12)
#define PROC_CR3_LOAD_EXITING       (1u << 15)
#define PROC_CR3_STORE_EXITING      (1u << 16)
#define PROC_CR8_LOAD_EXITING       (1u << 19)
#define PROC_CR8_STORE_EXITING      (1u << 20)
#define PROC_TPR_SHADOW             (1u << 21)
#define PROC_MOV_DR_EXITING         (1u << 23)
#define PROC_UNCOND_IO_EXITING      (1u << 24)
#define PROC_USE_IO_BITMAPS         (1u << 25)
#define PROC_USE_MSR_BITMAPS        (1u << 28)
#define PROC_MONITOR_EXITING        (1u << 29)
#define PROC_SECONDARY_CONTROLS     (1u << 31)

/* Secondary processor-based controls (table 25-7) */
#define PROC2_ENABLE_EPT            (1u << 1)
#define PROC2_ENABLE_RDTSCP         (1u << 3)
#define PROC2_ENABLE_VPID           (1u << 5)
#define PROC2_UNRESTRICTED_GUEST    (1u << 7)
#define PROC2_ENABLE_INVPCID        (1u << 12)
#define PROC2_ENABLE_XSAVES         (1u << 20)
#define PROC2_USER_WAIT_PAUSE       (1u << 26)

/* VM-exit controls (SDM 25.7.1) */
#define EXIT_SAVE_DEBUG_CONTROLS    (1u << 2)
#define EXIT_HOST_ADDR_SPACE_SIZE   (1u << 9)
#define EXIT_ACK_INTR_ON_EXIT       (1u << 15)
#define EXIT_SAVE_IA32_PAT          (1u << 18)
#define EXIT_LOAD_IA32_PAT          (1u << 19)
#define EXIT_SAVE_IA32_EFER         (1u << 20)
#define EXIT_LOAD_IA32_EFER         (1u << 21)

/* VM-entry controls (SDM 25.8.1) */
#define ENTRY_LOAD_DEBUG_CONTROLS   (1u << 2)
#define ENTRY_IA32E_MODE_GUEST      (1u << 9)
#define ENTRY_LOAD_IA32_PAT         (1u << 14)
#define ENTRY_LOAD_IA32_EFER        (1u << 15)

/* Interruption information, for entry, exit and IDT vectoring (SDM
 * 25.8.3, 25.9.2). */
#define INTR_INFO_VECTOR_MASK       0xffu
#define INTR_INFO_TYPE_SHIFT        8
#define INTR_INFO_TYPE_MASK         (7u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR          0
#define INTR_TYPE_NMI               2
#define INTR_TYPE_HW_EXCEPTION      3
#define INTR_TYPE_SW_INTR           4
#define INTR_TYPE_PRIV_SW_EXCEPTION 5
#define INTR_TYPE_SW_EXCEPTION      6
#define INTR_INFO_ERROR_CODE_VALID  (1u << 11)
#define INTR_INFO_VALID             (1u << 31)

/* Guest interruptibility state (SDM 25.4.2, table 25-3) */
#define INTERRUPTIBILITY_STI        (1u << 0)
#define INTERRUPTIBILITY_MOV_SS     (1u << 1)

/* Segment access rights as the VMCS holds them (SDM 25.4.1, table 25-2). */
#define AR_L                        (1u << 13)
#define AR_DB                       (1u << 14)
#define AR_UNUSABLE                 (1u << 16)

/* Basic exit reasons (SDM appendix C) */
#define EXIT_REASON_EXCEPTION_NMI   0
#define EXIT_REASON_EXT_INTR        1
#define EXIT_REASON_TRIPLE_FAULT    2
#define EXIT_REASON_INIT            3
#define EXIT_REASON_SIPI            4
#define EXIT_REASON_INTR_WINDOW     7
#define EXIT_REASON_TASK_SWITCH     9
#define EXIT_REASON_CPUID           10
#define EXIT_REASON_GETSEC          11
#define EXIT_REASON_HLT             12
#define EXIT_REASON_INVD            13
#define EXIT_REASON_INVLPG          14
#define EXIT_REASON_RDPMC           15
#define EXIT_REASON_RDTSC           16
#define EXIT_REASON_RSM             17
#define EXIT_REASON_VMCALL          18
#define EXIT_REASON_VMCLEAR         19
#define EXIT_REASON_VMLAUNCH        20
#define EXIT_REASON_VMPTRLD         21
#define EXIT_REASON_VMPTRST         22
#define EXIT_REASON_VMREAD          23
#define EXIT_REASON_VMRESUME        24
#define EXIT_REASON_VMWRITE         25
#define EXIT_REASON_VMXOFF          26
#define EXIT_REASON_VMXON           27
#define EXIT_REASON_CR_ACCESS       28
#define EXIT_REASON_DR_ACCESS       29
#define EXIT_REASON_IO              30
#define EXIT_REASON_RDMSR           31
#define EXIT_REASON_WRMSR           32
#define EXIT_REASON_BAD_GUEST_STATE 33
#define EXIT_REASON_MSR_LOADING     34
#define EXIT_REASON_MWAIT           36
#define EXIT_REASON_MTF             37
#define EXIT_REASON_MONITOR         39
#define EXIT_REASON_PAUSE           40
#define EXIT_REASON_MACHINE_CHECK   41
#define EXIT_REASON_EPT_VIOLATION   48
#define EXIT_REASON_EPT_MISCONFIG   49
#define EXIT_REASON_INVEPT          50
#define EXIT_REASON_RDTSCP          51
#define EXIT_REASON_PREEMPTION_TIMER 52
#define EXIT_REASON_INVVPID         53
#define EXIT_REASON_WBINVD          54
#define EXIT_REASON_XSETBV          55
#define EXIT_REASON_RDRAND          57
#define EXIT_REASON_INVPCID         58
#define EXIT_REASON_VMFUNC          59
#define EXIT_REASON_RDSEED          61
#define EXIT_REASON_XSAVES          63
#define EXIT_REASON_XRSTORS         64
#define EXIT_REASON_MAX             64
/* Bit 31 of the exit-reason field: the VM entry itself failed. */
#define EXIT_REASON_ENTRY_FAILURE   (1u << 31)

/* EPT-violation exit qualification (SDM 28.2.1, table 28-7) */
#define EPT_QUAL_READ               (1u << 0)
#define EPT_QUAL_WRITE              (1u << 1)
#define EPT_QUAL_FETCH              (1u << 2)
#define EPT_QUAL_PERMS              (7u << 3)   /* what the entry allowed */

/* Reports a VMfail of `op` on `field`, with the VM-instruction error. */
void vmx_report_vmfail(const char *op, unsigned long field);
/* Reports a value that does not fit the field's width (a mica bug). */
void vmx_report_too_wide(enum vmcs_field f, uint64_t val);

static inline bool vmcs_fits(enum vmcs_field f, uint64_t val)
{
    switch (VMCS_WIDTH(f)) {
    case VMCS_W16: return val <= 0xffff;
    case VMCS_W32: return val <= 0xffffffffu;
    default:       return true;
    }
}

/* VMREAD; a failure (no current VMCS, unsupported field) is reported and
 * reads as 0. */
static inline uint64_t vmcs_read(enum vmcs_field f)
{
    uint64_t val;
    bool fail;

    __asm__ volatile("vmread %[f], %[val]"
                     : [val] "=r"(val), "=@ccbe"(fail)
                     : [f] "r"((uint64_t)f));
    if (unlikely(fail)) {
        vmx_report_vmfail("vmread", f);
        return 0;
    }
    return val;
}

/* VMWRITE; returns false after reporting a failure. */
static inline bool vmcs_write(enum vmcs_field f, uint64_t val)
{
    bool fail;

    if (unlikely(!vmcs_fits(f, val))) {
        vmx_report_too_wide(f, val);
        return false;
    }
    __asm__ volatile("vmwrite %[val], %[f]"
                     : "=@ccbe"(fail)
                     : [f] "r"((uint64_t)f), [val] "rm"(val));
    if (unlikely(fail)) {
        vmx_report_vmfail("vmwrite", f);
        return false;
    }
    return true;
}

static inline void vmcs_set_bits(enum vmcs_field f, uint64_t bits)
{
    vmcs_write(f, vmcs_read(f) | bits);
}

static inline void vmcs_clear_bits(enum vmcs_field f, uint64_t bits)
{
    vmcs_write(f, vmcs_read(f) & ~bits);
}

#endif /* __ASSEMBLER__ */
#endif
