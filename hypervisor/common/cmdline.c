/* Command-line parsing: see mica/cmdline.h. */
#include <mica/cmdline.h>
#include <mica/errno.h>
#include <mica/lib.h>
#include <mica/string.h>

#define WORD_MAX 256

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(v, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(v, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

static const struct param *lookup(const struct param *t, size_t n,
                                  const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name))
            return &t[i];
    return NULL;
}

/* Applies one word; returns false if it deserves a warning, with the reason
 * in *why. */
static bool apply(const struct param *t, size_t n, char *word,
                  const char **why)
{
    char *eq = strchr(word, '=');
    const char *val = NULL;
    const struct param *p;
    bool negate = false;
    const char *end;
    uint64_t num;

    if (eq) {
        *eq = '\0';
        val = eq + 1;
    }
    p = lookup(t, n, word);
    if (!p && !val && !strncmp(word, "no-", 3)) {
        p = lookup(t, n, word + 3);
        if (p && p->type != PARAM_BOOL)
            p = NULL;
        negate = p != NULL;
    }
    if (!p) {
        *why = "unknown option";
        return false;
    }

    switch (p->type) {
    case PARAM_BOOL: {
        bool b = !negate;

        if (val && !parse_bool(val, &b)) {
            *why = "expected yes/no, on/off, true/false or 1/0";
            return false;
        }
        *(bool *)p->var = b;
        return true;
    }
    case PARAM_UINT:
        if (!val || !parse_u64(val, &end, &num) || *end || num > 0xFFFFFFFFu) {
            *why = "expected an unsigned integer";
            return false;
        }
        *(unsigned int *)p->var = (unsigned int)num;
        return true;
    case PARAM_SIZE:
        if (!val || !parse_size(val, &end, &num) || *end) {
            *why = "expected a size such as 512M or 2G";
            return false;
        }
        *(uint64_t *)p->var = num;
        return true;
    case PARAM_STRING:
        if (!val) {
            *why = "expected a value";
            return false;
        }
        if (strlen(val) >= p->size) {
            *why = "value too long";
            return false;
        }
        strlcpy(p->var, val, p->size);
        return true;
    case PARAM_CUSTOM:
        if (p->fn(val ? val : "") < 0) {
            *why = "bad value";
            return false;
        }
        return true;
    }
    *why = "bad parameter table";
    return false;
}

int cmdline_parse(const char *cmdline, const struct param *table, size_t n,
                  cmdline_warn_fn warn)
{
    char word[WORD_MAX], shown[WORD_MAX];
    int warnings = 0;
    const char *s = cmdline;

    while (s && *s) {
        size_t len = 0;
        const char *why = NULL;

        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        while (s[len] && s[len] != ' ' && s[len] != '\t')
            len++;
        if (len >= sizeof(word)) {
            warn("command line: option '%.32s...' is too long, ignored\n", s);
            warnings++;
            s += len;
            continue;
        }
        memcpy(word, s, len);
        word[len] = '\0';
        memcpy(shown, s, len);
        shown[len] = '\0';
        s += len;
        if (!apply(table, n, word, &why)) {
            warn("command line: %s '%s', ignored\n", why, shown);
            warnings++;
        }
    }
    return warnings;
}

const char *cmdline_skip_image(const char *cmdline)
{
    const char *s = cmdline;

    size_t len = 0;
    bool path = false;

    while (*s == ' ')
        s++;
    for (; s[len] && s[len] != ' '; len++) {
        if (s[len] == '=')
            return s;           /* an option, not a path */
        if (s[len] == '/' || s[len] == '(')
            path = true;
    }
    if (!path)
        return s;
    s += len;
    while (*s == ' ')
        s++;
    return s;
}

bool cmdline_get(const char *args, const char *key, char *buf, size_t size)
{
    size_t klen = strlen(key);
    const char *s = args;

    while (s && *s) {
        size_t len = 0;

        while (*s == ' ')
            s++;
        while (s[len] && s[len] != ' ')
            len++;
        if (len >= klen && !strncmp(s, key, klen) &&
            (len == klen || s[klen] == '=')) {
            const char *v = len == klen ? s + len : s + klen + 1;
            size_t vlen = len == klen ? 0 : len - klen - 1;

            if (size) {
                if (vlen >= size)
                    vlen = size - 1;
                memcpy(buf, v, vlen);
                buf[vlen] = '\0';
            }
            return true;
        }
        s += len;
    }
    return false;
}
