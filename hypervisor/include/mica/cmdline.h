/* The hypervisor's command line: "key=value" and "key" words separated by
 * spaces, matched against a table of parameters.  The parser knows nothing
 * of where the table lives, so host unit tests drive it with their own. */
#ifndef MICA_CMDLINE_H
#define MICA_CMDLINE_H

#include <mica/types.h>

enum param_type {
    PARAM_BOOL,     /* "key", "no-key", key=yes|no|on|off|true|false|1|0 */
    PARAM_UINT,     /* unsigned integer, stored into an unsigned int */
    PARAM_SIZE,     /* integer with optional K/M/G/T suffix, into uint64_t */
    PARAM_STRING,   /* copied into a char array of `size` bytes */
    PARAM_CUSTOM,   /* handed to fn(); it returns 0 or a negative errno */
};

struct param {
    const char *name;
    enum param_type type;
    void *var;
    size_t size;
    int (*fn)(const char *value);
};

typedef void (*cmdline_warn_fn)(const char *fmt, ...) __printf(1, 2);

/* Applies every word of `cmdline` to the table; warns about unknown options
 * and bad values and goes on.  Returns the number of warnings given. */
int cmdline_parse(const char *cmdline, const struct param *table, size_t n,
                  cmdline_warn_fn warn);

/* Skips a leading image path ("/boot/mica.elf", "(hd0)/x") that some boot
 * loaders put in front of the arguments. */
const char *cmdline_skip_image(const char *cmdline);

/* Finds "key=value" (or a bare "key") in an argument string such as a boot
 * module's; copies the value into buf.  Returns false if the key is absent. */
bool cmdline_get(const char *args, const char *key, char *buf, size_t size);

#ifdef __MICA__
/* Parameters of the hypervisor live in one linker section. */
#define __PARAM_CAT2(a, b) a##b
#define __PARAM_CAT(a, b) __PARAM_CAT2(a, b)
#define __PARAM(_name, _type, _var, _size, _fn)                              \
    static const struct param __PARAM_CAT(__param_, __LINE__)              \
    __attribute__((used, section(".data.params"), aligned(8))) =           \
        { _name, _type, _var, _size, _fn }
#define param_bool(name, var)   __PARAM(name, PARAM_BOOL, &(var), sizeof(var), NULL)
#define param_uint(name, var)   __PARAM(name, PARAM_UINT, &(var), sizeof(var), NULL)
#define param_size(name, var)   __PARAM(name, PARAM_SIZE, &(var), sizeof(var), NULL)
#define param_string(name, var) __PARAM(name, PARAM_STRING, (var), sizeof(var), NULL)
#define param_custom(name, fn)  __PARAM(name, PARAM_CUSTOM, NULL, 0, fn)
#endif

#endif
