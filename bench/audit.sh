#!/usr/bin/env bash
# Benchmarks of `leakdex audit` against local emulators (tests/cloud/install installs
# them); results go to docs/PERFORMANCE.md by hand, with this command line.
#
#   bench/audit.sh            (WORK=/path for generated data, default /tmp/leakdex-bench)
#
# (a) targets audited per second: `--org` over a word list against moto's S3 server
#     (almost every candidate is not_found: the cost of one anonymous probe each).
# (b) --scan of a ~50 MB generated corpus uploaded to moto and to Azurite vs a local scan
#     of the same files, side by side (hyperfine), and the unique e-mails of each.
# Both use --rate 100000: the default per-host pacing (20 requests/s) is politeness
# towards real clouds and would make this a measure of the pacing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leakdex-target}"
WORK="${WORK:-/tmp/leakdex-bench}"
mkdir -p "$WORK"
tests/cloud/install
cargo build --release --locked -q -p leakdex
LEAKDEX="$CARGO_TARGET_DIR/release/leakdex"
VENV="${LEAKDEX_CLOUD_VENV:-$HOME/.cache/leakdex-cloud-venv}"
command -v hyperfine >/dev/null || { echo "bench: install hyperfine" >&2; exit 1; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
S3P=$(port); AZP=$(port)
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$S3P" > "$WORK/moto.log" 2>&1 & MOTO=$!
tests/cloud/node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$AZP" --inMemoryPersistence \
  --loose --skipApiVersionCheck --disableTelemetry > "$WORK/azurite.log" 2>&1 & AZ=$!
trap 'kill $MOTO $AZ 2>/dev/null || true' EXIT
wait_port "$S3P"; wait_port "$AZP"

d="$WORK/audit-corpus"
[ -d "$d" ] || "$LEAKDEX" -q corpus generate --out "$d" --size 50 --orgs 200 --seed 9 > /dev/null
"$VENV/bin/python" tests/cloud/setup_s3.py "http://127.0.0.1:$S3P" "$d" > /dev/null
node tests/cloud/setup-azure.mjs "http://127.0.0.1:$AZP" "$d" > /dev/null

echo "== (a) targets per second, $(nproc) cores"
words="$WORK/words.txt"
python3 -c 'print("\n".join(f"w{i:04d}" for i in range(300)))' > "$words"
n=$("$LEAKDEX" audit -q --json --rate 100000 --s3-endpoint "http://127.0.0.1:$S3P" --org bench --wordlist "$words" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
hyperfine --warmup 1 --runs 5 --export-json "$WORK/audit-org.json" \
  -n "audit --org ($n targets)" "$LEAKDEX audit -q --json --rate 100000 --concurrency 32 --s3-endpoint http://127.0.0.1:$S3P --org bench --wordlist $words > /dev/null" > /dev/null
python3 - "$WORK/audit-org.json" "$n" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"{int(sys.argv[2])} targets in {r['mean']:.2f} s: {int(sys.argv[2]) / r['mean']:.0f} targets/s")
PY

echo "== (b) --scan vs local scan of $(du -sh "$d" | cut -f1)"
hyperfine --warmup 1 --runs 3 --export-markdown "$WORK/audit-scan.md" \
  -n "local scan" "$LEAKDEX scan -q --json $d > /dev/null" \
  -n "audit --scan (moto S3)" "$LEAKDEX audit -q --json --scan --rate 100000 --s3-endpoint http://127.0.0.1:$S3P s3://open-bucket > /dev/null" \
  -n "audit --scan (Azurite)" "$LEAKDEX audit -q --json --scan --rate 100000 --azure-endpoint http://127.0.0.1:$AZP az://devstoreaccount1/open-container > /dev/null"
cat "$WORK/audit-scan.md"
echo "bytes: $(du -sb "$d" | cut -f1)"
echo "unique e-mails: local $("$LEAKDEX" scan -q --json "$d" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["emails"]["unique"])')," \
  "s3 $("$LEAKDEX" audit -q --json --scan --rate 100000 --s3-endpoint "http://127.0.0.1:$S3P" s3://open-bucket | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["scan"]["counts"]["emails"]["unique"])')"
