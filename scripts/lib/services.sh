# Local services for Dispatch: MariaDB and Redis as plain processes on loopback, with their data
# in a project-local folder. Sourced by scripts/run.sh and scripts/test.sh; nothing here needs
# Docker or systemd.
#
# Each start_* function takes the state folder and a port, and writes a pid file there so that
# stop_services can end exactly what it started.

set -euo pipefail

ensure_packages() {
  local missing=()
  command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server mariadb-client)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v socat >/dev/null 2>&1 || missing+=(socat)
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v dotnet >/dev/null 2>&1 || { echo "dotnet SDK 10 is required (see README)" >&2; return 1; }
  if ((${#missing[@]})); then
    echo "Installing ${missing[*]} from Debian's packages..."
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# start_mariadb STATE_DIR PORT [SERVER_OPTION...]: initialises the data folder on first use, starts mariadbd on
# 127.0.0.1:PORT and waits until it answers.
start_mariadb() {
  local dir port=$2
  mkdir -p "$1"
  dir=$(cd "$1" && pwd)
  if [ ! -d "$dir/data/mysql" ]; then
    rm -rf "$dir/data"
    mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=socket \
      --skip-test-db --user="$(id -un)" >"$dir/install.log" 2>&1
  fi
  if [ -f "$dir/mariadb.pid" ] && kill -0 "$(cat "$dir/mariadb.pid")" 2>/dev/null; then
    return 0
  fi
  mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/mariadb.sock" \
    --port="$port" --bind-address=127.0.0.1 --user="$(id -un)" \
    --pid-file="$dir/mariadb.pid" --log-error="$dir/mariadb.err" \
    --innodb-buffer-pool-size=256M --max-connections=500 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --default-time-zone=+00:00 --skip-log-bin --userstat=1 "${@:3}" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    if mariadb --no-defaults --socket="$dir/mariadb.sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  echo "MariaDB did not start; see $dir/mariadb.err" >&2
  tail -20 "$dir/mariadb.err" >&2 || true
  return 1
}

# start_mariadb_replica PRIMARY_DIR PRIMARY_PORT DIR PORT PASSWORD DATABASE: a read replica of the primary
# (which must run with --log-bin and a server id): started on 127.0.0.1:PORT, and on first use
# seeded with a consistent dump of DATABASE at a GTID position and set to replicate from there
# (GTID, user replicator). docs/runbooks/database-failover.md.
start_mariadb_replica() {
  local primary=$1 primary_port=$2 port=$4 password=$5 database=$6 dir
  start_mariadb "$3" "$port" --server-id=2 --read-only=1 --log-bin=mariadb-bin --binlog-format=ROW --log-slave-updates
  dir=$(cd "$3" && pwd)
  if [ -n "$(mariadb_root "$dir" "SHOW REPLICA STATUS")" ]; then
    return 0
  fi
  mariadb_root "$primary" "CREATE USER IF NOT EXISTS 'replicator'@'127.0.0.1' IDENTIFIED BY '$password';
    ALTER USER 'replicator'@'127.0.0.1' IDENTIFIED BY '$password'; GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'127.0.0.1'"
  # --gtid with --master-data: the dump sets the replica's GTID position to the dump's own.
  mariadb-dump --no-defaults --socket="$primary/mariadb.sock" -uroot --single-transaction --gtid --master-data=1 \
    --databases "$database" | mariadb --no-defaults --socket="$dir/mariadb.sock" -uroot
  mariadb_root "$dir" "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$primary_port, MASTER_USER='replicator',
    MASTER_PASSWORD='$password', MASTER_USE_GTID=slave_pos; START REPLICA"
}

# mariadb_root STATE_DIR SQL: runs SQL as the local root over the unix socket.
mariadb_root() {
  mariadb --no-defaults --socket="$1/mariadb.sock" -uroot -e "$2"
}

# ensure_db_user STATE_DIR USER PASSWORD DB_PATTERN: an application user limited to loopback and
# to the databases matching DB_PATTERN (a LIKE pattern, e.g. dispatch or dispatch\_test\_%).
ensure_db_user() {
  local dir=$1 user=$2 password=$3 pattern=$4
  mariadb_root "$dir" "
    CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
    ALTER USER '$user'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT ALL PRIVILEGES ON \`$pattern\`.* TO '$user'@'127.0.0.1';"
}

# start_redis STATE_DIR PORT
start_redis() {
  local dir port=$2
  mkdir -p "$1"
  dir=$(cd "$1" && pwd)
  if [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then
    return 0
  fi
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --daemonize yes >/dev/null
}

# start_redis_sentinels STATE_DIR PRIMARY_PORT REPLICA_PORT SENTINEL_PORT...: a replica of the
# Redis on PRIMARY_PORT, and sentinels watching the pair as service "dispatch" (each in a folder
# of its own under STATE_DIR, so stop_services stops each). Nodes then connect through the
# sentinels: Realtime__Redis=127.0.0.1:S1,127.0.0.1:S2,...,serviceName=dispatch.
start_redis_sentinels() {
  local dir=$1 primary=$2 replica=$3 port
  shift 3
  mkdir -p "$dir/replica"
  if ! { [ -f "$dir/replica/redis.pid" ] && kill -0 "$(cat "$dir/replica/redis.pid")" 2>/dev/null; }; then
    redis-server --port "$replica" --bind 127.0.0.1 --save "" --appendonly no --replicaof 127.0.0.1 "$primary" \
      --dir "$(cd "$dir/replica" && pwd)" --pidfile "$(cd "$dir/replica" && pwd)/redis.pid" --logfile redis.log --daemonize yes >/dev/null
  fi
  for port in "$@"; do
    mkdir -p "$dir/sentinel-$port"
    local folder
    folder=$(cd "$dir/sentinel-$port" && pwd)
    [ -f "$folder/redis.pid" ] && kill -0 "$(cat "$folder/redis.pid")" 2>/dev/null && continue
    # Written afresh at each start (a sentinel rewrites its file as it learns the group): the
    # group starts again with the primary on PRIMARY_PORT.
    printf '%s\n' "port $port" "bind 127.0.0.1" \
      "sentinel monitor dispatch 127.0.0.1 $primary 2" "sentinel down-after-milliseconds dispatch 1000" \
      "sentinel failover-timeout dispatch 5000" "sentinel parallel-syncs dispatch 1" >"$folder/sentinel.conf"
    redis-server "$folder/sentinel.conf" --sentinel --dir "$folder" --pidfile "$folder/redis.pid" --logfile sentinel.log --daemonize yes >/dev/null
  done
}

# start_nginx STATE_DIR LISTEN TLS_LISTEN NODE_A NODE_B: renders nginx/dispatch.conf.template and
# starts nginx. HTTPS uses DISPATCH_TLS_CERTIFICATE and DISPATCH_TLS_CERTIFICATE_KEY (PEM files)
# when set, else a self-signed certificate for localhost made once in STATE_DIR.
start_nginx() {
  local dir listen=$2 tls_listen=$3 node_a=$4 node_b=$5 cert key
  mkdir -p "$1"
  dir=$(cd "$1" && pwd)
  cert=${DISPATCH_TLS_CERTIFICATE:-$dir/tls.crt}
  key=${DISPATCH_TLS_CERTIFICATE_KEY:-$dir/tls.key}
  if [ -z "${DISPATCH_TLS_CERTIFICATE:-}" ] && [ ! -s "$cert" ]; then
    (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$key" -out "$cert" 2>/dev/null)
  fi
  sed -e "s|{{PREFIX}}|$dir|g" -e "s|{{LISTEN}}|$listen|g" -e "s|{{TLS_LISTEN}}|$tls_listen|g" \
    -e "s|{{TLS_CERTIFICATE}}|$cert|g" -e "s|{{TLS_CERTIFICATE_KEY}}|$key|g" \
    -e "s|{{NODE_A}}|$node_a|g" -e "s|{{NODE_B}}|$node_b|g" \
    nginx/dispatch.conf.template >"$dir/nginx.conf"
  /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
}

# stop_services STATE_DIR: stops whatever start_* left a pid file for.
stop_services() {
  local dir=$1 pidfile pid
  for pidfile in "$dir"/nginx.pid "$dir"/redis.pid "$dir"/mariadb.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -f "$pidfile"
  done
}

# secret_for STATE_DIR NAME: a random secret created once and kept in the state folder.
secret_for() {
  local file="$1/$2.secret"
  if [ ! -s "$file" ]; then
    mkdir -p "$1"
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$file")
  fi
  cat "$file"
}
