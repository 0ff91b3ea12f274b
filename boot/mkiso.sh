#!/bin/bash
# Makes a GRUB ISO (BIOS and UEFI) that boots mica with boot modules.
# Usage: mkiso.sh OUT.iso "MICA ARGS" [FILE[:ARGS] ...]
#   Each FILE is copied to /boot/ and loaded with module2, with ARGS (use
#   '|' where the module line needs spaces are fine too: ARGS is one word
#   list; '--' separates mica's options from the guest's).
set -euo pipefail
out=$1; shift
args=$1; shift
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$top/build/mica.elf" "$dir/boot/mica.elf"
{
    echo "set timeout=0"
    echo "set default=0"
    echo "serial --unit=0 --speed=115200"
    echo "terminal_input serial console"
    echo "terminal_output serial console"
    echo "menuentry \"mica\" {"
    echo "    multiboot2 /boot/mica.elf $args"
    for m in "$@"; do
        file=${m%%:*}
        margs=""
        [ "$file" != "$m" ] && margs=${m#*:}
        base=$(basename "$file")
        [ -f "$dir/boot/$base" ] || cp "$file" "$dir/boot/$base"
        echo "    module2 /boot/$base $margs"
    done
    echo "}"
} > "$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$dir" >/dev/null 2>&1 || {
    echo "mkiso: grub-mkrescue failed (are grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools installed?)" >&2
    exit 1
}
