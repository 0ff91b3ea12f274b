/* Guest state that no VM exit or entry switches on either vendor: the x87
 * and SSE registers and the debug registers DR0-DR3 and DR6.  mica itself
 * never uses them (it is built without SSE and sets no breakpoints), so they
 * are switched lazily, only when a different vCPU runs on a CPU. */
#ifndef ASM_FPU_H
#define ASM_FPU_H

#include <mica/types.h>

struct guest_fpu {
    uint8_t fxsave[512] __aligned(16);  /* FXSAVE image (SDM vol. 2, FXSAVE) */
    uint64_t dr[4], dr6;
};

void guest_fpu_init(struct guest_fpu *f);        /* the state after reset */
void guest_fpu_save(struct guest_fpu *f);        /* CPU -> memory */
void guest_fpu_load(const struct guest_fpu *f);  /* memory -> CPU */

#endif
