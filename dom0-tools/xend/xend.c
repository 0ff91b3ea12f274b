/*
 * xend: the mica node control daemon.
 *
 *   xend [-f] [--config FILE]   start (-f: in the foreground); without -f
 *                               it detaches and writes /var/run/xend.pid
 *   xend --check [--show] FILE  validate a configuration, start nothing
 *
 * `service xend start|stop|restart|status` (xend.init) wraps it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "proto.h"
#include "server.h"
#include "xend.h"
#include "../lib/libmica.h"

struct xend_config xend_cfg;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: xend [-f] [--config FILE]\n"
            "       xend --check [--show] [FILE]\n"
            "       xend --help\n"
            "\n"
            "  -f        stay in the foreground (default: detach and write "
            "%s)\n"
            "  --config  read FILE instead of %s\n"
            "  --check   validate FILE (default %s) without starting;\n"
            "            exit 0 when xend could start with it, 1 if not\n"
            "  --show    with --check, also print the effective settings\n",
            XEND_PID_FILE, XEND_CONFIG_PATH, XEND_CONFIG_PATH);
}

/* Detaches from the terminal; the parent leaves once the pid file is
 * written, so `xend && xm list` finds it running. */
static int daemonize(void)
{
    int fds[2];
    char c;
    pid_t pid;

    if (pipe(fds) < 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(fds[1]);
        _exit(read(fds[0], &c, 1) == 1 && c == 'y' ? 0 : 1);
    }
    close(fds[0]);
    setsid();
    pid = fork();
    if (pid < 0)
        _exit(1);
    if (pid > 0)
        _exit(0);
    if (chdir("/") < 0)
        _exit(1);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
    FILE *pf = fopen(XEND_PID_FILE, "w");
    if (pf) {
        fprintf(pf, "%ld\n", (long)getpid());
        fclose(pf);
    }
    /* ioperm() is not inherited across fork(): ask for the port again. */
    bool up = mica_open() == 0;
    if (write(fds[1], up ? "y" : "n", 1) < 0)
        _exit(1);
    close(fds[1]);
    return up ? 0 : -1;
}

int main(int argc, char **argv)
{
    bool check = false, show = false, foreground = false;
    const char *file = NULL;
    struct diag d;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--check") == 0) {
            check = true;
        } else if (strcmp(a, "--show") == 0) {
            show = true;
        } else if (strcmp(a, "-f") == 0) {
            foreground = true;
        } else if (strcmp(a, "--config") == 0 && i + 1 < argc) {
            file = argv[++i];
        } else if (check && a[0] != '-' && !file) {
            file = a;
        } else {
            fprintf(stderr, "xend: unexpected argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (check)
        return xend_check(file ? file : XEND_CONFIG_PATH, show, stdout,
                          stderr);

    xend_config_defaults(&xend_cfg);
    diag_init(&d);
    int rc = xend_config_load(file, &xend_cfg, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    if (rc < 0) {
        fprintf(stderr, "xend: %s has errors; not starting\n",
                file ? file : XEND_CONFIG_PATH);
        return 1;
    }
    if (geteuid() != 0) {
        fprintf(stderr, "xend: must be run as root\n");
        return 1;
    }
    if (mica_open() < 0) {
        fprintf(stderr, "xend: cannot reach mica: %s\n", mica_open_error());
        return 1;
    }
    char *slash = strrchr(xend_cfg.logfile, '/');
    if (slash && slash != xend_cfg.logfile) {
        *slash = '\0';
        mkdir(xend_cfg.logfile, 0755);
        *slash = '/';
    }
    if (xlog_open(xend_cfg.logfile, xend_cfg.loglevel) < 0)
        fprintf(stderr, "xend: cannot open %s: %s; logging to stderr\n",
                xend_cfg.logfile, strerror(errno));
    if (!foreground && daemonize() < 0) {
        xlog(XEND_LOG_ERROR, "cannot start: %s", mica_open_error());
        return 1;
    }
    rc = xend_serve();
    if (!foreground)
        unlink(XEND_PID_FILE);
    xend_config_free(&xend_cfg);
    return rc;
}
