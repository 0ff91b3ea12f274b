#!/bin/sh
# dom0 system test of the toolstack: xend started by its init script, two
# guests created by xm from /etc/xen (one SXP, one classic .cfg), and the
# everyday commands on them. Each check prints "CHECK-OK name" or
# "CHECK-FAIL name: why"; tests/boot-tests.cfg expects the OK lines.
# The guests (build/tests/{hello,spin}.elf) and the init script come into
# dom0 through the row's dom0_files.
ok() { echo "CHECK-OK $1"; }
fail() { echo "CHECK-FAIL $1: $2"; }
# check NAME COMMAND...: OK when COMMAND succeeds.
check() { n=$1; shift; if "$@"; then ok "$n"; else fail "$n" "'$*' failed"; fi; }

# The state column of `xm list` for domain $1 (empty when it is absent).
state() { xm list 2>/dev/null | awk -v n="$1" '$1 == n { print $5 }'; }
# Waits up to $2 tenths of a second for `cmd` to succeed.
wait_for() { i=0; while ! eval "$1"; do i=$((i + 1)); [ $i -ge "$2" ] && return 1; sleep 0.1; done; }

mkdir -p /etc/xen
cat > /etc/xen/xend-config.sxp <<'CFG'
# xend for the system test.
(logfile /var/log/xend.log)
(loglevel DEBUG)
(xend-unix-server yes)
(xend-unix-path /var/lib/xend/xend-socket)
(console-limit 64)
CFG
cat > /etc/xen/hello <<'CFG'
(vm (name hello) (memory 16) (vcpus 1)
    (on_poweroff preserve) (on_reboot restart) (on_crash preserve)
    (image (pvh (kernel /usr/lib/mica/hello.elf) (args "expect_mem=16"))))
CFG
cat > /etc/xen/spin.cfg <<'CFG'
# A guest that computes for a long while: pause, reboot and shutdown it.
name = "spin"
memory = 16
vcpus = 1
kernel = "/usr/lib/mica/spin.elf"
extra = "iters=4000000000"
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "preserve"
CFG

out=$(/etc/init.d/xend start 2>&1); rc=$?
echo "$out"
check xend-start [ $rc = 0 ]
check xend-status /etc/init.d/xend status
check socket-root-only [ "$(stat -c %a /var/lib/xend/xend-socket)" = 600 ]

check create-sxp xm create hello
check create-cfg xm create spin.cfg
out=$(xm create hello 2>&1) && fail create-twice "a second hello was created" ||
    { echo "$out" | grep -q "^Error: .*already exists" && ok create-twice ||
      fail create-twice "$out"; }
xm list
check list-shows-both sh -c 'xm list | grep -q "^hello " && xm list | grep -q "^spin "'
check list-json sh -c 'xm list --json | grep -q "\"name\": *\"spin\""'
check list-long sh -c 'xm list -l spin | grep -q "(kernel /usr/lib/mica/spin.elf)"'

# hello prints, passes its own checks and powers off; on_poweroff=preserve
# keeps it, stopped, with its console.
check hello-stopped wait_for '[ "$(state hello | cut -c4)" = s ]' 100
out=$(timeout 3 xm console hello 2>&1)
echo "$out"
echo "$out" | grep -q "Hello from a mica guest" && echo "$out" | grep -q "Test result: SUCCESS" &&
    ok console || fail console "no guest output"

# create -c: the console from the first byte, and xm leaves when the
# domain goes (on_poweroff=destroy).
cat > /etc/xen/hello2.sxp <<'CFG'
(vm (name hello2) (memory 16) (on_poweroff destroy)
    (image (pvh (kernel /usr/lib/mica/hello.elf) (args "second"))))
CFG
out=$(timeout 20 xm create -c hello2.sxp 2>&1); rc=$?
echo "$out"
[ $rc = 0 ] && echo "$out" | grep -q "cmdline 'second'" && echo "$out" | grep -q "Test result: SUCCESS" &&
    ok create-console || fail create-console "rc=$rc"
check destroyed-on-poweroff [ -z "$(state hello2)" ]

# A guest that triple-faults, kept by on_crash=preserve: state c.
cat > /etc/xen/crasher.cfg <<'CFG'
name = "crasher"
memory = 16
kernel = "/usr/lib/mica/triple-fault.elf"
on_crash = "preserve"
CFG
check create-crasher xm create crasher.cfg
check crashed-state wait_for '[ "$(state crasher | cut -c5)" = c ]' 100
check destroy-crashed xm destroy crasher

check pause xm pause spin
check paused-state [ "$(state spin | cut -c3)" = p ]
check unpause xm unpause spin
check unpaused-state [ "$(state spin | cut -c3)" = - ]

check domid [ "$(xm domid spin)" = "$(xm list | awk '$1 == "spin" { print $2 }')" ]
check domname [ "$(xm domname "$(xm domid spin)")" = spin ]
check uptime sh -c 'xm uptime | grep -q "^spin "'
out=$(xm info); echo "$out"
echo "$out" | grep -q "^nr_cpus *: [1-9]" && echo "$out" | grep -q "^console-limit *: 64" &&
    ok info || fail info "$out"
check dmesg sh -c 'xm dmesg | grep -q "created by the toolstack"'
check log sh -c 'xm log | grep -q "created domain spin"'

# on_reboot=restart: spin comes back under a new id.
old=$(xm domid spin)
check reboot xm reboot -w spin
check restarted wait_for '[ -n "$(xm domid spin 2>/dev/null)" ] && [ "$(xm domid spin)" != "$old" ]' 50

# xend restarted finds both domains again and still acts on them.
check xend-restart /etc/init.d/xend restart
check rediscovered sh -c 'xm list | grep -q "^hello " && xm list | grep -q "^spin "'
check console-after-restart sh -c 'timeout 3 xm console hello | grep -q "Hello from a mica guest"'

out=$(xm shutdown -w spin); rc=$?
echo "$out"
check shutdown-wait [ $rc = 0 ]
check shutdown-destroyed [ -z "$(state spin)" ]
check destroy xm destroy hello
check destroyed [ -z "$(state hello)" ]
out=$(xm destroy hello 2>&1) && fail destroy-absent "succeeded" ||
    { echo "$out" | grep -q "^Error: Domain 'hello' does not exist" && ok destroy-absent ||
      fail destroy-absent "$out"; }
xm list
check xend-stop /etc/init.d/xend stop
echo "CHECKS DONE"
