/* A domain's guest-physical to host-physical map (the NPT/EPT tables). */
#ifndef ASM_P2M_H
#define ASM_P2M_H

#include <mica/types.h>

struct domain;

int p2m_init(struct domain *d);
/* Maps gfn to mfn; `owned` frames are the domain's RAM and are freed with
 * it. */
int p2m_map(struct domain *d, gfn_t gfn, mfn_t mfn, bool write, bool owned);
/* Maps memory the domain does not own (dom0's identity map, device
 * memory): 4 KiB, or 2 MiB when `large` (gfn and mfn 2 MiB aligned). */
int p2m_map_device(struct domain *d, gfn_t gfn, mfn_t mfn, bool write,
                   bool ram, bool large);
/* Points gfn at mfn, a frame the domain does not own, in place of whatever
 * was mapped there; and removes gfn's mapping.  Both return the frame they
 * displaced in *old (MFN_INVALID if none) and whether the domain owned it,
 * which is then the caller's to free.  Neither splits a 2 MiB mapping
 * (-EBUSY).  The caller makes the change visible with hvm_ops->npt_flush. */
int p2m_replace(struct domain *d, gfn_t gfn, mfn_t mfn, bool write,
                mfn_t *old, bool *old_owned);
int p2m_unmap(struct domain *d, gfn_t gfn, mfn_t *old, bool *old_owned);
mfn_t p2m_lookup(struct domain *d, gfn_t gfn, bool *writable);
void p2m_destroy(struct domain *d);

/* Guest memory through its physical addresses (the loaders' view), and
 * through a vCPU's virtual addresses (hypercall arguments).  Each returns 0
 * or -EFAULT, after copying nothing or a prefix. */
struct vcpu;
int copy_to_guest_phys(struct domain *d, gpaddr_t gpa, const void *src, size_t n);
int zero_guest_phys(struct domain *d, gpaddr_t gpa, size_t n);
int copy_from_guest_phys(struct domain *d, void *dst, gpaddr_t gpa, size_t n);
int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t n);
int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t n);
/* The guest-physical address a vCPU's linear address maps to now, through
 * its own page tables (0 or -EFAULT). */
int guest_linear_to_phys(struct vcpu *v, uint64_t gva, bool write, gpaddr_t *gpa);

#endif
