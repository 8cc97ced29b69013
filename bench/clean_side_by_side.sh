#!/usr/bin/env bash
# Clean builds of the shared corpus by several binaries, interleaved, every run printed
# (wall, user and system time, peak RSS). Each build gets a fresh output and a fresh cache
# folder (a binary from before the cache gets neither option it lacks).
#
#   bench/clean_side_by_side.sh N ROUNDS BIN...
#   bench/clean_side_by_side.sh 10000 3 /path/to/old/gazette target/release/gazette
#
# CACHE_MODES=1 instead runs the last BIN twice a round: with a fresh cache and with
# `--no-cache` (what the cache itself adds to a clean build). INDEX_MODES=1 runs it with
# and without GAZETTE_NOINDEX=1 set, for a binary patched locally to skip the search index
# and the search terms when it is (see bench/README.md, "Search"): the index's share.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:?usage: clean_side_by_side.sh N ROUNDS BIN...}
ROUNDS=${2:?rounds}
shift 2
NOW=2026-06-01T00:00:00Z
site=$("$HERE/corpus.sh" "$N")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=()
if [ "${CACHE_MODES:-}" = 1 ]; then
  bin=${*: -1}
  runs=("$bin cache" "$bin nocache")
elif [ "${INDEX_MODES:-}" = 1 ]; then
  bin=${*: -1}
  runs=("$bin cache" "$bin noindex")
else
  for bin in "$@"; do runs+=("$bin cache"); done
fi
for r in $(seq 1 "$ROUNDS"); do
  for run in "${runs[@]}"; do
    bin=${run% *}
    mode=${run##* }
    rm -rf "$work/out" "$work/cache"
    sync
    sleep 2
    extra=()
    unset GAZETTE_NOINDEX
    [ "$mode" = noindex ] && export GAZETTE_NOINDEX=1
    if [ "$mode" = nocache ]; then
      extra=(--no-cache)
    elif "$bin" build --help | grep -q -- --cache-dir; then
      extra=(--cache-dir "$work/cache")
    fi
    /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$bin" build -q --root "$site" \
      -o "$work/out" "${extra[@]}" --now "$NOW" >/dev/null 2>&1
    read -r wall user sys rss < "$work/t"
    echo "round $r $(basename "$bin") $mode: wall $wall user $user sys $sys rss $((rss / 1024)) MB"
    unset GAZETTE_NOINDEX
  done
done
