/*
 * Unit tests of xend's domain builder: the ELF checks on hand-made images,
 * and the calls it makes to mica through a fake doorbell, including that a
 * failure halfway destroys the domain it made.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/elfnote.h>
#include <xen/hvm/start_info.h>

#include "suites.h"
#include "../lib/libmica.h"
#include "../xend/build.h"

#define ENTRY 0x100010u
#define LOAD 0x100000u
#define MEMSZ 0x3000u
/* ELF32 header, two program headers (LOAD, NOTE), then the note. */
#define PH_OFF 52
#define NOTE_OFF (PH_OFF + 2 * 32)
#define IMG_SIZE (NOTE_OFF + 24)

static uint8_t img[IMG_SIZE];

static void put16(size_t off, uint16_t v) { memcpy(img + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }

static void make_image(void)
{
    memset(img, 0, sizeof(img));
    memcpy(img, "\177ELF", 4);
    img[4] = 1;                     /* ELFCLASS32 */
    img[5] = 1;                     /* little endian */
    img[6] = 1;
    put16(16, 2);                   /* ET_EXEC */
    put16(18, 3);                   /* EM_386 */
    put32(24, ENTRY);
    put32(28, PH_OFF);
    put16(40, 52);
    put16(42, 32);
    put16(44, 2);
    /* PT_LOAD: the whole file at LOAD, with bss after it. */
    put32(PH_OFF, 1);
    put32(PH_OFF + 4, 0);
    put32(PH_OFF + 8, LOAD);
    put32(PH_OFF + 12, LOAD);
    put32(PH_OFF + 16, IMG_SIZE);
    put32(PH_OFF + 20, MEMSZ);
    /* PT_NOTE */
    put32(PH_OFF + 32, 4);
    put32(PH_OFF + 36, NOTE_OFF);
    put32(PH_OFF + 48, 24);
    put32(NOTE_OFF, 4);
    put32(NOTE_OFF + 4, 4);
    put32(NOTE_OFF + 8, XEN_ELFNOTE_PHYS32_ENTRY);
    memcpy(img + NOTE_OFF + 12, "Xen", 4);
    put32(NOTE_OFF + 16, ENTRY);
}

static char why[256];

START_TEST(elf_good)
{
    struct build_image bi;

    make_image();
    ck_assert_int_eq(build_parse_elf(img, sizeof(img), &bi, why,
                                     sizeof(why)), 0);
    ck_assert_uint_eq(bi.entry, ENTRY);
    ck_assert_uint_eq(bi.nsegs, 1);
    ck_assert_uint_eq(bi.phys_end, LOAD + MEMSZ);
}
END_TEST

START_TEST(elf_rejects)
{
    struct build_image bi;

    make_image();
    ck_assert_int_eq(build_parse_elf(img, 40, &bi, why, sizeof(why)), -1);
    ck_assert_str_eq(why, "not an ELF file");

    make_image();
    put32(NOTE_OFF + 8, XEN_ELFNOTE_ENTRY);
    ck_assert_int_eq(build_parse_elf(img, sizeof(img), &bi, why,
                                     sizeof(why)), -1);
    ck_assert_str_eq(why, "no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH "
                          "kernel");

    make_image();
    put16(44, 200);                 /* program headers past the end */
    ck_assert_int_eq(build_parse_elf(img, sizeof(img), &bi, why,
                                     sizeof(why)), -1);
    ck_assert_str_eq(why, "program headers outside the file");

    make_image();
    put32(PH_OFF + 16, IMG_SIZE + 1);  /* segment past the end */
    ck_assert_int_eq(build_parse_elf(img, sizeof(img), &bi, why,
                                     sizeof(why)), -1);
    ck_assert_str_eq(why, "segment 0 outside the file");

    make_image();
    put32(NOTE_OFF + 4, 0x7ffffff0);   /* note descriptor past its segment */
    ck_assert_int_eq(build_parse_elf(img, sizeof(img), &bi, why,
                                     sizeof(why)), -1);

    make_image();
    put32(PH_OFF + 20, IMG_SIZE - 1);  /* filesz > memsz */
    ck_assert_int_eq(build_parse_elf(img, sizeof(img), &bi, why,
                                     sizeof(why)), -1);
    ck_assert_str_eq(why, "bad load segment 0");

    make_image();
    put16(18, 62);                  /* ELF32 claiming x86-64 */
    ck_assert_int_eq(build_parse_elf(img, sizeof(img), &bi, why,
                                     sizeof(why)), -1);
    ck_assert_str_eq(why, "not an x86 ELF executable");
}
END_TEST

/* The fake mica: records the operations, fails fail_op when asked. */
static unsigned ops[64], nops;
static uint64_t fail_op = UINT64_MAX;
static struct mica_vcpu_state seen_state;
static struct hvm_start_info seen_si;
static uint64_t si_addr;
static char seen_cmdline[64];
static struct hvm_modlist_entry seen_mod;

static long fake(uint64_t op, const uint64_t a[5])
{
    if (op == MICA_CTL_version)
        return MICA_CTL_VERSION;
    if (nops < 64)
        ops[nops++] = (unsigned)op;
    if (op == fail_op)
        return -EINVAL;
    switch (op) {
    case MICA_CTL_domain_create:
        return 7;
    case MICA_CTL_copy_to_domain:
        if (a[3] == sizeof(seen_mod) && seen_si.modlist_paddr &&
            a[1] == seen_si.modlist_paddr)
            memcpy(&seen_mod, (void *)(uintptr_t)a[2], sizeof(seen_mod));
        if (a[3] == sizeof(seen_si) && a[1] == ((LOAD + MEMSZ + 4095) & ~4095u)) {
            memcpy(&seen_si, (void *)(uintptr_t)a[2], sizeof(seen_si));
            si_addr = a[1];
        }
        if (a[1] == si_addr + sizeof(seen_si) &&
            a[3] < sizeof(seen_cmdline))
            memcpy(seen_cmdline, (void *)(uintptr_t)a[2], a[3]);
        return 0;
    case MICA_CTL_vcpu_set_state:
        memcpy(&seen_state, (void *)(uintptr_t)a[2], sizeof(seen_state));
        return 0;
    }
    return 0;
}

static char path[64];

static void setup(void)
{
    int fd;

    nops = 0;
    fail_op = UINT64_MAX;
    si_addr = UINT64_MAX;
    memset(&seen_si, 0, sizeof(seen_si));
    memset(&seen_mod, 0, sizeof(seen_mod));
    mica_set_doorbell(fake);
    ck_assert_int_eq(mica_open(), 0);
    make_image();
    snprintf(path, sizeof(path), "/tmp/check_build.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, img, sizeof(img)), (int)sizeof(img));
    close(fd);
}

static void teardown(void)
{
    unlink(path);
    mica_set_doorbell(NULL);
}

static bool called(unsigned op)
{
    for (unsigned i = 0; i < nops; i++)
        if (ops[i] == op)
            return true;
    return false;
}

START_TEST(build_ok)
{
    struct build_request r = { .name = "t", .memory_kb = 4096, .vcpus = 1,
                               .kernel = path, .cmdline = "hi there" };

    ck_assert_int_eq(build_domain(&r, why, sizeof(why)), 7);
    ck_assert_uint_eq(ops[0], MICA_CTL_domain_create);
    ck_assert_uint_eq(ops[nops - 1], MICA_CTL_domain_unpause);
    ck_assert(!called(MICA_CTL_domain_destroy));
    ck_assert_uint_eq(seen_state.mode, MICA_VCPU_PVH32);
    ck_assert_uint_eq(seen_state.rip, ENTRY);
    ck_assert_uint_eq(seen_state.rbx, si_addr);
    ck_assert_uint_eq(seen_si.magic, XEN_HVM_START_MAGIC_VALUE);
    ck_assert_uint_eq(seen_si.version, 1);
    /* RAM, and the reserved region of the console and store rings. */
    ck_assert_uint_eq(seen_si.memmap_entries, 2);
    ck_assert_uint_eq(seen_si.nr_modules, 0);
    ck_assert_str_eq(seen_cmdline, "hi there");
}
END_TEST

START_TEST(build_ramdisk)
{
    struct build_request r = { .name = "t", .memory_kb = 4096, .vcpus = 1,
                               .kernel = path, .ramdisk = path };

    ck_assert_int_eq(build_domain(&r, why, sizeof(why)), 7);
    ck_assert_uint_eq(seen_si.nr_modules, 1);
    ck_assert_uint_ne(seen_si.modlist_paddr, 0);
    ck_assert_uint_eq(seen_mod.size, IMG_SIZE);
    ck_assert_uint_eq(seen_mod.paddr % 4096, 0);
    ck_assert_uint_gt(seen_mod.paddr, seen_si.modlist_paddr);
}
END_TEST

START_TEST(build_paused)
{
    struct build_request r = { .name = "t", .memory_kb = 4096, .vcpus = 1,
                               .kernel = path, .paused = true };

    ck_assert_int_eq(build_domain(&r, why, sizeof(why)), 7);
    ck_assert(!called(MICA_CTL_domain_unpause));
}
END_TEST

START_TEST(build_failure_destroys)
{
    struct build_request r = { .name = "t", .memory_kb = 4096, .vcpus = 1,
                               .kernel = path };

    fail_op = MICA_CTL_vcpu_set_state;
    ck_assert_int_eq(build_domain(&r, why, sizeof(why)), -1);
    ck_assert_uint_eq(ops[nops - 1], MICA_CTL_domain_destroy);
    ck_assert_str_eq(why, "setting vCPU 0's state: Invalid argument");
}
END_TEST

START_TEST(build_too_small)
{
    struct build_request r = { .name = "t", .memory_kb = 1024, .vcpus = 1,
                               .kernel = path };

    ck_assert_int_eq(build_domain(&r, why, sizeof(why)), -1);
    ck_assert(called(MICA_CTL_domain_destroy));
    ck_assert_msg(strstr(why, "more than the domain's 1024 KiB") != NULL,
                  "%s", why);
}
END_TEST

START_TEST(build_not_elf)
{
    struct build_request r = { .name = "t", .memory_kb = 4096, .vcpus = 1,
                               .kernel = "/dev/null/none" };

    ck_assert_int_eq(build_domain(&r, why, sizeof(why)), -1);
    ck_assert_uint_eq(nops, 0);     /* nothing was asked of mica */
}
END_TEST

Suite *build_suite(void)
{
    Suite *s = suite_create("build");
    TCase *tc = tcase_create("elf");

    tcase_add_test(tc, elf_good);
    tcase_add_test(tc, elf_rejects);
    suite_add_tcase(s, tc);
    tc = tcase_create("builder");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, build_ok);
    tcase_add_test(tc, build_ramdisk);
    tcase_add_test(tc, build_paused);
    tcase_add_test(tc, build_failure_destroys);
    tcase_add_test(tc, build_too_small);
    tcase_add_test(tc, build_not_elf);
    suite_add_tcase(s, tc);
    return s;
}
