/*
 * Domain configurations in /etc/xen, in either of xm's two forms:
 *
 *   SXP      (vm (name web1) (memory 256)
 *                (image (pvh (kernel /boot/vmlinuz) (args "console=hvc0"))))
 *
 *   classic  name = "web1"          # .cfg / .hvm, a subset of Python
 *            memory = 256
 *            kernel = "/boot/vmlinuz"
 *            extra = "console=hvc0"
 *
 * Both are read into the same struct domcfg through one table of keys, so
 * a value means the same whichever form it is written in. The form is
 * chosen by the first character that is not blank or comment: '(' is SXP.
 */
#ifndef MICA_DOMCFG_H
#define MICA_DOMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/diag.h"

#define DOMCFG_MAX_VCPUS 128
/* 16 TiB in MiB: beyond any host mica runs on, small enough to catch a
 * size typed in bytes or KiB. */
#define DOMCFG_MAX_MEMORY_MIB (UINT64_C(1) << 24)
#define DOMCFG_DEFAULT_MEMORY_MIB 128   /* xm create's default. */
#define DOMCFG_DEFAULT_WEIGHT 256       /* The credit scheduler's. */

enum domcfg_type {
    DOMCFG_PVH,     /* Also for xm's builder 'linux' and 'generic'. */
    DOMCFG_HVM,
};

enum domcfg_action {
    DOMCFG_DESTROY,
    DOMCFG_RESTART,
    DOMCFG_PRESERVE,
    DOMCFG_RENAME_RESTART,
    DOMCFG_COREDUMP_DESTROY,
    DOMCFG_COREDUMP_RESTART,
};

struct domcfg {
    char *name;
    uint64_t memory_mib;
    uint64_t maxmem_mib;
    unsigned vcpus;
    /* The most vCPUs `xm vcpu-set` may give it while it runs (Xen's
     * maxvcpus); vcpus when the file does not say. */
    unsigned maxvcpus;

    /*
     * CPU affinity, normalised ("0-3,5"). With cpus_per_vcpu false, cpus[0]
     * (when ncpus is 1) applies to every vCPU; with it true, cpus[i] is
     * vCPU i's, as xm read a list. ncpus 0 means no pinning.
     */
    char **cpus;
    size_t ncpus;
    bool cpus_per_vcpu;

    enum domcfg_type type;
    char *kernel;
    char *ramdisk;      /* NULL when there is none. */
    char *cmdline;      /* Final: "root=..." and the arguments. May be NULL. */

    enum domcfg_action on_poweroff;
    enum domcfg_action on_reboot;
    enum domcfg_action on_crash;

    unsigned cpu_weight;
    unsigned cpu_cap;   /* Percent of one CPU; 0 means no cap. */
};

void domcfg_init(struct domcfg *c);
void domcfg_free(struct domcfg *c);
bool domcfg_equal(const struct domcfg *a, const struct domcfg *b);

const char *domcfg_action_name(enum domcfg_action a);
const char *domcfg_type_name(enum domcfg_type t);

/*
 * Parses a configuration, applies the overrides (xm create's trailing
 * "key=value" arguments, whose values are taken as strings, as xm did),
 * then validates. Every problem goes to d; returns 0 when c is usable, -1
 * when an error was reported.
 */
int domcfg_parse(const char *text, size_t len, const char *file,
                 const char *const *overrides, size_t noverrides,
                 struct domcfg *c, struct diag *d);
int domcfg_load(const char *path, const char *const *overrides,
                size_t noverrides, struct domcfg *c, struct diag *d);

/*
 * Checks a domain name: not empty, only letters, digits and _ . -, and not
 * dom0's. Returns 0, or -1 with the reason (starting lower case) in why.
 */
int domcfg_check_name(const char *name, char *why, size_t len);

/*
 * Records a CPU list (normalised, as "0-3,5"; "all" for no pinning) as
 * the affinity of vCPU vcpu, or of every vCPU when vcpu < 0, the way xm
 * vcpu-pin keeps it for a domain that is not running: one list for all
 * becomes a list per vCPU when one of them changes, and per-vCPU lists
 * that end up all the same become one list again.
 */
void domcfg_set_affinity(struct domcfg *c, int vcpu, const char *list);

/* The normalised SXP form, as `xm create -n` prints it. */
char *domcfg_to_sxp(const struct domcfg *c);

#endif
