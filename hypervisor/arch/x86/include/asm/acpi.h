/* What mica takes from ACPI: the CPUs and IOAPICs of the MADT, and the
 * FADT's power-off register. */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <mica/types.h>

#define ACPI_MAX_IOAPICS 8

struct acpi_info {
    paddr_t rsdp_pa;
    /* The root table mica read (the XSDT, else the RSDT) and the RSDP's
     * OEM ID, for the copy of the root that dom0 gets (dom0_smp.c). */
    paddr_t root_pa;
    bool root_is_xsdt;
    char oem_id[6];
    paddr_t lapic_pa;
    unsigned int ncpus;
    uint32_t cpu_apic_ids[64];
    unsigned int nioapics;
    struct {
        uint8_t id;
        paddr_t pa;
        uint32_t gsi_base;
    } ioapics[ACPI_MAX_IOAPICS];
    uint16_t pm1a_cnt, pm1b_cnt;
    uint16_t pm_tmr;            /* the PM timer's port (0: none) */
    bool pm_tmr_32;             /* 32 bits wide, else 24 */
    uint16_t slp_typ_s5;
};

extern struct acpi_info acpi;

struct boot_info;
int acpi_init(const struct boot_info *bi);
void acpi_poweroff(void);

/* The tables the root table lists, in its order: up to `max` physical
 * addresses (0 where an entry is missing or corrupt); returns how many
 * entries it has. */
unsigned int acpi_root_entries(uint64_t *pa, unsigned int max);
/* The checksummed table at `pa`, or NULL: its length is at offset 4. */
const uint8_t *acpi_table_at(uint64_t pa);

#endif
