/* memop: memory_op as a PVH guest sees it, written against Xen's ABI only:
 * the reservation counts agree with the start_info memory map, another
 * domain's counts are refused, and XENMEM_memory_map gives the same RAM. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/arch-x86/cpuid.h>

static long memop(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_memory_op, cmd, (unsigned long)arg);
}

struct e820 {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

/* Two pages of the guest's own RAM to put shared_info at, one after the
 * other. */
static uint8_t spot[2][4096] __attribute__((aligned(4096)));

static long map_shared_info(unsigned int space, unsigned long idx, void *where)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = space,
        .idx = idx,
        .gpfn = (xen_pfn_t)((uintptr_t)where >> 12),
    };

    return memop(XENMEM_add_to_physmap, &xatp);
}

/* shared_info replaces a RAM page, which the reservation loses, and then
 * moves with its contents. */
static void check_shared_info(long cur)
{
    volatile uint32_t *first = (volatile uint32_t *)spot[0];
    volatile uint32_t *second = (volatile uint32_t *)spot[1];
    struct xen_add_to_physmap bad = { .domid = DOMID_SELF,
                                      .space = XENMAPSPACE_shared_info,
                                      .gpfn = 0x7fffffff };
    struct xen_memory_domain md = { .domid = DOMID_SELF };
    long rc;

    memset(spot, 0xaa, sizeof(spot));
    rc = map_shared_info(XENMAPSPACE_shared_info, 0, spot[0]);
    CHECK(rc == 0, "add_to_physmap shared_info: %ld", rc);
    rc = memop(XENMEM_current_reservation, &md);
    printf("shared_info at gfn %#lx: reservation %ld -> %ld, first word %#x\n",
           (unsigned long)((uintptr_t)spot[0] >> 12), cur, rc, first[0]);
    CHECK(rc == cur - 1, "reservation after shared_info: %ld", rc);
    /* The guest's 0xaa bytes are gone: this is mica's page now. */
    CHECK(first[1023] != 0xaaaaaaaau, "shared_info page still shows RAM");
    first[1023] = 0x5ca1ab1e;

    rc = map_shared_info(XENMAPSPACE_shared_info, 0, spot[1]);
    CHECK(rc == 0, "moving shared_info: %ld", rc);
    CHECK(second[1023] == 0x5ca1ab1e, "shared_info lost its contents when moved");
    rc = memop(XENMEM_current_reservation, &md);
    CHECK(rc == cur - 2, "reservation after the move: %ld", rc);
    /* Mapping it again where it is changes nothing. */
    rc = map_shared_info(XENMAPSPACE_shared_info, 0, spot[1]);
    CHECK(rc == 0 && memop(XENMEM_current_reservation, &md) == cur - 2,
          "remapping in place: %ld", rc);

    rc = map_shared_info(XENMAPSPACE_shared_info, 1, spot[0]);
    CHECK(rc == -XEN_EINVAL, "shared_info idx 1: %ld", rc);
    rc = map_shared_info(XENMAPSPACE_grant_table, XENMAPIDX_grant_table_status, spot[0]);
    CHECK(rc == -XEN_EINVAL, "grant_table status frame 0: %ld", rc);
    rc = map_shared_info(77, 0, spot[0]);
    CHECK(rc == -XEN_ENOSYS, "space 77: %ld", rc);
    rc = memop(XENMEM_add_to_physmap, &bad);
    CHECK(rc == -XEN_EINVAL, "shared_info at gfn 0x7fffffff: %ld", rc);
    bad.domid = 0;
    bad.gpfn = (xen_pfn_t)((uintptr_t)spot[0] >> 12);
    rc = memop(XENMEM_add_to_physmap, &bad);
    CHECK(rc < 0, "shared_info into d0: %ld", rc);
    rc = memop(XENMEM_add_to_physmap, (void *)0xfff00000);
    CHECK(rc == -XEN_EFAULT, "add_to_physmap from 0xfff00000: %ld", rc);
    CHECK(second[1023] == 0x5ca1ab1e, "shared_info changed by refused calls");
}

enum verdict test_main(const char *cmdline)
{
    uint64_t ram = ram_size();
    unsigned long pages = (unsigned long)(ram >> 12);
    struct xen_memory_domain md;
    struct xen_memory_map map;
    struct e820 e[4];
    uint32_t a, b, c, d;
    long cur, max, rc;

    (void)cmdline;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                     : "a"(XEN_CPUID_FIRST_LEAF + 4), "c"(0));

    md.domid = DOMID_SELF;
    cur = memop(XENMEM_current_reservation, &md);
    max = memop(XENMEM_maximum_reservation, &md);
    printf("memop: %lu pages of RAM, current %ld, maximum %ld\n", pages, cur, max);
    CHECK(cur == (long)pages, "current_reservation %ld", cur);
    CHECK(max == (long)pages, "maximum_reservation %ld", max);

    if (a & XEN_HVM_CPUID_DOMID_PRESENT) {
        md.domid = (domid_t)c;
        rc = memop(XENMEM_current_reservation, &md);
        CHECK(rc == cur, "current_reservation of own id %u: %ld", c, rc);
        md.domid = (domid_t)(c + 1);
        rc = memop(XENMEM_current_reservation, &md);
        CHECK(rc < 0, "current_reservation of d%u: %ld", c + 1, rc);
        md.domid = 0;
        rc = memop(XENMEM_maximum_reservation, &md);
        CHECK(rc < 0, "maximum_reservation of d0: %ld", rc);
    }
    rc = memop(XENMEM_current_reservation, (void *)0xfff00000);
    CHECK(rc == -XEN_EFAULT, "current_reservation from 0xfff00000: %ld", rc);

    memset(e, 0x55, sizeof(e));
    map.nr_entries = 4;
    set_xen_guest_handle(map.buffer, e);
    rc = memop(XENMEM_memory_map, &map);
    printf("memory_map: rc %ld, %u entries, first [%#llx, +%#llx) type %u\n", rc,
           map.nr_entries, (unsigned long long)e[0].addr,
           (unsigned long long)e[0].size, e[0].type);
    /* RAM, then the console and store ring pages, reserved. */
    CHECK(rc == 0 && map.nr_entries == 2, "memory_map rc %ld, %u entries", rc,
          map.nr_entries);
    CHECK(e[0].addr == 0 && e[0].size == ram && e[0].type == 1, "memory_map entry 0");
    CHECK(e[1].addr == 0xfeff8000ull && e[1].size == 0x8000 && e[1].type == 2,
          "memory_map entry 1: [%#llx, +%#llx) type %u", (unsigned long long)e[1].addr,
          (unsigned long long)e[1].size, e[1].type);
    CHECK(e[2].type == 0x55555555u, "memory_map wrote past its entries");
    map.nr_entries = 1;
    rc = memop(XENMEM_memory_map, &map);
    CHECK(rc == 0 && map.nr_entries == 1, "memory_map with room for 1: rc %ld, %u", rc,
          map.nr_entries);

    map.nr_entries = 0;
    rc = memop(XENMEM_memory_map, &map);
    CHECK(rc == 0 && map.nr_entries == 0, "memory_map with no room: rc %ld, %u", rc,
          map.nr_entries);
    map.nr_entries = 4;
    set_xen_guest_handle(map.buffer, (struct e820 *)0xfff00000);
    rc = memop(XENMEM_memory_map, &map);
    CHECK(rc == -XEN_EFAULT, "memory_map into 0xfff00000: %ld", rc);

    rc = memop(XENMEM_machphys_mfn_list, &map);
    CHECK(rc == -XEN_ENOSYS, "machphys_mfn_list: %ld", rc);
    rc = memop(63, &map);
    CHECK(rc == -XEN_ENOSYS, "memory_op 63: %ld", rc);

    check_shared_info(cur);

    printf("memop: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
