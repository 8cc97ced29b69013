//! The see-also stage alone, on real corpora: time and extra memory.
//!
//!     cargo bench --bench see_also -- /tmp/bench/10000-gazette /tmp/bench/100000-gazette
//!
//! Each site is loaded once (front matter and Markdown, untimed); then the see-also
//! computation runs RUNS times. Prints the median and fastest wall time and the peak
//! memory the computation allocates on top of the loaded site, per article too, so runs
//! at several sizes show whether memory grows linearly.

use gazette::pipeline::{BuildOptions, load_site};
use gazette::site::see_also;
use std::sync::atomic::Ordering;
use std::time::Instant;

#[path = "support/counting.rs"]
mod counting;

use counting::{CURRENT, PEAK};

const RUNS: usize = 5;

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if dirs.is_empty() {
        eprintln!("usage: cargo bench --bench see_also -- SITE_DIR [SITE_DIR...]");
        std::process::exit(2);
    }
    println!(
        "| articles | tags | inline + related | median ms | fastest ms | peak extra MB | bytes per article |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for dir in dirs {
        let options = BuildOptions { root: dir.clone().into(), ..BuildOptions::default() };
        let (site, _) = load_site(&options).unwrap_or_else(|e| panic!("{dir}: {e}"));
        // The site's own settings, then gazette's defaults (3 inline + 5 related).
        let defaults = gazette::config::SeeAlso::default();
        for settings in [site.config.see_also, defaults] {
            measure(&site, &settings);
        }
    }
}

fn measure(site: &gazette::site::Site, settings: &gazette::config::SeeAlso) {
    {
        let mut times = Vec::with_capacity(RUNS);
        let mut extra = 0;
        for _ in 0..RUNS {
            let base = CURRENT.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
            let start = Instant::now();
            let links = see_also::compute(&site.articles, site.tags.len(), settings, None);
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            extra = extra.max(PEAK.load(Ordering::Relaxed) - base);
            if settings.inline == site.config.see_also.inline
                && settings.related == site.config.see_also.related
            {
                assert_eq!(links, site.see_also, "the stage is deterministic");
            }
            drop(links);
        }
        times.sort_by(f64::total_cmp);
        let n = site.articles.len();
        println!(
            "| {n} | {} | {} + {} | {:.0} | {:.0} | {:.1} | {:.0} |",
            site.tags.len(),
            settings.inline,
            settings.related,
            times[RUNS / 2],
            times[0],
            extra as f64 / 1_048_576.0,
            extra as f64 / n as f64
        );
    }
}
