#!/bin/bash
# Boots dom0's kernel and initramfs without mica, under plain QEMU TCG, to
# show the image itself works before mica is in the way:
#  1. with mica.test=/etc/mica-test.sh (from an overlay, the way DOM0_OVERLAY
#     brings files), the test script runs as root, reads /proc/meminfo and
#     nproc, drops to the unprivileged user with su, sees mica.* options as
#     variables, and the machine powers off;
#  2. without it, a root shell comes up on the console with job control, is
#     started again after `exit`, and `poweroff -f` ends QEMU.
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
work=$top/build/dom0/test-bare
rm -rf "$work"
mkdir -p "$work/overlay/etc"
. "$top/boot/dom0/defaults.sh"

if ! dom0_image >"$work/build.log" 2>&1; then
    fail "bare: dom0 image" "$(tail -1 "$work/build.log")"
    summary; exit
fi
command -v qemu-system-x86_64 >/dev/null || { fail "bare: qemu" "qemu-system-x86_64 not installed"; summary; exit; }

cat > "$work/overlay/etc/mica-test.sh" <<'EOF'
echo "DOM0-TEST ok"
echo "DOM0-TEST id: $(id)"
echo "DOM0-TEST nproc: $(nproc)"
echo "DOM0-TEST memtotal: $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) kB"
echo "DOM0-TEST su: $(su user -c id)"
echo "DOM0-TEST hostname: $(hostname)"
echo "DOM0-TEST option: ${mica_probe:-unset}"
echo "DOM0-TEST tools:" $(cd /usr/sbin && ls xm xend mica-info 2>/dev/null)
exit 3
EOF
if ! DOM0_OVERLAY=$work/overlay "$top/scripts/dom0-initrd.sh" "$work/initrd.gz" >>"$work/build.log" 2>&1; then
    fail "bare: initramfs with an overlay" "$(tail -1 "$work/build.log")"
    summary; exit
fi

# QEMU on dom0's kernel, without mica.
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -nodefaults
      -display none -no-reboot -kernel "$top/build/dom0/vmlinuz"
      -initrd "$work/initrd.gz")

# 1. The test hook.
log=$work/test.log
t0=$EPOCHREALTIME
timeout 90 "${qemu[@]}" -serial "file:$log.raw" \
    -append "console=ttyS0 mica.test=/etc/mica-test.sh mica.probe=42" \
    </dev/null 2>>"$work/qemu.stderr"
rc=$?
t1=$EPOCHREALTIME
clean_log "$log.raw" "$log"
secs=$(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
if [ $rc = 0 ]; then pass "bare: the test hook powered QEMU off (${secs}s)"
else fail "bare: the test hook powered QEMU off" "QEMU exit $rc after ${secs}s; log $log"; fi
expect "bare: Linux reached /init" "$log" '^\[ *[0-9.]+\] Run /init as init process'
expect "bare: init's banner" "$log" "^mica dom0: Linux $DOM0_KVER, 2 CPU\(s\), [0-9]+ MiB"
expect "bare: mica.test ran the script" "$log" '^DOM0-TEST ok$'
expect "bare: the script runs as root" "$log" '^DOM0-TEST id: uid=0\(root\) gid=0\(root\)'
expect "bare: nproc is 2" "$log" '^DOM0-TEST nproc: 2$'
# 1024 MiB of RAM less what firmware and the kernel keep.
kb=$(sed -n 's/^DOM0-TEST memtotal: \([0-9]*\) kB$/\1/p' "$log")
if [ -n "$kb" ] && [ "$kb" -ge $((900 * 1024)) ] && [ "$kb" -le $((1024 * 1024)) ]; then
    pass "bare: MemTotal is $((kb / 1024)) MiB (900-1024)"
else
    fail "bare: MemTotal between 900 and 1024 MiB" "MemTotal: ${kb:-none} kB"
fi
expect "bare: su from root to user" "$log" '^DOM0-TEST su: uid=1000\(user\) gid=1000\(user\)'
expect "bare: hostname is dom0" "$log" '^DOM0-TEST hostname: dom0$'
expect "bare: mica.probe=42 reached the script" "$log" '^DOM0-TEST option: 42$'
expect "bare: the script's exit status is reported" "$log" '^mica dom0: test exited with status 3; powering off$'
tools=$(cd "$top/build/dom0-tools" 2>/dev/null && echo $(ls xm xend mica-info 2>/dev/null))
expect "bare: dom0 tools in /usr/sbin: ${tools:-none built}" "$log" "^DOM0-TEST tools:${tools:+ $tools}\$"

# 2. The console shell.  The serial port is a pair of FIFOs, so the test
# can type once the prompt is there.
log=$work/shell.log
mkfifo "$work/serial.in" "$work/serial.out"
timeout 120 "${qemu[@]}" -chardev pipe,id=s0,path="$work/serial" \
    -serial chardev:s0 -append "console=ttyS0" </dev/null 2>>"$work/qemu.stderr" &
qpid=$!
cat "$work/serial.out" > "$log.raw" &
cpid=$!
exec 3>"$work/serial.in"
prompt='root@dom0:/# '
if wait_for "$log.raw" "$prompt" 60 $qpid; then
    pass "bare: a root shell on the console"
    printf 'sleep 100 &\n' >&3; sleep 1
    printf 'jobs; tty\n' >&3
    wait_for "$log.raw" '^\[1\]\+ +Running +sleep 100' 10 $qpid
    printf 'exit\n' >&3
    wait_for "$log.raw" "the shell exited" 10 $qpid
    sleep 2
    printf 'echo SHELL-AGAIN $(id -u)\n' >&3
    wait_for "$log.raw" "^SHELL-AGAIN 0" 10 $qpid
    printf 'poweroff -f\n' >&3
    wait_for "$log.raw" "reboot: Power down" 20 $qpid
else
    fail "bare: a root shell on the console" "no prompt '$prompt' in 60 s; log $log"
fi
for ((i = 0; i < 40; i++)); do kill -0 $qpid 2>/dev/null || break; sleep 0.25; done
if kill -0 $qpid 2>/dev/null; then
    fail "bare: poweroff -f ended QEMU" "QEMU still running"
    stop $qpid
else
    pass "bare: poweroff -f ended QEMU"
fi
exec 3>&-
stop $cpid
clean_log "$log.raw" "$log"
expect "bare: how to leave QEMU is shown" "$log" 'Ctrl-a x quits QEMU'
expect "bare: job control works" "$log" '^\[1\]\+ +Running +sleep 100'
expect "bare: the shell's terminal is the serial port" "$log" '^/dev/ttyS0$'
expect "bare: the shell comes back after exit" "$log" '^SHELL-AGAIN 0$'
summary
