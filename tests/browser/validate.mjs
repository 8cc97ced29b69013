// Every HTML page of the built demo site is valid HTML, by html-validate with
// .htmlvalidate.json (html-validate:recommended, two stylistic rules relaxed; README.md says why).
// Every page type must be present, so a template that stops rendering cannot pass unnoticed.
// No page but /search/ runs a script, apart from the click-to-load script of pages with a
// frame (and only those): reading needs no JavaScript.
import { appendFileSync, cpSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { HtmlValidate, formatterFactory } from "html-validate";
import { HERE, REPO, build } from "./lib.mjs";

/** The search page of the default language, or of another under `/<lang>/` (issue 19). */
const SEARCH_PAGE = /^(?:[a-z]{2,3}(?:-[A-Za-z0-9]+)*\/)?search\/index\.html$/;

/** Page types and how to recognise their files (paths relative to the output folder). */
const TYPES = {
  home: (p) => p === "index.html",
  "home page 2": (p) => p === "page/2/index.html",
  category: (p, html) => html.includes('class="listing"') && /^[^/]+\/index\.html$/.test(p) && !/^(tags|archive|search|authors|series|corrections)\//.test(p),
  tag: (p) => /^tags\/[^/]+\/index\.html$/.test(p),
  "tags index": (p) => p === "tags/index.html",
  author: (p) => /^authors\/[^/]+\/index\.html$/.test(p),
  "author with profile": (p, html) => /^authors\/[^/]+\/index\.html$/.test(p) && html.includes('class="profile"'),
  series: (p) => /^series\/[^/]+\/index\.html$/.test(p),
  corrections: (p) => p === "corrections/index.html",
  "article with corrections": (p, html) => html.includes('class="notice notice-corrections"'),
  "article with series box": (p, html) => html.includes('class="series-box"'),
  "alias redirect": (p, html) => html.includes('http-equiv="refresh"'),
  archive: (p) => p === "archive/index.html",
  "archive year": (p) => /^archive\/\d{4}\/index\.html$/.test(p),
  "archive month": (p) => /^archive\/\d{4}\/\d{2}\/index\.html$/.test(p),
  search: (p) => p === "search/index.html",
  404: (p) => p === "404.html",
  article: (p, html) => html.includes('<meta property="og:type" content="article">'),
  // Callouts (two of them titled "Note", so html-validate's unique-landmark sees repeated
  // titles) and every built-in shortcode on one page (issue 18).
  "article with callouts and shortcodes": (p, html) =>
    ['class="callout ', 'id="callout-note-1"', 'class="figure"', 'class="pullquote"', 'class="embed embed-video"', 'class="embed"', "<video "].every((s) => html.includes(s)),
};

export async function validate() {
  const out = await build(REPO);
  try {
    const files = walk(out).filter((f) => f.endsWith(".html"));
    const validator = new HtmlValidate(JSON.parse(readFileSync(join(HERE, ".htmlvalidate.json"), "utf8")));
    const seen = Object.fromEntries(Object.keys(TYPES).map((t) => [t, 0]));
    const reports = [];
    let errors = 0;
    let warnings = 0;
    for (const file of files) {
      const path = relative(out, file);
      const html = readFileSync(file, "utf8");
      for (const [type, test] of Object.entries(TYPES)) if (test(path, html)) seen[type]++;
      // Reading needs no JavaScript: only a search page (one per language) runs a script, and a page with a
      // click-to-load frame runs the one that loads it on a click; others carry data.
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      const running = scripts.filter((tag) => !tag.includes('type="application/ld+json"'));
      const hasFrame = html.includes("data-embed-src=");
      const allowed = (tag) =>
        (SEARCH_PAGE.test(path) && /src="[^"]*\/search\.[0-9a-f]+\.js"/.test(tag)) ||
        (hasFrame && /src="[^"]*\/embed\.[0-9a-f]+\.js"/.test(tag));
      const other = running.filter((tag) => !allowed(tag));
      if (other.length) {
        throw new Error(`${path} runs a script (${other.join(" ")}): only search pages (/search/, /<lang>/search/) and pages with a frame to load may`);
      }
      if (hasFrame && !running.some((tag) => /\/embed\.[0-9a-f]+\.js"/.test(tag))) {
        throw new Error(`${path} has a click-to-load frame but does not load embed.js`);
      }
      // No layout shift (issue 16): every image carries its width and height, so the
      // browser reserves its box before the file arrives.
      for (const [img] of html.matchAll(/<img\b[^>]*>/g)) {
        if (!/\swidth="\d+"/.test(img) || !/\sheight="\d+"/.test(img)) {
          throw new Error(`${path}: an image without width and height: ${img}`);
        }
      }
      // Social cards show raster images only: never an SVG as og:image.
      const og = html.match(/<meta property="og:image" content="([^"]+)">/);
      if (og && !/\.(jpe?g|png|webp)$/i.test(og[1])) {
        throw new Error(`${path}: og:image is not a raster image: ${og[1]}`);
      }
      const report = await validator.validateString(html, path);
      errors += report.errorCount;
      warnings += report.warningCount;
      if (!report.valid || report.warningCount) reports.push(...report.results);
    }
    const missing = Object.entries(seen).filter(([, n]) => n === 0).map(([t]) => t);
    if (missing.length) throw new Error(`the demo build has no page of type: ${missing.join(", ")}`);
    if (reports.length) console.log(formatterFactory("stylish")(reports));
    if (errors) throw new Error(`html-validate: ${errors} error(s), ${warnings} warning(s) in ${files.length} pages`);
    const counts = Object.entries(seen).map(([t, n]) => `${n} ${t}`).join(", ");
    console.log(`ok - HTML validation: ${files.length} pages valid (${counts})${warnings ? `, ${warnings} warning(s)` : ""}`);
    await validatePictures(out, validator);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * The demo's pictures are SVG, shown as they are; a photo is shown as `<picture>` (issue 16).
 * A scratch copy of the demo gets one (a JPEG the demo build drew from an SVG for its social
 * cards) as an article's lead image and as a figure in its body; the pages showing it must be
 * valid, and every `<img>` in them must carry its width and height.
 */
async function validatePictures(demoOut, validator) {
  const photo = walk(join(demoOut, "images")).find((f) => f.endsWith(".1200.jpg"));
  if (!photo) throw new Error("the demo build drew no 1200 px JPEG for its social cards");
  const site = mkdtempSync(join(tmpdir(), "gazette-pictures-"));
  let out;
  try {
    for (const name of ["site.yaml", "authors.yaml", "content", "themes"]) {
      if (existsSync(join(REPO, name))) cpSync(join(REPO, name), join(site, name), { recursive: true });
    }
    copyFileSync(photo, join(site, "content", "images", "photo.jpg"));
    const article = join(site, "content", "economy", "sovereign-debt-restructuring.md");
    const text = readFileSync(article, "utf8").replace(/^---\n/, "---\nimage: /images/photo.jpg\nimage_alt: A drawing of the debt talks\n")
      .replace(/^image: \/images\/[^\n]*\.svg\n(image_alt: [^\n]*\n)?/m, "");
    rmSync(article);
    appendFileSync(article, text + '\n![A drawing of the debt talks](/images/photo.jpg "The same drawing, as a figure.")\n');
    out = await build(site);
    const pages = walk(out).filter((f) => f.endsWith(".html") && readFileSync(f, "utf8").includes("<picture>"));
    const articlePage = pages.find((f) => f.includes("sovereign-debt-restructuring"));
    if (!articlePage || readFileSync(articlePage, "utf8").split("<picture>").length !== 3) {
      throw new Error("the article does not show the photo twice (lead image and figure) as <picture>");
    }
    let errors = 0;
    for (const file of pages) {
      const path = relative(out, file);
      const html = readFileSync(file, "utf8");
      for (const [img] of html.matchAll(/<img\b[^>]*>/g)) {
        if (!/\swidth="\d+"/.test(img) || !/\sheight="\d+"/.test(img)) {
          throw new Error(`${path}: an image without width and height: ${img}`);
        }
      }
      const report = await validator.validateString(html, path);
      errors += report.errorCount;
      if (!report.valid) console.log(formatterFactory("stylish")(report.results));
    }
    if (errors) throw new Error(`html-validate: ${errors} error(s) in the pages showing a photo`);
    console.log(`ok - HTML validation: ${pages.length} pages showing a photo as <picture> are valid`);
  } finally {
    rmSync(site, { recursive: true, force: true });
    if (out) rmSync(out, { recursive: true, force: true });
  }
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  validate().catch((err) => {
    console.error(`not ok - HTML validation\n${err.stack || err}`);
    process.exit(1);
  });
}
