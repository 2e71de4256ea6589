#!/usr/bin/env bash
# Benchmarks the local cluster (scripts/run.sh --cluster: nginx, 2 nodes, 2 bridges, Redis,
# MariaDB) with the swarm at 500, 2,000, 5,000 and 10,000 stations (after a warm-up run), then the floor (loadtests/floor,
# a bare SignalR hub with the same wire shape) with the same swarm at the same levels, compares the
# database load of push and of polling at 500 screens, and appends the figures, with Dispatch's
# ratio to the floor, to docs/benchmarks.md.
#
#   loadtests/run.sh                  every level, 50 calls/s for 20 s each, the demo hospital
#   loadtests/run.sh 500 2000         chosen levels
#   SWARM_CALLS_PER_SECOND=20 SWARM_SECONDS=30 loadtests/run.sh
#   BENCH_WARDS=400 loadtests/run.sh 10000
#
# The demo hospital has 6 wards: every call goes to a sixth of all stations, the worst fan-out.
# BENCH_WARDS=N runs a hospital of N wards instead (loadtests/hospital.sh: 24 beds and 2 nurses on
# duty each), in its own database (.local/loadtest/hospital-N, kept for the next run), with the
# stations spread evenly over the wards: 10,000 stations over 400 wards is 25 screens per ward.
#
# Needs the ports of scripts/run.sh --cluster free (5080-5082, 5090, 5600-5611, 3307, 3310, 6380, 7001, 7010), and 5095 (the floor).
set -euo pipefail
cd "$(dirname "$0")/.."

levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(500 2000 5000 10000)
largest=$(printf '%s\n' "${levels[@]}" | sort -n | tail -1)
calls_per_second=${SWARM_CALLS_PER_SECOND:-50}
seconds=${SWARM_SECONDS:-20}
bench_wards=${BENCH_WARDS:-}
hospital="the demo hospital (6 wards)"
state=.local/run
if [ -n "$bench_wards" ]; then
  # Its own database, so that the demo's (scripts/run.sh) stays as it was.
  state=.local/loadtest/hospital-$bench_wards
  export DISPATCH_STATE=$state
  hospital="a hospital of $bench_wards wards"
fi
nginx=http://127.0.0.1:5080
nodes=http://127.0.0.1:5081,http://127.0.0.1:5082
log=.local/loadtest
mkdir -p "$log"

# 10,000 stations are 10,000 sockets in the swarm and twice that through nginx.
ulimit -n "$(ulimit -Hn)"

if curl -fs "$nginx/healthz" >/dev/null 2>&1; then
  echo "Something already answers on $nginx; stop it first (scripts/run.sh --cluster is started here)." >&2
  exit 1
fi
# The swarm's stations do not send display receipts (the board does): without this, every call
# would raise a display alarm and the benchmark would measure the alarms.
export Display__AlarmSeconds=3600
scripts/run.sh --cluster >"$log/cluster.log" 2>&1 &
cluster=$!
trap 'kill -TERM "$cluster" 2>/dev/null || true; wait "$cluster" 2>/dev/null || true' EXIT
trap 'exit 130' INT

echo "Starting the cluster (log: $log/cluster.log)..."
# Ask the nodes themselves: a refused probe through nginx would mark a node down for 5 s.
for _ in $(seq 1 180); do
  curl -fs http://127.0.0.1:5081/healthz >/dev/null 2>&1 && curl -fs http://127.0.0.1:5082/healthz >/dev/null 2>&1 && break
  kill -0 "$cluster" 2>/dev/null || { echo "The cluster did not start; see $log/cluster.log" >&2; exit 1; }
  sleep 1
done
dotnet build src/Dispatch.Cli -c Release -v quiet -nologo >/dev/null
cli=(dotnet src/Dispatch.Cli/bin/Release/net10.0/dispatch.dll)
# shellcheck disable=SC1091
source "$state/demo-credentials.env"
export DISPATCH_PASSWORD=$DEMO_PASSWORD

# sql STATEMENT: runs STATEMENT as root on the cluster's primary, tab-separated rows out.
sql() { mariadb --no-defaults --socket="$state/mariadb/mariadb.sock" -uroot --skip-column-names dispatch -e "$1"; }

# The swarm presses the beds of $devices and spreads its stations over their wards.
devices=$state/demo-credentials.env
if [ -n "$bench_wards" ]; then
  devices=$state/bench-devices.env
  if [ ! -s "$devices" ]; then
    echo "Importing a hospital of $bench_wards wards..."
    loadtests/hospital.sh "$bench_wards" >"$state/bench-hospital.json"
    rm -f "$state/bench-secrets.tsv"
    (set -a && source "$state/server.env" && dotnet "$state/server/Dispatch.Server.dll" hospital import "$state/bench-hospital.json" "$state/bench-secrets.tsv")
    sql "UPDATE staff SET on_duty = 1 WHERE username LIKE 'bench-%'"
    # BED_<id>_WARD from the database, BED_<id>_KEY from the import's secrets (bed-key, bed id, name, key).
    { sql "SELECT CONCAT('BED_', b.id, '_WARD=', r.ward_id) FROM beds b JOIN rooms r ON r.id = b.room_id JOIN wards w ON w.id = r.ward_id WHERE w.name LIKE 'Bench %'"
      awk -F'\t' '$1 == "bed-key" { print "BED_" $2 "_KEY=" $4 }' "$state/bench-secrets.tsv"
    } >"$devices.new"
    mv "$devices.new" "$devices"
    rm -f "$state/bench-secrets.tsv"
  fi
fi

# statements: what the cluster's database user has sent MariaDB so far (USER_STATISTICS), on the
# primary and on the read replica (which serves the polling fallback) together.
statements() {
  local total=0 socket count
  for socket in "$state/mariadb/mariadb.sock" "$state/mariadb-replica/mariadb.sock"; do
    count=$(mariadb --no-defaults --socket="$socket" -uroot --skip-column-names -e \
      "SELECT SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = 'dispatch'" 2>/dev/null || true)
    total=$((total + ${count:-0}))
  done
  echo "$total"
}

# measure_while PID: sets $rate to the statements per second over 10 s once the load has ramped
# up, then waits for PID to finish.
measure_while() {
  sleep 8
  local before after
  before=$(statements)
  sleep 10
  after=$(statements)
  wait "$1" || true
  rate=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.1f", (b - a) / 10 }')
}

# run_levels RESULTS NAME SERVER NODES: the swarm at each level against SERVER (NODES: where it reads
# memory), its output in $log/NAME-LEVEL.txt and its RESULT line appended to the array RESULTS.
# First two warm-up runs whose figures are not kept: a process just started runs code not yet
# optimised by the JIT, and its first tail (p99 ~250 ms against ~27 ms warm, measured) is not a
# running node's; and the first time a node holds a level's connections its pools grow (Kestrel's
# memory blocks, database sessions for the stations' sign-ins) and keep what they grew, which the
# first level to reach that size counted as its connections' memory (2,000 demo stations: 23.7
# KiB per connection on a fresh cluster, 21.4 in each run after; docs/benchmarks.md). So the
# second warm-up connects the largest level, idle.
run_levels() {
  local -n into=$1
  local stations
  echo "$2: warming up (200 stations, $calls_per_second calls/s for 15 s; then $largest stations idle; not kept)..."
  "${cli[@]}" swarm --stations 200 --calls-per-second "$calls_per_second" --seconds 15 \
    --devices "$devices" --nodes "$4" --server "$3" >"$log/$2-warm-up.txt" 2>&1 || true
  "${cli[@]}" swarm --stations "$largest" --calls-per-second 0 --seconds 1 \
    --devices "$devices" --nodes "$4" --server "$3" >>"$log/$2-warm-up.txt" 2>&1 || true
  for stations in "${levels[@]}"; do
    echo "$2: $stations stations, $calls_per_second calls/s for $seconds s..."
    "${cli[@]}" swarm --stations "$stations" --calls-per-second "$calls_per_second" --seconds "$seconds" \
      --devices "$devices" --nodes "$4" --server "$3" | tee "$log/$2-$stations.txt" || true
    into+=("$(grep '^RESULT' "$log/$2-$stations.txt" || echo "RESULT stations=$stations failed=all")")
  done
}

results=()
run_levels results swarm "$nginx" "$nodes"

# The floor (loadtests/floor): a bare SignalR hub with Dispatch's wire shape, driven by the same
# swarm at the same levels, on the same machine, while the cluster above sits idle.
floor_url=http://127.0.0.1:5095
dotnet build loadtests/floor -c Release -v quiet -nologo >/dev/null
Floor__Devices="$devices" dotnet loadtests/floor/bin/Release/net10.0/Dispatch.Floor.dll --urls "$floor_url" >"$log/floor.log" 2>&1 &
floor=$!
trap 'kill "$floor" 2>/dev/null || true; kill -TERM "$cluster" 2>/dev/null || true; wait "$cluster" 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -fs "$floor_url/ws-health" >/dev/null 2>&1 && break; sleep 1; done
floor_results=()
run_levels floor_results floor "$floor_url" "$floor_url"
kill "$floor" 2>/dev/null || true

echo "Database load, 500 stations idle (push) against 500 screens polling every 500 ms..."
"${cli[@]}" swarm --stations 500 --calls-per-second 0 --seconds 25 --devices "$devices" \
  --nodes "$nodes" --server "$nginx" >"$log/push-idle.txt" 2>&1 &
measure_while $!
push=$rate
"${cli[@]}" poll --screens 500 --interval-ms 500 --seconds 20 --devices "$devices" \
  --server "$nginx" >"$log/poll.txt" 2>&1 &
measure_while $!
poll=$rate
echo "push: $push statements/s; polling: $poll statements/s"

# field NAME LINE: the value of NAME= in a RESULT line.
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
# versus NAME DISPATCH_LINE FLOOR_LINE: "dispatch / floor (ratio×)".
versus() {
  local ours theirs
  ours=$(field "$1" "$2")
  theirs=$(field "$1" "$3")
  awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b + 0 > 0) printf "%s / %s (%.2f×)", a, b, a / b; else printf "%s / %s", a, b }'
}

{
  echo
  echo "## Swarm through nginx, $(date -u +%Y-%m-%d), $hospital"
  echo
  echo '```sh'
  echo "${bench_wards:+BENCH_WARDS=$bench_wards }SWARM_CALLS_PER_SECOND=$calls_per_second SWARM_SECONDS=$seconds loadtests/run.sh ${levels[*]}"
  echo '```'
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), .NET $(dotnet --version). The swarm, nginx, both nodes, both bridges, MariaDB and Redis share these cores."
  echo
  echo "| stations | connected / failed | drops | per node | calls raised | deliveries (lost / doubled) | wire duplicates / out of order | p50 | p95 | p99 | max | raise answered p50 / p99 | KiB per connection: heap after GC / working set | worst second paused by GC | generator CPU |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for line in "${results[@]}"; do
    echo "| $(field stations "$line") | $(field connected "$line") / $(field failed "$line") | $(field drops "$line") | $(field per_node "$line") | $(field raised "$line") ($(field calls_per_s "$line")/s asked) | $(field delivered "$line") ($(field lost "$line") / $(field duplicated "$line")) | $(field wire_duplicates "$line") / $(field wire_out_of_order "$line") | $(field p50_ms "$line") ms | $(field p95_ms "$line") ms | $(field p99_ms "$line") ms | $(field max_ms "$line") ms | $(field raise_p50_ms "$line") / $(field raise_p99_ms "$line") ms | $(field heap_kib_per_connection "$line") / $(field kib_per_connection "$line") | $(field worst_gc_pause_pct "$line") % | $(field generator_cpu_pct "$line") % |"
  done
  echo
  echo "Latency is from sending the raise to the station's receipt, on the swarm's clock; raise answered is from sending it to its answer (the call stored and assigned), which splits the latency into storing the call and pushing it (the push: from the raise's answer to the station's receipt; negative when the station had it first). KiB per connection is each node's growth over its connections after the swarm's first tenth (which also pays one-time costs): its live managed heap after a full GC (POST /api/node/heap), and its working set. The worst second paused by GC is the largest share of any second, on any node, that the garbage collector paused it while the calls were raised (/ws-health gc_pause_ms, read every second)."
  echo
  echo "Against the floor (loadtests/floor: a bare SignalR hub, one process, no nginx, database or backplane; the same swarm, the cluster idle meanwhile). Dispatch / floor (ratio):"
  echo
  echo "| stations | p50 ms | p99 ms | p99 ms of the push (raise answered → station) | heap KiB per connection | worst second paused by GC, % | wire duplicates | generator CPU % |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  for i in "${!results[@]}"; do
    echo "| $(field stations "${results[$i]}") | $(versus p50_ms "${results[$i]}" "${floor_results[$i]}") | $(versus p99_ms "${results[$i]}" "${floor_results[$i]}") | $(versus push_p99_ms "${results[$i]}" "${floor_results[$i]}") | $(versus heap_kib_per_connection "${results[$i]}" "${floor_results[$i]}") | $(field worst_gc_pause_pct "${results[$i]}") / $(field worst_gc_pause_pct "${floor_results[$i]}") | $(field wire_duplicates "${results[$i]}") / $(field wire_duplicates "${floor_results[$i]}") | $(field generator_cpu_pct "${results[$i]}") / $(field generator_cpu_pct "${floor_results[$i]}") |"
  done
  echo
  echo "Database statements per second (the cluster's MariaDB user on the primary and the read replica, 10 s window): 500 stations idle on push: **$push/s**; 500 screens polling every 500 ms: **$poll/s**."
} >>docs/benchmarks.md
echo "Appended to docs/benchmarks.md."
