/* Lazily switched guest state: see asm/fpu.h. */
#include <mica/string.h>
#include <asm/fpu.h>

#define DR6_INIT 0xffff0ff0ull

#define DEFINE_DR(n)                                                        \
    static uint64_t read_dr##n(void)                                        \
    {                                                                       \
        uint64_t v;                                                         \
        __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));                   \
        return v;                                                           \
    }                                                                       \
    static void write_dr##n(uint64_t v)                                     \
    {                                                                       \
        __asm__ volatile("mov %0, %%dr" #n : : "r"(v));                     \
    }
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
#undef DEFINE_DR

void guest_fpu_init(struct guest_fpu *f)
{
    memset(f, 0, sizeof(*f));
    /* x87 and SSE as after reset: FCW 0x37f, MXCSR 0x1f80, every x87
     * register empty (FXSAVE image: FCW at byte 0, MXCSR at byte 24). */
    f->fxsave[0] = 0x7f;
    f->fxsave[1] = 0x03;
    f->fxsave[24] = 0x80;
    f->fxsave[25] = 0x1f;
    f->dr6 = DR6_INIT;
}

void guest_fpu_save(struct guest_fpu *f)
{
    __asm__ volatile("fxsave64 %0" : "=m"(f->fxsave));
    f->dr[0] = read_dr0();
    f->dr[1] = read_dr1();
    f->dr[2] = read_dr2();
    f->dr[3] = read_dr3();
    f->dr6 = read_dr6();
}

void guest_fpu_load(const struct guest_fpu *f)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(f->fxsave));
    write_dr0(f->dr[0]);
    write_dr1(f->dr[1]);
    write_dr2(f->dr[2]);
    write_dr3(f->dr[3]);
    write_dr6(f->dr6);
}
