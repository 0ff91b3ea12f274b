/*
 * xen/event_channel.h - __HYPERVISOR_event_channel_op.
 *
 *   long event_channel_op(int cmd, void *arg);
 *
 * An event channel is a numbered port in a domain.  Binding connects the
 * port to a source (another domain's port, a virtual IRQ, an IPI from
 * another vCPU of the same domain, or a physical IRQ); a notification sets
 * the port's pending bit in shared_info and, unless the port is masked,
 * raises an upcall on the vCPU the port is bound to.  @arg points to the
 * struct named after each command.
 */
#ifndef MICA_GUEST_ABI_XEN_EVENT_CHANNEL_H
#define MICA_GUEST_ABI_XEN_EVENT_CHANNEL_H

#include "xen.h"

#define EVTCHNOP_bind_interdomain  0
#define EVTCHNOP_bind_virq         1
#define EVTCHNOP_bind_pirq         2
#define EVTCHNOP_close             3
#define EVTCHNOP_send              4
#define EVTCHNOP_status            5
#define EVTCHNOP_alloc_unbound     6
#define EVTCHNOP_bind_ipi          7
#define EVTCHNOP_bind_vcpu         8
#define EVTCHNOP_unmask            9
#define EVTCHNOP_reset            10
#define EVTCHNOP_init_control     11  /* FIFO ABI */
#define EVTCHNOP_expand_array     12  /* FIFO ABI */
#define EVTCHNOP_set_priority     13  /* FIFO ABI */

/* States reported in evtchn_status.status. */
#define EVTCHNSTAT_closed       0  /* port is free */
#define EVTCHNSTAT_unbound      1  /* allocated, waiting for a remote domain */
#define EVTCHNSTAT_interdomain  2  /* connected to a port of another domain */
#define EVTCHNSTAT_pirq         3  /* bound to a physical IRQ */
#define EVTCHNSTAT_virq         4  /* bound to a virtual IRQ */
#define EVTCHNSTAT_ipi          5  /* bound for IPIs within the domain */

/* evtchn_bind_pirq.flags */
#define BIND_PIRQ__WILL_SHARE   1  /* the IRQ line may be shared */

/*
 * With the original two-level scheme a domain has as many ports as there
 * are bits in shared_info.evtchn_pending: 4096 for x86_64, 1024 for i386.
 */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/* FIFO event channel ABI (EVTCHNOP_init_control and friends). */
#define EVTCHN_FIFO_PRIORITY_MAX     0   /* highest priority */
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15  /* lowest priority */
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)
#define EVTCHN_FIFO_PENDING          31  /* bit numbers in an event word */
#define EVTCHN_FIFO_MASKED           30
#define EVTCHN_FIFO_LINKED           29
#define EVTCHN_FIFO_BUSY             28
#define EVTCHN_FIFO_LINK_BITS        17
#define EVTCHN_FIFO_LINK_MASK        ((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS      (1 << EVTCHN_FIFO_LINK_BITS)

#ifndef __ASSEMBLER__

typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/*
 * EVTCHNOP_alloc_unbound: allocate a port in @dom (DOMID_SELF, or any
 * domain for a privileged caller) that @remote_dom may later bind to.
 */
struct evtchn_alloc_unbound {
    domid_t dom;                /* IN */
    domid_t remote_dom;         /* IN */
    evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

/*
 * EVTCHNOP_bind_interdomain: connect a new local port to
 * <@remote_dom, @remote_port>, which must be unbound and offered to us.
 */
struct evtchn_bind_interdomain {
    domid_t remote_dom;         /* IN */
    evtchn_port_t remote_port;  /* IN */
    evtchn_port_t local_port;   /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/* EVTCHNOP_bind_virq: deliver VIRQ_* @virq to @vcpu on a new port. */
struct evtchn_bind_virq {
    uint32_t virq;              /* IN: VIRQ_* */
    uint32_t vcpu;              /* IN */
    evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

/* EVTCHNOP_bind_pirq: deliver physical IRQ @pirq on a new port. */
struct evtchn_bind_pirq {
    uint32_t pirq;              /* IN */
    uint32_t flags;             /* IN: BIND_PIRQ__* */
    evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;

/* EVTCHNOP_bind_ipi: a new port that other vCPUs can signal @vcpu with. */
struct evtchn_bind_ipi {
    uint32_t vcpu;              /* IN */
    evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

/* EVTCHNOP_close: unbind @port; the remote end of a connection goes unbound. */
struct evtchn_close {
    evtchn_port_t port;         /* IN */
};
typedef struct evtchn_close evtchn_close_t;

/* EVTCHNOP_send: notify whatever @port is connected to. */
struct evtchn_send {
    evtchn_port_t port;         /* IN */
};
typedef struct evtchn_send evtchn_send_t;

/* EVTCHNOP_status: describe <@dom, @port>. */
struct evtchn_status {
    domid_t dom;                /* IN */
    evtchn_port_t port;         /* IN */
    uint32_t status;            /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;              /* OUT: vCPU notified for this port */
    union {
        struct {
            domid_t dom;
        } unbound;              /* EVTCHNSTAT_unbound */
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain;          /* EVTCHNSTAT_interdomain */
        uint32_t pirq;          /* EVTCHNSTAT_pirq */
        uint32_t virq;          /* EVTCHNSTAT_virq */
    } u;                        /* OUT */
};
typedef struct evtchn_status evtchn_status_t;

/* EVTCHNOP_bind_vcpu: deliver @port's notifications to @vcpu from now on. */
struct evtchn_bind_vcpu {
    evtchn_port_t port;         /* IN */
    uint32_t vcpu;              /* IN */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/* EVTCHNOP_unmask: clear @port's mask and raise an upcall if it is pending. */
struct evtchn_unmask {
    evtchn_port_t port;         /* IN */
};
typedef struct evtchn_unmask evtchn_unmask_t;

/* EVTCHNOP_reset: close every port of @dom. */
struct evtchn_reset {
    domid_t dom;                /* IN */
};
typedef struct evtchn_reset evtchn_reset_t;

/*
 * EVTCHNOP_init_control: switch to the FIFO ABI, registering @vcpu's
 * control block at byte @offset of guest frame @control_gfn.
 */
struct evtchn_init_control {
    uint64_t control_gfn;       /* IN */
    uint32_t offset;            /* IN */
    uint32_t vcpu;              /* IN */
    uint8_t link_bits;          /* OUT */
    uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

/* EVTCHNOP_expand_array: add guest frame @array_gfn to the event array. */
struct evtchn_expand_array {
    uint64_t array_gfn;         /* IN */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

/* EVTCHNOP_set_priority: FIFO priority of @port (0 highest, 15 lowest). */
struct evtchn_set_priority {
    evtchn_port_t port;         /* IN */
    uint32_t priority;          /* IN */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;

/*
 * The argument of the old __HYPERVISOR_event_channel_op_compat, which took
 * the command inside the argument block.
 */
struct evtchn_op {
    uint32_t cmd;               /* EVTCHNOP_* */
    union {
        evtchn_alloc_unbound_t    alloc_unbound;
        evtchn_bind_interdomain_t bind_interdomain;
        evtchn_bind_virq_t        bind_virq;
        evtchn_bind_pirq_t        bind_pirq;
        evtchn_bind_ipi_t         bind_ipi;
        evtchn_close_t            close;
        evtchn_send_t             send;
        evtchn_status_t           status;
        evtchn_bind_vcpu_t        bind_vcpu;
        evtchn_unmask_t           unmask;
    } u;
};
typedef struct evtchn_op evtchn_op_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_op_t);

/* FIFO ABI: one 32-bit word per port in the event array. */
typedef uint32_t event_word_t;

/* FIFO ABI: per-vCPU control block, EVTCHN_FIFO_MAX_QUEUES queue heads. */
struct evtchn_fifo_control_block {
    uint32_t ready;             /* bit Q set: queue Q has events */
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;

/* Layout checks: identical for i386 and x86_64. */
MICA_ABI_SIZE(evtchn_alloc_unbound, 8);
MICA_ABI_OFFSET(evtchn_alloc_unbound, remote_dom, 2);
MICA_ABI_OFFSET(evtchn_alloc_unbound, port, 4);
MICA_ABI_SIZE(evtchn_bind_interdomain, 12);
MICA_ABI_OFFSET(evtchn_bind_interdomain, remote_port, 4);
MICA_ABI_OFFSET(evtchn_bind_interdomain, local_port, 8);
MICA_ABI_SIZE(evtchn_bind_virq, 12);
MICA_ABI_OFFSET(evtchn_bind_virq, vcpu, 4);
MICA_ABI_OFFSET(evtchn_bind_virq, port, 8);
MICA_ABI_SIZE(evtchn_bind_pirq, 12);
MICA_ABI_OFFSET(evtchn_bind_pirq, port, 8);
MICA_ABI_SIZE(evtchn_bind_ipi, 8);
MICA_ABI_OFFSET(evtchn_bind_ipi, port, 4);
MICA_ABI_SIZE(evtchn_close, 4);
MICA_ABI_SIZE(evtchn_send, 4);
MICA_ABI_SIZE(evtchn_status, 24);
MICA_ABI_OFFSET(evtchn_status, port, 4);
MICA_ABI_OFFSET(evtchn_status, status, 8);
MICA_ABI_OFFSET(evtchn_status, vcpu, 12);
MICA_ABI_OFFSET(evtchn_status, u, 16);
MICA_ABI_ASSERT(off_evtchn_status__u_interdomain_port,
                offsetof(struct evtchn_status, u.interdomain.port) == 20);
MICA_ABI_SIZE(evtchn_bind_vcpu, 8);
MICA_ABI_SIZE(evtchn_unmask, 4);
MICA_ABI_SIZE(evtchn_reset, 2);
MICA_ABI_SIZE(evtchn_init_control, 24);
MICA_ABI_OFFSET(evtchn_init_control, offset, 8);
MICA_ABI_OFFSET(evtchn_init_control, vcpu, 12);
MICA_ABI_OFFSET(evtchn_init_control, link_bits, 16);
MICA_ABI_SIZE(evtchn_expand_array, 8);
MICA_ABI_SIZE(evtchn_set_priority, 8);
MICA_ABI_SIZE(evtchn_op, 28);
MICA_ABI_OFFSET(evtchn_op, u, 4);
MICA_ABI_SIZE(evtchn_fifo_control_block, 72);

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_EVENT_CHANNEL_H */
