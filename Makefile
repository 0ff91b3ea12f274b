# mica: the two commands a user needs are `make run` and `make test`.
#
#   make            build the hypervisor (build/mica.elf, build/mica32.elf),
#                   the test guests and the dom0 tools
#   make iso        build/mica.iso: a BIOS+UEFI GRUB ISO with demo guests
#   make run        boot that ISO under QEMU (serial on this terminal)
#   make test       unit tests, header checks and boot tests on every
#                   platform; ends with "N passed, N failed"
#   make deps       install missing Debian packages (make run/test do it)
#   V=1             show full commands
SHELL := /bin/bash
include config.mk

GUESTS := hello triple-fault isolation spin fpu
GUEST_ELFS := $(GUESTS:%=build/tests/%.elf)

all: hypervisor guests dom0-tools

deps:
	@sh scripts/deps.sh

hypervisor:
	@$(MAKE) -s --no-print-directory -C hypervisor

guests: hypervisor
	@for g in $(GUESTS); do $(MAKE) -s --no-print-directory -C tests/$$g || exit 1; done

dom0-tools:
	@$(MAKE) --no-print-directory -C dom0-tools all

# The demo: a guest that says hello, two that compute side by side on
# different CPUs, and one that triple-faults on purpose while the others
# carry on.
DEMO_MODULES := build/tests/hello.elf:name=hello \
                "build/tests/spin.elf:name=spin-a -- iters=30000000" \
                "build/tests/spin.elf:name=spin-b -- iters=30000000" \
                build/tests/triple-fault.elf:name=crasher

iso: build/mica.iso
build/mica.iso: hypervisor guests boot/mkiso.sh
	@echo "  ISO     $@"
	$(Q)boot/mkiso.sh $@ "$(MICA_ARGS)" $(DEMO_MODULES)

MICA_ARGS ?= console=com1 loglvl=info

run: deps
	@$(MAKE) --no-print-directory iso
	@echo "Booting mica under QEMU (TCG, -cpu EPYC, 4 CPUs).  Quit with Ctrl-a x."
	@qemu-scripts/run-interactive.sh build/mica.iso

test: deps
	@$(MAKE) --no-print-directory all
	@bash tests/run-all.sh

check-headers:
	@$(MAKE) --no-print-directory -C guest-abi check-headers

unit:
	@$(MAKE) --no-print-directory -C tests/unit run

boot-tests: hypervisor guests
	@bash tests/run-boot-tests.sh

clean:
	rm -rf build
	@$(MAKE) --no-print-directory -C guest-abi clean >/dev/null

.PHONY: all deps hypervisor guests dom0-tools iso run test check-headers unit boot-tests clean
