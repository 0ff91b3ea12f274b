/*
 * xen/sched.h - __HYPERVISOR_sched_op.
 *
 *   long sched_op(int cmd, void *arg);
 *
 * How a guest gives up its CPU, waits for events, or ends itself.
 */
#ifndef MICA_GUEST_ABI_XEN_SCHED_H
#define MICA_GUEST_ABI_XEN_SCHED_H

#include "event_channel.h"

/* Let another vCPU run; @arg is NULL. */
#define SCHEDOP_yield           0
/*
 * Sleep until an event is pending for this vCPU; @arg is NULL.  Blocking
 * also clears the vCPU's upcall mask and checks for pending events first,
 * so an event that arrived just before the call is not missed.
 */
#define SCHEDOP_block           1
/* Stop the whole domain for the reason in struct sched_shutdown. */
#define SCHEDOP_shutdown        2
/* Sleep until one of the ports in struct sched_poll is pending, or timeout. */
#define SCHEDOP_poll            3
/* Shut down another domain (privileged): struct sched_remote_shutdown. */
#define SCHEDOP_remote_shutdown 4
/* Record a shutdown reason to report when the domain later stops. */
#define SCHEDOP_shutdown_code   5
/* Arm, pet or cancel a domain watchdog: struct sched_watchdog. */
#define SCHEDOP_watchdog        6
/* Temporarily pin the calling vCPU (hardware domain only). */
#define SCHEDOP_pin_override    7

/* Shutdown reasons, which the toolstack maps to on_poweroff/on_reboot/... */
#define SHUTDOWN_poweroff   0  /* halted normally: destroy it */
#define SHUTDOWN_reboot     1  /* destroy, then start it again */
#define SHUTDOWN_suspend    2  /* state saved: keep it for resume */
#define SHUTDOWN_crash      3  /* the guest crashed */
#define SHUTDOWN_watchdog   4  /* the domain watchdog expired */
#define SHUTDOWN_soft_reset 5  /* reset hypervisor state, keep memory */
#define SHUTDOWN_MAX        5  /* highest valid reason */

#ifndef __ASSEMBLER__

/* SCHEDOP_shutdown and SCHEDOP_shutdown_code. */
struct sched_shutdown {
    uint32_t reason;            /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);

/*
 * SCHEDOP_poll: @ports holds @nr_ports ports of the caller.  @timeout is an
 * absolute system time in ns; 0 means wait without a time limit.
 */
struct sched_poll {
    XEN_GUEST_HANDLE(evtchn_port_t) ports;
    uint32_t nr_ports;
    uint64_t timeout;
};
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);

/* SCHEDOP_remote_shutdown. */
struct sched_remote_shutdown {
    domid_t domain_id;          /* the domain to stop */
    uint32_t reason;            /* SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);

/*
 * SCHEDOP_watchdog: @id 0 creates a watchdog and returns its id; an
 * existing @id with @timeout 0 destroys it, with a non-zero @timeout
 * (seconds) restarts it.
 */
struct sched_watchdog {
    uint32_t id;
    uint32_t timeout;
};
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);

/* SCHEDOP_pin_override: a negative @pcpu undoes the override. */
struct sched_pin_override {
    int32_t pcpu;
};
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);

/* Layout checks. */
MICA_ABI_SIZE(sched_shutdown, 4);
MICA_ABI_SIZE(sched_remote_shutdown, 8);
MICA_ABI_OFFSET(sched_remote_shutdown, reason, 4);
MICA_ABI_SIZE(sched_watchdog, 8);
MICA_ABI_SIZE(sched_pin_override, 4);
MICA_ABI_OFFSET(sched_poll, ports, 0);
#if defined(__x86_64__)
MICA_ABI_OFFSET(sched_poll, nr_ports, 8);
MICA_ABI_OFFSET(sched_poll, timeout, 16);
MICA_ABI_SIZE(sched_poll, 24);
#else
MICA_ABI_OFFSET(sched_poll, nr_ports, 4);
MICA_ABI_OFFSET(sched_poll, timeout, 8);
MICA_ABI_SIZE(sched_poll, 16);
#endif

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_SCHED_H */
