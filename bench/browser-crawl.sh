#!/usr/bin/env bash
# Browser-mode crawl speed and memory.
#
#   bench/browser-crawl.sh [path/to/privacy-inventory]   (default: target/release/privacy-inventory)
#
# 1. Light site (fixtures/sites/browser-bench, 30 pages): pages/min at --concurrency 1 and 4.
# 2. Slow site (fixtures/sites/browser-bench-slow: the same 30 pages, 3 of which settle after 8 s
#    because an image answers late): pages/min at --concurrency 4. Batches of 4 tabs wait for
#    their slowest page; a pool lets the other tabs go on.
# 3. Peak memory at --concurrency 4 (light site): RSS summed over our process and every Chromium
#    process (shared pages counted in each, so an upper bound) and PSS (shared pages split).
#
# The sites (same layout as the test fixtures: one directory per host) are served on 127.0.0.1 by
# a small Python server that picks the directory by Host header and delays /slow-8s.gif by 8 s;
# every host resolves to it through --resolve, so nothing leaves the machine. Needs python3 and
# Chromium. Goals (issue 13): light >= 150 pages/min at concurrency 4; slow site >= 1.5x the
# batch crawler; peak RSS of Chromium plus ours <= 1 GB at concurrency 4.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-${CARGO_TARGET_DIR:-target}/release/privacy-inventory}"
RUNS="${RUNS:-1}"
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release first" >&2; exit 2; }

WORK="$(mktemp -d)"
serve() { # serve SITE_DIR PORT_FILE
  python3 - "$1" "$2" >/dev/null <<'PY' &
import http.server, os, sys, socketserver, time
root, port_file = sys.argv[1], sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        base = os.path.join(root, os.path.basename(host))
        self.directory = base
        return super().translate_path(path)
    def do_GET(self):
        if self.path.startswith("/slow-8s.gif"):
            time.sleep(8)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.send_header("Content-Length", "6")
            self.end_headers()
            self.wfile.write(b"GIF89a")
            return
        super().do_GET()
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
  # (stdout closed: a command substitution waits for every writer of its pipe)
}
serve fixtures/sites/browser-bench "$WORK/light-port"; LIGHT_SERVER=$!
serve fixtures/sites/browser-bench-slow "$WORK/slow-port"; SLOW_SERVER=$!
trap 'kill $LIGHT_SERVER $SLOW_SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for f in light-port slow-port; do
  for _ in $(seq 50); do [ -s "$WORK/$f" ] && break; sleep 0.1; done
done

# Peak memory of a process tree, sampled every 0.2 s: writes "rss_mb pss_mb" to $2.
sample_tree() {
  python3 - "$1" "$2" <<'PY'
import os, sys, time
root, out = int(sys.argv[1]), sys.argv[2]
def tree():
    kids = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(p))
            except Exception:
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out
def field(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1])
    except Exception:
        pass
    return 0
peak_rss = peak_pss = 0
while os.path.exists(f"/proc/{root}"):
    pids = tree()
    peak_rss = max(peak_rss, sum(field(f"/proc/{p}/status", "VmRSS:") for p in pids))
    peak_pss = max(peak_pss, sum(field(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids))
    time.sleep(0.2)
open(out, "w").write(f"{peak_rss // 1024} {peak_pss // 1024}")
PY
}

run() { # run LABEL PORT_FILE CONCURRENCY [measure-memory]
  local label=$1 port c=$3
  port="$(cat "$WORK/$2")"
  for R in $(seq "$RUNS"); do
    START=$(date +%s.%N)
    set +e
    "$BIN" scan http://www.bench.test/ --browser --consent none --max-pages 30 --concurrency "$c" \
      --page-timeout 10 --resolve "*:$port:127.0.0.1" --quiet --output "$WORK/report.json" &
    PID=$!
    MEM=""
    if [ "${4:-}" = memory ]; then sample_tree "$PID" "$WORK/mem" & SAMPLER=$!; fi
    wait "$PID"; CODE=$?
    if [ "${4:-}" = memory ]; then wait "$SAMPLER"; MEM=" peak RSS $(cut -d' ' -f1 "$WORK/mem") MB, PSS $(cut -d' ' -f2 "$WORK/mem") MB (ours + Chromium)"; fi
    set -e
    END=$(date +%s.%N)
    PAGES=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for p in r["pages"] if p["status"]==200))' "$WORK/report.json")
    python3 -c 'import sys; l,c,p,s,e,code,mem=sys.argv[1:]; t=float(e)-float(s); print(f"{l} concurrency {c}: {p} pages in {t:.1f} s = {int(p)/t*60:.0f} pages/min (exit {code}){mem}")' \
      "$label" "$c" "$PAGES" "$START" "$END" "$CODE" "$MEM"
  done
}

echo "binary: $BIN ($("$BIN" --version)); chromium: $(chromium --version 2>/dev/null || echo '?'); cores: $(nproc)"
run light light-port 1
run light light-port 4 memory
run slow slow-port 4
