/* Event channels (Xen's 2-level ABI) and the upcall that tells a vCPU
 * about them. */
#ifndef MICA_EVENT_H
#define MICA_EVENT_H

#include <mica/types.h>

struct vcpu;
struct domain;

/* Ports 1..EVTCHN_PORTS-1; 1024 is what a 32-bit guest's 2-level bitmap
 * holds, and what Xen's toolstack gives a domain by default. */
#define EVTCHN_PORTS 1024

/* Ports whose far end is mica itself: they look unbound to the guest (as
 * in Xen before the backend in dom0 connects), and a send on them calls
 * the backend. */
#define EVTCHN_BACKEND_CONSOLE 1
#define EVTCHN_BACKEND_STORE   2
int evtchn_alloc_backend(struct domain *d, unsigned int kind);  /* the port */
/* The backend raises its port in the guest. */
void evtchn_backend_notify(struct domain *d, unsigned int port);
/* The console backend (console_ring.c): takes what the guest wrote;
 * true if it took anything, so that the guest hears back.  Called with
 * the event-channel lock held. */
bool console_ring_service(struct domain *d);

/* Closes every port of a dying domain: the far ends of its connections go
 * back to unbound, as in Xen. */
void evtchn_destroy(struct domain *d);

/* Raises VIRQ_TIMER on v if it has bound one; false if not. */
bool evtchn_send_timer(struct vcpu *v);

/* The guest's vcpu_info for v (64 bytes, the same layout for 32- and
 * 64-bit guests but for evtchn_pending_sel), or NULL if it has none. */
uint8_t *vcpu_info_of(struct vcpu *v);

/* Whether port p of d is pending (its bit in shared_info). */
bool evtchn_is_pending(struct domain *d, unsigned int p);

/* Whether v has an upcall pending (vcpu_info.evtchn_upcall_pending). */
bool evtchn_upcall_pending(struct vcpu *v);

/* The vector to inject into v now, or -1: its upcall is pending and it
 * asked for a vector (HVM_PARAM_CALLBACK_IRQ or
 * HVMOP_set_evtchn_upcall_vector).  Backends call this before each entry
 * and inject it when the guest can take an interrupt, or ask for an exit
 * when it can. */
int evtchn_upcall_vector(struct vcpu *v);

/* Blocks v (HLT, SCHEDOP_block) unless an upcall or timer is pending;
 * false if it did not block. */
bool evtchn_block(struct vcpu *v);

#endif
