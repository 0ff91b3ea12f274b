/* start_mica: from the boot loader's hand-off to a running system.  The
 * steps are in the order each depends on the one before: console, boot
 * information, memory, CPU features, ACPI, timers, other CPUs, the
 * virtualization backend, and finally the domains. */
#include <mica/bootinfo.h>
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <mica/version.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/dom0.h>
#include <asm/hvm.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/traps.h>

struct pcpu pcpus[MAX_CPUS];
unsigned int nr_cpus = 1;
struct boot_info boot_info;

extern char _image_start[], _end[];
extern const struct param __params_start[], __params_end[];
extern uint64_t boot_pml4[], boot_pdpt[];

void uart_console_init(void);
void mm_map_ram(const struct boot_info *bi);
void smp_boot_aps(void);
void console_replay(void);
void traps_late_init(void);

/* selftest=crash makes mica fault on purpose once it is up, so that tests
 * can check the crash report (registers, backtrace with symbols);
 * selftest=ap2-hvm makes the CPU with APIC ID 2 fail to enable hardware
 * virtualization, as a CPU whose firmware left it off would. */
static char selftest[16];
param_string("selftest", selftest);

bool selftest_hvm_fails(uint32_t apic_id)
{
    return apic_id == 2 && !strcmp(selftest, "ap2-hvm");
}

static __attribute__((noinline)) void selftest_crash(void)
{
    volatile uint64_t *bad = phys_to_virt(0x8000000000000000ull);

    printk("selftest: touching a non-canonical address on purpose\n");
    (void)*bad;
}

static void selftest_run(void)
{
    if (!strcmp(selftest, "crash"))
        selftest_crash();
    else if (selftest[0] && strcmp(selftest, "ap2-hvm"))
        pr_warn("selftest: unknown test '%s'\n", selftest);
}

static uint8_t bsp_ist[3][IST_STACK_SIZE] __aligned(16);

static const void *identity_map(uint64_t pa, size_t len)
{
    if (pa + len < pa || pa + len > GiB(4))
        return NULL;
    return (const void *)(uintptr_t)pa;
}

static void warn_param(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(LOG_WARN, fmt, ap);
    va_end(ap);
}

static const char *mem_type_name(uint32_t t)
{
    switch (t) {
    case MEM_USABLE: return "usable";
    case MEM_ACPI:   return "ACPI data";
    case MEM_NVS:    return "ACPI NVS";
    case MEM_BAD:    return "unusable";
    default:         return "reserved";
    }
}

/* Puts the frame bitmap in the first usable RAM above 1 MiB that holds no
 * image, module or loader structure, then hands all usable RAM to the
 * frame allocator and takes back what is in use. */
static void memory_init(const struct boot_info *bi)
{
    mfn_t max_mfn = 0;
    size_t bytes;
    paddr_t bm = 0;
    paddr_t image_start = (uintptr_t)_image_start, image_end = (uintptr_t)_end;

    for (unsigned i = 0; i < bi->nmem; i++)
        if (bi->mem[i].type == MEM_USABLE)
            max_mfn = MAX(max_mfn, (bi->mem[i].start + bi->mem[i].len) >> PAGE_SHIFT);
    bytes = ALIGN_UP(frame_bitmap_bytes(max_mfn), PAGE_SIZE);

    for (unsigned i = 0; i < bi->nmem && !bm; i++) {
        const struct mem_region *r = &bi->mem[i];
        paddr_t a = ALIGN_UP(MAX(r->start, MiB(1)), PAGE_SIZE);
        paddr_t end = r->start + r->len;

        if (r->type != MEM_USABLE)
            continue;
        while (a + bytes <= end && a + bytes <= GiB(4)) {
            paddr_t clash = 0;

            if (a < image_end && a + bytes > image_start)
                clash = image_end;
            if (a < bi->info_end && a + bytes > bi->info_start)
                clash = MAX(clash, bi->info_end);
            for (unsigned m = 0; m < bi->nmods; m++)
                if (a < bi->mods[m].end && a + bytes > bi->mods[m].start)
                    clash = MAX(clash, bi->mods[m].end);
            if (!clash) {
                bm = a;
                break;
            }
            a = ALIGN_UP(clash, PAGE_SIZE);
        }
    }
    if (!bm)
        panic("no room for the frame bitmap (%zu bytes)", bytes);

    frame_init((uint64_t *)(uintptr_t)bm, max_mfn);
    for (unsigned i = 0; i < bi->nmem; i++) {
        const struct mem_region *r = &bi->mem[i];

        if (r->type == MEM_USABLE)
            frame_release(ALIGN_UP(r->start, PAGE_SIZE) >> PAGE_SHIFT,
                          (r->start + r->len) >> PAGE_SHIFT);
    }
    frame_reserve(0, 1);                /* the real-mode IVT and BDA */
    frame_reserve(image_start >> PAGE_SHIFT,
                  ALIGN_UP(image_end, PAGE_SIZE) >> PAGE_SHIFT);
    frame_reserve(bm >> PAGE_SHIFT, (bm + bytes) >> PAGE_SHIFT);
    frame_reserve(bi->info_start >> PAGE_SHIFT,
                  ALIGN_UP(bi->info_end, PAGE_SIZE) >> PAGE_SHIFT);
    for (unsigned m = 0; m < bi->nmods; m++)
        frame_reserve(bi->mods[m].start >> PAGE_SHIFT,
                      ALIGN_UP(bi->mods[m].end, PAGE_SIZE) >> PAGE_SHIFT);
    /* Before any other allocation: dom0 takes low memory. */
    dom0_plan_memory(bi, image_start, image_end, bm, bytes);
    mm_map_ram(bi);
    printk("Memory: %llu MiB usable, %llu MiB free after mica and modules\n",
           (unsigned long long)(frame_total_count() >> 8),
           (unsigned long long)(frame_free_count() >> 8));
}

static void print_memory_map(const struct boot_info *bi)
{
    printk("Memory map (%s):\n", bi->efi_map ? "EFI" : "e820");
    for (unsigned i = 0; i < bi->nmem; i++)
        printk("  %016llx - %016llx %s\n",
               (unsigned long long)bi->mem[i].start,
               (unsigned long long)(bi->mem[i].start + bi->mem[i].len),
               mem_type_name(bi->mem[i].type));
}

uint64_t boot_tsc;      /* the TSC at mica's entry, for boot timing */

/* A timeline of the boot's steps, shown at loglvl=debug when dom0 starts,
 * so that the boot's cost can be told apart (docs/performance.md). */
static struct {
    const char *what;
    uint64_t tsc;
} marks[16];
static unsigned int nmarks;

void boot_mark(const char *what)
{
    if (nmarks < ARRAY_SIZE(marks)) {
        marks[nmarks].what = what;
        marks[nmarks++].tsc = rdtsc();
    }
}

void boot_timeline(void)
{
    uint64_t prev = boot_tsc;

    for (unsigned i = 0; i < nmarks; i++) {
        uint64_t us = (marks[i].tsc - prev) * 1000 / tsc_khz;

        pr_debug("boot: %-18s %6llu us\n", marks[i].what, (unsigned long long)us);
        prev = marks[i].tsc;
    }
}

void start_mica(uint32_t magic, uint32_t info_pa)
{
    struct boot_info *bi = &boot_info;
    struct pcpu *bsp = &pcpus[0];
    int rc;

    boot_tsc = rdtsc();
    bsp->self = bsp;
    bsp->id = 0;
    for (int i = 0; i < 3; i++)
        bsp->arch.ist_stacks[i] = bsp_ist[i];
    traps_init();
    cpu_tables_init(bsp);
    traps_late_init();
    uart_console_init();

    if (magic == MULTIBOOT2_MAGIC)
        rc = multiboot2_parse(info_pa, identity_map, bi);
    else if (magic == MULTIBOOT1_MAGIC)
        rc = multiboot1_parse(info_pa, identity_map, bi);
    else
        panic("not started by a multiboot loader (magic %#x)", magic);
    cmdline_parse(cmdline_skip_image(bi->cmdline), __params_start,
                  (size_t)(__params_end - __params_start), warn_param);
    uart_console_init();

    printk("mica %s (x86-64) -- a small hypervisor with a Xen-compatible ABI\n",
           MICA_VERSION);
    printk("Booted by %s via %s; command line: %s\n",
           bi->loader[0] ? bi->loader : "an unnamed loader", bi->protocol,
           cmdline_skip_image(bi->cmdline));
    if (rc < 0)
        panic("the boot loader's information is unusable (error %d)", rc);
    boot_mark("console");
    print_memory_map(bi);
    memory_init(bi);
    boot_mark("memory");

    if (acpi_init(bi) < 0)
        pr_warn("ACPI: continuing with the boot CPU only\n");
    pic_disable();
    lapic_init();
    bsp->arch.apic_id = lapic_id();
    bsp->online = true;
    boot_mark("acpi, lapic");
    lapic_calibrate();
    boot_mark("calibration");
    /* A failure is worth saying loudly, but not worth stopping for: an
     * emulator under heavy load can miss the deadlines. */
    if (lapic_timer_selftest() < 0)
        pr_err("LAPIC timer: self-test failed; time slices may be wrong\n");
    boot_mark("timer self-test");

    hvm_select();
    boot_mark("hvm select");
    smp_boot_aps();
    boot_mark("APs");
    printk("CPUs: %u online\n", nr_cpus);
    if (hvm_cpu_up() < 0)
        panic("cannot enable %s on the boot CPU", hvm_ops->name);

    selftest_run();
    boot_mark("hvm cpu up");
    if (!domains_start_from_modules(bi) && !dom0_layout.present) {
        printk("No domains to start (give guest kernels as boot modules).\n");
        sched_all_domains_ended();
    }
    boot_mark("boot domains");
    if (dom0_layout.present && dom0_build(bi) < 0 && !domains_alive())
        sched_all_domains_ended();
    /* From here idle CPUs zero free RAM (frame.c); not sooner, so that
     * the boot does not wait for them. */
    frame_scrub_init();
    sched_wake_idle();
    sched_start();
}
