/*
 * The xm commands: names, operands, options and help text.
 *
 * The argument strings and descriptions follow classic xm's SUBCOMMAND_HELP
 * so that the help reads the way it did; options that mica adds (list
 * --json) are marked as mica's in their description.
 */
#include <string.h>

#include "cli_int.h"

const struct xm_cmd_spec xm_cmd_specs[XM_NCMDS] = {
    [XM_HELP] = { "help", "[Command]", "Display this message, or the help "
        "for one command.", { { 0 } }, 0, 1 },
    [XM_CREATE] = { "create", "<ConfigFile> [options] [vars]",
        "Create a domain based on <ConfigFile>.", {
            { 'c', "console_autoconnect", false, NULL,
              "Connect to the console after the domain is created" },
            { 'n', "dryrun", false, NULL,
              "Print the configuration as SXP and do not create the domain" },
            { 'p', "paused", false, NULL, "Leave the domain paused after "
              "it is created" },
        }, 1, MANY },
    [XM_LIST] = { "list", "[options] [Domain, ...]",
        "List information about all/some domains.", {
            { 'l', "long", false, NULL, "Output all VM details in SXP" },
            { 'J', "json", false, NULL, "Output as JSON (mica)", true },
        }, 0, MANY },
    [XM_DESTROY] = { "destroy", "<Domain>",
        "Terminate a domain immediately.", { { 0 } }, 1, 1 },
    [XM_SHUTDOWN] = { "shutdown", "<Domain> [-wa]", "Shutdown a domain.", {
            { 'w', "wait", false, NULL, "Wait for the domain to shut down" },
            { 'a', "all", false, NULL, "Shut down all domains" },
        }, 0, 1 },
    [XM_REBOOT] = { "reboot", "<Domain> [-w]", "Reboot a domain.", {
            { 'w', "wait", false, NULL, "Wait for the domain to reboot" },
        }, 1, 1 },
    [XM_PAUSE] = { "pause", "<Domain>", "Pause execution of a domain.",
        { { 0 } }, 1, 1 },
    [XM_UNPAUSE] = { "unpause", "<Domain>", "Unpause a paused domain.",
        { { 0 } }, 1, 1 },
    [XM_CONSOLE] = { "console", "[-q|--quiet] <Domain>",
        "Attach to <Domain>'s console.", {
            { 'q', "quiet", false, NULL, "Do not print an error message if "
              "the domain does not exist" },
        }, 1, 1 },
    [XM_INFO] = { "info", "", "Get information about Xen host.",
        { { 0 } }, 0, 0 },
    [XM_DMESG] = { "dmesg", "[-c|--clear]",
        "Read and/or clear Xend's message buffer.", {
            { 'c', "clear", false, NULL,
              "Clear dmesg buffer as well as printing it" },
        }, 0, 0 },
    [XM_LOG] = { "log", "", "Print Xend log", { { 0 } }, 0, 0 },
    [XM_MEM_SET] = { "mem-set", "<Domain> <Mem>",
        "Set the current memory usage for a domain.", { { 0 } }, 2, 2 },
    [XM_MEM_MAX] = { "mem-max", "<Domain> <Mem>",
        "Set the maximum amount reservation for a domain.", { { 0 } }, 2, 2 },
    [XM_VCPU_SET] = { "vcpu-set", "<Domain> <vCPUs>",
        "Set the number of active VCPUs for allowed for the domain.",
        { { 0 } }, 2, 2 },
    [XM_VCPU_PIN] = { "vcpu-pin", "<Domain> <VCPU|all> <CPUs|all>",
        "Set which CPUs a VCPU can use.", { { 0 } }, 3, 3 },
    [XM_VCPU_LIST] = { "vcpu-list", "[Domain, ...]",
        "List the VCPUs for all/some domains.", { { 0 } }, 0, MANY },
    [XM_UPTIME] = { "uptime", "[-s] [Domain, ...]",
        "Print uptime for all/some domains.", {
            { 's', "short", false, NULL, "Print in the style of uptime(1)" },
        }, 0, MANY },
    [XM_DOMID] = { "domid", "<DomainName>",
        "Convert a domain name to domain id.", { { 0 } }, 1, 1 },
    [XM_DOMNAME] = { "domname", "<DomId>",
        "Convert a domain id to domain name.", { { 0 } }, 1, 1 },
    [XM_RENAME] = { "rename", "<Domain> <NewDomainName>", "Rename a domain.",
        { { 0 } }, 2, 2 },
    [XM_TOP] = { "top", "[-b] [-i N] [-d SECS]",
        "Monitor a host and the domains in real time.", {
            { 'b', "batch", false, NULL, "Print plain text, for scripts" },
            { 'i', "iterations", true, "N", "Stop after N updates" },
            { 'd', "delay", true, "SECS", "Seconds between updates" },
        }, 0, 0 },
    [XM_SCHED_CREDIT] = { "sched-credit", "[-d <Domain> [-w[=WEIGHT]|"
        "-c[=CAP]]]", "Get/set credit scheduler parameters.", {
            { 'd', "domain", true, "DOMAIN", "Domain to modify" },
            { 'w', "weight", true, "WEIGHT", "Weight (int)" },
            { 'c', "cap", true, "CAP", "Cap (int)" },
        }, 0, 0 },
    [XM_NEW] = { "new", "<ConfigFile> [options] [vars]",
        "Adds a domain to Xend domain management", { { 0 } }, 1, MANY },
    [XM_START] = { "start", "<DomainName>", "Start a Xend managed domain", {
            { 'p', "paused", false, NULL,
              "Do not unpause domain after starting it" },
            { 'c', "console_autoconnect", false, NULL,
              "Connect to the console after the domain is created" },
        }, 1, 1 },
    [XM_DELETE] = { "delete", "<DomainName>",
        "Remove a domain from Xend domain management.", { { 0 } }, 1, 1 },
    [XM_SAVE] = { "save", "<Domain> <CheckpointFile>",
        "Save a domain state to restore later.", { { 0 } }, 2, 2 },
    [XM_RESTORE] = { "restore", "<CheckpointFile> [-p]",
        "Restore a domain from a saved state.", {
            { 'p', "paused", false, NULL,
              "Do not unpause domain after restoring it" },
        }, 1, 1 },
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
