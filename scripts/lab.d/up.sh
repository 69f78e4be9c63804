# `up`: a fast verifying pass when the lab is already whole; otherwise clean whatever is there
# (a crashed or half-built lab) and build it fresh.

lab_healthy() {
  local name
  [ -s "$LAB_DIR/lab.json" ] && [ -s "$LAB_DIR/falkorctl.yaml" ] && [ -s "$LAB_DIR/known_hosts" ] || return 1
  [ "$(jq -r '.rootfs' "$LAB_DIR/lab.json" 2>/dev/null || sed -n 's/.*"rootfs": "\(.*\)".*/\1/p' "$LAB_DIR/lab.json")" = "$1" ] || return 1
  local pids=() p
  for name in $(lab_hosts); do host_init_pid "$name" >/dev/null || return 1; done
  for name in $(lab_hosts); do lab_ssh_check "$name" >/dev/null 2>&1 & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || return 1; done
}

# Strict host-key checking against the lab known_hosts, key-only, no prompts.
lab_ssh_check() {
  ssh -i "$LAB_DIR/id_ed25519" -o IdentitiesOnly=yes -o UserKnownHostsFile="$LAB_DIR/known_hosts" \
    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 \
    -o LogLevel=ERROR "root@$(host_addr "$1")" hostname
}

lab_up() {
  local t0 rootfs name; t0=$(now_ms)
  rootfs=$(rootfs_ensure)
  if lab_healthy "$rootfs"; then
    log "lab already up and verified (ssh to $(lab_hosts | wc -w) hosts) in $(( $(now_ms) - t0 )) ms"
    echo "$LAB_DIR/falkorctl.yaml"; return 0
  fi
  if [ -e "$LAB_DIR/lab.json" ] || [ -n "$(lab_leftovers)" ] || [ -d "$LAB_DIR/hosts" ]; then
    log "a lab (or part of one) is there but not whole: cleaning it first"
    lab_hosts_down
  fi
  lab_secrets
  net_bridge_up
  for name in $(lab_hosts); do
    host_prepare "$name" "$rootfs"
    net_host_up "$name"
    host_start "$name"
  done
  for name in $(lab_hosts); do host_wait "$name"; done
  write_known_hosts
  for name in $(lab_hosts); do
    [ "$(lab_ssh_check "$name")" = "$name" ] || die "host $name: ssh with strict host-key checking failed"
  done
  write_inventory
  write_lab_json "$rootfs"
  log "lab up in $(( $(now_ms) - t0 )) ms: $(for n in $(lab_hosts); do printf '%s=%s ' "$n" "$(host_addr "$n")"; done)"
  echo "$LAB_DIR/falkorctl.yaml"
}

lab_status() {
  local name addr state ssh disk
  [ -d "$LAB_DIR/hosts" ] || { echo "lab is down ($LAB_DIR)"; return 0; }
  printf '%-6s %-12s %-10s %-6s %s\n' HOST ADDRESS SYSTEMD SSH DISK
  for name in $(lab_hosts); do
    addr=$(host_addr "$name"); disk=-
    if host_init_pid "$name" >/dev/null; then
      state=$(timeout 5 "$0" exec "$name" -- systemctl is-system-running 2>/dev/null || true)
      ssh=$(lab_ssh_check "$name" >/dev/null 2>&1 && echo ok || echo FAIL)
    else state=stopped ssh=-; fi
    is_db_host "$name" && [ -s "$(host_dir "$name")/loop" ] && disk=$(cat "$(host_dir "$name")/loop")
    printf '%-6s %-12s %-10s %-6s %s\n' "$name" "$addr" "${state:-unknown}" "$ssh" "$disk"
  done
}
