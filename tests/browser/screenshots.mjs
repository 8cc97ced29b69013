// Full-page screenshots of the demo site for a person to look at: the home page, the central
// banks article and search with results, at 375 and 1280 px wide; the article also in dark
// mode and as printed. Written to tests/browser/screenshots/ (git-ignored).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DEMO_PAGES, HERE, REPO, launch, searchFor, serve } from "./lib.mjs";

export const SHOTS = join(HERE, "screenshots");

export async function screenshots() {
  mkdirSync(SHOTS, { recursive: true });
  const server = await serve(REPO);
  const browser = await launch();
  const saved = [];
  const shots = [
    ["home", DEMO_PAGES.home, ["light"]],
    ["article", DEMO_PAGES.article, ["light", "dark"]],
    ["search", DEMO_PAGES.search, ["light"]],
  ];
  try {
    for (const width of [375, 1280]) {
      for (const colorScheme of ["light", "dark"]) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
        const page = await context.newPage();
        for (const [name, path, schemes] of shots) {
          if (!schemes.includes(colorScheme)) continue;
          await page.goto(server.url + path);
          if (name === "search") await searchFor(page, "interest rates");
          const file = join(SHOTS, `${name}-${width}${colorScheme === "dark" ? "-dark" : ""}.png`);
          await page.screenshot({ path: file, fullPage: true });
          saved.push(file);
        }
        await context.close();
      }
    }
    // The article as printed (A4-ish width), answers of closed questions included.
    const context = await browser.newContext({ viewport: { width: 794, height: 1123 } });
    const page = await context.newPage();
    await page.goto(server.url + DEMO_PAGES.article);
    await page.emulateMedia({ media: "print" });
    const file = join(SHOTS, "article-print.png");
    await page.screenshot({ path: file, fullPage: true });
    saved.push(file);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(`ok - screenshots: ${saved.length} PNGs in ${SHOTS}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  screenshots().catch((err) => {
    console.error(`not ok - screenshots\n${err.stack || err}`);
    process.exit(1);
  });
}
