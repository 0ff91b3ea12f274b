#!/bin/bash
# The dom0 suite: the dom0 image on bare QEMU, the ISO of `make iso`, and
# the /etc/grub.d script; one summary line over all three.
set -u
here=$(cd "$(dirname "$0")" && pwd)
logs=$here/../../build/dom0
mkdir -p "$logs"
p=0 f=0
for t in test-bare-kernel test-mkiso test-grub-d; do
    bash "$here/$t.sh" 2>&1 | tee "$logs/$t.out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$t.out" | tail -1)
    if [ -z "$line" ]; then
        echo "FAIL  $t ended without a summary line"
        f=$((f + 1))
        continue
    fi
    p=$((p + ${line%% *}))
    n=${line#*, }
    f=$((f + ${n%% *}))
done
echo "dom0: $p passed, $f failed"
[ $f = 0 ]
