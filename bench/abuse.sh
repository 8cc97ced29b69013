#!/usr/bin/env bash
# Times a release build of one hostile article per case (the "Abuse" cases of the
# hostile-input tests): each must finish, built or refused, well within 10 s.
#
#   bench/abuse.sh [GAZETTE_BIN]
#
# Prints one line per case: the wall time, the peak memory, the exit code and the first
# line gazette printed. Exits 1 when a case takes 10 s or more, or ends other than built
# (exit 0) or refused with an error (exit 1): a crash, a stack overflow, a kill. CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/gazette}
[ -x "$BIN" ] || cargo build --release --quiet
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

case_text() {
  python3 - "$1" <<'EOF'
import sys
case = sys.argv[1]
head = "---\ntitle: Abuse\ndate: 2026-01-01\n"
if case == "20 MB article":
    para = "The committee voted to hold rates while inflation eased. " * 20
    body = ("## Section\n\n" + (para + "\n\n") * 20) * 900
    print(head + "tags: [a]\n---\n\n" + body)
elif case == "50,000 tags":
    print(head + "tags: [" + ", ".join(f"t{i}" for i in range(50000)) + "]\n---\nBody.")
elif case == "block quotes 10,000 deep":
    print(head + "tags: [a]\n---\n\n" + "> " * 10000 + "deep")
elif case == "lists 10,000 deep":
    print(head + "tags: [a]\n---\n\n" + "- " * 10000 + "deep")
elif case == "1 MB of front matter":
    print(head + "tags: [a]\nsummary: \"" + "word " * 200000 + "\"\n---\nBody.")
elif case == "flow YAML 100,000 deep":
    print(head + "extra: { x: " + "[" * 100000 + "]" * 100000 + " }\n---\nBody.")
elif case == "block YAML 1,400 deep":
    lines = ["extra:"] + ["  " * i + f"k{i}:" for i in range(1, 1400)] + ["  " * 1400 + "v: 1"]
    print(head + "\n".join(lines) + "\n---\nBody.")
elif case == "500 KB anchor aliased 2,000 times":
    print(head + "extra:\n  a: &big \"" + "x" * 500000 + "\"\n  b: [" + ", ".join(["*big"] * 2000) + "]\n---\nBody.")
elif case == "YAML alias bomb":
    lines = ["extra:", "  a: &a [" + ", ".join(["x"] * 10) + "]"]
    for i in range(9):
        name, prev = chr(98 + i), chr(97 + i)
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    print(head + "\n".join(lines) + "\n---\nBody.")
EOF
}

failed=0
printf '%-34s %8s %9s %5s  %s\n' case "wall s" "peak MB" exit "first line"
for name in "20 MB article" "50,000 tags" "block quotes 10,000 deep" "lists 10,000 deep" \
  "1 MB of front matter" "flow YAML 100,000 deep" "block YAML 1,400 deep" "YAML alias bomb" \
  "500 KB anchor aliased 2,000 times"; do
  site="$WORK/site"
  rm -rf "$site" && mkdir -p "$site/content"
  printf 'title: Abuse\nbase_url: https://example.com/\n' > "$site/site.yaml"
  case_text "$name" > "$site/content/a.md"
  set +e
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" build --root "$site" --quiet 2> "$WORK/err" >/dev/null
  code=$?
  set -e
  read -r wall kb < <(tail -n 1 "$WORK/time")
  first=$(head -c 300 "$WORK/err" | head -n 1 | cut -c1-70)
  printf '%-34s %8s %9d %5s  %s\n' "$name" "$wall" $((kb / 1024)) "$code" "${first:-(built)}"
  if [ "$code" -gt 1 ] || awk "BEGIN{exit !($wall >= 10)}"; then
    echo "  FAILED: must end built or refused (exit 0 or 1) within 10 s" >&2
    failed=1
  fi
done
exit $failed
