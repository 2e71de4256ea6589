#!/usr/bin/env bash
# Usage: loadtests/cpu.sh [SECONDS]
# The CPU each part of a running cluster (scripts/run.sh --cluster) and the swarm take over SECONDS
# (default 15), in % of one core: user and system time from /proc/PID/stat, summed per part.
# Run it while the swarm raises (docs/benchmarks.md: cost per station, per call and per push).
set -euo pipefail

seconds=${1:-15}
parts=(nodes bridges nginx mariadb redis swarm)
declare -A pattern=(
  [nodes]='Dispatch\.Server\.dll' [bridges]='Dispatch\.Bridge\.dll' [nginx]='^nginx: worker'
  [mariadb]='^mariadbd' [redis]='^redis-server' [swarm]='dispatch\.dll swarm'
)

# ticks PART: clock ticks of CPU used so far by PART's processes.
ticks() {
  local total=0 pid fields
  for pid in $(pgrep -f "${pattern[$1]}" || true); do
    # Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    fields=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    read -r -a f <<<"$fields"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

declare -A before
for part in "${parts[@]}"; do before[$part]=$(ticks "$part"); done
sleep "$seconds"
hz=$(getconf CLK_TCK)
for part in "${parts[@]}"; do
  awk -v p="$part" -v d="$(($(ticks "$part") - before[$part]))" -v hz="$hz" -v s="$seconds" \
    'BEGIN { printf "%s %.1f%%  ", p, 100 * d / hz / s }'
done
echo
