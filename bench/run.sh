#!/usr/bin/env bash
# Benchmark: generate 1,000,000 enterprises as CSV and 100,000 as xlsx, evaluate each with the
# default rules, and measure the floor (polars CSV read + rust_xlsxwriter rewrite of the same cells
# evaluate wrote, and byte copies of its other files) twice: without formats, and with each cell's
# number format as evaluate wrote it (`floor --formats`).
# Prints wall time, peak memory (GNU time) and the phases `evaluate -v` reports.
# REPEAT=n runs each evaluate/floor pair n times, alternating, so the ratio can be read against the
# machine's run-to-run noise; SKIP_XLSX=1 runs the 1,000,000 CSV case only.
set -euo pipefail
cd "$(dirname "$0")/.."
N_CSV=${N_CSV:-1000000}
N_XLSX=${N_XLSX:-100000}
REPEAT=${REPEAT:-1}
W=target/bench
mkdir -p "$W"
cargo build --release --quiet
cargo build --release --quiet --example floor
BIN=target/release/mujun
FLOOR=target/release/examples/floor
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"

run() { # name data_dir csv_dir_for_floor
  local name=$1 data=$2 i
  for ((i = 1; i <= REPEAT; i++)); do
    [ "$REPEAT" -gt 1 ] && echo "-- pair $i of $REPEAT"
    pair "$@"
  done
}

pair() { # name data_dir csv_dir_for_floor
  local name=$1 data=$2
  echo "== evaluate $name ($(du -sh "$data" | cut -f1))"
  /usr/bin/time -f "wall %e s, peak RSS %M KiB" "$BIN" evaluate --data "$data" --out "$W/out-$name" -v --allow-errors >"$W/$name.log" 2>&1 || true
  grep -E "企业共|秒|wall" "$W/$name.log"
  echo "== floor $name: read the same CSVs, rewrite the files evaluate wrote with the plain libraries"
  rm -rf "$W/floor-$name"
  /usr/bin/time -f "wall %e s, peak RSS %M KiB" "$FLOOR" "$3" "$W/out-$name" "$W/floor-$name"
  echo "== floor $name with the same number formats"
  rm -rf "$W/floor-$name"
  /usr/bin/time -f "wall %e s, peak RSS %M KiB" "$FLOOR" --formats "$3" "$W/out-$name" "$W/floor-$name"
}

if [ ! -f "$W/csv-$N_CSV/企业名录.csv" ]; then
  /usr/bin/time -f "sample csv: wall %e s" "$BIN" sample --enterprises "$N_CSV" --seed 7 --format csv --out "$W/csv-$N_CSV" --force >/dev/null
fi
run "csv-$N_CSV" "$W/csv-$N_CSV" "$W/csv-$N_CSV"

[ "${SKIP_XLSX:-0}" = 1 ] && exit 0
if [ ! -f "$W/xlsx-$N_XLSX/企业名录.xlsx" ]; then
  /usr/bin/time -f "sample xlsx: wall %e s" "$BIN" sample --enterprises "$N_XLSX" --seed 7 --format xlsx --out "$W/xlsx-$N_XLSX" --force >/dev/null
  "$BIN" sample --enterprises "$N_XLSX" --seed 7 --format csv --out "$W/xlsx-$N_XLSX-csv" --force >/dev/null
fi
# The xlsx floor reads the CSV twin of the same year (polars reads no xlsx).
run "xlsx-$N_XLSX" "$W/xlsx-$N_XLSX" "$W/xlsx-$N_XLSX-csv"
