#!/bin/sh
# Makes a GRUB ISO (BIOS and UEFI) that boots mica with Linux as dom0.
# Usage: mkiso-dom0.sh OUT.iso "MICA ARGS" VMLINUZ "KERNEL ARGS" INITRD \
#                      [FILE[:ARGS] ...]
# The entry is
#     multiboot2 /boot/mica.elf MICA ARGS
#     module2    /boot/vmlinuz KERNEL ARGS
#     module2    --nounzip /boot/initrd.gz
#     module2    /boot/FILE ARGS            (each further module, in order)
# with the serial console on.  INITRD may be "" for none.  MICA_ELF names
# the hypervisor (default build/mica.elf).
set -eu
[ $# -ge 5 ] || { sed -n '3,4s/^# //p' "$0" >&2; exit 2; }
out=$1 mica_args=$2 kernel=$3 kernel_args=$4 initrd=$5
shift 5
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/boot/dom0/iso-lib.sh"
mica=${MICA_ELF:-$top/build/mica.elf}
for f in "$mica" "$kernel" ${initrd:+"$initrd"}; do
    [ -f "$f" ] || { echo "mkiso-dom0: no $f (run make, make dom0)" >&2; exit 1; }
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$mica" "$dir/boot/mica.elf"
cp "$kernel" "$dir/boot/vmlinuz"
[ -z "$initrd" ] || cp "$initrd" "$dir/boot/initrd.gz"
{
    iso_grub_header
    echo 'menuentry "mica with Linux as dom0" $menuentry_id_option mica-dom0 {'
    echo '    insmod multiboot2'
    echo '    echo "Loading mica ..."'
    echo "    multiboot2 /boot/mica.elf $mica_args"
    echo '    echo "Loading Linux ..."'
    echo "    module2 /boot/vmlinuz $kernel_args"
    if [ -n "$initrd" ]; then
        echo '    echo "Loading initial ramdisk ..."'
        # GRUB would otherwise gunzip the initramfs on the way; Linux does
        # that itself, and the module stays a quarter of the size.
        echo "    module2 --nounzip /boot/initrd.gz"
    fi
    for m in "$@"; do
        file=${m%%:*}
        margs=""
        [ "$file" = "$m" ] || margs=${m#*:}
        base=$(basename "$file")
        case $base in mica.elf|vmlinuz|initrd.gz)
            echo "mkiso-dom0: $file: that name is taken on the ISO" >&2; exit 1 ;;
        esac
        [ -f "$dir/boot/$base" ] || cp "$file" "$dir/boot/$base"
        echo "    module2 /boot/$base $margs"
    done
    echo "}"
} > "$dir/boot/grub/grub.cfg"
iso_make "$dir" "$out"
