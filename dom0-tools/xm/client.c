/*
 * xm's commands that xend answers: each is one request on xend's unix
 * socket (protocol in xend/proto.h and docs/toolstack.md), its reply put
 * into the classic output formats.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "format.h"
#include "../xend/config.h"
#include "../xend/proto.h"

#define CTRL_RIGHT_BRACKET 0x1d   /* leaves xm console, as in xm */
#define WAIT_POLL_MS 100

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

static int xend_connect(void)
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

/* One domain of a list reply. */
struct dom_line {
    unsigned domid, flags, vcpus;
    unsigned long long kib, cpu_ns, up_ns;
    char name[64];
};

static int parse_line(const char *line, struct dom_line *d)
{
    return sscanf(line, "%u\t%u\t%llu\t%u\t%llu\t%llu\t%63[^\n]", &d->domid,
                  &d->flags, &d->kib, &d->vcpus, &d->cpu_ns, &d->up_ns,
                  d->name) == 7 ? 0 : -1;
}

/* Asks xend for the domains (all, or those named); returns how many. */
static int get_domains(const char *const *names, size_t nnames, bool lng,
                       struct dom_line **out, char ***configs)
{
    const char *f[1 + 32];
    size_t nf = 0;
    struct sbuf body = SBUF_INIT;
    int n = 0;

    f[nf++] = lng ? "list-long" : "list";
    for (size_t i = 0; i < nnames && nf < 33; i++)
        f[nf++] = names[i];
    if (xm_call(f, nf, NULL, &body) < 0) {
        sbuf_free(&body);
        return -1;
    }
    *out = NULL;
    if (configs)
        *configs = NULL;
    char *save = NULL;
    char *text = sbuf_detach(&body);
    for (char *l = strtok_r(text, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        struct dom_line d;
        if (parse_line(l, &d) < 0)
            continue;
        *out = realloc(*out, sizeof(**out) * (size_t)(n + 1));
        (*out)[n] = d;
        if (lng) {
            char *cfg = strtok_r(NULL, "\n", &save);
            if (configs) {
                *configs = realloc(*configs, sizeof(char *) * (size_t)(n + 1));
                (*configs)[n] = strdup(cfg && cfg[0] != '(' ? "" :
                                       cfg ? cfg : "");
            }
        }
        n++;
    }
    free(text);
    return n;
}

static void to_info(const struct dom_line *d, struct xm_dominfo *i)
{
    i->name = d->name;
    i->domid = (int)d->domid;
    i->mem_mib = d->kib / 1024;
    i->vcpus = d->vcpus;
    i->state = d->flags & 0x3f;   /* MICA_DOMF_* are XM_STATE_* */
    i->cpu_time = (double)d->cpu_ns / 1e9;
    i->up_time = (double)d->up_ns / 1e9;
}

static int cmd_list(const struct xm_args *a)
{
    struct dom_line *d;
    char **cfgs = NULL;
    int n = get_domains(a->names, a->nnames, a->long_format, &d,
                        a->long_format ? &cfgs : NULL);
    struct sbuf out = SBUF_INIT;

    if (n < 0)
        return 1;
    struct xm_dominfo *info = calloc((size_t)n + 1, sizeof(*info));
    for (int i = 0; i < n; i++)
        to_info(&d[i], &info[i]);
    if (a->json) {
        xm_list_json(&out, info, (size_t)n);
    } else if (a->long_format) {
        for (int i = 0; i < n; i++) {
            char st[7];
            xm_state_string(info[i].state, st);
            sbuf_printf(&out, "(domain\n    (domid %d)\n    (name %s)\n"
                        "    (state %s)\n    (memory %llu)\n    (vcpus %u)\n"
                        "    (cpu_time %.3f)\n    (up_time %.3f)\n",
                        info[i].domid, info[i].name, st,
                        (unsigned long long)info[i].mem_mib, info[i].vcpus,
                        info[i].cpu_time, info[i].up_time);
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
    struct dom_line *d;
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
static int one_domain(const char *name, struct dom_line *out)
{
    struct dom_line *d;
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

static int simple(const char *cmd, const char *dom, const char *arg)
{
    const char *f[3] = { cmd, dom, arg };
    struct sbuf body = SBUF_INIT;
    int rc = xm_call(f, arg ? 3 : 2, NULL, &body);

    fputs(sbuf_str(&body), stdout);
    sbuf_free(&body);
    return rc < 0 ? 1 : 0;
}

/* Waits until domain domid has stopped (flags s or c) or is gone. */
static void wait_stopped(unsigned domid)
{
    for (;;) {
        struct dom_line *d;
        int n = get_domains(NULL, 0, false, &d, NULL);
        bool done = true;

        for (int i = 0; i < n; i++)
            if (d[i].domid == domid && !(d[i].flags & (XM_STATE_SHUTDOWN |
                                                      XM_STATE_CRASHED)))
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
    struct dom_line *d = NULL;
    int n, status = 0;

    if (a->all) {
        n = get_domains(NULL, 0, false, &d, NULL);
    } else {
        if (!a->domain) {
            fprintf(stderr, "Error: 'xm shutdown' requires a domain or -a\n");
            return 1;
        }
        d = malloc(sizeof(*d));
        n = one_domain(a->domain, d) < 0 ? -1 : 1;
    }
    if (n < 0) {
        free(d);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char id[16];
        if (d[i].domid == 0)
            continue;
        snprintf(id, sizeof(id), "%u", d[i].domid);
        if (simple("shutdown", id, reason) != 0)
            status = 1;
    }
    if (a->wait && status == 0) {
        for (int i = 0; i < n; i++) {
            if (d[i].domid == 0)
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

static int follow(int fd);

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
    return follow(fd);
}

/* Copies the console stream on fd to stdout until it ends or, on a
 * terminal, Ctrl-] is typed; closes fd. */
static int follow(int fd)
{
    struct termios old, raw;
    bool tty = isatty(0) && tcgetattr(0, &old) == 0;
    char buf[4096];

    if (tty) {
        raw = old;
        cfmakeraw(&raw);
        tcsetattr(0, TCSANOW, &raw);
    }
    for (;;) {
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
                               { .fd = 0, .events = POLLIN } };
        if (poll(p, tty ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[0].revents) {
            ssize_t r = read(fd, buf, sizeof(buf));
            if (r <= 0)
                break;
            fwrite(buf, 1, (size_t)r, stdout);
            fflush(stdout);
        }
        if (tty && p[1].revents) {
            ssize_t r = read(0, buf, sizeof(buf));
            if (r <= 0 || memchr(buf, CTRL_RIGHT_BRACKET, (size_t)r))
                break;
            /* Typed input is dropped: mica's console_write is not there
             * yet. */
        }
    }
    if (tty)
        tcsetattr(0, TCSANOW, &old);
    close(fd);
    return 0;
}

int xm_create(const struct xm_args *a, const char *name, const char *sxp)
{
    const char *f[3] = { "create", a->paused ? "paused" : "running",
                         "console" };
    char line[32];
    size_t n = 0;
    int fd = start_call(f, a->console ? 3 : 2, sxp);

    if (fd < 0)
        return 1;
    /* The body starts with the domid; with -c the console follows. */
    while (n < sizeof(line) - 1 && read(fd, line + n, 1) == 1 &&
           line[n] != '\n')
        n++;
    line[n] = '\0';
    printf("Started domain %s (id=%s)\n", name, line);
    fflush(stdout);
    if (a->console)
        return follow(fd);
    close(fd);
    return 0;
}

static int passthrough(const char *cmd, const char *arg)
{
    const char *f[2] = { cmd, arg };
    struct sbuf body = SBUF_INIT;
    int rc = xm_call(f, arg ? 2 : 1, NULL, &body);

    fputs(sbuf_str(&body), stdout);
    sbuf_free(&body);
    return rc < 0 ? 1 : 0;
}

int xm_run(const struct xm_args *a)
{
    struct dom_line d;
    char id[16];

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
        printf("%u\n", d.domid);
        return 0;
    case XM_DOMNAME:
        snprintf(id, sizeof(id), "%u", a->domid);
        if (one_domain(id, &d) < 0)
            return 1;
        printf("%s\n", d.name);
        return 0;
    default:
        fprintf(stderr, "Error: 'xm %s' is not available yet\n",
                a->cmd_name);
        return 1;
    }
}
