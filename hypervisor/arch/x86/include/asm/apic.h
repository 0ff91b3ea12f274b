/* The local APIC (xAPIC, MMIO) and its timer. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <mica/types.h>

void pic_disable(void);
void lapic_init(void);                   /* this CPU */
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_calibrate(void);              /* BSP, once */
int lapic_timer_selftest(void);
void lapic_timer_oneshot(uint64_t ns);
void lapic_timer_periodic(uint64_t ns);
void lapic_timer_stop(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
int lapic_start_ap(uint32_t apic_id, uint8_t sipi_page);
void udelay(uint64_t us);

extern uint64_t tsc_khz, lapic_timer_khz;

/* Nanoseconds since boot, from the TSC (calibrated against the PIT). */
uint64_t now_ns(void);

#endif
