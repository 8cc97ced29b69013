//! `gazette new`: a new article with filled front matter, never overwriting.

use crate::support::{Site, stderr, stdout};

#[test]
fn new_writes_an_article_that_checks_and_builds() {
    let site = Site::fixture("check/clean");
    let out = site.run(&[
        "new",
        "Rates: what the cut means",
        "--category",
        "Economy",
        "--tags",
        "shared,rates",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "content/economy/rates-what-the-cut-means.md\n");
    let text =
        std::fs::read_to_string(site.path().join("content/economy/rates-what-the-cut-means.md"))
            .unwrap();
    let today = jiff::Zoned::now().date().to_string();
    assert!(text.starts_with(&format!(
        "---\ntitle: \"Rates: what the cut means\"\ndate: {today}\ncategory: \"Economy\"\ntags: [\"shared\", \"rates\"]\n"
    )), "{text}");
    for part in
        ["key_points:", "faq:", "## Introduction", "## Background", "## Conclusion", "draft: true"]
    {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    // It is a draft: check and build pass, and with --drafts it is built and checked too.
    let check = site.run(&["check", "--drafts"]);
    assert!(stderr(&check).contains("0 error(s)"), "{}", stderr(&check));
    site.build(&["--drafts"]);
    let page = site.page("/economy/rates-what-the-cut-means/");
    assert_eq!(page.texts("h1"), ["Rates: what the cut means"]);
    assert_eq!(page.select(".key-points li").len(), 3);
    assert_eq!(page.select(".faq details").len(), 2);
}

#[test]
fn new_uses_the_default_category_and_never_overwrites() {
    let site = Site::fixture("check/clean");
    let first = site.run(&["new", "Second look"]);
    assert_eq!(stdout(&first), "content/news/second-look.md\n");
    let path = site.path().join("content/news/second-look.md");
    std::fs::write(&path, "edited by hand").unwrap();
    let again = site.run(&["new", "Second look"]);
    // Issue 21: a file in the way is not a usage error: 1, not 2.
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stderr(&again),
        "error: `content/news/second-look.md` already exists; gazette never overwrites an article (choose another title, or edit that file)\n"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited by hand");
}

#[test]
fn new_writes_the_newsroom_keys_as_comments_that_work_once_uncommented() {
    let site = Site::fixture("check/clean");
    let out = site.run(&["new", "Port strike", "--category", "World"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = site.path().join("content/world/port-strike.md");
    let text = std::fs::read_to_string(&path).unwrap();
    for key in ["# series:", "# expires:", "# aliases:", "# corrections:", "# updates:"] {
        assert!(text.contains(key), "{key} missing:\n{text}");
    }
    // Uncommented, the lines are valid front matter (with dates after today's).
    let uncommented: String = text
        .lines()
        .map(|l| l.strip_prefix("# ").map_or(l.to_owned(), |key| key.replace("2026-", "2999-")))
        .map(|l| l + "\n")
        .collect();
    std::fs::write(&path, uncommented.replace("draft: true   # remove this line to publish\n", ""))
        .unwrap();
    let check = site.run(&["check"]);
    assert!(stderr(&check).contains(" 0 error(s)"), "{}", stderr(&check));
    site.build(&[]);
    let page = site.page("/world/port-strike/");
    assert_eq!(page.select(".notice-corrections li").len(), 1);
    assert_eq!(page.select(".notice-updates li").len(), 1);
    assert_eq!(page.texts(".series-box h2 a"), ["Name of the series"]);
    assert!(site.out().join("old/address/index.html").is_file());
}
