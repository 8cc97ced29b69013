//! The preview server: the output folder over HTTP, with live reload and the last error
//! shown on every page. Local use only: other hosts are refused.

use std::convert::Infallible;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{Stream, StreamExt};
use http_body_util::BodyExt;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Semaphore, broadcast, oneshot, watch};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::set_status::SetStatus;

/// The script that reloads pages; served at `/__gazette/live.js`.
const LIVE_JS: &str = include_str!("live.js");

/// The page served while no build has succeeded yet; the error is drawn over it.
const NO_SITE_YET: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>gazette serve: no site yet</title></head><body><p>No build has succeeded yet.</p></body></html>";

/// What the server and the rebuild loop share.
pub(super) struct Shared {
    /// The output folder being served.
    pub output: PathBuf,
    pub port: u16,
    /// Bound to a loopback address: only loopback host names are accepted.
    pub loopback_only: bool,
    /// Counts successful builds; pages reload when it moves past theirs.
    pub build: AtomicU64,
    /// The error of the last attempt, shown over every page until a build succeeds.
    pub error: RwLock<Option<String>>,
    pub events: broadcast::Sender<u64>,
}

impl Shared {
    pub(super) fn new(output: PathBuf, port: u16, loopback_only: bool) -> Shared {
        let (events, _) = broadcast::channel(16);
        Shared {
            output,
            port,
            loopback_only,
            build: AtomicU64::new(0),
            error: RwLock::new(None),
            events,
        }
    }

    /// A build succeeded: clear the error and tell every open page.
    pub(super) fn built(&self) {
        *self.error.write().expect("no thread panics holding the lock") = None;
        let n = self.build.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.events.send(n);
    }

    /// A build failed: keep the last good site and show `error` on it.
    pub(super) fn failed(&self, error: String) {
        *self.error.write().expect("no thread panics holding the lock") = Some(error);
        // Pages reload to show the error: a new number, the same site.
        let n = self.build.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.events.send(n);
    }
}

/// How long a client may take to send a request's headers, and how long an idle
/// connection stays open: a request that never ends must not hold a connection forever.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The most connections served at once; more wait to be accepted. Each holds a file
/// descriptor, and rebuilds need some too.
const MAX_CONNECTIONS: usize = 256;

/// Serves `shared.output` on `listener` until `stop` fires, then lets the requests in
/// progress finish (the caller decides how long to wait for them).
pub(super) async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    stop: oneshot::Receiver<()>,
) {
    let app = router(shared);
    let max = max_connections();
    let slots = Arc::new(Semaphore::new(max));
    let (closing, closed) = watch::channel(());
    tokio::pin!(stop);
    loop {
        // Past the cap, connections wait in the system's queue, holding no descriptor here.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            _ = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors, or the client gave up: try again shortly.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let mut builder = http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = closed.changed() => connection.as_mut().graceful_shutdown(),
            }
            let _ = connection.await;
        });
    }
    drop(listener);
    drop(closed);
    let _ = closing.send(());
    // Every connection gives its slot back when it ends.
    let _ = slots.acquire_many(u32::try_from(max).expect("at most MAX_CONNECTIONS")).await;
}

/// [`MAX_CONNECTIONS`], or fewer when the process may open few files (macOS allows 256
/// by default): half the limit, so rebuilds always have descriptors left.
fn max_connections() -> usize {
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
        let half = limit.map_or(MAX_CONNECTIONS, |n| usize::try_from(n / 2).unwrap_or(usize::MAX));
        half.clamp(8, MAX_CONNECTIONS)
    }
    #[cfg(not(unix))]
    MAX_CONNECTIONS
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    let files = ServeDir::new(&shared.output)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(shared.output.join("404.html")));
    Router::new()
        .route("/__gazette/events", get(events))
        .route("/__gazette/live.js", get(live_js))
        .fallback_service(tower::service_fn(move |request: Request| {
            let files = files.clone();
            async move { Ok::<_, Infallible>(serve_file(files, request).await) }
        }))
        .layer(middleware::from_fn_with_state(shared.clone(), inject))
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        // Previews must never be cached: every reload shows the latest build.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(shared)
}

/// The output folder, with the site's 404 page for what it lacks.
type Files = ServeDir<SetStatus<ServeFile>>;

/// Serves a file of the output folder. A range of an HTML page would count the bytes of
/// the file, not those of the page `inject` makes of it, so pages are always sent whole
/// (200); other files are served in ranges as asked.
async fn serve_file(files: Files, request: Request) -> Response {
    use tower::ServiceExt;
    let whole = request.headers().contains_key(header::RANGE).then(|| without_range(&request));
    let Ok(response) = files.clone().oneshot(request).await;
    match whole {
        // An HTML file's part (206) or its refusal (416): the whole page instead.
        Some(whole) if is_html(&response) => {
            let Ok(response) = files.oneshot(whole).await;
            response.map(Body::new)
        }
        _ => response.map(Body::new),
    }
}

/// A body-less copy of `request` (files are asked for with GET or HEAD) without its
/// `Range` and `If-Range` headers.
fn without_range(request: &Request) -> Request {
    let mut copy = Request::new(Body::empty());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy.headers_mut().remove(header::RANGE);
    copy.headers_mut().remove(header::IF_RANGE);
    copy
}

fn is_html<B>(response: &Response<B>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

async fn live_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], LIVE_JS)
}

/// Server-sent events: the current build number at once, then each new one.
async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = shared.events.subscribe();
    let current = shared.build.load(Ordering::SeqCst);
    let first = futures_util::stream::once(async move { Ok(build_event(current)) });
    let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(n) => return Some((Ok(build_event(n)), receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::default())
}

fn build_event(n: u64) -> Event {
    Event::default().event("build").data(n.to_string())
}

/// Refuses requests for other hosts (DNS rebinding) and paths that could leave the
/// output folder: `..`, encoded or not, backslashes, NUL, and symlinks pointing out.
async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if !host_allowed(request.headers().get(header::HOST), shared.port, shared.loopback_only) {
        return (StatusCode::FORBIDDEN, "gazette serve: this host name is not allowed\n")
            .into_response();
    }
    match safe_path(&shared.output, request.uri().path()) {
        PathCheck::Ok => next.run(request).await,
        PathCheck::Malformed => {
            (StatusCode::BAD_REQUEST, "gazette serve: bad path\n").into_response()
        }
        PathCheck::Outside => {
            (StatusCode::FORBIDDEN, "gazette serve: outside the site\n").into_response()
        }
        PathCheck::TooLong => {
            (StatusCode::URI_TOO_LONG, "gazette serve: path too long\n").into_response()
        }
        PathCheck::NoSuchName => {
            (StatusCode::NOT_FOUND, "gazette serve: no file has so long a name\n").into_response()
        }
    }
}

/// Loopback names always; with a non-loopback bind, any IP address too. Never a domain
/// name: a page on another site cannot make the browser talk to this server through DNS.
fn host_allowed(host: Option<&HeaderValue>, port: u16, loopback_only: bool) -> bool {
    let Some(host) = host.and_then(|h| h.to_str().ok()) else { return false };
    let (name, host_port) = match host.rsplit_once(':') {
        Some((name, p))
            if !name.ends_with(':')
                && p.chars().all(|c| c.is_ascii_digit())
                && !host.ends_with(']') =>
        {
            (name, p.parse::<u16>().ok())
        }
        _ => (host, None),
    };
    if host_port.is_some_and(|p| p != port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || !loopback_only,
        Err(_) => false,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum PathCheck {
    Ok,
    Malformed,
    Outside,
    /// Longer than any path the output folder holds (the system would refuse it).
    TooLong,
    /// A segment longer than a file name can be.
    NoSuchName,
}

/// The longest path served, in bytes once decoded: far more than gazette writes, and
/// short enough that the output folder's path plus this stays under the system's limit
/// (4096 bytes on Linux), which would otherwise fail the request with an error (500).
const MAX_PATH: usize = 2048;
/// The longest file name most file systems allow, in bytes.
const MAX_NAME: usize = 255;

fn safe_path(output: &Path, raw: &str) -> PathCheck {
    if raw.contains('\\') || raw.to_ascii_lowercase().contains("%5c") || raw.starts_with("//") {
        return PathCheck::Malformed;
    }
    let decoded = match percent_decode(raw) {
        Some(d) => d,
        None => return PathCheck::Malformed,
    };
    if decoded.contains('\0') || decoded.contains('\\') {
        return PathCheck::Malformed;
    }
    if decoded.split('/').any(|s| s == ".." || s == ".") {
        return PathCheck::Malformed;
    }
    if raw.starts_with("/__gazette/") {
        return PathCheck::Ok;
    }
    if decoded.len() > MAX_PATH {
        return PathCheck::TooLong;
    }
    if decoded.split('/').any(|s| s.len() > MAX_NAME) {
        return PathCheck::NoSuchName;
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return PathCheck::Malformed;
    }
    let path = output.join(rel);
    // What exists must resolve inside the output folder: no symlink leads out.
    if let (Ok(real), Ok(root)) = (path.canonicalize(), output.canonicalize())
        && !real.starts_with(&root)
    {
        return PathCheck::Outside;
    }
    PathCheck::Ok
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Headers that describe the file on disk, not the page made of it: not sent with pages.
/// Pages are sent whole, so they offer no ranges either.
const PER_FILE_HEADERS: [header::HeaderName; 4] =
    [header::CONTENT_LENGTH, header::ETAG, header::LAST_MODIFIED, header::ACCEPT_RANGES];

/// Adds the reload script, and the current error, to every HTML page served.
async fn inject(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let is_head = request.method() == Method::HEAD;
    let mut response = next.run(request).await;
    let error = shared.error.read().expect("no thread panics holding the lock").clone();
    if response.status() == StatusCode::NOT_FOUND
        && error.is_some()
        && !shared.output.join("404.html").is_file()
    {
        // No site yet (the first build failed): an empty page to show the error on.
        response = (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            NO_SITE_YET,
        )
            .into_response();
    }
    if !is_html(&response) {
        return response;
    }
    if is_head {
        // GET serves more than the file holds: no length rather than a wrong one.
        for name in PER_FILE_HEADERS {
            response.headers_mut().remove(name);
        }
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "gazette serve: could not read the page\n")
            .into_response();
    };
    let html = String::from_utf8_lossy(&collected.to_bytes()).into_owned();
    let build = shared.build.load(Ordering::SeqCst);
    let mut addition =
        format!("<script src=\"/__gazette/live.js\" data-build=\"{build}\"></script>");
    if let Some(error) = error {
        addition.push_str(&overlay(&error));
    }
    let html = match html.rfind("</body>") {
        Some(i) => format!("{}{addition}{}", &html[..i], &html[i..]),
        None => format!("{html}{addition}"),
    };
    for name in PER_FILE_HEADERS {
        parts.headers.remove(name);
    }
    Response::from_parts(parts, Body::from(html))
}

/// The error box drawn over the page, styled inline so no stylesheet can hide it.
fn overlay(error: &str) -> String {
    let mut escaped = String::with_capacity(error.len());
    pulldown_cmark_escape::escape_html(&mut escaped, error)
        .expect("writing to a String cannot fail");
    format!(
        "<div id=\"gazette-error\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;\
         background:rgba(24,24,27,.96);color:#fafafa;padding:2rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace\">\
         <p style=\"margin:0 0 .5rem;font:700 18px/1.3 system-ui,sans-serif;color:#fca5a5\">The last change did not build</p>\
         <p style=\"margin:0 0 1rem;font:15px/1.4 system-ui,sans-serif\">You are looking at the last good build. \
         Fix the problem and save: this page reloads by itself.</p>\
         <pre style=\"white-space:pre-wrap;margin:0\">{escaped}</pre></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert!(host_allowed(Some(&h("127.0.0.1:1111")), 1111, true));
        assert!(host_allowed(Some(&h("localhost:1111")), 1111, true));
        assert!(host_allowed(Some(&h("[::1]:1111")), 1111, true));
        assert!(!host_allowed(Some(&h("evil.example:1111")), 1111, true));
        assert!(!host_allowed(Some(&h("127.0.0.1:2222")), 1111, true));
        assert!(!host_allowed(Some(&h("192.168.1.5:1111")), 1111, true));
        assert!(host_allowed(Some(&h("192.168.1.5:1111")), 1111, false));
        assert!(!host_allowed(Some(&h("attacker.test")), 1111, false));
        assert!(!host_allowed(None, 1111, true));
    }

    #[test]
    fn paths() {
        // The served folder and a folder outside it, both inside a temp folder of our own.
        let dir = tempfile::tempdir().unwrap();
        let out = &dir.path().join("out");
        std::fs::create_dir_all(out).unwrap();
        std::fs::create_dir_all(dir.path().join("secret")).unwrap();
        std::fs::write(dir.path().join("secret/passwd"), "x").unwrap();
        assert_eq!(safe_path(out, "/a/b/"), PathCheck::Ok);
        assert_eq!(safe_path(out, "/../etc/passwd"), PathCheck::Malformed);
        assert_eq!(safe_path(out, "/%2e%2e/etc/passwd"), PathCheck::Malformed);
        assert_eq!(safe_path(out, "/%2E%2E%2fetc"), PathCheck::Malformed);
        assert_eq!(safe_path(out, "/a\\..\\b"), PathCheck::Malformed);
        assert_eq!(safe_path(out, "/a%5c..%5cb"), PathCheck::Malformed);
        assert_eq!(safe_path(out, "/a%00b"), PathCheck::Malformed);
        assert_eq!(safe_path(out, "//etc/passwd"), PathCheck::Malformed);
        assert_eq!(safe_path(out, &"/a".repeat(5000)), PathCheck::TooLong);
        assert_eq!(safe_path(out, &format!("/{}", "%41".repeat(256))), PathCheck::NoSuchName);
        assert_eq!(safe_path(out, &format!("/{}/", "a".repeat(255))), PathCheck::Ok);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret"), out.join("link")).unwrap();
            assert_eq!(safe_path(out, "/link/passwd"), PathCheck::Outside);
        }
    }
}
