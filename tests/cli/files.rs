//! Which files of `content/` are published: symlinks and special files, files that would
//! replace generated pages, active files on untrusted sites, articles under any Markdown
//! extension (issue 22).

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{Server, Site, stderr, tree_hashes};

const SITE: &str = "title: Files Times\nbase_url: https://example.com/\n";
const UNTRUSTED: &str =
    "title: Files Times\nbase_url: https://example.com/\nmarkdown:\n  unsafe_html: false\n";
const FINE: &str = "---\ntitle: Fine\ndate: 2026-01-01\ntags: [a]\n---\nFine.\n";

/// Runs gazette in `dir`, killing it (and failing) if it has not ended after a minute:
/// for inputs that once made it read forever.
fn run_or_kill(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("gazette"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gazette runs");
    let end = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gazette {args:?} did not end: it is reading something endless");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

/// Every file under `dir`, relative, as text.
fn files_under(dir: &Path) -> Vec<String> {
    tree_hashes(dir).into_keys().map(|p| p.to_string_lossy().into_owned()).collect()
}

#[test]
fn issue_22_a_symlink_into_a_hidden_folder_of_the_site_is_not_published() {
    let site = Site::empty(SITE);
    site.write("content/fine.md", FINE);
    site.write(".git/config", "[remote]\n\turl = https://token:SECRET-TOKEN@example.com/\n");
    site.write(".env/keys.txt", "SECRET-KEY");
    symlink("../.git/config", site.path().join("content/notes.txt")).unwrap();
    symlink("../.env/keys.txt", site.path().join("content/keys.txt")).unwrap();
    let out = site.build(&[]);
    let err = stderr(&out);
    for name in ["notes.txt", "keys.txt"] {
        assert!(
            err.contains(&format!(
                "warning: symlink skipped: it points into a hidden folder or at a hidden file\n \
                 --> content/{name}:1\n  = help: hidden folders (`.git`, `.env`) are never published\n"
            )),
            "{name}:\n{err}"
        );
        assert!(!site.out().join(name).exists(), "{name} published");
    }
    // `check` names them too, without showing a line of what they point at.
    let check = stderr(&site.run(&["check"]));
    assert!(check.contains("--> content/notes.txt:1"), "{check}");
    assert!(!check.contains("SECRET") && !err.contains("SECRET"), "{check}");
}

#[test]
fn issue_22_a_symlink_to_a_file_of_the_site_outside_content_is_not_published() {
    let site = Site::empty(SITE);
    site.write("content/fine.md", FINE);
    site.write("drafts/plan.txt", "not for readers");
    symlink("../drafts/plan.txt", site.path().join("content/plan.txt")).unwrap();
    let err = stderr(&site.build(&[]));
    assert!(
        err.contains(
            "warning: symlink skipped: it points outside `content/`\n --> content/plan.txt:1\n"
        ),
        "{err}"
    );
    assert!(!site.out().join("plan.txt").exists());
}

#[test]
fn issue_22_a_symlink_to_a_file_inside_content_is_still_published() {
    let site = Site::empty(SITE);
    site.write("content/fine.md", FINE);
    site.write("content/images/chart.png", "png bytes");
    symlink("images/chart.png", site.path().join("content/chart.png")).unwrap();
    site.build(&[]);
    assert_eq!(std::fs::read_to_string(site.out().join("chart.png")).unwrap(), "png bytes");
    // Copied as a file, not as a link.
    assert!(!std::fs::symlink_metadata(site.out().join("chart.png")).unwrap().is_symlink());
}

#[test]
fn issue_22_an_image_symlinked_to_dev_zero_is_never_read() {
    let site = Site::empty(SITE);
    site.write(
        "content/fine.md",
        "---\ntitle: Fine\ndate: 2026-01-01\ntags: [a]\nimage: /zero.png\nimage_alt: Zero\n---\n![Zero](/zero.png)\n\n![Zero](/zero.svg)\n",
    );
    symlink("/dev/zero", site.path().join("content/zero.png")).unwrap();
    symlink("/dev/zero", site.path().join("content/zero.svg")).unwrap();
    let out = run_or_kill(site.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for name in ["zero.png", "zero.svg"] {
        assert!(
            err.contains(&format!(
                "warning: symlink skipped: it points outside the site folder\n --> content/{name}:1\n"
            )),
            "{err}"
        );
        assert!(!site.out().join(name).exists());
    }
    // Measured as nothing: no size was read from it.
    let page = site.page("/news/fine/");
    assert!(page.attrs("img[src='/zero.png']", "width").is_empty());
    // A link to it says the file was skipped, not to check the address (issue 22).
    assert!(
        err.contains(
            "warning: link to `/zero.svg` matches no page or file of the site\n  --> content/fine.md:10:1\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("  = help: the file exists but was skipped: see the warning above\n"),
        "{err}"
    );
    assert!(!err.contains("check the address"), "{err}");
}

#[test]
fn issue_22_fifos_are_never_opened_even_through_a_symlink() {
    let site = Site::empty(SITE);
    site.write("content/fine.md", FINE);
    mkfifo(&site.path().join("content/pipe.txt"));
    mkfifo(&site.path().join("content/pipe.png"));
    symlink("pipe.txt", site.path().join("content/piped.md")).unwrap();
    site.write(
        "content/pic.md",
        "---\ntitle: Pic\ndate: 2026-01-02\ntags: [a]\n---\n![P](/pipe.png)\n",
    );
    for command in ["build", "check"] {
        let out = run_or_kill(site.path(), &[command]);
        let err = stderr(&out);
        for name in ["pipe.txt", "pipe.png", "piped.md"] {
            assert!(
                err.contains(&format!(
                    "warning: skipped: not a regular file (a device, FIFO or socket is never read)\n --> content/{name}:1\n"
                )),
                "{command} {name}:\n{err}"
            );
        }
    }
    assert_eq!(
        files_under(&site.out()).iter().filter(|f| f.contains("pipe")).count(),
        0,
        "a FIFO was published"
    );
}

#[test]
fn issue_22_a_symlinked_content_folder_outside_the_site_is_refused() {
    let site = Site::empty(SITE);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("fine.md"), FINE).unwrap();
    std::fs::write(elsewhere.path().join("secret.txt"), "SECRET").unwrap();
    symlink(elsewhere.path(), site.path().join("content")).unwrap();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: `content` is a symlink to a folder outside the site: gazette follows it only \
         inside the site folder\n --> content:1\n  = help: move the folder into the site, or \
         make `content/` a plain folder\n"
    );
    assert!(!site.out().exists(), "nothing was written");
    let check = site.run(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr(&check).contains("`content` is a symlink to a folder outside the site"));
}

#[test]
fn issue_22_a_symlinked_content_folder_inside_the_site_is_followed_unless_hidden() {
    let site = Site::empty(SITE);
    site.write("articles/fine.md", FINE);
    site.write("articles/data.csv", "a,b\n");
    symlink("articles", site.path().join("content")).unwrap();
    site.build(&[]);
    assert!(site.out().join("news/fine/index.html").is_file());
    assert_eq!(site.read("data.csv"), "a,b\n");

    let hidden = Site::empty(SITE);
    hidden.write(".private/fine.md", FINE);
    symlink(".private", hidden.path().join("content")).unwrap();
    let out = hidden.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: `content` is a symlink into a hidden folder\n"),
        "{}",
        stderr(&out)
    );
    assert!(!hidden.out().exists());

    let itself = Site::empty(SITE);
    symlink(".", itself.path().join("content")).unwrap();
    let out = itself.run(&["build"]);
    assert!(
        stderr(&out).starts_with("error: `content` is a symlink to the site folder itself\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn issue_22_serve_never_publishes_a_symlink_made_while_it_runs() {
    let site = Site::fixture("serve/basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), "root:SECRET-PASSWD").unwrap();
    std::fs::write(outside.path().join("hostname"), "SECRET-HOST\n").unwrap();
    site.write(".git/config", "SECRET-GIT");
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    events.next_build().expect("the current build number at once");
    let content = site.path().join("content");
    symlink(outside.path().join("passwd"), content.join("passwd.txt")).unwrap();
    symlink(outside.path().join("hostname"), content.join("h.md")).unwrap();
    symlink("../.git/config", content.join("notes.txt")).unwrap();
    symlink("/dev/zero", content.join("media/zero.png")).unwrap();
    for name in ["passwd.txt", "h.md", "notes.txt", "media/zero.png"] {
        assert!(
            server.wait_for_line(&format!("--> content/{name}:1")).is_some(),
            "{name} not reported:\n{}",
            server.output()
        );
    }
    for path in ["/passwd.txt", "/notes.txt", "/media/zero.png", "/h/", "/misc/h/"] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert!(!response.text().contains("SECRET"), "{path} leaked");
    }
    // No page shows an error overlay holding what the link points at.
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(!home.text().contains("SECRET") && !home.text().contains("gazette-error"));
    assert!(!server.output().contains("SECRET"), "{}", server.output());
    // serve builds its preview in .gazette/serve (issue 15): nothing there either.
    let preview = site.path().join(".gazette/serve");
    assert!(files_under(&preview).iter().all(|f| !f.contains("passwd") && !f.contains("notes")));
    assert!(!site.out().exists(), "serve never writes output/");
}

#[test]
fn issue_22_content_files_cannot_replace_generated_files() {
    let site = Site::empty(SITE);
    site.write("content/fine.md", FINE);
    site.write("content/bad.md", "---\ntitle: Bad\ndate: 2026-02-30\n---\nBad.\n");
    for file in [
        "index.html",
        "feed.xml",
        "sitemap.xml",
        "404.html",
        "robots.txt",
        "search/index.json",
        "news/fine/index.html",
        "news/feed.xml",
    ] {
        site.write(&format!("content/{file}"), "<p>not gazette's</p>");
    }
    site.write("content/news/other.html", "fine: no page there");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    // Reported with the other content problems of the build, all at once.
    assert!(err.starts_with("error: date: `2026-02-30` is not a valid date\n"), "{err}");
    assert!(err.ends_with("9 problems found\n"), "{err}");
    let help = "  = help: rename or move the file: gazette never lets content overwrite what it generates\n";
    for (file, what) in [
        ("index.html", "the front page"),
        ("feed.xml", "the site's feed"),
        ("sitemap.xml", "the sitemap"),
        ("404.html", "the page shown for missing addresses"),
        ("robots.txt", "the instructions for crawlers"),
        ("search/index.json", "the search index"),
        ("news/fine/index.html", "the page of the article `content/fine.md`"),
        ("news/feed.xml", "the feed of the category `News`"),
    ] {
        let expected = format!(
            "error: this file would replace {what}, which gazette writes to `{file}`\n \
             --> content/{file}:1\n{help}"
        );
        assert!(err.contains(&expected), "{file}:\n{err}");
    }
    assert!(!err.contains("other.html"), "{err}");
    assert!(!site.out().exists(), "nothing was written");

    // `check` reports them too; once the article is fixed, the build still refuses.
    site.write("content/bad.md", FINE.replace("Fine", "Bad").as_str());
    let check = site.run(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stderr(&check).matches("this file would replace").count(), 8);
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).ends_with("8 problems found\n"), "{}", stderr(&out));
}

#[test]
fn issue_22_serve_refuses_a_content_file_that_would_replace_a_page() {
    let site = Site::fixture("serve/basic");
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    events.next_build().unwrap();
    site.write("content/feed.xml", "<rss>not gazette's</rss>");
    assert!(
        server
            .wait_for_line(
                "error: this file would replace the site's feed, which gazette writes to `feed.xml`"
            )
            .is_some(),
        "{}",
        server.output()
    );
    assert!(!server.get("/feed.xml").text().contains("not gazette's"));
}

#[test]
fn issue_22_untrusted_sites_refuse_pages_and_svg_that_run_script() {
    let site = Site::empty(UNTRUSTED);
    site.write("content/fine.md", FINE);
    site.write("content/page.html", "<script>alert(1)</script>\n");
    site.write("content/old.HTM", "<p>x</p>\n");
    site.write("content/doc.xhtml", "<html/>\n");
    site.write(
        "content/images/script.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <rect width=\"1\" height=\"1\"/>\n  <script>alert(1)</script>\n</svg>\n",
    );
    site.write(
        "content/images/handler.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<image href=\"x.png\" onerror=\"alert(1)\"/></svg>\n",
    );
    site.write(
        "content/images/foreign.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n\n<foreignObject><div/></foreignObject></svg>\n",
    );
    site.write(
        "content/images/link.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n<a xlink:href=\"java&#115;cript:alert(1)\"><rect/></a></svg>\n",
    );
    site.write(
        "content/images/entities.svg",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY s \"&#60;script&#62;alert(1)&#60;/script&#62;\">]>\n<svg>&s;</svg>\n",
    );
    site.write(
        "content/images/clean.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"2\"><a href=\"/news/\"><rect/></a></svg>\n",
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let hint = "set `markdown.unsafe_html: true` in site.yaml only if every contributor is trusted";
    for (file, ext) in [("page.html", "html"), ("old.HTM", "htm"), ("doc.xhtml", "xhtml")] {
        let expected = format!(
            "error: `.{ext}` files are not published when `markdown.unsafe_html` is off\n \
             --> content/{file}:1\n  = help: write the page as a Markdown article instead, or {hint}\n"
        );
        assert!(err.contains(&expected), "{file}:\n{err}");
    }
    for (file, at, why) in [
        ("script", "3:3", "it has a `script` element"),
        ("handler", "2:1", "it has an event handler (`onerror`) on a `image` element"),
        ("foreign", "3:1", "it has a `foreignObject` element"),
        ("link", "2:1", "it has a script URL in `href` on a `a` element"),
        ("entities", "2:1", "it has a DOCTYPE, whose entities could hide a script"),
    ] {
        let expected = format!(
            "error: this SVG could run script in readers' browsers: {why}\n \
             --> content/images/{file}.svg:{at}\n  = help: remove it from the file, or {hint}\n"
        );
        assert!(err.contains(&expected), "{file}:\n{err}");
    }
    assert!(err.ends_with("8 problems found\n"), "{err}");
    assert!(!site.out().exists());

    for file in ["page.html", "old.HTM", "doc.xhtml"] {
        site.remove(&format!("content/{file}"));
    }
    for file in ["script", "handler", "foreign", "link", "entities"] {
        site.remove(&format!("content/images/{file}.svg"));
    }
    site.build(&[]);
    assert!(site.read("images/clean.svg").contains("<rect/>"));
}

#[test]
fn issue_22_trusted_sites_still_publish_html_and_svg_files() {
    let site = Site::empty(SITE);
    site.write("content/fine.md", FINE);
    site.write("content/embed.html", "<script>ok()</script>\n");
    site.write("content/anim.svg", "<svg><script>ok()</script></svg>\n");
    site.build(&[]);
    assert_eq!(site.read("embed.html"), "<script>ok()</script>\n");
    assert!(site.read("anim.svg").contains("<script>"));
}

#[test]
fn issue_22_drafts_under_other_markdown_extensions_never_leak() {
    let site = Site::empty(SITE);
    site.write("content/fine.md", FINE);
    let draft = "---\ntitle: Secret plan\ndate: 2026-01-03\ndraft: true\n---\nTOP-SECRET-PLAN\n";
    site.write("content/Draft.MD", draft);
    site.write("content/plan.markdown", draft);
    site.write("content/later.MarkDown", draft);
    site.write(
        "content/world/Shown.Md",
        "---\ntitle: Shown\ndate: 2026-01-02\ntags: [a]\n---\nShown body.\n",
    );
    let out = site.build(&[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 draft(s) skipped"));
    let files = files_under(&site.out());
    for file in &files {
        let bytes = std::fs::read(site.out().join(file)).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("TOP-SECRET-PLAN"), "{file} leaked");
    }
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with(".MD") || f.contains("markdown") || f.contains("MarkDown"))
    );
    // The articles under other extensions are articles; `.md` URLs are unchanged.
    assert!(site.page("/news/shown/").texts("h1").contains(&"Shown".to_owned()), "{files:?}");
    assert!(site.out().join("news/fine/index.html").is_file());
    let with_drafts = site.build(&["--drafts"]);
    assert!(
        String::from_utf8_lossy(&with_drafts.stdout).contains("built 5 article(s)"),
        "{}",
        String::from_utf8_lossy(&with_drafts.stdout)
    );
    assert!(site.out().join("news/draft/index.html").is_file());
    assert!(site.out().join("news/plan/index.html").is_file());
}
