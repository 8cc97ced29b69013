use super::*;

fn parse(text: &str) -> Result<Parsed<'_>, Vec<Diagnostic>> {
    parse_article(Path::new("content/a.md"), text)
}

fn errors(text: &str) -> Vec<String> {
    parse(text).unwrap_err().iter().map(|d| d.to_string()).collect()
}

#[test]
fn splits_front_matter_and_body_with_the_body_line() {
    let p = parse("---\ntitle: T\ndate: 2026-01-02\n---\n\n## Intro\n").unwrap();
    assert_eq!(p.front.title, "T");
    assert_eq!(p.body, "\n## Intro\n");
    assert_eq!(p.body_line, 5);
}

#[test]
fn crlf_and_bom_are_accepted() {
    let p = parse("\u{feff}---\r\ntitle: T\r\ndate: 2026-01-02\r\n---\r\nBody\r\n").unwrap();
    assert_eq!(p.front.title, "T");
    assert_eq!(p.body_line, 5);
}

#[test]
fn missing_opening_fence_is_named() {
    assert_eq!(
        errors("title: T\n"),
        ["content/a.md:1:1: expected `---` on the first line, to open the front matter"]
    );
}

#[test]
fn missing_closing_fence_is_named() {
    assert_eq!(
        errors("---\ntitle: T\ndate: 2026-01-02\n"),
        ["content/a.md:1:1: the front matter opened here is never closed"]
    );
}

#[test]
fn yaml_lines_count_from_the_top_of_the_file() {
    assert_eq!(
        errors("---\ntitle: T\ndate: 2026-01-02\ntgas: [a]\n---\n"),
        ["content/a.md:4:1: unknown key `tgas`"]
    );
}

#[test]
fn bad_dates_point_at_their_value() {
    assert_eq!(
        errors("---\ntitle: T\ndate: 2024-02-30\nupdated: yesterday\n---\n"),
        [
            "content/a.md:3:7: date: `2024-02-30` is not a valid date",
            "content/a.md:4:10: updated: `yesterday` is not a date",
        ]
    );
    let problems = parse("---\ntitle: T\ndate: 2024-02-30\n---\n").unwrap_err();
    assert_eq!(
        problems[0].hint.as_deref(),
        Some("write a date like `2026-01-22` or `2026-01-22T21:30:00Z`")
    );
    let problems = parse("---\ntitle: T\ndate: 2026-01-02T10:00:00\n---\n").unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "content/a.md:3:7: date: `2026-01-02T10:00:00` has a time but no time zone"
    );
    assert_eq!(problems[0].hint.as_deref(), Some("add `Z` for UTC or an offset such as `+02:00`"));
}

#[test]
fn missing_title_points_at_the_opening_fence() {
    assert_eq!(
        errors("---\ndate: 2026-01-02\n---\n"),
        ["content/a.md:1: missing required key `title`"]
    );
}

#[test]
fn tags_are_unique_by_slug() {
    let p = parse(
        "---\ntitle: T\ndate: 2026-01-02\ntags: [Interest Rates, interest-rates, ECB]\n---\n",
    )
    .unwrap();
    let slugs: Vec<_> = p.front.tags.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(slugs, ["interest-rates", "ecb"]);
    assert_eq!(p.front.tags[0].name, "Interest Rates");
}

#[test]
fn author_takes_one_name_or_a_list() {
    let one = parse("---\ntitle: T\ndate: 2026-01-02\nauthor: Ann\n---\n").unwrap();
    assert_eq!(one.front.authors, ["Ann"]);
    let two = parse("---\ntitle: T\ndate: 2026-01-02\nauthor: [Ann, Bo]\n---\n").unwrap();
    assert_eq!(two.front.authors, ["Ann", "Bo"]);
    let bad = errors("---\ntitle: T\ndate: 2026-01-02\nauthor: {a: 1}\n---\n");
    assert!(bad[0].ends_with("author: expected a name or a list of names"), "{bad:?}");
}

#[test]
fn script_urls_in_related_links_are_errors_on_their_line() {
    let e = errors(
        "---\ntitle: T\ndate: 2026-01-02\nrelated:\n  - title: A\n    url: /a/\n  - title: B\n    url: javascript:alert(1)\n---\n",
    );
    assert_eq!(
        e,
        [
            "content/a.md:8:10: related: `javascript:alert(1)` is not allowed: only site paths, `https://`, `http://` and `mailto:` links are"
        ]
    );
}

#[test]
fn link_urls() {
    assert!(check_link_url("/a/b/").is_ok());
    assert!(check_link_url("https://x.org").is_ok());
    assert!(check_link_url("JavaScript:x").is_err());
    assert!(check_link_url("data:text/html,x").is_err());
    assert!(check_link_url("relative/").is_err());
}

#[test]
fn every_problem_of_a_file_is_reported() {
    let e = errors("---\ntitle: \"\"\ndate: nope\nimage: javascript:x\n---\n");
    assert_eq!(e.len(), 3, "{e:?}");
}

#[test]
fn every_problem_of_one_file_is_reported_at_once() {
    let text = "---\ntgas: [a]\ndate: 2024-02-30\nfaq:\n  - question: Q\n    anser: A\n\
                related:\n  - titel: R\n    url: /x/\nupdated: yesterday\n---\nBody\n";
    assert_eq!(
        errors(text),
        [
            "content/a.md:1: missing required key `title`",
            "content/a.md:2:1: unknown key `tgas`",
            "content/a.md:3:7: date: `2024-02-30` is not a valid date",
            "content/a.md:6:5: faq[0]: unknown key `anser`",
            "content/a.md:8:5: related[0]: unknown key `titel`",
            "content/a.md:10:10: updated: `yesterday` is not a date",
        ]
    );
}

#[test]
fn a_syntax_error_stops_at_itself() {
    assert_eq!(errors("---\ntitle: \"T\ndate: 2026-01-02\n---\n").len(), 1);
}

#[test]
fn each_tag_name_has_its_position() {
    let p = parse("---\ntitle: T\ndate: 2026-01-02\ntags: [interest-rates, \"rate\", RATE]\n---\n")
        .unwrap();
    // `RATE` is the same tag as `rate` (by slug) and is dropped.
    assert_eq!(p.front.lines.tag_names, [(4, 8), (4, 25)]);
    let p = parse("---\ntitle: T\ntags:\n  - alpha\n  - beta\ndate: 2026-01-02\n---\n").unwrap();
    assert_eq!(p.front.lines.tag_names, [(4, 5), (5, 5)]);
}

#[test]
fn a_file_with_problems_still_yields_what_could_be_read() {
    let text = "---\ntitle: T\ndate: 2024-02-30\nupdated: 2024-01-01\nautor: A\ntags: [a, b]\n\
                image: javascript:x\nrelated:\n  - title: R\n    url: /a/b/\n  - title: S\n    url: ftp://x\n---\nBody\n";
    let (parsed, problems) = parse_article_best_effort(Path::new("content/a.md"), text);
    let messages: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        [
            "content/a.md:3:7: date: `2024-02-30` is not a valid date",
            "content/a.md:5:1: unknown key `autor`",
            "content/a.md:7:8: image: `javascript:x` is not allowed: only site paths, `https://`, `http://` and `mailto:` links are",
            "content/a.md:12:10: related: `ftp://x` is not allowed: only site paths, `https://`, `http://` and `mailto:` links are",
        ]
    );
    let front = parsed.expect("the rest reads").front;
    let tags: Vec<&str> = front.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tags, ["a", "b"]);
    // A bad date stands in with no `updated`, so no check compares them; faulty links go.
    assert_eq!(front.updated, None);
    assert_eq!(front.image, None);
    assert_eq!(front.related.len(), 1);
    assert_eq!(front.lines.related, [(10, 10)]);
}

#[test]
fn newsroom_keys_are_read_with_their_positions() {
    let text = "---\ntitle: T\ndate: 2026-01-02\nseries: \"Ports\"\nexpires: 2026-06-01\naliases:\n  - /world/old\n  - \"/2019/port.html\"\ncorrections:\n  - date: 2026-01-03\n    text: Fixed.\nupdates:\n  - {date: 2026-01-04, text: Added.}\n---\n";
    let front = parse(text).unwrap().front;
    assert_eq!(front.series.as_deref(), Some("Ports"));
    assert_eq!(front.lines.series, (4, 10), "inside the quotes");
    assert_eq!(front.expires.map(|d| d.to_string()).as_deref(), Some("2026-06-01"));
    assert_eq!(front.aliases, ["/world/old/", "/2019/port.html"], "pages end with `/`, files not");
    assert_eq!(front.lines.aliases, [(7, 5), (8, 6)]);
    assert_eq!(front.corrections.len(), 1);
    assert_eq!(front.corrections[0].text, "Fixed.");
    assert_eq!(front.lines.corrections, [(10, 11)]);
    assert_eq!(front.updates[0].text, "Added.");
}

#[test]
fn aliases_must_be_plain_site_paths() {
    for (alias, reason) in [
        ("world/x", "is not a site path: start it with `/`"),
        ("//cdn.org/x", "is not a site path: start it with `/`"),
        ("/a/../b", "is not a plain site path: leave out `.` and `..`"),
        ("/a?b", "is not a plain site path: leave out `?`, `#`, spaces and quotes"),
        ("/", "is the front page"),
    ] {
        assert_eq!(alias_path(alias), Err(reason), "{alias}");
    }
}
