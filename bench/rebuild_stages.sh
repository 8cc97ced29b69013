#!/usr/bin/env bash
# Where a cached rebuild's time goes (issue 15), this binary beside another one.
#
#   bench/rebuild_stages.sh [N ...]          default: 10000 100000
#
# For each size, each binary builds a copy of the corpus of its own, with its cache, in
# turns (one step of A, then the same step of B; the next step B first): clean build, no
# change (the first rebuild hashes every page's inputs and renders them all), no change
# again, one article's body edited, another article's body edited. Every run prints wall,
# user and system time and the `--timings` stages that a rebuild spends most in: render (and
# within it, beside the pages on a thread of its own, the search index), checks, commit,
# cache; last, each binary's body-edit rebuild as a fraction of its clean build.
#
# Knobs: GAZETTE_BIN (default target/release/gazette), OTHER_BIN (default the reference
# release binary of main, /work/auditbin/gazette-7b5ee1b), BENCH_DIR (where the corpus
# is, default /tmp/bench), WORK_DIR (where the copies go, default BENCH_DIR), SHARED_BENCH
# (the shared corpus scripts).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
BIN=$(realpath "${GAZETTE_BIN:-$HERE/../target/release/gazette}")
OTHER=${OTHER_BIN:-/work/auditbin/gazette-7b5ee1b}
BENCH=${BENCH_DIR:-/tmp/bench}
WORK=${WORK_DIR:-$BENCH}
NOW=2026-06-01T00:00:00Z
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)

# Runs one build of $2 (a site copy) with binary $1; prints one table row.
run() {
  local bin=$1 site=$2 label=$3 step=$4 t err
  t=$(mktemp)
  err=$(mktemp)
  /usr/bin/time -f "%e %U %S" -o "$t" "$bin" build --root "$site" --now "$NOW" --timings \
    >/dev/null 2>"$err" || { echo "build failed: $bin $site" >&2; tail -5 "$err" >&2; exit 1; }
  python3 - "$label" "$step" "$(tail -1 "$t")" "$err" <<'EOF'
import re, sys
label, step, times, err = sys.argv[1:]
stages = {}
for line in open(err):
    m = re.match(r"^  (\S.*?)\s+([0-9.]+) ms$", line)
    if m:
        stages[m.group(1)] = float(m.group(2)) / 1000
wall, user, sys_ = times.split()
cols = [stages.get(k) for k in ("render", "search index", "checks", "commit", "cache")]
shown = " | ".join("" if c is None else f"{c:.2f}" for c in cols)
print(f"| {step} | {label} | {wall} | {user} | {sys_} | {shown} |")
EOF
  rm -f "$t" "$err"
}

# Adds a sentence to the first paragraph of the body of article number $2 of $1.
edit_body() {
  add_body_sentence "$(find "$1/content" -name '*.md' | sort | sed -n "$2p")"
}

for N in "${SIZES[@]}"; do
  work="$WORK/rebuild-stages-$N"
  fresh_copies "$N" "$work" this other
  echo "## $N articles (this: $BIN; other: $OTHER)"
  echo
  echo "| step | binary | wall s | user s | sys s | render s | search index s | checks s | commit s | cache s |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  declare -A walls=()
  # The binaries take turns going first: a build just after a large write (a clean
  # build writes gigabytes) runs while the disk still flushes it.
  first=other
  step() {
    local name=$1 key=$2 row b
    for b in $first $([ "$first" = other ] && echo this || echo other); do
      if [ "$b" = other ]; then
        row=$(run "$OTHER" "$work/other" other "$name")
      else
        row=$(run "$BIN" "$work/this" this "$name")
      fi
      echo "$row"
      walls[${b}_$key]=$(echo "$row" | cut -d'|' -f4)
    done
    first=$([ "$first" = other ] && echo this || echo other)
  }
  step "clean" clean
  step "no change (first rebuild)" none1
  step "no change" none2
  edit_body "$work/other" 100
  edit_body "$work/this" 100
  step "one body edit" body1
  edit_body "$work/other" 300
  edit_body "$work/this" 300
  step "another body edit" body2
  echo
  for b in other this; do
    python3 -c "import sys; c, a, b2 = map(float, sys.argv[2:]); print(f'{sys.argv[1]}: body edit / clean = {a / c:.3f}, {b2 / c:.3f}')" \
      "$b" "${walls[${b}_clean]}" "${walls[${b}_body1]}" "${walls[${b}_body2]}"
  done
  echo
  rm -rf "$work"
done
