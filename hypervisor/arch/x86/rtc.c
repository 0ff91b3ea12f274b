/* The CMOS real-time clock, read once for the guests' wall clock (the MC146818
 * register set: seconds 0x00, minutes 0x02, hours 0x04, day 0x07, month
 * 0x08, year 0x09, status A 0x0a, status B 0x0b). */
#include <mica/time.h>
#include <asm/io.h>

#define RTC_INDEX 0x70
#define RTC_DATA  0x71
#define STATUS_A_UIP   0x80    /* an update is under way: values may tear */
#define STATUS_B_24H   0x02
#define STATUS_B_BIN   0x04
#define HOUR_PM        0x80    /* in 12-hour mode */

static unsigned int cmos(unsigned int reg)
{
    outb(RTC_INDEX, (uint8_t)reg);
    return inb(RTC_DATA);
}

struct rtc_regs {
    unsigned int sec, min, hour, day, mon, year;
};

static void read_once(struct rtc_regs *r)
{
    for (int i = 0; i < 1000000 && (cmos(0x0a) & STATUS_A_UIP); i++)
        ;
    r->sec = cmos(0x00);
    r->min = cmos(0x02);
    r->hour = cmos(0x04);
    r->day = cmos(0x07);
    r->mon = cmos(0x08);
    r->year = cmos(0x09);
}

/* Seconds since the Unix epoch, or 0 if the clock reads as nonsense.  The
 * century register's place varies (ACPI FADT); years are taken as 20xx. */
uint64_t rtc_read_epoch(void)
{
    struct rtc_regs a, b;
    unsigned int status_b;
    bool pm;

    /* Two equal reads in a row cannot straddle an update. */
    read_once(&a);
    for (int i = 0; i < 10; i++) {
        read_once(&b);
        if (a.sec == b.sec && a.min == b.min && a.hour == b.hour &&
            a.day == b.day && a.mon == b.mon && a.year == b.year)
            break;
        a = b;
    }
    status_b = cmos(0x0b);
    pm = !(status_b & STATUS_B_24H) && (b.hour & HOUR_PM);
    b.hour &= ~HOUR_PM;
    if (!(status_b & STATUS_B_BIN)) {
        b.sec = time_bcd(b.sec);
        b.min = time_bcd(b.min);
        b.hour = time_bcd(b.hour);
        b.day = time_bcd(b.day);
        b.mon = time_bcd(b.mon);
        b.year = time_bcd(b.year);
    }
    if (!(status_b & STATUS_B_24H))
        b.hour = (b.hour % 12) + (pm ? 12 : 0);
    if (b.sec > 59 || b.min > 59 || b.hour > 23 || b.day < 1 || b.day > 31 ||
        b.mon < 1 || b.mon > 12 || b.year > 99)
        return 0;
    return time_epoch_seconds(2000 + b.year, b.mon, b.day, b.hour, b.min, b.sec);
}
