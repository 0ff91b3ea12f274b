#define _GNU_SOURCE
/*
 * xend's main loop: the unix socket xm talks to, and a tick every ~100 ms
 * that collects console output and watches the domains. One thread; a
 * request is read whole (with a time limit), answered and closed, except
 * `console`, whose connection stays and is fed as output arrives.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "proto.h"
#include "server.h"
#include "xend.h"
#include "../common/xalloc.h"

#define MAX_FOLLOWERS 32
#define TICK_MS 100

struct follower {
    int fd;
    int domid;
};

static struct follower followers[MAX_FOLLOWERS];
static int nfollowers;
static volatile sig_atomic_t stop_requested;

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

static void reap_followers(void)
{
    for (int k = nfollowers - 1; k >= 0; k--)
        if (!xdom_by_domid(followers[k].domid))
            drop_follower(k);
}

int xend_serve(void)
{
    struct sigaction sa = { .sa_handler = on_signal };
    int lfd;

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
    if (xend_cfg.http_server || xend_cfg.relocation_server)
        xlog(XEND_LOG_WARNING, "the HTTP and relocation servers are not "
             "available yet; only the unix socket is served");
    xdom_rediscover();
    xlog(XEND_LOG_INFO, "xend started, serving %s", xend_cfg.unix_path);
    while (!stop_requested) {
        struct pollfd pfd[1 + MAX_FOLLOWERS];
        int np = 0;

        if (lfd >= 0)
            pfd[np++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
        /* No events asked of a console client: it has shut its writing
         * side already, so it is readable at end of file for good; only
         * POLLHUP (it closed) matters, and poll reports that anyway. */
        for (int k = 0; k < nfollowers; k++)
            pfd[np++] = (struct pollfd){ .fd = followers[k].fd };
        int rc = poll(pfd, (nfds_t)np, TICK_MS);
        if (rc > 0) {
            int base = lfd >= 0 ? 1 : 0;
            for (int k = nfollowers - 1; k >= 0; k--)
                if (pfd[base + k].revents & (POLLHUP | POLLERR | POLLNVAL))
                    drop_follower(k);
            if (lfd >= 0 && (pfd[0].revents & POLLIN))
                serve_one(lfd);
        }
        xdom_tick(console_sink);
        reap_followers();
    }
    xlog(XEND_LOG_INFO, "xend stopping");
    while (nfollowers)
        drop_follower(0);
    if (lfd >= 0) {
        close(lfd);
        unlink(xend_cfg.unix_path);
    }
    return 0;
}
