//! "See also": the links computed from shared tags, as the built pages show them.
//!
//! The fixture has 7 published articles and a draft. Tag counts (df): rare1 on a, b, c;
//! mid on a, c, d, e; common on a, b, d, f, g; rare2 on g only.

use std::collections::HashSet;

use crate::support::{Page, Site, clean_build, tree_hashes};

/// Titles of the inline links, paired with the heading of the section each follows.
fn inline_links(page: &Page) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut last_heading = String::new();
    for element in page.select(".article-body > section > h2, .article-body > aside.see-also a") {
        match element.value().name() {
            "h2" => last_heading = crate::support::text(element),
            _ => out.push((last_heading.clone(), crate::support::text(element))),
        }
    }
    out
}

fn related(page: &Page) -> Vec<String> {
    page.texts(".related li > a")
}

fn built() -> Site {
    let site = Site::fixture("see_also/basic");
    site.build(&[]);
    site
}

#[test]
fn links_follow_the_score_and_the_placement_rule() {
    let site = built();
    let a = site.page("/x/a/");
    // b shares rare1 and common, d mid and common, e only mid; c is an editor's pick.
    // Six sections, three links: after sections round(6/4 i) = 2, 3, 5.
    assert_eq!(
        inline_links(&a),
        [
            ("Part 2".to_owned(), "Article b".to_owned()),
            ("Part 3".to_owned(), "Article d".to_owned()),
            ("Part 5".to_owned(), "Article e".to_owned()),
        ]
    );
    // Front matter links first, then the rest of the ranking: f and g tie on score and
    // date, so the smaller URL comes first.
    assert_eq!(related(&a), ["Editor pick C", "Elsewhere", "Article f", "Article g"]);
}

#[test]
fn equal_scores_go_to_the_newer_article() {
    let site = built();
    // g shares only `common` with a, b, d, f: a tie, broken by date (a is newest).
    // Four sections: positions 1, 2, 3.
    let g = site.page("/x/g/");
    let inline: Vec<String> = inline_links(&g).into_iter().map(|(_, t)| t).collect();
    assert_eq!(inline, ["Article a", "Article f", "Article d"]);
    assert_eq!(related(&g), ["Article b"]);
    // Five sections: positions round(1.25) = 1, round(2.5) = 3 (halves up), round(3.75) = 4.
    let f = site.page("/x/f/");
    let placed: Vec<String> = inline_links(&f).into_iter().map(|(h, _)| h).collect();
    assert_eq!(placed, ["Part 1", "Part 3", "Part 4"]);
}

#[test]
fn short_articles_put_everything_in_the_end_block() {
    let site = built();
    // No sections: no inline links. One section: nothing goes after the last one.
    assert!(inline_links(&site.page("/x/e/")).is_empty());
    assert_eq!(related(&site.page("/x/e/")), ["Article a", "Article d", "Article c"]);
    assert!(inline_links(&site.page("/x/c/")).is_empty());
    assert_eq!(related(&site.page("/x/c/")), ["Article a", "Article b", "Article e", "Article d"]);
}

#[test]
fn inline_links_carry_the_see_also_class_and_the_end_list_the_related_class() {
    let site = built();
    let a = site.page("/x/a/");
    assert_eq!(a.select(".see-also").len(), 3);
    assert_eq!(a.attrs(".see-also a", "href"), ["/x/b/", "/x/d/", "/x/e/"]);
    assert_eq!(a.select(".related").len(), 1);
}

#[test]
fn no_article_links_itself_or_appears_twice() {
    let site = built();
    for name in ["a", "b", "c", "d", "e", "f", "g"] {
        let url = format!("/x/{name}/");
        let page = site.page(&url);
        let links = page.attrs(".see-also a, .related li > a", "href");
        assert!(!links.contains(&url), "{url} links itself: {links:?}");
        let unique: HashSet<&String> = links.iter().collect();
        assert_eq!(unique.len(), links.len(), "{url} repeats a link: {links:?}");
    }
}

#[test]
fn drafts_are_never_linked_even_in_a_drafts_build() {
    let site = Site::fixture("see_also/basic");
    site.build(&["--drafts"]);
    // h shares every tag with a, so it would rank first if drafts could be linked.
    for name in ["a", "b", "c", "d", "e", "f", "g"] {
        let links = site.page(&format!("/x/{name}/")).attrs(".see-also a, .related li > a", "href");
        assert!(!links.contains(&"/x/h/".to_owned()), "{name} links the draft: {links:?}");
    }
    // The draft itself gets links, to published articles. Three sections: positions
    // round(0.75) = 1, round(1.5) = 2, round(2.25) = 2 (a repeat, dropped). With N = 8,
    // c (rare1 + mid) outranks b (rare1 + common).
    let h = site.page("/x/h/");
    assert_eq!(
        inline_links(&h).into_iter().map(|(_, t)| t).collect::<Vec<_>>(),
        ["Article a", "Article c"]
    );
}

#[test]
fn two_builds_link_identically() {
    let one = built();
    let two = built();
    assert_eq!(tree_hashes(&one.out()), tree_hashes(&two.out()));
}

#[test]
fn tag_pages_list_related_topics() {
    let site = built();
    // `mid` appears with rare1 on a and c, with common on a and d.
    let mid = site.page("/tags/mid/");
    assert_eq!(mid.texts(".related-topics a"), ["common", "rare1"]);
    assert_eq!(site.page("/tags/rare2/").texts(".related-topics a"), ["common"]);
}

// With the build cache (issue 15), a rebuild takes the last builds' ranking only when
// every article's tags, draft state, `related:` links and sections are the same: an edit
// of one article must still change the links of the others.

const NOW: &str = "--now=2026-06-01T00:00:00Z";

/// The fixture built twice with its cache: the second build took the ranking kept.
fn cached() -> Site {
    let site = Site::fixture("see_also/basic");
    site.build(&["-q", NOW]);
    assert!(site.path().join(".gazette/see-also").is_file());
    site.build(&["-q", NOW]);
    site
}

/// Replaces `from` with `to` in `content/<name>.md`, rebuilds with the cache, and checks
/// the output is a `--no-cache` build's.
fn edit_and_rebuild(site: &Site, name: &str, from: &str, to: &str) {
    let rel = format!("content/{name}.md");
    let text = std::fs::read_to_string(site.path().join(&rel)).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    site.write(&rel, &text.replacen(from, to, 1));
    let out = site.build(&["-q", NOW]);
    assert_eq!(crate::support::notes(&out), Vec::<String>::new());
    assert_eq!(tree_hashes(&site.out()), clean_build(site, NOW));
}

fn inline_titles(site: &Site, url: &str) -> Vec<String> {
    inline_links(&site.page(url)).into_iter().map(|(_, t)| t).collect()
}

#[test]
fn issue_15_a_tag_added_to_one_article_changes_the_links_of_another() {
    let site = cached();
    assert_eq!(inline_titles(&site, "/x/g/"), ["Article a", "Article f", "Article d"]);
    // e now shares rare2, g's rarest tag, with g: it ranks first on g's page, whose
    // file did not change.
    edit_and_rebuild(&site, "e", "tags: [mid]", "tags: [mid, rare2]");
    assert_eq!(inline_titles(&site, "/x/g/"), ["Article e", "Article a", "Article f"]);
}

#[test]
fn issue_15_a_date_change_reorders_the_links_of_another() {
    let site = cached();
    // g's links share only `common`: a tie, broken by date. d becomes the newest.
    edit_and_rebuild(&site, "d", "date: 2026-01-04", "date: 2026-01-30");
    assert_eq!(inline_titles(&site, "/x/g/"), ["Article d", "Article a", "Article f"]);
}

#[test]
fn issue_15_a_draft_published_and_back_links_and_unlinks() {
    let site = cached();
    assert_eq!(inline_titles(&site, "/x/a/"), ["Article b", "Article d", "Article e"]);
    // h shares every tag with a: published, it ranks first.
    edit_and_rebuild(&site, "h", "draft: true\n", "");
    assert_eq!(inline_titles(&site, "/x/a/")[0], "Article h");
    // Back to the first build's inputs: the first ranking, kept beside the second.
    edit_and_rebuild(
        &site,
        "h",
        "summary: \"Summary h.\"\n",
        "summary: \"Summary h.\"\ndraft: true\n",
    );
    assert_eq!(inline_titles(&site, "/x/a/"), ["Article b", "Article d", "Article e"]);
}

#[test]
fn issue_15_a_related_link_added_removes_that_article_from_the_computed_ones() {
    let site = cached();
    assert_eq!(related(&site.page("/x/e/")), ["Article a", "Article d", "Article c"]);
    edit_and_rebuild(
        &site,
        "e",
        "tags: [mid]\n",
        "tags: [mid]\nrelated:\n  - title: \"Pick D\"\n    url: /x/d/\n",
    );
    assert_eq!(related(&site.page("/x/e/")), ["Pick D", "Article a", "Article c"]);
}

#[test]
fn issue_15_a_damaged_see_also_cache_is_ranked_again() {
    for spoil in [crate::support::flip_a_late_byte as fn(&[u8]) -> Vec<u8>, |b: &[u8]| {
        b[..b.len() / 2].to_vec()
    }] {
        let site = cached();
        let file = site.path().join(".gazette/see-also");
        let kept = std::fs::read(&file).unwrap();
        std::fs::write(&file, spoil(&kept)).unwrap();
        // An edit elsewhere, so that the pages are rendered from the ranking read.
        edit_and_rebuild(&site, "b", "Summary b.", "Summary of b.");
        assert_eq!(inline_titles(&site, "/x/a/"), ["Article b", "Article d", "Article e"]);
        // Made again and kept whole.
        assert_eq!(std::fs::read(&file).unwrap(), kept);
    }
}
