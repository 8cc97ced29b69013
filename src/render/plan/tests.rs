//! Which pages the plan re-renders for representative edits of a small site.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashSet as HashSet;

use super::plan_update;
use crate::config::{Config, parse_config};
use crate::render::{Job, PAGE_TEMPLATES, Pages};
use crate::site::{Document, Site, parse_document};
use crate::theme::{Theme, load_embedded_theme};

/// Two articles a listing page, so small listings have several pages.
const SITE: &str = "title: T\nbase_url: https://example.com/\npaginate: 2\n";

/// What an edit cannot avoid: the site-wide files, the archive's pages and the front
/// page (its category blocks follow every category).
const ALWAYS: &[&str] = &[
    "(sitemaps)",
    "archive/2026/index.html",
    "archive/index.html",
    "economy/feed.xml",
    "feed.xml",
    "index.html",
    "news-sitemap.xml",
    "search/index.json",
    "tags/index.html",
    "world/feed.xml",
];

fn config() -> Config {
    parse_config(Path::new("/nonexistent/gazette-plan-test"), SITE).unwrap()
}

fn doc(config: &Config, file: &str, front: &str, body: &str) -> Arc<Document> {
    let text = format!("---\n{front}\nsummary: A summary.\n---\n{body}\n");
    let path = Path::new("content").join(file);
    Arc::new(parse_document(&path, &text, config, None, None).unwrap())
}

/// The demo of these tests, newest first: Economy lists three articles (two pages),
/// World one; `trade` links `talks` (and back), their only shared tag.
fn articles(config: &Config) -> Vec<Arc<Document>> {
    let body = "Some words about it.";
    vec![
        doc(
            config,
            "economy/rates.md",
            &front("Rates", "03-05", "Economy", "rates, inflation", "Ann"),
            body,
        ),
        doc(
            config,
            "economy/debt.md",
            &front("Debt", "03-04", "Economy", "debt, rates", "Ann"),
            body,
        ),
        doc(config, "economy/trade.md", &front("Trade", "02-03", "Economy", "trade", "Bo"), body),
        doc(
            config,
            "world/talks.md",
            &front("Talks", "02-02", "World", "trade, diplomacy", "Bo"),
            body,
        ),
    ]
}

fn front(title: &str, day: &str, category: &str, tags: &str, author: &str) -> String {
    format!(
        "title: {title}\ndate: 2026-{day}\ncategory: {category}\ntags: [{tags}]\nauthor: {author}"
    )
}

fn site(config: &Config, docs: &[Arc<Document>]) -> Site {
    let now = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    Site::assemble(config.clone(), docs.to_vec(), Vec::new(), now, &mut |_| {}).unwrap()
}

/// The files the plan for going from `old` to `new` writes, less [`ALWAYS`]; documents
/// `new` shares with `old` (the same `Arc`) count as not read again.
fn planned(old: &[Arc<Document>], new: &[Arc<Document>]) -> BTreeSet<String> {
    let config = config();
    let theme: Theme = load_embedded_theme(&config).unwrap();
    let (old_site, new_site) = (site(&config, old), site(&config, new));
    let (old_pages, new_pages) = (Pages::new(&old_site, &theme), Pages::new(&new_site, &theme));
    let address = |d: &Arc<Document>| Arc::as_ptr(d) as usize;
    let kept: HashSet<usize> = old.iter().map(address).collect();
    let changed: HashSet<usize> = new.iter().map(address).filter(|a| !kept.contains(a)).collect();
    let jobs = plan_update(&old_pages, &new_pages, &changed);
    let files: BTreeSet<String> = jobs
        .iter()
        .map(|&job| new_pages.job_file(job).unwrap_or_else(|| "(sitemaps)".to_owned()))
        .collect();
    for always in ALWAYS {
        assert!(files.contains(*always), "{always} missing from {files:?}");
    }
    files.into_iter().filter(|f| !ALWAYS.contains(&f.as_str())).collect()
}

fn set(files: &[&str]) -> BTreeSet<String> {
    files.iter().map(|f| (*f).to_owned()).collect()
}

#[test]
fn an_unchanged_site_rewrites_only_the_site_wide_files() {
    let docs = articles(&config());
    assert_eq!(planned(&docs, &docs), set(&[]));
}

#[test]
fn a_body_edit_renders_only_its_article() {
    let config = config();
    let old = articles(&config);
    let mut new = old.clone();
    new[2] = doc(
        &config,
        "economy/trade.md",
        &front("Trade", "02-03", "Economy", "trade", "Bo"),
        "Some words about tariffs.",
    );
    assert_eq!(planned(&old, &new), set(&["economy/trade/index.html"]));
}

#[test]
fn a_new_title_renders_every_page_that_shows_the_card() {
    let config = config();
    let old = articles(&config);
    let mut new = old.clone();
    new[2] = doc(
        &config,
        "economy/trade.md",
        &front("Trade wars", "02-03", "Economy", "trade", "Bo"),
        "Some words about it.",
    );
    assert_eq!(
        planned(&old, &new),
        set(&[
            // The article, and `talks`, whose "Related" block links it.
            "economy/trade/index.html",
            "world/talks/index.html",
            // The listing pages that show its card, and only those: not page 1 of
            // Economy or of the front page, not `rates` or `debt`.
            "economy/page/2/index.html",
            "page/2/index.html",
            "tags/trade/index.html",
            "authors/bo/index.html",
            "archive/2026/02/index.html",
        ])
    );
}

#[test]
fn an_article_added_on_top_renders_every_page_its_listings_shift() {
    let config = config();
    let old = articles(&config);
    let mut new = old.clone();
    new.push(doc(
        &config,
        "economy/bonds.md",
        &front("Bonds", "03-06", "Economy", "rates", "Ann"),
        "Some words about it.",
    ));
    let files = planned(&old, &new);
    // Economy and the front page: every page shows other articles now (and the front
    // page has a third page); the same for `rates`, Ann and March.
    for shifted in [
        "economy/bonds/index.html",
        "economy/page/2/index.html",
        "page/2/index.html",
        "page/3/index.html",
        "tags/rates/index.html",
        "authors/ann/index.html",
        "archive/2026/03/index.html",
        "economy/index.html",
    ] {
        assert!(files.contains(shifted), "{shifted} missing from {files:?}");
    }
    // Listings without the new article stay as they are.
    for kept in ["world/index.html", "tags/trade/index.html", "authors/bo/index.html"] {
        assert!(!files.contains(kept), "{kept} planned: {files:?}");
    }
    assert!(!files.contains("archive/2026/02/index.html"), "{files:?}");
}

#[test]
fn removing_an_article_renders_the_articles_that_linked_it() {
    let config = config();
    let old = articles(&config);
    let new: Vec<Arc<Document>> = old.iter().filter(|d| d.title != "Trade").cloned().collect();
    assert_eq!(
        planned(&old, &new),
        set(&[
            // It linked `talks`, and `talks` linked it.
            "world/talks/index.html",
            // The listings that showed it. Economy is down to one page, so its first
            // page loses its pager; the front page keeps two.
            "economy/index.html",
            "page/2/index.html",
            "tags/trade/index.html",
            "authors/bo/index.html",
            "archive/2026/02/index.html",
            // `trade` is no longer among the two most used tags the search box suggests.
            "search/index.html",
        ])
    );
    // Not `rates` or `debt`, which never linked it; and not Economy's second page,
    // which is gone (the session deletes its file).
}

#[test]
fn a_tag_page_follows_its_related_topics() {
    let config = config();
    let old = articles(&config);
    let mut new = old.clone();
    // `rates` lists the same articles, but `debt` gives way to `markets` beside it.
    new[1] = doc(
        &config,
        "economy/debt.md",
        &front("Debt", "03-04", "Economy", "markets, rates", "Ann"),
        "Some words about it.",
    );
    let files = planned(&old, &new);
    assert_eq!(
        files,
        set(&["economy/debt/index.html", "tags/rates/index.html", "tags/markets/index.html"])
    );
}

/// The test articles, plus one in a series with a correction, which give the newsroom
/// pages (issue 17) their jobs.
fn articles_with_newsroom_pages(config: &Config) -> Vec<Arc<Document>> {
    let mut docs = articles(config);
    let part = front("Part", "03-08", "World", "talks", "Ann");
    let newsroom =
        format!("{part}\nseries: Talks\ncorrections:\n  - date: 2026-03-09\n    text: Fixed.");
    docs.push(doc(config, "world/part.md", &newsroom, "Some words about it."));
    docs
}

#[test]
fn every_page_template_renders_some_job_and_every_job_template_is_a_page_template() {
    let config = config();
    let theme = load_embedded_theme(&config).unwrap();
    let docs = articles_with_newsroom_pages(&config);
    let site = site(&config, &docs);
    let pages = Pages::new(&site, &theme);
    let used: BTreeSet<&str> =
        pages.jobs().into_iter().filter_map(|job| pages.job_template(job)).collect();
    assert_eq!(used, PAGE_TEMPLATES.iter().copied().collect());
    assert_eq!(pages.job_template(Job::SiteFeed), None);
}

/// The build cache reuses a page only when it hashed every value of its context (issue
/// 15): a value under a key `PAGE_KEYS` lacks would make every such page render always.
#[test]
fn every_page_context_is_hashed_whole_for_the_build_cache() {
    let config = config();
    let theme = load_embedded_theme(&config).unwrap();
    let docs = articles_with_newsroom_pages(&config);
    let site = site(&config, &docs);
    let pages = Pages::new(&site, &theme);
    let base = blake3::hash(b"what every page reads");
    let mut hashes = std::collections::HashSet::new();
    let mut jobs = 0;
    for job in pages.jobs() {
        let Some(template) = pages.job_template(job) else { continue };
        let mut context = tera::Context::new();
        pages.page_context(job, &mut context).unwrap();
        context.insert("canonical", "https://example.com/x/");
        context.insert("current_url", "/x/");
        let inputs = crate::render::inputs(&base, template, &mut context, &Default::default());
        let inputs = inputs.unwrap_or_else(|| panic!("{job:?}: a context value is not hashed"));
        // Hashing gives the context back whole.
        assert!(context.contains_key("canonical") && context.contains_key("current_url"));
        hashes.insert(inputs);
        jobs += 1;
    }
    // Every page's inputs differ from every other's.
    assert_eq!(hashes.len(), jobs);
}

/// An article page hashed with its document's digest (issue 15): what the document
/// alone gives the page is left to the digest, what the site gives it is still hashed.
#[test]
fn a_page_hashed_with_its_documents_digest_still_follows_the_site() {
    let config = config();
    let theme = load_embedded_theme(&config).unwrap();
    let rich = |point: &str| {
        format!(
            "\nkey_points:\n  - \"Decision: {point}\"\nfaq:\n  - question: \"Why?\"\n    answer: B."
        )
    };
    let body = "Intro words.\n\n## What happened\n\nMore words about it.";
    // The demo's `trade`, with key points, questions and a section, its digest given or
    // not; `talks` is in its "See also".
    let make = |point: &str, talks: &str, digest: Option<u8>| {
        let trade = front("Trade", "02-03", "Economy", "trade", "Bo") + &rich(point);
        let mut trade = parse_document(
            &Path::new("content").join("economy/trade.md"),
            &format!("---\n{trade}\nsummary: A summary.\n---\n{body}\n"),
            &config,
            None,
            None,
        )
        .unwrap();
        trade.digest = digest.map(|d| [d; 32]);
        let talks = front(talks, "02-02", "World", "trade, diplomacy", "Bo");
        let mut docs = articles(&config);
        docs[2] = Arc::new(trade);
        docs[3] = doc(&config, "world/talks.md", &talks, "Some words about it.");
        docs
    };
    let inputs = |docs: &[Arc<Document>]| {
        let site = site(&config, docs);
        let pages = Pages::new(&site, &theme);
        let trade = site.articles.iter().find(|a| a.doc.title.starts_with("Trade")).unwrap();
        let base = blake3::hash(b"what every page reads");
        let making = crate::render::views::Making::Fingerprint { cards: &|_| None };
        let view = crate::render::views::article_view(&site, trade, making).unwrap();
        let left_out = view.key_points.is_empty()
            && view.faq.is_empty()
            && view.toc.is_empty()
            && view.sections.iter().all(|s| s.heading.is_empty());
        let at = crate::render::PageAt {
            base: &base,
            template: "article.html",
            canonical: "c",
            current_url: "u",
        };
        let hash = pages.article_inputs(&at, trade.id).unwrap();
        (hash, left_out)
    };
    let (plain, left_out) = inputs(&make("It holds.", "Talks", None));
    assert!(!left_out, "without a digest, the view is whole");
    let (with, left_out) = inputs(&make("It holds.", "Talks", Some(1)));
    assert!(left_out, "with a digest, the document's own parts are left to it");
    assert_ne!(plain, with);
    // The digest stands for the document: the same digest, the same hash (a document
    // edited under an unchanged digest cannot happen: the digest hashes its text).
    assert_ne!(inputs(&make("It moves.", "Talks", None)).0, plain);
    assert_eq!(inputs(&make("It moves.", "Talks", Some(1))).0, with);
    assert_ne!(inputs(&make("It holds.", "Talks", Some(2))).0, with);
    // What another article gives the page (its card in "See also") is still hashed.
    assert_ne!(inputs(&make("It holds.", "Talks anew", Some(1))).0, with);
}
