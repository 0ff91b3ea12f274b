/* Console: see mica/console.h.  Every message goes into the ring; the ports
 * show those at or below `loglvl`.  Each line of mica's own output starts
 * with "(mica) " so that it stands apart from guests' "(dN) " lines. */
#include <mica/cmdline.h>
#include <mica/console.h>
#include <mica/lib.h>
#include <mica/spinlock.h>
#include <mica/string.h>
#include <asm/cpu.h>

#define RING_SIZE (64 * 1024)
#define MAX_PORTS 4

static char ring[RING_SIZE];
static uint64_t ring_head;          /* bytes ever written */
static struct console_port *ports[MAX_PORTS];
static unsigned int nports;
static spinlock_t lock = SPINLOCK_INIT;
static bool line_start = true;

static enum log_level show_level = LOG_INFO;

/* What mica meant for its console after dom0 took the last port it had
 * (console_hold_unseen): dom0 shows it when its init starts, so that the
 * boot-time guests' output and mica's news reach the user after all. */
#define HELD_SIZE (16 * 1024)
static char held[HELD_SIZE];
static uint64_t held_head;
static bool holding;

#ifdef __MICA__ /* the unit tests keep the default level */
/* Xen's form, loglvl=LEVEL[/RATE-LIMITED LEVEL]: mica does not rate-limit,
 * so the second level, when it is one, changes nothing. */
static int level_of(const char *v, size_t len)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };

    if (len == 3 && !strncmp(v, "all", 3))
        return LOG_DEBUG;
    if (len == 4 && !strncmp(v, "none", 4))
        return -1;
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
        if (strlen(names[i]) == len && !strncmp(v, names[i], len))
            return (int)i;
    return -2;
}

static int parse_loglvl(const char *v)
{
    const char *slash = strchr(v, '/');
    size_t len = slash ? (size_t)(slash - v) : strlen(v);
    int lvl = level_of(v, len);

    if (lvl < -1 || (slash && level_of(slash + 1, strlen(slash + 1)) < -1))
        return -1;
    show_level = (enum log_level)lvl;
    return 0;
}
param_custom("loglvl", parse_loglvl);
#endif

void console_add_port(struct console_port *p)
{
    for (unsigned i = 0; i < nports; i++)
        if (ports[i] == p)
            return;
    if (nports < MAX_PORTS)
        ports[nports++] = p;
}

static void emit(const char *s, size_t n, bool show)
{
    for (size_t i = 0; i < n; i++)
        ring[(ring_head + i) % RING_SIZE] = s[i];
    ring_head += n;
    if (!show)
        return;
    if (holding) {
        for (size_t i = 0; i < n; i++)
            held[(held_head + i) % HELD_SIZE] = s[i];
        held_head += n;
    }
    for (unsigned i = 0; i < nports; i++)
        if (ports[i]->enabled)
            ports[i]->write(ports[i], s, n);
}

static const char *memchr_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n')
            return s + i;
    return NULL;
}

/* Writes text, putting `prefix` at the start of each line. */
static void emit_lines(const char *prefix, bool *at_start, const char *s,
                       size_t n, bool show)
{
    size_t plen = strlen(prefix);

    while (n) {
        const char *nl = memchr_line(s, n);
        size_t len = nl ? (size_t)(nl - s) + 1 : n;

        if (*at_start)
            emit(prefix, plen, show);
        emit(s, len, show);
        *at_start = nl != NULL;
        s += len;
        n -= len;
    }
}

void log_vprintf(enum log_level lvl, const char *fmt, va_list ap)
{
    char buf[1024];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    unsigned long f;

    if (n >= (int)sizeof(buf))
        n = sizeof(buf) - 1;
    f = spin_lock_irqsave(&lock);
    emit_lines("(mica) ", &line_start, buf, (size_t)n,
               (int)lvl <= (int)show_level);
    spin_unlock_irqrestore(&lock, f);
}

void log_printf(enum log_level lvl, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(lvl, fmt, ap);
    va_end(ap);
}

void console_guest_write(domid_t id, bool *at_line_start, const char *s,
                         size_t n)
{
    char prefix[16];
    unsigned long f;

    snprintf(prefix, sizeof(prefix), "(d%u) ", id);
    f = spin_lock_irqsave(&lock);
    emit_lines(prefix, at_line_start, s, n, show_level >= LOG_INFO);
    spin_unlock_irqrestore(&lock, f);
}

/* Copies from a ring of `rsize` bytes, `head` written so far, from *pos
 * on (the oldest byte still there if *pos is older, nothing if it is
 * ahead); moves *pos past what it copied. */
static size_t ring_copy(const char *r, uint64_t rsize, uint64_t head,
                        uint64_t *pos, char *buf, size_t size)
{
    uint64_t start = MIN(*pos, head), n;

    if (head > rsize && start < head - rsize)
        start = head - rsize;
    n = MIN(size, head - start);
    for (uint64_t i = 0; i < n; i++)
        buf[i] = r[(start + i) % rsize];
    *pos = start + n;
    return (size_t)n;
}

size_t console_ring_read(uint64_t *pos, char *buf, size_t size)
{
    unsigned long f = spin_lock_irqsave(&lock);
    size_t n = ring_copy(ring, RING_SIZE, ring_head, pos, buf, size);

    spin_unlock_irqrestore(&lock, f);
    return n;
}

size_t console_held_read(uint64_t *pos, char *buf, size_t size)
{
    unsigned long f = spin_lock_irqsave(&lock);
    size_t n = ring_copy(held, HELD_SIZE, held_head, pos, buf, size);

    spin_unlock_irqrestore(&lock, f);
    return n;
}

void console_hold_unseen(void)
{
    unsigned long f = spin_lock_irqsave(&lock);
    bool any = false;

    for (unsigned i = 0; i < nports; i++)
        any |= ports[i]->enabled;
    holding = !any;
    spin_unlock_irqrestore(&lock, f);
}
