//! `gazette check`: every problem reported at once, nothing written.

use crate::support::{Site, stderr, stdout};

/// Runs `gazette check` on a fixture; returns (exit code, stderr).
fn check(case: &str, args: &[&str]) -> (i32, String) {
    let site = Site::fixture(&format!("check/{case}"));
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let out = site.run(&all);
    assert!(!site.out().exists(), "check writes nothing");
    (out.status.code().unwrap(), stderr(&out))
}

#[test]
fn a_clean_site_passes() {
    let (code, err) = check("clean", &[]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(err, @"checked 2 article(s): 0 error(s), 0 warning(s)");
}

#[test]
fn links_that_match_no_page_are_errors() {
    let (code, err) = check("broken_links", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @"
    error: link to `/world/gone/` matches no page or file of the site
     --> content/world/alpha.md:9:10
      |
    9 |     url: /world/gone/
      |          ^^^^^^^^^^^^
      |
      = help: check the address; site paths look like `/category/slug/`

    error: link to `/world/missing/` matches no page or file of the site
      --> content/world/alpha.md:14:5
       |
    14 | See [the missing page](/world/missing/) and [a missing file](/files/report.pdf).
       |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: check the address; site paths look like `/category/slug/`

    error: link to `/files/report.pdf` matches no page or file of the site
      --> content/world/alpha.md:14:45
       |
    14 | See [the missing page](/world/missing/) and [a missing file](/files/report.pdf).
       |                                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: check the address; site paths look like `/category/slug/`

    checked 2 article(s): 3 error(s), 0 warning(s)
    ");
}

#[test]
fn anchors_that_match_no_heading_are_errors() {
    let (code, err) = check("anchors", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @"
    error: `#nowhere` matches no heading or anchor on `/world/beta/`
      --> content/world/alpha.md:11:51
       |
    11 | See [beta's background](/world/beta/#background), [a wrong one](/world/beta/#nowhere)
       |                                                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: the ids on `/world/beta/` nearest to it: `#main`, `#tags`, `#background`

    error: `#not-here` matches no heading or anchor on this page
      --> content/world/alpha.md:12:5
       |
    12 | and [this page's](#not-here) missing anchor. [Key points](#introduction) are fine.
       |     ^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: the ids on this page nearest to it: `#tags`, `#main`, `#introduction`

    checked 2 article(s): 2 error(s), 0 warning(s)
    ");
}

#[test]
fn two_articles_with_one_url_are_an_error() {
    let (code, err) = check("duplicate_urls", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: this article has the URL `/world/same/`, like `content/a/same.md`
     --> content/b/same.md:2:1
      |
    2 | title: "Two"
      | ^^^^^^^^^^^^
      |
      = help: give one of them another `slug:` or `category:`

    1 error(s), 0 warning(s)
    "#);
}

#[test]
fn images_without_alt_text_are_errors() {
    let (code, err) = check("missing_alt", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: lead image without alt text
     --> content/world/alpha.md:7:8
      |
    7 | image: /images/pic.svg
      |        ^^^^^^^^^^^^^^^
      |
      = help: describe it for readers who cannot see it: `image_alt: "..."`

    error: image without alt text
      --> content/world/alpha.md:12:1
       |
    12 | ![](/images/pic.svg)
       | ^^^^^^^^^^^^^^^^^^^^
       |
       = help: describe the image between the brackets: `![A flooded street](...)`

    error: image without alt text
      --> content/world/alpha.md:14:9
       |
    14 | <figure><img src="/images/pic.svg" width="10"></figure>
       |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: describe the image in an `alt` attribute: `<img alt="A flooded street" ...>` (`alt=""` if it only decorates)

    checked 2 article(s): 3 error(s), 0 warning(s)
    "#);
}

#[test]
fn questions_without_answers_are_errors() {
    let (code, err) = check("empty_answer", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: the question `Unanswered?` has no answer
      --> content/world/alpha.md:10:15
       |
    10 |   - question: "Unanswered?"
       |               ^^^^^^^^^^^^^
       |
       = help: write its `answer:`, or remove the question

    checked 2 article(s): 1 error(s), 0 warning(s)
    "#);
}

#[test]
fn updates_before_publication_are_errors() {
    let (code, err) = check("updated_before_date", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @"
    error: updated `2026-02-01` is before the publication date `2026-02-10`
     --> content/world/alpha.md:4:10
      |
    4 | updated: 2026-02-01
      |          ^^^^^^^^^^
      |
      = help: an update comes after publication: check both dates

    checked 2 article(s): 1 error(s), 0 warning(s)
    ");
}

/// Issue 21: an overlong summary is an editorial preference, so a warning (it was an error
/// that failed `check`); `--strict` still fails on it, and site.yaml sets the limit.
#[test]
fn issue_21_overlong_summaries_are_warnings_fatal_only_with_strict() {
    let (code, err) = check("long_summary", &[]);
    assert_eq!(code, 0, "a warning alone passes");
    insta::assert_snapshot!(err, @r#"
    warning: summary is 349 characters; at most 300 read well in listings
     --> content/world/alpha.md:6:10
      |
    6 | ...y: "Word Word Word Word Word Word Word Word Word...Word Word Word Word Word Word Word Word Word"
      |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^...^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      |
      = help: keep it to one or two sentences (the limit is `check.summary_max_chars` in site.yaml)

    checked 2 article(s): 0 error(s), 1 warning(s)
    "#);
    let (code, strict) = check("long_summary", &["--strict"]);
    assert_eq!(code, 1, "--strict fails on the warning");
    assert_eq!(strict, err);
}

#[test]
fn issue_21_the_summary_limit_comes_from_site_yaml() {
    let site = Site::fixture("check/long_summary");
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    // 349 characters: within a limit of 349, over one of 348.
    site.write("site.yaml", &format!("{yaml}check:\n  summary_max_chars: 349\n"));
    let out = site.run(&["check", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "checked 2 article(s): 0 error(s), 0 warning(s)\n");
    site.write("site.yaml", &format!("{yaml}check:\n  summary_max_chars: 348\n"));
    let out = site.run(&["check", "--strict", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((report["errors"].as_u64(), report["warnings"].as_u64()), (Some(0), Some(1)));
    let problem = &report["problems"][0];
    assert_eq!(problem["severity"], "warning");
    assert_eq!(problem["message"], "summary is 349 characters; at most 348 read well in listings");
    assert_eq!((problem["line"].as_u64(), problem["column"].as_u64()), (Some(6), Some(10)));
}

#[test]
fn untagged_articles_and_one_off_tags_are_warnings() {
    let (code, err) = check("warnings", &[]);
    assert_eq!(code, 0, "warnings alone pass");
    insta::assert_snapshot!(err, @"
    warning: article without tags
     --> content/world/alpha.md:1:1
      |
    1 | ---
      | ^^^
      |
      = help: tags link it to related explainers: `tags: [topic-one, topic-two]`

    warning: the tag `lonely` is used by this article only
     --> content/world/beta.md:5:8
      |
    5 | tags: [lonely]
      |        ^^^^^^
      |
      = help: a tag links explainers together; reuse an existing tag or drop it

    checked 2 article(s): 0 error(s), 2 warning(s)
    ");
    let (strict, _) = check("warnings", &["--strict"]);
    assert_eq!(strict, 1, "--strict fails on warnings");
}

#[test]
fn front_matter_errors_of_every_file_are_reported() {
    let (code, err) = check("front_matter", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid YAML: this quoted text is never closed
     --> content/world/alpha.md:2:8
      |
    2 | title: "Alpha
      |        ^^^^^^
      |
      = help: close the quote; write a quote inside the text as `\"` (or `''` between single quotes)

    error: date: `2026-02-30` is not a valid date
     --> content/world/beta.md:3:7
      |
    3 | date: 2026-02-30
      |       ^^^^^^^^^^
      |
      = help: write a date like `2026-01-22` or `2026-01-22T21:30:00Z`

    error: unknown key `tgas`
     --> content/world/beta.md:4:1
      |
    4 | tgas: [x]
      | ^^^^
      |
      = help: did you mean `tags`? (custom data goes under `extra`)

    checked 2 article(s): 3 error(s), 0 warning(s)
    "#);
}

#[test]
fn one_broken_file_hides_nothing_else() {
    // beta.md's front matter has two problems; alpha.md's links are still checked, its
    // link to the unparsed beta is not called broken, and both of beta's problems show.
    let (code, err) = check("everything_at_once", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @"
    error: link to `/world/nowhere/` matches no page or file of the site
     --> content/world/alpha.md:9:10
      |
    9 |     url: https://example.com/world/nowhere/
      |          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      |
      = help: check the address; site paths look like `/category/slug/`

    error: this related link points at the article itself
      --> content/world/alpha.md:11:10
       |
    11 |     url: /world/alpha/
       |          ^^^^^^^^^^^^^
       |
       = help: remove it, or point it at another article

    error: link to `javascript:alert(1)` would run code
      --> content/world/alpha.md:16:3
       |
    16 | A [link that runs code](javascript:alert(1)) and one to [Beta](/world/beta/), whose front
       |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: gazette renders it as a dead link: link to a page (`/...`) or an `https://` address

    error: date: `2024-02-30` is not a valid date
     --> content/world/beta.md:3:7
      |
    3 | date: 2024-02-30
      |       ^^^^^^^^^^
      |
      = help: write a date like `2026-01-22` or `2026-01-22T21:30:00Z`

    error: unknown key `tgas`
     --> content/world/beta.md:4:1
      |
    4 | tgas: [shared]
      | ^^^^
      |
      = help: did you mean `tags`? (custom data goes under `extra`)

    checked 3 article(s): 5 error(s), 0 warning(s)
    ");
}

#[test]
fn json_output_lists_every_problem() {
    let site = Site::fixture("check/broken_links");
    let out = site.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON on stdout");
    assert_eq!(report["errors"], 3);
    assert_eq!(report["warnings"], 0);
    assert_eq!(report["articles"], 2);
    let problems = report["problems"].as_array().unwrap();
    let first = &problems[0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "content/world/alpha.md");
    assert_eq!(first["line"], 9);
    assert_eq!(first["column"], 10);
    assert_eq!(first["message"], "link to `/world/gone/` matches no page or file of the site");
    assert_eq!(first["hint"], "check the address; site paths look like `/category/slug/`");
    let lines: Vec<u64> = problems.iter().map(|p| p["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [9, 14, 14]);
    // Template errors carry their file, line and column.
    let site = Site::fixture("check/clean");
    site.write("themes/default/templates/404.html", "line one\n{{ page.title | nofilter }}\n");
    let out = site.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let problem = &report["problems"][0];
    assert_eq!(problem["file"], "themes/default/templates/404.html");
    assert_eq!((problem["line"].as_u64(), problem["column"].as_u64()), (Some(2), Some(17)));
    assert!(problem["message"].as_str().unwrap().contains("Unknown filter `nofilter`"));
    // Warnings come through JSON too.
    let warnings = Site::fixture("check/warnings").run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&warnings)).unwrap();
    assert_eq!(report["warnings"], 2);
    assert_eq!(report["problems"][0]["severity"], "warning");
}

#[test]
fn build_shows_the_same_findings_as_warnings_and_still_builds() {
    // docs/content.md allows a broken anchor or a long summary, so a build succeeds; it shows
    // what `check` would fail on.
    let site = Site::fixture("check/clean");
    site.write(
        "content/world/alpha.md",
        &std::fs::read_to_string(site.path().join("content/world/alpha.md"))
            .unwrap()
            .replace("#background", "#nowhere"),
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: `#nowhere` matches no heading or anchor on `/world/beta/`"),
        "{}",
        stderr(&out)
    );
    let (code, _) = {
        let out = site.run(&["check"]);
        (out.status.code().unwrap(), ())
    };
    assert_eq!(code, 1, "check fails on it");
}

#[test]
fn the_demo_site_passes_strictly() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = crate::support::gazette(repo, &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Issue 23: a file whose front matter has errors still counts, with what could be read,
/// for the site-wide checks, and its body is still checked.
#[test]
fn issue_23_a_broken_front_matter_hides_nothing() {
    // budget.md (`autor:`) still counts for the tag `schools`, so schools.md's tag is not
    // called one-off; ferry.md's missing answer hides none of its other problems.
    let (code, err) = check("broken_front_matter_counts", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: unknown key `autor`
     --> content/local/budget.md:5:1
      |
    5 | autor: Jane Doe
      | ^^^^^
      |
      = help: did you mean `author`? (custom data goes under `extra`)

    error: updated `2026-02-01` is before the publication date `2026-02-10`
     --> content/local/ferry.md:4:10
      |
    4 | updated: 2026-02-01
      |          ^^^^^^^^^^
      |
      = help: an update comes after publication: check both dates

    error: faq[0]: missing required key `answer`
     --> content/local/ferry.md:8:5
      |
    8 |   - question: "When?"
      |     ^^^^^^^^^^^^^^^^^
      |
      = help: add a line `answer: ...`

    error: image without alt text
      --> content/local/ferry.md:11:1
       |
    11 | ![](/images/ferry.svg)
       | ^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: describe the image between the brackets: `![A flooded street](...)`

    error: link to `/images/fares.png` matches no page or file of the site
      --> content/local/ferry.md:13:5
       |
    13 | The [fare table](/images/fares.png) is missing.
       |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: check the address; site paths look like `/category/slug/`

    checked 3 article(s): 5 error(s), 0 warning(s)
    "#);
    // The build still refuses both broken files and publishes nothing.
    let site = Site::fixture("check/broken_front_matter_counts");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown key `autor`"), "{}", stderr(&out));
    assert!(stderr(&out).contains("missing required key `answer`"), "{}", stderr(&out));
    assert!(!site.out().exists());
    // A broken file that would take another's URL (its `slug:` may be what is wrong) is
    // left out of the site rather than stop the checks of every other file.
    site.write(
        "content/local/schools-again.md",
        "---\ntitle: Again\ndate: 2026-02-03\ncategory: Local\nslug: schools\nautor: x\n---\n",
    );
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert!(!err.contains("has the URL"), "{err}");
    assert!(err.contains("image without alt text"), "{err}");
    assert!(err.ends_with("checked 4 article(s): 6 error(s), 0 warning(s)\n"), "{err}");
}

/// Issue 23: a YAML syntax error (an apostrophe ending single-quoted text, an unquoted
/// colon) blanks only the key that holds it: the file's tags still count, its body is
/// still checked, the error is reported once, and the build still refuses the file.
#[test]
fn issue_23_a_yaml_syntax_error_hides_nothing_else() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\n");
    site.write(
        "content/local/bank.md",
        "---\ntitle: 'The bank's view'\ndate: 2026-02-02\ncategory: Local\ntags: [schools]\n---\n\
         \n![](/images/vault.png) and [the rates](/local/rates/).\n",
    )
    .write(
        "content/local/colon.md",
        "---\ntitle: Rates: what next\ndate: 2026-02-03\ncategory: Local\ntags: [schools]\n---\n\
         \nSee [the vote](/local/vote/).\n",
    )
    .write(
        "content/local/schools.md",
        "---\ntitle: Schools\ndate: 2026-02-01\ncategory: Local\ntags: [schools]\n---\n\nOpen.\n",
    )
    // No key holds this error: the file stands on its body alone.
    .write("content/local/quote.md", "---\n\"open\ntitle: x\n---\n\n![](/a.png)\n")
    // Alt text left out for its error is not also reported missing.
    .write(
        "content/local/vault.md",
        "---\ntitle: Vault\ndate: 2026-02-04\ncategory: Local\ntags: [schools]\n\
         image: /vault.png\nimage_alt: 'The bank's vault'\n---\n\nBody.\n",
    );
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out), @r#"
    error: invalid YAML: did not find expected key, while parsing a block mapping
     --> content/local/bank.md:2:18
      |
    2 | title: 'The bank's view'
      |                  ^
      |
      = help: an apostrophe ended this single-quoted text: inside single quotes, double it (`'The bank''s view'`), or use double quotes (`"The bank's view"`)

    error: link to `/images/vault.png` matches no page or file of the site
     --> content/local/bank.md:8:1
      |
    8 | ![](/images/vault.png) and [the rates](/local/rates/).
      | ^^^^^^^^^^^^^^^^^^^^^^
      |
      = help: check the address; site paths look like `/category/slug/`

    error: image without alt text
     --> content/local/bank.md:8:1
      |
    8 | ![](/images/vault.png) and [the rates](/local/rates/).
      | ^^^^^^^^^^^^^^^^^^^^^^
      |
      = help: describe the image between the brackets: `![A flooded street](...)`

    error: link to `/local/rates/` matches no page or file of the site
     --> content/local/bank.md:8:28
      |
    8 | ![](/images/vault.png) and [the rates](/local/rates/).
      |                            ^^^^^^^^^^^^^^^^^^^^^^^^^^
      |
      = help: check the address; site paths look like `/category/slug/`

    error: invalid YAML: mapping values are not allowed in this context
     --> content/local/colon.md:2:13
      |
    2 | title: Rates: what next
      |             ^
      |
      = help: a value containing `: ` must be quoted, as in `title: "Rates: what comes next"`

    error: link to `/local/vote/` matches no page or file of the site
     --> content/local/colon.md:8:5
      |
    8 | See [the vote](/local/vote/).
      |     ^^^^^^^^^^^^^^^^^^^^^^^^
      |
      = help: check the address; site paths look like `/category/slug/`

    error: invalid YAML: found unexpected end of stream, while scanning a quoted scalar
     --> content/local/quote.md:4:1
      |
    4 | ---
      | ^^^
      |
      = help: close the quote, or escape a quote inside the text (`\"` or `''`)

    error: link to `/a.png` matches no page or file of the site
     --> content/local/quote.md:6:1
      |
    6 | ![](/a.png)
      | ^^^^^^^^^^^
      |
      = help: check the address; site paths look like `/category/slug/`

    error: image without alt text
     --> content/local/quote.md:6:1
      |
    6 | ![](/a.png)
      | ^^^^^^^^^^^
      |
      = help: describe the image between the brackets: `![A flooded street](...)`

    error: link to `/vault.png` matches no page or file of the site
     --> content/local/vault.md:6:8
      |
    6 | image: /vault.png
      |        ^^^^^^^^^^
      |
      = help: check the address; site paths look like `/category/slug/`

    error: invalid YAML: did not find expected key, while parsing a block mapping
     --> content/local/vault.md:7:22
      |
    7 | image_alt: 'The bank's vault'
      |                      ^
      |
      = help: an apostrophe ended this single-quoted text: inside single quotes, double it (`'The bank''s view'`), or use double quotes (`"The bank's view"`)

    checked 5 article(s): 11 error(s), 0 warning(s)
    "#);
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!site.out().exists());
}

/// Issue 23 (point 9): a caption that only repeats the alt text (case, and spaces and
/// punctuation around it, aside) would be read twice by screen readers: a warning at
/// `image_caption`; a caption that adds to the alt text is fine.
#[test]
fn issue_23_a_caption_repeating_the_alt_text_is_a_warning() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\n");
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"/>\n";
    let article = |title: &str, caption: &str| {
        format!(
            "---\ntitle: {title}\ndate: 2026-02-02\ncategory: Local\ntags: [ferry]\n\
             image: /images/ferry.svg\nimage_alt: The ferry at the quay\n\
             image_caption: {caption}\n---\n\nBody.\n"
        )
    };
    site.write("content/images/ferry.svg", svg)
        .write(
            "content/local/boat.md",
            &article("Boat", "The ferry at the quay, where the strike began."),
        )
        .write("content/local/ferry.md", &article("Ferry", "\"the ferry at the quay.\""));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "warnings alone pass");
    insta::assert_snapshot!(stderr(&out), @r#"
    warning: `image_caption` repeats `image_alt`: screen readers would read it twice
     --> content/local/ferry.md:8:17
      |
    8 | image_caption: "the ferry at the quay."
      |                 ^^^^^^^^^^^^^^^^^^^^^^
      |
      = help: describe the picture in `image_alt` (for readers who cannot see it) and say why it matters in `image_caption` (for everyone), or leave the caption out

    checked 2 article(s): 0 error(s), 1 warning(s)
    "#);
}

/// Issue 23: a dead link names the page it probably meant (the nearest address, or the
/// article whose file name it uses though the article sets `slug:`); a missing anchor
/// lists the nearest ids of its page, since headings may set their own.
#[test]
fn issue_23_dead_links_and_anchors_get_suggestions() {
    let (code, err) = check("suggestions", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r"
    error: link to `/local/ferry-timetables/` matches no page or file of the site
     --> content/local/fares-2026.md:9:10
      |
    9 |     url: /local/ferry-timetables/
      |          ^^^^^^^^^^^^^^^^^^^^^^^^
      |
      = help: did you mean `/local/ferry-timetable/`?

    error: link to `/local/fares-2026/` matches no page or file of the site
      --> content/local/fares-2026.md:14:5
       |
    14 | See [the fares](/local/fares-2026/) and [winter sailings](/local/ferry-timetable/#winter-sailings).
       |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: `content/local/fares-2026.md` sets `slug: ferry-fares`: its address is `/local/ferry-fares/`

    error: `#winter-sailings` matches no heading or anchor on `/local/ferry-timetable/`
      --> content/local/fares-2026.md:14:41
       |
    14 | See [the fares](/local/fares-2026/) and [winter sailings](/local/ferry-timetable/#winter-sailings).
       |                                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       |
       = help: the ids on `/local/ferry-timetable/` nearest to it: `#winter`, `#summer-sailings`, `#tags`

    checked 2 article(s): 3 error(s), 0 warning(s)
    ");
}

/// Issue 23: with `categories:` in site.yaml, a category it does not list (a typo would
/// add a section to the navigation) is a warning at the article's `category:`.
#[test]
fn issue_23_unlisted_categories_are_warnings_with_the_nearest_listed() {
    let (code, err) = check("unlisted_category", &[]);
    assert_eq!(code, 0, "warnings alone pass");
    insta::assert_snapshot!(err, @r#"
    warning: the category `Harbour` is not listed under `categories:` in site.yaml
     --> content/politics/budget.md:4:11
      |
    4 | category: Harbour
      |           ^^^^^^^
      |
      = help: site.yaml lists `Politics`, `Local`, `Economy`; add `Harbour` under `categories:` there to make it a new one

    warning: the category `Politcs` is not listed under `categories:` in site.yaml
     --> content/politics/vote.md:4:12
      |
    4 | category: "Politcs"   # a typo
      |            ^^^^^^^
      |
      = help: did you mean `Politics`? A new category goes under `categories:` in site.yaml

    checked 2 article(s): 0 error(s), 2 warning(s)
    "#);
}

/// Issue 23: one tag written two ways shows its most used spelling (ties: the earliest
/// article's), `check` warns at every other spelling, and a tag of only punctuation is
/// an error instead of a made-up address.
#[test]
fn issue_23_tag_spellings_are_one_rule_and_punctuation_tags_are_errors() {
    let (code, err) = check("tag_spellings", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    warning: the tag `harbour festival` is spelled `Harbour Festival` elsewhere
     --> content/local/b-boats.md:5:8
      |
    5 | tags: [harbour festival, ferry strike]
      |        ^^^^^^^^^^^^^^^^
      |
      = help: write `Harbour Festival`, the spelling its pages show (as in 3 articles, such as `content/local/a-parade.md`)
    
    warning: the tag `ferry strike` is spelled `Ferry Strike` elsewhere
     --> content/local/b-boats.md:5:26
      |
    5 | tags: [harbour festival, ferry strike]
      |                          ^^^^^^^^^^^^
      |
      = help: write `Ferry Strike`, the spelling its pages show (as in `content/local/a-parade.md`)
    
    warning: the tag `harbour festival` is spelled `Harbour Festival` elsewhere
     --> content/local/c-music.md:5:8
      |
    5 | tags: [harbour festival]
      |        ^^^^^^^^^^^^^^^^
      |
      = help: write `Harbour Festival`, the spelling its pages show (as in 3 articles, such as `content/local/a-parade.md`)
    
    error: the tag `!!!` has no letters or digits
     --> content/local/e-shout.md:5:27
      |
    5 | tags: [Harbour Festival, "!!!"]
      |                           ^^^
      |
      = help: its page would get the made-up address `/tags/x-c5a90b6c/`: name the topic in words
    
    checked 5 article(s): 1 error(s), 3 warning(s)
    "#);
    // `Harbour Festival` is used 3 times, `harbour festival` twice; `Ferry Strike` and
    // `ferry strike` once each, and `Ferry Strike` is in the earlier article.
    let site = Site::fixture("check/tag_spellings");
    site.build(&[]);
    let h1 = |url: &str| site.page(url).texts("h1");
    assert_eq!(h1("/tags/harbour-festival/"), ["Harbour Festival"]);
    assert_eq!(h1("/tags/ferry-strike/"), ["Ferry Strike"]);
    let topics = site.page("/tags/").texts("main a");
    assert!(topics.iter().any(|t| t.starts_with("Harbour Festival")), "{topics:?}");
    assert!(!topics.iter().any(|t| t.contains("harbour festival")), "{topics:?}");
}

/// Issue 22: a file with many problems shows the first 20 and one message counting the
/// rest, at the first of them; `check` still fails.
#[test]
fn issue_22_a_thousand_broken_links_show_twenty_and_count_the_rest() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\n");
    let links = "[x](/gone/) ".repeat(1000);
    site.write(
        "content/a.md",
        &format!("---\ntitle: A\ndate: 2026-01-01\ntags: [t]\n---\n\n{}\n", links.trim_end()),
    );
    site.write("content/b.md", "---\ntitle: B\ndate: 2026-01-01\ntags: [t]\n---\n\nB.\n");
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(
        err.matches("error: link to `/gone/` matches no page or file of the site").count(),
        20
    );
    let last: Vec<&str> = err.split("\n\n").filter(|p| !p.trim().is_empty()).collect();
    // The last link shown, then the count of the rest, at the first of them: long lines
    // are shown as a window around the link, with the file's column.
    insta::assert_snapshot!(last[last.len() - 3..].join("\n\n"), @"
    error: link to `/gone/` matches no page or file of the site
     --> content/a.md:7:229
      |
    7 | …e/) [x](/gone/) [x](/gone/) [x](/gone/) [x](/gone/) [x](/gone/) [x](/go…
      |                                          ^^^^^^^^^^^
      |
      = help: check the address; site paths look like `/category/slug/`

    error: 980 more problem(s) in this file not shown (980 error(s), 0 warning(s)), the first one here
     --> content/a.md:7:241
      |
    7 | …e/) [x](/gone/) [x](/gone/) [x](/gone/) [x](/gone/) [x](/gone/) [x](/go…
      |                                          ^^^^^^^^^^^
      |
      = help: only the first 20 problems of a file are shown: fix them and check again to see the rest

    checked 2 article(s): 1000 error(s), 0 warning(s) (980 not shown: at most 20 problems per file)
    ");
}

/// The counts are true with the per-file cap (issue 22): `check`'s JSON counts every
/// problem, and `build` gives the real number of warnings it does not show, without
/// promising that `check` lists them all.
#[test]
fn issue_22_counts_include_the_problems_not_shown() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\n");
    let links = "[x](/gone/)\n".repeat(1000);
    site.write(
        "content/a.md",
        &format!("---\ntitle: A\ndate: 2026-01-01\ntags: [t]\n---\n\n{links}"),
    );
    site.write("content/b.md", "---\ntitle: B\ndate: 2026-01-01\ntags: [t]\n---\n\nB.\n");
    let out = site.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"], 1000);
    assert_eq!(report["warnings"], 0);
    assert_eq!(report["not_shown"], 980);
    assert_eq!(report["problems"].as_array().unwrap().len(), 21);
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert_eq!(err.matches("warning: link to `/gone/` matches no page").count(), 20);
    assert!(
        err.contains(
            "\n... and 980 more warning(s): `gazette check` lists them, up to 20 per file\n"
        ),
        "{err}"
    );
}
