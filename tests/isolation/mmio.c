/* Loads and stores to devices a xenU domain does not have, in the MOV
 * forms compilers emit: as under Xen without a device model, reads give
 * all ones and writes vanish (docs/abi.md, "Memory nothing backs").  The
 * HPET at 0xfed00000 and the IO-APIC at 0xfec00000 are where XTF probes;
 * the forms run in 32-bit code (paging off, as the guest starts) and in
 * 64-bit code (a trip to long mode through identity-mapping page tables,
 * 2 MiB pages over the low 4 GiB). */
#include "guest.h"
#include "isolation.h"

#define HPET    0xfed00000u
#define IOAPIC  0xfec00000u
#define ONES32  0xffffffffu
#define ONES64  0xffffffffffffffffull

/* Selectors of our GDT: 0x08 and 0x10 are the flat code and data mica's
 * PVH start loads (docs/abi.md), so that reloading it changes nothing;
 * 0x20 is 64-bit code, 0x28 data based at SEG_BASE.  A segment base moves
 * an offset in RAM (SEG_OFF, 2 MiB) onto the HPET: an emulator that left
 * the base out would read RAM there, or find no fault at that address. */
#define SEL_CODE32  0x08
#define SEL_DATA32  0x10
#define SEL_CODE64  0x20
#define SEL_DATAB   0x28
#define SEG_OFF     0x200000u
#define SEG_BASE    (HPET - SEG_OFF)
_Static_assert(SEG_BASE == 0xfeb00000u, "the base in gdt[5] and in probe64");

static const uint64_t gdt[] __attribute__((aligned(8))) = {
    0,
    0x00cf9a000000ffffull,      /* 0x08: code, 32-bit, flat */
    0x00cf92000000ffffull,      /* 0x10: data, flat */
    0,
    0x00af9a000000ffffull,      /* 0x20: code, 64-bit */
    0xfecf92b00000ffffull,      /* 0x28: data, base 0xfeb00000 */
};
static struct __attribute__((packed)) {
    uint16_t limit;
    uint32_t base;
} gdtr = { sizeof(gdt) - 1, 0 };

uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

/* What the 64-bit code read, by slot (offsets in probe64 below). */
#define NR_RES64 12
uint64_t res64[NR_RES64];
void long_mode_trip(void);

static const char *const res64_what[NR_RES64] = {
    "movabs 0xfed00000,%rax (48 A1)",
    "mov (%rcx),%eax from 0xfec00000: bits 63:32 cleared",
    "mov (%r9),%r10 from 0xfed00000 (REX.WRB)",
    "mov -0x10(%rcx,%r11,8),%r12 from 0xfec00000 (SIB, REX.X)",
    "mov outside(%rip),%r13 (RIP-relative, past RAM)",
    "mov (%r9),%r14w: bits 63:16 kept",
    "movzbq (%r9),%r15",
    "movswq (%rcx),%rdx",
    "mov %fs:(%rsi),%eax with FS base 0xfeb00000",
    "movabs 0xfed00000,%rax after the stores",
    "%r10 after mov %r10,(%r9)",
    "mov 0xfec00010,%eax (IOWIN after IOREGSEL)",
};

static const uint64_t res64_want[NR_RES64] = {
    ONES64, ONES32, ONES64, ONES64, ONES64, 0x112233445566ffffull, 0xff,
    ONES64, ONES32, ONES64, ONES64, ONES32,
};

/* In 64-bit mode: each load into its slot of res64.  Addresses are 32-bit
 * immediates (an ELF32 object has no 64-bit relocations; all sits below
 * 4 GiB). */
__asm__(".text\n"
        ".code64\n"
        "probe64:\n"
        "   movl $res64, %ebx\n"
        "   movabsq 0xfed00000, %rax\n"
        "   movq %rax, 0(%rbx)\n"
        "   movq $-2, %rax\n"
        "   movl $0xfec00000, %ecx\n"
        "   movl (%rcx), %eax\n"
        "   movq %rax, 8(%rbx)\n"
        "   movl $0xfed00000, %r9d\n"
        "   movq $0x1234, %r10\n"
        "   movq (%r9), %r10\n"
        "   movq %r10, 16(%rbx)\n"
        "   movl $2, %r11d\n"
        "   xorl %r12d, %r12d\n"
        "   movq -0x10(%rcx,%r11,8), %r12\n"
        "   movq %r12, 24(%rbx)\n"
        "   xorl %r13d, %r13d\n"
        "   movq outside64(%rip), %r13\n"
        "   movq %r13, 32(%rbx)\n"
        "   movabsq $0x1122334455667788, %r14\n"
        "   movw (%r9), %r14w\n"
        "   movq %r14, 40(%rbx)\n"
        "   movq $-1, %r15\n"
        "   movzbq (%r9), %r15\n"
        "   movq %r15, 48(%rbx)\n"
        "   xorl %edx, %edx\n"
        "   movswq (%rcx), %rdx\n"
        "   movq %rdx, 56(%rbx)\n"
        /* FS's base through its MSR: the emulator must add it. */
        "   movl $0xc0000100, %ecx\n"
        "   movl $0xfeb00000, %eax\n"
        "   xorl %edx, %edx\n"
        "   wrmsr\n"
        "   movl $0x200000, %esi\n"
        "   movq $-2, %rax\n"
        "   movl %fs:(%rsi), %eax\n"
        "   movq %rax, 64(%rbx)\n"
        "   xorl %eax, %eax\n"
        "   wrmsr\n"
        /* Stores of each form, then the ID register again. */
        "   movq %r10, (%r9)\n"
        "   movl $0xfec00000, %ecx\n"
        "   movl $0x12345678, (%rcx)\n"
        "   movq $-2, 8(%r9)\n"
        "   movl $0x5a, %esi\n"
        "   movb %sil, (%r9)\n"
        "   movw %r14w, 2(%rcx,%r11,4)\n"
        "   xorl %eax, %eax\n"
        "   movabsq %rax, 0xfed00000\n"
        "   movabsq 0xfed00000, %rax\n"
        "   movq %rax, 72(%rbx)\n"
        "   movq %r10, 80(%rbx)\n"
        /* XTF's ioapic_read32: select a register, read the window. */
        "   movq $-2, %rax\n"
        "   movl $0, (%rcx)\n"
        "   movabsl 0xfec00010, %eax\n"
        "   movq %rax, 88(%rbx)\n"
        "   ret\n"
        ".set outside64, " OUTSIDE_STR "\n"

        /* void long_mode_trip(void): 32-bit protected mode, paging off, to
         * 64-bit mode for probe64 and back (Intel SDM 3A 10.8.5 and
         * 10.8.5.4; AMD APM vol. 2, 14.6). */
        ".code32\n"
        ".globl long_mode_trip\n"
        "long_mode_trip:\n"
        "   pushl %ebp\n"
        "   pushl %ebx\n"
        "   pushl %esi\n"
        "   pushl %edi\n"
        "   pushfl\n"
        "   cli\n"
        "   movl %cr4, %eax\n"
        "   orl $0x20, %eax\n"                   /* PAE */
        "   movl %eax, %cr4\n"
        "   movl $pml4, %eax\n"
        "   movl %eax, %cr3\n"
        "   movl $0xc0000080, %ecx\n"            /* EFER.LME */
        "   rdmsr\n"
        "   orl $0x100, %eax\n"
        "   wrmsr\n"
        "   movl %cr0, %eax\n"
        "   orl $0x80000000, %eax\n"             /* PG: IA-32e mode */
        "   movl %eax, %cr0\n"
        "   ljmp $0x20, $1f\n"
        ".code64\n"
        "1: movl %esp, %esp\n"                   /* bits 63:32 of RSP */
        "   call probe64\n"
        "   movl $2f, %eax\n"
        "   pushq $0x08\n"
        "   pushq %rax\n"
        "   lretq\n"
        ".code32\n"
        "2: movl %cr0, %eax\n"
        "   andl $0x7fffffff, %eax\n"
        "   movl %eax, %cr0\n"
        "   movl $0xc0000080, %ecx\n"
        "   rdmsr\n"
        "   andl $~0x100, %eax\n"
        "   wrmsr\n"
        "   movl %cr4, %eax\n"
        "   andl $~0x20, %eax\n"
        "   movl %eax, %cr4\n"
        "   popfl\n"
        "   popl %edi\n"
        "   popl %esi\n"
        "   popl %ebx\n"
        "   popl %ebp\n"
        "   ret\n");

static void check64(void)
{
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 512; j++)
            pd[i][j] = ((uint64_t)(i * 512 + j) << 21) | 0x83;  /* P, W, PS */
        pdpt[i] = (uint32_t)(uintptr_t)pd[i] | 0x3;
    }
    pml4[0] = (uint32_t)(uintptr_t)pdpt | 0x3;
    for (int i = 0; i < NR_RES64; i++)
        res64[i] = 0x5555;
    long_mode_trip();
    for (int i = 0; i < NR_RES64; i++)
        CHECK(res64[i] == res64_want[i], "64-bit %s: %#llx, not %#llx",
              res64_what[i], (unsigned long long)res64[i],
              (unsigned long long)res64_want[i]);
}

static void check32(void)
{
    uint32_t a, b, c, d;

    __asm__ volatile("movl 0xfed00000, %0" : "=a"(a));
    CHECK(a == ONES32, "mov 0xfed00000,%%eax (A1): %#x", a);
    a = 0;
    __asm__ volatile("movl (%1), %0" : "=r"(a) : "r"(IOAPIC) : "memory");
    CHECK(a == ONES32, "mov (reg),reg from 0xfec00000: %#x", a);
    a = 0x11223344;
    __asm__ volatile("movb (%1), %%ah" : "+a"(a) : "c"(HPET) : "memory");
    CHECK(a == 0x1122ff44, "mov (%%ecx),%%ah: %%eax %#x", a);
    d = 0x55667788;
    __asm__ volatile("movw (%1), %%dx" : "+d"(d) : "c"(HPET) : "memory");
    CHECK(d == 0x5566ffff, "mov (%%ecx),%%dx: %%edx %#x", d);
    b = 0x12345678;
    __asm__ volatile("movb 3(%1), %%bl" : "+b"(b) : "c"(HPET) : "memory");
    CHECK(b == 0x123456ff, "mov 3(%%ecx),%%bl: %%ebx %#x", b);
    a = 0;
    __asm__ volatile("movzbl (%1), %0" : "=r"(a) : "r"(HPET) : "memory");
    CHECK(a == 0xff, "movzbl: %#x", a);
    a = 0;
    __asm__ volatile("movzwl (%1), %0" : "=r"(a) : "r"(HPET) : "memory");
    CHECK(a == 0xffff, "movzwl: %#x", a);
    a = 0;
    __asm__ volatile("movsbl (%1), %0" : "=r"(a) : "r"(HPET) : "memory");
    CHECK(a == ONES32, "movsbl: %#x", a);
    a = 0;
    __asm__ volatile("movswl (%1), %0" : "=r"(a) : "r"(HPET) : "memory");
    CHECK(a == ONES32, "movswl: %#x", a);
    a = 0;
    __asm__ volatile("movl 0x10(%1,%2,4), %0"
                     : "=r"(a) : "r"(IOAPIC - 0x18), "r"(2) : "memory");
    CHECK(a == ONES32, "mov 0x10(base,index,4) (SIB): %#x", a);
    a = 0;
    __asm__ volatile("movl %%es:(%1), %0" : "=r"(a) : "r"(IOAPIC) : "memory");
    CHECK(a == ONES32, "mov %%es:(reg): %#x", a);

    /* A segment with a base: the emulator must add it (to reach the HPET,
     * not the RAM at the offset alone). */
    a = 0;
    __asm__ volatile("movw %w2, %%es\n"
                     "movl %%es:(%1), %0\n"
                     "movw %w3, %%es"
                     : "=&r"(a) : "r"(SEG_OFF), "r"(SEL_DATAB),
                       "r"(SEL_DATA32) : "memory");
    CHECK(a == ONES32, "mov %%es:(reg) with ES base %#x: %#x", SEG_BASE, a);

    /* Stores: they vanish, leave the registers alone, and the guest goes
     * on.  Then XTF's probes: the IO-APIC's ID through IOREGSEL/IOWIN, the
     * HPET's ID. */
    a = 0xcafef00d;
    __asm__ volatile("movl %0, (%1)" : : "r"(a), "r"(HPET) : "memory");
    __asm__ volatile("movl %0, 0xfed00000" : : "a"(a) : "memory");
    __asm__ volatile("movb %%al, 0xfed00001" : : "a"(a) : "memory");
    __asm__ volatile("movw %%ax, 0xfed00002" : : "a"(a) : "memory");
    __asm__ volatile("movb %%ah, 1(%1)" : : "a"(a), "c"(HPET) : "memory");
    __asm__ volatile("movb $0x5a, (%0)" : : "r"(HPET) : "memory");
    __asm__ volatile("movw $0x1234, 2(%0)" : : "r"(HPET) : "memory");
    __asm__ volatile("movl $0xdeadbeef, 0xfed000f0" : : : "memory");
    CHECK(a == 0xcafef00d, "a store changed its source: %#x", a);
    c = 0;
    __asm__ volatile("movl $0, 0xfec00000\n"
                     "movl 0xfec00010, %0" : "=a"(c) : : "memory");
    CHECK(c == ONES32, "IO-APIC ID through IOREGSEL/IOWIN: %#x", c);
    c = *(volatile uint32_t *)HPET;
    CHECK(c == ONES32, "HPET ID after the stores: %#x", c);
    c = *(volatile uint32_t *)(HPET + 4);
    CHECK(c == ONES32, "HPET ID high after the stores: %#x", c);
}

void mmio_forms(void)
{
    int before = check_failures;

    gdtr.base = (uint32_t)(uintptr_t)gdt;
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    check32();
    printf("probe: 32-bit loads of 0xfed00000 and 0xfec00000 read all ones, stores vanish%s\n",
           check_failures == before ? "" : " (NOT)");
    before = check_failures;
    check64();
    printf("probe: 64-bit loads of 0xfed00000 and 0xfec00000 read all ones, stores vanish%s\n",
           check_failures == before ? "" : " (NOT)");
}
