# mica: the two commands a user needs are `make run` and `make test`.
#
#   make            build the hypervisor (build/mica.elf, build/mica32.elf),
#                   the test guests and the dom0 tools
#   make dom0       Debian's kernel and a busybox initramfs for dom0
#   make iso        build/mica.iso: a BIOS+UEFI GRUB ISO with mica and dom0
#   make run        boot that ISO under QEMU: the demo guests, then dom0's
#                   root shell
#   make run-demo   boot mica with demo guests and no dom0 (CPU=intel:
#                   under Bochs with Intel VT-x)
#   make install    mica, its GRUB script and the dom0 tools (DESTDIR, PREFIX)
#   make test       unit tests, header checks and boot tests on every
#                   platform; ends with "N passed, N failed"
#   make deps       install missing Debian packages (make run/test do it)
#   V=1             show full commands
SHELL := /bin/bash
include config.mk
# Sub-makes run quietly (their own "  CC file" lines) unless V=1.
SILENT := $(if $(filter 1,$(V)),,-s)

GUESTS := hello triple-fault isolation spin fpu xenver memop pvclock hvmparam timer evtchn pingpong bench smp-guest sched schedctl domains fuzz usermode gnttab badinsn
GUEST_ELFS := $(GUESTS:%=build/tests/%.elf)

all: hypervisor guests dom0-tools

deps:
	@sh scripts/deps.sh

hypervisor:
	@$(MAKE) $(SILENT) --no-print-directory -C hypervisor

guests: hypervisor
	@for g in $(GUESTS); do $(MAKE) $(SILENT) --no-print-directory -C tests/$$g || exit 1; done

dom0-tools:
	@$(MAKE) --no-print-directory -C dom0-tools all

# dom0: Debian's stock kernel (version pinned in boot/dom0/defaults.sh,
# DOM0_KVER=... overrides it) and a busybox initramfs with the dom0 tools;
# DOM0_OVERLAY=DIR is copied over dom0's root file system.  docs/dom0.md.
DOM0_KVER    ?=
DOM0_OVERLAY ?=
DOM0_ARGS    ?= console=ttyS0,115200
# Boot-time guests on the ISO, next to dom0: by default the demo's (below),
# whose output dom0 shows when its init starts; ISO_MODULES= for none.
ISO_MODULES  ?= $(DEMO_MODULES)
PREFIX       ?= /usr/local
MICA_ARGS    ?= console=com1 loglvl=info
export DOM0_KVER DOM0_OVERLAY

dom0: dom0-tools
	@scripts/dom0-kernel.sh
	@scripts/dom0-initrd.sh

# The ISO `make run` boots: mica, dom0 and ISO_MODULES (boot-time guests).
iso: build/mica.iso
build/mica.iso: hypervisor guests dom0 scripts/mkiso-dom0.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso-dom0.sh $@ "$(MICA_ARGS)" build/dom0/vmlinuz "$(DOM0_ARGS)" build/dom0/initrd.gz $(ISO_MODULES)

# The demo guests: one that says hello, two that compute side by side on
# different CPUs, and one that triple-faults on purpose while the others
# carry on.  `make run-demo` boots them without dom0, `make run` with it.
DEMO_MODULES := build/tests/hello.elf:name=hello \
                "build/tests/spin.elf:name=spin-a -- iters=30000000" \
                "build/tests/spin.elf:name=spin-b -- iters=30000000" \
                build/tests/triple-fault.elf:name=crasher

demo-iso: build/demo.iso
build/demo.iso: hypervisor guests boot/mkiso.sh
	@echo "  ISO     $@"
	$(Q)boot/mkiso.sh $@ "$(MICA_ARGS)" $(DEMO_MODULES)

install: hypervisor dom0-tools
	@DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" scripts/install.sh

run: deps
	@$(MAKE) --no-print-directory iso
	@echo "Booting mica and dom0 under QEMU (TCG, -cpu EPYC, 4 CPUs, 1 GiB)."
	@echo "dom0's root shell appears on this terminal.  Quit QEMU with Ctrl-a x."
	@QEMU_MEM=1024 qemu-scripts/run-interactive.sh build/mica.iso

# CPU=intel boots the demo under Bochs's corei7_skylake_x (VT-x with EPT),
# as QEMU's TCG emulates AMD-V only.
CPU ?= amd
run-demo: deps
	@$(MAKE) --no-print-directory demo-iso
ifeq ($(CPU),intel)
	@echo "Booting mica with demo guests, no dom0, under Bochs (Intel VT-x, 4 CPUs).  Ctrl-C stops it."
	@qemu-scripts/run-bochs-watch.sh corei7_skylake_x build/demo.iso
else
	@echo "Booting mica with demo guests, no dom0.  Quit QEMU with Ctrl-a x."
	@qemu-scripts/run-interactive.sh build/demo.iso
endif

test: deps
	@$(MAKE) --no-print-directory all dom0
	@bash tests/run-all.sh

# Deterministic figures under -icount (docs/performance.md); prints numbers.
bench: deps
	@$(MAKE) --no-print-directory all dom0
	@bash scripts/bench.sh

check-headers:
	@$(MAKE) --no-print-directory -C guest-abi check-headers

unit:
	@$(MAKE) --no-print-directory -C tests/unit run

boot-tests: hypervisor guests
	@bash tests/run-boot-tests.sh

clean:
	rm -rf build
	@$(MAKE) --no-print-directory -C guest-abi clean >/dev/null

.PHONY: all deps hypervisor guests dom0-tools dom0 iso demo-iso install run run-demo test bench \
        check-headers unit boot-tests clean
