/* usermode: hypercalls from the guest's user mode are refused with -EPERM,
 * as Xen refuses them for HVM guests, before mica looks at the number or
 * the arguments: a ring-3 SCHEDOP_shutdown must leave the domain running.
 * The guest makes itself a GDT with ring-3 segments, a TSS for the way
 * back and an IDT whose int $0x80 gate ring 3 may use, drops to ring 3
 * with IRET and comes back through int $0x80 with EAX as the result. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/console_io.h>
#include <xen/sched.h>
#include <xen/version.h>

#define KCODE 0x08
#define KDATA 0x10
#define UCODE 0x1b              /* GDT entry 3, RPL 3 */
#define UDATA 0x23              /* GDT entry 4, RPL 3 */
#define TSSSEL 0x28

/* The 32-bit TSS: only the ring-0 stack matters here (Intel SDM 3A 8.2.1);
 * the I/O map base past the end leaves ring 3 no ports. */
struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss32) == 104, "a 32-bit TSS is 104 bytes");

static struct tss32 tss;
static uint64_t gdt[6] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static uint8_t kstack[4096] __attribute__((aligned(16)));
uint8_t ustack[4096] __attribute__((aligned(16)));   /* named in asm */
static uint8_t hcall_page[4096] __attribute__((aligned(4096)));

/* Kept by enter_user for the way back; the result and how ring 3 ended
 * (0x80: int $0x80, else the exception's vector). */
uint32_t saved_esp, user_result, user_vector;
extern char user_return[], user_fault_gp[], user_fault_ud[], user_fault_pf[];
/* Runs fn in ring 3 with EBX, ECX = b, c; returns what it left in EAX. */
uint32_t enter_user(void (*fn)(void), uint32_t b, uint32_t c);
extern char user_hypercall[];

/* Ring 3 code: call the hypercall page entry in EDI with EBX, ECX, then
 * hand EAX to ring 0. */
__asm__(".text\n"
        "user_hypercall:\n"
        "    call *%edi\n"
        "    int $0x80\n"
        /* int $0x80 does not come back here */
        "1:  jmp 1b\n"

        /* enter_user(fn, b, c): cdecl; keeps the callee-saved registers
         * and ESP for the way back, then IRETs to fn in ring 3. */
        ".globl enter_user\n"
        "enter_user:\n"
        "    pushl %ebp\n"
        "    pushl %ebx\n"
        "    pushl %esi\n"
        "    pushl %edi\n"
        "    movl %esp, saved_esp\n"
        "    movl 20(%esp), %eax\n"          /* fn */
        "    movl 24(%esp), %ebx\n"
        "    movl 28(%esp), %ecx\n"
        "    movl hcall_entry, %edi\n"
        "    movl $0x23, %edx\n"
        "    movl %edx, %ds\n"
        "    movl %edx, %es\n"
        "    pushl $0x23\n"                  /* SS */
        "    pushl $ustack + 4096\n"          /* ESP */
        "    pushl $0x2\n"                   /* EFLAGS: IF and IOPL 0 */
        "    pushl $0x1b\n"                  /* CS */
        "    pushl %eax\n"                   /* EIP */
        "    iretl\n"

        /* Back in ring 0 on the TSS's stack: drop that frame. */
        ".globl user_return, user_fault_gp, user_fault_ud, user_fault_pf\n"
        "user_return:\n"
        "    movl $0x80, %edx\n"
        "    jmp 2f\n"
        "user_fault_gp:\n"
        "    movl $13, %edx\n"
        "    jmp 2f\n"
        "user_fault_ud:\n"
        "    movl $6, %edx\n"
        "    jmp 2f\n"
        "user_fault_pf:\n"
        "    movl $14, %edx\n"
        "2:  movl $0x10, %ecx\n"
        "    movl %ecx, %ds\n"
        "    movl %ecx, %es\n"
        "    movl %ecx, %fs\n"
        "    movl %ecx, %gs\n"
        "    movl %eax, user_result\n"
        "    movl %edx, user_vector\n"
        "    movl saved_esp, %esp\n"
        "    movl user_result, %eax\n"
        "    popl %edi\n"
        "    popl %esi\n"
        "    popl %ebx\n"
        "    popl %ebp\n"
        "    ret\n");

uint32_t hcall_entry;

static uint64_t seg(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
    return (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
           ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

static void gate(unsigned int vec, void *handler, unsigned int dpl)
{
    uint32_t h = (uint32_t)(uintptr_t)handler;

    /* A 32-bit interrupt gate (type 0xe), present. */
    idt[vec] = (uint64_t)((h & 0xffff) | ((uint32_t)KCODE << 16)) |
               ((uint64_t)((h & 0xffff0000u) | 0x8e00u | (dpl << 13)) << 32);
}

static void setup(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } g, i;

    gdt[1] = seg(0, 0xfffff, 0x9a, 0xc);        /* ring-0 code */
    gdt[2] = seg(0, 0xfffff, 0x92, 0xc);        /* ring-0 data */
    gdt[3] = seg(0, 0xfffff, 0xfa, 0xc);        /* ring-3 code */
    gdt[4] = seg(0, 0xfffff, 0xf2, 0xc);        /* ring-3 data */
    gdt[5] = seg((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1, 0x89, 0);  /* TSS */
    tss.ss0 = KDATA;
    tss.esp0 = (uint32_t)(uintptr_t)(kstack + sizeof(kstack));
    tss.iomap = sizeof(tss);
    gate(0x80, user_return, 3);
    gate(13, user_fault_gp, 0);
    gate(6, user_fault_ud, 0);
    gate(14, user_fault_pf, 0);
    g.limit = sizeof(gdt) - 1;
    g.base = (uint32_t)(uintptr_t)gdt;
    i.limit = sizeof(idt) - 1;
    i.base = (uint32_t)(uintptr_t)idt;
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\tmovl $0x10, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     "lidt %1\n\t"
                     "movw $0x28, %%ax\n\t"
                     "ltr %%ax"
                     : : "m"(g), "m"(i) : "eax", "memory");
}

/* A hypercall from ring 3 through our own hypercall page. */
static long user_call(unsigned int nr, uint32_t b, uint32_t c)
{
    hcall_entry = (uint32_t)(uintptr_t)(hcall_page + nr * 32);
    return (long)enter_user((void (*)(void))user_hypercall, b, c);
}

/* Our own hypercall page, so that the user-mode calls do not depend on
 * where the runtime keeps its own. */
static bool install_page(void)
{
    for (uint32_t base = XEN_CPUID_FIRST_LEAF; base < 0x40010000; base += 0x100) {
        uint32_t a, b, c, d;

        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base), "c"(0));
        if (b != XEN_CPUID_SIGNATURE_EBX || c != XEN_CPUID_SIGNATURE_ECX ||
            d != XEN_CPUID_SIGNATURE_EDX || a < base + 2)
            continue;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base + 2), "c"(0));
        __asm__ volatile("wrmsr" : : "c"(b), "a"((uint32_t)(uintptr_t)hcall_page), "d"(0));
        return hcall_page[0] == 0xb8;
    }
    return false;
}

enum verdict test_main(const char *cmdline)
{
    static struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
    static const char msg[] = "this must not appear\n";
    long rc;

    (void)cmdline;
    if (!install_page()) {
        printf("usermode: no hypercall page\n");
        return ERROR;
    }
    setup();
    rc = hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
    CHECK(rc > 0, "ring 0: xen_version %ld", rc);

    rc = user_call(__HYPERVISOR_xen_version, XENVER_version, 0);
    CHECK(user_vector == 0x80, "ring 3 ended with vector %u", user_vector);
    CHECK(rc == -XEN_EPERM, "ring 3: xen_version %ld", rc);
    printf("usermode: ring 3 xen_version: %ld\n", rc);

    rc = user_call(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(msg) - 1);
    CHECK(rc == -XEN_EPERM, "ring 3: console_io %ld", rc);
    rc = user_call(63, 0, 0);
    CHECK(rc == -XEN_EPERM, "ring 3: hypercall 63 %ld", rc);
    rc = user_call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint32_t)(uintptr_t)&sd);
    CHECK(rc == -XEN_EPERM, "ring 3: SCHEDOP_shutdown %ld", rc);
    printf("usermode: ring 3 console_io, hypercall 63, SCHEDOP_shutdown: %s\n",
           check_failures ? "not all refused" : "-EPERM, still running");

    /* Ring 0 again: everything works as before. */
    rc = hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
    CHECK(rc > 0, "ring 0 after ring 3: xen_version %ld", rc);
    printf("usermode: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
