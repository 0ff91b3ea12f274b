#!/bin/sh
# Runs every dom0-tools test: the command-line tests, then the Check unit
# tests (whose summary line comes last but one), then one line that adds
# them up. Exits non-zero if anything failed.
#
# Usage: run-tests.sh BINDIR TESTSDIR

bin=$1
dir=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT

sh "$dir/cli_test.sh" "$bin" "$dir" >"$log" 2>&1
cli_status=$?
# Show failures in full but keep a passing run short.
grep -v '^PASS: ' "$log"
cli_pass=$(sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log")
cli_fail=$(sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log")
if [ -z "$cli_pass" ]; then
    cli_pass=0
    cli_fail=1
fi

"$bin/check_dom0" >"$log" 2>&1
check_status=$?
cat "$log"
line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' \
       "$log" | tail -n 1)
checks=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\),.*/\1/p')
failures=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\),.*/\1/p')
errors=$(echo "$line" | sed -n 's/.*Errors: \([0-9]*\).*/\1/p')
if [ -z "$checks" ]; then
    # The runner died before its summary: count that as one failure.
    checks=0 failures=1 errors=0
fi

# A Check test that could not run here prints "SKIP: why" and returns: it
# counts as skipped, not passed.
skipped=$(grep -c '^SKIP: ' "$log")
passed=$((cli_pass + checks - failures - errors - skipped))
failed=$((cli_fail + failures + errors))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$cli_status" -eq 0 ] && [ "$check_status" -eq 0 ]
