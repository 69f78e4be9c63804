# One lab host: an overlay of the cached tree (nothing copied), its own ed25519 host key, the lab's
# authorized key, for database hosts a sparse disk on a loop device, and systemd-nspawn booting it
# with real systemd as PID 1 inside the host's network namespace.

host_prepare() {
  local name=$1 rootfs=$2 d; d=$(host_dir "$1")
  mkdir -p "$d/upper" "$d/work" "$d/root"
  findmnt -rn "$d/root" >/dev/null ||
    mount -t overlay "lab-$name" -o "lowerdir=$rootfs,upperdir=$d/upper,workdir=$d/work" "$d/root"
  local r="$d/root" h
  echo "$name" >"$r/etc/hostname"
  { echo "127.0.0.1 localhost"; echo "127.0.1.1 $name"
    for h in $(lab_hosts); do echo "$(host_addr "$h") $h"; done; } >"$r/etc/hosts"
  if [ ! -s "$r/etc/ssh/ssh_host_ed25519_key" ]; then
    ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$r/etc/ssh/ssh_host_ed25519_key"
  fi
  install -d -m 0700 "$r/root/.ssh"
  install -m 0600 "$LAB_DIR/id_ed25519.pub" "$r/root/.ssh/authorized_keys"
  if is_db_host "$name"; then
    [ -f "$d/disk.img" ] || truncate -s "$LAB_DISK_SIZE" "$d/disk.img"
    [ -s "$d/loop" ] && losetup "$(cat "$d/loop")" 2>/dev/null | grep -q "$d/disk.img" ||
      losetup --find --show "$d/disk.img" >"$d/loop"
  fi
}

# Each host gets its own cgroup to boot in. Without it every container's systemd shares nspawn's
# (the root) and they remove each other's unit cgroups: units fail at random with 219/CGROUP.
lab_cgroup_roots() {
  if [ -e /sys/fs/cgroup/cgroup.controllers ]; then echo "/sys/fs/cgroup/$LAB_CGROUP"
  else for h in systemd unified; do [ -d "/sys/fs/cgroup/$h" ] && echo "/sys/fs/cgroup/$h/$LAB_CGROUP"; done; fi
  true
}

host_cgroup_enter() {
  local root
  for root in $(lab_cgroup_roots); do
    mkdir -p "$root/$1" && echo "$BASHPID" >"$root/$1/cgroup.procs"
  done
}

host_start() {
  local name=$1 d; d=$(host_dir "$1")
  local args=(--quiet --register=no --keep-unit --boot -D "$d/root" --machine="$name"
    --network-namespace-path="/run/netns/$LAB_NS_PREFIX$name" --console=passive
    --resolv-conf=off --timezone=off --link-journal=no)
  if is_db_host "$name"; then
    # What a loop disk needs inside: the device node and the capabilities to format and mount it.
    # (A DeviceAllow= property would be ignored: without machined there is no scope to set it on.)
    args+=(--bind="$(cat "$d/loop")" --capability=all)
  else
    # `falkorctl firewall apply` loads nftables tables: the other hosts need that one capability too.
    args+=(--capability=CAP_NET_ADMIN)
  fi
  # fd 9 is the lab lock: the host must not hold it after `up` returns.
  ( host_cgroup_enter "$name" && exec setsid systemd-nspawn "${args[@]}" ) >"$d/console.log" 2>&1 </dev/null 9>&- &
  echo $! >"$d/nspawn.pid"
}

host_nspawn_pid() {
  local f; f="$(host_dir "$1")/nspawn.pid"
  [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

# The container's PID 1 (its systemd), seen from this machine: a descendant of nspawn whose pid is 1
# in its own pid namespace. Commands must enter *its* namespaces, not nspawn's.
host_init_pid() {
  local np p s; np=$(host_nspawn_pid "$1") || return 1
  for p in $(pgrep -P "$np"); do
    s=$(awk '/^NSpid:/{print $NF}' "/proc/$p/status" 2>/dev/null)
    # Until it has exec'd systemd it is still nspawn setting up the container's mounts.
    [ "$s" = 1 ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] && { echo "$p"; return 0; }
  done
  return 1
}

host_exec() {
  local name=$1 pid; shift
  pid=$(host_init_pid "$name") || die "host $name is not running (scripts/lab up)"
  nsenter -t "$pid" -a -r -w -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    TERM="${TERM:-dumb}" "$@"
}

# Waits for systemd inside to finish booting, then for sshd to answer on the host's address.
host_wait() {
  local name=$1 deadline=$(( $(date +%s) + LAB_BOOT_TIMEOUT )) state
  until host_init_pid "$name" >/dev/null; do
    host_nspawn_pid "$name" >/dev/null || { tail -20 "$(host_dir "$name")/console.log" >&2; die "host $name: systemd-nspawn exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || die "host $name: no systemd inside after ${LAB_BOOT_TIMEOUT}s"
    sleep 0.1
  done
  # systemctl answers nothing until systemd has its private socket up; ask again until the deadline.
  while :; do
    state=$(timeout 10 "$0" exec "$name" -- systemctl is-system-running --wait 2>/dev/null) || true
    case "$state" in running | degraded) break ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || die "host $name: systemd did not finish booting (state: ${state:-none})"
    sleep 0.2
  done
  [ "$state" = running ] ||
    log "host $name booted degraded: $("$0" exec "$name" -- systemctl --failed --no-legend --plain | awk '{print $1}' | xargs)"
  wait_tcp "$(host_addr "$name")" 22 "$LAB_BOOT_TIMEOUT" || die "host $name: sshd not answering on $(host_addr "$name"):22"
}
