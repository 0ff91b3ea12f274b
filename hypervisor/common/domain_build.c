/* Domains started at boot from boot modules.  A module that is an ELF
 * kernel with Xen's PVH entry note becomes a domain: its arguments before
 * "--" are for mica (name=, mem=, cpus=, vcpus=, weight=, cap=, ctl), those
 * after are the guest's own
 * command line, passed in hvm_start_info as the PVH contract says
 * (Xen's docs/misc/pvh.pandoc). */
#include <mica/bootinfo.h>
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/elf.h>
#include <mica/errno.h>
#include <mica/lib.h>
#include <mica/percpu.h>
#include <mica/sched.h>
#include <mica/string.h>
#include <asm/dom0.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <xen/hvm/start_info.h>

#define DEFAULT_MEM MiB(16)

struct dom_args {
    char name[DOMAIN_NAME_MAX];
    uint64_t mem;
    uint64_t cpus;          /* affinity mask; 0 = any */
    uint64_t vcpus;         /* how many; vCPU 0 starts, the rest wait for VCPUOP_up */
    uint64_t weight, cap;   /* the credit scheduler's share and limit */
    bool ctl;               /* may use the toolstack doorbell */
    const char *guest_cmdline;
};

static int guest_copy(void *ctx, uint64_t pa, const void *src, size_t n)
{
    return copy_to_guest_phys(ctx, pa, src, n);
}

static int guest_zero(void *ctx, uint64_t pa, size_t n)
{
    return zero_guest_phys(ctx, pa, n);
}

/* cpus=N or cpus=N-M,K: a set of physical CPUs. */
static bool parse_cpus(const char *s, uint64_t *mask)
{
    *mask = 0;
    while (*s) {
        uint64_t a, b;
        const char *e;

        if (!parse_u64(s, &e, &a))
            return false;
        b = a;
        if (*e == '-' && !parse_u64(e + 1, &e, &b))
            return false;
        if (a > b || b >= 64)
            return false;
        for (uint64_t i = a; i <= b; i++)
            *mask |= 1ull << i;
        s = *e == ',' ? e + 1 : e;
        if (*e && *e != ',')
            return false;
    }
    return *mask != 0;
}

/* Splits a module's arguments; warns about what it does not know. */
static void parse_args(unsigned idx, const char *args, struct dom_args *a)
{
    static const char *const known[] = { "name", "mem", "cpus", "vcpus", "weight", "cap", "ctl" };
    const char *s = cmdline_skip_image(args);
    const char *sep = NULL;

    for (const char *p = s; (p = strchr(p, '-')); p++) {
        if (p[1] == '-' && (p == s || p[-1] == ' ') && (p[2] == ' ' || !p[2])) {
            sep = p;
            break;
        }
    }
    snprintf(a->name, sizeof(a->name), "boot%u", idx);
    a->mem = DEFAULT_MEM;
    a->cpus = 0;
    a->vcpus = 1;
    a->weight = SCHED_DEFAULT_WEIGHT;
    a->cap = 0;
    a->ctl = false;
    a->guest_cmdline = sep ? sep + 2 + (sep[2] == ' ') : "";

    while (*s && s != sep) {
        char word[128], val[96];
        size_t len = 0;
        bool ok = false;

        while (*s == ' ')
            s++;
        if (!*s || s == sep)
            break;
        while (s[len] && s[len] != ' ' && len < sizeof(word) - 1)
            len++;
        memcpy(word, s, len);
        word[len] = '\0';
        s += len;
        for (unsigned k = 0; k < ARRAY_SIZE(known); k++) {
            if (!cmdline_get(word, known[k], val, sizeof(val)))
                continue;
            if (k == 0) {
                ok = val[0] && strlen(val) < sizeof(a->name);
                if (ok)
                    strlcpy(a->name, val, sizeof(a->name));
            } else if (k == 1) {
                const char *e;
                uint64_t m;

                ok = parse_size(val, &e, &m) && !*e && m >= MiB(1);
                if (ok)
                    a->mem = ALIGN_UP(m, PAGE_SIZE);
            } else if (k == 2) {
                ok = parse_cpus(val, &a->cpus);
            } else if (k == 6) {
                /* "ctl" alone or ctl=1: a boot-time control domain. */
                ok = !strcmp(val, "1") || !strcmp(val, "");
                a->ctl = ok;
            } else {
                static const uint64_t lo[] = { 1, SCHED_MIN_WEIGHT, 0 };
                static const uint64_t hi[] = { MAX_VCPUS, SCHED_MAX_WEIGHT, 100 * 64 };
                uint64_t *dst[] = { &a->vcpus, &a->weight, &a->cap };
                const char *e;
                uint64_t n;

                ok = parse_u64(val, &e, &n) && !*e && n >= lo[k - 3] && n <= hi[k - 3];
                if (ok)
                    *dst[k - 3] = n;
            }
            break;
        }
        if (!ok)
            pr_warn("module %u: bad or unknown option '%s' (guest arguments go after '--')\n",
                    idx, word);
    }
}

/* Writes hvm_start_info, the command line and the memory map into the page
 * after the kernel; returns its address. */
static int write_start_info(struct domain *d, const struct elf_info *ei,
                            const struct dom_args *a, gpaddr_t *where)
{
    struct hvm_start_info si;
    struct hvm_memmap_table_entry mm[2];
    gpaddr_t base = ALIGN_UP(ei->phys_end, PAGE_SIZE);
    size_t cmdlen = strlen(a->guest_cmdline) + 1;
    gpaddr_t cmd = base + sizeof(si);
    gpaddr_t map = ALIGN_UP(cmd + cmdlen, 8);
    int rc;

    if (map + sizeof(mm) > a->mem)
        return -ENOMEM;
    memset(&si, 0, sizeof(si));
    si.magic = XEN_HVM_START_MAGIC_VALUE;
    si.version = 1;
    si.cmdline_paddr = cmd;
    si.memmap_paddr = map;
    si.memmap_entries = ARRAY_SIZE(mm);
    mm[0] = (struct hvm_memmap_table_entry){ 0, a->mem, XEN_HVM_MEMMAP_TYPE_RAM, 0 };
    /* The console and store rings (console_ring.c). */
    mm[1] = (struct hvm_memmap_table_entry){ d->ring_gfn << PAGE_SHIFT,
                                             SPECIAL_PAGES * PAGE_SIZE,
                                             XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
    rc = copy_to_guest_phys(d, base, &si, sizeof(si));
    if (!rc)
        rc = copy_to_guest_phys(d, cmd, a->guest_cmdline, cmdlen);
    if (!rc)
        rc = copy_to_guest_phys(d, map, mm, sizeof(mm));
    *where = base;
    return rc;
}

static void domain_destroy_unstarted(struct domain *d)
{
    domain_crash(d, "could not be built");
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i])
            d->vcpus[i]->pause_flags |= VPF_DEAD;
    domain_reap_hold(d);
    domain_reap(d);
}

static int build_module(unsigned idx, const struct boot_module *m,
                        struct domain **built)
{
    const void *img = (const void *)(uintptr_t)m->start;
    size_t size = (size_t)(m->end - m->start);
    struct elf_target t = { guest_copy, guest_zero, NULL };
    struct vcpu_start_state st;
    struct elf_info ei;
    struct dom_args a;
    struct domain *d;
    struct vcpu *v;
    gpaddr_t si;
    int rc;

    rc = elf_inspect(img, size, &ei);
    if (rc < 0 || !ei.has_pvh_entry) {
        pr_warn("module %u: %s; not started\n", idx,
                rc < 0 ? ei.error : "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");
        return -ENOEXEC;
    }
    parse_args(idx, m->args, &a);
    if (ei.phys_end > a.mem) {
        pr_warn("module %u: kernel needs %llu KiB of RAM, domain has %llu; not started\n",
                idx, (unsigned long long)(ei.phys_end >> 10),
                (unsigned long long)(a.mem >> 10));
        return -ENOMEM;
    }
    d = domain_create(a.name, true);
    if (!d) {
        pr_err("module %u: out of memory creating a domain\n", idx);
        return -ENOMEM;
    }
    rc = domain_alloc_memory(d, a.mem);
    t.ctx = d;
    if (!rc)
        rc = elf_load(img, size, &t, &ei);
    if (!rc)
        rc = write_start_info(d, &ei, &a, &si);
    v = rc ? NULL : vcpu_create(d, 0);
    for (unsigned i = 1; v && i < a.vcpus; i++) {
        struct vcpu *w = vcpu_create(d, i);

        if (!w) {
            rc = -ENOMEM;
            v = NULL;
            break;
        }
        w->pause_flags |= VPF_DOWN;
        if (a.cpus) {
            w->cpu_affinity = a.cpus;
            __atomic_fetch_sub(&pcpus[w->pcpu].nr_vcpus, 1, __ATOMIC_RELAXED);
            sched_add_vcpu(w);
        }
    }
    d->weight = (unsigned int)a.weight;
    d->cap = (unsigned int)a.cap;
    d->ctl_allowed = a.ctl;
    if (!v) {
        pr_err("module %u: cannot build domain '%s' (%s)\n", idx, a.name,
               rc ? (ei.error ? ei.error : "out of memory") : "no vCPU");
        domain_destroy_unstarted(d);
        return rc ? rc : -ENOMEM;
    }
    if (a.cpus) {
        v->cpu_affinity = a.cpus;
        __atomic_fetch_sub(&pcpus[v->pcpu].nr_vcpus, 1, __ATOMIC_RELAXED);
        sched_add_vcpu(v);
    }
    st.mode = START_PVH32;
    st.rip = ei.pvh_entry;
    st.rbx = si;
    hvm_ops->vcpu_set_start(v, &st);
    printk("d%u (%s): %s PVH kernel, %llu MiB, entry %#x, on CPU%u\n", d->id,
           d->name, ei.is64 ? "ELF64" : "ELF32",
           (unsigned long long)(a.mem >> 20), ei.pvh_entry, v->pcpu);
    *built = d;
    return 0;
}

unsigned int domains_start_from_modules(const struct boot_info *bi)
{
    struct domain *built[BOOT_MAX_MODULES];
    unsigned started = 0;

    /* Build them all, then start them together. */
    for (unsigned i = 0; i < bi->nmods; i++) {
        if (dom0_layout.present &&
            (i == dom0_layout.kernel_mod || (int)i == dom0_layout.initrd_mod))
            continue;           /* dom0's kernel and initrd */
        if (build_module(i, &bi->mods[i], &built[started]) == 0)
            started++;
    }
    for (unsigned i = 0; i < started; i++)
        domain_unpause(built[i]);
    return started;
}
