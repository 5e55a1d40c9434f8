#!/usr/bin/env bash
# End-to-end benchmarks of leakdex scan; results go to docs/PERFORMANCE.md by hand, with
# this command line. Both tools run side by side in the same run, on the same files.
#
#   bench/e2e.sh [text|corpus|ingest|accounts|documents|all]   (WORK=/path for generated data, default /tmp/leakdex-bench)
#
# (a) text:   a ~300 MB plain-text file, ~20% of lines with an address: leakdex scan vs
#             `rg -c` with a common e-mail regex (hyperfine), and both unique counts.
# (b) corpus: a ~1 GB generated corpus: MB/s and peak RSS (GNU time).
# (c) ingest: the same corpus into SQLite and PostgreSQL ($LEAKDEX_BENCH_PG, default
#             postgres://postgres@127.0.0.1:5432/postgres; a database leakdex_bench is
#             re-created), side by side with the plain scan; database bytes per account,
#             loaded and sealed (SQLite).
#             BASELINE=/path/to/old/leakdex also runs the previous version into SQLite.
# (d) documents: the business documents of 12 generated corpora, one directory per
#             format (docx, pptx, xlsx, xlsb, ods, pdf, msg): documents/s and MB/s with the
#             parsers in worker processes (the default) vs in-process threads, side by
#             side; and the classifier's confusion matrix on two seeds.
# (e) accounts: ACCOUNTS (default 1,000,000) distinct addresses (bench/gen_accounts.py) into
#             SQLite: ingest time, peak RSS, bytes per account loaded and sealed;
#             BASELINE=/path/to/old/leakdex runs that version first (a build without
#             `breach seal` reports its loaded size twice).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leakdex-target}"
WORK="${WORK:-/tmp/leakdex-bench}"
what="${1:-all}"
mkdir -p "$WORK"
cargo build --release --locked -q -p leakdex
LEAKDEX="$CARGO_TARGET_DIR/release/leakdex"
for tool in rg hyperfine; do
  command -v "$tool" >/dev/null || { echo "bench: install $tool (apt-get install ripgrep hyperfine)" >&2; exit 1; }
done
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: install GNU time (apt-get install time)" >&2; exit 1; }
REGEX='[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'

if [ "$what" = text ] || [ "$what" = all ]; then
  f="$WORK/text-300mb.txt"
  [ -f "$f" ] || python3 bench/gen_text.py "$f" 300
  echo "== (a) $(du -h "$f" | cut -f1) text file, $(nproc) cores"
  hyperfine --warmup 1 --runs 5 --export-markdown "$WORK/text.md" \
    -n "leakdex scan" "$LEAKDEX scan -q --json $f > /dev/null" \
    -n "rg -c (e-mail regex)" "rg -c '$REGEX' $f > /dev/null"
  cat "$WORK/text.md"
  echo "unique addresses: leakdex $("$LEAKDEX" scan -q --json "$f" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["emails"]["unique"])')," \
       "rg $(rg -o "$REGEX" "$f" | tr 'A-Z' 'a-z' | sort -u | wc -l)"
  $TIME -f "leakdex peak RSS %M KiB, %e s" "$LEAKDEX" scan -q --json "$f" > /dev/null
fi

if [ "$what" = corpus ] || [ "$what" = all ]; then
  d="$WORK/corpus-1g"
  [ -d "$d" ] || "$LEAKDEX" corpus generate --out "$d" --size 1000 --orgs 3000 --seed 3
  bytes=$(du -sb "$d" | cut -f1)
  echo "== (b) generated corpus: $((bytes / 1000000)) MB"
  start=$(date +%s.%N)
  $TIME -f "leakdex peak RSS %M KiB, %e s" "$LEAKDEX" scan -q --json "$d" > "$WORK/corpus-report.json"
  end=$(date +%s.%N)
  python3 - "$bytes" "$start" "$end" <<'PY'
import sys
b, s, e = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"throughput: {b / 1e6 / (e - s):.0f} MB/s over {e - s:.1f} s")
PY
fi

if [ "$what" = ingest ] || [ "$what" = all ]; then
  d="$WORK/corpus-1g"
  [ -d "$d" ] || "$LEAKDEX" corpus generate --out "$d" --size 1000 --orgs 3000 --seed 3
  db="$WORK/bench.db"
  rm -f "$db" "$db-wal" "$db-shm"
  PG="${LEAKDEX_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
  psql "$PG" -qc "DROP DATABASE IF EXISTS leakdex_bench" -c "CREATE DATABASE leakdex_bench" >/dev/null
  PGDB="${PG%/*}/leakdex_bench"
  echo "== (c) ingest vs scan of $(du -sh "$d" | cut -f1)"
  # BASELINE=/path/to/old/leakdex adds the previous version's SQLite ingest, same run.
  prev=()
  if [ -n "${BASELINE:-}" ]; then
    pdb="$WORK/bench-previous.db"
    prev=(-n "previous ingest sqlite" "rm -f $pdb $pdb-wal $pdb-shm; $BASELINE -q --db sqlite://$pdb ingest $d --breach Bench > /dev/null")
  fi
  hyperfine --runs 1 --export-markdown "$WORK/ingest.md" \
    -n "scan" "$LEAKDEX scan -q --json $d > /dev/null" \
    -n "ingest sqlite" "rm -f $db $db-wal $db-shm; $LEAKDEX -q --db sqlite://$db ingest $d --breach Bench > /dev/null" \
    -n "ingest postgres" "psql $PG -qc 'DROP DATABASE IF EXISTS leakdex_bench' -c 'CREATE DATABASE leakdex_bench' >/dev/null; $LEAKDEX -q --db $PGDB ingest $d --breach Bench > /dev/null" \
    "${prev[@]}"
  cat "$WORK/ingest.md"
  [ -z "${BASELINE:-}" ] || echo "previous sqlite: $(du -b "$pdb" | cut -f1) bytes"
  accounts=$("$LEAKDEX" -q --db "sqlite://$db" breach show Bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["PwnCount"])')
  bytes=$(du -b "$db" | cut -f1)
  echo "sqlite: $bytes bytes for $accounts unique accounts ($((bytes / (accounts > 0 ? accounts : 1))) bytes/account)"
  # Sealed (`leakdex breach seal`: the raw data is gone, no further loads): what is kept.
  cp "$db" "$WORK/bench-sealed.db"
  "$LEAKDEX" -q --db "sqlite://$WORK/bench-sealed.db" breach seal Bench > /dev/null
  sbytes=$(du -b "$WORK/bench-sealed.db" | cut -f1)
  echo "sqlite sealed: $sbytes bytes ($((sbytes / (accounts > 0 ? accounts : 1))) bytes/account)"
  pgbytes=$(psql "$PGDB" -tAc "SELECT pg_database_size(current_database())")
  echo "postgres: $pgbytes bytes for $accounts unique accounts ($((pgbytes / (accounts > 0 ? accounts : 1))) bytes/account)"
fi

if [ "$what" = accounts ] || [ "$what" = all ]; then
  N="${ACCOUNTS:-1000000}"
  [ "$N" -gt 0 ] || { echo "bench: ACCOUNTS must be a positive number" >&2; exit 1; }
  src="$WORK/accounts-$N"
  [ -d "$src" ] || python3 bench/gen_accounts.py "$src" "$N"
  db="$WORK/accounts.db"
  echo "== (e) $N accounts (bench/gen_accounts.py) into SQLite, loaded and sealed"
  for bin in ${BASELINE:-} "$LEAKDEX"; do
    rm -f "$db" "$db-wal" "$db-shm"
    $TIME -f "$bin: ingest %e s, peak RSS %M KiB" "$bin" -q --db "sqlite://$db" ingest "$src" --breach Accounts > /dev/null
    loaded=$( (cat "$db" "$db-wal" 2>/dev/null || true) | wc -c)
    "$bin" -q --db "sqlite://$db" breach seal Accounts > /dev/null 2>&1 || true
    sealed=$( (cat "$db" "$db-wal" 2>/dev/null || true) | wc -c)
    echo "$bin: loaded $loaded bytes ($((loaded / N)) B/account), sealed $sealed bytes ($((sealed / N)) B/account)"
  done
fi

if [ "$what" = documents ] || [ "$what" = all ]; then
  d="$WORK/documents"
  if [ ! -d "$d/pdf" ]; then
    rm -rf "$d"
    for seed in $(seq 1 12); do
      "$LEAKDEX" -q corpus generate --out "$WORK/docs-seed-$seed" --orgs 60 --seed "$seed" > /dev/null
      for ext in docx pptx xlsx xlsb ods pdf msg; do
        mkdir -p "$d/$ext"
        find "$WORK/docs-seed-$seed" -name "*.$ext" | while read -r f; do
          cp "$f" "$d/$ext/$seed-$(echo "$f" | md5sum | cut -c1-12).$ext"
        done
      done
    done
  fi
  echo "== (d) documents per format, $(nproc) cores"
  for ext in docx pptx xlsx xlsb ods pdf msg; do
    n=$(ls "$d/$ext" | wc -l)
    bytes=$(du -sb "$d/$ext" | cut -f1)
    hyperfine --warmup 1 --runs 5 --export-json "$WORK/doc-$ext.json" \
      -n "$ext worker process" "$LEAKDEX scan -q --json $d/$ext > /dev/null" \
      -n "$ext in-process" "$LEAKDEX scan -q --json --parsers-in-process $d/$ext > /dev/null" > /dev/null
    python3 - "$WORK/doc-$ext.json" "$ext" "$n" "$bytes" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ext, n, b = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
w, t = r[0]["mean"], r[1]["mean"]
print(f"| {ext} | {n} | {b/1e6:.1f} | {n/w:.0f} | {b/1e6/w:.1f} | {n/t:.0f} | {t/w:.2f} |")
PY
  done
  for seed in 5 23; do
    c="$WORK/confusion-$seed"
    rm -rf "$c" "$c.truth.json"
    "$LEAKDEX" -q corpus generate --out "$c" --orgs 40 --seed "$seed" > /dev/null
    "$LEAKDEX" scan -q --json --documents "$c.docs.jsonl" "$c" > /dev/null
    python3 bench/confusion.py "$c.truth.json" "$c.docs.jsonl" "$c"
  done
fi
