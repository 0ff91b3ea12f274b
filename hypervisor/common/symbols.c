/* Symbol lookup: see mica/symbols.h.  The table is absent (weak, NULL) in the
 * first link. */
#include <mica/symbols.h>

extern const uint64_t sym_count __attribute__((weak));
extern const uint64_t sym_addrs[] __attribute__((weak));
extern const uint32_t sym_offsets[] __attribute__((weak));
extern const char sym_names[] __attribute__((weak));

bool symbols_lookup(uint64_t addr, const char **name, uint64_t *offset)
{
    uint64_t lo = 0, hi;

    if (!&sym_count || !sym_count || addr < sym_addrs[0])
        return false;
    hi = sym_count;
    /* The last symbol whose address is <= addr. */
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;

        if (sym_addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *name = sym_names + sym_offsets[lo];
    *offset = addr - sym_addrs[lo];
    return true;
}
