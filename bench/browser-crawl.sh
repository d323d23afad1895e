#!/usr/bin/env bash
# Browser-mode crawl speed: pages/min on a 30-page light fixture site at --concurrency 1 and 4.
#
#   bench/browser-crawl.sh [path/to/privacy-inventory]   (default: target/release/privacy-inventory)
#
# The site (fixtures/sites/browser-bench, same layout as the test fixtures: one directory per
# host) is served on 127.0.0.1 by a small Python server that picks the directory by Host header;
# every host resolves to it through --resolve, so nothing leaves the machine. Needs python3 and
# Chromium. Goal (issue 5): >= 60 pages/min at concurrency 4 on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-${CARGO_TARGET_DIR:-target}/release/privacy-inventory}"
SITE=fixtures/sites/browser-bench
RUNS="${RUNS:-1}"
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release first" >&2; exit 2; }

WORK="$(mktemp -d)"
PORT_FILE="$WORK/port"
python3 - "$SITE" "$PORT_FILE" <<'PY' &
import http.server, os, sys, socketserver
root, port_file = sys.argv[1], sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        base = os.path.join(root, os.path.basename(host))
        self.directory = base
        return super().translate_path(path)
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
PORT="$(cat "$PORT_FILE")"

echo "binary: $BIN ($("$BIN" --version)); chromium: $(chromium --version 2>/dev/null || echo '?'); cores: $(nproc)"
for C in 1 4; do
  for R in $(seq "$RUNS"); do
    START=$(date +%s.%N)
    set +e
    "$BIN" scan http://www.bench.test/ --browser --consent none --max-pages 30 --concurrency "$C" \
      --page-timeout 10 --resolve "*:$PORT:127.0.0.1" --quiet --output "$WORK/report.json"
    CODE=$?
    set -e
    END=$(date +%s.%N)
    PAGES=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for p in r["pages"] if p["status"]==200))' "$WORK/report.json")
    python3 -c 'import sys; c,p,s,e,code=sys.argv[1:]; t=float(e)-float(s); print(f"concurrency {c}: {p} pages in {t:.1f} s = {int(p)/t*60:.0f} pages/min (exit {code})")' \
      "$C" "$PAGES" "$START" "$END" "$CODE"
  done
done
