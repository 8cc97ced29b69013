//! The only code that calls the stages in order: config, content, documents, site,
//! theme, render, output. `session` keeps a site in memory for rebuilds.

mod engine;
mod moved;
mod session;

use engine::{Input, Purpose};

pub use session::{Changes, Session, UpdateReport};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cache;
use crate::cache::parse::{ParseCache, Parsed};
use crate::checks;
use crate::config::{self, Config};
use crate::content;
use crate::error::{Diagnostic, Error, Result, Severity, display_path};
use crate::front_matter;
use crate::images::{Found, Images, Usage};
use crate::markdown::Shortcodes;
use crate::output::{self, Listing, Staging};
use crate::render::{self, Reuse, Surrounded};
use crate::site::{self, Document, Site};
use crate::spill::Spill;
use crate::theme;
use crate::url::BaseUrl;

/// What a build is asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Defaults to `<root>/output`.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` from site.yaml (for previews).
    pub base_url: Option<String>,
    /// Include articles marked `draft: true`.
    pub drafts: bool,
    /// The build time, for "recent" lists and scheduling; defaults to the clock.
    pub now: Option<jiff::Timestamp>,
    /// Publish articles dated after the build time too (`build --future`, `serve`).
    pub future: bool,
    /// Where the build cache lives; defaults to `<root>/.gazette` (see [`Self::cache_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the build cache (`--no-cache`).
    pub no_cache: bool,
}

impl BuildOptions {
    pub fn output_dir(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| self.root.join("output"))
    }

    /// The build cache folder: `--cache-dir`, or gazette's own folder in the site
    /// (`<root>/.gazette`); `None` with `--no-cache`. Whatever else a build keeps between
    /// runs goes below it too.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        Some(self.cache_dir.clone().unwrap_or_else(|| output::gazette_dir(&self.root)))
    }

    /// The folder the images of issue 16 are kept in, `images/` in [`Self::cache_dir`]
    /// (with `--no-cache`, `site_images` encodes into a temporary folder instead).
    pub fn images_cache(&self) -> PathBuf {
        let base = self.cache_dir().unwrap_or_else(|| output::gazette_dir(&self.root));
        crate::images::cache_dir(&base)
    }
}

/// What a finished build reports.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub articles: usize,
    pub drafts_skipped: usize,
    /// Files written: pages, feeds, assets.
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    /// Articles scheduled for later or expired, left out of the site (issue 17).
    pub left_out: Vec<Arc<Document>>,
    /// What image processing did (issue 16).
    pub images: crate::images::ImageReport,
    /// How long each stage took, in order.
    pub timings: Vec<(&'static str, Duration)>,
    pub elapsed: Duration,
    /// Why the build cache was not used or not saved, one line each.
    pub cache_notices: Vec<String>,
    /// Files linked from the previous output because their bytes were the same.
    pub linked: usize,
    /// Bytes of the files written anew (the others are links).
    pub bytes_written: u64,
    /// Article files found in `content/`.
    pub articles_read: usize,
    /// With the parse cache: how many of them were parsed (the others were unchanged
    /// since the last build, issue 15).
    pub reparsed: Option<usize>,
    /// With the parse cache: how many of them were read (the others were known
    /// unchanged by their files' stamps).
    pub reread: Option<usize>,
    /// With the build cache: how many of the search index's blocks were merged, of how
    /// many (the others were read back as the last build left them).
    pub index_blocks: Option<(usize, usize)>,
    /// With the build cache: how many of the search index's shards were made, of how
    /// many (the others were kept, made by the last build from the same inputs).
    pub index_shards: Option<(usize, usize)>,
    /// With the build cache: how many articles the content checks read, of how many (the
    /// others' findings were the last build's, from the same inputs).
    pub rechecked: Option<(usize, usize)>,
    /// With the build cache: how many article pages were kept by a hash of their
    /// surroundings, of how many asked by it (the others were decided by their exact
    /// inputs, see `render::Inputs::Around`).
    pub kept_by_surroundings: Option<(usize, usize)>,
    /// The same for the pages of listings (the front page past the first, categories,
    /// tags, authors, months).
    pub listings_kept_by_surroundings: Option<(usize, usize)>,
}

struct Timer {
    start: Instant,
    last: Instant,
    stages: Vec<(&'static str, Duration)>,
}

impl Timer {
    fn new() -> Self {
        let now = Instant::now();
        Timer { start: now, last: now, stages: Vec::new() }
    }

    fn stage(&mut self, name: &'static str) {
        let now = Instant::now();
        self.stages.push((name, now - self.last));
        self.last = now;
    }

    /// Records a time measured elsewhere (summed over threads), without ending a stage.
    fn add(&mut self, name: &'static str, time: Duration) {
        self.stages.push((name, time));
    }
}

/// Loads the configuration, applying command-line overrides.
pub fn load_config(options: &BuildOptions) -> Result<Config> {
    let (config, authors_problems) = load_config_and_authors(options)?;
    if authors_problems.is_empty() { Ok(config) } else { Err(Error::contents(authors_problems)) }
}

/// The configuration, and the problems of `authors.yaml` apart (see
/// [`config::load_config_and_authors`]).
fn load_config_and_authors(options: &BuildOptions) -> Result<(Config, Vec<Diagnostic>)> {
    let (mut config, authors_problems) = config::load_config_and_authors(&options.root)?;
    if let Some(url) = &options.base_url {
        config.base_url =
            BaseUrl::parse(url).map_err(|reason| Error::Usage(format!("--base-url: {reason}")))?;
    }
    Ok((config, authors_problems))
}

/// Reads and checks all content into the immutable site model, without writing anything.
/// Every content problem is reported at once.
pub fn load_site(options: &BuildOptions) -> Result<(Site, BuildReport)> {
    let mut timer = Timer::new();
    let loaded = engine::load(options, &Input::Disk, Purpose::Build, None, &mut timer)?;
    let mut report = loaded.report;
    report.timings = timer.stages;
    let site = loaded.sites.into_iter().next().expect("a site has its default language");
    Ok((site, report))
}

/// The content files that would replace a file gazette generates: a page, a feed, the
/// sitemap, the search index, a theme asset (issue 22). Each is named with what it
/// would replace.
fn collisions(site: &Site, theme: &theme::Theme) -> Vec<Diagnostic> {
    if site.assets.is_empty() {
        return Vec::new();
    }
    let generated = render::plan::generated_files(site, theme);
    let prefix = site.output_prefix();
    let generated: std::collections::HashMap<String, String> = match prefix.is_empty() {
        true => generated.into_iter().collect(),
        false => {
            generated.into_iter().map(|(file, what)| (format!("{prefix}{file}"), what)).collect()
        }
    };
    site.assets
        .iter()
        .filter_map(|rel| {
            let target = display_path(rel.strip_prefix("content").unwrap_or(rel));
            let what = generated.get(&target)?;
            Some(
                Diagnostic::error(
                    crate::error::Location::new(rel, 1),
                    format!("this file would replace {what}, which gazette writes to `{target}`"),
                )
                .with_hint("rename or move the file: gazette never lets content overwrite what it generates"),
            )
        })
        .collect()
}

/// The most articles a thread loads in one go (see [`load_documents`]).
const ARTICLES_A_RUN: usize = 16;

/// Reads, parses and renders every article (drafts only when asked); lists the files to
/// copy. Returns the documents that loaded and every problem of the files that did not.
/// `shortcodes` renders shortcode calls (the theme's); without it they stay as written.
/// `publishing_at`: the time of a build that publishes what it loads (build, serve),
/// whose left-out articles (scheduled for later, expired) have their images measured
/// but not processed, like a draft's (issue 16); `None` for `check`, which checks the
/// images of every article. `parse_cache`: the parses of the last build, to reuse for
/// the files that did not change; what is parsed anew is kept in it (issue 15).
/// `walked`: what [`content::walk_content`] gave, when it was walked already.
#[allow(clippy::too_many_arguments)]
fn load_documents(
    config: &Config,
    options: &BuildOptions,
    input: &Input<'_>,
    walked: Option<Result<content::ContentFiles>>,
    timer: &mut Timer,
    spill: Option<&Arc<Spill>>,
    shortcodes: Option<&dyn Shortcodes>,
    images: Option<&Images>,
    publishing_at: Option<jiff::Timestamp>,
    parse_cache: Option<&ParseCache>,
    vocabulary: Option<&Arc<render::Vocabulary>>,
) -> Result<Documents> {
    let root = &options.root;
    let files = match (input, walked) {
        // Walked already, while the parse cache was opened.
        (Input::Disk, Some(walked)) => walked?,
        (Input::Disk, None) => content::walk_content(root)?,
        (Input::Memory { articles, .. }, _) => content::ContentFiles {
            articles: articles.iter().map(|(rel, _)| rel.clone()).collect(),
            ..Default::default()
        },
    };
    let mut report = BuildReport {
        warnings: files.warnings,
        articles_read: files.articles.len(),
        ..BuildReport::default()
    };
    // A site that does not trust its contributors publishes no file a browser could run
    // script from (issue 22).
    let refused: Vec<Error> = if config.markdown.unsafe_html {
        Vec::new()
    } else {
        files.assets.par_iter().filter_map(|rel| content::check_untrusted_file(root, rel)).collect()
    };
    // Each file is read, parsed and rendered in one go, so only the files in flight hold
    // their text: a build never has all sources and all HTML in memory at once. Stage
    // times are summed over the threads.
    let spent = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];
    let add = |i: usize, since: Instant| {
        let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        spent[i].fetch_add(nanos, Ordering::Relaxed);
        Instant::now()
    };
    // Articles given in memory have no image files to measure.
    let on_disk = files.dir.is_some();
    let results: Vec<Loaded> = files
        .articles
        .par_iter()
        // Rayon cuts a list into a few long runs and lends them out whole: the last run
        // kept one thread busy for a tenth of a second at 10,000 articles while the other
        // had nothing left. Short runs end together.
        .with_max_len(ARTICLES_A_RUN)
        .enumerate()
        .map(|(i, rel)| {
            let start = Instant::now();
            let dir = files.dir.as_ref();
            // A file the last build parsed, unchanged since: nothing to read (issue 15).
            let stamp = match (parse_cache, dir) {
                (Some(_), Some(dir)) => dir.walked_stamp(rel),
                _ => None,
            };
            // Its body stays in the parse cache's file, read when a page needs it.
            let cached = |parsed: Parsed| match parsed {
                Parsed::Draft => Loaded::Draft,
                Parsed::Document(mut doc) => {
                    // Its search terms came with it, in memory: parked like a body.
                    if let Some(spill) = spill
                        && let Some(terms) = doc.terms.as_mut()
                        && let Err(e) = terms.list.spill_to(spill)
                    {
                        return Loaded::Failed(vec![Error::io(Path::new(SPILL_NAME), e)], None);
                    }
                    Loaded::Document(Arc::new(*doc))
                }
            };
            if let Some(parsed) = parse_cache.and_then(|c| c.by_stamp(rel, stamp)) {
                add(0, start);
                return cached(parsed);
            }
            let text = match (input, dir) {
                (Input::Memory { articles, .. }, _) => articles[i].1.clone(),
                (Input::Disk, Some(dir)) => match dir.load_walked_article(rel) {
                    Ok(text) => text,
                    Err(e) => return Loaded::Failed(vec![e], None),
                },
                (Input::Disk, None) => unreachable!("articles are found in a content folder"),
            };
            let read = add(0, start);
            if let Some(parsed) = parse_cache.and_then(|c| c.by_text(rel, stamp, &text)) {
                return cached(parsed);
            }
            let (parsed, problems) = front_matter::parse_article_best_effort(rel, &text);
            let parsed_at = add(1, read);
            match parsed {
                Some(p) if problems.is_empty() && p.front.draft && !options.drafts => {
                    if let Some(cache) = parse_cache {
                        cache.record(rel, stamp, &text, None);
                    }
                    Loaded::Draft
                }
                Some(p) if problems.is_empty() => {
                    let left_out = publishing_at.is_some_and(|now| {
                        site::left_out_at(&p.front, config, now, options.future)
                    });
                    // A parse that looked at an image file is not kept: the file may
                    // change without the article.
                    let looked = std::sync::atomic::AtomicBool::new(false);
                    let finder = image_finder(images.filter(|_| !left_out), dir, rel);
                    let sizes = |address: &str, usage: Usage| {
                        looked.store(true, Ordering::Relaxed);
                        finder(address, usage)
                    };
                    let (mut doc, problems) = site::render_document(
                        rel,
                        p,
                        config,
                        on_disk.then_some(&sizes as crate::markdown::ImageSizes<'_>),
                        shortcodes,
                    );
                    let rendered = add(2, parsed_at);
                    // What the article gives the search index, counted while its body is in
                    // memory and kept with its parse: a rebuild's index reads no body.
                    // (`check` writes no index.)
                    doc.terms = vocabulary.and_then(|v| render::document_terms(&doc, v));
                    add(3, rendered);
                    if !problems.is_empty() {
                        // A shortcode call that failed: the file is broken, though `check`
                        // still sees the rest of it.
                        let problems = problems.into_iter().map(Error::content).collect();
                        return Loaded::Failed(problems, Some(Arc::new(doc)));
                    }
                    // A parse that looked at no image file is a function of the text (and
                    // what the cache's identity holds): its digest stands for it.
                    if let Some(cache) = parse_cache
                        && !looked.load(Ordering::Relaxed)
                    {
                        let hash = ParseCache::text_hash(&text);
                        doc.digest = Some(cache.digest(rel, &hash));
                        cache.record_hashed(rel, stamp, hash, Some(&mut doc));
                    }
                    if let Some(spill) = spill
                        && let Err(e) =
                            doc.body.spill_to(spill, doc.terms.as_mut().map(|t| &mut t.list))
                    {
                        return Loaded::Failed(vec![Error::io(Path::new(SPILL_NAME), e)], None);
                    }
                    Loaded::Document(Arc::new(doc))
                }
                parsed => {
                    // What could be read still counts for `check` (issue 23).
                    let sizes = image_finder(images, dir, rel);
                    let mut problems = problems;
                    let doc = parsed.filter(|p| !p.front.draft || options.drafts).map(|p| {
                        let (doc, more) = site::render_document(
                            rel,
                            p,
                            config,
                            on_disk.then_some(&sizes as crate::markdown::ImageSizes<'_>),
                            shortcodes,
                        );
                        problems.extend(more);
                        Arc::new(doc)
                    });
                    problems.sort_by_key(|p| (p.at.line, p.at.column));
                    Loaded::Failed(problems.into_iter().map(Error::content).collect(), doc)
                }
            }
        })
        .collect();
    let stages = ["load (cpu)", "front matter (cpu)", "markdown (cpu)", "search terms (cpu)"];
    for (i, name) in stages.into_iter().enumerate() {
        timer.add(name, Duration::from_nanos(spent[i].load(Ordering::Relaxed)));
    }
    timer.stage("parse");

    let mut documents = Vec::with_capacity(results.len());
    let mut errors = refused;
    let mut broken = Vec::new();
    for result in results {
        match result {
            Loaded::Document(doc) => documents.push(doc),
            Loaded::Draft => report.drafts_skipped += 1,
            Loaded::Failed(problems, doc) => {
                errors.extend(problems);
                broken.extend(doc);
            }
        }
    }
    let failed = errors.into_iter().flat_map(flatten).collect();
    Ok(Documents { documents, assets: files.assets, report, failed, broken })
}

/// How an article at `rel` finds its images: processed by `images` when given (a
/// build), else only measured (`serve`'s preview shows the files as they are).
fn image_finder<'a>(
    images: Option<&'a Images>,
    dir: Option<&'a content::ContentDir>,
    rel: &'a Path,
) -> impl Fn(&str, Usage) -> Option<Found> + Sync + 'a {
    move |address: &str, usage: Usage| {
        if let Some(images) = images
            && !usage.measure_only
        {
            return images.find(address, rel, usage);
        }
        let (width, height) = dir?.image_size(address)?;
        Some(Found { width, height, picture: None })
    }
}

/// What [`load_documents`] read.
struct Documents {
    documents: Vec<Arc<Document>>,
    /// The other files of `content/`, to copy.
    assets: Vec<PathBuf>,
    report: BuildReport,
    /// Every problem of the files that did not load.
    failed: Vec<Error>,
    /// What could be read of the files whose front matter has problems: for `check`
    /// only, never published.
    broken: Vec<Arc<Document>>,
}

/// The problems found when assembling the site (two articles at one URL, for instance),
/// each with its source line.
fn site_problems(root: &Path, mut problems: Vec<Diagnostic>) -> Error {
    content::add_excerpts(root, &mut problems);
    Error::Many(problems.into_iter().map(Error::content).collect())
}

/// How the body store is named in messages (it has no name on disk).
const SPILL_NAME: &str = "(temporary store of article bodies)";

/// The body store for a build: beside the output folder, on the same disk.
fn spill_for(options: &BuildOptions) -> Result<Arc<Spill>> {
    let output = options.output_dir();
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let dir = if dir.is_dir() { dir } else { std::env::temp_dir() };
    Spill::new_in(&dir).map_err(|e| Error::io(&dir, e))
}

/// One article file after reading, parsing and rendering.
enum Loaded {
    Document(Arc<Document>),
    Draft,
    /// The file's problems, and what could be read of it (see [`Documents::broken`]).
    Failed(Vec<Error>, Option<Arc<Document>>),
}

/// Parses one article file for a rebuild: `Ok(None)` for a draft left out of the build.
fn load_document(
    config: &Config,
    options: &BuildOptions,
    rel: &Path,
    shortcodes: &dyn Shortcodes,
    images: Option<&Images>,
    vocabulary: &Arc<render::Vocabulary>,
) -> Result<Option<Arc<Document>>> {
    let text = content::load_article(&options.root, rel)?;
    let parsed = front_matter::parse_article(rel, &text)
        .map_err(|problems| Error::Many(problems.into_iter().map(Error::content).collect()))?;
    if parsed.front.draft && !options.drafts {
        return Ok(None);
    }
    // Not published (yet): its images are measured, not processed (issue 16).
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let images = images.filter(|_| !site::left_out_at(&parsed.front, config, now, options.future));
    let sizes = |address: &str, usage: Usage| {
        if let Some(images) = images
            && !usage.measure_only
        {
            return images.find(address, rel, usage);
        }
        let (width, height) = content::image_size(&options.root, address)?;
        Some(Found { width, height, picture: None })
    };
    let (mut doc, problems) =
        site::render_document(rel, parsed, config, Some(&sizes), Some(shortcodes));
    if !problems.is_empty() {
        return Err(Error::contents(problems));
    }
    doc.terms = render::document_terms(&doc, vocabulary);
    Ok(Some(Arc::new(doc)))
}

fn flatten(error: Error) -> Vec<Error> {
    match error {
        Error::Many(errors) => errors.into_iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

/// Builds the site into its output folder. On any error the previous output is untouched.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    match build_once(options) {
        // A body the parse cache kept did not match its checksum when a page read it
        // (issue 15): the first try set that cache aside, and the build is made again,
        // every article parsed, with one notice rather than a failure.
        Err(e) if damaged_shelf(&e) => {
            let mut report = build_once(options)?;
            report.cache_notices.insert(0, damaged_parse_cache(options));
            Ok(report)
        }
        other => other,
    }
}

/// Whether `error` comes of a body of the parse cache that did not match its checksum.
fn damaged_shelf(error: &Error) -> bool {
    match error {
        Error::Io { source, .. } => {
            source.get_ref().is_some_and(|e| e.is::<crate::spill::DamagedShelf>())
        }
        Error::Many(errors) => errors.iter().any(damaged_shelf),
        _ => false,
    }
}

/// The notice of a build made again after [`damaged_shelf`].
fn damaged_parse_cache(options: &BuildOptions) -> String {
    let dir = options.cache_dir().unwrap_or_default();
    crate::cache::parse::damaged_notice(&dir)
}

fn build_once(options: &BuildOptions) -> Result<BuildReport> {
    let mut timer = Timer::new();
    // Before any work: a folder gazette may not replace is refused at once.
    let output = options.output_dir();
    output::check_output_dir(&options.root, &output)?;
    // Opened first: its lock covers the parse cache too.
    let (mut cache, notice) = open_cache(options, &output)?;
    // What the build cache records is read, and the staging folder made, while the
    // content loads: both are mostly waiting on the file system (each a tenth of a second
    // or more at 100,000 articles, on the critical path of a rebuild), and loading leaves
    // a core idle at times.
    // So is what the check cache keeps.
    let (loaded, (staging, recorded, checked)) = std::thread::scope(|scope| {
        let beside = scope.spawn(|| {
            let recorded = cache.as_ref().map(cache::Cache::read);
            let listing = recorded.as_ref().and_then(|(r, _)| r.spare_listing());
            let staging = staging_for(options, &output, cache.is_some(), listing);
            let checked = cache.as_ref().map(|cache| {
                let file = cache::checks::CheckCache::new(cache);
                let checked = file.read();
                (file, checked)
            });
            (staging, recorded, checked)
        });
        let loaded =
            engine::load(options, &Input::Disk, Purpose::Build, cache.as_ref(), &mut timer);
        (loaded, beside.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let mut loaded = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            // Nothing was written into it: a spare taken goes back for the next build.
            staging.map(Staging::give_back).ok();
            return Err(e);
        }
    };
    let mut staging = staging?;
    let mut report = std::mem::take(&mut loaded.report);
    let notice = match (&mut cache, recorded) {
        (Some(cache), Some((recorded, read_notice))) => {
            cache.install(recorded);
            notice.or(read_notice)
        }
        _ => notice,
    };
    report.cache_notices.splice(0..0, notice.map(|n| format!("{n}; writing every file")));
    // What is left of making it once the content is loaded (see above).
    timer.stage("staging");
    let written = cache::Written::new(cache.as_ref(), &output);
    let outputs = checks::Outputs {
        left_out: left_out_files(&report.left_out),
        skipped: skipped(&report.warnings),
        ..Default::default()
    };
    let reuse = |rel: &Path, inputs: render::Inputs<'_>| Ok(written.reuse(rel, inputs));
    // A first build (an empty cache) hashes no page's inputs, so that it costs what a
    // build without a cache does but for hashing what it writes: the next build hashes
    // them, and the one after renders only what changed.
    let reuse = cache.as_ref().is_some_and(|c| !c.is_empty()).then_some(&reuse as Reuse<'_>);
    let sink = engine::Sink::Staging { staging: &staging, written: &written };
    // What parsing kept for the next build is being saved since the content loaded (a
    // tenth of a second and more of writing, at 10,000 articles, that a clean build
    // waited for at its end): it depends on the sources alone, so a render that fails
    // after it leaves it as true as it was.
    let mut parses = std::mem::take(&mut loaded.parses);
    let prior = checked.as_ref().map(|(_, checked)| checked);
    let mut rendered =
        match engine::render_unchecked(&mut loaded, &sink, reuse, &mut timer, outputs, prior) {
            Err(e) if damaged_shelf(&e) => {
                // Set aside while the lock is held: the next try parses every article.
                parses.set_aside();
                return Err(e);
            }
            rendered => rendered?,
        };
    if let Err(e) = loaded.damaged() {
        parses.set_aside();
        return Err(e);
    }
    report.images = std::mem::take(&mut rendered.images);
    if loaded.index_cache.is_some() {
        let blocks = rendered.made.iter().map(|m| m.index_blocks);
        let (merged, kept) = blocks.fold((0, 0), |(m, k), b| (m + b.merged, k + b.kept));
        report.index_blocks = Some((merged, merged + kept));
        let shards = rendered.made.iter().map(|m| m.index_blocks);
        let (made, all) = shards.fold((0, 0), |(m, a), b| (m + b.shards_made, a + b.shards));
        report.index_shards = Some((made, all));
    }
    // The files kept from the previous output linked in, the new output swapped in, the
    // caches saved. Meanwhile the content checks run: a build shows what they find as
    // warnings, whatever it is, so neither its output nor its caches wait for them (half
    // a second at 100,000 articles).
    let (sites, outputs) = (&loaded.sites, &rendered.outputs);
    let entries = written.take_entries();
    let mut anchors = std::mem::take(&mut rendered.checked);
    let shelf_sound = || loaded.damaged().is_ok();
    let (saved, findings, moved) = std::thread::scope(|scope| {
        let checking = scope.spawn(|| {
            let start = Instant::now();
            let (findings, kept, rechecked) = engine::check(sites, outputs, prior);
            // Kept for the next build, under the build cache's lock (held until the
            // scope ends); not if a part the checks read was damaged (see below).
            if let Some((file, _)) = checked.as_ref().filter(|_| shelf_sound()) {
                anchors.extend(kept);
                file.write(&anchors);
            }
            (findings, rechecked, start.elapsed())
        });
        // The pages the previous output had that this build loses are looked for beside
        // the linking in of the kept files (a tenth of a second at 100,000 articles),
        // and before the swap, which makes that output the spare.
        let moving = scope.spawn(|| moved::moved_pages(&output, sites));
        // So are the build cache's lines written, to a file put in place once the build
        // has committed (see `Cache::draft`).
        let drafting = cache.as_ref().map(|cache| scope.spawn(|| cache.draft(&entries)));
        let placed = written.place(&staging, &entries);
        let moved = moving.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let join = |handle: std::thread::ScopedJoinHandle<'_, cache::Draft>| {
            handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        };
        let draft = drafting.map(join);
        let sealed = placed.and_then(|()| {
            let sealed = staging.seal();
            staging.commit().map(|()| sealed)
        });
        timer.stage("commit");
        let saved = sealed.map(|sealed| {
            let around = [Surrounded::Article, Surrounded::Listing]
                .map(|page| written.kept_by_surroundings(page))
                .map(|(kept, asked)| (asked > 0).then_some((kept, asked)));
            let counts = (written.counts(), around);
            let sealed = sealed.filter(|_| !written.is_inexact());
            // Both caches are saved under the build cache's lock, dropped after.
            let cache_notice = match (cache.as_ref(), draft) {
                (Some(cache), Some(draft)) => cache.save(&entries, draft, sealed),
                _ => None,
            };
            let (parse_notice, spent) = parses.join();
            if cache.is_some() {
                timer.stage("cache");
                // Its time: it was saved from the end of the load on.
                timer.add("parse cache (alongside)", spent);
            }
            (counts, (parse_notice, cache_notice))
        });
        let (findings, rechecked, spent) =
            checking.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        if checked.is_some() {
            report.rechecked = Some((rechecked, sites.iter().map(|s| s.articles.len()).sum()));
        }
        timer.add("checks (alongside)", spent);
        // What the build waited for them.
        timer.stage("checks");
        (saved, findings, moved)
    });
    let (counts, (parse_notice, cache_notice)) = saved?;
    // The checks read a part the parse cache kept that was damaged: their findings may
    // be wrong. The output holds what the pages were made from, checked sound above, but
    // the build is made again without that cache, for the findings.
    if let Err(e) = loaded.damaged() {
        parses.set_aside();
        return Err(e);
    }
    let ((linked, bytes_written), [articles, listings]) = counts;
    (report.linked, report.bytes_written) = (linked, bytes_written);
    report.kept_by_surroundings = articles;
    report.listings_kept_by_surroundings = listings;
    report.cache_notices.extend(parse_notice);
    report.cache_notices.extend(cache_notice);
    // The lock goes now; what the cache recorded (200,000 paths at 100,000 articles) is
    // freed with the rest, below.
    let recorded = cache.as_mut().map(cache::Cache::take_recorded);
    drop(cache);
    rendered.findings = findings;
    let warnings = as_warnings(&options.root, rendered.problems());

    report.warnings.extend(warnings);
    report.warnings.extend(moved);
    report.files = rendered.files;
    report.elapsed = timer.start.elapsed();
    report.timings = timer.stages;
    // Freeing every article and page value takes about a tenth of a second at 10,000
    // articles, and the build is done: no one needs to wait for it (a process that
    // exits meanwhile hands the memory back all at once). So does freeing the build's
    // records of its files and what the checks saw of them (50 ms at 100,000).
    // The images go first, on this thread: without a cache, they were made in a
    // temporary folder that dropping them deletes.
    drop(loaded.images.take());
    std::thread::spawn(move || drop((loaded, rendered, entries, recorded)));
    Ok(report)
}

/// The parse cache of a build, being saved on a thread of its own from the end of the
/// load on, while the site is assembled and its pages render (see [`ParseCache::save`]).
/// Dropping it waits for the save, so no build returns, nor gives up the build cache's
/// lock (which covers the parse cache), while it writes: not even one that stops at a
/// problem of the site after the load, which saves what it parsed (each record is one
/// file's, true whatever the site's problems).
#[derive(Default)]
pub(crate) struct SavingParses {
    saving: Option<std::thread::JoinHandle<(Option<String>, Duration)>>,
    /// What the save said (a notice, and how long it took), once it is done.
    saved: Option<(Option<String>, Duration)>,
    /// The file it writes (see [`ParseCache::file`]).
    file: Option<PathBuf>,
}

impl SavingParses {
    pub(crate) fn start(parse_cache: Option<ParseCache>) -> SavingParses {
        let Some(mut parse_cache) = parse_cache else { return SavingParses::default() };
        parse_cache.keep_words();
        let file = parse_cache.file().map(Path::to_owned);
        let shown = file.as_deref().map(display_path).unwrap_or_default();
        let save = move || {
            let start = Instant::now();
            (parse_cache.save(), start.elapsed())
        };
        match std::thread::Builder::new().name("parse cache".into()).spawn(save) {
            Ok(saving) => SavingParses { saving: Some(saving), saved: None, file },
            // Not saved: the next build parses every file, as after any cache problem.
            Err(e) => {
                let notice = format!("the parse cache `{shown}` cannot be saved ({e})");
                SavingParses { saving: None, saved: Some((Some(notice), Duration::ZERO)), file }
            }
        }
    }

    /// Waits for the save: its notice, if any, and how long it took.
    fn join(&mut self) -> (Option<String>, Duration) {
        if let Some(saving) = self.saving.take() {
            let saved = saving.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            self.saved = Some(saved);
        }
        self.saved.clone().unwrap_or_default()
    }

    /// Waits for the save, then removes the file it wrote, after a body taken from the
    /// last one did not match its checksum: the next build parses every file. A failure
    /// to remove it leaves it as it is (it is found damaged again).
    fn set_aside(mut self) {
        self.join();
        if let Some(file) = &self.file {
            let _ = std::fs::remove_file(file);
        }
    }
}

impl Drop for SavingParses {
    fn drop(&mut self) {
        // On the way out of a build that failed: its error is the one to show, not a
        // panic of the save.
        if let Some(saving) = self.saving.take() {
            let _ = saving.join();
        }
    }
}

/// The staging folder of a build into `output` (see [`Staging::create_build`]), for a
/// build with the build cache or without; `listing`: what the cache says the spare holds.
fn staging_for(
    options: &BuildOptions,
    output: &Path,
    cached: bool,
    listing: Option<Listing>,
) -> Result<Staging> {
    match options.cache_dir() {
        // The previous output and what earlier builds left are deleted off the build's
        // path, from a folder of the cache's (see `Staging::create_build`). A build that
        // holds the cache's lock keeps the previous output there as the spare, and the
        // next one changes only what differs in it rather than linking every file anew.
        Some(dir) if dir.is_dir() => {
            let spare = cached.then(|| dir.join("spare"));
            // Taking the spare reads each of its folders once.
            Staging::create_build(output, &dir.join("old-output"), spare.as_deref(), listing)
        }
        _ => Staging::create(output),
    }
}

/// Opens the build cache for a build into `output`, unless `--no-cache`, unread (see
/// [`cache::Cache::read`]): `None` with a notice when it cannot be used. A cache folder inside the output folder is refused,
/// as every build replaces that folder whole.
fn open_cache(
    options: &BuildOptions,
    output: &Path,
) -> Result<(Option<cache::Cache>, Option<String>)> {
    let Some(dir) = options.cache_dir() else { return Ok((None, None)) };
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    if absolute(&dir).starts_with(absolute(output)) {
        return Err(Error::Usage(format!(
            "--cache-dir: `{}` is inside the output folder `{}`, which every build replaces",
            display_path(&dir),
            display_path(output)
        )));
    }
    if options.cache_dir.is_none() {
        if let Err(e) = output::make_gazette_dir(&options.root) {
            let why = format!("the build cache cannot be made ({e})");
            return Ok((None, Some(why)));
        }
    }
    let (cache, notice) = cache::open_unread(&dir, output);
    if let Some(cache) = &cache {
        cache.sweep_temporaries();
    }
    Ok((cache, notice))
}

/// Every output file of an in-memory build by path, and the content checks' findings.
pub type InMemoryBuild = (std::collections::BTreeMap<String, Vec<u8>>, Vec<Diagnostic>);

/// Builds a site entirely in memory, from the text of its `site.yaml` and articles
/// (paths relative to the site root), with the embedded default theme: every output
/// file by path, plus the content checks' findings. For fuzzing and tools; nothing is
/// read from or written to disk.
pub fn build_in_memory(
    site_yaml: &str,
    articles: &[(PathBuf, String)],
    now: jiff::Timestamp,
) -> Result<InMemoryBuild> {
    // Only named in paths: nothing is read below it (the theme is the embedded one,
    // and images are not measured), whatever exists there.
    let options = BuildOptions {
        root: PathBuf::from("/nonexistent/gazette-in-memory"),
        now: Some(now),
        no_cache: true,
        ..Default::default()
    };
    let input = Input::Memory { site_yaml, articles };
    let mut timer = Timer::new();
    let mut loaded = engine::load(&options, &input, Purpose::Build, None, &mut timer)?;
    // Rendered and checked as `build` and `check` do it, into memory.
    let files = Mutex::new(std::collections::BTreeMap::new());
    let sink = engine::Sink::Memory(&files);
    let rendered =
        engine::render(&mut loaded, &sink, None, &mut timer, checks::Outputs::default(), None)?;
    Ok((files.into_inner().expect("no thread panicked"), rendered.problems()))
}

/// What `check` found once the site could be assembled: errors and warnings, in file
/// order, each with its source line.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub articles: usize,
    pub problems: Vec<Diagnostic>,
    /// Articles dated after the check's time: what is scheduled, and when.
    pub scheduled: Vec<Arc<Document>>,
    /// Why the build cache was not used, one line each.
    pub cache_notices: Vec<String>,
}

/// The whole pipeline without writing anything: every page is rendered and checked,
/// then dropped. Every problem comes back at once: a broken theme does not hide the
/// content's problems, nor one broken article the findings on the others. Only what
/// stops the checks themselves (an unreadable folder, a page that fails to render)
/// comes back as `Err`, with the content problems found before it.
pub fn check(options: &BuildOptions) -> Result<CheckReport> {
    match check_once(options) {
        // See `build`: `check` only reads the cache, so it checks again without it.
        Err(e) if damaged_shelf(&e) => {
            let uncached = BuildOptions { no_cache: true, ..options.clone() };
            let mut report = check_once(&uncached)?;
            report.cache_notices.insert(0, damaged_parse_cache(options));
            Ok(report)
        }
        other => other,
    }
}

fn check_once(options: &BuildOptions) -> Result<CheckReport> {
    let mut timer = Timer::new();
    // Problems of `authors.yaml` are findings like the others: the articles are still
    // checked (without profiles).
    // Pages made from the same inputs by the last build are known to render: only the
    // others are rendered; articles it parsed are not parsed again (issue 15). The cache
    // is only read.
    let (cache, notice) = match options.cache_dir() {
        Some(dir) => cache::open_existing(&dir, &options.output_dir()),
        None => (None, None),
    };
    let mut loaded =
        engine::load(options, &Input::Disk, Purpose::Check, cache.as_ref(), &mut timer)?;
    let translation_warnings = loaded.config.translations.warnings.clone();
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let left_out = std::mem::take(&mut loaded.report.left_out);
    let mut scheduled: Vec<Arc<Document>> =
        left_out.iter().filter(|d| d.is_scheduled(now) && !d.is_expired(now)).cloned().collect();
    scheduled.sort_by(|a, b| (a.date, &a.source).cmp(&(b.date, &b.source)));
    let failed = std::mem::take(&mut loaded.failed);
    let unparsed: std::collections::BTreeSet<PathBuf> = failed
        .iter()
        .filter_map(|e| match e {
            Error::Content(d) => Some(d.at.path.clone()),
            _ => None,
        })
        .collect();
    let unparsed_slugs = unparsed
        .iter()
        .filter_map(|path| path.file_stem())
        .map(|stem| crate::url::Slug::new(&stem.to_string_lossy()).as_str().to_owned())
        .collect();
    let outputs = checks::Outputs {
        unparsed: unparsed_slugs,
        broken: std::mem::take(&mut loaded.broken_sources),
        left_out: left_out_files(&left_out),
        skipped: skipped(&loaded.report.warnings),
        ..Default::default()
    };
    let rendered_before = |rel: &Path, inputs: render::Inputs<'_>| {
        Ok(cache.as_ref().is_some_and(|c| c.rendered_before(rel, inputs)))
    };
    let reuse = cache.is_some().then_some(&rendered_before as Reuse<'_>);
    let mut cache_notices: Vec<String> =
        notice.map(|n| format!("{n}; checking every page")).into_iter().collect();
    cache_notices.append(&mut loaded.report.cache_notices);
    let authors_problems = std::mem::take(&mut loaded.authors_problems);
    // What the last build's checks found in the articles that did not change.
    let checked = cache.as_ref().map(|c| cache::checks::CheckCache::new(c).read());
    let (sink, prior) = (engine::Sink::Nowhere, checked.as_ref());
    let found = match engine::render(&mut loaded, &sink, reuse, &mut timer, outputs, prior) {
        Ok(rendered) => {
            // A part of a document the parse cache kept was damaged: see `check`.
            loaded.damaged()?;
            rendered.problems()
        }
        Err(e) => {
            let mut errors: Vec<Error> = authors_problems.into_iter().map(Error::content).collect();
            errors.extend(flatten(e));
            errors.extend(failed);
            return Err(Error::Many(errors));
        }
    };
    let mut problems: Vec<Diagnostic> = failed
        .into_iter()
        .filter_map(|e| match e {
            Error::Content(d) => Some(*d),
            _ => None,
        })
        .collect();
    problems.extend(found);
    // Reported with every other finding, not instead of them.
    problems.extend(std::mem::take(&mut loaded.alias_findings));
    // A missing image is a broken link, reported as one already.
    if let Some(images) = &loaded.images {
        problems.extend(images.problems(false));
        problems.extend(images.decode_problems());
        problems.extend(images.warnings());
    }
    content::add_excerpts(&options.root, &mut problems);
    problems.extend(authors_problems);
    // Strings a translation lacks, shown in English (issue 19).
    problems.extend(translation_warnings);
    // Added after the excerpts: a skipped file is never read, not even for its first
    // line (a symlink to `.git/config` must not show it), and the first line of a file
    // that would replace a page means nothing.
    problems.extend(std::mem::take(&mut loaded.report.warnings));
    problems.extend(std::mem::take(&mut loaded.clashes));
    problems.sort_by(|a, b| (&a.at.path, a.at.line).cmp(&(&b.at.path, b.at.line)));
    let articles = loaded.sites.iter().map(|s| s.articles.len()).sum::<usize>()
        + left_out.len()
        + loaded.unread;
    Ok(CheckReport { articles, problems, scheduled, cache_notices })
}

/// The page each article left out of the build would have had, as an output file.
fn left_out_files(left_out: &[Arc<Document>]) -> std::collections::HashMap<String, Arc<Document>> {
    left_out
        .iter()
        .map(|d| {
            let url = crate::url::UrlPath::from_slugs([&d.category_slug, &d.slug]);
            (display_path(&url.index_file()), d.clone())
        })
        .collect()
}

/// The files the content gate skipped, from its warnings, as output paths.
fn skipped(warnings: &[Diagnostic]) -> std::collections::HashSet<String> {
    warnings
        .iter()
        .map(|d| display_path(d.at.path.strip_prefix("content").unwrap_or(&d.at.path)))
        .collect()
}

/// Shows each finding of the content checks with its source line, as a warning.
fn as_warnings(root: &Path, mut problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    content::add_excerpts(root, &mut problems);
    // Content that docs/content.md allows always builds: what the checks find (a broken link,
    // a long summary) is shown, and `gazette check` fails on it; `build` does not.
    for problem in &mut problems {
        problem.severity = Severity::Warning;
    }
    problems
}

/// Copies the non-Markdown files of `content/` to the same place in the output: each
/// resolved through the content gate again, and copied from where it really is. A
/// JPEG, PNG or WebP is written without its metadata instead (`put`; see
/// [`read_picture`]). The sources in `processed` are left out: their clean copies are
/// in place already.
fn copy_assets(
    site: &Site,
    copy: &(dyn Fn(&Path, &Path) -> Result<()> + Sync),
    put: &(dyn Fn(&Path, &[u8]) -> Result<()> + Sync),
    processed: &std::collections::HashSet<PathBuf>,
) -> Result<usize> {
    let Some(dir) = content::ContentDir::open(&site.config.root)? else {
        return Ok(0);
    };
    let errors: Vec<Error> = site
        .assets
        .par_iter()
        .filter(|rel| !processed.contains(*rel))
        .filter_map(|rel| {
            let target = rel.strip_prefix("content").unwrap_or(rel);
            let from = dir.resolve(rel).map_err(|skip| skip.into_error(rel));
            from.and_then(|from| match read_picture(rel, &from)? {
                Some(clean) => put(target, &clean),
                None => copy(target, &from),
            })
            .err()
        })
        .collect();
    Error::collect(errors)?;
    Ok(site.assets.iter().filter(|rel| !processed.contains(*rel)).count())
}

/// The file of `content/` at `rel` (really at `from`) without its metadata, when its
/// first bytes say it is a JPEG, PNG or WebP: published as it is, a photo would give
/// away where it was taken (issue 16). `None` for any other file (copied as it is).
pub(crate) fn read_picture(rel: &Path, from: &Path) -> Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut file = crate::text_file::open_regular(from).map_err(|e| Error::io(rel, e))?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(crate::images::SNIFF_LEN as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(rel, e))?;
    if crate::images::sniff(&bytes).is_none() {
        return Ok(None);
    }
    file.read_to_end(&mut bytes).map_err(|e| Error::io(rel, e))?;
    crate::images::clean_published(&bytes, rel)
}

/// The images of the site at `options.root`, with those of `theme`'s `static/` folder when
/// the theme loaded: what build, check and serve each resize or measure.
///
/// `fresh`: encode every image afresh into a temporary folder (`build --no-cache`); `serve`,
/// which has no build cache (`no_cache`), still keeps its images in gazette's folder.
pub(crate) fn site_images(
    options: &BuildOptions,
    config: &Config,
    theme: Option<&theme::Theme>,
    fresh: bool,
) -> Result<Images> {
    let dir = content::ContentDir::open(&options.root)?;
    let images = if fresh {
        Images::uncached(
            &options.root,
            &output::gazette_dir(&options.root),
            dir,
            config.images.clone(),
        )
    } else {
        Images::new(&options.root, &options.images_cache(), dir, config.images.clone())
    };
    Ok(match theme {
        Some(theme) => images.with_theme(theme, &config.theme),
        None => images,
    })
}
