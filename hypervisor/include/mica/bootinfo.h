/* What the boot loader told us, in one form whatever the protocol. */
#ifndef MICA_BOOTINFO_H
#define MICA_BOOTINFO_H

#include <mica/types.h>

#define BOOT_MAX_MEM     128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 1024
#define BOOT_MODARGS_MAX 512

/* Memory types, as in the PC's E820 map. */
enum mem_type {
    MEM_USABLE = 1,
    MEM_RESERVED = 2,
    MEM_ACPI = 3,
    MEM_NVS = 4,
    MEM_BAD = 5,
};

struct mem_region {
    uint64_t start, len;
    uint32_t type;
};

struct boot_module {
    paddr_t start, end;            /* [start, end) */
    char args[BOOT_MODARGS_MAX];   /* the module's own command line */
};

struct boot_info {
    char cmdline[BOOT_CMDLINE_MAX];
    char loader[64];
    struct mem_region mem[BOOT_MAX_MEM];
    unsigned int nmem;
    struct boot_module mods[BOOT_MAX_MODULES];
    unsigned int nmods;
    uint8_t rsdp[36];              /* a copy of the ACPI RSDP, if given */
    bool has_rsdp;
    bool efi_map;                  /* the map came from EFI */
    paddr_t info_start, info_end;  /* the loader's structure, to reserve */
    const char *protocol;
};

/* The parsers see physical memory through this, so that host tests can
 * feed them buffers at made-up addresses. */
typedef const void *(*phys_map_fn)(uint64_t pa, size_t len);

#define MULTIBOOT1_MAGIC 0x2BADB002u
#define MULTIBOOT2_MAGIC 0x36d76289u

/* Both return 0, or a negative errno for a structure that makes no sense;
 * warnings about odd but usable input go to `warn`. */
int multiboot2_parse(uint64_t info_pa, phys_map_fn map, struct boot_info *bi);
int multiboot1_parse(uint64_t info_pa, phys_map_fn map, struct boot_info *bi);

/* Sorts the map and removes overlaps, giving the more restrictive type to
 * any overlapping range; used on every map before anything trusts it. */
void mem_map_sanitize(struct boot_info *bi);

#endif
