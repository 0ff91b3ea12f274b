/* The AMD VMCB (AMD APM vol. 2, appendix B).  Offsets are asserted at the
 * bottom: a wrong one is a silent, day-long bug. */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <mica/types.h>

struct vmcb_seg {
    uint16_t sel;
    uint16_t attrib;    /* descriptor bits 40-47 in 0-7, 52-55 in 8-11 */
    uint32_t limit;
    uint64_t base;
} __packed;

struct vmcb {
    /* Control area */
    uint32_t intercept_cr;          /* 0x000: reads 0-15, writes 16-31 */
    uint32_t intercept_dr;          /* 0x004 */
    uint32_t intercept_exc;         /* 0x008 */
    uint32_t intercept1;            /* 0x00c */
    uint32_t intercept2;            /* 0x010 */
    uint32_t intercept3;            /* 0x014 */
    uint8_t reserved_0x018[0x3c - 0x18];
    uint16_t pause_threshold;       /* 0x03c */
    uint16_t pause_count;           /* 0x03e */
    uint64_t iopm_pa;               /* 0x040 */
    uint64_t msrpm_pa;              /* 0x048 */
    uint64_t tsc_offset;            /* 0x050 */
    uint32_t asid;                  /* 0x058 */
    uint8_t tlb_control;            /* 0x05c */
    uint8_t reserved_0x05d[3];
    uint64_t vintr;                 /* 0x060 */
    uint64_t int_state;             /* 0x068 */
    uint64_t exitcode;              /* 0x070 */
    uint64_t exitinfo1;             /* 0x078 */
    uint64_t exitinfo2;             /* 0x080 */
    uint64_t exitintinfo;           /* 0x088 */
    uint64_t np_enable;             /* 0x090 */
    uint64_t avic_apic_bar;         /* 0x098 */
    uint64_t ghcb_pa;               /* 0x0a0 */
    uint64_t event_inj;             /* 0x0a8 */
    uint64_t n_cr3;                 /* 0x0b0 */
    uint64_t virt_ext;              /* 0x0b8 */
    uint32_t clean;                 /* 0x0c0 */
    uint32_t reserved_0x0c4;
    uint64_t nrip;                  /* 0x0c8 */
    uint8_t insn_len;               /* 0x0d0 */
    uint8_t insn_bytes[15];
    uint8_t reserved_0x0e0[0x400 - 0xe0];

    /* State save area */
    struct vmcb_seg es, cs, ss, ds, fs, gs;   /* 0x400 - 0x45f */
    struct vmcb_seg gdtr, ldtr, idtr, tr;     /* 0x460 - 0x49f */
    uint8_t reserved_0x4a0[0x4cb - 0x4a0];
    uint8_t cpl;                    /* 0x4cb */
    uint32_t reserved_0x4cc;
    uint64_t efer;                  /* 0x4d0 */
    uint8_t reserved_0x4d8[0x548 - 0x4d8];
    uint64_t cr4;                   /* 0x548 */
    uint64_t cr3;                   /* 0x550 */
    uint64_t cr0;                   /* 0x558 */
    uint64_t dr7;                   /* 0x560 */
    uint64_t dr6;                   /* 0x568 */
    uint64_t rflags;                /* 0x570 */
    uint64_t rip;                   /* 0x578 */
    uint8_t reserved_0x580[0x5d8 - 0x580];
    uint64_t rsp;                   /* 0x5d8 */
    uint8_t reserved_0x5e0[0x5f8 - 0x5e0];
    uint64_t rax;                   /* 0x5f8 */
    uint64_t star;                  /* 0x600 */
    uint64_t lstar;                 /* 0x608 */
    uint64_t cstar;                 /* 0x610 */
    uint64_t sfmask;                /* 0x618 */
    uint64_t kernel_gs_base;        /* 0x620 */
    uint64_t sysenter_cs;           /* 0x628 */
    uint64_t sysenter_esp;          /* 0x630 */
    uint64_t sysenter_eip;          /* 0x638 */
    uint64_t cr2;                   /* 0x640 */
    uint8_t reserved_0x648[0x668 - 0x648];
    uint64_t g_pat;                 /* 0x668 */
    uint64_t dbgctl;                /* 0x670 */
    uint8_t reserved_0x678[0x1000 - 0x678];
} __packed;

#define VMCB_ASSERT(f, off) BUILD_BUG_ON(offsetof(struct vmcb, f) != (off))
VMCB_ASSERT(intercept1, 0x00c);
VMCB_ASSERT(pause_threshold, 0x03c);
VMCB_ASSERT(iopm_pa, 0x040);
VMCB_ASSERT(asid, 0x058);
VMCB_ASSERT(tlb_control, 0x05c);
VMCB_ASSERT(vintr, 0x060);
VMCB_ASSERT(exitcode, 0x070);
VMCB_ASSERT(exitintinfo, 0x088);
VMCB_ASSERT(np_enable, 0x090);
VMCB_ASSERT(event_inj, 0x0a8);
VMCB_ASSERT(n_cr3, 0x0b0);
VMCB_ASSERT(clean, 0x0c0);
VMCB_ASSERT(nrip, 0x0c8);
VMCB_ASSERT(es, 0x400);
VMCB_ASSERT(cs, 0x410);
VMCB_ASSERT(gdtr, 0x460);
VMCB_ASSERT(tr, 0x490);
VMCB_ASSERT(cpl, 0x4cb);
VMCB_ASSERT(efer, 0x4d0);
VMCB_ASSERT(cr4, 0x548);
VMCB_ASSERT(rflags, 0x570);
VMCB_ASSERT(rip, 0x578);
VMCB_ASSERT(rsp, 0x5d8);
VMCB_ASSERT(rax, 0x5f8);
VMCB_ASSERT(star, 0x600);
VMCB_ASSERT(cr2, 0x640);
VMCB_ASSERT(g_pat, 0x668);
BUILD_BUG_ON(sizeof(struct vmcb) != 4096);

/* intercept1 bits */
#define INT1_INTR      (1u << 0)
#define INT1_NMI       (1u << 1)
#define INT1_SMI       (1u << 2)
#define INT1_INIT      (1u << 3)
#define INT1_VINTR     (1u << 4)
#define INT1_CPUID     (1u << 18)
#define INT1_INVD      (1u << 22)
#define INT1_HLT       (1u << 24)
#define INT1_INVLPGA   (1u << 26)
#define INT1_IOIO      (1u << 27)
#define INT1_MSR       (1u << 28)
#define INT1_TASKSW    (1u << 29)
#define INT1_SHUTDOWN  (1u << 31)
/* intercept2 bits */
#define INT2_VMRUN     (1u << 0)
#define INT2_VMMCALL   (1u << 1)
#define INT2_VMLOAD    (1u << 2)
#define INT2_VMSAVE    (1u << 3)
#define INT2_STGI      (1u << 4)
#define INT2_CLGI      (1u << 5)
#define INT2_SKINIT    (1u << 6)
#define INT2_RDTSCP    (1u << 7)
#define INT2_ICEBP     (1u << 8)
#define INT2_WBINVD    (1u << 9)
#define INT2_MONITOR   (1u << 10)
#define INT2_MWAIT     (1u << 11)
#define INT2_XSETBV    (1u << 13)

/* VMCB vintr: a virtual interrupt request (V_IRQ), its priority and
 * whether the guest's TPR may hold it back (APM 15.21.4). */
#define VINTR_IRQ      (1ull << 8)
#define VINTR_PRIO(p)  ((uint64_t)(p) << 16)
#define VINTR_IGN_TPR  (1ull << 20)
#define VINTR_MASKING  (1ull << 24)

#define INT_STATE_SHADOW  (1ull << 0)   /* after STI or MOV SS */

#define EVENTINJ_VALID    (1ull << 31)
#define EVENTINJ_ERRVALID (1ull << 11)
#define EVENTINJ_TYPE_INTR (0ull << 8)
#define EVENTINJ_TYPE_NMI  (2ull << 8)
#define EVENTINJ_TYPE_EXC  (3ull << 8)
#define EVENTINJ_TYPE_MASK (7ull << 8)

#define TLB_FLUSH_NONE  0
#define TLB_FLUSH_ALL   1
#define TLB_FLUSH_ASID  3

/* Exit codes */
#define SVM_EXIT_EXC_BASE  0x040
#define SVM_EXIT_INTR      0x060
#define SVM_EXIT_NMI       0x061
#define SVM_EXIT_SMI       0x062
#define SVM_EXIT_INIT      0x063
#define SVM_EXIT_VINTR     0x064
#define SVM_EXIT_CPUID     0x072
#define SVM_EXIT_IRET      0x074
#define SVM_EXIT_INVD      0x076
#define SVM_EXIT_INVLPGA   0x07a
#define SVM_EXIT_PAUSE     0x077
#define SVM_EXIT_HLT       0x078
#define SVM_EXIT_IOIO      0x07b
#define SVM_EXIT_MSR       0x07c
#define SVM_EXIT_TASKSW    0x07d
#define SVM_EXIT_SHUTDOWN  0x07f
#define SVM_EXIT_VMRUN     0x080
#define SVM_EXIT_VMMCALL   0x081
#define SVM_EXIT_VMLOAD    0x082
#define SVM_EXIT_VMSAVE    0x083
#define SVM_EXIT_STGI      0x084
#define SVM_EXIT_CLGI      0x085
#define SVM_EXIT_SKINIT    0x086
#define SVM_EXIT_MONITOR   0x08a
#define SVM_EXIT_MWAIT     0x08b
#define SVM_EXIT_MWAIT_CND 0x08c
#define SVM_EXIT_XSETBV    0x08d
#define SVM_EXIT_NPF       0x400
#define SVM_EXIT_INVALID   ((uint64_t)-1)

#endif
