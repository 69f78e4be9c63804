# One QEMU guest (TCG: this machine's KVM cannot run a stock kernel) for what the host kernel cannot do:
# LVM needs device-mapper. A fresh qcow2 overlay of the cached base and fresh sparse data disks per `up`,
# user-mode networking restricted to one SSH port forward on 127.0.5.1, a host key made here and handed in
# before boot so the lab's known_hosts holds it without trust-on-first-use.
VM_NAME=${LAB_VM_NAME:-vm1}
VM_ADDR=127.0.5.1
VM_PORT=${LAB_VM_PORT:-$((2201 + ${LAB_ID:-0}))}
VM_DISKS=${LAB_VM_DISKS:-2}
VM_DISK_SIZE=${LAB_VM_DISK_SIZE:-2G}
VM_MEM=${LAB_VM_MEM:-1024}
VM_SMP=${LAB_VM_SMP:-2}   # two TCG threads: a fairer share of a busy machine, faster parallel boot
VM_BOOT_TIMEOUT=${LAB_VM_BOOT_TIMEOUT:-180}
VM_DIR="$LAB_DIR/vm/$VM_NAME"

# Sets VM_SSH to the ssh command line for the guest: lab key only, lab known_hosts only, strict.
vm_ssh_argv() {
  VM_SSH=(ssh -i "$LAB_DIR/id_ed25519" -o IdentitiesOnly=yes -o UserKnownHostsFile="$LAB_DIR/known_hosts"
    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR
    -o ConnectTimeout=5 -p "$(cat "$VM_DIR/port" 2>/dev/null || echo "$VM_PORT")" "root@$VM_ADDR")
}

# QEMU processes of this lab's guests, recorded or not: found by the state path on their command line.
vm_qemu_pids() {
  local f p c
  for f in /proc/[0-9]*/cmdline; do
    p=${f#/proc/}; p=${p%/cmdline}
    c=$(vm_cmdline "$p")
    [[ ${c%%$'\n'*} == *qemu-system* && $c == *"$LAB_DIR/vm/"* ]] && echo "$p"
  done
  true
}

vm_cmdline() { { tr '\0' '\n' <"/proc/$1/cmdline"; } 2>/dev/null || true; }  # the process may be gone

vm_running_pid() {
  local p
  [ -s "$VM_DIR/qemu.pid" ] || return 1
  p=$(cat "$VM_DIR/qemu.pid")
  kill -0 "$p" 2>/dev/null && [[ $(vm_cmdline "$p") == *"$VM_DIR/"* ]] && echo "$p"
}

# sshd's banner proves sshd itself answers (QEMU's forward accepts TCP before the guest listens); only
# then a full login, given time enough for a key exchange on a slow TCG guest.
vm_banner_ok() {
  [[ $(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && head -c 8 <&3' _ "$VM_ADDR" "$1" 2>/dev/null) == SSH-2.0* ]]
}
vm_ssh_ok() { vm_ssh_argv; timeout 60 "${VM_SSH[@]}" true </dev/null >/dev/null 2>&1; }

vm_port_free() { ! timeout 1 bash -c "exec 3<>/dev/tcp/$VM_ADDR/$1" 2>/dev/null; }

vm_known_hosts_drop() {
  [ -f "$LAB_DIR/known_hosts" ] && ssh-keygen -q -R "[$VM_ADDR]:$1" -f "$LAB_DIR/known_hosts" >/dev/null 2>&1
  rm -f "$LAB_DIR/known_hosts.old"
}

vm_up() {
  local pid base t0 i
  if pid=$(vm_running_pid) && vm_banner_ok "$(cat "$VM_DIR/port")" && vm_ssh_ok; then
    vm_log "$VM_NAME already up (pid $pid, ssh $VM_ADDR:$(cat "$VM_DIR/port"))"
    return 0
  fi
  [ -n "$pid" ] && vm_log "$VM_NAME is running but not answering SSH; replacing it"
  vm_down_quiet
  vm_port_free "$VM_PORT" || vm_die "$VM_ADDR:$VM_PORT is already in use (set LAB_VM_PORT to another port)"
  base=$(vm_image_ensure "$(vm_rootfs)")
  mkdir -p "$VM_DIR"
  [ -s "$LAB_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C falkorctl-lab -f "$LAB_DIR/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C "root@$VM_NAME" -f "$VM_DIR/host_key"
  qemu-img create -q -f qcow2 -F raw -b "$base/root.img" "$VM_DIR/root.qcow2"
  # In this order, so the guest sees root as /dev/vda and the data disks as /dev/vdb, /dev/vdc, …
  local drives=(-drive "file=$VM_DIR/root.qcow2,if=none,id=root,format=qcow2" -device virtio-blk-pci,drive=root,serial=root)
  for ((i = 1; i <= VM_DISKS; i++)); do
    truncate -s "$VM_DISK_SIZE" "$VM_DIR/data$i.raw"
    drives+=(-drive "file=$VM_DIR/data$i.raw,if=none,id=data$i,format=raw,cache=unsafe"
      -device "virtio-blk-pci,drive=data$i,serial=data$i")
  done
  echo "$VM_PORT" >"$VM_DIR/port"
  vm_known_hosts_drop "$VM_PORT"
  echo "[$VM_ADDR]:$VM_PORT $(cut -d' ' -f1,2 "$VM_DIR/host_key.pub")" >>"$LAB_DIR/known_hosts"
  t0=$(vm_now_ms)
  # Descriptors are closed so a caller's lock (scripts/lab holds fd 9) is not kept by the daemon.
  # qboot instead of SeaBIOS: a firmware that only loads the kernel, seconds faster under TCG.
  qemu-system-x86_64 -name "$VM_NAME" -bios qboot.rom -accel tcg -cpu max -m "$VM_MEM" -smp "$VM_SMP" -nodefaults -no-reboot \
    -display none -serial "file:$VM_DIR/console.log" -monitor none -daemonize -pidfile "$VM_DIR/qemu.pid" \
    -kernel "$base/kernel" -initrd "$base/initrd.img" \
    -append "$VM_CMDLINE systemd.hostname=$VM_NAME ${LAB_VM_CMDLINE_EXTRA:-}" \
    "${drives[@]}" \
    -nic "user,model=virtio-net-pci,mac=$VM_MAC,restrict=on,hostfwd=tcp:$VM_ADDR:$VM_PORT-:22" \
    -fw_cfg "name=opt/falkorctl/host_key,file=$VM_DIR/host_key" \
    -fw_cfg "name=opt/falkorctl/host_key_pub,file=$VM_DIR/host_key.pub" \
    -fw_cfg "name=opt/falkorctl/authorized_keys,file=$LAB_DIR/id_ed25519.pub" \
    </dev/null >"$VM_DIR/qemu.log" 2>&1 7>&- 8>&- 9>&- || { cat "$VM_DIR/qemu.log" >&2; vm_die "qemu failed to start"; }
  # QEMU's forward accepts TCP before sshd is up, so only a full SSH login counts.
  until vm_banner_ok "$VM_PORT" && vm_ssh_ok; do
    vm_running_pid >/dev/null || { tail -25 "$VM_DIR/console.log" >&2; vm_die "$VM_NAME: qemu exited during boot"; }
    [ $(( $(vm_now_ms) - t0 )) -lt $((VM_BOOT_TIMEOUT * 1000)) ] ||
      { tail -25 "$VM_DIR/console.log" >&2; vm_die "$VM_NAME: no SSH login within ${VM_BOOT_TIMEOUT}s"; }
    sleep 1
  done
  echo $(( $(vm_now_ms) - t0 )) >"$VM_DIR/boot_ms"
  vm_inventory_write
  vm_log "$VM_NAME up: boot to SSH $(awk '{printf "%.1f", $1/1000}' "$VM_DIR/boot_ms") s; scripts/lab-vm ssh; inventory $LAB_DIR/vm.yaml"
}

# Stops every guest of this lab (recorded or found by the sweep) and removes its overlay and disks.
vm_down_quiet() {
  local pids p deadline
  pids=$( { vm_running_pid || true; vm_qemu_pids; } | sort -u)
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  deadline=$(( $(date +%s) + 10 ))
  for p in $pids; do
    while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { vm_log "qemu $p ignored SIGTERM for 10 s; killing it"; kill -KILL "$p" 2>/dev/null || true; }
  done
  local port
  for port in $(cat "$LAB_DIR"/vm/*/port 2>/dev/null); do vm_known_hosts_drop "$port"; done
  rm -rf "$LAB_DIR/vm" "$LAB_DIR/vm.yaml"
}

vm_down() { vm_down_quiet; vm_log "$VM_NAME down"; }

vm_status() {
  local pid
  if pid=$(vm_running_pid); then
    echo "$VM_NAME running pid=$pid ssh=$VM_ADDR:$(cat "$VM_DIR/port") boot_ms=$(cat "$VM_DIR/boot_ms" 2>/dev/null || echo booting)"
  else
    echo "$VM_NAME stopped"; return 1
  fi
}

# A separate inventory for the storage guest that falkorctl's loader accepts (schema and semantic checks):
# one host, so it is the master and the one Sentinel with quorum 1; the lab's password file, as in
# scripts/lab. Written whole (tmp + rename): a reader never sees half a file.
vm_inventory_write() {
  local i devs="" f="$LAB_DIR/vm.yaml"
  for ((i = 1; i <= VM_DISKS; i++)); do devs+="${devs:+, }/dev/vd$(printf "\\x$(printf %x $((97 + i)))")"; done
  [ -s "$LAB_DIR/password" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$LAB_DIR/password")
  cat >"$f.tmp" <<YAML
# Written by scripts/lab-vm up; removed by scripts/lab-vm down. The QEMU guest for storage (LVM + XFS).
cluster: lab-vm
ssh:
  user: root
  identityFile: $LAB_DIR/id_ed25519
  knownHosts: $LAB_DIR/known_hosts
  connectTimeoutMs: 30000
hosts:
  - name: $VM_NAME
    address: $VM_ADDR
    role: master
    ssh: { port: $(cat "$VM_DIR/port") }
    storage:
      devices: [$devs]
      volumeGroup: falkordb-vg
      volumes:
        - { name: data, size: 1G, mount: /var/lib/falkordb/data, options: [noatime] }
        - { name: backup, size: 1G, mount: /var/lib/falkordb/backup, options: [noatime] }
redis:
  maxmemory: 256mb
sentinel:
  quorum: 1
auth:
  password: file:$LAB_DIR/password
YAML
  mv "$f.tmp" "$f"
}
