#!/usr/bin/env bash
# Runs each fuzz target for a while (default 600 s each), one after the other, and prints
# how many inputs each tried. Crashes land in fuzz/artifacts/<target>/: turn each into a
# regression test. The corpus (fuzz/corpus/<target>) is kept between runs and minimised
# at the end of each one.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Each target with a dictionary in dict/ gets it. Needs cargo-fuzz (`cargo install cargo-fuzz`). It builds with the stable toolchain:
# RUSTC_BOOTSTRAP lets cargo-fuzz use the sanitizer flags it needs. It builds the working
# tree as it is: do not edit the sources while it runs.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(front_matter markdown build_one)
export RUSTC_BOOTSTRAP=1

# Seeds: every article of the demo site and the test fixtures.
for target in "${TARGETS[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  find ../content ../tests/fixtures -name '*.md' -print0 | while IFS= read -r -d '' file; do
    cp -n "$file" "corpus/$target/seed-$(sha1sum "$file" | cut -c1-12)" 2>/dev/null || true
  done
done

for target in "${TARGETS[@]}"; do
  echo "== $target: ${SECONDS_EACH} s"
  # Dictionaries (fuzz/dict/<target>.dict) hold the tokens of hostile shapes (issue 22).
  dict=()
  [ -f "dict/$target.dict" ] && dict=(-dict="dict/$target.dict")
  cargo fuzz run "$target" "corpus/$target" -- "${dict[@]}" \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 -timeout=10 \
    -artifact_prefix="artifacts/$target/" 2>&1 | tee "/tmp/fuzz-$target.log" | grep -E "^#[0-9]+ +(INITED|DONE)|^Done|crash|panicked|ERROR" || true
  # Keep a minimal corpus that covers the same ground; the full one stays if that fails.
  rm -rf "corpus/$target.min" && mkdir -p "corpus/$target.min"
  if cargo fuzz run "$target" "corpus/$target.min" "corpus/$target" -- -merge=1 >"/tmp/fuzz-merge-$target.log" 2>&1 &&
    [ -n "$(ls -A "corpus/$target.min")" ]; then
    rm -rf "corpus/$target" && mv "corpus/$target.min" "corpus/$target"
  else
    echo "   (corpus not minimised: see /tmp/fuzz-merge-$target.log)"
    rm -rf "corpus/$target.min"
  fi
  echo "   crashes kept: $(find "artifacts/$target" -type f | wc -l)"
done
