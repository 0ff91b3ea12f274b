/* Starting the application processors: each listed in the MADT gets a
 * stack, goes through the real-mode trampoline to ap_start32/ap_main, and
 * says it is online.  One at a time, because they share the trampoline's
 * hand-off variables. */
#include <mica/console.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/dom0.h>
#include <asm/hvm.h>
#include <asm/layout.h>
#include <asm/traps.h>

extern char trampoline_start[], trampoline_end[];
extern uint64_t ap_boot_stack;
extern uint32_t ap_boot_cpu;

static unsigned int max_cpus = MAX_CPUS;
#include <mica/cmdline.h>
param_uint("maxcpus", max_cpus);

bool selftest_hvm_fails(uint32_t apic_id);

__noreturn void ap_main(uint32_t cpu)
{
    struct pcpu *c = &pcpus[cpu];

    cpu_tables_init(c);
    lapic_init();
    c->arch.apic_id = lapic_id();
    if (selftest_hvm_fails(c->arch.apic_id) || hvm_cpu_up() < 0) {
        /* The boot CPU leaves it out and gives its slot to the next one:
         * it must not touch its per-CPU data again, so it halts with
         * interrupts off for good. */
        c->unusable = true;
        __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
        local_irq_disable();
        for (;;)
            halt();
    }
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    /* Wake the boot CPU, which halts while it waits for us. */
    lapic_send_ipi(pcpus[0].arch.apic_id, VEC_RESCHED);
    sched_loop();
}

static void *alloc_pages(unsigned int n)
{
    mfn_t m = frame_alloc_range(n, 1, FRAME_FLOOR_MFN, ~(mfn_t)0);

    return m == MFN_INVALID ? NULL : (void *)(uintptr_t)(m << PAGE_SHIFT);
}

static void boot_aps(void);

void smp_boot_aps(void)
{
    boot_aps();
    /* Now that the CPUs are known: dom0's are set aside before any
     * domain's vCPU is placed. */
    dom0_plan_cpus();
}

static void boot_aps(void)
{
    mfn_t tramp;
    uint32_t bsp_apic = pcpus[0].arch.apic_id;

    if (acpi.ncpus <= 1 || max_cpus <= 1)
        return;
    /* A page below 1 MiB that nothing else uses; the SIPI vector is its
     * page number.  Kept for good: CPUs can be restarted. */
    tramp = frame_alloc_range(1, 1, 1, 0x9f);
    if (tramp == MFN_INVALID) {
        pr_warn("SMP: no low page for the trampoline; one CPU only\n");
        return;
    }
    memcpy((void *)(uintptr_t)(tramp << PAGE_SHIFT), trampoline_start,
           (size_t)(trampoline_end - trampoline_start));

    for (unsigned i = 0; i < acpi.ncpus && nr_cpus < MIN(max_cpus, MAX_CPUS); i++) {
        uint32_t apic_id = acpi.cpu_apic_ids[i];
        unsigned int id = nr_cpus;
        struct pcpu *c = &pcpus[id];
        void *stack;
        uint64_t deadline;

        if (apic_id == bsp_apic)
            continue;
        stack = alloc_pages(CPU_STACK_SIZE / PAGE_SIZE);
        memset(c, 0, sizeof(*c));
        c->self = c;
        c->id = id;
        for (int k = 0; k < 3; k++)
            c->arch.ist_stacks[k] = alloc_pages(1);
        if (!stack || !c->arch.ist_stacks[2])
            panic("out of memory starting CPUs");
        c->stack_top = (char *)stack + CPU_STACK_SIZE;
        ap_boot_stack = (uint64_t)(uintptr_t)c->stack_top;
        ap_boot_cpu = id;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (lapic_start_ap(apic_id, (uint8_t)tramp) < 0) {
            pr_warn("SMP: CPU with APIC ID %u did not take INIT/SIPI\n", apic_id);
            continue;
        }
        /* Halt rather than spin: under emulation the new CPU shares the
         * host's time with this one.  Its IPI (or a 1 ms timer) wakes us. */
        deadline = now_ns() + 1000000000ull;
        while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) &&
               now_ns() < deadline) {
            lapic_timer_oneshot(1000000);
            safe_halt();
            local_irq_disable();
        }
        lapic_timer_stop();
        if (!c->online) {
            pr_warn("SMP: CPU with APIC ID %u did not come up\n", apic_id);
            continue;
        }
        if (c->unusable) {
            pr_warn("SMP: CPU with APIC ID %u cannot enable %s; left halted, "
                    "no domain runs there\n", apic_id, hvm_ops->name);
            continue;
        }
        nr_cpus++;
        printk("CPU%u: APIC ID %u online\n", id, apic_id);
    }
}
