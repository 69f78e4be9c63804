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

lab_down() {
  local t0; t0=$(now_ms)
  stop_hosts
  unmount_all
  detach_loops
  net_sweep
  if awk -v d="$LAB_DIR/" 'index($5, d) == 1' /proc/self/mountinfo | grep -q .; then
    die "mounts remain under $LAB_DIR; not deleting it"
  fi
  rm -rf "$LAB_DIR"
  log "lab down in $(( $(now_ms) - t0 )) ms"
}

# What would be left behind, one line each; empty when the lab is fully gone.
lab_leftovers() {
  lab_nspawn_pids | sed 's/^/process /'
  awk -v d="$LAB_DIR/" 'index($5, d) == 1 {print "mount " $5}' /proc/self/mountinfo
  losetup -n -l -O NAME,BACK-FILE 2>/dev/null | awk -v d="$LAB_DIR/" 'index($2, d) == 1 {print "loop " $1 " " $2}'
  ip netns list 2>/dev/null | awk -v p="$LAB_NS_PREFIX" 'index($1, p) == 1 {print "netns " $1}'
  ip link show "$LAB_HOST_VETH" >/dev/null 2>&1 && echo "link $LAB_HOST_VETH"
  true
}
