/* Decoding the one instruction behind a guest's data access to
 * guest-physical memory that nothing backs.  Only the MOV forms compilers
 * emit for MMIO are known: MOV to and from memory (88, 89, 8A, 8B), MOV of
 * an immediate (C6 /0, C7 /0), MOV of the accumulator with a direct offset
 * (A0-A3), and MOVZX/MOVSX (0F B6, B7, BE, BF), with operand- and
 * address-size, segment and REX prefixes, in 16-, 32- and 64-bit code.
 * The decoder is pure (no guest state but the bytes and the mode), so the
 * host unit tests compile it as it is. */
#ifndef ASM_EMULATE_H
#define ASM_EMULATE_H

#include <mica/types.h>

struct guest_regs;

/* The longest instruction x86 executes (Intel SDM 2A 2.3.11). */
#define X86_MAX_INSN_LEN 15

/* Segment registers, numbered as instructions encode them. */
enum x86_seg { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS,
               X86_SEG_GS };

/* General registers are numbered as instructions encode them (0 = rAX,
 * 1 = rCX, 2 = rDX, 3 = rBX, 4 = rSP, 5 = rBP, 6 = rSI, 7 = rDI, 8-15 =
 * R8-R15); these two stand for "none" and for RIP as a base. */
#define MMIO_NO_REG  (-1)
#define MMIO_RIP     (-2)

enum mmio_decode_rc {
    MMIO_OK,
    MMIO_TRUNCATED,     /* the bytes given end inside the instruction */
    MMIO_UNKNOWN,       /* not one of the forms above */
    MMIO_NOT_MEMORY,    /* a form above, but with a register operand */
    MMIO_LOCKED,        /* a LOCK prefix (#UD on a MOV anyway) */
    MMIO_REP,           /* an F2 or F3 prefix, which no MMIO MOV carries */
    MMIO_TOO_LONG,      /* more than X86_MAX_INSN_LEN bytes */
};

struct mmio_insn {
    uint8_t len;            /* bytes of the instruction */
    uint8_t mode;           /* 16, 32 or 64: the code it was decoded as */
    uint8_t bytes;          /* width of the memory access: 1, 2, 4 or 8 */
    bool write;             /* memory is the destination */
    /* The register operand: the destination of a read, the source of a
     * write without an immediate.  A read's destination may be wider
     * than the access (MOVZX, MOVSX: reg_bytes > bytes). */
    int8_t reg;
    bool high8;             /* reg names AH, CH, DH or BH (reg = 0-3) */
    uint8_t reg_bytes;
    bool sign_extend;       /* MOVSX */
    bool has_imm;
    uint64_t imm;           /* already extended to `bytes` */
    /* The memory operand: seg:(base + index * scale + disp), wrapped to
     * the address size. */
    uint8_t seg;            /* enum x86_seg, the default one if no override */
    uint8_t addr_bytes;     /* 2, 4 or 8 */
    int8_t base, index;     /* register numbers, MMIO_NO_REG or MMIO_RIP */
    uint8_t scale;          /* 1, 2, 4 or 8 */
    int64_t disp;
};

/* Decodes the instruction in insn[0..n) as code of `mode` bits (16, 32 or
 * 64); returns an enum mmio_decode_rc and fills *in on MMIO_OK. */
int mmio_decode(const uint8_t *insn, size_t n, int mode, struct mmio_insn *in);
const char *mmio_decode_error(int rc);

/* The memory operand's offset in its segment, from the registers (r->rip
 * is the instruction's own address). */
uint64_t mmio_offset(const struct mmio_insn *in, const struct guest_regs *r);
/* The linear address of the memory operand, given the base of in->seg
 * (which 64-bit code ignores but for FS and GS). */
uint64_t mmio_linear(const struct mmio_insn *in, const struct guest_regs *r,
                     uint64_t seg_base);
/* Completes a read that gave `val` (in->bytes wide): writes the
 * destination register as the instruction would. */
void mmio_complete_read(const struct mmio_insn *in, struct guest_regs *r,
                        uint64_t val);
/* The value a write stores, in->bytes wide. */
uint64_t mmio_write_value(const struct mmio_insn *in, const struct guest_regs *r);

#endif
