// Click-to-load frames (issue 18), in headless Chromium: the demo article with a YouTube
// video and a Datawrapper chart makes no request to any other host when it loads; a click
// on a placeholder's button creates the frame with the right address, and only then is the
// frame's host asked for anything. Requests to other hosts are answered locally (the
// machine may have no network), and every one is counted.
import assert from "node:assert/strict";
import { DEMO_PAGES, launch, serve, REPO } from "./lib.mjs";

const PAGE = DEMO_PAGES["article with shortcodes"];
const FRAMES = [
  { kind: "YouTube", src: "https://www.youtube-nocookie.com/embed/hD0mE2026aB?autoplay=1", host: "www.youtube-nocookie.com" },
  { kind: "embed", src: "https://datawrapper.dwcdn.net/hDm26/1/", host: "datawrapper.dwcdn.net" },
];

export async function embed() {
  const server = await serve(REPO);
  const browser = await launch();
  try {
    const local = new URL(server.url).host;
    for (const frame of FRAMES) {
      const context = await browser.newContext();
      const outside = [];
      // Every request that leaves the local server is recorded and answered here.
      await context.route(
        (url) => url.host !== local,
        (route) => {
          outside.push(route.request().url());
          route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>frame</title><p>stand-in" });
        },
      );
      const page = await context.newPage();
      await page.goto(server.url + PAGE, { waitUntil: "networkidle" });
      assert.deepEqual(outside, [], `${frame.kind}: requests to other hosts on load`);
      assert.equal(await page.locator("iframe").count(), 0, `${frame.kind}: a frame before any click`);

      const figure = page.locator(`figure[data-embed-src="${frame.src}"]`);
      assert.equal(await figure.count(), 1, `${frame.kind}: one placeholder for ${frame.src}`);
      const button = figure.locator("button.embed-load");
      assert.ok(await button.isVisible(), `${frame.kind}: the button shows once the script ran`);
      await button.click();

      const iframe = figure.locator("iframe");
      await iframe.waitFor({ state: "attached", timeout: 10000 });
      assert.equal(await iframe.getAttribute("src"), frame.src, `${frame.kind}: the frame's address`);
      assert.ok((await iframe.getAttribute("title")).length > 0, `${frame.kind}: the frame has a title`);
      assert.equal(await page.locator("iframe").count(), 1, `${frame.kind}: only the clicked frame loads`);
      // The frame's document (the stand-in) has loaded. Not `networkidle`: Playwright
      // recomputes it for the page once a cross-origin frame is added, and with a lazy
      // picture on the page that wait timed out now and then (one run in three or four).
      await figure.frameLocator("iframe").locator("p").waitFor({ timeout: 10000 });
      const hosts = [...new Set(outside.map((u) => new URL(u).host))];
      assert.deepEqual(hosts, [frame.host], `${frame.kind}: hosts asked after the click`);
      console.log(`  ${frame.kind}: 0 requests to other hosts before the click; after it, ${outside.length} to ${frame.host}`);
      await context.close();
    }
    console.log("ok - click-to-load frames: nothing from other hosts until a click, then the frame");
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  embed().catch((err) => {
    console.error(`not ok - click-to-load frames\n${err.stack || err}`);
    process.exit(1);
  });
}
