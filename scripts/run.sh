#!/usr/bin/env bash
# Starts a working local Dispatch on this machine: installs what is missing from Debian's
# packages, runs MariaDB on 127.0.0.1:3307 with its data in .local/run, migrates, seeds the demo
# hospital, and serves http://127.0.0.1:5080.
#
#   scripts/run.sh            one server node (the outbox is relayed in-process), Dispatch.Gateway
#                             on a simulated nurse-call line (ESPA on 127.0.0.1:7001, see
#                             scripts/nurse-call.sh) paging a simulated paging server (TAP on :7010,
#                             its pages in .local/run/logs/paging-server.log)
#   scripts/run.sh --cluster  a MariaDB read replica (:3310), Redis (with Sentinel), two
#                             Dispatch.Bridge processes (leader and standby), two
#                             nodes on :5081 and :5082, and nginx (ip_hash) on :5080. A bridge or
#                             node that exits is restarted after 1 s; logs in .local/run/logs.
#
# Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

mode=single
case "${1:-}" in
  "") ;;
  --cluster) mode=cluster ;;
  *) echo "usage: scripts/run.sh [--cluster]" >&2; exit 2 ;;
esac

state=${DISPATCH_STATE:-.local/run}
db_port=${DISPATCH_DB_PORT:-3307}
# Not 3308: scripts/test.sh's MariaDB.
db_replica_port=${DISPATCH_DB_REPLICA_PORT:-3310}
redis_port=${DISPATCH_REDIS_PORT:-6380}
# Not 6381: scripts/test.sh's Redis.
redis_replica_port=${DISPATCH_REDIS_REPLICA_PORT:-6382}
url=http://127.0.0.1:5080
supervisors=()

stop_all() {
  local pid
  for pid in "${supervisors[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${supervisors[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  stop_services "$state/nginx"
  local folder
  for folder in "$state"/redis "$state"/redis-sentinels/*/; do
    [ -d "$folder" ] && stop_services "$folder"
  done
  [ -d "$state/mariadb-replica" ] && stop_services "$state/mariadb-replica"
  stop_services "$state/mariadb"
}
trap stop_all EXIT
# Background jobs of a script ignore SIGINT, so Ctrl+C reaches only this shell (and a foreground
# node): leave through the EXIT trap, which stops everything, rather than wait on forever.
trap 'exit 130' INT
trap 'exit 143' TERM

# supervise NAME COMMAND...: runs COMMAND under scripts/supervise.sh (restarted 1 s after it
# exits) until this script ends; output in $state/logs/NAME.log.
supervise() {
  local name=$1
  shift
  mkdir -p "$state/logs"
  scripts/supervise.sh "$name" "$@" >>"$state/logs/$name.log" 2>&1 &
  supervisors+=("$!")
}

ensure_packages
[ "$mode" = single ] || command -v /usr/sbin/nginx >/dev/null || { echo "nginx is required for --cluster" >&2; exit 1; }
if [ "$mode" = cluster ]; then
  # A binary log, so that a read replica can follow it (below).
  start_mariadb "$state/mariadb" "$db_port" --log-bin=mariadb-bin --server-id=1 --binlog-format=ROW
else
  start_mariadb "$state/mariadb" "$db_port"
fi

db_password=$(secret_for "$state" db-password)
mariadb_root "$state/mariadb" "CREATE DATABASE IF NOT EXISTS dispatch"
ensure_db_user "$state/mariadb" dispatch "$db_password" dispatch
export Database__ConnectionString="Server=127.0.0.1;Port=$db_port;Database=dispatch;User ID=dispatch;Password=$db_password"
# For maintenance commands by hand (see docs/runbooks): set -a; source .local/run/server.env
(umask 077 && printf 'Database__ConnectionString=%q\n' "$Database__ConnectionString" >"$state/server.env")

echo "Building Dispatch..."
dotnet build src/Dispatch.Server -c Release -o "$state/server" -nologo -v quiet
npm ci --prefix web --no-audit --no-fund --loglevel=error
npm run build --prefix web --silent
export Web__Root="$PWD/web/dist"
server=("dotnet" "$state/server/Dispatch.Server.dll")
"${server[@]}" migrate up
"${server[@]}" seed-demo "$state/demo-credentials.env"
# shellcheck disable=SC1091
source "$state/demo-credentials.env"

# The primary nurse-call system's side, simulated: Dispatch.Gateway hears an ESPA line on :7001
# (scripts/nurse-call.sh sends to it) and pages a TAP paging server on :7010 (the dispatch CLI's
# `page listen`, which prints each page to its log). docs/gateway.md.
dotnet build src/Dispatch.Gateway -c Release -o "$state/gateway" -nologo -v quiet
dotnet build src/Dispatch.Cli -c Release -o "$state/cli" -nologo -v quiet
supervise paging-server dotnet "$state/cli/dispatch.dll" page listen --protocol tap --listen 127.0.0.1:7010
# Settings in the environment, not on a command line where ps shows the keys.
Gateway__ServerUrl="$url" ASPNETCORE_URLS=http://127.0.0.1:5090 \
  Gateway__Lines__nurse_call__Protocol=espa Gateway__Lines__nurse_call__Listen=127.0.0.1:7001 Gateway__Lines__nurse_call__Key="$LINE_KEY" \
  Gateway__Paging__Protocol=tap Gateway__Paging__Connect=127.0.0.1:7010 Gateway__Paging__Key="$PAGING_KEY" \
  supervise gateway dotnet "$state/gateway/Dispatch.Gateway.dll"

if [ "$mode" = cluster ]; then
  # A MariaDB read replica (GTID replication): the polling fallback, resyncs, KPIs and the ops page read it.
  start_mariadb_replica "$state/mariadb" "$db_port" "$state/mariadb-replica" "$db_replica_port" "$db_password" dispatch
  ensure_db_user "$state/mariadb-replica" dispatch "$db_password" dispatch
  mariadb_root "$state/mariadb-replica" "GRANT SLAVE MONITOR ON *.* TO 'dispatch'@'127.0.0.1'"
  export Database__ReplicaConnectionString="Server=127.0.0.1;Port=$db_replica_port;Database=dispatch;User ID=dispatch;Password=$db_password"
  dotnet build src/Dispatch.Bridge -c Release -o "$state/bridge" -nologo -v quiet
  start_redis "$state/redis" "$redis_port"
  # A replica and three sentinels: the nodes follow a failover of the Redis primary (docs/runbooks/redis-failover.md).
  start_redis_sentinels "$state/redis-sentinels" "$redis_port" "$redis_replica_port" 26380 26381 26382
  redis_sentinels="127.0.0.1:26380,127.0.0.1:26381,127.0.0.1:26382,serviceName=dispatch"
  # CurveZMQ key pairs, made once and kept in the state folder: the bridges send events only to
  # the nodes whose public keys they list (docs/bridge.md, "Keys").
  for owner in bridge node-a node-b; do
    [ -s "$state/$owner.curve" ] || (umask 077 && dotnet "$state/bridge/Dispatch.Bridge.dll" keygen >"$state/$owner.curve")
  done
  key() { sed -n "s/^$2=//p" "$state/$1.curve"; }
  for n in 0 1; do
    supervise "bridge-$n" env Bridge__Endpoint="tcp://127.0.0.1:560$n" ASPNETCORE_URLS="http://127.0.0.1:561$n" \
      Bridge__SecretKey="$(key bridge secret)" \
      Bridge__Nodes__node-a="$(key node-a public)" Bridge__Nodes__node-b="$(key node-b public)" \
      dotnet "$state/bridge/Dispatch.Bridge.dll"
  done
  for node in a:5081 b:5082; do
    supervise "node-${node%%:*}" env Realtime__Mode=Bridge Realtime__Redis="$redis_sentinels" \
      Realtime__BridgeEndpoints__0=tcp://127.0.0.1:5600 Realtime__BridgeEndpoints__1=tcp://127.0.0.1:5601 \
      Realtime__BridgePublicKey="$(key bridge public)" Realtime__NodeSecretKey="$(key "node-${node%%:*}" secret)" \
      Realtime__NodeName="node-${node%%:*}" "${server[@]}" --urls "http://127.0.0.1:${node##*:}"
  done
  start_nginx "$state/nginx" 127.0.0.1:5080 127.0.0.1:5443 127.0.0.1:5081 127.0.0.1:5082
  description="a cluster: nginx on :5080 and https://localhost:5443 (ip_hash) → nodes :5081 and :5082, MariaDB :$db_port (read replica :$db_replica_port), Redis :$redis_port (replica :$redis_replica_port, sentinels :26380-26382), bridges :5600/:5601 (health :5610/:5611)"
else
  description="one node; the outbox is relayed in-process"
fi

cat <<BANNER

Dispatch is starting on $url ($description).
  Nurse station: $url/            (sign in as a nurse; managers and admin give a ward number)
  Bedside:       $url/bedside.html (bed device simulator: raise, cancel, nurse presence)
  Operations:    $url/ops.html     (sign in as admin or a manager)
  Health:        curl $url/healthz
  Demo logins:   nurse-1-1 ... nurse-6-6 (nurses), manager-cardiology, admin
  Password:      $DEMO_PASSWORD   (all demo accounts; from $state/demo-credentials.env)
  Station keys:  STATION_1_KEY ... STATION_6_KEY in that file (a fixed station screen's "Station key")
  Raise a call:  source $state/demo-credentials.env
                 curl -X POST $url/api/calls -H "X-Device-Key: \$BED_1_KEY" \\
                      -H 'Content-Type: application/json' -d '{"bedId": 1, "kind": "normal"}'
  Watch ward 1:  scripts/watch.sh 1
  Nurse-call:    scripts/nurse-call.sh 101A "CODE BLUE"   (ESPA into the gateway: a code blue at room 101 bed A)
  Pages:         tail -f $state/logs/paging-server.log      (what the gateway pages to nurses' pagers, 5WN)
Ctrl+C stops everything.

BANNER
if [ "$mode" = cluster ]; then
  wait
else
  "${server[@]}" --urls "$url"
fi
