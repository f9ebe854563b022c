#!/usr/bin/env sh
# Runs the spec guard for shell users and CI scripts: `scripts/spec-guard.sh [cxo guard options]`.
# Uses the cxo on PATH when there is one, else this checkout's build (building it if needed).
set -eu
if command -v cxo >/dev/null 2>&1; then
  exec cxo guard "$@"
fi
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$here/dist/bin/cxo.js" ]; then
  (cd "$here" && npm run build >/dev/null)
fi
exec node "$here/dist/bin/cxo.js" guard "$@"
