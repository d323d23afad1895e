#!/usr/bin/env bash
# Static-mode throughput benchmark: a generated 2,000-page site (~20 KB pages, ~10 links each, a few
# third-party embeds) served by nginx on loopback; reports pages/s, CPU time and peak RSS of a full
# scan next to the server's own ceiling (wrk). Not part of the test run.
#
# Usage: bench/static-crawl.sh [PAGES] [CONCURRENCY] [THIRD_PARTIES]   (needs: nginx, wrk, python3)
#   THIRD_PARTIES: answer (default: nginx plays every third-party host), refuse (their port is
#   closed) or unresolved (their names do not resolve: the run happens in a network namespace of its
#   own, `unshare -n`, whose DNS queries go into a dummy link and time out, as on an egress-blocked
#   CI runner; nothing leaves the machine). Each condition is
#   scanned twice: with subresources (the default) and with --no-subresources.
#   BIN=path/to/privacy-inventory skips the release build (e.g. to compare two builds).
set -euo pipefail
pages=${1:-2000}
conc=${2:-16}
third=${3:-answer}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "$third" = unresolved ] && [ -z "${BENCH_IN_NETNS:-}" ]; then
  if [ "$(id -u)" = 0 ]; then ns=-n; else ns=-rn; fi
  # Only loopback, with the default route pointing into it: DNS queries to any nameserver are
  # dropped and time out, as on an egress-blocked CI runner, and never leave the machine.
  exec env BENCH_IN_NETNS=1 unshare $ns bash -c 'ip link set lo up && ip route add default dev lo &&
    exec "$0" "$@"' "$0" "$@"
fi
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

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  bin="$here/target/release/privacy-inventory"
else
  bin=$BIN
fi
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
case "$third" in
  answer) resolve=(--resolve "*:$port:127.0.0.1") ;;
  refuse) resolve=(--resolve "bench.test:$port:127.0.0.1" --resolve "*:$dead:127.0.0.1") ;;
  unresolved) resolve=(--resolve "bench.test:$port:127.0.0.1") ;;
  *) echo "THIRD_PARTIES must be answer, refuse or unresolved" >&2; exit 2 ;;
esac
for sub in "" --no-subresources; do
echo "== privacy-inventory static scan: $pages pages, --concurrency $conc, third parties: $third ${sub:-(subresources on)} =="
/usr/bin/time -f '%e s wall, %U s user, %S s sys, %M KB peak RSS' -o "$work/time.txt" \
  "$bin" scan "http://bench.test/" "${resolve[@]}" $sub --max-pages "$pages" \
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
done
