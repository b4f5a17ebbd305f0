#!/usr/bin/env bash
# Benchmark of the workbench: a generated 100,000-enterprise year evaluated into a fresh store with
# the release build, `mujun serve` on it, one 经信委 user, then each request REPEAT times (default
# 5) with curl and the session cookie; prints each time_total (the whole answer) and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
REPEAT=${REPEAT:-5}
PORT=${PORT:-18080}
W=target/bench/serve
BIN=$PWD/target/release/mujun
cargo build --release --quiet
rm -rf "$W" && mkdir -p "$W" && cd "$W"
"$BIN" sample --enterprises "$N" --seed 7 --out data >/dev/null
"$BIN" evaluate --data data --out out --store b.db >/dev/null
echo '测试密码2026abc' | "$BIN" user add bench --role 经信委 --store b.db --password-stdin >/dev/null
"$BIN" serve --store b.db --listen "127.0.0.1:$PORT" >serve.log 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 50); do curl -s -o /dev/null "$URL/login" && break; sleep 0.2; done
csrf=$(curl -s -c jar "$URL/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -b jar -c jar -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "name=bench" \
  --data-urlencode "password=测试密码2026abc" --data-urlencode "next=/" "$URL/login"
code=$(curl -s -b jar "$URL/api/runs/1/firms?size=1" | sed -n 's/.*"code":"\([^"]*\)".*/\1/p' | head -1)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # label path
  local times=() t i
  for ((i = 1; i <= REPEAT; i++)); do
    t=$(curl -s -b jar -o /dev/null -w '%{http_code} %{time_total}' "$URL$2")
    [ "${t%% *}" = 200 ] || { echo "$1: HTTP ${t%% *}" >&2; exit 1; }
    times+=("${t#* }")
  done
  printf '%-40s %s  median %s s\n' "$1" "${times[*]}" "$(printf '%s\n' "${times[@]}" | median)"
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $N enterprises"
measure "run page /runs/1" "/runs/1"
measure "firm table, page 1" "/runs/1/firms"
measure "search ?q=科技" "/runs/1/firms?q=%E7%A7%91%E6%8A%80"
measure "firm card" "/runs/1/firms/$code"
measure "page 100 by total, descending" "/runs/1/firms?sort=total&order=desc&page=100"
measure "page 1000 by rank" "/runs/1/firms?page=1000"
measure "runs list /" "/"
# Upload and check of the bundled sample year (every file in one POST, answered with the check)
# against `mujun check` on the same files, alternating; the draft is emptied between uploads.
SAMPLES=$(cd ../../.. && pwd)/samples/2025
token=$(curl -s -b jar "$URL/runs/new" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
files=()
for f in "$SAMPLES"/*; do files+=(-F "file=@$f"); done
for ((i = 1; i <= 3; i++)); do
  n=$(curl -s -b jar "$URL/api/drafts" | { grep -o '"sha256"' || true; } | wc -l)
  for ((k = n; k >= 1; k--)); do
    curl -s -b jar -o /dev/null -X DELETE -H "X-CSRF-Token: $token" "$URL/api/drafts/files/$k"
  done
  up=$(curl -s -b jar -o /dev/null -w '%{http_code} %{time_total}' -H "X-CSRF-Token: $token" "${files[@]}" "$URL/api/drafts/files")
  [ "${up%% *}" = 200 ] || { echo "upload: HTTP ${up%% *}" >&2; exit 1; }
  s=$(date +%s.%N); "$BIN" check --data "$SAMPLES" --no-store --out "check$i" >/dev/null 2>&1 || true
  cli=$(echo "$(date +%s.%N) - $s" | bc)
  echo "upload+check ${up#* } s, mujun check $cli s"
done
