/* badinsn: instructions a guest is not offered.  The virtualization
 * instructions of both vendors (VMRUN, VMXON) and MONITOR/MWAIT, which its
 * CPUID does not list, must raise #UD in the guest, as on a CPU without
 * them, whichever vendor mica runs on.  Then, with crash=1, it executes
 * INVD, an exit mica does not handle: mica must crash this domain alone
 * and say which exit, where. */
#include "guest.h"
#include "events.h"

volatile uint32_t ud_count, ud_skip;

/* #UD: a fault, so the saved EIP is the instruction's; skip ud_skip bytes. */
__asm__(".text\n"
        "ud_entry:\n"
        "  incl ud_count\n"
        "  pushl %eax\n"
        "  movl ud_skip, %eax\n"
        "  addl %eax, 4(%esp)\n"
        "  popl %eax\n"
        "  iret\n");
extern char ud_entry[];

/* Runs `insn` (its bytes in an asm string) and says whether #UD came. */
#define EXPECT_UD(name, len, bytes)                                          \
    do {                                                                     \
        uint32_t before = ud_count;                                          \
        ud_skip = (len);                                                     \
        __asm__ volatile(".byte " bytes : : "a"(scratch), "c"(0), "d"(0)     \
                         : "memory");                                        \
        CHECK(ud_count == before + 1, "%s: %u #UD", name,                   \
              (unsigned)(ud_count - before));                                \
    } while (0)

enum verdict test_main(const char *cmdline)
{
    static uint8_t scratch[4096] __attribute__((aligned(4096)));

    traps_init();
    trap_set(6, ud_entry);

    EXPECT_UD("VMRUN", 3, "0x0f, 0x01, 0xd8");
    EXPECT_UD("VMLOAD", 3, "0x0f, 0x01, 0xda");
    EXPECT_UD("STGI", 3, "0x0f, 0x01, 0xdc");
    EXPECT_UD("VMXON [eax]", 4, "0xf3, 0x0f, 0xc7, 0x30");
    EXPECT_UD("VMREAD", 3, "0x0f, 0x78, 0xc8");
    EXPECT_UD("MONITOR", 3, "0x0f, 0x01, 0xc8");
    EXPECT_UD("MWAIT", 3, "0x0f, 0x01, 0xc9");
    printf("badinsn: %u #UD (VMRUN, VMLOAD, STGI, VMXON, VMREAD, MONITOR, "
           "MWAIT)\n", (unsigned)ud_count);
    if (check_failures)
        return FAILURE;
    if (cmdline_ulong(cmdline, "crash", 0)) {
        printf("badinsn: INVD next: mica does not handle it\n");
        __asm__ volatile("invd" ::: "memory");
        printf("badinsn: still running after INVD?\n");
        return FAILURE;
    }
    return SUCCESS;
}
