#!/usr/bin/env bash
# Static-mode throughput benchmark: a generated 2,000-page site (~20 KB pages, ~10 links each, a few
# third-party embeds) served by nginx on loopback; reports pages/s, CPU time and peak RSS of a full
# scan next to the server's own ceiling (wrk). Not part of the test run.
#
# Usage: bench/static-crawl.sh [PAGES] [CONCURRENCY]      (needs: nginx, wrk, python3; see .ci/run)
set -euo pipefail
pages=${1:-2000}
conc=${2:-16}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

python3 "$here/bench/gen_site.py" "$work/site" "$pages" >/dev/null
chmod -R a+rX "$work"   # nginx workers run as an unprivileged user
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  default_type text/html;
  types { text/html html; text/css css; application/javascript js; }
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server { listen 127.0.0.1:$port default_server; server_name _; root $work/site; }
}
NGINX
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3

echo "== server ceiling (wrk, 16 connections, 5 s, one 20 KB page) =="
if command -v wrk >/dev/null; then
  wrk -t2 -c16 -d5s "http://127.0.0.1:$port/p/1.html" | grep -E 'Requests/sec|Latency'
else
  echo "wrk not installed: skipped"
fi

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/privacy-inventory"
echo "== privacy-inventory static scan: $pages pages, --concurrency $conc =="
/usr/bin/time -f '%e s wall, %U s user, %S s sys, %M KB peak RSS' -o "$work/time.txt" \
  "$bin" scan "http://bench.test/" --resolve "*:$port:127.0.0.1" --max-pages "$pages" \
  --concurrency "$conc" --ignore-robots --quiet --fail-on never --output "$work/report.json" || true
cat "$work/time.txt"
python3 - "$work/report.json" "$work/time.txt" <<'PY'
import json, sys, re
r = json.load(open(sys.argv[1]))
wall, user, sys_, rss = re.findall(r"[\d.]+", open(sys.argv[2]).read())[:4]
n = r["summary"]["pages"]
print(f"pages crawled: {n}  third-party hosts: {r['summary']['third_party_hosts']}  errors: {r['summary']['errors']}")
print(f"throughput: {n/float(wall):.0f} pages/s   CPU: {float(user)+float(sys_):.2f} s   peak RSS: {int(rss)/1024:.0f} MB")
for e in r["errors"][:3]:
    print("  error:", e["kind"], e["url"], e["message"][:160])
PY
