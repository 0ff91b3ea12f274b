/* ACPI table discovery: RSDP (from the boot loader or the BIOS areas), the
 * RSDT/XSDT, the MADT (CPUs, IOAPICs) and the FADT (power-off).  Every table
 * is checksummed before it is believed.  ACPI spec 6.4, chapter 5. */
#include <mica/bootinfo.h>
#include <mica/console.h>
#include <mica/errno.h>
#include <mica/string.h>
#include <asm/acpi.h>
#include <asm/io.h>

struct acpi_info acpi;

struct sdt_header {
    char sig[4];
    uint32_t len;
    uint8_t rev, csum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __packed;
BUILD_BUG_ON(sizeof(struct sdt_header) != 36);

static bool checksum_ok(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t s = 0;

    while (n--)
        s += *b++;
    return s == 0;
}

static const uint8_t *scan_rsdp(paddr_t from, paddr_t to)
{
    for (paddr_t a = from; a + 20 <= to; a += 16) {
        const uint8_t *p = phys_to_virt(a);

        if (!memcmp(p, "RSD PTR ", 8) && checksum_ok(p, 20))
            return p;
    }
    return NULL;
}

static const struct sdt_header *map_table(uint64_t pa)
{
    const struct sdt_header *h = (const struct sdt_header *)(uintptr_t)pa;

    /* mica identity-maps the first 4 GiB at boot; firmware tables live
     * there on every PC we know of. */
    if (!pa || pa >= GiB(4) - sizeof(*h))
        return NULL;
    if (h->len < sizeof(*h) || h->len > MiB(1) || !checksum_ok(h, h->len))
        return NULL;
    return h;
}

static void parse_madt(const struct sdt_header *h)
{
    const uint8_t *p = (const uint8_t *)h;
    uint32_t off = 44;   /* header, local APIC address, flags */

    memcpy(&acpi.lapic_pa, p + 36, 4);
    while (off + 2 <= h->len) {
        uint8_t type = p[off], len = p[off + 1];

        if (len < 2 || off + len > h->len)
            break;
        if (type == 0 && len >= 8) {            /* processor local APIC */
            uint32_t flags;

            memcpy(&flags, p + off + 4, 4);
            if ((flags & 1) && acpi.ncpus < ARRAY_SIZE(acpi.cpu_apic_ids))
                acpi.cpu_apic_ids[acpi.ncpus++] = p[off + 3];
        } else if (type == 1 && len >= 12 &&    /* IOAPIC */
                   acpi.nioapics < ACPI_MAX_IOAPICS) {
            uint32_t addr, gsi;

            memcpy(&addr, p + off + 4, 4);
            memcpy(&gsi, p + off + 8, 4);
            acpi.ioapics[acpi.nioapics].id = p[off + 2];
            acpi.ioapics[acpi.nioapics].pa = addr;
            acpi.ioapics[acpi.nioapics].gsi_base = gsi;
            acpi.nioapics++;
        } else if (type == 5 && len >= 12) {    /* 64-bit LAPIC address */
            memcpy(&acpi.lapic_pa, p + off + 4, 8);
        }
        off += len;
    }
}

/* Finds the \_S5 package in the DSDT's AML for the sleep type.  A full AML
 * interpreter is not worth it for one value; this reads the simple
 * Name(_S5, Package(){a, b, ...}) encoding that firmware uses. */
static void find_s5(const struct sdt_header *dsdt)
{
    const uint8_t *p = (const uint8_t *)dsdt;

    for (uint32_t i = sizeof(*dsdt); i + 8 < dsdt->len; i++) {
        if (memcmp(p + i, "_S5_", 4) || p[i + 4] != 0x12)   /* PackageOp */
            continue;
        i += 5;
        i += ((p[i] >> 6) & 3) + 1;     /* PkgLength */
        i++;                            /* NumElements */
        if (p[i] == 0x0a)               /* BytePrefix */
            i++;
        acpi.slp_typ_s5 = p[i];
        return;
    }
}

static void parse_fadt(const struct sdt_header *h)
{
    const uint8_t *p = (const uint8_t *)h;
    uint32_t v, dsdt = 0;

    if (h->len >= 44) {
        memcpy(&dsdt, p + 40, 4);
    }
    if (h->len >= 80) {
        memcpy(&v, p + 64, 4);
        acpi.pm1a_cnt = (uint16_t)v;
        memcpy(&v, p + 68, 4);
        acpi.pm1b_cnt = (uint16_t)v;
        memcpy(&v, p + 76, 4);
        acpi.pm_tmr = (uint16_t)v;
    }
    if (h->len >= 116) {
        memcpy(&v, p + 112, 4);             /* flags: TMR_VAL_EXT */
        acpi.pm_tmr_32 = v & (1u << 8);
    }
    if (dsdt) {
        const struct sdt_header *d = map_table(dsdt);

        if (d)
            find_s5(d);
    }
}

/* Entry i of the root table: 8 bytes each in an XSDT, 4 in an RSDT. */
static void root_entry(unsigned int i, uint64_t *pa)
{
    unsigned int size = acpi.root_is_xsdt ? 8 : 4;
    const uint8_t *root = (const uint8_t *)(uintptr_t)acpi.root_pa;

    *pa = 0;
    memcpy(pa, root + sizeof(struct sdt_header) + i * size, size);
}

unsigned int acpi_root_entries(uint64_t *pa, unsigned int max)
{
    const struct sdt_header *root = (const struct sdt_header *)(uintptr_t)acpi.root_pa;
    unsigned int n;

    if (!root)
        return 0;
    n = (root->len - sizeof(*root)) / (acpi.root_is_xsdt ? 8 : 4);
    for (unsigned int i = 0; i < n && i < max; i++) {
        root_entry(i, &pa[i]);
        if (!map_table(pa[i]))
            pa[i] = 0;
    }
    return n;
}

const uint8_t *acpi_table_at(uint64_t pa)
{
    return (const uint8_t *)map_table(pa);
}

int acpi_init(const struct boot_info *bi)
{
    const uint8_t *rsdp = NULL;
    const struct sdt_header *root = NULL;
    bool xsdt = false;
    uint32_t n;

    if (bi->has_rsdp && !memcmp(bi->rsdp, "RSD PTR ", 8))
        rsdp = bi->rsdp;
    if (!rsdp) {
        paddr_t ebda = (paddr_t)(*(volatile uint16_t *)phys_to_virt(0x40e)) << 4;

        if (ebda >= 0x80000 && ebda < 0xa0000)
            rsdp = scan_rsdp(ebda, ebda + 1024);
        if (!rsdp)
            rsdp = scan_rsdp(0xe0000, 0x100000);
    }
    if (!rsdp) {
        pr_warn("ACPI: no RSDP found\n");
        return -ENOENT;
    }
    if (rsdp[15] >= 2) {
        uint64_t x;

        memcpy(&x, rsdp + 24, 8);
        root = map_table(x);
        xsdt = root != NULL;
    }
    if (!root) {
        uint32_t r;

        memcpy(&r, rsdp + 16, 4);
        root = map_table(r);
    }
    if (!root) {
        pr_warn("ACPI: RSDT/XSDT missing or corrupt\n");
        return -EINVAL;
    }
    acpi.root_pa = (uintptr_t)root;
    acpi.root_is_xsdt = xsdt;
    memcpy(acpi.oem_id, rsdp + 9, sizeof(acpi.oem_id));
    n = acpi_root_entries(NULL, 0);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t pa = 0;
        const struct sdt_header *t;

        root_entry(i, &pa);
        t = map_table(pa);
        if (!t)
            continue;
        if (!memcmp(t->sig, "APIC", 4))
            parse_madt(t);
        else if (!memcmp(t->sig, "FACP", 4))
            parse_fadt(t);
    }
    pr_info("ACPI: %u CPU(s), %u IOAPIC(s), LAPIC at %#llx\n", acpi.ncpus,
            acpi.nioapics, (unsigned long long)acpi.lapic_pa);
    return acpi.ncpus ? 0 : -ENOENT;
}

void acpi_poweroff(void)
{
    if (!acpi.pm1a_cnt)
        return;
    /* SLP_TYP in bits 10-12, SLP_EN bit 13 (ACPI 6.4, 4.8.3.2.1). */
    outw(acpi.pm1a_cnt, (uint16_t)((acpi.slp_typ_s5 << 10) | (1 << 13)));
    if (acpi.pm1b_cnt)
        outw(acpi.pm1b_cnt, (uint16_t)((acpi.slp_typ_s5 << 10) | (1 << 13)));
}
