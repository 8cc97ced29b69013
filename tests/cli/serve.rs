//! `gazette serve`: the real server on a free port, spoken to over HTTP.

use scraper::Html;

use crate::support::{Page, Server, Site, gazette, tree_hashes};

fn site_and_server(args: &[&str]) -> (Site, Server) {
    let site = Site::fixture("serve/basic");
    let server = Server::start(site.path(), args);
    (site, server)
}

/// Where `serve` builds the site it shows: never the output folder.
fn preview(site: &Site) -> std::path::PathBuf {
    site.path().join(".gazette/serve")
}

fn page(server: &Server, path: &str) -> Page {
    let response = server.get(path);
    assert_eq!(response.status, 200, "{path}: {}", response.text());
    Page(Html::parse_document(&response.text()))
}

#[test]
fn serves_the_built_site_with_the_right_types() {
    let (_site, server) = site_and_server(&[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html"));
    assert!(home.text().contains("Fixture Times"));
    let css_link =
        Page(Html::parse_document(&home.text())).attrs("link[rel=stylesheet]", "href")[0].clone();
    for (path, kind) in [
        (css_link.as_str(), "text/css"),
        ("/feed.xml", "text/xml"),
        ("/search/index.json", "application/json"),
        ("/images/pic.svg", "image/svg+xml"),
        ("/media/pixel.png", "image/png"),
        ("/media/photo.jpg", "image/jpeg"),
        ("/media/pic.webp", "image/webp"),
        ("/media/font.woff2", "font/woff2"),
        ("/media/data.json", "application/json"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("content-type"), Some(kind), "{path}");
    }
    let search = Page(Html::parse_document(&server.get("/search/").text()));
    let script = search.attrs("script[src^='/search.']", "src")[0].clone();
    assert!(server.get(&script).header("content-type").unwrap().starts_with("text/javascript"));
}

#[test]
fn folders_serve_their_index_and_lack_of_slash_redirects() {
    let (_site, server) = site_and_server(&[]);
    let folder = server.get("/world/alpha/");
    assert_eq!(folder.status, 200);
    assert!(folder.text().contains("Alpha: talks resume in the capital"));
    let bare = server.get("/world/alpha");
    assert!(matches!(bare.status, 301 | 307 | 308), "{}", bare.status);
    assert_eq!(bare.header("location").map(|l| l.ends_with("/world/alpha/")), Some(true));
}

#[test]
fn missing_pages_get_the_site_404_with_status_404() {
    let (_site, server) = site_and_server(&[]);
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found"));
}

#[test]
fn head_no_store_and_no_open_cors() {
    let (_site, server) = site_and_server(&[]);
    let head = server.request(&format!(
        "HEAD /world/beta/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        server.port
    ));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    // GET adds the reload script: HEAD must not promise the file's shorter length.
    let get = server.get("/world/beta/");
    if let Some(length) = head.header("content-length") {
        assert_eq!(length.parse::<usize>().unwrap(), get.body.len());
    }
    for path in ["/", "/feed.xml", "/no/such/"] {
        let response = server.get(path);
        assert_eq!(response.header("cache-control"), Some("no-store"), "{path}");
        assert_eq!(response.header("access-control-allow-origin"), None, "{path}");
    }
}

#[test]
fn other_host_names_are_refused() {
    let (_site, server) = site_and_server(&[]);
    for host in ["evil.example", "evil.example:80", "attacker.test:{port}", "127.0.0.1:1"] {
        let host = host.replace("{port}", &server.port.to_string());
        let response =
            server.request(&format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        assert_eq!(response.status, 403, "{host}");
        assert!(!response.text().contains("Fixture Times"), "{host}");
    }
    let no_host = server.request("GET / HTTP/1.0\r\n\r\n");
    assert!(no_host.status >= 400, "no Host header");
    for host in ["localhost", "127.0.0.1"] {
        let response = server.request(&format!(
            "GET / HTTP/1.1\r\nHost: {host}:{}\r\nConnection: close\r\n\r\n",
            server.port
        ));
        assert_eq!(response.status, 200, "{host}");
    }
}

#[test]
fn no_request_reaches_outside_the_site() {
    let (site, server) = site_and_server(&[]);
    std::fs::write(site.path().join("secret.txt"), "do not serve").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(site.path().join("secret.txt"), preview(&site).join("leak.txt"))
        .unwrap();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/world/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/world%5c..%5c..%5csecret.txt",
        "//etc/passwd",
        "/leak.txt",
        "/%00",
    ] {
        let response = server.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            server.port
        ));
        assert!(response.status >= 400, "{path} answered {}", response.status);
        assert!(
            !response.text().contains("do not serve") && !response.text().contains("root:"),
            "{path} leaked"
        );
    }
    let absolute = server.request(&format!("GET http://127.0.0.1:{0}/../secret.txt HTTP/1.1\r\nHost: 127.0.0.1:{0}\r\nConnection: close\r\n\r\n", server.port));
    assert!(!absolute.text().contains("do not serve"));
}

#[test]
fn editing_an_article_rebuilds_it_and_reloads_open_pages() {
    let (site, server) = site_and_server(&[]);
    let mut events = server.events();
    let first = events.next_build().expect("the current build number at once");
    let unrelated = preview(&site).join("economy/delta/index.html");
    let before = std::fs::metadata(&unrelated).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(site.path().join("content/world/beta.md")).unwrap();
    site.write("content/world/beta.md", &text.replace("Beta body.", "Beta body, now edited."));
    let next = events.next_build().expect("a reload event after the save");
    assert!(next > first);
    let beta = page(&server, "/world/beta/");
    assert!(beta.texts(".article-body").concat().contains("Beta body, now edited."));
    // Only what the edit changed was written.
    assert!(server.wait_for_line("rebuilt changed pages").is_some(), "{}", server.output());
    assert_eq!(
        std::fs::metadata(&unrelated).unwrap().modified().unwrap(),
        before,
        "an unrelated page was rewritten"
    );
}

#[test]
fn the_reload_script_is_injected_only_when_serving() {
    let (site, server) = site_and_server(&[]);
    let served = page(&server, "/world/alpha/");
    assert_eq!(served.attrs("script[src='/__gazette/live.js']", "src").len(), 1);
    let js = server.get("/__gazette/live.js");
    assert!(js.header("content-type").unwrap().starts_with("text/javascript"));
    assert!(js.text().contains("EventSource"));
    // The files on disk never hold it.
    for entry in walkdir::WalkDir::new(preview(&site))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
    {
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("__gazette"),
            "{}",
            entry.path().display()
        );
    }
}

#[test]
fn errors_keep_the_last_good_site_and_show_on_every_page_until_fixed() {
    let (site, server) = site_and_server(&[]);
    let mut events = server.events();
    events.next_build().unwrap();
    let good = std::fs::read_to_string(site.path().join("content/world/beta.md")).unwrap();
    site.write("content/world/beta.md", &good.replace("date: 2026-03-02", "date: 2026-02-30"));
    events.next_build().expect("pages reload to show the error");
    for path in ["/world/beta/", "/", "/no/such/"] {
        let response = server.get(path);
        let page = Page(Html::parse_document(&response.text()));
        let overlay = page.texts("#gazette-error pre").concat();
        assert!(overlay.contains("content/world/beta.md:3:7"), "{path}: {overlay}");
        assert!(overlay.contains("`2026-02-30` is not a valid date"), "{path}: {overlay}");
    }
    // The last good page is still what is served under the overlay.
    assert!(page(&server, "/world/beta/").texts("h1").contains(&"Beta explainer".to_owned()));
    assert!(
        server.wait_for_line("--> content/world/beta.md:3:7").is_some(),
        "the terminal shows it too"
    );
    site.write("content/world/beta.md", &good);
    events.next_build().expect("fixing reloads");
    // The save may reach the watcher as several events: the build that reloaded may be
    // of a half-written file, and the next one of the whole.
    server.eventually("the overlay gone once the file is fixed", || {
        page(&server, "/world/beta/").select("#gazette-error").is_empty()
    });
}

#[test]
fn a_first_build_that_fails_shows_its_error_until_fixed() {
    let site = Site::fixture("serve/basic");
    let good = std::fs::read_to_string(site.path().join("content/world/beta.md")).unwrap();
    site.write("content/world/beta.md", &good.replace("date: 2026-03-02", "date: tomorrow"));
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    events.next_build().unwrap();
    let response = server.get("/");
    assert_eq!(response.status, 404);
    let shown = Page(Html::parse_document(&response.text()));
    let overlay = shown.texts("#gazette-error pre").concat();
    assert!(overlay.contains("content/world/beta.md:3:7"), "{overlay}");
    site.write("content/world/beta.md", &good);
    events.next_build().expect("fixing reloads");
    // The save may reach the watcher as several events: the build that reloaded may be
    // of a half-written file, and the next one of the whole.
    server.eventually("the overlay gone once the file is fixed", || {
        page(&server, "/world/beta/").select("#gazette-error").is_empty()
    });
}

#[test]
fn new_deleted_and_renamed_articles_are_handled() {
    let (site, server) = site_and_server(&[]);
    let mut events = server.events();
    events.next_build().unwrap();
    site.write(
        "content/world/omega.md",
        "---\ntitle: Omega arrives\ndate: 2026-03-10\ncategory: World\ntags: [diplomacy]\nsummary: Omega.\n---\n\n## Introduction\n\nNew.\n",
    );
    events.next_build().unwrap();
    assert_eq!(page(&server, "/world/omega/").texts("h1"), ["Omega arrives"]);
    assert_eq!(page(&server, "/").texts(".lead-story-title"), ["Omega arrives"]);
    assert!(
        page(&server, "/tags/diplomacy/")
            .texts(".card-title")
            .contains(&"Omega arrives".to_owned())
    );

    std::fs::rename(
        site.path().join("content/world/omega.md"),
        site.path().join("content/world/omega-renamed.md"),
    )
    .unwrap();
    events.next_build().unwrap();
    assert_eq!(server.get("/world/omega/").status, 404);
    assert_eq!(page(&server, "/world/omega-renamed/").texts("h1"), ["Omega arrives"]);

    site.remove("content/world/omega-renamed.md");
    events.next_build().unwrap();
    assert_eq!(server.get("/world/omega-renamed/").status, 404);
    assert!(
        !page(&server, "/tags/diplomacy/")
            .texts(".card-title")
            .contains(&"Omega arrives".to_owned())
    );
    assert_eq!(page(&server, "/").texts(".lead-story-title"), ["Gamma and the rates"]);
}

#[test]
fn a_template_change_rerenders_the_pages_that_use_it() {
    let (site, server) = site_and_server(&[]);
    let mut events = server.events();
    events.next_build().unwrap();
    site.write(
        "themes/default/templates/tags.html",
        "{% extends \"base.html\" %}{% block main %}<p id=\"custom\">{{ tags | length }} topics</p>{% endblock main %}",
    );
    events.next_build().unwrap();
    server.eventually("the new tags template is used", || {
        page(&server, "/tags/").texts("#custom") == ["4 topics"]
    });
    // A broken template is an error shown on the page, and the old pages stay.
    site.write(
        "themes/default/templates/tags.html",
        "{% extends \"base.html\" %}{% block main %}{% if %}{% endblock main %}",
    );
    events.next_build().unwrap();
    server.eventually("the template error is shown", || {
        page(&server, "/tags/")
            .texts("#gazette-error pre")
            .concat()
            .contains("themes/default/templates/tags.html")
    });
    assert_eq!(page(&server, "/tags/").texts("#custom"), ["4 topics"]);
}

#[test]
fn a_taken_port_moves_to_the_next_free_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let site = Site::fixture("serve/basic");
    let server = Server::start_on(site.path(), port, &[]);
    assert_ne!(server.port, port);
    assert!(
        server
            .wait_for_line(&format!("port {port} is taken; serving on port {}", server.port))
            .is_some()
    );
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn another_address_needs_bind_and_warns() {
    let site = Site::fixture("serve/basic");
    let server = Server::start(site.path(), &["--bind", "0.0.0.0"]);
    assert!(server.wait_for_line("warning: listening on 0.0.0.0").is_some(), "{}", server.output());
    let local = Server::start(Site::fixture("serve/basic").path(), &[]);
    assert_eq!(local.count_lines("warning: listening on"), 0);
}

#[test]
fn links_point_at_the_local_server() {
    let (_site, server) = site_and_server(&[]);
    let alpha = page(&server, "/world/alpha/");
    assert_eq!(
        alpha.attrs("link[rel=canonical]", "href"),
        [format!("http://127.0.0.1:{}/world/alpha/", server.port)]
    );
}

#[test]
fn ctrl_c_stops_cleanly_and_leaves_a_complete_preview() {
    let (site, server) = site_and_server(&[]);
    let mut events = server.events();
    events.next_build().unwrap();
    let text = std::fs::read_to_string(site.path().join("content/economy/gamma.md")).unwrap();
    site.write("content/economy/gamma.md", &text.replace("Gamma body", "Gamma body, revised"));
    events.next_build().unwrap();
    // Fewer sections move the inline "See also" links.
    let text = std::fs::read_to_string(site.path().join("content/world/alpha.md")).unwrap();
    let fourth = text.match_indices("\n## ").nth(3).expect("alpha has five sections").0;
    site.write("content/world/alpha.md", &text[..fourth + 1]);
    events.next_build().unwrap();
    let port = server.port;
    assert_eq!(server.interrupt(), Some(0));
    // What the incremental rebuilds left equals a fresh full build of the same content.
    let fresh = tempfile::tempdir().unwrap();
    let target = fresh.path().join("out");
    let base = format!("http://127.0.0.1:{port}/");
    let out = gazette(
        site.path(),
        &["build", "--quiet", "--base-url", &base, "--output", target.to_str().unwrap()],
    );
    assert!(out.status.success());
    let mut served = tree_hashes(&preview(&site));
    let mut built = tree_hashes(&target);
    // Each folder carries its own kind of marker.
    assert!(served.remove(std::path::Path::new(".gazette-preview")).is_some());
    assert!(built.remove(std::path::Path::new(".gazette-output")).is_some());
    let differing: Vec<_> = built
        .keys()
        .filter(|k| served.get(*k) != built.get(*k) && !k.ends_with("news-sitemap.xml"))
        .collect();
    assert!(differing.is_empty(), "differs from a fresh build: {differing:?}");
    assert_eq!(served.len(), built.len());
    assert!(!site.out().exists(), "serve wrote no output folder");
}

// ---- serve builds into .gazette/serve, never into output/ (issue 15, point 4) ----------

/// Every entry under `dir`: folders and links by name, files with the hash of their bytes.
fn tree(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_owned();
            let what = if e.path_is_symlink() {
                format!("link to {}", std::fs::read_link(e.path()).unwrap().display())
            } else if e.file_type().is_dir() {
                "folder".to_owned()
            } else {
                blake3::hash(&std::fs::read(e.path()).unwrap()).to_hex().to_string()
            };
            (rel, what)
        })
        .collect()
}

/// The canonical link and Open Graph URL of the page at `path` under `dir`.
fn page_urls(dir: &std::path::Path, path: &str) -> Vec<String> {
    let html = std::fs::read_to_string(dir.join(path)).unwrap();
    let page = Page(Html::parse_document(&html));
    let mut urls = page.attrs("link[rel=canonical]", "href");
    urls.extend(page.attrs("meta[property='og:url']", "content"));
    urls
}

/// Serves `site` with a rebuild after an edit, fetches a page, and stops; returns the
/// served page's canonical and Open Graph URLs, and the port.
fn serve_edit_and_stop(site: &Site) -> (Vec<String>, u16) {
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    events.next_build().unwrap();
    let text = std::fs::read_to_string(site.path().join("content/world/beta.md")).unwrap();
    site.write("content/world/beta.md", &text.replace("Beta body.", "Beta body, edited."));
    events.next_build().expect("a rebuild after the save");
    let served = page(&server, "/world/alpha/");
    let mut urls = served.attrs("link[rel=canonical]", "href");
    urls.extend(served.attrs("meta[property='og:url']", "content"));
    assert!(
        page(&server, "/world/beta/").texts(".article-body").concat().contains("edited"),
        "the rebuild is what is served"
    );
    let port = server.port;
    assert_eq!(server.interrupt(), Some(0));
    (urls, port)
}

#[test]
fn serve_leaves_an_existing_output_folder_byte_identical() {
    let site = Site::fixture("serve/basic");
    let built = site.build(&["--quiet"]);
    assert!(built.status.success(), "{}", crate::support::stderr(&built));
    let before = tree(&site.out());
    assert!(before.len() > 20, "a whole build: {}", before.len());
    let (served, port) = serve_edit_and_stop(&site);
    let local = format!("http://127.0.0.1:{port}/world/alpha/");
    assert_eq!(served, [local.clone(), local.clone()]);
    assert_eq!(tree(&site.out()), before, "serve changed output/");
    let published = ["https://example.com/world/alpha/", "https://example.com/world/alpha/"];
    assert_eq!(page_urls(&site.out(), "world/alpha/index.html"), published);
    // The preview is what was served, and stays where serve keeps it.
    assert_eq!(page_urls(&preview(&site), "world/alpha/index.html"), [local.clone(), local]);
}

#[test]
fn serve_creates_no_output_folder_and_a_later_build_has_the_real_base_url() {
    let site = Site::fixture("serve/basic");
    let (served, port) = serve_edit_and_stop(&site);
    let local = format!("http://127.0.0.1:{port}/");
    assert!(served.iter().all(|url| url == &format!("{local}world/alpha/")), "{served:?}");
    assert!(!site.out().exists(), "serve made output/");
    let entries: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(entries, [".gazette", "content", "site.yaml"], "nothing else in the site folder");
    // The preview holds a whole site pointing at the local server, marked as gazette's.
    let own = site.path().join(".gazette");
    assert_eq!(
        std::fs::read_to_string(preview(&site).join(".gazette-preview")).unwrap(),
        "gazette preview folder: `gazette serve` replaces it whole; never publish it, its links point at the local server\n"
    );
    assert!(std::fs::read_to_string(preview(&site).join("feed.xml")).unwrap().contains(&local));
    assert!(std::fs::read_to_string(own.join(".gitignore")).unwrap().ends_with("\n*\n"));

    let out = site.build(&["--quiet"]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    assert_eq!(
        page_urls(&site.out(), "world/alpha/index.html"),
        ["https://example.com/world/alpha/", "https://example.com/world/alpha/"]
    );
    for file in ["feed.xml", "sitemap.xml", "world/alpha/index.html", "index.html"] {
        let text = site.read(file);
        assert!(!text.contains("127.0.0.1"), "{file} points at the preview server");
        assert!(text.contains("https://example.com/"), "{file}");
    }
    assert!(!site.out().join(".gazette-preview").exists());
}

#[test]
fn each_start_replaces_the_preview_whole() {
    let site = Site::fixture("serve/basic");
    serve_edit_and_stop(&site);
    // A page the site no longer has, left in the preview of the last run.
    std::fs::write(preview(&site).join("stale.html"), "old").unwrap();
    site.remove("content/world/beta.md");
    let server = Server::start(site.path(), &[]);
    assert_eq!(server.get("/world/beta/").status, 404);
    assert_eq!(server.get("/stale.html").status, 404);
    assert!(!preview(&site).join("stale.html").exists());
    assert!(preview(&site).join("world/alpha/index.html").is_file());
    // No staging folder is left beside it; the image cache is (issue 16).
    let own: Vec<String> = std::fs::read_dir(site.path().join(".gazette"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(own, [".gitignore", "images", "serve"]);
}

#[test]
fn the_output_flag_of_serve_is_an_error_pointing_at_build() {
    let site = Site::fixture("serve/basic");
    let before = tree(site.path());
    for flag in ["--output", "-o"] {
        let (code, err) = crate::support::serve_refused(site.path(), &[flag, "public"]);
        assert_eq!(code, Some(2), "{err}");
        assert_eq!(
            err,
            "error: `gazette serve` no longer takes `--output`: its preview goes to \
             `.gazette/serve/` in the site folder, never to a folder you publish; to write the \
             site into `public`, run `gazette build --output public`\n"
        );
    }
    assert_eq!(tree(site.path()), before, "nothing written");
}

#[test]
fn a_gazette_folder_that_is_not_gazettes_is_refused_and_left_alone() {
    let holder = tempfile::tempdir().unwrap();
    let elsewhere = holder.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("notes.txt"), "mine").unwrap();
    /// What it is, how to make it, and the error it gets.
    type Setup<'a> = (&'a str, &'a dyn Fn(&std::path::Path), &'a str);
    let setups: [Setup<'_>; 4] = [
        (
            "a file",
            &|root| std::fs::write(root.join(".gazette"), "mine").unwrap(),
            "error: refusing to use `.gazette/serve` as the preview folder: `.gazette` is a file, not a folder\n  |\n  = help: move `.gazette` away or delete it yourself: gazette keeps its preview and cache in a folder of that name\n",
        ),
        (
            "a link",
            &|root| std::os::unix::fs::symlink(&elsewhere, root.join(".gazette")).unwrap(),
            "error: refusing to use `.gazette/serve` as the preview folder: `.gazette` is a symbolic link\n  |\n  = help: move `.gazette` away or delete it yourself: gazette keeps its preview and cache in a folder of that name\n",
        ),
        (
            "someone's files",
            &|root| {
                std::fs::create_dir_all(root.join(".gazette/serve")).unwrap();
                std::fs::write(root.join(".gazette/serve/notes.txt"), "mine").unwrap();
            },
            "error: refusing to use `.gazette/serve` as the preview folder: it holds files gazette did not write, such as `notes.txt`\n  |\n  = help: gazette replaces only empty folders and folders it built (they hold a `.gazette-preview` file): move `.gazette/serve` away or delete it yourself: `gazette serve` keeps its preview there\n",
        ),
        (
            "a link as the preview",
            &|root| {
                std::fs::create_dir(root.join(".gazette")).unwrap();
                std::os::unix::fs::symlink(&elsewhere, root.join(".gazette/serve")).unwrap();
            },
            "error: refusing to use `.gazette/serve` as the preview folder: it is a symbolic link\n  |\n  = help: move `.gazette/serve` away or delete it yourself: `gazette serve` keeps its preview there\n",
        ),
    ];
    for (what, setup, expected) in setups {
        let site = Site::fixture("serve/basic");
        setup(site.path());
        let before = (tree(site.path()), tree(&elsewhere));
        let (code, err) = crate::support::serve_refused(site.path(), &[]);
        assert_eq!(code, Some(1), "{what}: {err}");
        assert_eq!(err, expected, "{what}");
        assert_eq!((tree(site.path()), tree(&elsewhere)), before, "{what}: nothing changed");
    }
}

#[test]
fn issue_22_port_0_serves_on_a_free_port_and_prints_it() {
    let site = Site::fixture("serve/basic");
    let server = Server::start_on(site.path(), 0, &[]);
    assert_ne!(server.port, 0, "{}", server.output());
    assert!(
        server
            .wait_for_line(&format!("at http://127.0.0.1:{}/ (Ctrl-C to stop)", server.port))
            .is_some()
    );
    assert_eq!(server.count_lines("is taken"), 0, "{}", server.output());
    assert_eq!(server.get("/").status, 200);
    assert_eq!(
        page(&server, "/world/alpha/").attrs("link[rel=canonical]", "href"),
        [format!("http://127.0.0.1:{}/world/alpha/", server.port)]
    );
}

/// Opens a connection that sends the start of a request and then nothing more.
fn half_sent(port: u16) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: slow").unwrap();
    stream
}

#[cfg(target_os = "linux")]
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count()
}

#[test]
fn issue_22_half_sent_requests_time_out_and_connections_are_capped() {
    use std::io::Read;
    let (site, server) = site_and_server(&[]);
    let mut events = server.events();
    let first = events.next_build().unwrap();
    #[cfg(target_os = "linux")]
    let before = open_fds(server.pid());
    let mut stalled: Vec<_> = (0..300).map(|_| half_sent(server.port)).collect();
    // Served once the server has closed stalled connections (after 5 s without headers).
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("Fixture Times"));
    // At most 256 connections are open at once (the event stream counted before is one):
    // the rest wait, holding no descriptor. A few more for files being closed.
    #[cfg(target_os = "linux")]
    {
        let during = open_fds(server.pid());
        assert!(during <= before + 260, "{before} descriptors before, {during} during");
    }
    // The first stalled connection was closed by the server, without an answer.
    let oldest = &mut stalled[0];
    oldest.set_read_timeout(Some(crate::support::DEADLINE)).unwrap();
    let mut answer = Vec::new();
    oldest.read_to_end(&mut answer).expect("closed by the server before the deadline");
    assert!(answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"), "{answer:?}");
    // Rebuilds still work, and the event stream opened before is still served.
    let text = std::fs::read_to_string(site.path().join("content/world/beta.md")).unwrap();
    site.write("content/world/beta.md", &text.replace("Beta body.", "Beta body, after the flood."));
    assert!(events.next_build().expect("a reload event after the save") > first);
    assert!(
        page(&server, "/world/beta/")
            .texts(".article-body")
            .concat()
            .contains("Beta body, after the flood.")
    );
    drop(stalled);
}

#[test]
fn issue_22_a_range_of_a_page_gets_the_whole_page_with_the_reload_script() {
    let (site, server) = site_and_server(&[]);
    let whole = server.get("/world/alpha/");
    let ranged = server.request(&format!(
        "GET /world/alpha/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nRange: bytes=0-99\r\nConnection: close\r\n\r\n",
        server.port
    ));
    // Pages are always sent whole: a range of the file would miss the injected script.
    assert_eq!(ranged.status, 200);
    assert_eq!(ranged.header("content-range"), None);
    assert_eq!(ranged.header("accept-ranges"), None);
    assert_eq!(ranged.body, whole.body);
    if let Some(length) = ranged.header("content-length") {
        assert_eq!(length.parse::<usize>().unwrap(), ranged.body.len());
    }
    let served = Page(Html::parse_document(&ranged.text()));
    assert_eq!(served.attrs("script[src='/__gazette/live.js']", "src").len(), 1);
    assert!(
        ranged.body.len()
            > std::fs::read(preview(&site).join("world/alpha/index.html")).unwrap().len()
    );
    // A range the file cannot satisfy still gets the page.
    let beyond = server.request(&format!(
        "GET /world/alpha/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nRange: bytes=9999999-\r\nConnection: close\r\n\r\n",
        server.port
    ));
    assert_eq!(beyond.status, 200);
    assert_eq!(beyond.body, whole.body);
}

#[test]
fn issue_22_a_range_of_another_file_is_served_as_asked() {
    let (site, server) = site_and_server(&[]);
    let feed = std::fs::read(preview(&site).join("feed.xml")).unwrap();
    let ranged = server.request(&format!(
        "GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nRange: bytes=5-14\r\nConnection: close\r\n\r\n",
        server.port
    ));
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.body, feed[5..15]);
    assert_eq!(ranged.header("content-range"), Some(format!("bytes 5-14/{}", feed.len()).as_str()));
    let beyond = server.request(&format!(
        "GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nRange: bytes=9999999-\r\nConnection: close\r\n\r\n",
        server.port
    ));
    assert_eq!(beyond.status, 416);
}

#[test]
fn issue_22_overlong_paths_get_414_or_404_not_an_error() {
    let (_site, server) = site_and_server(&[]);
    let deep = server.get(&"/a".repeat(5000));
    assert_eq!(deep.status, 414, "{}", deep.text());
    let long_name = server.get(&format!("/{}/", "a".repeat(300)));
    assert_eq!(long_name.status, 404, "{}", long_name.text());
    let encoded = server.get(&format!("/world/{}", "%61".repeat(300)));
    assert_eq!(encoded.status, 404, "{}", encoded.text());
    assert_eq!(server.get("/world/alpha/").status, 200);
}

/// Issue 23: a tag shows its most used spelling; when an edit changes which one that is,
/// every page showing the tag follows, not only the edited article's.
#[test]
fn issue_23_a_tag_renamed_by_an_edit_is_renamed_everywhere() {
    let site = Site::fixture("check/tag_spellings");
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    let first = events.next_build().expect("the current build number at once");
    assert_eq!(page(&server, "/tags/harbour-festival/").texts("h1"), ["Harbour Festival"]);
    // `Harbour Festival` 3 to 2: `harbour festival` is now the most used.
    let text = std::fs::read_to_string(site.path().join("content/local/d-food.md")).unwrap();
    site.write("content/local/d-food.md", &text.replace("Harbour Festival", "harbour festival"));
    assert!(events.next_build().expect("a reload event after the save") > first);
    assert_eq!(page(&server, "/tags/harbour-festival/").texts("h1"), ["harbour festival"]);
    // An article not edited shows the new name too.
    let topics = page(&server, "/local/e-shout/").texts("nav.tags a");
    assert!(topics.contains(&"harbour festival".to_owned()), "{topics:?}");
}

/// `serve` and `build` run one engine (issue 15): two articles at one URL give the same
/// error, with the source line, whether the second one is there at the start or comes
/// while serving.
#[test]
fn issue_15_serve_shows_a_duplicate_url_as_build_does() {
    let beta = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/serve/basic/content/world/beta.md"),
    )
    .unwrap();
    let twin = beta.replace("title: Beta explainer", "title: Beta twin");
    let expected = |site: &Site| {
        let out = site.run(&["build"]);
        assert_eq!(out.status.code(), Some(1));
        let shown = crate::support::stderr(&out);
        assert!(shown.contains("2 | title: Beta explainer"), "{shown}");
        shown
    };
    let shows_it = |server: &Server, expected: &str| {
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            assert!(server.wait_for_line(line.trim_end()).is_some(), "missing `{line}`");
        }
        let overlay = page_overlay(server);
        assert!(overlay.contains("2 | title: Beta explainer"), "{overlay}");
    };

    // Added while serving: the update path.
    let (site, server) = site_and_server(&[]);
    let mut events = server.events();
    events.next_build().unwrap();
    site.write("content/elsewhere/beta.md", &twin.replace("category: World", "category: world"));
    events.next_build().expect("the error reloads the pages");
    shows_it(&server, &expected(&site));
    drop(server);

    // There from the start.
    let site = Site::fixture("serve/basic");
    site.write("content/elsewhere/beta.md", &twin.replace("category: World", "category: world"));
    let server = Server::start(site.path(), &[]);
    server.events().next_build().unwrap();
    shows_it(&server, &expected(&site));
}

fn page_overlay(server: &Server) -> String {
    let response = server.get("/");
    Page(Html::parse_document(&response.text())).texts("#gazette-error pre").concat()
}
