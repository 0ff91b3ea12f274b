/* smp-guest: a PVH guest with several vCPUs brings them up through Xen's
 * HVM vCPU ABI (VCPUOP_initialise with a struct vcpu_hvm_context, then
 * VCPUOP_up), written against Xen's ABI only.
 *
 * vCPU 0 counts the vCPUs with VCPUOP_is_up (-ENOENT past the last), tries
 * the refusals, then starts
 *   vCPU 1  in 32-bit protected mode, paging off;
 *   vCPU 2  in 32-bit protected mode with PAE paging (identity map);
 *   vCPU 3  in 64-bit mode (identity map), running code that only
 *           decodes as intended in long mode;
 * each with a stack and registers of its own.  Each checks in with a locked
 * increment and its id in a slot, then all of them hammer one counter with
 * locked increments and sum a slice of a table vCPU 0 filled.  vCPUs 1 and
 * 3 then take themselves down and vCPU 0 brings them back (the hypercall
 * returns 0 where they stopped); vCPU 0 takes vCPU 2 down from outside and
 * its heartbeat stops, then brings it back and it beats again.  Every wait
 * has a timeout on the pvclock.
 *
 * vCPUs 2 and 3 spin with interrupts enabled, so that mica's time slice
 * and the kick of VCPUOP_down reach them on every platform: Bochs 2.7's
 * VMX takes no external-interrupt exit from a guest whose IF is clear.
 * No event channel is bound, so mica injects nothing and the empty IDT
 * is never used; vCPU 1, started with EFLAGS 0, yields while it waits.
 *
 * Options: vcpus=N (expected count, default 4); strict=1 adds refusals
 * where mica checks more than Xen: a 32-bit context without CR0.PE, or
 * with EFER.LME but no paging, a segment limit that disagrees with G,
 * reserved PDPTE bits, EFLAGS.VM. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/vcpu.h>

#define MS              1000000ull
#define WAIT_NS         (20000 * MS)    /* Bochs with 4 CPUs is slow */
#define NR_AP           3               /* vCPUs 1..3 */
#define ROUNDS          20000           /* locked increments per vCPU */
#define SLICE           1024            /* table words each vCPU sums */
#define STACK_SIZE      8192
#define CR0_PE          (1u << 0)
#define CR0_ET          (1u << 4)
#define CR0_PG          (1u << 31)
#define CR4_PAE         (1u << 5)
#define EFER_LME        (1u << 8)
#define EFER_LMA        (1u << 10)
#define PTE_P           0x1u
#define PTE_W           0x2u
#define PTE_PS          0x80u
#define MAGIC64         0x5a5aa5a5f00dcafeull
#define CONSOLEIO_WRITE 0

/* What a 32-bit secondary found at its entry. */
struct report {
    uint32_t regs[7];           /* eax, ebx, ecx, edx, esi, edi, ebp */
    uint32_t eflags, cr0, cr3, cr4;
    uint32_t stack;             /* the address of a local */
    long down_rc;               /* what VCPUOP_down returned when it resumed */
};

static struct shared_info shinfo __attribute__((aligned(4096)));
static uint8_t stacks[NR_AP + 1][STACK_SIZE] __attribute__((aligned(16)));
/* The identity map of the first 16 MiB with 2 MiB pages: one page
 * directory under a 4-level PML4/PDPT and under a PAE PDPT. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt64[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pdpt_pae[4] __attribute__((aligned(32)));
static uint64_t pdpt_bad[4] __attribute__((aligned(32)));
/* A hypercall page for the 64-bit vCPU (same stubs; called with the
 * 64-bit convention). */
uint8_t hcall64[4096] __attribute__((aligned(4096)));

/* Shared with the secondaries, some of them from the assembly below. */
volatile uint32_t arrived, go, hits, finished, resumed;
volatile uint32_t slot[NR_AP + 1];
volatile uint32_t partial[NR_AP + 1];
volatile uint32_t heartbeat[NR_AP + 1];
uint32_t table[NR_AP * SLICE];
static struct report reports[NR_AP + 1];
/* What the 64-bit secondary found and did (offsets used in ap64_entry). */
struct ap64_state {
    uint64_t rflags, rsi, rsp, cr0, cr4, efer, result, down_rc;
};
volatile struct ap64_state ap64;

void ap32_entry(void);
void ap64_entry(void);
void ap32_main(uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx,
               uint32_t esi, uint32_t edi, uint32_t ebp, uint32_t eflags);

/* 32-bit secondaries start here: EAX holds the id, ESP the top of their
 * stack.  The flags and registers go to ap32_main() as they came. */
__asm__(".text\n"
        ".globl ap32_entry\n"
        "ap32_entry:\n"
        "   leal -4(%esp), %esp\n"             /* keeps the flags; aligns */
        "   pushfl\n"
        "   cld\n"
        "   pushl %ebp\n"
        "   pushl %edi\n"
        "   pushl %esi\n"
        "   pushl %edx\n"
        "   pushl %ecx\n"
        "   pushl %ebx\n"
        "   pushl %eax\n"
        "   call ap32_main\n"
        "1: hlt\n"
        "   jmp 1b\n");

/* The 64-bit secondary: RDI = its id, RSI = MAGIC64.  It records what it
 * found, computes with 64-bit registers (as 32-bit code the REX prefixes
 * would be INC/DEC and the result would differ), does its share of the
 * work, says hello with console_io, takes itself down and, once brought
 * back, records what VCPUOP_down returned and halts.  An ELF32 object has
 * no 64-bit absolute relocations: addresses are loaded as 32-bit
 * immediates (the image sits below 4 GiB) and used through registers. */
__asm__(".text\n"
        ".code64\n"
        ".globl ap64_entry\n"
        "ap64_entry:\n"
        "   movl $ap64, %ebx\n"
        "   pushfq\n"
        "   popq %rax\n"
        "   movq %rax, 0(%rbx)\n"               /* rflags */
        "   movq %rsi, 8(%rbx)\n"
        "   movq %rsp, 16(%rbx)\n"
        "   movq %cr0, %rax\n"
        "   movq %rax, 24(%rbx)\n"
        "   movq %cr4, %rax\n"
        "   movq %rax, 32(%rbx)\n"
        "   movl $0xc0000080, %ecx\n"           /* EFER */
        "   rdmsr\n"
        "   movl %eax, 40(%rbx)\n"
        "   movl %edx, 44(%rbx)\n"
        "   movabsq $0x0123456789abcdef, %r8\n"
        "   movq %r8, %r9\n"
        "   rolq $17, %r9\n"
        "   xorq %rsi, %r9\n"
        "   movq %r9, 48(%rbx)\n"               /* result */
        "   movl $arrived, %eax\n"
        "   lock incl (%rax)\n"
        "   movl $slot, %eax\n"
        "   movl %edi, (%rax,%rdi,4)\n"
        "   movl $go, %eax\n"
        "1: pause\n"
        "   cmpl $0, (%rax)\n"
        "   je 1b\n"
        "   movl $hits, %eax\n"
        "   movl $20000, %ecx\n"                /* ROUNDS */
        "2: lock incl (%rax)\n"
        "   decl %ecx\n"
        "   jnz 2b\n"
        "   leal -1(%rdi), %ecx\n"
        "   imull $4096, %ecx, %ecx\n"          /* SLICE * 4 bytes */
        "   addl $table, %ecx\n"
        "   xorl %eax, %eax\n"
        "   movl $1024, %edx\n"                 /* SLICE */
        "3: movl (%rcx), %r10d\n"
        "   addq %r10, %rax\n"
        "   addq $4, %rcx\n"
        "   decl %edx\n"
        "   jnz 3b\n"
        "   movl $partial, %ecx\n"
        "   movl %eax, (%rcx,%rdi,4)\n"
        "   movl $finished, %eax\n"
        "   lock incl (%rax)\n"
        "   movq %rdi, %r12\n"                  /* kept across the calls */
        "   xorl %edi, %edi\n"                  /* CONSOLEIO_write */
        "   movl $ap64_msg_len, %esi\n"
        "   movl $ap64_msg, %edx\n"
        "   movl $(hcall64 + 18 * 32), %eax\n"  /* console_io */
        "   call *%rax\n"
        "   movl $2, %edi\n"                    /* VCPUOP_down */
        "   movq %r12, %rsi\n"
        "   xorl %edx, %edx\n"
        "   movl $(hcall64 + 24 * 32), %eax\n"  /* vcpu_op */
        "   call *%rax\n"
        "   movq %rax, 56(%rbx)\n"              /* down_rc */
        "   movl $resumed, %eax\n"
        "   lock incl (%rax)\n"
        "4: hlt\n"
        "   jmp 4b\n"
        ".code32\n"
        ".section .rodata\n"
        "ap64_msg: .ascii \"smp: vCPU 3 in long mode\\n\"\n"
        ".set ap64_msg_len, . - ap64_msg\n"
        ".text\n");

_Static_assert(offsetof(struct ap64_state, efer) == 40 &&
               offsetof(struct ap64_state, result) == 48 &&
               offsetof(struct ap64_state, down_rc) == 56, "offsets in ap64_entry");
_Static_assert(ROUNDS == 20000 && SLICE == 1024, "the 64-bit code has these built in");

static long vcpu_op(unsigned int cmd, unsigned int id, const void *arg)
{
    return hypercall3(__HYPERVISOR_vcpu_op, cmd, id, (unsigned long)arg);
}

static uint64_t now(void)
{
    return pvclock_read(&shinfo.vcpu_info[0].time).ns;
}

static uint32_t read_cr(int n)
{
    uint32_t v = 0;

    switch (n) {
    case 0: __asm__ volatile("movl %%cr0, %0" : "=r"(v)); break;
    case 3: __asm__ volatile("movl %%cr3, %0" : "=r"(v)); break;
    case 4: __asm__ volatile("movl %%cr4, %0" : "=r"(v)); break;
    }
    return v;
}

static void ap_hypercall_down(uint32_t id, struct report *r)
{
    r->down_rc = vcpu_op(VCPUOP_down, id, NULL);
    __atomic_fetch_add(&resumed, 1, __ATOMIC_SEQ_CST);
}

void ap32_main(uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx,
               uint32_t esi, uint32_t edi, uint32_t ebp, uint32_t eflags)
{
    uint32_t id = eax, sum = 0;
    struct report *r;
    volatile uint32_t local = 0;

    if (id < 1 || id > NR_AP)
        for (;;)
            __asm__ volatile("hlt");
    r = &reports[id];
    r->regs[0] = eax;
    r->regs[1] = ebx;
    r->regs[2] = ecx;
    r->regs[3] = edx;
    r->regs[4] = esi;
    r->regs[5] = edi;
    r->regs[6] = ebp;
    r->eflags = eflags;
    r->cr0 = read_cr(0);
    r->cr3 = read_cr(3);
    r->cr4 = read_cr(4);
    r->stack = (uint32_t)(uintptr_t)&local;
    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    slot[id] = id;
    printf("smp: vCPU %u in 32-bit protected mode, paging %s\n", id,
           (r->cr0 & CR0_PG) ? "on (PAE)" : "off");

    /* vCPU 1 runs with interrupts off: it waits politely (see the top). */
    while (!go) {
        if (id == 1)
            sched_yield();
        else
            __asm__ volatile("pause");
    }
    for (int i = 0; i < ROUNDS; i++)
        __atomic_fetch_add(&hits, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < SLICE; i++)
        sum += table[(id - 1) * SLICE + i];
    partial[id] = sum;
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);

    if (id == 1) {
        /* Down by itself; VCPUOP_up resumes it right here. */
        ap_hypercall_down(id, r);
        for (;;)
            __asm__ volatile("hlt");
    }
    /* vCPU 2: beats until vCPU 0 takes it down (and on once it is back). */
    for (;;) {
        heartbeat[id]++;
        for (int i = 0; i < 100; i++)
            __asm__ volatile("pause");
    }
}

/* ---- vCPU 0 ---------------------------------------------------------- */

/* Waits, yielding, until *p reaches want; false on timeout. */
static bool wait_for(volatile uint32_t *p, uint32_t want)
{
    uint64_t end = now() + WAIT_NS;

    while (__atomic_load_n(p, __ATOMIC_SEQ_CST) < want) {
        if (now() > end)
            return false;
        sched_yield();
    }
    return true;
}

static bool wait_down(unsigned int id)
{
    uint64_t end = now() + WAIT_NS;

    while (vcpu_op(VCPUOP_is_up, id, NULL) != 0) {
        if (now() > end)
            return false;
        sched_yield();
    }
    return true;
}

static void sleep_ns(uint64_t ns)
{
    uint64_t end = now() + ns;

    while (now() < end)
        sched_yield();
}

static void build_page_tables(void)
{
    for (unsigned i = 0; i < 8; i++)
        pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;
    pdpt64[0] = (uint32_t)(uintptr_t)pd | PTE_P | PTE_W;
    pml4[0] = (uint32_t)(uintptr_t)pdpt64 | PTE_P | PTE_W;
    /* PAE PDPTEs have no W or U bit: those are reserved there. */
    pdpt_pae[0] = (uint32_t)(uintptr_t)pd | PTE_P;
    pdpt_bad[0] = (uint32_t)(uintptr_t)pd | PTE_P | PTE_W;
}

/* A second hypercall page, written through the MSR CPUID names. */
static bool install_hcall64(void)
{
    for (uint32_t base = XEN_CPUID_FIRST_LEAF; base < 0x40010000; base += 0x100) {
        uint32_t a, b, c, d;

        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base), "c"(0));
        if (b != XEN_CPUID_SIGNATURE_EBX || c != XEN_CPUID_SIGNATURE_ECX ||
            d != XEN_CPUID_SIGNATURE_EDX || a < base + 2)
            continue;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base + 2), "c"(0));
        __asm__ volatile("wrmsr" : : "c"(b), "a"((uint32_t)(uintptr_t)hcall64), "d"(0));
        return hcall64[0] != 0;
    }
    return false;
}

/* Flat 32-bit code and data, a busy 32-bit TSS: the context of the ABI's
 * examples. */
static struct vcpu_hvm_context ctx32(unsigned int id)
{
    struct vcpu_hvm_context c;

    memset(&c, 0, sizeof(c));
    c.mode = VCPU_HVM_MODE_32B;
    c.cpu_regs.x86_32 = (struct vcpu_hvm_x86_32){
        .eax = id,
        .ebx = 0xb0000000u | id, .ecx = 0xc0000000u | id, .edx = 0xd0000000u | id,
        .esi = 0x5e000000u | id, .edi = 0xd1000000u | id, .ebp = 0xbb000000u | id,
        .esp = (uint32_t)(uintptr_t)(stacks[id] + STACK_SIZE),
        .eip = (uint32_t)(uintptr_t)ap32_entry,
        .cr0 = CR0_PE,
        .cs_limit = 0xffffffffu, .ds_limit = 0xffffffffu,
        .ss_limit = 0xffffffffu, .es_limit = 0xffffffffu, .tr_limit = 0x67,
        .cs_ar = 0xc9b, .ds_ar = 0xc93, .ss_ar = 0xc93, .es_ar = 0xc93,
        .tr_ar = 0x8b,
    };
    return c;
}

static struct vcpu_hvm_context ctx64(unsigned int id)
{
    struct vcpu_hvm_context c;

    memset(&c, 0, sizeof(c));
    c.mode = VCPU_HVM_MODE_64B;
    c.cpu_regs.x86_64 = (struct vcpu_hvm_x86_64){
        .rdi = id, .rsi = MAGIC64,
        .rsp = (uint32_t)(uintptr_t)(stacks[id] + STACK_SIZE),
        .rip = (uint32_t)(uintptr_t)ap64_entry,
        .rflags = 0x202,                        /* IF: see the top */
        .cr0 = CR0_PE | CR0_PG,
        .cr3 = (uint32_t)(uintptr_t)pml4,
        .cr4 = CR4_PAE,
        .efer = EFER_LME,
    };
    return c;
}

static void expect(long rc, long want, const char *what)
{
    CHECK(rc == want, "%s: %ld, expected %ld", what, rc, want);
}

static unsigned int count_vcpus(void)
{
    unsigned int n = 0;

    while (n < 64 && vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
        n++;
    return n;
}

static void refusals(bool strict)
{
    struct vcpu_hvm_context c;

    expect(vcpu_op(VCPUOP_is_up, 99, NULL), -XEN_ENOENT, "is_up(99)");
    expect(vcpu_op(VCPUOP_up, 99, NULL), -XEN_ENOENT, "up(99)");
    expect(vcpu_op(VCPUOP_down, 99, NULL), -XEN_ENOENT, "down(99)");
    c = ctx32(1);
    expect(vcpu_op(VCPUOP_initialise, 99, &c), -XEN_ENOENT, "initialise(99)");
    expect(vcpu_op(VCPUOP_up, 1, NULL), -XEN_EINVAL, "up of an uninitialised vCPU");
    expect(vcpu_op(VCPUOP_initialise, 1, (void *)0xfff00000), -XEN_EFAULT,
           "initialise from 0xfff00000");
    expect(vcpu_op(VCPUOP_initialise, 0, &c), -XEN_EEXIST, "initialise(0), which is up");

    c.mode = 2;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "mode 2");
    c = ctx32(1);
    c.pad = 1;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "pad");
    c = ctx32(1);
    c.cpu_regs.x86_32.pad1 = 1;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "pad1");
    c = ctx32(1);
    c.cpu_regs.x86_32.cs_ar = 0xc93;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "data segment in CS");
    c = ctx32(1);
    c.cpu_regs.x86_32.ss_ar = 0;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "null SS");
    c = ctx32(1);
    c.cpu_regs.x86_32.ss_ar = 0xc9b;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "code segment in SS");
    c = ctx32(1);
    c.cpu_regs.x86_32.tr_ar = 0xc93;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "data segment in TR");
    c = ctx32(1);
    c.cpu_regs.x86_32.cs_ar = 0x1c9b;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "attribute bit 12");
    c = ctx32(1);
    c.cpu_regs.x86_32.cs_ar = 0xc1b;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "CS not present");
    c = ctx32(1);
    c.cpu_regs.x86_32.ss_ar = 0xcf3;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "SS.DPL != CS.DPL");
    c = ctx32(1);
    c.cpu_regs.x86_32.cs_limit = 0xfff;
    c.cpu_regs.x86_32.cs_ar = 0x49b;
    c.cpu_regs.x86_32.eip = 0x1000;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "EIP beyond CS limit");
    c = ctx32(1);
    c.cpu_regs.x86_32.efer = EFER_LMA;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "EFER.LMA without LME");

    c = ctx64(1);
    c.cpu_regs.x86_64.cr0 = CR0_PE;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "64B without CR0.PG");
    c = ctx64(1);
    c.cpu_regs.x86_64.cr4 = 0;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "64B without CR4.PAE");
    c = ctx64(1);
    c.cpu_regs.x86_64.efer = 0;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "64B without EFER.LME");
    c = ctx64(1);
    c.cpu_regs.x86_64.rip = 0x0000800000000000ull;
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "64B non-canonical RIP");

    if (strict) {
        c = ctx32(1);
        c.cpu_regs.x86_32.cr0 = 0;
        expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "32B without CR0.PE");
        c = ctx32(1);
        c.cpu_regs.x86_32.efer = EFER_LME;
        expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "32B EFER.LME without paging");
        c = ctx32(1);
        c.cpu_regs.x86_32.cs_limit = 0xfffff;     /* pages, with G set */
        expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "CS limit that disagrees with G");
        c = ctx32(1);
        c.cpu_regs.x86_32.cr0 = CR0_PE | CR0_PG;
        c.cpu_regs.x86_32.cr4 = CR4_PAE;
        c.cpu_regs.x86_32.cr3 = (uint32_t)(uintptr_t)pdpt_bad;
        expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "PDPTE with a reserved bit");
        c = ctx32(1);
        c.cpu_regs.x86_32.eflags = 1u << 17;
        expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EINVAL, "EFLAGS.VM");
    }
    /* None of that gave vCPU 1 a state. */
    expect(vcpu_op(VCPUOP_up, 1, NULL), -XEN_EINVAL, "up after refused initialises");
    expect(vcpu_op(VCPUOP_is_up, 1, NULL), 0, "is_up(1) before up");
}

static void check_report(unsigned int id, uint32_t cr0_want, uint32_t cr4_want,
                         uint32_t eflags_want)
{
    const struct report *r = &reports[id];
    struct vcpu_hvm_context c = ctx32(id);
    const struct vcpu_hvm_x86_32 *g = &c.cpu_regs.x86_32;
    uint32_t want[7] = { g->eax, g->ebx, g->ecx, g->edx, g->esi, g->edi, g->ebp };

    for (int i = 0; i < 7; i++)
        CHECK(r->regs[i] == want[i], "vCPU %u register %d: %#x, expected %#x", id, i,
              r->regs[i], want[i]);
    CHECK(r->eflags == eflags_want, "vCPU %u EFLAGS %#x, expected %#x", id, r->eflags,
          eflags_want);
    CHECK((r->cr0 & (CR0_PE | CR0_PG)) == cr0_want, "vCPU %u CR0 %#x", id, r->cr0);
    CHECK(r->cr4 == cr4_want, "vCPU %u CR4 %#x, expected %#x", id, r->cr4, cr4_want);
    CHECK(r->stack > (uint32_t)(uintptr_t)stacks[id] &&
          r->stack < (uint32_t)(uintptr_t)(stacks[id] + STACK_SIZE),
          "vCPU %u runs on %#x, not its stack", id, r->stack);
}

static uint64_t rol64(uint64_t v, unsigned int n)
{
    return (v << n) | (v >> (64 - n));
}

enum verdict test_main(const char *cmdline)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
        .gpfn = (xen_pfn_t)((uintptr_t)&shinfo >> 12),
    };
    struct vcpu_hvm_context c;
    unsigned int want_vcpus = 4, n;
    char buf[8];
    bool strict = false;
    uint32_t h1, h2;

    if (cmdline_value(cmdline, "vcpus", buf, sizeof(buf)))
        want_vcpus = (unsigned int)(buf[0] - '0');
    if (cmdline_value(cmdline, "strict", buf, sizeof(buf)))
        strict = buf[0] == '1';
    if (hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&xatp)) {
        printf("cannot map shared_info\n");
        return ERROR;
    }
    sched_yield();      /* have the time record written */
    if (!install_hcall64()) {
        printf("cannot install a second hypercall page\n");
        return ERROR;
    }
    build_page_tables();
    for (unsigned int i = 0; i < NR_AP * SLICE; i++)
        table[i] = i * i + 7;

    n = count_vcpus();
    printf("smp: %u vCPUs (is_up: -ENOENT past the last)\n", n);
    if (n != want_vcpus || n != NR_AP + 1) {
        printf("smp: expected %u vCPUs and this test needs %u\n", want_vcpus, NR_AP + 1);
        return FAILURE;
    }
    expect(vcpu_op(VCPUOP_is_up, 0, NULL), 1, "is_up(0)");
    for (unsigned int i = 1; i < n; i++)
        expect(vcpu_op(VCPUOP_is_up, i, NULL), 0, "a secondary up before VCPUOP_up");

    refusals(strict);

    /* vCPU 1: flat, paging off, the flags the ABI's examples leave 0. */
    c = ctx32(1);
    expect(vcpu_op(VCPUOP_initialise, 1, &c), 0, "initialise(1)");
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EEXIST, "initialise(1) twice");
    /* vCPU 2: PAE paging on, and some arithmetic flags to see through. */
    c = ctx32(2);
    c.cpu_regs.x86_32.cr0 = CR0_PE | CR0_PG;
    c.cpu_regs.x86_32.cr4 = CR4_PAE;
    c.cpu_regs.x86_32.cr3 = (uint32_t)(uintptr_t)pdpt_pae;
    c.cpu_regs.x86_32.eflags = 0x2c3;           /* IF SF ZF CF and bit 1 */
    expect(vcpu_op(VCPUOP_initialise, 2, &c), 0, "initialise(2), PAE paging");
    c = ctx64(3);
    expect(vcpu_op(VCPUOP_initialise, 3, &c), 0, "initialise(3), 64-bit");
    expect(vcpu_op(VCPUOP_is_up, 1, NULL), 0, "is_up(1) after initialise");

    for (unsigned int i = 1; i < n; i++)
        expect(vcpu_op(VCPUOP_up, i, NULL), 0, "up");
    expect(vcpu_op(VCPUOP_up, 1, NULL), 0, "up of a vCPU that is up");
    for (unsigned int i = 1; i < n; i++)
        expect(vcpu_op(VCPUOP_is_up, i, NULL), 1, "is_up after up");

    if (!wait_for(&arrived, NR_AP)) {
        printf("smp: only %u of %u secondaries arrived\n", arrived, NR_AP);
        return FAILURE;
    }
    for (unsigned int i = 1; i <= NR_AP; i++)
        CHECK(slot[i] == i, "slot %u holds %u", i, slot[i]);
    check_report(1, CR0_PE, 0, 0x2);
    check_report(2, CR0_PE | CR0_PG, CR4_PAE, 0x2c3);
    CHECK(reports[2].cr3 == (uint32_t)(uintptr_t)pdpt_pae, "vCPU 2 CR3 %#x", reports[2].cr3);
    CHECK(ap64.result == (rol64(0x0123456789abcdefull, 17) ^ MAGIC64),
          "vCPU 3's 64-bit result %#llx", (unsigned long long)ap64.result);
    CHECK(ap64.rsi == MAGIC64, "vCPU 3 RSI %#llx", (unsigned long long)ap64.rsi);
    CHECK(ap64.rsp == (uint32_t)(uintptr_t)(stacks[3] + STACK_SIZE),
          "vCPU 3 RSP %#llx", (unsigned long long)ap64.rsp);
    CHECK(ap64.rflags == 0x202, "vCPU 3 RFLAGS %#llx", (unsigned long long)ap64.rflags);
    CHECK((ap64.cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG), "vCPU 3 CR0 %#llx",
          (unsigned long long)ap64.cr0);
    CHECK(ap64.cr4 == CR4_PAE, "vCPU 3 CR4 %#llx", (unsigned long long)ap64.cr4);
    CHECK((ap64.efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
          "vCPU 3 EFER %#llx", (unsigned long long)ap64.efer);
    printf("smp: %u secondaries arrived: 32-bit, 32-bit PAE, 64-bit; own stacks and registers\n",
           arrived);

    /* The work: everyone at once. */
    __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
    if (!wait_for(&finished, NR_AP)) {
        printf("smp: only %u of %u secondaries finished\n", finished, NR_AP);
        return FAILURE;
    }
    CHECK(hits == NR_AP * ROUNDS, "%u locked increments counted, expected %u", hits,
          NR_AP * ROUNDS);
    for (unsigned int id = 1; id <= NR_AP; id++) {
        uint32_t sum = 0;

        for (unsigned int i = 0; i < SLICE; i++)
            sum += table[(id - 1) * SLICE + i];
        CHECK(partial[id] == sum, "vCPU %u summed %#x, expected %#x", id, partial[id], sum);
    }
    printf("smp: %u locked increments from %u vCPUs, table sums right\n", hits, NR_AP);

    /* vCPUs 1 and 3 take themselves down; up resumes them. */
    CHECK(wait_down(1), "vCPU 1 did not go down");
    CHECK(wait_down(3), "vCPU 3 did not go down");
    CHECK(resumed == 0, "a vCPU resumed before VCPUOP_up");
    expect(vcpu_op(VCPUOP_initialise, 1, &c), -XEN_EEXIST, "initialise of a vCPU taken down");
    expect(vcpu_op(VCPUOP_up, 1, NULL), 0, "up(1) again");
    expect(vcpu_op(VCPUOP_up, 3, NULL), 0, "up(3) again");
    CHECK(wait_for(&resumed, 2), "only %u vCPUs resumed", resumed);
    CHECK(reports[1].down_rc == 0, "vCPU 1's VCPUOP_down returned %ld", reports[1].down_rc);
    CHECK(ap64.down_rc == 0, "vCPU 3's VCPUOP_down returned %#llx",
          (unsigned long long)ap64.down_rc);
    printf("smp: vCPUs 1 and 3 went down by themselves and resumed after VCPUOP_up\n");

    /* vCPU 2 taken down from here: its heartbeat stops, then goes on. */
    h1 = heartbeat[2];
    CHECK(wait_for(&heartbeat[2], h1 + 10), "vCPU 2 does not beat");
    expect(vcpu_op(VCPUOP_down, 2, NULL), 0, "down(2)");
    expect(vcpu_op(VCPUOP_is_up, 2, NULL), 0, "is_up(2) after down");
    sleep_ns(50 * MS);
    h1 = heartbeat[2];
    sleep_ns(100 * MS);
    h2 = heartbeat[2];
    CHECK(h1 == h2, "vCPU 2 beat while down: %u -> %u", h1, h2);
    expect(vcpu_op(VCPUOP_up, 2, NULL), 0, "up(2)");
    CHECK(wait_for(&heartbeat[2], h2 + 10), "vCPU 2 does not beat after up");
    printf("smp: vCPU 2 stopped while down and beat again after up\n");

    printf("smp: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
