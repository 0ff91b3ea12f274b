#!/bin/bash
# Tests scripts/mkiso-dom0.sh, which `make iso` uses: the grub.cfg it
# writes (mica, then Linux with its arguments, then the initrd, then extra
# modules in order) and that GRUB boots it under QEMU (BIOS) as far as
# mica's banner and command line.  Whether mica then starts Linux is for
# the system tests.  Prints PASS/FAIL lines and "N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
work=$top/build/dom0/test-mkiso
rm -rf "$work"
mkdir -p "$work"

if ! dom0_image >"$work/build.log" 2>&1; then
    fail "mkiso: dom0 image" "$(tail -1 "$work/build.log")"
    summary; exit
fi
[ -f "$top/build/mica.elf" ] || { fail "mkiso: build/mica.elf" "run make"; summary; exit; }

echo "extra module" > "$work/extra.bin"
iso=$work/dom0.iso
check "mkiso: mkiso-dom0.sh makes an ISO" "$top/scripts/mkiso-dom0.sh" "$iso" \
    "console=com1 loglvl=info" "$top/build/dom0/vmlinuz" "console=ttyS0,115200 quiet" \
    "$top/build/dom0/initrd.gz" "$work/extra.bin:name=extra -- a b"
[ -f "$iso" ] || { summary; exit; }

# The grub.cfg inside the ISO, read back with xorriso.
xorriso -osirrox on -indev "$iso" -extract /boot/grub/grub.cfg "$work/grub.cfg" >/dev/null 2>&1
lines=$(grep -E '^ *(multiboot2|module2|serial|terminal_output|set timeout)' "$work/grub.cfg" | sed 's/^ *//')
want='set timeout=0
serial --unit=0 --speed=115200
terminal_output serial console
multiboot2 /boot/mica.elf console=com1 loglvl=info
module2 /boot/vmlinuz console=ttyS0,115200 quiet
module2 --nounzip /boot/initrd.gz
module2 /boot/extra.bin name=extra -- a b'
[ "$lines" = "$want" ] && pass "mkiso: grub.cfg loads mica, Linux, its initrd, extra modules, on serial" ||
    fail "mkiso: grub.cfg" "got: $(echo $lines)"
check "mkiso: grub.cfg is valid GRUB script" grub-script-check "$work/grub.cfg"

log=$work/bios.log
timeout 60 qemu-system-x86_64 -accel tcg -cpu EPYC -m 1024 -smp 2 -nodefaults \
    -display none -no-reboot -cdrom "$iso" -boot d -serial "file:$log.raw" \
    </dev/null 2>"$work/qemu.stderr" &
pid=$!
wait_for "$log.raw" '^\(mica\) Booted by .*command line' 60 $pid
stop $pid
clean_log "$log.raw" "$log"
expect "mkiso: GRUB boots the entry" "$log" "Booting .mica with Linux as dom0'"
expect "mkiso: GRUB loads the initial ramdisk" "$log" '^Loading initial ramdisk \.\.\.$'
expect "mkiso: mica's banner" "$log" '^\(mica\) mica '
expect "mkiso: mica's command line" "$log" '^\(mica\) Booted by GRUB .*command line: console=com1 loglvl=info$'
e=$(grep '^error:' "$log" | head -1)
[ -z "$e" ] && pass "mkiso: GRUB loaded every file" || fail "mkiso: GRUB loaded every file" "$e"
summary
