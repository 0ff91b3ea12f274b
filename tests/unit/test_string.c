/* Tests for hypervisor/common/string.c, compiled under mica_* names: the
 * word-at-a-time memset/memcpy and memmove's backward copy for overlaps,
 * against a byte-by-byte reference, for every small length and offset. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"

void *mica_memset(void *d, int c, size_t n);
void *mica_memcpy(void *d, const void *s, size_t n);
void *mica_memmove(void *d, const void *s, size_t n);
size_t mica_strlcpy(char *d, const char *s, size_t n);

#define N 96

static void fill(unsigned char *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(i * 37 + seed);
}

START_TEST(memset_every_length_and_offset)
{
    unsigned char buf[N + 16], ref[N + 16];

    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len <= N; len++) {
            fill(buf, sizeof(buf), 1);
            memcpy(ref, buf, sizeof(ref));
            for (size_t i = 0; i < len; i++)
                ref[off + i] = 0xa5;
            ck_assert_ptr_eq(mica_memset(buf + off, 0xa5, len), buf + off);
            ck_assert_int_eq(memcmp(buf, ref, sizeof(buf)), 0);
        }
    }
}
END_TEST

START_TEST(memcpy_every_length_and_alignment)
{
    unsigned char src[N + 16], dst[N + 16], ref[N + 16];

    fill(src, sizeof(src), 3);
    for (size_t so = 0; so < 8; so++) {
        for (size_t d_o = 0; d_o < 8; d_o++) {
            for (size_t len = 0; len <= N; len++) {
                memset(dst, 0, sizeof(dst));
                memset(ref, 0, sizeof(ref));
                memcpy(ref + d_o, src + so, len);
                ck_assert_ptr_eq(mica_memcpy(dst + d_o, src + so, len), dst + d_o);
                ck_assert_int_eq(memcmp(dst, ref, sizeof(dst)), 0);
            }
        }
    }
}
END_TEST

/* Overlaps in both directions, at every distance: the backward path
 * (destination above the source) is the one that sets the direction flag. */
START_TEST(memmove_overlaps)
{
    unsigned char buf[2 * N + 16], ref[2 * N + 16];

    for (size_t src = 0; src < 24; src++) {
        for (size_t dst = 0; dst < 24; dst++) {
            for (size_t len = 0; len <= N; len += (len < 20 ? 1 : 7)) {
                fill(buf, sizeof(buf), 5);
                memcpy(ref, buf, sizeof(ref));
                memmove(ref + dst, ref + src, len);
                ck_assert_ptr_eq(mica_memmove(buf + dst, buf + src, len), buf + dst);
                ck_assert_msg(!memcmp(buf, ref, sizeof(buf)),
                              "memmove(+%zu, +%zu, %zu) differs", dst, src, len);
            }
        }
    }
}
END_TEST

START_TEST(memmove_leaves_direction_flag_clear)
{
    unsigned char buf[64];
    unsigned long flags;

    fill(buf, sizeof(buf), 7);
    mica_memmove(buf + 9, buf, 40);
    __asm__ volatile("pushf; pop %0" : "=r"(flags));
    ck_assert_uint_eq(flags & (1u << 10), 0);
}
END_TEST

START_TEST(strlcpy_truncates_and_terminates)
{
    char d[8];

    ck_assert_uint_eq(mica_strlcpy(d, "abcdefghij", sizeof(d)), 10);
    ck_assert_str_eq(d, "abcdefg");
    ck_assert_uint_eq(mica_strlcpy(d, "ab", sizeof(d)), 2);
    ck_assert_str_eq(d, "ab");
}
END_TEST

Suite *string_suite(void)
{
    Suite *s = suite_create("string");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, memset_every_length_and_offset);
    tcase_add_test(tc, memcpy_every_length_and_alignment);
    tcase_add_test(tc, memmove_overlaps);
    tcase_add_test(tc, memmove_leaves_direction_flag_clear);
    tcase_add_test(tc, strlcpy_truncates_and_terminates);
    suite_add_tcase(s, tc);
    return s;
}
