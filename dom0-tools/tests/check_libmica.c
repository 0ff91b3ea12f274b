/*
 * Unit tests of libmica against a fake doorbell: the registers every call
 * fills, errno at the edge, the version handshake, and the prefaulting of
 * the buffers mica reads and writes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/io.h>

#include "suites.h"
#include "lib/libmica.h"

#define P(x) ((uint64_t)(uintptr_t)(x))

/* The last ring of the fake doorbell, and what it answers. */
static struct {
    unsigned rings;
    uint64_t op;
    uint64_t args[5];
} last;
static long answer;

static long fake_doorbell(uint64_t op, const uint64_t args[5])
{
    last.rings++;
    last.op = op;
    memcpy(last.args, args, sizeof(last.args));
    return answer;
}

static void setup(void)
{
    memset(&last, 0, sizeof(last));
    answer = 0;
    mica_set_doorbell(fake_doorbell);
}

static void teardown(void)
{
    mica_set_doorbell(NULL);
}

/*
 * Every call, with the registers it must fill. Each runner makes its call
 * with distinctive arguments and writes the register values ctl.h asks
 * for into want; registers the call does not use must be 0.
 */
static struct mica_physinfo c_pi;
static struct mica_domain_info c_list[3], c_info;
static struct mica_domain_create c_create;
static struct mica_vcpu_state c_state;
static struct mica_vcpu_info c_vcpus[3];
static char c_buf[100];
static char c_name[MICA_NAME_MAX] = "renamed";
static uint64_t c_pos = 77;

#define DOM 0x7fe1              /* a domid with bits in both bytes */
#define GPA 0x123456789000ull   /* above 4 GiB */

static long r_physinfo(uint64_t w[5])
{
    w[0] = P(&c_pi);
    return mica_physinfo(&c_pi);
}

static long r_domain_list(uint64_t w[5])
{
    w[0] = P(c_list);
    w[1] = 3;
    return mica_domain_list(c_list, 3);
}

static long r_domain_info(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = P(&c_info);
    return mica_domain_info(DOM, &c_info);
}

static long r_domain_create(uint64_t w[5])
{
    w[0] = P(&c_create);
    return mica_domain_create(&c_create);
}

static long r_domain_destroy(uint64_t w[5])
{
    w[0] = DOM;
    return mica_domain_destroy(DOM);
}

static long r_domain_pause(uint64_t w[5])
{
    w[0] = DOM;
    return mica_domain_pause(DOM);
}

static long r_domain_unpause(uint64_t w[5])
{
    w[0] = DOM;
    return mica_domain_unpause(DOM);
}

static long r_domain_shutdown(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = SHUTDOWN_reboot;
    return mica_domain_shutdown(DOM, SHUTDOWN_reboot);
}

static long r_domain_set_memory(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = 0x123456789ull;
    return mica_domain_set_memory(DOM, 0x123456789ull);
}

static long r_domain_set_vcpus(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = 4;
    return mica_domain_set_vcpus(DOM, 4);
}

static long r_vcpu_pin(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = 2;
    w[2] = 0xf0000000000000f0ull;
    return mica_vcpu_pin(DOM, 2, 0xf0000000000000f0ull);
}

static long r_sched_credit(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = 512;
    w[2] = 150;
    return mica_sched_credit(DOM, 512, 150);
}

static long r_vcpu_info(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = P(c_vcpus);
    w[2] = 3;
    return mica_vcpu_info(DOM, c_vcpus, 3);
}

static long r_domain_rename(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = P(c_name);
    return mica_domain_rename(DOM, c_name);
}

static long r_copy_to_domain(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = GPA;
    w[2] = P(c_buf);
    w[3] = sizeof(c_buf);
    return mica_copy_to_domain(DOM, GPA, c_buf, sizeof(c_buf));
}

static long r_copy_from_domain(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = GPA;
    w[2] = P(c_buf);
    w[3] = sizeof(c_buf);
    return mica_copy_from_domain(DOM, GPA, c_buf, sizeof(c_buf));
}

static long r_vcpu_set_state(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = 1;
    w[2] = P(&c_state);
    return mica_vcpu_set_state(DOM, 1, &c_state);
}

static long r_console_read(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = P(c_buf);
    w[2] = sizeof(c_buf);
    w[3] = P(&c_pos);
    return mica_console_read(DOM, c_buf, sizeof(c_buf), &c_pos);
}

static long r_console_write(uint64_t w[5])
{
    w[0] = DOM;
    w[1] = P(c_buf);
    w[2] = sizeof(c_buf);
    return mica_console_write(DOM, c_buf, sizeof(c_buf));
}

static long r_dmesg(uint64_t w[5])
{
    w[0] = P(c_buf);
    w[1] = sizeof(c_buf);
    w[2] = P(&c_pos);
    return mica_dmesg(c_buf, sizeof(c_buf), &c_pos);
}

static long r_dmesg_unseen(uint64_t w[5])
{
    w[0] = P(c_buf);
    w[1] = sizeof(c_buf);
    w[2] = P(&c_pos);
    w[3] = MICA_DMESG_UNSEEN;
    return mica_dmesg_unseen(c_buf, sizeof(c_buf), &c_pos);
}

static const struct {
    const char *name;
    uint64_t op;
    long (*run)(uint64_t want[5]);
} calls[] = {
    { "physinfo", MICA_CTL_physinfo, r_physinfo },
    { "domain_list", MICA_CTL_domain_list, r_domain_list },
    { "domain_info", MICA_CTL_domain_info, r_domain_info },
    { "domain_create", MICA_CTL_domain_create, r_domain_create },
    { "domain_destroy", MICA_CTL_domain_destroy, r_domain_destroy },
    { "domain_pause", MICA_CTL_domain_pause, r_domain_pause },
    { "domain_unpause", MICA_CTL_domain_unpause, r_domain_unpause },
    { "domain_shutdown", MICA_CTL_domain_shutdown, r_domain_shutdown },
    { "domain_set_memory", MICA_CTL_domain_set_memory, r_domain_set_memory },
    { "domain_set_vcpus", MICA_CTL_domain_set_vcpus, r_domain_set_vcpus },
    { "vcpu_pin", MICA_CTL_vcpu_pin, r_vcpu_pin },
    { "sched_credit", MICA_CTL_sched_credit, r_sched_credit },
    { "copy_to_domain", MICA_CTL_copy_to_domain, r_copy_to_domain },
    { "copy_from_domain", MICA_CTL_copy_from_domain, r_copy_from_domain },
    { "vcpu_set_state", MICA_CTL_vcpu_set_state, r_vcpu_set_state },
    { "console_read", MICA_CTL_console_read, r_console_read },
    { "console_write", MICA_CTL_console_write, r_console_write },
    { "dmesg", MICA_CTL_dmesg, r_dmesg },
    { "dmesg_unseen", MICA_CTL_dmesg, r_dmesg_unseen },
    { "vcpu_info", MICA_CTL_vcpu_info, r_vcpu_info },
    { "domain_rename", MICA_CTL_domain_rename, r_domain_rename },
};
#define NR_CALLS ((int)(sizeof(calls) / sizeof(calls[0])))

/* Every operation but the handshake has its function, and only one, but
 * dmesg, which has one for each ring. */
START_TEST(test_every_operation_covered)
{
    unsigned seen[MICA_CTL_NR] = { 0 };

    for (int i = 0; i < NR_CALLS; i++) {
        ck_assert_uint_lt(calls[i].op, MICA_CTL_NR);
        seen[calls[i].op]++;
    }
    for (unsigned op = 1; op < MICA_CTL_NR; op++)
        ck_assert_msg(seen[op] == (op == MICA_CTL_dmesg ? 2u : 1u),
                      "operation %u: %u functions", op, seen[op]);
}
END_TEST

START_TEST(test_marshal)
{
    uint64_t want[5] = { 0 };

    answer = 3;
    long r = calls[_i].run(want);
    ck_assert_msg(last.rings == 1, "%s rang %u times", calls[_i].name,
                  last.rings);
    ck_assert_msg(last.op == calls[_i].op, "%s sent op %llu", calls[_i].name,
                  (unsigned long long)last.op);
    for (int j = 0; j < 5; j++)
        ck_assert_msg(last.args[j] == want[j],
                      "%s: argument %d is %#llx, want %#llx", calls[_i].name,
                      j, (unsigned long long)last.args[j],
                      (unsigned long long)want[j]);
    ck_assert_msg(r == 3, "%s returned %ld for mica's 3", calls[_i].name, r);
}
END_TEST

START_TEST(test_errno_at_edge)
{
    uint64_t want[5];

    answer = -ESRCH;
    errno = 0;
    long r = calls[_i].run(want);
    ck_assert_msg(r == -1 && errno == ESRCH, "%s: %ld, errno %d",
                  calls[_i].name, r, errno);
}
END_TEST

START_TEST(test_errno_range)
{
    /* The largest errno passes through; anything beyond is no errno. */
    answer = -4095;
    ck_assert_int_eq(mica_domain_destroy(1), -1);
    ck_assert_int_eq(errno, 4095);
    answer = -4096;
    ck_assert_int_eq(mica_domain_destroy(1), -1);
    ck_assert_int_eq(errno, EIO);
    answer = -1;
    ck_assert_int_eq(mica_domain_destroy(1), -1);
    ck_assert_int_eq(errno, EPERM);
    /* A success leaves errno alone. */
    errno = EAGAIN;
    answer = 0;
    ck_assert_int_eq(mica_domain_destroy(1), 0);
    ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

START_TEST(test_byte_counts_not_truncated)
{
    answer = 1L << 40;
    ck_assert(mica_console_read(1, c_buf, sizeof(c_buf), &c_pos) == 1L << 40);
    ck_assert(mica_dmesg(c_buf, sizeof(c_buf), &c_pos) == 1L << 40);
    /* sched_credit answers the cap in the high half. */
    answer = (150L << 32) | 512;
    long r = mica_sched_credit(1, MICA_SCHED_KEEP, MICA_SCHED_KEEP);
    ck_assert_uint_eq(MICA_SCHED_WEIGHT(r), 512);
    ck_assert_uint_eq(MICA_SCHED_CAP(r), 150);
    ck_assert_uint_eq(last.args[1], 0xffffffffu);
}
END_TEST

START_TEST(test_open_matching_major)
{
    answer = 0x00010007;        /* a later minor: additions only */
    ck_assert_int_eq(mica_open(), 0);
    ck_assert_uint_eq(last.rings, 1);
    ck_assert_uint_eq(last.op, MICA_CTL_version);
    for (int j = 0; j < 5; j++)
        ck_assert_uint_eq(last.args[j], 0);
    ck_assert_uint_eq(mica_abi_version(), 0x00010007);
}
END_TEST

START_TEST(test_open_other_major)
{
    answer = 0x00020000;
    errno = 0;
    ck_assert_int_eq(mica_open(), -1);
    ck_assert_int_eq(errno, EPROTO);
    ck_assert_str_eq(mica_open_error(), "mica speaks toolstack ABI 2.0 and "
                     "this program 1.3: their major versions differ");
    ck_assert_uint_eq(mica_abi_version(), 0);

    answer = 0x0000ffff;
    ck_assert_int_eq(mica_open(), -1);
    ck_assert_int_eq(errno, EPROTO);

    answer = 0x100010000;       /* not even 32 bits */
    ck_assert_int_eq(mica_open(), -1);
    ck_assert_int_eq(errno, EPROTO);
}
END_TEST

START_TEST(test_open_no_answer)
{
    /* An OUT nobody intercepts leaves RAX = MICA_CTL_version = 0. */
    answer = MICA_CTL_version;
    ck_assert_int_eq(mica_open(), -1);
    ck_assert_int_eq(errno, ENODEV);
    ck_assert_str_eq(mica_open_error(),
                     "not running under mica (no answer on I/O port 0xe0)");
}
END_TEST

START_TEST(test_open_refused)
{
    answer = -EPERM;            /* a domain other than dom0 */
    ck_assert_int_eq(mica_open(), -1);
    ck_assert_int_eq(errno, EPERM);
    ck_assert_str_eq(mica_open_error(),
                     "Operation not permitted (mica answers only domain 0)");

    answer = -ENOSYS;
    ck_assert_int_eq(mica_open(), -1);
    ck_assert_int_eq(errno, ENOSYS);
    ck_assert_str_eq(mica_open_error(), "Function not implemented (mica "
                     "refused the version handshake)");
}
END_TEST

/* The real doorbell refuses to ring until mica_open() has succeeded, so a
 * forgotten open is an error, not a SIGSEGV (or an OUT on a host). */
START_TEST(test_calls_need_open)
{
    answer = 0;
    ck_assert_int_eq(mica_open(), -1);          /* leaves it closed */
    mica_set_doorbell(NULL);
    errno = 0;
    ck_assert_int_eq(mica_domain_pause(1), -1);
    ck_assert_int_eq(errno, ENOTCONN);
}
END_TEST

/* _exit() does not flush stdio, and the child's verdict line must show. */
static void child_exit(int status)
{
    fflush(stdout);
    _exit(status);
}

/*
 * Without I/O port access, mica_open() fails with EPERM and says to run as
 * root. Run as root, the check drops to an unprivileged user in a child.
 * The real doorbell is in place, so the child first asks for the port
 * itself and gives up if it gets it: then no OUT is ever sent.
 */
START_TEST(test_open_not_root)
{
    fflush(stdout);
    pid_t pid = fork();

    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        mica_set_doorbell(NULL);
        if (getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0)) {
            printf("SKIP: libmica/open_not_root: running as root and "
                   "cannot become uid 65534: %s\n", strerror(errno));
            child_exit(0);
        }
        if (ioperm(MICA_CTL_PORT, 4, 1) == 0) {
            printf("SKIP: libmica/open_not_root: this unprivileged process "
                   "may use I/O ports (CAP_SYS_RAWIO?)\n");
            child_exit(0);
        }
        if (errno == ENOSYS) {
            printf("SKIP: libmica/open_not_root: the host kernel has no "
                   "ioperm() (built without CONFIG_X86_IOPL_IOPERM)\n");
            child_exit(0);
        }
        errno = 0;
        if (mica_open() != -1 || errno != EPERM) {
            printf("mica_open as uid %u: errno %d\n", (unsigned)getuid(),
                   errno);
            child_exit(1);
        }
        if (strcmp(mica_open_error(), "Operation not permitted (run as "
                   "root: the doorbell needs I/O port access)") != 0) {
            printf("message: %s\n", mica_open_error());
            child_exit(1);
        }
        child_exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the unprivileged child failed (status %#x)", status);
}
END_TEST

/*
 * Prefaulting. The buffers are private mappings of a file full of 'A';
 * after the call the file is rewritten with 'B'. A page libmica wrote to
 * has become the process's own copy and still reads 'A'; a page it only
 * read, or never touched, shows the file again and reads 'B'. pages()
 * returns one letter per page.
 */
struct cow {
    int fd;
    unsigned char *p;
    size_t pg, len;
};

static void cow_map(struct cow *c, size_t pages)
{
    char path[] = "/tmp/check_libmica.XXXXXX";

    c->pg = (size_t)sysconf(_SC_PAGESIZE);
    c->len = pages * c->pg;
    c->fd = mkstemp(path);
    ck_assert_int_ge(c->fd, 0);
    unlink(path);
    unsigned char *fill = malloc(c->len);
    memset(fill, 'A', c->len);
    ck_assert_int_eq(pwrite(c->fd, fill, c->len, 0), (ssize_t)c->len);
    free(fill);
    c->p = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, c->fd, 0);
    ck_assert(c->p != MAP_FAILED);
}

static const char *pages(struct cow *c)
{
    static char s[16];
    unsigned char *fill = malloc(c->len);
    size_t n = c->len / c->pg;

    memset(fill, 'B', c->len);
    ck_assert_int_eq(pwrite(c->fd, fill, c->len, 0), (ssize_t)c->len);
    free(fill);
    ck_assert_uint_lt(n, sizeof(s));
    for (size_t i = 0; i < n; i++)
        s[i] = (char)((volatile unsigned char *)c->p)[i * c->pg];
    s[n] = '\0';
    return s;
}

static void cow_unmap(struct cow *c)
{
    munmap(c->p, c->len);
    close(c->fd);
}

START_TEST(test_touch_structs)
{
    struct cow c;

    /* physinfo straddling pages 1 and 2. */
    cow_map(&c, 4);
    ck_assert_int_eq(mica_physinfo((void *)(c.p + 2 * c.pg - 40)), 0);
    ck_assert_str_eq(pages(&c), "BAAB");
    cow_unmap(&c);

    /* domain_info at the very end of page 2. */
    cow_map(&c, 4);
    ck_assert_int_eq(mica_domain_info(1, (void *)(c.p + 3 * c.pg -
                     sizeof(struct mica_domain_info))), 0);
    ck_assert_str_eq(pages(&c), "BBAB");
    cow_unmap(&c);
}
END_TEST

START_TEST(test_touch_list)
{
    struct cow c;

    /* From byte 16 of page 1, one entry more than three pages hold runs
     * into page 4. */
    cow_map(&c, 6);
    unsigned max = (unsigned)(3 * c.pg / sizeof(struct mica_domain_info)) + 1;
    ck_assert_int_eq(mica_domain_list((void *)(c.p + c.pg + 16), max), 0);
    ck_assert_str_eq(pages(&c), "BAAAAB");
    cow_unmap(&c);
}
END_TEST

START_TEST(test_touch_console_cursor)
{
    struct cow c;

    /* Two pages of buffer, and the cursor on page 4: both are written,
     * and the cursor keeps the value it had ("AAAAAAAA" from the file). */
    cow_map(&c, 6);
    uint64_t *pos = (uint64_t *)(c.p + 4 * c.pg + 8);
    ck_assert_int_eq(mica_console_read(1, c.p + c.pg, 2 * c.pg, pos), 0);
    ck_assert_str_eq(pages(&c), "BAABAB");
    ck_assert_uint_eq(*pos, 0x4141414141414141ull);
    cow_unmap(&c);

    cow_map(&c, 6);
    pos = (uint64_t *)(c.p + 8);
    ck_assert_int_eq(mica_dmesg(c.p + 3 * c.pg + 1, c.pg, pos), 0);
    ck_assert_str_eq(pages(&c), "ABBAAB");
    ck_assert_uint_eq(*pos, 0x4141414141414141ull);
    cow_unmap(&c);
}
END_TEST

START_TEST(test_touch_copy_from)
{
    struct cow c;

    /* One byte, the last of page 1; and an empty copy touches nothing. */
    cow_map(&c, 3);
    ck_assert_int_eq(mica_copy_from_domain(1, 0, c.p + 2 * c.pg - 1, 1), 0);
    ck_assert_int_eq(mica_copy_from_domain(1, 0, c.p, 0), 0);
    ck_assert_str_eq(pages(&c), "BAB");
    cow_unmap(&c);
}
END_TEST

/* Buffers mica only reads are never written: they may be const, or a
 * read-only mapping of a kernel image. */
START_TEST(test_inputs_not_written)
{
    struct cow c;

    cow_map(&c, 4);
    ck_assert_int_eq(mica_copy_to_domain(1, 0, c.p + c.pg, 2 * c.pg), 0);
    ck_assert_int_eq(mica_console_write(1, c.p, 10), 0);
    ck_assert_int_eq(mica_domain_create((void *)(c.p + 3 * c.pg)), 0);
    ck_assert_int_eq(mica_vcpu_set_state(1, 0, (void *)(c.p + 3 * c.pg)),
                     0);
    ck_assert_uint_eq(last.args[2], P(c.p + 3 * c.pg));
    ck_assert_str_eq(pages(&c), "BBBB");
    cow_unmap(&c);
}
END_TEST

Suite *libmica_suite(void)
{
    Suite *s = suite_create("libmica");
    TCase *tc = tcase_create("calls");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_every_operation_covered);
    tcase_add_loop_test(tc, test_marshal, 0, NR_CALLS);
    tcase_add_loop_test(tc, test_errno_at_edge, 0, NR_CALLS);
    tcase_add_test(tc, test_errno_range);
    tcase_add_test(tc, test_byte_counts_not_truncated);
    suite_add_tcase(s, tc);

    tc = tcase_create("open");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_open_matching_major);
    tcase_add_test(tc, test_open_other_major);
    tcase_add_test(tc, test_open_no_answer);
    tcase_add_test(tc, test_open_refused);
    tcase_add_test(tc, test_calls_need_open);
    tcase_add_test(tc, test_open_not_root);
    suite_add_tcase(s, tc);

    tc = tcase_create("touch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_touch_structs);
    tcase_add_test(tc, test_touch_list);
    tcase_add_test(tc, test_touch_console_cursor);
    tcase_add_test(tc, test_touch_copy_from);
    tcase_add_test(tc, test_inputs_not_written);
    suite_add_tcase(s, tc);
    return s;
}
