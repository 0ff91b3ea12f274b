# Builds one test guest: tests/$(NAME)/*.c with the guest runtime, as a
# 32-bit PVH ELF kernel, into build/tests/$(NAME).elf.
TOP   := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
include $(TOP)/config.mk
OUT   := $(TOP)/build/tests
OBJD  := $(OUT)/obj/$(NAME)
GCFLAGS := -m32 -march=i686 -std=c11 -ffreestanding -fno-pic -fno-pie \
           -fno-stack-protector -mno-sse -mno-mmx -mno-80387 -O2 -g $(WARN) \
           -fno-asynchronous-unwind-tables \
           -I$(TOP)/tests/lib -I$(TOP)/hypervisor/include -I$(TOP)/guest-abi/include
LIBSRC := $(TOP)/tests/lib/head.S $(TOP)/tests/lib/guest.c $(TOP)/tests/lib/pvclock.c \
          $(TOP)/tests/lib/events.c $(TOP)/tests/lib/events_entry.S \
          $(TOP)/hypervisor/common/vsprintf.c $(TOP)/hypervisor/common/string.c
SRCS  := $(wildcard $(CURDIR)/*.c) $(LIBSRC)
OBJS  := $(foreach s,$(SRCS),$(OBJD)/$(notdir $(basename $(s))).o)

vpath %.c $(CURDIR) $(TOP)/tests/lib $(TOP)/hypervisor/common
vpath %.S $(TOP)/tests/lib

$(OUT)/$(NAME).elf: $(OBJS) $(TOP)/tests/lib/guest.ld
	@echo "  LD      tests/$(NAME).elf"
	$(Q)$(LD) -m elf_i386 -nostdlib -T $(TOP)/tests/lib/guest.ld -z noexecstack \
	    --no-warn-rwx-segments -o $@ $(OBJS)

$(OBJD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      tests/$(NAME)/$(notdir $<)"
	$(Q)$(CC) $(GCFLAGS) -MMD -MP -c -o $@ $<

$(OBJD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(GCFLAGS) -D__ASSEMBLER__ -c -o $@ $<

-include $(OBJS:.o=.d)
