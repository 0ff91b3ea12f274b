#!/bin/bash
# `make test`: every suite in turn, then one summary line over all of them.
# Each suite ends with its own "N passed, N failed" line; a suite that
# dies without one counts as one failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
total_pass=0 total_fail=0 total_skip=0
mkdir -p build

suite() {
    local name=$1; shift
    local log=build/suite-$name.log
    echo "=== $name"
    "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    local line
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    if [ -z "$line" ]; then
        echo "$name: no summary line (exit $rc): counted as 1 failed"
        total_fail=$((total_fail + 1))
        return
    fi
    local p f s
    p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    s=$(echo "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+' || true)
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    total_skip=$((total_skip + ${s:-0}))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        echo "$name: exited $rc with no failure counted: counted as 1 failed"
        total_fail=$((total_fail + 1))
    fi
}

suite headers make --no-print-directory -C guest-abi check-headers
suite unit make --no-print-directory -C tests/unit run
suite dom0-tools make --no-print-directory -C dom0-tools test
suite dom0-image bash tests/dom0/run.sh
suite boot bash tests/run-boot-tests.sh

echo
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
