/* 16550 UARTs at the PC's standard ports, and QEMU/Bochs's port 0xe9.
 * console=com1|com2|e9|none (a comma-separated list) picks the ports;
 * com1= and com2= take Xen's form for their speed (8n1 always). */
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
static unsigned int com_baud[2] = { 115200, 115200 };   /* 0: as found */

/* Xen's form: com1=<baud>|auto[/<clock>][,<DPS>[,<io-base>[,<irq>]]].
 * mica drives the UART at 8n1, polled, at the port's usual base, so it
 * takes the baud rate and accepts the rest when it says just that. */
static int parse_com(unsigned int n, const char *v)
{
    static const uint16_t base[2] = { 0x3f8, 0x2f8 };
    char field[4][24] = { "", "", "", "" };
    unsigned int nf = 0;
    uint64_t num;
    const char *end;

    for (size_t len = 0; nf < ARRAY_SIZE(field); v++) {
        if (*v == ',' || !*v) {
            field[nf++][len] = '\0';
            len = 0;
            if (!*v)
                break;
        } else if (len < sizeof(field[0]) - 1) {
            field[nf][len++] = *v;
        } else {
            return -1;
        }
    }
    if (*v && nf == ARRAY_SIZE(field))
        return -1;                  /* more fields than Xen's */
    if (!strcmp(field[0], "auto")) {
        com_baud[n] = 0;
    } else {
        char *slash = strchr(field[0], '/');

        if (slash) {
            pr_warn("com%u=: mica takes the UART's clock as 1.8432 MHz; "
                    "'/%s' ignored\n", n + 1, slash + 1);
            *slash = '\0';
        }
        if (!parse_u64(field[0], &end, &num) || *end || num < 50 ||
            num > 115200 || 115200 % num)
            return -1;
        com_baud[n] = (unsigned int)num;
    }
    if (field[1][0] && strcmp(field[1], "8n1"))
        pr_warn("com%u=: mica drives the UART at 8n1; '%s' ignored\n", n + 1,
                field[1]);
    if (field[2][0] && (!parse_u64(field[2], &end, &num) || *end ||
                        num != base[n]))
        pr_warn("com%u=: mica uses COM%u at %#x; '%s' ignored\n", n + 1,
                n + 1, base[n], field[2]);
    /* field[3], the IRQ: mica polls the UART. */
    return 0;
}

static int parse_com1(const char *v) { return parse_com(0, v); }
static int parse_com2(const char *v) { return parse_com(1, v); }

param_string("console", console_opt);
param_custom("com1", parse_com1);
param_custom("com2", parse_com2);

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

/* Sets the port up at `baud` (0: keeps the divisor the firmware set). */
static void uart_setup(uint16_t base, unsigned int baud)
{
    outb(base + UART_IER, 0);
    if (baud) {
        unsigned int div = 115200 / baud;

        outb(base + UART_LCR, LCR_DLAB);
        outb(base + UART_DLL, div & 0xff);
        outb(base + UART_DLM, (div >> 8) & 0xff);
    }
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
        bool known;

        while (s[len] && s[len] != ',')
            len++;
        known = len == 4 && !strncmp(s, "none", 4);
        for (unsigned i = 0; i < ARRAY_SIZE(ports); i++) {
            if (strlen(ports[i].name) == len &&
                !strncmp(ports[i].name, s, len)) {
                if (i < 2)
                    uart_setup(ports[i].io_base, com_baud[i]);
                ports[i].enabled = true;
                known = true;
            }
        }
        if (!known && len == 3 && !strncmp(s, "vga", 3))
            pr_warn("console=vga: mica has no screen console; use com1, "
                    "com2 or e9\n");
        else if (!known && len)
            pr_warn("console=%.*s: no such console (com1, com2, e9 or "
                    "none); ignored\n", (int)len, s);
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
