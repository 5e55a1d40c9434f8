#!/usr/bin/env bash
# Load benchmark of the search service against nginx serving the same data statically.
# Results go to docs/PERFORMANCE.md by hand, with this command line.
#
#   bench/api.sh [ACCOUNTS]    (default 1000000; WORK=/path for data, default /tmp/leakdex-bench)
#
# Builds an index of ACCOUNTS distinct addresses (bench/gen_accounts.py → leakdex ingest,
# SQLite; kept in $WORK between runs), exports its k-anonymity range files, then with wrk
# (64 connections, 2 threads, random keys from a sample of the addresses) measures, in
# the same run on the same machine:
#   1. nginx serving the range files            GET /range/{5-hex prefix}
#   2. leakdex  GET /api/v3/breachedaccount/range/{6-hex prefix}
#   3. leakdex  GET /api/v3/breachedaccount/{account}
#   and with BASELINE=/path/to/an/older/leakdex, the same two routes against that binary
#   (the previous version, side by side in the same run) over an index it builds itself.
# Needs wrk and nginx (apt-get install wrk nginx).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leakdex-target}"
WORK="${WORK:-/tmp/leakdex-bench}"
N="${1:-1000000}"
DURATION="${DURATION:-20s}"
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "bench: install $tool (apt-get install wrk nginx)" >&2; exit 1; }
done
mkdir -p "$WORK"
cargo build --release --locked -q -p leakdex
LEAKDEX="$CARGO_TARGET_DIR/release/leakdex"
DB="$WORK/api-$N.db"
SRC="$WORK/accounts-$N"
if [ ! -f "$DB" ]; then
  [ -d "$SRC" ] || python3 bench/gen_accounts.py "$SRC" "$N"
  echo "== ingesting $N accounts (once)"
  /usr/bin/time -f "ingest: %e s, peak RSS %M KiB" "$LEAKDEX" --db "sqlite://$DB" -q ingest "$SRC" --breach "Bench$N"
fi
[ -f "$SRC.sample" ] || python3 bench/gen_accounts.py "$SRC" "$N"
RANGE="$WORK/range-$N"
if [ ! -d "$RANGE" ]; then
  "$LEAKDEX" --db "sqlite://$DB" -q export range --out "$RANGE"
fi
KEY=$("$LEAKDEX" --db "sqlite://$DB" -q keys create --label bench --rpm 1000000000)

# Request paths for wrk: random picks from the sample.
python3 - "$SRC.sample" "$WORK" <<'PY'
import hashlib, sys, urllib.parse
sample, work = sys.argv[1], sys.argv[2]
addrs = [a.strip() for a in open(sample) if a.strip()]
h = [hashlib.sha1(a.lower().encode()).hexdigest().upper() for a in addrs]
open(f"{work}/paths-nginx.txt", "w").write("\n".join(f"/range/{x[:5]}" for x in h) + "\n")
open(f"{work}/paths-range.txt", "w").write("\n".join(f"/api/v3/breachedaccount/range/{x[:6]}" for x in h) + "\n")
open(f"{work}/paths-account.txt", "w").write("\n".join(f"/api/v3/breachedaccount/{urllib.parse.quote(a)}" for a in addrs) + "\n")
PY
cat > "$WORK/paths.lua" <<LUA
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
math.randomseed(os.time())
wrk.headers["user-agent"] = "wrk-bench"
wrk.headers["hibp-api-key"] = "$KEY"
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
LUA

# nginx: 2 workers (the machine's cores), no access log, files from $RANGE.
NGX="$WORK/nginx"
mkdir -p "$NGX/logs"
cat > "$NGX/nginx.conf" <<NGINX
worker_processes 2;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  default_type text/plain;
  server {
    listen 127.0.0.1:18091;
    location /range/ { alias $RANGE/; }
  }
}
NGINX
nginx -p "$NGX" -c "$NGX/nginx.conf"
LEAKDEX_LOG=error "$LEAKDEX" --db "sqlite://$DB" -q serve --addr 127.0.0.1:18092 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; nginx -p "$NGX" -c "$NGX/nginx.conf" -s stop 2>/dev/null' EXIT
sleep 1
# Warm both (the range snapshot is built on first use).
curl -sf -A w -H "hibp-api-key: $KEY" "http://127.0.0.1:18092$(head -1 "$WORK/paths-range.txt")" > /dev/null
curl -sf "http://127.0.0.1:18091$(head -1 "$WORK/paths-nginx.txt")" > /dev/null

run() { # name url paths
  echo "== $1"
  PATHS="$3" wrk -t2 -c64 -d"$DURATION" --latency -s "$WORK/paths.lua" "$2" \
    | grep -E "Requests/sec|Latency|  50%|  99%|Non-2xx|Socket errors"
}
echo "== $N accounts, $(nproc) cores, wrk -t2 -c64 -d$DURATION"
run "nginx static range files" http://127.0.0.1:18091 "$WORK/paths-nginx.txt"
run "leakdex /api/v3/breachedaccount/range/{prefix}" http://127.0.0.1:18092 "$WORK/paths-range.txt"
run "leakdex /api/v3/breachedaccount/{account}" http://127.0.0.1:18092 "$WORK/paths-account.txt"
if [ -n "${BASELINE:-}" ]; then
  kill $SERVER; wait $SERVER 2>/dev/null || true
  # Its own index, written by the baseline itself: an older build cannot open a newer
  # schema (and a newer build would upgrade the older one's).
  BDB="$WORK/api-$N-baseline.db"
  rm -f "$BDB" "$BDB-wal" "$BDB-shm"
  echo "== ingesting $N accounts with the baseline"
  "$BASELINE" --db "sqlite://$BDB" -q ingest "$SRC" --breach "Bench$N" > /dev/null
  BKEY=$("$BASELINE" --db "sqlite://$BDB" -q keys create --label bench --rpm 1000000000)
  sed -i "s/$KEY/$BKEY/" "$WORK/paths.lua"
  LEAKDEX_LOG=error "$BASELINE" --db "sqlite://$BDB" -q serve --addr 127.0.0.1:18093 &
  SERVER=$!
  sleep 1
  curl -sf -A w -H "hibp-api-key: $BKEY" "http://127.0.0.1:18093$(head -1 "$WORK/paths-range.txt")" > /dev/null
  run "baseline ($BASELINE) /api/v3/breachedaccount/range/{prefix}" http://127.0.0.1:18093 "$WORK/paths-range.txt"
  run "baseline ($BASELINE) /api/v3/breachedaccount/{account}" http://127.0.0.1:18093 "$WORK/paths-account.txt"
fi
