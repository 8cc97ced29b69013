//! A site kept in memory between builds, for `serve`: an edit re-parses only the files it
//! touched and re-renders only the pages whose content changed; anything else (a new
//! configuration, new theme assets, navigation that moved) renders every page.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{BuildOptions, Timer, load_config, load_document, load_documents};
use crate::checks;
use crate::config::Config;
use crate::error::{Diagnostic, Error, Result, Severity, display_path};
use crate::output::{self, Staging};
use crate::render::{self, Job, Pages, plan};
use crate::site::{Document, Site};
use crate::theme::{self, Theme};

/// What changed on disk since the last build, as the watcher saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// `site.yaml` changed: everything is rebuilt.
    pub config: bool,
    /// Templates of the theme, by name (`article.html`, `partials/toc.html`).
    pub templates: BTreeSet<String>,
    /// A file of the theme's `static/` folder.
    pub theme_static: bool,
    /// Articles added, edited or deleted, relative to the site root.
    pub articles: BTreeSet<PathBuf>,
    /// Other files of `content/`, relative to the site root.
    pub assets: BTreeSet<PathBuf>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// What a rebuild did.
#[derive(Debug, Default)]
pub struct UpdateReport {
    /// Files written.
    pub written: usize,
    /// Files deleted because the site no longer has them.
    pub removed: usize,
    /// Every page was rendered, not only the changed ones.
    pub full: bool,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// The last good build, in memory.
pub struct Session {
    options: BuildOptions,
    output: PathBuf,
    config: Config,
    theme: Theme,
    /// The site-wide template values of the last build (see `render::set_globals`).
    globals: String,
    documents: BTreeMap<PathBuf, Arc<Document>>,
    site: Site,
    /// The cards of `site`'s articles, by id.
    cards: Vec<tera::Value>,
    /// Every file in the output folder, relative to it.
    files: HashSet<String>,
    /// The `id`s of the pages that links point into.
    ids: HashMap<String, HashSet<String>>,
}

impl Session {
    /// Builds the whole site into its output folder (staged, like `build`) and keeps it.
    pub fn start(options: &BuildOptions) -> Result<(Session, UpdateReport)> {
        let start = Instant::now();
        let mut timer = Timer::new();
        let config = load_config(options)?;
        let output = options.output_dir();
        output::check_output_dir(&options.root, &output)?;
        let mut theme = theme::load_theme(&config)?;
        let (documents, assets, report) = load_documents(&config, options, &mut timer)?;
        let site = assemble(&config, options, documents.clone(), assets)?;
        let globals = render::set_globals(&site, &mut theme);

        let staging = Staging::create(&output)?;
        let rendered = {
            let pages = Pages::new(&site, &theme);
            let jobs = pages.jobs();
            let anchored = checks::anchored_pages(&site);
            let recorder = Recorder::new(&anchored);
            let record = |rel: &Path, bytes: &[u8]| {
                recorder.record(rel, bytes);
                staging.write(rel, bytes)
            };
            let mut written = pages.render(&jobs, &record)?;
            written += render::write_assets(&theme, &record)?;
            for rel in &site.assets {
                let target = rel.strip_prefix("content").unwrap_or(rel);
                staging.copy(target, &site.config.root.join(rel))?;
                recorder.record(target, b"");
                written += 1;
            }
            let (files, ids) = recorder.finish();
            let outputs = checks::Outputs { files: files.clone(), ids: ids.clone() };
            let warnings = split(&options.root, checks::check_site(&site, &outputs))?;
            (written, files, ids, warnings, pages.into_cards())
        };
        staging.commit()?;
        let (written, files, ids, mut warnings, cards) = rendered;
        warnings.extend(report.warnings);
        let documents = documents.into_iter().map(|d| (d.source.clone(), d)).collect();
        let session = Session {
            options: options.clone(),
            output,
            config,
            theme,
            globals,
            documents,
            site,
            cards,
            files,
            ids,
        };
        Ok((
            session,
            UpdateReport { written, removed: 0, full: true, warnings, elapsed: start.elapsed() },
        ))
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Applies changes: re-parses what they touch and re-renders what they change. On any
    /// error the session and the output folder stay as they were.
    pub fn update(&mut self, changes: &Changes) -> Result<UpdateReport> {
        if changes.config {
            let (session, report) = Session::start(&self.options)?;
            *self = session;
            return Ok(report);
        }
        let start = Instant::now();
        let mut documents = self.documents.clone();
        let mut errors = Vec::new();
        for rel in &changes.articles {
            documents.remove(rel);
            if self.options.root.join(rel).is_file() {
                match load_document(&self.config, &self.options, rel) {
                    Ok(Some(doc)) => {
                        documents.insert(rel.clone(), doc);
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                }
            }
        }
        Error::collect(errors)?;
        let mut assets: BTreeSet<PathBuf> = self.site.assets.iter().cloned().collect();
        for rel in &changes.assets {
            if self.options.root.join(rel).is_file() {
                assets.insert(rel.clone());
            } else {
                assets.remove(rel);
            }
        }
        let theme_changed = !changes.templates.is_empty() || changes.theme_static;
        let mut theme =
            if theme_changed { theme::load_theme(&self.config)? } else { self.theme.clone() };
        let site = assemble(
            &self.config,
            &self.options,
            documents.values().cloned().collect(),
            assets.into_iter().collect(),
        )?;
        let globals = render::set_globals(&site, &mut theme);

        let changed_sources: HashSet<PathBuf> = changes.articles.iter().cloned().collect();
        let pages = Pages::new(&site, &theme);
        let full = changes.theme_static || globals != self.globals;
        let mut jobs: Vec<Job> = if full {
            pages.jobs()
        } else {
            let old = Pages::with_cards(&self.site, &self.theme, std::mem::take(&mut self.cards));
            let mut jobs = plan::plan_update(&old, &pages, &changed_sources);
            self.cards = old.into_cards();
            if !changes.templates.is_empty() {
                let mut set: HashSet<Job> = jobs.iter().copied().collect();
                set.extend(template_jobs(&pages, &changes.templates));
                jobs = set.into_iter().collect();
            }
            jobs
        };

        // Pages linked with an `#anchor` whose ids are unknown are rendered too.
        let by_file: HashMap<String, Job> = pages
            .jobs()
            .into_iter()
            .filter_map(|job| pages.job_file(job).map(|f| (f, job)))
            .collect();
        let anchored = checks::anchored_pages(&site);
        let planned: HashSet<Job> = jobs.iter().copied().collect();
        for file in &anchored {
            if let Some(&job) = by_file.get(file)
                && !self.ids.contains_key(file)
                && !planned.contains(&job)
            {
                jobs.push(job);
            }
        }

        let recorder = Recorder::new(&anchored);
        let rendered: Mutex<Vec<(PathBuf, Vec<u8>)>> = Mutex::new(Vec::new());
        let keep = |rel: &Path, bytes: &[u8]| {
            recorder.record(rel, bytes);
            rendered
                .lock()
                .expect("no thread panics holding the lock")
                .push((rel.to_owned(), bytes.to_vec()));
            Ok(())
        };
        pages.render(&jobs, &keep)?;
        if theme_changed {
            render::write_assets(&theme, &keep)?;
        }
        let (written_files, new_ids) = recorder.finish();

        // The files the new site has: every page, the sitemaps just written, assets.
        let mut expected: HashSet<String> = plan::page_files(&pages);
        expected.extend(written_files.iter().filter(|f| f.starts_with("sitemap")).cloned());
        expected.extend(theme.assets.iter().map(|a| a.output_path.clone()));
        expected.extend(
            site.assets.iter().map(|rel| display_path(rel.strip_prefix("content").unwrap_or(rel))),
        );
        let mut ids = self.ids.clone();
        ids.retain(|file, _| anchored.contains(file));
        ids.extend(new_ids);
        let outputs = checks::Outputs { files: expected.clone(), ids };
        let warnings = split(&self.options.root, checks::check_site(&site, &outputs))?;

        // Everything succeeded: now the output folder changes.
        let rendered = rendered.into_inner().expect("no thread panicked");
        let written = rendered.len();
        let results: Vec<Result<()>> = rendered
            .par_iter()
            .map(|(rel, bytes)| output::replace_file(&self.output, rel, bytes))
            .collect();
        Error::collect(results.into_iter().filter_map(Result::err).collect())?;
        for rel in &changes.assets {
            if self.options.root.join(rel).is_file() {
                let target = rel.strip_prefix("content").unwrap_or(rel);
                output::replace_with_copy(&self.output, target, &self.options.root.join(rel))?;
            }
        }
        let stale: Vec<&String> = self.files.iter().filter(|f| !expected.contains(*f)).collect();
        for file in &stale {
            output::remove_file(&self.output, Path::new(file))?;
        }
        let removed = stale.len();

        let cards = pages.into_cards();
        self.files = expected;
        self.ids = outputs.ids;
        self.cards = cards;
        self.site = site;
        self.documents = documents;
        self.theme = theme;
        self.globals = globals;
        Ok(UpdateReport { written, removed, full, warnings, elapsed: start.elapsed() })
    }
}

fn assemble(
    config: &Config,
    options: &BuildOptions,
    documents: Vec<Arc<Document>>,
    assets: Vec<PathBuf>,
) -> Result<Site> {
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    Site::assemble(config.clone(), documents, assets, now, &mut |_| {})
        .map_err(|problems| Error::Many(problems.into_iter().map(Error::content).collect()))
}

/// Shows each finding with its source line; errors fail, warnings are returned.
fn split(root: &Path, mut problems: Vec<Diagnostic>) -> Result<Vec<Diagnostic>> {
    crate::content::add_excerpts(root, &mut problems);
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        problems.into_iter().partition(|d| d.severity == Severity::Error);
    if errors.is_empty() {
        Ok(warnings)
    } else {
        Err(Error::Many(errors.into_iter().map(Error::content).collect()))
    }
}

/// The jobs whose page template is one of `templates`; every page when a shared piece
/// (the base layout, a partial, components) changed.
fn template_jobs(pages: &Pages<'_>, templates: &BTreeSet<String>) -> Vec<Job> {
    let all = pages.jobs();
    if templates.iter().all(|t| render::PAGE_TEMPLATES.contains(&t.as_str())) {
        all.into_iter()
            .filter(|job| render::job_template(*job).is_some_and(|t| templates.contains(t)))
            .collect()
    } else {
        all.into_iter().filter(|job| render::job_template(*job).is_some()).collect()
    }
}

/// The files a render wrote, and the `id`s of the pages links point into, by file.
type Written = (HashSet<String>, HashMap<String, HashSet<String>>);

/// Notes each file written and the `id`s of the pages links point into.
struct Recorder<'a> {
    anchored: &'a HashSet<String>,
    seen: Mutex<Written>,
}

impl<'a> Recorder<'a> {
    fn new(anchored: &'a HashSet<String>) -> Self {
        Recorder { anchored, seen: Mutex::new(Default::default()) }
    }

    fn record(&self, rel: &Path, bytes: &[u8]) {
        let key = display_path(rel);
        let ids = self.anchored.contains(&key).then(|| checks::collect_ids(bytes));
        let mut seen = self.seen.lock().expect("no thread panics holding the lock");
        if let Some(ids) = ids {
            seen.1.insert(key.clone(), ids);
        }
        seen.0.insert(key);
    }

    fn finish(self) -> Written {
        self.seen.into_inner().expect("no thread panicked")
    }
}
