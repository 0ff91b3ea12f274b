/* isolation: roles, one per domain.
 *   role=canary fills its RAM with a canary, yields `rounds` times (4 by
 *     default) so that the probes run, then checks that every word is
 *     intact (SUCCESS) or not (FAILURE).
 *   role=probe-read / role=probe-write first looks for the canary in its own
 *     RAM (it must not find it: mica gives each domain zeroed frames of its
 *     own), then reads or writes guest-physical addresses past its RAM, up
 *     to 4 GiB (where a broken second-level map would show another
 *     domain's frames).  As under Xen, such reads give all ones and writes
 *     vanish (docs/abi.md); the canary sees none of them.  probe-read also
 *     runs the MOV forms against the absent HPET and IO-APIC (mmio.c).
 *   role=probe-exec jumps to guest-physical memory nothing backs,
 *     role=probe-lock runs an instruction there that mica does not
 *     emulate, and role=probe-walk turns on paging with a page table there
 *     and reads through it: mica crashes each (its log names why). */
#include "guest.h"
#include "isolation.h"

#define CANARY  0x5ca1ab1eu
#define SCRIBBLE 0xdeadbeefu
#define STEP    0x800000u       /* between two addresses of the sweep */

/* The first page after the kernel and after the start_info page (which
 * holds the command line and memory map: the only non-zero data a fresh
 * domain should have beyond its image). */
static uint32_t *ram_begin(void)
{
    uintptr_t a = ((uintptr_t)_end + 4095) & ~(uintptr_t)4095;
    uintptr_t si = ((uintptr_t)start_info & ~(uintptr_t)4095) + 4096;

    return (uint32_t *)(a > si ? a : si);
}

/* Whether the memory map names the address (RAM, or the reserved pages of
 * the console and store rings): the sweep leaves those out. */
static bool in_memmap(uint32_t a)
{
    const struct hvm_memmap_table_entry *m =
        (const void *)(uintptr_t)start_info->memmap_paddr;

    for (uint32_t i = 0; i < start_info->memmap_entries; i++)
        if (a >= m[i].addr && a - m[i].addr < m[i].size)
            return true;
    return false;
}

/* The n-th address of the sweep: just past RAM first (the page after its
 * last), then one word every STEP up to 4 GiB at shifting offsets in the
 * page; 0 when done. */
static uint32_t sweep_addr(unsigned n)
{
    uint64_t a = ram_size() + 0x1000;

    if (n)
        a = ram_size() + (uint64_t)n * STEP + ((n * 0x1234u) & 0xffc);
    return a < 0x100000000ull ? (uint32_t)a : 0;
}

static enum verdict canary(const char *cmdline)
{
    uint32_t *p = ram_begin(), *end = (uint32_t *)(uintptr_t)ram_size();
    unsigned long bad = 0, rounds = 4;
    char arg[16];

    if (cmdline_value(cmdline, "rounds", arg, sizeof(arg))) {
        rounds = 0;
        for (const char *s = arg; *s >= '0' && *s <= '9'; s++)
            rounds = rounds * 10 + (unsigned long)(*s - '0');
    }
    for (uint32_t *q = p; q < end; q++)
        *q = CANARY;
    printf("canary: %u KiB filled\n", (unsigned)((end - p) * 4 / 1024));
    /* Each round looks over every word (which takes a while) and lets the
     * others run. */
    for (unsigned long r = 0; r < rounds; r++) {
        sched_yield();
        bad = 0;
        for (uint32_t *q = p; q < end; q++)
            bad += *q != CANARY;
    }
    printf("canary: %lu words changed\n", bad);
    return bad ? FAILURE : SUCCESS;
}

static bool own_ram_clean(void)
{
    uint32_t *p = ram_begin(), *end = (uint32_t *)(uintptr_t)ram_size();
    unsigned long found = 0, nonzero = 0;

    for (uint32_t *q = p; q < end; q++) {
        found += *q == CANARY;
        nonzero += *q != 0;
    }
    printf("probe: %lu canary words, %lu non-zero words in own RAM\n", found, nonzero);
    return !found && !nonzero;
}

/* Reads every address of the sweep: each must give all ones. */
static void sweep_read(const char *when)
{
    unsigned long n = 0, ones = 0, canaries = 0, scribbles = 0;
    uint32_t a, last = 0;

    for (unsigned i = 0; (a = sweep_addr(i)); i++) {
        uint32_t v;

        if (in_memmap(a))
            continue;
        v = *(volatile uint32_t *)(uintptr_t)a;
        n++;
        last = a;
        ones += v == 0xffffffffu;
        canaries += v == CANARY;
        scribbles += v == SCRIBBLE;
        if (v != 0xffffffffu && n - ones <= 4)
            printf("CHECK-FAIL: guest-physical %#x reads %#x\n", a, v);
    }
    printf("probe: %s: %lu words read from %#x to %#x, %lu all ones, %lu canary, %lu written\n",
           when, n, sweep_addr(0), last, ones, canaries, scribbles);
    CHECK(n > 400 && ones == n, "reads outside RAM must give all ones");
}

static void sweep_write(void)
{
    unsigned long n = 0;
    uint32_t a;

    for (unsigned i = 0; (a = sweep_addr(i)); i++) {
        if (in_memmap(a))
            continue;
        *(volatile uint32_t *)(uintptr_t)a = SCRIBBLE;
        n++;
    }
    printf("probe: %lu words written outside RAM, the guest went on\n", n);
}

static enum verdict probe(bool write)
{
    if (!own_ram_clean())
        return FAILURE;
    if (write) {
        sweep_write();
        sweep_read("after the writes");
    } else {
        sweep_read("reads");
        mmio_forms();
    }
    return check_failures ? FAILURE : SUCCESS;
}

static enum verdict probe_exec(void)
{
    printf("probe: calling guest-physical %#x, outside RAM\n", OUTSIDE);
    ((void (*)(void))(uintptr_t)OUTSIDE)();
    printf("probe: the call outside RAM returned\n");
    return FAILURE;
}

static enum verdict probe_lock(void)
{
    printf("probe: lock incl of guest-physical %#x, outside RAM\n", OUTSIDE);
    __asm__ volatile("lock incl " OUTSIDE_STR ::: "memory");
    printf("probe: the locked increment outside RAM went on\n");
    return FAILURE;
}

static uint32_t walk_pd[1024] __attribute__((aligned(4096)));

/* 32-bit paging: the first 4 MiB page maps the RAM as it is, the next
 * 4 MiB go through a page table at OUTSIDE.  The read at 4 MiB faults
 * while the CPU walks the tables, not at the operand's address. */
static enum verdict probe_walk(void)
{
    walk_pd[0] = 0x83;                      /* P, W, PS: 4 MiB at 0 */
    walk_pd[1] = OUTSIDE | 0x3;             /* P, W: a table nothing backs */
    printf("probe: paging on, reading 0x400000 through a page table at %#x\n", OUTSIDE);
    __asm__ volatile("movl %%cr4, %%eax\n"
                     "orl $0x10, %%eax\n"   /* PSE */
                     "movl %%eax, %%cr4\n"
                     "movl %0, %%cr3\n"
                     "movl %%cr0, %%eax\n"
                     "orl $0x80000000, %%eax\n"
                     "movl %%eax, %%cr0\n"
                     "movl 0x400000, %%eax"
                     : : "r"(walk_pd) : "eax", "memory");
    printf("probe: the read through the missing page table went on\n");
    return FAILURE;
}

enum verdict test_main(const char *cmdline)
{
    char role[32];

    if (!cmdline_value(cmdline, "role", role, sizeof(role)))
        return ERROR;
    if (ram_size() > OUTSIDE)
        return ERROR;
    if (!strcmp(role, "canary"))
        return canary(cmdline);
    if (!strcmp(role, "probe-read"))
        return probe(false);
    if (!strcmp(role, "probe-write"))
        return probe(true);
    if (!strcmp(role, "probe-exec"))
        return probe_exec();
    if (!strcmp(role, "probe-lock"))
        return probe_lock();
    if (!strcmp(role, "probe-walk"))
        return probe_walk();
    return ERROR;
}
