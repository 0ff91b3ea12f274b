#!/bin/bash
# Boots an ISO under QEMU TCG with an AMD CPU that has SVM and nested paging.
# Usage: run-qemu.sh ISO SERIAL_LOG TIMEOUT_SECONDS [extra qemu args]
# An empty ISO boots from the extra arguments (e.g. -kernel) instead.
# The serial port goes to SERIAL_LOG; mica's emu_exit option ends QEMU
# through isa-debug-exit.
set -u
iso=$1 log=$2 secs=$3; shift 3
exec timeout --foreground -k 5 "$secs" qemu-system-x86_64 -accel tcg -cpu EPYC \
    -m "${QEMU_MEM:-512}" -smp "${QEMU_SMP:-4}" -nodefaults -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=4 \
    ${iso:+-cdrom "$iso" -boot d} -serial "file:$log" "$@" </dev/null
