/*
 * The xm commands: names, operands, options and help text.
 *
 * The argument strings and descriptions follow classic xm's SUBCOMMAND_HELP
 * so that the help reads the way it did; options that mica adds (list
 * --json) are marked as mica's in their description.
 */
#include <string.h>

#include "cli_int.h"

/* An option with a short and a long form; arg names its value, if any. */
#define OPT(l, ln, arg, h) \
    { .letter = (l), .lname = (ln), .has_arg = (arg) != NULL, \
      .arg_name = (arg), .help = (h) }
/* A long-only option; code stands for it inside the parser. */
#define LONG_OPT(code, ln, h) \
    { .letter = (code), .lname = (ln), .help = (h), .long_only = true }

#define CMD(id, n, a, d, lo, hi, ...) \
    [id] = { .name = (n), .args = (a), .desc = (d), .min_pos = (lo), \
             .max_pos = (hi), .opts = { __VA_ARGS__ } }

const struct xm_cmd_spec xm_cmd_specs[XM_NCMDS] = {
    CMD(XM_HELP, "help", "[Command]",
        "Display this message, or the help for one command.", 0, 1),
    CMD(XM_CREATE, "create", "<ConfigFile> [options] [vars]",
        "Create a domain based on <ConfigFile>.", 1, MANY,
        OPT('c', "console_autoconnect", NULL,
            "Connect to the console after the domain is created"),
        OPT('n', "dryrun", NULL,
            "Print the configuration as SXP and do not create the domain"),
        OPT('p', "paused", NULL,
            "Leave the domain paused after it is created")),
    CMD(XM_LIST, "list", "[options] [Domain, ...]",
        "List information about all/some domains.", 0, MANY,
        OPT('l', "long", NULL, "Output all VM details in SXP"),
        LONG_OPT('J', "json", "Output as JSON (mica)")),
    CMD(XM_DESTROY, "destroy", "<Domain>",
        "Terminate a domain immediately.", 1, 1),
    CMD(XM_SHUTDOWN, "shutdown", "<Domain> [-wa]", "Shutdown a domain.",
        0, 1,
        OPT('w', "wait", NULL, "Wait for the domain to shut down"),
        OPT('a', "all", NULL, "Shut down all domains")),
    CMD(XM_REBOOT, "reboot", "<Domain> [-w]", "Reboot a domain.", 1, 1,
        OPT('w', "wait", NULL, "Wait for the domain to reboot")),
    CMD(XM_PAUSE, "pause", "<Domain>", "Pause execution of a domain.", 1, 1),
    CMD(XM_UNPAUSE, "unpause", "<Domain>", "Unpause a paused domain.", 1, 1),
    CMD(XM_CONSOLE, "console", "[-q|--quiet] <Domain>",
        "Attach to <Domain>'s console.", 1, 1,
        OPT('q', "quiet", NULL,
            "Do not print an error message if the domain does not exist")),
    CMD(XM_INFO, "info", "", "Get information about Xen host.", 0, 0),
    CMD(XM_DMESG, "dmesg", "[-c|--clear]",
        "Read and/or clear Xend's message buffer.", 0, 0,
        OPT('c', "clear", NULL, "Clear dmesg buffer as well as printing it")),
    CMD(XM_LOG, "log", "", "Print Xend log", 0, 0),
    CMD(XM_MEM_SET, "mem-set", "<Domain> <Mem>",
        "Set the current memory usage for a domain.", 2, 2),
    CMD(XM_MEM_MAX, "mem-max", "<Domain> <Mem>",
        "Set the maximum amount reservation for a domain.", 2, 2),
    CMD(XM_VCPU_SET, "vcpu-set", "<Domain> <vCPUs>",
        "Set the number of active VCPUs for allowed for the domain.", 2, 2),
    CMD(XM_VCPU_PIN, "vcpu-pin", "<Domain> <VCPU|all> <CPUs|all>",
        "Set which CPUs a VCPU can use.", 3, 3),
    CMD(XM_VCPU_LIST, "vcpu-list", "[Domain, ...]",
        "List the VCPUs for all/some domains.", 0, MANY),
    CMD(XM_UPTIME, "uptime", "[-s] [Domain, ...]",
        "Print uptime for all/some domains.", 0, MANY,
        OPT('s', "short", NULL, "Print in the style of uptime(1)")),
    CMD(XM_DOMID, "domid", "<DomainName>",
        "Convert a domain name to domain id.", 1, 1),
    CMD(XM_DOMNAME, "domname", "<DomId>",
        "Convert a domain id to domain name.", 1, 1),
    CMD(XM_RENAME, "rename", "<Domain> <NewDomainName>", "Rename a domain.",
        2, 2),
    CMD(XM_TOP, "top", "[-b] [-i N] [-d SECS]",
        "Monitor a host and the domains in real time.", 0, 0,
        OPT('b', "batch", NULL, "Print plain text, for scripts"),
        OPT('i', "iterations", "N", "Stop after N updates"),
        OPT('d', "delay", "SECS", "Seconds between updates")),
    CMD(XM_SCHED_CREDIT, "sched-credit",
        "[-d <Domain> [-w[=WEIGHT]|-c[=CAP]]]",
        "Get/set credit scheduler parameters.", 0, 0,
        OPT('d', "domain", "DOMAIN", "Domain to modify"),
        OPT('w', "weight", "WEIGHT", "Weight (int)"),
        OPT('c', "cap", "CAP", "Cap (int)")),
    CMD(XM_NEW, "new", "<ConfigFile> [options] [vars]",
        "Adds a domain to Xend domain management", 1, MANY),
    CMD(XM_START, "start", "<DomainName>", "Start a Xend managed domain",
        1, 1,
        OPT('p', "paused", NULL, "Do not unpause domain after starting it"),
        OPT('c', "console_autoconnect", NULL,
            "Connect to the console after the domain is created")),
    CMD(XM_DELETE, "delete", "<DomainName>",
        "Remove a domain from Xend domain management.", 1, 1),
    CMD(XM_SAVE, "save", "<Domain> <CheckpointFile>",
        "Save a domain state to restore later.", 2, 2),
    CMD(XM_RESTORE, "restore", "<CheckpointFile> [-p]",
        "Restore a domain from a saved state.", 1, 1,
        OPT('p', "paused", NULL, "Do not unpause domain after restoring it")),
};

/* Older names xm kept working. */
static const struct { const char *alias; enum xm_cmd cmd; } aliases[] = {
    { "balloon", XM_MEM_SET },
    { "set-vcpus", XM_VCPU_SET },
};

const char *xm_command_name(enum xm_cmd cmd)
{
    return cmd < XM_NCMDS ? xm_cmd_specs[cmd].name : "?";
}

int xm_lookup_command(const char *name)
{
    size_t n = strlen(name);
    int found = -1;

    for (int i = 0; i < XM_NCMDS; i++)
        if (strcmp(xm_cmd_specs[i].name, name) == 0)
            return i;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(aliases[i].alias, name) == 0)
            return (int)aliases[i].cmd;
    /* xm accepted any unambiguous prefix, as getopt does for long
     * options: "xm li" is list, "xm vcpu" is nothing. */
    if (n < 2)
        return -1;
    for (int i = 0; i < XM_NCMDS; i++) {
        if (strncmp(xm_cmd_specs[i].name, name, n) == 0) {
            if (found >= 0)
                return -1;
            found = i;
        }
    }
    return found;
}

void xm_usage_line(struct sbuf *sb, enum xm_cmd cmd)
{
    const struct xm_cmd_spec *s = &xm_cmd_specs[cmd];

    sbuf_printf(sb, "Usage: xm %s%s%s\n", s->name, s->args[0] ? " " : "",
                s->args);
}

void xm_command_help(struct sbuf *sb, enum xm_cmd cmd)
{
    const struct xm_cmd_spec *s = &xm_cmd_specs[cmd];

    xm_usage_line(sb, cmd);
    sbuf_printf(sb, "\n%s\n", s->desc);
    if (!s->opts[0].help)
        return;
    sbuf_putc(sb, '\n');
    for (int i = 0; i < XM_MAX_OPTS && s->opts[i].help; i++) {
        const struct xm_opt *o = &s->opts[i];
        struct sbuf left = SBUF_INIT;
        bool has_short = !o->long_only;
        if (has_short)
            sbuf_printf(&left, "-%c", o->letter);
        if (o->lname)
            sbuf_printf(&left, "%s--%s", has_short ? ", " : "", o->lname);
        if (o->has_arg)
            sbuf_printf(&left, "=%s", o->arg_name);
        sbuf_printf(sb, "  %-30s %s\n", sbuf_str(&left), o->help);
        sbuf_free(&left);
    }
}

void xm_overview_help(struct sbuf *sb)
{
    sbuf_puts(sb, "Usage: xm <subcommand> [args]\n\n"
                  "Control, list, and manipulate mica guest instances.\n\n"
                  "xm full list of subcommands:\n\n");
    for (int i = 0; i < XM_NCMDS; i++)
        sbuf_printf(sb, " %-20s %s\n", xm_cmd_specs[i].name,
                    xm_cmd_specs[i].desc);
    sbuf_puts(sb, "\n<Domain> can either be the Domain Name or Id.\n"
                  "For more help on 'xm' see the xm(1) man page.\n");
}
