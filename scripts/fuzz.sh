#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for RUNS executions each (default 10 million),
# starting from seed corpora made by the project's own synthetic generator. Outside CI: needs
# `cargo install cargo-fuzz`; builds on stable with `-s none` (no sanitizer, coverage only).
# Crashes land in fuzz/artifacts/<target>/; copy each into fuzz/regressions/<target>/ once
# fixed, so `cargo test` replays it (crates/store/tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10000000}
# MAX_TIME (seconds) stops each target earlier when set: the reader targets do ~1,000 runs/s.
MAX_TIME=${MAX_TIME:-0}
TARGETS=${TARGETS:-"read16 zip units_csv positions_csv trial_balance"}
corp=fuzz/corpus
mkdir -p "$corp"/{read16,zip,units_csv,positions_csv,trial_balance}

if [ ! -e "$corp/zip/seed.zip" ]; then
  tmp=$(mktemp -d)
  cargo run -q -- gen 16f --unit 11001 --visits 12 --admissions 2 --seed 7 --out "$tmp/set" >/dev/null
  (cd "$tmp/set" && zip -q -r ../seed.zip .)
  cp "$tmp/seed.zip" "$corp/zip/seed.zip"
  # read16 splits its input on NUL into INS, PAT, OPD, CHT, CHA, ODX, IPD, ADP, DRU.
  : > "$corp/read16/seed"
  for f in INS PAT OPD CHT CHA ODX IPD ADP DRU; do
    p=$(find "$tmp/set" -maxdepth 1 -iname "$f.txt" | head -1)
    [ -n "$p" ] && cat "$p" >> "$corp/read16/seed"
    printf '\0' >> "$corp/read16/seed"
  done
  # One visit and one admission, the read16 files only: seeds that fit inside a small MAX_LEN
  # (a seed longer than MAX_LEN is cut, and a cut zip loses its directory).
  cargo run -q -- gen 16f --unit 11001 --visits 1 --admissions 1 --seed 7 --out "$tmp/small" >/dev/null
  (cd "$tmp/small" && zip -q -9 ../small.zip INS.txt PAT.txt OPD.txt CHT.txt CHA.txt ODX.txt IPD.txt ADP.txt DRU.txt)
  cp "$tmp/small.zip" "$corp/zip/seed-small.zip"
  : > "$corp/read16/seed-small"
  for f in INS PAT OPD CHT CHA ODX IPD ADP DRU; do
    cat "$tmp/small/$f.txt" >> "$corp/read16/seed-small"
    printf '\0' >> "$corp/read16/seed-small"
  done
  rm -rf "$tmp"
  printf 'hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n99022,รพ.สต.นำเข้า,rpst,9902,99002,,0,0\n11001,รพ.ทดสอบ,rpch,4401,,F2,0,30\n' > "$corp/units_csv/seed.csv"
  printf 'hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd\n11001,256906,1500000.00,700000.50,900000,300000,12000000,11000000.25\n' > "$corp/positions_csv/seed.csv"
  printf 'code,m01,m02,m03,m04,m05,m06,m07,m08,m09,m10,m11,m12\nR01,1,2,3,4,5,6,7,8,9,10,11,12\n' > "$corp/positions_csv/plan.csv"
  printf 'account_code,debit,credit\n1101010101.101,1500.00,0\n2101010101.101,0,700.50\n1102050101.201,10,2\n' > "$corp/trial_balance/seed.csv"
  printf 'account_code,balance\n1101010101.101,-12.5\n' > "$corp/trial_balance/balance.csv"
fi

cd fuzz
mkdir -p logs
for t in $TARGETS; do
  echo "== $t ($RUNS runs)"
  start=$(date +%s)
  cargo fuzz run -s none "$t" "corpus/$t" -- -runs="$RUNS" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -max_total_time="$MAX_TIME" -max_len="${MAX_LEN:-65536}" > "logs/$t.log" 2>&1 || echo "   $t: FAILED (see fuzz/logs/$t.log)"
  grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|SUMMARY|panicked" "logs/$t.log" || true
  echo "   $t: $(( $(date +%s) - start )) s"
done
