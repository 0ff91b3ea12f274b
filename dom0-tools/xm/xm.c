/*
 * xm: the mica command-line client.
 *
 * Arguments are checked and configurations read here, before xend is
 * asked for anything: `xm create -n CONFIG` only prints the normalised
 * SXP. Everything else is a request to xend (client.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "domcfg.h"
#include "../common/diag.h"
#include "../common/sbuf.h"

#define XEN_CONFIG_DIR "/etc/xen"

/*
 * xm looked a configuration up as given and then in /etc/xen, so
 * `xm create web1` finds /etc/xen/web1. Returns the path to use, in buf
 * when it is the /etc/xen one.
 */
static const char *find_config(const char *name, char *buf, size_t len)
{
    if (access(name, F_OK) == 0 || strchr(name, '/'))
        return name;
    snprintf(buf, len, "%s/%s", XEN_CONFIG_DIR, name);
    return access(buf, F_OK) == 0 ? buf : name;
}

static int load_config(const struct xm_args *a, struct domcfg *cfg)
{
    char buf[4096];
    const char *path = find_config(a->file, buf, sizeof(buf));
    struct diag d;

    if (access(path, R_OK) != 0) {
        domcfg_init(cfg);
        fprintf(stderr, "Error: cannot read configuration file %s: %s\n",
                path, strerror(errno));
        return -1;
    }
    diag_init(&d);
    int rc = domcfg_load(path, a->vars, a->nvars, cfg, &d);
    diag_print(&d, stderr);
    if (rc < 0)
        fprintf(stderr, "Error: %s: %zu error%s in the domain "
                "configuration\n", path, d.errors, d.errors == 1 ? "" : "s");
    diag_free(&d);
    return rc;
}

static int do_create(const struct xm_args *a)
{
    struct domcfg cfg;

    if (load_config(a, &cfg) < 0) {
        domcfg_free(&cfg);
        return 1;
    }
    if (a->dry_run) {
        char *s = domcfg_to_sxp(&cfg);
        /* xm printed this line too; it goes to stderr here so that stdout
         * is pure SXP, which can be saved and created from again. */
        fprintf(stderr, "Using config file \"%s\".\n", a->file);
        printf("%s\n", s);
        free(s);
        domcfg_free(&cfg);
        return 0;
    }
    char *sxp = domcfg_to_sxp(&cfg);
    int status = a->cmd == XM_NEW ? xm_new(sxp) : xm_create(a, cfg.name, sxp);
    free(sxp);
    domcfg_free(&cfg);
    return status;
}

int main(int argc, char **argv)
{
    struct xm_args a;
    struct sbuf out = SBUF_INIT;
    int status = 0;

    if (xm_parse_args(argc, argv, &a, &out) < 0) {
        fputs(sbuf_str(&out), stderr);
        sbuf_free(&out);
        xm_args_free(&a);
        return 1;
    }

    switch (a.cmd) {
    case XM_HELP:
        if (a.topic)
            xm_command_help(&out, (enum xm_cmd)xm_lookup_command(a.topic));
        else
            xm_overview_help(&out);
        fputs(sbuf_str(&out), stdout);
        break;
    case XM_CREATE:
    case XM_NEW:
        status = do_create(&a);
        break;
    default:
        status = xm_run(&a);
    }
    sbuf_free(&out);
    xm_args_free(&a);
    return status;
}
