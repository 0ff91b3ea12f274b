/* Multiboot 1 and 2 information parsers.  They read the loader's structures
 * only through the map callback and only within the lengths the structures
 * give, and copy what mica needs into a struct boot_info, so that the
 * loader's memory can be reused afterwards. */
#include <mica/bootinfo.h>
#include <mica/errno.h>
#include <mica/string.h>

/* Multiboot 2 tag types (Multiboot2 specification, 3.6). */
#define MB2_TAG_END       0
#define MB2_TAG_CMDLINE   1
#define MB2_TAG_LOADER    2
#define MB2_TAG_MODULE    3
#define MB2_TAG_MEMINFO   4
#define MB2_TAG_MMAP      6
#define MB2_TAG_ACPI_OLD  14
#define MB2_TAG_ACPI_NEW  15
#define MB2_TAG_EFI_MMAP  17

/* Multiboot 1 info flags (Multiboot specification 0.6.96, 3.3). */
#define MB1_MEM     (1u << 0)
#define MB1_CMDLINE (1u << 2)
#define MB1_MODS    (1u << 3)
#define MB1_MMAP    (1u << 6)
#define MB1_LOADER  (1u << 9)

/* EFI memory types (UEFI spec 2.x, 7.2) that are RAM once boot services
 * have exited, and those that hold ACPI tables. */
#define EFI_LOADER_CODE 1
#define EFI_LOADER_DATA 2
#define EFI_BS_CODE     3
#define EFI_BS_DATA     4
#define EFI_CONVENTIONAL 7
#define EFI_UNUSABLE    8
#define EFI_ACPI_RECLAIM 9
#define EFI_ACPI_NVS    10

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void copy_str(phys_map_fn map, uint64_t pa, char *dst, size_t size)
{
    const char *s;
    size_t i;

    dst[0] = '\0';
    if (!pa)
        return;
    /* Map one byte at a time: the string's length is not known up front and
     * the map callback checks bounds. */
    for (i = 0; i + 1 < size; i++) {
        s = map(pa + i, 1);
        if (!s || !*s)
            break;
        dst[i] = *s;
    }
    dst[i] = '\0';
}

static void copy_bytes_str(const uint8_t *src, size_t n, char *dst, size_t size)
{
    size_t len = strnlen((const char *)src, n);

    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void add_mem(struct boot_info *bi, uint64_t start, uint64_t len,
                    uint32_t type)
{
    if (!len || bi->nmem >= BOOT_MAX_MEM)
        return;
    if (type < MEM_USABLE || type > MEM_BAD)
        type = MEM_RESERVED;
    bi->mem[bi->nmem++] = (struct mem_region){ start, len, type };
}

static uint32_t efi_to_mem_type(uint32_t t)
{
    switch (t) {
    case EFI_LOADER_CODE:
    case EFI_LOADER_DATA:
    case EFI_BS_CODE:
    case EFI_BS_DATA:
    case EFI_CONVENTIONAL:
        return MEM_USABLE;
    case EFI_ACPI_RECLAIM:
        return MEM_ACPI;
    case EFI_ACPI_NVS:
        return MEM_NVS;
    case EFI_UNUSABLE:
        return MEM_BAD;
    default:
        return MEM_RESERVED;
    }
}

static void add_module(struct boot_info *bi, uint64_t start, uint64_t end,
                       const char *args)
{
    struct boot_module *m;

    if (bi->nmods >= BOOT_MAX_MODULES || end < start)
        return;
    m = &bi->mods[bi->nmods++];
    m->start = start;
    m->end = end;
    strlcpy(m->args, args, sizeof(m->args));
}

int multiboot2_parse(uint64_t info_pa, phys_map_fn map, struct boot_info *bi)
{
    const uint8_t *hdr = map(info_pa, 8);
    const uint8_t *info;
    uint32_t total, off;
    bool have_mmap = false, have_efi = false;
    uint64_t mem_lower = 0, mem_upper = 0;

    memset(bi, 0, sizeof(*bi));
    bi->protocol = "multiboot2";
    if (!hdr)
        return -EFAULT;
    total = rd32(hdr);
    if (total < 16 || total > MiB(1))
        return -EINVAL;
    info = map(info_pa, total);
    if (!info)
        return -EFAULT;
    bi->info_start = info_pa;
    bi->info_end = info_pa + total;

    /* First pass: everything but the memory maps, and whether an EFI map
     * is present; the EFI map wins when both are (it has finer types). */
    for (off = 8; off + 8 <= total;) {
        const uint8_t *t = info + off;
        uint32_t type = rd32(t), size = rd32(t + 4);

        /* off + 8 <= total here, so the subtraction cannot wrap. */
        if (size < 8 || size > total - off)
            return -EINVAL;
        if (type == MB2_TAG_END)
            break;
        switch (type) {
        case MB2_TAG_CMDLINE:
            copy_bytes_str(t + 8, size - 8, bi->cmdline, sizeof(bi->cmdline));
            break;
        case MB2_TAG_LOADER:
            copy_bytes_str(t + 8, size - 8, bi->loader, sizeof(bi->loader));
            break;
        case MB2_TAG_MODULE: {
            char args[BOOT_MODARGS_MAX];

            if (size < 16)
                return -EINVAL;
            copy_bytes_str(t + 16, size - 16, args, sizeof(args));
            add_module(bi, rd32(t + 8), rd32(t + 12), args);
            break;
        }
        case MB2_TAG_MEMINFO:
            if (size >= 16) {
                mem_lower = rd32(t + 8);
                mem_upper = rd32(t + 12);
            }
            break;
        case MB2_TAG_MMAP:
            have_mmap = true;
            break;
        case MB2_TAG_EFI_MMAP:
            have_efi = true;
            break;
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            /* Prefer the ACPI 2.0 copy (it carries the XSDT address). */
            if (!bi->has_rsdp || type == MB2_TAG_ACPI_NEW) {
                size_t n = MIN((size_t)size - 8, sizeof(bi->rsdp));

                memset(bi->rsdp, 0, sizeof(bi->rsdp));
                memcpy(bi->rsdp, t + 8, n);
                bi->has_rsdp = n >= 20;
            }
            break;
        }
        off += ALIGN_UP(size, 8);
    }

    for (off = 8; off + 8 <= total;) {
        const uint8_t *t = info + off;
        uint32_t type = rd32(t), size = rd32(t + 4);

        if (type == MB2_TAG_END)
            break;
        if (size < 8 || size > total - off)
            return -EINVAL;
        if (type == MB2_TAG_EFI_MMAP && size >= 16) {
            uint32_t dsize = rd32(t + 8);

            if (dsize < 40)
                return -EINVAL;
            for (uint32_t e = 16; dsize <= size - e; e += dsize) {
                const uint8_t *d = t + e;

                /* type u32, pad, phys u64, virt u64, pages u64, attr u64 */
                add_mem(bi, rd64(d + 8), rd64(d + 24) << PAGE_SHIFT,
                        efi_to_mem_type(rd32(d)));
            }
            bi->efi_map = true;
        } else if (type == MB2_TAG_MMAP && !have_efi && size >= 16) {
            uint32_t esize = rd32(t + 8);

            if (esize < 24)
                return -EINVAL;
            for (uint32_t e = 16; esize <= size - e; e += esize)
                add_mem(bi, rd64(t + e), rd64(t + e + 8), rd32(t + e + 16));
        }
        off += ALIGN_UP(size, 8);
    }

    if (!have_mmap && !have_efi && (mem_lower || mem_upper)) {
        add_mem(bi, 0, mem_lower << 10, MEM_USABLE);
        add_mem(bi, MiB(1), mem_upper << 10, MEM_USABLE);
    }
    mem_map_sanitize(bi);
    return bi->nmem ? 0 : -ENOENT;
}

int multiboot1_parse(uint64_t info_pa, phys_map_fn map, struct boot_info *bi)
{
    const uint8_t *info = map(info_pa, 88);
    uint32_t flags;

    memset(bi, 0, sizeof(*bi));
    bi->protocol = "multiboot1";
    if (!info)
        return -EFAULT;
    bi->info_start = info_pa;
    bi->info_end = info_pa + 88;
    flags = rd32(info);

    if (flags & MB1_CMDLINE)
        copy_str(map, rd32(info + 16), bi->cmdline, sizeof(bi->cmdline));
    if (flags & MB1_LOADER)
        copy_str(map, rd32(info + 64), bi->loader, sizeof(bi->loader));
    if (flags & MB1_MODS) {
        uint32_t count = rd32(info + 20), addr = rd32(info + 24);
        const uint8_t *mods = count ? map(addr, (size_t)count * 16) : NULL;

        if (count && !mods)
            return -EFAULT;
        for (uint32_t i = 0; i < count && i < BOOT_MAX_MODULES; i++) {
            char args[BOOT_MODARGS_MAX];

            copy_str(map, rd32(mods + i * 16 + 8), args, sizeof(args));
            add_module(bi, rd32(mods + i * 16), rd32(mods + i * 16 + 4), args);
        }
    }
    if (flags & MB1_MMAP) {
        uint32_t len = rd32(info + 44), addr = rd32(info + 48);
        const uint8_t *mm = len ? map(addr, len) : NULL;

        if (len && !mm)
            return -EFAULT;
        /* Each entry starts with its own size, which excludes the size
         * field itself. */
        for (uint32_t off = 0; off + 24 <= len;) {
            uint32_t esize = rd32(mm + off);

            if (esize < 20 || esize > len - off - 4)
                return -EINVAL;
            add_mem(bi, rd64(mm + off + 4), rd64(mm + off + 12),
                    rd32(mm + off + 20));
            off += esize + 4;
        }
    } else if (flags & MB1_MEM) {
        add_mem(bi, 0, (uint64_t)rd32(info + 4) << 10, MEM_USABLE);
        add_mem(bi, MiB(1), (uint64_t)rd32(info + 8) << 10, MEM_USABLE);
    }
    mem_map_sanitize(bi);
    return bi->nmem ? 0 : -ENOENT;
}

/* Turns the map into sorted, non-overlapping regions.  Where regions
 * overlap, the higher type number wins: every type above MEM_USABLE is
 * more restrictive than it, so RAM never swallows a reserved range. */
void mem_map_sanitize(struct boot_info *bi)
{
    uint64_t pts[2 * BOOT_MAX_MEM];
    unsigned int npts = 0;
    struct mem_region out[BOOT_MAX_MEM];
    unsigned int nout = 0;

    for (unsigned i = 0; i < bi->nmem; i++) {
        pts[npts++] = bi->mem[i].start;
        pts[npts++] = bi->mem[i].start + bi->mem[i].len;
    }
    /* Insertion sort: at most a few hundred points. */
    for (unsigned i = 1; i < npts; i++) {
        uint64_t v = pts[i];
        unsigned j = i;

        for (; j && pts[j - 1] > v; j--)
            pts[j] = pts[j - 1];
        pts[j] = v;
    }
    for (unsigned i = 0; i + 1 < npts; i++) {
        uint64_t a = pts[i], b = pts[i + 1];
        uint32_t type = 0;

        if (a == b)
            continue;
        for (unsigned k = 0; k < bi->nmem; k++) {
            const struct mem_region *r = &bi->mem[k];

            if (r->start <= a && r->start + r->len >= b && r->type > type)
                type = r->type;
        }
        if (!type)
            continue;
        if (nout && out[nout - 1].type == type &&
            out[nout - 1].start + out[nout - 1].len == a)
            out[nout - 1].len += b - a;
        else if (nout < BOOT_MAX_MEM)
            out[nout++] = (struct mem_region){ a, b - a, type };
    }
    memcpy(bi->mem, out, nout * sizeof(out[0]));
    bi->nmem = nout;
}
