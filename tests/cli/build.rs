//! `gazette build`: the command line, the pages it writes, and what it does on errors.

use crate::support::{Site, broken_links, stderr, stdout, text, tree_hashes};

const MINIMAL_SITE: &str = "title: Min\nbase_url: https://example.com/\n";

fn article(title: &str, date: &str, extra: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndate: {date}\n{extra}---\n\n## Introduction\n\nBody of {title}.\n"
    )
}

// ---- command line ----------------------------------------------------------------

#[test]
fn version_and_help_read_well() {
    let site = Site::empty(MINIMAL_SITE);
    let version = site.run(&["--version"]);
    assert!(version.status.success());
    assert_eq!(stdout(&version).trim(), format!("gazette {}", env!("CARGO_PKG_VERSION")));
    let help = site.run(&["build", "--help"]);
    assert!(help.status.success());
    let help = stdout(&help);
    for flag in ["--root <DIR>", "--output <DIR>", "--base-url <URL>", "--drafts", "--quiet"] {
        assert!(help.contains(flag), "help lacks {flag}:\n{help}");
    }
    // Issue 21: the top-level help says what each exit status means.
    let help = stdout(&site.run(&["--help"]));
    let codes: Vec<&str> = help
        .split_once("Exit status:\n")
        .unwrap_or_else(|| panic!("help lacks the exit statuses:\n{help}"))
        .1
        .lines()
        .filter_map(|line| line.trim_start().split_once("  ").map(|(code, _)| code))
        .collect();
    assert_eq!(codes, ["0", "1", "2"], "{help}");
}

#[test]
fn usage_errors_exit_with_2() {
    let site = Site::empty(MINIMAL_SITE);
    assert_eq!(site.run(&["build", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(site.run(&["frobnicate"]).status.code(), Some(2));
    let no_site = tempfile::tempdir().unwrap();
    let out = crate::support::gazette(no_site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no `site.yaml`"), "{}", stderr(&out));
}

#[test]
fn build_prints_a_one_line_summary_unless_quiet() {
    let site = Site::fixture("build/basic");
    let out = site.build(&[]);
    let summary = stdout(&out);
    assert_eq!(summary.lines().count(), 1, "{summary}");
    assert!(summary.starts_with("built 5 article(s) into "), "{summary}");
    assert!(
        summary.contains(" in `./output` in ") && summary.contains(" s, 1 draft(s) skipped"),
        "{summary}"
    );
    let quiet = site.build(&["--quiet"]);
    assert_eq!(stdout(&quiet), "");
}

#[test]
fn timings_show_every_stage_of_a_build() {
    let site = Site::fixture("build/basic");
    let out = site.build(&["--timings", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let stages: Vec<(String, f64)> = err
        .lines()
        .filter_map(|line| {
            let (name, ms) = line.trim().strip_suffix(" ms")?.rsplit_once(' ')?;
            Some((name.trim().to_owned(), ms.parse().ok()?))
        })
        .collect();
    let names: Vec<&str> = stages.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "theme",
            "parse cache",
            "load (cpu)",
            "front matter (cpu)",
            "markdown (cpu)",
            "search terms (cpu)",
            "parse",
            "site",
            "see-also",
            "staging",
            "write (cpu)",
            "search index",
            "render",
            "images",
            "commit",
            "cache",
            "parse cache (alongside)",
            "checks (alongside)",
            "checks"
        ],
        "{err}"
    );
    assert!(stages.iter().all(|(_, ms)| ms.is_finite() && *ms >= 0.0), "{err}");
    // Five articles are parsed and some twenty files written: not in under 5 µs.
    for busy in ["front matter (cpu)", "markdown (cpu)", "write (cpu)", "search index"] {
        let ms = stages.iter().find(|(name, _)| name == busy).unwrap().1;
        assert!(ms > 0.0, "{busy} took {ms} ms:\n{err}");
    }
}

#[test]
fn root_and_output_flags_choose_the_folders() {
    let site = Site::fixture("build/basic");
    let elsewhere = tempfile::tempdir().unwrap();
    let out_dir = elsewhere.path().join("public");
    let out = crate::support::gazette(
        elsewhere.path(),
        &["build", "--root", site.path().to_str().unwrap(), "--output", out_dir.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out_dir.join("world/alpha/index.html").is_file());
    assert!(!site.out().exists());
}

// ---- configuration ---------------------------------------------------------------

#[test]
fn unknown_config_key_names_line_and_nearest_key() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\npaginte: 5\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out), @"
    error: unknown key `paginte`
     --> site.yaml:3:1
      |
    3 | paginte: 5
      | ^^^^^^^
      |
      = help: did you mean `paginate`? (custom data goes under `extra`)
    ");
}

#[test]
fn config_defaults_apply() {
    let site = Site::empty(MINIMAL_SITE);
    for i in 0..12 {
        site.write(&format!("content/a{i:02}.md"), &article(&format!("A{i}"), "2026-01-01", ""));
    }
    site.build(&[]);
    // paginate defaults to 10, language to en, category to News.
    assert!(site.out().join("page/2/index.html").is_file());
    assert!(!site.out().join("page/3/index.html").exists());
    assert_eq!(site.page("/").one("html").value().attr("lang"), Some("en"));
    assert!(site.out().join("news/a00/index.html").is_file());
}

// ---- content errors: asserted whole ----------------------------------------------

fn build_error(file: &str, text: &str) -> String {
    let site = Site::empty(MINIMAL_SITE);
    site.write(file, text);
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!site.out().exists(), "a failed first build writes no output");
    stderr(&out)
}

#[test]
fn unknown_front_matter_key_names_file_line_and_nearest_key() {
    let err =
        build_error("content/a.md", "---\ntitle: A\ndate: 2026-01-02\ntgas: [x]\n---\nbody\n");
    insta::assert_snapshot!(err, @"
    error: unknown key `tgas`
     --> content/a.md:4:1
      |
    4 | tgas: [x]
      | ^^^^
      |
      = help: did you mean `tags`? (custom data goes under `extra`)
    ");
}

#[test]
fn bad_yaml_names_file_and_line_and_the_usual_cause() {
    let err =
        build_error("content/a.md", "---\ntitle: Rates: what next\ndate: 2026-01-02\n---\nbody\n");
    insta::assert_snapshot!(err, @r#"
    error: invalid YAML: mapping values are not allowed in this context
     --> content/a.md:2:13
      |
    2 | title: Rates: what next
      |             ^
      |
      = help: a value containing `: ` must be quoted, as in `title: "Rates: what comes next"`
    "#);
    let err = build_error("content/a.md", "---\ntitle: \"Rates\ndate: 2026-01-02\n---\nbody\n");
    insta::assert_snapshot!(err, @r#"
    error: invalid YAML: this quoted text is never closed
     --> content/a.md:2:8
      |
    2 | title: "Rates
      |        ^^^^^^
      |
      = help: close the quote; write a quote inside the text as `\"` (or `''` between single quotes)
    "#);
}

#[test]
fn missing_title_names_the_file() {
    let err = build_error("content/a.md", "---\ndate: 2026-01-02\n---\nbody\n");
    insta::assert_snapshot!(err, @"
    error: missing required key `title`
     --> content/a.md:1
      = help: add a line `title: ...`
    ");
}

#[test]
fn invalid_date_points_at_the_value() {
    let err = build_error("content/a.md", "---\ntitle: A\ndate: 2024-02-30\n---\nbody\n");
    insta::assert_snapshot!(err, @"
    error: date: `2024-02-30` is not a valid date
     --> content/a.md:3:7
      |
    3 | date: 2024-02-30
      |       ^^^^^^^^^^
      |
      = help: write a date like `2026-01-22` or `2026-01-22T21:30:00Z`
    ");
    let err = build_error("content/a.md", "---\ntitle: A\ndate: yesterday\n---\nbody\n");
    insta::assert_snapshot!(err, @"
    error: date: `yesterday` is not a date
     --> content/a.md:3:7
      |
    3 | date: yesterday
      |       ^^^^^^^^^
      |
      = help: write a date like `2026-01-22` or `2026-01-22T21:30:00Z`
    ");
}

#[test]
fn missing_closing_fence_is_named() {
    let err = build_error("content/a.md", "---\ntitle: A\ndate: 2026-01-02\n\nbody\n");
    insta::assert_snapshot!(err, @"
    error: the front matter opened here is never closed
     --> content/a.md:1:1
      |
    1 | ---
      | ^^^
      |
      = help: add a line `---` after the last front matter key
    ");
}

#[test]
fn missing_opening_fence_is_named() {
    let err = build_error("content/a.md", "# Just Markdown\n");
    insta::assert_snapshot!(err, @"
    error: expected `---` on the first line, to open the front matter
     --> content/a.md:1:1
      |
    1 | # Just Markdown
      | ^^^^^^^^^^^^^^^
      |
      = help: an article starts with `---`, then `title:` and `date:`, then `---` and the body
    ");
}

#[test]
fn template_syntax_error_names_the_template_and_position() {
    let site = Site::fixture("build/basic");
    site.write(
        "themes/default/templates/tags.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{% if %}\n{% endblock main %}\n",
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: template `themes/default/templates/tags.html` failed\n  error: Found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`\n   --> tags.html:3:7\n    |\n  3 | {% if %}\n    |       ^^\n"
    );
}

/// A site of six articles whose article template prints `page.extra.sponsor`, which only
/// the oldest sets.
fn sponsor_site() -> Site {
    let site = Site::empty(MINIMAL_SITE);
    for day in 1..=6 {
        let extra = if day == 1 { "extra:\n  sponsor: Acme\n" } else { "" };
        site.write(
            &format!("content/a{day}.md"),
            &article(&format!("A{day}"), &format!("2026-01-0{day}"), extra),
        );
    }
    site.write(
        "themes/default/templates/article.html",
        "{% extends \"base.html\" %}{% block main %}\n<p>{{ page.extra.sponsor }}</p>\n{% endblock main %}",
    );
    site
}

const SPONSOR_ERROR: &str = r#"error: template `themes/default/templates/article.html` failed to render 5 articles: content/a6.md, content/a5.md, content/a4.md, content/a3.md, content/a2.md
  error: Field `sponsor` is not defined.
   --> article.html:2:18
    |
  2 | <p>{{ page.extra.sponsor }}</p>
    |                  ^^^^^^^
  = help: print `page.extra.sponsor` only where it is set, with `{% if page.extra.sponsor %}…{% endif %}`, or give it a default: `{{ page.extra.sponsor | default(value="") }}`
"#;

#[test]
fn issue_23_a_template_error_on_many_articles_is_reported_once() {
    let site = sponsor_site();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), SPONSOR_ERROR);

    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), format!("{SPONSOR_ERROR}\n1 error(s), 0 warning(s)\n"));

    // The JSON report points at the template, where the fix goes, and carries the hint.
    let out = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problem = &report["problems"][0];
    assert_eq!(report["problems"].as_array().unwrap().len(), 1);
    assert_eq!(problem["file"], "themes/default/templates/article.html");
    assert_eq!((problem["line"].as_u64(), problem["column"].as_u64()), (Some(2), Some(18)));
    assert!(problem["hint"].as_str().unwrap().starts_with("print `page.extra.sponsor` only"));

    // Both fixes the hint offers work.
    for fixed in [
        "{% if page.extra.sponsor %}<p>{{ page.extra.sponsor }}</p>{% endif %}",
        "<p>{{ page.extra.sponsor | default(value=\"\") }}</p>",
    ] {
        site.write(
            "themes/default/templates/article.html",
            &format!("{{% extends \"base.html\" %}}{{% block main %}}{fixed}{{% endblock main %}}"),
        );
        site.build(&["--quiet"]);
    }
}

#[test]
fn issue_23_a_mistake_in_base_html_is_one_error_naming_base_html() {
    let site = sponsor_site();
    site.remove("themes/default/templates/article.html");
    let base = include_str!("../../themes/default/templates/base.html");
    site.write(
        "themes/default/templates/base.html",
        &base.replace("<main", "{{ site.sponsr }}<main"),
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let first = err.lines().next().unwrap();
    assert!(
        first.starts_with("error: template `themes/default/templates/base.html` failed to render ")
            && first.ends_with(
                " pages, 6 of them articles: content/a6.md, content/a5.md, content/a4.md and 3 more"
            ),
        "{err}"
    );
    assert_eq!(err.matches("error: template").count(), 1, "{err}");
    assert!(err.contains("Field `sponsr` is not defined."), "{err}");
}

#[test]
fn template_render_error_names_template_and_article() {
    let site = Site::fixture("build/basic");
    site.write(
        "themes/default/templates/article.html",
        "{% extends \"base.html\" %}{% block main %}{{ page.no_such_field }}{% endblock main %}",
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    // Every article fails the same way: one error names them all (issue 23).
    assert!(
        err.starts_with(
            "error: template `themes/default/templates/article.html` failed to render 5 articles: \
             content/economy/gamma.md, content/world/beta.md, content/world/alpha.md, \
             content/economy/delta.md, content/misc/epsilon.md\n"
        ),
        "{err}"
    );
    assert!(err.contains("Field `no_such_field` is not defined"), "{err}");
    assert!(!err.contains("problems found"), "{err}");
    // One article failing is named before the template, as a location.
    let site = sponsor_site();
    for day in 2..=5 {
        site.remove(&format!("content/a{day}.md"));
    }
    let out = site.run(&["build"]);
    assert!(
        stderr(&out).starts_with(
            "error: content/a6.md: template `themes/default/templates/article.html` failed to render this article\n"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn all_content_errors_of_a_build_are_reported_together() {
    let site = Site::empty(MINIMAL_SITE);
    site.write("content/one.md", "---\ntitle: A\ndate: nope\n---\n")
        .write("content/two.md", "---\ntitle: B\ndate: 2026-01-01\nsumary: x\n---\n")
        .write("content/three.md", &article("Fine", "2026-01-01", ""))
        .write("content/sub/four.md", "no front matter\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out), @"
    error: date: `nope` is not a date
     --> content/one.md:3:7
      |
    3 | date: nope
      |       ^^^^
      |
      = help: write a date like `2026-01-22` or `2026-01-22T21:30:00Z`

    error: expected `---` on the first line, to open the front matter
     --> content/sub/four.md:1:1
      |
    1 | no front matter
      | ^^^^^^^^^^^^^^^
      |
      = help: an article starts with `---`, then `title:` and `date:`, then `---` and the body

    error: unknown key `sumary`
     --> content/two.md:4:1
      |
    4 | sumary: x
      | ^^^^^^
      |
      = help: did you mean `summary`? (custom data goes under `extra`)
    3 problems found
    ");
}

#[test]
fn several_problems_in_one_file_are_all_reported() {
    let err = build_error(
        "content/a.md",
        "---\ntitle: A\ndate: 2026-13-01\nupdated: soon\nrelated:\n  - title: X\n    url: javascript:alert(1)\n---\n",
    );
    insta::assert_snapshot!(err, @"
    error: date: `2026-13-01` is not a valid date
     --> content/a.md:3:7
      |
    3 | date: 2026-13-01
      |       ^^^^^^^^^^
      |
      = help: write a date like `2026-01-22` or `2026-01-22T21:30:00Z`

    error: updated: `soon` is not a date
     --> content/a.md:4:10
      |
    4 | updated: soon
      |          ^^^^
      |
      = help: write a date like `2026-01-22` or `2026-01-22T21:30:00Z`

    error: related: `javascript:alert(1)` is not allowed: only site paths, `https://`, `http://` and `mailto:` links are
     --> content/a.md:7:10
      |
    7 |     url: javascript:alert(1)
      |          ^^^^^^^^^^^^^^^^^^^
      |
      = help: use a site path such as `/economy/rates/` or an `https://` address
    3 problems found
    ");
}

#[test]
fn duplicate_urls_name_both_files() {
    let site = Site::empty(MINIMAL_SITE);
    site.write("content/a/same.md", &article("One", "2026-01-01", ""))
        .write("content/b/same.md", &article("Two", "2026-01-02", ""));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out), @r#"
    error: this article has the URL `/news/same/`, like `content/a/same.md`
     --> content/b/same.md:2:1
      |
    2 | title: "Two"
      | ^^^^^^^^^^^^
      |
      = help: give one of them another `slug:` or `category:`
    "#);
}

/// Two plain files whose names differ only in normalization would both publish, at
/// addresses that look alike (issue 22): an error, as for articles.
#[test]
fn issue_22_files_whose_names_differ_only_in_normalization_are_refused() {
    let site = Site::empty(MINIMAL_SITE);
    let (nfc, nfd) = ("\u{e9}", "e\u{301}");
    site.write("content/fine.md", &article("Fine", "2026-01-01", ""))
        .write(&format!("content/{nfc}.txt"), "one\n")
        .write(&format!("content/{nfd}.txt"), "two\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    // Path order: the NFD name (`e` then the accent) sorts first.
    assert_eq!(
        stderr(&out),
        format!(
            "error: this file has the name of `content/{nfd}.txt` in another Unicode normalization (NFC vs NFD)
 --> content/{nfc}.txt:1:1
  |
1 | one
  | ^^^
  |
  = help: both would publish at addresses that look identical: rename or delete one
"
        )
    );
    assert!(!site.out().exists());
}

#[test]
fn issue_22_duplicate_urls_of_names_differing_in_normalization_say_so() {
    let site = Site::empty(MINIMAL_SITE);
    // The same name twice: `é` as one character (NFC), and as `e` and an accent (NFD).
    let (nfc, nfd) = ("caf\u{e9}", "cafe\u{301}");
    site.write(&format!("content/{nfc}.md"), &article("One", "2026-01-01", ""))
        .write(&format!("content/{nfd}.md"), &article("Two", "2026-01-02", ""));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "error: this article has the URL `/news/cafe/`, like `content/{nfd}.md`
 --> content/{nfc}.md:2:1
  |
2 | title: \"One\"
  | ^^^^^^^^^^^^
  |
  = help: the two file names differ only in Unicode normalization (NFC vs NFD): rename or delete one
"
        )
    );
}

#[test]
fn issue_22_categories_differing_in_accents_case_or_punctuation_warn() {
    let site = Site::empty(MINIMAL_SITE);
    let with = |category: &str| format!("category: {category}\ntags: [economy]\n");
    site.write("content/a.md", &article("A", "2026-01-04", &with("Économie")))
        .write("content/b.md", &article("B", "2026-01-03", &with("Economie")))
        .write("content/c.md", &article("C", "2026-01-02", &with("\"ECONOMIE!\"")))
        .write("content/d.md", &article("D", "2026-01-01", &with("Economie")));
    let out = site.build(&[]);
    insta::assert_snapshot!(stderr(&out), @r#"
    warning: the category `Economie` is shown as `Économie`, as `content/a.md` writes it
     --> content/b.md:4:11
      |
    4 | category: Economie
      |           ^^^^^^^^
      |
      = help: categories that differ only in accents, case or punctuation are one category; write `category: Économie` here and in `content/d.md`
    warning: the category `ECONOMIE!` is shown as `Économie`, as `content/a.md` writes it
     --> content/c.md:4:12
      |
    4 | category: "ECONOMIE!"
      |            ^^^^^^^^^
      |
      = help: categories that differ only in accents, case or punctuation are one category; write `category: Économie` here
    "#);
    // One category, named as the newest article writes it.
    let home = site.page("/economie/");
    assert_eq!(home.texts("h1"), ["Économie"]);
    assert_eq!(home.select(".card-title").len(), 4);
}

/// Issue 23: a category site.yaml lists is shown as site.yaml spells it, whatever the
/// newest article writes, and `check` tells the articles spelling it otherwise, never the
/// one that follows site.yaml.
#[test]
fn issue_23_a_listed_category_is_shown_and_recommended_as_site_yaml_spells_it() {
    let site = Site::empty(
        "title: Min\nbase_url: https://example.com/\ncategories:\n  Economy:\n    description: Money.\n",
    );
    site.write("content/a.md", &article("A", "2026-01-04", "category: economy\ntags: [rates]\n"))
        .write("content/b.md", &article("B", "2026-01-03", "category: Economy\ntags: [rates]\n"));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "warnings alone pass");
    insta::assert_snapshot!(stderr(&out), @r"
    warning: the category `economy` is shown as `Economy`, as site.yaml lists it
     --> content/a.md:4:11
      |
    4 | category: economy
      |           ^^^^^^^
      |
      = help: categories that differ only in accents, case or punctuation are one category; write `category: Economy` here

    checked 2 article(s): 0 error(s), 1 warning(s)
    ");
    site.build(&[]);
    let page = site.page("/economy/");
    assert_eq!(page.texts("h1"), ["Economy"]);
    assert_eq!(page.texts("nav.sections li:not(.nav-search) a"), ["Economy"]);
}

#[test]
fn non_utf8_article_is_a_clear_error() {
    let site = Site::empty(MINIMAL_SITE);
    std::fs::create_dir_all(site.path().join("content")).unwrap();
    std::fs::write(
        site.path().join("content/latin1.md"),
        b"---\ntitle: Caf\xe9\ndate: 2026-01-01\n---\n",
    )
    .unwrap();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out), @"
    error: this file is not UTF-8 text
     --> content/latin1.md:2:11
      = help: save it as UTF-8 in your editor
    ");
}

#[test]
fn non_utf8_config_and_templates_are_clear_errors() {
    let site = Site::empty("title: T\n");
    std::fs::write(site.path().join("site.yaml"), b"title: Caf\xe9\nbase_url: https://e.com/\n")
        .unwrap();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: this file is not UTF-8 text\n --> site.yaml:1:11"));
    std::fs::write(site.path().join("site.yaml"), MINIMAL_SITE).unwrap();
    site.write("themes/default/templates/404.html", "ok");
    std::fs::write(site.path().join("themes/default/templates/404.html"), b"\xff").unwrap();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(
            "error: this file is not UTF-8 text\n --> themes/default/templates/404.html:1:1"
        ),
        "{}",
        stderr(&out)
    );
}

// ---- pages -----------------------------------------------------------------------

#[test]
fn article_page_has_every_part() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/world/alpha/");
    assert_eq!(page.texts(".breadcrumb li"), ["Home", "World"]);
    assert_eq!(page.attrs(".breadcrumb a", "href"), ["/", "/world/"]);
    assert_eq!(page.texts("h1"), ["Alpha: talks resume in the capital"]);
    assert_eq!(page.attrs(".byline time", "datetime"), ["2026-03-01", "2026-03-04T08:00:00Z"]);
    assert_eq!(page.texts(".byline time"), ["March 1, 2026", "March 4, 2026"]);
    assert_eq!(page.texts(".byline .authors a"), ["Ann Writer"]);
    assert_eq!(page.texts(".standfirst"), ["Delegations meet again after a month of silence."]);
    assert_eq!(
        page.texts(".key-points ol > li"),
        [
            "Event: Talks between two delegations.",
            "Date: Sunday, March 1, 2026.",
            "A point without a label."
        ]
    );
    assert_eq!(page.texts(".key-points li strong"), ["Event:", "Date:"]);
    assert_eq!(
        page.texts(".body-section > h2"),
        ["Introduction", "Background", "Background", "Analysis", "Conclusion"]
    );
    assert_eq!(
        page.attrs(".body-section > h2", "id"),
        ["introduction", "background", "background-1", "custom-analysis", "conclusion"]
    );
    assert_eq!(page.texts(".faq summary"), ["Why now?", "Who mediates?"]);
    assert_eq!(page.texts(".faq .answer"), ["Because the deadline is near.", "A neutral envoy."]);
    assert_eq!(page.texts(".faq .answer strong"), ["deadline"]);
    let related = page.select(".related a");
    assert_eq!(
        related.iter().map(|a| text(*a)).take(2).collect::<Vec<_>>(),
        ["Gamma background", "Full statement (external)"]
    );
    assert_eq!(related[0].value().attr("href"), Some("/economy/gamma/"));
    // A tag shows its most used spelling; alpha writes `Diplomacy` and beta `diplomacy`,
    // once each, so the earlier article's wins (issue 23).
    assert_eq!(page.texts(".tags a"), ["Diplomacy", "trade", "ceasefire"]);
    assert_eq!(
        page.attrs(".tags a", "href"),
        ["/tags/diplomacy/", "/tags/trade/", "/tags/ceasefire/"]
    );
    assert_eq!(page.attrs(".lead-image img", "src"), ["/images/pic.svg"]);
    // Width and height come from the image file (its viewBox is 16 by 9).
    assert_eq!(page.attrs(".lead-image img", "width"), ["16"]);
    assert_eq!(page.attrs(".lead-image img", "height"), ["9"]);
    assert_eq!(page.attrs(".lead-image img", "alt"), ["Two flags on a table"]);
    assert_eq!(
        page.one("title").inner_html(),
        "Alpha: talks resume in the capital | Fixture Times"
    );
}

#[test]
fn issue_23_the_lead_image_caption_comes_from_image_caption_never_the_alt() {
    let site = Site::empty(MINIMAL_SITE);
    let image = "image: https://example.org/flags.jpg\nimage_alt: \"Two flags on a table\"\n";
    site.write("content/alt-only.md", &article("Alt only", "2026-01-01", image));
    site.write(
        "content/captioned.md",
        &article(
            "Captioned",
            "2026-01-02",
            &format!("{image}image_caption: \"Delegates before the talks.\"\nimage_credit: \"Photo: Ann Writer\"\n"),
        ),
    );
    site.write(
        "content/credit-only.md",
        &article("Credit only", "2026-01-03", &format!("{image}image_credit: \"Agency\"\n")),
    );
    site.build(&["--quiet"]);
    // Alt text is for those who cannot see the image: it is never shown again as a caption.
    let page = site.page("/news/alt-only/");
    assert_eq!(page.attrs(".lead-image img", "alt"), ["Two flags on a table"]);
    assert!(page.select(".lead-image figcaption").is_empty());
    let page = site.page("/news/captioned/");
    assert_eq!(
        page.texts(".lead-image > figcaption"),
        ["Delegates before the talks. Photo: Ann Writer"]
    );
    assert_eq!(page.texts(".lead-image figcaption .credit"), ["Photo: Ann Writer"]);
    let page = site.page("/news/credit-only/");
    assert_eq!(page.texts(".lead-image > figcaption"), ["Agency"]);

    // The new keys are known keys, with the usual did-you-mean for a typo.
    let site = Site::empty(MINIMAL_SITE);
    site.write("content/a.md", &article("A", "2026-01-01", "image_captoin: \"x\"\n"));
    let out = site.run(&["build"]);
    insta::assert_snapshot!(stderr(&out), @"
    error: unknown key `image_captoin`
     --> content/a.md:4:1
      |
    4 | image_captoin: \"x\"
      | ^^^^^^^^^^^^^
      |
      = help: did you mean `image_caption`? (custom data goes under `extra`)
    ");
}

#[test]
fn issue_23_the_search_box_suggests_the_sites_own_most_used_tags() {
    let site = Site::empty(MINIMAL_SITE);
    site.build(&["--quiet"]);
    // A site without tags suggests nothing (and never the demo's topics).
    assert_eq!(site.page("/search/").attrs("#search-input", "placeholder"), Vec::<String>::new());

    site.write(
        "content/a.md",
        &article("A", "2026-01-01", "tags: [harbour-festival, Ferries, schools]\n"),
    );
    site.write("content/b.md", &article("B", "2026-01-02", "tags: [harbour-festival, Ferries]\n"));
    site.write(
        "content/c.md",
        &article("C", "2026-01-03", "tags: [harbour-festival, \"a\\\"b\"]\n"),
    );
    site.build(&["--quiet"]);
    assert_eq!(
        site.page("/search/").attrs("#search-input", "placeholder"),
        ["Try “harbour festival” or “Ferries”"]
    );
    // Ties go to the first tag by its URL form; names are escaped in the attribute.
    site.remove("content/a.md").remove("content/b.md");
    site.build(&["--quiet"]);
    assert_eq!(
        site.page("/search/").attrs("#search-input", "placeholder"),
        ["Try “a\"b” or “harbour festival”"]
    );
}

#[test]
fn theme_class_names_are_the_contract() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/world/alpha/");
    assert_eq!(page.select("ol.key-points, .key-points ol").len(), 1);
    assert_eq!(page.select(".faq").len(), 1);
    assert_eq!(page.select(".related").len(), 1);
}

#[test]
fn markdown_extensions_render() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/world/alpha/");
    assert_eq!(page.texts(".article-body table th"), ["Year", "Event"]);
    assert_eq!(page.texts(".article-body del"), ["silence"]);
    assert_eq!(page.select(".article-body input[type=checkbox][checked]").len(), 1);
    assert_eq!(page.select(".article-body input[type=checkbox]").len(), 2);
    let intro = page.texts("#introduction + p")[0].clone();
    assert!(intro.contains("“resumed”") && intro.contains("–"), "smart punctuation: {intro}");
    assert_eq!(page.texts(".footnote-ref a"), ["1"]);
    assert_eq!(page.attrs(".footnote-ref a", "href"), ["#fn-1"]);
    assert_eq!(page.select(".footnotes li#fn-1").len(), 1);
    // Internal Markdown links are checked page-wide below; here they keep their target.
    assert!(page.attrs(".article-body a", "href").contains(&"/economy/gamma/".to_owned()));
}

#[test]
fn issue_23_heading_classes_are_kept_at_every_level() {
    let site = Site::empty(&format!("{MINIMAL_SITE}feed:\n  full_content: true\n"));
    site.write(
        "content/a.md",
        "---\ntitle: A\ndate: 2026-01-02\n---\n\n## The numbers {#numbers .highlight .wide}\n\n\
         Text.\n\n### Detail {#detail .highlight}\n\nMore.\n\n## Plain\n\nEnd.\n",
    );
    site.build(&["--quiet"]);
    let page = site.page("/news/a/");
    assert_eq!(page.attrs(".article-body h2#numbers", "class"), ["highlight wide"]);
    assert_eq!(page.attrs(".article-body h3#detail", "class"), ["highlight"]);
    // A heading without classes gets no empty `class` attribute.
    assert_eq!(page.attrs(".article-body h2#plain", "class"), Vec::<String>::new());
    // The full-content feed carries the body with the same headings.
    let feed = site.read("feed.xml");
    assert!(
        feed.contains("&lt;h2 id=&quot;numbers&quot; class=&quot;highlight wide&quot;&gt;"),
        "{feed}"
    );
}

#[test]
fn long_articles_get_a_table_of_contents() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/world/alpha/");
    assert_eq!(
        page.attrs(".toc a", "href"),
        [
            "#introduction",
            "#background",
            "#background-1",
            "#custom-analysis",
            "#conclusion",
            "#faq"
        ]
    );
    // Every entry points at an element of the page.
    for href in page.attrs(".toc a", "href") {
        assert_eq!(page.select(&format!("[id='{}']", &href[1..])).len(), 1, "{href}");
    }
    // A one-section article has none.
    assert!(site.page("/world/beta/").select(".toc").is_empty());
    // Key points or not, a long article gets one.
    let sections: String = (1..=6).map(|i| format!("## Part {i}\n\nText {i}.\n\n")).collect();
    site.write(
        "content/world/long.md",
        &format!(
            "---\ntitle: Long\ndate: 2026-03-02\ncategory: World\ntags: [trade]\n---\n{sections}"
        ),
    );
    site.build(&[]);
    let long = site.page("/world/long/");
    assert_eq!(long.attrs(".toc a", "href").len(), 6);
    assert!(long.select(".key-points").is_empty());
}

#[test]
fn code_is_highlighted_with_classes_and_both_stylesheets_exist() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/world/alpha/");
    let code = page.one("pre.code[data-lang=python] code");
    assert!(code.select(&scraper::Selector::parse("span[class^=hl-]").unwrap()).count() > 3);
    assert!(!code.html().contains("style="));
    let css_links = page.attrs("link[rel=stylesheet]", "href");
    let highlight =
        css_links.iter().find(|h| h.starts_with("/highlight.")).expect("highlight css linked");
    let css = site.read(highlight.trim_start_matches('/'));
    assert!(css.contains(".hl-") && css.contains("@media screen and (prefers-color-scheme: dark)"));
    assert!(css.len() < 8_000, "only the rules this site uses: {} bytes", css.len());
    // Pages without code do not load it.
    assert!(
        site.page("/world/beta/")
            .attrs("link[rel=stylesheet]", "href")
            .iter()
            .all(|h| !h.starts_with("/highlight."))
    );
}

#[test]
fn summary_comes_from_the_first_paragraph_when_missing() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/economy/gamma/");
    assert_eq!(
        page.texts(".standfirst"),
        ["This first paragraph becomes the summary because the front matter has none."]
    );
    assert_eq!(
        page.attrs("meta[name=description]", "content"),
        ["This first paragraph becomes the summary because the front matter has none."]
    );
    assert_eq!(page.texts(".reading-time"), ["1 min read"]);
}

#[test]
fn reading_time_follows_word_count() {
    let site = Site::empty(MINIMAL_SITE);
    let words = "word ".repeat(1000);
    site.write("content/long.md", &format!("---\ntitle: Long\ndate: 2026-01-01\n---\n\n{words}\n"));
    site.build(&[]);
    // 1,000 words at 220 a minute: 5 minutes.
    assert_eq!(site.page("/news/long/").texts(".reading-time"), ["5 min read"]);
}

#[test]
fn listings_are_newest_first_and_paginated() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    // 5 published articles, 2 a page: home has 3 pages.
    let titles = |url: &str| site.page(url).texts(".card-title");
    let home = site.page("/");
    assert_eq!(home.texts(".lead-story-title"), ["Gamma and the rates"]);
    assert_eq!(home.texts(".latest .card-title"), ["Beta explainer"]);
    // Category blocks show each category's newest articles not already listed above.
    assert_eq!(home.texts(".category-block h2"), ["Economy", "World", "News"]);
    assert_eq!(
        home.texts(".category-block .card-title"),
        ["Delta, older", "Alpha: talks resume in the capital", "Epsilon without a category"]
    );
    assert_eq!(titles("/page/2/"), ["Alpha: talks resume in the capital", "Delta, older"]);
    assert_eq!(titles("/page/3/"), ["Epsilon without a category"]);
    assert!(!site.out().join("page/4").exists());
    assert!(!site.out().join("page/1").exists(), "page 1 is the listing itself");
    assert_eq!(site.page("/page/2/").attrs(".pager a[rel=prev]", "href"), ["/"]);
    assert_eq!(site.page("/page/2/").attrs(".pager a[rel=next]", "href"), ["/page/3/"]);
    assert_eq!(titles("/world/"), ["Beta explainer", "Alpha: talks resume in the capital"]);
    assert_eq!(titles("/economy/"), ["Gamma and the rates", "Delta, older"]);
    assert_eq!(titles("/news/"), ["Epsilon without a category"]);
    assert_eq!(site.page("/economy/").texts(".listing-header .standfirst"), ["Money matters."]);
    assert_eq!(
        titles("/tags/trade/"),
        ["Gamma and the rates", "Alpha: talks resume in the capital"]
    );
    assert_eq!(titles("/tags/trade/page/2/"), ["Epsilon without a category"]);
    assert_eq!(
        titles("/tags/diplomacy/"),
        ["Beta explainer", "Alpha: talks resume in the capital"]
    );
    // Categories paginate like the rest.
    site.write(
        "content/world/omega.md",
        "---\ntitle: Omega, newest\ndate: 2026-04-01\ncategory: World\ntags: [trade]\n---\nBody.\n",
    );
    site.build(&[]);
    let titles = |url: &str| site.page(url).texts(".card-title");
    assert_eq!(titles("/world/"), ["Omega, newest", "Beta explainer"]);
    assert_eq!(titles("/world/page/2/"), ["Alpha: talks resume in the capital"]);
    assert!(!site.out().join("world/page/3").exists());
}

#[test]
fn tags_index_counts_articles() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let page = site.page("/tags/");
    let entries: Vec<String> = page.texts(".tag-index li");
    assert_eq!(entries, ["ceasefire 1", "Diplomacy 2", "rates 2", "trade 3"]);
}

#[test]
fn not_found_page_and_copied_files() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let not_found = site.read("404.html");
    assert!(not_found.contains("Page not found"));
    assert_eq!(site.read("files/data.csv"), "year,value\n2025,1\n");
    assert!(site.read("images/pic.svg").starts_with("<svg"));
}

#[test]
fn drafts_are_built_only_when_asked() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    assert!(!site.out().join("world/zeta").exists());
    assert!(site.page("/tags/diplomacy/").texts(".card-title").iter().all(|t| t != "Zeta draft"));
    site.build(&["--drafts"]);
    assert!(site.out().join("world/zeta/index.html").is_file());
    assert_eq!(site.page("/world/zeta/").texts(".badge"), ["Draft"]);
}

#[test]
fn no_internal_link_is_broken() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    assert_eq!(broken_links(&site.out(), "/"), Vec::<String>::new());
}

#[test]
fn demo_site_builds_with_no_broken_links() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let result =
        crate::support::gazette(repo, &["build", "--quiet", "--output", target.to_str().unwrap()]);
    assert!(result.status.success(), "{}", stderr(&result));
    let articles = walkdir::WalkDir::new(&target)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| {
            e.file_name() == "index.html" && e.path().parent().unwrap().parent().unwrap() != target
        })
        .count();
    assert!(articles >= 10, "only {articles} pages");
    assert_eq!(broken_links(&target, "/"), Vec::<String>::new());
}

#[test]
fn demo_articles_meet_the_brief() {
    // Ten or more published explainers in varied categories, each 600+ words with key
    // points, 3+ FAQ entries, related links and 3-6 tags shared with other articles; one
    // with a code block.
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut articles = Vec::new();
    for entry in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let (front, body) = text[4..].split_once("\n---\n").expect("front matter");
        let front: serde_yaml::Value = serde_yaml::from_str(front).unwrap();
        if front["draft"].as_bool() == Some(true) {
            continue;
        }
        articles.push((entry.path().to_owned(), front, body.to_owned()));
    }
    assert!(articles.len() >= 10, "{} published articles", articles.len());
    let mut tag_uses = std::collections::HashMap::new();
    for (_, front, _) in &articles {
        for tag in front["tags"].as_sequence().unwrap() {
            *tag_uses.entry(tag.as_str().unwrap().to_lowercase()).or_insert(0) += 1;
        }
    }
    let mut categories = std::collections::HashSet::new();
    for (path, front, body) in &articles {
        let name = path.display();
        categories.insert(front["category"].as_str().unwrap().to_owned());
        let words = body.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric));
        assert!(words.count() >= 600, "{name}: under 600 words");
        assert!(!front["key_points"].as_sequence().unwrap().is_empty(), "{name}: key points");
        assert!(front["faq"].as_sequence().unwrap().len() >= 3, "{name}: FAQ");
        assert!(!front["related"].as_sequence().unwrap().is_empty(), "{name}: related");
        let tags = front["tags"].as_sequence().unwrap();
        assert!((3..=6).contains(&tags.len()), "{name}: {} tags", tags.len());
        let shared = tags.iter().filter(|t| tag_uses[&t.as_str().unwrap().to_lowercase()] > 1);
        assert!(shared.count() >= 1, "{name}: no tag shared with another article");
    }
    assert!(categories.len() >= 6, "{categories:?}");
    assert!(articles.iter().any(|(_, _, body)| body.contains("\n```")), "no code block");
}

// ---- themes ----------------------------------------------------------------------

#[test]
fn a_site_without_themes_uses_the_embedded_default() {
    let site = Site::fixture("build/basic");
    assert!(!site.path().join("themes").exists());
    site.build(&[]);
    // Listing pages load the theme's base stylesheet and its listing one; both are written.
    let css = site.page("/").attrs("link[rel=stylesheet]", "href");
    let names: Vec<&str> = css.iter().map(|h| h.split('.').next().unwrap()).collect();
    assert_eq!(names, ["/style", "/listing"]);
    for href in &css {
        assert!(href.ends_with(".css"), "{href}");
        assert!(site.out().join(href.trim_start_matches('/')).is_file(), "{href}");
    }
}

#[test]
fn one_template_can_be_overridden() {
    let site = Site::fixture("build/basic");
    site.write(
        "themes/default/templates/tags.html",
        "{% extends \"base.html\" %}{% block main %}<p id=\"custom\">{{ tags | length }} topics</p>{% endblock main %}",
    );
    site.write("themes/default/static/extra.txt", "theme file");
    site.build(&[]);
    assert_eq!(site.page("/tags/").texts("#custom"), ["4 topics"]);
    // Everything else still comes from the embedded theme.
    assert_eq!(site.page("/world/alpha/").select(".key-points").len(), 1);
    assert_eq!(site.read("extra.txt"), "theme file");
}

#[test]
fn a_named_theme_falls_back_to_the_default_for_missing_templates() {
    let site = Site::fixture("build/basic");
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{yaml}theme: paper\n"));
    site.write(
        "themes/paper/templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<h1>Lost</h1>{% endblock main %}",
    );
    site.build(&[]);
    assert!(site.read("404.html").contains("<h1>Lost</h1>"));
    assert_eq!(site.page("/world/alpha/").select(".faq").len(), 1);
}

#[test]
fn a_missing_named_theme_is_an_error() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\ntheme: nope\n");
    let out = site.run(&["build"]);
    // Issue 21: the site is wrong, not the command line: 1, not the usage error's 2.
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the theme `nope` named in site.yaml has no folder `themes/nope/`\n"
    );
    // `check` counts it with the other problems (it used to stop with 2), in JSON too.
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the theme `nope` named in site.yaml has no folder `themes/nope/`\n\n\
         1 error(s), 0 warning(s)\n"
    );
    let out = site.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON on stdout");
    assert_eq!(report["errors"], 1);
}

// ---- output ----------------------------------------------------------------------

#[test]
fn a_failed_build_leaves_the_previous_output_identical() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let before = tree_hashes(&site.out());
    site.write("content/world/broken.md", "---\ntitle: Broken\n---\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(tree_hashes(&site.out()), before);
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn files_the_site_no_longer_has_are_removed() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    assert!(site.out().join("misc/epsilon").exists() || site.out().join("news/epsilon").exists());
    site.remove("content/misc/epsilon.md");
    std::fs::write(site.out().join("stray.html"), "left by hand").unwrap();
    site.build(&[]);
    assert!(!site.out().join("news/epsilon").exists());
    assert!(!site.out().join("news").exists());
    assert!(!site.out().join("stray.html").exists());
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let first = tree_hashes(&site.out());
    site.build(&[]);
    assert_eq!(tree_hashes(&site.out()), first);
    let other = Site::fixture("build/basic");
    other.build(&[]);
    assert_eq!(tree_hashes(&other.out()), first, "another folder, same bytes");
}

#[test]
fn dangerous_output_folders_are_refused() {
    let site = Site::fixture("build/basic");
    std::fs::create_dir_all(site.path().join("themes/default")).unwrap();
    // Exit status 1, no longer 2: a refused folder is not a mistake on the command line.
    for bad in [".", "content", "content/out", "themes/default/out", "/", ".."] {
        let out = site.run(&["build", "--output", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}: {}", stderr(&out));
        assert!(
            stderr(&out)
                .starts_with(&format!("error: refusing to use `{bad}` as the output folder: ")),
            "{}",
            stderr(&out)
        );
    }
    let holder = tempfile::tempdir().unwrap();
    std::fs::write(holder.path().join("site.yaml"), "x").unwrap();
    let out = site.run(&["build", "--output", holder.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("it holds files gazette did not write, such as `site.yaml`"),
        "{}",
        stderr(&out)
    );
    assert!(holder.path().join("site.yaml").exists());
    // The example is a file gazette would not write (issue 22), not `feed.xml`.
    let mixed = tempfile::tempdir().unwrap();
    std::fs::write(mixed.path().join("feed.xml"), "<rss/>").unwrap();
    std::fs::write(mixed.path().join("thesis.docx"), "mine").unwrap();
    let out = site.run(&["build", "--output", mixed.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("it holds files gazette did not write, such as `thesis.docx`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(mixed.path().join("thesis.docx")).unwrap(), b"mine");
    // The home folder, even empty of sites.
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("notes.txt"), "mine").unwrap();
    let out = assert_cmd::Command::cargo_bin("gazette")
        .unwrap()
        .current_dir(site.path())
        .env("NO_COLOR", "1")
        .env("HOME", home.path())
        .args(["build", "--output", home.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("it is your home folder"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(home.path().join("notes.txt")).unwrap(), "mine");
}

#[test]
fn a_build_shows_twenty_warnings_and_counts_the_rest() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\n");
    for i in 0..25 {
        site.write(
            &format!("content/a{i:02}.md"),
            &format!("---\ntitle: A{i}\ndate: 2026-01-01\ntags: [only-{i}]\n---\nBody.\n"),
        );
    }
    let out = site.run(&["build", "--quiet"]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert_eq!(err.matches("warning: the tag `only-").count(), 20, "{err}");
    assert!(
        err.trim_end().ends_with("... and 5 more warning(s): `gazette check` lists them all"),
        "{err}"
    );
    let check = site.run(&["check"]);
    assert_eq!(stderr(&check).matches("warning: the tag `only-").count(), 25);
}
