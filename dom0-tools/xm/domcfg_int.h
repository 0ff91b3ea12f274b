/* Internal to the domain-configuration reader. */
#ifndef MICA_DOMCFG_INT_H
#define MICA_DOMCFG_INT_H

#include <stddef.h>

#include "../common/diag.h"
#include "../sxp/sxp.h"

/*
 * Reads the classic "key = value" form into a document of (key value)
 * pairs, exactly what the SXP form's (vm ...) holds, with the positions of
 * the original tokens. Strings become SXP strings, integers numbers, lists
 * and tuples lists, True and False 1 and 0; a key set to None is left out,
 * since xm read None as "not given". Returns NULL after the first syntax
 * error.
 */
struct sxp_node *domcfg_classic_parse(const char *text, size_t len,
                                      const char *file, struct diag *d);

/* True when the text's first significant character is '(' (SXP form). */
int domcfg_looks_like_sxp(const char *text, size_t len);

#endif
