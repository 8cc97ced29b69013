#!/usr/bin/env bash
# Issue 20's point 5: the search index's share of a clean build's wall time.
#
#   bench/index_share.sh [N] [ROUNDS]      default: 10000 6
#
# Builds gazette with the `bench-noindex` feature, then builds the corpus of N articles
# clean ROUNDS times with the index and ROUNDS times without it (`GAZETTE_NOINDEX=1`: no
# terms counted, no index written), the two interleaved, each into a fresh output and
# cache folder on a RAM disk (/dev/shm when there is one: this machine's disk moves a
# build's wall time by more than the index takes). Prints every run, then each round's
# share, (with - without) / with, and their median.
#
# BIN: a gazette already built with `--features bench-noindex` (no cargo build then).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
N=${1:-10000}
ROUNDS=${2:-6}
NOW=2026-06-01T00:00:00Z
site=$("$HERE/corpus.sh" "$N")
base=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; fi
work=$(mktemp -d "$base/gazette-index-share.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -z "${BIN:-}" ]; then
  (cd "$REPO" && cargo build --release --locked --quiet --features bench-noindex)
  cp "$REPO/target/release/gazette" "$work/gazette"
  # The default build back in target/release (cargo keeps both: a link, not a compile).
  (cd "$REPO" && cargo build --release --locked --quiet)
  BIN=$work/gazette
fi

build() { # mode -> "wall user sys rss_kb"
  rm -rf "$work/out" "$work/cache"
  sync
  sleep 1
  local env=()
  [ "$1" = without ] && env=(GAZETTE_NOINDEX=1)
  env "${env[@]}" /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$BIN" build -q \
    --root "$site" -o "$work/out" --cache-dir "$work/cache" --now "$NOW" >/dev/null 2>&1
  cat "$work/time"
}

# A binary without the feature writes the index whatever the variable says: refused.
build without >/dev/null
if [ -e "$work/out/search/index.json" ]; then
  echo "index_share.sh: $BIN writes the index with GAZETTE_NOINDEX=1;" \
    "build it with --features bench-noindex" >&2
  exit 1
fi

echo "== $N articles, $ROUNDS rounds, into $base ($(nproc) cores)"
shares=()
for r in $(seq 1 "$ROUNDS"); do
  # Each round alternates which mode goes first.
  if [ $((r % 2)) = 1 ]; then modes=(with without); else modes=(without with); fi
  declare -A wall=()
  for mode in "${modes[@]}"; do
    read -r w u s m < <(build "$mode")
    wall[$mode]=$w
    echo "round $r $mode: wall $w user $u sys $s peak $((m / 1024)) MB"
  done
  share=$(echo "scale=4; 100 * (${wall[with]} - ${wall[without]}) / ${wall[with]}" | bc)
  share=$(printf "%.1f" "$share")
  shares+=("$share")
  echo "round $r: the index is ${share}% of the wall"
  unset wall
done
printf '%s\n' "${shares[@]}" | sort -n | awk '{a[NR] = $1}
  END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
        printf "median share: %.1f%% of the wall (target: at most 10%%)\n", m }'
