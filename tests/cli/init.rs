//! `gazette init`: a new site that builds at once.

use crate::support::{gazette, stderr, stdout, tree_hashes};

#[test]
fn init_creates_a_site_that_checks_and_builds_with_the_embedded_theme() {
    let tmp = tempfile::tempdir().unwrap();
    let out = gazette(tmp.path(), &["init", "news"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("created a site in `news`"));
    let site = tmp.path().join("news");
    assert!(site.join("site.yaml").is_file());
    assert!(!site.join("themes").exists());
    let check = gazette(&site, &["check", "--strict"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let build = gazette(&site, &["build"]);
    assert!(build.status.success(), "{}", stderr(&build));
    assert!(site.join("output/explainers/welcome-to-gazette/index.html").is_file());
    assert_eq!(crate::support::broken_links(&site.join("output"), "/"), Vec::<String>::new());
}

#[test]
fn init_with_theme_copies_the_theme_that_builds_the_same_site() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(gazette(tmp.path(), &["init", "plain"]).status.success());
    assert!(gazette(tmp.path(), &["init", "themed", "--with-theme"]).status.success());
    let themed = tmp.path().join("themed");
    for file in ["themes/default/templates/article.html", "themes/default/static/style.css"] {
        assert!(themed.join(file).is_file(), "{file}");
    }
    // Same sample articles, same dates: the copied theme renders exactly like the embedded one.
    let plain = tmp.path().join("plain");
    for dir in [&plain, &themed] {
        assert!(gazette(dir, &["build", "--now", "2026-01-01T00:00:00Z"]).status.success());
    }
    assert_eq!(tree_hashes(&plain.join("output")), tree_hashes(&themed.join("output")));
}

#[test]
fn init_refuses_an_existing_site() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("site.yaml"), "title: Mine\n").unwrap();
    let out = gazette(tmp.path(), &["init"]);
    // Issue 21: the command line is fine, the folder is taken: 1, not the usage error's 2.
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: `.` already holds `site.yaml`: gazette init only creates new sites\n"
    );
    assert_eq!(std::fs::read_to_string(tmp.path().join("site.yaml")).unwrap(), "title: Mine\n");
}

/// Issue 23: `init --with-theme` on an existing site points at the command that copies the
/// theme into it, and that command, run as shown, works.
#[test]
fn issue_23_init_with_theme_on_a_site_points_at_theme_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir(&site).unwrap();
    let yaml = "title: Mine\nbase_url: https://example.com/\n";
    std::fs::write(site.join("site.yaml"), yaml).unwrap();
    let out = gazette(tmp.path(), &["init", "--with-theme", "site"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: `site` already holds `site.yaml`: gazette init only creates new sites
  |
  = help: to edit the default theme of this site, run `gazette theme copy --all --root site` (every file) or `gazette theme copy <template> --root site` (one file); neither overwrites a file
"
    );
    assert_eq!(std::fs::read_to_string(site.join("site.yaml")).unwrap(), yaml);
    assert!(!site.join("themes").exists());
    // Inside the site, the help needs no `--root`.
    let out = gazette(&site, &["init", "--with-theme"]);
    assert!(
        stderr(&out).contains("run `gazette theme copy --all` (every file)"),
        "{}",
        stderr(&out)
    );
    let out = gazette(tmp.path(), &["theme", "copy", "--all", "--root", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(site.join("themes/default/templates/article.html").is_file());
}

#[test]
fn issue_23_init_help_states_the_default_folder_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = gazette(tmp.path(), &["init", "--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    let line = help.lines().find(|l| l.trim_start().starts_with("[DIR]")).expect("a DIR line");
    assert_eq!(line.trim(), "[DIR]  Where to create the site [default: the current folder]");
}

#[test]
fn init_git_ignores_the_output_and_gazettes_own_folder() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(gazette(tmp.path(), &["init", "fresh"]).status.success());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("fresh/.gitignore")).unwrap(),
        "/output/\n/.gazette/\n"
    );
    // A repository's own .gitignore gains only the lines it lacks, and keeps the rest.
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(repo.join(".gitignore"), "*.log\noutput/").unwrap();
    let out = gazette(&repo, &["init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(repo.join(".gitignore")).unwrap(),
        "*.log\noutput/\n/.gazette/\n"
    );
    let complete = tmp.path().join("complete");
    std::fs::create_dir(&complete).unwrap();
    std::fs::write(complete.join(".gitignore"), "/.gazette\n/output/\n").unwrap();
    assert!(gazette(&complete, &["init"]).status.success());
    assert_eq!(
        std::fs::read_to_string(complete.join(".gitignore")).unwrap(),
        "/.gazette\n/output/\n"
    );
}
