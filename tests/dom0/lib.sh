# shellcheck shell=bash
# Helpers shared by the tests in tests/dom0/ (sourced by bash).

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
npass=0 nfail=0

pass() { echo "PASS  $1"; npass=$((npass + 1)); }
fail() { echo "FAIL  $1${2:+  ($2)}"; nfail=$((nfail + 1)); }

# check NAME COMMAND...: one verdict from a command's exit status.
check() {
    local name=$1; shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

# expect NAME FILE ERE: FILE has a line matching ERE.
expect() {
    if grep -Eq -- "$3" "$2"; then pass "$1"; else fail "$1" "no line matches /$3/ in $2"; fi
}

# summary: the last line every suite prints; the exit status says it too.
summary() {
    echo "$npass passed, $nfail failed"
    [ "$nfail" = 0 ]
}

# wait_for FILE ERE SECONDS PID: waits until FILE has a line matching ERE,
# PID has exited, or SECONDS have passed.  True if the line appeared.
wait_for() {
    local file=$1 re=$2 secs=$3 pid=$4 i
    for ((i = 0; i < secs * 4; i++)); do
        [ -f "$file" ] && tr -d '\r' < "$file" | grep -Eq -- "$re" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    [ -f "$file" ] && tr -d '\r' < "$file" | grep -Eq -- "$re"
}

# clean_log IN OUT: a serial log without carriage returns and the escape
# sequences GRUB and busybox's line editor send.
clean_log() {
    tr -d '\r' < "$1" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' > "$2"
}

# stop PID: ends a QEMU this test started, if it is still running.
stop() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# dom0_image: makes sure build/dom0/vmlinuz and build/dom0/initrd.gz exist
# (both scripts do nothing when their output is current).
dom0_image() {
    "$top/scripts/dom0-kernel.sh" || return 1
    [ -f "$top/build/dom0/initrd.gz" ] || DOM0_OVERLAY='' "$top/scripts/dom0-initrd.sh"
}
