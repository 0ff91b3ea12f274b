/* triple-fault: crashes on purpose.  With an IDT of limit zero, int3 raises
 * #GP, which cannot be delivered either: a double fault, then a triple
 * fault, which mica must turn into the crash of this domain alone. */
#include "guest.h"

enum verdict test_main(const char *cmdline)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = { 0, 0 };

    (void)cmdline;
    printf("triple-fault: about to triple fault on purpose\n");
    __asm__ volatile("lidt %0; int3" : : "m"(idtr));
    printf("triple-fault: still running after the fault?\n");
    return FAILURE;
}
