# Shared by the bench scripts (sourced, not run).

# Adds one sentence to the first paragraph of the body of the article file $1 (the front
# matter is left as it is), replacing the file by a rename, as an editor saving it does.
add_body_sentence() {
  python3 - "$1" <<'PY'
import sys
p = sys.argv[1]
text = open(p).read()
head, sep, body = text.partition("\n---\n")
body = body.replace("\n\n", " One sentence more.\n\n", 1)
open(p + ".tmp", "w").write(head + sep + body)
PY
  mv "$1.tmp" "$1"
}

# Makes the folder $2 anew with one copy of the $1-article corpus in it for each further
# argument, named by it (the corpus made or found by corpus.sh beside this file).
fresh_copies() {
  local n=$1 work=$2 corpus name
  shift 2
  corpus=$(SHARED_BENCH=${SHARED_BENCH:-$HERE/../../shared/bench} "$HERE/corpus.sh" "$n")
  rm -rf "$work"
  mkdir -p "$work"
  for name in "$@"; do
    cp -r "$corpus" "$work/$name"
  done
}
