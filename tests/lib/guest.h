/* The small runtime of mica's test guests: Xen discovery through CPUID,
 * the hypercall page, console output and shutdown, and the verdict line
 * the test harness reads ("Test result: SUCCESS|FAILURE|SKIP|ERROR"). */
#ifndef TEST_GUEST_H
#define TEST_GUEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <xen/hvm/start_info.h>

extern const struct hvm_start_info *start_info;
extern char _end[];

/* Each test provides this; it returns its verdict. */
enum verdict { SUCCESS, FAILURE, SKIP, ERROR };
enum verdict test_main(const char *cmdline);

long hypercall2(unsigned int nr, unsigned long a1, unsigned long a2);
long hypercall3(unsigned int nr, unsigned long a1, unsigned long a2,
                unsigned long a3);

void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void shutdown(unsigned int reason) __attribute__((noreturn));
void sched_yield(void);
/* The guest's RAM size, from the start_info memory map. */
uint64_t ram_size(void);
/* Finds "key=value" in the command line; false if absent. */
bool cmdline_value(const char *cmdline, const char *key, char *buf, size_t n);
/* A decimal "key=N" from the command line; dflt if absent. */
unsigned long cmdline_ulong(const char *cmdline, const char *key, unsigned long dflt);

/* Checks that do not stop the test: each failure prints a CHECK-FAIL line
 * and counts; a test ends with FAILURE if check_failures is not zero. */
extern int check_failures;
#define CHECK(cond, ...) do {                       \
        if (!(cond)) {                              \
            printf("CHECK-FAIL: " __VA_ARGS__);     \
            printf("\n");                           \
            check_failures++;                       \
        }                                           \
    } while (0)

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* One reading of a pvclock record (Xen's vcpu_time_info), taken with the
 * version protocol: system time in ns, the TSC it was computed from, and
 * the (even) version seen. */
struct vcpu_time_info;
struct pvclock_sample {
    uint64_t ns, tsc;
    uint32_t version;
};
struct pvclock_sample pvclock_read(const volatile struct vcpu_time_info *t);
/* (a * mul) >> 32: pvclock's scale applied to a shifted TSC delta. */
uint64_t pvclock_mul_frac(uint64_t a, uint32_t mul);

void *memset(void *d, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
