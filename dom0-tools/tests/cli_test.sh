#!/bin/sh
# Command-line tests of the xm and xend programs: exit codes, the streams
# messages go to, and that `xm create -n` output reads back unchanged.
#
# Usage: cli_test.sh BINDIR TESTSDIR
# Prints one line per check and, last, "cli: P passed, F failed".

bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "PASS: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

# expect NAME STATUS PATTERN STREAM -- COMMAND...
# Runs COMMAND; checks its exit status and that STREAM (out or err)
# contains the fixed string PATTERN (an empty pattern always matches).
expect() {
    name=$1 status=$2 pattern=$3 stream=$4
    shift 5
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$status" ]; then
        bad "$name (exit $rc, wanted $status)"
        sed 's/^/    /' "$tmp/err"
    elif [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$tmp/$stream"; then
        bad "$name ('$pattern' not in std$stream)"
        sed 's/^/    /' "$tmp/$stream"
    else
        ok "$name"
    fi
}

expect "xend --check accepts a full file" 0 "xend-full.sxp: OK" out -- \
    "$bin/xend" --check "$dir/data/xend-full.sxp"
expect "xend --check --show prints the settings" 0 "(xend-port 8080)" out -- \
    "$bin/xend" --check --show "$dir/data/xend-full.sxp"
expect "xend --check rejects a bad port" 1 \
    "xend-port: expected an integer 1..65535, got 'abc'" err -- \
    "$bin/xend" --check "$dir/bad-configs/xend-bad-port.sxp"
expect "xend --check warns about classic leftovers" 0 \
    "warning: 'vif-script' is a classic xend parameter" err -- \
    "$bin/xend" --check "$dir/data/xend-classic.sxp"
expect "xend --check without a file uses the defaults" 0 \
    "no such file; using the defaults" err -- \
    "$bin/xend" --check "$tmp/absent.sxp"
for f in hello.sxp spin.cfg; do
    expect "example $f reads" 0 "" out -- "$bin/xm" create -n "$dir/../examples/$f"
done
expect "example xend-config.sxp reads" 0 "OK (0 warnings)" out -- \
    "$bin/xend" --check "$dir/../examples/xend-config.sxp"
expect "xend --help" 0 "Usage: xend [-f]" out -- "$bin/xend" --help
expect "xend does not start with a bad configuration" 1 \
    "has errors; not starting" err -- \
    "$bin/xend" -f --config "$dir/bad-configs/xend-bad-port.sxp"
expect "xend rejects an unknown argument" 2 "unexpected argument" err -- \
    "$bin/xend" --frobnicate
XEND_UNIX_PATH=$tmp/no-such-socket
export XEND_UNIX_PATH
expect "xm info needs xend" 1 "Error: xend is not running" err -- \
    "$bin/xm" info
expect "xm shutdown needs xend" 1 "Error: xend is not running" err -- \
    "$bin/xm" shutdown web1
for c in "sched-credit" "sched-credit -d web1 -w 512" "vcpu-list" \
         "vcpu-pin web1 0 1" "rename web1 web2" "mem-max web1 512" \
         "mem-set web1 256" "vcpu-set web1 1" "top -b -i 1" "start web1" \
         "delete web1"; do
    # shellcheck disable=SC2086
    expect "xm $c needs xend" 1 "Error: xend is not running" err -- \
        "$bin/xm" $c
done
expect "xm new reads its configuration before asking xend" 1 \
    "Error: cannot read configuration file" err -- "$bin/xm" new "$tmp/absent"
expect "xm new needs xend" 1 "Error: xend is not running" err -- \
    "$bin/xm" new "$dir/data/web1.cfg"

expect "xm create -n prints SXP" 0 "(name web1)" out -- \
    "$bin/xm" create -n "$dir/data/web1.cfg"
"$bin/xm" create -n "$dir/data/web1.cfg" >"$tmp/a.sxp" 2>/dev/null
"$bin/xm" create -n "$dir/data/web1.sxp" >"$tmp/b.sxp" 2>/dev/null
"$bin/xm" create -n "$tmp/a.sxp" >"$tmp/c.sxp" 2>/dev/null
if cmp -s "$tmp/a.sxp" "$tmp/b.sxp" && cmp -s "$tmp/a.sxp" "$tmp/c.sxp" &&
   [ -s "$tmp/a.sxp" ]; then
    ok "xm create -n: both forms print the same SXP, which reads back"
else
    bad "xm create -n: both forms print the same SXP, which reads back"
fi
expect "xm create -n applies key=value" 0 "(memory 384)" out -- \
    "$bin/xm" create -n "$dir/data/web1.cfg" memory=384
expect "xm create -n checks key=value against the file" 1 \
    "maxmem: 512 MiB is less than memory (1024 MiB)" err -- \
    "$bin/xm" create -n "$dir/data/web1.cfg" memory=1024
expect "xm create -n reports a bad configuration" 1 \
    "cfg-vcpus-zero.cfg:3:9: vcpus: expected an integer 1..128, got 0" err \
    -- "$bin/xm" create -n "$dir/bad-configs/cfg-vcpus-zero.cfg"
expect "xm create without -n needs xend" 1 "Error: xend is not running" err \
    -- "$bin/xm" create "$dir/data/web1.cfg"
expect "xm list needs xend" 1 "Error: xend is not running" err -- \
    "$bin/xm" list
expect "xm pause checks its arguments" 1 \
    "Error: 'xm pause' requires 1 argument." err -- "$bin/xm" pause
expect "xm help list" 0 "Usage: xm list [options] [Domain, ...]" out -- \
    "$bin/xm" help list
expect "xm with no subcommand" 1 "Error: no subcommand given" err -- \
    "$bin/xm"

# xm console on a terminal (a pty, with a stand-in xend): raw while it
# runs, restored after Ctrl-] and after SIGTERM, typed bytes passed on.
if command -v python3 >/dev/null; then
    expect "xm console: raw terminal, input passed on, restored" 0 "" out \
        -- python3 "$dir/console_tty.py" "$bin/xm"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
