# Shell functions shared by the scripts that make GRUB ISOs (sourced; POSIX
# sh).  boot/mkiso.sh can use them too: they hold its conventions.

# The top of every grub.cfg we generate: boot the first entry at once, and
# talk on COM1 (115200 8n1) as well as the screen.  menuentry_id_option is
# what grub-mkconfig's 00_header defines, so fragments made by /etc/grub.d
# scripts work unchanged.
iso_grub_header() {
    cat <<'CFG'
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
if [ x"${feature_menuentry_id}" = xy ]; then
    menuentry_id_option="--id"
else
    menuentry_id_option=""
fi
CFG
}

# iso_make DIR OUT.iso: a BIOS and UEFI bootable ISO of DIR, whose
# boot/grub/grub.cfg must exist.
iso_make() {
    grub-mkrescue -o "$2" "$1" >/dev/null 2>&1 && return 0
    echo "mkiso: grub-mkrescue failed (are grub-pc-bin, grub-efi-amd64-bin," \
         "xorriso and mtools installed?)" >&2
    return 1
}
