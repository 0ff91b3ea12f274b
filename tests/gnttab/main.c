/* gnttab: a domain's own grant table as a PVH guest sees it, written
 * against Xen's ABI only: version 1, the table's size before and after it
 * grows, its frames mapped with XENMEM_add_to_physmap over RAM (which the
 * reservation gives up) and moved, grant entries written and read back,
 * setup_table's frame list, and the refusals.
 *
 *   peer=D   a domain running meanwhile (role=peer), whose table we may
 *            not look at (GNTST_permission_denied, -EPERM).  We bind the
 *            event channel it offers first, so we know it is up.
 *   role=peer watch=D
 *            offers D an event channel and stays until D has gone.
 *   child=1  (with the module option "ctl") also make a domain through
 *            the toolstack doorbell whose tiny kernel maps frame 3 of its
 *            table, so that four frames are allocated, and shuts down;
 *            once it is destroyed free_pages must be what it was before.
 */
#include "guest.h"
#include "doorbell.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/sched.h>
#include <mica/ctl.h>

#define ENTRIES_PER_FRAME (4096 / sizeof(struct grant_entry_v1))

/* Three pages of our RAM for the table's frames to go over. */
static uint8_t spot[3][4096] __attribute__((aligned(4096)));

static long gnttab(unsigned int cmd, void *arg, unsigned int count)
{
    return hypercall3(__HYPERVISOR_grant_table_op, cmd, (unsigned long)arg, count);
}

static long memop(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_memory_op, cmd, (unsigned long)arg);
}

static xen_pfn_t gfn_of(const void *p)
{
    return (xen_pfn_t)((uintptr_t)p >> 12);
}

static long map_frame(unsigned long idx, xen_pfn_t gpfn)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_grant_table,
        .idx = idx,
        .gpfn = gpfn,
    };

    return memop(XENMEM_add_to_physmap, &xatp);
}

static long reservation(void)
{
    struct xen_memory_domain md = { .domid = DOMID_SELF };

    return memop(XENMEM_current_reservation, &md);
}

static struct gnttab_query_size query(domid_t dom, long *rc)
{
    struct gnttab_query_size q;

    memset(&q, 0x55, sizeof(q));
    q.dom = dom;
    *rc = gnttab(GNTTABOP_query_size, &q, 1);
    return q;
}

static void check_version(void)
{
    struct gnttab_set_version sv = { .version = 1 };
    struct gnttab_get_version gv = { .dom = DOMID_SELF, .version = 77 };
    long rc;

    rc = gnttab(GNTTABOP_set_version, &sv, 1);
    printf("gnttab: set_version 1: %ld, version %u\n", rc, sv.version);
    CHECK(rc == 0 && sv.version == 1, "set_version 1: %ld, %u", rc, sv.version);
    /* Version 2 is refused as by a Xen that has it configured away. */
    sv.version = 2;
    rc = gnttab(GNTTABOP_set_version, &sv, 1);
    printf("gnttab: set_version 2: %ld, version %u\n", rc, sv.version);
    CHECK(rc == -XEN_ENOSYS && sv.version == 1, "set_version 2: %ld, %u", rc, sv.version);
    sv.version = 3;
    rc = gnttab(GNTTABOP_set_version, &sv, 1);
    CHECK(rc == -XEN_EINVAL && sv.version == 1, "set_version 3: %ld, %u", rc, sv.version);
    rc = gnttab(GNTTABOP_get_version, &gv, 1);
    CHECK(rc == 0 && gv.version == 1, "get_version: %ld, %u", rc, gv.version);
}

/* The refusals, none of which may change the table. */
static void check_refusals(domid_t self, domid_t peer)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    struct gnttab_query_size q;
    xen_pfn_t list[4];
    long rc;

    rc = map_frame(32, gfn_of(spot[1]));
    CHECK(rc == -XEN_EINVAL, "frame 32 (past the maximum): %ld", rc);
    rc = map_frame(XENMAPIDX_grant_table_status, gfn_of(spot[1]));
    CHECK(rc == -XEN_EINVAL, "status frame 0: %ld", rc);
    rc = map_frame(XENMAPIDX_grant_table_status | 1, gfn_of(spot[1]));
    CHECK(rc == -XEN_EINVAL, "status frame 1: %ld", rc);
    rc = map_frame(0, 0x7fffffff);
    CHECK(rc == -XEN_EINVAL, "frame 0 at gfn 0x7fffffff: %ld", rc);
    {
        struct xen_add_to_physmap xatp = { .domid = 0, .space = XENMAPSPACE_grant_table,
                                           .idx = 0, .gpfn = gfn_of(spot[1]) };

        rc = memop(XENMEM_add_to_physmap, &xatp);
        CHECK(rc == -XEN_EPERM, "frame 0 into d0: %ld", rc);
    }

    rc = gnttab(13, &q, 1);
    CHECK(rc == -XEN_ENOSYS, "grant_table_op 13: %ld", rc);
    rc = gnttab(GNTTABOP_map_grant_ref, &q, 1);
    CHECK(rc == -XEN_ENOSYS, "map_grant_ref: %ld", rc);
    rc = gnttab(GNTTABOP_copy, &q, 1);
    CHECK(rc == -XEN_ENOSYS, "copy: %ld", rc);
    rc = gnttab(GNTTABOP_query_size, (void *)0xfff00000, 1);
    CHECK(rc == -XEN_EFAULT, "query_size from 0xfff00000: %ld", rc);
    rc = gnttab(GNTTABOP_set_version, (void *)0xfff00000, 1);
    CHECK(rc == -XEN_EFAULT, "set_version from 0xfff00000: %ld", rc);
    rc = gnttab(GNTTABOP_setup_table, (void *)0xfff00000, 1);
    CHECK(rc == -XEN_EFAULT, "setup_table from 0xfff00000: %ld", rc);
    q.dom = DOMID_SELF;
    rc = gnttab(GNTTABOP_query_size, &q, 2);
    CHECK(rc == -XEN_EINVAL, "query_size with count 2: %ld", rc);
    rc = gnttab(GNTTABOP_query_size, &q, 0x80000000u);
    CHECK(rc == -XEN_EINVAL, "query_size with count 0x80000000: %ld", rc);
    rc = gnttab(GNTTABOP_query_size | (1u << 12), &q, 1);
    CHECK(rc == -XEN_EINVAL, "query_size with bit 12: %ld", rc);

    st.nr_frames = 33;
    set_xen_guest_handle(st.frame_list, list);
    rc = gnttab(GNTTABOP_setup_table, &st, 1);
    CHECK(rc == 0 && st.status == GNTST_general_error, "setup_table of 33: %ld, %d", rc,
          st.status);
    st.nr_frames = 1;
    set_xen_guest_handle(st.frame_list, (xen_pfn_t *)0xfff00000);
    rc = gnttab(GNTTABOP_setup_table, &st, 1);
    CHECK(rc == 0 && st.status == GNTST_bad_virt_addr,
          "setup_table into 0xfff00000: %ld, %d", rc, st.status);

    /* Other domains: one that does not exist, and one we may not see. */
    q = query((domid_t)(self + 100), &rc);
    CHECK(rc == 0 && q.status == GNTST_bad_domain, "query_size of d%u: %ld, %d", self + 100,
          rc, q.status);
    gv.dom = (domid_t)(self + 100);
    rc = gnttab(GNTTABOP_get_version, &gv, 1);
    CHECK(rc == -XEN_ESRCH, "get_version of d%u: %ld", self + 100, rc);
    if (peer) {
        q = query(peer, &rc);
        printf("gnttab: query_size of d%u: %ld, status %d\n", peer, rc, q.status);
        CHECK(rc == 0 && q.status == GNTST_permission_denied, "query_size of d%u: %ld, %d",
              peer, rc, q.status);
        gv.dom = peer;
        rc = gnttab(GNTTABOP_get_version, &gv, 1);
        CHECK(rc == -XEN_EPERM, "get_version of d%u: %ld", peer, rc);
        st.dom = peer;
        set_xen_guest_handle(st.frame_list, list);
        rc = gnttab(GNTTABOP_setup_table, &st, 1);
        CHECK(rc == 0 && st.status == GNTST_permission_denied,
              "setup_table of d%u: %ld, %d", peer, rc, st.status);
    }
}

/* The child's tiny kernel: 32-bit, paging off, at CHILD_CODE.  It installs
 * its hypercall page, maps grant frame 3 with the xen_add_to_physmap (the
 * 32-bit layout) in its mailbox, leaves the result there and powers off. */
#define CHILD_CODE   0x1000
#define CHILD_HCALL  0x2000
#define CHILD_MBOX   0x3000
#define CHILD_STACK  0x5000

struct child_mbox {
    uint16_t domid, size;
    uint32_t space, idx, gpfn;  /* struct xen_add_to_physmap, 32-bit */
    uint32_t answer;            /* add_to_physmap's result */
    uint32_t reason;            /* struct sched_shutdown */
};

extern const uint8_t child_start[], child_end[];
__asm__(".pushsection .rodata\n"
        "child_start:\n"
        "    cli\n"
        "    movl $0x5000, %esp\n"                  /* CHILD_STACK */
        "    movl $0x40000002, %eax\n"              /* Xen leaf 2: the MSR */
        "    xorl %ecx, %ecx\n"
        "    cpuid\n"
        "    movl %ebx, %ecx\n"
        "    movl $0x2000, %eax\n"                  /* CHILD_HCALL */
        "    xorl %edx, %edx\n"
        "    wrmsr\n"
        "    movl $7, %ebx\n"                       /* XENMEM_add_to_physmap */
        "    movl $0x3000, %ecx\n"                  /* the mailbox */
        "    movl $(0x2000 + 12 * 32), %eax\n"      /* memory_op */
        "    call *%eax\n"
        "    movl %eax, 0x3010\n"                   /* answer */
        "    movl $2, %ebx\n"                       /* SCHEDOP_shutdown */
        "    movl $0x3014, %ecx\n"                  /* &reason */
        "    movl $(0x2000 + 29 * 32), %eax\n"      /* sched_op */
        "    call *%eax\n"
        "1:  hlt\n"
        "    jmp 1b\n"
        "child_end:\n"
        ".popsection\n");

static uint64_t free_pages(void)
{
    static struct mica_physinfo pi;
    long rc = ctl(MICA_CTL_physinfo, (uintptr_t)&pi, 0, 0, 0);

    CHECK(rc == 0, "physinfo: %ld", rc);
    return pi.free_pages;
}

/* A domain that grows its grant table to four frames and goes: every
 * page it had, the table's with them, comes back. */
static void check_child(void)
{
    static struct mica_domain_create cr = {
        .name = "gnttab-child", .memory_kb = 1024, .vcpus = 1,
        .flags = MICA_CREATE_xen_guest,
    };
    static struct mica_domain_info info;
    struct child_mbox mb = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = 3,
        .gpfn = 0x10, .answer = 0x5a5a5a5a, .reason = SHUTDOWN_poweroff,
    };
    struct mica_vcpu_state st = { MICA_VCPU_PVH32, 0, CHILD_CODE, 0, CHILD_STACK };
    uint64_t before = free_pages(), after = 0;
    unsigned long i;
    long id, rc;

    id = ctl(MICA_CTL_domain_create, (uintptr_t)&cr, 0, 0, 0);
    CHECK(id > 0, "creating the child: %ld", id);
    if (id <= 0)
        return;
    rc = ctl(MICA_CTL_copy_to_domain, (uint32_t)id, CHILD_CODE, (uintptr_t)child_start,
             (uint32_t)(child_end - child_start));
    rc = rc ? rc : ctl(MICA_CTL_copy_to_domain, (uint32_t)id, CHILD_MBOX, (uintptr_t)&mb,
                       sizeof(mb));
    rc = rc ? rc : ctl(MICA_CTL_vcpu_set_state, (uint32_t)id, 0, (uintptr_t)&st, 0);
    rc = rc ? rc : ctl(MICA_CTL_domain_unpause, (uint32_t)id, 0, 0, 0);
    CHECK(rc == 0, "starting the child d%ld: %ld", id, rc);
    for (i = 0; i < 200000; i++) {
        if (ctl(MICA_CTL_domain_info, (uint32_t)id, (uintptr_t)&info, 0, 0) == 0 &&
            (info.flags & (MICA_DOMF_shutdown | MICA_DOMF_crashed)))
            break;
        sched_yield();
    }
    CHECK(i < 200000 && (info.flags & MICA_DOMF_shutdown), "the child did not shut down: "
          "flags %#x", info.flags);
    rc = ctl(MICA_CTL_copy_from_domain, (uint32_t)id, CHILD_MBOX, (uintptr_t)&mb, sizeof(mb));
    CHECK(rc == 0 && mb.answer == 0, "the child's add_to_physmap of frame 3: %ld, %#x", rc,
          mb.answer);
    rc = ctl(MICA_CTL_domain_destroy, (uint32_t)id, 0, 0, 0);
    CHECK(rc == 0, "destroying the child d%ld: %ld", id, rc);
    /* The scheduler frees it a moment later. */
    for (i = 0; i < 20000 && (after = free_pages()) != before; i++)
        sched_yield();
    printf("gnttab: child d%ld mapped frame 3: %d; free_pages %llu before, %llu after\n",
           id, (int)mb.answer, (unsigned long long)before, (unsigned long long)after);
    CHECK(after == before, "free_pages %llu after the child, %llu before",
          (unsigned long long)after, (unsigned long long)before);
}

static long evtchn(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg);
}

static domid_t number(const char *cmdline, const char *key)
{
    char buf[16];
    domid_t n = 0;

    if (cmdline_value(cmdline, key, buf, sizeof(buf)))
        for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
            n = (domid_t)(n * 10 + (*p - '0'));
    return n;
}

/* Binds the port the peer offers: then it is up, all its memory taken. */
static bool bind_peer(domid_t peer)
{
    for (unsigned long tries = 0; tries < 1000000; tries++) {
        for (evtchn_port_t p = 1; p < 16; p++) {
            struct evtchn_bind_interdomain b = { .remote_dom = peer, .remote_port = p };

            if (evtchn(EVTCHNOP_bind_interdomain, &b) == 0)
                return true;
        }
        sched_yield();
    }
    return false;
}

/* role=peer: up until the domain we watch has gone, so that its table
 * checks and its free_pages see us all along. */
static enum verdict peer_main(domid_t watched)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = watched };
    struct gnttab_query_size q;
    long rc = evtchn(EVTCHNOP_alloc_unbound, &au);

    CHECK(rc == 0, "alloc_unbound for d%u: %ld", watched, rc);
    for (;;) {
        q = query(watched, &rc);
        if (rc != 0 || q.status != GNTST_permission_denied)
            break;
        sched_yield();
    }
    printf("gnttab peer: d%u has gone: %ld, status %d\n", watched, rc, q.status);
    CHECK(rc == 0 && q.status == GNTST_bad_domain, "query_size of d%u", watched);
    return check_failures ? FAILURE : SUCCESS;
}

enum verdict test_main(const char *cmdline)
{
    volatile struct grant_entry_v1 *e0, *e1;
    volatile uint32_t *w;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 3 };
    struct gnttab_query_size q;
    xen_pfn_t list[4];
    char buf[16];
    domid_t self = 0, peer = 0;
    uint32_t a, b, c, d;
    long rc, cur;

    if (cmdline_value(cmdline, "role", buf, sizeof(buf)) && strcmp(buf, "peer") == 0)
        return peer_main(number(cmdline, "watch"));
    peer = number(cmdline, "peer");
    if (peer && !bind_peer(peer)) {
        printf("gnttab: peer d%u offers no port\n", peer);
        return ERROR;
    }
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                     : "a"(XEN_CPUID_FIRST_LEAF + 4), "c"(0));
    if (a & XEN_HVM_CPUID_DOMID_PRESENT)
        self = (domid_t)c;

    check_version();

    q = query(DOMID_SELF, &rc);
    printf("gnttab: query_size: %ld, %u of %u frames, status %d\n", rc, q.nr_frames,
           q.max_nr_frames, q.status);
    CHECK(rc == 0 && q.status == GNTST_okay && q.nr_frames == 1 && q.max_nr_frames == 32,
          "query_size at the start");
    q = query(self, &rc);
    CHECK(rc == 0 && q.status == GNTST_okay && q.nr_frames == 1,
          "query_size of own id d%u: %ld, %d", self, rc, q.status);

    /* Frames 0 and 1 over RAM the guest filled: they come zeroed, and
     * the reservation loses the two frames they replaced. */
    memset(spot, 0xaa, sizeof(spot));
    cur = reservation();
    rc = map_frame(0, gfn_of(spot[0]));
    CHECK(rc == 0, "frame 0 at gfn %#lx: %ld", gfn_of(spot[0]), rc);
    rc = map_frame(1, gfn_of(spot[1]));
    CHECK(rc == 0, "frame 1 at gfn %#lx: %ld", gfn_of(spot[1]), rc);
    w = (volatile uint32_t *)spot[0];
    CHECK(w[0] == 0 && w[1023] == 0, "frame 0 not zero: %#x %#x", w[0], w[1023]);
    w = (volatile uint32_t *)spot[1];
    CHECK(w[0] == 0 && w[1023] == 0, "frame 1 not zero: %#x %#x", w[0], w[1023]);
    rc = reservation();
    printf("gnttab: frames 0 and 1 at gfns %#lx, %#lx: reservation %ld -> %ld\n",
           gfn_of(spot[0]), gfn_of(spot[1]), cur, rc);
    CHECK(rc == cur - 2, "reservation after two frames: %ld", rc);
    q = query(DOMID_SELF, &rc);
    printf("gnttab: query_size: %ld, %u of %u frames\n", rc, q.nr_frames, q.max_nr_frames);
    CHECK(rc == 0 && q.status == GNTST_okay && q.nr_frames == 2, "query_size after two");

    /* Entries in both frames, read back through the mappings. */
    e0 = (volatile struct grant_entry_v1 *)spot[0];
    e1 = (volatile struct grant_entry_v1 *)spot[1];
    e0[GNTTAB_NR_RESERVED_ENTRIES].frame = 0x1234;
    e0[GNTTAB_NR_RESERVED_ENTRIES].domid = 7;
    e0[GNTTAB_NR_RESERVED_ENTRIES].flags = GTF_permit_access | GTF_readonly;
    e0[ENTRIES_PER_FRAME - 1].frame = 0xabcdef;
    e0[ENTRIES_PER_FRAME - 1].domid = 0;
    e0[ENTRIES_PER_FRAME - 1].flags = GTF_permit_access;
    e1[0].frame = 0x55aa;
    e1[0].domid = 3;
    e1[0].flags = GTF_accept_transfer;
    CHECK(e0[8].flags == (GTF_permit_access | GTF_readonly) && e0[8].domid == 7 &&
          e0[8].frame == 0x1234, "entry 8 reads back wrong");
    CHECK(e0[511].flags == GTF_permit_access && e0[511].frame == 0xabcdef,
          "entry 511 reads back wrong");
    CHECK(e1[0].flags == GTF_accept_transfer && e1[0].domid == 3 && e1[0].frame == 0x55aa,
          "entry 512 reads back wrong");

    /* setup_table grows the table to three frames; the frame list has
     * where each is mapped, all ones for the new one. */
    memset(list, 0x11, sizeof(list));
    set_xen_guest_handle(st.frame_list, list);
    rc = gnttab(GNTTABOP_setup_table, &st, 1);
    printf("gnttab: setup_table 3: %ld, status %d, frames %#lx %#lx %#lx\n", rc, st.status,
           list[0], list[1], list[2]);
    CHECK(rc == 0 && st.status == GNTST_okay, "setup_table 3: %ld, %d", rc, st.status);
    CHECK(list[0] == gfn_of(spot[0]) && list[1] == gfn_of(spot[1]) &&
          list[2] == (xen_pfn_t)~0ul && list[3] == 0x11111111u, "setup_table's frame list");
    q = query(DOMID_SELF, &rc);
    CHECK(rc == 0 && q.nr_frames == 3, "query_size after setup_table: %ld, %u", rc,
          q.nr_frames);

    /* Frame 0 moves, with its entries; its old place is a hole. */
    rc = map_frame(0, gfn_of(spot[2]));
    CHECK(rc == 0, "frame 0 to gfn %#lx: %ld", gfn_of(spot[2]), rc);
    e0 = (volatile struct grant_entry_v1 *)spot[2];
    CHECK(e0[8].frame == 0x1234 && e0[511].frame == 0xabcdef,
          "frame 0 lost its entries when moved: %#x %#x", e0[8].frame, e0[511].frame);
    w = (volatile uint32_t *)spot[0];
    CHECK(w[0] == 0xffffffffu, "the old place of frame 0 reads %#x", w[0]);
    CHECK(reservation() == cur - 3, "reservation after the move: %ld", reservation());
    rc = gnttab(GNTTABOP_setup_table, &st, 1);
    CHECK(rc == 0 && st.status == GNTST_okay && list[0] == gfn_of(spot[2]),
          "setup_table after the move: %ld, %d, %#lx", rc, st.status, list[0]);
    /* Mapping it again where it is changes nothing. */
    rc = map_frame(0, gfn_of(spot[2]));
    CHECK(rc == 0 && reservation() == cur - 3 && e0[8].frame == 0x1234,
          "frame 0 remapped in place: %ld", rc);
    printf("gnttab: frame 0 moved to gfn %#lx: reservation %ld\n", gfn_of(spot[2]),
           reservation());

    check_refusals(self, peer);
    if (cmdline_value(cmdline, "child", buf, sizeof(buf)) && buf[0] == '1')
        check_child();
    CHECK(e0[8].frame == 0x1234 && e1[0].frame == 0x55aa, "entries changed by refusals");
    q = query(DOMID_SELF, &rc);
    CHECK(rc == 0 && q.nr_frames == 3, "query_size at the end: %ld, %u", rc, q.nr_frames);

    printf("gnttab: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
