# Teardown that works from any state, even after a crash: what was recorded is stopped first, then
# everything matching the naming convention is swept (nspawn processes rooted under LAB_DIR, mounts
# under LAB_DIR, loop devices backed by files under LAB_DIR, namespaces named fctl-*).

# nspawn processes whose -D tree lies under this lab's hosts dir, recorded or not.
lab_nspawn_pids() {
  local p
  for p in $(pgrep -x systemd-nspawn || true); do
    tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline" |
      awk -v d="$LAB_DIR/hosts/" 'prev == "-D" && index($0, d) == 1 {found = 1} {prev = $0} END {exit !found}' &&
      echo "$p"
  done
  true
}

stop_hosts() {
  local pids p deadline
  pids=$(lab_nspawn_pids | sort -u)
  [ -n "$pids" ] || return 0
  # SIGTERM makes nspawn ask the container's systemd for a clean poweroff.
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  deadline=$(( $(date +%s) + 20 ))
  for p in $pids; do
    while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { log "host process $p ignored SIGTERM for 20 s; killing it"; kill -KILL "$p" 2>/dev/null || true; }
  done
  for p in $pids; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
}

# Processes still in a host's cgroup once nspawn is gone: a container whose nspawn was SIGKILLed lives
# on, orphaned, holding its overlay, disk and namespace. Killing its PID 1 ends its whole pid namespace.
lab_cgroup_pids() {
  local root
  for root in $(lab_cgroup_roots); do
    if [ -d "$root" ]; then find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null || true; fi
  done | sort -un
}

kill_strays() {
  local pids deadline
  pids=$(lab_cgroup_pids)
  [ -n "$pids" ] || return 0
  log "killing $(echo "$pids" | wc -w) leftover process(es) of lab hosts"
  kill -KILL $pids 2>/dev/null || true
  deadline=$(( $(date +%s) + 10 ))
  while [ -n "$(lab_cgroup_pids)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "processes remain in the lab cgroups: $(lab_cgroup_pids | xargs)"; return 0; }
    sleep 0.1
  done
}

unmount_all() {
  local m
  # Deepest first, so nested mounts go before their parents.
  for m in $(awk -v d="$LAB_DIR/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || log "could not unmount $m"
  done
}

detach_loops() {
  local dev file
  while read -r dev file; do
    case "$file" in "$LAB_DIR"/*) losetup -d "$dev" || log "could not detach $dev ($file)" ;; esac
  done < <(losetup -n -l -O NAME,BACK-FILE 2>/dev/null)
}

# The nspawn hosts only: what `up` cleans before rebuilding. The lab key, the password and the QEMU
# guest (scripts/lab-vm, state in $LAB_DIR/vm) are left alone.
lab_hosts_down() {
  stop_hosts
  kill_strays
  unmount_all
  detach_loops
  net_sweep
  remove_cgroups
  if awk -v d="$LAB_DIR/" 'index($5, d) == 1' /proc/self/mountinfo | grep -q .; then
    die "mounts remain under $LAB_DIR; not deleting anything"
  fi
  [ -f "$LAB_DIR/known_hosts" ] && drop_known_hosts
  rm -rf "$LAB_DIR/hosts" "$LAB_DIR/lab.json" "$LAB_DIR/falkorctl.yaml"
}

remove_cgroups() {
  local root
  for root in $(lab_cgroup_roots); do
    [ -d "$root" ] && find "$root" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  true
}

# Everything: the QEMU guest too (it shares LAB_DIR), then the state dir itself.
lab_down() {
  local t0; t0=$(now_ms)
  if [ -d "$LAB_DIR/vm" ] && [ -x "$LAB_SCRIPT_DIR/lab-vm" ]; then
    LAB_DIR=$LAB_DIR LAB_CACHE=$LAB_CACHE "$LAB_SCRIPT_DIR/lab-vm" down || log "scripts/lab-vm down failed"
  fi
  lab_hosts_down
  [ -d "$LAB_DIR/vm" ] && die "the QEMU guest's state remains in $LAB_DIR/vm; not deleting $LAB_DIR"
  rm -rf "$LAB_DIR"
  log "lab down in $(( $(now_ms) - t0 )) ms"
}

# What would be left behind, one line each; empty when the lab is fully gone.
lab_leftovers() {
  { lab_nspawn_pids; lab_cgroup_pids; } | sort -un | sed 's/^/process /'
  awk -v d="$LAB_DIR/" 'index($5, d) == 1 {print "mount " $5}' /proc/self/mountinfo
  losetup -n -l -O NAME,BACK-FILE 2>/dev/null | awk -v d="$LAB_DIR/" 'index($2, d) == 1 {print "loop " $1 " " $2}'
  ip netns list 2>/dev/null | awk -v p="$LAB_NS_PREFIX" 'index($1, p) == 1 {print "netns " $1}'
  ip link show "$LAB_HOST_VETH" >/dev/null 2>&1 && echo "link $LAB_HOST_VETH"
  for root in $(lab_cgroup_roots); do [ -d "$root" ] && echo "cgroup $root"; done
  true
}
