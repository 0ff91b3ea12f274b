#!/bin/bash
# Boots an ISO under QEMU + OVMF (UEFI), through GRUB's EFI loader.
# Usage: run-ovmf.sh ISO SERIAL_LOG TIMEOUT_SECONDS [extra qemu args]
set -u
iso=$1 log=$2 secs=$3; shift 3
fw=""
for f in /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF.fd; do
    [ -f "$f" ] && { fw=$f; break; }
done
[ -n "$fw" ] || { echo "run-ovmf: OVMF.fd not found (package ovmf)" >&2; exit 125; }
exec timeout --foreground -k 5 "$secs" qemu-system-x86_64 -accel tcg -cpu EPYC \
    -m "${QEMU_MEM:-512}" -smp "${QEMU_SMP:-4}" -nodefaults -display none -no-reboot \
    -bios "$fw" -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -cdrom "$iso" -serial "file:$log" "$@" </dev/null
