#!/bin/sh
# stop-pid.sh PID - TERM, wait up to 10 s for the process to exit, then KILL. Used by the peers' stop.sh.
set -eu
PID=${1:?usage: stop-pid.sh PID}
kill -TERM "$PID" 2>/dev/null || { echo "pid $PID not running"; exit 0; }
i=0
while kill -0 "$PID" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && { kill -KILL "$PID" 2>/dev/null || true; break; }
  sleep 0.1
done
echo "stopped $PID"
