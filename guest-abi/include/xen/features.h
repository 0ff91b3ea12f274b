/*
 * xen/features.h - feature bits reported by XENVER_get_features.
 *
 * Each XENFEAT_* is a bit number in the feature map; submap i of
 * XENVER_get_features holds bits 32*i .. 32*i+31.  A guest's
 * XEN_ELFNOTE_FEATURES note names the same features, as a '|'-separated
 * list of the names without the XENFEAT_ prefix, a leading '!' marking a
 * feature the kernel cannot run without.
 */
#ifndef MICA_GUEST_ABI_XEN_FEATURES_H
#define MICA_GUEST_ABI_XEN_FEATURES_H

#define XENFEAT_writable_page_tables        0  /* PV: page tables writable */
#define XENFEAT_writable_descriptor_tables  1  /* PV: GDT/LDT writable */
#define XENFEAT_auto_translated_physmap     2  /* hypervisor translates gfn to mfn */
#define XENFEAT_supervisor_mode_kernel      3  /* kernel runs in ring 0 */
#define XENFEAT_pae_pgdir_above_4gb         4  /* PAE PDPT may live above 4GiB */
#define XENFEAT_mmu_pt_update_preserve_ad   5  /* PV: MMU_PT_UPDATE_PRESERVE_AD */
#define XENFEAT_highmem_assist              6  /* PV: MMUEXT_{CLEAR,COPY}_PAGE */
#define XENFEAT_gnttab_map_avail_bits       7  /* grant maps honour PTE avail bits */
#define XENFEAT_hvm_callback_vector         8  /* HVM_PARAM_CALLBACK_TYPE_VECTOR works */
#define XENFEAT_hvm_safe_pvclock            9  /* pvclock is reliable for HVM guests */
#define XENFEAT_hvm_pirqs                  10  /* HVM guests may use pirqs */
#define XENFEAT_dom0                       11  /* may run as the control domain */
/* 12 (grant_map_identity) is retired and must not be used. */
#define XENFEAT_memory_op_vnode_supported  13  /* XENMEMF_vnode understood */
#define XENFEAT_ARM_SMCCC_supported        14  /* Arm only */
#define XENFEAT_linux_rsdp_unrestricted    15  /* PVH: RSDP may be above 1MiB */
#define XENFEAT_not_direct_mapped          16  /* guest frames != machine frames */
#define XENFEAT_direct_mapped              17  /* guest frames == machine frames */
#define XENFEAT_runstate_phys_area         18  /* VCPUOP_register_runstate_phys_area */
#define XENFEAT_vcpu_time_phys_area        19  /* VCPUOP_register_vcpu_time_phys_area */
#define XENFEAT_dm_msix_all_writes         20  /* device models see all MSI-X writes */

/* Number of 32-bit submaps that XENVER_get_features can return. */
#define XENFEAT_NR_SUBMAPS 1

#endif /* MICA_GUEST_ABI_XEN_FEATURES_H */
