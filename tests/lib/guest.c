/* Test-guest runtime: see guest.h. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/console_io.h>
#include <xen/sched.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

const struct hvm_start_info *start_info;
int check_failures;
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));

long hypercall2(unsigned int nr, unsigned long a1, unsigned long a2)
{
    long ret;
    unsigned long b, c;

    __asm__ volatile("call *%[entry]"
                     : "=a"(ret), "=b"(b), "=c"(c)
                     : [entry] "D"(hypercall_page + nr * 32), "1"(a1), "2"(a2)
                     : "memory", "edx", "esi");
    return ret;
}

long hypercall3(unsigned int nr, unsigned long a1, unsigned long a2,
                unsigned long a3)
{
    long ret;
    unsigned long b, c, d;

    __asm__ volatile("call *%[entry]"
                     : "=a"(ret), "=b"(b), "=c"(c), "=d"(d)
                     : [entry] "D"(hypercall_page + nr * 32), "1"(a1), "2"(a2),
                       "3"(a3)
                     : "memory", "esi");
    return ret;
}

static void outb_e9(const char *s)
{
    for (; *s; s++)
        __asm__ volatile("outb %0, $0xe9" : : "a"(*s));
}

/* Finds Xen's leaves (they may sit at any 0x100 step up to 0x40010000) and
 * installs the hypercall page through the MSR that leaf +2 names. */
static bool find_xen(void)
{
    for (uint32_t base = XEN_CPUID_FIRST_LEAF; base < 0x40010000; base += 0x100) {
        uint32_t a, b, c, d;

        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base), "c"(0));
        if (b != XEN_CPUID_SIGNATURE_EBX || c != XEN_CPUID_SIGNATURE_ECX ||
            d != XEN_CPUID_SIGNATURE_EDX || a < base + 2)
            continue;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base + 2), "c"(0));
        __asm__ volatile("wrmsr" : : "c"(b), "a"((uint32_t)(uintptr_t)hypercall_page), "d"(0));
        return hypercall_page[0] != 0;
    }
    return false;
}

void printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    /* Xen refuses console_io to unprivileged domains in release builds:
     * its HVM debug port takes the text instead. */
    if (hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, (unsigned long)n,
                   (unsigned long)buf) < 0)
        outb_e9(buf);
}

void shutdown(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };

    hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&s);
    for (;;)
        __asm__ volatile("hlt");
}

void sched_yield(void)
{
    hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
}

uint64_t ram_size(void)
{
    const struct hvm_memmap_table_entry *m =
        (const void *)(uintptr_t)start_info->memmap_paddr;
    uint64_t top = 0;

    for (uint32_t i = 0; i < start_info->memmap_entries; i++)
        if (m[i].type == XEN_HVM_MEMMAP_TYPE_RAM && m[i].addr + m[i].size > top)
            top = m[i].addr + m[i].size;
    return top;
}

bool cmdline_value(const char *s, const char *key, char *buf, size_t n)
{
    size_t k = strlen(key);

    while (*s) {
        while (*s == ' ')
            s++;
        if (!strncmp(s, key, k) && s[k] == '=') {
            size_t i = 0;

            for (s += k + 1; *s && *s != ' ' && i + 1 < n; s++)
                buf[i++] = *s;
            buf[i] = '\0';
            return true;
        }
        while (*s && *s != ' ')
            s++;
    }
    return false;
}

unsigned long cmdline_ulong(const char *cmdline, const char *key, unsigned long dflt)
{
    char buf[24];
    unsigned long v = 0;

    if (!cmdline_value(cmdline, key, buf, sizeof(buf)))
        return dflt;
    for (const char *s = buf; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (unsigned long)(*s - '0');
    return v;
}

void guest_start(const struct hvm_start_info *si);
void guest_start(const struct hvm_start_info *si)
{
    static const char *const names[] = { "SUCCESS", "FAILURE", "SKIP", "ERROR" };
    enum verdict v;

    start_info = si;
    if (!find_xen()) {
        outb_e9("Test result: ERROR (no Xen CPUID leaves or hypercall page)\n");
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    if (si->magic != XEN_HVM_START_MAGIC_VALUE) {
        printf("start_info magic is %#x\n", si->magic);
        v = ERROR;
    } else {
        v = test_main(si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "");
    }
    printf("Test result: %s\n", names[v]);
    shutdown(v == SUCCESS || v == SKIP ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}
