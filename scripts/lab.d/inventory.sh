# The lab's outputs: the lab key, the cluster password, known_hosts with the keys the hosts really
# serve, lab.json (what falkorctl's inventory has no place for) and a ready falkorctl.yaml.

lab_secrets() {
  [ -s "$LAB_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C falkorctl-lab -f "$LAB_DIR/id_ed25519"
  if [ ! -s "$LAB_DIR/password" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$LAB_DIR/password")
  fi
  chmod 0600 "$LAB_DIR/password" "$LAB_DIR/id_ed25519"
}

# known_hosts is shared with the QEMU guest (scripts/lab-vm): only the nspawn hosts' lines are ours.
drop_known_hosts() {
  local addrs="" name
  for name in $(lab_hosts); do addrs="$addrs $(host_addr "$name")"; done
  awk -v a="$addrs" 'BEGIN {n = split(a, x, " "); for (i = 1; i <= n; i++) ours[x[i]] = 1} !($1 in ours)' \
    "$LAB_DIR/known_hosts" >"$LAB_DIR/known_hosts.tmp"
  mv "$LAB_DIR/known_hosts.tmp" "$LAB_DIR/known_hosts"
}

# Asks each host's sshd for its key over the lab network and checks it is the one generated for it.
write_known_hosts() {
  local name addr served own tmp; tmp="$LAB_DIR/known_hosts.new"; : >"$tmp"
  for name in $(lab_hosts); do
    addr=$(host_addr "$name")
    served=$(ssh-keyscan -T 5 -t ed25519 "$addr" 2>/dev/null | awk '$2 == "ssh-ed25519" {print $2, $3}')
    own=$(awk '{print $1, $2}' "$(host_dir "$name")/root/etc/ssh/ssh_host_ed25519_key.pub")
    [ -n "$served" ] || die "host $name: sshd at $addr served no ed25519 key"
    [ "$served" = "$own" ] || die "host $name: sshd at $addr serves a key other than the host's own"
    echo "$addr $served" >>"$tmp"
  done
  touch "$LAB_DIR/known_hosts"; drop_known_hosts
  cat "$tmp" >>"$LAB_DIR/known_hosts"; rm -f "$tmp"
}

# "as seen inside": what a host reports to a process running on it.
host_memory() { "$0" exec "$1" -- awk '/^MemTotal:/ {printf "%dmb\n", $2 / 1024}' /proc/meminfo; }
host_cpus() { "$0" exec "$1" -- nproc; }

write_inventory() {
  local f="$LAB_DIR/falkorctl.yaml" name role first=1 hw
  {
    echo "# Written by scripts/lab up for the lab on this machine; valid against src/inventory/schema.ts."
    echo "cluster: lab"
    echo "ssh:"
    echo "  user: root"
    echo "  identityFile: $LAB_DIR/id_ed25519"
    echo "  knownHosts: $LAB_DIR/known_hosts"
    echo "  connectTimeoutMs: 5000"
    echo "hosts:"
    for name in $(lab_hosts); do
      if is_db_host "$name"; then
        if [ $first = 1 ]; then role=master; first=0; else role=replica; fi
      else role=haproxy; fi
      echo "  - name: $name"
      echo "    address: $(host_addr "$name")"
      echo "    role: $role"
      echo "    hardware: { memory: $(host_memory "$name"), cpus: $(host_cpus "$name") }"
      # the spare disk, plain-device layout (no device-mapper here), holding redis.dataDir: falkorctl provision
      if is_db_host "$name"; then
        echo "    storage: { device: $(cat "$(host_dir "$name")/loop"), mount: /var/lib/falkordb/data,"
        echo "               label: falkordata, options: [noatime] }"
      fi
    done
    echo "redis:"
    echo "  maxmemory: 256mb"
    echo "auth:"
    echo "  password: file:$LAB_DIR/password"
    # the LB carries the monitoring stack (no fifth host); short intervals so a lab test sees an alert fire
    echo "monitoring:"
    echo "  hosts: [lb1]"
    echo "  scrapeInterval: 2s"
    echo "  alertFor: 4s"
  } >"$f.tmp"
  mv "$f.tmp" "$f"
}

write_lab_json() {
  local name sep="" d
  {
    printf '{\n  "dir": "%s",\n  "rootfs": "%s",\n  "inventory": "%s/falkorctl.yaml",\n  "hosts": [' \
      "$LAB_DIR" "$1" "$LAB_DIR"
    for name in $(lab_hosts); do
      d=$(host_dir "$name")
      printf '%s\n    { "name": "%s", "address": "%s", "root": "%s/root"' "$sep" "$name" "$(host_addr "$name")" "$d"
      if is_db_host "$name"; then
        printf ', "disk": { "device": "%s", "image": "%s/disk.img", "size": "%s" }' "$(cat "$d/loop")" "$d" "$LAB_DISK_SIZE"
      fi
      printf ' }'; sep=,
    done
    printf '\n  ]\n}\n'
  } >"$LAB_DIR/lab.json.tmp"
  mv "$LAB_DIR/lab.json.tmp" "$LAB_DIR/lab.json"
}
