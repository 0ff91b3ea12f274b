#!/bin/bash
# Boots an ISO under Bochs.  MODEL is a Bochs CPU model, e.g.
# corei7_skylake_x (Intel VT-x with EPT) or ryzen (AMD-V with NPT, NRIPS).
# Usage: run-bochs.sh MODEL ISO SERIAL_LOG TIMEOUT_SECONDS
#
# Sound is off: Debian's Bochs aborts in its ALSA plugin on machines
# without a sound card.  On a guest's triple fault, Bochs 2.7 (built with
# its debugger, as Debian's is) first breaks into the debugger and
# panics, and only then takes SVM's SHUTDOWN intercept, which is what mica
# must see; so panics are reported rather than fatal, and the debugger
# script just keeps continuing.  The run ends when the serial log matches
# BOCHS_DONE_RE (default: mica's "All domains have ended" or "system
# halted"), when Bochs exits, or at the timeout.
set -u
model=$1 iso=$2 log=$3 secs=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
[ -f "$vgabios" ] || vgabios=/usr/share/bochs/VGABIOS-lgpl-latest
cat > "$dir/bochsrc" <<RC
megs: ${BOCHS_MEGS:-256}
cpu: model=$model, count=${BOCHS_CPUS:-2}, ips=${BOCHS_IPS:-100000000}, reset_on_triple_fault=0
romimage: file=$bios
vgaromimage: file=$vgabios
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$log
display_library: rfb, options="timeout=0"
magic_break: enabled=1
clock: sync=none
port_e9_hack: enabled=1
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
log: $dir/bochs.log
panic: action=report
error: action=report
info: action=ignore
debug: action=ignore
RC
for i in $(seq 50); do echo c; done > "$dir/rc"
echo quit >> "$dir/rc"
: > "$log"
done_re=${BOCHS_DONE_RE:-All domains have ended|system halted}
bochs -q -f "$dir/bochsrc" -rc "$dir/rc" >"$dir/stdout" 2>&1 </dev/null &
pid=$!
deadline=$((SECONDS + secs))
rc=124
while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 $pid 2>/dev/null; then
        wait $pid; rc=$?
        break
    fi
    if grep -qE "$done_re" "$log" 2>/dev/null; then
        sleep 1             # let the last lines reach the log
        rc=0
        break
    fi
    sleep 0.5
done
kill $pid 2>/dev/null && sleep 0.2 && kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[ -n "${BOCHS_KEEP_LOG:-}" ] && cp "$dir/bochs.log" "$BOCHS_KEEP_LOG"
exit $rc
