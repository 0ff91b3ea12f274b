# Build configuration.  Override on the command line: make DEBUG=y V=1
CC       ?= gcc
LD       := ld
OBJCOPY  := objcopy
NM       := nm
DEBUG    ?= n
V        ?= 0
BUILD    ?= $(CURDIR)/build

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN     := -Wall -Wextra -Werror
