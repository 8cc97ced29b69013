//! Where a build's memory goes: bytes held after each stage, on a real corpus.
//!
//!     cargo bench --bench memory -- /tmp/bench/100000-gazette
//!
//! Counts live heap bytes with a counting allocator: after loading (documents), after
//! assembling the site, and with the listing cards built for rendering.

use gazette::pipeline::{BuildOptions, load_site};
use std::sync::atomic::Ordering;

#[path = "support/counting.rs"]
mod counting;

use counting::{CURRENT, PEAK};

fn mb(bytes: usize) -> String {
    format!("{:.0} MB", bytes as f64 / 1_048_576.0)
}

fn main() {
    for dir in std::env::args().skip(1).filter(|a| !a.starts_with("--")) {
        let options = BuildOptions { root: dir.clone().into(), ..BuildOptions::default() };
        let (site, _) = load_site(&options).unwrap_or_else(|e| panic!("{dir}: {e}"));
        let loaded = CURRENT.load(Ordering::Relaxed);
        let peak_load = PEAK.load(Ordering::Relaxed);
        let n = site.articles.len();
        let body: usize = site
            .articles
            .iter()
            .map(|a| {
                a.doc.body.intro_html.len()
                    + a.doc
                        .body
                        .sections
                        .iter()
                        .map(|s| s.html.len() + s.heading_html.len())
                        .sum::<usize>()
            })
            .sum();
        let sum = |f: &dyn Fn(&gazette::site::Document) -> usize| {
            site.articles.iter().map(|a| f(&a.doc)).sum::<usize>() / n
        };
        println!(
            "  per article: key points {} faq {} links {} toc {} summary {} related {} headings {}",
            sum(&|d| d
                .key_points
                .iter()
                .map(|k| k.text_html.len() + k.label.as_ref().map_or(0, |l| l.len()))
                .sum()),
            sum(&|d| d
                .faq
                .iter()
                .map(|f| f.question.len() + f.answer_html.len() + f.answer_text.len())
                .sum()),
            sum(&|d| d.body.links.iter().map(|l| l.target.len() + 48).sum()),
            sum(&|d| d.body.toc.iter().map(|t| t.text.len() + t.id.len() + 56).sum()),
            sum(&|d| d.summary.len()),
            sum(&|d| d.related.iter().map(|r| r.title.len() + r.url.len() * 2 + 80).sum()),
            sum(&|d| d
                .body
                .sections
                .iter()
                .map(|s| s.heading.len() + s.heading_html.len() + s.id.len() + 96)
                .sum()),
        );
        let mut theme = gazette::theme::load_theme(&site.config).unwrap();
        gazette::render::set_globals(&site, &mut theme);
        let before_cards = CURRENT.load(Ordering::Relaxed);
        let pages = gazette::render::Pages::new(&site, &theme);
        let cards = CURRENT.load(Ordering::Relaxed) - before_cards;
        println!("{dir}: {n} articles");
        println!(
            "  site in memory      {} ({} per article), peak while loading {}",
            mb(loaded),
            loaded / n,
            mb(peak_load)
        );
        let parked: usize = site
            .articles
            .iter()
            .flat_map(|a| &a.doc.body.sections)
            .filter(|s| !s.html.in_memory())
            .map(|s| s.html.len())
            .sum();
        println!(
            "  body HTML           {} ({} per article), {} of it parked on disk (not counted above)",
            mb(body),
            body / n,
            mb(parked)
        );
        println!("  listing cards       {} ({} per article)", mb(cards), cards / n);
        drop(pages);
    }
}
