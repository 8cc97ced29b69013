// Queries a built site's search page in headless Chromium (see bench/README.md):
//   node bench/search_query.mjs OUTPUT_DIR CONTENT_DIR
// Serves OUTPUT_DIR on a free port, picks ten queries from CONTENT_DIR (five pairs of
// title words, five two-word phrases from the middle of a body; each has the article it
// came from), and for each, in a fresh page with 4x CPU throttling: opens /search/, types
// the query, and records the time from the last keystroke to the first result shown, the
// bytes fetched (each file gzipped at level 6, as a static host would send it, page and
// script included) and where the source article ranks. With PAGEFIND=DIR (the output of
// `pagefind --site OUTPUT_DIR --output-path DIR`), runs the same queries through
// Pagefind's JS API instead.
import { createServer } from "node:http";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";

const require = createRequire(resolve("tests/browser/package.json"));
const { chromium } = require("playwright-core");
const [out, content] = process.argv.slice(2).map((p) => resolve(p));
// Milliseconds between keystrokes: a brisk typist.
const TYPING_MS = Number(process.env.TYPING_MS || 120);
const pagefind = process.env.PAGEFIND ? resolve(process.env.PAGEFIND) : null;

function articles(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...articles(path));
    else if (name.endsWith(".md")) found.push(path);
  }
  return found.sort();
}

// Ten queries, the same for every run of a corpus: every n-th article.
const files = articles(content);
const queries = [];
for (let i = 0; i < 10; i++) {
  const file = files[Math.floor(((i + 0.5) * files.length) / 10)];
  const text = readFileSync(file, "utf8");
  const url = "/" + file.slice(content.length + 1).replace(/^[^/]+\/[^/]+\//, (m) => m.split("/")[0] + "/").replace(/\.md$/, "/");
  const title = text.match(/^title: "?(.*?)"?$/m)[1];
  const long = (ws) => ws.filter((w) => /^[a-z]{5,}$/i.test(w));
  let words;
  if (i < 5) {
    words = long(title.split(/\s+/)).slice(0, 2);
  } else {
    const body = text.split("\n---\n")[1].split(/\s+/).filter((w) => /^[a-z]+$/i.test(w));
    const mid = Math.floor(body.length / 2);
    let k = mid;
    while (k < body.length - 1 && !(body[k].length >= 6 && body[k + 1].length >= 6)) k++;
    words = [body[k], body[k + 1]];
  }
  queries.push({ q: words.join(" ").toLowerCase(), kind: i < 5 ? "title" : "body", title });
}

const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml" };
const server = createServer((req, res) => {
  let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let root = out;
  if (pagefind && path.startsWith("/pagefind/")) {
    root = pagefind;
    path = path.slice("/pagefind".length);
  }
  let file = join(root, path);
  try {
    if (statSync(file).isDirectory()) file = join(file, "index.html");
    const body = readFileSync(file);
    res.writeHead(200, { "content-type": types[extname(file)] || "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });

const rows = [];
for (const { q, kind, title } of queries) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const fetched = new Set();
  page.on("request", (r) => fetched.add(new URL(r.url()).pathname));
  let ms, titles, sharedBytes = NaN, phases = [];
  if (!pagefind) {
    await page.goto(base + "/search/");
    await page.waitForFunction(() => /Type a word/.test(document.getElementById("search-status").textContent));
    await page.evaluate(() => {
      // The first results shown after the last keystroke. The key is stamped while the
      // event is captured, before the page's own listener runs: with every file it needs
      // already fetched, the page shows the new results before its listener returns.
      document.addEventListener("input", () => {
        window.__typed = performance.now();
        window.__shown = 0;
      }, true);
      new MutationObserver(() => {
        if (!window.__shown && document.querySelector("#search-results .search-result")) window.__shown = performance.now();
      }).observe(document.getElementById("search-results"), { childList: true });
    });
    await page.locator("#search-input").pressSequentially(q, { delay: TYPING_MS });
    await page.waitForFunction(() => window.__shown || /No explainers/.test(document.getElementById("search-status").textContent), null, { timeout: 60000 });
    await page.waitForLoadState("networkidle");
    ms = await page.evaluate(() => (window.__shown ? window.__shown - window.__typed : NaN));
    // Where the time went, from the script's User Timing marks after the last key: the
    // query starts, its words' lists are in, the results are ranked, the first is shown.
    phases = await page.evaluate(() => {
      const marks = performance.getEntriesByType("mark").filter((m) => m.startTime >= window.__typed);
      return ["query", "found", "ranked", "shown"].map((name) => {
        const m = marks.find((m) => m.name === "search:" + name);
        return m ? Math.round(m.startTime - window.__typed) : NaN;
      });
    });
    titles = await page.locator("#search-results .search-result h2").allTextContents();
    // The same query opened from a shared address, in a fresh page: what it alone costs.
    const shared = await context.newPage();
    const only = new Set();
    shared.on("request", (r) => only.add(new URL(r.url()).pathname));
    await shared.goto(base + "/search/?q=" + encodeURIComponent(q));
    await shared.waitForFunction(() => /match/.test(document.getElementById("search-status").textContent), null, { timeout: 60000 });
    await shared.waitForLoadState("networkidle");
    sharedBytes = gzipBytes(only);
  } else {
    await page.goto(base + "/search/");
    const r = await page.evaluate(async (q) => {
      const pf = await import("/pagefind/pagefind.js");
      await pf.init();
      const t0 = performance.now();
      const search = await pf.search(q);
      const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
      return { ms: performance.now() - t0, titles: data.map((d) => d.meta.title) };
    }, q);
    ms = r.ms;
    titles = r.titles;
    fetched.add("/pagefind/pagefind-ui.js");
  }
  const bytes = gzipBytes(fetched);
  const rank = titles.findIndex((t) => t.trim() === title || t.trim().startsWith(title)) + 1;
  const parts = { shards: 0, meta: 0, pages: 0, other: 0 };
  for (const path of fetched) {
    const kind = /\/search\/shards\//.test(path) ? "shards" : /\/search\/meta\//.test(path) ? "meta" : /\/$/.test(path) && path !== "/search/" ? "pages" : "other";
    parts[kind] += gzipBytes([path]);
  }
  rows.push({ q, kind, ms, bytes, sharedBytes, files: fetched.size, rank, phases, parts });
  await context.close();
}
await browser.close();
server.close();

function gzipBytes(paths) {
  let bytes = 0;
  for (const path of paths) {
    let file = path.startsWith("/pagefind/") ? join(pagefind, path.slice(10)) : join(out, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const raw = readFileSync(file);
      // Pagefind's index files are gzipped already.
      bytes += /\.(pf_meta|pf_index|pf_fragment|pagefind)$/.test(file) ? raw.length : gzipSync(raw, { level: 6 }).length;
    } catch {
      // Not a file of the site (the favicon of a site without one).
    }
  }
  return bytes;
}

console.log("query | from | first results after last key (ms, 4x CPU) | query, words found, ranked, first shown (ms after the key) | gzip bytes typed | of which shards / meta / pages | gzip bytes from ?q= | files typed | rank of source");
for (const r of rows) console.log(`${r.q} | ${r.kind} | ${r.ms.toFixed(0)} | ${r.phases.join(" / ")} | ${r.bytes} | ${r.parts.shards} / ${r.parts.meta} / ${r.parts.pages} | ${r.sharedBytes} | ${r.files} | ${r.rank || "-"}`);
const shared = rows.map((r) => r.sharedBytes).sort((a, b) => a - b);
if (!pagefind) console.log(`from ?q=: median ${shared[5]} bytes, max ${shared[9]} bytes`);
const two = rows.map((r) => r.bytes).sort((a, b) => a - b);
const times = rows.map((r) => r.ms).filter((m) => !isNaN(m)).sort((a, b) => a - b);
console.log(`typed: median ${two[5]} bytes, max ${two[9]} bytes; median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms; source ranked first ${rows.filter((r) => r.rank === 1).length}/10, in the top 10 ${rows.filter((r) => r.rank > 0).length}/10`);
