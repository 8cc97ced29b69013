//! A site kept in memory between builds, for `serve`: an edit re-parses only the files it
//! touched and re-renders only the pages whose content changed; anything else (a new
//! configuration, new theme assets, navigation that moved) renders every page.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{
    BuildOptions, Timer, as_warnings, collisions, load_config, load_document, load_documents,
};
use crate::checks;
use crate::config::Config;
use crate::content::{self, Skip};
use crate::error::{Diagnostic, Error, Result, display_path};
use crate::images::Images;
use crate::output::{self, Staging};
use crate::render::{self, Job, Pages, plan};
use crate::site::{ArticleId, Document, Site};
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

    /// Adds the changes of `other`: for an update that failed, whose changes the next
    /// update must apply too (the session kept the last good build).
    pub fn extend(&mut self, other: &Changes) {
        self.config |= other.config;
        self.templates.extend(other.templates.iter().cloned());
        self.theme_static |= other.theme_static;
        self.articles.extend(other.articles.iter().cloned());
        self.assets.extend(other.assets.iter().cloned());
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
    /// How long each stage took, in order.
    pub timings: Vec<(&'static str, Duration)>,
    pub elapsed: Duration,
}

/// The last good build, in memory.
pub struct Session {
    options: BuildOptions,
    output: PathBuf,
    config: Config,
    documents: BTreeMap<PathBuf, Arc<Document>>,
    /// Every file in the output folder, relative to it.
    files: HashSet<String>,
    /// The `id`s of the pages that links point into.
    ids: HashMap<String, HashSet<String>>,
    /// The site's images, processed as a build does (issue 16), so the preview is what a
    /// build publishes.
    images: Images,
    /// The site's languages, the default first: one for a site in one language. Each
    /// other language's pages live below its folder (`fr/`, issue 19).
    languages: Vec<Language>,
    /// For a site in several languages, the theme with every language's words, which
    /// renders the shortcodes of every article in its own language (each language's
    /// theme has only its own words). `None` for a site in one language, whose theme
    /// renders them.
    shortcode_theme: Option<Theme>,
}

/// One language of the site as the last good build left it.
struct Language {
    site: Site,
    /// Loaded for this language, with the highlighting styles and site-wide values set.
    theme: Theme,
    /// The site-wide template values of the last build (see `render::set_globals`).
    globals: String,
    /// The cards of `site`'s articles, by id.
    cards: Vec<tera::Value>,
    /// Per article (by id in `site`): the files it links to, and the pages it links into
    /// with an `#anchor`.
    links: Vec<checks::LinkFiles>,
    /// Per article (by id in `site`): what the content checks found in it.
    findings: Vec<Vec<Diagnostic>>,
    /// What the site-wide checks found (tags used once).
    tag_findings: Vec<Diagnostic>,
}

/// One language's part of an edit in place: its new site and what to render.
struct EditedLanguage {
    /// Its position in `Session::languages`.
    index: usize,
    site: Site,
    cards: Vec<tera::Value>,
    jobs: Vec<Job>,
    links: Vec<checks::LinkFiles>,
    /// The addresses of the edited documents.
    changed: FxHashSet<usize>,
    edits: Vec<(ArticleId, Arc<Document>)>,
}

/// One language's part of a rebuild, before anything is written.
struct RebuiltLanguage {
    site: Site,
    theme: Theme,
    globals: String,
    cards: Vec<tera::Value>,
    links: Vec<checks::LinkFiles>,
    old_ids: Vec<Option<ArticleId>>,
    jobs: Vec<Job>,
    /// Every page was planned.
    full: bool,
}

impl Session {
    /// Builds the whole site into the preview folder (staged, like `build`) and keeps it.
    /// The preview is `<root>/.gazette/serve` (`output::preview_dir`), never the output
    /// folder: its links point at the local server, so it must not be what gets published.
    pub fn start(options: &BuildOptions) -> Result<(Session, UpdateReport)> {
        let start = Instant::now();
        let mut timer = Timer::new();
        let config = load_config(options)?;
        let output = output::prepare_preview(&options.root)?;
        let theme = theme::load_theme(&config)?;
        let spill = super::spill_for(options)?;
        let images = super::site_images(options, &config, Some(&theme), false)?;
        let loaded = {
            let shortcodes = theme.shortcode_renderer(&config);
            load_documents(
                &config,
                options,
                &mut timer,
                Some(&spill),
                Some(&shortcodes),
                Some(&images),
                Some(options.now.unwrap_or_else(jiff::Timestamp::now)),
            )
        };
        let super::Documents { documents, assets, report, failed, .. } = loaded?;
        if !failed.is_empty() {
            return Err(Error::Many(failed));
        }
        let sites =
            assemble(&config, options, documents.clone(), assets, &mut |name| timer.stage(name))?;
        for site in &sites {
            Error::collect(collisions(site, &theme).into_iter().map(Error::content).collect())?;
        }
        // A site in several languages (issue 19): each language renders with a theme of
        // its own words.
        let (mut themes, shortcode_theme) = match sites.len() {
            1 => (vec![theme], None),
            _ => {
                let themes = sites.iter().map(|site| theme::load_theme(&site.config));
                (themes.collect::<Result<Vec<_>>>()?, Some(theme))
            }
        };

        let staging = Staging::create_owned(output::Owned::Preview, &output)?;
        let rendered = {
            let anchored: HashSet<String> = sites.iter().flat_map(checks::anchored_pages).collect();
            let recorder = Recorder::new(&anchored);
            let record = |rel: &Path, bytes: &[u8]| {
                recorder.record(rel, bytes);
                staging.write(rel, bytes)
            };
            let mut written = 0;
            let mut made = Vec::with_capacity(sites.len());
            let mut assets: HashSet<String> = HashSet::new();
            for (site, theme) in sites.iter().zip(themes.iter_mut()) {
                theme.add_highlight_css(site);
                let globals = render::set_globals(site, theme);
                let prefix = site.output_prefix();
                let in_folder =
                    |rel: &Path, bytes: &[u8]| record(&Path::new(&prefix).join(rel), bytes);
                let pages = Pages::new(site, theme);
                written += pages.render(&pages.jobs(), &in_folder)?;
                // Shared theme files, and those only this language's pages name (issue 19).
                for asset in &theme.assets {
                    if assets.insert(asset.output_path.clone()) {
                        record(Path::new(&asset.output_path), &asset.bytes)?;
                        written += 1;
                    }
                }
                made.push((globals, pages.into_cards()));
            }
            let put = |from: &Path, rel: &Path| {
                recorder.record(rel, b"");
                staging.link(rel, from)
            };
            written += images.write(&put)?.written;
            let processed = images.processed_sources();
            let site = &sites[0];
            let dir = content::ContentDir::open(&site.config.root)?;
            for rel in site.assets.iter().filter(|rel| !processed.contains(*rel)) {
                let target = rel.strip_prefix("content").unwrap_or(rel);
                let from = dir.as_ref().ok_or(Skip::Missing).and_then(|d| d.resolve(rel));
                let from = from.map_err(|skip| skip.into_error(rel))?;
                match super::read_picture(rel, &from)? {
                    Some(clean) => staging.write(target, &clean)?,
                    None => staging.copy(target, &from)?,
                }
                recorder.record(target, b"");
                written += 1;
            }
            let (files, ids) = recorder.finish();
            let outputs = checks::Outputs { files, ids, ..Default::default() };
            let findings: Vec<Vec<Vec<Diagnostic>>> = sites
                .iter()
                .map(|site| {
                    site.articles
                        .par_iter()
                        .map(|a| checks::check_article_alone(site, a, &outputs))
                        .collect()
                })
                .collect();
            (written, outputs, findings, made)
        };
        staging.commit()?;
        let (written, outputs, findings, made) = rendered;
        let languages = sites
            .into_iter()
            .zip(themes)
            .zip(findings.into_iter().zip(made))
            .map(|((site, theme), (findings, (globals, cards)))| Language {
                links: site.articles.par_iter().map(checks::links_of).collect(),
                tag_findings: checks::check_tags_alone(&site),
                site,
                theme,
                globals,
                cards,
                findings,
            })
            .collect();
        let documents = documents.into_iter().map(|d| (d.source.clone(), d)).collect();
        let (files, ids) = (outputs.files, outputs.ids);
        let session = Session {
            options: options.clone(),
            output,
            config,
            documents,
            files,
            ids,
            images,
            languages,
            shortcode_theme,
        };
        let mut warnings = session.warnings();
        warnings.extend(report.warnings);
        let timings = timer.stages;
        let elapsed = start.elapsed();
        Ok((session, UpdateReport { written, removed: 0, full: true, warnings, timings, elapsed }))
    }

    /// Applies changes: re-parses what they touch and re-renders what they change. On any
    /// error the session and the output folder stay as they were.
    pub fn update(&mut self, changes: &Changes) -> Result<UpdateReport> {
        // Shortcodes are rendered with the articles' Markdown, before the site is
        // assembled: a change to one reads every article again (issue 18).
        let shortcodes_changed =
            changes.templates.iter().any(|t| t.starts_with(theme::shortcodes::FOLDER));
        // A replaced image gets new file names (they carry a hash of its bytes): every
        // page that shows it, card or article, must name them, as a fresh build does.
        let image_changed = changes.assets.iter().any(|rel| self.images.uses(rel))
            || (changes.theme_static && self.images.uses_theme_files());
        if changes.config || shortcodes_changed || image_changed {
            let (session, report) = Session::start(&self.options)?;
            *self = session;
            return Ok(report);
        }
        let start = Instant::now();
        let mut timer = Timer::new();
        let mut report = match self.edit_in_place(changes, &mut timer) {
            Some(result) => result?,
            None => self.rebuild(changes, &mut timer)?,
        };
        report.timings = timer.stages;
        report.elapsed = start.elapsed();
        Ok(report)
    }

    /// The theme that renders shortcodes: with every language's words (issue 19).
    fn shortcode_theme(&self) -> &Theme {
        self.shortcode_theme.as_ref().unwrap_or(&self.languages[0].theme)
    }

    /// The common case: articles edited without touching what the site's structure
    /// depends on (see `Site::with_edits`). Nothing is reassembled; only the edited pages
    /// and those that show them are rendered and checked. `None` when this does not apply.
    /// In a site of several languages (issue 19), an edit stays in its article's language:
    /// only that language's pages are planned and rendered.
    fn edit_in_place(
        &mut self,
        changes: &Changes,
        timer: &mut Timer,
    ) -> Option<Result<UpdateReport>> {
        let only_articles =
            changes.templates.is_empty() && !changes.theme_static && changes.assets.is_empty();
        let edited_in_place = |rel: &PathBuf| {
            self.documents.contains_key(rel)
                && content::resolve_content_file(&self.options.root, rel).is_ok()
        };
        if !only_articles || !changes.articles.iter().all(edited_in_place) {
            return None; // an article came or went
        }
        // The edits of each language, by its position in `languages`.
        let mut edits: Vec<Vec<(ArticleId, Arc<Document>)>> =
            vec![Vec::new(); self.languages.len()];
        let shortcodes = self.shortcode_theme().shortcode_renderer(&self.config);
        for rel in &changes.articles {
            let doc = match load_document(
                &self.config,
                &self.options,
                rel,
                &shortcodes,
                Some(&self.images),
            ) {
                Ok(Some(doc)) => doc,
                Ok(None) => return None, // became a draft: the site's structure changes
                Err(e) => return Some(Err(e)),
            };
            let (index, old) = self
                .languages
                .iter()
                .enumerate()
                .find_map(|(index, language)| Some((index, language.site.by_source(rel)?)))?;
            // Another language or other translations: pages of several languages change.
            if old.doc.lang != doc.lang || old.doc.translation_key != doc.translation_key {
                return None;
            }
            // New code classes change the code stylesheet, an asset every page links.
            if old.doc.body.code_classes != doc.body.code_classes {
                return None;
            }
            edits[index].push((old.id, doc));
        }
        drop(shortcodes);
        timer.stage("parse (in place)");

        // Each edited language's new site, cards, jobs and links.
        let mut edited: Vec<EditedLanguage> = Vec::new();
        for (index, edits) in edits.into_iter().enumerate().filter(|(_, e)| !e.is_empty()) {
            let language = &mut self.languages[index];
            let site = language.site.with_edits(&edits)?;
            let mut cards = language.cards.clone();
            for (id, _) in &edits {
                cards[id.index()] = render::card_value(&site, site.article(*id));
            }
            let changed: FxHashSet<usize> =
                edits.iter().map(|(_, doc)| Arc::as_ptr(doc) as usize).collect();
            let old_cards = std::mem::take(&mut language.cards);
            let old = Pages::with_cards(&language.site, &language.theme, old_cards);
            let new = Pages::with_cards(&site, &language.theme, cards);
            let jobs = plan::plan_update(&old, &new, &changed);
            language.cards = old.into_cards();
            let cards = new.into_cards();
            let mut links = language.links.clone();
            for (id, _) in &edits {
                links[id.index()] = checks::links_of(site.article(*id));
            }
            edited.push(EditedLanguage { index, site, cards, jobs, links, changed, edits });
        }
        // Every language's articles' links, with the edits.
        let all_links: Vec<&Vec<checks::LinkFiles>> = (0..self.languages.len())
            .map(|index| match edited.iter().find(|e| e.index == index) {
                Some(e) => &e.links,
                None => &self.languages[index].links,
            })
            .collect();
        let anchored: HashSet<String> = all_links
            .iter()
            .flat_map(|links| links.iter().flat_map(|l| l.anchored.iter().cloned()))
            .collect();
        timer.stage("plan");

        let mut rendered = Vec::new();
        let mut new_ids = HashMap::new();
        for language in &edited {
            let theme = &self.languages[language.index].theme;
            let prefix = language.site.output_prefix();
            let pages = Pages::with_cards(&language.site, theme, language.cards.clone());
            match render_in_memory(&pages, &language.jobs, &anchored, None, &prefix) {
                Ok((files, (_, ids))) => {
                    rendered.extend(files);
                    new_ids.extend(ids);
                }
                Err(e) => return Some(Err(e)),
            }
        }
        timer.stage("render");

        // Re-check the edited articles, and those whose anchors point into a page whose
        // ids just changed, in every language.
        let moved: HashSet<&String> = new_ids
            .iter()
            .filter(|(file, ids)| self.ids.get(*file) != Some(ids))
            .map(|(file, _)| file)
            .collect();
        let mut ids = self.ids.clone();
        ids.extend(new_ids.clone());
        let outputs =
            checks::Outputs { files: std::mem::take(&mut self.files), ids, ..Default::default() };
        let mut all_findings = Vec::with_capacity(self.languages.len());
        for (index, links) in all_links.iter().enumerate() {
            let language = edited.iter().find(|e| e.index == index);
            let site = language.map_or(&self.languages[index].site, |e| &e.site);
            let changed = language.map(|e| &e.changed);
            let mut findings = self.languages[index].findings.clone();
            for article in &site.articles {
                let address = Arc::as_ptr(&article.doc) as usize;
                let edited = changed.is_some_and(|c| c.contains(&address));
                let affected = links[article.id.index()].anchored.iter().any(|f| moved.contains(f));
                if edited || affected {
                    findings[article.id.index()] =
                        checks::check_article_alone(site, article, &outputs);
                }
            }
            all_findings.push(findings);
        }
        self.files = outputs.files;
        timer.stage("checks");

        let assets = &self.languages[0].site.assets;
        let written = match self.write(&rendered, assets, changes, &self.files.clone()) {
            Ok(written) => written,
            Err(e) => return Some(Err(e)),
        };
        timer.stage("write");
        self.ids = outputs.ids;
        for language in edited {
            let EditedLanguage { index, site, cards, links, edits, .. } = language;
            for (id, doc) in edits {
                self.documents.insert(site.article(id).doc.source.clone(), doc);
            }
            let kept = &mut self.languages[index];
            (kept.site, kept.cards, kept.links) = (site, cards, links);
        }
        for (language, findings) in self.languages.iter_mut().zip(all_findings) {
            language.findings = findings;
        }
        Some(Ok(UpdateReport {
            written: written.0,
            removed: written.1,
            full: false,
            warnings: self.warnings(),
            ..Default::default()
        }))
    }

    /// Any other change: the site is reassembled from the kept documents and the changed
    /// files; pages are rendered where they differ, or all of them when the navigation,
    /// the theme's assets or the templates they share changed. Each language is planned
    /// against its own last build (issue 19).
    fn rebuild(&mut self, changes: &Changes, timer: &mut Timer) -> Result<UpdateReport> {
        let theme_changed = !changes.templates.is_empty() || changes.theme_static;
        let multilingual = self.languages.len() > 1;
        // The theme that renders the shortcodes of the articles read again.
        let shortcode_theme = match theme_changed {
            true => Some(theme::load_theme(&self.config)?),
            false => None,
        };
        let shortcodes = shortcode_theme
            .as_ref()
            .unwrap_or_else(|| self.shortcode_theme())
            .shortcode_renderer(&self.config);
        let mut documents = self.documents.clone();
        let mut errors = Vec::new();
        // Every changed file goes through the content gate, as in a full build: a symlink
        // made while serving is followed only to a regular file inside `content/`.
        let mut skipped = Vec::new();
        let mut readable = |rel: &Path| match content::resolve_content_file(&self.options.root, rel)
        {
            Ok(_) => true,
            Err(skip) => {
                skipped.extend(skip.warning(rel));
                false
            }
        };
        for rel in &changes.articles {
            documents.remove(rel);
            if readable(rel) {
                match load_document(
                    &self.config,
                    &self.options,
                    rel,
                    &shortcodes,
                    Some(&self.images),
                ) {
                    Ok(Some(doc)) => {
                        documents.insert(rel.clone(), doc);
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                }
            }
        }
        drop(shortcodes);
        let mut assets: BTreeSet<PathBuf> = self.languages[0].site.assets.iter().cloned().collect();
        for rel in &changes.assets {
            if readable(rel) {
                if !self.config.markdown.unsafe_html {
                    errors.extend(content::check_untrusted_file(&self.options.root, rel));
                }
                assets.insert(rel.clone());
            } else {
                assets.remove(rel);
            }
        }
        Error::collect(errors)?;
        // The documents read again for this rebuild, by address: the others are shared
        // with the last build, unchanged.
        let fresh: FxHashSet<usize> = changes
            .articles
            .iter()
            .filter_map(|rel| documents.get(rel))
            .map(|doc| Arc::as_ptr(doc) as usize)
            .collect();
        timer.stage("parse");
        let documents_now: Vec<Arc<Document>> = documents.values().cloned().collect();
        let assets_now = assets.into_iter().collect();
        // The languages come from site.yaml, which did not change: one site per language.
        let sites =
            assemble(&self.config, &self.options, documents_now, assets_now, &mut |name| {
                timer.stage(name)
            })?;
        let mut shortcode_theme = shortcode_theme;
        let mut rebuilt = Vec::with_capacity(sites.len());
        for (index, site) in sites.into_iter().enumerate() {
            let mut theme = match (theme_changed, multilingual) {
                (false, _) => self.languages[index].theme.clone(),
                (true, true) => theme::load_theme(&site.config)?,
                (true, false) => shortcode_theme.take().expect("loaded for the change"),
            };
            Error::collect(collisions(&site, &theme).into_iter().map(Error::content).collect())?;
            theme.add_highlight_css(&site);
            let globals = render::set_globals(&site, &mut theme);
            let old_ids = self.old_ids(index, &site, &fresh);
            let cards = self.reuse_cards(index, &site, &old_ids);
            let pages = Pages::with_cards(&site, &theme, cards);
            let language = &mut self.languages[index];
            let full = changes.theme_static || globals != language.globals;
            let jobs: Vec<Job> = if full {
                pages.jobs()
            } else {
                let old_cards = std::mem::take(&mut language.cards);
                let old = Pages::with_cards(&language.site, &language.theme, old_cards);
                let mut jobs = plan::plan_update(&old, &pages, &fresh);
                language.cards = old.into_cards();
                if !changes.templates.is_empty() {
                    let mut set: HashSet<Job> = jobs.iter().copied().collect();
                    set.extend(template_jobs(&pages, &changes.templates));
                    jobs = set.into_iter().collect();
                }
                jobs
            };
            let cards = pages.into_cards();
            // Each article's links are known from the last build unless it was read again.
            let links: Vec<checks::LinkFiles> = site
                .articles
                .par_iter()
                .zip(&old_ids)
                .map(|(a, old)| {
                    old.map_or_else(
                        || checks::links_of(a),
                        |old| language.links[old.index()].clone(),
                    )
                })
                .collect();
            rebuilt.push(RebuiltLanguage {
                site,
                theme,
                globals,
                cards,
                links,
                old_ids,
                jobs,
                full,
            });
        }
        // The shortcode theme of a site in several languages, when the theme changed.
        let shortcode_theme = shortcode_theme.filter(|_| multilingual);
        let anchored: HashSet<String> = rebuilt
            .iter()
            .flat_map(|r| r.links.iter().flat_map(|l| l.anchored.iter().cloned()))
            .collect();
        // Pages linked with an `#anchor` whose ids are unknown are rendered too.
        let unknown: Vec<&String> =
            anchored.iter().filter(|f| !self.ids.contains_key(*f)).collect();
        if !unknown.is_empty() {
            for language in &mut rebuilt {
                let prefix = language.site.output_prefix();
                let pages =
                    Pages::with_cards(&language.site, &language.theme, language.cards.clone());
                let by_file: HashMap<String, Job> = pages
                    .jobs()
                    .into_iter()
                    .filter_map(|job| pages.job_file(job).map(|f| (format!("{prefix}{f}"), job)))
                    .collect();
                let planned: HashSet<Job> = language.jobs.iter().copied().collect();
                let more: Vec<Job> = unknown
                    .iter()
                    .filter_map(|f| by_file.get(*f))
                    .filter(|job| !planned.contains(job))
                    .copied()
                    .collect();
                language.cards = pages.into_cards();
                language.jobs.extend(more);
            }
        }
        timer.stage("plan");

        let mut rendered = Vec::new();
        let mut written_files = HashSet::new();
        let mut new_ids = HashMap::new();
        // The files the new site has: every page, the sitemaps and search index just
        // written, assets.
        let mut expected: HashSet<String> = HashSet::new();
        let search = crate::render::search_index_folder();
        for language in &mut rebuilt {
            let prefix = language.site.output_prefix();
            let with_assets = theme_changed.then_some(&language.theme);
            let cards = std::mem::take(&mut language.cards);
            let pages = Pages::with_cards(&language.site, &language.theme, cards);
            let (files, (written, ids)) =
                render_in_memory(&pages, &language.jobs, &anchored, with_assets, &prefix)?;
            expected.extend(plan::page_files(&pages).into_iter().map(|f| format!("{prefix}{f}")));
            // The sitemaps, and the search index's shards and documents, whose number
            // depends on the content.
            let sitemaps = format!("{prefix}sitemap");
            let index = format!("{prefix}{search}");
            expected.extend(
                written
                    .iter()
                    .filter(|f| f.starts_with(&sitemaps) || f.starts_with(&index))
                    .cloned(),
            );
            expected.extend(language.theme.assets.iter().map(|a| a.output_path.clone()));
            language.cards = pages.into_cards();
            // A theme file every language has is written once.
            rendered.extend(files.into_iter().filter(|(rel, _)| {
                let file = display_path(rel);
                !written_files.contains(&file)
            }));
            written_files.extend(written);
            new_ids.extend(ids);
        }
        timer.stage("render");

        let site_assets = &rebuilt[0].site.assets;
        expected.extend(
            site_assets.iter().map(|rel| display_path(rel.strip_prefix("content").unwrap_or(rel))),
        );
        expected.extend(self.images.output_files());
        let mut ids = self.ids.clone();
        ids.retain(|file, _| anchored.contains(file));
        ids.extend(new_ids);
        // An unchanged article keeps its findings unless a file it links to came or went,
        // or the ids of a page it links into changed.
        let came_or_went: HashSet<String> =
            expected.symmetric_difference(&self.files).cloned().collect();
        let moved: HashSet<String> = ids
            .iter()
            .filter(|(file, page_ids)| self.ids.get(*file) != Some(*page_ids))
            .map(|(file, _)| file.clone())
            .collect();
        let outputs_unchanged = |l: &checks::LinkFiles| {
            // `/a/b` is served as `/a/b/`: both files count.
            let touched = |f: &String| {
                came_or_went.contains(f) || came_or_went.contains(&format!("{f}/index.html"))
            };
            !l.all.iter().any(touched) && !l.anchored.iter().any(|f| moved.contains(f))
        };
        let outputs = checks::Outputs { files: expected, ids, ..Default::default() };
        let findings: Vec<(Vec<Vec<Diagnostic>>, Vec<Diagnostic>)> = rebuilt
            .iter()
            .zip(&self.languages)
            .map(|(new, old_language)| {
                let site = &new.site;
                let findings = site
                    .articles
                    .par_iter()
                    .zip(&new.old_ids)
                    .zip(&new.links)
                    .map(|((a, old), l)| match old {
                        Some(old) if outputs_unchanged(l) => {
                            old_language.findings[old.index()].clone()
                        }
                        _ => checks::check_article_alone(site, a, &outputs),
                    })
                    .collect();
                (findings, checks::check_tags_alone(site))
            })
            .collect();
        timer.stage("checks");

        let (written, removed) = self.write(&rendered, site_assets, changes, &outputs.files)?;
        timer.stage("write");
        let full = rebuilt.iter().any(|r| r.full);
        self.files = outputs.files;
        self.ids = outputs.ids;
        self.documents = documents;
        if theme_changed {
            self.shortcode_theme = shortcode_theme;
        }
        self.languages = rebuilt
            .into_iter()
            .zip(findings)
            .map(|(r, (findings, tag_findings))| Language {
                site: r.site,
                theme: r.theme,
                globals: r.globals,
                cards: r.cards,
                links: r.links,
                findings,
                tag_findings,
            })
            .collect();
        let mut warnings = self.warnings();
        warnings.extend(skipped);
        Ok(UpdateReport { written, removed, full, warnings, ..Default::default() })
    }

    /// For each article of `site`, its id in the last build of language `index` when it
    /// is there and its document was not read again (`fresh` holds the addresses of those
    /// that were).
    fn old_ids(
        &self,
        index: usize,
        site: &Site,
        fresh: &FxHashSet<usize>,
    ) -> Vec<Option<ArticleId>> {
        let by_source: FxHashMap<&[u8], ArticleId> = self.languages[index]
            .site
            .articles
            .iter()
            .map(|a| (a.doc.source.as_os_str().as_encoded_bytes(), a.id))
            .collect();
        site.articles
            .iter()
            .map(|a| {
                if fresh.contains(&(Arc::as_ptr(&a.doc) as usize)) {
                    return None;
                }
                by_source.get(a.doc.source.as_os_str().as_encoded_bytes()).copied()
            })
            .collect()
    }

    /// The cards of `site`'s articles, reusing the last build's of language `index` where
    /// an article, its category, tags and authors read the same.
    fn reuse_cards(
        &self,
        index: usize,
        site: &Site,
        old_ids: &[Option<ArticleId>],
    ) -> Vec<tera::Value> {
        let last = &self.languages[index];
        let same_names = |old: &crate::site::Article, new: &crate::site::Article| {
            last.site.category(old.category).name == site.category(new.category).name
                && old
                    .tags
                    .iter()
                    .map(|&t| &last.site.tag(t).name)
                    .eq(new.tags.iter().map(|&t| &site.tag(t).name))
                && old
                    .authors
                    .iter()
                    .map(|&x| &last.site.author(x).name)
                    .eq(new.authors.iter().map(|&x| &site.author(x).name))
        };
        site.articles
            .par_iter()
            .zip(old_ids)
            .map(|(a, old)| match old {
                Some(old) if same_names(last.site.article(*old), a) => {
                    last.cards[old.index()].clone()
                }
                _ => render::card_value(site, a),
            })
            .collect()
    }

    /// Every finding of every language, the site-wide ones included, shown as warnings
    /// in file order.
    fn warnings(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = Vec::new();
        for language in &self.languages {
            all.extend(language.findings.iter().flatten().cloned());
            all.extend(language.tag_findings.iter().cloned());
        }
        checks::sort(&mut all);
        as_warnings(&self.options.root, checks::cap_per_file(all))
    }

    /// Puts rendered files in the output folder, copies changed content files (those of
    /// the new site's `assets`, read through the content gate), and deletes what the site
    /// no longer has (anything not in `expected`). Returns how many files were written
    /// and removed.
    fn write(
        &self,
        rendered: &[(PathBuf, Vec<u8>)],
        assets: &[PathBuf],
        changes: &Changes,
        expected: &HashSet<String>,
    ) -> Result<(usize, usize)> {
        let results: Vec<Result<()>> = rendered
            .par_iter()
            .map(|(rel, bytes)| output::replace_file(&self.output, rel, bytes))
            .collect();
        Error::collect(results.into_iter().filter_map(Result::err).collect())?;
        // Image files the pages now name (their names change with their source, so a
        // file already there is the same file).
        let put = |from: &Path, rel: &Path| {
            if self.files.contains(&display_path(rel))
                && !changes.assets.iter().any(|a| a.ends_with(rel))
            {
                return Ok(());
            }
            let bytes = std::fs::read(from).map_err(|e| Error::io(from, e))?;
            output::replace_file(&self.output, rel, &bytes)
        };
        self.images.write(&put)?;
        let processed = self.images.processed_sources();
        for rel in
            changes.assets.iter().filter(|rel| assets.contains(rel) && !processed.contains(*rel))
        {
            let mut bytes = Vec::new();
            content::open_content_file(&self.options.root, rel).and_then(|mut file| {
                std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| Error::io(rel, e))
            })?;
            let target = rel.strip_prefix("content").unwrap_or(rel);
            // Never published with its metadata (issue 16), as in a build.
            let bytes = crate::images::clean_published(&bytes, rel)?.unwrap_or(bytes);
            output::replace_file(&self.output, target, &bytes)?;
        }
        let stale: Vec<&String> = self.files.iter().filter(|f| !expected.contains(*f)).collect();
        for file in &stale {
            output::remove_file(&self.output, Path::new(file))?;
        }
        Ok((rendered.len(), stale.len()))
    }
}

/// Renders `jobs` (and the theme's assets, when given) into memory, noting the ids of
/// the pages in `anchored`. Nothing is written until everything rendered.
/// The files of the pages go below `prefix`, the folder of their language (issue 19); the
/// theme's files at the root.
fn render_in_memory(
    pages: &Pages<'_>,
    jobs: &[Job],
    anchored: &HashSet<String>,
    assets: Option<&Theme>,
    prefix: &str,
) -> Result<(Rendered, Written)> {
    let recorder = Recorder::new(anchored);
    let rendered: Mutex<Rendered> = Mutex::new(Vec::new());
    let keep = |rel: &Path, bytes: &[u8]| {
        recorder.record(rel, bytes);
        let file = rel.to_owned();
        rendered.lock().expect("no thread panics holding the lock").push((file, bytes.to_vec()));
        Ok(())
    };
    let in_folder = |rel: &Path, bytes: &[u8]| keep(&Path::new(prefix).join(rel), bytes);
    pages.render(jobs, &in_folder)?;
    // The theme's files are shared by every language, at the root.
    if let Some(theme) = assets {
        render::write_assets(theme, &keep)?;
    }
    Ok((rendered.into_inner().expect("no thread panicked"), recorder.finish()))
}

fn assemble(
    config: &Config,
    options: &BuildOptions,
    documents: Vec<Arc<Document>>,
    assets: Vec<PathBuf>,
    stage: &mut dyn FnMut(&'static str),
) -> Result<Vec<Site>> {
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let (documents, left_out) = crate::site::publishable(documents, now, options.future);
    let mut sites = Site::assemble_languages(config.clone(), documents, assets, now, stage)
        .map_err(|problems| Error::Many(problems.into_iter().map(Error::content).collect()))?;
    let hidden = crate::site::hidden_files(&left_out);
    for site in &mut sites {
        site.hidden = hidden.clone();
        let aliases = site.alias_problems();
        if !aliases.is_empty() {
            return Err(Error::Many(aliases.into_iter().map(Error::content).collect()));
        }
    }
    Ok(sites)
}

/// The jobs whose page template is one of `templates`; every page when a shared piece
/// (the base layout, a partial, components) changed.
fn template_jobs(pages: &Pages<'_>, templates: &BTreeSet<String>) -> Vec<Job> {
    let all = pages.jobs();
    if templates.iter().all(|t| render::PAGE_TEMPLATES.contains(&t.as_str())) {
        all.into_iter()
            .filter(|job| pages.job_template(*job).is_some_and(|t| templates.contains(t)))
            .collect()
    } else {
        all.into_iter().filter(|job| pages.job_template(*job).is_some()).collect()
    }
}

/// Rendered files, relative to the output folder, not yet written.
type Rendered = Vec<(PathBuf, Vec<u8>)>;

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
