#!/usr/bin/env bash
# supervise.sh NAME COMMAND...: runs COMMAND, and again 1 s after each exit, as systemd's
# Restart=always does in production (deploy/systemd). Each exit is logged with its code; 75 means
# the memory watchdog drained the node on purpose (docs/runbooks/memory-restart.md).
# SIGTERM or SIGINT stops COMMAND (it gets the SIGTERM, so a node says goodbye) and this loop.
set -uo pipefail
name=$1
shift
child=

stop() {
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
  [ -n "$child" ] && wait "$child"
  exit 0
}
trap stop TERM INT

while true; do
  "$@" &
  child=$!
  wait "$child"
  code=$?
  echo "$(date +%T) $name exited with code $code; restarting in 1 s" >&2
  sleep 1
done
