# Defaults of the dom0 image, sourced by scripts/dom0-kernel.sh and
# tests/dom0/.  Override from the environment or the make command line:
#   make dom0 DOM0_KVER=6.1.0-57-amd64

# The Debian kernel package dom0 boots: linux-image-$DOM0_KVER.  This is the
# one place the version is pinned; `apt-cache policy linux-image-$DOM0_KVER`
# says whether the configured mirrors still carry it.
DOM0_KVER=${DOM0_KVER:-6.1.0-56-amd64}
