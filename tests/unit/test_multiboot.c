/* Unit tests for the Multiboot 1 and 2 parsers in
 * hypervisor/arch/x86/multiboot.c (its mem_map_sanitize() has test_memmap.c).
 * Each test builds a loader's structure in img[], then places an exact-size
 * heap copy of it at the made-up physical address PA_BASE, so
 * AddressSanitizer catches any read past its end; the parsers see it only
 * through map(). */
#include <stdlib.h>
#include <string.h>

#include <mica/bootinfo.h>
#include <mica/errno.h>

#include "unit.h"

#define PA_BASE 0x00800000u

static uint8_t img[32768];
static size_t img_len;
static uint8_t *placed;
static size_t placed_len;
static struct boot_info bi;

static const void *map(uint64_t pa, size_t len)
{
    if (!placed || pa < PA_BASE || pa - PA_BASE > placed_len ||
        len > placed_len - (pa - PA_BASE))
        return NULL;
    return placed + (pa - PA_BASE);
}

static void place(void)
{
    free(placed);
    placed_len = img_len;
    placed = malloc(img_len);
    ck_assert_ptr_nonnull(placed);
    memcpy(placed, img, img_len);
}

static void setup(void)
{
    memset(img, 0, sizeof(img));
    img_len = 0;
}

static void teardown(void)
{
    free(placed);
    placed = NULL;
}

static void put32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(img + off, &v, 8); }

/* Appends n bytes (and grows img_len); returns their offset. */
static size_t add(const void *p, size_t n)
{
    size_t off = img_len;

    if (p)
        memcpy(img + off, p, n);
    img_len += n;
    return off;
}

static size_t add_str(const char *s) { return add(s, strlen(s) + 1); }

/* ---- Multiboot 2 ---- */

/* Starts afresh: the fixed part (total size, reserved) comes first. */
static void mb2_begin(void)
{
    setup();
    img_len = 8;
}

/* A tag with an n-byte payload; returns the payload's offset. */
static size_t mb2_tag(uint32_t type, const void *payload, size_t n)
{
    size_t off;

    img_len = (img_len + 7) & ~(size_t)7;
    off = img_len;
    put32(off, type);
    put32(off + 4, (uint32_t)(8 + n));
    img_len += 8;
    add(payload, n);
    return off + 8;
}

static int mb2_finish(void)
{
    mb2_tag(0, NULL, 0);
    put32(0, (uint32_t)img_len);
    place();
    return multiboot2_parse(PA_BASE, map, &bi);
}

static void mb2_module(uint32_t start, uint32_t end, const char *args)
{
    size_t off = mb2_tag(3, NULL, 8 + strlen(args) + 1);

    put32(off, start);
    put32(off + 4, end);
    strcpy((char *)img + off + 8, args);
}

struct e820 { uint64_t start, len; uint32_t type; };

static size_t mb2_mmap(const struct e820 *e, size_t n)
{
    size_t off = mb2_tag(6, NULL, 8 + 24 * n);

    put32(off, 24);
    for (size_t i = 0; i < n; i++) {
        put64(off + 8 + 24 * i, e[i].start);
        put64(off + 8 + 24 * i + 8, e[i].len);
        put32(off + 8 + 24 * i + 16, e[i].type);
    }
    return off;
}

static void expect_map(const struct e820 *e, size_t n)
{
    ck_assert_uint_eq(bi.nmem, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(bi.mem[i].start, e[i].start);
        ck_assert_uint_eq(bi.mem[i].len, e[i].len);
        ck_assert_uint_eq(bi.mem[i].type, e[i].type);
    }
}

static const struct e820 pc_map[] = {
    { 0x100000, 0x7ee0000, MEM_USABLE },    /* out of order on purpose */
    { 0, 0x9fc00, MEM_USABLE },
    { 0x9fc00, 0x400, MEM_RESERVED },
    { 0xf0000, 0x10000, MEM_RESERVED },
    { 0x7fe0000, 0x20000, MEM_ACPI },
    { 0xfffc0000, 0x40000, MEM_RESERVED },
};

START_TEST(mb2_full)
{
    static const struct e820 want[] = {
        { 0, 0x9fc00, MEM_USABLE }, { 0x9fc00, 0x400, MEM_RESERVED },
        { 0xf0000, 0x10000, MEM_RESERVED }, { 0x100000, 0x7ee0000, MEM_USABLE },
        { 0x7fe0000, 0x20000, MEM_ACPI }, { 0xfffc0000, 0x40000, MEM_RESERVED },
    };

    mb2_begin();
    mb2_tag(1, "console=com1 loglvl=info", 25);
    mb2_tag(2, "GRUB 2.06", 10);
    mb2_module(0x400000, 0x401000, "hello.elf name=hello");
    mb2_module(0x500000, 0x400000, "backwards");        /* end < start */
    mb2_module(0x600000, 0x600800, "");
    mb2_mmap(pc_map, 6);
    mb2_tag(99, "unknown tags are skipped", 25);
    ck_assert_int_eq(mb2_finish(), 0);

    ck_assert_str_eq(bi.protocol, "multiboot2");
    ck_assert_str_eq(bi.cmdline, "console=com1 loglvl=info");
    ck_assert_str_eq(bi.loader, "GRUB 2.06");
    ck_assert_uint_eq(bi.nmods, 2);
    ck_assert_uint_eq(bi.mods[0].start, 0x400000);
    ck_assert_uint_eq(bi.mods[0].end, 0x401000);
    ck_assert_str_eq(bi.mods[0].args, "hello.elf name=hello");
    ck_assert_uint_eq(bi.mods[1].start, 0x600000);
    ck_assert_str_eq(bi.mods[1].args, "");
    expect_map(want, 6);
    ck_assert(!bi.efi_map && !bi.has_rsdp);
    ck_assert_uint_eq(bi.info_start, PA_BASE);
    ck_assert_uint_eq(bi.info_end, PA_BASE + img_len);
}
END_TEST

static void efi_desc(size_t off, uint32_t type, uint64_t pa, uint64_t pages)
{
    put32(off, type);
    put64(off + 8, pa);
    put64(off + 16, 0xdead0000);            /* virtual: ignored */
    put64(off + 24, pages);
    put64(off + 32, 0xf);                   /* attributes: ignored */
}

START_TEST(mb2_efi_map_wins)
{
    /* Firmware uses 48-byte descriptors: the stride must come from the tag. */
    static const struct { uint32_t type; uint64_t pa, pages; } d[] = {
        { 7, 0, 0x9f }, { 1, 0x100000, 0x100 }, { 4, 0x200000, 0x100 },
        { 9, 0x300000, 0x10 }, { 10, 0x310000, 0x10 }, { 8, 0x320000, 1 },
        { 5, 0x321000, 1 }, { 11, 0xfec00000, 1 }, { 3, 0x322000, 0 },
    };
    static const struct e820 want[] = {
        { 0, 0x9f000, MEM_USABLE }, { 0x100000, 0x200000, MEM_USABLE },
        { 0x300000, 0x10000, MEM_ACPI }, { 0x310000, 0x10000, MEM_NVS },
        { 0x320000, 0x1000, MEM_BAD }, { 0x321000, 0x1000, MEM_RESERVED },
        { 0xfec00000, 0x1000, MEM_RESERVED },
    };
    static const struct e820 all_ram[] = { { 0, 1ull << 32, MEM_USABLE } };
    size_t off;

    mb2_begin();
    mb2_mmap(all_ram, 1);                     /* before the EFI map: ignored */
    off = mb2_tag(17, NULL, 8 + 48 * 9);
    put32(off, 48);
    put32(off + 4, 1);
    for (size_t i = 0; i < 9; i++)
        efi_desc(off + 8 + 48 * i, d[i].type, d[i].pa, d[i].pages);
    ck_assert_int_eq(mb2_finish(), 0);
    ck_assert(bi.efi_map);
    expect_map(want, 7);
}
END_TEST

START_TEST(mb2_meminfo_fallback)
{
    uint32_t mi[2] = { 639, 130048 };
    static const struct e820 want[] = {
        { 0, 639 << 10, MEM_USABLE }, { 0x100000, 130048ull << 10, MEM_USABLE },
    };
    static const struct e820 one[] = { { 0x100000, 0x100000, MEM_USABLE } };

    mb2_begin();
    mb2_tag(4, mi, 8);
    ck_assert_int_eq(mb2_finish(), 0);
    expect_map(want, 2);

    /* With a memory map, basic meminfo is not used. */
    mb2_begin();
    mb2_tag(4, mi, 8);
    mb2_mmap(one, 1);
    ck_assert_int_eq(mb2_finish(), 0);
    expect_map(one, 1);

    /* No memory information at all: the rest is still parsed. */
    mb2_begin();
    mb2_tag(1, "x", 2);
    ck_assert_int_eq(mb2_finish(), -ENOENT);
    ck_assert_str_eq(bi.cmdline, "x");
}
END_TEST

START_TEST(mb2_acpi_rsdp)
{
    uint8_t v1[20] = "RSD PTR \x11OEMID\0", v2[36] = "RSD PTR \x22OEMID\0\x02";
    uint8_t zero[16] = { 0 };

    v2[35] = 0x77;
    /* Old only: 20 bytes copied, the rest zero. */
    mb2_begin();
    mb2_mmap(pc_map, 1);
    mb2_tag(14, v1, 20);
    ck_assert_int_eq(mb2_finish(), 0);
    ck_assert(bi.has_rsdp);
    ck_assert_mem_eq(bi.rsdp, v1, 20);
    ck_assert_mem_eq(bi.rsdp + 20, zero, 16);

    /* Both, in either order: the new one is kept. */
    for (int order = 0; order < 2; order++) {
        mb2_begin();
        mb2_mmap(pc_map, 1);
        mb2_tag(order ? 15 : 14, order ? v2 : v1, order ? 36 : 20);
        mb2_tag(order ? 14 : 15, order ? v1 : v2, order ? 20 : 36);
        ck_assert_int_eq(mb2_finish(), 0);
        ck_assert(bi.has_rsdp);
        ck_assert_mem_eq(bi.rsdp, v2, 36);
    }

    /* Too short to be an RSDP. */
    mb2_begin();
    mb2_mmap(pc_map, 1);
    mb2_tag(14, v1, 10);
    ck_assert_int_eq(mb2_finish(), 0);
    ck_assert(!bi.has_rsdp);
}
END_TEST

START_TEST(mb2_limits_and_strings)
{
    char longargs[600], loader[100];
    struct e820 many[BOOT_MAX_MEM + 10];

    for (size_t i = 0; i < BOOT_MAX_MEM + 10; i++)
        many[i] = (struct e820){ i * 0x2000, 0x1000, MEM_USABLE };
    memset(longargs, 'a', sizeof(longargs) - 1);
    longargs[sizeof(longargs) - 1] = '\0';
    memset(loader, 'L', sizeof(loader));     /* not terminated in its tag */

    mb2_begin();
    mb2_tag(2, loader, sizeof(loader));
    for (unsigned i = 0; i < BOOT_MAX_MODULES + 3; i++)
        mb2_module(0x1000000 + i * 0x1000, 0x1000800 + i * 0x1000, longargs);
    mb2_mmap(many, BOOT_MAX_MEM + 10);
    mb2_tag(1, "after", 6);
    ck_assert_int_eq(mb2_finish(), 0);
    ck_assert_uint_eq(strlen(bi.loader), sizeof(bi.loader) - 1);
    ck_assert_uint_eq(bi.nmods, BOOT_MAX_MODULES);
    ck_assert_uint_eq(strlen(bi.mods[BOOT_MAX_MODULES - 1].args),
                      BOOT_MODARGS_MAX - 1);
    ck_assert_uint_eq(bi.nmem, BOOT_MAX_MEM);
    ck_assert_uint_eq(bi.mem[BOOT_MAX_MEM - 1].start, (BOOT_MAX_MEM - 1) * 0x2000);
    ck_assert_str_eq(bi.cmdline, "after");
}
END_TEST

/* Builds a valid two-tag structure; the tests then break one field. */
static size_t mb2_small(void)
{
    size_t off;

    mb2_begin();
    off = mb2_mmap(pc_map, 2);
    mb2_tag(0, NULL, 0);
    put32(0, (uint32_t)img_len);
    return off - 8;                          /* the mmap tag's header */
}

static int reparse(void)
{
    place();
    return multiboot2_parse(PA_BASE, map, &bi);
}

START_TEST(mb2_garbage)
{
    size_t t = mb2_small();

    ck_assert_int_eq(reparse(), 0);
    ck_assert_int_eq(multiboot2_parse(PA_BASE - 4096, map, &bi), -EFAULT);
    ck_assert_str_eq(bi.protocol, "multiboot2");
    put32(0, 8);                                       /* total too small */
    ck_assert_int_eq(reparse(), -EINVAL);
    put32(0, (uint32_t)MiB(1) + 8);                    /* total huge */
    ck_assert_int_eq(reparse(), -EINVAL);
    put32(0, (uint32_t)img_len + 8);                   /* past the buffer */
    ck_assert_int_eq(reparse(), -EFAULT);
    put32(0, (uint32_t)img_len);

    put32(t + 4, 4);                                   /* tag size < 8 */
    ck_assert_int_eq(reparse(), -EINVAL);
    put32(t + 4, (uint32_t)(img_len - t + 8));         /* runs past the end */
    ck_assert_int_eq(reparse(), -EINVAL);
    put32(t + 4, 16 + 48);
    put32(t + 8, 20);                                  /* entry size < 24 */
    ck_assert_int_eq(reparse(), -EINVAL);
    put32(t, 17);                                      /* as EFI: size < 40 */
    put32(t + 8, 24);
    ck_assert_int_eq(reparse(), -EINVAL);
    put32(t, 3);                                       /* module, size < 16 */
    put32(t + 4, 12);
    ck_assert_int_eq(reparse(), -EINVAL);

    /* No end tag: the walk stops at total_size. */
    mb2_small();
    img_len -= 8;
    put32(0, (uint32_t)img_len);
    ck_assert_int_eq(reparse(), 0);
    ck_assert_uint_eq(bi.nmem, 2);
    /* Nothing after the end tag is read. */
    mb2_small();
    mb2_tag(1, "late", 5);
    put32(0, (uint32_t)img_len);
    ck_assert_int_eq(reparse(), 0);
    ck_assert_str_eq(bi.cmdline, "");
}
END_TEST

/* ---- Multiboot 1 ---- */

#define MB1_ALL 0x24du  /* mem, cmdline, mods, mmap, loader name */

/* The 88-byte info structure at offset 0, then strings, modules and map. */
static void mb1_build(uint32_t flags)
{
    size_t mods, mm;
    uint32_t m[8];

    img_len = 88;
    put32(0, flags);
    put32(4, 639);
    put32(8, 64512);
    put32(16, PA_BASE + (uint32_t)add_str("/boot/mica.elf console=com1"));
    put32(64, PA_BASE + (uint32_t)add_str("GRUB 0.97"));
    m[0] = 0x400000; m[1] = 0x402000; m[3] = 0;
    m[2] = PA_BASE + (uint32_t)add_str("hello.elf name=a");
    m[4] = 0x500000; m[5] = 0x500100; m[6] = 0; m[7] = 0;
    mods = add(m, sizeof(m));
    put32(20, 2);
    put32(24, PA_BASE + (uint32_t)mods);
    /* Three entries: size 20 (the usual), 28 (8 bytes of padding follow),
     * 20 again; each size leaves out its own 4 bytes. */
    mm = add(NULL, 24 + 32 + 24);
    put32(mm, 20);
    put64(mm + 4, 0); put64(mm + 12, 0x9fc00); put32(mm + 20, 1);
    put32(mm + 24, 28);
    put64(mm + 28, 0x100000); put64(mm + 36, 0x3f00000); put32(mm + 44, 1);
    put32(mm + 56, 20);
    put64(mm + 60, 0x3ff0000); put64(mm + 68, 0x10000); put32(mm + 76, 2);
    put32(44, 80);
    put32(48, PA_BASE + (uint32_t)mm);
}

static int mb1_parse(void)
{
    place();
    return multiboot1_parse(PA_BASE, map, &bi);
}

START_TEST(mb1_full)
{
    static const struct e820 want[] = {
        { 0, 0x9fc00, MEM_USABLE }, { 0x100000, 0x3ef0000, MEM_USABLE },
        { 0x3ff0000, 0x10000, MEM_RESERVED },
    };

    mb1_build(MB1_ALL);
    ck_assert_int_eq(mb1_parse(), 0);
    ck_assert_str_eq(bi.protocol, "multiboot1");
    ck_assert_str_eq(bi.cmdline, "/boot/mica.elf console=com1");
    ck_assert_str_eq(bi.loader, "GRUB 0.97");
    ck_assert_uint_eq(bi.nmods, 2);
    ck_assert_uint_eq(bi.mods[0].start, 0x400000);
    ck_assert_uint_eq(bi.mods[0].end, 0x402000);
    ck_assert_str_eq(bi.mods[0].args, "hello.elf name=a");
    ck_assert_str_eq(bi.mods[1].args, "");             /* string pointer 0 */
    expect_map(want, 3);                               /* mmap beats mem_* */
    ck_assert_uint_eq(bi.info_start, PA_BASE);
    ck_assert_uint_eq(bi.info_end, PA_BASE + 88);
}
END_TEST

START_TEST(mb1_flags_gate_fields)
{
    static const struct e820 want[] = {
        { 0, 639 << 10, MEM_USABLE }, { 0x100000, 64512 << 10, MEM_USABLE },
    };

    mb1_build(0);
    ck_assert_int_eq(mb1_parse(), -ENOENT);
    ck_assert_str_eq(bi.cmdline, "");
    ck_assert_str_eq(bi.loader, "");
    ck_assert_uint_eq(bi.nmods, 0);

    mb1_build(1u << 0);                                /* mem_lower/upper */
    ck_assert_int_eq(mb1_parse(), 0);
    ck_assert_str_eq(bi.cmdline, "");
    expect_map(want, 2);
}
END_TEST

START_TEST(mb1_bad_pointers)
{
    ck_assert_int_eq(multiboot1_parse(PA_BASE, map, &bi), -EFAULT);  /* none */
    mb1_build(MB1_ALL);
    put32(24, 0x1000);                                 /* mods outside */
    ck_assert_int_eq(mb1_parse(), -EFAULT);
    mb1_build(MB1_ALL);
    put32(48, 0x1000);                                 /* mmap outside */
    ck_assert_int_eq(mb1_parse(), -EFAULT);
    mb1_build(MB1_ALL);
    put32(44, 4096);                                   /* mmap past the end */
    ck_assert_int_eq(mb1_parse(), -EFAULT);
    mb1_build(MB1_ALL);
    put32(88 + 28 + 10 + 17 + 32 + 24, 16);            /* entry size < 20 */
    ck_assert_int_eq(mb1_parse(), -EINVAL);

    /* Strings: outside the buffer gives "", and one running to the end of
     * memory is cut there. */
    mb1_build(MB1_ALL);
    put32(16, 0x1000);
    put32(64, PA_BASE + (uint32_t)add("unterminated", 12));
    ck_assert_int_eq(mb1_parse(), 0);
    ck_assert_str_eq(bi.cmdline, "");
    ck_assert_str_eq(bi.loader, "unterminated");
}
END_TEST

/* ---- Known bugs ---- */

/* KNOWN BUG: "off + size > total" is computed in 32 bits, so a tag size
 * near 4 GiB wraps past the check; ALIGN_UP(size, 8) then adds 2^32 to a
 * 32-bit offset, i.e. nothing, and the walk never ends. */
START_TEST(bug_mb2_tag_size_wraps)
{
    size_t t = mb2_small();

    put32(t, 99);
    put32(t + 4, 0xfffffff9u);
    ck_assert_int_eq(reparse(), -EINVAL);
}
END_TEST

/* KNOWN BUG: "e + esize <= size" (mmap, _i == 0) and "e + dsize <= size"
 * (EFI map, _i == 1) wrap for a huge entry size, so one entry is read from
 * beyond the tag, here beyond the whole structure. */
START_TEST(bug_mb2_entry_size_wraps)
{
    mb2_begin();
    put32(mb2_tag(_i ? 17 : 6, NULL, 8), 0xfffffff0u);
    ck_assert_int_lt(mb2_finish(), 0);
}
END_TEST

/* KNOWN BUG: "off += esize + 4" wraps to "off += 0" for esize 0xfffffffc:
 * an endless loop on one entry. */
START_TEST(bug_mb1_mmap_entry_size_wraps)
{
    mb1_build(MB1_ALL);
    put32(88 + 28 + 10 + 17 + 32, 0xfffffffcu);
    ck_assert_int_eq(mb1_parse(), -EINVAL);
}
END_TEST

Suite *multiboot_suite(void)
{
    Suite *s = suite_create("multiboot");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    /* Regression tests for bugs these tests found (now fixed). */
    tcase_add_test(tc, bug_mb2_tag_size_wraps);
    tcase_add_loop_test(tc, bug_mb2_entry_size_wraps, 0, 2);
    tcase_add_test(tc, bug_mb1_mmap_entry_size_wraps);
    tcase_add_test(tc, mb2_full);
    tcase_add_test(tc, mb2_efi_map_wins);
    tcase_add_test(tc, mb2_meminfo_fallback);
    tcase_add_test(tc, mb2_acpi_rsdp);
    tcase_add_test(tc, mb2_limits_and_strings);
    tcase_add_test(tc, mb2_garbage);
    tcase_add_test(tc, mb1_full);
    tcase_add_test(tc, mb1_flags_gate_fields);
    tcase_add_test(tc, mb1_bad_pointers);
    suite_add_tcase(s, tc);
    return s;
}
