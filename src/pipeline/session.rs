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
    /// Per article (by id in `site`): the files it links to, and the pages it links into
    /// with an `#anchor`.
    links: Vec<checks::LinkFiles>,
    /// Per article (by id in `site`): what the content checks found in it.
    findings: Vec<Vec<Diagnostic>>,
    /// What the site-wide checks found (tags used once).
    tag_findings: Vec<Diagnostic>,
    /// The site's images, processed as a build does (issue 16), so the preview is what a
    /// build publishes.
    images: Images,
    /// The site's other languages, in site.yaml's order (issue 19): `site`, `theme` and
    /// the rest above are the default language's.
    others: Vec<OtherLanguage>,
    /// For a site in several languages, the theme with every language's words, which
    /// renders the shortcodes of every article in its own language (`theme` has only the
    /// default language's).
    shortcode_theme: Option<Theme>,
}

/// One of the other languages of a site in several languages (issue 19): its pages live
/// below its folder (`fr/`), and are kept like the default language's.
struct OtherLanguage {
    site: Site,
    /// Loaded for this language, its words and site-wide values set.
    theme: Theme,
    /// The cards of `site`'s articles, by id.
    cards: Vec<tera::Value>,
    /// Per article (by id in `site`): the files it links to.
    links: Vec<checks::LinkFiles>,
    /// Per article (by id in `site`): what the content checks found in it.
    findings: Vec<Vec<Diagnostic>>,
    /// What the site-wide checks found.
    tag_findings: Vec<Diagnostic>,
}

/// One language's part of an edit in place: its new site and what to render.
struct EditedLanguage {
    /// 0 for the default language, `i` for `Session::others[i - 1]`.
    index: usize,
    site: Site,
    cards: Vec<tera::Value>,
    jobs: Vec<Job>,
    links: Vec<checks::LinkFiles>,
    /// The addresses of the edited documents.
    changed: FxHashSet<usize>,
    edits: Vec<(ArticleId, Arc<Document>)>,
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
        let mut theme = theme::load_theme(&config)?;
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
        let mut sites =
            assemble(&config, options, documents.clone(), assets, &mut |name| timer.stage(name))?;
        for site in &sites {
            Error::collect(collisions(site, &theme).into_iter().map(Error::content).collect())?;
        }
        let site = sites.remove(0);
        // A site in several languages (issue 19): each language renders with a theme of
        // its own words, and every update starts the session again.
        let others = sites;
        let shortcode_theme = match others.is_empty() {
            true => None,
            false => Some(std::mem::replace(&mut theme, theme::load_theme(&site.config)?)),
        };
        theme.add_highlight_css(&site);
        let globals = render::set_globals(&site, &mut theme);

        let staging = Staging::create_owned(output::Owned::Preview, &output)?;
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
            let mut other_states = Vec::with_capacity(others.len());
            let mut assets: HashSet<String> =
                theme.assets.iter().map(|a| a.output_path.clone()).collect();
            for other in others {
                let mut other_theme = theme::load_theme(&other.config)?;
                other_theme.add_highlight_css(&other);
                render::set_globals(&other, &mut other_theme);
                let prefix = other.output_prefix();
                let in_folder =
                    |rel: &Path, bytes: &[u8]| record(&Path::new(&prefix).join(rel), bytes);
                let pages = Pages::new(&other, &other_theme);
                written += pages.render(&pages.jobs(), &in_folder)?;
                let cards = pages.into_cards();
                // Shared theme files, and those only this language's pages name (issue 19).
                for asset in &other_theme.assets {
                    if assets.insert(asset.output_path.clone()) {
                        record(Path::new(&asset.output_path), &asset.bytes)?;
                        written += 1;
                    }
                }
                other_states.push((other, other_theme, cards));
            }
            let put = |from: &Path, rel: &Path| {
                recorder.record(rel, b"");
                staging.link(rel, from)
            };
            written += images.write(&put)?.written;
            let processed = images.processed_sources();
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
            let findings: Vec<Vec<Diagnostic>> = site
                .articles
                .par_iter()
                .map(|a| checks::check_article_alone(&site, a, &outputs))
                .collect();
            let others: Vec<OtherLanguage> = other_states
                .into_iter()
                .map(|(site, theme, cards)| OtherLanguage {
                    findings: site
                        .articles
                        .par_iter()
                        .map(|a| checks::check_article_alone(&site, a, &outputs))
                        .collect(),
                    links: site.articles.par_iter().map(checks::links_of).collect(),
                    tag_findings: checks::check_tags_alone(&site),
                    site,
                    theme,
                    cards,
                })
                .collect();
            (written, outputs, findings, pages.into_cards(), others)
        };
        staging.commit()?;
        let (written, outputs, findings, cards, others) = rendered;
        let links = site.articles.par_iter().map(checks::links_of).collect();
        let tag_findings = checks::check_tags_alone(&site);
        let documents = documents.into_iter().map(|d| (d.source.clone(), d)).collect();
        let (files, ids) = (outputs.files, outputs.ids);
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
            links,
            findings,
            tag_findings,
            images,
            others,
            shortcode_theme,
        };
        let mut warnings = session.warnings_from(&session.findings);
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
            // Anything but an edit in place of a site in several languages starts the
            // session again (issue 19).
            None if self.config.is_multilingual() => {
                let (session, report) = Session::start(&self.options)?;
                *self = session;
                return Ok(report);
            }
            None => self.rebuild(changes, &mut timer)?,
        };
        report.timings = timer.stages;
        report.elapsed = start.elapsed();
        Ok(report)
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
        // The edits of each language: 0 is the default one, `i` is `others[i - 1]`.
        let mut edits: Vec<Vec<(ArticleId, Arc<Document>)>> =
            vec![Vec::new(); 1 + self.others.len()];
        // A site in several languages renders shortcodes with every language's words.
        let shortcode_theme = self.shortcode_theme.as_ref().unwrap_or(&self.theme);
        let shortcodes = shortcode_theme.shortcode_renderer(&self.config);
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
            let (index, old) = (0..=self.others.len())
                .find_map(|index| Some((index, self.language(index).by_source(rel)?)))?;
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

        // Each language's new site, cards, jobs and links.
        let mut edited: Vec<EditedLanguage> = Vec::new();
        for (index, edits) in edits.into_iter().enumerate().filter(|(_, e)| !e.is_empty()) {
            let (old_site, old_cards, theme) = match index {
                0 => (&self.site, &mut self.cards, &self.theme),
                _ => {
                    let other = &mut self.others[index - 1];
                    (&other.site, &mut other.cards, &other.theme)
                }
            };
            let site = old_site.with_edits(&edits)?;
            let mut cards = old_cards.clone();
            for (id, _) in &edits {
                cards[id.index()] = render::card_value(&site, site.article(*id));
            }
            let changed: FxHashSet<usize> =
                edits.iter().map(|(_, doc)| Arc::as_ptr(doc) as usize).collect();
            let old = Pages::with_cards(old_site, theme, std::mem::take(old_cards));
            let new = Pages::with_cards(&site, theme, cards);
            let jobs = plan::plan_update(&old, &new, &changed);
            *old_cards = old.into_cards();
            let cards = new.into_cards();
            let mut links = match index {
                0 => self.links.clone(),
                _ => self.others[index - 1].links.clone(),
            };
            for (id, _) in &edits {
                links[id.index()] = checks::links_of(site.article(*id));
            }
            edited.push(EditedLanguage { index, site, cards, jobs, links, changed, edits });
        }
        // The pages linked with an `#anchor`, from every language's articles.
        let links_of = |index: usize| -> &Vec<checks::LinkFiles> {
            match edited.iter().find(|e| e.index == index) {
                Some(e) => &e.links,
                None if index == 0 => &self.links,
                None => &self.others[index - 1].links,
            }
        };
        let anchored: HashSet<String> = (0..=self.others.len())
            .flat_map(|index| links_of(index).iter().flat_map(|l| l.anchored.iter().cloned()))
            .collect();
        timer.stage("plan");

        let mut rendered = Vec::new();
        let mut new_ids = HashMap::new();
        for language in &edited {
            let theme = match language.index {
                0 => &self.theme,
                i => &self.others[i - 1].theme,
            };
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
        let mut all_findings = Vec::with_capacity(1 + self.others.len());
        for index in 0..=self.others.len() {
            let language = edited.iter().find(|e| e.index == index);
            let site = language.map_or_else(|| self.language(index), |e| &e.site);
            let changed = language.map(|e| &e.changed);
            let links = links_of(index);
            let mut findings = match index {
                0 => self.findings.clone(),
                i => self.others[i - 1].findings.clone(),
            };
            for article in &site.articles {
                let edited =
                    changed.is_some_and(|c| c.contains(&(Arc::as_ptr(&article.doc) as usize)));
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

        let written = match self.write(&rendered, &self.site.assets, changes, &self.files.clone()) {
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
            match index {
                0 => (self.site, self.cards, self.links) = (site, cards, links),
                i => {
                    let other = &mut self.others[i - 1];
                    (other.site, other.cards, other.links) = (site, cards, links);
                }
            }
        }
        let mut all_findings = all_findings.into_iter();
        self.findings = all_findings.next().expect("the default language's findings");
        for (other, findings) in self.others.iter_mut().zip(all_findings) {
            other.findings = findings;
        }
        let warnings = self.warnings_from(&self.findings);
        Some(Ok(UpdateReport {
            written: written.0,
            removed: written.1,
            full: false,
            warnings,
            ..Default::default()
        }))
    }

    /// The site of language `index`: 0 is the default language's, `i` is `others[i - 1]`'s.
    fn language(&self, index: usize) -> &Site {
        match index {
            0 => &self.site,
            i => &self.others[i - 1].site,
        }
    }

    /// Any other change: the site is reassembled from the kept documents and the changed
    /// files; pages are rendered where they differ, or all of them when the navigation,
    /// the theme's assets or the templates they share changed.
    fn rebuild(&mut self, changes: &Changes, timer: &mut Timer) -> Result<UpdateReport> {
        let theme_changed = !changes.templates.is_empty() || changes.theme_static;
        let mut theme =
            if theme_changed { theme::load_theme(&self.config)? } else { self.theme.clone() };
        let shortcodes = theme.shortcode_renderer(&self.config);
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
        let mut assets: BTreeSet<PathBuf> = self.site.assets.iter().cloned().collect();
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
        // One site: a site in several languages starts the session again instead.
        let site = assemble(&self.config, &self.options, documents_now, assets_now, &mut |name| {
            timer.stage(name)
        })?
        .remove(0);
        Error::collect(collisions(&site, &theme).into_iter().map(Error::content).collect())?;
        theme.add_highlight_css(&site);
        let globals = render::set_globals(&site, &mut theme);
        timer.stage("site");

        let old_ids = self.old_ids(&site, &fresh);
        let pages = Pages::with_cards(&site, &theme, self.reuse_cards(&site, &old_ids));
        let full = changes.theme_static || globals != self.globals;
        let mut jobs: Vec<Job> = if full {
            pages.jobs()
        } else {
            let old = Pages::with_cards(&self.site, &self.theme, std::mem::take(&mut self.cards));
            let mut jobs = plan::plan_update(&old, &pages, &fresh);
            self.cards = old.into_cards();
            if !changes.templates.is_empty() {
                let mut set: HashSet<Job> = jobs.iter().copied().collect();
                set.extend(template_jobs(&pages, &changes.templates));
                jobs = set.into_iter().collect();
            }
            jobs
        };
        // Pages linked with an `#anchor` whose ids are unknown are rendered too.
        // Each article's links are known from the last build unless it was read again.
        let links: Vec<checks::LinkFiles> = site
            .articles
            .par_iter()
            .zip(&old_ids)
            .map(|(a, old)| {
                old.map_or_else(|| checks::links_of(a), |old| self.links[old.index()].clone())
            })
            .collect();
        let anchored: HashSet<String> =
            links.iter().flat_map(|l| l.anchored.iter().cloned()).collect();
        let unknown: Vec<&String> =
            anchored.iter().filter(|f| !self.ids.contains_key(*f)).collect();
        if !unknown.is_empty() {
            let by_file: HashMap<String, Job> = pages
                .jobs()
                .into_iter()
                .filter_map(|job| pages.job_file(job).map(|f| (f, job)))
                .collect();
            let planned: HashSet<Job> = jobs.iter().copied().collect();
            jobs.extend(
                unknown.iter().filter_map(|f| by_file.get(*f)).filter(|job| !planned.contains(job)),
            );
        }
        timer.stage("plan");

        let with_assets = theme_changed.then_some(&theme);
        let (rendered, (written_files, new_ids)) =
            render_in_memory(&pages, &jobs, &anchored, with_assets, "")?;
        timer.stage("render");

        // The files the new site has: every page, the sitemaps just written, assets.
        let mut expected: HashSet<String> = plan::page_files(&pages);
        expected.extend(written_files.iter().filter(|f| f.starts_with("sitemap")).cloned());
        // The search index's shards and documents, whose number depends on the content.
        let search = crate::render::search_index_folder();
        expected.extend(written_files.iter().filter(|f| f.starts_with(&search)).cloned());
        expected.extend(theme.assets.iter().map(|a| a.output_path.clone()));
        expected.extend(
            site.assets.iter().map(|rel| display_path(rel.strip_prefix("content").unwrap_or(rel))),
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
        let findings: Vec<Vec<Diagnostic>> = site
            .articles
            .par_iter()
            .zip(&old_ids)
            .zip(&links)
            .map(|((a, old), l)| match old {
                Some(old) if outputs_unchanged(l) => self.findings[old.index()].clone(),
                _ => checks::check_article_alone(&site, a, &outputs),
            })
            .collect();
        let tag_findings = checks::check_tags_alone(&site);
        timer.stage("checks");

        let (written, removed) = self.write(&rendered, &site.assets, changes, &outputs.files)?;
        timer.stage("write");
        let cards = pages.into_cards();
        self.files = outputs.files;
        self.ids = outputs.ids;
        self.cards = cards;
        self.site = site;
        self.documents = documents;
        self.theme = theme;
        self.globals = globals;
        self.links = links;
        self.findings = findings;
        self.tag_findings = tag_findings;
        let mut warnings = self.warnings_from(&self.findings);
        warnings.extend(skipped);
        Ok(UpdateReport { written, removed, full, warnings, ..Default::default() })
    }

    /// For each article of `site`, its id in the last build when it is there and its
    /// document was not read again (`fresh` holds the addresses of those that were).
    fn old_ids(
        &self,
        site: &Site,
        fresh: &FxHashSet<usize>,
    ) -> Vec<Option<crate::site::ArticleId>> {
        let by_source: FxHashMap<&[u8], crate::site::ArticleId> = self
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

    /// The cards of `site`'s articles, reusing the last build's where an article, its
    /// category, tags and authors read the same.
    fn reuse_cards(
        &self,
        site: &Site,
        old_ids: &[Option<crate::site::ArticleId>],
    ) -> Vec<tera::Value> {
        let same_names = |old: &crate::site::Article, new: &crate::site::Article| {
            self.site.category(old.category).name == site.category(new.category).name
                && old
                    .tags
                    .iter()
                    .map(|&t| &self.site.tag(t).name)
                    .eq(new.tags.iter().map(|&t| &site.tag(t).name))
                && old
                    .authors
                    .iter()
                    .map(|&x| &self.site.author(x).name)
                    .eq(new.authors.iter().map(|&x| &site.author(x).name))
        };
        site.articles
            .par_iter()
            .zip(old_ids)
            .map(|(a, old)| match old {
                Some(old) if same_names(self.site.article(*old), a) => {
                    self.cards[old.index()].clone()
                }
                _ => render::card_value(site, a),
            })
            .collect()
    }

    /// Every finding, the site-wide ones included, shown as warnings in file order.
    fn warnings_from(&self, findings: &[Vec<Diagnostic>]) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = findings.iter().flatten().cloned().collect();
        all.extend(self.tag_findings.iter().cloned());
        for other in &self.others {
            all.extend(other.findings.iter().flatten().cloned());
            all.extend(other.tag_findings.iter().cloned());
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
/// The files of the pages go below `prefix`, the folder of their language (issue 19).
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
        let rel = Path::new(prefix).join(rel);
        recorder.record(&rel, bytes);
        rendered.lock().expect("no thread panics holding the lock").push((rel, bytes.to_vec()));
        Ok(())
    };
    pages.render(jobs, &keep)?;
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
