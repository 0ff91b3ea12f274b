/* Unit tests for mem_map_sanitize() in hypervisor/arch/x86/multiboot.c,
 * which every memory map goes through before anything trusts it. */
#include <string.h>

#include <mica/bootinfo.h>

#include "unit.h"

struct e820 { uint64_t start, len; uint32_t type; };

static struct boot_info bi;

static void expect_map(const struct e820 *e, size_t n)
{
    ck_assert_uint_eq(bi.nmem, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(bi.mem[i].start, e[i].start);
        ck_assert_uint_eq(bi.mem[i].len, e[i].len);
        ck_assert_uint_eq(bi.mem[i].type, e[i].type);
    }
}

static void sanitize(const struct e820 *e, size_t n)
{
    memset(&bi, 0, sizeof(bi));
    for (size_t i = 0; i < n; i++)
        bi.mem[i] = (struct mem_region){ e[i].start, e[i].len, e[i].type };
    bi.nmem = (unsigned)n;
    mem_map_sanitize(&bi);
}

START_TEST(sanitize_overlaps_and_merges)
{
    static const struct e820 in[] = {
        { 0x20000, 0x10000, MEM_USABLE },   /* merges with the next two */
        { 0x10000, 0x10000, MEM_USABLE },
        { 0x18000, 0x10000, MEM_USABLE },   /* overlaps both, same type */
        { 0x40000, 0x0, MEM_RESERVED },     /* empty: dropped */
        { 0x50000, 0x20000, MEM_USABLE },
        { 0x58000, 0x1000, MEM_RESERVED },  /* punches a hole */
        { 0x60000, 0x20000, MEM_ACPI },     /* ACPI beats usable */
        { 0x70000, 0x8000, MEM_RESERVED },  /* ...reserved does not beat ACPI */
        { 0x78000, 0x1000, MEM_NVS },
        { 0x79000, 0x1000, MEM_NVS },
        { 0x100000, 0x100000, MEM_RESERVED },
        { 0x100000, 0x100000, MEM_BAD },     /* the same range: BAD wins */
    };
    static const struct e820 want[] = {
        { 0x10000, 0x20000, MEM_USABLE },
        { 0x50000, 0x8000, MEM_USABLE },  { 0x58000, 0x1000, MEM_RESERVED },
        { 0x59000, 0x7000, MEM_USABLE },  { 0x60000, 0x18000, MEM_ACPI },
        { 0x78000, 0x2000, MEM_NVS },     { 0x7a000, 0x6000, MEM_ACPI },
        { 0x100000, 0x100000, MEM_BAD },
    };

    sanitize(in, sizeof(in) / sizeof(in[0]));
    expect_map(want, sizeof(want) / sizeof(want[0]));
    sanitize(NULL, 0);
    ck_assert_uint_eq(bi.nmem, 0);
}
END_TEST

/* A big usable region with many reserved pages in it splits into more
 * pieces than the map holds: the output is cut, never overrun. */
START_TEST(sanitize_too_many_pieces)
{
    struct e820 in[BOOT_MAX_MEM];

    in[0] = (struct e820){ 0, 2 * BOOT_MAX_MEM * 0x1000ull, MEM_USABLE };
    for (unsigned i = 1; i < BOOT_MAX_MEM; i++)
        in[i] = (struct e820){ (2 * i - 1) * 0x1000ull, 0x1000, MEM_RESERVED };
    sanitize(in, BOOT_MAX_MEM);
    ck_assert_uint_eq(bi.nmem, BOOT_MAX_MEM);
    for (unsigned i = 0; i < BOOT_MAX_MEM; i++) {
        ck_assert_uint_eq(bi.mem[i].start, i * 0x1000ull);
        ck_assert_uint_eq(bi.mem[i].type, i % 2 ? MEM_RESERVED : MEM_USABLE);
    }
}
END_TEST

/* A lower type inside a higher one disappears into it. */
START_TEST(sanitize_contained)
{
    static const struct e820 in[] = {
        { 0x1000, 0x8000, MEM_RESERVED }, { 0x2000, 0x1000, MEM_USABLE },
        { 0x9000, 0x1000, MEM_RESERVED }, { 0x8000, 0x1000, MEM_RESERVED },
    };
    static const struct e820 want[] = { { 0x1000, 0x9000, MEM_RESERVED } };

    sanitize(in, 4);
    expect_map(want, 1);
}
END_TEST

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

/* Random maps over 64 pages against a page-by-page model: each page gets
 * the highest type covering it; the output must be sorted, disjoint,
 * non-empty, merged where it can be, and agree with the model. */
START_TEST(sanitize_random_against_model)
{
    for (int round = 0; round < 500; round++) {
        struct e820 in[24];
        uint32_t model[64] = { 0 }, got[64] = { 0 };
        size_t n = 1 + rnd(24);

        for (size_t i = 0; i < n; i++) {
            uint64_t a = rnd(64), len = rnd(65 - a);

            in[i] = (struct e820){ a << 12, len << 12, 1 + (uint32_t)rnd(5) };
            for (uint64_t p = a; p < a + len; p++)
                if (in[i].type > model[p])
                    model[p] = in[i].type;
        }
        sanitize(in, n);
        for (unsigned i = 0; i < bi.nmem; i++) {
            const struct mem_region *r = &bi.mem[i];

            ck_assert_uint_gt(r->len, 0);
            if (i) {
                const struct mem_region *q = &bi.mem[i - 1];

                ck_assert_uint_le(q->start + q->len, r->start);
                ck_assert(q->start + q->len < r->start || q->type != r->type);
            }
            for (uint64_t p = r->start >> 12; p < (r->start + r->len) >> 12; p++)
                got[p] = r->type;
        }
        for (int p = 0; p < 64; p++)
            ck_assert_msg(got[p] == model[p], "round %d page %d: %u, want %u",
                          round, p, got[p], model[p]);
    }
}
END_TEST

Suite *memmap_suite(void)
{
    Suite *s = suite_create("memmap");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, sanitize_overlaps_and_merges);
    tcase_add_test(tc, sanitize_too_many_pieces);
    tcase_add_test(tc, sanitize_contained);
    tcase_add_test(tc, sanitize_random_against_model);
    suite_add_tcase(s, tc);
    return s;
}
