/* Building domain 0 from a bzImage and its initrd with Linux's 64-bit boot
 * protocol (Linux Documentation/arch/x86/boot.rst): the protected-mode
 * kernel is copied to an aligned address in dom0's RAM, the initrd near the
 * top of dom0's RAM, and a zero page (struct boot_params) carries the setup
 * header, the E820 map, the command line and the initrd.  dom0 enters at
 * the kernel's 64-bit entry (load address + 0x200) in long mode, with an
 * identity map of the first 4 GiB that mica builds in dom0's low memory. */
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/lib.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/dom0.h>
#include <asm/hvm.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/p2m.h>

/* Setup header offsets, within the bzImage and within boot_params. */
#define HDR_SETUP_SECTS    0x1f1
#define HDR_JUMP           0x200
#define HDR_VERSION        0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS      0x211
#define HDR_RAMDISK_IMAGE  0x218
#define HDR_RAMDISK_SIZE   0x21c
#define HDR_CMD_LINE_PTR   0x228
#define HDR_INITRD_MAX     0x22c
#define HDR_KERNEL_ALIGN   0x230
#define HDR_RELOCATABLE    0x234
#define HDR_XLOADFLAGS     0x236
#define HDR_CMDLINE_SIZE   0x238
#define HDR_PREF_ADDRESS   0x258
#define HDR_INIT_SIZE      0x260
/* boot_params offsets */
#define BP_ACPI_RSDP       0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES    0x1e8
#define BP_E820_TABLE      0x2d0
#define BP_E820_MAX        128

#define XLF_KERNEL_64      (1u << 0)
#define LOADED_HIGH        (1u << 0)
#define LOADER_UNDEFINED   0xff

/* mica's UART after dom0 starts (0: none), for the backends' bitmaps. */
uint16_t mica_uart_port;
void uart_release(uint16_t io_base);
bool uart_enabled(uint16_t io_base);

void boot_mark(const char *what);

static uint8_t r8(const uint8_t *p, unsigned off) { return p[off]; }
static uint16_t r16(const uint8_t *p, unsigned off) { uint16_t v; memcpy(&v, p + off, 2); return v; }
static uint32_t r32(const uint8_t *p, unsigned off) { uint32_t v; memcpy(&v, p + off, 4); return v; }
static uint64_t r64(const uint8_t *p, unsigned off) { uint64_t v; memcpy(&v, p + off, 8); return v; }
static void w8(uint8_t *p, unsigned off, uint8_t v) { p[off] = v; }
static void w32(uint8_t *p, unsigned off, uint32_t v) { memcpy(p + off, &v, 4); }
static void w64(uint8_t *p, unsigned off, uint64_t v) { memcpy(p + off, &v, 8); }

struct span {
    paddr_t start, end;
};

static bool overlaps(paddr_t a, paddr_t b, struct span s)
{
    return a < s.end && s.start < b;
}

/* Finds `size` bytes aligned to `align` in one dom0 RAM range within
 * [lo, hi), avoiding the spans; the highest fit if `top`, else the
 * lowest. */
static paddr_t place(uint64_t size, uint64_t align, paddr_t lo, paddr_t hi,
                     const struct span *avoid, unsigned navoid, bool top)
{
    const struct dom0_layout *l = &dom0_layout;
    paddr_t best = 0;
    bool found = false;

    for (unsigned i = 0; i < l->nram; i++) {
        paddr_t rs = MAX(l->ram[i].start, lo);
        paddr_t re = MIN(l->ram[i].start + l->ram[i].len, hi);

        if (re <= rs || re - rs < size)
            continue;
        if (top) {
            for (paddr_t a = ALIGN_DOWN(re - size, align); a >= rs; a -= align) {
                bool ok = true;

                for (unsigned k = 0; k < navoid && ok; k++)
                    ok = !overlaps(a, a + size, avoid[k]);
                if (ok) {
                    if (!found || a > best)
                        best = a;
                    found = true;
                    break;
                }
                if (a < align)
                    break;
            }
        } else {
            for (paddr_t a = ALIGN_UP(rs, align); a + size <= re; a += align) {
                bool ok = true;

                for (unsigned k = 0; k < navoid && ok; k++)
                    ok = !overlaps(a, a + size, avoid[k]);
                if (ok) {
                    if (!found)
                        best = a;
                    found = true;
                    break;
                }
            }
            if (found)
                break;
        }
    }
    return found ? best : 0;
}

/* dom0's E820: the host's, with usable RAM replaced by dom0's ranges,
 * and `nvs` (a span inside one of them, or empty) ACPI NVS: dom0's own
 * ACPI tables and wakeup mailbox (dom0_smp.c). */
static unsigned build_e820(const struct boot_info *bi, uint8_t *bp, struct span nvs)
{
    struct mem_region map[BP_E820_MAX];
    unsigned n = 0;

    for (unsigned i = 0; i < bi->nmem && n < BP_E820_MAX; i++)
        if (bi->mem[i].type != MEM_USABLE)
            map[n++] = bi->mem[i];
    for (unsigned i = 0; i < dom0_layout.nram && n + 3 <= BP_E820_MAX; i++) {
        struct mem_region r = dom0_layout.ram[i];
        paddr_t end = r.start + r.len;

        if (nvs.start >= nvs.end || nvs.start < r.start || nvs.end > end) {
            map[n++] = r;
            continue;
        }
        if (nvs.start > r.start)
            map[n++] = (struct mem_region){ r.start, nvs.start - r.start, MEM_USABLE };
        map[n++] = (struct mem_region){ nvs.start, nvs.end - nvs.start, MEM_NVS };
        if (end > nvs.end)
            map[n++] = (struct mem_region){ nvs.end, end - nvs.end, MEM_USABLE };
    }
    /* Sorted by address, as Linux prefers (it sanitizes anyway). */
    for (unsigned i = 1; i < n; i++) {
        struct mem_region r = map[i];
        unsigned j = i;

        for (; j && map[j - 1].start > r.start; j--)
            map[j] = map[j - 1];
        map[j] = r;
    }
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + i * 20;

        w64(e, 0, map[i].start);
        w64(e, 8, map[i].len);
        w32(e, 16, map[i].type);
    }
    w8(bp, BP_E820_ENTRIES, (uint8_t)n);
    return n;
}

/* Bytes of [a, b) covered by the usable host RAM (host) or by dom0's RAM. */
static uint64_t overlap(const struct mem_region *r, unsigned n, bool usable_only,
                        paddr_t a, paddr_t b)
{
    uint64_t sum = 0;

    for (unsigned i = 0; i < n; i++) {
        paddr_t s = MAX(a, r[i].start), e = MIN(b, r[i].start + r[i].len);

        if ((!usable_only || r[i].type == MEM_USABLE) && s < e)
            sum += e - s;
    }
    return sum;
}

/* Maps dom0's view of physical memory: identity everywhere below 4 GiB and
 * over its RAM above, except mica's own RAM.  A 2 MiB page where a whole
 * chunk is dom0's RAM or no RAM at all; page by page only in the few chunks
 * dom0 shares with mica.  Addresses above are mapped when dom0 first
 * touches them (hvm.c). */
static int map_dom0(struct domain *d, const struct boot_info *bi)
{
    const struct dom0_layout *l = &dom0_layout;
    paddr_t top = GiB(4);

    for (unsigned i = 0; i < l->nram; i++)
        top = MAX(top, l->ram[i].start + l->ram[i].len);
    for (paddr_t chunk = 0; chunk < top; chunk += MiB(2)) {
        paddr_t end = chunk + MiB(2);
        uint64_t ram = overlap(bi->mem, bi->nmem, true, chunk, end);
        uint64_t mine = overlap(l->ram, l->nram, false, chunk, end);
        int rc = 0;

        if (mine == MiB(2) || ram == 0) {
            rc = p2m_map_device(d, chunk >> PAGE_SHIFT, chunk >> PAGE_SHIFT,
                                true, ram != 0, true);
        } else if (mine || ram < MiB(2)) {
            for (paddr_t pa = chunk; pa < end && !rc; pa += PAGE_SIZE) {
                bool dom0 = dom0_owns(pa, PAGE_SIZE);

                if (dom0 || !overlap(bi->mem, bi->nmem, true, pa, pa + PAGE_SIZE))
                    rc = p2m_map_device(d, pa >> PAGE_SHIFT, pa >> PAGE_SHIFT,
                                        true, dom0, false);
            }
        }
        /* Otherwise the whole chunk is mica's RAM: not mapped. */
        if (rc < 0)
            return rc;
    }
    /* Page 0, the real-mode IVT and the BIOS data area, is out of every
     * E820 map mica hands out and mica never uses it after boot, but it
     * is the firmware's: dom0 reads the BDA, and Linux writes its warm
     * reset vector at 0x467 while it starts its APs. */
    return p2m_map_device(d, 0, 0, true, true, false);
}

static char dom0_extra[128];
param_string("dom0_args", dom0_extra);

static int build(const struct boot_info *bi);

int dom0_build(const struct boot_info *bi)
{
    int rc = build(bi);

    if (rc < 0)
        dom0_release_cpus();
    return rc;
}

static int build(const struct boot_info *bi)
{
    const struct dom0_layout *l = &dom0_layout;
    const struct boot_module *km = &bi->mods[l->kernel_mod];
    const struct boot_module *im = l->initrd_mod >= 0 ? &bi->mods[l->initrd_mod] : NULL;
    const uint8_t *img = (const uint8_t *)(uintptr_t)km->start;
    size_t size = (size_t)(km->end - km->start);
    unsigned setup_sects, version;
    uint64_t align, init_size, pm_offset, pm_size, initrd_size = 0;
    paddr_t kernel_at, initrd_at = 0, low, rsdp = 0;
    struct span avoid[3], nvs = { 0, 0 };
    size_t nvs_size;
    char cmdline[BOOT_MODARGS_MAX + 160];
    uint8_t *bp;
    uint64_t *pml4, *pdpt;
    struct vcpu_start_state st;
    struct domain *d;
    struct vcpu *v;

    setup_sects = r8(img, HDR_SETUP_SECTS) ? r8(img, HDR_SETUP_SECTS) : 4;
    version = r16(img, HDR_VERSION);
    pm_offset = (uint64_t)(setup_sects + 1) * 512;
    if (version < 0x20c || !(r16(img, HDR_XLOADFLAGS) & XLF_KERNEL_64) ||
        pm_offset >= size) {
        pr_err("dom0: module %u is a bzImage without the 64-bit entry "
               "(boot protocol %x.%02x); dom0 not started\n",
               l->kernel_mod, version >> 8, version & 0xff);
        return -ENOEXEC;
    }
    pm_size = size - pm_offset;
    align = r32(img, HDR_KERNEL_ALIGN);
    if (!align || (align & (align - 1)))
        align = MiB(2);
    init_size = MAX((uint64_t)r32(img, HDR_INIT_SIZE), pm_size);
    if (im)
        initrd_size = im->end - im->start;
    if (init_size + initrd_size + MiB(4) > (l->pages << PAGE_SHIFT)) {
        pr_err("dom0: kernel (%llu MiB to run) and initrd (%llu MiB) do not fit "
               "in dom0's %llu MiB; dom0 not started\n",
               (unsigned long long)(init_size >> 20),
               (unsigned long long)(initrd_size >> 20),
               (unsigned long long)(l->pages >> 8));
        return -ENOMEM;
    }

    /* The kernel where it prefers (16 MiB) when free, else the lowest
     * aligned fit above 1 MiB; it must not land on the initrd still to be
     * copied.  Then the initrd as high as Linux accepts. */
    avoid[0] = im ? (struct span){ im->start, im->end } : (struct span){ 0, 0 };
    kernel_at = 0;
    if (r8(img, HDR_RELOCATABLE) || r64(img, HDR_PREF_ADDRESS)) {
        paddr_t pref = r64(img, HDR_PREF_ADDRESS);

        if (pref && dom0_owns(pref, init_size) && !overlaps(pref, pref + init_size, avoid[0]))
            kernel_at = pref;
    }
    if (!kernel_at && r8(img, HDR_RELOCATABLE))
        kernel_at = place(init_size, align, MiB(1), GiB(4), avoid, 1, false);
    if (!kernel_at) {
        pr_err("dom0: no room for the kernel in dom0's RAM; dom0 not started\n");
        return -ENOMEM;
    }
    if (im) {
        paddr_t max = (paddr_t)r32(img, HDR_INITRD_MAX) + 1;

        avoid[0] = (struct span){ kernel_at, kernel_at + init_size };
        avoid[1] = (struct span){ km->start, km->end };
        initrd_at = place(ALIGN_UP(initrd_size, PAGE_SIZE), PAGE_SIZE, MiB(1),
                          MIN(max, GiB(4)), avoid, 2, true);
        if (!initrd_at) {
            pr_err("dom0: no room for the initrd below %#llx; dom0 not started\n",
                   (unsigned long long)max);
            return -ENOMEM;
        }
        memmove(phys_to_virt(initrd_at), phys_to_virt(im->start), initrd_size);
    }
    memmove(phys_to_virt(kernel_at), img + pm_offset, pm_size);
    boot_mark("dom0 copies");

    /* Low memory: boot_params, the command line, the RSDP copy and a GDT
     * (page 1, 2, 3), and the page tables (4 to 9). */
    avoid[0] = (struct span){ kernel_at, kernel_at + init_size };
    avoid[1] = (struct span){ initrd_at, initrd_at + initrd_size };
    low = place(9 * PAGE_SIZE, PAGE_SIZE, PAGE_SIZE, MiB(1), avoid, 2, false);
    if (!low)
        low = place(9 * PAGE_SIZE, PAGE_SIZE, MiB(1), GiB(4), avoid, 2, false);
    if (!low) {
        pr_err("dom0: no room for boot_params; dom0 not started\n");
        return -ENOMEM;
    }
    memset(phys_to_virt(low), 0, 9 * PAGE_SIZE);
    bp = phys_to_virt(low);

    /* The setup header as the image has it, then what a loader fills. */
    memcpy(bp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS,
           (size_t)(HDR_JUMP + 2 + r8(img, HDR_JUMP + 1) - HDR_SETUP_SECTS));
    w8(bp, HDR_TYPE_OF_LOADER, LOADER_UNDEFINED);
    w8(bp, HDR_LOADFLAGS, r8(bp, HDR_LOADFLAGS) | LOADED_HIGH);
    if (im) {
        w32(bp, HDR_RAMDISK_IMAGE, (uint32_t)initrd_at);
        w32(bp, HDR_RAMDISK_SIZE, (uint32_t)initrd_size);
        w32(bp, BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_at >> 32));
        w32(bp, BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));
    }
    {
        const char *args = cmdline_skip_image(km->args);
        size_t max = MIN((size_t)r32(img, HDR_CMDLINE_SIZE), PAGE_SIZE - 1);
        /* One CPU: Linux needs to be told that there are no others to
         * start.  More: its own MADT lists them, but Linux sends some
         * IPIs with the "all excluding self" shorthand once all its CPUs
         * are online, and the LAPIC delivers those to every CPU. */
        const char *mine = l->cpus == 1 ? "nr_cpus=1" : "no_ipi_broadcast=1";

        snprintf(cmdline, sizeof(cmdline), "%s%s%s%s", args, args[0] ? " " : "",
                 mine, dom0_extra[0] ? " " : "");
        strlcpy(cmdline + strlen(cmdline), dom0_extra, sizeof(cmdline) - strlen(cmdline));
        if (strlen(cmdline) > max) {
            pr_warn("dom0: command line cut to the kernel's %zu bytes\n", max);
            cmdline[max] = '\0';
        }
        strlcpy((char *)phys_to_virt(low + PAGE_SIZE), cmdline, PAGE_SIZE);
        w32(bp, HDR_CMD_LINE_PTR, (uint32_t)(low + PAGE_SIZE));
        w32(bp, BP_EXT_CMD_LINE_PTR, 0);
        printk("dom0: mica adds to the kernel command line: %s%s%s\n",
               l->cpus == 1 ? "nr_cpus=1 (dom0 owns one CPU)"
                            : "no_ipi_broadcast=1 (an IPI to all CPUs but "
                              "the sender would reach mica's too)",
               dom0_extra[0] ? " and dom0_args: " : "", dom0_extra);
    }
    /* dom0's own ACPI root and MADT, which list its CPUs alone, in NVS
     * pages as high as they fit below 4 GiB (dom0_smp.c). */
    nvs_size = version >= 0x20e ? dom0_smp_area_size() : 0;
    if (nvs_size) {
        paddr_t at;

        avoid[2] = (struct span){ low, low + 9 * PAGE_SIZE };
        at = place(nvs_size, PAGE_SIZE, MiB(1), GiB(4), avoid, 3, true);
        if (at)
            rsdp = dom0_smp_tables(at);
        if (rsdp)
            nvs = (struct span){ at, at + nvs_size };
    }
    if (rsdp) {
        w64(bp, BP_ACPI_RSDP, rsdp);
    } else if (l->cpus > 1) {
        pr_err("dom0: no room for its ACPI tables; dom0 not started\n");
        return -ENOMEM;
    } else if (bi->has_rsdp && version >= 0x20e) {
        /* Under UEFI the RSDP is only in EFI's tables, which dom0 is not
         * given: hand it the copy GRUB passed to mica. */
        memcpy(phys_to_virt(low + 2 * PAGE_SIZE), bi->rsdp, sizeof(bi->rsdp));
        w64(bp, BP_ACPI_RSDP, low + 2 * PAGE_SIZE);
    }
    build_e820(bi, bp, nvs);

    /* GDT: 0x10 64-bit code, 0x18 data, as the 64-bit protocol names. */
    {
        uint64_t *gdt = phys_to_virt(low + 3 * PAGE_SIZE);

        gdt[2] = 0x00af9a000000ffffull;
        gdt[3] = 0x00cf92000000ffffull;
        gdt[4] = 0x00cf9a000000ffffull;
    }
    /* Page tables: 4 GiB identity with 2 MiB pages. */
    pml4 = phys_to_virt(low + 4 * PAGE_SIZE);
    pdpt = phys_to_virt(low + 5 * PAGE_SIZE);
    pml4[0] = (low + 5 * PAGE_SIZE) | PTE_P | PTE_W;
    for (int g = 0; g < 4; g++) {
        uint64_t *pd = phys_to_virt(low + (6 + g) * PAGE_SIZE);

        pdpt[g] = (low + (6 + g) * PAGE_SIZE) | PTE_P | PTE_W;
        for (int i = 0; i < 512; i++)
            pd[i] = (((uint64_t)g << 30) + ((uint64_t)i << 21)) | PTE_P | PTE_W | PTE_PS;
    }

    /* From here the serial port is dom0's; mica keeps COM2 if it has it.
     * Decided before the vCPU exists: its I/O bitmap depends on it. */
    if (uart_enabled(0x2f8))
        mica_uart_port = 0x2f8;

    d = domain_create_id("Domain-0", false, 0);
    if (!d) {
        pr_err("dom0: out of memory for its domain; dom0 not started\n");
        return -ENOMEM;
    }
    d->is_dom0 = true;
    d->tot_pages = d->max_pages = d->ram_pages = l->pages;
    boot_mark("dom0 boot_params");
    if (map_dom0(d, bi) < 0) {
        pr_err("dom0: out of memory for its second-level tables\n");
        return -ENOMEM;
    }
    boot_mark("dom0 p2m");
    v = vcpu_create(d, 0);
    if (!v) {
        pr_err("dom0: cannot create its vCPU\n");
        return -ENOMEM;
    }
    /* One vCPU on each of dom0's CPUs (dom0_plan_cpus() reserved them);
     * all but the first wait for Linux to wake them. */
    for (unsigned int i = 1; i < l->cpus; i++) {
        struct vcpu *ap = vcpu_create(d, i);

        if (!ap) {
            pr_err("dom0: cannot create its vCPU%u\n", i);
            return -ENOMEM;
        }
        dom0_smp_wait(ap);
    }
    st = (struct vcpu_start_state){
        .mode = START_LINUX64, .rip = kernel_at + 0x200, .rsi = low,
        .cr3 = low + 4 * PAGE_SIZE, .gdt_base = low + 3 * PAGE_SIZE,
        .gdt_limit = 5 * 8 - 1,
    };
    hvm_ops->vcpu_set_start(v, &st);
    printk("dom0: Linux boot protocol %x.%02x, kernel at %#llx (%llu KiB), "
           "initrd at %#llx (%llu KiB), boot_params at %#llx\n",
           version >> 8, version & 0xff, (unsigned long long)kernel_at,
           (unsigned long long)(pm_size >> 10), (unsigned long long)initrd_at,
           (unsigned long long)(initrd_size >> 10), (unsigned long long)low);
    printk("dom0: command line: %s\n", cmdline);

    if (l->cpus > 1)
        printk("dom0: vCPU1-%u wait on CPU1-%u for Linux to wake them\n",
               l->cpus - 1, l->cpus - 1);
    printk("dom0: starting on CPU0; the serial port is dom0's from now on%s\n",
           mica_uart_port ? " (mica goes on logging on COM2)"
                          : " (mica's messages stay in its ring: xm dmesg)");
    {
        /* Under QEMU's -icount one TSC tick is one instruction, so this
         * is also mica's boot path length (docs/performance.md). */
        extern uint64_t boot_tsc;
        uint64_t us = (rdtsc() - boot_tsc) * 1000 / tsc_khz;

        void boot_timeline(void);

        boot_timeline();
        printk("dom0: mica's boot took %llu.%03llu ms (entry to dom0's first "
               "instruction)\n", (unsigned long long)(us / 1000),
               (unsigned long long)(us % 1000));
    }
    uart_release(0x3f8);
    console_hold_unseen();
    domain_unpause(d);
    return 0;
}
