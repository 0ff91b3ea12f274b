/*
 * xen/hvm/hvm_op.h - __HYPERVISOR_hvm_op.
 *
 *   long hvm_op(unsigned long cmd, void *arg);
 *
 * Operations for guests that run in a hardware container (HVM and PVH).
 * The parameter numbers for HVMOP_{set,get}_param are in xen/hvm/params.h.
 */
#ifndef MICA_GUEST_ABI_XEN_HVM_HVM_OP_H
#define MICA_GUEST_ABI_XEN_HVM_HVM_OP_H

#include "../xen.h"

#define HVMOP_set_param                 0  /* struct xen_hvm_param */
#define HVMOP_get_param                 1  /* struct xen_hvm_param */
/* 2-4 set INTx/ISA IRQ levels and PCI link routes; retired from guests. */
#define HVMOP_set_pci_intx_level        2
#define HVMOP_set_isa_irq_level         3
#define HVMOP_set_pci_link_route        4
#define HVMOP_flush_tlbs                5  /* @arg NULL: flush every vCPU's TLB */
#define HVMOP_pagetable_dying           9  /* struct xen_hvm_pagetable_dying */
#define HVMOP_get_time                 10  /* struct xen_hvm_get_time */
#define HVMOP_xentrace                 11
#define HVMOP_set_mem_access           12
#define HVMOP_get_mem_access           13
#define HVMOP_get_mem_type             15  /* struct xen_hvm_get_mem_type */
#define HVMOP_set_evtchn_upcall_vector 23  /* struct xen_hvm_evtchn_upcall_vector */
#define HVMOP_guest_request_vm_event   24
#define HVMOP_altp2m                   25

#ifndef __ASSEMBLER__

/*
 * HVMOP_set_param / HVMOP_get_param: parameter @index (HVM_PARAM_*) of
 * @domid, normally DOMID_SELF.
 */
struct xen_hvm_param {
    domid_t domid;              /* IN */
    uint16_t pad;
    uint32_t index;             /* IN: HVM_PARAM_* */
    uint64_t value;             /* IN for set, OUT for get */
};
typedef struct xen_hvm_param xen_hvm_param_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_param_t);

/* HVMOP_pagetable_dying: the guest is about to free the table at @gpa. */
struct xen_hvm_pagetable_dying {
    domid_t domid;
    uint16_t pad[3];
    uint64_t gpa;               /* top-level page table */
};
typedef struct xen_hvm_pagetable_dying xen_hvm_pagetable_dying_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_pagetable_dying_t);

/* HVMOP_get_time: ns of system time since the host booted. */
struct xen_hvm_get_time {
    uint64_t now;               /* OUT */
};
typedef struct xen_hvm_get_time xen_hvm_get_time_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_get_time_t);

/* Memory types reported by HVMOP_get_mem_type. */
typedef enum {
    HVMMEM_ram_rw,              /* ordinary RAM */
    HVMMEM_ram_ro,              /* RAM; writes are dropped */
    HVMMEM_mmio_dm,             /* emulated by a device model */
    HVMMEM_unused,              /* placeholder; never reported */
    HVMMEM_ioreq_server         /* RAM claimed by an ioreq server */
} hvmmem_type_t;

/* HVMOP_get_mem_type: the hvmmem_type_t of guest frame @pfn. */
struct xen_hvm_get_mem_type {
    domid_t domid;              /* IN */
    uint16_t mem_type;          /* OUT: hvmmem_type_t */
    uint16_t pad[2];
    uint64_t pfn;               /* IN */
};
typedef struct xen_hvm_get_mem_type xen_hvm_get_mem_type_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_get_mem_type_t);

/*
 * HVMOP_set_evtchn_upcall_vector: raise event upcalls for @vcpu as an
 * ordinary local APIC interrupt on @vector (so the guest EOIs it), in place
 * of the domain-wide HVM_PARAM_CALLBACK_IRQ.
 */
struct xen_hvm_evtchn_upcall_vector {
    uint32_t vcpu;
    uint8_t vector;
};
typedef struct xen_hvm_evtchn_upcall_vector xen_hvm_evtchn_upcall_vector_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_evtchn_upcall_vector_t);

/* Layout checks: identical for i386 and x86_64. */
MICA_ABI_SIZE(xen_hvm_param, 16);
MICA_ABI_OFFSET(xen_hvm_param, index, 4);
MICA_ABI_OFFSET(xen_hvm_param, value, 8);
MICA_ABI_SIZE(xen_hvm_pagetable_dying, 16);
MICA_ABI_OFFSET(xen_hvm_pagetable_dying, gpa, 8);
MICA_ABI_SIZE(xen_hvm_get_time, 8);
MICA_ABI_SIZE(xen_hvm_get_mem_type, 16);
MICA_ABI_OFFSET(xen_hvm_get_mem_type, mem_type, 2);
MICA_ABI_OFFSET(xen_hvm_get_mem_type, pfn, 8);
MICA_ABI_SIZE(xen_hvm_evtchn_upcall_vector, 8);
MICA_ABI_OFFSET(xen_hvm_evtchn_upcall_vector, vector, 4);

#endif /* !__ASSEMBLER__ */

#endif /* MICA_GUEST_ABI_XEN_HVM_HVM_OP_H */
