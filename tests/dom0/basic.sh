#!/bin/sh
# dom0 system test, run by dom0's /init (mica.test) under mica.  Each check
# prints "CHECK-OK name" or "CHECK-FAIL name: why"; the boot-test table
# expects the OK lines.  The expected sizes come from the kernel command
# line: mica.expect_mem_mib=N (dom0_mem) and mica.expect_cpus=N.
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | head -1; }
ok() { echo "CHECK-OK $1"; }
fail() { echo "CHECK-FAIL $1: $2"; }

want_mem=$(arg mica.expect_mem_mib)
want_cpus=$(arg mica.expect_cpus)
want_unseen=$(arg mica.expect_unseen)

# Memory: MemTotal is RAM minus what the kernel keeps for itself (its image,
# page structures), so it lands within 15% below dom0_mem, never above.
total_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
if [ -n "$want_mem" ] && [ "$total_kb" -le $((want_mem * 1024)) ] &&
   [ "$total_kb" -ge $((want_mem * 1024 * 85 / 100)) ]; then
    ok "meminfo ($total_kb kB for dom0_mem=${want_mem}M)"
else
    fail meminfo "MemTotal $total_kb kB, dom0_mem ${want_mem}M"
fi

cpus=$(grep -c ^processor /proc/cpuinfo)
[ "$cpus" = "$want_cpus" ] && ok "cpus ($cpus)" || fail cpus "$cpus CPUs, want $want_cpus"

# Every CPU but the first runs work pinned to it: a process there reads
# its own CPU number (field 39 of /proc/self/stat) back.
c=1
while [ $c -lt "$cpus" ]; do
    on=$(taskset -c $c cat /proc/self/stat 2>&1 | awk '{print $39}')
    [ "$on" = "$c" ] && ok "cpu-runs ($c)" || fail cpu-runs "pinned to CPU$c, ran on '$on'"
    c=$((c + 1))
done

grep -q "^flags.*\bsvm\b\|^flags.*\bvmx\b" /proc/cpuinfo &&
    fail no-nested "dom0 sees SVM or VMX" || ok no-nested

# The toolstack doorbell: root gets through, and mica lists Domain-0.
out=$(mica-info 2>&1); rc=$?
echo "$out"
if [ $rc = 0 ] && echo "$out" | grep -q "^Domain-0  *0 "; then
    ok mica-info-root
else
    fail mica-info-root "rc=$rc"
fi

# An unprivileged process is refused by dom0's own kernel (ioperm), at once.
out=$(timeout 10 su user -c mica-info 2>&1); rc=$?
echo "$out"
if [ $rc = 1 ] && echo "$out" | grep -q "Operation not permitted"; then
    ok mica-info-user-refused
else
    fail mica-info-user-refused "rc=$rc"
fi

# mica's memory is not dom0's: its image (at 2 MiB) and the RAM above dom0's
# reads as zeros through /dev/mem, while dom0's own RAM does not.
img=$(dd if=/dev/mem bs=4096 skip=512 count=16 2>/dev/null | od -v -A n -t x1 | tr -d ' \n' | tr -d 0)
[ -z "$img" ] && ok devmem-image-hidden || fail devmem-image-hidden "non-zero bytes at 2 MiB"
top=$(awk '/System RAM/ {split($1, r, "-"); e = r[2]} END {print e}' /proc/iomem)
above=$(( 0x$top + 1 + 64 * 1024 * 1024 ))
data=$(dd if=/dev/mem bs=4096 skip=$((above / 4096)) count=16 2>/dev/null | od -v -A n -t x1 | tr -d ' \n' | tr -d 0)
[ -z "$data" ] && ok "devmem-pool-hidden (at $(printf %#x $above))" || fail devmem-pool-hidden "non-zero bytes at $above"
# The first MiB of dom0's own RAM (the BIOS area) is real: not all zero.
bios=$(dd if=/dev/mem bs=4096 skip=240 count=16 2>/dev/null | od -v -A n -t x1 | tr -d ' \n' | tr -d 0)
[ -n "$bios" ] && ok devmem-sees-bios || fail devmem-sees-bios "BIOS area reads as zeros"
# mica.expect_unseen=NAME: a boot-time domain of that name spoke and shut
# down after dom0 took the serial port, so mica kept those lines for dom0
# (mica-info --unseen, which /init printed too).
if [ -n "$want_unseen" ]; then
    out=$(mica-info --unseen 2>&1); rc=$?
    id=$(echo "$out" | sed -n "s/^(mica) d\([0-9]*\) ($want_unseen): shut down: poweroff.*/\1/p" | head -1)
    if [ $rc = 0 ] && [ -n "$id" ] && echo "$out" | grep -q "^(d$id) Test result: SUCCESS"; then
        ok "unseen (d$id's output and its end)"
    else
        fail unseen "rc=$rc, no output and shutdown of $want_unseen in: $out"
    fi
fi
echo "CHECKS DONE"
