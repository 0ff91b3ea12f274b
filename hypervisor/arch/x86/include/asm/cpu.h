/* CPU registers, MSRs and instructions. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <mica/types.h>

#define X86_CR0_PE  (1u << 0)
#define X86_CR0_MP  (1u << 1)
#define X86_CR0_ET  (1u << 4)
#define X86_CR0_NE  (1u << 5)
#define X86_CR0_WP  (1u << 16)
#define X86_CR0_NW  (1u << 29)
#define X86_CR0_CD  (1u << 30)
#define X86_CR0_PG  (1u << 31)

#define X86_CR4_PSE        (1u << 4)
#define X86_CR4_PAE        (1u << 5)
#define X86_CR4_PGE        (1u << 7)
#define X86_CR4_OSFXSR     (1u << 9)
#define X86_CR4_OSXMMEXCPT (1u << 10)
#define X86_CR4_VMXE       (1u << 13)

#define X86_RFLAGS_IF  (1u << 9)
#define X86_RFLAGS_RSVD1 (1u << 1)

#define MSR_IA32_APIC_BASE        0x0000001b
#define MSR_IA32_FEATURE_CONTROL  0x0000003a
#define MSR_IA32_SYSENTER_CS      0x00000174
#define MSR_IA32_SYSENTER_ESP     0x00000175
#define MSR_IA32_SYSENTER_EIP     0x00000176
#define MSR_IA32_DEBUGCTL         0x000001d9
#define MSR_IA32_PAT              0x00000277
#define MSR_IA32_VMX_BASIC        0x00000480
#define MSR_IA32_VMX_PINBASED_CTLS 0x00000481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x00000482
#define MSR_IA32_VMX_EXIT_CTLS    0x00000483
#define MSR_IA32_VMX_ENTRY_CTLS   0x00000484
#define MSR_IA32_VMX_CR0_FIXED0   0x00000486
#define MSR_IA32_VMX_CR0_FIXED1   0x00000487
#define MSR_IA32_VMX_CR4_FIXED0   0x00000488
#define MSR_IA32_VMX_CR4_FIXED1   0x00000489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x0000048b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x0000048c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x0000048d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x0000048e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x0000048f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x00000490
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_CSTAR          0xc0000083
#define MSR_SFMASK         0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_VM_CR          0xc0010114
#define MSR_VM_HSAVE_PA    0xc0010117

#define EFER_SCE   (1u << 0)
#define EFER_LME   (1u << 8)
#define EFER_LMA   (1u << 10)
#define EFER_NXE   (1u << 11)
#define EFER_SVME  (1u << 12)

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid_count(uint32_t leaf, uint32_t sub)
{
    struct cpuid_regs r;

    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(sub));
    return r;
}

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
    return cpuid_count(leaf, 0);
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr"
                     : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR(n)                                                        \
    static inline uint64_t read_cr##n(void)                                 \
    {                                                                       \
        uint64_t v;                                                         \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                   \
        return v;                                                           \
    }                                                                       \
    static inline void write_cr##n(uint64_t v)                              \
    {                                                                       \
        __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");          \
    }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline uint64_t read_rflags(void)
{
    uint64_t f;

    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

static inline void local_irq_enable(void)  { __asm__ volatile("sti" ::: "memory"); }
static inline void local_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_relax(void)         { __asm__ volatile("pause" ::: "memory"); }
static inline void halt(void)              { __asm__ volatile("hlt" ::: "memory"); }
/* Lets pending interrupts in.  STI delays interrupts until after the next
 * instruction, so "sti; cli" would open no window at all. */
static inline void local_irq_window(void)  { __asm__ volatile("sti; nop; cli" ::: "memory"); }
/* sti;hlt: the interrupt shadow of STI guarantees no wake-up is missed. */
static inline void safe_halt(void)         { __asm__ volatile("sti; hlt" ::: "memory"); }

static inline unsigned long local_irq_save(void)
{
    unsigned long f = read_rflags();

    local_irq_disable();
    return f;
}

static inline void local_irq_restore(unsigned long f)
{
    if (f & X86_RFLAGS_IF)
        local_irq_enable();
}

static inline void invlpg(uintptr_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

#endif
