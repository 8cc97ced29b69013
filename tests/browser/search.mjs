// Full-text search in a real browser (issue 20), on a fixture site of its own: a phrase
// that occurs only in one article's body is found from `/search/?q=...`, a title word ranks
// its article first, matched words are highlighted, the category filter narrows the list,
// an empty and a no-result query say so, the address follows the query, and the page loads
// nothing from another host. Prints the bytes a query downloaded.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEADLINE_MS, REPO, axe, describeViolations, launch, serve } from "./lib.mjs";

const FILLER = "Officials said the plan would take time and that more talks were expected.";

function article(title, category, tags, body) {
  return `---\ntitle: "${title}"\ndate: 2026-03-02\ncategory: ${category}\ntags: [${tags}]\nsummary: "${title}, in short."\n---\n\n${FILLER}\n\n## Background\n\n${body}\n\n${FILLER}\n`;
}

/** A scratch site: the work tree's default theme and a few articles. */
function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "gazette-search-site-"));
  writeFileSync(join(dir, "site.yaml"), "title: Search Check\nbase_url: https://example.com/\nlanguage: en\n");
  cpSync(join(REPO, "themes", "default"), join(dir, "themes", "default"), { recursive: true });
  const write = (rel, text) => {
    mkdirSync(join(dir, "content", rel, ".."), { recursive: true });
    writeFileSync(join(dir, "content", rel), text);
  };
  write("world/ferries.md", article("Ferries return to the northern islands", "World", "transport", "Crews painted the hull a shade locals call lantern heron blue before the first sailing."));
  write("world/harbour.md", article("Harbour dredging resumes", "World", "transport", "The port authority said ferries would keep their timetable during the works."));
  write("economy/fares.md", article("Why fares rose this spring", "Economy", "prices", "Ferries and buses raised fares after fuel costs climbed."));
  for (let i = 0; i < 8; i++) {
    write(`economy/filler-${i}.md`, article(`Budget note ${i}`, "Economy", "budget", `Line ${i} of the spending review.`));
  }
  return dir;
}

export async function search() {
  const site = fixture();
  const server = await serve(site);
  const browser = await launch();
  const problems = [];
  const fail = (what) => problems.push(what);
  try {
    const page = await browser.newPage();
    const foreign = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(server.url)) foreign.push(r.url());
    });

    // A phrase only in one body, opened from the address.
    await page.goto(server.url + "search/?q=" + encodeURIComponent("lantern heron"));
    await page.waitForSelector("#search-results .search-result", { timeout: DEADLINE_MS });
    // The excerpt follows, cut from the article's own page.
    await page.waitForSelector("#search-results .search-excerpt mark", { timeout: DEADLINE_MS });
    // Every byte the page fetched so far, as sent (gazette serve does not compress).
    const before = await page.evaluate(() =>
      performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource")).reduce((sum, e) => sum + e.encodedBodySize, 0),
    );
    const files = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
    const hrefs = await page.locator("#search-results .search-result h2 a").evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
    if (hrefs.length !== 1 || hrefs[0] !== "/world/ferries/") fail(`"lantern heron" found ${JSON.stringify(hrefs)}, expected only /world/ferries/`);
    const marks = await page.locator("#search-results .search-excerpt mark").allTextContents();
    if (!marks.includes("lantern") || !marks.includes("heron")) fail(`the excerpt does not highlight the phrase: marks ${JSON.stringify(marks)}`);
    const status = await page.textContent("#search-status");
    if (status.trim() !== "1 explainer matches.") fail(`status after "lantern heron": "${status}"`);
    console.log(`  search: "lantern heron" from the address downloaded ${before} bytes in ${files.length + 1} files (uncompressed): ${files.join(" ")}`);

    // A title word ranks its article first; the address follows typing. Article pages (for
    // excerpts) are fetched only for the results of the settled query, not while typing.
    await page.fill("#search-input", "");
    const articlePages = [];
    const onRequest = (r) => {
      const path = new URL(r.url()).pathname;
      if (r.resourceType() === "fetch" && !path.startsWith("/search/")) articlePages.push(path);
    };
    page.on("request", onRequest);
    await page.locator("#search-input").pressSequentially("ferries", { delay: 20 });
    await page.waitForFunction(() => /ferries/.test(location.search) && document.querySelectorAll("#search-results .search-result").length === 3, null, { timeout: DEADLINE_MS });
    await page.waitForFunction(() => document.querySelectorAll("#search-results .search-excerpt mark").length >= 3, null, { timeout: DEADLINE_MS });
    page.off("request", onRequest);
    const ranked = await page.locator("#search-results .search-result h2 a").evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
    if (ranked[0] !== "/world/ferries/") fail(`"ferries" ranks ${JSON.stringify(ranked)}: the title match is not first`);
    const extra = articlePages.filter((p) => !ranked.includes(p) && p !== "/world/ferries/");
    if (extra.length) fail(`typing "ferries" fetched pages of results it no longer shows: ${JSON.stringify(articlePages)}`);
    if (new URL(page.url()).searchParams.get("q") !== "ferries") fail(`the address does not follow the query: ${page.url()}`);
    const titleMarks = await page.locator("#search-results .search-result h2 mark").allTextContents();
    if (!titleMarks.some((m) => m.toLowerCase() === "ferries")) fail(`the title match is not highlighted: ${JSON.stringify(titleMarks)}`);

    // The category filter keeps only that category's articles.
    await page.selectOption("#search-category", "economy");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("category") === "economy" && document.querySelectorAll("#search-results .search-result").length === 1, null, { timeout: DEADLINE_MS });
    const kickers = await page.locator("#search-results .search-result .kicker").allTextContents();
    if (JSON.stringify(kickers) !== '["Economy"]') fail(`with the Economy filter, "ferries" lists ${JSON.stringify(kickers)}`);
    await page.selectOption("#search-category", "");

    // Prefix matching as you type: "dredg" finds "dredging".
    await page.fill("#search-input", "dredg");
    await page.waitForFunction(() => document.querySelectorAll("#search-results .search-result").length === 1, null, { timeout: DEADLINE_MS });

    // No result, then an empty query: each says so in the live region.
    await page.fill("#search-input", "zzyzx");
    await page.waitForFunction(() => /No explainers match/.test(document.getElementById("search-status").textContent), null, { timeout: DEADLINE_MS });
    const none = await page.textContent("#search-status");
    if (none.trim() !== "No explainers match “zzyzx”.") fail(`no-result message: "${none}"`);
    if (await page.locator("#search-results .search-result").count()) fail("a query with no match still lists results");
    await page.fill("#search-input", "");
    await page.waitForFunction(() => /Type a word/.test(document.getElementById("search-status").textContent), null, { timeout: DEADLINE_MS });
    if (new URL(page.url()).searchParams.has("q")) fail(`an empty query leaves q in the address: ${page.url()}`);

    // Keyboard: Tab from the box reaches the filters; Enter in the box runs the search.
    await page.focus("#search-input");
    await page.keyboard.type("heron");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll("#search-results .search-result").length === 1, null, { timeout: DEADLINE_MS });
    const violations = await axe(page);
    if (violations.length) fail("axe-core on /search/ with results:\n" + describeViolations(violations).join("\n"));
    // Excerpts cost a page each, fetched only for results near the viewport: on a short
    // window, "officials" (in every article) fetches a few pages, and the last result's
    // page only once it is scrolled into view.
    const short = await browser.newPage({ viewport: { width: 375, height: 400 } });
    const pages = [];
    short.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (r.resourceType() === "fetch" && !path.startsWith("/search/")) pages.push(path);
    });
    await short.goto(server.url + "search/?q=officials");
    await short.waitForFunction(() => document.querySelectorAll("#search-results .search-result").length === 10, null, { timeout: DEADLINE_MS });
    await short.waitForSelector("#search-results .search-excerpt mark", { timeout: DEADLINE_MS });
    await short.waitForLoadState("networkidle");
    const early = pages.length;
    if (early < 1 || early >= 10) fail(`on a 400 px window, "officials" fetched ${early} article pages for its excerpts (expected a few, not all 10)`);
    const last = short.locator("#search-results .search-result").last();
    await last.scrollIntoViewIfNeeded();
    await last.locator(".search-excerpt mark").first().waitFor({ timeout: DEADLINE_MS });
    if (pages.length <= early) fail("scrolling to the last result fetched no page for its excerpt");
    await short.close();
    console.log(`  search: "officials" on a 400 px window fetched ${early} article pages, ${pages.length} once scrolled to the last result`);

    if (foreign.length) fail(`requests to another host: ${foreign.join(", ")}`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(site, { recursive: true, force: true });
  }
  if (problems.length) throw new Error("search:\n  " + problems.join("\n  "));
  console.log("ok - search: body phrase from ?q=, title match first, <mark> highlights, category filter, prefix, empty and no-result messages, address follows, axe clean, no third-party request");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await search();
}
