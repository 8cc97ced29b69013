//! The news-site outputs: feeds, sitemaps, meta tags, structured data, sharing, and a
//! site that works under a sub-path.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Page, Site, broken_links, text};

/// The published articles of `build/basic`: URL -> (title, date, updated).
fn published() -> BTreeMap<&'static str, (&'static str, &'static str, Option<&'static str>)> {
    BTreeMap::from([
        (
            "/world/alpha/",
            (
                "Alpha: talks resume in the capital",
                "2026-03-01T00:00:00Z",
                Some("2026-03-04T08:00:00Z"),
            ),
        ),
        ("/world/beta/", ("Beta explainer", "2026-03-02T00:00:00Z", None)),
        ("/economy/gamma/", ("Gamma and the rates", "2026-03-03T10:00:00Z", None)),
        ("/economy/delta/", ("Delta, older", "2026-02-01T00:00:00Z", None)),
        ("/news/epsilon/", ("Epsilon without a category", "2026-01-15T00:00:00Z", None)),
    ])
}

/// Maps an absolute URL of the built site to the file a static host would serve.
fn served_file(out: &Path, base: &str, url: &str) -> std::path::PathBuf {
    let path = url.strip_prefix(base).unwrap_or_else(|| panic!("{url} is not under {base}"));
    let path = path.split('#').next().unwrap();
    if path.is_empty() || path.ends_with('/') {
        out.join(path).join("index.html")
    } else {
        out.join(path)
    }
}

#[test]
fn site_feed_is_atom_with_every_published_article() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let xml = site.read("feed.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("valid Atom");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.title.unwrap().content, "Fixture Times");
    let expected = published();
    assert_eq!(feed.entries.len(), expected.len(), "drafts stay out of feeds");
    let mut seen_urls = Vec::new();
    for entry in &feed.entries {
        let link = &entry.links[0].href;
        let path = link.strip_prefix("https://example.com").expect("absolute link");
        let (title, date, updated) = expected[path];
        assert_eq!(entry.title.as_ref().unwrap().content, title);
        let published = entry.published.unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let updated_at = entry.updated.unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        assert_eq!(published, date, "{path}");
        assert_eq!(updated_at, updated.unwrap_or(date), "{path}");
        assert!(served_file(&site.out(), "https://example.com/", link).is_file(), "{link}");
        seen_urls.push(path.to_owned());
    }
    // Newest first.
    assert_eq!(
        seen_urls,
        ["/economy/gamma/", "/world/beta/", "/world/alpha/", "/economy/delta/", "/news/epsilon/"]
    );
    let alpha = feed.entries.iter().find(|e| e.links[0].href.ends_with("/world/alpha/")).unwrap();
    assert_eq!(
        alpha.summary.as_ref().unwrap().content,
        "Delegations meet again after a month of silence."
    );
    assert_eq!(alpha.authors[0].name, "Ann Writer");
    let terms: Vec<&str> = alpha.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(terms, ["world", "diplomacy", "trade", "ceasefire"]);
    assert!(alpha.content.is_none(), "summaries only by default");
}

#[test]
fn category_feeds_hold_their_category_only() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let feed = feed_rs::parser::parse(site.read("world/feed.xml").as_bytes()).unwrap();
    let links: Vec<&str> = feed.entries.iter().map(|e| e.links[0].href.as_str()).collect();
    assert_eq!(links, ["https://example.com/world/beta/", "https://example.com/world/alpha/"]);
    assert_eq!(feed.title.unwrap().content, "World | Fixture Times");
}

#[test]
fn full_content_feeds_carry_the_article_with_absolute_links() {
    let site = Site::fixture("build/basic");
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{yaml}feed:\n  full_content: true\n  limit: 2\n"));
    site.build(&[]);
    let feed = feed_rs::parser::parse(site.read("feed.xml").as_bytes()).unwrap();
    assert_eq!(feed.entries.len(), 2, "feed.limit");
    let gamma = feed.entries[0].content.as_ref().unwrap().body.as_ref().unwrap();
    assert!(gamma.contains("This first paragraph becomes the summary"), "{gamma}");
    let site2 = Site::fixture("build/basic");
    site2.write("site.yaml", &format!("{yaml}feed:\n  full_content: true\n"));
    site2.build(&[]);
    let feed = feed_rs::parser::parse(site2.read("feed.xml").as_bytes()).unwrap();
    let alpha = feed.entries.iter().find(|e| e.links[0].href.ends_with("/world/alpha/")).unwrap();
    let html = alpha.content.as_ref().unwrap().body.as_ref().unwrap();
    assert!(html.contains("href=\"https://example.com/economy/gamma/\""), "{html}");
    assert!(!html.contains("href=\"/"), "no root-relative link left: {html}");
}

#[test]
fn every_page_links_the_feed() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    for url in ["/", "/world/alpha/", "/tags/trade/", "/tags/", "/archive/", "/search/"] {
        let feeds =
            site.page(url).attrs("link[rel=alternate][type='application/atom+xml']", "href");
        assert!(feeds.contains(&"/feed.xml".to_owned()), "{url}: {feeds:?}");
    }
    assert!(
        site.page("/world/alpha/")
            .attrs("link[rel=alternate]", "href")
            .contains(&"/world/feed.xml".to_owned())
    );
}

fn sitemap_locs(xml: &str) -> BTreeMap<String, Option<String>> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed sitemap");
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
    assert_eq!(
        doc.root_element().tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let child = |name: &str| {
                url.children()
                    .find(|c| c.tag_name().name() == name)
                    .and_then(|c| c.text())
                    .map(str::to_owned)
            };
            (child("loc").unwrap(), child("lastmod"))
        })
        .collect()
}

#[test]
fn sitemap_lists_every_article_and_listing_page() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let locs = sitemap_locs(&site.read("sitemap.xml"));
    for (path, (_, date, updated)) in published() {
        let loc = format!("https://example.com{path}");
        assert_eq!(locs.get(&loc), Some(&Some(updated.unwrap_or(date).to_owned())), "{loc}");
    }
    for listing in [
        "/",
        "/page/2/",
        "/page/3/",
        "/world/",
        "/economy/",
        "/news/",
        "/tags/trade/",
        "/tags/trade/page/2/",
        "/tags/",
        "/authors/ann-writer/",
        "/archive/",
        "/archive/2026/03/",
    ] {
        assert!(locs.contains_key(&format!("https://example.com{listing}")), "{listing} missing");
    }
    assert!(!locs.keys().any(|l| l.contains("zeta")), "drafts stay out");
    assert!(!locs.keys().any(|l| l.contains("search")), "the search page is not indexed");
    // lastmod of a listing: the latest change among the articles it shows.
    assert_eq!(locs["https://example.com/world/"], Some("2026-03-04T08:00:00Z".to_owned()));
    for loc in locs.keys() {
        assert!(
            served_file(&site.out(), "https://example.com/", loc).is_file(),
            "{loc} is not served"
        );
    }
    let robots = site.read("robots.txt");
    assert!(robots.lines().any(|l| l == "Sitemap: https://example.com/sitemap.xml"), "{robots}");
}

#[test]
fn news_sitemap_holds_the_last_two_days() {
    let site = Site::fixture("build/basic");
    // Gamma (March 3, 10:00) and beta (March 2, 00:00) are within 48 hours of this time;
    // alpha (March 1, 00:00) is not.
    site.build(&["--now", "2026-03-03T12:00:00Z"]);
    let xml = site.read("news-sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let news_ns = "http://www.google.com/schemas/sitemap-news/0.9";
    let entries: Vec<(String, String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let find = |ns: Option<&str>, name: &str| {
                url.descendants()
                    .find(|n| n.tag_name().name() == name && n.tag_name().namespace() == ns)
                    .and_then(|n| n.text())
                    .unwrap()
                    .to_owned()
            };
            (
                find(Some("http://www.sitemaps.org/schemas/sitemap/0.9"), "loc"),
                find(Some(news_ns), "publication_date"),
                find(Some(news_ns), "title"),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "https://example.com/economy/gamma/".into(),
                "2026-03-03T10:00:00Z".into(),
                "Gamma and the rates".into()
            ),
            (
                "https://example.com/world/beta/".into(),
                "2026-03-02T00:00:00Z".into(),
                "Beta explainer".into()
            ),
        ]
    );
    let name = doc.descendants().find(|n| n.tag_name().name() == "name").unwrap().text();
    assert_eq!(name, Some("Fixture Times"));
    // Later, nothing is recent.
    site.build(&["--now", "2026-06-01T00:00:00Z"]);
    assert_eq!(
        roxmltree::Document::parse(&site.read("news-sitemap.xml"))
            .unwrap()
            .descendants()
            .filter(|n| n.has_tag_name("url"))
            .count(),
        0
    );
}

fn meta(page: &Page, key: &str) -> Vec<String> {
    let by_property = page.attrs(&format!("meta[property='{key}']"), "content");
    if by_property.is_empty() {
        page.attrs(&format!("meta[name='{key}']"), "content")
    } else {
        by_property
    }
}

#[test]
fn every_page_has_title_description_canonical_language_and_social_tags() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    for (url, title) in [
        ("/", "Fixture Times"),
        ("/page/2/", "Page 2 | Fixture Times"),
        ("/world/", "World | Fixture Times"),
        ("/tags/trade/", "trade | Fixture Times"),
        ("/tags/trade/page/2/", "trade: page 2 | Fixture Times"),
        ("/authors/ann-writer/", "Ann Writer | Fixture Times"),
        ("/archive/", "Archive | Fixture Times"),
        ("/tags/", "Topics | Fixture Times"),
        ("/search/", "Search | Fixture Times"),
    ] {
        let page = site.page(url);
        assert_eq!(page.texts("title"), [title], "{url}");
        assert_eq!(page.one("html").value().attr("lang"), Some("en"));
        assert_eq!(
            page.attrs("link[rel=canonical]", "href"),
            [format!("https://example.com{url}")],
            "{url}"
        );
        assert_eq!(meta(&page, "og:url"), [format!("https://example.com{url}")]);
        assert_eq!(meta(&page, "og:title"), [title]);
        assert_eq!(meta(&page, "og:type"), ["website"]);
        assert_eq!(meta(&page, "description").len(), 1);
        assert_eq!(meta(&page, "twitter:card"), ["summary"]);
    }
    assert_eq!(meta(&site.page("/economy/"), "description"), ["Money matters."]);
}

#[test]
fn article_pages_carry_open_graph_article_tags() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/world/alpha/");
    assert_eq!(meta(&page, "og:type"), ["article"]);
    assert_eq!(meta(&page, "og:title"), ["Alpha: talks resume in the capital | Fixture Times"]);
    assert_eq!(meta(&page, "og:description"), ["Delegations meet again after a month of silence."]);
    // An SVG lead image is drawn to a JPEG for social cards, which show no SVG (issue 16).
    let og = meta(&page, "og:image");
    assert!(og[0].starts_with("https://example.com/images/pic.") && og[0].ends_with(".1200.jpg"));
    assert_eq!(meta(&page, "twitter:image"), og);
    assert_eq!(meta(&page, "og:image:width"), ["1200"]);
    assert_eq!(meta(&page, "article:published_time"), ["2026-03-01T00:00:00Z"]);
    assert_eq!(meta(&page, "article:modified_time"), ["2026-03-04T08:00:00Z"]);
    assert_eq!(meta(&page, "article:section"), ["World"]);
    assert_eq!(meta(&page, "article:tag"), ["Diplomacy", "trade", "ceasefire"]);
    assert_eq!(meta(&page, "twitter:card"), ["summary_large_image"]);
    // Without an image, the small card.
    assert_eq!(meta(&site.page("/world/beta/"), "twitter:card"), ["summary"]);
}

fn json_ld(page: &Page) -> serde_json::Value {
    let scripts = page.select("script[type='application/ld+json']");
    assert_eq!(scripts.len(), 1);
    serde_json::from_str(&scripts[0].inner_html()).expect("JSON-LD parses")
}

fn of_type<'a>(graph: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    graph["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["@type"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn structured_data_matches_the_front_matter() {
    let site = Site::fixture("build/basic");
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{yaml}logo: /images/pic.svg\n"));
    site.build(&[]);
    let page = site.page("/world/alpha/");
    let ld = json_ld(&page);
    assert_eq!(ld["@context"], "https://schema.org");
    let news = of_type(&ld, "NewsArticle");
    assert_eq!(news["headline"], "Alpha: talks resume in the capital");
    assert_eq!(news["description"], "Delegations meet again after a month of silence.");
    assert_eq!(news["datePublished"], "2026-03-01T00:00:00Z");
    assert_eq!(news["dateModified"], "2026-03-04T08:00:00Z");
    assert_eq!(news["author"][0]["name"], "Ann Writer");
    assert_eq!(news["author"][0]["@type"], "Person");
    // The SVG lead image's 16:9, 4:3 and 1:1 crops, drawn as JPEGs (issue 16).
    let crops: Vec<&str> =
        news["image"].as_array().unwrap().iter().map(|i| i["url"].as_str().unwrap()).collect();
    assert_eq!(crops.len(), 3, "{crops:?}");
    for (crop, shape) in crops.iter().zip(["16x9", "4x3", "1x1"]) {
        assert!(crop.starts_with("https://example.com/images/pic."), "{crop}");
        assert!(crop.ends_with(&format!(".{shape}.jpg")), "{crop}");
    }
    assert_eq!(news["publisher"]["name"], "Fixture Times");
    assert_eq!(news["publisher"]["logo"]["url"], "https://example.com/images/pic.svg");
    assert_eq!(news["mainEntityOfPage"]["@id"], "https://example.com/world/alpha/");
    assert_eq!(news["articleSection"], "World");
    assert_eq!(news["keywords"], serde_json::json!(["Diplomacy", "trade", "ceasefire"]));

    let faq = of_type(&ld, "FAQPage");
    let questions = faq["mainEntity"].as_array().unwrap();
    let visible_answers = page.texts(".faq .answer");
    assert_eq!(questions.len(), 2);
    assert_eq!(visible_answers.len(), questions.len());
    for (q, visible) in questions.iter().zip(&visible_answers) {
        assert_eq!(q["@type"], "Question");
        assert_eq!(
            &q["acceptedAnswer"]["text"],
            visible.as_str(),
            "every answer is also on the page"
        );
    }
    assert_eq!(questions[0]["name"], "Why now?");

    let crumbs = of_type(&ld, "BreadcrumbList")["itemListElement"].as_array().unwrap().clone();
    let names: Vec<&str> = crumbs.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Home", "World", "Alpha: talks resume in the capital"]);
    assert_eq!(crumbs[1]["item"], "https://example.com/world/");
    // An article without questions has no FAQPage; without authors, the site author.
    let gamma = json_ld(&site.page("/economy/gamma/"));
    assert!(gamma["@graph"].as_array().unwrap().iter().all(|n| n["@type"] != "FAQPage"));
    assert_eq!(of_type(&gamma, "NewsArticle")["author"][0]["name"], "Fixture Desk");
}

#[test]
fn structured_data_cannot_be_broken_out_of() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\n");
    let evil = r#"Evil </script><script>alert(1)</script> "quoted" & <!-- more"#;
    site.write(
        "content/evil.md",
        &format!(
            "---\ntitle: '{evil}'\ndate: 2026-01-01\nsummary: '{evil}'\nfaq:\n  - question: '{evil}'\n    answer: 'a </script> b'\n---\n\nBody.\n"
        ),
    );
    site.build(&[]);
    let page = site.page("/news/evil/");
    assert_eq!(page.select("script").len(), 1, "no injected script element");
    let ld = json_ld(&page);
    assert_eq!(of_type(&ld, "NewsArticle")["headline"], evil);
    // Raw HTML in an answer is markup, not text: the visible answer and the structured
    // data agree on the text.
    assert_eq!(of_type(&ld, "FAQPage")["mainEntity"][0]["acceptedAnswer"]["text"], "a b");
    assert_eq!(page.texts(".faq .answer"), ["a b"]);
    assert_eq!(page.texts("h1"), [evil]);
    assert_eq!(meta(&page, "og:title"), [format!("{evil} | T")]);
}

#[test]
fn share_links_are_plain_urls_with_the_title_and_address() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/world/alpha/");
    let title = "Alpha: talks resume in the capital";
    let permalink = "https://example.com/world/alpha/";
    let shares = page.select(".share");
    assert_eq!(shares.len(), 2, "at the top and at the end");
    let hrefs = page.attrs(".share a", "href");
    assert_eq!(hrefs.len(), 10);
    let query = |href: &str| -> BTreeMap<String, String> {
        url::Url::parse(href)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    let by_host = |host: &str| {
        hrefs.iter().find(|h| h.contains(host)).unwrap_or_else(|| panic!("no {host} link"))
    };
    let x = query(by_host("x.com"));
    assert_eq!((x["text"].as_str(), x["url"].as_str()), (title, permalink));
    assert_eq!(query(by_host("facebook.com"))["u"], permalink);
    assert_eq!(query(by_host("linkedin.com"))["url"], permalink);
    assert_eq!(query(by_host("wa.me"))["text"], format!("{title} {permalink}"));
    let mail = query(by_host("mailto:"));
    assert_eq!((mail["subject"].as_str(), mail["body"].as_str()), (title, permalink));
    assert_eq!(page.select("script[src]").len(), 0, "no third-party script");
}

#[test]
fn home_has_a_lead_story_and_category_navigation_everywhere() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let home = site.page("/");
    assert_eq!(home.attrs(".lead-story-title a", "href"), ["/economy/gamma/"]);
    for url in ["/", "/world/alpha/", "/tags/", "/archive/2026/03/", "/search/"] {
        assert_eq!(
            site.page(url).texts("nav.sections li a"),
            ["Economy", "World", "News", "Search"],
            "{url}"
        );
    }
}

#[test]
fn author_and_archive_pages_list_their_articles() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    assert_eq!(
        site.page("/authors/ann-writer/").texts(".card-title"),
        ["Beta explainer", "Alpha: talks resume in the capital"]
    );
    assert_eq!(site.page("/authors/bo-reporter/").texts(".card-title"), ["Beta explainer"]);
    let archive = site.page("/archive/");
    assert_eq!(archive.texts(".archive-year h2"), ["2026 5"]);
    assert_eq!(archive.attrs(".archive-year h2 a", "href"), ["/archive/2026/"]);
    let year = site.page("/archive/2026/");
    assert_eq!(year.texts("h1"), ["2026"]);
    assert_eq!(year.texts(".archive-months li"), ["March 3", "February 1", "January 1"]);
    assert!(site.read("sitemap.xml").contains("https://example.com/archive/2026/</loc>"));
    assert_eq!(archive.texts(".archive-months li"), ["March 3", "February 1", "January 1"]);
    assert_eq!(
        archive.attrs(".archive-months a", "href"),
        ["/archive/2026/03/", "/archive/2026/02/", "/archive/2026/01/"]
    );
    assert_eq!(
        site.page("/archive/2026/03/").texts(".card-title"),
        ["Gamma and the rates", "Beta explainer"]
    );
    assert_eq!(
        site.page("/archive/2026/03/page/2/").texts(".card-title"),
        ["Alpha: talks resume in the capital"]
    );
}

#[test]
fn a_sub_path_site_has_no_broken_link_in_pages_feeds_or_sitemaps() {
    let site = Site::fixture("build/basic");
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    site.write("site.yaml", &yaml.replace("https://example.com/", "https://example.com/sub/"));
    site.build(&[]);
    // Served under /sub/: every href and src must start with /sub/ and hit a file.
    assert_eq!(broken_links(&site.out(), "/sub/"), Vec::<String>::new());
    let page = site.page("/world/alpha/");
    assert!(
        page.attrs("a[href]", "href")
            .iter()
            .filter(|h| h.starts_with('/'))
            .all(|h| h.starts_with("/sub/"))
    );
    assert_eq!(page.attrs("link[rel=canonical]", "href"), ["https://example.com/sub/world/alpha/"]);
    let feed = feed_rs::parser::parse(site.read("feed.xml").as_bytes()).unwrap();
    for entry in &feed.entries {
        assert!(
            served_file(&site.out(), "https://example.com/sub/", &entry.links[0].href).is_file()
        );
    }
    for loc in sitemap_locs(&site.read("sitemap.xml")).keys() {
        assert!(served_file(&site.out(), "https://example.com/sub/", loc).is_file(), "{loc}");
    }
    for doc in crate::search::search_docs(&site) {
        let url = doc["url"].as_str().unwrap();
        assert!(url.starts_with("/sub/"), "{url}");
        assert!(site.out().join(url.trim_start_matches("/sub/")).join("index.html").is_file());
    }
}

#[test]
fn base_url_flag_overrides_the_config() {
    let site = Site::fixture("build/basic");
    site.build(&["--base-url", "https://preview.example.net/x/"]);
    assert_eq!(broken_links(&site.out(), "/x/"), Vec::<String>::new());
    assert_eq!(
        site.page("/").attrs("link[rel=canonical]", "href"),
        ["https://preview.example.net/x/"]
    );
    let bad = site.run(&["build", "--base-url", "ftp://nope"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn search_index_lists_published_articles_with_their_fields() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let docs = crate::search::search_docs(&site);
    assert_eq!(docs.len(), 5);
    let alpha = docs.iter().find(|d| d["url"] == "/world/alpha/").unwrap();
    assert_eq!(alpha["title"], "Alpha: talks resume in the capital");
    assert_eq!(alpha["category"], "World");
    assert_eq!(alpha["date"], "2026-03-01");
    let page = site.page("/search/");
    assert_eq!(page.attrs("script[src]", "data-index"), ["/search/index.json"]);
    assert_eq!(text(page.one("label[for=search-input]")), "Search the explainers");
}
