#!/usr/bin/env bash
# Instructions (callgrind: the same count whatever else the machine does) of three builds
# of a copy of the shared corpus by one binary: a clean build with `--no-cache`, a first
# build with a cache, and after a no-change rebuild, the rebuild that follows a sentence
# added to one article's body.
#
#   bench/callgrind.sh BIN [N]        N defaults to 1000
#
# CALLGRIND_KEEP=DIR keeps the callgrind.out files there, for callgrind_annotate.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "${1:?usage: callgrind.sh BIN [N]}")
N=${2:-1000}
NOW=2026-06-01T00:00:00Z
src=$("$HERE/corpus.sh" "$N")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$src" "$work/site"
keep=${CALLGRIND_KEEP:-$work}
mkdir -p "$keep"
count() {
  local name=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$keep/$name.out" "$@" >/dev/null 2>"$work/$name.err"
  echo "$(basename "$BIN") $name: $(grep -o 'Collected : [0-9]*' "$work/$name.err" | cut -d' ' -f3) instructions"
}
count no-cache "$BIN" build -q --root "$work/site" --no-cache --now "$NOW" -o "$work/o1"
count cached "$BIN" build -q --root "$work/site" --now "$NOW" -o "$work/o2"
"$BIN" build -q --root "$work/site" --now "$NOW" -o "$work/o2" 2>/dev/null
article=$(find "$work/site/content" -name '*.md' | sort | sed -n 100p)
printf '\n\nZymurgical quokka phrase appended here with rates.\n' >> "$article"
count body-edit "$BIN" build -q --root "$work/site" --now "$NOW" -o "$work/o2"
