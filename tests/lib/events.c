/* Event channels for the test guests: see events.h. */
#include "guest.h"
#include "events.h"
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

struct shared_info xen_shared __attribute__((aligned(4096)));
volatile struct vcpu_info *my_vcpu_info = &xen_shared.vcpu_info[0];
volatile unsigned int upcalls, events_handled;

#define BITS (8 * sizeof(xen_ulong_t))
#define MAX_PORTS 1024

static evtchn_handler_t handlers[MAX_PORTS];

/* Flat 4 GiB code (0x08) and data (0x10) segments. */
static const uint64_t gdt[] __attribute__((aligned(8))) = {
    0,
    0x00cf9a000000ffffull,
    0x00cf92000000ffffull,
};
static uint64_t idt[256] __attribute__((aligned(8)));

extern char upcall_entry[], exception_stubs[];
void events_upcall(void);
void exception_report(const uint32_t *frame) __attribute__((noreturn));

static void set_gate(unsigned int vec, void *handler)
{
    uint32_t h = (uint32_t)(uintptr_t)handler;

    /* A 32-bit interrupt gate, ring 0, present. */
    idt[vec] = (uint64_t)((h & 0xffff) | (0x08u << 16)) |
               ((uint64_t)((h & 0xffff0000u) | 0x8e00u) << 32);
}

static void load_tables(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } g, i;

    g.limit = sizeof(gdt) - 1;
    g.base = (uint32_t)(uintptr_t)gdt;
    i.limit = sizeof(idt) - 1;
    i.base = (uint32_t)(uintptr_t)idt;
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\tmovl $0x10, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     "lidt %1"
                     : : "m"(g), "m"(i) : "eax", "memory");
}

void exception_report(const uint32_t *frame)
{
    printf("unexpected exception %u, error %#x, at eip %#x\n", frame[0], frame[1],
           frame[2]);
    shutdown(SHUTDOWN_crash);
}

long evtchn_op(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg);
}

void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn)
{
    if (port < MAX_PORTS)
        handlers[port] = fn;
}

void evtchn_mask(evtchn_port_t port)
{
    __atomic_fetch_or(&xen_shared.evtchn_mask[port / BITS], 1ul << (port % BITS),
                      __ATOMIC_SEQ_CST);
}

bool evtchn_test_pending(evtchn_port_t port)
{
    return __atomic_load_n(&xen_shared.evtchn_pending[port / BITS], __ATOMIC_SEQ_CST) &
           (1ul << (port % BITS));
}

void evtchn_clear_pending(evtchn_port_t port)
{
    __atomic_fetch_and(&xen_shared.evtchn_pending[port / BITS], ~(1ul << (port % BITS)),
                       __ATOMIC_SEQ_CST);
}

/* The 2-level scan: clear the upcall flag first, so that an event raised
 * while we scan raises a new upcall, then take the selector word by word
 * and each word's pending, unmasked ports. */
void events_scan(void)
{
    volatile struct vcpu_info *vi = my_vcpu_info;

    while (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST)) {
        xen_ulong_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);

        while (sel) {
            unsigned int w = (unsigned int)__builtin_ctzl(sel);
            xen_ulong_t ready;

            sel &= sel - 1;
            ready = xen_shared.evtchn_pending[w] & ~xen_shared.evtchn_mask[w];
            while (ready) {
                unsigned int b = (unsigned int)__builtin_ctzl(ready);
                evtchn_port_t port = w * BITS + b;

                ready &= ready - 1;
                __atomic_fetch_and(&xen_shared.evtchn_pending[w], ~(1ul << b),
                                   __ATOMIC_SEQ_CST);
                events_handled++;
                if (port < MAX_PORTS && handlers[port])
                    handlers[port](port);
            }
        }
    }
}

void events_upcall(void)
{
    upcalls++;
    events_scan();
}

void traps_init(void)
{
    for (unsigned int v = 0; v < 32; v++)
        set_gate(v, exception_stubs + 16 * v);
    load_tables();
}

void trap_set(unsigned int vec, void *handler)
{
    set_gate(vec, handler);
}

long events_init(void)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
        .gpfn = (xen_pfn_t)((uintptr_t)&xen_shared >> 12),
    };
    struct xen_hvm_param p = {
        .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ,
        .value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | UPCALL_VECTOR,
    };
    long rc;

    irq_disable();
    traps_init();
    set_gate(UPCALL_VECTOR, upcall_entry);
    rc = hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&xatp);
    if (rc)
        return rc;
    return hypercall2(__HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p);
}
