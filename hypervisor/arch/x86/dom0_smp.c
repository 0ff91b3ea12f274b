/* dom0's CPUs.  dom0 owns dom0_cpus CPUs outright: mica's CPU0, where it
 * starts, and the CPUs after it, each running one of dom0's vCPUs for
 * good, vCPU n on CPU n, with the CPU's own APIC ID.  Its LAPIC is dom0's,
 * so the IPIs Linux sends between its CPUs go straight from one physical
 * CPU to the other with nothing of mica's in between.  The other CPUs are
 * left to xenU domains.
 *
 * Linux must find only these CPUs, and must not start its APs with
 * INIT/SIPI through that LAPIC: the CPUs behind the APIC IDs run mica.
 * So dom0 gets an ACPI root of its own, pointed to by boot_params'
 * acpi_rsdp_addr: an RSDP, XSDT and RSDT that list
 * the firmware's tables, but a MADT of dom0's in place of the firmware's,
 * whose LAPIC entries are dom0's CPUs alone and, when dom0 has more than
 * one, with a Multiprocessor Wakeup Structure (ACPI 6.4, 5.2.12.19).  A
 * 64-bit Linux (5.19 and later; Debian's 6.1 included) then starts each
 * AP through the structure's mailbox: it writes the AP's APIC ID and the
 * address of its 64-bit trampoline, sets the command to "wake up", and
 * waits for the command to be cleared.
 *
 * The mica CPU behind that APIC ID idles until then with nothing to run
 * and looks at the mailbox every POLL_NS, on a one-shot LAPIC timer
 * rather than a spin (emulators have few host cores to spare).  On the
 * command it starts dom0's vCPU in long mode at the vector, interrupts
 * off, on page tables that identity-map the first 4 GiB, flat segments,
 * as the spec has firmware do; then it clears the command.  From then on
 * that CPU is dom0's.
 *
 * The mailbox, the tables and the APs' page tables and GDT sit in a few
 * pages of dom0's RAM that its E820 marks ACPI NVS (the spec's type for
 * the mailbox), so Linux keeps its hands off them.  Entries of other CPUs
 * are dropped from the MADT, not marked disabled: Linux counts disabled
 * ones as CPUs it may hot-add later, and would then wake them through the
 * mailbox, where nobody answers. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/lib.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/dom0.h>
#include <asm/hvm.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/traps.h>

#define POLL_NS             1000000ull  /* how often a waiting CPU looks */

#define SDT_HEADER          36
#define MADT_FIXED          44          /* header, LAPIC address, flags */
#define MADT_LAPIC          0
#define MADT_X2APIC         9
#define MADT_MP_WAKEUP      0x10
#define MP_WAKEUP_LEN       16
#define MP_WAKEUP_CMD_WAKE  1
#define RSDP_LEN            36

/* The area: the mailbox page, the page tables (PML4, PDPT, four page
 * directories), then the GDT and the tables. */
#define AREA_MAILBOX        0
#define AREA_PML4           (1 * PAGE_SIZE)
#define AREA_PDPT           (2 * PAGE_SIZE)
#define AREA_PD             (3 * PAGE_SIZE)
#define AREA_TABLES         (7 * PAGE_SIZE)
#define AREA_GDT_LEN        64

extern struct boot_info boot_info;

static struct {
    paddr_t area;               /* 0: none built */
    /* dom0's vCPU on each of its CPUs until Linux starts it. */
    struct vcpu *waiting[MAX_CPUS];
} smp;

/* ---- How many CPUs dom0 gets ------------------------------------------ */

/* Whether dom0's kernel can have more than one CPU: it must take the RSDP
 * from boot_params (acpi_rsdp_addr; boot protocol 2.15 is Linux 5.5, and
 * 2.14 is ambiguous) and start its APs through the MADT's wakeup mailbox
 * (Linux 5.19, x86-64).  An older one would send INIT/SIPI to the CPUs in
 * its MADT, which run mica.  The version is the setup header's
 * kernel_version string ("6.1.0-..."). */
static const char *kernel_cannot_smp(const struct boot_info *bi)
{
    const struct boot_module *km = &bi->mods[dom0_layout.kernel_mod];
    const uint8_t *img = (const uint8_t *)(uintptr_t)km->start;
    size_t size = (size_t)(km->end - km->start);
    unsigned int major = 0, minor = 0;
    uint16_t proto, at;
    const char *p;

    memcpy(&proto, img + 0x206, 2);
    memcpy(&at, img + 0x20e, 2);
    if (proto < 0x20f)
        return "is older than boot protocol 2.15";
    if (!at || (size_t)at + 0x200 + 16 > size)
        return "does not say its version";
    p = (const char *)img + at + 0x200;
    for (; *p >= '0' && *p <= '9'; p++)
        major = major * 10 + (unsigned int)(*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            minor = minor * 10 + (unsigned int)(*p - '0');
    if (major < 5 || (major == 5 && minor < 19))
        return "is older than Linux 5.19, which has the ACPI wakeup mailbox";
    return NULL;
}

/* Once the APs are up: dom0 gets what dom0_cpus asks for, up to all CPUs
 * but one when there are two or more, so that xenU domains have a CPU
 * (dom0's CPUs run nothing else).  More than one needs ACPI tables to
 * describe them in and a kernel that takes an RSDP from its loader. */
void dom0_plan_cpus(void)
{
    struct dom0_layout *l = &dom0_layout;
    unsigned int want = l->cpus, max = nr_cpus > 1 ? nr_cpus - 1 : 1;
    const char *why;

    if (!l->present)
        return;
    if (want == 0) {
        pr_warn("dom0_cpus=0: dom0 needs a CPU; it gets one\n");
        want = 1;
    }
    if (want > max) {
        pr_warn("dom0_cpus=%u: %u CPU(s) online, of which xenU domains keep "
                "one when there are two or more; dom0 gets %u\n",
                want, nr_cpus, max);
        want = max;
    }
    if (want > 1 && !acpi.root_pa) {
        pr_warn("dom0_cpus=%u: no ACPI tables to describe dom0's CPUs in; "
                "dom0 gets one\n", want);
        want = 1;
    }
    if (want > 1 && (why = kernel_cannot_smp(&boot_info))) {
        pr_warn("dom0_cpus=%u: dom0's kernel %s; dom0 gets one CPU\n", want, why);
        want = 1;
    }
    l->cpus = want;
    sched_reserved_cpus = want >= 64 ? ~0ull : (1ull << want) - 1;
}

/* dom0 did not start after all: its CPUs go back to the scheduler. */
void dom0_release_cpus(void)
{
    uint64_t was = sched_reserved_cpus;

    sched_reserved_cpus = 0;
    memset(smp.waiting, 0, sizeof(smp.waiting));
    for (unsigned int i = 1; i < nr_cpus; i++)
        if (was & (1ull << i))
            lapic_send_ipi(pcpus[i].arch.apic_id, VEC_RESCHED);
}

/* ---- The tables --------------------------------------------------------- */

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void wr16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s += *p++;
    return s;
}

static void set_checksum(uint8_t *table, size_t len, size_t at)
{
    table[at] = 0;
    table[at] = (uint8_t)-sum8(table, len);
}

static bool is_dom0_apic(uint32_t apic_id)
{
    for (unsigned int i = 0; i < dom0_layout.cpus; i++)
        if (pcpus[i].arch.apic_id == apic_id)
            return true;
    return false;
}

static const uint8_t *firmware_madt(uint64_t *pa)
{
    uint64_t e[64];
    unsigned int n = MIN(acpi_root_entries(e, ARRAY_SIZE(e)), ARRAY_SIZE(e));

    for (unsigned int i = 0; i < n; i++) {
        const uint8_t *t = e[i] ? acpi_table_at(e[i]) : NULL;

        if (t && !memcmp(t, "APIC", 4)) {
            *pa = e[i];
            return t;
        }
    }
    return NULL;
}

size_t dom0_smp_area_size(void)
{
    uint64_t madt_pa;
    const uint8_t *madt = firmware_madt(&madt_pa);
    size_t n = MIN(acpi_root_entries(NULL, 0), 64u), tables;

    if (!madt)
        return 0;
    tables = AREA_GDT_LEN + ALIGN_UP(RSDP_LEN, 16) + SDT_HEADER + 8 * n + 8 +
             SDT_HEADER + 4 * n + 8 + rd32(madt + 4) + MP_WAKEUP_LEN;
    return AREA_TABLES + ALIGN_UP(tables, PAGE_SIZE);
}

/* dom0's MADT at `out`: the firmware's, with the LAPIC entries of dom0's
 * CPUs only and, if it has more than one, the wakeup structure. */
static uint32_t build_madt(uint8_t *out, const uint8_t *fw, paddr_t mailbox)
{
    uint32_t len = rd32(fw + 4), at = MADT_FIXED;

    memcpy(out, fw, MADT_FIXED);
    for (uint32_t off = MADT_FIXED; off + 2 <= len; ) {
        const uint8_t *e = fw + off;
        uint8_t type = e[0], elen = e[1];
        bool keep = true;

        if (elen < 2 || off + elen > len)
            break;
        if (type == MADT_LAPIC && elen >= 8)
            keep = (rd32(e + 4) & 1) && is_dom0_apic(e[3]);
        else if (type == MADT_X2APIC && elen >= 16)
            keep = (rd32(e + 8) & 1) && is_dom0_apic(rd32(e + 4));
        else if (type == MADT_MP_WAKEUP)
            keep = false;       /* the firmware's own, if it has one */
        if (keep) {
            memcpy(out + at, e, elen);
            at += elen;
        }
        off += elen;
    }
    if (dom0_layout.cpus > 1) {
        uint8_t *w = out + at;

        memset(w, 0, MP_WAKEUP_LEN);
        w[0] = MADT_MP_WAKEUP;
        w[1] = MP_WAKEUP_LEN;
        wr16(w + 2, 0);                 /* mailbox version 0 */
        wr64(w + 8, mailbox);
        at += MP_WAKEUP_LEN;
    }
    wr32(out + 4, at);
    set_checksum(out, at, 9);
    return at;
}

/* A root table (XSDT with 8-byte entries, RSDT with 4) at `out`, with the
 * firmware root's OEM fields. */
static uint32_t build_root(uint8_t *out, const char *sig, unsigned int size,
                           const uint64_t *e, unsigned int n)
{
    uint32_t len = SDT_HEADER + size * n;

    memcpy(out, (const void *)(uintptr_t)acpi.root_pa, SDT_HEADER);
    memcpy(out, sig, 4);
    wr32(out + 4, len);
    out[8] = 1;                         /* revision */
    for (unsigned int i = 0; i < n; i++)
        memcpy(out + SDT_HEADER + i * size, &e[i], size);
    set_checksum(out, len, 9);
    return len;
}

/* Builds dom0's tables, the mailbox and the APs' page tables in `area`
 * (dom0_smp_area_size() bytes of dom0's RAM, page aligned, below 4 GiB);
 * returns the RSDP's address, or 0 if mica has no MADT to start from. */
paddr_t dom0_smp_tables(paddr_t area)
{
    uint8_t *base = phys_to_virt(area);
    uint64_t e[64], madt_pa, *pml4, *pdpt;
    const uint8_t *fw = firmware_madt(&madt_pa);
    unsigned int n = 0, total = MIN(acpi_root_entries(e, ARRAY_SIZE(e)), ARRAY_SIZE(e));
    paddr_t at, rsdp, xsdt, rsdt = 0, madt;
    bool low = true;
    uint8_t *r;

    if (!fw)
        return 0;
    memset(base, 0, dom0_smp_area_size());

    /* Identity map of the first 4 GiB in 2 MiB pages: the trampoline
     * Linux points the mailbox at is below 1 MiB. */
    pml4 = (uint64_t *)(base + AREA_PML4);
    pdpt = (uint64_t *)(base + AREA_PDPT);
    pml4[0] = (area + AREA_PDPT) | PTE_P | PTE_W;
    for (int g = 0; g < 4; g++) {
        uint64_t *pd = (uint64_t *)(base + AREA_PD + g * PAGE_SIZE);

        pdpt[g] = (area + AREA_PD + g * PAGE_SIZE) | PTE_P | PTE_W;
        for (int i = 0; i < 512; i++)
            pd[i] = (((uint64_t)g << 30) + ((uint64_t)i << 21)) | PTE_P | PTE_W | PTE_PS;
    }
    /* GDT: 0x10 64-bit code, 0x18 data, as for the boot CPU. */
    {
        uint64_t *gdt = (uint64_t *)(base + AREA_TABLES);

        gdt[2] = 0x00af9a000000ffffull;
        gdt[3] = 0x00cf92000000ffffull;
        gdt[4] = 0x00cf9a000000ffffull;
    }

    at = area + AREA_TABLES + AREA_GDT_LEN;
    rsdp = at;
    at += ALIGN_UP(RSDP_LEN, 16);
    madt = at;
    at += ALIGN_UP(build_madt(phys_to_virt(madt), fw, area + AREA_MAILBOX), 8);

    /* The firmware's list, with dom0's MADT for the firmware's and
     * without the entries that are missing or corrupt. */
    for (unsigned int i = 0; i < total; i++) {
        if (!e[i])
            continue;
        e[n] = e[i] == madt_pa ? madt : e[i];
        low &= e[n] < GiB(4);
        n++;
    }
    xsdt = at;
    at += ALIGN_UP(build_root(phys_to_virt(xsdt), "XSDT", 8, e, n), 8);
    if (low) {
        rsdt = at;
        at += ALIGN_UP(build_root(phys_to_virt(rsdt), "RSDT", 4, e, n), 8);
    }

    r = phys_to_virt(rsdp);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, acpi.oem_id, 6);
    r[15] = 2;                          /* ACPI 2.0+: the XSDT is there */
    wr32(r + 16, (uint32_t)rsdt);
    wr32(r + 20, RSDP_LEN);
    wr64(r + 24, xsdt);
    set_checksum(r, 20, 8);
    set_checksum(r, RSDP_LEN, 32);

    smp.area = area;
    printk("dom0: ACPI tables of its own at %#llx: %u CPU(s) in the MADT%s\n",
           (unsigned long long)area, dom0_layout.cpus,
           dom0_layout.cpus > 1 ? ", APs started through the wakeup mailbox" : "");
    return rsdp;
}

/* ---- Starting the APs ----------------------------------------------------- */

/* dom0's vCPU n >= 1 waits, down, on CPU n for Linux's wakeup command. */
void dom0_smp_wait(struct vcpu *v)
{
    unsigned int cpu = v->pcpu;

    vcpu_pause_flag(v, VPF_DOWN);
    smp.waiting[cpu] = v;
    /* It may be halted with no timer: from now on it looks at the
     * mailbox. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    lapic_send_ipi(pcpus[cpu].arch.apic_id, VEC_RESCHED);
}

/* Called by a CPU of dom0's that has nothing to run, interrupts off.
 * True if it just started dom0's vCPU here (it is queued: run it).
 * Otherwise *look_ns says when to look again (0: no need). */
bool dom0_cpu_idle(unsigned int cpu, uint64_t *look_ns)
{
    struct vcpu *v = smp.waiting[cpu];
    volatile uint8_t *mb;
    uint16_t cmd;
    uint32_t apic_id;
    uint64_t vector;
    struct vcpu_start_state st;

    *look_ns = 0;
    if (!v || !smp.area)
        return false;
    mb = phys_to_virt(smp.area + AREA_MAILBOX);
    cmd = __atomic_load_n((volatile uint16_t *)mb, __ATOMIC_ACQUIRE);
    apic_id = *(volatile uint32_t *)(mb + 4);
    if (cmd != MP_WAKEUP_CMD_WAKE || apic_id != pcpus[cpu].arch.apic_id) {
        *look_ns = POLL_NS;
        return false;
    }
    vector = *(volatile uint64_t *)(mb + 8);
    smp.waiting[cpu] = NULL;

    /* The LAPIC becomes dom0's: mica's timer stops, and one that fired
     * meanwhile is taken here, not in dom0's IDT. */
    lapic_timer_stop();
    local_irq_window();
    if (vector >= GiB(4)) {
        pr_err("dom0: wakeup of APIC ID %u at %#llx, outside the identity "
               "map; vCPU%u not started\n", apic_id,
               (unsigned long long)vector, v->id);
        __atomic_store_n((volatile uint16_t *)mb, 0, __ATOMIC_RELEASE);
        return false;
    }
    st = (struct vcpu_start_state){
        .mode = START_LINUX64, .rip = vector,
        .cr3 = smp.area + AREA_PML4, .gdt_base = smp.area + AREA_TABLES,
        .gdt_limit = 5 * 8 - 1,
    };
    hvm_ops->vcpu_set_start(v, &st);
    v->initialised = true;
    vcpu_unpause_flag(v, VPF_DOWN);
    /* The acknowledgement Linux waits for. */
    __atomic_store_n((volatile uint16_t *)mb, 0, __ATOMIC_RELEASE);
    printk("dom0: vCPU%u starts on CPU%u (APIC ID %u) at %#llx\n", v->id, cpu,
           apic_id, (unsigned long long)vector);
    return true;
}
