// The demo site in French and in Arabic (issue 19): every page is valid HTML, axe-core finds
// no violation on an article and the front page at 375 and 1280 px, and the Arabic pages
// read right to left: `dir="rtl"`, borders that mark notes and quotes on the right, nothing
// that scrolls sideways at 375 px. Saves screenshots/article-ar-375.png (an Arabic article,
// 375 px wide) and screenshots/article-fr-375.png for a person to look at.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { HtmlValidate, formatterFactory } from "html-validate";
import { DEMO_PAGES, HERE, REPO, axe, build, describeViolations, launch, serve } from "./lib.mjs";
import { SHOTS } from "./screenshots.mjs";

/** An Arabic article, so the screenshot shows Arabic text in the Arabic theme. */
const ARABIC_ARTICLE = `---
title: كيف تحدد البنوك المركزية أسعار الفائدة
date: 2026-02-09
category: Economy
tags: [أسعار الفائدة, التضخم]
author: Priya Raman
slug: central-banks-ar
summary: ما الذي يدفع البنك المركزي إلى رفع الفائدة أو خفضها، ولماذا ينتظر أحيانًا.
key_points:
  - "التضخم: يرفع البنك الفائدة حين ترتفع الأسعار بسرعة."
  - "الانتظار: قد يؤجل القرار حتى تتضح البيانات."
faq:
  - question: لماذا لا يخفض البنك الفائدة فورًا؟
    answer: لأن أثر القرار يظهر بعد أشهر، فيفضل التأكد أولًا.
---
## ما هي أسعار الفائدة؟

سعر الفائدة هو ثمن اقتراض المال. حين يرفعه البنك المركزي يصبح الاقتراض أغلى، فيقل الإنفاق وتتباطأ الأسعار.

> القرار يعتمد على البيانات، لا على التوقعات وحدها.

## لماذا ينتظر البنك أحيانًا؟

لأن البيانات تصل متأخرة، ولأن أثر كل قرار يستغرق وقتًا. لذلك يفضل البنك أن يرى اتجاهًا واضحًا قبل أن يتحرك.

## ماذا يعني ذلك لك؟

إذا ارتفعت الفائدة، ترتفع أقساط القروض وتزيد عوائد الادخار.
`;

const ARABIC_PATH = "economy/central-banks-ar/";

/** A scratch copy of the demo site in `language`, with the Arabic article for `ar`. */
function demoIn(language) {
  const dir = mkdtempSync(join(tmpdir(), `gazette-${language}-`));
  for (const name of ["site.yaml", "authors.yaml", "content", "themes"]) {
    cpSync(join(REPO, name), join(dir, name), { recursive: true });
  }
  // One language only: the demo's `languages:` block goes.
  const yaml = readFileSync(join(dir, "site.yaml"), "utf8")
    .replace(/^language: .*$/m, `language: ${language}`)
    .replace(/^languages:\n(?:  .*\n)+/m, "");
  writeFileSync(join(dir, "site.yaml"), yaml);
  if (language === "ar") {
    writeFileSync(join(dir, "content", "economy", "كيف-تحدد-البنوك-المركزية-أسعار-الفائدة.md"), ARABIC_ARTICLE);
  }
  return dir;
}

/** The demo as it is (English and French) plus Arabic: the central banks explainer in
 * three languages, so its switcher has three entries. */
function multilingualDemo() {
  const dir = mkdtempSync(join(tmpdir(), "gazette-multilingual-"));
  for (const name of ["site.yaml", "authors.yaml", "content", "themes"]) {
    cpSync(join(REPO, name), join(dir, name), { recursive: true });
  }
  const yaml = readFileSync(join(dir, "site.yaml"), "utf8").replace(
    /^languages:\n/m,
    'languages:\n  ar: { title: "مكتب الشرح", description: "الأخبار المهمة، بلغة واضحة." }\n',
  );
  if (!yaml.includes("  ar: ")) throw new Error("the demo's site.yaml has no `languages:` block");
  writeFileSync(join(dir, "site.yaml"), yaml);
  writeFileSync(
    join(dir, "content", "economy", "how-central-banks-set-rates.ar.md"),
    ARABIC_ARTICLE.replace("category: Economy", "category: اقتصاد"),
  );
  return dir;
}

const FRENCH_ARTICLE = "fr/economie/comment-les-banques-centrales-fixent-leurs-taux/";
const ENGLISH_ARTICLE = "economy/how-central-banks-set-rates/";

/** A site in English, French and Arabic (issue 19 point 4): every page valid, axe-clean
 * on a French article and the French front page, and the language switcher operable by
 * keyboard: Tab reaches it with a visible focus ring, Enter opens the translation. */
async function severalLanguages(browser, validator, fail) {
  const site = multilingualDemo();
  try {
    const out = await build(site);
    const files = walk(out).filter((f) => f.endsWith(".html"));
    const reports = [];
    let errors = 0;
    for (const file of files) {
      const path = relative(out, file);
      const html = readFileSync(file, "utf8");
      const lang = path.startsWith("fr/") ? "fr" : path.startsWith("ar/") ? "ar" : "en";
      if (!html.includes(`<html lang="${lang}"`)) fail(`multilingual ${path}`, `no lang="${lang}"`);
      const report = await validator.validateString(html, path);
      errors += report.errorCount;
      if (!report.valid) reports.push(...report.results);
    }
    if (!files.some((f) => relative(out, f) === `${FRENCH_ARTICLE}index.html`)) fail("multilingual", `no /${FRENCH_ARTICLE}`);
    rmSync(out, { recursive: true, force: true });
    if (reports.length) console.log(formatterFactory("stylish")(reports));
    if (errors) fail("multilingual HTML", `html-validate: ${errors} error(s) in ${files.length} pages`);

    const server = await serve(site);
    try {
      for (const width of [375, 1280]) {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        const page = await context.newPage();
        for (const path of [FRENCH_ARTICLE, "fr/", "ar/"]) {
          const where = `multilingual /${path} (${width}px)`;
          if (!(await openAxeClean(page, server.url + path, where, fail))) continue;
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 0) fail(where, `scrolls sideways by ${overflow}px`);
        }
        // The switcher by keyboard: Tab until the English version's link has the focus.
        await page.goto(server.url + FRENCH_ARTICLE);
        const names = await page.$$eval("nav.languages a", (links) => links.map((a) => a.textContent));
        if (names.join(",") !== "English,العربية,Français") fail(`switcher (${width}px)`, `shows ${JSON.stringify(names)}`);
        let reached = null;
        for (let tab = 0; tab < 40 && !reached; tab++) {
          await page.keyboard.press("Tab");
          reached = await page.evaluate(() => {
            const el = document.activeElement;
            if (!el || !el.closest("nav.languages") || el.getAttribute("hreflang") !== "en") return null;
            const style = getComputedStyle(el);
            return { outline: style.outlineStyle !== "none" && style.outlineWidth !== "0px", href: el.getAttribute("href") };
          });
        }
        const where = `switcher by keyboard (${width}px)`;
        if (!reached) {
          fail(where, "40 presses of Tab never reach the link to the English version");
        } else {
          if (!reached.outline) fail(where, "the focused link shows no focus ring");
          await Promise.all([page.waitForURL(`**/${ENGLISH_ARTICLE}`), page.keyboard.press("Enter")]);
          const lang = await page.evaluate(() => document.documentElement.lang);
          if (lang !== "en") fail(where, `Enter led to a page in \`${lang}\`, not the English version`);
        }
        if (width === 375) {
          await page.goto(server.url + FRENCH_ARTICLE);
          await page.screenshot({ path: join(SHOTS, "article-fr-multilingual-375.png"), fullPage: true });
        }
        await context.close();
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
}

export async function languages() {
  const problems = [];
  const fail = (where, what) => problems.push(`${where}: ${what}`);
  const validator = new HtmlValidate(JSON.parse(readFileSync(join(HERE, ".htmlvalidate.json"), "utf8")));
  mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  const sites = [];
  try {
    await severalLanguages(browser, validator, fail);
    for (const language of ["fr", "ar"]) {
      const site = demoIn(language);
      sites.push(site);
      // Every page is valid HTML.
      const out = await build(site);
      const files = walk(out).filter((f) => f.endsWith(".html"));
      let errors = 0;
      const reports = [];
      for (const file of files) {
        const html = readFileSync(file, "utf8");
        const path = relative(out, file);
        if (!html.includes(`<html lang="${language}"`)) fail(`${language} ${path}`, "no lang attribute of the site's language");
        if (language === "ar" && !html.includes('dir="rtl"')) fail(`${language} ${path}`, 'no dir="rtl"');
        const report = await validator.validateString(html, path);
        errors += report.errorCount;
        if (!report.valid) reports.push(...report.results);
      }
      rmSync(out, { recursive: true, force: true });
      if (reports.length) console.log(formatterFactory("stylish")(reports));
      if (errors) fail(`${language} HTML`, `html-validate: ${errors} error(s) in ${files.length} pages`);

      // axe-core and the right-to-left layout, served.
      const server = await serve(site);
      try {
        const article = language === "ar" ? ARABIC_PATH : DEMO_PAGES.article;
        for (const width of [375, 1280]) {
          const context = await browser.newContext({ viewport: { width, height: 900 } });
          const page = await context.newPage();
          for (const path of [article, DEMO_PAGES.article, DEMO_PAGES.home]) {
            const where = `${language} /${path} (${width}px)`;
            if (!(await openAxeClean(page, server.url + path, where, fail))) continue;
            const layout = await page.evaluate(() => {
              const side = (el) => el && { left: getComputedStyle(el).borderLeftWidth, right: getComputedStyle(el).borderRightWidth };
              return {
                dir: getComputedStyle(document.documentElement).direction,
                overflow: document.documentElement.scrollWidth - window.innerWidth,
                note: side(document.querySelector(".notice, .see-also")),
                quote: side(document.querySelector(".article-body blockquote")),
              };
            });
            const expected = language === "ar" ? "rtl" : "ltr";
            if (layout.dir !== expected) fail(where, `direction is ${layout.dir}, expected ${expected}`);
            if (layout.overflow > 0) fail(where, `scrolls sideways by ${layout.overflow}px`);
            for (const [what, border] of [["note", layout.note], ["quote", layout.quote]]) {
              if (!border) continue;
              const [start, end] = language === "ar" ? [border.right, border.left] : [border.left, border.right];
              if (start === "0px" || end !== "0px") fail(where, `the ${what}'s border is not on the start side: ${JSON.stringify(border)}`);
            }
          }
          if (width === 375) {
            await page.goto(server.url + article);
            await page.screenshot({ path: join(SHOTS, `article-${language}-375.png`), fullPage: true });
          }
          await context.close();
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
    for (const site of sites) rmSync(site, { recursive: true, force: true });
  }
  if (problems.length) throw new Error(`${problems.length} problem(s):\n${problems.join("\n")}`);
  console.log("ok - languages: French and Arabic demo valid, axe-clean, Arabic right to left (screenshots/article-ar-375.png); the English, French and Arabic demo valid, axe-clean, its switcher usable by keyboard");
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  languages().catch((err) => {
    console.error(`not ok - languages\n${err.stack || err}`);
    process.exit(1);
  });
}

// Opens `url` in `page` and reports through `fail` an error answer or axe-core
// violations; false when the page did not load (nothing more to check on it).
async function openAxeClean(page, url, where, fail) {
  const response = await page.goto(url);
  if (!response.ok()) {
    fail(where, `answered ${response.status()}`);
    return false;
  }
  const violations = await axe(page);
  if (violations.length) fail(where, `axe-core found ${violations.length} violation(s):\n${describeViolations(violations).join("\n")}`);
  return true;
}
