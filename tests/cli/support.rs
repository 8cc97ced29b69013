//! Helpers shared by the command tests: fixtures, running gazette, reading output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use scraper::{ElementRef, Html, Selector};

/// A fixture site copied into a fresh temporary folder.
pub(crate) struct Site {
    pub(crate) dir: tempfile::TempDir,
}

impl Site {
    /// Copies `tests/fixtures/<name>` into a temporary folder.
    pub(crate) fn fixture(name: &str) -> Site {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(&from, dir.path());
        Site { dir }
    }

    /// An empty site with only a `site.yaml`.
    pub(crate) fn empty(site_yaml: &str) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("site.yaml"), site_yaml).unwrap();
        Site { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn out(&self) -> PathBuf {
        self.path().join("output")
    }

    pub(crate) fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub(crate) fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path().join(rel)).unwrap();
        self
    }

    /// Runs `gazette <args>` in the site folder.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        gazette(self.path(), args)
    }

    /// Runs `gazette build` and insists it succeeds.
    pub(crate) fn build(&self, args: &[&str]) -> Output {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(out.status.success(), "build failed:\n{}", stderr(&out));
        out
    }

    /// Reads an output file as text.
    pub(crate) fn read(&self, rel: &str) -> String {
        let path = self.out().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Parses the page at the site path `url` (`/world/alpha/`).
    pub(crate) fn page(&self, url: &str) -> Page {
        let rel = format!("{}index.html", url.trim_start_matches('/'));
        Page(Html::parse_document(&self.read(&rel)))
    }
}

pub(crate) fn gazette(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("gazette")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("gazette runs")
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with the hash of its bytes.
pub(crate) fn tree_hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_owned();
            (rel, blake3::hash(&std::fs::read(e.path()).unwrap()).to_hex().to_string())
        })
        .collect()
}

/// A parsed HTML page.
pub(crate) struct Page(pub(crate) Html);

impl Page {
    pub(crate) fn select(&self, css: &str) -> Vec<ElementRef<'_>> {
        let selector = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"));
        self.0.select(&selector).collect()
    }

    pub(crate) fn one(&self, css: &str) -> ElementRef<'_> {
        let found = self.select(css);
        assert_eq!(found.len(), 1, "expected exactly one `{css}`, found {}", found.len());
        found[0]
    }

    /// The whitespace-normalised text of every match.
    pub(crate) fn texts(&self, css: &str) -> Vec<String> {
        self.select(css).into_iter().map(text).collect()
    }

    pub(crate) fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        self.select(css)
            .into_iter()
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }
}

pub(crate) fn text(e: ElementRef<'_>) -> String {
    e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every internal `href`/`src` of every HTML page under `out`, resolved against the
/// page and stripped of `prefix` (the base path), that matches no file. Serves the tree
/// the way a static host does: `/a/` is `/a/index.html`.
pub(crate) fn broken_links(out: &Path, prefix: &str) -> Vec<String> {
    let selector = Selector::parse("[href], [src]").unwrap();
    let mut broken = Vec::new();
    for entry in walkdir::WalkDir::new(out).into_iter().map(Result::unwrap) {
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let rel = entry.path().strip_prefix(out).unwrap();
        let page_url = format!("{prefix}{}", rel.to_string_lossy().replace('\\', "/"));
        let html = Html::parse_document(&std::fs::read_to_string(entry.path()).unwrap());
        for element in html.select(&selector) {
            let value =
                element.value().attr("href").or_else(|| element.value().attr("src")).unwrap();
            if value.starts_with("http:")
                || value.starts_with("https:")
                || value.starts_with("mailto:")
                || value.starts_with("data:")
            {
                continue;
            }
            let without_fragment = value.split('#').next().unwrap();
            if without_fragment.is_empty() {
                continue; // same-page anchor
            }
            let absolute = if without_fragment.starts_with('/') {
                without_fragment.to_owned()
            } else {
                let base = &page_url[..page_url.rfind('/').unwrap() + 1];
                format!("{base}{without_fragment}")
            };
            let Some(site_path) = absolute.strip_prefix(prefix) else {
                broken.push(format!("{page_url} -> {value} (outside {prefix})"));
                continue;
            };
            let file = out.join(site_path);
            let exists = if site_path.is_empty() || site_path.ends_with('/') {
                file.join("index.html").is_file()
            } else {
                file.is_file()
            };
            if !exists {
                broken.push(format!("{page_url} -> {value}"));
            }
        }
    }
    broken
}
