/*
 * The domain builder in dom0 user space (DESIGN.md section 4): mica only
 * provides memory and vCPUs; xend reads the kernel, lays out the guest and
 * sets the boot vCPU's state, as Xen's libxc builder does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/elfnote.h>
#include <xen/hvm/start_info.h>

#include "build.h"
#include "../common/xalloc.h"
#include "../lib/libmica.h"

#define PAGE_SIZE 4096u
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~(uint64_t)((a) - 1))
/* Larger than any kernel or ramdisk a test guest or small Linux needs,
 * small enough that a wrong path (a disk image) fails at once. */
#define BUILD_FILE_MAX (512u << 20)

#define PT_LOAD 1
#define PT_NOTE 4
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62

static void say(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static int in_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

/* Finds the PHYS32_ENTRY note among n[0, len); returns 1 when found. */
static int scan_notes(const uint8_t *n, uint64_t len, uint32_t *entry)
{
    uint64_t off = 0;

    while (len >= 12 && off <= len - 12) {
        uint32_t namesz = rd32(n + off), descsz = rd32(n + off + 4);
        uint32_t type = rd32(n + off + 8);
        uint64_t name = off + 12;
        uint64_t desc = name + ALIGN_UP((uint64_t)namesz, 4);
        uint64_t next = desc + ALIGN_UP((uint64_t)descsz, 4);

        if (next > len)
            return 0;
        if (namesz == 4 && memcmp(n + name, "Xen", 4) == 0 &&
            type == XEN_ELFNOTE_PHYS32_ENTRY && descsz >= 4) {
            *entry = rd32(n + desc);
            return 1;
        }
        off = next;
    }
    return 0;
}

int build_parse_elf(const uint8_t *img, size_t size, struct build_image *bi,
                    char *why, size_t whylen)
{
    bool is64;
    uint64_t phoff;
    unsigned phentsize, phnum;
    bool have_entry = false;

    memset(bi, 0, sizeof(*bi));
    if (size < 52 || memcmp(img, "\177ELF", 4) != 0) {
        say(why, whylen, "not an ELF file");
        return -1;
    }
    if (img[4] != 1 && img[4] != 2) {
        say(why, whylen, "unknown ELF class %u", img[4]);
        return -1;
    }
    is64 = img[4] == 2;
    if (img[5] != 1) {
        say(why, whylen, "not a little-endian ELF file");
        return -1;
    }
    if (is64 && size < 64) {
        say(why, whylen, "truncated ELF header");
        return -1;
    }
    if (rd16(img + 16) != ET_EXEC ||
        rd16(img + 18) != (is64 ? EM_X86_64 : EM_386)) {
        say(why, whylen, "not an x86 ELF executable");
        return -1;
    }
    phoff = is64 ? rd64(img + 32) : rd32(img + 28);
    phentsize = rd16(img + (is64 ? 54 : 42));
    phnum = rd16(img + (is64 ? 56 : 44));
    if (phentsize < (is64 ? 56u : 32u) ||
        !in_file(phoff, (uint64_t)phentsize * phnum, size)) {
        say(why, whylen, "program headers outside the file");
        return -1;
    }
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *p = img + phoff + (uint64_t)i * phentsize;
        uint32_t type = rd32(p);
        uint64_t off = is64 ? rd64(p + 8) : rd32(p + 4);
        uint64_t paddr = is64 ? rd64(p + 24) : rd32(p + 12);
        uint64_t filesz = is64 ? rd64(p + 32) : rd32(p + 16);
        uint64_t memsz = is64 ? rd64(p + 40) : rd32(p + 20);

        if (!in_file(off, filesz, size)) {
            say(why, whylen, "segment %u outside the file", i);
            return -1;
        }
        if (type == PT_NOTE && !have_entry)
            have_entry = scan_notes(img + off, filesz, &bi->entry);
        if (type != PT_LOAD || memsz == 0)
            continue;
        if (filesz > memsz || paddr + memsz < paddr ||
            paddr + memsz > (UINT64_C(1) << 32)) {
            say(why, whylen, "bad load segment %u", i);
            return -1;
        }
        if (bi->nsegs == BUILD_MAX_SEGMENTS) {
            say(why, whylen, "more than %u load segments", BUILD_MAX_SEGMENTS);
            return -1;
        }
        bi->segs[bi->nsegs++] = (struct build_segment){ off, paddr, filesz,
                                                        memsz };
        if (paddr + memsz > bi->phys_end)
            bi->phys_end = paddr + memsz;
    }
    if (!have_entry) {
        say(why, whylen, "no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH kernel");
        return -1;
    }
    if (bi->nsegs == 0) {
        say(why, whylen, "no load segments");
        return -1;
    }
    return 0;
}

static int load_file(const char *path, uint8_t **buf, size_t *len,
                     char *why, size_t whylen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t done = 0;

    if (fd < 0 || fstat(fd, &st) < 0) {
        say(why, whylen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > BUILD_FILE_MAX) {
        say(why, whylen, "%s: not a regular file of at most %u MiB", path,
            BUILD_FILE_MAX >> 20);
        close(fd);
        return -1;
    }
    *len = (size_t)st.st_size;
    *buf = xmalloc(*len ? *len : 1);
    while (done < *len) {
        ssize_t n = read(fd, *buf + done, *len - done);
        if (n <= 0) {
            say(why, whylen, "%s: %s", path, n < 0 ? strerror(errno)
                                                   : "file shrank");
            close(fd);
            free(*buf);
            *buf = NULL;
            return -1;
        }
        done += (size_t)n;
    }
    close(fd);
    return 0;
}

/* Everything after the creation; the caller destroys the domain on error. */
static int fill_domain(domid_t dom, const struct build_request *r,
                       const uint8_t *kimg, const struct build_image *bi,
                       const uint8_t *rd, size_t rdlen, char *why,
                       size_t whylen)
{
    uint64_t mem = r->memory_kb << 10;
    const char *cmdline = r->cmdline ? r->cmdline : "";
    size_t cmdlen = strlen(cmdline) + 1;
    struct hvm_start_info si;
    struct hvm_memmap_table_entry mm[2];
    struct hvm_modlist_entry mod;
    uint64_t base = ALIGN_UP(bi->phys_end, PAGE_SIZE);
    uint64_t cmd = base + sizeof(si);
    uint64_t map = ALIGN_UP(cmd + cmdlen, 8);
    uint64_t modent = map + sizeof(mm);
    uint64_t rdaddr = ALIGN_UP(modent + sizeof(mod), PAGE_SIZE);
    uint64_t end = rd ? rdaddr + rdlen : modent;
    struct mica_vcpu_state vs;

    if (bi->phys_end > mem || end > mem) {
        say(why, whylen, "kernel%s needs %llu KiB, more than the domain's "
            "%llu KiB", rd ? " and ramdisk" : "",
            (unsigned long long)(ALIGN_UP(end, 1024) >> 10),
            (unsigned long long)r->memory_kb);
        return -1;
    }
    /* A new domain's RAM is all zeros (domain_create), so a segment's
     * bss needs no writing: only its file part is copied. */
    for (unsigned i = 0; i < bi->nsegs; i++) {
        const struct build_segment *s = &bi->segs[i];
        if (mica_copy_to_domain(dom, s->paddr, kimg + s->offset,
                                (size_t)s->filesz) < 0) {
            say(why, whylen, "loading the kernel at %#llx: %s",
                (unsigned long long)s->paddr, strerror(errno));
            return -1;
        }
    }
    memset(&si, 0, sizeof(si));
    si.magic = XEN_HVM_START_MAGIC_VALUE;
    si.version = 1;
    si.cmdline_paddr = cmd;
    si.memmap_paddr = map;
    si.memmap_entries = 2;
    mm[0] = (struct hvm_memmap_table_entry){ 0, mem, XEN_HVM_MEMMAP_TYPE_RAM,
                                             0 };
    /* mica's console and store rings (mica/ctl.h). */
    mm[1] = (struct hvm_memmap_table_entry){
        mem > (MICA_SPECIAL_GFN << 12) ? ALIGN_UP(mem, PAGE_SIZE) : MICA_SPECIAL_GFN << 12,
        MICA_SPECIAL_PAGES << 12, XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
    if (rd) {
        si.nr_modules = 1;
        si.modlist_paddr = modent;
        mod = (struct hvm_modlist_entry){ rdaddr, rdlen, 0, 0 };
    }
    if (mica_copy_to_domain(dom, base, &si, sizeof(si)) < 0 ||
        mica_copy_to_domain(dom, cmd, cmdline, cmdlen) < 0 ||
        mica_copy_to_domain(dom, map, mm, sizeof(mm)) < 0 ||
        (rd && (mica_copy_to_domain(dom, modent, &mod, sizeof(mod)) < 0 ||
                mica_copy_to_domain(dom, rdaddr, rd, rdlen) < 0))) {
        say(why, whylen, "writing the start info: %s", strerror(errno));
        return -1;
    }
    memset(&vs, 0, sizeof(vs));
    vs.mode = MICA_VCPU_PVH32;
    vs.rip = bi->entry;
    vs.rbx = base;
    if (mica_vcpu_set_state(dom, 0, &vs) < 0) {
        say(why, whylen, "setting vCPU 0's state: %s", strerror(errno));
        return -1;
    }
    if (!r->paused && mica_domain_unpause(dom) < 0) {
        say(why, whylen, "unpausing: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int build_domain(const struct build_request *r, char *why, size_t whylen)
{
    struct build_image bi;
    struct mica_domain_create c;
    uint8_t *kimg = NULL, *rd = NULL;
    size_t klen = 0, rdlen = 0;
    int dom = -1;

    if (load_file(r->kernel, &kimg, &klen, why, whylen) < 0)
        return -1;
    if (build_parse_elf(kimg, klen, &bi, why, whylen) < 0) {
        char tmp[200];
        snprintf(tmp, sizeof(tmp), "%s", why);
        say(why, whylen, "%s: %s", r->kernel, tmp);
        goto out;
    }
    if (r->ramdisk && load_file(r->ramdisk, &rd, &rdlen, why, whylen) < 0)
        goto out;
    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "%s", r->name);
    c.memory_kb = r->memory_kb;
    c.vcpus = r->vcpus;
    c.flags = MICA_CREATE_xen_guest;
    c.cpu_mask = r->cpu_mask;
    c.console_limit = r->console_limit;
    dom = mica_domain_create(&c);
    if (dom < 0) {
        say(why, whylen, "creating the domain: %s", strerror(errno));
        goto out;
    }
    if (fill_domain((domid_t)dom, r, kimg, &bi, rd, rdlen, why, whylen) < 0) {
        mica_domain_destroy((domid_t)dom);
        dom = -1;
    }
out:
    free(kimg);
    free(rd);
    return dom;
}
