#!/bin/bash
# Boots an ISO under Bochs.  MODEL is a Bochs CPU model, e.g.
# corei7_skylake_x (Intel VT-x with EPT) or ryzen (AMD-V with NPT, NRIPS).
# Usage: run-bochs.sh MODEL ISO SERIAL_LOG TIMEOUT_SECONDS
# Sound is off: Debian's Bochs aborts in its ALSA plugin on machines
# without a sound card.  Bochs stops at its debugger prompt; the rc file continues, and quits when
# mica's emu_exit executes the magic breakpoint (xchg %bx,%bx).
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
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
printf 'c\nquit\n' > "$dir/rc"
: > "$log"
timeout --foreground -k 5 "$secs" bochs -q -f "$dir/bochsrc" -rc "$dir/rc" >"$dir/stdout" 2>&1
rc=$?
[ -n "${BOCHS_KEEP_LOG:-}" ] && cp "$dir/bochs.log" "$BOCHS_KEEP_LOG"
exit $rc
