//! The only code that calls the stages in order: config, content, documents, site,
//! theme, render, output. `session` keeps a site in memory for rebuilds.

mod moved;
mod session;

pub use session::{Changes, Session, UpdateReport};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cache;
use crate::checks;
use crate::config::{self, Config};
use crate::content;
use crate::error::{Diagnostic, Error, Result, Severity, display_path};
use crate::front_matter;
use crate::images::{Found, Images, Usage};
use crate::markdown::Shortcodes;
use crate::output::{self, Staging};
use crate::render::{self, Reuse};
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
    let config = load_config(options)?;
    let theme = theme::load_theme(&config)?;
    let (sites, mut report) = load_site_with(config, options, &mut timer, Some(&theme), None)?;
    report.timings = timer.stages;
    let site = sites.into_iter().next().expect("a site has its default language");
    Ok((site, report))
}

/// With a theme, content files that would replace a generated file are errors too.
/// The site is assembled even when some articles failed, so every problem of the
/// content (a file that would replace a page included) is reported at once. One site per
/// language, the default first (see [`Site::assemble_languages`]).
fn load_site_with(
    config: Config,
    options: &BuildOptions,
    timer: &mut Timer,
    theme: Option<&theme::Theme>,
    images: Option<&Images>,
) -> Result<(Vec<Site>, BuildReport)> {
    let spill = spill_for(options)?;
    let shortcodes = theme.map(|theme| theme.shortcode_renderer(&config));
    let shortcodes = shortcodes.as_ref().map(|s| s as &dyn Shortcodes);
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let Documents { documents, assets, mut report, mut failed, .. } =
        load_documents(&config, options, timer, Some(&spill), shortcodes, images, Some(now))?;
    if failed.iter().any(|e| !matches!(e, Error::Content(_))) {
        return Err(Error::Many(failed)); // an unreadable file: the site would mislead
    }
    let (documents, left_out) = site::publishable(documents, now, options.future);
    let hidden = site::hidden_files(&left_out);
    report.left_out = left_out;
    match Site::assemble_languages(config, documents, assets, now, &mut |name| timer.stage(name)) {
        Ok(mut sites) => {
            for site in &mut sites {
                site.hidden = hidden.clone();
                let aliases = site.alias_problems();
                if !aliases.is_empty() {
                    failed.extend(flatten(site_problems(&options.root, aliases)));
                }
                if let Some(theme) = theme {
                    failed.extend(collisions(site, theme).into_iter().map(Error::content));
                }
            }
            if failed.is_empty() {
                report.articles = sites.iter().map(|s| s.articles.len()).sum();
                return Ok((sites, report));
            }
        }
        Err(problems) => failed.extend(flatten(site_problems(&options.root, problems))),
    }
    Err(Error::Many(failed))
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

/// Reads, parses and renders every article (drafts only when asked); lists the files to
/// copy. Returns the documents that loaded and every problem of the files that did not.
/// `shortcodes` renders shortcode calls (the theme's); without it they stay as written.
/// `publishing_at`: the time of a build that publishes what it loads (build, serve),
/// whose left-out articles (scheduled for later, expired) have their images measured
/// but not processed, like a draft's (issue 16); `None` for `check`, which checks the
/// images of every article.
fn load_documents(
    config: &Config,
    options: &BuildOptions,
    timer: &mut Timer,
    spill: Option<&Arc<Spill>>,
    shortcodes: Option<&dyn Shortcodes>,
    images: Option<&Images>,
    publishing_at: Option<jiff::Timestamp>,
) -> Result<Documents> {
    let root = &options.root;
    let files = content::walk_content(root)?;
    let mut report = BuildReport { warnings: files.warnings, ..BuildReport::default() };
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
    let spent = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];
    let add = |i: usize, since: Instant| {
        let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        spent[i].fetch_add(nanos, Ordering::Relaxed);
        Instant::now()
    };
    let results: Vec<Loaded> = files
        .articles
        .par_iter()
        .map(|rel| {
            let start = Instant::now();
            let dir = files.dir.as_ref().expect("articles are found in a content folder");
            let text = match dir.load_walked_article(rel) {
                Ok(text) => text,
                Err(e) => return Loaded::Failed(vec![e], None),
            };
            let read = add(0, start);
            let (parsed, problems) = front_matter::parse_article_best_effort(rel, &text);
            let parsed_at = add(1, read);
            match parsed {
                Some(p) if problems.is_empty() && p.front.draft && !options.drafts => Loaded::Draft,
                Some(p) if problems.is_empty() => {
                    let left_out = publishing_at.is_some_and(|now| {
                        site::left_out_at(&p.front, config, now, options.future)
                    });
                    let sizes = image_finder(images.filter(|_| !left_out), dir, rel);
                    let (mut doc, problems) =
                        site::render_document(rel, p, config, Some(&sizes), shortcodes);
                    add(2, parsed_at);
                    if !problems.is_empty() {
                        // A shortcode call that failed: the file is broken, though `check`
                        // still sees the rest of it.
                        let problems = problems.into_iter().map(Error::content).collect();
                        return Loaded::Failed(problems, Some(Arc::new(doc)));
                    }
                    if let Some(spill) = spill
                        && let Err(e) = doc.body.spill_to(spill)
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
                        let (doc, more) =
                            site::render_document(rel, p, config, Some(&sizes), shortcodes);
                        problems.extend(more);
                        Arc::new(doc)
                    });
                    problems.sort_by_key(|p| (p.at.line, p.at.column));
                    Loaded::Failed(problems.into_iter().map(Error::content).collect(), doc)
                }
            }
        })
        .collect();
    for (i, name) in ["load (cpu)", "front matter (cpu)", "markdown (cpu)"].into_iter().enumerate()
    {
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
    dir: &'a content::ContentDir,
    rel: &'a Path,
) -> impl Fn(&str, Usage) -> Option<Found> + Sync + 'a {
    move |address: &str, usage: Usage| {
        if let Some(images) = images
            && !usage.measure_only
        {
            return images.find(address, rel, usage);
        }
        let (width, height) = dir.image_size(address)?;
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
    let (doc, problems) =
        site::render_document(rel, parsed, config, Some(&sizes), Some(shortcodes));
    if !problems.is_empty() {
        return Err(Error::contents(problems));
    }
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
    let mut timer = Timer::new();
    // Before any work: a folder gazette may not replace is refused at once.
    let output = options.output_dir();
    output::check_output_dir(&options.root, &output)?;
    let config = load_config(options)?;
    // Templates are checked before content is parsed: a broken theme fails fast.
    let theme = theme::load_theme(&config)?;
    timer.stage("theme");
    let images = site_images(options, &config, Some(&theme), options.no_cache)?;
    let (sites, mut report) =
        load_site_with(config, options, &mut timer, Some(&theme), Some(&images))?;
    let mut themes = themes_for(&sites, theme)?;
    let site = &sites[0];

    let (cache, notice) = open_cache(options, &output)?;
    report.cache_notices.extend(notice.map(|n| format!("{n}; writing every file")));
    let staging = match options.cache_dir() {
        // The previous output and what earlier builds left are deleted off the build's
        // path, from a folder of the cache's (see `Staging::create_build`).
        Some(dir) if dir.is_dir() => Staging::create_build(&output, &dir.join("old-output"))?,
        _ => Staging::create(&output)?,
    };
    let written = cache::Written::new(cache.as_ref(), &output);
    let write = |rel: &Path, bytes: &[u8]| written.put(&staging, rel, bytes);
    let outputs = checks::Outputs {
        left_out: left_out_files(&report.left_out),
        skipped: skipped(&report.warnings),
        ..Default::default()
    };
    let reuse = |rel: &Path, inputs: &blake3::Hash| Ok(written.reuse(rel, inputs));
    // A first build (an empty cache) hashes no page's inputs, so that it costs what a
    // build without a cache does but for hashing what it writes: the next build hashes
    // them, and the one after renders only what changed.
    let reuse = cache.as_ref().is_some_and(|c| !c.is_empty()).then_some(&reuse as Reuse<'_>);
    let (files, problems) =
        render_and_check(&sites, &mut themes, &write, reuse, &mut timer, outputs)?;
    let moved = moved::moved_pages(&output, &sites);
    // Every image an article uses, resized (or taken from the cache) into the output;
    // a source that cannot be used fails the build here, before anything is published.
    let put = |from: &Path, rel: &Path| staging.link(rel, from);
    report.images = images.write(&put)?;
    timer.stage("images");
    let processed = images.processed_sources();
    let copy = |rel: &Path, from: &Path| written.copy(&staging, rel, from);
    let files = files + report.images.written + copy_assets(site, &copy, &write, &processed)?;
    let warnings = as_warnings(&options.root, problems);
    // The files kept from the previous output linked in, the new output swapped in.
    written.place(&staging)?;
    staging.commit()?;
    timer.stage("commit");
    (report.linked, report.bytes_written) = written.counts();
    let entries = written.into_entries();
    if let Some(cache) = cache {
        report.cache_notices.extend(cache.save(entries));
        timer.stage("cache");
    }

    report.warnings.extend(warnings);
    report.warnings.extend(moved);
    report.files = files;
    report.elapsed = timer.start.elapsed();
    report.timings = timer.stages;
    // Freeing every article and page value takes about a tenth of a second at 10,000
    // articles, and the build is done: no one needs to wait for it (a process that
    // exits meanwhile hands the memory back all at once).
    std::thread::spawn(move || drop((sites, themes)));
    Ok(report)
}

/// A theme per site: `theme` for a site in one language; for one in several, the theme
/// loaded again for each language, so each renders with its own words (issue 19).
fn themes_for(sites: &[Site], theme: theme::Theme) -> Result<Vec<theme::Theme>> {
    if sites.len() == 1 {
        return Ok(vec![theme]);
    }
    sites.iter().map(|site| theme::load_theme(&site.config)).collect()
}

/// Opens the build cache for a build into `output`, unless `--no-cache`: `None` with a
/// notice when it cannot be used. A cache folder inside the output folder is refused,
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
    Ok(cache::open(&dir, output))
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
    let root = Path::new("/nonexistent/gazette-in-memory");
    let config = config::parse_config(root, site_yaml).map_err(Error::contents)?;
    let theme = theme::load_embedded_theme(&config)?;
    let shortcodes = theme.shortcode_renderer(&config);
    let mut documents = Vec::with_capacity(articles.len());
    let mut errors = Vec::new();
    for (rel, text) in articles {
        match site::parse_document(rel, text, &config, None, Some(&shortcodes)) {
            Ok(doc) if doc.draft => {}
            Ok(doc) => documents.push(Arc::new(doc)),
            Err(problems) => errors.extend(problems.into_iter().map(Error::content)),
        }
    }
    drop(shortcodes);
    Error::collect(errors)?;
    let (documents, _) = site::publishable(documents, now, false);
    let sites = Site::assemble_languages(config, documents, Vec::new(), now, &mut |_| {})
        .map_err(|problems| Error::Many(problems.into_iter().map(Error::content).collect()))?;
    let aliases: Vec<Diagnostic> = sites.iter().flat_map(Site::alias_problems).collect();
    if !aliases.is_empty() {
        return Err(Error::Many(aliases.into_iter().map(Error::content).collect()));
    }
    let mut themes = match sites.len() {
        1 => vec![theme],
        _ => sites
            .iter()
            .map(|site| theme::load_embedded_theme(&site.config))
            .collect::<Result<Vec<_>>>()?,
    };
    let files = Mutex::new(std::collections::BTreeMap::new());
    let keep = |rel: &Path, bytes: &[u8]| {
        files
            .lock()
            .expect("no thread panics holding the lock")
            .insert(display_path(rel), bytes.to_vec());
        Ok(())
    };
    // Rendered and checked as `build` and `check` do it, into memory.
    let outputs = checks::Outputs::default();
    let (_, findings) =
        render_and_check(&sites, &mut themes, &keep, None, &mut Timer::new(), outputs)?;
    Ok((files.into_inner().expect("no thread panicked"), findings))
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
    let mut timer = Timer::new();
    // Problems of `authors.yaml` are findings like the others: the articles are still
    // checked (without profiles).
    let (config, authors_problems) = load_config_and_authors(options)?;
    let translation_warnings = config.translations.warnings.clone();
    let theme = theme::load_theme(&config);
    let spill = spill_for(options)?;
    // A broken theme leaves shortcode calls as written; its own error is reported.
    let shortcodes = theme.as_ref().ok().map(|theme| theme.shortcode_renderer(&config));
    // Images are measured, not resized: `check` reports those it cannot use.
    let images = site_images(options, &config, theme.as_ref().ok(), options.no_cache)?;
    let Documents { mut documents, assets, report, failed, broken } = load_documents(
        &config,
        options,
        &mut timer,
        Some(&spill),
        shortcodes.as_ref().map(|s| s as &dyn Shortcodes),
        Some(&images),
        None,
    )?;
    drop(shortcodes);
    let fail = |mut errors: Vec<Error>, first: Option<Error>| {
        errors.splice(0..0, first.into_iter().flat_map(flatten));
        errors.splice(0..0, authors_problems.iter().cloned().map(Error::content));
        Err(Error::Many(errors))
    };
    let theme = match theme {
        Ok(theme) => theme,
        Err(e) => return fail(failed, Some(e)),
    };
    if failed.iter().any(|e| !matches!(e, Error::Content(_))) {
        return fail(failed, None);
    }
    // A file with front-matter problems still counts, with what could be read: its tags,
    // its URL as a link target, its body's checks (issue 23).
    // One whose URL another file has (its `slug:` may be what is broken) is left out
    // rather than stop the checks of the whole site.
    let url = |doc: &Document| crate::url::UrlPath::from_slugs([&doc.category_slug, &doc.slug]);
    let mut taken: std::collections::HashSet<_> = documents.iter().map(|d| url(d)).collect();
    let broken: Vec<Arc<Document>> = broken.into_iter().filter(|d| taken.insert(url(d))).collect();
    let broken_sources: std::collections::HashSet<PathBuf> =
        broken.iter().map(|doc| doc.source.clone()).collect();
    documents.extend(broken);
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let (documents, left_out) = site::publishable(documents, now, options.future);
    let mut scheduled: Vec<Arc<Document>> =
        left_out.iter().filter(|d| d.is_scheduled(now) && !d.is_expired(now)).cloned().collect();
    scheduled.sort_by(|a, b| (a.date, &a.source).cmp(&(b.date, &b.source)));
    let mut sites = match Site::assemble_languages(config, documents, assets, now, &mut |name| {
        timer.stage(name)
    }) {
        Ok(sites) => sites,
        Err(problems) => return fail(failed, Some(site_problems(&options.root, problems))),
    };
    let hidden = site::hidden_files(&left_out);
    for site in &mut sites {
        site.hidden = hidden.clone();
    }
    let clashes: Vec<Diagnostic> = sites.iter().flat_map(|site| collisions(site, &theme)).collect();
    // Reported with every other finding, not instead of them.
    let alias_problems: Vec<Diagnostic> = sites.iter().flat_map(Site::alias_problems).collect();
    let mut themes = match themes_for(&sites, theme) {
        Ok(themes) => themes,
        Err(e) => return fail(failed, Some(e)),
    };
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
    // Files that could not be read at all, or only as drafts left out.
    let unread = unparsed.iter().filter(|path| !broken_sources.contains(*path)).count();
    let discard = |_: &Path, _: &[u8]| Ok(());
    let outputs = checks::Outputs {
        unparsed: unparsed_slugs,
        broken: broken_sources,
        left_out: left_out_files(&left_out),
        skipped: skipped(&report.warnings),
        ..Default::default()
    };
    // Pages made from the same inputs by the last build are known to render: only the
    // others are rendered (issue 15). The cache is only read.
    let (cache, notice) = match options.cache_dir() {
        Some(dir) => cache::open_existing(&dir, &options.output_dir()),
        None => (None, None),
    };
    let rendered_before = |rel: &Path, inputs: &blake3::Hash| {
        Ok(cache.as_ref().is_some_and(|c| c.rendered_before(rel, inputs)))
    };
    let reuse = cache.is_some().then_some(&rendered_before as Reuse<'_>);
    let cache_notices = notice.map(|n| format!("{n}; checking every page")).into_iter().collect();
    let found = match render_and_check(&sites, &mut themes, &discard, reuse, &mut timer, outputs) {
        Ok((_, found)) => found,
        Err(e) => return fail(failed, Some(e)),
    };
    let mut problems: Vec<Diagnostic> = failed
        .into_iter()
        .filter_map(|e| match e {
            Error::Content(d) => Some(*d),
            _ => None,
        })
        .collect();
    problems.extend(found);
    problems.extend(alias_problems);
    // A missing image is a broken link, reported as one already.
    problems.extend(images.problems(false));
    problems.extend(images.decode_problems());
    problems.extend(images.warnings());
    content::add_excerpts(&options.root, &mut problems);
    problems.extend(authors_problems);
    // Strings a translation lacks, shown in English (issue 19).
    problems.extend(translation_warnings.iter().cloned());
    // Added after the excerpts: a skipped file is never read, not even for its first
    // line (a symlink to `.git/config` must not show it), and the first line of a file
    // that would replace a page means nothing.
    problems.extend(report.warnings);
    problems.extend(clashes);
    problems.sort_by(|a, b| (&a.at.path, a.at.line).cmp(&(&b.at.path, b.at.line)));
    let articles = sites.iter().map(|s| s.articles.len()).sum::<usize>() + left_out.len() + unread;
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

/// Renders the site into `write`, recording what was written, then runs the content
/// checks (see [`checks::Outputs::unparsed`]). Returns the number of files and the
/// checks' findings.
fn render_and_check(
    sites: &[Site],
    themes: &mut [theme::Theme],
    write: render::Sink<'_>,
    reuse: Option<Reuse<'_>>,
    timer: &mut Timer,
    outputs: checks::Outputs,
) -> Result<(usize, Vec<Diagnostic>)> {
    let anchored: std::collections::HashSet<String> =
        sites.iter().flat_map(checks::anchored_pages).collect();
    let outputs = Mutex::new(outputs);
    // Pages are written as they are rendered, on every thread: the time spent writing
    // is summed over threads, like the parsing stages'.
    let writing = AtomicU64::new(0);
    let record = |rel: &Path, bytes: &[u8]| {
        let key = crate::error::display_path(rel);
        let ids = anchored.contains(&key).then(|| checks::collect_ids(bytes));
        let mut outputs = outputs.lock().expect("no thread panics while holding the lock");
        if let Some(ids) = ids {
            outputs.ids.insert(key.clone(), ids);
        }
        outputs.files.insert(key);
        drop(outputs);
        let start = Instant::now();
        let written = write(rel, bytes);
        writing.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        written
    };
    // A page others link into with an `#anchor` is always rendered: the checks read its ids.
    let reused = |rel: &Path, inputs: &blake3::Hash| {
        let key = crate::error::display_path(rel);
        let Some(reuse) = reuse.filter(|_| !anchored.contains(&key)) else { return Ok(false) };
        let reused = reuse(rel, inputs)?;
        if reused {
            outputs.lock().expect("no thread panics while holding the lock").files.insert(key);
        }
        Ok(reused)
    };
    let reused = reuse.is_some().then_some(&reused as Reuse<'_>);
    let mut files = 0;
    let mut assets_written = std::collections::HashSet::new();
    for (site, theme) in sites.iter().zip(themes.iter_mut()) {
        let prefix = site.output_prefix();
        if prefix.is_empty() {
            files += render::render_site_reusing(site, theme, &record, reused)?;
            assets_written.extend(theme.assets.iter().map(|a| a.output_path.clone()));
            continue;
        }
        // Another language's pages, below its folder (issue 19).
        let in_folder = |rel: &Path, bytes: &[u8]| record(&Path::new(&prefix).join(rel), bytes);
        let reuse_in_folder = |rel: &Path, inputs: &blake3::Hash| {
            reused.expect("asked only when given")(&Path::new(&prefix).join(rel), inputs)
        };
        let reuse_in_folder = reused.is_some().then_some(&reuse_in_folder as Reuse<'_>);
        files += render::render_pages(site, theme, &in_folder, reuse_in_folder, false)?;
        // The theme's files are shared, but its pages may name one of their own: the
        // highlighting styles of the code its articles have.
        for asset in &theme.assets {
            if assets_written.insert(asset.output_path.clone()) {
                record(Path::new(&asset.output_path), &asset.bytes)?;
                files += 1;
            }
        }
    }
    timer.add("write (cpu)", Duration::from_nanos(writing.into_inner()));
    timer.stage("render");
    let mut outputs = outputs.into_inner().expect("no thread panicked");
    for site in sites {
        for rel in &site.assets {
            let target = rel.strip_prefix("content").unwrap_or(rel);
            outputs.files.insert(crate::error::display_path(target));
        }
    }
    let mut problems: Vec<Diagnostic> =
        sites.iter().flat_map(|site| checks::check_site(site, &outputs)).collect();
    if sites.len() > 1 {
        checks::sort(&mut problems);
    }
    timer.stage("checks");
    Ok((files, problems))
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
