#!/bin/sh
# Writes an assembly table of the function symbols of the ELF file $1
# (sorted by address) for common/symbols.c.
set -e
nm -n "$1" | awk 'BEGIN { n = 0 }

NF == 3 && $2 ~ /^[tT]$/ { addr[n] = $1; name[n] = $3; n++ }
END {
    print "\t.section .rodata.syms, \"a\""
    print "\t.balign 8"
    print "\t.globl sym_count, sym_addrs, sym_offsets, sym_names"
    print "sym_count:\t.quad " n
    print "sym_addrs:"
    for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
    print "sym_offsets:"
    off = 0
    for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
    print "sym_names:"
    for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
}'
