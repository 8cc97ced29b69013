//! Hostile input and faults: nothing written outside the output, nothing injected,
//! nothing lost, no crash.

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::{Site, stderr, text, tree_hashes};

const SITE: &str = "title: Hostile Times\nbase_url: https://example.com/\n";

/// Every file and folder under `dir`, relative.
fn listing(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    all.sort();
    all
}

/// Resolves `.` and `..` in `path` by its text alone.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn hostile_names_give_safe_slugs_and_stay_inside_the_output() {
    // The site lies a few folders deep in a temp folder of the test's own, so every path
    // a hostile name spells from the output (`output/../../outside`) lies inside it too:
    // nothing else on the machine decides whether the test passes.
    let holder = tempfile::tempdir().unwrap();
    let root = holder.path().join("a/b/c/site");
    let out_dir = root.join("output");
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("site.yaml", SITE);
    let long = "x".repeat(1000);
    let cases = [
        (
            "dots",
            r#"title: "../../etc/passwd"
slug: "../../../tmp/evil"
category: "../../outside"
tags: ["../..", "/", "\\", "a/b"]"#,
        ),
        (
            "controls",
            "title: \"nul \\0 bell \\a tab \\t\"\ncategory: \"\\u0001\\u007f\"\ntags: [\"\\0\"]",
        ),
        (
            "rtl",
            "title: \"\u{202e}gnp.exe \u{5e9}\u{5dc}\u{5d5}\u{5dd}\"\ncategory: \"\u{627}\u{644}\u{639}\u{631}\u{628}\u{64a}\u{629}\"\ntags: [\"\u{5e9}\u{5dc}\u{5d5}\u{5dd}\"]",
        ),
        ("emoji", "title: \"🚀🔥\"\nslug: \"🚀\"\ncategory: \"🌍\"\ntags: [\"🔥\", \"💧\"]"),
        (
            "slashes",
            "title: \"Slashes\"\nslug: \"/etc/evil\\\\..\\\\x\\0y\"\ncategory: \"..\\\\..\\\\evil\"\ntags: [\"/\"]",
        ),
        (
            "long",
            &format!(
                "title: \"{long}\"\nslug: \"{long}\"\ncategory: \"{long}\"\ntags: [\"{long}\"]"
            ),
        ),
    ];
    for (file, front) in cases {
        write(
            &format!("content/{file}.md"),
            &format!("---\n{front}\ndate: 2026-01-01\n---\n\nBody.\n"),
        );
    }
    let before: Vec<String> = listing(holder.path());
    let out = crate::support::gazette(&root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Nothing new anywhere in the test's folder but under the output, and the build,
    // parse, check, see-also and search index caches in gazette's own folder (issue 15).
    let (own, after): (Vec<String>, Vec<String>) = listing(holder.path())
        .into_iter()
        .filter(|p| !p.starts_with("a/b/c/site/output"))
        .partition(|p| p.starts_with("a/b/c/site/.gazette"));
    assert_eq!(after, before);
    assert_eq!(
        own,
        [
            ".gazette",
            ".gazette/.gitignore",
            ".gazette/build-cache",
            ".gazette/build-cache.lock",
            ".gazette/checks",
            ".gazette/index-en",
            ".gazette/index-en/0.bin",
            ".gazette/parse-cache",
            ".gazette/see-also"
        ]
        .map(|p| format!("a/b/c/site/{p}"))
    );
    for path in listing(&out_dir) {
        for segment in path.split('/') {
            assert!(segment.len() <= 255, "{path}");
            assert!(!segment.is_empty() && segment != ".." && segment != ".", "{path}");
            assert!(
                segment
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b)),
                "unsafe name `{segment}` in {path}"
            );
        }
    }
    // Each article has a page, and its title is shown as written.
    let pages: Vec<String> =
        listing(&out_dir).into_iter().filter(|p| p.ends_with("/index.html")).collect();
    let titles: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            let html = std::fs::read_to_string(out_dir.join(p)).unwrap();
            crate::support::Page(scraper::Html::parse_document(&html)).texts("article h1")
        })
        .collect();
    assert!(titles.contains(&"../../etc/passwd".to_owned()), "{titles:?}");
    assert!(titles.contains(&"🚀🔥".to_owned()), "{titles:?}");
    assert!(titles.contains(&"Slashes".to_owned()), "{titles:?}");
    assert_eq!(titles.len(), cases.len(), "one page per article: {titles:?}");
    // The paths the names spell, taken literally from the output folder, hold nothing;
    // each lies inside the test's folder, so the listing above covers it as well.
    for escape in ["../../../tmp/evil", "../../outside", "../../etc/passwd", "/etc/evil"] {
        let target = out_dir.join(escape.trim_start_matches('/'));
        assert!(lexical(&target).starts_with(holder.path()), "{escape}");
        assert!(!target.exists(), "{escape}");
    }
}

#[test]
fn symlinks_leaving_the_site_are_skipped_with_a_warning() {
    let site = Site::empty(SITE);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "---\ntitle: Secret\ndate: 2026-01-01\n---\nsecret\n",
    )
    .unwrap();
    std::fs::write(outside.path().join("passwords.txt"), "hunter2").unwrap();
    site.write("content/fine.md", "---\ntitle: Fine\ndate: 2026-01-01\ntags: [a]\n---\nFine.\n");
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        site.path().join("content/secret.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("passwords.txt"),
        site.path().join("content/passwords.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path().join("content/elsewhere")).unwrap();
    let out = site.build(&[]);
    let err = stderr(&out);
    for name in ["content/secret.md", "content/passwords.txt", "content/elsewhere"] {
        assert!(err.contains(&format!("--> {name}:1")), "{name} not named:\n{err}");
    }
    assert_eq!(
        err.matches("warning: symlink skipped: it points outside the site folder").count(),
        3,
        "{err}"
    );
    assert!(!site.out().join("passwords.txt").exists());
    assert!(!site.out().join("news/secret").exists());
    assert!(site.out().join("news/fine/index.html").is_file());
}

#[test]
fn front_matter_is_escaped_in_every_html_context() {
    let site = Site::empty(SITE);
    let evil = r#"</title><script>alert(1)</script>"><img src=x onerror=alert(2)>'"#;
    site.write(
        "content/evil.md",
        &format!(
            "---\ntitle: '{e}'\ndate: 2026-01-01\ncategory: '{e}'\ntags: ['{e}', plain]\nsummary: '{e}'\nauthor: '{e}'\nimage: /x.png\nimage_alt: '{e}'\nimage_caption: '{e}'\nimage_credit: '{e}'\nfaq:\n  - question: '{e}'\n    answer: 'Fine.'\nrelated:\n  - title: '{e}'\n    url: /elsewhere/\n---\n\n## Introduction\n\nBody.\n",
            e = evil.replace('\'', "''")
        ),
    );
    site.write(
        "content/other.md",
        "---\ntitle: Other\ndate: 2026-01-02\ntags: [plain]\n---\nOther.\n",
    );
    // A lead image that is no file of the site fails the build (issue 16).
    std::fs::write(site.path().join("content/x.png"), crate::images::png(40, 30)).unwrap();
    site.build(&[]);
    let article = std::fs::read_to_string(
        walkdir::WalkDir::new(site.out())
            .into_iter()
            .map(Result::unwrap)
            .find(|e| {
                e.file_name() == "index.html"
                    && std::fs::read_to_string(e.path())
                        .unwrap()
                        .contains("og:type\" content=\"article")
            })
            .unwrap()
            .path(),
    )
    .unwrap();
    let page = crate::support::Page(scraper::Html::parse_document(&article));
    // The only scripts are the page's own: structured data, nothing injected.
    let scripts: Vec<String> = page
        .select("script")
        .into_iter()
        .map(|s| s.value().attr("type").unwrap_or("").to_owned())
        .collect();
    assert_eq!(scripts, ["application/ld+json"]);
    assert!(page.select("img[onerror]").is_empty());
    // Text contexts show the value as written; attribute contexts hold it whole.
    assert_eq!(page.texts("h1"), [evil]);
    assert_eq!(page.texts(".standfirst"), [evil]);
    assert_eq!(text(page.one("title")), format!("{evil} | Hostile Times"));
    assert_eq!(
        page.attrs("meta[property='og:title']", "content"),
        [format!("{evil} | Hostile Times")]
    );
    assert_eq!(page.attrs("meta[name=description]", "content"), [evil]);
    assert_eq!(page.attrs(".lead-image img", "alt"), [evil]);
    assert_eq!(page.texts(".lead-image .credit"), [evil]);
    assert!(page.texts(".tags a").contains(&evil.to_owned()));
    assert!(page.texts(".faq summary").contains(&evil.to_owned()));
    assert!(page.texts(".related a").contains(&evil.to_owned()));
    let ld: serde_json::Value = serde_json::from_str(&page.one("script").inner_html()).unwrap();
    assert_eq!(ld["@graph"][0]["headline"], evil);
    // Feeds and sitemaps stay well-formed XML.
    roxmltree::Document::parse(&site.read("feed.xml")).expect("feed parses");
    roxmltree::Document::parse(&site.read("sitemap.xml")).expect("sitemap parses");
}

#[test]
fn script_and_data_urls_are_errors() {
    for url in [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "file:///etc/passwd",
    ] {
        let site = Site::empty(SITE);
        site.write(
            "content/a.md",
            &format!("---\ntitle: A\ndate: 2026-01-01\nrelated:\n  - title: X\n    url: \"{url}\"\n---\nA.\n"),
        );
        let out = site.run(&["build"]);
        assert_eq!(out.status.code(), Some(1), "{url}");
        assert!(
            stderr(&out).contains("is not allowed: only site paths"),
            "{url}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn raw_html_is_kept_by_default_and_stripped_when_asked() {
    let body = "---\ntitle: A\ndate: 2026-01-01\ntags: [a]\nkey_points:\n  - \"Point: <b onclick=x>bold</b>\"\n---\n\n## Intro\n\n<div class=\"embed\"><iframe src=\"https://example.org/\"></iframe></div>\n\nText with <script>alert(1)</script> and <b>bold</b>.\n";
    let kept = Site::empty(SITE);
    kept.write("content/a.md", body);
    kept.build(&[]);
    let page = kept.page("/news/a/");
    assert_eq!(page.select(".article-body iframe").len(), 1);

    let stripped = Site::empty(&format!("{SITE}markdown:\n  unsafe_html: false\n"));
    stripped.write("content/a.md", body);
    stripped.build(&[]);
    let page = stripped.page("/news/a/");
    assert!(
        page.select(
            ".article-body iframe, .article-body script, .article-body div.embed, .article-body b"
        )
        .is_empty()
    );
    assert!(page.select(".key-points b").is_empty());
    assert!(page.texts(".article-body").concat().contains("Text with"));
}

/// Builds a site of `n` articles.
fn big_site(n: usize) -> Site {
    let site = Site::empty(SITE);
    for i in 0..n {
        site.write(
            &format!("content/a{i:04}.md"),
            &format!("---\ntitle: Article {i}\ndate: 2026-01-{:02}\ntags: [t{}, t{}]\n---\n\n## One\n\n{}\n\n## Two\n\nMore.\n", i % 28 + 1, i % 7, i % 11, "Words here. ".repeat(50)),
        );
    }
    site
}

#[test]
fn killed_builds_never_leave_a_half_written_output() {
    let site = big_site(300);
    site.build(&[]);
    let old = tree_hashes(&site.out());
    // A second version of the site, to tell which build a folder holds.
    site.write(
        "content/a0000.md",
        "---\ntitle: Changed\ndate: 2026-02-01\ntags: [t0]\n---\n\nChanged.\n",
    );
    let started = Instant::now();
    let full = crate::support::gazette(site.path(), &["build", "--quiet"]);
    assert!(full.status.success());
    let build_time = started.elapsed();
    let new = tree_hashes(&site.out());
    assert_ne!(old, new);
    // Put the old build back, by building the old content, then kill builds of the new.
    site.write("content/a0000.md", &format!("---\ntitle: Article 0\ndate: 2026-01-01\ntags: [t0, t0]\n---\n\n## One\n\n{}\n\n## Two\n\nMore.\n", "Words here. ".repeat(50)));
    site.build(&[]);
    let old = tree_hashes(&site.out());
    site.write(
        "content/a0000.md",
        "---\ntitle: Changed\ndate: 2026-02-01\ntags: [t0]\n---\n\nChanged.\n",
    );
    let mut seen_old = 0;
    let mut seen_new = 0;
    // Delays spread over the whole build, seeded so failures can be replayed.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    // On a loaded machine the first build may have been slow: each kill that lands after
    // the swap shortens the range, so some builds are always killed before it.
    let mut range = build_time.as_micros() as u64 * 12 / 10 + 1;
    let mut round = 0;
    while round < 20 || (seen_old == 0 && round < 60) {
        round += 1;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(seed % range);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gazette"))
            .current_dir(site.path())
            .args(["build", "--quiet"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = tree_hashes(&site.out());
        if now == old {
            seen_old += 1;
        } else if now == new {
            seen_new += 1;
            range = range * 7 / 10 + 1;
            // Start the next round from the old build again.
            site.write("content/a0000.md", &format!("---\ntitle: Article 0\ndate: 2026-01-01\ntags: [t0, t0]\n---\n\n## One\n\n{}\n\n## Two\n\nMore.\n", "Words here. ".repeat(50)));
            site.build(&[]);
            assert_eq!(tree_hashes(&site.out()), old);
            site.write(
                "content/a0000.md",
                "---\ntitle: Changed\ndate: 2026-02-01\ntags: [t0]\n---\n\nChanged.\n",
            );
        } else {
            panic!(
                "round {round}, killed after {delay:?}: output/ is neither the old nor the new build"
            );
        }
    }
    assert_eq!(seen_old + seen_new, round);
    assert!(seen_old > 0, "no build was killed before its swap: the test proves nothing");
    // The next build cleans what killed builds left and succeeds.
    site.build(&[]);
    assert_eq!(tree_hashes(&site.out()), new);
    let leftovers: Vec<String> =
        listing(site.path()).into_iter().filter(|p| p.contains("staging")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Mounts a small tmpfs at `dir` when running as root (CI does); `None` elsewhere.
fn small_tmpfs(dir: &Path, size: &str) -> Option<Mount> {
    std::fs::create_dir_all(dir).unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", dir.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| Mount(dir.to_owned()))
}

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_keeps_the_old_output() {
    let site = big_site(40);
    let disk = site.path().join("disk");
    let mount = small_tmpfs(&disk, "2m");
    let out_dir = disk.join("output");
    let out_arg = out_dir.to_str().unwrap().to_owned();
    site.build(&["--output", &out_arg]);
    let old = tree_hashes(&out_dir);
    // Make the next build much bigger than the space left.
    for i in 0..40 {
        site.write(
            &format!("content/a{i:04}.md"),
            &format!(
                "---\ntitle: Article {i}\ndate: 2026-01-01\ntags: [t]\n---\n\n{}\n",
                "Much longer text. ".repeat(8000)
            ),
        );
    }
    let out = if mount.is_some() {
        site.run(&["build", "--output", &out_arg])
    } else {
        // Not root: a file size limit makes writes fail the same way.
        let bin = assert_cmd::cargo::cargo_bin("gazette");
        let script = format!(
            "trap '' XFSZ; ulimit -f 64; exec '{}' build --output '{out_arg}'",
            bin.display()
        );
        std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .current_dir(site.path())
            .output()
            .unwrap()
    };
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: cannot access `"), "{err}");
    assert!(err.contains("no space left on device") || err.contains("file too large"), "{err}");
    assert_eq!(tree_hashes(&out_dir), old, "the old output is untouched");
    let leftovers: Vec<String> =
        listing(&disk).into_iter().filter(|p| p.contains("staging")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_unwritable_output_folder_is_a_clear_error_and_keeps_the_old_output() {
    let site = big_site(5);
    let disk = site.path().join("ro");
    let mount = small_tmpfs(&disk, "8m");
    let out_dir = disk.join("output");
    let out_arg = out_dir.to_str().unwrap().to_owned();
    site.build(&["--output", &out_arg]);
    let old = tree_hashes(&out_dir);
    site.write(
        "content/a0000.md",
        "---\ntitle: Changed\ndate: 2026-02-01\ntags: [t0]\n---\n\nChanged.\n",
    );
    if mount.is_some() {
        let remount = std::process::Command::new("mount")
            .args(["-o", "remount,ro", disk.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(remount.success());
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&disk, std::fs::Permissions::from_mode(0o555)).unwrap();
        // Root ignores permissions: where it cannot mount either, this machine cannot
        // make a folder unwritable, and the build would rightly succeed.
        if std::fs::write(disk.join("probe"), "x").is_ok() {
            eprintln!("skipped: no way to make a folder unwritable here (root without mount)");
            return;
        }
    }
    let out = site.run(&["build", "--output", &out_arg]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: cannot access `"), "{err}");
    assert!(err.contains("read-only file system") || err.contains("permission denied"), "{err}");
    assert_eq!(tree_hashes(&out_dir), old);
}

/// Builds one article with the given text; returns the output and how long it took.
fn build_one(text: &str) -> (std::process::Output, Duration, Site) {
    let site = Site::empty(SITE);
    site.write("content/a.md", text);
    let started = Instant::now();
    let out = site.run(&["build", "--quiet"]);
    (out, started.elapsed(), site)
}

// Abuse: each is built or refused with a clear error, without crashing. How long each
// takes is measured by bench/abuse.sh with a release build, not asserted here.

#[test]
fn a_20_mb_article_builds() {
    let paragraph = "The committee voted to hold rates while inflation eased. ".repeat(20);
    let body = format!("## Section\n\n{}", format!("{paragraph}\n\n").repeat(20)).repeat(900);
    assert!(body.len() > 20_000_000);
    let (out, _, site) =
        build_one(&format!("---\ntitle: Big\ndate: 2026-01-01\ntags: [a]\n---\n\n{body}"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(site.page("/news/a/").select(".body-section").len(), 900);
}

#[test]
fn fifty_thousand_tags_are_refused_clearly() {
    let tags: Vec<String> = (0..50_000).map(|i| format!("t{i}")).collect();
    let (out, _, _) = build_one(&format!(
        "---\ntitle: Tags\ndate: 2026-01-01\ntags: [{}]\n---\nBody.\n",
        tags.join(", ")
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .starts_with("error: tags: 50000 tags, at most 100 are allowed\n --> content/a.md:4:7"),
        "{}",
        &stderr(&out)[..300.min(stderr(&out).len())]
    );
}

#[test]
fn lists_and_quotes_nested_ten_thousand_deep_build() {
    for (name, body) in [
        ("quotes", "> ".repeat(10_000) + "deep"),
        ("lists", "- ".repeat(10_000) + "deep"),
        ("mixed", "> - ".repeat(5_000) + "deep"),
    ] {
        let (out, _, site) =
            build_one(&format!("---\ntitle: {name}\ndate: 2026-01-01\ntags: [a]\n---\n\n{body}\n"));
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(site.read("news/a/index.html").contains("deep"), "{name}");
    }
}

#[test]
fn a_megabyte_of_front_matter_builds_and_deep_yaml_is_refused() {
    let summary = "word ".repeat(200_000);
    let (out, _, _) = build_one(&format!(
        "---\ntitle: Big front\ndate: 2026-01-01\ntags: [a]\nsummary: \"{summary}\"\n---\nBody.\n"
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: summary is 999999 characters"),
        "the check still reports it"
    );

    // Deep YAML, flow and block, and an alias bomb: refused with the line, before
    // libyaml's scan (quadratic in the depth) or serde's expansion can take long.
    let flow = format!("extra: {{ x: {}{} }}", "[".repeat(100_000), "]".repeat(100_000));
    let block: String = (1..1400).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
    let block = format!("extra:\n{block}{}v: 1", "  ".repeat(1400));
    let mut bomb = String::from("extra:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9u8 {
        let (name, prev) = ((b'b' + i) as char, (b'a' + i) as char);
        bomb.push_str(&format!(
            "  {name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    let big_anchor = format!(
        "extra:\n  a: &big \"{}\"\n  b: [{}]",
        "x".repeat(500_000),
        vec!["*big"; 2_000].join(", ")
    );
    for (yaml, expected) in [
        (
            flow,
            "error: invalid YAML: lists and maps nest more than 64 deep here\n --> content/a.md:4:76",
        ),
        (block, "error: invalid YAML: values nest too deep here\n   --> content/a.md:"),
        (
            bomb,
            "error: invalid YAML: aliases (`*name`) repeat too much data\n  --> content/a.md:11:22",
        ),
        // Few repeats of a large anchor: refused by size before any is expanded.
        (
            big_anchor,
            "error: invalid YAML: aliases (`*name`) repeat too much data\n --> content/a.md:6:205",
        ),
    ] {
        let (out, _, _) =
            build_one(&format!("---\ntitle: Deep\ndate: 2026-01-01\n{yaml}\n---\nBody.\n"));
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.starts_with(expected), "{}", &err[..err.len().min(400)]);
        assert!(err.contains("= help: "), "{}", &err[..err.len().min(400)]);
    }
}

// ---- output folders: gazette replaces only what it wrote (issue 22) ----------------

/// Every file and folder under `dir`, with the hash of each file's bytes.
fn everything(dir: &Path) -> (Vec<String>, std::collections::BTreeMap<PathBuf, String>) {
    (listing(dir), tree_hashes(dir))
}

/// A site at `<holder>/site`: one article, so a build has work to do.
fn site_in(holder: &Path) -> PathBuf {
    let root = holder.join("site");
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("site.yaml"), SITE).unwrap();
    std::fs::write(
        root.join("content/a.md"),
        "---\ntitle: A\ndate: 2026-01-01\ntags: [a]\n---\n\nBody.\n",
    )
    .unwrap();
    root
}

/// Writes `files` (path, text) under `dir`.
fn fill(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

const MARKER: &str =
    "gazette output folder: every build replaces it whole, with what it adds deleted\n";

#[test]
fn an_output_folder_holding_a_repository_is_refused_and_left_byte_identical() {
    let holder = tempfile::tempdir().unwrap();
    let root = site_in(holder.path());
    let deploy = holder.path().join("deploy");
    fill(
        &deploy,
        &[
            (".git/HEAD", "ref: refs/heads/main\n"),
            (".git/config", "[core]\n\tbare = false\n"),
            (".git/objects/ab/cdef", "blob"),
            ("index.html", "<p>published by hand</p>"),
            // Even a folder gazette once built: the repository in it is not gazette's.
            (".gazette-output", MARKER),
        ],
    );
    let before = everything(holder.path());
    let out = crate::support::gazette(&root, &["build", "--output", "../deploy"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: refusing to use `../deploy` as the output folder: it holds `.git`, a repository that a build would delete
  |
  = help: choose an empty or new folder outside the repository; to publish through it, build elsewhere and copy the files in
"
    );
    assert_eq!(everything(holder.path()), before, "nothing written, nothing deleted");
    // `.hg` and `.svn` likewise, and `.git` as a file (a worktree or submodule).
    for (repository, is_file) in [(".hg", false), (".svn", false), (".git", true)] {
        let other = holder.path().join(format!("other{repository}"));
        if is_file {
            fill(&other, &[(".git", "gitdir: ../deploy/.git\n")]);
        } else {
            fill(&other, &[(&format!("{repository}/store"), "x")]);
        }
        let before = everything(holder.path());
        let arg = format!("../other{repository}");
        let out = crate::support::gazette(&root, &["build", "--output", &arg]);
        assert_eq!(out.status.code(), Some(1), "{repository}");
        assert!(
            stderr(&out).contains(&format!(
                "it holds `{repository}`, a repository that a build would delete"
            )),
            "{}",
            stderr(&out)
        );
        assert_eq!(everything(holder.path()), before, "{repository}");
    }
}

#[test]
fn an_output_folder_of_unrelated_files_is_refused_and_left_byte_identical() {
    let holder = tempfile::tempdir().unwrap();
    let root = site_in(holder.path());
    let precious = holder.path().join("precious");
    fill(
        &precious,
        &[("notes.txt", "mine"), ("photos/cat.jpg", "\u{1}\u{2}"), (".hidden", "also mine")],
    );
    let before = everything(holder.path());
    let out = crate::support::gazette(&root, &["build", "--output", "../precious"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: refusing to use `../precious` as the output folder: it holds files gazette did not write, such as `.hidden`
  |
  = help: gazette replaces only empty folders and folders it built (they hold a `.gazette-output` file): choose an empty or new folder, or delete `../precious` yourself
"
    );
    assert_eq!(everything(holder.path()), before);
    // The site's parent and the site itself, as before.
    for (bad, why) in [("..", "it holds the site folder"), (".", "it is the site folder itself")] {
        let out = crate::support::gazette(&root, &["build", "--output", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(
            stderr(&out).starts_with(&format!(
                "error: refusing to use `{bad}` as the output folder: {why}\n"
            )),
            "{}",
            stderr(&out)
        );
        assert_eq!(everything(holder.path()), before, "{bad}");
    }
}

#[test]
fn a_folder_holding_the_home_folder_is_refused() {
    let holder = tempfile::tempdir().unwrap();
    let root = site_in(holder.path());
    let home = holder.path().join("users/ana");
    fill(&home, &[("notes.txt", "mine"), (".gazette-output", MARKER)]);
    let before = everything(holder.path());
    for (target, why) in [
        (holder.path().join("users"), "it holds your home folder"),
        (home.clone(), "it is your home folder"),
    ] {
        let arg = target.to_str().unwrap();
        let out = assert_cmd::Command::cargo_bin("gazette")
            .unwrap()
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .env("HOME", &home)
            .args(["build", "--output", arg])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{arg}");
        assert_eq!(
            stderr(&out),
            format!(
                "error: refusing to use `{arg}` as the output folder: {why}
  |
  = help: choose a folder of its own for the site, such as `output/` in the site folder
"
            )
        );
        assert_eq!(everything(holder.path()), before, "{arg}");
    }
}

#[test]
fn empty_new_and_gazette_built_folders_are_used_and_marked() {
    let holder = tempfile::tempdir().unwrap();
    let root = site_in(holder.path());
    let empty = holder.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for (arg, dir) in
        [("../empty", empty.clone()), ("../new/public", holder.path().join("new/public"))]
    {
        let out = crate::support::gazette(&root, &["build", "--quiet", "--output", arg]);
        assert!(out.status.success(), "{arg}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(dir.join(".gazette-output")).unwrap(), MARKER);
        assert!(dir.join("news/a/index.html").is_file(), "{arg}");
    }
    // A folder gazette built is rebuilt: what was added to it goes, the marker stays.
    std::fs::write(empty.join("stray.html"), "added by hand").unwrap();
    let out = crate::support::gazette(&root, &["build", "--quiet", "--output", "../empty"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!empty.join("stray.html").exists());
    assert_eq!(std::fs::read_to_string(empty.join(".gazette-output")).unwrap(), MARKER);
    // The default `output/`, built twice in a row, as the README's first step does.
    for _ in 0..2 {
        let out = crate::support::gazette(&root, &["build", "--quiet"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(root.join("output/.gazette-output")).unwrap(), MARKER);
    // A build by a gazette that wrote no marker is recognised by its feed, once.
    std::fs::remove_file(root.join("output/.gazette-output")).unwrap();
    let out = crate::support::gazette(&root, &["build", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(root.join("output/.gazette-output")).unwrap(), MARKER);
}

#[test]
fn only_marked_staging_folders_of_killed_builds_are_cleaned_up() {
    let holder = tempfile::tempdir().unwrap();
    let root = site_in(holder.path());
    // No process has these ids: Linux pids stop at 2^22.
    let killed = root.join(".output.staging-4194400");
    let impostor = root.join(".output.staging-4194401");
    fill(&killed, &[("index.html", "half a build"), (".gazette-output", MARKER)]);
    fill(&impostor, &[("notes.txt", "mine, named oddly")]);
    let out = crate::support::gazette(&root, &["build", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!killed.exists(), "gazette's own leftover is cleaned");
    assert_eq!(std::fs::read_to_string(impostor.join("notes.txt")).unwrap(), "mine, named oddly");
}

#[test]
fn serve_refuses_its_preview_folder_by_the_same_rule_before_writing_anything() {
    let holder = tempfile::tempdir().unwrap();
    let root = site_in(holder.path());
    fill(&holder.path().join("precious"), &[("notes.txt", "mine")]);
    fill(&holder.path().join("deploy"), &[(".git/HEAD", "ref: refs/heads/main\n")]);
    // `serve` writes no folder it is given any more (issue 15): `--output` is refused.
    let cases: [(&[&str], Option<&str>, i32, &str); 3] = [
        (
            &["--output", "../precious"],
            None,
            2,
            "error: `gazette serve` no longer takes `--output`: its preview goes to `.gazette/serve/` in the site folder, never to a folder you publish; to write the site into `../precious`, run `gazette build --output ../precious`\n",
        ),
        (
            &["--output", "../deploy"],
            None,
            2,
            "error: `gazette serve` no longer takes `--output`: its preview goes to `.gazette/serve/` in the site folder, never to a folder you publish; to write the site into `../deploy`, run `gazette build --output ../deploy`\n",
        ),
        (
            &[],
            Some(".gazette/serve/.git/HEAD"),
            1,
            "error: refusing to use `.gazette/serve` as the preview folder: it holds `.git`, a repository that a build would delete\n",
        ),
    ];
    for (args, planted, code, start) in cases {
        if let Some(planted) = planted {
            fill(&root, &[(planted, "ref: refs/heads/main\n")]);
        }
        let before = everything(holder.path());
        let (status, err) = crate::support::serve_refused(&root, args);
        assert_eq!(status, Some(code), "{args:?}: {err}");
        assert!(err.starts_with(start), "{err}");
        assert_eq!(everything(holder.path()), before, "{args:?}");
    }
}

/// Each heading becomes an id, a contents entry and often a section: a megabyte of `#`
/// lines made a 60 MB page and took a gigabyte (issue 22). 2,000 headings build; the
/// 2,001st is refused, where it is, in `build` and `check` alike.
#[test]
fn more_than_two_thousand_headings_are_refused_at_the_first_one_over() {
    let front = "---\ntitle: Heads\ndate: 2026-01-01\ntags: [a]\n---\n\n";
    let (out, _, site) = build_one(&format!("{front}{}", "## a\n\n".repeat(2000)));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(site.read("news/a/index.html").contains("id=\"a-1999\""));
    let (out, _, _) = build_one(&format!("{front}{}", "#\n".repeat(500_000)));
    assert_eq!(out.status.code(), Some(1));
    let expected = "error: more than 2000 headings in one article
    --> content/a.md:2007:1
     |
2007 | #
     | ^
     |
     = help: this is heading 2001; split the article, or make the lesser headings bold text (`**...**`)
";
    assert!(stderr(&out).starts_with(expected), "{}", stderr(&out));
    let site = Site::empty("title: T\nbase_url: https://example.com/\n");
    site.write("content/a.md", &format!("{front}{}", "a\n=\n".repeat(3000)));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "\nerror: more than 2000 headings in one article\n    --> content/a.md:4007:1\n"
        ),
        "{}",
        stderr(&out)
    );
}
