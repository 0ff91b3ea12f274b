/* The MOV forms a guest uses on MMIO, decoded from their bytes (Intel SDM
 * 2A chapter 2 and the MOV, MOVZX and MOVSX pages of chapter 4; AMD APM
 * vol. 3, chapter 1).  hvm.c fetches the bytes and acts on the result:
 * this file knows nothing of vCPUs or guest memory. */
#include <mica/string.h>
#include <asm/emulate.h>
#include <asm/hvm.h>

#define REX_B 0x1
#define REX_X 0x2
#define REX_R 0x4
#define REX_W 0x8

/* Where each register, numbered as instructions encode it, lives. */
static const uint8_t gpr_offset[16] = {
    offsetof(struct guest_regs, rax), offsetof(struct guest_regs, rcx),
    offsetof(struct guest_regs, rdx), offsetof(struct guest_regs, rbx),
    offsetof(struct guest_regs, rsp), offsetof(struct guest_regs, rbp),
    offsetof(struct guest_regs, rsi), offsetof(struct guest_regs, rdi),
    offsetof(struct guest_regs, r8),  offsetof(struct guest_regs, r9),
    offsetof(struct guest_regs, r10), offsetof(struct guest_regs, r11),
    offsetof(struct guest_regs, r12), offsetof(struct guest_regs, r13),
    offsetof(struct guest_regs, r14), offsetof(struct guest_regs, r15),
};

static uint64_t *gpr(struct guest_regs *r, int n)
{
    return (uint64_t *)((char *)r + gpr_offset[n & 15]);
}

static uint64_t gpr_get(const struct guest_regs *r, int n)
{
    return *gpr((struct guest_regs *)r, n);
}

static uint64_t ones(unsigned bytes)
{
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

/* The bytes still to read, and how far we got. */
struct cursor {
    const uint8_t *p;
    size_t n, at;
};

static bool take(struct cursor *c, unsigned len, uint64_t *val)
{
    uint64_t v = 0;

    if (c->at + len > c->n)
        return false;
    for (unsigned i = 0; i < len; i++)
        v |= (uint64_t)c->p[c->at + i] << (8 * i);
    c->at += len;
    *val = v;
    return true;
}

/* Sign-extends the low `bytes` bytes of v. */
static int64_t sext(uint64_t v, unsigned bytes)
{
    unsigned shift = 64 - 8 * bytes;

    return bytes >= 8 ? (int64_t)v : (int64_t)(v << shift) >> shift;
}

/* 16-bit addressing: ModRM.rm picks a base and an index from a fixed
 * table (SDM 2A table 2-1); 6 with mod 0 is a bare disp16. */
static int modrm16(struct cursor *c, uint8_t modrm, struct mmio_insn *in)
{
    static const int8_t base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
    static const int8_t index[8] = { 6, 7, 6, 7, MMIO_NO_REG, MMIO_NO_REG,
                                     MMIO_NO_REG, MMIO_NO_REG };
    unsigned mod = modrm >> 6, rm = modrm & 7;
    uint64_t d = 0;

    in->base = base[rm];
    in->index = index[rm];
    if (mod == 0 && rm == 6) {
        in->base = MMIO_NO_REG;
        if (!take(c, 2, &d))
            return MMIO_TRUNCATED;
        in->disp = sext(d, 2);
    } else if (mod == 1 || mod == 2) {
        if (!take(c, mod == 1 ? 1 : 2, &d))
            return MMIO_TRUNCATED;
        in->disp = sext(d, mod == 1 ? 1 : 2);
    }
    return MMIO_OK;
}

/* 32- and 64-bit addressing (SDM 2A tables 2-2 and 2-3, and 2.2.1 for
 * REX and RIP-relative addressing).  The special encodings (rm 4: a SIB
 * follows; rm 5 or SIB base 5 with mod 0: no base) go by the low three
 * bits alone, so R12 and R13 take them as RSP and RBP do. */
static int modrm32(struct cursor *c, uint8_t modrm, uint8_t rex, int mode,
                   struct mmio_insn *in)
{
    unsigned mod = modrm >> 6, rm = modrm & 7;
    uint64_t v = 0;

    in->index = MMIO_NO_REG;
    if (rm == 4) {
        unsigned sib, idx;

        if (!take(c, 1, &v))
            return MMIO_TRUNCATED;
        sib = (unsigned)v;
        idx = ((sib >> 3) & 7) | (rex & REX_X ? 8 : 0);
        if (idx != 4)
            in->index = (int8_t)idx;
        in->scale = (uint8_t)(1u << (sib >> 6));
        if ((sib & 7) == 5 && mod == 0) {
            in->base = MMIO_NO_REG;
            mod = 2;        /* a disp32 follows */
        } else {
            in->base = (int8_t)((sib & 7) | (rex & REX_B ? 8 : 0));
        }
    } else if (rm == 5 && mod == 0) {
        in->base = mode == 64 ? MMIO_RIP : MMIO_NO_REG;
        mod = 2;
    } else {
        in->base = (int8_t)(rm | (rex & REX_B ? 8 : 0));
    }
    if (mod == 1 || mod == 2) {
        if (!take(c, mod == 1 ? 1 : 4, &v))
            return MMIO_TRUNCATED;
        in->disp = sext(v, mod == 1 ? 1 : 4);
    }
    return MMIO_OK;
}

static int decode(const uint8_t *insn, size_t n, int mode, struct mmio_insn *in)
{
    struct cursor c = { .p = insn, .n = MIN(n, (size_t)X86_MAX_INSN_LEN) };
    bool opsize = false, adsize = false, lock = false, rep = false;
    bool has_modrm = true;
    uint8_t rex = 0, op;
    int seg = -1, rc;
    uint64_t v;

    memset(in, 0, sizeof(*in));
    in->mode = (uint8_t)mode;
    in->scale = 1;
    in->base = in->index = MMIO_NO_REG;

    /* Legacy prefixes in any order; a REX prefix counts only right
     * before the opcode (SDM 2A 2.2.1). */
    for (;;) {
        if (!take(&c, 1, &v))
            return MMIO_TRUNCATED;
        op = (uint8_t)v;
        if (op == 0x66)
            opsize = true;
        else if (op == 0x67)
            adsize = true;
        else if (op == 0xf0)
            lock = true;
        else if (op == 0xf2 || op == 0xf3)
            rep = true;
        else if (op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e)
            seg = (op >> 3) & 3;
        else if (op == 0x64 || op == 0x65)
            seg = op == 0x64 ? X86_SEG_FS : X86_SEG_GS;
        else if (mode == 64 && (op & 0xf0) == 0x40) {
            rex = op;
            continue;
        } else
            break;
        rex = 0;
    }

    if (mode == 64)
        in->bytes = rex & REX_W ? 8 : opsize ? 2 : 4;
    else
        in->bytes = (mode == 32) != opsize ? 4 : 2;
    if (mode == 64)
        in->addr_bytes = adsize ? 4 : 8;
    else
        in->addr_bytes = (mode == 32) != adsize ? 4 : 2;
    in->reg_bytes = in->bytes;

    switch (op) {
    case 0x88:                      /* MOV r/m8, r8 */
    case 0x8a:                      /* MOV r8, r/m8 */
    case 0xc6:                      /* MOV r/m8, imm8 */
        in->bytes = in->reg_bytes = 1;
        break;
    case 0x89:                      /* MOV r/m, r */
    case 0x8b:                      /* MOV r, r/m */
    case 0xc7:                      /* MOV r/m, imm */
        break;
    case 0xa0:                      /* MOV AL, moffs8 */
    case 0xa2:                      /* MOV moffs8, AL */
        in->bytes = in->reg_bytes = 1;
        /* fall through */
    case 0xa1:                      /* MOV rAX, moffs */
    case 0xa3:                      /* MOV moffs, rAX */
        has_modrm = false;
        break;
    case 0x0f:
        if (!take(&c, 1, &v))
            return MMIO_TRUNCATED;
        op = (uint8_t)v;
        if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
            return MMIO_UNKNOWN;
        /* MOVZX/MOVSX r, r/m8 or r/m16: the operand size is the
         * destination's. */
        in->bytes = op & 1 ? 2 : 1;
        in->sign_extend = op & 8;
        break;
    default:
        return MMIO_UNKNOWN;
    }
    if (lock)
        return MMIO_LOCKED;
    if (rep)
        return MMIO_REP;

    if (has_modrm) {
        unsigned modrm;

        if (!take(&c, 1, &v))
            return MMIO_TRUNCATED;
        modrm = (unsigned)v;
        if ((op == 0xc6 || op == 0xc7) && (modrm & 0x38))
            return MMIO_UNKNOWN;    /* only /0 is MOV (C6 F8 is XABORT) */
        if (modrm >> 6 == 3)
            return MMIO_NOT_MEMORY;
        in->reg = (int8_t)(((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0));
        rc = in->addr_bytes == 2 ? modrm16(&c, (uint8_t)modrm, in)
                                 : modrm32(&c, (uint8_t)modrm, rex, mode, in);
        if (rc != MMIO_OK)
            return rc;
        in->write = op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7;
    } else {
        if (!take(&c, in->addr_bytes, &v))
            return MMIO_TRUNCATED;
        in->disp = (int64_t)v;
        in->reg = 0;
        in->write = op == 0xa2 || op == 0xa3;
    }

    /* Without REX, byte registers 4-7 are AH, CH, DH and BH. */
    if (in->reg_bytes == 1 && !rex && in->reg >= 4) {
        in->reg -= 4;
        in->high8 = true;
    }

    if (op == 0xc6 || op == 0xc7) {
        unsigned len = MIN(in->bytes, 4u);

        if (!take(&c, len, &v))
            return MMIO_TRUNCATED;
        in->has_imm = true;
        in->imm = (uint64_t)sext(v, len) & ones(in->bytes);
    }

    if (seg >= 0)
        in->seg = (uint8_t)seg;
    else if (in->base == 4 || in->base == 5)
        in->seg = X86_SEG_SS;       /* rSP and rBP address the stack */
    else
        in->seg = X86_SEG_DS;
    in->len = (uint8_t)c.at;
    return MMIO_OK;
}

int mmio_decode(const uint8_t *insn, size_t n, int mode, struct mmio_insn *in)
{
    int rc = decode(insn, n, mode, in);

    /* Bytes ran out although there were 15: the CPU would not run it. */
    if (rc == MMIO_TRUNCATED && n >= X86_MAX_INSN_LEN)
        rc = MMIO_TOO_LONG;
    return rc;
}

const char *mmio_decode_error(int rc)
{
    switch (rc) {
    case MMIO_OK:
        return "ok";
    case MMIO_TRUNCATED:
        return "instruction bytes not readable";
    case MMIO_UNKNOWN:
        return "not a MOV this emulator knows";
    case MMIO_NOT_MEMORY:
        return "no memory operand";
    case MMIO_LOCKED:
        return "LOCK prefix";
    case MMIO_REP:
        return "REP prefix";
    case MMIO_TOO_LONG:
        return "longer than 15 bytes";
    }
    return "?";
}

uint64_t mmio_offset(const struct mmio_insn *in, const struct guest_regs *r)
{
    uint64_t ea = (uint64_t)in->disp;

    if (in->base == MMIO_RIP)
        ea += r->rip + in->len;
    else if (in->base != MMIO_NO_REG)
        ea += gpr_get(r, in->base);
    if (in->index != MMIO_NO_REG)
        ea += gpr_get(r, in->index) * in->scale;
    return ea & ones(in->addr_bytes);
}

uint64_t mmio_linear(const struct mmio_insn *in, const struct guest_regs *r,
                     uint64_t seg_base)
{
    uint64_t off = mmio_offset(in, r);

    /* 64-bit code treats the bases of CS, DS, ES and SS as zero (SDM 3A
     * 3.4.4); elsewhere linear addresses have 32 bits. */
    if (in->mode == 64)
        return in->seg >= X86_SEG_FS ? seg_base + off : off;
    return (seg_base + off) & 0xffffffffull;
}

void mmio_complete_read(const struct mmio_insn *in, struct guest_regs *r,
                        uint64_t val)
{
    uint64_t *dst = gpr(r, in->reg);

    val &= ones(in->bytes);
    if (in->sign_extend)
        val = (uint64_t)sext(val, in->bytes);
    switch (in->reg_bytes) {
    case 1:
        if (in->high8)
            *dst = (*dst & ~0xff00ull) | ((val & 0xff) << 8);
        else
            *dst = (*dst & ~0xffull) | (val & 0xff);
        break;
    case 2:
        *dst = (*dst & ~0xffffull) | (val & 0xffff);
        break;
    case 4:
        /* A 32-bit destination clears bits 63:32 (SDM 1 3.4.1.1). */
        *dst = val & 0xffffffffull;
        break;
    default:
        *dst = val;
        break;
    }
}

uint64_t mmio_write_value(const struct mmio_insn *in, const struct guest_regs *r)
{
    uint64_t v;

    if (in->has_imm)
        return in->imm;
    v = gpr_get(r, in->reg);
    if (in->high8)
        v >>= 8;
    return v & ones(in->bytes);
}
