/* hvmparam: HVMOP_{set,get}_param as a PVH guest uses them, written against
 * Xen's ABI only: the callback vector is kept, the console and store
 * parameters read as "none" and are not the guest's to set, and bad
 * indices, values and buffers are refused. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/event_channel.h>
#include <xen/io/console.h>

static long hvm_param(unsigned int op, domid_t dom, uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = dom, .index = index, .value = *value };
    long rc = hypercall2(__HYPERVISOR_hvm_op, op, (unsigned long)&p);

    *value = p.value;
    return rc;
}

static long set(uint32_t index, uint64_t value)
{
    return hvm_param(HVMOP_set_param, DOMID_SELF, index, &value);
}

static long get(uint32_t index, uint64_t *value)
{
    *value = 0x5555555555555555ull;
    return hvm_param(HVMOP_get_param, DOMID_SELF, index, value);
}

/* Writes s into the console ring's out half and tells the backend. */
static void console_ring_write(volatile struct xencons_interface *r, evtchn_port_t port,
                               const char *s)
{
    struct evtchn_send send = { .port = port };
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    XENCONS_RING_IDX prod = r->out_prod;
    long rc;

    rc = hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_status, (unsigned long)&st);
    CHECK(rc == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
          "console port status: %ld, %u, d%u", rc, st.status, st.u.unbound.dom);
    CHECK(r->connection == XENCONSOLE_CONNECTED, "console ring not connected");
    while (*s) {
        while (prod - r->out_cons >= sizeof(r->out))
            ;
        r->out[MASK_XENCONS_IDX(prod, r->out)] = *s++;
        prod++;
    }
    __atomic_store_n(&r->out_prod, prod, __ATOMIC_RELEASE);
    rc = hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send);
    CHECK(rc == 0, "send on the console port: %ld", rc);
    CHECK(r->out_cons == prod, "the backend took %u of %u bytes", r->out_cons, prod);
    /* What the ring carries goes to the toolstack's copy of our console
     * (xm console); our console_io lines alone go to mica's console. */
    printf("hvmparam: the backend took %u bytes from the console ring\n", r->out_cons);
}

#define VIA(type, arg) ((uint64_t)(type) << 56 | (arg))

enum verdict test_main(const char *cmdline)
{
    static const uint32_t rings[] = { HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN,
                                      HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN };
    uint64_t v, ring_param[4];
    long rc;

    (void)cmdline;
    rc = get(HVM_PARAM_CALLBACK_IRQ, &v);
    CHECK(rc == 0 && v == 0, "callback before setting: rc %ld, %#llx", rc,
          (unsigned long long)v);
    rc = set(HVM_PARAM_CALLBACK_IRQ, VIA(HVM_PARAM_CALLBACK_TYPE_VECTOR, 0xf3));
    CHECK(rc == 0, "set callback vector 0xf3: %ld", rc);
    rc = get(HVM_PARAM_CALLBACK_IRQ, &v);
    printf("hvmparam: callback set to vector 0xf3, reads back %#llx\n",
           (unsigned long long)v);
    CHECK(rc == 0 && v == VIA(HVM_PARAM_CALLBACK_TYPE_VECTOR, 0xf3),
          "callback reads back rc %ld, %#llx", rc, (unsigned long long)v);

    /* Refused values leave the callback as it was. */
    CHECK(set(HVM_PARAM_CALLBACK_IRQ, VIA(HVM_PARAM_CALLBACK_TYPE_VECTOR, 0x0e)) ==
          -XEN_EINVAL, "vector 0x0e accepted");
    CHECK(set(HVM_PARAM_CALLBACK_IRQ, VIA(HVM_PARAM_CALLBACK_TYPE_VECTOR, 0x1f3)) ==
          -XEN_EINVAL, "vector 0x1f3 accepted");
    CHECK(set(HVM_PARAM_CALLBACK_IRQ, VIA(7, 0xf3)) == -XEN_EINVAL,
          "callback type 7 accepted");
    rc = get(HVM_PARAM_CALLBACK_IRQ, &v);
    CHECK(rc == 0 && v == VIA(HVM_PARAM_CALLBACK_TYPE_VECTOR, 0xf3),
          "refused values changed the callback: %#llx", (unsigned long long)v);
    CHECK(set(HVM_PARAM_CALLBACK_IRQ, 0) == 0, "clearing the callback");
    rc = get(HVM_PARAM_CALLBACK_IRQ, &v);
    CHECK(rc == 0 && v == 0, "callback after clearing: %#llx", (unsigned long long)v);

    for (unsigned i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
        rc = get(rings[i], &ring_param[i]);
        CHECK(rc == 0 && ring_param[i] != 0, "param %u: rc %ld, %#llx", rings[i], rc,
              (unsigned long long)ring_param[i]);
        CHECK(set(rings[i], 0x1234) == -XEN_EPERM, "param %u set by the guest",
              rings[i]);
    }
    /* Where Xen's toolstack puts them: store and console at 0xfeffc and
     * 0xfefff, in the reserved region below 4 GiB. */
    CHECK(ring_param[2] == 0xfefff && ring_param[0] == 0xfeffc,
          "console pfn %#llx, store pfn %#llx", (unsigned long long)ring_param[2],
          (unsigned long long)ring_param[0]);
    CHECK(ring_param[1] != ring_param[3], "store and console share port %llu",
          (unsigned long long)ring_param[1]);
    printf("hvmparam: console ring at pfn %#llx port %llu, store ring at pfn %#llx port %llu\n",
           (unsigned long long)ring_param[2], (unsigned long long)ring_param[3],
           (unsigned long long)ring_param[0], (unsigned long long)ring_param[1]);
    console_ring_write((volatile struct xencons_interface *)(uintptr_t)(ring_param[2] << 12),
                       (evtchn_port_t)ring_param[3], "hvmparam: written to the console ring\n");

    CHECK(get(HVM_NR_PARAMS, &v) == -XEN_EINVAL, "param %u", HVM_NR_PARAMS);
    CHECK(get(0xffffffffu, &v) == -XEN_EINVAL, "param 0xffffffff");
    v = 0;
    CHECK(hvm_param(HVMOP_get_param, 0, HVM_PARAM_CALLBACK_IRQ, &v) < 0,
          "d0's callback readable");
    CHECK(hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param, 0xfff00000ul) == -XEN_EFAULT,
          "param from 0xfff00000");
    CHECK(hypercall2(__HYPERVISOR_hvm_op, 99, 0) == -XEN_ENOSYS, "hvm_op 99");

    printf("hvmparam: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
