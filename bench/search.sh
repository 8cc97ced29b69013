#!/usr/bin/env bash
# The split search index at scale (issue 20): index size, its share of the build's wall
# time, and what a two-word query downloads and how fast its first results show.
#   bench/search.sh [N ...]        default: 10000 100000
# QUERY_RUNS: how many times to run the ten queries (default 1).
# GAZETTE_BIN: the gazette to measure (default target/release/gazette, built first).
# BASE_BIN: a gazette that writes no index when GAZETTE_NOINDEX is set (one built with
#   `--features bench-noindex`): each size is also built with it, and the index's cost is
#   the difference of user+sys CPU time (wall time on the shared disk is too noisy to
#   subtract; bench/index_share.sh measures the wall share on a RAM disk).
# Needs tests/browser's node modules (`cd tests/browser && npm ci`) and Chromium.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
export SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
[ -d "$SHARED_BENCH" ] || SHARED_BENCH=/work/shared/bench
BENCH=${BENCH_DIR:-/tmp/bench}
if [ -z "${GAZETTE_BIN:-}" ]; then
  (cd "$REPO" && cargo build --release --locked --quiet)
  GAZETTE_BIN=$REPO/target/release/gazette
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)

wall() { # bin site out -> "wall user sys" seconds
  rm -rf "$3"
  /usr/bin/time -f "%e %U %S" -o "$3.time" "$1" build --quiet --no-cache --root "$2" --output "$3" >/dev/null 2>&1
  tail -1 "$3.time"
}
cpu() { echo "$2 + $3" | bc; } # "wall user sys" -> user + sys

for n in "${sizes[@]}"; do
  site=$("$HERE/corpus.sh" "$n")
  out="$BENCH/search-$n-out"
  echo "== $n articles"
  if [ -n "${BASE_BIN:-}" ]; then
    # GAZETTE_NOINDEX is for a BASE_BIN patched to skip the index; other builds ignore it.
    base=$(GAZETTE_NOINDEX=1 wall "$BASE_BIN" "$site" "$out")
    new=$(wall "$GAZETTE_BIN" "$site" "$out")
    b=$(cpu $base) w=$(cpu $new)
    echo "build: $new (wall user sys, s); without the index (BASE_BIN): $base;" \
      "index ~ $(echo "$w - $b" | bc) s of user+sys = $(echo "scale=1; 100 * ($w - $b) / $w" | bc)% of the build's CPU"
  else
    echo "build: $(wall "$GAZETTE_BIN" "$site" "$out") (wall user sys, s)"
  fi
  idx="$out/search"
  shards=$(find "$idx/shards" -type f | wc -l)
  metas=$(find "$idx/meta" -type f | wc -l)
  echo "index: $(du -sb "$idx" | cut -f1) bytes in $(find "$idx" -type f | wc -l) files;" \
    "$shards shards, $(cat "$idx"/shards/*.bin | wc -c) bytes ($(cat "$idx"/shards/*.bin | gzip -6 | wc -c) gzipped);" \
    "$metas meta files, $(find "$idx/meta" -type f -print0 | xargs -0 cat | wc -c) bytes;" \
    "index.json $(wc -c < "$idx/index.json") bytes ($(gzip -6 -c "$idx/index.json" | wc -c) gzipped)"
  echo "script: $(cat "$out"/search.*.js | wc -c) bytes ($(cat "$out"/search.*.js | gzip -6 | wc -c) gzipped)"
  # The query timings move with the machine's load: QUERY_RUNS runs them more than once.
  for run in $(seq "${QUERY_RUNS:-1}"); do
    echo "queries, run $run of ${QUERY_RUNS:-1} (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    (cd "$REPO" && node bench/search_query.mjs "$out" "$site/content")
  done
done
