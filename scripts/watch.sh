#!/usr/bin/env bash
# Watches a ward of the local system started by scripts/run.sh, signed in as that ward's first
# demo nurse (nurse-WARD-1): the open calls, then every event live. Ctrl+C stops.
set -euo pipefail
cd "$(dirname "$0")/.."
ward=${1:?usage: scripts/watch.sh WARD_ID}
state=${DISPATCH_STATE:-.local/run}
# shellcheck disable=SC1091
source "$state/demo-credentials.env"
export DISPATCH_PASSWORD=$DEMO_PASSWORD
exec dotnet run --project src/Dispatch.Cli -c Release -v quiet -- \
  watch --server "${DISPATCH_URL:-http://127.0.0.1:5080}" --ward "$ward" --user "nurse-$ward-1"
