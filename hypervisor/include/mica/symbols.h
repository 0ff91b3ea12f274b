/* Symbol names for backtraces.  The build links mica twice: the second link
 * adds a table of the first link's function symbols (tools/gensyms.sh),
 * placed after .text so no function moves. */
#ifndef MICA_SYMBOLS_H
#define MICA_SYMBOLS_H

#include <mica/types.h>

bool symbols_lookup(uint64_t addr, const char **name, uint64_t *offset);

#endif
