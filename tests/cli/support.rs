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

/// Runs `gazette build -q <now>` in `dir` twice at the same moment; what each printed and
/// how it ended, in the order they were started.
pub(crate) fn two_builds_at_once(dir: &Path, now: &str) -> [Output; 2] {
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("gazette"))
            .current_dir(dir)
            .args(["build", "-q", now])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()]
}

/// The `note:` lines a command printed (why the build cache was not used, and the like).
pub(crate) fn notes(out: &Output) -> Vec<String> {
    stderr(out).lines().filter(|l| l.starts_with("note:")).map(str::to_owned).collect()
}

/// What a `--no-cache` build of the site's current files at `now` (a `--now=` argument)
/// writes, in a folder of the site's temporary folder: what every cached build must equal.
pub(crate) fn clean_build(site: &Site, now: &str) -> BTreeMap<PathBuf, String> {
    let out = site.path().join("clean");
    let _ = std::fs::remove_dir_all(&out);
    site.build(&["--no-cache", "-q", now, "--output", "clean"]);
    tree_hashes(&out)
}

/// `bytes` with one bit of its second-to-last byte flipped: a cache file damaged where
/// only its checksum can tell.
pub(crate) fn flip_a_late_byte(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    let last = bytes.len() - 2;
    bytes[last] ^= 1;
    bytes
}

/// A count `build --timings` prints as `<label>: N of M` (anything after M aside): (N, M).
pub(crate) fn timings_count(out: &Output, label: &str) -> (usize, usize) {
    let text = stderr(out);
    let prefix = format!("{label}: ");
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no `{label}` count in:\n{text}"));
    let (n, rest) = line.split_once(" of ").unwrap();
    let m = rest.split(' ').next().unwrap();
    (n.parse().unwrap(), m.parse().unwrap())
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

/// A running `gazette serve`, stopped when dropped.
pub(crate) struct Server {
    child: std::process::Child,
    pub(crate) port: u16,
    /// Every line it printed, stdout and stderr together.
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// How long a test waits for the server to react before failing: a bound for a server
/// that never reacts, not a speed target, so generous (a debug build of a fixture took
/// 12 s on the loaded 2-core machine, and a 20 s bound failed there once).
pub(crate) const DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

impl Server {
    /// Waits until `ready` holds, asking again while the server rebuilds (a save may reach
    /// the watcher as several events, so the first build after it can be of a half-written
    /// file); fails after [`DEADLINE`] with `what` and the server's output.
    pub(crate) fn eventually(&self, what: &str, ready: impl Fn() -> bool) {
        let start = std::time::Instant::now();
        while !ready() {
            assert!(start.elapsed() < DEADLINE, "{what}:\n{}", self.output());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Server {
    /// Starts `gazette serve` in `dir` on a free port; returns once it serves.
    pub(crate) fn start(dir: &Path, args: &[&str]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Server::start_on(dir, port, args)
    }

    pub(crate) fn start_on(dir: &Path, port: u16, args: &[&str]) -> Server {
        use std::io::BufRead;
        let port_text = port.to_string();
        let mut all = vec!["serve", "--port", port_text.as_str()];
        all.extend_from_slice(args);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gazette"))
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .args(&all)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("gazette serve starts");
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let mut server = Server { child, port, lines };
        let line = server
            .wait_for_line(" (Ctrl-C to stop)")
            .unwrap_or_else(|| panic!("server did not start:\n{}", server.output()));
        let url = line.split(" at ").nth(1).unwrap().split(' ').next().unwrap();
        server.port = url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
        server
    }

    /// Waits for a printed line containing `needle`; returns it.
    pub(crate) fn wait_for_line(&self, needle: &str) -> Option<String> {
        let end = std::time::Instant::now() + DEADLINE;
        while std::time::Instant::now() < end {
            if let Some(line) = self.lines.lock().unwrap().iter().find(|l| l.contains(needle)) {
                return Some(line.clone());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    /// How many printed lines contain `needle`.
    pub(crate) fn count_lines(&self, needle: &str) -> usize {
        self.lines.lock().unwrap().iter().filter(|l| l.contains(needle)).count()
    }

    pub(crate) fn output(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn get(&self, path: &str) -> HttpResponse {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        ))
    }

    /// Sends `raw` as it is, so tests can send what no well-behaved client would.
    pub(crate) fn request(&self, raw: &str) -> HttpResponse {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        HttpResponse::parse(&bytes)
    }

    /// Opens the live-reload event stream.
    pub(crate) fn events(&self) -> Events {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_millis(200))).unwrap();
        write!(stream, "GET /__gazette/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\r\n", self.port).unwrap();
        Events { stream, buffer: String::new() }
    }

    /// Sends Ctrl-C and waits for the process to end; returns its exit code.
    pub(crate) fn interrupt(mut self) -> Option<i32> {
        let _ = std::process::Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let end = std::time::Instant::now() + DEADLINE;
        while std::time::Instant::now() < end {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("serve did not stop on Ctrl-C");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The live-reload stream of a server.
pub(crate) struct Events {
    stream: std::net::TcpStream,
    buffer: String,
}

impl Events {
    /// The next build number announced, waiting up to the deadline.
    pub(crate) fn next_build(&mut self) -> Option<u64> {
        use std::io::Read;
        let end = std::time::Instant::now() + DEADLINE;
        loop {
            if let Some(at) = self.buffer.find("event: build\ndata: ") {
                let rest = &self.buffer[at + "event: build\ndata: ".len()..];
                if let Some(newline) = rest.find('\n') {
                    let number = rest[..newline].trim().parse().ok();
                    self.buffer = rest[newline..].to_owned();
                    return number;
                }
            }
            if std::time::Instant::now() > end {
                return None;
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self
                    .buffer
                    .push_str(&String::from_utf8_lossy(&chunk[..n]).replace("\r\n", "\n")),
                Err(_) => {} // read timeout: look again until the deadline
            }
        }
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl HttpResponse {
    fn parse(bytes: &[u8]) -> HttpResponse {
        let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
        let head = String::from_utf8_lossy(&bytes[..split]);
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect::<Vec<_>>();
        let mut body = bytes[split + 4..].to_vec();
        if headers.iter().any(|(k, v)| k == "transfer-encoding" && v == "chunked") {
            body = dechunk(&body);
        }
        HttpResponse { status, headers, body }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..line_end]).trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 2 + size + 2..];
    }
    out
}

/// Runs `gazette serve` where it must refuse to start; returns its exit code and stderr.
pub(crate) fn serve_refused(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let port = port.to_string();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gazette"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["serve", "--port", &port])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let end = std::time::Instant::now() + crate::support::DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > end {
            let _ = child.kill();
            panic!("serve {args:?} kept running");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (status.code(), err)
}
