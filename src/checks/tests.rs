//! The checks on small sites built in memory, with the build's outputs given by hand.

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::config::parse_config;
use crate::error::Severity;
use crate::site::parse_document;

const SITE_YAML: &str = "title: T\nbase_url: https://example.com/\n";

/// A site of `articles` (path, text), with `yaml` added to a minimal site.yaml.
fn site(yaml: &str, articles: &[(&str, String)]) -> Site {
    let config = parse_config(Path::new("/nonexistent"), &format!("{SITE_YAML}{yaml}"))
        .expect("site.yaml parses");
    let documents = articles
        .iter()
        .map(|(rel, text)| {
            let doc = parse_document(Path::new(rel), text, &config, None, None)
                .unwrap_or_else(|problems| panic!("{rel}: {problems:?}"));
            Arc::new(doc)
        })
        .collect();
    let now = jiff::Timestamp::from_second(1_800_000_000).expect("in range");
    Site::assemble(config, documents, Vec::new(), now, &mut |_| {}).expect("the site assembles")
}

/// An article of the category World, dated 2026-01-02, with `front` added to its front
/// matter (lines 5 on: `---`, title, date and category come first) and `body`, which
/// starts on line `5 + front's lines + 2`.
fn article(title: &str, front: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2026-01-02\ncategory: World\n{front}---\n\n{body}\n")
}

/// What a build of `site` wrote: every article's page, and `more` files.
fn outputs(site: &Site, more: &[&str]) -> Outputs {
    let mut files: HashSet<String> =
        site.articles.iter().map(|a| format!("{}index.html", &a.url.as_str()[1..])).collect();
    files.extend(more.iter().map(|f| f.to_string()));
    Outputs { files, ..Default::default() }
}

/// The findings on the one article of `site`, in file order, without the site-wide tag
/// checks (a lone article's tags are all used once).
fn alone(site: &Site, outputs: &Outputs) -> Vec<Diagnostic> {
    assert_eq!(site.articles.len(), 1);
    let mut found = check_article_alone(site, &site.articles[0], outputs);
    sort(&mut found);
    found
}

/// Each finding as `severity path:line:col: message`.
fn shown(found: &[Diagnostic]) -> Vec<String> {
    found
        .iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            format!("{severity} {d}")
        })
        .collect()
}

/// Two tagged articles sharing their tag, so that tag warnings stay out of the way.
const TAGGED: &str = "tags: [rates]\n";

#[test]
fn links_resolve_to_output_files() {
    let site = site("", &[("content/world/alpha.md", article("Alpha", TAGGED, "Text."))]);
    let alpha = &site.articles[0];
    assert_eq!(alpha.url.as_str(), "/world/alpha/");
    let resolved = |path: &str| resolve(alpha, path);
    assert_eq!(resolved("/world/beta/").as_deref(), Some("world/beta/index.html"));
    assert_eq!(resolved("/").as_deref(), Some("index.html"));
    assert_eq!(resolved("").as_deref(), Some("world/alpha/index.html"), "the page itself");
    assert_eq!(resolved("/images/a.png").as_deref(), Some("images/a.png"));
    assert_eq!(resolved("chart.svg").as_deref(), Some("world/alpha/chart.svg"), "relative");
    assert_eq!(resolved("../beta/").as_deref(), Some("world/beta/index.html"));
    assert_eq!(resolved("/tags/rates/?page=2").as_deref(), Some("tags/rates/index.html"));
    assert_eq!(resolved("https://example.org/"), None, "another site");
    assert_eq!(resolved("mailto:desk@example.com"), None);
    assert_eq!(resolved("//cdn.example.org/x.js"), None);
    assert_eq!(site_path("world/beta/index.html"), "/world/beta/");
    assert_eq!(site_path("index.html"), "/");
    assert_eq!(site_path("images/a.png"), "/images/a.png");
}

#[test]
fn a_clean_site_has_no_findings() {
    let body = "See [beta](/world/beta/) and [its figures](/world/beta/#figures).";
    let site = site(
        "",
        &[
            ("content/world/alpha.md", article("Alpha", TAGGED, body)),
            ("content/world/beta.md", article("Beta", TAGGED, "## Figures\n\nNumbers.")),
        ],
    );
    let mut outputs = outputs(&site, &[]);
    let figures = HashSet::from(["figures".to_owned()]);
    outputs.ids.insert("world/beta/index.html".to_owned(), figures);
    assert_eq!(shown(&check_site(&site, &outputs)), Vec::<String>::new());
    // Only the anchored page's ids are needed.
    assert_eq!(anchored_pages(&site), HashSet::from(["world/beta/index.html".to_owned()]));
    let alpha = site.by_source(Path::new("content/world/alpha.md")).unwrap();
    let links = links_of(alpha);
    assert_eq!(links.all, ["world/beta/index.html", "world/beta/index.html"]);
    assert_eq!(links.anchored, ["world/beta/index.html"]);
    assert_eq!(anchors_of(alpha), ["world/beta/index.html"]);
}

#[test]
fn dead_links_are_errors_that_name_the_nearest_address() {
    let body = "[a typo](/world/betta/), [gone](/world/nothing-like-it/) and [pdf](/files/r.pdf).";
    let site = site(
        "",
        &[
            ("content/world/alpha.md", article("Alpha", TAGGED, body)),
            ("content/world/beta.md", article("Beta", TAGGED, "Text.")),
        ],
    );
    let found = check_site(&site, &outputs(&site, &["about/index.html"]));
    assert_eq!(
        shown(&found),
        [
            "error content/world/alpha.md:8:1: link to `/world/betta/` matches no page or file of the site",
            "error content/world/alpha.md:8:26: link to `/world/nothing-like-it/` matches no page or file of the site",
            "error content/world/alpha.md:8:62: link to `/files/r.pdf` matches no page or file of the site",
        ]
    );
    let hints: Vec<_> = found.iter().map(|d| d.hint.as_deref().unwrap()).collect();
    assert_eq!(
        hints,
        [
            "did you mean `/world/beta/`?",
            "check the address; site paths look like `/category/slug/`",
            "check the address; site paths look like `/category/slug/`",
        ]
    );
}

#[test]
fn a_link_to_a_page_without_its_slash_or_to_an_unparsed_file_passes() {
    let body = "[about](/about) and [draft](/world/broken/).";
    let site = site("", &[("content/world/alpha.md", article("Alpha", TAGGED, body))]);
    let mut outputs = outputs(&site, &["about/index.html"]);
    let found = alone(&site, &outputs);
    assert_eq!(
        shown(&found),
        [
            "error content/world/alpha.md:8:21: link to `/world/broken/` matches no page or file of the site"
        ]
    );
    // The file whose name makes that slug failed to parse: its own error says enough.
    outputs.unparsed.insert("broken".to_owned());
    assert_eq!(shown(&alone(&site, &outputs)), Vec::<String>::new());
}

#[test]
fn a_link_to_a_renamed_article_names_its_real_address() {
    let site = site(
        "",
        &[
            ("content/world/alpha.md", article("Alpha", TAGGED, "[b](/world/beta/).")),
            ("content/world/beta.md", article("Beta", &format!("{TAGGED}slug: second\n"), "B.")),
        ],
    );
    let found = check_site(&site, &outputs(&site, &[]));
    assert_eq!(found.len(), 1, "{:?}", shown(&found));
    assert_eq!(
        found[0].hint.as_deref(),
        Some("`content/world/beta.md` sets `slug: second`: its address is `/world/second/`")
    );
}

#[test]
fn anchors_that_match_no_id_are_errors_that_name_the_nearest_ids() {
    let body = "[x](/world/beta/#figure) and [y](#nowhere).";
    let site = site(
        "",
        &[
            ("content/world/alpha.md", article("Alpha", TAGGED, body)),
            ("content/world/beta.md", article("Beta", TAGGED, "Text.")),
        ],
    );
    let mut outputs = outputs(&site, &[]);
    let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
    outputs.ids.insert("world/beta/index.html".into(), ids(&["figures", "intro", "summary"]));
    outputs.ids.insert("world/alpha/index.html".into(), ids(&[]));
    let found = check_site(&site, &outputs);
    assert_eq!(
        shown(&found),
        [
            "error content/world/alpha.md:8:1: `#figure` matches no heading or anchor on `/world/beta/`",
            "error content/world/alpha.md:8:30: `#nowhere` matches no heading or anchor on this page",
        ]
    );
    assert_eq!(
        found[0].hint.as_deref(),
        Some("the ids on `/world/beta/` nearest to it: `#figures`, `#intro`, `#summary`")
    );
    assert_eq!(found[1].hint.as_deref(), Some("this page has no headings or anchors to link to"));
}

#[test]
fn links_that_run_code_and_related_links_to_the_article_itself_are_errors() {
    let front = format!("{TAGGED}related:\n  - title: Me\n    url: /world/alpha/\n");
    let body = "[click](javascript:alert(1))";
    let site = site("", &[("content/world/alpha.md", article("Alpha", &front, body))]);
    let found = alone(&site, &outputs(&site, &[]));
    assert_eq!(
        shown(&found),
        [
            "error content/world/alpha.md:8:10: this related link points at the article itself",
            "error content/world/alpha.md:11:1: link to `javascript:alert(1)` would run code",
        ]
    );
}

#[test]
fn images_without_alt_text_are_errors() {
    let front = format!("{TAGGED}image: /images/lead.png\n");
    let body = "![](/images/chart.png)";
    let site = site("", &[("content/world/alpha.md", article("Alpha", &front, body))]);
    let found = alone(&site, &outputs(&site, &["images/lead.png", "images/chart.png"]));
    assert_eq!(
        shown(&found),
        [
            "error content/world/alpha.md:6:8: lead image without alt text",
            "error content/world/alpha.md:9:1: image without alt text",
        ]
    );
    assert_eq!(
        found[1].hint.as_deref(),
        Some("describe the image between the brackets: `![A flooded street](...)`")
    );
}

#[test]
fn unanswered_questions_and_updates_before_the_date_are_errors() {
    let front =
        format!("{TAGGED}updated: 2026-01-01\nfaq:\n  - question: Why?\n    answer: \"\"\n");
    let site = site("", &[("content/world/alpha.md", article("Alpha", &front, "Text."))]);
    let found = alone(&site, &outputs(&site, &[]));
    assert_eq!(
        shown(&found),
        [
            "error content/world/alpha.md:6:10: updated `2026-01-01` is before the publication date `2026-01-02`",
            "error content/world/alpha.md:8:15: the question `Why?` has no answer",
        ]
    );
}

#[test]
fn overlong_summaries_are_warnings_against_the_limit_of_site_yaml() {
    let summary = |n: usize| format!("{TAGGED}summary: \"{}\"\n", "x".repeat(n));
    let articles = [
        ("content/world/alpha.md", article("Alpha", &summary(301), "Text.")),
        ("content/world/beta.md", article("Beta", &summary(300), "Text.")),
    ];
    let default = site("", &articles);
    let found = check_site(&default, &outputs(&default, &[]));
    assert_eq!(
        shown(&found),
        [
            "warning content/world/alpha.md:6:10: summary is 301 characters; at most 300 read well in listings"
        ]
    );
    let strict = site("check:\n  summary_max_chars: 200\n", &articles);
    let found = check_site(&strict, &outputs(&strict, &[]));
    assert_eq!(
        shown(&found),
        [
            "warning content/world/alpha.md:6:10: summary is 301 characters; at most 200 read well in listings",
            "warning content/world/beta.md:6:10: summary is 300 characters; at most 200 read well in listings",
        ]
    );
    // A summary taken from the first paragraph is never too long: gazette cuts it.
    let long_paragraph = "word ".repeat(200);
    let taken = site("", &[("content/world/alpha.md", article("Alpha", TAGGED, &long_paragraph))]);
    assert_eq!(shown(&alone(&taken, &outputs(&taken, &[]))), Vec::<String>::new());
}

#[test]
fn untagged_articles_and_one_off_tags_are_warnings() {
    let site = site(
        "",
        &[
            ("content/world/alpha.md", article("Alpha", "", "Text.")),
            ("content/world/beta.md", article("Beta", "tags: [rates, lonely]\n", "Text.")),
            ("content/world/gamma.md", article("Gamma", TAGGED, "Text.")),
        ],
    );
    let mut outputs = outputs(&site, &[]);
    let found = check_site(&site, &outputs);
    assert_eq!(
        shown(&found),
        [
            "warning content/world/alpha.md:1: article without tags",
            "warning content/world/beta.md:5:15: the tag `lonely` is used by this article only",
        ]
    );
    // An article whose front matter has errors is not also told it lacks tags.
    outputs.broken.insert("content/world/alpha.md".into());
    assert_eq!(check_site(&site, &outputs).len(), 1);
}

#[test]
fn a_tag_spelled_two_ways_is_a_warning_at_the_other_spelling() {
    let site = site(
        "",
        &[
            ("content/world/alpha.md", article("Alpha", "tags: [Interest Rates]\n", "A.")),
            ("content/world/beta.md", article("Beta", "tags: [interest rates]\n", "B.")),
        ],
    );
    let found = check_tags_alone(&site);
    assert_eq!(found.len(), 1, "{:?}", shown(&found));
    let d = &found[0];
    assert_eq!(d.severity, Severity::Warning);
    let (other, shown_as) = if d.at.path == Path::new("content/world/alpha.md") {
        ("Interest Rates", "interest rates")
    } else {
        ("interest rates", "Interest Rates")
    };
    assert_eq!(d.message, format!("the tag `{other}` is spelled `{shown_as}` elsewhere"));
    assert!(d.hint.as_deref().unwrap().starts_with(&format!("write `{shown_as}`")), "{d:?}");
}

#[test]
fn tags_without_letters_or_digits_are_errors() {
    let site = site(
        "",
        &[
            ("content/world/alpha.md", article("Alpha", "tags: [rates, \"!!!\"]\n", "A.")),
            ("content/world/beta.md", article("Beta", TAGGED, "B.")),
        ],
    );
    let found = check_site(&site, &outputs(&site, &[]));
    assert_eq!(
        shown(&found),
        ["error content/world/alpha.md:5:16: the tag `!!!` has no letters or digits"]
    );
    assert!(found[0].hint.as_deref().unwrap().contains("made-up address `/tags/"));
}

#[test]
fn a_category_site_yaml_does_not_list_is_a_warning_with_the_nearest() {
    let yaml = "categories:\n  Word: {}\n  Economy: {}\n";
    let articles = [
        ("content/world/alpha.md", article("Alpha", TAGGED, "A.")),
        (
            "content/world/beta.md",
            article("Beta", TAGGED, "B.").replace("category: World", "category: Economy"),
        ),
    ];
    let listed = site(yaml, &articles);
    let found = check_site(&listed, &outputs(&listed, &[]));
    assert_eq!(
        shown(&found),
        [
            "warning content/world/alpha.md:4:11: the category `World` is not listed under `categories:` in site.yaml"
        ]
    );
    assert_eq!(
        found[0].hint.as_deref(),
        Some("did you mean `Word`? A new category goes under `categories:` in site.yaml")
    );
    // Without `categories:`, any category is fine.
    let open = site("", &articles);
    assert!(check_site(&open, &outputs(&open, &[])).is_empty());
}

#[test]
fn findings_come_in_file_order() {
    let site = site(
        "",
        &[
            ("content/world/beta.md", article("Beta", "", "[x](/nowhere/)")),
            ("content/world/alpha.md", article("Alpha", "", "[x](/nowhere/)")),
        ],
    );
    let found = check_site(&site, &outputs(&site, &[]));
    let places: Vec<String> = found.iter().map(|d| d.at.to_string()).collect();
    assert_eq!(
        places,
        [
            "content/world/alpha.md:1",
            "content/world/alpha.md:7:1",
            "content/world/beta.md:1",
            "content/world/beta.md:7:1",
        ]
    );
}

#[test]
fn ids_are_read_from_html() {
    let html =
        br##"<h2 id="intro">I</h2><p data-id="no">x</p><a id="figures" href="#">y</a><b id=""></b>"##;
    let ids = collect_ids(html);
    assert_eq!(ids, HashSet::from(["intro".to_owned(), "figures".to_owned(), String::new()]));
    assert!(collect_ids(b"<p>no ids</p>").is_empty());
}

#[test]
fn long_addresses_are_shortened_in_messages() {
    assert_eq!(short("javascript:x"), "javascript:x");
    let long = format!("javascript:{}", "a".repeat(100));
    assert_eq!(short(&long), format!("{}...", &long[..60]));
}

// Per-file caps (issue 22).
fn problem(path: &str, line: usize, error: bool) -> Diagnostic {
    let at = Location::new(path, line).with_column(3);
    if error { Diagnostic::error(at, "bad") } else { Diagnostic::warning(at, "meh") }
}

#[test]
fn each_file_shows_its_first_problems_and_counts_the_rest() {
    let mut found: Vec<Diagnostic> = (1..=25).map(|i| problem("a.md", i, i % 5 != 0)).collect();
    found.extend((1..=3).map(|i| problem("b.md", i, true)));
    let kept = cap_per_file(found);
    assert_eq!(kept.len(), MAX_PROBLEMS_PER_FILE + 1 + 3);
    let more = &kept[MAX_PROBLEMS_PER_FILE];
    // Lines 21 to 25 are hidden: 25 is a warning, the others errors.
    assert_eq!(
        more.to_string(),
        "a.md:21:3: 5 more problem(s) in this file not shown (4 error(s), 1 warning(s)), the first one here"
    );
    assert_eq!(more.severity, Severity::Error);
    assert_eq!(
        more.hint.as_deref(),
        Some(
            "only the first 20 problems of a file are shown: fix them and check again to see the rest"
        )
    );
    assert!(kept[MAX_PROBLEMS_PER_FILE + 1..].iter().all(|d| d.at.path.ends_with("b.md")));
}

#[test]
fn hidden_warnings_alone_stay_a_warning() {
    let found: Vec<Diagnostic> = (1..=30).map(|i| problem("a.md", i, i <= 20)).collect();
    let kept = cap_per_file(found);
    assert_eq!(kept.len(), MAX_PROBLEMS_PER_FILE + 1);
    assert_eq!(kept[20].severity, Severity::Warning);
    assert!(
        kept[20]
            .message
            .starts_with("10 more problem(s) in this file not shown (0 error(s), 10 warning(s))")
    );
    // A file with no more than the cap is left alone.
    let found: Vec<Diagnostic> = (1..=20).map(|i| problem("a.md", i, true)).collect();
    assert_eq!(cap_per_file(found.clone()), found);
}

proptest::proptest! {
    /// The shortcut for plain site paths gives what the general walk gives, or nothing.
    #[test]
    fn plain_paths_resolve_as_the_walk_does(
        path in "[/a.%:b?#-]{0,12}|(/[a.%b-]{0,3}){0,4}/?",
    ) {
        if let Some(file) = plain_file(&path) {
            proptest::prop_assert_eq!(Some(file), walk("/world/alpha/", &path));
        }
    }
}

#[test]
fn plain_paths_take_the_shortcut() {
    assert_eq!(plain_file("/world/beta/").as_deref(), Some("world/beta/index.html"));
    assert_eq!(plain_file("/images/a.png").as_deref(), Some("images/a.png"));
    for other in ["/", "", "chart.svg", "/a/../b/", "/a/./b", "//cdn/x", "/a%20b/", "/a:b", "/a//"]
    {
        assert_eq!(plain_file(other), None, "{other}");
    }
}
