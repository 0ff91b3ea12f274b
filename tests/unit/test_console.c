/* Unit tests for hypervisor/common/console.c: the log ring, read from a
 * byte count on, and the ring of what mica meant for a console it no
 * longer has (console_hold_unseen). */
#include <stdio.h>
#include <string.h>

#include <mica/console.h>

#include "unit.h"

#define LOG_RING (64 * 1024)
#define HELD_RING (16 * 1024)

/* A port that records what reaches it. */
static char port_out[4096];
static size_t port_len;

static void port_write(const struct console_port *p, const char *s, size_t n)
{
    (void)p;
    if (port_len + n < sizeof(port_out)) {
        memcpy(port_out + port_len, s, n);
        port_len += n;
        port_out[port_len] = '\0';
    }
}

static struct console_port port = { "test", port_write, 0, true };

/* Reads a ring from *pos to its end into buf (NUL-terminated). */
static size_t drain(size_t (*rd)(uint64_t *, char *, size_t), uint64_t *pos,
                    char *buf, size_t size)
{
    size_t n, len = 0;

    while (len < size - 1 && (n = rd(pos, buf + len, size - 1 - len)))
        len += n;
    buf[len] = '\0';
    return len;
}

static uint64_t log_end(void)
{
    char tmp[512];
    uint64_t pos = 0;

    while (console_ring_read(&pos, tmp, sizeof(tmp)))
        ;
    return pos;
}

START_TEST(log_lines_in_ring)
{
    static char buf[1024];
    uint64_t start = log_end(), pos = start;

    pr_info("hello %d\n", 1);
    pr_debug("quiet\n");
    ck_assert_uint_eq(drain(console_ring_read, &pos, buf, sizeof(buf)), 28);
    ck_assert_str_eq(buf, "(mica) hello 1\n(mica) quiet\n");
    ck_assert_uint_eq(pos, start + 28);
    /* Nothing new: 0, and the cursor stays. */
    ck_assert_uint_eq(console_ring_read(&pos, buf, sizeof(buf)), 0);
    ck_assert_uint_eq(pos, start + 28);
}
END_TEST

/* A cursor ahead of what was ever written reads nothing and comes back to
 * the end, rather than reading bytes that are not there yet. */
START_TEST(cursor_ahead)
{
    char buf[64];
    uint64_t end, pos;

    pr_info("x\n");
    end = log_end();
    pos = end + 100;
    ck_assert_uint_eq(console_ring_read(&pos, buf, sizeof(buf)), 0);
    ck_assert_uint_eq(pos, end);
    pos = UINT64_MAX;
    ck_assert_uint_eq(console_held_read(&pos, buf, sizeof(buf)), 0);
    ck_assert_uint_eq(pos, 0);
}
END_TEST

/* Past 64 KiB the oldest bytes go: a cursor behind them starts at the
 * oldest byte still there. */
START_TEST(log_wraps)
{
    static char buf[LOG_RING + 1];
    uint64_t pos = 0, end;

    for (int i = 0; i < 7000; i++)
        pr_debug("line %05d\n", i);     /* 18 bytes with the prefix */
    end = log_end();
    ck_assert_uint_ge(end, 7000 * 18);
    ck_assert_uint_eq(drain(console_ring_read, &pos, buf, sizeof(buf)),
                      LOG_RING);
    ck_assert_uint_eq(pos, end);
    ck_assert_str_eq(buf + LOG_RING - 18, "(mica) line 06999\n");
}
END_TEST

/* Until mica hands its port over, and while a port is left, nothing is
 * held; then what the console would show is, and what it would not is
 * only in the log. */
START_TEST(held_after_handover)
{
    char buf[1024];
    uint64_t pos = 0;

    console_add_port(&port);
    pr_info("before\n");
    ck_assert_str_eq(port_out, "(mica) before\n");
    console_hold_unseen();              /* the port is still there */
    pr_info("shown\n");
    ck_assert_uint_eq(drain(console_held_read, &pos, buf, sizeof(buf)), 0);

    port.enabled = false;
    console_hold_unseen();
    pr_err("lost %s\n", "port");
    pr_debug("not for the console\n");
    {
        bool at_start = true;

        console_guest_write(3, &at_start, "guest says\nhi", 13);
        console_guest_write(3, &at_start, " there\n", 7);
    }
    drain(console_held_read, &pos, buf, sizeof(buf));
    ck_assert_str_eq(buf, "(mica) lost port\n(d3) guest says\n(d3) hi there\n");
    ck_assert_str_eq(port_out, "(mica) before\n(mica) shown\n");
    port.enabled = true;
}
END_TEST

/* The held ring keeps the newest 16 KiB. */
START_TEST(held_wraps)
{
    static char buf[HELD_RING + 1];
    uint64_t pos = 0;

    port.enabled = false;
    console_add_port(&port);
    console_hold_unseen();
    for (int i = 0; i < 2000; i++)
        pr_info("held %05d\n", i);      /* 18 bytes */
    ck_assert_uint_eq(drain(console_held_read, &pos, buf, sizeof(buf)),
                      HELD_RING);
    ck_assert_uint_eq(pos, 2000 * 18);
    ck_assert_str_eq(buf + HELD_RING - 18, "(mica) held 01999\n");
    port.enabled = true;
}
END_TEST

Suite *console_suite(void)
{
    Suite *s = suite_create("console");
    TCase *tc = tcase_create("rings");

    tcase_add_test(tc, log_lines_in_ring);
    tcase_add_test(tc, cursor_ahead);
    tcase_add_test(tc, log_wraps);
    tcase_add_test(tc, held_after_handover);
    tcase_add_test(tc, held_wraps);
    suite_add_tcase(s, tc);
    return s;
}
