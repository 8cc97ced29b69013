#!/usr/bin/env bash
# Regenerates src/i18n/data: the CLDR dates and numbers gazette bakes into its binary, for
# the languages of its embedded translations, src/i18n/*.yaml, and those listed in
# tools/icu-data/languages.txt (issue 19). Run it after adding a translation or a language
# to that list, or upgrading ICU4X (then also bump CLDR below and the versions in
# tools/icu-data/Cargo.toml); see CONTRIBUTING.md.
#
# Needs cargo and npm (the CLDR JSON comes from the npm registry); a normal build needs
# neither this script nor npm: the generated files are committed.
set -euo pipefail

# The CLDR release the `icu` 2.1 crates were made with: `TESTED_CLDR_TAG` of
# icu_provider_source, and "CLDR version" in the README of icu_datetime_data.
CLDR=48.1.0
PACKAGES=(cldr-core cldr-dates-full cldr-numbers-full cldr-misc-full)

root=$(cd "$(dirname "$0")/.." && pwd)
tool="$root/tools/icu-data/Cargo.toml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "fetching CLDR $CLDR JSON from npm"
mkdir -p "$work/tgz" "$work/cldr"
(cd "$work/tgz" && npm pack --silent "${PACKAGES[@]/%/@$CLDR}" >/dev/null)
for package in "${PACKAGES[@]}"; do
    mkdir -p "$work/cldr/$package"
    tar -xzf "$work/tgz/$package-$CLDR.tgz" -C "$work/cldr/$package" --strip-components=1
done

# The exporter reads the root locale's Japanese era names to name Japanese eras, even for
# Gregorian data; npm stopped publishing the Japanese calendar after CLDR 39, so that one
# file comes from the CLDR $CLDR test data shipped in the icu_provider_source crate.
cargo fetch --locked --manifest-path "$tool" >/dev/null
source_dir=$(cargo metadata --locked --format-version 1 --manifest-path "$tool" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
        const p=JSON.parse(s).packages.find(p=>p.name==="icu_provider_source");
        console.log(require("path").dirname(p.manifest_path));})')
japanese="cldr-cal-japanese-full/main/und/ca-japanese.json"
mkdir -p "$(dirname "$work/cldr/$japanese")"
cp "$source_dir/tests/data/cldr/$japanese" "$work/cldr/$japanese"

# The languages of the embedded translations, then those of tools/icu-data/languages.txt.
languages=()
for file in "$root"/src/i18n/*.yaml; do
    languages+=("$(basename "$file" .yaml)")
done
while read -r code; do
    languages+=("$code")
done < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$root/tools/icu-data/languages.txt")
echo "baking the data of ${languages[*]} into src/i18n/data"
rm -rf "$root/src/i18n/data"
cargo run --locked --release --manifest-path "$tool" -- "$work/cldr" "$root/src/i18n/data" "${languages[@]}"
echo "done: run cargo test (every_baked_language_* and every_shipped_language_* compare the formats with CLDR's)"
