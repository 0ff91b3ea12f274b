/* Event channels for the test guests, written against Xen's ABI only:
 * a GDT and IDT of our own, shared_info mapped through add_to_physmap,
 * the upcall delivered on a callback vector (HVM_PARAM_CALLBACK_IRQ), and
 * a 2-level scan that calls a handler per port. */
#ifndef TEST_EVENTS_H
#define TEST_EVENTS_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#define UPCALL_VECTOR 0xf3

/* shared_info, mapped by events_init() at this page of the guest. */
extern struct shared_info xen_shared;
/* vCPU 0's vcpu_info: in xen_shared, or where register_vcpu_info put it. */
extern volatile struct vcpu_info *my_vcpu_info;
/* Upcalls taken, and events handled, since events_init(). */
extern volatile unsigned int upcalls, events_handled;

typedef void (*evtchn_handler_t)(evtchn_port_t port);

/* Loads our GDT and IDT (exceptions report and crash the domain), maps
 * shared_info and asks for upcalls on UPCALL_VECTOR.  Interrupts stay off;
 * 0 or a negative errno. */
long events_init(void);
/* Just the GDT and the IDT (events_init() loads them too): exceptions
 * report and crash the domain until trap_set() gives a vector a handler of
 * its own (an interrupt gate, ring 0: the handler ends in iret). */
void traps_init(void);
void trap_set(unsigned int vec, void *handler);
long evtchn_op(unsigned int cmd, void *arg);
/* Calls fn for each event on port (NULL: just count it). */
void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn);
void evtchn_mask(evtchn_port_t port);
bool evtchn_test_pending(evtchn_port_t port);
void evtchn_clear_pending(evtchn_port_t port);
/* Handles what is pending now, as the upcall does (interrupts off). */
void events_scan(void);

static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* STI; HLT: the shadow of STI keeps an interrupt from coming in between,
 * so a pending upcall ends the HLT instead of being missed. */
static inline void safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

#endif
