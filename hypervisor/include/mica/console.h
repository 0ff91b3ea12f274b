/* mica's console: formatted output to the configured ports, and a ring in
 * memory that keeps every message for later readers (xm dmesg). */
#ifndef MICA_CONSOLE_H
#define MICA_CONSOLE_H

#include <stdarg.h>
#include <mica/types.h>

enum log_level {
    LOG_ERR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

/* An output port: the UARTs and the 0xe9 debug port implement this. */
struct console_port {
    const char *name;
    void (*write)(const struct console_port *p, const char *s, size_t n);
    uint16_t io_base;
    bool enabled;
};

void console_init(void);
void console_add_port(struct console_port *p);

void log_printf(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void log_vprintf(enum log_level lvl, const char *fmt, va_list ap);
/* Writes a guest's console text, prefixed "(dN) " at each line start. */
void console_guest_write(domid_t id, bool *at_line_start, const char *s,
                         size_t n);
/* Copies up to `size` bytes of the ring starting at `*pos` (a running byte
 * count); returns the count copied and advances *pos. */
size_t console_ring_read(uint64_t *pos, char *buf, size_t size);
/* From now on, if no port is left enabled, keeps what mica would have
 * shown on its console (at or below loglvl) in a second, smaller ring;
 * console_held_read() reads it as console_ring_read() reads the log. */
void console_hold_unseen(void);
size_t console_held_read(uint64_t *pos, char *buf, size_t size);

#define printk(...)   log_printf(LOG_INFO, __VA_ARGS__)
#define pr_err(...)   log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/* Stops the machine after a fatal error in mica itself. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Stops the machine when it lacks something mica needs: no backtrace. */
void fatal(const char *fmt, ...) __printf(1, 2) __noreturn;

#define BUG_ON(c)                                                           \
    do {                                                                    \
        if (unlikely(c))                                                    \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c);              \
    } while (0)

#endif
