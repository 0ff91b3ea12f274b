/* Port I/O. */
#ifndef ASM_IO_H
#define ASM_IO_H

#include <mica/types.h>

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;

    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;

    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* mica identity-maps physical memory.  The empty asm hides the integer's
 * origin from the compiler, which otherwise warns about low addresses. */
static inline void *phys_to_virt(paddr_t pa)
{
    void *p;

    __asm__("" : "=r"(p) : "0"(pa));
    return p;
}

static inline uint32_t mmio_read32(paddr_t pa)
{
    return *(volatile uint32_t *)(uintptr_t)pa;
}

static inline void mmio_write32(paddr_t pa, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)pa = v;
}

#endif
