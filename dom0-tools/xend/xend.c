/*
 * xend: the mica node control daemon.
 *
 * PLACEHOLDER: only the configuration checker is here so far. Serving xm,
 * the domain builder, console buffering and the rest of issue 5 come with
 * libmica; until then every other invocation says so and fails, rather
 * than pretending to have started.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: xend --check [--show] [FILE]\n"
            "       xend --help\n"
            "\n"
            "  --check   validate FILE (default %s) without starting;\n"
            "            exit 0 when xend could start with it, 1 if not\n"
            "  --show    with --check, also print the effective settings\n",
            XEND_CONFIG_PATH);
}

int main(int argc, char **argv)
{
    bool check = false, show = false;
    const char *file = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--check") == 0) {
            check = true;
        } else if (strcmp(a, "--show") == 0) {
            show = true;
        } else if (check && a[0] != '-' && !file) {
            file = a;
        } else if (check) {
            fprintf(stderr, "xend: unexpected argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (check)
        return xend_check(file ? file : XEND_CONFIG_PATH, show, stdout,
                          stderr);
    /* PLACEHOLDER until the daemon itself is written. */
    fprintf(stderr, "xend: not yet implemented\n");
    return 1;
}
