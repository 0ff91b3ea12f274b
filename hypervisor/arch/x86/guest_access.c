/* Copying to and from a vCPU's virtual addresses: a walk of the guest's own
 * page tables (all x86 paging modes: none, 32-bit, PAE, 4-level), then of
 * its second-level map.  Intel SDM 3A 4.3-4.5; AMD APM vol. 2, 5.2-5.3. */
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/string.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/layout.h>
#include <asm/p2m.h>

#define ADDR_MASK 0x000ffffffffff000ull

static int read_gpa64(struct domain *d, gpaddr_t gpa, uint64_t *v)
{
    return copy_from_guest_phys(d, v, gpa, 8);
}

/* Translates one guest-virtual address; checks writability if asked. */
static int translate(struct vcpu *v, uint64_t gva, bool write, gpaddr_t *gpa)
{
    struct domain *d = v->domain;
    struct guest_paging p;
    uint64_t e;

    hvm_ops->get_paging(v, &p);
    if (!(p.cr0 & X86_CR0_PG)) {
        *gpa = gva & 0xffffffffull;
        return 0;
    }
    if (p.efer & EFER_LMA) {
        uint64_t t = p.cr3 & ADDR_MASK;

        for (int level = 3; level >= 0; level--) {
            if (read_gpa64(d, t + ((gva >> (12 + 9 * level)) & 511) * 8, &e))
                return -EFAULT;
            if (!(e & PTE_P) || (write && !(e & PTE_W)))
                return -EFAULT;
            if (level > 0 && level < 3 && (e & PTE_PS)) {
                uint64_t size = 1ull << (12 + 9 * level);

                *gpa = (e & ADDR_MASK & ~(size - 1)) | (gva & (size - 1));
                return 0;
            }
            t = e & ADDR_MASK;
        }
        *gpa = t | (gva & 0xfff);
        return 0;
    }
    if (p.cr4 & X86_CR4_PAE) {
        uint64_t t;

        gva &= 0xffffffffull;
        if (read_gpa64(d, (p.cr3 & 0xffffffe0ull) + (gva >> 30) * 8, &e) ||
            !(e & PTE_P))
            return -EFAULT;
        t = e & ADDR_MASK;
        if (read_gpa64(d, t + ((gva >> 21) & 511) * 8, &e) ||
            !(e & PTE_P) || (write && !(e & PTE_W)))
            return -EFAULT;
        if (e & PTE_PS) {
            *gpa = (e & ADDR_MASK & ~(MiB(2) - 1)) | (gva & (MiB(2) - 1));
            return 0;
        }
        t = e & ADDR_MASK;
        if (read_gpa64(d, t + ((gva >> 12) & 511) * 8, &e) ||
            !(e & PTE_P) || (write && !(e & PTE_W)))
            return -EFAULT;
        *gpa = (e & ADDR_MASK) | (gva & 0xfff);
        return 0;
    } else {
        uint32_t e32;

        gva &= 0xffffffffull;
        if (copy_from_guest_phys(d, &e32, (p.cr3 & 0xfffff000u) + (gva >> 22) * 4, 4) ||
            !(e32 & PTE_P) || (write && !(e32 & PTE_W)))
            return -EFAULT;
        if ((e32 & PTE_PS) && (p.cr4 & X86_CR4_PSE)) {
            *gpa = (e32 & 0xffc00000u) | (gva & 0x3fffff);
            return 0;
        }
        if (copy_from_guest_phys(d, &e32, (e32 & 0xfffff000u) + ((gva >> 12) & 1023) * 4, 4) ||
            !(e32 & PTE_P) || (write && !(e32 & PTE_W)))
            return -EFAULT;
        *gpa = (e32 & 0xfffff000u) | (gva & 0xfff);
        return 0;
    }
}

int guest_linear_to_phys(struct vcpu *v, uint64_t gva, bool write, gpaddr_t *gpa)
{
    return translate(v, gva, write, gpa);
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t n)
{
    char *out = dst;

    while (n) {
        size_t len = MIN(n, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
        gpaddr_t gpa;

        if (translate(v, gva, false, &gpa) ||
            copy_from_guest_phys(v->domain, out, gpa, len))
            return -EFAULT;
        out += len;
        gva += len;
        n -= len;
    }
    return 0;
}

int copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t n)
{
    const char *in = src;

    while (n) {
        size_t len = MIN(n, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
        gpaddr_t gpa;

        if (translate(v, gva, true, &gpa) ||
            copy_to_guest_phys(v->domain, gpa, in, len))
            return -EFAULT;
        in += len;
        gva += len;
        n -= len;
    }
    return 0;
}
