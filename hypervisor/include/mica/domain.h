/* Domains and their vCPUs. */
#ifndef MICA_DOMAIN_H
#define MICA_DOMAIN_H

#include <mica/types.h>
#include <mica/spinlock.h>
#include <mica/sched.h>
#include <asm/hvm.h>
#include <mica/ctl.h>

#define MAX_VCPUS 32
#define DOMAIN_NAME_MAX 32
#define DOMAIN_CONSOLE_SIZE (16 * 1024)        /* the default */
#define DOMAIN_CONSOLE_MAX  (1024 * 1024)

/* Why a vCPU is not runnable; it runs when none is set. */
#define VPF_BLOCKED   (1u << 0)   /* HLT or SCHEDOP_block */
#define VPF_DOWN      (1u << 1)   /* not brought up yet, or taken down */
#define VPF_PAUSED    (1u << 2)   /* its domain is paused */
#define VPF_DEAD      (1u << 3)   /* its domain shut down or is dying */

struct vcpu {
    unsigned int id;
    struct domain *domain;
    struct guest_regs regs;
    volatile uint32_t pause_flags;
    /* Has a register state although VPF_DOWN: VCPUOP_initialise gave it
     * one, or it ran and was taken down (vcpu_op.c). */
    volatile bool initialised;
    unsigned int pcpu;          /* the CPU it runs on */
    uint64_t cpu_affinity;      /* CPUs it may run on (bit mask) */
    struct vcpu *rq_next;
    bool on_runq;
    volatile bool running;
    uint64_t cpu_time_ns;       /* time spent in the guest and its exits */
    uint64_t run_start_ns;      /* since when cpu_time_ns is owed time (0: none) */
    uint64_t exits;
    struct sched_vcpu sched;    /* credit, runstate, migration (sched.c) */
    /* Its single-shot timer (set_timer_op, VCPUOP_set_singleshot_timer):
     * a deadline in pvclock system time, on the sorted timer list of CPU
     * timer_cpu while armed.  timer_fired stands for the VIRQ_TIMER that
     * will be delivered with event channels: a block or HLT while it is
     * set returns at once and clears it. */
    uint64_t timer_deadline;
    struct vcpu *timer_next;
    unsigned int timer_cpu;
    bool timer_armed;
    volatile bool timer_fired;
    struct hvm_exit exit;
    void *hvm;                  /* the vendor backend's state */
    /* Events.  vcpu_info is where VCPUOP_register_vcpu_info put it (in a
     * frame the domain owns until it dies), or NULL for its slot in
     * shared_info.  upcall_vector: HVMOP_set_evtchn_upcall_vector's, 0 for
     * the domain's callback.  virq_port: the port bound to each VIRQ (the
     * per-vCPU ones here, the global ones on vCPU 0).  poll_port: while in
     * SCHEDOP_poll, the one port it waits for, or -1 for several. */
    uint8_t *vcpu_info;
    uint8_t upcall_vector;
    uint16_t virq_port[24];
    volatile bool polling;
    int poll_port;
    /* SCHEDOP_poll's timeout, on CPU poll_cpu's list while armed. */
    uint64_t poll_deadline;
    struct vcpu *poll_next;
    unsigned int poll_cpu;
    bool poll_armed;
};

enum domain_state {
    DOMAIN_RUNNING,
    DOMAIN_SHUTDOWN,    /* stopped by itself: see shutdown_reason */
    DOMAIN_CRASHED,     /* stopped by mica: see crash_reason */
    DOMAIN_DYING,
};

struct domain {
    domid_t id;
    char name[DOMAIN_NAME_MAX];
    bool xen_guest;             /* sees Xen's CPUID leaves and hypercalls */
    /* Domain 0: a passthrough partition.  Its vCPUs own their CPUs: device
     * interrupts, HLT, I/O ports (but mica's) and most MSRs go straight to
     * the hardware, and its memory is identity mapped. */
    bool is_dom0;
    /* Made by the toolstack: kept after it stops, until destroyed, so that
     * xend sees why it stopped. */
    bool toolstack;
    volatile bool destroying;
    /* CPUs inside domain_reap for it (domain_reap_hold): the last one
     * out of a dying domain frees it, so none reads it after it is gone. */
    int reap_refs;
    /* A boot-time control domain (module option "ctl"): may use the
     * toolstack doorbell like dom0's root processes. */
    bool ctl_allowed;
    enum domain_state state;
    unsigned int shutdown_reason;
    int shutdown_code;
    char crash_reason[96];
    spinlock_t lock;

    mfn_t npt_root;             /* second-level page tables */
    uint64_t tot_pages, max_pages;
    /* The RAM it was built with, guest frames [0, ram_pages): what its
     * memory map shows, whatever max_pages the toolstack sets later. */
    uint64_t ram_pages;
    /* Xen guests: the shared_info page (mica's, not counted in tot_pages)
     * and the guest frame it is mapped at, GFN_NONE until the guest asks. */
    struct shared_info *shared_info;
    gfn_t shared_info_gfn;
    bool shinfo_32;             /* its layout: latched when it is mapped */
    uint64_t callback_via;      /* HVM_PARAM_CALLBACK_IRQ, 0 or a vector */
    struct evtchn *evtchn;      /* EVTCHN_PORTS of them, allocated on first use */
    /* Its grant table (grant_table.c), made on first use; NULL until then. */
    struct grant_table *gnttab;
    /* Xen guests: the console and store ring pages, with their event
     * channels, in a reserved region of SPECIAL_PAGES frames from ring_gfn
     * (see console_ring.c).  mica is the console's backend; no store
     * daemon answers yet.  GFN_NONE: none. */
    gfn_t ring_gfn;
    struct xencons_interface *cons_ring;
    void *store_ring;
    uint16_t cons_port, store_port;
    /* RAM frames the guest gave up for shared_info: another vCPU may still
     * hold them in its TLB, so they go back to the pool with the domain.
     * A list threaded through the frames' first word. */
    mfn_t parked;
    uint64_t parked_pages;
    uint64_t npt_pages;

    /* The credit scheduler: a share relative to other domains' weights,
     * and a cap in percent of one CPU (0: none). */
    unsigned int weight, cap;
    struct sched_domain sched;

    unsigned int nr_vcpus;
    struct vcpu *vcpus[MAX_VCPUS];
    volatile unsigned int vcpus_running;

    char *console;              /* what the guest wrote, last console_size bytes */
    uint32_t console_size;
    uint64_t console_head;
    bool console_line_start;
    /* Which of its two consoles it has written to: the debug one
     * (console_io, port 0xe9), which Xen prints on its own console, or
     * the PV console ring, which Xen's toolstack keeps (xm console).  A
     * guest that writes to both has each line in one place only. */
    bool debug_console_used, ring_console_used;
    bool null_mmio_seen;        /* its first access to unbacked memory is logged */
    bool crash_dumped;          /* the crashing vCPU's registers are logged */

    uint64_t created_ns;
    /* When it was first unpaused, and when it first wrote to its console
     * (mica's uptime, ns; 0: not yet): `make bench` reads the difference. */
    uint64_t started_ns, first_output_ns;
    struct domain *next;
};

#define GFN_NONE (~(gfn_t)0)

/* Xen's "special pages" below 4 GiB (guest-abi/include/mica/ctl.h), and
 * the two of them mica fills. */
#define SPECIAL_PAGES        MICA_SPECIAL_PAGES
#define SPECIAL_BASE_GFN     MICA_SPECIAL_GFN
#define SPECIAL_STORE        4
#define SPECIAL_CONSOLE      7
#define console_gfn(d)       ((d)->ring_gfn + SPECIAL_CONSOLE)
#define store_gfn(d)         ((d)->ring_gfn + SPECIAL_STORE)

struct boot_info;
/* Starts the PVH kernels among the boot modules; returns how many. */
unsigned int domains_start_from_modules(const struct boot_info *bi);

struct domain *domain_create(const char *name, bool xen_guest);
struct domain *domain_create_id(const char *name, bool xen_guest, domid_t id);
struct domain *domain_find(domid_t id);
/* domain_find, with a hold (domain_reap_hold) that keeps the domain from
 * being freed until the caller lets go of it with domain_reap. */
struct domain *domain_find_hold(domid_t id);
/* Calls fn for each domain, under the list lock: fn must not block. */
void domain_for_each(void (*fn)(struct domain *d, void *arg), void *arg);
int domain_alloc_memory(struct domain *d, uint64_t bytes);
struct vcpu *vcpu_create(struct domain *d, unsigned int id);
void domain_unpause(struct domain *d);
void domain_pause(struct domain *d);
/* Stops the domain and frees it as soon as none of its vCPUs runs. */
void domain_destroy(struct domain *d);
void domain_shutdown(struct domain *d, unsigned int reason);
void domain_crash(struct domain *d, const char *fmt, ...) __printf(2, 3);
/* Frees what a stopped domain holds once none of its vCPUs runs.  The
 * caller took a hold with domain_reap_hold while d could not yet go (its
 * vCPU still marked running or queued, or, for domain_destroy, under the
 * doorbell's lock): d may be freed by this call or a concurrent one, and
 * the caller must not touch it afterwards. */
void domain_reap_hold(struct domain *d);
bool domain_reap(struct domain *d);  /* true if it freed d */
/* What the guest wrote to its debug console (console_io, port 0xe9). */
void domain_console_write(struct domain *d, const char *s, size_t n);
/* What mica, its backend, drained from its PV console ring. */
void domain_console_ring_write(struct domain *d, const char *s, size_t n);
/* The console and store rings of a Xen guest, just above its RAM
 * (console_ring.c); 0 or a negative errno. */
int domain_rings_init(struct domain *d);
/* Input for the guest's console ring; returns the bytes taken. */
long domain_console_input(struct domain *d, const char *s, size_t n);
unsigned int domains_alive(void);

#endif
