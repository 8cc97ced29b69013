#!/usr/bin/env bash
# Incremental builds with the build cache (issue 15), on the shared corpus.
#
#   bench/incremental.sh [N ...]          default: 10000 100000
#
# For each size: first the clean build side by side with the previous release
# (PREV_BIN; a fresh cache of its own if it has one) against this one (a fresh cache,
# which it writes),
# interleaved, every run printed. Then, with this binary and its cache, in order:
# clean build, rebuild with no change, after one article's body edit, after one
# article's tag change, after one template edit. For each: wall time, user and
# system time, files whose inode changed (new files included) and the bytes of those
# files, that is what `rsync -a` or `aws s3 sync` would upload.
#
# Knobs: GAZETTE_BIN (default target/release/gazette), PREV_BIN (default
# /work/gazette-cee0e02), RUNS (side-by-side runs per binary, default 3 at 10,000
# and 1 above), BENCH_DIR (default /tmp/bench), SHARED_BENCH (the shared corpus scripts).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
BIN=$(realpath "${GAZETTE_BIN:-$HERE/../target/release/gazette}")
PREV=${PREV_BIN:-/work/gazette-cee0e02}
BENCH=${BENCH_DIR:-/tmp/bench}
NOW=2026-06-01T00:00:00Z
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)

# Prints "<files> <bytes>": the files of $2 (a listing made by `list`) whose inode is
# not the one they had in $1, and their size.
list() {
  python3 - "$1" <<'EOF'
import os, sys
root = sys.argv[1]
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        st = os.lstat(p)
        print(st.st_ino, st.st_size, os.path.relpath(p, root))
EOF
}
changed() {
  python3 - "$1" "$2" <<'EOF'
import sys
def load(p):
    out = {}
    for line in open(p):
        ino, size, rel = line.rstrip("\n").split(" ", 2)
        out[rel] = (ino, int(size))
    return out
before, after = load(sys.argv[1]), load(sys.argv[2])
files = [(rel, s) for rel, (ino, s) in after.items() if before.get(rel, (None,))[0] != ino]
print(len(files), sum(s for _, s in files))
EOF
}

# Runs one build; prints "<wall> <user> <sys>".
timed() {
  local t
  t=$(mktemp)
  /usr/bin/time -f "%e %U %S" -o "$t" "$@" >/dev/null 2>&1 || { echo "build failed: $*" >&2; cat "$t" >&2; exit 1; }
  tail -1 "$t"
  rm -f "$t"
}

for N in "${SIZES[@]}"; do
  work="$BENCH/incremental-$N"
  fresh_copies "$N" "$work" site
  site="$work/site"
  runs=${RUNS:-$([ "$N" -le 10000 ] && echo 3 || echo 1)}

  echo "## $N articles: clean build, side by side ($runs run(s) each, interleaved)"
  echo
  echo "| run | binary | wall s | user s | sys s |"
  echo "|---|---|---|---|---|"
  prev_walls=(); new_walls=()
  # A previous release with a cache of its own writes a fresh one each run, as this one
  # does (by default it would write into the site's .gazette/ and reuse it next run).
  prev_cache=()
  if "$PREV" build --help 2>/dev/null | grep -q -- --cache-dir; then
    prev_cache=(--cache-dir "$work/prev-cache")
  fi
  for i in $(seq 1 "$runs"); do
    rm -rf "$work/prev-out" "$work/prev-cache" "$work/new-out" "$work/new-cache"
    r=$(timed "$PREV" build --root "$site" --output "$work/prev-out" "${prev_cache[@]}" --now "$NOW" -q)
    echo "| $i | previous release | ${r// / | } |"
    prev_walls+=("${r%% *}")
    rm -rf "$work/prev-out" "$work/prev-cache"
    r=$(timed "$BIN" build --root "$site" --output "$work/new-out" --cache-dir "$work/new-cache" --now "$NOW" -q)
    echo "| $i | this build (writes its cache) | ${r// / | } |"
    new_walls+=("${r%% *}")
    rm -rf "$work/new-out" "$work/new-cache"
  done
  python3 - "${prev_walls[*]}" "${new_walls[*]}" <<'EOF'
import statistics, sys
p = [float(x) for x in sys.argv[1].split()]
n = [float(x) for x in sys.argv[2].split()]
print(f"\nmedian wall: previous {statistics.median(p):.2f} s, this {statistics.median(n):.2f} s, "
      f"ratio {statistics.median(n) / statistics.median(p):.3f}\n")
EOF

  echo "## $N articles: incremental builds with the cache"
  echo
  echo "| build | wall s | user s | sys s | files with a new inode | bytes written |"
  echo "|---|---|---|---|---|---|"
  out="$work/out"
  cache="$work/cache"
  # A theme template in the site, so that a template edit is a file edit.
  "$BIN" theme copy article.html --root "$site" >/dev/null 2>&1
  build() { timed "$BIN" build --root "$site" --output "$out" --cache-dir "$cache" --now "$NOW" -q; }
  : > "$work/before"
  step() {
    local name=$1 r
    r=$(build)
    list "$out" > "$work/after"
    read -r files bytes < <(changed "$work/before" "$work/after")
    echo "| $name | ${r// / | } | $files | $bytes |"
    mv "$work/after" "$work/before"
    eval "wall_$2=${r%% *}"
  }
  step "clean" clean
  step "no change" none
  # The first build hashes no page's inputs (it would cost a clean build more): this
  # rebuild does, and renders every page; from the next one on, only changed pages are.
  step "no change, again" none2
  # One article's body: a sentence added to its first paragraph.
  article=$(find "$site/content" -name '*.md' | sort | sed -n 100p)
  add_body_sentence "$article"
  step "one body edit" body
  # Another article's tags: its first tag dropped.
  article=$(find "$site/content" -name '*.md' | sort | sed -n 200p)
  python3 - "$article" <<'EOF'
import re, sys
p = sys.argv[1]
text = open(p).read()
text = re.sub(r"^tags: \[[^,\]]*,\s*", "tags: [", text, count=1, flags=re.M)
open(p + ".tmp", "w").write(text)
EOF
  mv "$article.tmp" "$article"
  step "one tag change" tags
  template="$site/themes/default/templates/article.html"
  # A comment at the top of the main block: every article page changes.
  sed -i 's/{% block main %}/{% block main %}<!-- edited -->/' "$template"
  step "one template edit" template
  python3 - "$wall_clean" "$wall_none" "$wall_none2" "$wall_body" "$wall_tags" "$wall_template" <<'EOF'
import sys
clean, *rest = (float(x) for x in sys.argv[1:])
names = ["no change", "no change again", "one body edit", "one tag change", "one template edit"]
print("\nwall time / clean build: " + ", ".join(f"{n} {t / clean:.3f}" for n, t in zip(names, rest)) + "\n")
EOF
  rm -rf "$work"
done
