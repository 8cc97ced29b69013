// A page open in Chromium changes by itself when its article is saved, and shows the
// error of a broken save until it is fixed: no manual reload.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEADLINE_MS, REPO, launch, serve } from "./lib.mjs";

export async function liveReload() {
  const server = await serve(join(REPO, "tests", "fixtures", "serve", "basic"));
  const browser = await launch();
  try {
    const page = await browser.newPage();
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(server.url + "world/beta/");
    assert.equal(await page.textContent("h1"), "Beta explainer");
    const file = join(server.dir, "content", "world", "beta.md");
    const good = readFileSync(file, "utf8");

    writeFileSync(file, good.replace("Beta body.", "Beta body, changed while the page was open."));
    await page.waitForFunction(
      () => document.querySelector(".article-body")?.textContent.includes("changed while the page was open"),
      null,
      { timeout: DEADLINE_MS },
    );
    assert.ok(loads >= 2, "the page reloaded by itself");

    writeFileSync(file, good.replace("date: 2026-03-02", "date: 2026-02-30"));
    await page.waitForSelector("#gazette-error", { timeout: DEADLINE_MS });
    const overlay = await page.textContent("#gazette-error");
    assert.match(overlay, /content\/world\/beta\.md:3:7/);
    assert.match(overlay, /is not a valid date/);

    writeFileSync(file, good);
    await page.waitForFunction(() => !document.querySelector("#gazette-error"), null, { timeout: DEADLINE_MS });
    assert.equal(await page.textContent("h1"), "Beta explainer");
    console.log("ok - live reload: the open page followed an edit, showed the error, and recovered");
  } finally {
    await browser.close();
    await server.stop();
  }
}
