/* mica's own address space: physical memory identity mapped.  head.S maps
 * the first 4 GiB with 2 MiB pages; this extends the map to all RAM above
 * that, up to 512 GiB (one PDPT). */
#include <mica/bootinfo.h>
#include <mica/console.h>
#include <mica/frame.h>
#include <mica/heap.h>
#include <mica/string.h>
#include <asm/cpu.h>
#include <asm/layout.h>

extern uint64_t boot_pdpt[];

void mm_map_ram(const struct boot_info *bi)
{
    paddr_t top = 0;

    for (unsigned i = 0; i < bi->nmem; i++)
        if (bi->mem[i].type == MEM_USABLE)
            top = MAX(top, bi->mem[i].start + bi->mem[i].len);
    if (top > GiB(512)) {
        pr_warn("RAM above 512 GiB is not used\n");
        top = GiB(512);
    }
    for (paddr_t gb = GiB(4); gb < top; gb += GiB(1)) {
        uint64_t *pd = page_alloc_zeroed();

        if (!pd)
            panic("out of memory mapping RAM");
        for (int i = 0; i < 512; i++)
            pd[i] = (gb + (uint64_t)i * MiB(2)) | PTE_P | PTE_W | PTE_PS;
        boot_pdpt[gb >> 30] = (uintptr_t)pd | PTE_P | PTE_W;
    }
    write_cr3(read_cr3());
}
