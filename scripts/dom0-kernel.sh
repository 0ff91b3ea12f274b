#!/bin/sh
# Fetches Debian's kernel for dom0 and leaves it at build/dom0/vmlinuz.
#
# The package linux-image-$DOM0_KVER (default in boot/dom0/defaults.sh) is
# downloaded once with `apt-get download` into build/dom0/debs/; only its
# boot/ files are unpacked, into build/dom0/kernel/.  Nothing is installed
# on the host, and build/ is not committed.
# Environment: DOM0_KVER overrides the kernel version.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/boot/dom0/defaults.sh"
out=$top/build/dom0
pkg=linux-image-$DOM0_KVER
mkdir -p "$out/debs" "$out/kernel"

deb=$(ls "$out/debs/${pkg}"_*.deb 2>/dev/null | tail -n 1 || true)
if [ -z "$deb" ]; then
    printf '  %-7s %s\n' APT "$pkg"
    # apt drops root to the _apt user while downloading, and _apt may not
    # be able to write into the build tree; the file is ours anyway.
    sandbox=""
    [ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
    # shellcheck disable=SC2086
    if ! (cd "$out/debs" && apt-get download -q=2 $sandbox "$pkg"); then
        echo "dom0-kernel: cannot download $pkg." >&2
        echo "dom0-kernel: try 'apt-get update', or pick a version that" \
             "'apt-cache search linux-image-6.1' lists: make dom0 DOM0_KVER=..." >&2
        exit 1
    fi
    deb=$(ls "$out/debs/${pkg}"_*.deb | tail -n 1)
fi

img=$out/kernel/boot/vmlinuz-$DOM0_KVER
if [ ! -f "$img" ] || [ "$deb" -nt "$img" ]; then
    printf '  %-7s %s\n' UNPACK "$(basename "$deb")"
    # The package holds ~400 MB of modules dom0 does not load; unpack
    # only the kernel image and its config.
    dpkg-deb --fsys-tarfile "$deb" |
        tar -x -C "$out/kernel" "./boot/vmlinuz-$DOM0_KVER" "./boot/config-$DOM0_KVER"
    touch "$img"
fi

if ! cmp -s "$img" "$out/vmlinuz"; then
    printf '  %-7s %s\n' KERNEL "build/dom0/vmlinuz ($DOM0_KVER)"
    cp "$img" "$out/vmlinuz"
fi
echo "$DOM0_KVER" > "$out/vmlinuz.version.tmp"
cmp -s "$out/vmlinuz.version.tmp" "$out/vmlinuz.version" 2>/dev/null &&
    rm -f "$out/vmlinuz.version.tmp" ||
    mv "$out/vmlinuz.version.tmp" "$out/vmlinuz.version"
