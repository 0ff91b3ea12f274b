/* dom0's memory: the lowest dom0_mem bytes of usable RAM, minus the few
 * pages mica keeps there (its image, the frame bitmap, the AP trampoline),
 * identity mapped.  Everything above is mica's: its own allocations and
 * the pool xenU domains are built from.  Keeping dom0 low gives Linux the
 * memory it expects below 1 MiB, 16 MiB and 4 GiB. */
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/frame.h>
#include <mica/lib.h>
#include <mica/string.h>
#include <asm/dom0.h>

struct dom0_layout dom0_layout;

static uint64_t dom0_mem;            /* 0: the default */
static uint64_t dom0_min_mem = MiB(256);
static uint64_t dom0_max_mem;        /* 0: no limit */
static bool dom0_min_given;          /* min: applies to dom0_mem= too */
static unsigned int dom0_cpus = 1;
static bool dom0_vcpus_pin;          /* Xen's; always so in mica */

/* Xen's form: dom0_mem=[min:SIZE,][max:SIZE,][SIZE], in any order. */
static int parse_dom0_mem(const char *v)
{
    uint64_t amount = 0, min = 0, max = 0, *to;
    bool got_min = false;
    const char *end;

    for (;;) {
        to = &amount;
        if (!strncmp(v, "min:", 4)) {
            to = &min, v += 4, got_min = true;
        } else if (!strncmp(v, "max:", 4)) {
            to = &max, v += 4;
        }
        if (!parse_size(v, &end, to) || (*end && *end != ','))
            return -1;
        if (!*end)
            break;
        v = end + 1;
    }
    if (max && min > max)
        return -1;
    dom0_mem = amount;
    dom0_max_mem = max;
    if (got_min) {
        dom0_min_mem = min;
        dom0_min_given = true;
    }
    return 0;
}

/* Xen's dom0_max_vcpus=N or MIN-MAX: dom0 gets MAX (its CPUs are its
 * vCPUs). */
static int parse_dom0_max_vcpus(const char *v)
{
    uint64_t n;
    const char *end;
    const char *dash = strchr(v, '-');

    if (!parse_u64(dash ? dash + 1 : v, &end, &n) || *end || !n ||
        n > 0xffffffffu)
        return -1;
    dom0_cpus = (unsigned int)n;
    return 0;
}

param_custom("dom0_mem", parse_dom0_mem);
param_size("dom0_min_mem", dom0_min_mem);
param_uint("dom0_cpus", dom0_cpus);
param_custom("dom0_max_vcpus", parse_dom0_max_vcpus);
param_bool("dom0_vcpus_pin", dom0_vcpus_pin);

/* mica's own needs beyond its image: page tables, VMCBs/VMCSs, heap. */
#define MICA_RESERVE MiB(32)

bool bzimage_probe(const void *image, size_t size)
{
    const uint8_t *p = image;

    return size > 0x264 && p[0x1fe] == 0x55 && p[0x1ff] == 0xaa &&
           !memcmp(p + 0x202, "HdrS", 4);
}

struct hole {
    paddr_t start, end;
};

static void add_range(paddr_t start, paddr_t end)
{
    struct dom0_layout *l = &dom0_layout;

    if (start >= end)
        return;
    if (l->nram && l->ram[l->nram - 1].start + l->ram[l->nram - 1].len == start) {
        l->ram[l->nram - 1].len += end - start;
    } else if (l->nram < DOM0_MAX_RANGES) {
        l->ram[l->nram++] = (struct mem_region){ start, end - start, MEM_USABLE };
    } else {
        return;
    }
    l->pages += (end - start) >> PAGE_SHIFT;
}

void dom0_plan_memory(const struct boot_info *bi, paddr_t image_start,
                      paddr_t image_end, paddr_t bitmap, size_t bitmap_bytes)
{
    struct dom0_layout *l = &dom0_layout;
    struct hole holes[3];
    uint64_t total = frame_total_count() << PAGE_SHIFT, want, got = 0;
    mfn_t tramp;

    memset(l, 0, sizeof(*l));
    l->initrd_mod = -1;
    for (unsigned i = 0; i < bi->nmods; i++) {
        if (bzimage_probe((const void *)(uintptr_t)bi->mods[i].start,
                          bi->mods[i].end - bi->mods[i].start)) {
            l->present = true;
            l->kernel_mod = i;
            if (i + 1 < bi->nmods &&
                !bzimage_probe((const void *)(uintptr_t)bi->mods[i + 1].start,
                               bi->mods[i + 1].end - bi->mods[i + 1].start))
                l->initrd_mod = (int)i + 1;
            break;
        }
    }
    if (!l->present)
        return;

    /* What was asked: dom0_plan_cpus() settles it once the CPUs are up. */
    l->cpus = dom0_cpus;

    /* The AP trampoline must sit below 1 MiB; take it now, before dom0
     * takes low memory. */
    tramp = frame_alloc_range(1, 1, 1, 0x9f);
    holes[0] = (struct hole){ image_start, ALIGN_UP(image_end, PAGE_SIZE) };
    holes[1] = (struct hole){ bitmap, bitmap + ALIGN_UP(bitmap_bytes, PAGE_SIZE) };
    holes[2] = (struct hole){ tramp << PAGE_SHIFT, (tramp + 1) << PAGE_SHIFT };
    if (tramp != MFN_INVALID)
        frame_free(tramp);      /* smp.c takes it again: it stays free for it */

    if (dom0_mem) {
        want = dom0_mem;
        if (dom0_min_given && want < dom0_min_mem)
            want = dom0_min_mem;
    } else {
        /* Everything but mica's reserve and a quarter of RAM for xenU
         * domains, leaving dom0 at least dom0_min_mem. */
        want = total > MICA_RESERVE ? total - MICA_RESERVE - total / 4 : 0;
        if (want < dom0_min_mem)
            want = dom0_min_mem;
    }
    if (dom0_max_mem && want > dom0_max_mem)
        want = dom0_max_mem;
    want = ALIGN_UP(want, PAGE_SIZE);
    if (want + MICA_RESERVE > total) {
        uint64_t cap = total > MICA_RESERVE ? total - MICA_RESERVE : 0;

        pr_warn("dom0_mem: %llu MiB asked, %llu MiB possible\n",
                (unsigned long long)(want >> 20), (unsigned long long)(cap >> 20));
        want = cap;
    }

    for (unsigned i = 0; i < bi->nmem && got < want; i++) {
        const struct mem_region *r = &bi->mem[i];
        paddr_t a = ALIGN_UP(r->start, PAGE_SIZE);
        paddr_t end = ALIGN_DOWN(r->start + r->len, PAGE_SIZE);

        if (r->type != MEM_USABLE)
            continue;
        if (a < PAGE_SIZE)
            a = PAGE_SIZE;      /* page 0 stays out: mica reserved it */
        while (a < end && got < want) {
            paddr_t b = end;

            /* Cut at the first hole inside [a, b). */
            for (unsigned h = 0; h < ARRAY_SIZE(holes); h++) {
                if (holes[h].start >= holes[h].end)
                    continue;
                if (a >= holes[h].start && a < holes[h].end) {
                    a = holes[h].end;
                    h = (unsigned)-1;   /* rescan: holes may touch */
                    continue;
                }
                if (holes[h].start > a && holes[h].start < b)
                    b = holes[h].start;
            }
            if (a >= end)
                break;
            if (b - a > want - got)
                b = a + (want - got);
            add_range(a, b);
            got += b - a;
            a = b;
        }
    }

    /* dom0's frames leave the allocator for good.  Boot modules inside
     * them are already reserved; they are read before dom0 runs. */
    for (unsigned i = 0; i < l->nram; i++)
        frame_reserve(l->ram[i].start >> PAGE_SHIFT,
                      (l->ram[i].start + l->ram[i].len) >> PAGE_SHIFT);
    printk("dom0: %llu MiB of RAM in %u range(s), up to %#llx; mica keeps %llu MiB\n",
           (unsigned long long)(l->pages >> 8), l->nram,
           (unsigned long long)(l->ram[l->nram - 1].start + l->ram[l->nram - 1].len),
           (unsigned long long)(frame_free_count() >> 8));
}

bool dom0_owns(paddr_t pa, uint64_t len)
{
    for (unsigned i = 0; i < dom0_layout.nram; i++) {
        const struct mem_region *r = &dom0_layout.ram[i];

        if (pa >= r->start && pa + len <= r->start + r->len)
            return true;
    }
    return false;
}
