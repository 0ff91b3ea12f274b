#!/bin/bash
# `make run`: boots an ISO under QEMU TCG with the serial console (and
# QEMU's monitor, behind Ctrl-a c) on this terminal.  Quit with Ctrl-a x.
# QEMU warns about each EPYC feature TCG lacks; those lines are dropped.
iso=${1:-build/mica.iso}
exec 2> >(grep --line-buffered -v "TCG doesn't support requested feature" >&2)
exec qemu-system-x86_64 -accel tcg -cpu EPYC -m "${QEMU_MEM:-512}" \
    -smp "${QEMU_SMP:-4}" -nodefaults -display none -no-reboot \
    -serial mon:stdio -cdrom "$iso" -boot d
