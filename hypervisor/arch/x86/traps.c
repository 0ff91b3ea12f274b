/* Traps: the IDT, each CPU's GDT and TSS, interrupt dispatch, and the crash
 * report that any unexpected exception in mica produces. */
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/percpu.h>
#include <mica/lib.h>
#include <mica/string.h>
#include <mica/symbols.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/traps.h>
#include <mica/domain.h>

struct idt_entry {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __packed;
BUILD_BUG_ON(sizeof(struct idt_entry) != 16);

static struct idt_entry idt[256] __aligned(16);
static irq_handler_t handlers[256];
extern char trap_stubs[];

static const char *const exc_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow",
    "bound range", "invalid opcode", "device not available",
    "double fault", "coprocessor overrun", "invalid TSS",
    "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 error", "alignment check",
    "machine check", "SIMD error", "virtualization", "control protection",
};

static void set_gate(unsigned v, uint8_t ist)
{
    uint64_t a = (uint64_t)(uintptr_t)(trap_stubs + 16 * v);

    idt[v] = (struct idt_entry){
        .off0 = a & 0xffff, .sel = GDT_CS64, .ist = ist,
        .type = 0x8e,  /* present, DPL 0, 64-bit interrupt gate */
        .off1 = (a >> 16) & 0xffff, .off2 = a >> 32,
    };
}

void traps_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        set_gate(v, 0);
    set_gate(VEC_DF, IST_DF);
    set_gate(VEC_NMI, IST_NMI);
    set_gate(VEC_MC, IST_MC);
}

void irq_set_handler(unsigned int vector, irq_handler_t fn)
{
    handlers[vector & 0xff] = fn;
}

void cpu_tables_init(struct pcpu *c)
{
    struct pcpu_arch *a = &c->arch;
    uint64_t tss = (uint64_t)(uintptr_t)&a->tss;
    struct {
        uint16_t limit;
        uint64_t base;
    } __packed gdtr = { sizeof(a->gdt) - 1, (uint64_t)(uintptr_t)a->gdt },
      idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

    a->gdt[0] = 0;
    a->gdt[GDT_CS64 / 8] = 0x00af9a000000ffffull;
    a->gdt[GDT_DS / 8] = 0x00cf92000000ffffull;
    a->gdt[GDT_CS32 / 8] = 0x00cf9a000000ffffull;
    /* A 16-byte available 64-bit TSS descriptor (Intel SDM 3A, 7.2.3). */
    a->gdt[GDT_TSS / 8] = (sizeof(a->tss) - 1) | ((tss & 0xffffff) << 16) |
                          (0x89ull << 40) | (((tss >> 24) & 0xff) << 56);
    a->gdt[GDT_TSS / 8 + 1] = tss >> 32;
    memset(&a->tss, 0, sizeof(a->tss));
    a->tss.iopb = sizeof(a->tss);   /* no I/O bitmap */
    for (int i = 0; i < 3; i++)
        a->tss.ist[i] = (uint64_t)(uintptr_t)a->ist_stacks[i] + IST_STACK_SIZE;

    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    __asm__ volatile(
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w[ds], %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        : : [cs] "i"(GDT_CS64), [ds] "r"(GDT_DS) : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
    __asm__ volatile("lidt %0" : : "m"(idtr));
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}

static void print_sym(uint64_t addr)
{
    const char *name;
    uint64_t off;

    if (symbols_lookup(addr, &name, &off))
        printk("  [<%016llx>] %s+0x%llx\n", (unsigned long long)addr, name,
               (unsigned long long)off);
    else
        printk("  [<%016llx>] ?\n", (unsigned long long)addr);
}

extern char _image_start[], _end[];

/* Follows the frame-pointer chain (mica is built with frame pointers),
 * stopping at anything that does not point into mica's own image. */
void backtrace(uint64_t rbp)
{
    printk("Backtrace:\n");
    for (int depth = 0; depth < 32 && rbp; depth++) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

        if (rbp & 7 || rbp < (uint64_t)(uintptr_t)_image_start ||
            rbp >= (uint64_t)(uintptr_t)_end + GiB(1))
            break;
        if (!frame[1])
            break;
        print_sym(frame[1]);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
}

void crash_report(const char *why, const struct cpu_regs *r)
{
    struct pcpu *c = this_cpu();

    pr_err("*** mica crashed on CPU%u: %s ***\n", c ? c->id : 0, why);
    pr_err("vector %llu, error code %#llx\n",
           (unsigned long long)r->vector, (unsigned long long)r->error_code);
    pr_err("RIP %04llx:%016llx  RFLAGS %016llx\n",
           (unsigned long long)r->cs, (unsigned long long)r->rip,
           (unsigned long long)r->rflags);
    pr_err("RSP %04llx:%016llx  CR2 %016llx\n",
           (unsigned long long)r->ss, (unsigned long long)r->rsp,
           (unsigned long long)read_cr2());
    pr_err("RAX %016llx RBX %016llx RCX %016llx\n",
           (unsigned long long)r->rax, (unsigned long long)r->rbx,
           (unsigned long long)r->rcx);
    pr_err("RDX %016llx RSI %016llx RDI %016llx\n",
           (unsigned long long)r->rdx, (unsigned long long)r->rsi,
           (unsigned long long)r->rdi);
    pr_err("RBP %016llx R8  %016llx R9  %016llx\n",
           (unsigned long long)r->rbp, (unsigned long long)r->r8,
           (unsigned long long)r->r9);
    pr_err("R10 %016llx R11 %016llx R12 %016llx\n",
           (unsigned long long)r->r10, (unsigned long long)r->r11,
           (unsigned long long)r->r12);
    pr_err("R13 %016llx R14 %016llx R15 %016llx\n",
           (unsigned long long)r->r13, (unsigned long long)r->r14,
           (unsigned long long)r->r15);
    pr_err("CR0 %016llx CR3 %016llx CR4 %016llx\n",
           (unsigned long long)read_cr0(), (unsigned long long)read_cr3(),
           (unsigned long long)read_cr4());
    if (c && c->current)
        pr_err("while handling d%u v%u\n", c->current->domain->id,
               c->current->id);
    print_sym(r->rip);
    backtrace(r->rbp);
}

static void stop_ipi(struct cpu_regs *r)
{
    (void)r;
    for (;;) {
        local_irq_disable();
        halt();
    }
}

void trap_dispatch(struct cpu_regs *r)
{
    unsigned v = (unsigned)r->vector;

    if (v == VEC_NMI && this_cpu()->current && this_cpu()->current->domain->is_dom0) {
        /* An NMI for dom0 (its watchdog, say) that came while mica handled
         * one of dom0's exits.  It cannot be handed on without an NMI
         * window, so it is dropped, with a note; mica is not the target. */
        static bool said;

        if (!said) {
            said = true;
            pr_warn("CPU%u: an NMI for dom0 arrived during an exit and was dropped\n",
                    smp_processor_id());
        }
        return;
    }
    if (v < 32) {
        char why[64];

        snprintf(why, sizeof(why), "%s (#%u)",
                 exc_names[v] ? exc_names[v] : "exception", v);
        crash_report(why, r);
        machine_stop(3);
    }
    if (handlers[v]) {
        handlers[v](r);
    } else if (v != VEC_SPURIOUS) {
        /* A device dom0 programmed (its LAPIC timer, an IOAPIC line) can
         * go on interrupting dom0's CPU after dom0 is gone.  Acknowledge
         * it, so that the LAPIC does not hold back everything at or below
         * its priority, and say so once per vector. */
        static uint8_t said[256 / 8];

        lapic_eoi();
        if (!(__atomic_fetch_or(&said[v / 8], (uint8_t)(1u << (v % 8)), __ATOMIC_RELAXED) &
              (1u << (v % 8))))
            pr_warn("unexpected interrupt %u on CPU%u (acknowledged; not said again)\n",
                    v, smp_processor_id());
    }
}

static bool emu_exit;
param_bool("emu_exit", emu_exit);

void lapic_send_stop_all(void);
void acpi_poweroff(void);

/* Ends mica: the other CPUs stop, and with emu_exit an emulator ends too
 * (QEMU's isa-debug-exit at 0xf4 returns (code << 1) | 1; Bochs's magic
 * breakpoint hands over to its debugger, whose script quits). */
void machine_stop(int code)
{
    local_irq_disable();
    lapic_send_stop_all();
    if (code != 0)
        pr_err("mica: system halted\n");
    if (emu_exit) {
        outb(0xf4, (uint8_t)code);
        __asm__ volatile("xchg %bx, %bx");
    }
    if (code == 0) {
        acpi_poweroff();
        pr_err("mica: system halted\n");
    }
    for (;;)
        halt();
}

void panic(const char *fmt, ...)
{
    static int nesting;
    char buf[256];
    va_list ap;
    uint64_t rbp;

    local_irq_disable();
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    pr_err("*** PANIC: %s ***\n", buf);
    if (nesting++ == 0) {
        __asm__ volatile("movq %%rbp, %0" : "=r"(rbp));
        backtrace(rbp);
    }
    machine_stop(3);
}

/* Stops mica over something the user can fix (the machine lacks what mica
 * needs): the reason, no backtrace, since mica itself did nothing wrong. */
void fatal(const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    local_irq_disable();
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    pr_err("mica cannot run on this machine: %s\n", buf);
    machine_stop(4);
}

void traps_late_init(void)
{
    irq_set_handler(VEC_STOP, stop_ipi);
}
