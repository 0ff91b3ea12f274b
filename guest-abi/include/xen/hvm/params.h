/*
 * xen/hvm/params.h - parameters read and written with HVMOP_{get,set}_param.
 *
 * Most parameters are set by the toolstack when it builds the domain and
 * only read by the guest: where its xenstore and console rings live, and
 * which event channels signal them.  HVM_PARAM_CALLBACK_IRQ is the one a
 * guest normally writes, to choose how event upcalls reach it.
 */
#ifndef MICA_GUEST_ABI_XEN_HVM_PARAMS_H
#define MICA_GUEST_ABI_XEN_HVM_PARAMS_H

#include "hvm_op.h"

/*
 * How event-channel upcalls are delivered.  A GSI or PCI INTx line only
 * ever signals for vCPU 0; a vector signals every vCPU that has no vector
 * of its own (HVMOP_set_evtchn_upcall_vector).  0 turns upcalls off.
 * Otherwise bits 63:56 hold an HVM_PARAM_CALLBACK_TYPE_* and bits 55:0 its
 * argument.
 */
#define HVM_PARAM_CALLBACK_IRQ           0
#define HVM_PARAM_CALLBACK_IRQ_TYPE_MASK xen_mk_ullong(0xFF00000000000000)
/* Bits 55:0 are a GSI, which must not be 0. */
#define HVM_PARAM_CALLBACK_TYPE_GSI      0
/* Bits 55:0 are PCI segment 47:32, bus 31:16, devfn 15:8, INTx pin 1:0. */
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1
/*
 * Bits 7:0 are an IDT vector, injected without passing through the local
 * APIC, so the guest sends no EOI for it.  Available when
 * XENFEAT_hvm_callback_vector is reported.
 */
#define HVM_PARAM_CALLBACK_TYPE_VECTOR   2

/*
 * mica helpers (not Xen names) to build and take apart a callback value,
 * e.g. MICA_HVM_CALLBACK_VIA(HVM_PARAM_CALLBACK_TYPE_VECTOR, 0xf3).
 */
#define MICA_HVM_CALLBACK_TYPE_SHIFT 56
#define MICA_HVM_CALLBACK_VIA(type, arg) \
    ((xen_mk_ullong(type) << MICA_HVM_CALLBACK_TYPE_SHIFT) | (arg))
#define MICA_HVM_CALLBACK_TYPE(val) \
    (((val) & HVM_PARAM_CALLBACK_IRQ_TYPE_MASK) >> MICA_HVM_CALLBACK_TYPE_SHIFT)

#define HVM_PARAM_STORE_PFN              1  /* xenstore ring frame */
#define HVM_PARAM_STORE_EVTCHN           2  /* xenstore event channel */
/* 3 is not assigned. */
#define HVM_PARAM_PAE_ENABLED            4  /* retired; meaning undefined */
#define HVM_PARAM_IOREQ_PFN              5  /* device model request page */
#define HVM_PARAM_BUFIOREQ_PFN           6  /* buffered request page */
/* 7 and 8 are not assigned. */
#define HVM_PARAM_VIRIDIAN               9  /* Hyper-V enlightenment mask */
#define HVM_PARAM_TIMER_MODE            10  /* HVMPTM_* */
#define HVM_PARAM_HPET_ENABLED          11  /* boolean */
#define HVM_PARAM_IDENT_PT              12  /* EPT identity map for CR0.PG=0 */
/* 13 (DM_DOMAIN) is retired. */
#define HVM_PARAM_ACPI_S_STATE          14  /* current ACPI S state */
#define HVM_PARAM_VM86_TSS              15  /* TSS for real mode on VT-x */
#define HVM_PARAM_VPT_ALIGN             16  /* boolean: align periodic timers */
#define HVM_PARAM_CONSOLE_PFN           17  /* console ring frame */
#define HVM_PARAM_CONSOLE_EVTCHN        18  /* console event channel */
#define HVM_PARAM_ACPI_IOPORTS_LOCATION 19  /* 0: old PM1a/TMR ports, 1: new */
/* 20-26 are retired (memory-event and nested-HVM settings). */
#define HVM_PARAM_PAGING_RING_PFN       27
#define HVM_PARAM_MONITOR_RING_PFN      28
#define HVM_PARAM_SHARING_RING_PFN      29
/* 30 is retired. */
#define HVM_PARAM_TRIPLE_FAULT_REASON   31  /* SHUTDOWN_* on triple fault */
#define HVM_PARAM_IOREQ_SERVER_PFN      32
#define HVM_PARAM_NR_IOREQ_SERVER_PAGES 33
#define HVM_PARAM_VM_GENERATION_ID_ADDR 34
#define HVM_PARAM_ALTP2M                35
#define HVM_PARAM_X87_FIP_WIDTH         36  /* 0, 4 or 8 */
#define HVM_PARAM_VM86_TSS_SIZED        37  /* address 31:0, size 63:32 */
#define HVM_PARAM_MCA_CAP               38  /* XEN_HVM_MCA_CAP_* */
#define HVM_NR_PARAMS                   39

/* Values of HVM_PARAM_TIMER_MODE: what happens to ticks a vCPU missed. */
#define HVMPTM_delay_for_missed_ticks    0  /* deliver late; guest time lags */
#define HVMPTM_no_delay_for_missed_ticks 1  /* deliver late; guest time tracks */
#define HVMPTM_no_missed_ticks_pending   2  /* drop them */
#define HVMPTM_one_missed_tick_pending   3  /* collapse them into one */

/* Bits of HVM_PARAM_MCA_CAP. */
#define XEN_HVM_MCA_CAP_LMCE (xen_mk_ullong(1) << 0)
#define XEN_HVM_MCA_CAP_MASK XEN_HVM_MCA_CAP_LMCE

#endif /* MICA_GUEST_ABI_XEN_HVM_PARAMS_H */
