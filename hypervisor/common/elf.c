/* ELF loader (System V ABI and its x86 supplements): the headers are read
 * with explicit bounds checks on every offset, since an image is just bytes
 * handed to us. */
#include <mica/elf.h>
#include <mica/errno.h>
#include <mica/string.h>
#include <xen/elfnote.h>

#define PT_LOAD 1
#define PT_NOTE 4
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62

struct phdr {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static bool in_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

static void read_phdr(const uint8_t *p, bool is64, struct phdr *ph)
{
    ph->type = rd32(p);
    if (is64) {
        ph->offset = rd64(p + 8);
        ph->vaddr = rd64(p + 16);
        ph->paddr = rd64(p + 24);
        ph->filesz = rd64(p + 32);
        ph->memsz = rd64(p + 40);
    } else {
        ph->offset = rd32(p + 4);
        ph->vaddr = rd32(p + 8);
        ph->paddr = rd32(p + 12);
        ph->filesz = rd32(p + 16);
        ph->memsz = rd32(p + 20);
    }
}

static void scan_notes(const uint8_t *n, uint64_t len, struct elf_info *info)
{
    uint64_t off = 0;

    while (off + 12 <= len) {
        uint32_t namesz = rd32(n + off), descsz = rd32(n + off + 4);
        uint32_t type = rd32(n + off + 8);
        uint64_t name = off + 12;
        uint64_t desc = name + ALIGN_UP((uint64_t)namesz, 4);
        uint64_t next = desc + ALIGN_UP((uint64_t)descsz, 4);

        if (next > len || next <= off)
            return;
        if (namesz == 4 && !memcmp(n + name, "Xen", 4) &&
            type == XEN_ELFNOTE_PHYS32_ENTRY && descsz >= 4) {
            info->pvh_entry = rd32(n + desc);
            info->has_pvh_entry = true;
        }
        off = next;
    }
}

static int parse(const uint8_t *img, size_t size, struct elf_info *info,
                 const struct elf_target *t)
{
    bool is64;
    uint64_t phoff;
    uint16_t phentsize, phnum, machine;
    bool any = false;

    memset(info, 0, sizeof(*info));
    info->phys_start = ~0ull;
    if (size < 52 || memcmp(img, "\177ELF", 4)) {
        info->error = "not an ELF file";
        return -ENOEXEC;
    }
    if (img[4] != 1 && img[4] != 2) {
        info->error = "unknown ELF class";
        return -ENOEXEC;
    }
    is64 = img[4] == 2;
    info->is64 = is64;
    if (img[5] != 1) {
        info->error = "not little-endian";
        return -ENOEXEC;
    }
    if (is64 && size < 64) {
        info->error = "truncated ELF header";
        return -ENOEXEC;
    }
    machine = rd16(img + 18);
    if (rd16(img + 16) != ET_EXEC ||
        (machine != EM_386 && machine != EM_X86_64)) {
        info->error = "not an x86 executable";
        return -ENOEXEC;
    }
    phoff = is64 ? rd64(img + 32) : rd32(img + 28);
    phentsize = rd16(img + (is64 ? 54 : 42));
    phnum = rd16(img + (is64 ? 56 : 44));
    if (phentsize < (is64 ? 56 : 32) || !in_file(phoff, (uint64_t)phentsize * phnum, size)) {
        info->error = "program headers outside the file";
        return -ENOEXEC;
    }

    for (unsigned i = 0; i < phnum; i++) {
        struct phdr ph;

        read_phdr(img + phoff + (uint64_t)i * phentsize, is64, &ph);
        if (ph.type == PT_NOTE && in_file(ph.offset, ph.filesz, size))
            scan_notes(img + ph.offset, ph.filesz, info);
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        if (ph.filesz > ph.memsz || !in_file(ph.offset, ph.filesz, size) ||
            ph.paddr + ph.memsz < ph.paddr) {
            info->error = "a segment lies outside the file";
            return -ENOEXEC;
        }
        any = true;
        info->phys_start = MIN(info->phys_start, ph.paddr);
        info->phys_end = MAX(info->phys_end, ph.paddr + ph.memsz);
        if (t) {
            int rc = t->copy(t->ctx, ph.paddr, img + ph.offset, ph.filesz);

            if (rc >= 0)
                rc = t->zero(t->ctx, ph.paddr + ph.filesz, ph.memsz - ph.filesz);
            if (rc < 0) {
                info->error = "a segment lies outside the domain's memory";
                return rc;
            }
        }
    }
    if (!any) {
        info->error = "no loadable segment";
        return -ENOEXEC;
    }
    return 0;
}

int elf_inspect(const void *image, size_t size, struct elf_info *info)
{
    return parse(image, size, info, NULL);
}

int elf_load(const void *image, size_t size, const struct elf_target *t,
             struct elf_info *info)
{
    int rc = parse(image, size, info, NULL);

    if (rc < 0)
        return rc;
    if (!info->has_pvh_entry) {
        info->error = "no XEN_ELFNOTE_PHYS32_ENTRY note (not a PVH kernel)";
        return -ENOEXEC;
    }
    return parse(image, size, info, t);
}
