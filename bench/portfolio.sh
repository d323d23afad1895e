#!/usr/bin/env bash
# Portfolio benchmark: SITES generated sites × PAGES pages each, all on one nginx on loopback (each
# site is its own virtual host name), scanned by ONE `scan --config` run with `parallel = 8`.
# Reports sites/min and peak RSS, and checks that memory does not grow with the number of sites
# already finished: the resident size when 50 sites are done is compared with the size near the
# end (and with the peak of a separate 50-site run). Not part of the test run.
#
# Usage: bench/portfolio.sh [SITES] [PAGES] [PARALLEL]     (needs: nginx, python3, GNU time)
#        BIN=path/to/privacy-inventory bench/portfolio.sh   (default: a release build of this tree)
set -euo pipefail
sites=${1:-200}
pages=${2:-20}
parallel=${3:-8}
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

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  BIN="$here/target/release/privacy-inventory"
fi

# One config of N sites; every host of every site goes to the one nginx (third-party hosts too,
# which answer with the site's 404 page: the bench measures the tool, not the Internet).
config() {
  local n=$1 f=$2
  printf 'fail_on = "never"\nparallel = %s\n\n' "$parallel" >"$f"
  for i in $(seq -w 1 "$n"); do
    printf '[[site]]\nname = "site%s"\nurl = "http://site%s.bench.test/"\nscope = "host"\nmax_pages = %s\nignore_robots = true\nresolve = ["*:%s:127.0.0.1"]\n\n' \
      "$i" "$i" "$pages" "$port" >>"$f"
  done
}

# Run a portfolio of N sites; sample the process's resident size (VmRSS) every 0.1 s together
# with the number of reports already written.
run() {
  local n=$1 out="$work/out-$1"
  config "$n" "$work/sites-$n.toml"
  mkdir -p "$out"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time-$n.txt" \
    "$BIN" scan --config "$work/sites-$n.toml" --output-dir "$out" --quiet >/dev/null 2>"$work/stderr-$n.txt" &
  local tpid=$! pid=""
  : >"$work/samples-$n.txt"
  while kill -0 "$tpid" 2>/dev/null; do
    [ -z "$pid" ] && pid=$(pgrep -P "$tpid" -x privacy-invento || true)
    if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
      rss=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
      done_=$(find "$out" -maxdepth 1 -name 'site*.json' | wc -l)
      [ -n "$rss" ] && echo "$done_ $rss" >>"$work/samples-$n.txt"
    fi
    sleep 0.1
  done
  wait "$tpid" || true
}

echo "== $sites sites × $pages pages, parallel = $parallel (nginx on 127.0.0.1:$port) =="
run 50
run "$sites"
python3 - "$work" "$sites" <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
def t(k):
    wall, user, sys_, rss = open(f"{work}/time-{k}.txt").read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss)
idx = json.load(open(f"{work}/out-{n}/index.json"))
ok = [s for s in idx["sites"] if s["summary"] and not s["error"]]
pages = sum(s["summary"]["pages"] for s in ok)
wall, cpu, peak = t(n)
wall50, _, peak50 = t(50)
print(f"sites scanned: {len(ok)}/{len(idx['sites'])}  pages: {pages}")
print(f"{n} sites: {wall:.1f} s wall, {cpu:.1f} s CPU, {len(ok) / wall * 60:.0f} sites/min, {pages / wall:.0f} pages/s, peak RSS {peak / 1024:.0f} MB")
print(f"50 sites (separate run): {wall50:.1f} s wall, peak RSS {peak50 / 1024:.0f} MB")
samples = [tuple(map(int, l.split())) for l in open(f"{work}/samples-{n}.txt") if l.strip()]
def rss_at(k):
    got = [r for d, r in samples if d >= k]
    return got[0] if got else None
at50, near_end = rss_at(50), rss_at(max(50, n - 10))
if at50 and near_end:
    print(f"RSS with 50 sites done: {at50 / 1024:.0f} MB; with {n - 10} done: {near_end / 1024:.0f} MB "
          f"({(near_end - at50) / 1024:+.0f} MB)")
PY
