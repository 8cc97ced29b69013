#!/usr/bin/env bash
# Generates (once) the gazette-flavoured benchmark corpus of N articles, in the same
# place and with the same stamp as ../../shared/bench/run.sh, so both reuse it.
#   bench/corpus.sh N      -> prints the site folder
set -euo pipefail
N=${1:?usage: corpus.sh N}
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED_BENCH:-$HERE/../../shared/bench}
GEN="$SHARED/gen_corpus.py"
BENCH=${BENCH_DIR:-/tmp/bench}
SEED=${SEED:-42}
dir="$BENCH/$N-gazette"
stamp="gen=$(sha256sum "$GEN" | cut -c1-16) seed=$SEED n=$N flavor=gazette "
mkdir -p "$BENCH"
if [ -f "$dir/.bench-stamp" ] && [ "$(cat "$dir/.bench-stamp")" = "$stamp" ]; then
  echo "$dir"; exit 0
fi
rm -rf "$dir.tmp" "$dir"
python3 "$GEN" --n "$N" --seed "$SEED" --flavor gazette --out "$dir.tmp" >&2
echo "$stamp" > "$dir.tmp/.bench-stamp"
mv "$dir.tmp" "$dir"
echo "$dir"
