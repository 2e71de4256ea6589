#!/usr/bin/env bash
# Starts a working local Dispatch on this machine: installs MariaDB and Redis from Debian's
# packages if missing, runs MariaDB on 127.0.0.1:3307 with its data in .local/run, migrates,
# seeds the demo hospital and runs one server node on http://127.0.0.1:5080.
# Ctrl+C stops the server and the database it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

state=${DISPATCH_STATE:-.local/run}
db_port=${DISPATCH_DB_PORT:-3307}
url=${DISPATCH_URL:-http://127.0.0.1:5080}

ensure_packages
start_mariadb "$state/mariadb" "$db_port"
trap 'stop_services "$state/mariadb"' EXIT

db_password=$(secret_for "$state" db-password)
mariadb_root "$state/mariadb" "CREATE DATABASE IF NOT EXISTS dispatch"
ensure_db_user "$state/mariadb" dispatch "$db_password" dispatch
export Database__ConnectionString="Server=127.0.0.1;Port=$db_port;Database=dispatch;User ID=dispatch;Password=$db_password"
# For maintenance commands by hand (see docs/runbooks): set -a; source .local/run/server.env
(umask 077 && printf 'Database__ConnectionString=%q\n' "$Database__ConnectionString" >"$state/server.env")

echo "Building Dispatch.Server..."
dotnet build src/Dispatch.Server -c Release -o "$state/server" -nologo -v quiet
server=("dotnet" "$state/server/Dispatch.Server.dll")
"${server[@]}" migrate up
"${server[@]}" seed-demo "$state/demo-credentials.env"

# shellcheck disable=SC1091
source "$state/demo-credentials.env"
cat <<BANNER

Dispatch is starting on $url (single node; the outbox is relayed in-process).
  Health:        curl $url/healthz
  Demo logins:   nurse-1-1 ... nurse-6-6 (nurses), manager-cardiology, admin
  Password:      $DEMO_PASSWORD   (all demo accounts; from $state/demo-credentials.env)
  Raise a call:  source $state/demo-credentials.env
                 curl -X POST $url/api/calls -H "X-Device-Key: \$BED_1_KEY" \\
                      -H 'Content-Type: application/json' -d '{"bedId": 1, "kind": "normal"}'
  Watch ward 1:  scripts/watch.sh 1
Ctrl+C stops the server and the database.

BANNER
"${server[@]}" --urls "$url"
