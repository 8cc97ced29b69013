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
