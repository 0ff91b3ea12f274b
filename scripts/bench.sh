#!/bin/bash
# `make bench`: figures that repeat, measured under QEMU's
# -icount shift=0,sleep=off, where one guest instruction is one nanosecond
# of virtual time and the TSC counts instructions (DESIGN §6).  It prints
# numbers; it asserts nothing (see docs/performance.md for the figures and
# how they compare with Xen 4.17).
#
#   mica boot   mica's entry to dom0's first instruction (mica's own count)
#   dom0 /init  the uptime Linux reports when /init starts, as mica's dom0
#   bare /init  the same kernel and initramfs on bare QEMU
# and, from boot-module guests (tests/bench, tests/pingpong: Xen's ABI only,
# so the same ELF runs under Xen), in instructions:
#   null hypercall          xen_version(XENVER_version), round trip
#   evtchn loopback         send on a loopback interdomain channel to the
#                           upcall handler having run
#   evtchn interdomain      a ping-pong round trip between two domains
#   start to first output   a boot-module domain's unpause to its first
#                           console byte (mica's count)
#
# Environment: BENCH_OUT (default build/bench) holds the images and logs;
# BENCH_PARTS picks what to run, any of "guests dom0 bare" (default all
# three; "dom0" alone gives the toolstack figures).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$top/build/bench}
parts=" ${BENCH_PARTS:-guests dom0 bare} "
mkdir -p "$out"
mem=${BENCH_DOM0_MEM:-768}

[ -f "$top/build/mica.elf" ] && [ -f "$top/build/tests/bench.elf" ] || {
    echo "bench: run 'make all' first" >&2
    exit 1
}

# The guest ABI figures: no dom0, three boot modules, under -icount.
# scrub=0: the bench guest ends before the ping-pong pair, and an idle CPU
# zeroing its 4 MiB meanwhile would count in the pair's round trips (all
# CPUs share -icount's clock); these figures are about the ABI's paths.
icount=(-accel tcg -icount shift=0,sleep=off -nodefaults -display none -no-reboot)
if [[ $parts == *" guests "* ]]; then
"$top/boot/mkiso.sh" "$out/guests.iso" "autoexit emu_exit loglvl=all scrub=0" \
    "$top/build/tests/bench.elf:name=bench mem=4M" \
    "$top/build/tests/pingpong.elf:name=ping mem=4M -- role=ping peer=3 rounds=200" \
    "$top/build/tests/pingpong.elf:name=pong mem=4M -- role=pong peer=2 port=3 rounds=200" \
    >/dev/null
timeout 600 qemu-system-x86_64 "${icount[@]}" -cpu EPYC -smp 4 -m 256 \
    -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -cdrom "$out/guests.iso" -boot d -serial "file:$out/guests.log" </dev/null 2>/dev/null
g() { tr -d '\r' < "$out/guests.log" | sed -n "$1" | head -1; }
echo "bench: null hypercall round trip: $(g 's/^(d1) BENCH null-hypercall //p') instructions"
echo "bench: event channel loopback (send to handler): $(g 's/^(d1) BENCH evtchn-loopback //p') instructions"
echo "bench: event channel round trip between two domains: $(g 's/^(d2) BENCH evtchn-interdomain //p') instructions"
echo "bench: boot-module domain start to first output: $(g 's/.*d1 (bench): first output \([0-9]*\) ns after its start.*/\1/p') instructions"
fi

[ -f "$top/build/dom0/vmlinuz" ] || {
    echo "bench: run 'make all dom0' first" >&2
    exit 1
}
# A test script that only reports and powers off, so that both runs do the
# same work after /init.
mkdir -p "$out/overlay/etc"
cat > "$out/overlay/etc/mica-test.sh" <<'SCRIPT'
#!/bin/sh
echo "BENCH init-uptime $(cut -d" " -f1 /proc/uptime)"
# xm create and xm destroy, timed on dom0's clock in ns (/proc/timer_list),
# once cold and once warm, as the Xen anchor times xl.
# sed stops at that line (the third): what it would read after it, and a
# second process to cut the output, are no part of what is timed.
ns() { sed -n '/^now at /{s/^now at \([0-9]*\) nsecs$/\1/p;q}' /proc/timer_list; }
mica-info >/dev/null 2>&1 || exit 0      # bare QEMU: no mica, no xm
mkdir -p /etc/xen
printf '(logfile /var/log/xend.log)\n(loglevel INFO)\n' > /etc/xen/xend-config.sxp
/etc/init.d/xend start >/dev/null 2>&1
for run in cold warm; do
    printf 'name = "b-%s"\nmemory = 16\nkernel = "/usr/lib/mica/hello.elf"\non_poweroff = "preserve"\n' \
        $run > /etc/xen/b-$run.cfg
    a=$(ns); xm create b-$run.cfg >/dev/null; b=$(ns)
    sleep 1
    c=$(ns); xm destroy b-$run; d=$(ns)
    # dom0 idle a moment, as between a user's commands: mica's idle CPU
    # zeroes the destroyed domain's memory then (docs/performance.md).
    sleep 1
    echo "BENCH xm-create-$run $((b - a))"
    echo "BENCH xm-destroy-$run $((d - c))"
done
xm dmesg | grep "first output" | sed 's/^/BENCH /'
SCRIPT
chmod +x "$out/overlay/etc/mica-test.sh"
DOM0_OVERLAY=$out/overlay sh "$top/scripts/dom0-initrd.sh" "$out/initrd.gz" >/dev/null
args="console=ttyS0 quiet mica.test"

# mica + dom0 (mica starts its second CPU; Linux gets one: nr_cpus=1).
if [[ $parts == *" dom0 "* ]]; then
rm -f "$out/mica.log"
"$top/scripts/mkiso-dom0.sh" "$out/mica.iso" "dom0_mem=${mem}M ${BENCH_MICA_ARGS:-}" \
    "$top/build/dom0/vmlinuz" "$args" "$out/initrd.gz" >/dev/null
timeout 600 qemu-system-x86_64 "${icount[@]}" -cpu EPYC -smp 2 -m $((mem + 256)) \
    -cdrom "$out/mica.iso" -boot d -serial "file:$out/mica.log" </dev/null 2>/dev/null
fi
# Bare QEMU: one CPU, as Linux under -icount hangs starting a second one
# (PLATFORMS.md), and the same RAM as dom0.
if [[ $parts == *" bare "* ]]; then
rm -f "$out/bare.log"
timeout 600 qemu-system-x86_64 "${icount[@]}" -cpu EPYC -smp 1 -m "$mem" \
    -kernel "$top/build/dom0/vmlinuz" -initrd "$out/initrd.gz" -append "$args" \
    -serial "file:$out/bare.log" </dev/null 2>/dev/null
fi

touch "$out/mica.log" "$out/bare.log"
mica_ms=$(tr -d '\r' < "$out/mica.log" | sed -n "s/.*mica's boot took \([0-9.]*\) ms.*/\1/p")
dom0_s=$(tr -d '\r' < "$out/mica.log" | sed -n 's/^BENCH init-uptime //p')
bare_s=$(tr -d '\r' < "$out/bare.log" | sed -n 's/^BENCH init-uptime //p')
echo "bench: mica boot (entry to dom0's first instruction): ${mica_ms:-?} ms"
m() { tr -d '\r' < "$out/mica.log" | sed -n "$1" | head -1; }
for run in cold warm; do
    echo "bench: xm create ($run): $(m "s/^BENCH xm-create-$run //p") ns"
    echo "bench: ... its first console byte $(m "s/^BENCH .*(b-$run): first output \([0-9]*\) ns after its start.*/\1/p") ns after the domain started"
    echo "bench: xm destroy ($run): $(m "s/^BENCH xm-destroy-$run //p") ns"
done
echo "bench: dom0 reaches /init at ${dom0_s:-?} s of its uptime"
echo "bench: bare QEMU reaches /init at ${bare_s:-?} s of its uptime"
if [ -n "$dom0_s" ] && [ -n "$bare_s" ]; then
    awk -v d="$dom0_s" -v b="$bare_s" 'BEGIN { printf "bench: dom0 / bare = %.1f%%\n", 100 * d / b }'
fi
