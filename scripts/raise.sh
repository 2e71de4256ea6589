#!/usr/bin/env bash
# Presses a bed's call button on the local system started by scripts/run.sh, with that bed's
# demo device key. KIND: code_blue, staff_emergency, staff_assist, bath, normal (default), trouble.
set -euo pipefail
cd "$(dirname "$0")/.."
bed=${1:?usage: scripts/raise.sh BED_ID [KIND]}
state=${DISPATCH_STATE:-.local/run}
# shellcheck disable=SC1091
source "$state/demo-credentials.env"
key_var="BED_${bed}_KEY"
export DISPATCH_DEVICE_KEY=${!key_var:?bed $bed is not in the demo hospital}
exec dotnet run --project src/Dispatch.Cli -c Release -v quiet -- \
  raise --server "${DISPATCH_URL:-http://127.0.0.1:5080}" --bed "$bed" --kind "${2:-normal}"
