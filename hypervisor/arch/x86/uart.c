/* 16550 UARTs at the PC's standard ports, and QEMU/Bochs's port 0xe9.
 * console=com1|com2|e9|none (a comma-separated list) picks the ports;
 * com1=BAUD and com2=BAUD set their speed (8n1 always). */
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/lib.h>
#include <mica/string.h>
#include <asm/io.h>

#define UART_THR 0   /* transmit holding */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0   /* with LCR.DLAB */
#define UART_DLM 1
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define LCR_8N1  0x03

static char console_opt[64] = "com1";
static unsigned int com_baud[2] = { 115200, 115200 };

param_string("console", console_opt);
param_uint("com1", com_baud[0]);
param_uint("com2", com_baud[1]);

static void uart_write(const struct console_port *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* A bounded wait: a missing UART must not hang mica. */
        for (int spin = 0; spin < 100000; spin++)
            if (inb(p->io_base + UART_LSR) & LSR_THRE)
                break;
        if (s[i] == '\n')
            outb(p->io_base + UART_THR, '\r');
        for (int spin = 0; spin < 100000; spin++)
            if (inb(p->io_base + UART_LSR) & LSR_THRE)
                break;
        outb(p->io_base + UART_THR, (uint8_t)s[i]);
    }
}

static void e9_write(const struct console_port *p, const char *s, size_t n)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        outb(0xe9, (uint8_t)s[i]);
}

static struct console_port ports[] = {
    { "com1", uart_write, 0x3f8, false },
    { "com2", uart_write, 0x2f8, false },
    { "e9", e9_write, 0xe9, false },
};

static void uart_setup(uint16_t base, unsigned int baud)
{
    unsigned int div = baud ? 115200 / baud : 1;

    if (!div)
        div = 1;
    outb(base + UART_IER, 0);
    outb(base + UART_LCR, LCR_DLAB);
    outb(base + UART_DLL, div & 0xff);
    outb(base + UART_DLM, (div >> 8) & 0xff);
    outb(base + UART_LCR, LCR_8N1);
    outb(base + UART_FCR, 0x07);    /* enable and clear the FIFOs */
    outb(base + UART_MCR, 0x03);    /* DTR, RTS */
}

/* Enables the ports named in console=.  Called once the command line is
 * parsed; before that, early messages sit in the ring and are replayed. */
void uart_console_init(void)
{
    const char *s = console_opt;

    while (*s) {
        size_t len = 0;

        while (s[len] && s[len] != ',')
            len++;
        for (unsigned i = 0; i < ARRAY_SIZE(ports); i++) {
            if (strlen(ports[i].name) == len &&
                !strncmp(ports[i].name, s, len)) {
                if (i < 2)
                    uart_setup(ports[i].io_base, com_baud[i]);
                ports[i].enabled = true;
            }
        }
        s += len;
        if (*s == ',')
            s++;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(ports); i++)
        console_add_port(&ports[i]);
}

/* Gives up a port, e.g. the serial line once dom0 owns it. */
void uart_release(uint16_t io_base)
{
    for (unsigned i = 0; i < ARRAY_SIZE(ports); i++)
        if (ports[i].io_base == io_base)
            ports[i].enabled = false;
}

bool uart_enabled(uint16_t io_base)
{
    for (unsigned i = 0; i < ARRAY_SIZE(ports); i++)
        if (ports[i].io_base == io_base)
            return ports[i].enabled;
    return false;
}
