# The QEMU guest's base disk: the lab's Debian tree as an ext4 image (made with `mkfs.ext4 -d`, so no loop
# mount and no device-mapper on this machine), with the kernel and initrd beside it. Cached outside the
# checkout, keyed by the tree's identity and by the customisation code below, built in a temp dir and
# renamed into place only when complete. Each guest boots a qcow2 overlay of it; the base is never written.
VM_IMAGE_SIZE=${VM_IMAGE_SIZE:-3G}
VM_MAC=52:54:00:fa:1c:01   # the guest NIC; the guest finds it by this, so its interface name does not matter
# Modules udev would load for emulated hardware and CPU features the guest never uses (kvm, crypto
# accelerators, PS/2, floppy, IDE): each costs seconds of probing under TCG.
VM_MODULE_BLACKLIST=kvm,kvm_amd,kvm_intel,irqbypass,ccp,ghash_clmulni_intel,sha512_ssse3,sha256_ssse3,sha1_ssse3,aesni_intel,cfg80211,rfkill,pcspkr,evdev,serio_raw,psmouse,floppy,i2c_piix4,ata_piix,ata_generic,drm,efi_pstore,fuse
VM_CMDLINE="root=/dev/vda rw console=ttyS0 quiet systemd.show_status=false mitigations=off module_blacklist=$VM_MODULE_BLACKLIST"

# The tree's identity: its path (the lab's tree path already carries a content key), its package set and
# its FalkorDB binaries; plus this file's customisation, so editing it rebuilds the image.
vm_image_key() {
  local tree=$1
  { realpath "$tree"
    sha256sum "$tree/var/lib/dpkg/status" | cut -c1-64
    find "$tree/opt" -type f -printf '%P %s %T@\n' 2>/dev/null | sort
    declare -f vm_customise vm_small_initrd vm_pvh_kernel; echo "$VM_IMAGE_SIZE $VM_MAC"; } | sha256sum | cut -c1-16
}

vm_image_dir() { echo "$LAB_CACHE/vm-base-$(vm_image_key "$1")"; }

# Prints the base image directory for TREE (root.img, kernel, initrd.img), building it when missing.
vm_image_ensure() {
  local tree=$1 dest tmp t0
  [ -f "$tree/var/lib/dpkg/status" ] || vm_die "not a Debian tree: $tree"
  dest=$(vm_image_dir "$tree")
  mkdir -p "$LAB_CACHE"
  # The cache is shared by every LAB_DIR: one build (and one prune) at a time.
  exec 7>"$LAB_CACHE/.vm-image.lock"
  flock -w 600 7 || vm_die "another guest image build is still running (waited 10 min)"
  if [ ! -f "$dest/root.img" ]; then
    t0=$(vm_now_ms)
    rm -rf "$LAB_CACHE"/.vm-build-* 2>/dev/null || true   # a crashed earlier build
    tmp=$(mktemp -d "$LAB_CACHE/.vm-build-XXXXXX")
    vm_log "building the guest base image from $tree (once per tree)"
    # A private copy to customise: the tree itself is shared with the nspawn hosts and stays untouched.
    cp -a --reflink=auto "$tree" "$tmp/stage"
    vm_customise "$tmp/stage"
    local kver
    kver=$(ls "$tmp/stage/boot" | sed -n 's/^vmlinuz-//p' | sort -V | tail -1)
    [ -n "$kver" ] && [ -f "$tmp/stage/boot/initrd.img-$kver" ] ||
      vm_die "the tree has no kernel and initrd in /boot (needs linux-image-amd64 and initramfs-tools)"
    vm_small_initrd "$tmp/stage" "$kver" >>"$tmp/initrd.log" 2>&1 ||
      { tail -20 "$tmp/initrd.log" >&2; vm_die "mkinitramfs failed for the guest (log: $tmp/initrd.log)"; }
    vm_pvh_kernel "$tmp/stage/boot/vmlinuz-$kver" "$tmp/kernel"
    mv "$tmp/stage/boot/initrd-vm.img" "$tmp/initrd.img"
    mkfs.ext4 -q -F -L falkorctl-root -d "$tmp/stage" "$tmp/root.img" "$VM_IMAGE_SIZE" >/dev/null ||
      vm_die "mkfs.ext4 -d failed for the guest image"
    rm -rf "$tmp/stage"
    chmod 0444 "$tmp/root.img"
    mv -T "$tmp" "$dest"
    # Images of older trees or older customisations; a running guest keeps its open base file.
    find "$LAB_CACHE" -maxdepth 1 -name 'vm-base-*' ! -path "$dest" -exec rm -rf {} +
    vm_log "guest base image ready in $(( ($(vm_now_ms) - t0) / 1000 )) s: $dest"
  fi
  exec 7>&-
  echo "$dest"
}

# Debian's initrd carries most modules (≈40 MB); decompressing and probing them is slow under TCG. The guest
# needs only virtio and ext4 to find its root, so a listed-modules initrd is built in the staged copy.
vm_small_initrd() {
  local t=$1 kver=$2
  rm -rf "$t/etc/initramfs-tools-vm"
  cp -a "$t/etc/initramfs-tools" "$t/etc/initramfs-tools-vm"
  sed -i 's/^MODULES=.*/MODULES=list/' "$t/etc/initramfs-tools-vm/initramfs.conf"
  printf '%s\n' virtio_pci virtio_blk ext4 >"$t/etc/initramfs-tools-vm/modules"
  unshare --mount --propagation private -- sh -c '
    t=$1; shift
    mount -t proc proc "$t/proc" && mount -t sysfs sys "$t/sys" && mount --rbind /dev "$t/dev" &&
      exec chroot "$t" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
  ' vm_small_initrd "$t" mkinitramfs -d /etc/initramfs-tools-vm -o /boot/initrd-vm.img "$kver"
  rm -rf "$t/etc/initramfs-tools-vm"
}

# Debian's bzImage is xz-compressed, and decompressing 65 MB under TCG takes seconds on every boot. The
# kernel is built with PVH, so QEMU can start the uncompressed ELF directly; fall back to the bzImage if
# that cannot be extracted (another compressor, or no PVH entry note: Xen note type 0x12).
vm_pvh_kernel() {
  local bz=$1 out=$2 off
  off=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$bz" | head -1 | cut -d: -f1) || true
  if [ -n "$off" ] && command -v readelf >/dev/null; then
    # xz complains about the bytes after its stream (the bzImage trailer); the ELF check below decides.
    tail -c +$((off + 1)) "$bz" | xz -dc >"$out.elf" 2>/dev/null || true
    if readelf -n "$out.elf" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'; then
      mv "$out.elf" "$out"; return 0
    fi
  fi
  rm -f "$out.elf"
  cp "$bz" "$out"
}

# What a QEMU guest needs beyond the shared tree. Host identity is NOT baked in: each boot receives its
# host key and the lab's authorized key through QEMU's fw_cfg (files, never argv) before sshd starts.
vm_customise() {
  local t=$1
  rm -f "$t"/etc/ssh/ssh_host_*
  mkdir -p "$t/etc/ssh/sshd_config.d" "$t/etc/systemd/system/ssh.service.d" "$t/usr/local/sbin"
  # sshd policy (key-only root login, one ed25519 host key) comes with the lab's tree:
  # scripts/lab.d/rootfs.sh writes it once for the containers and this guest alike.
  [ -f "$t/etc/ssh/sshd_config.d/falkorctl-lab.conf" ] || vm_die "the lab tree has no sshd policy (etc/ssh/sshd_config.d/falkorctl-lab.conf)"
  cat >"$t/usr/local/sbin/falkorctl-lab-seed" <<'SEED'
#!/bin/sh
# Installs this guest's identity from QEMU fw_cfg: the host key the machine already trusts and the lab's
# authorized key. Without fw_cfg, a fresh ed25519 key (only ed25519: RSA generation is slow under TCG).
set -eu
modprobe qemu_fw_cfg 2>/dev/null || true
fw=/sys/firmware/qemu_fw_cfg/by_name/opt/falkorctl
umask 077
if [ -r "$fw/host_key/raw" ]; then
  cat "$fw/host_key/raw" >/etc/ssh/ssh_host_ed25519_key
  cat "$fw/host_key_pub/raw" >/etc/ssh/ssh_host_ed25519_key.pub
elif [ ! -s /etc/ssh/ssh_host_ed25519_key ]; then
  ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
fi
if [ -r "$fw/authorized_keys/raw" ]; then
  mkdir -p /root/.ssh
  cat "$fw/authorized_keys/raw" >/root/.ssh/authorized_keys
fi
SEED
  chmod 0755 "$t/usr/local/sbin/falkorctl-lab-seed"
  # The stock unit runs `sshd -t` first, which fails without host keys: reset the list, seed, then test.
  cat >"$t/etc/systemd/system/ssh.service.d/falkorctl-lab-seed.conf" <<'UNIT'
[Service]
ExecStartPre=
ExecStartPre=/usr/local/sbin/falkorctl-lab-seed
ExecStartPre=/usr/sbin/sshd -t
UNIT
  # QEMU user networking: the guest is 10.0.2.15 on the NIC with our MAC, whatever udev names it. Not
  # networkd: it holds network.target (and so ssh.service) back by a dozen seconds under TCG. No gateway:
  # the guest is meant to reach nothing (restrict=on enforces that on the QEMU side).
  cat >"$t/usr/local/sbin/falkorctl-lab-net" <<'NET'
#!/bin/sh
# The link goes up only once udev has processed the NIC (its db entry exists): a link that is up cannot
# be renamed, and the address survives the rename.
set -u
mac=$1; deadline=$(( $(date +%s) + 120 ))
find_by() {
  for d in /sys/class/net/*; do [ "$(cat "$d/$1" 2>/dev/null)" = "$2" ] && { echo "${d##*/}"; return 0; }; done
  return 1
}
# udev can still rename the NIC between our lookup and `ip` (eth0 -> ens3 seen once in CI): the whole step is
# retried, the name looked up again by ifindex each time, until the link is up with its address.
configure() {
  n=$(find_by address "$mac") && idx=$(cat "/sys/class/net/$n/ifindex") && [ -e "/run/udev/data/n$idx" ] &&
    n=$(find_by ifindex "$idx") && ip addr replace 10.0.2.15/24 dev "$n" 2>/dev/null &&
    ip link set dev "$n" up 2>/dev/null
}
until configure; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "no NIC with MAC $mac configured within 120 s" >&2; exit 1; }
  sleep 0.2
done
echo "$n ($mac): 10.0.2.15/24"
NET
  chmod 0755 "$t/usr/local/sbin/falkorctl-lab-net"
  cat >"$t/etc/systemd/system/falkorctl-lab-net.service" <<UNIT
[Unit]
Description=falkorctl lab guest address (QEMU user networking)
DefaultDependencies=no
Wants=systemd-udevd.service systemd-udev-trigger.service
After=systemd-udevd.service
Before=network.target ssh.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/falkorctl-lab-net $VM_MAC
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
UNIT
  echo "/dev/vda / ext4 rw,errors=remount-ro 0 0" >"$t/etc/fstab"
  : >"$t/etc/machine-id"
  systemctl --root="$t" enable ssh.service falkorctl-lab-net.service >/dev/null 2>&1
  # Timers and waits that only slow a TCG boot down; masking a unit that does not exist is harmless.
  # Under TCG every unit costs seconds; none of these matters to a storage guest.
  systemctl --root="$t" mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer getty@tty1.service \
    sys-kernel-tracing.mount sys-kernel-debug.mount dev-hugepages.mount dev-mqueue.mount \
    sys-fs-fuse-connections.mount sys-kernel-config.mount proc-sys-fs-binfmt_misc.automount \
    modprobe@drm.service modprobe@efi_pstore.service modprobe@fuse.service modprobe@configfs.service \
    systemd-binfmt.service systemd-update-utmp-runlevel.service systemd-network-generator.service \
    lvm2-monitor.service systemd-pstore.service systemd-networkd.service systemd-networkd.socket \
    systemd-remount-fs.service systemd-sysusers.service systemd-update-utmp.service systemd-journal-flush.service \
    >/dev/null 2>&1
}
