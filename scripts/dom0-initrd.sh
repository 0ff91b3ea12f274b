#!/bin/sh
# Builds dom0's initramfs: busybox (static, from Debian's busybox-static),
# boot/dom0/init as /init, a minimal /etc, the dom0 tools that
# build/dom0-tools/ holds, and last the contents of $DOM0_OVERLAY.
# Usage: dom0-initrd.sh [OUT.gz]        (default build/dom0/initrd.gz)
# Environment: DOM0_OVERLAY=DIR is copied over the root file system, so
# users can bring guest images and configs; BUSYBOX=FILE replaces
# /bin/busybox.  Nothing is rebuilt when no input changed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/dom0/initrd.gz}
overlay=${DOM0_OVERLAY:-}
bb=${BUSYBOX:-/bin/busybox}
tools=$top/build/dom0-tools
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

die() { echo "dom0-initrd: $*" >&2; exit 1; }

# The initramfs has no C library: every program in it must be static.
is_static() { ! readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'; }

[ -x "$bb" ] || die "no $bb: install Debian's busybox-static package"
is_static "$bb" || die "$bb is dynamically linked: install busybox-static (not busybox)"
if [ -n "$overlay" ]; then
    [ -d "$overlay" ] || die "DOM0_OVERLAY=$overlay is not a directory"
    overlay=$(cd "$overlay" && pwd)
fi
progs=""
for p in xm xend mica-info; do
    [ -f "$tools/$p" ] || continue
    is_static "$tools/$p" || die "$tools/$p is not statically linked"
    progs="$progs $p"
done

# The toolstack's files: xend's init script, its configuration and example
# domain configs, and the test guests those configs name (when built).
toolfiles=""
for f in "$top/dom0-tools/xend/xend.init" "$top/dom0-tools/examples/"* \
         "$top/build/tests/hello.elf" "$top/build/tests/spin.elf"; do
    [ -f "$f" ] && toolfiles="$toolfiles $f"
done

# Everything the image is made of, with sizes and times: when it matches
# the list stored beside the output, the output is current.
inputs() {
    for f in "$0" "$top/boot/dom0/init" "$bb" $toolfiles; do ls -lL --time-style=+%s "$f"; done
    for p in $progs; do ls -lL --time-style=+%s "$tools/$p"; done
    [ -z "$overlay" ] || (cd "$overlay" && find . -printf '%p %s %T@ %m %l\n' | LC_ALL=C sort)
}
sig=$(inputs | cksum)
if [ -f "$out" ] && [ "$(cat "$out.inputs" 2>/dev/null)" = "$sig" ]; then
    exit 0
fi

printf '  %-7s %s\n' INITRD "${out#$top/}${overlay:+ (overlay $overlay)}"
root=$(mktemp -d "$out.root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
    "$root/etc/xen" "$root/proc" "$root/sys" "$root/dev" "$root/run" \
    "$root/tmp" "$root/root" "$root/home/user" "$root/var/log" \
    "$root/var/lib/xen" "$root/mnt"
ln -s ../run "$root/var/run"
chmod 1777 "$root/tmp"
chmod 700 "$root/root"

cp "$bb" "$root/bin/busybox"
"$bb" --list-full | while read -r app; do
    case $app in bin/busybox|linuxrc|*/init) continue ;; esac
    [ -e "$root/$app" ] || ln -s /bin/busybox "$root/$app"
done
cp "$top/boot/dom0/init" "$root/init"
chmod 755 "$root/init"
for p in $progs; do cp "$tools/$p" "$root/usr/sbin/$p"; done
mkdir -p "$root/etc/init.d" "$root/usr/lib/mica" "$root/var/lib/xend/domains" \
    "$root/var/lib/xen/dump"
for f in $toolfiles; do
    case $f in
        */xend.init) cp "$f" "$root/etc/init.d/xend"; chmod 755 "$root/etc/init.d/xend" ;;
        */examples/*) cp "$f" "$root/etc/xen/" ;;
        *.elf) cp "$f" "$root/usr/lib/mica/" ;;
    esac
done
# busybox has no `service`: the classic wrapper over /etc/init.d.
printf '#!/bin/sh\n[ -x "/etc/init.d/$1" ] || { echo "service: no such service: $1" >&2; exit 1; }\nexec "/etc/init.d/$1" "$2"\n' \
    > "$root/usr/sbin/service"
chmod 755 "$root/usr/sbin/service"

cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:unprivileged user:/home/user:/bin/sh
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
tty:x:5:
user:x:1000:
EOF
# No passwords: the console shell is root's already, and su from root
# asks for none.  '*' locks both accounts against login(1).
printf 'root:*:19000:0:99999:7:::\nuser:*:19000:0:99999:7:::\n' > "$root/etc/shadow"
chmod 600 "$root/etc/shadow"
echo dom0 > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdom0\n' > "$root/etc/hosts"
cat > "$root/etc/profile" <<'EOF'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PS1='\u@\h:\w\$ '
export TERM=${TERM:-vt100}
EOF

[ -z "$overlay" ] || cp -R "$overlay/." "$root/"

# newc entries that an unprivileged build cannot make as files: the console
# device the kernel opens for /init, and the user's home owned by the user.
# They follow the main archive, so their owners and modes win.
newc() { # name mode(octal) uid rdevmajor rdevminor
    n=$(( ${#1} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 $(( 0$2 )) "$3" "$3" 1 0 0 0 0 "$4" "$5" "$n" 0
    printf '%s\000' "$1"
    pad=$(( (4 - (110 + n) % 4) % 4 ))
    [ $pad = 0 ] || head -c $pad /dev/zero
}
{
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
        "$bb" cpio -o -H newc -R 0:0 --ignore-devno --renumber-inodes 2>/dev/null)
    newc dev 40755 0 0 0
    newc dev/console 20600 0 5 1
    newc home/user 40700 1000 0 0
    newc TRAILER!!! 0 0 0 0
} | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
echo "$sig" > "$out.inputs"
