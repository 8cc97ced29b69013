//! `gazette build`: the whole pipeline, written to the output folder.

use std::path::PathBuf;

use crate::error::Result;
use crate::pipeline::{self, BuildOptions};

#[derive(Debug, Clone, clap::Args)]
pub struct BuildArgs {
    /// The site folder (holding site.yaml and content/)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site: a new or empty folder, or one gazette built (it is replaced
    /// whole) [default: output/ inside the site folder]
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Use this base URL instead of site.yaml's (for previews and staging hosts)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include articles marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Publish articles dated after the build time too (they are left out otherwise)
    #[arg(long)]
    pub future: bool,
    /// Print nothing but errors and warnings
    #[arg(long, short)]
    pub quiet: bool,
    /// Print how long each stage took
    #[arg(long)]
    pub timings: bool,
    /// Build as if the time were this RFC 3339 instant (for reproducible "recent" lists)
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<jiff::Timestamp>,
    /// Keep the build cache in this folder [default: .gazette/ inside the site folder]
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the build cache: every file is written anew
    #[arg(long)]
    pub no_cache: bool,
}

pub(crate) fn parse_now(text: &str) -> Result<jiff::Timestamp, String> {
    crate::date::Date::parse(text).map(|d| d.timestamp()).map_err(|e| e.to_string())
}

impl BuildArgs {
    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            output: self.output.clone(),
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            now: self.now,
            future: self.future,
            cache_dir: self.cache_dir.clone(),
            no_cache: self.no_cache,
        }
    }
}

/// A build shows this many warnings; `check` shows more (up to
/// [`crate::checks::MAX_PROBLEMS_PER_FILE`] per file).
const MAX_WARNINGS_SHOWN: usize = 20;

/// Runs the build and prints its summary and warnings.
pub(crate) fn run(args: &BuildArgs) -> Result<()> {
    let options = args.options();
    let report = pipeline::build(&options)?;
    for notice in &report.cache_notices {
        eprintln!("note: {notice}");
    }
    for warning in report.warnings.iter().take(MAX_WARNINGS_SHOWN) {
        crate::report::print_diagnostic(warning);
    }
    // Every warning counts, those a per-file cap message stands for included.
    let total: usize = report.warnings.iter().map(|w| w.counts().0 + w.counts().1).sum();
    let shown = report.warnings.iter().take(MAX_WARNINGS_SHOWN).filter(|w| w.not_shown() == 0);
    let more = total - shown.count();
    if more > 0 {
        let capped = report.warnings.iter().any(|w| w.not_shown() > 0);
        let lists = if capped {
            format!(
                "`gazette check` lists them, up to {} per file",
                crate::checks::MAX_PROBLEMS_PER_FILE
            )
        } else {
            "`gazette check` lists them all".to_owned()
        };
        eprintln!("... and {more} more warning(s): {lists}");
    }
    if args.timings {
        for (stage, time) in &report.timings {
            eprintln!("  {stage:<23} {:>10.2} ms", time.as_secs_f64() * 1000.0);
        }
        if let Some(parsed) = report.reparsed {
            eprintln!(
                "  articles parsed: {parsed} of {} (the others unchanged)",
                report.articles_read
            );
        }
        if let Some(read) = report.reread {
            eprintln!(
                "  article files read: {read} of {} (the others known by their times)",
                report.articles_read
            );
        }
        if let Some((checked, all)) = report.rechecked {
            eprintln!("  articles checked: {checked} of {all} (the others' findings kept)");
        }
        if let Some((merged, all)) = report.index_blocks {
            eprintln!("  search index blocks merged: {merged} of {all} (the others kept)");
        }
        if let Some((made, all)) = report.index_shards {
            eprintln!("  search index shards made: {made} of {all} (the others kept)");
        }
        if let Some((kept, asked)) = report.kept_by_surroundings {
            eprintln!("  article pages kept by their surroundings: {kept} of {asked}");
        }
        if let Some((kept, asked)) = report.listings_kept_by_surroundings {
            eprintln!("  listing pages kept by their surroundings: {kept} of {asked}");
        }
        eprintln!("  files linked: {}, bytes written: {}", report.linked, report.bytes_written);
    }
    if !args.quiet {
        let mut drafts = match report.drafts_skipped {
            0 => String::new(),
            n => format!(", {n} draft(s) skipped"),
        };
        let now = options.now.unwrap_or_else(jiff::Timestamp::now);
        let scheduled = report.left_out.iter().filter(|d| !d.is_expired(now)).count();
        if scheduled > 0 {
            drafts.push_str(&format!(", {scheduled} scheduled for later (`--future` builds them)"));
        }
        let images = report.images;
        if images.encoded + images.reused > 0 {
            drafts.push_str(&format!(
                ", images: {} file(s) encoded, {} from the cache",
                images.encoded, images.reused
            ));
        }
        println!(
            "built {} article(s) into {} file(s) in `{}` in {:.2} s{drafts}",
            report.articles,
            report.files,
            crate::error::display_path(&options.output_dir()),
            report.elapsed.as_secs_f64()
        );
    }
    Ok(())
}
