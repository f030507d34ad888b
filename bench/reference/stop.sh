#!/usr/bin/env bash
# Stop the `wrangler dev` started by start.sh: SIGINT to its whole process group, SIGKILL after 10 s.
set -euo pipefail
cd "$(dirname "$0")"
[ -f wrangler.pgid ] || { echo "not running (no wrangler.pgid)" >&2; exit 0; }
PGID=$(cat wrangler.pgid)
kill -INT -- "-$PGID" 2>/dev/null || true
for _ in $(seq 1 40); do
  ps -eo pgid= | grep -qw "$PGID" || { rm -f wrangler.pgid; echo "stopped"; exit 0; }
  sleep 0.25
done
kill -KILL -- "-$PGID" 2>/dev/null || true
rm -f wrangler.pgid
echo "stopped (SIGKILL)"
