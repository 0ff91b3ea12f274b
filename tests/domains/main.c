/* domains: a boot-time control domain (module option "ctl") creates and
 * destroys many domains through the toolstack doorbell and checks that
 * mica gives every page back.
 *
 *   role=ctl count=N seed=S mem=LO-HI
 *       N domains (default 1000) of LO-HI MiB (default 1-8) and 1-4 vCPUs,
 *       up to four alive at once; some get pages copied in and read back,
 *       some run a tiny kernel copied in that shuts down (or spins until
 *       it is paused, unpaused and destroyed).  Every 100 domains and at
 *       the end, with all of them destroyed, physinfo's free_pages must be
 *       what it was before the first.  Also the refusals: bad arguments,
 *       dom0, itself, a boot-time peer, domains that do not exist.  Before
 *       the first, domain_set_vcpus on one domain: up and down before it
 *       runs, up while it runs, never down once it ran, and its refusals.
 *       verbose=1 says what it does with each domain; pin=M (decimal) is
 *       the CPU mask of the domains it makes.
 *   role=peer ctl=D
 *       a domain without "ctl": the doorbell refuses it.  It offers D an
 *       event channel and stays until D has bound it and ended, so that D
 *       can try to act on it all along (and its memory stays put).
 */
#include "guest.h"
#include "doorbell.h"
#include <mica/ctl.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/sched.h>

#define MAX_ALIVE 4

/* Where the tiny kernel keeps things in its domain's memory. */
#define TINY_CODE   0x1000      /* entry */
#define TINY_HCALL  0x2000      /* its hypercall page */
#define TINY_MBOX   0x3000      /* struct mbox */
#define TINY_STACK  0x5000

struct mbox {
    uint32_t spin;              /* 1: spin for ever instead of shutting down */
    uint32_t reason;            /* struct sched_shutdown for SCHEDOP_shutdown */
    uint32_t token;             /* the kernel writes token + 1 ... */
    uint32_t answer;            /* ... here, so we know it ran */
};

/* The tiny kernel: 32-bit, paging off, placed at TINY_CODE.  It installs
 * its hypercall page, answers the token, then shuts down with the reason
 * in the mailbox or spins.  Only absolute addresses and relative jumps, so
 * it runs wherever its bytes are copied to TINY_CODE.  It spins with
 * interrupts on: Bochs 2.7 recomputes its interrupt masks on VM entry
 * before it counts itself in the guest, so a guest entered with IF clear
 * never exits on the host's timer there, and a spin that never exits
 * would keep its CPU for good (QEMU and hardware preempt it; no event is
 * ever injected, as the kernel binds none). */
extern const uint8_t tiny_start[], tiny_end[];
__asm__(".pushsection .rodata\n"
        "tiny_start:\n"
        "    cli\n"
        "    movl $0x5000, %esp\n"                  /* TINY_STACK */
        "    movl $0x40000002, %eax\n"              /* Xen leaf 2: the MSR */
        "    xorl %ecx, %ecx\n"
        "    cpuid\n"
        "    movl %ebx, %ecx\n"
        "    movl $0x2000, %eax\n"                  /* TINY_HCALL */
        "    xorl %edx, %edx\n"
        "    wrmsr\n"
        "    movl 0x3008, %eax\n"                   /* token */
        "    incl %eax\n"
        "    movl %eax, 0x300c\n"                   /* answer */
        "    cmpl $0, 0x3000\n"                     /* spin? */
        "    jne 2f\n"
        "    movl $2, %ebx\n"                       /* SCHEDOP_shutdown */
        "    movl $0x3004, %ecx\n"                  /* &reason */
        "    movl $(0x2000 + 29 * 32), %eax\n"      /* sched_op */
        "    call *%eax\n"
        "1:  hlt\n"
        "    jmp 1b\n"
        "2:  sti\n"                                /* see below */
        "3:  pause\n"
        "    jmp 3b\n"
        "tiny_end:\n"
        ".popsection\n");

static uint32_t rng;
static unsigned long runs, spins, copies, verbose;
static uint64_t pin_mask;

/* xorshift32: a fixed sequence for a seed, so a failure can be replayed. */
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static struct mica_physinfo pi;
static struct mica_domain_info list[16];
static struct mica_domain_info info;
static struct mica_domain_create cr;
static uint8_t buf[3 * 4096];
static uint8_t back[3 * 4096];

static uint64_t free_pages(void)
{
    long rc = ctl(MICA_CTL_physinfo, (uintptr_t)&pi, 0, 0, 0);

    CHECK(rc == 0, "physinfo: %ld", rc);
    return pi.free_pages;
}

static long create(const char *name, uint64_t kb, uint32_t vcpus, uint32_t flags)
{
    memset(&cr, 0, sizeof(cr));
    for (unsigned i = 0; name[i] && i < sizeof(cr.name) - 1; i++)
        cr.name[i] = name[i];
    cr.memory_kb = kb;
    cr.vcpus = vcpus;
    cr.flags = flags;
    cr.cpu_mask = pin_mask;
    return ctl(MICA_CTL_domain_create, (uintptr_t)&cr, 0, 0, 0);
}

static long dom_info(unsigned int id)
{
    return ctl(MICA_CTL_domain_info, id, (uintptr_t)&info, 0, 0);
}

/* Polls domain_info until flags has one of `want`; false after `tries`. */
static bool wait_flags(unsigned int id, uint32_t want, unsigned long tries)
{
    for (unsigned long i = 0; i < tries; i++) {
        if (dom_info(id) == 0 && (info.flags & want))
            return true;
        sched_yield();
    }
    return false;
}

/* The domains other than us (and our peer) that the list shows. */
static long others(unsigned int self, long peer)
{
    long n = ctl(MICA_CTL_domain_list, (uintptr_t)list, 16, 0, 0), k = 0;

    if (n < 0)
        return n;
    for (long i = 0; i < n && i < 16; i++)
        if (list[i].domid != self && (long)list[i].domid != peer)
            k++;
    return n > 16 ? n : k;
}

/* With every domain we made destroyed, free_pages must come back to
 * `start` exactly; a domain destroyed while it ran is freed by the
 * scheduler a moment later, so give it some turns. */
static void expect_all_back(unsigned int self, long peer, uint64_t start,
                            unsigned int done)
{
    uint64_t now = 0;
    long n = -1;

    for (unsigned i = 0; i < 20000; i++) {
        n = others(self, peer);
        now = free_pages();
        if (n == 0 && now == start)
            break;
        sched_yield();
    }
    CHECK(n == 0, "after %u domains: %ld others still listed", done, n);
    CHECK(now == start, "after %u domains: free_pages %llu, was %llu (%lld)",
          done, (unsigned long long)now, (unsigned long long)start,
          (long long)(now - start));
}

/* Loads the tiny kernel into domain id and points vCPU 0 at it. */
static void load_tiny(unsigned int id, uint32_t spin, uint32_t reason, uint32_t token)
{
    struct mbox mb = { spin, reason, token, 0 };
    struct mica_vcpu_state st = { MICA_VCPU_PVH32, 0, TINY_CODE, 0, TINY_STACK };
    long rc;

    rc = ctl(MICA_CTL_copy_to_domain, id, TINY_CODE, (uintptr_t)tiny_start,
             (uint32_t)(tiny_end - tiny_start));
    CHECK(rc == 0, "d%u: copying the kernel in: %ld", id, rc);
    rc = ctl(MICA_CTL_copy_to_domain, id, TINY_MBOX, (uintptr_t)&mb, sizeof(mb));
    CHECK(rc == 0, "d%u: copying the mailbox in: %ld", id, rc);
    rc = ctl(MICA_CTL_vcpu_set_state, id, 0, (uintptr_t)&st, 0);
    CHECK(rc == 0, "d%u: vcpu_set_state: %ld", id, rc);
}

static uint32_t answer(unsigned int id)
{
    struct mbox mb;
    long rc = ctl(MICA_CTL_copy_from_domain, id, TINY_MBOX, (uintptr_t)&mb, sizeof(mb));

    CHECK(rc == 0, "d%u: reading the mailbox: %ld", id, rc);
    return rc == 0 ? mb.answer : 0;
}

/* A few pages at a random place in the domain, read back. */
static void copy_pages(unsigned int id, uint64_t kb)
{
    uint32_t len = 1 + rnd() % sizeof(buf);
    uint32_t gpa = rnd() % (uint32_t)(kb * 1024 - len + 1);
    long rc;

    for (uint32_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(rnd() >> 24);
    memset(back, 0, sizeof(back));
    rc = ctl(MICA_CTL_copy_to_domain, id, gpa, (uintptr_t)buf, len);
    CHECK(rc == 0, "d%u: copy_to_domain %#x+%u: %ld", id, gpa, len, rc);
    rc = ctl(MICA_CTL_copy_from_domain, id, gpa, (uintptr_t)back, len);
    CHECK(rc == 0, "d%u: copy_from_domain %#x+%u: %ld", id, gpa, len, rc);
    for (uint32_t i = 0; i < len; i++) {
        if (buf[i] != back[i]) {
            CHECK(0, "d%u: byte %u of %#x+%u read back as %#x, wrote %#x",
                  id, i, gpa, len, back[i], buf[i]);
            break;
        }
    }
    /* Past the end of its RAM. */
    rc = ctl(MICA_CTL_copy_to_domain, id, (uint32_t)(kb * 1024 - 8), (uintptr_t)buf, 16);
    CHECK(rc == -XEN_EINVAL, "d%u: copy across the end of RAM: %ld", id, rc);
}

/* Everything that must be refused; none may change anything. */
static void refusals(unsigned int self, long peer)
{
    long rc;

    rc = create("bad", 512, 1, 0);
    CHECK(rc == -XEN_EINVAL, "create with 512 KiB: %ld", rc);
    rc = create("bad", 4096, 0, 0);
    CHECK(rc == -XEN_EINVAL, "create with 0 vCPUs: %ld", rc);
    rc = create("bad", 4096, 33, 0);
    CHECK(rc == -XEN_EINVAL, "create with 33 vCPUs: %ld", rc);
    rc = create("bad", 1ull << 40, 1, 0);
    CHECK(rc == -XEN_ENOMEM, "create with 1 PiB: %ld", rc);
    rc = create("bad", 4096, 1, 0x80);
    CHECK(rc == -XEN_EINVAL, "create with unknown flags: %ld", rc);
    rc = create("", 4096, 1, 0);
    CHECK(rc == -XEN_EINVAL, "create without a name: %ld", rc);
    rc = create("two words", 4096, 1, 0);
    CHECK(rc == -XEN_EINVAL, "create named 'two words': %ld", rc);
    rc = create("esc\033[2J", 4096, 1, 0);
    CHECK(rc == -XEN_EINVAL, "create with an escape in the name: %ld", rc);
    rc = ctl(MICA_CTL_domain_create, 0x7ffff000u, 0, 0, 0);
    CHECK(rc == -XEN_EFAULT, "create from an unmapped buffer: %ld", rc);
    rc = ctl(MICA_CTL_physinfo, 0xfffffff0u, 0, 0, 0);
    CHECK(rc == -XEN_EFAULT, "physinfo to an unmapped buffer: %ld", rc);
    rc = ctl(MICA_CTL_domain_info, self, 0x7ffff000u, 0, 0);
    CHECK(rc == -XEN_EFAULT, "domain_info to an unmapped buffer: %ld", rc);
    rc = ctl(MICA_CTL_NR + 100, 0, 0, 0, 0);
    CHECK(rc == -XEN_ENOSYS, "unknown operation: %ld", rc);

    /* Nobody acts on dom0; here there is none, so it does not exist. */
    rc = ctl(MICA_CTL_domain_destroy, 0, 0, 0, 0);
    CHECK(rc == -XEN_ESRCH || rc == -XEN_EPERM, "destroy d0: %ld", rc);
    rc = ctl(MICA_CTL_domain_pause, 0, 0, 0, 0);
    CHECK(rc == -XEN_ESRCH || rc == -XEN_EPERM, "pause d0: %ld", rc);
    /* Not on itself. */
    rc = ctl(MICA_CTL_domain_destroy, self, 0, 0, 0);
    CHECK(rc == -XEN_EPERM, "destroy itself: %ld", rc);
    rc = ctl(MICA_CTL_domain_pause, self, 0, 0, 0);
    CHECK(rc == -XEN_EPERM, "pause itself: %ld", rc);
    rc = ctl(MICA_CTL_domain_shutdown, self, SHUTDOWN_poweroff, 0, 0);
    CHECK(rc == -XEN_EPERM, "shut itself down: %ld", rc);
    rc = ctl(MICA_CTL_copy_to_domain, self, 0x1000, (uintptr_t)buf, 16);
    CHECK(rc == -XEN_EPERM, "copy into itself: %ld", rc);
    /* Not on a boot-time peer. */
    if (peer >= 0) {
        rc = ctl(MICA_CTL_domain_destroy, (uint32_t)peer, 0, 0, 0);
        CHECK(rc == -XEN_EPERM, "destroy boot-time peer d%ld: %ld", peer, rc);
        rc = ctl(MICA_CTL_domain_pause, (uint32_t)peer, 0, 0, 0);
        CHECK(rc == -XEN_EPERM, "pause boot-time peer d%ld: %ld", peer, rc);
        rc = ctl(MICA_CTL_copy_from_domain, (uint32_t)peer, 0x100000, (uintptr_t)buf, 16);
        CHECK(rc == -XEN_EPERM, "read boot-time peer d%ld: %ld", peer, rc);
        rc = dom_info((uint32_t)peer);
        CHECK(rc == 0, "domain_info of the peer d%ld: %ld", peer, rc);
    }
    /* Domains that do not exist. */
    rc = ctl(MICA_CTL_domain_destroy, 999, 0, 0, 0);
    CHECK(rc == -XEN_ESRCH, "destroy d999: %ld", rc);
    rc = ctl(MICA_CTL_domain_unpause, 0x7ff0, 0, 0, 0);
    CHECK(rc == -XEN_ESRCH, "unpause d32752: %ld", rc);
    rc = ctl(MICA_CTL_domain_destroy, 0xffffffffu, 0, 0, 0);
    CHECK(rc == -XEN_ESRCH, "destroy d0xffffffff: %ld", rc);
    rc = dom_info(999);
    CHECK(rc == -XEN_ESRCH, "domain_info d999: %ld", rc);
    rc = ctl(MICA_CTL_copy_to_domain, 999, 0, (uintptr_t)buf, 16);
    CHECK(rc == -XEN_ESRCH, "copy into d999: %ld", rc);
}

/* Refusals that need a domain of ours: id is one, with kb KiB. */
static void refusals_on(unsigned int id, uint64_t kb)
{
    long rc;

    rc = ctl(MICA_CTL_copy_to_domain, id, 0, 0x7ffff000u, 16);
    CHECK(rc == -XEN_EFAULT, "copy from an unmapped buffer: %ld", rc);
    rc = ctl(MICA_CTL_copy_from_domain, id, 0, 0x7ffff000u, 16);
    CHECK(rc == -XEN_EFAULT, "copy to an unmapped buffer: %ld", rc);
    rc = ctl(MICA_CTL_copy_to_domain, id, (uint32_t)(kb * 1024), (uintptr_t)buf, 16);
    CHECK(rc == -XEN_EINVAL, "copy past RAM: %ld", rc);
    rc = ctl(MICA_CTL_vcpu_set_state, id, 7, (uintptr_t)&info, 0);
    CHECK(rc == -XEN_ENOENT, "vcpu_set_state of vCPU 7: %ld", rc);
}


static struct mica_vcpu_info vinfo[8];

/* How many vCPUs domain id has by domain_info and vcpu_info (which must
 * agree); how many of them are online in *online. */
static long vcpus_of(unsigned int id, unsigned int *online)
{
    long n = ctl(MICA_CTL_vcpu_info, id, (uintptr_t)vinfo, 8, 0);

    *online = 0;
    for (long i = 0; i < n && i < 8; i++)
        if (vinfo[i].flags & MICA_VCPUF_online)
            (*online)++;
    if (dom_info(id) != 0 || n != info.nr_vcpus)
        CHECK(0, "d%u: vcpu_info says %ld vCPUs, domain_info %u", id, n,
              info.nr_vcpus);
    return n;
}

static long set_vcpus(unsigned int id, uint32_t count)
{
    return ctl(MICA_CTL_domain_set_vcpus, id, count, 0, 0);
}

/* domain_set_vcpus (doorbell op 10): the count of a domain that has not
 * run goes up and down; one that has run gets more vCPUs, down, but none
 * taken away; bad counts, domains that are not ours and one that is shut
 * down are refused.  Leaves no domain behind. */
static void set_vcpus_checks(unsigned int self, long peer)
{
    unsigned int on = 0;
    long id = create("setvcpus", 4096, 2, MICA_CREATE_xen_guest), rc, n;
    uint32_t token = rnd();

    CHECK(id > 0, "create setvcpus: %ld", id);
    if (id <= 0)
        return;
    rc = set_vcpus((unsigned)id, 0);
    CHECK(rc == -XEN_EINVAL, "d%ld: set_vcpus 0: %ld", id, rc);
    rc = set_vcpus((unsigned)id, 33);
    CHECK(rc == -XEN_EINVAL, "d%ld: set_vcpus 33: %ld", id, rc);
    rc = set_vcpus((unsigned)id, 5);
    n = vcpus_of((unsigned)id, &on);
    CHECK(rc == 0 && n == 5 && on == 1, "d%ld: set_vcpus 5 before it ran: %ld, "
          "%ld vCPUs, %u online", id, rc, n, on);
    CHECK(n < 5 || vinfo[4].affinity == vinfo[0].affinity,
          "d%ld: vCPU 4's affinity %#llx, vCPU 0's %#llx", id,
          (unsigned long long)vinfo[4].affinity, (unsigned long long)vinfo[0].affinity);
    rc = set_vcpus((unsigned)id, 1);
    n = vcpus_of((unsigned)id, &on);
    CHECK(rc == 0 && n == 1 && on == 1, "d%ld: set_vcpus 1 before it ran: %ld, "
          "%ld vCPUs, %u online", id, rc, n, on);
    rc = set_vcpus((unsigned)id, 3);
    n = vcpus_of((unsigned)id, &on);
    CHECK(rc == 0 && n == 3, "d%ld: set_vcpus 3 before it ran: %ld, %ld vCPUs",
          id, rc, n);
    rc = ctl(MICA_CTL_vcpu_set_state, (unsigned)id, 2, (uintptr_t)&info, 0);
    CHECK(rc != -XEN_ENOENT, "d%ld: vCPU 2 unknown to vcpu_set_state", id);

    /* It runs (the tiny kernel's spin, on vCPU 0): more vCPUs, down, but
     * none taken away. */
    load_tiny((unsigned)id, 1, 0, token);
    rc = ctl(MICA_CTL_domain_unpause, (unsigned)id, 0, 0, 0);
    CHECK(rc == 0, "d%ld: unpause: %ld", id, rc);
    for (unsigned long i = 0; i < 200000 && answer((unsigned)id) != token + 1; i++)
        sched_yield();
    CHECK(answer((unsigned)id) == token + 1, "d%ld: the spinning kernel did not answer", id);
    rc = set_vcpus((unsigned)id, 4);
    n = vcpus_of((unsigned)id, &on);
    CHECK(rc == 0 && n == 4 && on == 1, "d%ld: set_vcpus 4 while it runs: %ld, "
          "%ld vCPUs, %u online", id, rc, n, on);
    rc = set_vcpus((unsigned)id, 2);
    n = vcpus_of((unsigned)id, &on);
    CHECK(rc == -XEN_EBUSY && n == 4, "d%ld: set_vcpus 2 after it ran: %ld, "
          "%ld vCPUs", id, rc, n);
    rc = set_vcpus((unsigned)id, 4);
    CHECK(rc == 0, "d%ld: set_vcpus 4 again: %ld", id, rc);
    CHECK(dom_info((unsigned)id) == 0 && !(info.flags & MICA_DOMF_shutdown),
          "d%ld: flags %#x after set_vcpus", id, info.flags);
    /* Shut down: its vCPUs are dead. */
    rc = ctl(MICA_CTL_domain_shutdown, (unsigned)id, SHUTDOWN_poweroff, 0, 0);
    CHECK(rc == 0, "d%ld: shutdown: %ld", id, rc);
    rc = set_vcpus((unsigned)id, 5);
    CHECK(rc == -XEN_EINVAL, "d%ld: set_vcpus after shutdown: %ld", id, rc);
    rc = ctl(MICA_CTL_domain_destroy, (unsigned)id, 0, 0, 0);
    CHECK(rc == 0, "destroy d%ld: %ld", id, rc);

    /* Not ours, or not there. */
    rc = set_vcpus(self, 2);
    CHECK(rc == -XEN_EPERM, "set_vcpus of itself: %ld", rc);
    if (peer >= 0) {
        rc = set_vcpus((uint32_t)peer, 2);
        CHECK(rc == -XEN_EPERM, "set_vcpus of boot-time peer d%ld: %ld", peer, rc);
    }
    rc = set_vcpus(0, 2);
    CHECK(rc == -XEN_ESRCH || rc == -XEN_EPERM, "set_vcpus of d0: %ld", rc);
    rc = set_vcpus(999, 2);
    CHECK(rc == -XEN_ESRCH, "set_vcpus of d999: %ld", rc);
    rc = set_vcpus((unsigned)id, 2);
    CHECK(rc == -XEN_ESRCH, "set_vcpus of destroyed d%ld: %ld", id, rc);
    printf("domains: domain_set_vcpus: 2 -> 5 -> 1 -> 3 before running, 4 while "
           "running, fewer refused once it ran\n");
}

/* One domain of ours: created, used as `kind` says, maybe left alive. */
static long one(unsigned int n, unsigned int lo, unsigned int hi)
{
    static const char hex[] = "0123456789abcdef";
    char name[16] = "t";
    uint64_t kb = (lo + rnd() % (hi - lo + 1)) * 1024 + (rnd() & 1 ? (rnd() % 4) * 4 : 0);
    uint32_t vcpus = 1 + rnd() % 4;
    unsigned int kind = rnd() % 100;
    uint32_t flags = (kind < 10 || (rnd() & 1)) ? MICA_CREATE_xen_guest : 0;
    long id;

    for (unsigned i = 0; i < 4; i++)
        name[1 + i] = hex[(n >> (12 - 4 * i)) & 15];
    id = create(name, kb, vcpus, flags);
    CHECK(id > 0, "create %s (%llu KiB, %u vCPUs): %ld", name,
          (unsigned long long)kb, vcpus, id);
    if (id <= 0)
        return -1;
    if (dom_info((unsigned)id) != 0 || info.nr_vcpus != vcpus ||
        info.tot_pages != (kb + 3) / 4 || !(info.flags & MICA_DOMF_paused))
        CHECK(0, "d%ld: info says %u vCPUs, %llu pages, flags %#x", id,
              info.nr_vcpus, (unsigned long long)info.tot_pages, info.flags);
    if (n == 0)
        refusals_on((unsigned)id, kb);
    if (verbose)
        printf("domains: #%u is d%ld, kind %u\n", n, id, kind);

    if (kind < 5) {
        /* Runs the tiny kernel to its shutdown. */
        uint32_t reason = rnd() & 1 ? SHUTDOWN_reboot : SHUTDOWN_poweroff;
        uint32_t token = rnd();
        long rc;

        load_tiny((unsigned)id, 0, reason, token);
        rc = ctl(MICA_CTL_domain_unpause, (unsigned)id, 0, 0, 0);
        CHECK(rc == 0, "d%ld: unpause: %ld", id, rc);
        if (!wait_flags((unsigned)id, MICA_DOMF_shutdown | MICA_DOMF_crashed, 200000))
            CHECK(0, "d%ld: did not shut down (flags %#x)", id, info.flags);
        else
            CHECK((info.flags & MICA_DOMF_shutdown) && info.shutdown_reason == reason,
                  "d%ld: flags %#x reason %u, wanted shutdown %u", id, info.flags,
                  info.shutdown_reason, reason);
        CHECK(answer((unsigned)id) == token + 1, "d%ld: no answer to the token", id);
        rc = ctl(MICA_CTL_domain_unpause, (unsigned)id, 0, 0, 0);
        CHECK(rc == -XEN_EINVAL, "d%ld: unpause after shutdown: %ld", id, rc);
        runs++;
    } else if (kind < 10) {
        /* Runs the tiny kernel's spin; paused, unpaused, and left running
         * for the destroy. */
        uint32_t token = rnd();
        unsigned long i;
        long rc;

        load_tiny((unsigned)id, 1, 0, token);
        rc = ctl(MICA_CTL_domain_unpause, (unsigned)id, 0, 0, 0);
        CHECK(rc == 0, "d%ld: unpause: %ld", id, rc);
        for (i = 0; i < 200000 && answer((unsigned)id) != token + 1; i++) {
            if (verbose && i % 1000 == 999 && dom_info((unsigned)id) == 0)
                printf("domains: d%ld: no answer yet: flags %#x, %llu ns\n", id,
                       info.flags, (unsigned long long)info.cpu_time_ns);
            sched_yield();
        }
        CHECK(i < 200000, "d%ld: the spinning kernel did not answer", id);
        rc = ctl(MICA_CTL_domain_pause, (unsigned)id, 0, 0, 0);
        CHECK(rc == 0, "d%ld: pause: %ld", id, rc);
        CHECK(dom_info((unsigned)id) == 0 && (info.flags & MICA_DOMF_paused),
              "d%ld: not paused (flags %#x)", id, info.flags);
        rc = ctl(MICA_CTL_domain_unpause, (unsigned)id, 0, 0, 0);
        CHECK(rc == 0, "d%ld: unpause again: %ld", id, rc);
        spins++;
    } else if (kind < 30) {
        copy_pages((unsigned)id, kb);
        copies++;
    }
    return id;
}

static long evtchn(unsigned int cmd, void *a)
{
    return hypercall2(__HYPERVISOR_event_channel_op, cmd, (unsigned long)a);
}

/* Binds to the port the peer offers us: it stays until that channel
 * closes, which our end does when we end.  Its memory is then taken all
 * along, and it is there for the refusals at the end too. */
static bool hold_peer(domid_t peer)
{
    for (unsigned long i = 0; i < 1000000; i++) {
        for (evtchn_port_t p = 1; p < 16; p++) {
            struct evtchn_bind_interdomain b = { .remote_dom = peer, .remote_port = p };

            if (evtchn(EVTCHNOP_bind_interdomain, &b) == 0) {
                printf("domains: bound to the peer's port %u\n", p);
                return true;
            }
        }
        sched_yield();
    }
    printf("domains: the peer d%u offers no port\n", peer);
    return false;
}

static enum verdict control(const char *cmdline)
{
    unsigned long count = cmdline_ulong(cmdline, "count", 1000);
    unsigned long seed = cmdline_ulong(cmdline, "seed", 1);
    char range[16] = "1-8";
    unsigned int lo = 1, hi = 0, self = ~0u;
    long alive[MAX_ALIVE], peer = -1, n, rc;
    unsigned int nalive = 0;
    uint64_t start;

    cmdline_value(cmdline, "mem", range, sizeof(range));
    for (const char *s = range; *s; s++) {
        if (*s == '-') {
            lo = hi;
            hi = 0;
        } else {
            hi = hi * 10 + (unsigned)(*s - '0');
        }
    }
    if (lo < 1 || hi < lo || hi > 64) {
        printf("bad mem=%s\n", range);
        return ERROR;
    }
    rng = (uint32_t)seed ? (uint32_t)seed : 1;
    verbose = cmdline_ulong(cmdline, "verbose", 0);
    pin_mask = cmdline_ulong(cmdline, "pin", 0);

    rc = ctl(MICA_CTL_version, 0, 0, 0, 0);
    if (rc < 0 || MICA_CTL_MAJOR((unsigned long)rc) != MICA_CTL_MAJOR(MICA_CTL_VERSION)) {
        printf("domains: the doorbell answers %ld\n", rc);
        return FAILURE;
    }
    n = ctl(MICA_CTL_domain_list, (uintptr_t)list, 16, 0, 0);
    for (long i = 0; i < n && i < 16; i++) {
        if (!strcmp(list[i].name, "ctl"))
            self = list[i].domid;
        else if (!strcmp(list[i].name, "peer"))
            peer = list[i].domid;
    }
    if (self == ~0u) {
        printf("domains: no domain named 'ctl' among %ld\n", n);
        return ERROR;
    }
    printf("domains: d%u, peer d%ld; %lu domains of %u-%u MiB, seed %lu\n",
           self, peer, count, lo, hi, seed);
    if (peer >= 0 && !hold_peer((domid_t)peer))
        return ERROR;
    start = free_pages();
    printf("domains: %llu pages free of %llu\n", (unsigned long long)start,
           (unsigned long long)pi.total_pages);
    refusals(self, peer);
    CHECK(free_pages() == start, "the refusals changed free_pages");
    set_vcpus_checks(self, peer);
    expect_all_back(self, peer, start, 1);

    for (unsigned long i = 0; i < count; i++) {
        uint64_t t0 = rdtsc();
        long id = one((unsigned)i, lo, hi);

        if (verbose)
            printf("domains: #%lu d%ld %llu Mtsc\n", i, id,
                   (unsigned long long)((rdtsc() - t0) >> 20));

        if (id > 0)
            alive[nalive++] = id;
        /* Destroy one, at random, when full or on a coin toss. */
        while (nalive && (nalive == MAX_ALIVE || (rnd() & 1) || i + 1 == count ||
                          (i + 1) % 100 == 0)) {
            unsigned int k = rnd() % nalive;

            rc = ctl(MICA_CTL_domain_destroy, (unsigned)alive[k], 0, 0, 0);
            CHECK(rc == 0, "destroy d%ld: %ld", alive[k], rc);
            rc = ctl(MICA_CTL_domain_destroy, (unsigned)alive[k], 0, 0, 0);
            CHECK(rc == -XEN_ESRCH, "destroy d%ld twice: %ld", alive[k], rc);
            alive[k] = alive[--nalive];
        }
        if ((i + 1) % 100 == 0 || i + 1 == count) {
            expect_all_back(self, peer, start, (unsigned)i + 1);
            printf("domains: %lu created and destroyed (%lu ran to shutdown, "
                   "%lu destroyed running, %lu with pages copied)\n",
                   i + 1, runs, spins, copies);
            if (check_failures > 20)
                break;
        }
    }
    refusals(self, peer);
    printf("domains: free_pages %llu at the end, %llu at the start\n",
           (unsigned long long)free_pages(), (unsigned long long)start);
    printf("domains: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}

static struct shared_info shinfo __attribute__((aligned(4096)));

static uint64_t now_ns(void)
{
    return pvclock_read(&shinfo.vcpu_info[0].time).ns;
}

/* Sleeps about 50 ms. */
static void nap(void)
{
    uint64_t next = now_ns() + 50000000ull;

    hypercall2(__HYPERVISOR_set_timer_op, (unsigned long)next, (unsigned long)(next >> 32));
    hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
}

/* Offers the control domain a port and stays until it has bound to it
 * and gone (its end closes the channel, and ours goes back to unbound). */
static enum verdict peer_role(const char *cmdline)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
        .gpfn = (xen_pfn_t)((uintptr_t)&shinfo >> 12),
    };
    struct evtchn_alloc_unbound au = {
        .dom = DOMID_SELF, .remote_dom = (domid_t)cmdline_ulong(cmdline, "ctl", 1),
    };
    struct evtchn_status st;
    uint64_t deadline;
    bool bound = false;
    long rc;

    rc = ctl(MICA_CTL_version, 0, 0, 0, 0);
    CHECK(rc == -XEN_EPERM, "peer: doorbell version: %ld", rc);
    rc = create("sneaky", 4096, 1, 0);
    CHECK(rc == -XEN_EPERM, "peer: doorbell create: %ld", rc);
    if (hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&xatp) ||
        evtchn(EVTCHNOP_alloc_unbound, &au)) {
        printf("cannot map shared_info or offer a port\n");
        return ERROR;
    }
    sched_yield();
    deadline = now_ns() + cmdline_ulong(cmdline, "wait", 60) * 1000000000ull;
    for (;;) {
        memset(&st, 0, sizeof(st));
        st.dom = DOMID_SELF;
        st.port = au.port;
        rc = evtchn(EVTCHNOP_status, &st);
        if (rc) {
            printf("peer: status of port %u: %ld\n", au.port, rc);
            return ERROR;
        }
        if (st.status == EVTCHNSTAT_interdomain)
            bound = true;
        else if (bound)
            break;
        else if (now_ns() > deadline) {
            printf("peer: nobody bound port %u\n", au.port);
            return ERROR;
        }
        nap();
    }
    printf("domains: peer refused by the doorbell, stayed until d%u ended\n",
           au.remote_dom);
    return check_failures ? FAILURE : SUCCESS;
}

enum verdict test_main(const char *cmdline)
{
    char role[8] = "";

    cmdline_value(cmdline, "role", role, sizeof(role));
    if (!strcmp(role, "ctl"))
        return control(cmdline);
    if (!strcmp(role, "peer"))
        return peer_role(cmdline);
    printf("domains: role=ctl or role=peer\n");
    return ERROR;
}
