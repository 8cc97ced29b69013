// Listing cards with thumbnails (issue 16): a scratch copy of the demo whose articles all
// have a photo as their lead image (a JPEG the demo build drew for its social cards), served
// with `gazette serve`. On the front page, a category, a tag and an author page, at 375 and
// 1280 px: every card shows its thumbnail in its fixed box, the page does not move while
// the pictures load (no 'layout-shift' entry, PerformanceObserver), it does not scroll
// sideways, and axe-core finds no violation.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, axe, build, describeViolations, launch, serve } from "./lib.mjs";

const PAGES = ["", "economy/", "tags/interest-rates/", "authors/priya-raman/"];

export async function thumbnails() {
  const demoOut = await build(REPO);
  const site = mkdtempSync(join(tmpdir(), "gazette-thumbnails-"));
  let server;
  let browser;
  try {
    const photo = walk(join(demoOut, "images")).find((f) => f.endsWith(".1200.jpg"));
    if (!photo) throw new Error("the demo build drew no 1200 px JPEG for its social cards");
    for (const name of ["site.yaml", "authors.yaml", "content", "themes"]) {
      if (existsSync(join(REPO, name))) cpSync(join(REPO, name), join(site, name), { recursive: true });
    }
    cpSync(photo, join(site, "content", "images", "photo.jpg"));
    let articles = 0;
    for (const file of walk(join(site, "content")).filter((f) => f.endsWith(".md"))) {
      const text = readFileSync(file, "utf8");
      if (!text.startsWith("---\n")) continue;
      const lead = text.replace(/^(image|image_alt|image_caption|image_credit): [^\n]*\n/gm, "")
        .replace(/^---\n/, "---\nimage: /images/photo.jpg\nimage_alt: A drawing\n");
      writeFileSync(file, lead);
      articles++;
    }
    if (articles < 5) throw new Error(`only ${articles} articles got a photo`);
    server = await serve(site);
    browser = await launch();
    for (const width of [375, 1280]) {
      for (const path of PAGES) {
        const context = await browser.newContext({ viewport: { width, height: 800 } });
        const page = await context.newPage();
        await page.addInitScript(() => {
          window.__shifts = [];
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) {
              if (!entry.hadRecentInput) {
                const nodes = entry.sources.map((s) => s.node && s.node.outerHTML ? s.node.outerHTML.slice(0, 120) : String(s.node));
                window.__shifts.push({ value: entry.value, nodes });
              }
            }
          }).observe({ type: "layout-shift", buffered: true });
        });
        const where = `${path || "home"} at ${width} px`;
        await page.goto(server.url + path, { waitUntil: "load" });
        // Scrolled through, so every lazy thumbnail loads; then every image must be done.
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        for (let y = 0; y <= height; y += 400) {
          await page.evaluate((y) => window.scrollTo(0, y), y);
          await page.waitForTimeout(30);
        }
        await page.waitForFunction(() => [...document.images].every((i) => i.complete), null, { timeout: 20000 });
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(300);
        const thumbs = await page.$$eval(".card-image img", (imgs) =>
          imgs.map((i) => ({ w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height, loaded: i.naturalWidth > 0, src: i.currentSrc })),
        );
        if (!thumbs.length) throw new Error(`${where}: no card shows a thumbnail`);
        const bad = thumbs.filter((t) => !t.loaded || Math.round(t.w) !== 96 || Math.round(t.h) !== 72);
        if (bad.length) throw new Error(`${where}: thumbnails not loaded or not 96×72: ${JSON.stringify(bad)}`);
        if (thumbs.some((t) => !/\.\d+\.webp$/.test(t.currentSrc ?? t.src))) {
          throw new Error(`${where}: a thumbnail is not a resized WebP: ${JSON.stringify(thumbs.map((t) => t.src))}`);
        }
        const shifts = await page.evaluate(() => window.__shifts);
        const total = shifts.reduce((sum, s) => sum + s.value, 0);
        // Thumbnails without a reserved box shift the page by 0.0134 here (tried); a
        // profile picture whose file is not square (the demo's is a 16:9 SVG) shifted the
        // author page by 0.0018 at 1280 px and 0.073 at 375 px before its box was fixed in
        // the stylesheet. The bound sits under both, far under the 0.1 that Core Web Vitals
        // call good. Every shift is printed.
        if (shifts.length) console.log(`  ${where}: layout shifts ${JSON.stringify(shifts)}`);
        if (total > 0.005) throw new Error(`${where}: the layout shifted by ${total.toFixed(4)}:\n${JSON.stringify(shifts, null, 1)}`);
        if (path.startsWith("authors/")) {
          // The profile picture keeps its square box whatever the file's shape.
          const box = await page.$eval(".profile-image", (i) => [i.getBoundingClientRect().width, i.getBoundingClientRect().height, i.naturalWidth, i.naturalHeight]);
          if (Math.round(box[0]) !== 96 || Math.round(box[1]) !== 96) throw new Error(`${where}: the profile picture is ${box[0]}×${box[1]}, not 96×96`);
          if (box[2] === box[3]) throw new Error(`${where}: the profile picture is square (${box[2]}×${box[3]}): this check needs one that is not`);
        }
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        if (sideways) throw new Error(`${where}: the page scrolls sideways`);
        const violations = await axe(page);
        if (violations.length) throw new Error(`${where}: axe-core violations:\n${describeViolations(violations).join("\n")}`);
        await context.close();
      }
    }
    console.log(`ok - thumbnails: ${PAGES.length} listings at 375 and 1280 px show 96×72 thumbnails, no layout shift, no axe violation`);
  } finally {
    if (browser) await browser.close();
    if (server) await server.stop();
    rmSync(site, { recursive: true, force: true });
    rmSync(demoOut, { recursive: true, force: true });
  }
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await thumbnails();
}
