#!/usr/bin/env bash
# Tears down what up.sh made (for LAL_NETNS_PREFIX, default lal): every process inside the <prefix>-n* namespaces (they are ours alone),
# the namespaces, the bridge and the per-namespace /etc/netns files.
#   scripts/netns/down.sh [STATE_DIR]
set -uo pipefail
STATE=${1:-/tmp/lal-netns}
P=${LAL_NETNS_PREFIX:-lal}
[[ "$P" =~ ^[a-z]{1,8}$ ]] || { echo "down.sh: LAL_NETNS_PREFIX is 1-8 letters" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "down.sh: needs root" >&2; exit 3; }
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$P-n[0-9]+\$"); do
  pids=$(ip netns pids "$ns" 2>/dev/null)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "/etc/netns/$ns"
done
ip link del "${P}br0" 2>/dev/null
for v in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E "^${P}v[0-9]+" | cut -d@ -f1); do
  ip link del "$v" 2>/dev/null
done
case "$STATE" in /tmp/lal-netns*) rm -rf "$STATE" ;; esac
echo "down"
