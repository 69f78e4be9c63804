# The QEMU guest's base disk: the lab's Debian tree as an ext4 image (made with `mkfs.ext4 -d`, so no loop
# mount and no device-mapper on this machine), with the kernel and initrd beside it. Cached outside the
# checkout, keyed by the tree's identity and by the customisation code below, built in a temp dir and
# renamed into place only when complete. Each guest boots a qcow2 overlay of it; the base is never written.
VM_IMAGE_SIZE=${VM_IMAGE_SIZE:-3G}
VM_MAC=52:54:00:fa:1c:01   # the guest NIC; networkd matches it, so the interface name does not matter

# The tree's identity: its path (the lab's tree path already carries a content key), its package set and
# its FalkorDB binaries; plus this file's customisation, so editing it rebuilds the image.
vm_image_key() {
  local tree=$1
  { realpath "$tree"
    sha256sum "$tree/var/lib/dpkg/status" | cut -c1-64
    find "$tree/opt" -type f -printf '%P %s %T@\n' 2>/dev/null | sort
    declare -f vm_customise; echo "$VM_IMAGE_SIZE $VM_MAC"; } | sha256sum | cut -c1-16
}

vm_image_dir() { echo "$LAB_CACHE/vm-base-$(vm_image_key "$1")"; }

# Prints the base image directory for TREE (root.img, vmlinuz, initrd.img), building it when missing.
vm_image_ensure() {
  local tree=$1 dest tmp t0
  [ -f "$tree/var/lib/dpkg/status" ] || vm_die "not a Debian tree: $tree"
  dest=$(vm_image_dir "$tree")
  if [ ! -f "$dest/root.img" ]; then
    t0=$(vm_now_ms)
    mkdir -p "$LAB_CACHE"
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
    cp "$tmp/stage/boot/vmlinuz-$kver" "$tmp/vmlinuz"
    cp "$tmp/stage/boot/initrd.img-$kver" "$tmp/initrd.img"
    mkfs.ext4 -q -F -L falkorctl-root -d "$tmp/stage" "$tmp/root.img" "$VM_IMAGE_SIZE" >&2 ||
      vm_die "mkfs.ext4 -d failed for the guest image"
    rm -rf "$tmp/stage"
    chmod 0444 "$tmp/root.img"
    mv -T "$tmp" "$dest"
    vm_log "guest base image ready in $(( ($(vm_now_ms) - t0) / 1000 )) s: $dest"
  fi
  echo "$dest"
}

# What a QEMU guest needs beyond the shared tree. Host identity is NOT baked in: each boot receives its
# host key and the lab's authorized key through QEMU's fw_cfg (files, never argv) before sshd starts.
vm_customise() {
  local t=$1
  rm -f "$t"/etc/ssh/ssh_host_*
  mkdir -p "$t/etc/ssh/sshd_config.d" "$t/etc/systemd/system/ssh.service.d" "$t/etc/systemd/network" "$t/usr/local/sbin"
  cat >"$t/etc/ssh/sshd_config.d/falkorctl-lab-vm.conf" <<'CONF'
# falkorctl lab guest: key-only root login, one ed25519 host key.
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
CONF
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
  # QEMU user networking: the guest is 10.0.2.15; a static address avoids waiting for DHCP. No gateway:
  # the guest is meant to reach nothing (and restrict=on enforces that on the QEMU side).
  cat >"$t/etc/systemd/network/10-falkorctl-lab.network" <<NET
[Match]
MACAddress=$VM_MAC

[Network]
Address=10.0.2.15/24
LinkLocalAddressing=no
IPv6AcceptRA=no
NET
  echo "/dev/vda / ext4 rw,errors=remount-ro 0 0" >"$t/etc/fstab"
  : >"$t/etc/machine-id"
  systemctl --root="$t" enable systemd-networkd.service ssh.service >/dev/null 2>&1
  # Timers and waits that only slow a TCG boot down; masking a unit that does not exist is harmless.
  systemctl --root="$t" mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer getty@tty1.service >/dev/null 2>&1
}
