#!/bin/sh
# `make install`: puts mica on this machine (or under $DESTDIR) beside the
# installed Debian system, which then boots as dom0 from a "with mica" GRUB
# entry.  It installs
#   /boot/mica.elf                     the hypervisor
#   /etc/grub.d/20_linux_mica          the GRUB menu generator
#   /etc/default/grub.d/mica.cfg       its settings (kept if present)
#   $PREFIX/sbin/{xm,xend,mica-info}   the dom0 tools that were built
#   /etc/xen/xend-config.sxp           when dom0-tools has an example
#                                      (kept if present)
# and never runs update-grub itself: it prints the command.
# Environment: DESTDIR (default empty), PREFIX (default /usr/local).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
d=$DESTDIR

say() { printf '  %-7s %s\n' INSTALL "$1"; }
die() { echo "install: $*" >&2; exit 1; }

[ -f "$top/build/mica.elf" ] || die "no build/mica.elf: run make first"
if [ -z "$d" ] && [ "$(id -u)" != 0 ]; then
    die "installing into / needs root (or set DESTDIR=DIR)"
fi

install -D -m 644 "$top/build/mica.elf" "$d/boot/mica.elf"
say /boot/mica.elf
install -D -m 755 "$top/boot/grub.d/20_linux_mica" "$d/etc/grub.d/20_linux_mica"
say /etc/grub.d/20_linux_mica

# Files the administrator may have edited are never overwritten.
keep_or_install() { # SRC DEST
    if [ -e "$d$2" ] && ! cmp -s "$1" "$d$2"; then
        install -D -m 644 "$1" "$d$2.mica-new"
        say "$2.mica-new (kept your $2)"
    else
        install -D -m 644 "$1" "$d$2"
        say "$2"
    fi
}
keep_or_install "$top/boot/grub.d/mica.cfg" /etc/default/grub.d/mica.cfg

n=0
for p in xm xend mica-info; do
    [ -f "$top/build/dom0-tools/$p" ] || continue
    install -D -m 755 "$top/build/dom0-tools/$p" "$d$PREFIX/sbin/$p"
    say "$PREFIX/sbin/$p"
    n=$((n + 1))
done
[ $n -gt 0 ] || echo "install: no dom0 tools in build/dom0-tools (run make dom0-tools)" >&2
for f in "$top/dom0-tools/examples/xend-config.sxp" "$top/build/dom0-tools/xend-config.sxp"; do
    if [ -f "$f" ]; then
        keep_or_install "$f" /etc/xen/xend-config.sxp
        break
    fi
done

echo
if [ -n "$d" ]; then
    echo "Installed under $d.  On the machine whose root that is, run:"
else
    echo "Installed.  Now regenerate GRUB's menu, as root:"
fi
echo "    update-grub            (or: grub-mkconfig -o /boot/grub/grub.cfg)"
echo "and pick \"..., with mica\" at boot.  Settings: /etc/default/grub.d/mica.cfg"
