/* hello: the smallest useful guest.  It checks what the PVH start gives it
 * (magic, version, command line, memory map), writes through console_io
 * and shuts down with a reason.  With echo=1 it then reads lines from its
 * console ring's input half (what `xm console` passes on) and prints each
 * back, until the line "quit".  With delay_ms=N it first waits, yielding,
 * until mica's system time (its pvclock) has passed N ms. */
#include "guest.h"
#include "events.h"
#include <xen/xen.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/io/console.h>

/* Echoes typed lines ("echo: LINE"); CR or LF ends one, empty ones are
 * skipped.  It polls the ring, yielding between looks: the test guests
 * take no events here. */
static enum verdict echo_lines(void)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_PARAM_CONSOLE_PFN };
    volatile struct xencons_interface *r;
    char line[80];
    size_t n = 0;

    if (hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param, (unsigned long)&p) || !p.value) {
        printf("echo: no console ring\n");
        return FAILURE;
    }
    r = (volatile struct xencons_interface *)(uintptr_t)(p.value << 12);
    printf("echo: ready\n");
    for (;;) {
        XENCONS_RING_IDX cons = r->in_cons;
        XENCONS_RING_IDX prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);
        bool quit = false;

        if (prod - cons > sizeof(r->in)) {
            printf("echo: input producer %u is past the ring (consumer %u)\n", prod, cons);
            return FAILURE;
        }
        if (cons == prod) {
            sched_yield();
            continue;
        }
        while (cons != prod && !quit) {
            char c = r->in[MASK_XENCONS_IDX(cons, r->in)];

            cons++;
            if (c != '\r' && c != '\n') {
                if (n < sizeof(line) - 1)
                    line[n++] = c;
                continue;
            }
            if (!n)
                continue;
            line[n] = '\0';
            n = 0;
            printf("echo: %s\n", line);
            quit = strcmp(line, "quit") == 0;
        }
        __atomic_store_n(&r->in_cons, cons, __ATOMIC_RELEASE);
        if (quit)
            return SUCCESS;
    }
}

/* Yields until system time passes `ms` milliseconds. */
static enum verdict delay(unsigned long ms)
{
    long rc = events_init();

    if (rc) {
        printf("delay: cannot map shared_info: %ld\n", rc);
        return FAILURE;
    }
    while (pvclock_read(&my_vcpu_info->time).ns < (uint64_t)ms * 1000000)
        sched_yield();
    return SUCCESS;
}

enum verdict test_main(const char *cmdline)
{
    uint64_t ram = ram_size();
    unsigned long delay_ms = cmdline_ulong(cmdline, "delay_ms", 0);
    char who[32];

    if (delay_ms && delay(delay_ms) != SUCCESS)
        return FAILURE;

    printf("Hello from a mica guest! start_info v%u, %u KiB RAM, cmdline '%s'\n",
           start_info->version, (unsigned)(ram >> 10), cmdline);
    if (start_info->version < 1 || !start_info->memmap_entries) {
        printf("no memory map in start_info\n");
        return FAILURE;
    }
    if (ram < (uint64_t)(uintptr_t)_end) {
        printf("RAM (%u KiB) ends below the kernel image\n", (unsigned)(ram >> 10));
        return FAILURE;
    }
    if (cmdline_value(cmdline, "expect_mem", who, sizeof(who))) {
        unsigned long mib = 0;

        for (const char *p = who; *p >= '0' && *p <= '9'; p++)
            mib = mib * 10 + (unsigned long)(*p - '0');
        if (ram != (uint64_t)mib << 20) {
            printf("expected %lu MiB of RAM\n", mib);
            return FAILURE;
        }
    }
    if (cmdline_value(cmdline, "echo", who, sizeof(who)) && strcmp(who, "1") == 0)
        return echo_lines();
    return SUCCESS;
}
