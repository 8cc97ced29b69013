//! `gazette theme list|copy`: the built-in theme's files, copied into a site to override.

use crate::support::{Site, stderr, stdout};

/// The built-in default theme's copy of `rel` (`templates/article.html`).
fn builtin(rel: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default").join(rel);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn issue_23_copy_puts_a_template_where_the_site_theme_overrides_it() {
    let site = Site::fixture("check/clean");
    let out = site.run(&["theme", "copy", "article.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "themes/default/templates/article.html\n");
    let copy = site.path().join("themes/default/templates/article.html");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), builtin("templates/article.html"));
    // The copy is what the build uses.
    let edited = builtin("templates/article.html").replacen("<article", "<article data-copied", 1);
    assert_ne!(edited, builtin("templates/article.html"), "the template has an <article>");
    std::fs::write(&copy, edited).unwrap();
    site.build(&[]);
    assert_eq!(site.page("/world/alpha/").select("article[data-copied]").len(), 1);

    // Never overwritten: the edit stays, and the message says what to do.
    let again = site.run(&["theme", "copy", "article.html"]);
    // Issue 21: a file in the way is not a usage error: 1, not 2.
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stderr(&again),
        "error: `themes/default/templates/article.html` already exists; gazette never overwrites a file (delete or rename it to copy the default one again)\n"
    );
    assert!(std::fs::read_to_string(&copy).unwrap().contains("data-copied"));
}

/// Issue 23: naming several files of which some exist copies none of them, and the
/// message names every file in the way and says nothing was copied.
#[test]
fn issue_23_copy_names_every_file_in_the_way_and_copies_nothing() {
    let site = Site::fixture("check/clean");
    site.write("themes/default/templates/article.html", "mine")
        .write("themes/default/templates/tag.html", "mine too");
    let toc = site.path().join("themes/default/templates/partials/toc.html");
    let out = site.run(&["theme", "copy", "article.html", "partials/toc.html"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "error: `themes/default/templates/article.html` already exists, so nothing was copied; gazette never overwrites a file (delete or rename it to copy the default one again, or leave it out to copy the others)\n"
    );
    assert!(!toc.exists());
    let out = site.run(&["theme", "copy", "tag.html", "partials/toc.html", "article.html"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: `themes/default/templates/tag.html` and `themes/default/templates/article.html` already exist, so nothing was copied; gazette never overwrites a file (delete or rename them to copy the default ones again, or leave them out to copy the others)\n"
    );
    assert!(!toc.exists());
    let read = |rel: &str| std::fs::read_to_string(site.path().join(rel)).unwrap();
    assert_eq!(read("themes/default/templates/article.html"), "mine");
    assert_eq!(read("themes/default/templates/tag.html"), "mine too");
}

#[test]
fn issue_23_copy_follows_the_theme_named_in_site_yaml() {
    let site = Site::fixture("check/clean");
    let yaml = std::fs::read_to_string(site.path().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{yaml}theme: paper\n"));
    let out = site.run(&["theme", "copy", "partials/components.html", "static/style.css"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "themes/paper/templates/partials/components.html\nthemes/paper/static/style.css\n"
    );
    assert_eq!(
        std::fs::read_to_string(site.path().join("themes/paper/static/style.css")).unwrap(),
        builtin("static/style.css")
    );
    site.build(&[]);
}

#[test]
fn issue_23_unknown_names_get_the_nearest_and_nothing_is_written() {
    let site = Site::fixture("check/clean");
    let out = site.run(&["theme", "copy", "base.html", "artcle.html"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: the default theme has no `artcle.html`; did you mean `article.html`? `gazette theme list` lists its files\n"
    );
    let out = site.run(&["theme", "copy", "style.css"]);
    assert_eq!(
        stderr(&out),
        "error: the default theme has no `style.css`; did you mean `static/style.css`? `gazette theme list` lists its files\n"
    );
    assert!(!site.path().join("themes").exists(), "all or nothing");
}

#[test]
fn issue_23_list_names_every_file_and_the_overridden_ones() {
    let site = Site::fixture("check/clean");
    site.run(&["theme", "copy", "tag.html"]);
    for args in [&["theme", "list"][..], &["theme", "copy"]] {
        let out = site.run(args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "the built-in default theme (`gazette theme copy NAME` copies a file into `themes/default/`, where it overrides the built-in one):"
        );
        assert!(lines.contains(&"  article.html"), "{text}");
        assert!(lines.contains(&"  partials/components.html"), "{text}");
        assert!(lines.contains(&"  static/style.css"), "{text}");
        assert!(
            lines.iter().any(|l| l.starts_with("  tag.html ")
                && l.ends_with("  overridden by themes/default/templates/tag.html")),
            "{text}"
        );
        // Every name listed can be copied: one line per file of the built-in theme.
        let count = walkdir::WalkDir::new(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        )
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
        assert_eq!(lines.len() - 1, count, "{text}");
    }
}

#[test]
fn issue_23_copy_all_keeps_what_the_site_has() {
    let site = Site::fixture("check/clean");
    site.write("themes/default/templates/base.html", "mine");
    let out = site.run(&["theme", "copy", "--all"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "kept `themes/default/templates/base.html`: it already exists\n");
    assert!(stdout(&out).lines().any(|l| l == "themes/default/static/search.js"));
    assert!(!stdout(&out).contains("base.html"));
    assert_eq!(
        std::fs::read_to_string(site.path().join("themes/default/templates/base.html")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(site.path().join("themes/default/templates/tags.html")).unwrap(),
        builtin("templates/tags.html")
    );
}
