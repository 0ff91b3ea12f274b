#!/bin/bash
# Runs the boot tests of tests/boot-tests.cfg on every platform they list,
# two at a time, and prints one line per (platform, test) and a summary.
# Environment: PLATFORMS="qemu ovmf" limits the platforms; TESTS="hello"
# limits the tests; JOBS=N runs N at once (default 2); BOOT_TESTS_OUT=DIR
# puts the logs and ISOs there instead of build/boot-tests.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cfg=$top/tests/boot-tests.cfg
out=${BOOT_TESTS_OUT:-$top/build/boot-tests}
rm -rf "$out"
mkdir -p "$out"
PLATFORMS=${PLATFORMS:-qemu qemu-kernel bochs-vmx bochs-svm ovmf}
JOBS=${JOBS:-2}

# The Xen 4.17 anchor's guest, when ../shared is beside the checkout: a
# guest written against Xen's ABI elsewhere, not for mica.
anchor=$top/../shared/anchors/xen417
if [ -f "$anchor/guest.S" ]; then
    mkdir -p "$top/build/tests"
    as --32 -o "$out/anchor.o" "$anchor/guest.S" &&
        ld -m elf_i386 --no-warn-rwx-segments -T "$anchor/guest.ld" -o "$top/build/tests/anchor.elf" "$out/anchor.o"
fi

# Splits the table into one directory per test: modules, expect, meta.
awk -v out="$out" '
/^[ \t]*#/ || /^[ \t]*$/ { next }
/^\[.*\]$/ { t = substr($0, 2, length($0) - 2); system("mkdir -p " out "/" t); next }
{
    key = $0; sub(/[ \t]*=.*/, "", key)
    val = $0; sub(/^[^=]*=[ \t]*/, "", val)
    f = out "/" t "/" key
    print val >> f
    close(f)
}' "$cfg"

run_one() {
    local t=$1 p=$2 dir=$out/$1 log=$out/$1/$2.log
    local timeout mods=() args="" reason="" status t0 t1 rc
    timeout=$(cat "$dir/timeout" 2>/dev/null || echo 120)
    [ -f "$dir/args" ] && args=$(cat "$dir/args")
    # Bochs slows down with every CPU it emulates: two unless a test asks.
    local cpus mem done_re qemu_cpu qemu_args
    qemu_cpu=$(cat "$dir/qemu_cpu" 2>/dev/null)
    qemu_args=$(cat "$dir/qemu_args" 2>/dev/null)
    cpus=$(cat "$dir/cpus" 2>/dev/null || echo 2)
    mem=$(cat "$dir/memory" 2>/dev/null || echo 512)
    done_re=$(cat "$dir/done" 2>/dev/null || echo "All domains have ended")
    grep -qx crash "$dir/allow" 2>/dev/null && done_re="system halted"
    # dom0 tests: Debian's kernel (make dom0) and an initramfs whose /init
    # runs the test script, then powers off.
    if [ -f "$dir/dom0" ]; then
        if [ ! -f "$top/build/dom0/vmlinuz" ]; then
            printf 'FAIL  %-10s %-16s (no build/dom0/vmlinuz: run make dom0)\n' "$p" "$t" > "$dir/$p.result"
            return
        fi
        mkdir -p "$dir/overlay-$p/etc"
        cp "$top/$(cat "$dir/dom0_test")" "$dir/overlay-$p/etc/mica-test.sh"
        # dom0_files = SRC:DEST ...: more files for dom0's root, SRC from
        # the top of the tree, DEST an absolute path inside dom0.
        local spec src dst
        for spec in $(cat "$dir/dom0_files" 2>/dev/null); do
            src=${spec%%:*} dst=${spec#*:}
            if [ ! -f "$top/$src" ]; then
                printf 'FAIL  %-10s %-16s (no %s: run make)\n' "$p" "$t" "$src" > "$dir/$p.result"
                return
            fi
            mkdir -p "$dir/overlay-$p$(dirname "$dst")"
            cp -p "$top/$src" "$dir/overlay-$p$dst"
        done
        DOM0_OVERLAY="$dir/overlay-$p" sh "$top/scripts/dom0-initrd.sh" "$dir/initrd-$p.gz" >/dev/null || {
            printf 'FAIL  %-10s %-16s (could not build the initramfs)\n' "$p" "$t" > "$dir/$p.result"
            return
        }
        mods=("$top/build/dom0/vmlinuz:$(cat "$dir/dom0") mica.test" "$dir/initrd-$p.gz:" "${mods[@]}")
    fi
    if [ -f "$dir/module" ]; then
        while IFS= read -r m; do
            f=${m%% *}
            a=""; [ "$f" != "$m" ] && a=${m#* }
            if [ "$f" = anchor.elf ] && [ ! -f "$anchor/guest.S" ]; then
                printf 'SKIP  %-10s %-16s (needs ../shared/anchors/xen417 beside the checkout)\n' "$p" "$t" > "$dir/$p.result"
                return
            fi
            if [ ! -f "$top/build/tests/$f" ]; then
                printf 'FAIL  %-10s %-16s (no build/tests/%s: run make)\n' "$p" "$t" "$f" > "$dir/$p.result"
                return
            fi
            mods+=("$top/build/tests/$f:$a")
        done < "$dir/module"
    fi
    case $p in
        qemu|qemu-kernel|ovmf) command -v qemu-system-x86_64 >/dev/null || reason="qemu-system-x86_64 not installed" ;;
        bochs-*) command -v bochs >/dev/null || reason="bochs not installed" ;;
        *) reason="unknown platform" ;;
    esac
    if [ -n "$reason" ]; then
        printf 'SKIP  %-10s %-16s (%s)\n' "$p" "$t" "$reason" > "$dir/$p.result"
        return
    fi
    if [ $p = qemu-kernel ]; then
        # Multiboot 1 through QEMU's own loader: modules are "file args"
        # pairs, comma-separated (a comma in args would need doubling).
        local initrd="" m
        for m in "${mods[@]}"; do
            initrd="${initrd:+$initrd,}${m%%:*} ${m#*:}"
        done
        mods=()
        touch "$dir/$p.iso"
    elif ! "$top/boot/mkiso.sh" "$dir/$p.iso" "autoexit emu_exit loglvl=all $args" "${mods[@]}"; then
        printf 'FAIL  %-10s %-16s (could not make the ISO)\n' "$p" "$t" > "$dir/$p.result"
        return
    fi
    t0=$(date +%s.%N)
    case $p in
        qemu) QEMU_MEM=$mem "$top/qemu-scripts/run-qemu.sh" "$dir/$p.iso" "$log" "$timeout" \
                ${qemu_cpu:+-cpu "$qemu_cpu"} $qemu_args 2>"$dir/$p.stderr" ;;
        qemu-kernel) "$top/qemu-scripts/run-qemu.sh" "" "$log" "$timeout" \
                -kernel "$top/build/$(cat "$dir/kernel" 2>/dev/null || echo mica32.elf)" -append "autoexit emu_exit loglvl=all $args" \
                ${initrd:+-initrd "$initrd"} 2>"$dir/$p.stderr" ;;
 ovmf) QEMU_MEM=$mem "$top/qemu-scripts/run-ovmf.sh" "$dir/$p.iso" "$log" "$timeout" 2>"$dir/$p.stderr" ;;
        bochs-vmx) BOCHS_MEGS=$mem BOCHS_DONE_RE=$done_re BOCHS_CPUS=$cpus "$top/qemu-scripts/run-bochs.sh" corei7_skylake_x "$dir/$p.iso" "$log" "$timeout" 2>"$dir/$p.stderr" ;;
        bochs-svm) BOCHS_MEGS=$mem BOCHS_DONE_RE=$done_re BOCHS_CPUS=$cpus "$top/qemu-scripts/run-bochs.sh" ryzen "$dir/$p.iso" "$log" "$timeout" 2>"$dir/$p.stderr" ;;
    esac
    rc=$?
    t1=$(date +%s.%N)
    tr -d '\r' < "$log" > "$log.txt"
    status=PASS
    if grep -q "Test result: SKIP" "$log.txt"; then
        status=SKIP; reason=$(grep -m1 "Test result: SKIP" "$log.txt")
    fi
    if [ $status = PASS ] && [ -f "$dir/expect" ]; then
        while IFS= read -r e; do
            grep -Eq -- "$e" "$log.txt" || { status=FAIL; reason="expected: $e"; break; }
        done < "$dir/expect"
    fi
    if [ $status = PASS ]; then
        local bad="mica crashed|PANIC|CHECK-FAIL|Kernel panic"
        grep -qx crash "$dir/allow" 2>/dev/null && bad="PANIC"
        grep -qx failure "$dir/allow" 2>/dev/null || bad="$bad|Test result: (FAILURE|ERROR)"
        l=$(grep -Em1 "$bad" "$log.txt") && { status=FAIL; reason="log says: $l"; }
    fi
    if [ $status = PASS ] && [ -f "$dir/reject" ]; then
        while IFS= read -r e; do
            l=$(grep -Em1 -- "$e" "$log.txt") && { status=FAIL; reason="log says: $l"; break; }
        done < "$dir/reject"
    fi
    if [ $status = PASS ] && ! grep -qE "$done_re" "$log.txt"; then
        status=FAIL
        [ $rc = 124 ] && reason="timed out after ${timeout}s" || reason="mica did not finish (exit $rc)"
    fi
    printf '%s  %-10s %-16s %6.1fs%s\n' $status "$p" "$t" \
        "$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')" "${reason:+  ($reason)}" > "$dir/$p.result"
    [ $status = FAIL ] && printf '      log: %s\n' "$log.txt" >> "$dir/$p.result"
}
export -f run_one
export out top anchor

jobs=()
for d in "$out"/*/; do
    t=$(basename "$d")
    [ -n "${TESTS:-}" ] && ! [[ " $TESTS " == *" $t "* ]] && continue
    for p in $(cat "$d/platforms"); do
        [[ " $PLATFORMS " == *" $p "* ]] && jobs+=("$t $p")
    done
done
printf '%s\n' "${jobs[@]}" | xargs -P "$JOBS" -L 1 bash -c 'run_one "$0" "$1"; cat "$out/$0/$1.result"'

pass=$(cat "$out"/*/*.result | grep -c '^PASS')
fail=$(cat "$out"/*/*.result | grep -c '^FAIL')
skip=$(cat "$out"/*/*.result | grep -c '^SKIP')
echo "boot tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
