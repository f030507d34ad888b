#!/usr/bin/env bash
# Start the reference worker under the real `wrangler dev`, offline, in its own process group.
#   bench/reference/start.sh [PORT]        (default 8788; state in bench/reference/.wrangler/)
# Installs the pinned wrangler (npm ci) if node_modules is missing, seeds miniflare's cf.json cache,
# starts `wrangler dev` detached (log: wrangler.log, process group id: wrangler.pgid) and waits until
# /counter/value answers. Stop it with bench/reference/stop.sh.
set -euo pipefail
cd "$(dirname "$0")"
PORT=${1:-${PORT:-8788}}

[ -x node_modules/.bin/wrangler ] || npm ci --no-audit --no-fund
# Offline: miniflare downloads request.cf data at every start unless this file exists and is < 30 days old.
mkdir -p node_modules/.mf && cp cf.json node_modules/.mf/cf.json && touch node_modules/.mf/cf.json

if [ -f wrangler.pgid ] && ps -eo pgid= | grep -qw "$(cat wrangler.pgid)"; then
  echo "already running (process group $(cat wrangler.pgid)); stop it with $PWD/stop.sh" >&2
  exit 1
fi
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false
# setsid: a session and process group of its own (node, esbuild and two workerd processes).
setsid bash -c 'echo $$ > wrangler.pgid; exec node_modules/.bin/wrangler dev --port "$0" --ip 127.0.0.1' \
  "$PORT" > wrangler.log 2>&1 < /dev/null &
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/counter/value" > /dev/null 2>&1; then
    echo "ready on http://127.0.0.1:$PORT (process group $(cat wrangler.pgid), log $PWD/wrangler.log)"
    exit 0
  fi
  sleep 0.25
done
echo "wrangler dev did not answer within 30 s; log:" >&2
cat wrangler.log >&2
exit 1
