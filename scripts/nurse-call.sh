#!/usr/bin/env bash
# The primary nurse-call system of the local system started by scripts/run.sh, simulated: sends
# one call over ESPA 4.4.4 to Dispatch.Gateway's line on 127.0.0.1:7001. The address is a ward 1
# bed's room and bed (101A … 106B); "CODE BLUE" in the text makes a code blue, "CANCEL" ends it.
#   scripts/nurse-call.sh 101A                 a patient call at room 101 bed A
#   scripts/nurse-call.sh 101A "CODE BLUE"     a code blue there
#   scripts/nurse-call.sh 101A CANCEL          the call ended at the primary system
set -euo pipefail
cd "$(dirname "$0")/.."
address=${1:?usage: scripts/nurse-call.sh ADDRESS [TEXT]}
exec dotnet run --project src/Dispatch.Cli -c Release -v quiet -- \
  espa send --to "${DISPATCH_LINE:-127.0.0.1:7001}" --address "$address" --text "${2:-Bed call $address}"
