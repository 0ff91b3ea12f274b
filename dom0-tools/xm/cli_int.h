/* Internal to xm's command-line parser: the table of commands. */
#ifndef MICA_XM_CLI_INT_H
#define MICA_XM_CLI_INT_H

#include <stdbool.h>

#include "cli.h"

struct xm_opt {
    char letter;            /* The short form, or a private code for a
                             * long-only option. */
    const char *lname;      /* The long form without "--", or NULL. */
    bool has_arg;
    const char *arg_name;   /* For help: "N" in "-i N". */
    const char *help;
    bool long_only;         /* No short form: letter is only a code. */
};

#define XM_MAX_OPTS 6
/* A max_pos of MANY takes any number of operands. */
#define MANY (-1)

struct xm_cmd_spec {
    const char *name;
    const char *args;       /* As xm's help showed them. */
    const char *desc;
    struct xm_opt opts[XM_MAX_OPTS];
    int min_pos, max_pos;
};

extern const struct xm_cmd_spec xm_cmd_specs[XM_NCMDS];

#endif
