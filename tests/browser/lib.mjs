// Shared helpers for the browser checks: a gazette server on a scratch copy of a site,
// and headless Chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, "..", "..");
// Relative to the folder the checks are started from (`GAZETTE_BIN=../../target/release/gazette`);
// resolved now, since servers run in scratch folders.
export const GAZETTE = resolve(process.env.GAZETTE_BIN || join(REPO, "target", "release", "gazette"));
export const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
export const DEADLINE_MS = 20000;

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Copies `site` (a folder) to a scratch folder and starts `gazette serve` there. */
export async function serve(site, extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), "gazette-browser-"));
  cpSync(site, dir, { recursive: true, filter: (src) => !/\/(output|target|node_modules|\.git)(\/|$)/.test(src.slice(site.length)) });
  const port = await freePort();
  const child = spawn(GAZETTE, ["serve", "--port", String(port), ...extraArgs], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("serve did not start:\n" + output)), 60000);
    child.once("error", (err) => {
      clearTimeout(timer);
      fail(new Error(`cannot run ${GAZETTE}: ${err.message}`));
    });
    const look = () => {
      const m = output.match(/serving .* at (http:\/\/\S+) \(Ctrl-C to stop\)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      } else {
        setTimeout(look, 50);
      }
    };
    look();
  });
  return {
    dir,
    url,
    output: () => output,
    async stop() {
      child.kill("SIGINT");
      await new Promise((ok) => child.once("exit", ok));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Builds `site` with gazette into a scratch folder; returns that folder. */
export async function build(site, args = []) {
  const out = mkdtempSync(join(tmpdir(), "gazette-build-"));
  await new Promise((ok, fail) => {
    const child = spawn(GAZETTE, ["build", "--quiet", "--root", site, "--output", out, ...args]);
    child.once("error", (e) => fail(new Error(`cannot run ${GAZETTE}: ${e.message}`)));
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error("build failed:\n" + err))));
  });
  return out;
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** The demo site's pages that the theme checks visit, by kind. */
export const DEMO_PAGES = {
  home: "",
  // Also carries a correction, an update and a series box (issue 17).
  article: "economy/how-central-banks-set-rates/",
  "article with code": "technology/post-quantum-encryption-switch/",
  "article with shortcodes": "science/what-is-a-heat-dome/",
  tag: "tags/interest-rates/",
  search: "search/",
  "404": "no-such-page/",
};

/** The other page types, checked by axe-core at one width in both color schemes. */
export const OTHER_PAGES = {
  "home page 2": "page/2/",
  category: "economy/",
  "tags index": "tags/",
  // With a profile from authors.yaml (issue 17).
  author: "authors/priya-raman/",
  series: "series/money-explained/",
  corrections: "corrections/",
  archive: "archive/",
  "archive year": "archive/2026/",
  "archive month": "archive/2026/03/",
  // A camera photo in its body: a <picture> with WebP and JPEG sources (issue 16).
  "article with a photo": "climate/drought-and-hydropower/",
};

/** The article the search check must find, and screenshots show. */
export const CENTRAL_BANKS = "How central banks set interest rates, and why they sometimes wait";

/** Types a query into the search page and waits for results (no Enter: results follow typing). */
export async function searchFor(page, query) {
  await page.locator("#search-input").pressSequentially(query, { delay: 20 });
  await page.waitForSelector("#search-results .search-result", { timeout: DEADLINE_MS });
  // Results follow every key (prefix search): wait until the last key's answer is shown,
  // i.e. nothing is being fetched and the list stays the same for a moment.
  await page.waitForLoadState("networkidle", { timeout: DEADLINE_MS });
  const list = () => page.locator("#search-results").innerHTML();
  let before = await list();
  for (let i = 0; i < 50; i++) {
    await page.waitForTimeout(150);
    const now = await list();
    if (now === before) return;
    before = now;
  }
  throw new Error(`the search results for "${query}" never settled`);
}

/** Runs axe-core on the page as it is; returns its violations. */
export async function axe(page) {
  await page.addScriptTag({ path: join(HERE, "node_modules", "axe-core", "axe.min.js") });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations;
}

/** One line per failing node: rule, impact, selector and axe's summary. */
export function describeViolations(violations) {
  return violations.flatMap((v) =>
    v.nodes.map((n) => `  [${v.impact}] ${v.id}: ${n.target.join(" ")}\n      ${n.failureSummary.replace(/\n/g, "\n      ")}\n      (${v.helpUrl})`),
  );
}
