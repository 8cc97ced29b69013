//! The one path from `site.yaml` to checked pages (issue 15): configuration, theme,
//! content, site model, render, checks. `build`, `check`, `serve` and `build_in_memory`
//! each run it; what differs is said by a [`Purpose`], an [`Input`] and a [`Sink`], never
//! by a copy of the stages.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicU64, Ordering};

use super::{
    BuildOptions, BuildReport, Documents, Timer, collisions, copy_assets, flatten,
    load_config_and_authors, load_documents, site_images, site_problems, spill_for,
};
use crate::cache::checks::Checked;
use crate::cache::{self, parse};
use crate::checks;
use crate::config::{self, Config};
use crate::error::{Diagnostic, Error, Result, display_path};
use crate::images::Images;
use crate::markdown::Shortcodes;
use crate::output::Staging;
use crate::render::{self, Reuse};
use crate::site::{self, Document, Site};
use crate::theme::{self, Theme};

/// Where the site's files come from.
pub(crate) enum Input<'a> {
    /// The site folder of [`BuildOptions::root`], with its theme.
    Disk,
    /// The text of `site.yaml` and of each article (paths relative to the site root),
    /// rendered with the embedded default theme; nothing is read from disk.
    Memory { site_yaml: &'a str, articles: &'a [(PathBuf, String)] },
}

/// What the run is for: how it treats problems, and the images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Publish: the first problem kind found stops the run (a broken theme before any
    /// article is read); images are resized into the build cache (or afresh without it).
    Build,
    /// The preview of `serve`: as a build, keeping its images in gazette's folder.
    Serve,
    /// Report every problem at once: a broken theme or article does not hide the others,
    /// and what could be read of a broken article is still checked; images are only
    /// measured.
    Check,
}

/// Where the pages go.
pub(crate) enum Sink<'a> {
    /// A staging folder, through what the build cache knows of the last build (without a
    /// cache, every file is written).
    Staging { staging: &'a Staging, written: &'a cache::Written<'a> },
    /// Kept in memory by path.
    Memory(&'a Mutex<BTreeMap<String, Vec<u8>>>),
    /// Rendered and checked, then dropped.
    Nowhere,
}

impl Sink<'_> {
    fn put(&self, rel: &Path, bytes: &[u8]) -> Result<()> {
        match self {
            Sink::Staging { staging, written } => written.put(staging, rel, bytes),
            Sink::Memory(files) => {
                let mut files = files.lock().expect("no thread panics holding the lock");
                files.insert(display_path(rel), bytes.to_vec());
                Ok(())
            }
            Sink::Nowhere => Ok(()),
        }
    }
}

/// The site as loaded: every stage before rendering.
pub(crate) struct Loaded {
    pub(crate) config: Config,
    /// One per language, the default first (see [`Site::assemble_languages`]).
    pub(crate) sites: Vec<Site>,
    /// One per site, each with its language's words.
    pub(crate) themes: Vec<Theme>,
    /// For a site in several languages, the theme with every language's words, which
    /// rendered the shortcodes of every article; `None` for a site in one language.
    pub(crate) shortcode_theme: Option<Theme>,
    /// Every document that loaded, published or not.
    pub(crate) documents: Vec<Arc<Document>>,
    pub(crate) images: Option<Images>,
    pub(crate) report: BuildReport,
    /// `check` only: the problems of the files that did not load, reported with the
    /// other findings; the sources of the broken articles still checked, and how many
    /// files could not be read at all.
    pub(crate) failed: Vec<Error>,
    pub(crate) broken_sources: HashSet<PathBuf>,
    pub(crate) unread: usize,
    /// `check` only: the problems of `authors.yaml`, and the findings of the assembly a
    /// build stops at: aliases, and content files that would replace a generated one.
    pub(crate) authors_problems: Vec<Diagnostic>,
    pub(crate) alias_findings: Vec<Diagnostic>,
    pub(crate) clashes: Vec<Diagnostic>,
    /// The parses of this build, being saved (a build's only).
    pub(crate) parses: super::SavingParses,
    /// The last parse cache file, which documents taken from it read from (see
    /// [`Loaded::damaged`]).
    pub(crate) shelf: Option<Arc<crate::spill::Shelf>>,
    /// Where the search index keeps its merged blocks (a build writes there, `check`
    /// only reads).
    pub(crate) index_cache: Option<crate::render::BlockCache>,
}

impl Loaded {
    /// `Err` if a part of a document that the parse cache kept did not match its
    /// checksum when it was read (it read as empty, see [`crate::spill::Lazy`]): what was
    /// made from the documents may be wrong, and the run is made again without the cache,
    /// as after a damaged body.
    pub(crate) fn damaged(&self) -> Result<()> {
        match &self.shelf {
            Some(shelf) if shelf.is_damaged() => {
                Err(Error::Io { path: PathBuf::from(parse::FILE), source: crate::spill::damaged() })
            }
            _ => Ok(()),
        }
    }
}

/// Runs every stage before rendering: configuration, theme, images, articles, site
/// model. A build stops at the first stage that fails; `check` goes on as far as it can
/// and comes back with every problem at once. With the build `cache`, the articles that
/// did not change since the last build are not parsed again (`check` only reads it).
pub(crate) fn load(
    options: &BuildOptions,
    input: &Input<'_>,
    purpose: Purpose,
    cache: Option<&cache::Cache>,
    timer: &mut Timer,
) -> Result<Loaded> {
    let checking = purpose == Purpose::Check;
    let (config, authors_problems) = match input {
        Input::Disk => load_config_and_authors(options)?,
        Input::Memory { site_yaml, .. } => {
            (config::parse_config(&options.root, site_yaml).map_err(Error::contents)?, Vec::new())
        }
    };
    // A build fails on `authors.yaml` at once; `check` reports it with the rest.
    if !checking && !authors_problems.is_empty() {
        return Err(Error::contents(authors_problems));
    }
    let load_theme = |config: &Config| match input {
        Input::Disk => theme::load_theme(config),
        Input::Memory { .. } => theme::load_embedded_theme(config),
    };
    // Templates are checked before content is parsed: a broken theme fails a build fast.
    let theme = load_theme(&config);
    let theme = if checking { theme } else { Ok(theme?) };
    timer.stage("theme");
    let images = match input {
        Input::Disk => {
            let fresh = purpose != Purpose::Serve && options.no_cache;
            Some(site_images(options, &config, theme.as_ref().ok(), fresh)?)
        }
        Input::Memory { .. } => None,
    };
    let spill = match input {
        Input::Disk => Some(spill_for(options)?),
        Input::Memory { .. } => None,
    };
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    // The content folder is walked while the parse cache is opened: each takes a fifth
    // of a second of one thread at 100,000 articles, and neither needs the other.
    let mut walked = None;
    let (mut parse_cache, mut parse_notice) = match (cache, &theme) {
        (Some(cache), Ok(theme)) => {
            let identity = parse::identity(&config, &theme.templates_hash, options.drafts);
            let walk = || {
                matches!(input, Input::Disk).then(|| crate::content::walk_content(&options.root))
            };
            let ((parse_cache, notice), files) =
                rayon::join(|| parse::ParseCache::open(cache, identity, checking), walk);
            walked = files;
            timer.stage("parse cache");
            (Some(parse_cache), notice)
        }
        _ => (None, None),
    };
    // A broken theme leaves shortcode calls as written; its own error is reported.
    let shortcodes = theme.as_ref().ok().map(|theme| theme.shortcode_renderer(&config));
    // The words of the articles' search terms: those the parse cache's terms number, and
    // those new to this build.
    let vocabulary =
        parse_cache.as_ref().map_or_else(crate::render::Vocabulary::new, |c| c.vocabulary());
    let mut load = |timer: &mut Timer, parse_cache: Option<&parse::ParseCache>| {
        load_documents(
            &config,
            options,
            input,
            walked.take(),
            timer,
            spill.as_ref(),
            shortcodes.as_ref().map(|s| s as &dyn Shortcodes),
            images.as_ref(),
            (!checking).then_some(now),
            parse_cache,
            (!checking).then_some(&vocabulary),
        )
    };
    let mut loaded_documents = load(timer, parse_cache.as_ref())?;
    // A record of the parse cache did not match its checksum: what was taken from it may
    // be wrong, so every file is parsed again, with one notice (issue 15).
    if let Some(cache) = parse_cache.as_mut().filter(|c| c.is_damaged()) {
        parse_notice = Some(cache.forget());
        drop(loaded_documents);
        loaded_documents = load(timer, parse_cache.as_ref())?;
    }
    let Documents { mut documents, assets, mut report, mut failed, broken } = loaded_documents;
    report.cache_notices.extend(parse_notice);
    if let Some(parse_cache) = &parse_cache {
        report.reparsed = Some(report.articles_read - parse_cache.reused());
        report.reread = Some(report.articles_read - parse_cache.trusted());
    }
    // What parsing kept depends on the sources alone: a build saves it from here on,
    // beside the site's assembly (a single thread, half a second at 100,000 articles)
    // and the render, rather than after them. `check` only reads it, and `serve` keeps
    // none.
    let shelf = parse_cache.as_ref().and_then(parse::ParseCache::shelf);
    // The words of the category and tag names numbered now, so that the parse cache
    // saves them (see `number_topic_words`).
    if purpose == Purpose::Build && parse_cache.is_some() {
        crate::render::number_topic_words(&documents, &vocabulary);
    }
    let parses = match purpose {
        Purpose::Build => super::SavingParses::start(parse_cache),
        Purpose::Check | Purpose::Serve => super::SavingParses::start(None),
    };
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
        return fail(failed, None); // an unreadable file: the site would mislead
    }
    let mut broken_sources = HashSet::new();
    if checking {
        // A file with front-matter problems still counts, with what could be read: its
        // tags, its URL as a link target, its body's checks (issue 23). One whose URL
        // another file has (its `slug:` may be what is broken) is left out rather than
        // stop the checks of the whole site.
        let url = |doc: &Document| crate::url::UrlPath::from_slugs([&doc.category_slug, &doc.slug]);
        let mut taken: HashSet<_> = documents.iter().map(|d| url(d)).collect();
        let broken: Vec<Arc<Document>> =
            broken.into_iter().filter(|d| taken.insert(url(d))).collect();
        broken_sources = broken.iter().map(|doc| doc.source.clone()).collect();
        documents.extend(broken);
    }
    let all_documents = documents.clone();
    // The last builds' "See also" rankings: a rebuild that changed no tag takes its own.
    let rankings = cache.map(|cache| cache::see_also::Rankings::new(cache, !checking));
    let ranks = rankings.as_ref().map(|r| r as &dyn site::see_also::Memo);
    let assembled =
        assemble(options, config.clone(), documents, assets, ranks, &mut |name| timer.stage(name));
    let (sites, left_out, aliases) = match assembled {
        Ok(assembled) => assembled,
        Err(problems) => {
            if checking {
                return fail(failed, Some(problems));
            }
            failed.extend(flatten(problems));
            return Err(Error::Many(failed));
        }
    };
    report.left_out = left_out;
    let (mut alias_findings, mut all_clashes) = (Vec::new(), Vec::new());
    for (site, aliases) in sites.iter().zip(aliases) {
        let clashes = collisions(site, &theme);
        if checking {
            alias_findings.extend(aliases);
            all_clashes.extend(clashes);
        } else {
            if !aliases.is_empty() {
                failed.extend(flatten(site_problems(&options.root, aliases)));
            }
            failed.extend(clashes.into_iter().map(Error::content));
        }
    }
    if !checking && !failed.is_empty() {
        return Err(Error::Many(failed));
    }
    report.articles = sites.iter().map(|s| s.articles.len()).sum();
    // A site in several languages (issue 19): each language renders with a theme of its
    // own words; the first one, with every language's, rendered the shortcodes.
    let (themes, shortcode_theme) = match sites.len() {
        1 => (vec![theme], None),
        _ => {
            let themes = sites.iter().map(|site| load_theme(&site.config));
            match themes.collect::<Result<Vec<_>>>() {
                Ok(themes) => (themes, Some(theme)),
                Err(e) if checking => return fail(failed, Some(e)),
                Err(e) => return Err(e),
            }
        }
    };
    let unread = failed
        .iter()
        .filter_map(|e| match e {
            Error::Content(d) if !broken_sources.contains(&d.at.path) => Some(d.at.path.clone()),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    Ok(Loaded {
        config,
        sites,
        themes,
        shortcode_theme,
        documents: all_documents,
        images,
        report,
        failed,
        broken_sources,
        unread,
        authors_problems,
        alias_findings,
        clashes: all_clashes,
        parses,
        shelf,
        index_cache: cache.map(|c| crate::render::BlockCache {
            dir: c.dir().to_owned(),
            write: purpose == Purpose::Build,
        }),
    })
}

/// What [`assemble`] makes: the sites, the articles left out, each site's alias problems.
pub(crate) type Assembled = (Vec<Site>, Vec<Arc<Document>>, Vec<Vec<Diagnostic>>);

/// The publishable ones of `documents` as one site per language, the default first (see
/// [`Site::assemble_languages`]), each told which files are left out; and the articles
/// left out (scheduled, expired). Each site comes with the problems of its aliases, which
/// stop a build and which `check` reports with the rest. `Err`: what stops the assembly
/// (two articles at one URL), each problem with its source line.
pub(crate) fn assemble(
    options: &BuildOptions,
    config: Config,
    documents: Vec<Arc<Document>>,
    assets: Vec<PathBuf>,
    ranks: Option<&dyn site::see_also::Memo>,
    stage: &mut dyn FnMut(&'static str),
) -> Result<Assembled> {
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let (documents, left_out) = site::publishable(documents, now, options.future);
    let mut sites = Site::assemble_languages(config, documents, assets, now, stage, ranks)
        .map_err(|problems| site_problems(&options.root, problems))?;
    let hidden = site::hidden_files(&left_out);
    let mut aliases = Vec::with_capacity(sites.len());
    for site in &mut sites {
        site.hidden = hidden.clone();
        aliases.push(site.alias_problems());
    }
    Ok((sites, left_out, aliases))
}

/// What the content checks found, for one language's site.
#[derive(Debug, Default, Clone)]
pub(crate) struct Findings {
    /// Per article, by id.
    pub(crate) articles: Vec<Vec<Diagnostic>>,
    /// The site-wide ones (see [`checks::check_site_wide`]).
    pub(crate) site: Vec<Diagnostic>,
}

/// What rendering made.
pub(crate) struct Rendered {
    /// With the check cache: the `#anchor` links of every article that has a digest, to
    /// keep for the next build (see [`crate::cache::checks`]).
    pub(crate) checked: Checked,
    /// Files put in the sink: pages, feeds, theme files, images, content files.
    pub(crate) files: usize,
    /// What the checks saw: every page and content file, the ids of the pages linked
    /// into with an `#anchor`.
    pub(crate) outputs: checks::Outputs,
    /// Per language.
    pub(crate) findings: Vec<Findings>,
    /// Per language: the site-wide template values and the cards (see [`render::Made`]).
    pub(crate) made: Vec<render::Made>,
    pub(crate) images: crate::images::ImageReport,
}

impl Rendered {
    /// Every finding of the content checks, in file order, as `check` reports them.
    pub(crate) fn problems(&self) -> Vec<Diagnostic> {
        let mut problems: Vec<Diagnostic> =
            self.findings.iter().flat_map(|f| checks::combine(&f.articles, &f.site)).collect();
        if self.findings.len() > 1 {
            checks::sort(&mut problems);
        }
        problems
    }
}

/// Renders every language's pages into `sink` (those `reuse` accepts excepted), then
/// the images and content files (not for [`Sink::Nowhere`]), and runs the content checks
/// on what was rendered (see [`checks::Outputs`]; `outputs` brings what the loading
/// learnt).
pub(crate) fn render(
    loaded: &mut Loaded,
    sink: &Sink<'_>,
    reuse: Option<Reuse<'_>>,
    timer: &mut Timer,
    outputs: checks::Outputs,
    prior: Option<&Checked>,
) -> Result<Rendered> {
    let mut rendered = render_unchecked(loaded, sink, reuse, timer, outputs, prior)?;
    rendered.findings = check(&loaded.sites, &rendered.outputs, prior).0;
    timer.stage("checks");
    Ok(rendered)
}

/// The content checks of every language's site, on what was rendered. With `prior`
/// (what the check cache keeps), an article's findings are taken from it when kept under
/// the same inputs; and every article's that can be kept comes back, to keep, with
/// how many articles were checked.
pub(crate) fn check(
    sites: &[Site],
    outputs: &checks::Outputs,
    prior: Option<&Checked>,
) -> (Vec<Findings>, Checked, usize) {
    use rayon::prelude::*;
    let context = prior.and(sites.first()).map(|s| cache::checks::context(outputs, s.now));
    let mut kept = Checked::default();
    let checked_now = std::sync::atomic::AtomicUsize::new(0);
    // An article's findings, and what the check cache keeps of them under which key.
    type Outcome = (Vec<Diagnostic>, Option<(cache::checks::Key, cache::checks::Kept)>);
    let findings = sites
        .iter()
        .map(|site| {
            // The site-wide checks (each a walk over every article, on one thread) run
            // beside the articles'.
            let (checked, site_wide): (Vec<Outcome>, _) = rayon::join(
                || {
                    site.articles
                        .par_iter()
                        .map(|a| {
                            let key = context.as_ref().and_then(|context| {
                                let anchors = cache::checks::anchor_key(site, a)?;
                                Some(cache::checks::finding_key(context, &anchors, site, a))
                            });
                            let source = &a.doc.source;
                            if let Some((key, (found, keep))) =
                                key.and_then(|k| Some((k, prior?.findings(&k, source)?)))
                            {
                                return (found, Some((key, keep)));
                            }
                            checked_now.fetch_add(1, Ordering::Relaxed);
                            let (found, hinted) = checks::check_article_hinted(site, a, outputs);
                            let keep = key
                                .filter(|_| !hinted)
                                .and_then(|key| Some((key, Checked::keepable(source, &found)?)));
                            (found, keep)
                        })
                        .collect()
                },
                || checks::check_site_wide(site, outputs),
            );
            kept.reserve_findings(checked.len());
            let mut articles = Vec::with_capacity(checked.len());
            for (found, keep) in checked {
                if let Some((key, keep)) = keep {
                    kept.keep_findings(key, keep);
                }
                articles.push(found);
            }
            Findings { articles, site: site_wide }
        })
        .collect();
    (findings, kept, checked_now.into_inner())
}

/// The output files linked with an `#anchor` from some article, whose ids the checks
/// read. With `prior` (what the check cache keeps), an article's are taken from it when
/// kept under the same inputs; and every article's that can be kept comes back, to keep.
fn anchored_pages(sites: &[Site], prior: Option<&Checked>) -> (HashSet<String>, Checked) {
    use rayon::prelude::*;
    let Some(prior) = prior else {
        let anchored = sites.iter().flat_map(checks::anchored_pages).collect();
        return (anchored, Checked::default());
    };
    let mut anchored = HashSet::new();
    let mut kept = Checked::default();
    for site in sites {
        let each: Vec<(Option<cache::checks::Key>, Vec<String>)> = site
            .articles
            .par_iter()
            .map(|a| {
                let key = cache::checks::anchor_key(site, a);
                match key.as_ref().and_then(|k| prior.anchors(k)) {
                    Some(files) => (key, files.to_vec()),
                    None => (key, checks::anchors_of(a)),
                }
            })
            .collect();
        for (key, files) in each {
            anchored.extend(files.iter().cloned());
            if let Some(key) = key {
                kept.keep_anchors(key, files);
            }
        }
    }
    (anchored, kept)
}

/// [`render`] without the content checks: its findings are empty, for the caller to get
/// from [`check`] (a build runs them while it commits).
pub(crate) fn render_unchecked(
    loaded: &mut Loaded,
    sink: &Sink<'_>,
    reuse: Option<Reuse<'_>>,
    timer: &mut Timer,
    outputs: checks::Outputs,
    prior: Option<&Checked>,
) -> Result<Rendered> {
    let sites = &loaded.sites;
    let index_cache = loaded.index_cache.as_ref();
    let (anchored, checked) = anchored_pages(sites, prior);
    let outputs = Mutex::new(outputs);
    // Pages are written as they are rendered, on every thread: the time spent writing
    // is summed over threads, like the parsing stages'.
    let writing = AtomicU64::new(0);
    let record = |rel: &Path, bytes: &[u8]| {
        let key = display_path(rel);
        let ids = anchored.contains(&key).then(|| checks::collect_ids(bytes));
        let mut outputs = outputs.lock().expect("no thread panics while holding the lock");
        if let Some(ids) = ids {
            outputs.ids.insert(key.clone(), ids);
        }
        outputs.files.insert(key);
        drop(outputs);
        let start = Instant::now();
        let written = sink.put(rel, bytes);
        writing.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        written
    };
    // A page others link into with an `#anchor` is always rendered: the checks read its ids.
    let reused = |rel: &Path, inputs: render::Inputs<'_>| {
        let key = display_path(rel);
        let Some(reuse) = reuse.filter(|_| !anchored.contains(&key)) else { return Ok(false) };
        let reused = reuse(rel, inputs)?;
        if reused {
            outputs.lock().expect("no thread panics while holding the lock").files.insert(key);
        }
        Ok(reused)
    };
    let reused = reuse.is_some().then_some(&reused as Reuse<'_>);
    let mut files = 0;
    let mut made = Vec::with_capacity(sites.len());
    let mut assets_written = HashSet::new();
    for (site, theme) in sites.iter().zip(loaded.themes.iter_mut()) {
        let prefix = site.output_prefix();
        if prefix.is_empty() {
            let pages = render::render_pages(site, theme, &record, reused, true, index_cache)?;
            files += pages.files;
            made.push(pages);
            assets_written.extend(theme.assets.iter().map(|a| a.output_path.clone()));
            continue;
        }
        // Another language's pages, below its folder (issue 19).
        let in_folder = |rel: &Path, bytes: &[u8]| record(&Path::new(&prefix).join(rel), bytes);
        let reuse_in_folder = |rel: &Path, inputs: render::Inputs<'_>| {
            reused.expect("asked only when given")(&Path::new(&prefix).join(rel), inputs)
        };
        let reuse_in_folder = reused.is_some().then_some(&reuse_in_folder as Reuse<'_>);
        let pages =
            render::render_pages(site, theme, &in_folder, reuse_in_folder, false, index_cache)?;
        files += pages.files;
        made.push(pages);
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
    // Beside the pages, on one thread: how much of the render stage it is.
    timer.add("search index", made.iter().map(|m| m.search_index).sum());
    timer.stage("render");
    let mut outputs = outputs.into_inner().expect("no thread panicked");
    for site in sites {
        for rel in &site.assets {
            let target = rel.strip_prefix("content").unwrap_or(rel);
            outputs.files.insert(display_path(target));
        }
    }
    // Every image an article uses, resized (or taken from the cache) into the output;
    // a source that cannot be used fails the build here, before anything is published.
    let mut images = crate::images::ImageReport::default();
    if let (Sink::Staging { staging, written }, Some(site_images)) = (sink, &loaded.images) {
        let put = |from: &Path, rel: &Path| staging.link(rel, from);
        images = site_images.write(&put)?;
        timer.stage("images");
        let processed = site_images.processed_sources();
        let copy = |rel: &Path, from: &Path| written.copy(staging, rel, from);
        let put = |rel: &Path, bytes: &[u8]| written.put(staging, rel, bytes);
        files += images.written + copy_assets(&sites[0], &copy, &put, &processed)?;
    }
    Ok(Rendered { checked, files, outputs, findings: Vec::new(), made, images })
}
