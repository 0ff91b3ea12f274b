/*
 * mica's toolstack ABI: how a root process in domain 0 asks mica to create
 * and manage domains.  It is mica's own (not Xen's), versioned, and shared
 * by the hypervisor and libmica (dom0-tools/lib).
 *
 * The doorbell is a 32-bit OUT to I/O port MICA_CTL_PORT.  mica intercepts
 * that port; dom0's kernel lets only processes it granted the port with
 * ioperm() (root, CAP_SYS_RAWIO) execute the OUT, so everyone else gets
 * #GP from dom0's own kernel.  mica also refuses calls from any domain but
 * dom0 with -EPERM.
 *
 *   64-bit caller: RAX = operation, RDI, RSI, RDX, R10, R8 = arguments
 *   32-bit caller: EAX = operation, EBX, ECX, EDX, ESI, EDI = arguments
 *   then           outl %eax, $MICA_CTL_PORT
 *   result:        RAX = a value >= 0, or a negative errno (Linux numbers)
 *
 * Pointer arguments are virtual addresses in the calling process; mica reads
 * and writes them by walking dom0's page tables, and answers -EFAULT for an
 * address that is not mapped (or not writable, for output buffers: touch
 * them first, as libmica does).  Guest memory in the copy operations is
 * named by guest-physical address.
 */
#ifndef MICA_GUEST_ABI_MICA_CTL_H
#define MICA_GUEST_ABI_MICA_CTL_H

#include <xen/compiler.h>

#define MICA_CTL_PORT        0x00e0   /* 0xe0-0xe3: clear of Xen's debug port 0xe9 */
/* Major in bits 31-16 (incompatible changes), minor in 15-0 (additions). */
#define MICA_CTL_VERSION     0x00010003
#define MICA_CTL_MAJOR(v)    ((v) >> 16)

/* Operations (RAX/EAX). */
#define MICA_CTL_version            0  /* () -> MICA_CTL_VERSION */
#define MICA_CTL_physinfo           1  /* (struct mica_physinfo *) */
#define MICA_CTL_domain_list        2  /* (struct mica_domain_info *, max) -> count */
#define MICA_CTL_domain_info        3  /* (domid, struct mica_domain_info *) */
#define MICA_CTL_domain_create      4  /* (struct mica_domain_create *) -> domid */
#define MICA_CTL_domain_destroy     5  /* (domid) */
#define MICA_CTL_domain_pause       6  /* (domid) */
#define MICA_CTL_domain_unpause     7  /* (domid) */
#define MICA_CTL_domain_shutdown    8  /* (domid, SHUTDOWN_* reason) */
#define MICA_CTL_domain_set_memory  9  /* (domid, KiB): its maximum (max_pages) */
#define MICA_CTL_domain_set_vcpus  10  /* (domid, count) */
#define MICA_CTL_vcpu_pin          11  /* (domid, vcpu, CPU bit mask) */
#define MICA_CTL_sched_credit      12  /* (domid, weight, cap) -> cap << 32 | weight */
#define MICA_CTL_copy_to_domain    13  /* (domid, gpa, buffer, length) */
#define MICA_CTL_copy_from_domain  14  /* (domid, gpa, buffer, length) */
#define MICA_CTL_vcpu_set_state    15  /* (domid, vcpu, struct mica_vcpu_state *) */
#define MICA_CTL_console_read      16  /* (domid, buffer, length, uint64_t *pos) -> bytes */
#define MICA_CTL_console_write     17  /* (domid, buffer, length) -> bytes */
#define MICA_CTL_dmesg             18  /* (buffer, length, uint64_t *pos, flags) -> bytes */
#define MICA_CTL_vcpu_info         19  /* (domid, struct mica_vcpu_info *, max) -> count */
#define MICA_CTL_domain_rename     20  /* (domid, const char name[MICA_NAME_MAX]) */
#define MICA_CTL_NR                21

/* dmesg's flags: MICA_DMESG_UNSEEN reads, instead of the whole log, what
 * mica meant for its console after dom0 took the serial port (1.3). */
#define MICA_DMESG_UNSEEN          1u

/*
 * sched_credit: weight is a share relative to other domains (1-65535, Xen's
 * default 256), cap the most CPU the domain may use in percent of one CPU
 * (0 = no cap, up to 100 per vCPU).  MICA_SCHED_KEEP for either leaves it
 * as it is; the result is the domain's weight and cap after the call, so
 * (domid, KEEP, KEEP) reads them.
 */
#define MICA_SCHED_KEEP            0xffffffffu

/*
 * domain_set_memory: the most RAM the domain may hold, in KiB (rounded
 * down to pages), as Xen's XEN_DOMCTL_max_mem: -EINVAL below what it holds
 * now (mica cannot take memory back).  It changes no RAM and not the
 * domain's memory map.
 *
 * domain_rename: the name is read as MICA_NAME_MAX bytes and must be
 * NUL-terminated within them, non-empty, printable ASCII without blanks
 * (0x21-0x7e), and not another domain's (-EEXIST).
 */

#define MICA_NAME_MAX 32

#ifndef __ASSEMBLER__

struct mica_physinfo {
    uint32_t version;           /* MICA_CTL_VERSION */
    uint32_t nr_cpus;           /* online physical CPUs */
    uint32_t dom0_cpus;         /* of which dom0 owns this many (the first) */
    uint32_t cpu_khz;           /* TSC frequency */
    uint64_t total_pages;       /* RAM mica manages, in 4 KiB pages */
    uint64_t free_pages;        /* of which free for new domains */
    uint64_t dom0_pages;        /* RAM given to dom0 */
    uint64_t uptime_ns;
    char hvm[32];               /* "AMD-V (SVM + NPT)", ... */
    char mica_version[16];
};
MICA_ABI_SIZE(mica_physinfo, 96);
MICA_ABI_OFFSET(mica_physinfo, total_pages, 16);
MICA_ABI_OFFSET(mica_physinfo, hvm, 48);
MICA_ABI_OFFSET(mica_physinfo, mica_version, 80);

/* Domain state flags: the letters of `xm list`'s State column. */
#define MICA_DOMF_running   (1u << 0)   /* r: a vCPU is on a CPU */
#define MICA_DOMF_blocked   (1u << 1)   /* b: every vCPU waits */
#define MICA_DOMF_paused    (1u << 2)   /* p */
#define MICA_DOMF_shutdown  (1u << 3)   /* s: stopped by itself */
#define MICA_DOMF_crashed   (1u << 4)   /* c: stopped by mica */
#define MICA_DOMF_dying     (1u << 5)   /* d */
#define MICA_DOMF_xen_guest (1u << 8)   /* sees Xen's CPUID leaves */

struct mica_domain_info {
    uint16_t domid;
    uint16_t nr_vcpus;
    uint32_t flags;             /* MICA_DOMF_* */
    uint32_t shutdown_reason;   /* SHUTDOWN_*, valid with shutdown/crashed */
    int32_t shutdown_code;
    uint64_t tot_pages;         /* RAM it has */
    uint64_t max_pages;
    uint64_t cpu_time_ns;       /* summed over its vCPUs */
    uint64_t created_ns;        /* mica uptime at creation */
    char name[MICA_NAME_MAX];
};
MICA_ABI_SIZE(mica_domain_info, 80);
MICA_ABI_OFFSET(mica_domain_info, tot_pages, 16);
MICA_ABI_OFFSET(mica_domain_info, name, 48);

#endif /* !__ASSEMBLER__ */

#define MICA_CREATE_xen_guest (1u << 0)  /* show Xen's CPUID leaves (xenU) */

/*
 * A Xen guest's console and store rings live where Xen's toolstack puts an
 * HVM guest's special pages: MICA_SPECIAL_PAGES frames from guest frame
 * MICA_SPECIAL_GFN (just under 4 GiB), the store ring at +4 and the
 * console ring at +7.  A domain whose RAM reaches that far has them just
 * above its RAM instead.  The builder marks the region reserved in the
 * memory map; the guest finds the frames and event channels through HVM
 * parameters.
 */
#define MICA_SPECIAL_GFN      0xfeff8ull
#define MICA_SPECIAL_PAGES    8

#ifndef __ASSEMBLER__
struct mica_domain_create {
    char name[MICA_NAME_MAX];
    uint64_t memory_kb;         /* RAM at guest-physical 0 */
    uint32_t vcpus;
    uint32_t flags;             /* MICA_CREATE_* */
    uint64_t cpu_mask;          /* physical CPUs it may use; 0 = any */
    uint32_t console_limit;     /* bytes of console kept; 0 = default */
    uint32_t reserved;
};
MICA_ABI_SIZE(mica_domain_create, 64);
MICA_ABI_OFFSET(mica_domain_create, memory_kb, 32);

#endif /* !__ASSEMBLER__ */

#define MICA_VCPU_PVH32 1       /* 32-bit flat protected mode, paging off */

/* mica_vcpu_info.flags */
#define MICA_VCPUF_online   (1u << 0)   /* brought up (VCPUOP_up, or vCPU 0) */
#define MICA_VCPUF_running  (1u << 1)   /* on a CPU now */
#define MICA_VCPUF_blocked  (1u << 2)   /* waiting for an event or timer */
#define MICA_VCPUF_paused   (1u << 3)

#ifndef __ASSEMBLER__

struct mica_vcpu_state {
    uint32_t mode;              /* MICA_VCPU_* */
    uint32_t reserved;
    uint64_t rip;
    uint64_t rbx;               /* PVH: guest-physical start_info */
    uint64_t rsp;
};
MICA_ABI_SIZE(mica_vcpu_state, 32);

/* One vCPU, for `xm vcpu-list`. */
struct mica_vcpu_info {
    uint32_t vcpu;
    uint32_t cpu;               /* the CPU it runs on, or last ran on */
    uint32_t flags;             /* MICA_VCPUF_* */
    uint32_t reserved;
    uint64_t cpu_time_ns;
    uint64_t affinity;          /* CPUs it may run on (bit mask) */
};
MICA_ABI_SIZE(mica_vcpu_info, 32);
MICA_ABI_OFFSET(mica_vcpu_info, cpu_time_ns, 16);
#endif /* !__ASSEMBLER__ */

#endif
