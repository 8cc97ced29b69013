#!/usr/bin/env bash
# Image processing, gazette against Hugo, side by side in one run (issue 16).
#
#   bench/images.sh [ARTICLES] [PHOTOS]      (default 1000 articles, 200 photos)
#
# Makes PHOTOS camera-like JPEGs (4000×3000, EXIF orientation and a GPS position, every
# fourth one turned; written by `cargo run --example photos`, cached in $BENCH_DIR) and a
# site of ARTICLES articles, the first PHOTOS of which show one photo each, in two
# flavours: gazette (`![alt](/images/photo.jpg)`) and Hugo 0.111 (the photos under
# assets/, and a template that does `.Resize` to the same widths, WebP and JPEG at the
# same quality, with an equivalent `<picture>`). Then builds, RUNS times each (default 3),
# interleaved:
#
#   gazette, no images    the same site with the image lines left out
#   gazette cold          the image cache (.gazette/images) deleted first
#   gazette warm          nothing changed since the last build
#   hugo cold             resources/_gen deleted first
#   hugo warm             nothing changed
#
# and prints the median wall time of each, and the targets' two ratios. SKIP_HUGO=1 leaves
# Hugo out (its cold build of 200 photos takes about 35 minutes here); SKIP_COLD=1 measures
# only the two rebuilds with no change (for many RUNS of the warm target).
#
#
#   gazette cold / hugo cold                       target <= 0.5
#   gazette warm / gazette with no images - 1      target <= 10 %
#
# Hugo 0.111 has no automatic EXIF orientation (`images.AutoOrient` came in 0.121), so
# its turned photos stay on their side: it does slightly less work than gazette here.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BENCH=${BENCH_DIR:-/tmp/bench}
RUNS=${RUNS:-3}
N=${1:-1000}
PHOTOS=${2:-200}
HUGO=${HUGO_BIN:-hugo}
WIDTHS="480 800 1200 1600"
QUALITY=80

# GAZETTE_BIN runs another gazette binary (e.g. a saved release while this tree is rebuilt).
if [ -z "${GAZETTE_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
fi
BIN=${GAZETTE_BIN:-$ROOT/target/release/gazette}
command -v "$HUGO" > /dev/null || { echo "no hugo: apt-get install -y hugo" >&2; exit 1; }

PHOTO_DIR="$BENCH/photos-$PHOTOS"
if [ ! -f "$PHOTO_DIR/.done" ]; then
  echo "making $PHOTOS photos in $PHOTO_DIR ..." >&2
  rm -rf "$PHOTO_DIR"
  (cd "$ROOT" && cargo build --release --quiet --example photos)
  "$ROOT/target/release/examples/photos" "$PHOTO_DIR" "$PHOTOS" 4000 3000
  touch "$PHOTO_DIR/.done"
fi

WORK="$BENCH/images-$N-$PHOTOS"
rm -rf "$WORK"
mkdir -p "$WORK"
G="$WORK/gazette" P="$WORK/plain" H="$WORK/hugo"

# The sites: the same articles; gazette's and Hugo's image lines differ.
mkdir -p "$G/content/images" "$P/content" "$H/content/posts" "$H/assets/images" "$H/layouts/_default"
printf 'title: Bench\nbase_url: https://example.org/\nimages:\n  widths: [%s]\n  quality: %s\n' \
  "$(echo $WIDTHS | sed 's/ /, /g')" "$QUALITY" > "$G/site.yaml"
cp "$G/site.yaml" "$P/site.yaml"
cp "$PHOTO_DIR"/*.jpg "$G/content/images/"
cp "$PHOTO_DIR"/*.jpg "$H/assets/images/"
mkdir -p "$G/content/news" "$P/content/news"
for i in $(seq 0 $((N - 1))); do
  name=$(printf 'article-%05d' "$i")
  photo=$(printf 'photo-%04d.jpg' "$i")
  body="A paragraph about story $i, with enough words to count as an article body for the bench."
  front="---\ntitle: Story $i\ndate: 2026-01-01\ntags: [t$((i % 50)), u$((i % 7))]\n"
  if [ "$i" -lt "$PHOTOS" ]; then
    printf -- "${front}---\n\n%s\n\n![Photo %s](/images/%s)\n\n%s\n" "$body" "$i" "$photo" "$body" \
      > "$G/content/news/$name.md"
    printf -- "---\ntitle: Story $i\ndate: 2026-01-01\nphoto: images/%s\n---\n\n%s\n\n%s\n" \
      "$photo" "$body" "$body" > "$H/content/posts/$name.md"
  else
    printf -- "${front}---\n\n%s\n\n%s\n" "$body" "$body" > "$G/content/news/$name.md"
    printf -- "---\ntitle: Story $i\ndate: 2026-01-01\n---\n\n%s\n\n%s\n" "$body" "$body" \
      > "$H/content/posts/$name.md"
  fi
  printf -- "${front}---\n\n%s\n\n%s\n" "$body" "$body" > "$P/content/news/$name.md"
done
cat > "$H/config.toml" <<EOF
baseURL = "https://example.org/"
title = "Bench"
disableKinds = ["taxonomy", "term", "RSS", "sitemap"]
[imaging]
quality = $QUALITY
resampleFilter = "Lanczos"
EOF
cat > "$H/layouts/_default/single.html" <<EOF
<!DOCTYPE html><html lang="en"><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>
{{ .Content }}
{{- with .Params.photo }}{{ \$img := resources.Get . }}{{ \$webp := slice }}{{ \$jpg := slice }}
{{- range slice $WIDTHS }}{{ \$w := . }}{{ if gt \$w \$img.Width }}{{ \$w = \$img.Width }}{{ end }}
{{- \$a := \$img.Resize (printf "%dx webp q$QUALITY" \$w) }}{{ \$b := \$img.Resize (printf "%dx jpg q$QUALITY" \$w) }}
{{- \$webp = \$webp | append (printf "%s %dw" \$a.RelPermalink \$a.Width) }}{{ \$jpg = \$jpg | append (printf "%s %dw" \$b.RelPermalink \$b.Width) }}{{ end }}
<picture><source type="image/webp" srcset="{{ delimit \$webp ", " }}"><img srcset="{{ delimit \$jpg ", " }}" alt="Photo" loading="lazy" decoding="async"></picture>
{{- end }}
</body></html>
EOF
printf '<!DOCTYPE html><html lang="en"><head><title>{{ .Title }}</title></head><body>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>\n' \
  > "$H/layouts/_default/list.html"

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A TIMES CPU
run() { # name, command...
  local name=$1; shift
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" > "$WORK/$name.log" 2>&1 \
    || { echo "$name failed:" >&2; tail -20 "$WORK/$name.log" >&2; exit 1; }
  read -r wall user sys rss < "$WORK/time"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  echo "  $name: $wall s wall, $cpu s CPU, $((rss / 1024)) MB" >&2
  TIMES[$name]+="$wall "
  CPU[$name]+="$cpu "
}
# "plain" is measured as a rebuild with no change, like "gazette warm": built twice first,
# so both have their build cache (the cache records on a first build, reuses from the third).
"$BIN" build --root "$P" --quiet > /dev/null 2>&1
"$BIN" build --root "$P" --quiet > /dev/null 2>&1
if [ -n "${SKIP_COLD:-}" ]; then
  "$BIN" build --root "$G" --quiet > /dev/null 2>&1
  "$BIN" build --root "$G" --quiet > /dev/null 2>&1
fi
for r in $(seq 1 "$RUNS"); do
  echo "run $r" >&2
  run plain "$BIN" build --root "$P" --quiet
  if [ -z "${SKIP_COLD:-}" ]; then
    rm -rf "$G/.gazette/images"
    run gazette-cold "$BIN" build --root "$G" --quiet
  fi
  run gazette-warm "$BIN" build --root "$G" --quiet
  if [ -z "${SKIP_HUGO:-}" ] && [ -z "${SKIP_COLD:-}" ]; then
    rm -rf "$H/resources/_gen" "$H/public"
    run hugo-cold "$HUGO" --source "$H" --quiet
    run hugo-warm "$HUGO" --source "$H" --quiet
  fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "$N articles, $PHOTOS photos of 4000×3000, widths $WIDTHS, WebP + JPEG at q$QUALITY, $RUNS runs"
echo
echo "| build | median wall s | median CPU s (user + sys) |"
echo "|---|---:|---:|"
declare -A M MC
for name in plain gazette-cold gazette-warm hugo-cold hugo-warm; do
  [ -n "${TIMES[$name]:-}" ] || continue
  M[$name]=$(printf '%s\n' ${TIMES[$name]} | median)
  MC[$name]=$(printf '%s\n' ${CPU[$name]} | median)
  echo "| $name | ${M[$name]} | ${MC[$name]} |"
done
echo
echo "| target | measured | goal |"
echo "|---|---:|---:|"
echo "| cold: gazette / hugo | $(ratio "${M[gazette-cold]:-0}" "${M[hugo-cold]:-0}") | <= 0.5 |"
extra=$(awk -v w="${M[gazette-warm]}" -v p="${M[plain]}" 'BEGIN { printf "%.0f %%", (w / p - 1) * 100 }')
echo "| warm rebuild over no images | $extra | <= 10 % |"
extra_cpu=$(awk -v w="${MC[gazette-warm]}" -v p="${MC[plain]}" 'BEGIN { printf "%.0f %%", (w / p - 1) * 100 }')
echo "| the same in CPU time (less sensitive to other load) | $extra_cpu | |"
echo
echo "files: gazette $(find "$G/output/images" -type f | wc -l), hugo $(find "$H/public" -name '*.webp' -o -name '*.jpg' 2> /dev/null | wc -l)"
