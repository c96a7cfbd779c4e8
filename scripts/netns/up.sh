#!/usr/bin/env bash
# Test machines for multi-node runs: N Linux network namespaces (lal-n0, lal-n1, …) on one bridge,
# each with its own hostname (UTS namespace) and its own sshd, reachable only from this machine.
# Addresses come from a private test range used only here (10.231.0.0/24): the bridge is 10.231.0.1,
# node i is 10.231.0.(10+i). Needs root. Idempotent: a second call tears the old set down first.
#
#   scripts/netns/up.sh [N] [STATE_DIR]      default N=2, STATE_DIR=/tmp/lal-netns
#   LAL_NETNS_PREFIX=lal LAL_NETNS_SUBNET=0   names <prefix>-n<i>, addresses 10.231.<subnet>.0/24:
#                                             two sets side by side (suites running at once) never meet.
#
# Writes into STATE_DIR: ssh_config (Host lal-n<i>), known_hosts, id_ed25519 (client key),
# per-node sshd config/host key/log, and nodes.env (LAL_NETNS_NODES, LAL_SSH_CONFIG).
set -euo pipefail
N=${1:-2}
STATE=${2:-/tmp/lal-netns}
P=${LAL_NETNS_PREFIX:-lal}
SUB=${LAL_NETNS_SUBNET:-0}
[[ "$P" =~ ^[a-z]{1,8}$ && "$SUB" =~ ^[0-9]{1,2}$ ]] || { echo "up.sh: LAL_NETNS_PREFIX is 1-8 letters, LAL_NETNS_SUBNET 0-99" >&2; exit 2; }
NET=10.231.$SUB
BR=${P}br0
here=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" = 0 ] || { echo "up.sh: needs root (network namespaces)" >&2; exit 3; }
for tool in ip unshare ssh-keygen /usr/sbin/sshd; do
  command -v "$tool" >/dev/null 2>&1 || { echo "up.sh: $tool missing (apt-get install -y iproute2 openssh-server openssh-client util-linux)" >&2; exit 3; }
done

"$here/down.sh" "$STATE" >/dev/null 2>&1 || true  # same prefix only (LAL_NETNS_PREFIX is inherited)
mkdir -p "$STATE" /run/sshd
chmod 700 "$STATE"

ssh-keygen -q -t ed25519 -N '' -C lal-test-client -f "$STATE/id_ed25519"
cp "$STATE/id_ed25519.pub" "$STATE/authorized_keys"
: > "$STATE/known_hosts"
: > "$STATE/ssh_config"

ip link add "$BR" type bridge
ip addr add "$NET.1/24" dev "$BR"
ip link set "$BR" up

hosts="127.0.0.1 localhost"
for ((i = 0; i < N; i++)); do hosts+=$'\n'"$NET.$((10 + i)) $P-n$i"; done

nodes=()
for ((i = 0; i < N; i++)); do
  ns=$P-n$i
  addr=$NET.$((10 + i))
  ip netns add "$ns"
  ip link add "${P}v$i" type veth peer name eth0 netns "$ns"
  ip link set "${P}v$i" master "$BR" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$NET.1"
  # `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc/*: each node resolves every node's name.
  mkdir -p "/etc/netns/$ns"
  printf '%s\n' "$hosts" > "/etc/netns/$ns/hosts"
  echo "$ns" > "/etc/netns/$ns/hostname"

  ssh-keygen -q -t ed25519 -N '' -C "$ns" -f "$STATE/$ns.host_key"
  cat > "$STATE/$ns.sshd_config" <<CFG
ListenAddress $addr
Port 22
HostKey $STATE/$ns.host_key
PidFile none
AuthorizedKeysFile $STATE/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
MaxStartups 50:30:100
MaxSessions 50
CFG
  # sshd runs in the node's own net, UTS and PID namespaces: sessions see the node's address and
  # hostname, and /proc shows only the node's processes, as on a separate machine.
  setsid ip netns exec "$ns" unshare --uts --pid --fork --mount-proc \
    sh -c "hostname $ns && exec /usr/sbin/sshd -D -f '$STATE/$ns.sshd_config' -E '$STATE/$ns.sshd.log'" \
    </dev/null >/dev/null 2>&1 &

  echo "$ns,$addr $(cut -d' ' -f1,2 "$STATE/$ns.host_key.pub")" >> "$STATE/known_hosts"
  cat >> "$STATE/ssh_config" <<CFG
Host $ns
  HostName $addr
  User root
  IdentityFile $STATE/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $STATE/known_hosts
  StrictHostKeyChecking yes
  ConnectTimeout 5
CFG
  nodes+=("$ns")
done
# The launcher itself resolves node names through the ssh config; the root namespace needs no hosts entry.
{
  echo "LAL_NETNS_NODES='${nodes[*]}'"
  echo "LAL_SSH_CONFIG='$STATE/ssh_config'"
} > "$STATE/nodes.env"

for ((i = 0; i < N; i++)); do
  for _ in $(seq 50); do
    ssh -F "$STATE/ssh_config" -o BatchMode=yes "$P-n$i" true 2>/dev/null && break
    sleep 0.1
  done
done
echo "up: ${nodes[*]} (ssh -F $STATE/ssh_config $P-n0)"
