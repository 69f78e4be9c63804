# The lab network: a bridge inside its own namespace (fctl-br), one veth leg for this machine
# (10.89.0.1) and one per host, whose other end is `eth0` inside the host's namespace (fctl-NAME).
# No default route anywhere, no NAT: the hosts reach each other and this machine, nothing else.

netns_exists() { [ -e "/run/netns/$1" ]; }

# A reject route for the lab's /24 that outlives the lab: while the lab is up its own (connected) route
# wins; when it is down, anything still aimed at a lab address fails here instead of leaving the machine
# by the default route.
net_guard_route() {
  ip route show "$LAB_NET_PREFIX.0/24" | grep -q '^unreachable' ||
    ip route add unreachable "$LAB_NET_PREFIX.0/24" metric 4242
}

net_bridge_up() {
  net_guard_route
  netns_exists "$LAB_BRIDGE_NS" || ip netns add "$LAB_BRIDGE_NS"
  ip -n "$LAB_BRIDGE_NS" link set lo up
  ip -n "$LAB_BRIDGE_NS" link show br0 >/dev/null 2>&1 || ip -n "$LAB_BRIDGE_NS" link add br0 type bridge
  ip -n "$LAB_BRIDGE_NS" link set br0 up
  if ! ip link show "$LAB_HOST_VETH" >/dev/null 2>&1; then
    ip link add "$LAB_HOST_VETH" type veth peer name up0 netns "$LAB_BRIDGE_NS"
    ip -n "$LAB_BRIDGE_NS" link set up0 master br0 up
    ip addr add "$LAB_NET_PREFIX.1/24" dev "$LAB_HOST_VETH"
    ip link set "$LAB_HOST_VETH" up
  fi
}

# The host's namespace with eth0 addressed; the container is later started inside it.
net_host_up() {
  local name=$1 ns="$LAB_NS_PREFIX$1" addr; addr=$(host_addr "$1")
  netns_exists "$ns" || ip netns add "$ns"
  ip -n "$ns" link set lo up
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    ip -n "$LAB_BRIDGE_NS" link del "v-$name" 2>/dev/null || true
    ip -n "$LAB_BRIDGE_NS" link add "v-$name" type veth peer name eth0 netns "$ns"
    ip -n "$LAB_BRIDGE_NS" link set "v-$name" master br0 up
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
  fi
}

# Every lab namespace, recorded or not; deleting a namespace also removes the veths inside it.
net_sweep() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_NS_PREFIX" || true); do
    ip netns del "$ns" 2>/dev/null || log "could not delete network namespace $ns"
  done
  ip link del "$LAB_HOST_VETH" 2>/dev/null || true
}

# Waits until TCP port PORT answers at ADDR (from this machine), up to a deadline in seconds.
wait_tcp() {
  local addr=$1 port=$2 deadline=$(( $(date +%s) + $3 ))
  until timeout 1 bash -c "exec 3<>/dev/tcp/$addr/$port" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
