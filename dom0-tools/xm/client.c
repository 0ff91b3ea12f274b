/*
 * xm's commands that xend answers: each is one request on xend's unix
 * socket (protocol in xend/proto.h and docs/toolstack.md), its reply put
 * into the classic output formats.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "coninput.h"
#include "format.h"
#include "../common/cpuset.h"
#include "../common/xalloc.h"
#include "../xend/config.h"
#include "../xend/proto.h"

#include <mica/ctl.h>

#define WAIT_POLL_MS 100
/* How often xm console offers input again that a full ring refused. */
#define INPUT_RETRY_MS 100
/* How long xm console waits for xend to take a piece of input. */
#define INPUT_TIMEOUT_S 2

static char *socket_path(void)
{
    struct xend_config c;
    struct diag d;
    const char *env = getenv("XEND_UNIX_PATH");
    char *p;

    if (env)
        return strdup(env);
    xend_config_defaults(&c);
    diag_init(&d);
    xend_config_load(NULL, &c, &d);   /* Problems are xend's to report. */
    diag_free(&d);
    p = strdup(c.unix_path);
    xend_config_free(&c);
    return p;
}

/* The socket to xend, or -1 (and nothing said). */
static int xend_connect_quiet(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char *path = socket_path();
    int fd = -1;

    if (path && strlen(path) < sizeof(sa.sun_path)) {
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            close(fd);
            fd = -1;
        }
    }
    free(path);
    return fd;
}

static int xend_connect(void)
{
    int fd = xend_connect_quiet();

    if (fd < 0)
        fprintf(stderr, "Error: xend is not running\n");
    return fd;
}

static int send_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Sends the request and reads the status line; returns the socket with
 * the body still to come, or -1 after saying why. */
static int start_call(const char *const *f, size_t nf, const char *payload)
{
    struct sbuf req = SBUF_INIT;
    char line[1024];
    size_t n = 0;
    int fd = xend_connect();

    if (fd < 0)
        return -1;
    for (size_t i = 0; i < nf; i++)
        sbuf_printf(&req, "%s%s", i ? "\t" : "", f[i]);
    sbuf_putc(&req, '\n');
    if (payload)
        sbuf_puts(&req, payload);
    if (send_all(fd, sbuf_str(&req), req.len) < 0) {
        fprintf(stderr, "Error: lost the connection to xend\n");
        sbuf_free(&req);
        close(fd);
        return -1;
    }
    sbuf_free(&req);
    shutdown(fd, SHUT_WR);
    /* Byte by byte, so that none of the body is read ahead. */
    while (n < sizeof(line) - 1) {
        ssize_t r = read(fd, line + n, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    if (strcmp(line, XEND_PROTO_OK) == 0)
        return fd;
    if (strncmp(line, XEND_PROTO_ERROR, strlen(XEND_PROTO_ERROR)) == 0)
        fprintf(stderr, "Error: %s\n", line + strlen(XEND_PROTO_ERROR));
    else
        fprintf(stderr, "Error: xend closed the connection\n");
    close(fd);
    return -1;
}

int xm_call(const char *const *f, size_t nf, const char *payload,
            struct sbuf *body)
{
    char buf[4096];
    ssize_t r;
    int fd = start_call(f, nf, payload);

    if (fd < 0)
        return -1;
    while ((r = read(fd, buf, sizeof(buf))) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        sbuf_put(body, buf, (size_t)r);
    }
    close(fd);
    return 0;
}

/* Asks xend for the domains (all, or those named); returns how many. */
static int get_domains(const char *const *names, size_t nnames, bool lng,
                       struct proto_dom **out, char ***configs)
{
    const char *f[1 + 32];
    size_t nf = 0;
    struct sbuf body = SBUF_INIT;
    int n = 0;

    f[nf++] = lng ? "list-long" : "list";
    for (size_t i = 0; i < nnames && nf < 33; i++)
        f[nf++] = names[i];
    *out = NULL;
    if (configs)
        *configs = NULL;
    if (xm_call(f, nf, NULL, &body) < 0) {
        sbuf_free(&body);
        return -1;
    }
    char *text = sbuf_detach(&body);
    for (char *l = text; l && *l;) {
        char *nl = strchr(l, '\n');
        struct proto_dom d;

        if (nl)
            *nl = '\0';
        if (proto_get_dom(l, &d) == 0) {
            *out = xrealloc(*out, sizeof(**out) * (size_t)(n + 1));
            (*out)[n] = d;
            /* list-long: the configuration is the next line, maybe empty. */
            if (lng) {
                l = nl ? nl + 1 : NULL;
                nl = l ? strchr(l, '\n') : NULL;
                if (nl)
                    *nl = '\0';
                if (configs) {
                    *configs = xrealloc(*configs,
                                        sizeof(char *) * (size_t)(n + 1));
                    (*configs)[n] = xstrdup(l && l[0] == '(' ? l : "");
                }
            }
            n++;
        }
        l = nl ? nl + 1 : NULL;
    }
    free(text);
    return n;
}

static void to_info(const struct proto_dom *d, struct xm_dominfo *i)
{
    i->name = d->name;
    i->domid = d->domid;
    i->mem_mib = d->mem_kib / 1024;
    i->vcpus = d->vcpus;
    i->state = d->flags & 0x3f;   /* MICA_DOMF_* are XM_STATE_* */
    i->cpu_time = (double)d->cpu_ns / 1e9;
    i->up_time = d->domid < 0 ? -1 : (double)d->up_ns / 1e9;
}

static int cmd_list(const struct xm_args *a)
{
    struct proto_dom *d;
    char **cfgs = NULL;
    int n = get_domains(a->names, a->nnames, a->long_format, &d,
                        a->long_format ? &cfgs : NULL);
    struct sbuf out = SBUF_INIT;

    if (n < 0)
        return 1;
    struct xm_dominfo *info = xcalloc((size_t)n + 1, sizeof(*info));
    for (int i = 0; i < n; i++)
        to_info(&d[i], &info[i]);
    if (a->json) {
        xm_list_json(&out, info, (size_t)n);
    } else if (a->long_format) {
        for (int i = 0; i < n; i++) {
            char st[7];
            xm_state_string(info[i].state, st);
            sbuf_puts(&out, "(domain\n");
            /* A domain that is not running has no domid, as in xend. */
            if (info[i].domid >= 0)
                sbuf_printf(&out, "    (domid %d)\n", info[i].domid);
            sbuf_printf(&out, "    (name %s)\n    (state %s)\n"
                        "    (memory %llu)\n    (maxmem %llu)\n"
                        "    (memory_actual_kib %llu)\n    (vcpus %u)\n"
                        "    (cpu_time %.3f)\n", info[i].name, st,
                        (unsigned long long)info[i].mem_mib,
                        (unsigned long long)(d[i].max_kib / 1024),
                        (unsigned long long)d[i].cur_kib, info[i].vcpus,
                        info[i].cpu_time);
            if (info[i].domid >= 0)
                sbuf_printf(&out, "    (up_time %.3f)\n", info[i].up_time);
            if (cfgs[i][0])
                sbuf_printf(&out, "    (config %s)\n", cfgs[i]);
            sbuf_puts(&out, ")\n");
            free(cfgs[i]);
        }
    } else {
        xm_list_header(&out);
        for (int i = 0; i < n; i++)
            xm_list_row(&out, &info[i]);
    }
    fputs(sbuf_str(&out), stdout);
    sbuf_free(&out);
    free(cfgs);
    free(info);
    free(d);
    return 0;
}

static int cmd_uptime(const struct xm_args *a)
{
    struct proto_dom *d;
    int n = get_domains(a->names, a->nnames, false, &d, NULL);
    struct sbuf out = SBUF_INIT;
    time_t now = time(NULL);
    struct tm tm;

    if (n < 0)
        return 1;
    localtime_r(&now, &tm);
    if (!a->short_format)
        xm_uptime_header(&out);
    for (int i = 0; i < n; i++) {
        struct xm_dominfo info;
        to_info(&d[i], &info);
        if (a->short_format)
            xm_uptime_short_row(&out, &info, &tm);
        else
            xm_uptime_row(&out, &info);
    }
    fputs(sbuf_str(&out), stdout);
    sbuf_free(&out);
    free(d);
    return 0;
}

/* One domain by name or id; 0, or -1 after "Error: ...". */
static int one_domain(const char *name, struct proto_dom *out)
{
    struct proto_dom *d;
    int n = get_domains(&name, 1, false, &d, NULL);

    if (n < 0)
        return -1;
    if (n == 0) {
        fprintf(stderr, "Error: Domain '%s' does not exist.\n", name);
        free(d);
        return -1;
    }
    *out = d[0];
    free(d);
    return 0;
}

/* Sends a request and prints its body (notes) on stdout. */
static int request(const char *const *f, size_t nf)
{
    struct sbuf body = SBUF_INIT;
    int rc = xm_call(f, nf, NULL, &body);

    fputs(sbuf_str(&body), stdout);
    sbuf_free(&body);
    return rc < 0 ? 1 : 0;
}

static int simple(const char *cmd, const char *dom, const char *arg)
{
    const char *f[3] = { cmd, dom, arg };

    return request(f, arg ? 3 : 2);
}

/* Waits, as Xen's xm does, until domain domid is gone: destroyed or
 * restarted under a new ID by xend's on_poweroff/on_reboot/on_crash, or
 * stopped and kept (preserve), which xend marks settled. */
static void wait_stopped(int domid)
{
    for (;;) {
        struct proto_dom *d;
        int n = get_domains(NULL, 0, false, &d, NULL);
        bool done = true;

        for (int i = 0; i < n; i++)
            if (d[i].domid == domid && !(d[i].flags & PROTO_DOMF_SETTLED))
                done = false;
        free(d);
        if (n < 0 || done)
            return;
        struct timespec ts = { 0, WAIT_POLL_MS * 1000000L };
        nanosleep(&ts, NULL);
    }
}

static int cmd_shutdown(const struct xm_args *a, const char *reason)
{
    struct proto_dom *d = NULL;
    int n, status = 0;

    if (a->all) {
        n = get_domains(NULL, 0, false, &d, NULL);
    } else {
        if (!a->domain) {
            fprintf(stderr, "Error: 'xm shutdown' requires a domain or -a\n");
            return 1;
        }
        d = xmalloc(sizeof(*d));
        n = one_domain(a->domain, d) < 0 ? -1 : 1;
    }
    if (n < 0) {
        free(d);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char id[16];
        /* -a: every running domain but dom0; one named is always tried,
         * so that xend says why it cannot be. */
        if (d[i].domid == 0 || (a->all && d[i].domid < 0))
            continue;
        snprintf(id, sizeof(id), "%d", d[i].domid);
        if (simple("shutdown", d[i].domid < 0 ? d[i].name : id, reason) != 0)
            status = 1;
    }
    if (a->wait && status == 0) {
        for (int i = 0; i < n; i++) {
            if (d[i].domid <= 0)
                continue;
            wait_stopped(d[i].domid);
            printf("Domain %s %s\n", d[i].name, strcmp(reason, "reboot")
                   == 0 ? "rebooted" : "terminated");
        }
        if (a->all)
            printf("All domains terminated\n");
    }
    free(d);
    return status;
}

static int follow(int fd, const char *dom);

/* Replays what xend kept, then follows until the domain goes or Ctrl-]. */
static int cmd_console(const char *dom, bool quiet)
{
    const char *f[2] = { "console", dom };
    int fd;

    if (quiet) {
        /* -q: no message when the domain does not exist. */
        int err = dup(2), null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        fd = start_call(f, 2, NULL);
        if (err >= 0) {
            dup2(err, 2);
            close(err);
        }
        if (null >= 0)
            close(null);
    } else {
        fd = start_call(f, 2, NULL);
    }
    if (fd < 0)
        return 1;
    return follow(fd, dom);
}

/* The terminal as it was before xm console made it raw, for every way
 * out: the normal one, and the signals that would end xm (a terminal in
 * raw mode left behind is unusable). */
static struct termios tty_saved;
static volatile sig_atomic_t tty_is_raw;
static const int fatal_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static void tty_restore(void)
{
    if (tty_is_raw) {
        tcsetattr(0, TCSANOW, &tty_saved);
        tty_is_raw = 0;
    }
}

/* tcsetattr is async-signal-safe; the signal, blocked while this runs,
 * then ends xm as it would have. */
static void on_fatal_signal(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Says once why typed input is not reaching the guest, with the line
 * ends a raw terminal needs ("\n" alone does not return its carriage). */
static void console_input_failed(const char *why)
{
    const char *nl = tty_is_raw ? "\r\n" : "\n";

    fprintf(stderr, "%sxm console: input not passed on: %s%s",
            tty_is_raw ? "\r\n" : "", why, nl);
}

/*
 * Passes typed bytes to the domain's console ring: one console-input
 * request to xend, which calls mica's console_write. Returns how many the
 * ring took (fewer when it is full), or -1 with xend's reason in why. If
 * xend does not answer within INPUT_TIMEOUT_S (it may be writing console
 * output to us, which we must go on reading), the bytes count as passed:
 * xend still has the request and will do it.
 */
static long send_input(const char *dom, const char *buf, size_t n,
                       char *why, size_t whylen)
{
    struct timeval tv = { .tv_sec = INPUT_TIMEOUT_S };
    struct sbuf req = SBUF_INIT;
    char reply[256];
    size_t got = 0;
    long took = (long)n;
    int fd = xend_connect_quiet();

    if (fd < 0) {
        snprintf(why, whylen, "xend is not running");
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sbuf_printf(&req, "console-input\t%s\n", dom);
    sbuf_put(&req, buf, n);
    if (send_all(fd, req.buf, req.len) < 0) {
        snprintf(why, whylen, "lost the connection to xend");
        took = -1;
    }
    sbuf_free(&req);
    shutdown(fd, SHUT_WR);
    while (took >= 0 && got < sizeof(reply) - 1) {
        ssize_t r = read(fd, reply + got, sizeof(reply) - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    reply[got] = '\0';
    if (took < 0 || got == 0)
        return took;
    if (strncmp(reply, XEND_PROTO_OK "\n", strlen(XEND_PROTO_OK) + 1) == 0) {
        char *end;
        unsigned long k = strtoul(reply + strlen(XEND_PROTO_OK) + 1, &end,
                                  10);
        return *end == '\n' && k <= n ? (long)k : (long)n;
    }
    if (strncmp(reply, XEND_PROTO_ERROR, strlen(XEND_PROTO_ERROR)) == 0) {
        reply[strcspn(reply, "\n")] = '\0';
        snprintf(why, whylen, "%s", reply + strlen(XEND_PROTO_ERROR));
    } else {
        snprintf(why, whylen, "xend closed the connection");
    }
    return -1;
}

/*
 * Copies the console stream on fd to stdout until it ends (the domain is
 * gone) or Ctrl-] is typed, and what is typed (or piped in) to the
 * domain's console ring; closes fd. A terminal on stdin is raw meanwhile,
 * so that every key goes to the guest, as under Xen. At the end of piped
 * input xm goes on showing output until the domain goes.
 */
static int follow(int fd, const char *dom)
{
    struct sigaction sa = { .sa_handler = on_fatal_signal }, old_sa[NFATAL];
    struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
    struct con_input q = { .len = 0 };
    bool in_open = true, in_ok = true;
    char buf[4096], why[512];

    /* A write to xend or to a stdout gone away fails with EPIPE instead
     * of killing xm with the terminal still raw. */
    sigaction(SIGPIPE, &ign, &old_pipe);
    for (size_t k = 0; k < NFATAL; k++)
        sigaction(fatal_signals[k], &sa, &old_sa[k]);
    if (isatty(0) && tcgetattr(0, &tty_saved) == 0) {
        struct termios raw = tty_saved;

        cfmakeraw(&raw);
        tty_is_raw = 1;
        if (tcsetattr(0, TCSANOW, &raw) < 0)
            tty_is_raw = 0;
    }
    for (;;) {
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
                               { .fd = 0, .events = POLLIN } };
        int wait = q.len ? INPUT_RETRY_MS : -1;

        if (poll(p, in_open ? 2 : 1, wait) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[0].revents) {
            ssize_t r = read(fd, buf, sizeof(buf));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            fwrite(buf, 1, (size_t)r, stdout);
            fflush(stdout);
        }
        if (in_open && p[1].revents) {
            ssize_t r = read(0, buf, sizeof(buf));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                in_open = false;
            else
                con_input_add(&q, buf, (size_t)r);
            if (!in_ok)
                q.len = 0;
        }
        if (q.len) {
            long took = send_input(dom, q.buf, q.len, why, sizeof(why));
            if (took < 0) {
                /* Said once; later input is dropped, Ctrl-] still
                 * leaves. */
                console_input_failed(why);
                in_ok = false;
                q.len = 0;
            } else {
                con_input_taken(&q, (size_t)took);
            }
        }
        if (q.escaped)
            break;
    }
    tty_restore();
    for (size_t k = 0; k < NFATAL; k++)
        sigaction(fatal_signals[k], &old_sa[k], NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    close(fd);
    return 0;
}

/* Reads the domid line that create and start answer first. */
static void read_domid(int fd, char *line, size_t len)
{
    size_t n = 0;

    /* Byte by byte: with -c the console follows it. */
    while (n < len - 1 && read(fd, line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
}

int xm_create(const struct xm_args *a, const char *name, const char *sxp)
{
    const char *f[3] = { "create", a->paused ? "paused" : "running",
                         "console" };
    char line[32];
    int fd = start_call(f, a->console ? 3 : 2, sxp);

    if (fd < 0)
        return 1;
    read_domid(fd, line, sizeof(line));
    printf("Started domain %s (id=%s)\n", name, line);
    fflush(stdout);
    if (a->console)
        return follow(fd, line);
    close(fd);
    return 0;
}

int xm_new(const char *sxp)
{
    const char *f[1] = { "new" };
    struct sbuf body = SBUF_INIT;
    int rc = xm_call(f, 1, sxp, &body);

    sbuf_free(&body);
    return rc < 0 ? 1 : 0;
}

/* xm start prints nothing, as xm did; -c attaches to the console. */
static int cmd_start(const struct xm_args *a)
{
    const char *f[4] = { "start", a->domain,
                         a->paused ? "paused" : "running", "console" };
    char line[32];
    int fd = start_call(f, a->console ? 4 : 3, NULL);

    if (fd < 0)
        return 1;
    read_domid(fd, line, sizeof(line));
    if (a->console)
        return follow(fd, line);
    close(fd);
    return 0;
}

static int passthrough(const char *cmd, const char *arg)
{
    const char *f[2] = { cmd, arg };

    return request(f, arg ? 2 : 1);
}

static int cmd_sched_credit(const struct xm_args *a)
{
    char w[16] = "-", c[16] = "-";
    const char *f[4] = { "sched-credit", a->domain, w, c };
    struct sbuf body = SBUF_INIT, out = SBUF_INIT;
    bool set = a->has_weight || a->has_cap;
    int status = 0;

    if (a->has_weight)
        snprintf(w, sizeof(w), "%u", a->weight);
    if (a->has_cap)
        snprintf(c, sizeof(c), "%u", a->cap);
    if (xm_call(f, !a->domain ? 1 : set ? 4 : 2, NULL, &body) < 0) {
        sbuf_free(&body);
        return 1;
    }
    if (!a->domain)
        xm_sched_credit_header(&out);
    for (char *l = body.buf; l && *l;) {
        char *nl = strchr(l, '\n');
        struct proto_sched p;

        if (nl)
            *nl = '\0';
        if (proto_get_sched(l, &p) == 0) {
            if (a->domain)
                xm_sched_credit_dict(&out, p.weight, p.cap);
            else
                xm_sched_credit_row(&out, p.name, p.domid, p.weight, p.cap);
        }
        l = nl ? nl + 1 : NULL;
    }
    if (a->domain && !set && out.len == 0) {
        fprintf(stderr, "Error: xend gave no scheduler parameters\n");
        status = 1;
    }
    fputs(sbuf_str(&out), stdout);
    sbuf_free(&out);
    sbuf_free(&body);
    return status;
}

static int cmd_vcpu_list(const struct xm_args *a)
{
    const char *f[1 + 32];
    size_t nf = 0;
    struct sbuf body = SBUF_INIT, out = SBUF_INIT;
    struct proto_node node = { .nr_cpus = 1 };

    f[nf++] = "vcpu-list";
    for (size_t i = 0; i < a->nnames && nf < 33; i++)
        f[nf++] = a->names[i];
    if (xm_call(f, nf, NULL, &body) < 0) {
        sbuf_free(&body);
        return 1;
    }
    xm_vcpu_list_header(&out);
    for (char *l = body.buf; l && *l;) {
        char *nl = strchr(l, '\n');
        struct proto_vcpu p;
        struct proto_node nd;

        if (nl)
            *nl = '\0';
        if (proto_get_node(l, &nd) == 0) {
            node = nd;      /* the host's CPUs, for "any cpu" */
        } else if (proto_get_vcpu(l, &p) == 0) {
            struct cpuset aff;
            cpuset_clear(&aff);
            for (unsigned k = 0; k < 64; k++)
                if (p.affinity >> k & 1)
                    cpuset_add(&aff, k);
            struct xm_vcpuinfo v = {
                .name = p.name, .domid = p.domid, .number = p.vcpu,
                .online = p.flags & MICA_VCPUF_online,
                .running = p.flags & MICA_VCPUF_running,
                .blocked = p.flags & MICA_VCPUF_blocked,
                .cpu = p.cpu, .cpu_time = (double)p.cpu_ns / 1e9,
                .affinity = &aff,
            };
            xm_vcpu_list_row(&out, &v, node.nr_cpus);
        }
        l = nl ? nl + 1 : NULL;
    }
    fputs(sbuf_str(&out), stdout);
    sbuf_free(&out);
    sbuf_free(&body);
    return 0;
}

/* One sample of xm top: the host and its running domains. */
struct top_sample {
    struct proto_node node;
    struct proto_dom *d;
    int n;
    struct timespec when;
};

static int top_sample(struct top_sample *s)
{
    const char *f[1] = { "top" };
    struct sbuf body = SBUF_INIT;

    memset(s, 0, sizeof(*s));
    if (xm_call(f, 1, NULL, &body) < 0) {
        sbuf_free(&body);
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &s->when);
    for (char *l = body.buf; l && *l;) {
        char *nl = strchr(l, '\n');
        struct proto_dom d;
        struct proto_node nd;

        if (nl)
            *nl = '\0';
        if (proto_get_node(l, &nd) == 0) {
            s->node = nd;
        } else if (proto_get_dom(l, &d) == 0) {
            s->d = xrealloc(s->d, sizeof(*s->d) * (size_t)(s->n + 1));
            s->d[s->n++] = d;
        }
        l = nl ? nl + 1 : NULL;
    }
    sbuf_free(&body);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const struct xm_topinfo *x = a, *y = b;

    return strcasecmp(x->name, y->name);
}

/* The table of one sample; CPU(%) against the one before, if any. */
static void top_table(struct sbuf *out, const struct top_sample *s,
                      const struct top_sample *prev, bool summary)
{
    struct xm_topinfo *t = xcalloc((size_t)s->n + 1, sizeof(*t));
    double ns = 0;

    if (prev)
        ns = (double)(s->when.tv_sec - prev->when.tv_sec) * 1e9 +
             (double)(s->when.tv_nsec - prev->when.tv_nsec);
    for (int i = 0; i < s->n; i++) {
        const struct proto_dom *d = &s->d[i];
        t[i] = (struct xm_topinfo){
            .name = d->name, .state = d->flags & 0x3f, .cpu_ns = d->cpu_ns,
            .mem_kib = d->cur_kib, .max_kib = d->max_kib, .vcpus = d->vcpus,
        };
        for (int k = 0; prev && ns > 0 && k < prev->n; k++)
            if (prev->d[k].domid == d->domid &&
                d->cpu_ns >= prev->d[k].cpu_ns)
                t[i].cpu_pct = (double)(d->cpu_ns - prev->d[k].cpu_ns) /
                               ns * 100;
    }
    qsort(t, (size_t)s->n, sizeof(*t), by_name);
    if (summary) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        xm_top_summary(out, &tm, s->node.version, t, (size_t)s->n,
                       s->node.total_kib, s->node.free_kib, s->node.nr_cpus,
                       s->node.cpu_mhz);
    }
    xm_top_header(out);
    for (int i = 0; i < s->n; i++)
        xm_top_row(out, &t[i], s->node.total_kib);
    free(t);
}

static volatile sig_atomic_t top_stop;

static void on_top_signal(int sig)
{
    (void)sig;
    top_stop = 1;
}

/*
 * Waits delay seconds; interactive, also for a key: 'q' quits (true is
 * returned), any other refreshes at once.
 */
static bool top_wait(unsigned delay, bool keys)
{
    int ms = (int)delay * 1000;
    struct pollfd p = { .fd = 0, .events = POLLIN };
    char c;

    while (!top_stop) {
        int rc = poll(&p, keys ? 1 : 0, ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return false;
        if (read(0, &c, 1) != 1 || c == 'q' || c == 'Q')
            return true;
        return false;
    }
    return true;
}

/* xm top: xentop's display; -b prints the table each time instead of
 * redrawing the screen, as xentop -b did. */
static int cmd_top(const struct xm_args *a)
{
    struct top_sample cur, prev = { 0 };
    bool have_prev = false, tty = !a->batch && isatty(0);
    struct termios old, raw;
    struct sigaction sa = { .sa_handler = on_top_signal };
    int status = 0;

    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (tty && tcgetattr(0, &old) == 0) {
        /* Keys without Enter, Ctrl-C still a signal. */
        raw = old;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        tcsetattr(0, TCSANOW, &raw);
    } else {
        tty = false;
    }
    for (unsigned i = 0; !top_stop; i++) {
        struct sbuf out = SBUF_INIT;

        if (top_sample(&cur) < 0) {
            status = 1;
            break;
        }
        if (!a->batch)
            sbuf_puts(&out, "\033[H\033[2J");
        top_table(&out, &cur, have_prev ? &prev : NULL, !a->batch);
        if (!a->batch)
            sbuf_puts(&out, "\nq: quit\n");
        fputs(sbuf_str(&out), stdout);
        fflush(stdout);
        sbuf_free(&out);
        free(prev.d);
        prev = cur;
        have_prev = true;
        if (a->iterations && i + 1 >= a->iterations)
            break;
        if (top_wait(a->delay, tty))
            break;
    }
    free(prev.d);
    if (tty)
        tcsetattr(0, TCSANOW, &old);
    return status;
}

int xm_run(const struct xm_args *a)
{
    struct proto_dom d;
    char id[16], mib[32], n[16];
    const char *f[4];

    switch (a->cmd) {
    case XM_LIST:
        return cmd_list(a);
    case XM_UPTIME:
        return cmd_uptime(a);
    case XM_DESTROY:
    case XM_PAUSE:
    case XM_UNPAUSE:
        return simple(a->cmd_name, a->domain, NULL);
    case XM_SHUTDOWN:
        return cmd_shutdown(a, "poweroff");
    case XM_REBOOT:
        return cmd_shutdown(a, "reboot");
    case XM_CONSOLE:
        return cmd_console(a->domain, a->quiet);
    case XM_INFO:
        return passthrough("info", NULL);
    case XM_DMESG:
        return passthrough("dmesg", a->clear ? "clear" : NULL);
    case XM_LOG:
        return passthrough("log", NULL);
    case XM_DOMID:
        if (one_domain(a->domain, &d) < 0)
            return 1;
        /* A managed domain that is not running has none: xm printed
         * Python's None. */
        if (d.domid < 0)
            printf("None\n");
        else
            printf("%d\n", d.domid);
        return 0;
    case XM_DOMNAME:
        snprintf(id, sizeof(id), "%u", a->domid);
        if (one_domain(id, &d) < 0)
            return 1;
        printf("%s\n", d.name);
        return 0;
    case XM_SCHED_CREDIT:
        return cmd_sched_credit(a);
    case XM_VCPU_LIST:
        return cmd_vcpu_list(a);
    case XM_VCPU_PIN:
        snprintf(n, sizeof(n), "%d", a->vcpu);
        f[0] = "vcpu-pin";
        f[1] = a->domain;
        f[2] = a->vcpu == XM_ALL_VCPUS ? "all" : n;
        f[3] = a->cpus;
        return request(f, 4);
    case XM_RENAME:
        return simple("rename", a->domain, a->new_name);
    case XM_MEM_SET:
    case XM_MEM_MAX:
        snprintf(mib, sizeof(mib), "%llu", (unsigned long long)a->mem_mib);
        return simple(a->cmd_name, a->domain, mib);
    case XM_VCPU_SET:
        snprintf(n, sizeof(n), "%u", a->vcpus);
        return simple("vcpu-set", a->domain, n);
    case XM_TOP:
        return cmd_top(a);
    case XM_START:
        return cmd_start(a);
    case XM_DELETE:
        return simple("delete", a->domain, NULL);
    default:
        fprintf(stderr, "Error: 'xm %s' is not available yet\n",
                a->cmd_name);
        return 1;
    }
}
