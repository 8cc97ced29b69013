//! `gazette serve`: build a preview into `.gazette/serve/`, serve it on a local port,
//! rebuild what each saved file changes, and reload the browser.

mod http;
mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use notify::RecursiveMode;

use crate::error::{Error, Result, display_path};
use crate::pipeline::{BuildOptions, Changes, Session, UpdateReport};
pub(crate) use watch::Watched;

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The site folder (holding site.yaml and content/)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// No longer used: `serve` builds its preview into `.gazette/serve/` and never writes
    /// the output folder. Kept, hidden, to say so and point at `gazette build --output`.
    #[arg(long, short, value_name = "DIR", hide = true)]
    pub output: Option<PathBuf>,
    /// The port to serve on; the next free one is used when it is taken, and 0 lets the
    /// system choose a free one
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on. Anything but a loopback address exposes the preview to
    /// your network
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
    /// Include articles marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Print how long each stage of every rebuild took
    #[arg(long)]
    pub timings: bool,
}

/// How long file events are gathered before a rebuild: one save often makes several.
const DEBOUNCE: Duration = Duration::from_millis(40);
/// How many ports past the asked one are tried.
const PORT_TRIES: u16 = 50;

pub(crate) fn run(args: &ServeArgs) -> Result<()> {
    if let Some(output) = &args.output {
        // Once serve wrote its preview, localhost links and all, into this folder.
        return Err(Error::Usage(format!(
            "`gazette serve` no longer takes `--output`: its preview goes to `.gazette/serve/` in the site folder, never to a folder you publish; to write the site into `{0}`, run `gazette build --output {0}`",
            display_path(output)
        )));
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine can read the preview",
            args.bind
        );
    }
    let (listener, port) = bind(args.bind, args.port)?;
    if args.port != 0 && port != args.port {
        eprintln!("port {} is taken; serving on port {port} instead", args.port);
    }
    let host = if args.bind.is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { args.bind };
    let url = match host {
        IpAddr::V6(v6) => format!("http://[{v6}]:{port}/"),
        IpAddr::V4(v4) => format!("http://{v4}:{port}/"),
    };
    let options = BuildOptions {
        root: args.root.clone(),
        output: None,
        base_url: Some(url.clone()),
        drafts: args.drafts,
        now: None,
        // The preview shows scheduled articles, marked as such (issue 17).
        future: true,
        // The session keeps its state in memory; the preview has no build cache.
        cache_dir: None,
        no_cache: true,
    };
    // The preview, never the output folder: its links all point at this server. Checked
    // by the same rule as `build`'s output before anything is written: serving fails at once.
    let preview = crate::output::prepare_preview(&args.root)?;
    std::fs::create_dir_all(&preview).map_err(|e| Error::io(&preview, e))?;
    let shared = Arc::new(http::Shared::new(preview.clone(), port, args.bind.is_loopback()));
    let mut shown = Vec::new();

    let config = crate::config::load_config(&args.root)?;
    let watched = Watched::new(&args.root, &config.theme);
    let (tx, rx) = mpsc::channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, tx)
        .map_err(|e| Error::Failed(format!("cannot watch the site for changes: {e}")))?;
    let mut themes_watched = watched.root.join("themes").is_dir();
    // What a failed update did not apply: applied with the next changes.
    let mut unapplied = Changes::default();
    for (path, mode) in [
        (watched.root.join("content"), RecursiveMode::Recursive),
        (watched.root.join("themes"), RecursiveMode::Recursive),
        (watched.root.clone(), RecursiveMode::NonRecursive),
    ] {
        if path.exists() {
            debouncer.watch(&path, mode).map_err(|e| {
                Error::Failed(format!("cannot watch `{}`: {e}", display_path(&path)))
            })?;
        }
    }

    // Watching starts before the first build: a save made during it is not missed.
    let mut session = match Session::start(&options) {
        Ok((session, report)) => {
            print_report(&report, "built", &mut shown, args.timings);
            Some(session)
        }
        Err(err) => {
            crate::report::report(&err);
            shared.failed(err.render(false));
            None
        }
    };

    println!("serving {} at {url} (Ctrl-C to stop)", display_path(&preview));
    if args.open
        && let Err(e) = open::that(&url)
    {
        eprintln!("warning: could not open a browser: {e}");
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Failed(format!("cannot start the server: {e}")))?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server_shared = shared.clone();
    let server = runtime.spawn(async move {
        listener.set_nonblocking(true).expect("a bound socket can be non-blocking");
        let listener = tokio::net::TcpListener::from_std(listener).expect("inside the runtime");
        http::serve(listener, server_shared, stop_rx).await;
    });
    // Ctrl-C ends the rebuild loop between rebuilds, so the preview is always a whole build.
    let (quit_tx, quit_rx) = mpsc::channel::<()>();
    runtime.spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = quit_tx.send(());
    });

    loop {
        if quit_rx.try_recv().is_ok() {
            break;
        }
        let events = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(events) => events,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut paths: Vec<PathBuf> = Vec::new();
        let mut collect = |result: notify_debouncer_full::DebounceEventResult| match result {
            // Reading a file is no change; a build reads every file.
            Ok(events) => paths.extend(
                events
                    .into_iter()
                    .filter(|e| changes_content(&e.event.kind))
                    .flat_map(|e| e.event.paths),
            ),
            Err(errors) => errors.iter().for_each(|e| eprintln!("warning: watching: {e}")),
        };
        collect(events);
        while let Ok(more) = rx.try_recv() {
            collect(more);
        }
        let changes = watched.classify(paths.iter().map(PathBuf::as_path));
        // A `themes/` folder made while serving is watched from now on.
        let themes = watched.root.join("themes");
        if !themes_watched && themes.is_dir() {
            themes_watched = debouncer.watch(&themes, RecursiveMode::Recursive).is_ok();
        }
        if changes.is_empty() {
            continue;
        }
        // After a failed update the session still holds the last good build: the files
        // that update read are read again with these, not left stale (issue 15).
        unapplied.extend(&changes);
        if rebuild(&mut session, &options, &unapplied, &shared, &mut shown, args.timings) {
            unapplied = Changes::default();
        }
    }

    let _ = stop_tx.send(());
    // Open event streams never end by themselves: give requests a moment, then stop.
    let _ =
        runtime.block_on(async { tokio::time::timeout(Duration::from_millis(500), server).await });
    runtime.shutdown_timeout(Duration::from_millis(200));
    drop(debouncer);
    println!("stopped; to publish the site, run `gazette build`");
    Ok(())
}

/// Events that may change what a build reads: not opening or reading a file, nor a
/// change of permissions or times alone.
fn changes_content(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::ModifyKind;
    !matches!(kind, EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)))
}

/// Applies `changes` to the session (or starts it); returns whether that succeeded.
fn rebuild(
    session: &mut Option<Session>,
    options: &BuildOptions,
    changes: &Changes,
    shared: &http::Shared,
    shown: &mut Vec<String>,
    timings: bool,
) -> bool {
    let result = match session {
        Some(session) => session.update(changes),
        None => Session::start(options).map(|(new, report)| {
            *session = Some(new);
            report
        }),
    };
    match result {
        Ok(report) => {
            print_report(&report, "rebuilt", shown, timings);
            shared.built();
            true
        }
        Err(err) => {
            crate::report::report(&err);
            shared.failed(err.render(false));
            false
        }
    }
}

fn print_report(report: &UpdateReport, verb: &str, shown: &mut Vec<String>, timings: bool) {
    // Warnings are shown once, not again after every save.
    let warnings: Vec<String> =
        report.warnings.iter().map(|w| w.render(crate::report::color())).collect();
    for warning in warnings.iter().filter(|w| !shown.contains(w)) {
        eprintln!("{warning}");
    }
    *shown = warnings;
    let scope = if report.full { "all pages" } else { "changed pages" };
    let removed = match report.removed {
        0 => String::new(),
        n => format!(", removed {n}"),
    };
    println!(
        "{verb} {scope}: wrote {} file(s){removed} in {} ms",
        report.written,
        report.elapsed.as_millis()
    );
    if timings {
        for (stage, time) in &report.timings {
            println!("  {stage:<12} {:>8.1} ms", time.as_secs_f64() * 1000.0);
        }
    }
}

/// Binds `port`, or the next free port after it; port 0 lets the system choose one.
/// Returns the port bound.
fn bind(address: IpAddr, port: u16) -> Result<(TcpListener, u16)> {
    let mut last = None;
    for candidate in port..port.saturating_add(PORT_TRIES) {
        let bound = TcpListener::bind(SocketAddr::new(address, candidate))
            .and_then(|listener| Ok((listener.local_addr()?.port(), listener)));
        match bound {
            Ok((port, listener)) => return Ok((listener, port)),
            Err(e) => last = Some(e),
        }
    }
    Err(Error::Failed(format!(
        "no free port between {port} and {}: {}",
        port.saturating_add(PORT_TRIES - 1),
        last.map_or_else(String::new, |e| e.to_string())
    )))
}
