#!/bin/sh
# Installs the Debian packages mica's build and tests need, if any are
# missing.  As root it runs apt-get; otherwise it prints the command.
set -e
PKGS="gcc make binutils qemu-system-x86 bochs bochsbios vgabios \
grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf \
musl-tools check pkg-config busybox-static"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "deps: run as root:  apt-get install -y$missing"
    exit 1
fi
echo "deps: installing them with apt-get (this happens once)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
