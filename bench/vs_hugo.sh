#!/usr/bin/env bash
# gazette against Hugo, side by side, on the shared synthetic corpus.
#
#   bench/vs_hugo.sh [N]            (default 10000)
#   bench/vs_hugo.sh --scale        gazette alone at 10,000 and 100,000 articles
#
# Builds the release binary, then hands over to ../shared/bench/run.sh, which generates
# the corpora (cached in $BENCH_DIR, default /tmp/bench), builds each tool 3 times
# interleaved with a `cp -r` copy floor, waits for idle CPUs before each run and prints
# its table. This script adds the ratios the project's targets are stated in:
#
#   wall     gazette median / hugo median              target <= 0.10
#   memory   gazette peak RSS / hugo peak RSS          target <= 0.25
#   floor    gazette median / `cp -r` median           target <= 3
#
# --scale runs gazette alone (RUNS builds each, default 3, sizes interleaved) at both
# sizes and prints the 100k/10k time ratio (target <= 12) and the peak memory at 100k
# (target < 2 GB). The 100,000-article corpus takes about 90 s and 2.5 GB of disk to
# generate the first time; the builds need about 15 GB while the script runs.
#
# Every knob of run.sh passes through (RUNS, BENCH_DIR, SEED, QUIET_WAIT, HUGO_BIN, ...).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
BENCH=${BENCH_DIR:-/tmp/bench}
RUNS=${RUNS:-3}

(cd "$ROOT" && cargo build --release --quiet)
BIN="$ROOT/target/release/gazette"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
field() { awk -F'\t' -v tool="$1" -v col="$2" 'index($1, tool) == 1 { print $col; exit }' "$3"; }

if [ "${1:-}" = "--scale" ]; then
  # Each build writes a folder of its own, and all of them are deleted only at the end.
  # This machine's ext4 has no journal: a file created within 30 s to 5 min of a deletion
  # scans the freshly freed inodes one by one, so a build right after deleting the
  # previous 190,000-file output pays tens of seconds of system time for the disk's
  # recent history, more with every run. That would measure the disk, not how gazette
  # grows. Needs about 15 GB free for 3 runs.
  median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
  declare -A WALL RSS SITE WALLS USER SYS
  OUT="$BENCH/scale-out"
  rm -rf "$OUT"; mkdir -p "$OUT"
  trap 'rm -rf "$OUT"' EXIT
  for n in 10000 100000; do SITE[$n]=$(BENCH_DIR="$BENCH" "$HERE/corpus.sh" "$n"); RSS[$n]=0; done
  for i in $(seq 1 "$RUNS"); do
    for n in 10000 100000; do
      sync
      /usr/bin/time -f '%e %M %U %S' -o "$BENCH/time.scale.$n" "$BIN" build --root "${SITE[$n]}" \
        --output "$OUT/$n.$i" --quiet 2> "$BENCH/build.scale.$n.log"
      read -r wall rss user sys < "$BENCH/time.scale.$n"
      echo "  $n articles, run $i: $wall s wall ($user s user, $sys s sys), $((rss / 1024)) MB" >&2
      WALLS[$n]+="$wall "; USER[$n]+="$user "; SYS[$n]+="$sys "
      [ "$rss" -gt "${RSS[$n]}" ] && RSS[$n]=$rss
    done
  done
  echo
  echo "| articles | median wall s | median user s | median sys s | peak RSS MB |"
  echo "|---------:|--------------:|--------------:|-------------:|------------:|"
  for n in 10000 100000; do
    WALL[$n]=$(printf '%s\n' ${WALLS[$n]} | median)
    printf '| %8s | %13s | %13s | %12s | %11s |\n' "$n" "${WALL[$n]}" \
      "$(printf '%s\n' ${USER[$n]} | median)" "$(printf '%s\n' ${SYS[$n]} | median)" \
      "$((RSS[$n] / 1024))"
  done
  echo
  echo "100k/10k time ratio: $(ratio "${WALL[100000]}" "${WALL[10000]}") (target <= 12)"
  echo "peak memory at 100k: $((RSS[100000] / 1024)) MB (target < 2048)"
  exit 0
fi

N=${1:-10000}
GAZETTE_BIN="$BIN" BENCH_DIR="$BENCH" RUNS="$RUNS" "$SHARED/run.sh" "$N" hugo gazette
RES="$BENCH/results-$N.tsv"
hw=$(field hugo 3 "$RES"); gw=$(field gazette 3 "$RES"); cw=$(field "copy floor" 3 "$RES")
hm=$(field hugo 4 "$RES"); gm=$(field gazette 4 "$RES")
echo
echo "| target | measured | goal |"
echo "|---|---:|---:|"
echo "| wall time, gazette / hugo | $(ratio "$gw" "$hw") | <= 0.10 |"
echo "| peak memory, gazette / hugo | $(ratio "$gm" "$hm") | <= 0.25 |"
echo "| wall time, gazette / cp -r of its output | $(ratio "$gw" "$cw") | <= 3 |"
