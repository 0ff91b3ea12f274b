#!/bin/bash
# Tests boot/grub.d/20_linux_mica without installing it: runs it on a fake
# /boot (build/dom0/fakeboot: dom0's real kernel and initramfs as
# vmlinuz-$KVER and initrd.img-$KVER, an older kernel without an initrd,
# two files that must be ignored, and build/mica.elf), checks the menu it
# writes, then boots that menu from a GRUB ISO under QEMU (BIOS and UEFI)
# until mica's banner.  GRUB's device probing is replaced by
# tests/dom0/fake-grub-probe and fake-grub-mkrelpath, through the
# grub_probe and grub_mkrelpath variables grub-mkconfig_lib honours.
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
. "$top/boot/dom0/defaults.sh"
. "$top/boot/dom0/iso-lib.sh"
script=$top/boot/grub.d/20_linux_mica
work=$top/build/dom0/test-grub-d
fb=$top/build/dom0/fakeboot
rm -rf "$work" "$fb"
mkdir -p "$work" "$fb"

if ! dom0_image >"$work/build.log" 2>&1; then
    fail "grub.d: dom0 image" "$(tail -1 "$work/build.log")"
    summary; exit
fi
[ -f "$top/build/mica.elf" ] || { fail "grub.d: build/mica.elf" "run make"; summary; exit; }
[ -f /usr/share/grub/grub-mkconfig_lib ] || { fail "grub.d: grub-mkconfig_lib" "install grub-common"; summary; exit; }

old=1.0.0-test
cp "$top/build/dom0/vmlinuz" "$fb/vmlinuz-$DOM0_KVER"
cp "$top/build/dom0/initrd.gz" "$fb/initrd.img-$DOM0_KVER"
cp "$top/build/mica.elf" "$fb/mica.elf"
ln "$fb/vmlinuz-$DOM0_KVER" "$fb/vmlinuz-$old"
ln "$fb/vmlinuz-$DOM0_KVER" "$fb/vmlinuz-9.9.9-amd64.dpkg-tmp"  # dpkg's leftover
echo "not a kernel" > "$fb/vmlinuz-8.8.8-amd64"

cat > "$work/default-grub" <<'EOF'
GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_MICA="console=com1 dom0_mem=512M"
GRUB_CMDLINE_MICA_DEFAULT="loglvl=info"
echo "defaults files may print; the script must not pick that up"
EOF
mkdir -p "$work/default-grub.d"
echo 'GRUB_CMDLINE_LINUX_MICA="console=ttyS0,115200"' > "$work/default-grub.d/mica.cfg"

# run OUT [VAR=VALUE...]: the script under dash, as grub-mkconfig would run
# it (with the variables it exports), on the fake /boot.
run() {
    local out=$1; shift
    env -i PATH="$PATH" pkgdatadir=/usr/share/grub \
        grub_probe="$top/tests/dom0/fake-grub-probe" \
        grub_mkrelpath="$top/tests/dom0/fake-grub-mkrelpath" \
        FAKE_BOOT_DIR="$fb" MICA_BOOT_DIR="$fb" \
        MICA_GRUB_DEFAULTS="$work/default-grub" \
        GRUB_DEVICE=/dev/sda1 GRUB_DEVICE_BOOT=/dev/sda1 \
        GRUB_DEVICE_UUID=00000000-dead-beef-0000-000000000000 \
        GRUB_DISTRIBUTOR=Debian GRUB_CMDLINE_LINUX="" \
        GRUB_CMDLINE_LINUX_DEFAULT=quiet GRUB_RECOVERY_TITLE="recovery mode" \
        "$@" dash "$script" >"$out" 2>"$out.stderr"
}

# count FILE ERE: lines of FILE matching ERE.
count() { grep -Ec -- "$2" "$1"; }

cfg=$work/default.cfg
check "grub.d: runs under dash with grub-mkconfig's environment" run "$cfg"
check "grub.d: the output is valid GRUB script (grub-script-check)" grub-script-check "$cfg"
n=$(count "$cfg" '^[[:space:]]*menuentry ')
[ "$n" = 5 ] && pass "grub.d: 5 entries: newest on top, 2 kernels x (normal, recovery)" ||
    fail "grub.d: 5 entries" "found $n in $cfg"
[ "$(count "$cfg" '^submenu ')" = 1 ] && pass "grub.d: one 'Advanced options' submenu" ||
    fail "grub.d: one 'Advanced options' submenu" "$cfg"
first=$(grep -m1 -A12 '^menuentry ' "$cfg")
grep -q "^menuentry 'Debian GNU/Linux, with mica' " <<<"$first" &&
    grep -q "/boot/vmlinuz-$DOM0_KVER " <<<"$first" &&
    pass "grub.d: the top entry is 'Debian GNU/Linux, with mica', kernel $DOM0_KVER" ||
    fail "grub.d: the top entry boots the newest kernel" "$cfg"
[ "$(count "$cfg" '^[[:space:]]*insmod multiboot2$')" = 5 ] &&
    pass "grub.d: every entry loads the multiboot2 module" ||
    fail "grub.d: every entry loads the multiboot2 module" "$cfg"
expect "grub.d: mica's line has GRUB_CMDLINE_MICA and _DEFAULT" "$cfg" \
    $'^\tmultiboot2\t/boot/mica.elf console=com1 dom0_mem=512M loglvl=info$'
expect "grub.d: recovery entries leave out GRUB_CMDLINE_MICA_DEFAULT" "$cfg" \
    $'^\t\tmultiboot2\t/boot/mica.elf console=com1 dom0_mem=512M$'
expect "grub.d: Linux gets root=, ro, GRUB_CMDLINE_LINUX_DEFAULT and _LINUX_MICA" "$cfg" \
    $'^\tmodule2\t/boot/vmlinuz-'"$DOM0_KVER"' root=/dev/sda1 ro quiet console=ttyS0,115200$'
expect "grub.d: recovery mode boots Linux single-user" "$cfg" \
    $'^\t\tmodule2\t/boot/vmlinuz-'"$DOM0_KVER"' root=/dev/sda1 ro single console=ttyS0,115200$'
expect "grub.d: the initrd is the next module, not unzipped by GRUB" "$cfg" \
    $'^\tmodule2\t--nounzip /boot/initrd.img-'"$DOM0_KVER"'$'
old_entry=$(awk -v v="$old" 'index($0, "and Linux " v "'"'"'") { on = 1 } on { print } on && /^\t}$/ { exit }' "$cfg")
grep -q "/boot/vmlinuz-$old root=/dev/sda1 ro" <<<"$old_entry" && ! grep -q initrd <<<"$old_entry" &&
    pass "grub.d: a kernel without an initrd gets no initrd module" ||
    fail "grub.d: a kernel without an initrd gets no initrd module" "$cfg"
! grep -Eq 'dpkg-tmp|8\.8\.8' "$cfg" &&
    pass "grub.d: dpkg leftovers and non-kernels are skipped" ||
    fail "grub.d: dpkg leftovers and non-kernels are skipped" "$cfg"
! grep -q "may print" "$cfg" && pass "grub.d: output of the defaults file is not in the menu" ||
    fail "grub.d: output of the defaults file is not in the menu" "$cfg"

cfg2=$work/flat.cfg
run "$cfg2" GRUB_CMDLINE_MICA="loglvl=all" GRUB_DISABLE_SUBMENU=y GRUB_DISABLE_RECOVERY=true \
    GRUB_DEVICE_UUID="" GRUB_CMDLINE_LINUX="rootwait"
[ "$(count "$cfg2" '^menuentry ')" = 2 ] && [ "$(count "$cfg2" 'submenu|recovery')" = 0 ] &&
    pass "grub.d: GRUB_DISABLE_SUBMENU=y, GRUB_DISABLE_RECOVERY=true: 2 flat entries" ||
    fail "grub.d: GRUB_DISABLE_SUBMENU=y, GRUB_DISABLE_RECOVERY=true: 2 flat entries" "$cfg2"
expect "grub.d: GRUB_CMDLINE_MICA from the environment wins over the file" "$cfg2" \
    $'^\tmultiboot2\t/boot/mica.elf loglvl=all loglvl=info$'
expect "grub.d: GRUB_CMDLINE_LINUX comes before _DEFAULT" "$cfg2" \
    $'^\tmodule2\t/boot/vmlinuz-'"$DOM0_KVER"' root=/dev/sda1 ro rootwait quiet console=ttyS0,115200$'

mv "$fb/mica.elf" "$work/mica.elf"
run "$work/none.cfg"
rc=$?
[ $rc = 0 ] && [ ! -s "$work/none.cfg" ] &&
    pass "grub.d: no /boot/mica.elf, no entries" ||
    fail "grub.d: no /boot/mica.elf, no entries" "exit $rc, $work/none.cfg"
mv "$work/mica.elf" "$fb/mica.elf"

# The generated menu on an ISO whose /boot is the fake /boot.
iso=$work/grub-d.iso
mkdir -p "$work/iso/boot/grub"
cp -l "$fb"/mica.elf "$fb/vmlinuz-$DOM0_KVER" "$fb/vmlinuz-$old" "$fb/initrd.img-$DOM0_KVER" "$work/iso/boot/"
{ iso_grub_header; cat "$cfg"; } > "$work/iso/boot/grub/grub.cfg"
if ! iso_make "$work/iso" "$iso"; then
    fail "grub.d: ISO with the generated menu" "grub-mkrescue failed"
    summary; exit
fi

# boot NAME EXTRA-QEMU-ARGS...: boots the ISO until mica's command line is
# logged (or 60 s pass) and checks GRUB's and mica's lines.
boot() {
    local name=$1; shift
    local log=$work/$name.log
    timeout 60 qemu-system-x86_64 -accel tcg -cpu EPYC -m 1024 -smp 2 -nodefaults \
        -display none -no-reboot -cdrom "$iso" -boot d -serial "file:$log.raw" "$@" \
        </dev/null 2>"$work/$name.stderr" &
    local pid=$!
    wait_for "$log.raw" '^\(mica\) Booted by .*command line' 60 $pid
    stop $pid
    clean_log "$log.raw" "$log"
    expect "grub.d/$name: GRUB boots the top entry" "$log" "Booting .Debian GNU/Linux, with mica'"
    expect "grub.d/$name: mica's banner" "$log" '^\(mica\) mica '
    expect "grub.d/$name: mica got GRUB_CMDLINE_MICA" "$log" \
        '^\(mica\) Booted by GRUB .*command line: console=com1 dom0_mem=512M loglvl=info$'
    # GRUB EFI without video modules says "no suitable video mode found"
    # and goes on; any other error (a file not found) is a bad menu.
    local e
    e=$(grep '^error:' "$log" | grep -v 'no suitable video mode found' | head -1)
    [ -z "$e" ] && pass "grub.d/$name: GRUB loaded every file" ||
        fail "grub.d/$name: GRUB loaded every file" "$e"
}
boot bios
ovmf=""
for f in /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF.fd; do [ -f "$f" ] && { ovmf=$f; break; }; done
if [ -n "$ovmf" ]; then
    boot uefi -bios "$ovmf"
else
    fail "grub.d/uefi: OVMF firmware" "install ovmf"
fi
summary
