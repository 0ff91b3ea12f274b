/* Unit tests for hypervisor/arch/x86/hvm/emulate.c: the MOV forms a guest
 * uses on MMIO, decoded from bytes written out by hand (each as GNU as
 * encodes the instruction in the comment), the operand's address they
 * give, the register a read writes, and the instructions refused. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include <asm/emulate.h>
#include <asm/hvm.h>

#include "unit.h"

static struct mmio_insn in;
static struct guest_regs r;

/* Distinct values in every register, with bits set above bit 31 so that
 * a wrong zero- or sign-extension shows. */
static void setup(void)
{
    memset(&in, 0xcc, sizeof(in));
    r = (struct guest_regs){
        .rax = 0xa0a0a0a0a0a0a0a0ull, .rcx = 0x1111111111111110ull,
        .rdx = 0x2222222222222220ull, .rbx = 0x3333333333333330ull,
        .rsp = 0x4444444444444440ull, .rbp = 0x5555555555555550ull,
        .rsi = 0x6666666666666660ull, .rdi = 0x7777777777777770ull,
        .r8 = 0x8888888888888880ull, .r9 = 0x9999999999999990ull,
        .r10 = 0x1010101010101010ull, .r11 = 0x1100000000000011ull,
        .r12 = 0x1200000000000012ull, .r13 = 0x1300000000000013ull,
        .r14 = 0x1400000000000014ull, .r15 = 0x1500000000000015ull,
        .rip = 0xffffffff80001000ull,
    };
}

/* Decodes the bytes as code of `mode` bits; the whole array must be the
 * instruction. */
#define DECODE(bits, ...) do {                                          \
        static const uint8_t b_[] = { __VA_ARGS__ };                    \
        ck_assert_int_eq(mmio_decode(b_, sizeof(b_), bits, &in), MMIO_OK); \
        ck_assert_uint_eq(in.len, sizeof(b_));                          \
        ck_assert_uint_eq(in.mode, bits);                               \
    } while (0)

#define REFUSE(bits, rc, ...) do {                                      \
        static const uint8_t b_[] = { __VA_ARGS__ };                    \
        ck_assert_int_eq(mmio_decode(b_, sizeof(b_), bits, &in), rc);   \
    } while (0)

START_TEST(mov_to_and_from_memory)
{
    DECODE(64, 0x8b, 0x00);                         /* mov (%rax),%eax */
    ck_assert(!in.write);
    ck_assert_uint_eq(in.bytes, 4);
    ck_assert_uint_eq(in.reg_bytes, 4);
    ck_assert_int_eq(in.reg, 0);
    ck_assert_int_eq(in.base, 0);
    ck_assert_int_eq(in.index, MMIO_NO_REG);
    ck_assert_uint_eq(in.addr_bytes, 8);
    ck_assert_uint_eq(in.seg, X86_SEG_DS);
    ck_assert(!in.has_imm);
    ck_assert_uint_eq(mmio_offset(&in, &r), r.rax);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rax, 0xffffffffull);        /* bits 63:32 cleared */

    DECODE(64, 0x48, 0x89, 0x08);                   /* mov %rcx,(%rax) */
    ck_assert(in.write);
    ck_assert_uint_eq(in.bytes, 8);
    ck_assert_int_eq(in.reg, 1);
    ck_assert_uint_eq(mmio_write_value(&in, &r), r.rcx);

    DECODE(64, 0x89, 0x08);                         /* mov %ecx,(%rax) */
    ck_assert_uint_eq(mmio_write_value(&in, &r), (uint32_t)r.rcx);

    DECODE(32, 0x8b, 0x0d, 0x00, 0x00, 0xc0, 0xfe); /* mov 0xfec00000,%ecx */
    ck_assert_int_eq(in.reg, 1);
    ck_assert_int_eq(in.base, MMIO_NO_REG);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0xfec00000ull);
    ck_assert_uint_eq(mmio_linear(&in, &r, 0), 0xfec00000ull);
}
END_TEST

START_TEST(operand_sizes)
{
    DECODE(64, 0x66, 0x8b, 0x00);
    ck_assert_uint_eq(in.bytes, 2);
    DECODE(64, 0x48, 0x8b, 0x00);
    ck_assert_uint_eq(in.bytes, 8);
    DECODE(64, 0x66, 0x48, 0x8b, 0x00);             /* REX.W wins over 66 */
    ck_assert_uint_eq(in.bytes, 8);
    DECODE(64, 0x48, 0x66, 0x8b, 0x00);             /* a REX not last is void */
    ck_assert_uint_eq(in.bytes, 2);
    DECODE(32, 0x8b, 0x00);
    ck_assert_uint_eq(in.bytes, 4);
    ck_assert_uint_eq(in.addr_bytes, 4);
    DECODE(32, 0x66, 0x8b, 0x00);
    ck_assert_uint_eq(in.bytes, 2);
    DECODE(16, 0x8b, 0x00);
    ck_assert_uint_eq(in.bytes, 2);
    ck_assert_uint_eq(in.addr_bytes, 2);
    DECODE(16, 0x66, 0x8b, 0x00);
    ck_assert_uint_eq(in.bytes, 4);

    /* What a read of all ones leaves in each width of destination. */
    DECODE(64, 0x8a, 0x00);                         /* mov (%rax),%al */
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rax, 0xa0a0a0a0a0a0a0ffull);
    DECODE(64, 0x66, 0x8b, 0x08);                   /* mov (%rax),%cx */
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rcx, 0x111111111111ffffull);
    DECODE(64, 0x8b, 0x10);                         /* mov (%rax),%edx */
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rdx, 0xffffffffull);
    DECODE(64, 0x48, 0x8b, 0x18);                   /* mov (%rax),%rbx */
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rbx, ~0ull);
    /* And of a value that is not all ones: only its width counts. */
    DECODE(64, 0x66, 0x8b, 0x30);                   /* mov (%rax),%si */
    mmio_complete_read(&in, &r, 0x123456789abcull);
    ck_assert_uint_eq(r.rsi, 0x6666666666669abcull);
}
END_TEST

START_TEST(byte_registers)
{
    DECODE(64, 0x88, 0x23);                         /* mov %ah,(%rbx) */
    ck_assert(in.write);
    ck_assert_uint_eq(in.bytes, 1);
    ck_assert_int_eq(in.reg, 0);
    ck_assert(in.high8);
    ck_assert_uint_eq(mmio_write_value(&in, &r), 0xa0);
    r.rax = 0x1234;
    ck_assert_uint_eq(mmio_write_value(&in, &r), 0x12);

    DECODE(64, 0x40, 0x88, 0x33);                   /* mov %sil,(%rbx) */
    ck_assert_int_eq(in.reg, 6);
    ck_assert(!in.high8);
    ck_assert_uint_eq(mmio_write_value(&in, &r), 0x60);

    DECODE(64, 0x8a, 0x3f);                         /* mov (%rdi),%bh */
    ck_assert(!in.write);
    ck_assert_int_eq(in.reg, 3);
    ck_assert(in.high8);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rbx, 0x333333333333ff30ull);

    DECODE(64, 0x40, 0x8a, 0x20);                   /* mov (%rax),%spl */
    ck_assert_int_eq(in.reg, 4);
    ck_assert(!in.high8);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rsp, 0x44444444444444ffull);

    DECODE(32, 0x8a, 0x27);                         /* mov (%edi),%ah */
    ck_assert_int_eq(in.reg, 0);
    ck_assert(in.high8);

    DECODE(64, 0x44, 0x88, 0x38);                   /* mov %r15b,(%rax) */
    ck_assert_int_eq(in.reg, 15);
    ck_assert(!in.high8);
    ck_assert_uint_eq(mmio_write_value(&in, &r), 0x15);
}
END_TEST

START_TEST(rex_r_and_b)
{
    DECODE(64, 0x4d, 0x8b, 0x4c, 0x24, 0x10);       /* mov 0x10(%r12),%r9 */
    ck_assert_uint_eq(in.bytes, 8);
    ck_assert_int_eq(in.reg, 9);
    ck_assert_int_eq(in.base, 12);
    ck_assert_int_eq(in.index, MMIO_NO_REG);
    ck_assert_int_eq(in.disp, 0x10);
    ck_assert_uint_eq(in.seg, X86_SEG_DS);          /* R12 is not RSP */
    ck_assert_uint_eq(mmio_offset(&in, &r), r.r12 + 0x10);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.r9, ~0ull);

    DECODE(64, 0x41, 0x8b, 0x04, 0x24);             /* mov (%r12),%eax */
    ck_assert_int_eq(in.base, 12);
    DECODE(64, 0x41, 0x8b, 0x45, 0x00);             /* mov 0x0(%r13),%eax */
    ck_assert_int_eq(in.base, 13);
    ck_assert_int_eq(in.disp, 0);
    ck_assert_uint_eq(in.seg, X86_SEG_DS);
    DECODE(64, 0x44, 0x89, 0x30);                   /* mov %r14d,(%rax) */
    ck_assert_int_eq(in.reg, 14);
    ck_assert_uint_eq(mmio_write_value(&in, &r), 0x14);
    DECODE(64, 0x41, 0x89, 0x07);                   /* mov %eax,(%r15) */
    ck_assert_int_eq(in.reg, 0);
    ck_assert_int_eq(in.base, 15);
}
END_TEST

START_TEST(sib)
{
    DECODE(64, 0x46, 0x8b, 0x44, 0xe8, 0x08);       /* mov 0x8(%rax,%r13,8),%r8d */
    ck_assert_int_eq(in.reg, 8);
    ck_assert_int_eq(in.base, 0);
    ck_assert_int_eq(in.index, 13);
    ck_assert_uint_eq(in.scale, 8);
    ck_assert_int_eq(in.disp, 8);
    ck_assert_uint_eq(mmio_offset(&in, &r), r.rax + r.r13 * 8 + 8);

    DECODE(64, 0x8b, 0x04, 0x8d, 0x00, 0x00, 0xd0, 0x7e); /* mov 0x7ed00000(,%rcx,4),%eax */
    ck_assert_int_eq(in.base, MMIO_NO_REG);
    ck_assert_int_eq(in.index, 1);
    ck_assert_uint_eq(in.scale, 4);
    ck_assert_int_eq(in.disp, 0x7ed00000);
    ck_assert_uint_eq(mmio_offset(&in, &r), r.rcx * 4 + 0x7ed00000);

    DECODE(64, 0x42, 0x8b, 0x04, 0x20);             /* mov (%rax,%r12,1),%eax */
    ck_assert_int_eq(in.base, 0);
    ck_assert_int_eq(in.index, 12);                 /* index 4 with REX.X */

    DECODE(64, 0xc7, 0x04, 0x24, 0x78, 0x56, 0x34, 0x12); /* movl $0x12345678,(%rsp) */
    ck_assert_int_eq(in.base, 4);
    ck_assert_int_eq(in.index, MMIO_NO_REG);
    ck_assert_uint_eq(in.seg, X86_SEG_SS);

    DECODE(32, 0x8b, 0x44, 0x24, 0x04);             /* mov 0x4(%esp),%eax */
    ck_assert_int_eq(in.base, 4);
    ck_assert_uint_eq(in.seg, X86_SEG_SS);
    ck_assert_uint_eq(mmio_offset(&in, &r), (uint32_t)(r.rsp + 4));

    DECODE(32, 0xc6, 0x44, 0x73, 0x03, 0x12);       /* movb $0x12,0x3(%ebx,%esi,2) */
    ck_assert_int_eq(in.base, 3);
    ck_assert_int_eq(in.index, 6);
    ck_assert_uint_eq(in.scale, 2);
    ck_assert_uint_eq(in.imm, 0x12);
    ck_assert_uint_eq(mmio_offset(&in, &r), (uint32_t)(r.rbx + r.rsi * 2 + 3));
}
END_TEST

START_TEST(rip_relative)
{
    DECODE(64, 0x66, 0x89, 0x05, 0x78, 0x56, 0x34, 0x12); /* mov %ax,0x12345678(%rip) */
    ck_assert(in.write);
    ck_assert_uint_eq(in.bytes, 2);
    ck_assert_int_eq(in.base, MMIO_RIP);
    ck_assert_int_eq(in.disp, 0x12345678);
    ck_assert_uint_eq(mmio_offset(&in, &r), r.rip + 7 + 0x12345678);

    DECODE(64, 0x8b, 0x05, 0x00, 0xff, 0xff, 0xff); /* mov -0x100(%rip),%eax */
    ck_assert_uint_eq(mmio_offset(&in, &r), r.rip + 6 - 0x100);

    /* The immediate comes after the displacement, and before the next
     * instruction, from which RIP counts. */
    DECODE(64, 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
    ck_assert_uint_eq(mmio_offset(&in, &r), r.rip + 10 + 0x10);
    ck_assert_uint_eq(in.imm, 1);

    DECODE(64, 0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00); /* mov 0x10(%eip),%eax */
    ck_assert_uint_eq(in.addr_bytes, 4);
    ck_assert_uint_eq(mmio_offset(&in, &r), (uint32_t)(r.rip + 7 + 0x10));

    /* Outside 64-bit code the same ModRM is a bare disp32. */
    DECODE(32, 0x8b, 0x05, 0x00, 0x00, 0xd0, 0xfe);
    ck_assert_int_eq(in.base, MMIO_NO_REG);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0xfed00000);

    /* As with R13 for a base: mod 0, rm 5 is RIP-relative with REX.B. */
    DECODE(64, 0x41, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00);
    ck_assert_int_eq(in.base, MMIO_RIP);
}
END_TEST

START_TEST(immediates)
{
    DECODE(64, 0x49, 0xc7, 0x45, 0x00, 0xfe, 0xff, 0xff, 0xff); /* movq $-2,0x0(%r13) */
    ck_assert(in.write);
    ck_assert(in.has_imm);
    ck_assert_uint_eq(in.bytes, 8);
    ck_assert_int_eq(in.base, 13);
    ck_assert_uint_eq(in.imm, 0xfffffffffffffffeull);   /* sign-extended */
    ck_assert_uint_eq(mmio_write_value(&in, &r), 0xfffffffffffffffeull);

    DECODE(64, 0xc6, 0x45, 0xfc, 0xaa);             /* movb $0xaa,-0x4(%rbp) */
    ck_assert_uint_eq(in.bytes, 1);
    ck_assert_uint_eq(in.imm, 0xaa);
    ck_assert_int_eq(in.base, 5);
    ck_assert_int_eq(in.disp, -4);
    ck_assert_uint_eq(in.seg, X86_SEG_SS);

    DECODE(64, 0x66, 0x41, 0xc7, 0x43, 0x20, 0x34, 0x12); /* movw $0x1234,0x20(%r11) */
    ck_assert_uint_eq(in.bytes, 2);
    ck_assert_uint_eq(in.imm, 0x1234);
    ck_assert_int_eq(in.base, 11);

    DECODE(32, 0xc7, 0x05, 0x10, 0x00, 0xd0, 0xfe, 0xfe, 0xca, 0x00, 0x00); /* movl $0xcafe,0xfed00010 */
    ck_assert_uint_eq(in.bytes, 4);
    ck_assert_uint_eq(in.imm, 0xcafe);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0xfed00010);

    DECODE(32, 0x66, 0xc7, 0x07, 0xef, 0xbe);       /* movw $0xbeef,(%edi) */
    ck_assert_uint_eq(in.bytes, 2);
    ck_assert_uint_eq(in.imm, 0xbeef);

    DECODE(32, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff); /* movl $-1,(%eax) */
    ck_assert_uint_eq(in.imm, 0xffffffffull);       /* not wider than 4 */
}
END_TEST

START_TEST(direct_offsets)
{
    DECODE(64, 0x48, 0xa1, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x00, 0x00, 0x00); /* movabs 0xfed00000,%rax */
    ck_assert(!in.write);
    ck_assert_uint_eq(in.bytes, 8);
    ck_assert_int_eq(in.reg, 0);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0xfed00000);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rax, ~0ull);

    DECODE(64, 0xa3, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x00, 0x00, 0x00); /* movabs %eax,0xfed00000 */
    ck_assert(in.write);
    ck_assert_uint_eq(in.bytes, 4);

    DECODE(64, 0xa0, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01); /* movabs 0x0102030405060708,%al */
    ck_assert_uint_eq(in.bytes, 1);
    ck_assert(!in.high8);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0x0102030405060708ull);

    DECODE(64, 0x67, 0xa1, 0x00, 0x00, 0xc0, 0xfe); /* addr32 mov 0xfec00000,%eax */
    ck_assert_uint_eq(in.addr_bytes, 4);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0xfec00000);

    DECODE(32, 0xa1, 0x00, 0x00, 0xd0, 0xfe);       /* mov 0xfed00000,%eax */
    ck_assert_uint_eq(in.bytes, 4);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0xfed00000);

    DECODE(32, 0x66, 0xa3, 0x00, 0x00, 0xd0, 0xfe); /* mov %ax,0xfed00000 */
    ck_assert(in.write);
    ck_assert_uint_eq(in.bytes, 2);
    r.rax = 0x12345678;
    ck_assert_uint_eq(mmio_write_value(&in, &r), 0x5678);

    DECODE(16, 0xa2, 0x34, 0x12);                   /* mov %al,0x1234 */
    ck_assert(in.write);
    ck_assert_uint_eq(in.bytes, 1);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0x1234);
}
END_TEST

START_TEST(movzx_movsx)
{
    DECODE(64, 0x44, 0x0f, 0xb6, 0x10);             /* movzbl (%rax),%r10d */
    ck_assert_uint_eq(in.bytes, 1);
    ck_assert_uint_eq(in.reg_bytes, 4);
    ck_assert_int_eq(in.reg, 10);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.r10, 0xff);

    DECODE(64, 0x48, 0x0f, 0xb7, 0x00);             /* movzwq (%rax),%rax */
    ck_assert_uint_eq(in.bytes, 2);
    ck_assert_uint_eq(in.reg_bytes, 8);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rax, 0xffff);

    DECODE(64, 0x48, 0x0f, 0xbe, 0x11);             /* movsbq (%rcx),%rdx */
    ck_assert(in.sign_extend);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rdx, ~0ull);
    mmio_complete_read(&in, &r, 0x7f);
    ck_assert_uint_eq(r.rdx, 0x7f);
    mmio_complete_read(&in, &r, 0x80);
    ck_assert_uint_eq(r.rdx, 0xffffffffffffff80ull);

    DECODE(64, 0x0f, 0xbf, 0x72, 0x02);             /* movswl 0x2(%rdx),%esi */
    ck_assert_int_eq(in.disp, 2);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rsi, 0xffffffffull);

    DECODE(32, 0x0f, 0xb7, 0x5d, 0xf8);             /* movzwl -0x8(%ebp),%ebx */
    ck_assert_uint_eq(in.seg, X86_SEG_SS);
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rbx, 0xffff);

    DECODE(32, 0x66, 0x0f, 0xb6, 0x38);             /* movzbw (%eax),%di */
    ck_assert_uint_eq(in.reg_bytes, 2);
    ck_assert(!in.high8);                           /* reg 7 is DI, not BH */
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rdi, 0x77777777777700ffull);
}
END_TEST

START_TEST(segments)
{
    DECODE(64, 0x64, 0x8b, 0x00);                   /* mov %fs:(%rax),%eax */
    ck_assert_uint_eq(in.seg, X86_SEG_FS);
    ck_assert_uint_eq(mmio_linear(&in, &r, 0x10000), r.rax + 0x10000);
    DECODE(64, 0x65, 0x48, 0x8b, 0x00);             /* mov %gs:(%rax),%rax */
    ck_assert_uint_eq(in.seg, X86_SEG_GS);
    ck_assert_uint_eq(in.bytes, 8);
    /* 64-bit code ignores the bases of ES, CS, SS and DS. */
    DECODE(64, 0x26, 0x8b, 0x00);
    ck_assert_uint_eq(in.seg, X86_SEG_ES);
    ck_assert_uint_eq(mmio_linear(&in, &r, 0x10000), r.rax);
    DECODE(64, 0x8b, 0x00);
    ck_assert_uint_eq(mmio_linear(&in, &r, 0x10000), r.rax);

    DECODE(32, 0x26, 0x8b, 0x10);                   /* mov %es:(%eax),%edx */
    ck_assert_uint_eq(in.seg, X86_SEG_ES);
    ck_assert_uint_eq(mmio_linear(&in, &r, 0x70000000), (uint32_t)(r.rax + 0x70000000));
    DECODE(32, 0x2e, 0x8b, 0x00);
    ck_assert_uint_eq(in.seg, X86_SEG_CS);
    DECODE(32, 0x36, 0x8b, 0x00);
    ck_assert_uint_eq(in.seg, X86_SEG_SS);
    DECODE(32, 0x3e, 0x8b, 0x45, 0x00);             /* mov %ds:0x0(%ebp),%eax */
    ck_assert_uint_eq(in.seg, X86_SEG_DS);
    DECODE(32, 0x8b, 0x45, 0x00);                   /* mov 0x0(%ebp),%eax */
    ck_assert_uint_eq(in.seg, X86_SEG_SS);
}
END_TEST

START_TEST(sixteen_bit)
{
    DECODE(16, 0x8b, 0x00);                         /* mov (%bx,%si),%ax */
    ck_assert_int_eq(in.base, 3);
    ck_assert_int_eq(in.index, 6);
    ck_assert_uint_eq(in.seg, X86_SEG_DS);
    r.rbx = 0xffff;
    r.rsi = 0x10002;
    ck_assert_uint_eq(mmio_offset(&in, &r), 1);     /* wraps at 64 KiB */
    mmio_complete_read(&in, &r, ~0ull);
    ck_assert_uint_eq(r.rax, 0xa0a0a0a0a0a0ffffull);

    DECODE(16, 0x8b, 0x53, 0x10);                   /* mov 0x10(%bp,%di),%dx */
    ck_assert_int_eq(in.base, 5);
    ck_assert_int_eq(in.index, 7);
    ck_assert_int_eq(in.disp, 0x10);
    ck_assert_uint_eq(in.seg, X86_SEG_SS);

    DECODE(16, 0xc6, 0x46, 0xfe, 0x05);             /* movb $0x5,-0x2(%bp) */
    ck_assert_int_eq(in.base, 5);
    ck_assert_int_eq(in.index, MMIO_NO_REG);
    ck_assert_int_eq(in.disp, -2);
    ck_assert_uint_eq(in.imm, 5);

    DECODE(16, 0xc7, 0x05, 0x78, 0x56);             /* movw $0x5678,(%di) */
    ck_assert_int_eq(in.base, 7);
    ck_assert_uint_eq(in.imm, 0x5678);

    DECODE(16, 0x8b, 0x8c, 0x80, 0x00);             /* mov 0x80(%si),%cx */
    ck_assert_int_eq(in.base, 6);
    ck_assert_int_eq(in.disp, 0x80);

    DECODE(16, 0x8b, 0x1e, 0x34, 0x12);             /* mov 0x1234,%bx */
    ck_assert_int_eq(in.base, MMIO_NO_REG);
    ck_assert_uint_eq(mmio_offset(&in, &r), 0x1234);

    DECODE(16, 0xa1, 0x34, 0x12);                   /* mov 0x1234,%ax */
    ck_assert_uint_eq(in.bytes, 2);

    DECODE(16, 0x67, 0x66, 0x8b, 0x03);             /* mov (%ebx),%eax */
    ck_assert_uint_eq(in.addr_bytes, 4);
    ck_assert_uint_eq(in.bytes, 4);
    ck_assert_int_eq(in.base, 3);

    DECODE(32, 0x67, 0x8b, 0x00);                   /* mov (%bx,%si),%eax */
    ck_assert_uint_eq(in.addr_bytes, 2);
    ck_assert_int_eq(in.base, 3);
    ck_assert_int_eq(in.index, 6);

    /* Real mode: the segment's base is selector * 16. */
    DECODE(16, 0x8b, 0x07);                         /* mov (%bx),%ax */
    ck_assert_uint_eq(mmio_linear(&in, &r, 0xf0000), 0xfffff);
}
END_TEST

START_TEST(refused)
{
    REFUSE(64, MMIO_NOT_MEMORY, 0x89, 0xc3);        /* mov %eax,%ebx */
    REFUSE(64, MMIO_NOT_MEMORY, 0x0f, 0xb6, 0xc0);  /* movzbl %al,%eax */
    REFUSE(64, MMIO_LOCKED, 0xf0, 0x89, 0x08);      /* lock mov %ecx,(%rax) */
    REFUSE(64, MMIO_UNKNOWN, 0xf0, 0x83, 0x08, 0x00); /* lock orl $0,(%rax) */
    REFUSE(64, MMIO_REP, 0xf3, 0x89, 0x08);
    REFUSE(64, MMIO_UNKNOWN, 0xf3, 0xa4);           /* rep movsb */
    REFUSE(64, MMIO_UNKNOWN, 0xa5);                 /* movsl */
    REFUSE(64, MMIO_UNKNOWN, 0xab);                 /* stosl */
    REFUSE(64, MMIO_UNKNOWN, 0x0f, 0x0b);           /* ud2 */
    REFUSE(64, MMIO_UNKNOWN, 0x8d, 0x00);           /* lea (%rax),%eax */
    REFUSE(64, MMIO_UNKNOWN, 0xff, 0x30);           /* push (%rax) */
    REFUSE(64, MMIO_UNKNOWN, 0x87, 0x08);           /* xchg %ecx,(%rax) */
    REFUSE(64, MMIO_UNKNOWN, 0x01, 0x08);           /* add %ecx,(%rax) */
    REFUSE(64, MMIO_UNKNOWN, 0x0f, 0x10, 0x00);     /* movups (%rax),%xmm0 */
    REFUSE(64, MMIO_UNKNOWN, 0xc7, 0x08, 0, 0, 0, 0); /* C7 /1 */
    REFUSE(64, MMIO_UNKNOWN, 0xc6, 0xf8, 0x00);     /* xabort */
    REFUSE(32, MMIO_UNKNOWN, 0x40, 0x8b, 0x00);     /* 40 is INC here */
    REFUSE(64, MMIO_TOO_LONG, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
           0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x8b, 0x00); /* 17 bytes */
    REFUSE(64, MMIO_TOO_LONG, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
           0x66, 0x66, 0x66, 0x66, 0x66, 0x8b, 0x04); /* SIB would be the 16th */
    REFUSE(64, MMIO_TRUNCATED, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
           0x66, 0x66, 0x66, 0x66, 0x8b, 0x04);  /* 14 bytes so far */
    DECODE(64, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
           0x66, 0x66, 0x66, 0x8b, 0x00);       /* exactly 15 */
    ck_assert_uint_eq(in.bytes, 2);

    /* Every proper prefix of a valid instruction is too short. */
    {
        static const uint8_t full[] = { 0x66, 0x41, 0xc7, 0x84, 0x88,
                                        0x78, 0x56, 0x34, 0x12, 0xcd, 0xab };
        ck_assert_int_eq(mmio_decode(full, sizeof(full), 64, &in), MMIO_OK);
        ck_assert_uint_eq(in.len, sizeof(full));
        for (size_t n = 0; n < sizeof(full); n++)
            ck_assert_int_eq(mmio_decode(full, n, 64, &in), MMIO_TRUNCATED);
    }
    /* Bytes after the instruction are not part of it. */
    {
        static const uint8_t more[] = { 0x8b, 0x00, 0x90, 0x90, 0xcc };
        ck_assert_int_eq(mmio_decode(more, sizeof(more), 64, &in), MMIO_OK);
        ck_assert_uint_eq(in.len, 2);
    }
    ck_assert_str_eq(mmio_decode_error(MMIO_UNKNOWN), "not a MOV this emulator knows");
}
END_TEST

Suite *emulate_suite(void)
{
    Suite *s = suite_create("emulate");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, mov_to_and_from_memory);
    tcase_add_test(tc, operand_sizes);
    tcase_add_test(tc, byte_registers);
    tcase_add_test(tc, rex_r_and_b);
    tcase_add_test(tc, sib);
    tcase_add_test(tc, rip_relative);
    tcase_add_test(tc, immediates);
    tcase_add_test(tc, direct_offsets);
    tcase_add_test(tc, movzx_movsx);
    tcase_add_test(tc, segments);
    tcase_add_test(tc, sixteen_bit);
    tcase_add_test(tc, refused);
    suite_add_tcase(s, tc);
    return s;
}
