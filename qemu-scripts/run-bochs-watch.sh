#!/bin/bash
# `make run-demo CPU=intel`: boots an ISO under Bochs (corei7_skylake_x:
# Intel VT-x with EPT) and shows its serial output on this terminal until
# mica says every domain has ended or stops, or Ctrl-C.  Bochs takes no
# serial input this way: the demo needs none.
# Usage: run-bochs-watch.sh MODEL ISO
set -u
model=$1 iso=$2
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"; kill $pid 2>/dev/null' EXIT
BOCHS_CPUS=${BOCHS_CPUS:-4} "$here/run-bochs.sh" "$model" "$iso" "$log" "${BOCHS_SECS:-600}" &
pid=$!
tail -n +1 -f --pid=$pid "$log" | tr -d '\r'
wait $pid
