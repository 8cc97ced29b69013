#!/usr/bin/env bash
# Times a release build of one hostile article per case (the "Abuse" cases of the
# hostile-input tests and of issue 22), a few of them in a site of many files: each must
# finish, built or refused, within its time and memory limits. Cost must grow linearly
# with the input, so every article of about 1 MB, whatever it holds, gets 2 s and 300 MB;
# the larger ones (10 and 20 MB) and the sites of thousands of files get 10 s and 1 GB.
#
#   bench/abuse.sh [GAZETTE_BIN] [CASE...]
#
# The time limit is on CPU time (user + system, from /usr/bin/time), not wall time: CI
# machines are shared, and a build waiting for a core is not a slow build. Both are
# printed. The memory limit is on peak resident memory.
#
# Prints one line per case: the CPU and wall time, the peak memory, the exit code and the
# first line gazette printed. Exits 1 when a case goes over its time or memory limit, or
# ends other than built (exit 0) or refused with an error (exit 1): a crash, a stack
# overflow, a kill. Each build also runs under a 4 GB address-space limit, so a runaway
# case fails instead of taking the machine's memory, and is killed after 120 s. CI runs
# it (about two minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/gazette}
shift || true
[ -x "$BIN" ] || cargo build --release --quiet
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Writes the case's files into the site folder $2: content/a.md, and for a few cases
# more files beside it.
case_files() {
  python3 - "$1" "$2" <<'PY'
import os, sys
case, site = sys.argv[1], sys.argv[2]
def write(rel, text):
    path = os.path.join(site, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
def print(text):
    write("content/a.md", text + "\n")
head = "---\ntitle: Abuse\ndate: 2026-01-01\n"
body_head = head + "tags: [a]\n---\n\n"
MB = 1 << 20
def fill(unit, size=MB):
    return unit * (size // len(unit))
if case == "20 MB article":
    para = "The committee voted to hold rates while inflation eased. " * 20
    body = ("## Section\n\n" + (para + "\n\n") * 20) * 900
    print(body_head + body)
elif case == "50,000 tags":
    print(head + "tags: [" + ", ".join(f"t{i}" for i in range(50000)) + "]\n---\nBody.")
elif case == "block quotes 10,000 deep":
    print(body_head + "> " * 10000 + "deep")
elif case == "lists 10,000 deep":
    print(body_head + "- " * 10000 + "deep")
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
# Issue 22: each of these was quadratic (or worse) in gazette's own code.
elif case == "500 KB line of broken links":
    print(body_head + fill("[x](/a) ", 500_000))
elif case == "1 MB line of broken links":
    print(body_head + fill("[x](/a) "))
elif case == "40,000 lines of broken links":
    print(body_head + "[x](/a)\n" * 40000)
elif case == "50,000 identical headings":
    print(body_head + "### Same\n\n" * 50000)
elif case == "headings colliding with suffixes":
    print(body_head + "".join(f"### Same {i}\n\n### Same\n\n" for i in range(1, 40000)))
elif case == "100,000 footnotes":
    refs = " ".join(f"x[^{i}]" for i in range(100000))
    notes = "\n".join(f"[^{i}]: n" for i in range(100000))
    print(body_head + refs + "\n\n" + notes)
elif case == "1 MB line of valid links":
    print(body_head + fill("[x](/) "))
elif case == "10 MB line of valid links":
    print(body_head + fill("[x](/) ", 10 * MB))
elif case == "1 MB line of multi-byte broken links":
    print(body_head + fill("[é](/é) "))
elif case == "unclosed emphasis":
    print(body_head + fill("*a _b **c __d "))
elif case == "1 MB of [":
    print(body_head + "[" * MB)
elif case == "1 MB of [a](":
    print(body_head + fill("[a]("))
elif case == "nested images":
    print(body_head + "![" * 100000 + "x" + "](/a)" * 100000)
elif case == "table 5,000 columns wide":
    print(body_head + "|a" * 5000 + "|\n" + "|-" * 5000 + "|\n" + "|x\n" * 200000)
elif case == "50,000 link reference definitions":
    defs = "".join(f"[r{i}]: /a{i}\n" for i in range(50000))
    uses = " ".join(f"[r{i}]" for i in range(50000))
    print(body_head + defs + "\n" + uses)
elif case == "inline HTML tags":
    print(body_head + fill("<span>a</span> <img src=/a> "))
elif case == "unclosed raw img tags":
    print(body_head + "<div>\n" + fill("<img src=x ") + "\n</div>")
elif case == "50,000 headings with one {#id}":
    print(body_head + "### A {#same}\n\n" * 50000)
elif case == "1 MB of backticks":
    print(body_head + "`" * MB)
elif case == "backtick runs of every length":
    print(body_head + " ".join("`" * i for i in range(1, 1400)))
elif case == "100,000 one-character lines":
    print(body_head + "x\n" * 100000)
elif case == "100,000 images without alt text":
    print(body_head + "![](/a.png)\n" * 100000)
elif case == "1 MB table 8 columns wide":
    print(body_head + "|a|a|a|a|a|a|a|a|\n|-|-|-|-|-|-|-|-|\n" + "|x|x|x|x|x|x|x|x|\n" * 60000)
elif case == "1 MB list item of links":
    print(body_head + "- " + fill("[x](/) "))
elif case == "1 MB heading of links":
    print(body_head + "## " + fill("[x](/) "))
elif case == "1 MB footnote of links":
    print(body_head + "a[^1]\n\n[^1]: " + fill("[x](/) "))
elif case == "100,000 raw images without alt":
    print(body_head + "<img src=/a.png>\n" * 100000)
elif case == "1 MB of <":
    print(body_head + "<" * MB)
elif case == "1 MB of ](":
    print(body_head + fill("]("))
elif case == "1 MB of [a][b]":
    print(body_head + fill("[a][b]"))
elif case == "1 MB of quotes":
    print(body_head + fill("\"'"))
elif case == "500 KB of [ then 500 KB of ]":
    print(body_head + "[" * (MB // 2) + "]" * (MB // 2))
elif case == "1 MB of undefined footnote references":
    print(body_head + fill("[^a] "))
elif case == "1 MB of unknown front-matter keys":
    print(head + "".join(f"k{i}: 1\n" for i in range(120000)) + "---\nBody.")
# Issue 18: shortcodes and callouts.
elif case == "100,000 shortcode calls":
    print(body_head + "{{ figure(src=\"/a.png\", alt=\"x\") }}\n" * 100000)
elif case == "shortcode blocks 10,000 deep":
    print(body_head + "{% pullquote %}\n" * 10000 + "deep\n" + "{% end %}\n" * 10000)
elif case == "100,000 unclosed shortcode blocks":
    print(body_head + "{% pullquote %}\n" * 100000)
elif case == "1 MB line of shortcode arguments":
    print(body_head + "{{ figure(" + "".join(f"a{i}=1, " for i in range(120000)) + "b=2) }}")
elif case == "100,000 titled callouts":
    print(body_head + "> [!NOTE] What we know\n> x\n\n" * 100000)
# Issue 22 again: hints and output that cost the product of two sizes.
elif case == "4,000 headings and 4,000 broken anchors":
    print(body_head + "".join(f"## H{i}\n\n" for i in range(4000)) + "[x](#nope)\n" * 4000)
elif case == "2,000 headings and 1 MB of broken anchors":
    print(body_head + "".join(f"## H{i}\n\n" for i in range(2000)) + fill("[x](#nope)\n"))
elif case == "40,000 raw ids and 87,000 broken anchors":
    ids = "".join(f'<a id="h{i}"></a>\n' for i in range(40000))
    print(body_head + ids + "\n" + "[x](#nope)\n" * 87000)
elif case == "3,000 files and 1 MB of dead links":
    for i in range(3000):
        write(f"content/news/p{i}/index.html", "x")
    print(body_head + fill("[x](/news/p99999/) "))
elif case == "20,000 files and 2,000 articles of dead links":
    for i in range(20000):
        write(f"content/files/d{i % 100}/f{i}.txt", "x")
    for i in range(2000):
        links = "".join(f"[x](/files/d{j}/f{i * 7 + j}x.txt) " for j in range(5))
        write(f"content/a{i}.md", body_head + links + "\n")
    print(body_head + "A.")
elif case == "1 MB of #":
    print(body_head + fill("#\n"))
elif case == "1 MB of setext headings":
    print(body_head + fill("a\n=\n"))
elif case == "1 MB of # a":
    print(body_head + fill("# a\n\n"))
elif case == "1 MB of ## a":
    print(body_head + fill("## a\n\n"))
elif case == "1 MB of empty list items":
    print(body_head + fill("-\n"))
elif case == "1 MB of one-word list items":
    print(body_head + fill("- a\n"))
elif case == "1 MB of references to one footnote":
    print(body_head + fill("x[^1] ") + "\n\n[^1]: n")
elif case == "1 MB of empty table rows":
    print(body_head + "|a|\n|-|\n" + fill("|\n"))
elif case == "1 MB of empty quotes":
    print(body_head + fill(">\n\n"))
elif case == "see_also.inline of a billion":
    write("site.yaml", "title: Abuse\nbase_url: https://example.com/\n"
          "see_also:\n  inline: 1000000000\n  related: 1000000000\n")
    for i in range(50):
        sections = "".join(f"## S{j}\n\nText.\n\n" for j in range(2000))
        write(f"content/a{i}.md", body_head + sections)
    print(body_head + "A.")
else:
    sys.exit(f"unknown case {case}")
PY
}

# name|seconds|MB: the limits of each case.
CASES=(
  "20 MB article|10|1024"
  "50,000 tags|2|300"
  "block quotes 10,000 deep|2|300"
  "lists 10,000 deep|2|300"
  "1 MB of front matter|2|300"
  "flow YAML 100,000 deep|2|300"
  "block YAML 1,400 deep|2|300"
  "YAML alias bomb|2|300"
  "500 KB anchor aliased 2,000 times|2|300"
  "500 KB line of broken links|2|300"
  "1 MB line of broken links|2|300"
  "40,000 lines of broken links|2|300"
  "50,000 identical headings|2|300"
  "headings colliding with suffixes|2|300"
  "100,000 footnotes|2|300"
  "1 MB line of valid links|2|300"
  "10 MB line of valid links|10|1024"
  "1 MB line of multi-byte broken links|2|300"
  "unclosed emphasis|2|300"
  "1 MB of [|2|300"
  "1 MB of [a](|2|300"
  "nested images|2|300"
  "table 5,000 columns wide|2|300"
  "50,000 link reference definitions|2|300"
  "inline HTML tags|2|300"
  "unclosed raw img tags|2|300"
  "50,000 headings with one {#id}|2|300"
  "1 MB of backticks|2|300"
  "backtick runs of every length|2|300"
  "100,000 one-character lines|2|300"
  "100,000 images without alt text|2|300"
  "100,000 raw images without alt|2|300"
  "1 MB table 8 columns wide|2|300"
  "1 MB list item of links|2|300"
  "1 MB heading of links|2|300"
  "1 MB footnote of links|2|300"
  "1 MB of unknown front-matter keys|2|300"
  "1 MB of <|2|300"
  "1 MB of ](|2|300"
  "1 MB of [a][b]|2|300"
  "1 MB of quotes|2|300"
  "500 KB of [ then 500 KB of ]|2|300"
  "1 MB of undefined footnote references|2|300"
  "100,000 shortcode calls|2|300"
  "shortcode blocks 10,000 deep|2|300"
  "100,000 unclosed shortcode blocks|2|300"
  "1 MB line of shortcode arguments|2|300"
  "100,000 titled callouts|2|300"
  "4,000 headings and 4,000 broken anchors|2|300"
  "2,000 headings and 1 MB of broken anchors|2|300"
  "40,000 raw ids and 87,000 broken anchors|2|300"
  "3,000 files and 1 MB of dead links|10|1024"
  "20,000 files and 2,000 articles of dead links|10|1024"
  "1 MB of #|2|300"
  "1 MB of setext headings|2|300"
  "1 MB of # a|2|300"
  "1 MB of ## a|2|300"
  "1 MB of empty list items|2|300"
  "1 MB of one-word list items|2|300"
  "1 MB of references to one footnote|2|300"
  "1 MB of empty table rows|2|300"
  "1 MB of empty quotes|2|300"
  "see_also.inline of a billion|10|1024"
)

failed=0
printf '%-46s %6s %7s %8s %5s  %s\n' case "cpu s" "wall s" "peak MB" exit "first line"
for entry in "${CASES[@]}"; do
  IFS='|' read -r name max_s max_mb <<<"$entry"
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF "$name"; then
    continue
  fi
  site="$WORK/site"
  rm -rf "$site" && mkdir -p "$site/content"
  printf 'title: Abuse\nbase_url: https://example.com/\n' > "$site/site.yaml"
  case_files "$name" "$site"
  set +e
  (
    ulimit -v 4194304
    exec /usr/bin/time -f '%U %S %e %M' -o "$WORK/time" timeout 120 "$BIN" build \
      --root "$site" --quiet 2> "$WORK/err" >/dev/null
  )
  code=$?
  set -e
  read -r user sys wall kb < <(tail -n 1 "$WORK/time")
  cpu=$(awk "BEGIN{printf \"%.2f\", $user + $sys}")
  first=$(head -c 300 "$WORK/err" | head -n 1 | cut -c1-60)
  printf '%-46s %6s %7s %8d %5s  %s\n' "$name" "$cpu" "$wall" $((kb / 1024)) "$code" \
    "${first:-(built)}"
  if [ "$code" -gt 1 ]; then
    echo "  FAILED: must end built or refused (exit 0 or 1), not with exit $code" >&2
    failed=1
  fi
  if awk "BEGIN{exit !($cpu > $max_s)}"; then
    echo "  FAILED: took more than $max_s s of CPU time" >&2
    failed=1
  fi
  if [ $((kb / 1024)) -gt "$max_mb" ]; then
    echo "  FAILED: peak memory above $max_mb MB" >&2
    failed=1
  fi
done
exit $failed
