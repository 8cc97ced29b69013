#!/usr/bin/env bash
# Side by side: this work tree's release build against another gazette binary (a build of
# an earlier commit), building the same corpus in turns, so both see the same noise.
#   bench/vs_baseline.sh BASELINE_BIN [N=10000] [RUNS=5]
# Prints each run, then the median wall and CPU (user + system) seconds of each binary and
# the ratio of this tree's to the baseline's. Issue 19 asked for at most 5% slower.
set -euo pipefail
BASE=${1:?usage: vs_baseline.sh BASELINE_BIN [N] [RUNS]}
N=${2:-10000}
RUNS=${3:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
cargo build --release --locked --manifest-path "$HERE/../Cargo.toml" >&2
NEW="$HERE/../target/release/gazette"
SITE=$("$HERE/corpus.sh" "$N")
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for i in $(seq "$RUNS"); do
  for bin in "$BASE" "$NEW"; do
    rm -rf "$OUT/site"
    /usr/bin/time -f "%e %U %S" -o "$OUT/time" "$bin" build -q --root "$SITE" -o "$OUT/site" \
      --now 2026-12-01T00:00:00Z >/dev/null 2>&1
    read -r wall user sys < "$OUT/time"
    name=$([ "$bin" = "$BASE" ] && echo baseline || echo new)
    echo "$name $wall $(echo "$user + $sys" | bc)" | tee -a "$OUT/runs"
  done
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for col in 2 3; do
  b=$(awk -v c=$col '$1=="baseline" {print $c}' "$OUT/runs" | median)
  n=$(awk -v c=$col '$1=="new" {print $c}' "$OUT/runs" | median)
  what=$([ $col = 2 ] && echo "wall" || echo "cpu")
  echo "$what median: baseline ${b}s, new ${n}s, ratio $(echo "scale=3; $n / $b" | bc)"
done
