/* fuzz: hypercalls with random numbers and arguments from a seeded PRNG,
 * next to victim domains that must not notice.
 *
 *   role=fuzz iters=N seed=S victims=A,B
 *       N hypercalls (default 200000): numbers 0-63, mostly those mica
 *       implements, and some wild ones; arguments small numbers, huge
 *       ones, and addresses in our scratch RAM, in spare RAM, outside our
 *       RAM, where mica or other domains might be.  It binds an event
 *       channel to each victim first, which tells them when it has ended.
 *       At the end: the count per result, our own image unchanged, and the
 *       hypercalls that must still work.
 *       With ctl=1 (and the module option "ctl") one call in ten rings
 *       the toolstack doorbell instead, with a random operation and
 *       arguments, on domains it made, itself, the victims and others;
 *       at the end it destroys what it made, and free_pages must be what
 *       it was before.
 *   role=victim fuzzer=D
 *       fills its RAM with a pattern, computes and checks it in rounds, and
 *       stops when domain D has bound the port it offers and gone; every
 *       word must be as it left it.
 *
 * What the fuzzer must not do to itself, and how it avoids it:
 *   - pages 0-15 are made holes first (shared_info passes through them),
 *     so that small numbers taken for addresses find nothing;
 *   - its image, stack and start_info (0x90000 to 2 MiB) are never passed:
 *     every number it makes up stays out of [0x90000, 4 MiB) as an address
 *     and out of [0x90, 0x400) as a frame number, and addresses in its
 *     scratch RAM (2-4 MiB) are passed only in registers;
 *   - so mica is never told to put shared_info, vcpu_info, the runstate
 *     area or a memory map in the scratch RAM or the image, and the
 *     scratch RAM, which the fuzzer rewrites before each call, never
 *     becomes a hole;
 *   - an argument in scratch RAM is 256 fresh bytes of such numbers,
 *     written just before the call, so no structure mica reads there holds
 *     anything else; spare RAM (4 MiB up), where mica writes what it is
 *     asked to, and the console and store rings are passed only to
 *     xen_version and hvm_op, which read no addresses; shared_info and
 *     grant table frames move only to spare RAM or past our RAM;
 *   - SCHEDOP_shutdown, VCPUOP_down of vCPU 0 and VCPUOP_up of the others
 *     (it has two; vCPU 1 stays down, VCPUOP_initialise may give it any
 *     state mica accepts) are skipped,
 *     SCHEDOP_block gets a timer that has already expired (and is skipped
 *     once VIRQ_TIMER may be bound, as a masked port would not wake it),
 *     SCHEDOP_poll a timeout in the next millisecond, never none;
 *   - console writes only ever fail or write nothing;
 *   - the victims' channels are never closed or reset.
 * It runs with interrupts off and no IDT: upcalls are never delivered. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <mica/ctl.h>

#define PROT_LO     0x90000u            /* the image and its guard */
#define SCRATCH_LO  0x200000u
#define SCRATCH_HI  0x400000u
#define LOW_HOLES   0x10000u            /* pages 0-15: not mapped */
#define MAX_VICTIMS 4
#define MS          1000000ull
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The start of our image and the end of its code, read-only data and
 * notes (tests/lib/guest.ld). */
extern const uint8_t _start[], _image_ro_end[];

static uint32_t rng;

/* xorshift32: one sequence per seed, so a failure can be replayed. */
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint32_t ram_top;
static uint16_t self_id, victim_id[MAX_VICTIMS];
static evtchn_port_t victim_port[MAX_VICTIMS];
static unsigned int nvictims;

/* Our own copy of the hypercall page (tests/lib keeps its own), so that
 * any number can go through the stub of hypercall 0: its VMCALL or
 * VMMCALL takes the number from EAX, past the page's 128 too. */
static uint8_t fuzz_hcall_page[4096] __attribute__((aligned(4096)));
static void *stub;

static bool install_page(void)
{
    for (uint32_t base = XEN_CPUID_FIRST_LEAF; base < 0x40010000; base += 0x100) {
        uint32_t a, b, c, d;

        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base), "c"(0));
        if (b != XEN_CPUID_SIGNATURE_EBX || c != XEN_CPUID_SIGNATURE_ECX ||
            d != XEN_CPUID_SIGNATURE_EDX || a < base + 2)
            continue;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base + 2), "c"(0));
        __asm__ volatile("wrmsr" : : "c"(b), "a"((uint32_t)(uintptr_t)fuzz_hcall_page), "d"(0));
        stub = fuzz_hcall_page + 5;     /* past "mov $0, %eax" */
        return fuzz_hcall_page[0] == 0xb8;
    }
    return false;
}

static long raw_hypercall(uint32_t nr, const uint32_t a[5])
{
    long ret;
    uint32_t b, c, d, s, di;

    __asm__ volatile("call *%[entry]"
                     : "=a"(ret), "=b"(b), "=c"(c), "=d"(d), "=S"(s), "=D"(di)
                     : [entry] "m"(stub), "a"(nr), "1"(a[0]), "2"(a[1]), "3"(a[2]),
                       "4"(a[3]), "5"(a[4])
                     : "memory");
    return ret;
}

/* A number that names neither our image nor our scratch RAM, as an
 * address or as a frame. */
static bool safe(uint32_t v)
{
    return !(v >= PROT_LO && v < SCRATCH_HI) && !(v >= (PROT_LO >> 12) && v < (SCRATCH_HI >> 12));
}

/* Spare RAM: ours, above the scratch RAM, never touched by us, where mica
 * may write or map things. */
static uint32_t spare_addr(void)
{
    return SCRATCH_HI + rnd() % (ram_top - SCRATCH_HI);
}

/* Interesting numbers that are safe (see safe()). */
static uint32_t value(void)
{
    static const uint32_t wild[] = {
        0xffffffffu, 0xfffffffeu, 0x80000000u, 0x7fffffffu, 0xfffff000u, 0x7ff0,
        0x7fff, 0xffff, 0x10000, 0x20000000u, 0x1ffe0000u, 0x10000000u,
        0xc0000000u, 0xfee00000u, 0xfec00000u, 0xfeffc000u, 0xfefff000u,
        0xfeff8, 0xfefff, 0xff000, 0x100000, 0x40000000u, 0xa0000, 0xf0000,
    };
    uint32_t v;

    do {
        switch (rnd() % 8) {
        case 0: case 1:
            v = rnd() % 16;
            break;
        case 2:
            v = rnd() % 0x90;
            break;
        case 3:
            v = wild[rnd() % (sizeof(wild) / sizeof(wild[0]))];
            break;
        case 4:
            v = spare_addr() & (rnd() & 1 ? ~0xfffu : ~3u);
            break;
        case 5:
            v = (spare_addr() >> 12) + (rnd() & 1 ? 0 : ram_top >> 12);
            break;
        case 6:
            /* Domain IDs: DOMID_SELF, ours, the victims', none. */
            v = rnd() & 1 ? DOMID_SELF : (rnd() & 1) && nvictims ?
                victim_id[rnd() % nvictims] : rnd() & 1 ? self_id : 0;
            break;
        default:
            v = rnd();
            break;
        }
    } while (!safe(v));
    return v;
}

/* An address for a register argument. */
static uint32_t address(bool spare_ok)
{
    uint32_t v;

    switch (rnd() % 8) {
    case 0: case 1: case 2: case 3:
        return SCRATCH_LO + (rnd() % (SCRATCH_HI - SCRATCH_LO - 256) & ~3u);
    case 4:
        if (spare_ok)
            return spare_addr();
        /* fall through */
    default:
        do
            v = value();
        while (v < ram_top && v >= SCRATCH_LO);   /* not spare unless asked */
        return v < PROT_LO && !spare_ok ? ram_top + (v << 12) : v;
    }
}

static bool in_scratch(uint32_t a)
{
    return a >= SCRATCH_LO && a < SCRATCH_HI - 256;
}

/* Mapped memory whose contents we do not control: spare RAM, and the
 * console and store rings (which anything may have written to). */
static bool uncontrolled(uint32_t a)
{
    return (a >= LOW_HOLES && a < ram_top && !in_scratch(a)) ||
           (a >= (MICA_SPECIAL_GFN << 12) && a < ((MICA_SPECIAL_GFN + MICA_SPECIAL_PAGES) << 12));
}

static void fresh(uint32_t addr)
{
    uint32_t *p = (uint32_t *)(uintptr_t)addr;

    for (unsigned i = 0; i < 64; i++)
        p[i] = value();
}


/* The system time now, or nearly (runstate entry time). */
static uint64_t system_time(void)
{
    static uint32_t rs[11];
    uint32_t a[5] = { VCPUOP_get_runstate_info, 0, (uint32_t)(uintptr_t)rs, 0, 0 };

    if (raw_hypercall(__HYPERVISOR_vcpu_op, a) != 0)
        return 0;
    return rs[1] | ((uint64_t)rs[2] << 32);
}

static unsigned long counts[129], positive, skipped, sanitised;
static bool with_ctl;
static bool timer_virq_maybe;

/* Fixes up what must not be done as is; false: skip the call. */
static bool sanitise(uint32_t nr, uint32_t a[5])
{
    uint32_t *s0 = in_scratch(a[0]) ? (uint32_t *)(uintptr_t)a[0] : NULL;
    uint32_t *s1 = in_scratch(a[1]) ? (uint32_t *)(uintptr_t)a[1] : NULL;
    uint32_t evcmd = a[0], *ev = s1;

    switch (nr) {
    case __HYPERVISOR_console_io:
        /* Nothing may appear on the console: no count, a count mica
         * refuses, or an address outside our RAM. */
        if (a[0] == CONSOLEIO_write) {
            sanitised++;
            switch (rnd() % 3) {
            case 0: a[1] = 0; break;
            case 1: a[1] = (1u << 20) + 1 + rnd() % 1000; break;
            default:
                a[1] = rnd() % 8192;
                a[2] = ram_top + (rnd() % 0x1000) * 4096;
                break;
            }
        }
        return true;
    case __HYPERVISOR_sched_op:
        if (a[0] == SCHEDOP_shutdown) {
            skipped++;
            return false;
        }
        if (a[0] == SCHEDOP_block) {
            uint32_t t[5] = { 1, 0, 0, 0, 0 };      /* deadline 1 ns: past */

            if (timer_virq_maybe) {
                skipped++;
                return false;
            }
            sanitised++;
            raw_hypercall(__HYPERVISOR_set_timer_op, t);
            return true;
        }
        if (a[0] == SCHEDOP_poll && s1) {
            uint64_t when = system_time() + rnd() % MS;

            sanitised++;
            s1[1] = rnd() % 4 == 0 ? value() : rnd() % 4;
            s1[2] = (uint32_t)when | 1;
            s1[3] = (uint32_t)(when >> 32);
        } else if (a[0] == SCHEDOP_poll) {
            /* Anywhere else the timeout could read as none. */
            a[1] = ram_top + (rnd() % 0x1000) * 4096;
        }
        return true;
    case __HYPERVISOR_memory_op:
        /* shared_info goes to spare RAM, past our RAM, or nowhere (the
         * frame is refused): never where we are, never into the low holes. */
        if ((a[0] & 0x3f) == XENMEM_add_to_physmap && s1) {
            /* With the doorbell's free_pages to check, no new frame (and so
             * no new second-level table of ours) past our RAM. */
            unsigned int r = rnd() % 3;

            sanitised++;
            switch (with_ctl && r == 1 ? 0 : r) {
            case 0: s1[3] = spare_addr() >> 12; break;
            case 1: s1[3] = (ram_top >> 12) + rnd() % 0x1000; break;
            default: s1[3] = value() | 0x100000; break;
            }
        }
        return true;
    case __HYPERVISOR_vcpu_op:
        /* vCPU 1 is down and stays down: started with a state of ours it
         * would run whatever is there. */
        if ((a[0] == VCPUOP_down && a[1] == 0) || (a[0] == VCPUOP_up && a[1] != 0)) {
            skipped++;
            return false;
        }
        return true;
    case __HYPERVISOR_event_channel_op_compat:
        if (!s0)
            return true;
        evcmd = s0[0] = rnd() % 4 ? rnd() % 14 : value();
        ev = s0 + 2;
        /* fall through */
    case __HYPERVISOR_event_channel_op:
        if (!ev)
            return true;
        if (evcmd == EVTCHNOP_close || evcmd == EVTCHNOP_reset) {
            for (unsigned i = 0; i < nvictims; i++) {
                if (evcmd == EVTCHNOP_close && ev[0] == victim_port[i]) {
                    ev[0] = victim_port[i] + 100;
                    sanitised++;
                }
            }
            if (evcmd == EVTCHNOP_reset &&
                ((ev[0] & 0xffff) == DOMID_SELF || (ev[0] & 0xffff) == self_id)) {
                ev[0] = (ev[0] & ~0xffffu) | (nvictims ? victim_id[0] : 999u);
                sanitised++;
            }
        }
        return true;
    default:
        return true;
    }
}

/* The hypercall numbers mica implements, to be chosen often. */
static const uint32_t known[] = {
    __HYPERVISOR_memory_op, __HYPERVISOR_set_timer_op, __HYPERVISOR_xen_version,
    __HYPERVISOR_console_io, __HYPERVISOR_sched_op, __HYPERVISOR_vcpu_op,
    __HYPERVISOR_hvm_op, __HYPERVISOR_event_channel_op,
    __HYPERVISOR_event_channel_op_compat, __HYPERVISOR_grant_table_op,
};

static uint32_t number(void)
{
    uint32_t r = rnd() % 100;

    if (r < 60)
        return known[rnd() % (sizeof(known) / sizeof(known[0]))];
    if (r < 90)
        return rnd() % 64;
    switch (rnd() % 4) {
    case 0: return 64 + rnd() % 64;
    case 1: return 0xffffffffu - rnd() % 4;
    case 2: return 0x80000000u + rnd() % 64;
    default: return rnd();
    }
}

/* A first argument: for the known hypercalls mostly a real command. */
static uint32_t command(uint32_t nr)
{
    if (rnd() % 8 == 0)
        return value();
    switch (nr) {
    case __HYPERVISOR_memory_op: return rnd() % 16 | (rnd() % 8 == 0 ? rnd() << 6 : 0);
    case __HYPERVISOR_xen_version: return rnd() % 16;
    case __HYPERVISOR_console_io: return rnd() % 3;
    case __HYPERVISOR_sched_op: return rnd() % 8;
    case __HYPERVISOR_vcpu_op: return rnd() % 16;
    case __HYPERVISOR_hvm_op: return rnd() % 26;
    case __HYPERVISOR_event_channel_op: return rnd() % 14;
    case __HYPERVISOR_grant_table_op: return rnd() % 13;
    case __HYPERVISOR_set_timer_op: return rnd() & 1 ? rnd() : value();
    default: return value();
    }
}

static uint32_t checksum(const uint8_t *p, const uint8_t *end)
{
    uint32_t h = 2166136261u;

    for (; p < end; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static long evtchn(unsigned int cmd, void *a)
{
    return hypercall2(__HYPERVISOR_event_channel_op, cmd, (unsigned long)a);
}

/* watch=1: after each call, look whether the victims' channels are still
 * there, and stop at the first call that broke one (for finding out what
 * the fuzzer did to itself; twice as slow). */
static unsigned long watch;

static bool channels_broken(void)
{
    for (unsigned i = 0; i < nvictims; i++) {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = victim_port[i] };

        if (evtchn(EVTCHNOP_status, &st) || st.status != EVTCHNSTAT_interdomain)
            return true;
    }
    return false;
}

/* ---- The doorbell, for a fuzzer started with "ctl" ----------------------- */

#define POOL 6

static long doorbell(uint32_t op, const uint32_t a[5])
{
    long ret;
    uint32_t b, c, d, s, di;

    __asm__ volatile("outl %%eax, %[port]"
                     : "=a"(ret), "=b"(b), "=c"(c), "=d"(d), "=S"(s), "=D"(di)
                     : "a"(op), "1"(a[0]), "2"(a[1]), "3"(a[2]), "4"(a[3]), "5"(a[4]),
                       [port] "i"(MICA_CTL_PORT)
                     : "memory");
    return ret;
}

/* Domains we made through the doorbell, to act on and to destroy. */
static uint32_t pool[POOL];
static unsigned int npool;
static unsigned long ctl_counts[129], ctl_positive, ctl_calls;

static uint32_t some_domain(void)
{
    switch (rnd() % 6) {
    case 0: case 1: case 2:
        if (npool)
            return pool[rnd() % npool];
        /* fall through */
    case 3:
        return self_id;
    case 4:
        return nvictims ? victim_id[rnd() % nvictims] : 0;
    default:
        return value();
    }
}

static void forget(uint32_t id)
{
    for (unsigned i = 0; i < npool; i++)
        if (pool[i] == id)
            pool[i--] = pool[--npool];
}

/* One doorbell call with random arguments.  Nothing we make runs:
 * unpause is never asked (a domain running what we copied in could
 * spin with interrupts off, which Bochs 2.7 never preempts). */
static void ctl_call(void)
{
    uint32_t op = rnd() % 8 ? rnd() % (MICA_CTL_NR + 3) : value(), a[5];
    long rc;

    if (op == MICA_CTL_domain_unpause)
        return;
    a[0] = some_domain();
    for (unsigned k = 1; k < 5; k++)
        a[k] = rnd() & 1 ? address(false) : value();
    if (op == MICA_CTL_domain_create || op == MICA_CTL_dmesg || op == MICA_CTL_physinfo ||
        op == MICA_CTL_domain_list)
        a[0] = address(false);
    for (unsigned k = 0; k < 5; k++) {
        if (in_scratch(a[k]))
            fresh(a[k]);
        else if (uncontrolled(a[k]))
            a[k] = ram_top + (a[k] & 0xffff);
    }
    if (op == MICA_CTL_domain_create) {
        /* Keep the pool small: a domain of at most 2 MiB, most of the
         * time; sometimes the struct as it came. */
        if (npool == POOL) {
            uint32_t d[5] = { pool[rnd() % npool], 0, 0, 0, 0 };

            if (doorbell(MICA_CTL_domain_destroy, d) == 0)
                forget(d[0]);
        }
        if (in_scratch(a[0]) && rnd() % 8) {
            struct mica_domain_create *c = (void *)(uintptr_t)a[0];

            c->name[rnd() % sizeof(c->name)] = '\0';
            c->name[0] = 'f';
            c->memory_kb = 1024 + rnd() % 1024;
            c->vcpus = 1 + rnd() % 4;
            c->flags &= rnd() & 1;
            c->reserved = rnd() % 8 ? 0 : c->reserved;
        }
    }
    rc = doorbell(op, a);
    ctl_calls++;
    if (rc > 0)
        ctl_positive++;
    else if (rc > -128)
        ctl_counts[-rc]++;
    else
        ctl_counts[128]++;
    if (op == MICA_CTL_domain_create && rc > 0)
        pool[npool++] = (uint32_t)rc;
    if (op == MICA_CTL_domain_destroy && rc == 0)
        forget(a[0]);
}

static uint64_t ctl_free_pages(void)
{
    static struct mica_physinfo pi;
    uint32_t a[5] = { (uint32_t)(uintptr_t)&pi, 0, 0, 0, 0 };

    return doorbell(MICA_CTL_physinfo, a) == 0 ? pi.free_pages : 0;
}

static enum verdict fuzz(const char *cmdline)
{
    unsigned long iters = cmdline_ulong(cmdline, "iters", 200000);
    unsigned long seed = cmdline_ulong(cmdline, "seed", 1);
    char vlist[32] = "";
    uint32_t sum0, sum1;
    uint64_t t0, free0 = 0, free1;
    long rc;

    ram_top = (uint32_t)ram_size();
    if ((uintptr_t)_end + 0x2000 > SCRATCH_LO || ram_top < SCRATCH_HI + 0x100000) {
        printf("fuzz: image ends at %p, RAM at %#x: no room\n", (void *)_end, ram_top);
        return ERROR;
    }
    if (!install_page()) {
        printf("fuzz: cannot install a hypercall page\n");
        return ERROR;
    }
    rng = (uint32_t)seed ? (uint32_t)seed : 1;
    self_id = (uint16_t)cmdline_ulong(cmdline, "self", 0);
    cmdline_value(cmdline, "victims", vlist, sizeof(vlist));
    for (const char *s = vlist; *s && nvictims < MAX_VICTIMS;) {
        uint32_t v = 0;

        for (; *s >= '0' && *s <= '9'; s++)
            v = v * 10 + (uint32_t)(*s - '0');
        victim_id[nvictims++] = (uint16_t)v;
        if (*s == ',')
            s++;
        else
            break;
    }
    /* Small numbers taken for addresses must find nothing: move
     * shared_info through pages 0-15, which leaves each a hole, to the
     * top of our RAM. */
    for (uint32_t g = 0; g <= LOW_HOLES >> 12; g++) {
        struct xen_add_to_physmap x = {
            .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
            .gpfn = g < LOW_HOLES >> 12 ? g : (ram_top >> 12) - 1,
        };

        rc = hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&x);
        if (rc) {
            printf("fuzz: shared_info to frame %#x: %ld\n", g, rc);
            return ERROR;
        }
    }
    /* Bind the port each victim offers us: that channel tells it when we
     * have gone. */
    for (unsigned i = 0; i < nvictims; i++) {
        for (unsigned long tries = 0; !victim_port[i]; tries++) {
            for (evtchn_port_t p = 1; p < 16 && !victim_port[i]; p++) {
                struct evtchn_bind_interdomain b = { .remote_dom = victim_id[i], .remote_port = p };

                if (evtchn(EVTCHNOP_bind_interdomain, &b) == 0)
                    victim_port[i] = b.local_port;
            }
            if (tries == 1000000) {
                printf("fuzz: victim d%u offers no port\n", victim_id[i]);
                return ERROR;
            }
            sched_yield();
        }
    }
    /* The grant table at its largest now, so that the calls below, which
     * may grow it, take no frames from the pool the doorbell counts. */
    {
        static xen_pfn_t frames[64];
        struct gnttab_query_size q = { .dom = DOMID_SELF };
        struct gnttab_setup_table st = { .dom = DOMID_SELF };

        rc = hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_query_size,
                        (unsigned long)&q, 1);
        st.nr_frames = q.max_nr_frames;
        set_xen_guest_handle(st.frame_list, frames);
        if (rc || q.status || q.max_nr_frames > 64 ||
            hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table,
                       (unsigned long)&st, 1) || st.status) {
            printf("fuzz: growing the grant table: %ld, %d, %d\n", rc, q.status,
                   st.status);
            return ERROR;
        }
    }
    with_ctl = cmdline_ulong(cmdline, "ctl", 0);
    watch = cmdline_ulong(cmdline, "watch", 0);
    if (with_ctl)
        free0 = ctl_free_pages();
    sum0 = checksum((const uint8_t *)_start, _image_ro_end);
    printf("fuzz: seed %lu, %lu calls, RAM %#x, scratch %#x-%#x, victims %s\n",
           seed, iters, ram_top, SCRATCH_LO, SCRATCH_HI, vlist[0] ? vlist : "none");

    t0 = rdtsc();
    /* i counts the hypercalls made; skipped ones and doorbell calls come
     * on top. */
    for (unsigned long i = 0; i < iters;) {
        uint32_t nr, a[5];
        bool spare_ok;

        if (with_ctl && rnd() % 10 == 0) {
            ctl_call();
            if (watch && channels_broken()) {
                printf("fuzz: a doorbell call after hypercall %lu broke a victim's "
                       "channel\n", i);
                break;
            }
            continue;
        }
        nr = number();
        spare_ok = nr == __HYPERVISOR_xen_version || nr == __HYPERVISOR_hvm_op;

        a[0] = command(nr);
        for (unsigned k = 1; k < 5; k++)
            a[k] = rnd() & 1 ? address(spare_ok) : value();
        /* Sub-commands that take a pointer first (compat evtchn, poll). */
        if (nr == __HYPERVISOR_event_channel_op_compat && rnd() & 1)
            a[0] = address(false);
        for (unsigned k = 0; k < 5; k++) {
            if (in_scratch(a[k]))
                fresh(a[k]);
            /* What mica reads structures from is fresh scratch RAM, or
             * not mapped: spare RAM holds what mica wrote there. */
            else if (!spare_ok && uncontrolled(a[k]))
                a[k] = ram_top + (a[k] & 0xffff);
        }
        if (!sanitise(nr, a))
            continue;
        rc = raw_hypercall(nr, a);
        i++;
        if (watch && channels_broken()) {
            printf("fuzz: call %lu, hypercall %u (%#x %#x %#x %#x %#x) = %ld, broke a "
                   "victim's channel\n", i, nr, a[0], a[1], a[2], a[3], a[4], rc);
            break;
        }
        if (rc > 0)
            positive++;
        else if (rc > -128)
            counts[-rc]++;
        else
            counts[128]++;
        if ((nr == __HYPERVISOR_event_channel_op && a[0] == EVTCHNOP_bind_virq && rc == 0) ||
            nr == __HYPERVISOR_event_channel_op_compat)
            timer_virq_maybe = true;
        if (i % 50000 == 0)
            printf("fuzz: %lu hypercalls\n", i);
    }
    printf("fuzz: %lu hypercalls made in %llu Mcycles (%lu skipped, %lu sanitised), "
           "%lu doorbell calls\n", iters, (unsigned long long)((rdtsc() - t0) >> 20),
           skipped, sanitised, ctl_calls);
    printf("fuzz: results: 0: %lu, >0: %lu, -EPERM %lu, -ENOENT %lu, -ESRCH %lu, "
           "-EFAULT %lu, -EINVAL %lu, -ENOSYS %lu, -EEXIST %lu, -EBUSY %lu, "
           "-ENOMEM %lu, -ETIME %lu\n",
           counts[0], positive, counts[XEN_EPERM], counts[XEN_ENOENT], counts[XEN_ESRCH],
           counts[XEN_EFAULT], counts[XEN_EINVAL], counts[XEN_ENOSYS], counts[XEN_EEXIST],
           counts[XEN_EBUSY], counts[XEN_ENOMEM], counts[XEN_ETIME]);
    for (unsigned e = 1; e < 129; e++) {
        if (!counts[e] || e == XEN_EPERM || e == XEN_ENOENT || e == XEN_ESRCH ||
            e == XEN_EFAULT || e == XEN_EINVAL || e == XEN_ENOSYS || e == XEN_EEXIST ||
            e == XEN_EBUSY || e == XEN_ENOMEM || e == XEN_ETIME)
            continue;
        printf("fuzz: results: %s%u: %lu\n", e == 128 ? "<= -" : "-", e, counts[e]);
    }

    if (with_ctl) {
        printf("fuzz: doorbell: %lu calls: 0: %lu, >0: %lu, -EPERM %lu, -ENOENT %lu, "
               "-ESRCH %lu, -EFAULT %lu, -EINVAL %lu, -ENOSYS %lu, -EEXIST %lu, "
               "-EBUSY %lu, -ENOMEM %lu, -ENODEV %lu, other %lu\n", ctl_calls,
               ctl_counts[0], ctl_positive, ctl_counts[XEN_EPERM], ctl_counts[XEN_ENOENT],
               ctl_counts[XEN_ESRCH], ctl_counts[XEN_EFAULT], ctl_counts[XEN_EINVAL],
               ctl_counts[XEN_ENOSYS], ctl_counts[XEN_EEXIST], ctl_counts[XEN_EBUSY],
               ctl_counts[XEN_ENOMEM], ctl_counts[XEN_ENODEV], ctl_counts[128]);
        /* Every domain we made goes, and all its memory with it. */
        while (npool) {
            uint32_t d[5] = { pool[0], 0, 0, 0, 0 };

            rc = doorbell(MICA_CTL_domain_destroy, d);
            CHECK(rc == 0, "destroying d%u: %ld", pool[0], rc);
            forget(pool[0]);
        }
        for (unsigned long i = 0; (free1 = ctl_free_pages()) != free0 && i < 100000; i++)
            sched_yield();
        CHECK(free1 == free0, "doorbell: free_pages %llu at the end, %llu at the start",
              (unsigned long long)free1, (unsigned long long)free0);
    }
    /* Still ourselves, and mica still answers. */
    sum1 = checksum((const uint8_t *)_start, _image_ro_end);
    CHECK(sum0 == sum1, "our code and read-only data changed: %#x -> %#x", sum0, sum1);
    rc = hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
    CHECK(rc == (4 << 16 | 17), "xen_version after the fuzzing: %#lx", rc);
    for (unsigned i = 0; i < nvictims; i++) {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = victim_port[i] };

        rc = evtchn(EVTCHNOP_status, &st);
        CHECK(rc == 0 && st.status == EVTCHNSTAT_interdomain &&
              st.u.interdomain.dom == victim_id[i],
              "channel to victim d%u: rc %ld status %u", victim_id[i], rc, st.status);
    }
    printf("fuzz: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}

/* ---- The victim ---------------------------------------------------------- */

static struct shared_info shinfo __attribute__((aligned(4096)));

static uint64_t now_ns(void)
{
    return pvclock_read(&shinfo.vcpu_info[0].time).ns;
}

static uint32_t pattern(uint32_t addr, uint32_t salt)
{
    uint32_t x = addr * 2654435761u ^ salt * 40503u;

    return x ^ (x >> 15);
}

static enum verdict victim(const char *cmdline)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
        .gpfn = (xen_pfn_t)((uintptr_t)&shinfo >> 12),
    };
    struct evtchn_alloc_unbound au = {
        .dom = DOMID_SELF, .remote_dom = (domid_t)cmdline_ulong(cmdline, "fuzzer", 1),
    };
    uint32_t lo = ((uint32_t)(uintptr_t)_end + 0x2000 + 0xfff) & ~0xfffu;
    uint32_t hi = (uint32_t)ram_size(), round = 0, bad = 0;
    uint64_t deadline, pages0, words = 0;
    bool bound = false;
    long rc;

    if (hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&xatp) ||
        evtchn(EVTCHNOP_alloc_unbound, &au)) {
        printf("victim: cannot map shared_info or offer a port\n");
        return ERROR;
    }
    {
        domid_t me = DOMID_SELF;

        pages0 = (uint64_t)hypercall2(__HYPERVISOR_memory_op, XENMEM_current_reservation,
                                      (unsigned long)&me);
    }
    for (uint32_t a = lo; a < hi; a += 4)
        *(volatile uint32_t *)(uintptr_t)a = pattern(a, 0);
    printf("victim: %u KiB filled, port %u offered to d%u\n", (hi - lo) >> 10, au.port,
           au.remote_dom);
    deadline = now_ns() + cmdline_ulong(cmdline, "wait", 120) * 1000 * MS;

    for (;;) {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = au.port };
        uint32_t step = 16 * 1024, start = lo + (round * step) % (hi - lo);
        uint64_t next;

        /* One slice a round: still what we wrote. */
        for (uint32_t a = start; a < start + step && a < hi; a += 4) {
            uint32_t w = *(volatile uint32_t *)(uintptr_t)a;

            if (w != pattern(a, 0) && bad++ < 5)
                printf("victim: word at %#x is %#x, wrote %#x\n", a, w, pattern(a, 0));
            words++;
        }
        round++;
        rc = evtchn(EVTCHNOP_status, &st);
        if (rc) {
            printf("victim: status of port %u: %ld\n", au.port, rc);
            return ERROR;
        }
        if (st.status == EVTCHNSTAT_interdomain)
            bound = true;
        else if (bound)
            break;
        else if (now_ns() > deadline) {
            printf("victim: nobody bound port %u\n", au.port);
            return ERROR;
        }
        /* A short nap: the fuzzer gets the CPU, and time passes.  Events
         * the fuzzer sends us would end every block at once: forget them
         * (we take no upcalls). */
        shinfo.vcpu_info[0].evtchn_upcall_pending = 0;
        __atomic_store_n(&shinfo.vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        for (unsigned w = 0; w < ARRAY_LEN(shinfo.evtchn_pending); w++)
            __atomic_store_n(&shinfo.evtchn_pending[w], 0, __ATOMIC_SEQ_CST);
        next = now_ns() + 5 * MS;
        hypercall2(__HYPERVISOR_set_timer_op, (unsigned long)next, (unsigned long)(next >> 32));
        hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
    }
    for (uint32_t a = lo; a < hi; a += 4) {
        if (*(volatile uint32_t *)(uintptr_t)a != pattern(a, 0) && bad++ < 5)
            printf("victim: word at %#x is %#x, wrote %#x\n", a,
                   *(volatile uint32_t *)(uintptr_t)a, pattern(a, 0));
        words++;
    }
    {
        domid_t me = DOMID_SELF;

        rc = hypercall2(__HYPERVISOR_memory_op, XENMEM_current_reservation, (unsigned long)&me);
    }
    CHECK((uint64_t)rc == pages0, "victim: reservation %ld pages, was %llu", rc,
          (unsigned long long)pages0);
    CHECK(bad == 0, "victim: %u words changed", bad);
    printf("victim: %u rounds, %llu words checked, %u changed; d%u has gone\n", round,
           (unsigned long long)words, bad, au.remote_dom);
    return check_failures ? FAILURE : SUCCESS;
}

enum verdict test_main(const char *cmdline)
{
    char role[8] = "";

    cmdline_value(cmdline, "role", role, sizeof(role));
    if (!strcmp(role, "fuzz"))
        return fuzz(cmdline);
    if (!strcmp(role, "victim"))
        return victim(cmdline);
    printf("fuzz: role=fuzz or role=victim\n");
    return ERROR;
}
