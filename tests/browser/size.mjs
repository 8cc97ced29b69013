// The theme stays lean: every article page of the demo site, its HTML plus the stylesheets
// it links, is at most 60 KB (60,000 bytes) before compression, images aside. Stylesheet
// names carry a content hash, and pages load nothing from other hosts (no web fonts).
import { readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO, build } from "./lib.mjs";

export const BUDGET = 60_000;

export async function size() {
  const out = await build(REPO);
  try {
    const problems = [];
    const pages = walk(out).filter((f) => f.endsWith(".html"));
    const articles = [];
    for (const file of pages) {
      const path = relative(out, file);
      const html = readFileSync(file, "utf8");
      const tags = html.match(/<(link|script|img|iframe|source|video|audio)\b[^>]*>/g) || [];
      for (const tag of tags) {
        const src = /\b(?:src|href)="([^"]*)"/.exec(tag)?.[1] || "";
        const fetched = /^<(script|img|iframe|source|video|audio)/.test(tag) || /rel="(stylesheet|preload|modulepreload|icon)"/.test(tag);
        if (fetched && /^(https?:)?\/\//.test(src)) problems.push(`${path}: loads ${src} from another host`);
      }
      const sheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
      for (const href of sheets) {
        if (!/\.[0-9a-f]{8,}\.css$/.test(href)) problems.push(`${path}: stylesheet ${href} has no content hash in its name`);
      }
      // An alias's redirect page (issue 17) loads nothing: the reader is on their way.
      const redirect = html.includes('http-equiv="refresh"');
      if (!redirect && !sheets.some((h) => /\/style\.[0-9a-f]+\.css$/.test(h))) problems.push(`${path}: does not link the theme's style.css`);
      if (html.includes('<meta property="og:type" content="article">')) {
        const parts = sheets.map((href) => [href, statSync(join(out, href.replace(/^\//, ""))).size]);
        const total = Buffer.byteLength(html) + parts.reduce((n, [, b]) => n + b, 0);
        articles.push({ path, html: Buffer.byteLength(html), parts, total });
      }
    }
    for (const css of walk(out).filter((f) => f.endsWith(".css"))) {
      const text = readFileSync(css, "utf8");
      if (/@font-face|@import|url\(\s*["']?(https?:)?\/\//.test(text)) problems.push(`${relative(out, css)}: loads fonts or files from elsewhere`);
    }
    if (!articles.length) problems.push("the demo build has no article page");
    articles.sort((a, b) => b.total - a.total);
    for (const a of articles.filter((a) => a.total > BUDGET)) {
      problems.push(`${a.path}: ${kb(a.total)} of HTML and CSS, over the ${kb(BUDGET)} budget (${breakdown(a)})`);
    }
    if (problems.length) throw new Error(problems.join("\n"));
    const [largest] = articles;
    console.log(`ok - size: the largest article, ${largest.path}, is ${kb(largest.total)} of ${kb(BUDGET)} (${breakdown(largest)}); stylesheets hashed; nothing from other hosts`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const breakdown = (a) => [`HTML ${kb(a.html)}`, ...a.parts.map(([href, b]) => `${href.split("/").pop()} ${kb(b)}`)].join(" + ");

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  size().catch((err) => {
    console.error(`not ok - size\n${err.stack || err}`);
    process.exit(1);
  });
}
