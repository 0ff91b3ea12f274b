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
# refused NAME PATTERN COMMAND...: OK when COMMAND fails with an
# "Error: ..." line on stderr that matches PATTERN (grep -E).
refused() {
    n=$1 pat=$2; shift 2
    out=$("$@" 2>&1) && { fail "$n" "'$*' succeeded: $out"; return; }
    echo "$out" | grep -Eq "^Error: .*$pat" && ok "$n" || fail "$n" "$out"
}
# The mica operation behind a command may not be there yet: then xm must
# say so (ENOSYS), and the check is skipped rather than passed.
enosys() { echo "$1" | grep -q "answers ENOSYS"; }
skip() { echo "CHECK-SKIP $1: $2"; }

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
(xend-http-server yes)
(xend-port 8000)
(enable-dump yes)
CFG
# The HTTP checks talk to xend over the loopback interface.
ifconfig lo 127.0.0.1 up 2>/dev/null || ip link set lo up
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
extra = "iters=forever"
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
# enable-dump: xend wrote its 16 MiB and what mica said, named as Xen did.
cid=$(xm domid crasher)
core=/var/lib/xen/dump/*-crasher.$cid.core
wait_for "[ -f $core.txt ]" 50
ls -l /var/lib/xen/dump
check dump-core sh -c "[ \$(stat -c %s $core) = 16777216 ] && [ \$(stat -c %a $core) = 600 ]"
check dump-text sh -c "grep -q 'crashed: triple fault' $core.txt && grep -q '^shutdown reason: crash' $core.txt"
rm -f /var/lib/xen/dump/*
check destroy-crashed xm destroy crasher

check pause xm pause spin
check paused-state [ "$(state spin | cut -c3)" = p ]
check unpause xm unpause spin
check unpaused-state [ "$(state spin | cut -c3)" = - ]

check domid [ "$(xm domid spin)" = "$(xm list | awk '$1 == "spin" { print $2 }')" ]
sid=$(xm domid spin)

# sched-credit: set, then read back, one domain and the table.
out=$(xm sched-credit -d spin -w 512 -c 50 2>&1); rc=$?
if [ $rc != 0 ] && enosys "$out"; then
    skip sched-credit "$out"
else
    one=$(xm sched-credit -d spin 2>&1)
    echo "$one"
    all=$(xm sched-credit 2>&1)
    echo "$all"
    [ $rc = 0 ] && [ "$one" = "{'cap': 50, 'weight': 512}" ] &&
        echo "$all" | grep -Eq "^spin +$sid +512 +50$" &&
        echo "$all" | head -1 | grep -Eq "^Name +ID Weight  Cap$" &&
        ok sched-credit || fail sched-credit "rc=$rc $out / $one / $all"
fi
refused sched-credit-bad "weight" xm sched-credit -d spin -w 0

# vcpu-pin, and vcpu-list to see it.
check vcpu-pin xm vcpu-pin spin 0 1-3
refused vcpu-pin-dom0-cpu "dom0's" xm vcpu-pin spin all 0
refused vcpu-pin-no-vcpu "no vCPU 3" xm vcpu-pin spin 3 1
out=$(xm vcpu-list spin 2>&1); rc=$?
echo "$out"
if [ $rc != 0 ] && enosys "$out"; then
    skip vcpu-list "$out"
else
    [ $rc = 0 ] && echo "$out" | head -1 | grep -Eq "^Name +ID +VCPU +CPU +State +Time\(s\) CPU Affinity$" &&
        echo "$out" | grep -Eq "^spin +$sid +0 +[1-3] +[r-][b-]- +[0-9]+\.[0-9] (1-3|any cpu)$" &&
        ok vcpu-list || fail vcpu-list "rc=$rc"
fi

# rename: in xend and in mica (its console names the domain).
check rename xm rename spin spun
check renamed sh -c "xm list | grep -q '^spun ' && ! xm list | grep -q '^spin ' && [ \$(xm domname $sid) = spun ]"
check renamed-in-mica sh -c "xm dmesg | grep -q 'd$sid (spun): renamed from spin'"
refused rename-taken "already exists" xm rename spun hello
refused rename-invalid "a space" xm rename spun "s p"
refused rename-dom0 "domain 0" xm rename 0 zero
check rename-back xm rename spun spin

# mem-max sets mica's maximum (top's MAXMEM shows mica's); mem-set the
# target xend keeps, shown by xm list.
check mem-max xm mem-max spin 32
check mem-max-shown sh -c "xm list -l spin | grep -q '(maxmem 32)' && xm top -b -i 1 | grep -Eq '^ +spin +[-a-z]{6} +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9.]+ +32768 '"
refused mem-max-below "below the memory target" xm mem-max spin 8
out=$(xm mem-set spin 8 2>&1); rc=$?
echo "$out"
[ $rc = 0 ] && echo "$out" | grep -Eq "holds [0-9]+ KiB" && [ "$(xm list | awk '$1 == "spin" { print $3 }')" = 8 ] &&
    ok mem-set || fail mem-set "rc=$rc $out"
refused mem-set-above "above the maximum" xm mem-set spin 64
check mem-set-back xm mem-set spin 16

# vcpu-set: no more than it was built with while it runs.
refused vcpu-set-more "greater than max vcpus" xm vcpu-set spin 2
check vcpu-set xm vcpu-set spin 1

# top: xentop's columns, batch mode, twice a second apart.
out=$(xm top -b -i 2 -d 1 2>&1); rc=$?
echo "$out"
[ $rc = 0 ] && [ "$(echo "$out" | grep -c '^ *NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS')" = 2 ] &&
    [ "$(echo "$out" | grep -Ec '^ +spin ')" = 2 ] && echo "$out" | grep -Eq '^  Domain-0 ' &&
    [ "$(echo "$out" | awk '$1 == "spin" && $4 >= 0 && $4 <= 120 && $6 > 0 && $6 < 100 && $7 == 32768' | wc -l)" = 2 ] &&
    ok top || fail top "rc=$rc"

# The HTTP server: read-only JSON. Through nc: Debian's static busybox
# wget crashes (glibc's getaddrinfo in a static binary).
http() { printf '%s %s HTTP/1.0\r\nHost: dom0\r\n\r\n' "$1" "$2" | timeout 5 nc 127.0.0.1 8000; }
# http_ok PATH PATTERN: 200, a Content-Length that matches the body, and
# PATTERN (grep) in the body.
http_ok() {
    resp=$(http GET "$1") || return 1
    body=$(printf '%s\n' "$resp" | sed '1,/^\r$/d')
    len=$(printf '%s\n' "$resp" | sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p')
    printf '%s\n' "$resp" | head -1 | grep -q '^HTTP/1.1 200 OK' &&
        [ "$len" = "$(printf '%s\n' "$body" | wc -c)" ] && printf '%s\n' "$body" | grep -q "$2"
}
http GET /xend/domain/spin
check http-node http_ok /xend/node '"nr_cpus": [1-9]'
check http-domains http_ok /xend/domain "\"name\": \"spin\", \"domid\": $sid,"
check http-domain http_ok /xend/domain/spin '"config": "(vm (name spin) '
http_status() { [ "$(http "$1" "$2" | head -1 | tr -d '\r')" = "$3" ]; }
check http-404 http_status GET /xend/nothing "HTTP/1.1 404 Not Found"
check http-405 http_status POST /xend/node "HTTP/1.1 405 Method Not Allowed"

# A managed domain: kept while stopped, across an xend restart.
cat > /etc/xen/managed.cfg <<'CFG'
name = "managed"
memory = 16
kernel = "/usr/lib/mica/hello.elf"
extra = "managed"
on_poweroff = "destroy"
CFG
check new xm new managed.cfg
check new-listed sh -c "xm list | grep -Eq '^managed +16 +1 +------ +0\.0$' && [ -f /var/lib/xend/domains/managed/config.sxp ]"
check new-json sh -c 'xm list --json | grep -q "\"name\": \"managed\", \"domid\": null"'
refused new-twice "already exists" xm new managed.cfg
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
check managed-after-restart sh -c "xm list | grep -Eq '^managed +16 +1 +------ +0\.0$'"

# start runs it; on_poweroff=destroy brings it back to stopped, still
# listed; delete forgets it.
check start xm start managed
check started wait_for 'xm dmesg | grep -q "(managed): shut down: poweroff"' 100
check halted-again wait_for "xm list | grep -Eq '^managed +16 +1 +------ +0\.0$'" 50
refused start-running-hello "not managed" xm start hello
refused delete-unmanaged "not managed" xm delete spin
check delete xm delete managed
check deleted sh -c "! xm list | grep -q '^managed ' && [ ! -e /var/lib/xend/domains/managed ]"

out=$(xm shutdown -w spin); rc=$?
echo "$out"
check shutdown-wait [ $rc = 0 ]
check shutdown-destroyed [ -z "$(state spin)" ]
check destroy xm destroy hello
check destroyed [ -z "$(state hello)" ]
out=$(xm destroy hello 2>&1) && fail destroy-absent "succeeded" ||
    { echo "$out" | grep -q "^Error: Domain 'hello' does not exist" && ok destroy-absent ||
      fail destroy-absent "$out"; }
# Console input: xm console passes what it reads to the guest's console
# ring (console_write); hello with echo=1 prints each line back and
# powers off at "quit" (on_poweroff=destroy), which ends xm console.
cat > /etc/xen/echo.sxp <<'CFG'
(vm (name echo) (memory 16) (on_poweroff destroy)
    (image (pvh (kernel /usr/lib/mica/hello.elf) (args "echo=1"))))
CFG
check create-echo xm create echo.sxp
out=$(printf 'ping\nquit\n' | timeout 30 xm console echo 2>&1); rc=$?
echo "$out"
[ $rc = 0 ] && echo "$out" | grep -q "echo: ping" && echo "$out" | grep -q "echo: quit" &&
    echo "$out" | grep -q "Test result: SUCCESS" && ok console-input || fail console-input "rc=$rc"
check console-input-gone wait_for '[ -z "$(state echo)" ]' 50
xm destroy echo >/dev/null 2>&1
# vcpu-pin on a managed domain that is not running: kept in its
# configuration's cpus, shown by vcpu-list (no ID, vCPUs down), applied
# when it starts.
cat > /etc/xen/pinned.cfg <<'CFG'
name = "pinned"
memory = 16
vcpus = 2
maxvcpus = 4
kernel = "/usr/lib/mica/spin.elf"
extra = "iters=forever"
CFG
check pin-new xm new pinned.cfg
check pin-stopped xm vcpu-pin pinned 1 2-3
check pin-stopped-config grep -q "(cpus (all 2-3))" /var/lib/xend/domains/pinned/config.sxp
refused pin-stopped-dom0-cpu "dom0's" xm vcpu-pin pinned all 0
refused pin-stopped-no-vcpu "no vCPU 4" xm vcpu-pin pinned 4 1
out=$(xm vcpu-list pinned 2>&1); echo "$out"
echo "$out" | grep -Eq "^pinned +0 +- +--p +0\.0 any cpu$" && echo "$out" | grep -Eq "^pinned +1 +- +--p +0\.0 2-3$" &&
    ok pin-stopped-listed || fail pin-stopped-listed "$out"
check pin-start xm start pinned
out=$(xm vcpu-list pinned 2>&1); echo "$out"
echo "$out" | grep -Eq "^pinned +[0-9]+ +1 +[-0-9]+ +[-rbp]{3} +[0-9.]+ 2-3$" &&
    ok pin-applied || fail pin-applied "$out"
# vcpu-set above what it runs with, up to maxvcpus: mica adds vCPUs,
# down (domain_set_vcpus), for the guest to bring up.
out=$(xm vcpu-set pinned 3 2>&1); rc=$?
echo "$out"
[ $rc = 0 ] && [ "$(xm vcpu-list pinned | grep -Ec '^pinned +[0-9]+ ')" = 3 ] &&
    xm vcpu-list pinned | grep -Eq "^pinned +[0-9]+ +2 +- +--p +[0-9.]+ (1-3|any cpu)$" &&
    ok vcpu-set-grow || fail vcpu-set-grow "rc=$rc $out"
refused vcpu-set-past-max "greater than max vcpus" xm vcpu-set pinned 5
xm destroy pinned
check pin-delete xm delete pinned

xm list
check xend-stop /etc/init.d/xend stop
echo "CHECKS DONE"
