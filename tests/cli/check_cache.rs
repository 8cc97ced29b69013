//! The check cache (issue 15): a rebuild checks again only the articles whose checks'
//! inputs changed, and shows the same findings as a build without the cache; the parts
//! of a document only the checks and its own page read stay in the parse cache until
//! used, and a damaged one gives a full, correct build.

use crate::support::{Site, clean_build, notes, stderr, tree_hashes};

const NOW: &str = "--now=2026-06-01T00:00:00Z";

/// The fixture site, with findings of both kinds: a summary too long (kept by the cache)
/// and, once `economy/gamma.md` is gone, a link to it that leads nowhere (whose hint is
/// made from the whole site, so never kept). Its files are old enough for their times to
/// be trusted (see `parse_cache::settled_site`).
fn site_with_findings() -> Site {
    let site = Site::fixture("build/basic");
    let long = "Delta summary that goes on. ".repeat(14);
    site.write(
        "content/economy/delta.md",
        &format!(
            "---\ntitle: Delta, older\ndate: 2026-02-01\ncategory: Economy\ntags: [rates]\n\
             summary: \"{}\"\n---\n\nDelta body.\n",
            long.trim()
        ),
    );
    site.write(
        "content/misc/epsilon.md",
        "---\ntitle: Epsilon without a category\ndate: 2026-01-15\ntags: [trade]\n\
         summary: Epsilon summary.\n---\n\nEpsilon body, after [Gamma](/economy/gamma/).\n",
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    site
}

/// What `build --timings` says of the checks: (articles checked, articles).
fn checked(out: &std::process::Output) -> (usize, usize) {
    crate::support::timings_count(out, "articles checked")
}

/// What a build printed but for its timings and counts: its findings, as warnings.
fn findings(out: &std::process::Output) -> String {
    let timing = |l: &str| {
        l.ends_with(" ms")
            || [
                "articles parsed:",
                "article files read:",
                "articles checked:",
                "search index blocks",
                "search index shards",
                "article pages kept",
                "listing pages kept",
                "files linked:",
            ]
            .iter()
            .any(|t| l.trim_start().starts_with(t))
    };
    stderr(out).lines().filter(|l| !timing(l)).collect::<Vec<_>>().join("\n")
}

/// What a `--no-cache` build of the site's current files prints.
fn uncached_findings(site: &Site) -> String {
    let _ = std::fs::remove_dir_all(site.path().join("uncached"));
    findings(&site.build(&["--no-cache", "-q", NOW, "--output", "uncached"]))
}

#[test]
fn issue_15_a_rebuild_checks_only_what_changed_and_shows_the_same_findings() {
    let site = site_with_findings();
    let first = site.build(&["-q", "--timings", NOW]);
    let (all_checked, articles) = checked(&first);
    assert_eq!(all_checked, articles, "nothing kept yet");
    let shown = findings(&first);
    assert!(shown.contains("summary is 391 characters"), "{shown}");
    assert_eq!(shown, uncached_findings(&site));
    // Nothing changed: only `world/alpha.md` is checked (its parse looked at an image,
    // so it has no digest), and the findings are the same, the kept one included.
    let again = site.build(&["-q", "--timings", NOW]);
    assert_eq!(checked(&again), (1, articles));
    assert_eq!(findings(&again), shown);
    // `check` reads the same cache: what it finds is what it finds without it.
    let check = |more: &[&str]| {
        let mut args = vec!["check", "--format", "json", NOW];
        args.extend_from_slice(more);
        crate::support::stdout(&site.run(&args))
    };
    let report = check(&[]);
    assert!(report.contains("summary is 391 characters"), "{report}");
    assert_eq!(report, check(&["--no-cache"]));
    // One body edited: that article too.
    let beta = site.path().join("content/world/beta.md");
    let text = std::fs::read_to_string(&beta).unwrap();
    std::fs::write(&beta, text.replace("Beta body.", "Beta body, edited.")).unwrap();
    let edited = site.build(&["-q", "--timings", NOW]);
    assert_eq!(checked(&edited), (2, articles));
    assert_eq!(findings(&edited), shown);
    // Gamma gone: the site's files changed, so every article is checked again, and the
    // link of `misc/epsilon.md`, which did not change, now leads nowhere.
    site.remove("content/economy/gamma.md");
    let gone = site.build(&["-q", "--timings", NOW]);
    assert_eq!(checked(&gone), (articles - 1, articles - 1));
    let dead = findings(&gone);
    // The one warning not of the checks: the page gone since the last build (not
    // shown by a build into a new folder).
    let moved = "\nwarning: the previous build had a page at `/economy/gamma/`";
    let (dead, was_moved) = dead.split_once(moved).expect("the page gone is shown");
    assert!(was_moved.contains("add `aliases:"), "{was_moved}");
    assert!(dead.contains("link to `/economy/gamma/` matches no page"), "{dead}");
    assert!(dead.contains("summary is 391 characters"), "{dead}");
    assert_eq!(dead, uncached_findings(&site));
    // The dead link's hint is made from the whole site: that article is checked on every
    // build, beside `world/alpha.md`.
    let after = site.build(&["-q", "--timings", NOW]);
    assert_eq!(checked(&after), (2, articles - 1));
    assert_eq!(findings(&after), dead);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
fn issue_15_a_damaged_check_cache_checks_every_article() {
    let site = site_with_findings();
    let first = site.build(&["-q", "--timings", NOW]);
    let articles = checked(&first).1;
    let file = site.path().join(".gazette/checks");
    let bytes = std::fs::read(&file).unwrap();
    for (what, spoiled) in [
        ("one bit flipped", crate::support::flip_a_late_byte(&bytes)),
        ("cut short", bytes[..bytes.len() / 2].to_vec()),
        ("garbage", b"\x00\xffnot a cache at all\n".to_vec()),
    ] {
        std::fs::write(&file, spoiled).unwrap();
        let out = site.build(&["-q", "--timings", NOW]);
        assert_eq!(checked(&out), (articles, articles), "{what}");
        assert_eq!(findings(&out), findings(&first), "{what}");
        // Written anew: the build after takes the findings from it.
        let out = site.build(&["-q", "--timings", NOW]);
        assert_eq!(checked(&out), (1, articles), "{what}");
    }
}

/// Flips one bit of the last `needle` in the parse cache of `site` (records are in file
/// order, and a document's parts come last in its record).
fn damage_parse_cache(site: &Site, needle: &str) {
    let cache = site.path().join(".gazette/parse-cache");
    let mut bytes = std::fs::read(&cache).unwrap();
    let at = bytes.windows(needle.len()).rposition(|w| w == needle.as_bytes()).unwrap();
    bytes[at + 3] ^= 0x20;
    std::fs::write(&cache, bytes).unwrap();
}

/// `world/beta.md` with a question, and links: parts the parse cache keeps apart. One
/// link would run code, a finding of its checks that the check cache keeps.
fn site_with_a_question() -> Site {
    let site = Site::fixture("build/basic");
    site.write(
        "content/world/beta.md",
        "---\ntitle: Beta explainer\ndate: 2026-03-02\ncategory: World\ntags: [diplomacy]\n\
         summary: Beta summary.\nauthor: [Ann Writer, Bo Reporter]\nfaq:\n  - question: \
         \"Why beta?\"\n    answer: \"Because beta answers.\"\n---\n\n## Introduction\n\n\
         Beta body, after [Delta](/economy/delta/) and [a script](javascript:void(0)).\n",
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    site
}

/// The next build gives one notice about the parse cache, parses every article, and
/// makes a clean build's output and findings.
fn full_build_with_one_notice(site: &Site) {
    let out = site.build(&["-q", "--timings", NOW]);
    assert_eq!(
        notes(&out),
        ["note: the parse cache `.gazette/parse-cache` is damaged; parsing every article"]
    );
    assert!(stderr(&out).contains("articles parsed: 6 of 6"), "{}", stderr(&out));
    assert!(site.read("world/beta/index.html").contains("Because beta answers."));
    let shown = findings(&out);
    assert!(shown.contains("link to `javascript:void(0)` would run code"), "{shown}");
    let shown: Vec<&str> = shown.lines().filter(|l| !l.starts_with("note:")).collect();
    assert_eq!(shown.join("\n"), uncached_findings(site));
    assert_eq!(tree_hashes(&site.out()), clean_build(site, NOW));
}

#[test]
fn issue_15_a_question_damaged_in_the_parse_cache_gives_one_notice_and_a_full_build() {
    let site = site_with_a_question();
    site.build(&["-q", NOW]);
    site.build(&["-q", NOW]);
    // Beta's question is read only when its page renders: its page is gone, so it is.
    damage_parse_cache(&site, "Because beta answers.");
    std::fs::remove_file(site.out().join("world/beta/index.html")).unwrap();
    full_build_with_one_notice(&site);
}

#[test]
fn issue_15_a_link_damaged_in_the_parse_cache_and_read_by_the_checks_gives_a_full_build() {
    let site = site_with_a_question();
    site.build(&["-q", NOW]);
    site.build(&["-q", NOW]);
    // Beta's links are read by its checks only, and these run again when the site's
    // files change: a new file, and the checks read the damaged links once the output
    // is in place. The build is made again, and what the damaged links gave (no
    // finding) is not kept for it: it shows the finding of the link that runs code.
    damage_parse_cache(&site, "javascript:void(0)");
    site.write("content/files/more.csv", "a,b\n");
    full_build_with_one_notice(&site);
}
