#!/usr/bin/env bash
# Tears down what up.sh made: every process inside the lal-n* namespaces (they are ours alone),
# the namespaces, the bridge and the per-namespace /etc/netns files.
#   scripts/netns/down.sh [STATE_DIR]
set -uo pipefail
STATE=${1:-/tmp/lal-netns}
[ "$(id -u)" = 0 ] || { echo "down.sh: needs root" >&2; exit 3; }
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^lal-n[0-9]+$'); do
  pids=$(ip netns pids "$ns" 2>/dev/null)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "/etc/netns/$ns"
done
ip link del lalbr0 2>/dev/null
for v in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E '^lalv[0-9]+' | cut -d@ -f1); do
  ip link del "$v" 2>/dev/null
done
case "$STATE" in /tmp/lal-netns*) rm -rf "$STATE" ;; esac
echo "down"
