#define _GNU_SOURCE
/*
 * xend's main loop: the unix socket xm talks to, the HTTP server when
 * xend-http-server is on, and a tick every ~100 ms that collects console
 * output and watches the domains. One thread; an xm request is read whole
 * (with a time limit), answered and closed, except `console`, whose
 * connection stays and is fed as output arrives. HTTP connections are
 * served as they become readable and writable, so a slow or idle HTTP
 * client holds nothing up.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "proto.h"
#include "server.h"
#include "xend.h"
#include "../common/xalloc.h"

#define MAX_FOLLOWERS 32
#define TICK_MS 100
#define MAX_HTTP 16
/* Seconds an HTTP client has for its request and for taking the answer. */
#define HTTP_TIMEOUT 5

struct follower {
    int fd;
    int domid;
};

static struct follower followers[MAX_FOLLOWERS];
static int nfollowers;
static volatile sig_atomic_t stop_requested;

enum http_phase { HTTP_READING, HTTP_WRITING, HTTP_DRAINING };

struct http_conn {
    int fd;
    enum http_phase phase;
    struct sbuf in, out;
    size_t sent;
    time_t deadline;
};

static struct http_conn https[MAX_HTTP];
static int nhttps;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;
    char dir[sizeof(sa.sun_path)];
    char *slash;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        xlog(XEND_LOG_ERROR, "socket path too long: %s", path);
        return -1;
    }
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; *p; p++) {
            if (*p == '/') {
                *p = '\0';
                mkdir(dir, 0755);
                *p = '/';
            }
        }
        mkdir(dir, 0700);
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    unlink(path);
    /* Only root may connect: the socket is 0600 from its creation on. */
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
        xlog(XEND_LOG_ERROR, "cannot serve on %s: %s", path,
             strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void write_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

static void drop_follower(int k)
{
    close(followers[k].fd);
    followers[k] = followers[--nfollowers];
}

static void console_sink(int domid, const char *buf, size_t n)
{
    for (int k = 0; k < nfollowers; k++)
        if (followers[k].domid == domid)
            write_all(followers[k].fd, buf, n);
}

static bool peer_is_root(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
           cred.uid == 0;
}

static void serve_one(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    struct timeval tv = { .tv_sec = 5 };
    struct sbuf req = SBUF_INIT, reply = SBUF_INIT;
    char buf[4096];
    ssize_t n;
    int follow;

    if (fd < 0)
        return;
    if (!peer_is_root(fd)) {
        xlog(XEND_LOG_WARNING, "refused a connection from a non-root user");
        write_all(fd, XEND_PROTO_ERROR "permission denied\n", 26);
        close(fd);
        return;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        sbuf_put(&req, buf, (size_t)n);
        if (req.len > XEND_PROTO_MAX_REQUEST)
            break;
    }
    if (req.len == 0 || req.len > XEND_PROTO_MAX_REQUEST) {
        close(fd);
        sbuf_free(&req);
        return;
    }
    follow = xend_request(req.buf, req.len, &reply);
    write_all(fd, sbuf_str(&reply), reply.len);
    if (follow >= 0 && nfollowers < MAX_FOLLOWERS) {
        followers[nfollowers++] = (struct follower){ fd, follow };
    } else {
        close(fd);
    }
    sbuf_free(&req);
    sbuf_free(&reply);
}

/* The HTTP listener on xend-address:xend-port ('' is every IPv4
 * address, as classic xend bound it). */
static int http_listen(void)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC,
                              .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    char port[16];
    const char *host = xend_cfg.address[0] ? xend_cfg.address : NULL;
    int fd = -1, rc, one = 1;

    snprintf(port, sizeof(port), "%u", xend_cfg.port);
    if (!host)
        hints.ai_family = AF_INET;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        xlog(XEND_LOG_ERROR, "xend-address '%s': %s", xend_cfg.address,
             gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC |
                    SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 16) < 0) {
            xlog(XEND_LOG_ERROR, "cannot serve HTTP on %s:%u: %s",
                 host ? host : "*", xend_cfg.port, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd >= 0)
        xlog(XEND_LOG_INFO, "serving read-only JSON over HTTP on %s:%u",
             host ? host : "*", xend_cfg.port);
    return fd;
}

static void http_drop(int k)
{
    close(https[k].fd);
    sbuf_free(&https[k].in);
    sbuf_free(&https[k].out);
    https[k] = https[--nhttps];
}

static void http_accept(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0)
        return;
    if (nhttps == MAX_HTTP) {
        xlog(XEND_LOG_WARNING, "HTTP: %d connections already; one refused",
             MAX_HTTP);
        close(fd);
        return;
    }
    https[nhttps++] = (struct http_conn){ .fd = fd, .phase = HTTP_READING,
                                          .deadline = time(NULL) +
                                                      HTTP_TIMEOUT };
}

/* The request is read (or cannot be): the answer is made at once. */
static void http_answer(struct http_conn *c, int head)
{
    struct http_request req = { 0 };
    enum http_route route = HTTP_BAD_REQUEST;
    const char *dom = NULL;
    struct xstat s, *sp = NULL;

    if (head > 0 && http_parse_request(c->in.buf, c->in.len, &req) > 0)
        route = http_route(&req, &dom);
    if (http_route_needs_status(route)) {
        if (xstat_collect(&s) == 0) {
            sp = &s;
        } else {
            xlog(XEND_LOG_ERROR, "HTTP: cannot list domains: %s",
                 strerror(errno));
            route = HTTP_NOT_FOUND;
        }
    }
    int status = http_respond(route, dom, sp, &c->out);
    xlog(XEND_LOG_DEBUG, "HTTP %s %s: %d", head > 0 ? req.method : "-",
         head > 0 ? req.path : "(malformed)", status);
    if (sp)
        xstat_free(sp);
    c->phase = HTTP_WRITING;
    c->sent = 0;
    c->deadline = time(NULL) + HTTP_TIMEOUT;
}

/* Moves connection k on as far as it can go without blocking. */
static void http_step(int k, short revents)
{
    struct http_conn *c = &https[k];
    char buf[2048];
    ssize_t n;

    if (c->phase == HTTP_READING && (revents & (POLLIN | POLLHUP))) {
        n = read(c->fd, buf, sizeof(buf));
        if (n > 0)
            sbuf_put(&c->in, buf, (size_t)n);
        int head = http_parse_request(sbuf_str(&c->in), c->in.len,
                                      &(struct http_request){ 0 });
        if (head != 0 || n == 0)
            http_answer(c, n == 0 && head == 0 ? -1 : head);
        else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            http_drop(k);
            return;
        }
    }
    if (c->phase == HTTP_WRITING) {
        n = write(c->fd, c->out.buf + c->sent, c->out.len - c->sent);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            http_drop(k);
            return;
        }
        if (n > 0)
            c->sent += (size_t)n;
        if (c->sent == c->out.len) {
            /* Close our side, and read until the client closes its own:
             * closing with its bytes unread would reset the connection
             * and could lose the answer. */
            shutdown(c->fd, SHUT_WR);
            c->phase = HTTP_DRAINING;
        }
        return;
    }
    if (c->phase == HTTP_DRAINING && (revents & (POLLIN | POLLHUP))) {
        n = read(c->fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            http_drop(k);
    }
}

static void http_expire(void)
{
    time_t now = time(NULL);

    for (int k = nhttps - 1; k >= 0; k--)
        if (now > https[k].deadline)
            http_drop(k);
}

static void reap_followers(void)
{
    for (int k = nfollowers - 1; k >= 0; k--)
        if (!xdom_by_domid(followers[k].domid))
            drop_follower(k);
}

int xend_serve(void)
{
    struct sigaction sa = { .sa_handler = on_signal };
    int lfd, hfd = -1;

    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (!xend_cfg.unix_server) {
        xlog(XEND_LOG_WARNING, "xend-unix-server is off: xm cannot reach "
             "xend");
    }
    lfd = xend_cfg.unix_server ? listen_on(xend_cfg.unix_path) : -1;
    if (xend_cfg.unix_server && lfd < 0)
        return 1;
    if (xend_cfg.http_server) {
        hfd = http_listen();
        if (hfd < 0)
            xlog(XEND_LOG_WARNING, "continuing without the HTTP server");
    }
    if (xend_cfg.relocation_server)
        xlog(XEND_LOG_WARNING, "the relocation server is not available "
             "yet: migration is not built");
    xdom_rediscover();
    xlog(XEND_LOG_INFO, "xend started, serving %s", xend_cfg.unix_path);
    while (!stop_requested) {
        struct pollfd pfd[2 + MAX_FOLLOWERS + MAX_HTTP];
        int np = 0, ulisten = -1, hlisten = -1, fbase, hbase;

        if (lfd >= 0) {
            ulisten = np;
            pfd[np++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
        }
        if (hfd >= 0 && nhttps < MAX_HTTP) {
            hlisten = np;
            pfd[np++] = (struct pollfd){ .fd = hfd, .events = POLLIN };
        }
        /* No events asked of a console client: it has shut its writing
         * side already, so it is readable at end of file for good; only
         * POLLHUP (it closed) matters, and poll reports that anyway. */
        fbase = np;
        for (int k = 0; k < nfollowers; k++)
            pfd[np++] = (struct pollfd){ .fd = followers[k].fd };
        hbase = np;
        for (int k = 0; k < nhttps; k++)
            pfd[np++] = (struct pollfd){
                .fd = https[k].fd,
                .events = https[k].phase == HTTP_WRITING ? POLLOUT : POLLIN };
        int rc = poll(pfd, (nfds_t)np, TICK_MS);
        if (rc > 0) {
            for (int k = nfollowers - 1; k >= 0; k--)
                if (pfd[fbase + k].revents & (POLLHUP | POLLERR | POLLNVAL))
                    drop_follower(k);
            /* From the last, so that a dropped one (replaced by the last)
             * has been seen already. */
            for (int k = nhttps - 1; k >= 0; k--)
                if (pfd[hbase + k].revents)
                    http_step(k, pfd[hbase + k].revents);
            if (ulisten >= 0 && (pfd[ulisten].revents & POLLIN))
                serve_one(lfd);
            if (hlisten >= 0 && (pfd[hlisten].revents & POLLIN))
                http_accept(hfd);
        }
        http_expire();
        xdom_tick(console_sink);
        reap_followers();
    }
    xlog(XEND_LOG_INFO, "xend stopping");
    while (nfollowers)
        drop_follower(0);
    while (nhttps)
        http_drop(0);
    if (hfd >= 0)
        close(hfd);
    if (lfd >= 0) {
        close(lfd);
        unlink(xend_cfg.unix_path);
    }
    return 0;
}
