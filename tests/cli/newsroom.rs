//! Issue 17, the newsroom workflow: scheduled and expiring articles, corrections and
//! updates, aliases and moved pages, series, author profiles.

use std::path::Path;

use crate::support::{Page, Server, Site, stderr, stdout};

const SITE_YAML: &str = "title: Desk\nbase_url: https://example.com/\n";

fn article(title: &str, date: &str, extra: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndate: {date}\ncategory: World\ntags: [ports, trade]\nauthor: Ana Ruiz\n{extra}---\n\nA paragraph about {title}.\n\n## One\n\nText.\n\n## Two\n\nMore text.\n"
    )
}

/// A site with one older article sharing the tags every test article carries, so no
/// tag is used once (which `check` would warn about).
fn desk(site_yaml: &str) -> Site {
    let site = Site::empty(site_yaml);
    site.write("content/world/filler.md", &article("Filler", "2025-12-01", ""));
    site
}

/// Every output file whose text mentions `needle`, relative to `out`, sorted.
fn files_mentioning(out: &Path, needle: &str) -> Vec<String> {
    let mut found: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(needle)))
        .map(|e| e.path().strip_prefix(out).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    found.sort();
    found
}

/// The JSON-LD graph of an article page.
fn json_ld(page: &Page) -> serde_json::Value {
    let script = page.one("script[type=\"application/ld+json\"]");
    serde_json::from_str(&script.inner_html()).expect("valid JSON-LD")
}

/// The `<entry>` titles of an Atom feed.
fn feed_titles(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed feed");
    doc.descendants()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| e.children().find(|c| c.has_tag_name("title")).unwrap().text().unwrap().to_owned())
        .collect()
}

/// Every `<loc>` of the sitemap, with its `<lastmod>`.
fn sitemap(site: &Site) -> Vec<(String, Option<String>)> {
    let xml = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed sitemap");
    doc.descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|u| {
            let child = |name: &str| {
                u.children()
                    .find(|c| c.has_tag_name(name))
                    .and_then(|c| c.text())
                    .map(str::to_owned)
            };
            (child("loc").unwrap(), child("lastmod"))
        })
        .collect()
}

fn scheduling_site() -> Site {
    let site = desk(SITE_YAML);
    site.write("content/world/today.md", &article("Today", "2026-01-10", ""));
    site.write("content/world/future.md", &article("Future plans", "2026-03-01T09:00:00Z", ""));
    site
}

#[test]
fn a_future_article_is_on_no_page_until_its_date() {
    let site = scheduling_site();
    let out = site.build(&["--now", "2026-02-01T00:00:00Z"]);
    assert!(
        stdout(&out).contains("1 scheduled for later (`--future` builds them)"),
        "{}",
        stdout(&out)
    );
    assert!(!site.out().join("world/future").exists());
    assert_eq!(files_mentioning(&site.out(), "/world/future/"), Vec::<String>::new());
    assert_eq!(files_mentioning(&site.out(), "Future plans"), Vec::<String>::new());
    assert_eq!(feed_titles(&site.read("feed.xml")), ["Today", "Filler"]);
    assert_eq!(crate::search::search_docs(&site).len(), 2);
    // No "See also" of the other articles, which share its tags, links it.
    assert!(!site.page("/world/today/").attrs("a", "href").contains(&"/world/future/".to_owned()));

    // With --future, or once the date has passed, it is everywhere.
    for args in
        [&["--future", "--now", "2026-02-01T00:00:00Z"][..], &["--now", "2026-03-01T09:00:00Z"][..]]
    {
        site.build(args);
        let pages = files_mentioning(&site.out(), "/world/future/");
        for file in [
            "feed.xml",
            "index.html",
            // The newest article is the search index's first document (its first group's).
            "search/meta/0.json",
            "sitemap.xml",
            "tags/ports/index.html",
            "authors/ana-ruiz/index.html",
            "archive/2026/03/index.html",
            "world/index.html",
            "world/feed.xml",
            "world/future/index.html",
        ] {
            assert!(pages.contains(&file.to_owned()), "{args:?}: {file} missing from {pages:?}");
        }
        assert_eq!(feed_titles(&site.read("feed.xml")), ["Future plans", "Today", "Filler"]);
        // The news sitemap lists the last two days: the article once its time has come.
        let in_news_sitemap = pages.contains(&"news-sitemap.xml".to_owned());
        assert_eq!(in_news_sitemap, !args.contains(&"--future"), "{args:?}");
    }
}

#[test]
fn check_lists_what_is_scheduled_with_its_time() {
    let site = scheduling_site();
    let out = site.run(&["check", "--now", "2026-02-01T00:00:00Z"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "scheduled: `content/world/future.md` publishes at 2026-03-01T09:00:00Z (Future plans)\n\
         checked 3 article(s): 0 error(s), 0 warning(s)\n"
    );
    let json = site.run(&["check", "--now", "2026-02-01T00:00:00Z", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(
        report["scheduled"],
        serde_json::json!([{
            "file": "content/world/future.md",
            "title": "Future plans",
            "date": "2026-03-01T09:00:00Z"
        }])
    );
}

#[test]
fn an_expired_article_is_gone_and_links_to_it_are_listed() {
    let site = desk(SITE_YAML);
    site.write("content/world/offer.md", &article("Offer", "2026-01-01", "expires: 2026-01-31\n"));
    let linking = "---\ntitle: Linking\ndate: 2026-01-05\ncategory: World\ntags: [ports, trade]\n---\n\nSee [the offer](/world/offer/).\n";
    site.write("content/world/linking.md", linking);
    site.build(&["--now", "2026-01-30T00:00:00Z"]);
    assert!(site.out().join("world/offer/index.html").is_file(), "not expired yet");
    site.build(&["--now", "2026-02-01T00:00:00Z"]);
    assert!(!site.out().join("world/offer").exists());
    assert_eq!(files_mentioning(&site.out(), "Offer"), Vec::<String>::new());
    let out = site.run(&["check", "--now", "2026-02-01T00:00:00Z"]);
    assert_eq!(
        stderr(&out),
        "warning: link to `/world/offer/` leads to `content/world/offer.md`, which expired at 2026-01-31T00:00:00Z\n \
         --> content/world/linking.md:8:5\n  |\n8 | See [the offer](/world/offer/).\n  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^\n  |\n  = help: remove the link, or the article's `expires:`\n\n\
         checked 3 article(s): 0 error(s), 1 warning(s)\n"
    );
}

#[test]
fn no_link_leads_to_a_scheduled_or_expired_article() {
    let site = scheduling_site();
    site.write("content/world/offer.md", &article("Offer", "2026-01-01", "expires: 2026-01-31\n"));
    let linking = "---\ntitle: Linking\ndate: 2026-01-05\ncategory: World\ntags: [ports, trade]\n\
        related:\n  - title: Plans ahead\n    url: /world/future/\n  - title: Today's story\n    url: /world/today/\n---\n\n\
        Read [the plan](/world/future/) and [the *offer*](../offer/#terms), or [again](https://example.com/world/future/).\n\n\
        ## More\n\nSee [today](/world/today/).\n";
    site.write("content/world/linking.md", linking);
    site.build(&["--now", "2026-02-01T00:00:00Z"]);
    let crawl = crate::support::broken_links(&site.out(), "/");
    assert_eq!(crawl, Vec::<String>::new());
    assert_eq!(files_mentioning(&site.out(), "world/future"), Vec::<String>::new());
    assert_eq!(files_mentioning(&site.out(), "world/offer"), Vec::<String>::new());
    // The words stay; the link to a published page too, and the related link to it.
    let page = site.page("/world/linking/");
    let body = page.texts("main p").join(" ");
    assert!(body.contains("Read the plan and the offer, or again."), "{body}");
    let hrefs = page.attrs("main a", "href");
    assert!(hrefs.iter().filter(|h| *h == "/world/today/").count() >= 2, "{hrefs:?}");
    assert!(page.select("em").iter().any(|e| crate::support::text(*e) == "offer"));
    assert!(!page.texts("a").iter().any(|t| t == "Plans ahead"));
    // `check` still says which link leads where, and when.
    let out = site.run(&["check", "--now", "2026-02-01T00:00:00Z"]);
    let err = stderr(&out);
    assert!(err.contains("warning: link to `/world/future/` leads to `content/world/future.md`, which is scheduled for 2026-03-01T09:00:00Z\n --> content/world/linking.md:8:10\n"), "{err}");
    assert!(err.contains("warning: link to `/world/future/` leads to `content/world/future.md`, which is scheduled for 2026-03-01T09:00:00Z\n  --> content/world/linking.md:13:6\n"), "{err}");
    assert!(out.status.success(), "warnings only: {err}");
    assert!(err.contains("warning: link to `../offer/#terms` leads to `content/world/offer.md`, which expired at 2026-01-31T00:00:00Z\n"), "{err}");
    // A --future build links to the scheduled article, body and related alike.
    site.build(&["--future", "--now", "2026-02-01T00:00:00Z"]);
    let page = site.page("/world/linking/");
    let hrefs = page.attrs("a", "href");
    assert!(hrefs.iter().filter(|h| *h == "/world/future/").count() >= 2, "{hrefs:?}");
    assert!(page.texts("a").iter().any(|t| t == "Plans ahead"));
}

/// Key points, FAQ answers, corrections, updates and author bios are Markdown too: a link
/// in them to a page the build leaves out is its text alone, as in the body.
#[test]
fn no_link_to_a_hidden_article_hides_in_key_points_answers_notices_or_bios() {
    let site = scheduling_site();
    site.write(
        "authors.yaml",
        "Ann Writer:\n  bio: \"Covers ports; her next story is [the plan](/world/future/).\"\n",
    );
    let linking = "---\ntitle: Linking\ndate: 2026-01-05\ncategory: World\ntags: [ports, trade]\n\
        author: Ann Writer\n\
        key_points:\n  - \"Plan: see [the plan](/world/future/).\"\n\
        faq:\n  - question: \"What next?\"\n    answer: \"Read [the plan](/world/future/).\"\n\
        corrections:\n  - date: 2026-01-06\n    text: \"Linked [the plan](/world/future/).\"\n\
        updates:\n  - date: 2026-01-07\n    text: \"See [the plan](/world/future/) and [today](/world/today/).\"\n\
        ---\n\nBody.\n";
    site.write("content/world/linking.md", linking);
    site.build(&["--now", "2026-02-01T00:00:00Z"]);
    assert_eq!(crate::support::broken_links(&site.out(), "/"), Vec::<String>::new());
    assert_eq!(files_mentioning(&site.out(), "world/future"), Vec::<String>::new());
    let page = site.page("/world/linking/");
    let text = page.texts("main").concat();
    for words in ["see the plan.", "Read the plan.", "Linked the plan.", "See the plan and today."]
    {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    assert!(page.attrs("main a", "href").iter().any(|h| h == "/world/today/"));
    let bio = site.page("/authors/ann-writer/").texts("main").concat();
    assert!(bio.contains("her next story is the plan."), "{bio}");
    // With --future the links are there.
    site.build(&["--future", "--now", "2026-02-01T00:00:00Z"]);
    let hrefs = site.page("/world/linking/").attrs("main a", "href");
    assert!(hrefs.iter().filter(|h| *h == "/world/future/").count() >= 4, "{hrefs:?}");
}

#[test]
fn a_plain_date_is_midnight_in_the_site_time_zone() {
    let site = desk(&format!("{SITE_YAML}timezone: America/New_York\n"));
    site.write("content/world/today.md", &article("Today", "2026-01-10", ""));
    site.write("content/world/march.md", &article("March", "2026-03-01", ""));
    // 03:00 UTC is still February 28 in New York.
    site.build(&["--now", "2026-03-01T03:00:00Z"]);
    assert!(!site.out().join("world/march").exists());
    site.build(&["--now", "2026-03-01T05:00:00Z"]);
    let page = site.page("/world/march/");
    assert_eq!(
        page.attrs("meta[property=\"article:published_time\"]", "content"),
        ["2026-03-01T00:00:00-05:00"]
    );
    assert_eq!(page.texts(".dates time"), ["March 1, 2026"]);
}

#[test]
fn an_unknown_time_zone_is_an_error() {
    let site = Site::empty(&format!("{SITE_YAML}timezone: Europe/Parsi\n"));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: timezone: `Europe/Parsi` is not a time zone gazette knows\n \
         --> site.yaml:3:11\n  |\n3 | timezone: Europe/Parsi\n  |           ^^^^^^^^^^^^\n  |\n  \
         = help: write an IANA name such as `Europe/Paris`, `America/New_York` or `UTC`\n"
    );
}

const CORRECTED: &str = "corrections:\n  - date: 2026-01-12T10:00:00Z\n    text: \"The port opened in **1998**, not 1989.\"\n  - date: 2026-01-15\n    text: \"The minister’s name is Ana Lopes.\"\nupdates:\n  - date: 2026-01-11T08:00:00Z\n    text: \"Added the union’s response.\"\n";

#[test]
fn corrections_show_on_the_article_on_the_corrections_page_in_its_feed_and_json_ld() {
    let site = desk(SITE_YAML);
    site.write("content/world/port.md", &article("Port", "2026-01-10", CORRECTED));
    let other =
        "corrections:\n  - date: 2026-01-13T00:00:00Z\n    text: \"A chart was mislabelled.\"\n";
    site.write("content/world/chart.md", &article("Chart", "2026-01-09", other));
    site.build(&["--now", "2026-02-01T00:00:00Z"]);

    let page = site.page("/world/port/");
    assert_eq!(page.texts(".notice-corrections h2"), ["Corrections"]);
    assert_eq!(
        page.texts(".notice-corrections li"),
        [
            "January 15, 2026: The minister’s name is Ana Lopes.",
            "January 12, 2026: The port opened in 1998, not 1989."
        ]
    );
    assert_eq!(page.select(".notice-corrections strong").len(), 1, "text is Markdown");
    assert_eq!(page.texts(".notice-updates li"), ["January 11, 2026: Added the union’s response."]);
    let graph = json_ld(&page);
    let news = &graph["@graph"][0];
    assert_eq!(
        news["correction"],
        serde_json::json!([
            {"@type": "CorrectionComment", "datePublished": "2026-01-15T00:00:00Z", "text": "The minister’s name is Ana Lopes."},
            {"@type": "CorrectionComment", "datePublished": "2026-01-12T10:00:00Z", "text": "The port opened in 1998, not 1989."}
        ])
    );
    assert_eq!(news["dateModified"], "2026-01-15T00:00:00Z");
    assert_eq!(
        page.attrs("meta[property=\"article:modified_time\"]", "content"),
        ["2026-01-15T00:00:00Z"]
    );
    let lastmod: Vec<_> =
        sitemap(&site).into_iter().filter(|(loc, _)| loc.ends_with("/world/port/")).collect();
    assert_eq!(
        lastmod,
        [("https://example.com/world/port/".to_owned(), Some("2026-01-15T00:00:00Z".to_owned()))]
    );

    let all = site.page("/corrections/");
    assert_eq!(
        all.texts(".corrections-list li h2"),
        ["Port", "Chart", "Port"],
        "every correction, newest first"
    );
    assert_eq!(all.attrs(".corrections-list li h2 a", "href")[0], "/world/port/");
    assert!(sitemap(&site).iter().any(|(loc, _)| loc == "https://example.com/corrections/"));
    assert_eq!(
        feed_titles(&site.read("corrections/feed.xml")),
        ["Correction: Port", "Correction: Chart", "Correction: Port"]
    );
    let home = site.page("/");
    assert_eq!(home.attrs(".site-footer a[href=\"/corrections/\"]", "href").len(), 1);
}

#[test]
fn a_correction_dated_before_the_article_is_an_error() {
    let site = desk(SITE_YAML);
    let early = "corrections:\n  - date: 2026-01-02\n    text: \"Fixed a name.\"\n";
    site.write("content/world/port.md", &article("Port", "2026-01-10", early));
    let out = site.run(&["check", "--now", "2026-02-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: correction dated `2026-01-02` is before the publication date `2026-01-10`\n \
         --> content/world/port.md:8:11\n  |\n8 |   - date: 2026-01-02\n  |           ^^^^^^^^^^\n  |\n  \
         = help: a correction comes after publication: check both dates\n\n\
         checked 2 article(s): 1 error(s), 0 warning(s)\n"
    );
}

#[test]
fn bad_corrections_and_aliases_name_their_file_and_line() {
    let site = desk(SITE_YAML);
    let bad = "aliases:\n  - world/old-port\ncorrections:\n  - date: last week\n    text: \"\"\n";
    site.write("content/world/port.md", &article("Port", "2026-01-10", bad));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: aliases: `world/old-port` is not a site path: start it with `/`\n \
         --> content/world/port.md:8:5\n  |\n8 |   - world/old-port\n  |     ^^^^^^^^^^^^^^\n  |\n  \
         = help: write the old address as a site path, such as `/world/old-slug/`\n\n\
         error: corrections: expected a `text`, found nothing\n  \
         --> content/world/port.md:10:11\n   |\n10 |   - date: last week\n   |           ^^^^^^^^^\n   |\n   \
         = help: say what changed: `text: \"...\"`\n\n\
         error: corrections: `last week` is not a date\n  \
         --> content/world/port.md:10:11\n   |\n10 |   - date: last week\n   |           ^^^^^^^^^\n   |\n   \
         = help: write a date like `2026-01-22` or `2026-01-22T21:30:00Z`\n\n\
         checked 2 article(s): 3 error(s), 0 warning(s)\n"
    );
}

#[test]
fn an_alias_page_redirects_to_the_article_and_redirects_lists_it() {
    let site = desk("title: Desk\nbase_url: https://example.com/news/\n");
    let aliases = "aliases: [\"/world/old-port\", \"/2019/port.html\"]\n";
    site.write("content/world/port.md", &article("Port & harbour", "2026-01-10", aliases));
    site.build(&["--now", "2026-02-01T00:00:00Z"]);
    assert_eq!(
        site.read("_redirects"),
        "/news/2019/port.html /news/world/port/ 301\n/news/world/old-port/ /news/world/port/ 301\n"
    );
    for file in ["world/old-port/index.html", "2019/port.html"] {
        let page = Page(scraper::Html::parse_document(&site.read(file)));
        assert_eq!(page.attrs("meta[http-equiv=refresh]", "content"), ["0; url=/news/world/port/"]);
        assert_eq!(
            page.attrs("link[rel=canonical]", "href"),
            ["https://example.com/news/world/port/"]
        );
        assert_eq!(page.attrs("meta[name=robots]", "content"), ["noindex"]);
        assert_eq!(page.attrs("body a", "href"), ["/news/world/port/"]);
        assert_eq!(page.texts("body a"), ["Port & harbour"]);
    }
    // Alias pages are not pages to index.
    assert!(!site.read("sitemap.xml").contains("old-port"));
    assert_eq!(crate::support::broken_links(&site.out(), "/news/"), Vec::<String>::new());
}

#[test]
fn an_alias_that_takes_a_page_or_another_alias_is_an_error() {
    let site = desk(SITE_YAML);
    site.write("content/world/port.md", &article("Port", "2026-01-10", "aliases: [/world/old/]\n"));
    let taken = "aliases:\n  - /world/port/\n  - /world/old/\n  - /tags/\ncorrections:\n  - date: 2026-01-01\n    text: Early.\n";
    site.write("content/world/ship.md", &article("Ship", "2026-01-11", taken));
    // One line, three items: each finding points at its own item.
    let one_line = "aliases: [\"/world/port/\", \"/world/old/\", \"/tags/\"]\n";
    let boat =
        format!("{}\nSee [what comes](/world/later/).\n", article("Boat", "2026-01-12", one_line));
    site.write("content/world/boat.md", &boat);
    site.write("content/world/later.md", &article("Later", "2026-03-01T09:00:00Z", ""));
    let out = site.run(&["check", "--now", "2026-02-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        r#"error: alias `/world/port/` is the address of `content/world/port.md`
 --> content/world/boat.md:7:12
  |
7 | aliases: ["/world/port/", "/world/old/", "/tags/"]
  |            ^^^^^^^^^^^^
  |
  = help: remove it: a redirect there would replace that article

error: alias `/tags/` is the address of a page of the site
 --> content/world/boat.md:7:43
  |
7 | aliases: ["/world/port/", "/world/old/", "/tags/"]
  |                                           ^^^^^^
  |
  = help: remove it: a redirect there would replace that page

warning: link to `/world/later/` leads to `content/world/later.md`, which is scheduled for 2026-03-01T09:00:00Z
  --> content/world/boat.md:20:5
   |
20 | See [what comes](/world/later/).
   |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   = help: the link leads nowhere until then: publish the two together, or link later

error: alias `/world/old/` is also an alias of `content/world/boat.md`
 --> content/world/port.md:7:11
  |
7 | aliases: [/world/old/]
  |           ^^^^^^^^^^^
  |
  = help: an old address can lead to one article only: remove one of them

error: alias `/world/port/` is the address of `content/world/port.md`
 --> content/world/ship.md:8:5
  |
8 |   - /world/port/
  |     ^^^^^^^^^^^^
  |
  = help: remove it: a redirect there would replace that article

error: alias `/world/old/` is also an alias of `content/world/boat.md`
 --> content/world/ship.md:9:5
  |
9 |   - /world/old/
  |     ^^^^^^^^^^^
  |
  = help: an old address can lead to one article only: remove one of them

error: alias `/tags/` is the address of a page of the site
  --> content/world/ship.md:10:5
   |
10 |   - /tags/
   |     ^^^^^^
   |
   = help: remove it: a redirect there would replace that page

error: correction dated `2026-01-01` is before the publication date `2026-01-11`
  --> content/world/ship.md:12:11
   |
12 |   - date: 2026-01-01
   |           ^^^^^^^^^^
   |
   = help: a correction comes after publication: check both dates

scheduled: `content/world/later.md` publishes at 2026-03-01T09:00:00Z (Later)
checked 5 article(s): 7 error(s), 1 warning(s)
"#
    );
}

#[test]
fn build_warns_for_a_page_that_moved_and_names_the_file() {
    let site = desk(SITE_YAML);
    site.write("content/world/port.md", &article("Port", "2026-01-10", ""));
    site.build(&["--now", "2026-02-01T00:00:00Z"]);
    // The article moves to another category: its old address would break.
    site.remove("content/world/port.md");
    let moved = article("Port", "2026-01-10", "").replace("category: World", "category: Economy");
    site.write("content/economy/port.md", &moved);
    let out = site.build(&["--now", "2026-02-01T00:00:00Z"]);
    assert_eq!(
        stderr(&out),
        "warning: the previous build had a page at `/world/port/` that this one has not\n \
         --> content/economy/port.md:2:8\n  \
         = help: it is probably `content/economy/port.md`, now at `/economy/port/`: add `aliases: [\"/world/port/\"]` to its front matter so shared links keep working\n"
    );
    // With the line added, the old address redirects and the warning is gone.
    site.write(
        "content/economy/port.md",
        &moved.replace("author: Ana Ruiz\n", "author: Ana Ruiz\naliases: [\"/world/port/\"]\n"),
    );
    let out = site.build(&["--now", "2026-02-01T00:00:00Z"]);
    assert_eq!(stderr(&out), "");
    assert_eq!(
        site.page("/world/port/").attrs("meta[http-equiv=refresh]", "content"),
        ["0; url=/economy/port/"]
    );
    // A second build keeps the alias page: it is no moved article.
    let out = site.build(&["--now", "2026-02-01T00:00:00Z"]);
    assert_eq!(stderr(&out), "");
}

#[test]
fn the_moved_page_warning_skips_articles_left_out_and_extends_an_existing_aliases_list() {
    let site = desk(SITE_YAML);
    site.write("content/world/offer.md", &article("Offer", "2026-01-01", "expires: 2026-01-31\n"));
    site.write("content/world/port.md", &article("Port", "2026-01-10", ""));
    site.write("content/world/plans.md", &article("Plans", "2026-01-12", ""));
    site.build(&["--now", "2026-01-20T00:00:00Z"]);
    // The offer expires, the plans are pushed back, the port moves and has an alias.
    site.write("content/world/plans.md", &article("Plans", "2026-03-01", ""));
    site.remove("content/world/port.md");
    let moved = article("Port", "2026-01-10", "aliases: [\"/2019/port/\"]\n")
        .replace("category: World", "category: Economy");
    site.write("content/economy/port.md", &moved);
    let out = site.build(&["--now", "2026-02-01T00:00:00Z"]);
    assert!(out.status.success());
    assert_eq!(
        stderr(&out),
        "warning: the previous build had a page at `/world/port/` that this one has not\n \
         --> content/economy/port.md:2:8\n  \
         = help: it is probably `content/economy/port.md`, now at `/economy/port/`: add `\"/world/port/\"` to its `aliases:` list (line 7) so shared links keep working\n"
    );
}

#[test]
fn series_parts_are_ordered_by_date_with_a_box_and_a_page() {
    let site = desk(SITE_YAML);
    let series = "series: \"Ports, explained\"\n";
    site.write("content/world/a-last.md", &article("Part three", "2026-01-20", series));
    site.write("content/world/b-first.md", &article("Part one", "2026-01-01", series));
    site.write("content/world/c-middle.md", &article("Part two", "2026-01-10", series));
    site.build(&["--now", "2026-02-01T00:00:00Z"]);
    let page = site.page("/world/c-middle/");
    assert_eq!(page.texts(".series-box h2"), ["Series Ports, explained: part 2 of 3"]);
    assert_eq!(page.attrs(".series-box h2 a", "href"), ["/series/ports-explained/"]);
    assert_eq!(page.texts(".series-box li"), ["Part one", "Part two", "Part three"]);
    assert_eq!(page.attrs(".series-box li a", "href"), ["/world/b-first/", "/world/a-last/"]);
    assert_eq!(page.texts(".series-box [aria-current=page]"), ["Part two"]);
    let index = site.page("/series/ports-explained/");
    assert_eq!(index.texts("h1"), ["Ports, explained"]);
    assert_eq!(index.texts(".series-parts .card-title"), ["Part one", "Part two", "Part three"]);
    assert!(
        sitemap(&site).iter().any(|(loc, _)| loc == "https://example.com/series/ports-explained/")
    );
    assert_eq!(crate::support::broken_links(&site.out(), "/"), Vec::<String>::new());
}

const AUTHORS: &str = "Ana Ruiz:\n  role: Ports reporter\n  bio: \"Ana covers **shipping** and trade.\"\n  image: /ana.svg\n  links:\n    - https://example.org/@ana\n    - https://example.net/ana\n";
/// The portrait `AUTHORS` names.
const ANA_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"><rect width=\"8\" height=\"8\"/></svg>\n";

#[test]
fn author_profiles_show_on_author_pages_and_as_person_json_ld() {
    let site = desk(SITE_YAML);
    site.write("authors.yaml", AUTHORS);
    site.write("content/ana.svg", ANA_SVG);
    site.write("content/world/port.md", &article("Port", "2026-01-10", ""));
    site.build(&["--now", "2026-02-01T00:00:00Z"]);
    let page = site.page("/authors/ana-ruiz/");
    assert_eq!(page.texts("h1"), ["Ana Ruiz"]);
    assert_eq!(page.texts(".profile-role"), ["Ports reporter"]);
    assert_eq!(page.texts(".profile-bio"), ["Ana covers shipping and trade."]);
    assert_eq!(page.select(".profile-bio strong").len(), 1, "the bio is Markdown");
    assert_eq!(page.attrs(".profile-image", "src"), ["/ana.svg"]);
    assert_eq!(
        page.attrs(".profile-links a", "href"),
        ["https://example.org/@ana", "https://example.net/ana"]
    );
    let article = site.page("/world/port/");
    assert_eq!(article.attrs(".byline a[rel=author]", "href"), ["/authors/ana-ruiz/"]);
    assert_eq!(
        json_ld(&article)["@graph"][0]["author"],
        serde_json::json!([{
            "@type": "Person",
            "name": "Ana Ruiz",
            "url": "https://example.com/authors/ana-ruiz/",
            "sameAs": ["https://example.org/@ana", "https://example.net/ana"],
            "jobTitle": "Ports reporter"
        }])
    );
}

#[test]
fn a_byline_without_a_profile_is_a_warning_only_when_authors_yaml_exists() {
    let site = desk(SITE_YAML);
    let text = article("Port", "2026-01-10", "").replace("author: Ana Ruiz", "author: Bo Chen");
    site.write("content/world/port.md", &text);
    let out = site.run(&["check"]);
    assert_eq!(stderr(&out), "checked 2 article(s): 0 error(s), 0 warning(s)\n");
    site.write("authors.yaml", AUTHORS);
    site.write("content/ana.svg", ANA_SVG);
    let out = site.run(&["check"]);
    assert_eq!(
        stderr(&out),
        "warning: the author `Bo Chen` has no profile in `authors.yaml`\n \
         --> content/world/port.md:6:9\n  |\n6 | author: Bo Chen\n  |         ^^^^^^^\n  |\n  \
         = help: add `Bo Chen:` with a `bio:` to `authors.yaml`, or check the spelling\n\n\
         checked 2 article(s): 0 error(s), 1 warning(s)\n"
    );
}

#[test]
fn an_unknown_key_in_authors_yaml_is_an_error() {
    let site = desk(SITE_YAML);
    site.write("authors.yaml", "Ana Ruiz:\n  role: Reporter\n  boi: \"Ana covers ports.\"\n");
    site.write("content/world/port.md", &article("Port", "2026-01-10", ""));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: Ana Ruiz: unknown key `boi`\n \
         --> authors.yaml:3:3\n  |\n3 |   boi: \"Ana covers ports.\"\n  |   ^^^\n  |\n  \
         = help: did you mean `bio`?\n"
    );
}

#[test]
fn check_reports_authors_yaml_problems_with_those_of_the_articles() {
    let site = desk(SITE_YAML);
    site.write("authors.yaml", "Ana Ruiz:\n  role: Reporter\n  boi: \"Ana covers ports.\"\n");
    let early = "corrections:\n  - date: 2026-01-01\n    text: Early.\n";
    site.write("content/world/port.md", &article("Port", "2026-01-10", early));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: Ana Ruiz: unknown key `boi`\n \
         --> authors.yaml:3:3\n  |\n3 |   boi: \"Ana covers ports.\"\n  |   ^^^\n  |\n  \
         = help: did you mean `bio`?\n\n\
         error: correction dated `2026-01-01` is before the publication date `2026-01-10`\n \
         --> content/world/port.md:8:11\n  |\n8 |   - date: 2026-01-01\n  |           ^^^^^^^^^^\n  |\n  \
         = help: a correction comes after publication: check both dates\n\n\
         checked 2 article(s): 2 error(s), 0 warning(s)\n"
    );
}

#[test]
fn body_headings_never_take_the_ids_of_the_notices() {
    let site = desk(SITE_YAML);
    let notices = "series: Ports\ncorrections:\n  - date: 2026-01-11\n    text: Fixed.\nupdates:\n  - date: 2026-01-12\n    text: More.\n";
    let text = article("Port", "2026-01-10", notices)
        + "\n## Corrections\n\nOurs.\n\n## Updates\n\nTheirs.\n\n## Series box\n\nA box.\n";
    site.write("content/world/port.md", &text);
    site.build(&[]);
    let page = site.page("/world/port/");
    let ids = page.attrs("[id]", "id");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    for notice in ["corrections", "updates", "series-box"] {
        assert!(ids.contains(&notice.to_owned()), "{notice} in {ids:?}");
    }
    // Each body heading has an id of its own, and the table of contents links to it.
    let toc = page.attrs("nav.toc a", "href");
    for (heading, id) in
        [("Corrections", "corrections-1"), ("Updates", "updates-1"), ("Series box", "series-box-1")]
    {
        let with_text: Vec<&str> = page
            .select("h2")
            .into_iter()
            .filter(|h| crate::support::text(*h) == heading)
            .filter_map(|h| h.value().attr("id"))
            .collect();
        assert!(with_text.contains(&id), "{heading}: {with_text:?}");
        assert!(toc.contains(&format!("#{id}")), "{toc:?}");
    }
}

#[test]
fn an_empty_profile_and_a_missing_profile_image_are_errors() {
    let site = desk(SITE_YAML);
    site.write("content/world/port.md", &article("Port", "2026-01-10", ""));
    site.write("authors.yaml", "Ana Ruiz:\n  bio: Ana covers ports.\nBob Nobody: ~\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the profile of `Bob Nobody` is empty: give at least `bio`, or remove the entry\n \
         --> authors.yaml:3:1\n  |\n3 | Bob Nobody: ~\n  | ^^^^^^^^^^\n"
    );
    let profiles = "Ana Ruiz:\n  bio: Ana covers ports.\n  image: /img/ana.jpg\n\
                    Bo Chen:\n  bio: Bo edits.\n  image: /img/bo.jpg\n";
    site.write("authors.yaml", profiles);
    site.write("content/img/bo.jpg", "not really a picture");
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the image `/img/ana.jpg` of `Ana Ruiz` matches no file of the site\n \
         --> authors.yaml:3:10\n  |\n3 |   image: /img/ana.jpg\n  |          ^^^^^^^^^^^^\n  |\n  \
         = help: put the picture under `content/` at that path, or fix the path\n\n\
         checked 2 article(s): 1 error(s), 0 warning(s)\n"
    );
}

#[test]
fn serve_shows_scheduled_articles_marked_as_such() {
    let site = desk(SITE_YAML);
    site.write("content/world/today.md", &article("Today", "2026-01-10", ""));
    site.write("content/world/future.md", &article("Future plans", "2999-03-01T09:00:00Z", ""));
    let server = Server::start(site.path(), &[]);
    let response = server.get("/world/future/");
    assert_eq!(response.status, 200, "{}", server.output());
    let page = Page(scraper::Html::parse_document(&response.text()));
    assert_eq!(page.texts(".article-header .badge"), ["Scheduled for March 1, 2999"]);
    let listing = Page(scraper::Html::parse_document(&server.get("/world/").text()));
    assert_eq!(listing.texts(".card.is-scheduled .card-title"), ["Future plans"]);
    assert_eq!(listing.texts(".card.is-scheduled .badge"), ["Scheduled"]);
    assert_eq!(listing.select(".card .badge").len(), 1, "only the scheduled article is marked");
    // A build leaves it out.
    site.build(&[]);
    assert!(!site.out().join("world/future").exists());
}

#[test]
fn serve_marks_every_link_to_a_scheduled_article() {
    let site = desk(SITE_YAML);
    let extra = "series: Ports\nrelated:\n  - title: What comes\n    url: /world/future/\n";
    site.write("content/world/today.md", &article("Today", "2026-01-10", extra));
    site.write(
        "content/world/future.md",
        &article("Future plans", "2999-03-01T09:00:00Z", "series: Ports\n"),
    );
    let server = Server::start(site.path(), &[]);
    let get = |path: &str| {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{}", server.output());
        Page(scraper::Html::parse_document(&response.text()))
    };
    let front = get("/");
    assert_eq!(front.texts(".lead-story .lead-story-title"), ["Future plans"]);
    assert_eq!(front.texts(".lead-story .badge"), ["Scheduled"]);
    let today = get("/world/today/");
    assert_eq!(today.texts(".series-box .badge"), ["Scheduled"]);
    // Each link to the scheduled article (series box, related, see also) is marked
    // next to it.
    let links = today.select("a[href=\"/world/future/\"]");
    assert!(links.len() >= 2, "series box and related at least");
    for link in links {
        let marked = link.ancestors().take(3).filter_map(scraper::ElementRef::wrap).any(|e| {
            e.select(&scraper::Selector::parse(".badge").unwrap())
                .any(|b| crate::support::text(b) == "Scheduled")
        });
        assert!(
            marked,
            "unmarked: {}",
            link.parent().map(|p| scraper::ElementRef::wrap(p).unwrap().html()).unwrap_or_default()
        );
    }
}

/// What `serve` left in its preview, against a fresh `build --future` of the same content
/// at the same base URL: the files that differ (the news sitemap depends on the clock).
fn preview_differs_from_a_fresh_build(site: &Site, port: u16) -> Vec<String> {
    let fresh = tempfile::tempdir().unwrap();
    let target = fresh.path().join("out");
    let base = format!("http://127.0.0.1:{port}/");
    let args = ["build", "--quiet", "--future", "--base-url", &base, "--output"];
    let mut args = args.to_vec();
    args.push(target.to_str().unwrap());
    let out = site.run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut served = crate::support::tree_hashes(&site.path().join(".gazette/serve"));
    let mut built = crate::support::tree_hashes(&target);
    served.remove(Path::new(".gazette-preview"));
    built.remove(Path::new(".gazette-output"));
    let names: std::collections::BTreeSet<_> = served.keys().chain(built.keys()).collect();
    names
        .into_iter()
        .filter(|k| served.get(*k) != built.get(*k) && !k.ends_with("news-sitemap.xml"))
        .map(|k| k.to_string_lossy().into_owned())
        .collect()
}

#[test]
fn serve_updates_corrections_series_and_redirects_as_a_fresh_build_would() {
    let site = Site::fixture("serve/basic");
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    events.next_build().unwrap();
    let beta = std::fs::read_to_string(site.path().join("content/world/beta.md")).unwrap();
    let added = "series: Talks\naliases: [/world/old-beta/]\ncorrections:\n  - date: 2026-03-05\n    text: Fixed a date.\n---";
    let edited = beta.replacen("\n---", &format!("\n{added}"), 1);
    site.write("content/world/beta.md", &edited);
    server.eventually("no /corrections/ after the save", || {
        server.get("/corrections/").status == 200
    });
    assert_eq!(server.get("/series/talks/").status, 200);
    assert_eq!(server.get("/world/old-beta/").status, 200);
    assert!(server.get("/_redirects").text().contains("/world/old-beta/ /world/beta/ 301"));
    // A second part joins the series: both boxes change.
    let alpha = std::fs::read_to_string(site.path().join("content/world/alpha.md")).unwrap();
    site.write("content/world/alpha.md", &alpha.replacen("\n---", "\nseries: Talks\n---", 1));
    let parts = || {
        let page = Page(scraper::Html::parse_document(&server.get("/world/beta/").text()));
        page.select(".series-box li").len()
    };
    server.eventually("beta's series box never listed alpha", || parts() == 2);
    // The correction goes: so does the corrections page.
    let uncorrected =
        edited.replace("corrections:\n  - date: 2026-03-05\n    text: Fixed a date.\n", "");
    site.write("content/world/beta.md", &uncorrected);
    server.eventually("/corrections/ stayed", || server.get("/corrections/").status == 404);
    // An author profile appears.
    site.write("authors.yaml", "Ann Writer:\n  role: Editor\n  bio: Ann edits.\n");
    let role = || {
        let html = server.get("/authors/ann-writer/").text();
        Page(scraper::Html::parse_document(&html)).texts(".profile-role")
    };
    server.eventually("no profile on the author page", || role() == ["Editor"]);
    let port = server.port;
    assert_eq!(server.interrupt(), Some(0));
    assert_eq!(preview_differs_from_a_fresh_build(&site, port), Vec::<String>::new());
}

#[test]
fn a_large_raster_profile_picture_is_a_warning_naming_its_size() {
    let site = desk(SITE_YAML);
    site.write("authors.yaml", &AUTHORS.replace("/ana.svg", "/ana.png"));
    crate::images::write_bytes(&site, "content/ana.png", &crate::images::png(800, 600));
    site.write("content/world/port.md", &article("Port", "2026-01-10", ""));
    let out = site.run(&["check"]);
    assert_eq!(
        stderr(&out),
        "warning: the image `/ana.png` of `Ana Ruiz` is 800×600 px; the author page shows it at 96×96\n \
         --> authors.yaml:4:10\n  |\n4 |   image: /ana.png\n  |          ^^^^^^^^\n  |\n  \
         = help: profile pictures are published as they are: use a square one of at most 400×400 px (sharp on screens of double density)\n\n\
         checked 2 article(s): 0 error(s), 1 warning(s)\n"
    );
    // One of at most 400 px is what the warning asks for: no warning.
    crate::images::write_bytes(&site, "content/ana.png", &crate::images::png(400, 400));
    let out = site.run(&["check"]);
    assert_eq!(stderr(&out), "checked 2 article(s): 0 error(s), 0 warning(s)\n");
}
