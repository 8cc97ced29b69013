//! A site kept in memory between builds, for `serve`: an edit re-parses only the files it
//! touched and re-renders only the pages whose content changed; anything else (a new
//! configuration, new theme assets, navigation that moved) renders every page.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::engine::{self, Findings, Input, Purpose};
use super::{BuildOptions, Timer, as_warnings, collisions, load_document};
use crate::cache;
use crate::checks;
use crate::config::Config;
use crate::content;
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

/// A site being served: where its preview is, and the last good build.
pub struct Session {
    options: BuildOptions,
    output: PathBuf,
    /// Replaced whole when an update succeeds, never changed in place: an update that
    /// fails leaves it as it was.
    last: Snapshot,
}

/// What the last good build left, in memory. Cloning it shares every part.
#[derive(Clone)]
struct Snapshot {
    config: Arc<Config>,
    /// Every article that loaded, published or not, by source.
    documents: Arc<BTreeMap<PathBuf, Arc<Document>>>,
    /// Every file in the preview folder, relative to it.
    files: Arc<HashSet<String>>,
    /// The `id`s of the pages that links point into.
    ids: Arc<HashMap<String, HashSet<String>>>,
    /// The site's images, processed as a build does (issue 16), so the preview is what a
    /// build publishes.
    images: Arc<Images>,
    /// What numbers the words of the articles' search terms: the first build's, so the
    /// index merges every article's terms without counting them again.
    vocabulary: Arc<crate::render::Vocabulary>,
    /// The site's languages, the default first: one for a site in one language. Each
    /// other language's pages live below its folder (`fr/`, issue 19).
    languages: Vec<Arc<Language>>,
    /// Per language: what the content checks found.
    findings: Vec<Arc<Findings>>,
    /// For a site in several languages, the theme with every language's words, which
    /// renders the shortcodes of every article in its own language (each language's
    /// theme has only its own words). `None` for a site in one language, whose theme
    /// renders them.
    shortcode_theme: Option<Arc<Theme>>,
}

/// One language of the site as the last good build left it.
struct Language {
    site: Site,
    /// Loaded for this language, with the highlighting styles and site-wide values set.
    theme: Arc<Theme>,
    /// The site-wide template values of the last build (see `render::set_globals`).
    globals: String,
    /// The cards of `site`'s articles, by id.
    cards: Vec<tera::Value>,
    /// Per article (by id in `site`): the files it links to, and the pages it links into
    /// with an `#anchor`.
    links: Vec<checks::LinkFiles>,
}

/// One language's part of an edit in place: its new site and what to render.
struct EditedLanguage {
    /// Its position in `Snapshot::languages`.
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
    /// Builds the whole site into the preview folder (staged, like `build`, by the same
    /// engine) and keeps it. The preview is `<root>/.gazette/serve`
    /// (`output::preview_dir`), never the output folder: its links point at the local
    /// server, so it must not be what gets published.
    pub fn start(options: &BuildOptions) -> Result<(Session, UpdateReport)> {
        let start = Instant::now();
        let mut timer = Timer::new();
        let output = output::prepare_preview(&options.root)?;
        let mut loaded = engine::load(options, &Input::Disk, Purpose::Serve, None, &mut timer)?;
        let staging = Staging::create_owned(output::Owned::Preview, &output)?;
        let written = cache::Written::new(None, &output);
        let sink = engine::Sink::Staging { staging: &staging, written: &written };
        let outputs = checks::Outputs::default();
        let rendered = engine::render(&mut loaded, &sink, None, &mut timer, outputs, None)?;
        staging.commit()?;
        let engine::Loaded { config, sites, themes, shortcode_theme, documents, images, .. } =
            loaded;
        let images = images.expect("a site on disk has its images");
        let engine::Rendered { files: written, outputs, findings, made, .. } = rendered;
        let languages = sites
            .into_iter()
            .zip(themes)
            .zip(made)
            .map(|((site, theme), made)| {
                Arc::new(Language {
                    links: site.articles.par_iter().map(checks::links_of).collect(),
                    site,
                    theme: Arc::new(theme),
                    globals: made.globals,
                    cards: made.cards,
                })
            })
            .collect();
        let vocabulary = crate::render::Vocabulary::most_used(
            documents.iter().filter_map(|d| d.terms.as_ref()?.vocabulary.as_ref()),
        );
        let documents = documents.into_iter().map(|d| (d.source.clone(), d)).collect();
        let mut files = outputs.files;
        // Besides the pages and content files the checks know: the images made.
        files.extend(images.output_files());
        let last = Snapshot {
            config: Arc::new(config),
            documents: Arc::new(documents),
            files: Arc::new(files),
            ids: Arc::new(outputs.ids),
            images: Arc::new(images),
            vocabulary,
            languages,
            findings: findings.into_iter().map(Arc::new).collect(),
            shortcode_theme: shortcode_theme.map(Arc::new),
        };
        let mut warnings = warnings(&options.root, &last);
        warnings.extend(loaded.report.warnings);
        let session = Session { options: options.clone(), output, last };
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
        let images = &self.last.images;
        let image_changed = changes.assets.iter().any(|rel| images.uses(rel))
            || (changes.theme_static && images.uses_theme_files());
        if changes.config || shortcodes_changed || image_changed {
            let (session, report) = Session::start(&self.options)?;
            *self = session;
            return Ok(report);
        }
        let start = Instant::now();
        let mut timer = Timer::new();
        let (last, mut report) = match self.edit_in_place(changes, &mut timer) {
            Some(result) => result?,
            None => self.rebuild(changes, &mut timer)?,
        };
        // Only now, when everything succeeded.
        self.last = last;
        report.timings = timer.stages;
        report.elapsed = start.elapsed();
        Ok(report)
    }

    /// The theme that renders shortcodes: with every language's words (issue 19).
    fn shortcode_theme(&self) -> &Theme {
        self.last.shortcode_theme.as_deref().unwrap_or(&self.last.languages[0].theme)
    }

    /// The common case: articles edited without touching what the site's structure
    /// depends on (see `Site::with_edits`). Nothing is reassembled; only the edited pages
    /// and those that show them are rendered and checked. `None` when this does not apply.
    /// In a site of several languages (issue 19), an edit stays in its article's language:
    /// only that language's pages are planned and rendered.
    fn edit_in_place(
        &self,
        changes: &Changes,
        timer: &mut Timer,
    ) -> Option<Result<(Snapshot, UpdateReport)>> {
        let last = &self.last;
        let only_articles =
            changes.templates.is_empty() && !changes.theme_static && changes.assets.is_empty();
        let edited_in_place = |rel: &PathBuf| {
            last.documents.contains_key(rel)
                && content::resolve_content_file(&self.options.root, rel).is_ok()
        };
        if !only_articles || !changes.articles.iter().all(edited_in_place) {
            return None; // an article came or went
        }
        // The edits of each language, by its position in `languages`.
        let mut edits: Vec<Vec<(ArticleId, Arc<Document>)>> =
            vec![Vec::new(); last.languages.len()];
        let shortcodes = self.shortcode_theme().shortcode_renderer(&last.config);
        for rel in &changes.articles {
            let doc = match load_document(
                &last.config,
                &self.options,
                rel,
                &shortcodes,
                Some(&last.images),
                &last.vocabulary,
            ) {
                Ok(Some(doc)) => doc,
                Ok(None) => return None, // became a draft: the site's structure changes
                Err(e) => return Some(Err(e)),
            };
            let (index, old) = last
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
            let language = &last.languages[index];
            let site = language.site.with_edits(&edits)?;
            let mut cards = language.cards.clone();
            for (id, _) in &edits {
                cards[id.index()] = render::card_value(&site, site.article(*id));
            }
            let changed: FxHashSet<usize> =
                edits.iter().map(|(_, doc)| Arc::as_ptr(doc) as usize).collect();
            let old = Pages::with_cards(&language.site, &language.theme, language.cards.clone());
            let new = Pages::with_cards(&site, &language.theme, cards);
            let jobs = plan::plan_update(&old, &new, &changed);
            drop(old);
            let cards = new.into_cards();
            let mut links = language.links.clone();
            for (id, _) in &edits {
                links[id.index()] = checks::links_of(site.article(*id));
            }
            edited.push(EditedLanguage { index, site, cards, jobs, links, changed, edits });
        }
        // Every language's articles' links, with the edits.
        let all_links: Vec<&Vec<checks::LinkFiles>> = (0..last.languages.len())
            .map(|index| match edited.iter().find(|e| e.index == index) {
                Some(e) => &e.links,
                None => &last.languages[index].links,
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
            let theme = &last.languages[language.index].theme;
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
            .filter(|(file, ids)| last.ids.get(*file) != Some(ids))
            .map(|(file, _)| file)
            .collect();
        let mut ids = (*last.ids).clone();
        ids.extend(new_ids.clone());
        let files = (*last.files).clone();
        let outputs = checks::Outputs { files, ids, ..Default::default() };
        let mut all_findings = Vec::with_capacity(last.languages.len());
        for (index, links) in all_links.iter().enumerate() {
            let language = edited.iter().find(|e| e.index == index);
            let site = language.map_or(&last.languages[index].site, |e| &e.site);
            let changed = language.map(|e| &e.changed);
            let mut findings = last.findings[index].articles.clone();
            for article in &site.articles {
                let address = Arc::as_ptr(&article.doc) as usize;
                let edited = changed.is_some_and(|c| c.contains(&address));
                let affected = links[article.id.index()].anchored.iter().any(|f| moved.contains(f));
                if edited || affected {
                    findings[article.id.index()] =
                        checks::check_article_alone(site, article, &outputs);
                }
            }
            let site_wide = last.findings[index].site.clone();
            all_findings.push(Arc::new(Findings { articles: findings, site: site_wide }));
        }
        timer.stage("checks");

        let assets = &last.languages[0].site.assets;
        let written = match self.write(&rendered, assets, changes, &outputs.files) {
            Ok(written) => written,
            Err(e) => return Some(Err(e)),
        };
        timer.stage("write");
        // The next snapshot: the edited languages anew, the others shared.
        let mut documents = (*last.documents).clone();
        let mut languages = last.languages.clone();
        for language in edited {
            let EditedLanguage { index, site, cards, links, edits, .. } = language;
            for (id, doc) in edits {
                documents.insert(site.article(id).doc.source.clone(), doc);
            }
            let kept = &last.languages[index];
            let (theme, globals) = (kept.theme.clone(), kept.globals.clone());
            languages[index] = Arc::new(Language { site, theme, globals, cards, links });
        }
        let next = Snapshot {
            documents: Arc::new(documents),
            files: Arc::new(outputs.files),
            ids: Arc::new(outputs.ids),
            languages,
            findings: all_findings,
            ..last.clone()
        };
        let warnings = warnings(&self.options.root, &next);
        let report = UpdateReport {
            written: written.0,
            removed: written.1,
            full: false,
            warnings,
            ..Default::default()
        };
        Some(Ok((next, report)))
    }

    /// Any other change: the site is reassembled from the kept documents and the changed
    /// files; pages are rendered where they differ, or all of them when the navigation,
    /// the theme's assets or the templates they share changed. Each language is planned
    /// against its own last build (issue 19).
    fn rebuild(&self, changes: &Changes, timer: &mut Timer) -> Result<(Snapshot, UpdateReport)> {
        let last = &self.last;
        let theme_changed = !changes.templates.is_empty() || changes.theme_static;
        let multilingual = last.languages.len() > 1;
        // The theme that renders the shortcodes of the articles read again.
        let shortcode_theme = match theme_changed {
            true => Some(theme::load_theme(&last.config)?),
            false => None,
        };
        let shortcodes = shortcode_theme
            .as_ref()
            .unwrap_or_else(|| self.shortcode_theme())
            .shortcode_renderer(&last.config);
        let mut documents = (*last.documents).clone();
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
                    &last.config,
                    &self.options,
                    rel,
                    &shortcodes,
                    Some(&last.images),
                    &last.vocabulary,
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
        let mut assets: BTreeSet<PathBuf> = last.languages[0].site.assets.iter().cloned().collect();
        for rel in &changes.assets {
            if readable(rel) {
                if !last.config.markdown.unsafe_html {
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
            assemble(&self.options, &last.config, documents_now, assets_now, &mut |name| {
                timer.stage(name)
            })?;
        let mut shortcode_theme = shortcode_theme;
        let mut rebuilt = Vec::with_capacity(sites.len());
        for (index, site) in sites.into_iter().enumerate() {
            let mut theme = match (theme_changed, multilingual) {
                (false, _) => (*last.languages[index].theme).clone(),
                (true, true) => theme::load_theme(&site.config)?,
                (true, false) => shortcode_theme.take().expect("loaded for the change"),
            };
            Error::collect(collisions(&site, &theme).into_iter().map(Error::content).collect())?;
            theme.add_highlight_css(&site);
            let globals = render::set_globals(&site, &mut theme);
            let old_ids = self.old_ids(index, &site, &fresh);
            let cards = self.reuse_cards(index, &site, &old_ids);
            let pages = Pages::with_cards(&site, &theme, cards);
            let language = &last.languages[index];
            let full = changes.theme_static || globals != language.globals;
            let jobs: Vec<Job> = if full {
                pages.jobs()
            } else {
                let old_cards = language.cards.clone();
                let old = Pages::with_cards(&language.site, &language.theme, old_cards);
                let mut jobs = plan::plan_update(&old, &pages, &fresh);
                drop(old);
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
            anchored.iter().filter(|f| !last.ids.contains_key(*f)).collect();
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
        expected.extend(last.images.output_files());
        let mut ids = (*last.ids).clone();
        ids.retain(|file, _| anchored.contains(file));
        ids.extend(new_ids);
        // An unchanged article keeps its findings unless a file it links to came or went,
        // or the ids of a page it links into changed.
        let came_or_went: HashSet<String> =
            expected.symmetric_difference(&*last.files).cloned().collect();
        let moved: HashSet<String> = ids
            .iter()
            .filter(|(file, page_ids)| last.ids.get(*file) != Some(*page_ids))
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
        let findings: Vec<Arc<Findings>> = rebuilt
            .iter()
            .zip(&last.findings)
            .map(|(new, old_findings)| {
                let site = &new.site;
                let findings = site
                    .articles
                    .par_iter()
                    .zip(&new.old_ids)
                    .zip(&new.links)
                    .map(|((a, old), l)| match old {
                        Some(old) if outputs_unchanged(l) => {
                            old_findings.articles[old.index()].clone()
                        }
                        _ => checks::check_article_alone(site, a, &outputs),
                    })
                    .collect();
                Arc::new(Findings {
                    articles: findings,
                    site: checks::check_site_wide(site, &outputs),
                })
            })
            .collect();
        timer.stage("checks");

        let (written, removed) = self.write(&rendered, site_assets, changes, &outputs.files)?;
        timer.stage("write");
        let full = rebuilt.iter().any(|r| r.full);
        let shortcode_theme = match theme_changed {
            true => shortcode_theme.map(Arc::new),
            false => last.shortcode_theme.clone(),
        };
        let languages = rebuilt
            .into_iter()
            .map(|r| {
                Arc::new(Language {
                    site: r.site,
                    theme: Arc::new(r.theme),
                    globals: r.globals,
                    cards: r.cards,
                    links: r.links,
                })
            })
            .collect();
        let next = Snapshot {
            config: last.config.clone(),
            documents: Arc::new(documents),
            files: Arc::new(outputs.files),
            ids: Arc::new(outputs.ids),
            images: last.images.clone(),
            vocabulary: last.vocabulary.clone(),
            languages,
            findings,
            shortcode_theme,
        };
        let mut warnings = warnings(&self.options.root, &next);
        warnings.extend(skipped);
        Ok((next, UpdateReport { written, removed, full, warnings, ..Default::default() }))
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
        let by_source: FxHashMap<&[u8], ArticleId> = self.last.languages[index]
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
        let last = &self.last.languages[index];
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
            if self.last.files.contains(&display_path(rel))
                && !changes.assets.iter().any(|a| a.ends_with(rel))
            {
                return Ok(());
            }
            let bytes = std::fs::read(from).map_err(|e| Error::io(from, e))?;
            output::replace_file(&self.output, rel, &bytes)
        };
        self.last.images.write(&put)?;
        let processed = self.last.images.processed_sources();
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
        let stale: Vec<&String> =
            self.last.files.iter().filter(|f| !expected.contains(*f)).collect();
        for file in &stale {
            output::remove_file(&self.output, Path::new(file))?;
        }
        Ok((rendered.len(), stale.len()))
    }
}

/// Every finding of every language of `snapshot`, the site-wide ones included, shown as
/// warnings in file order.
fn warnings(root: &Path, snapshot: &Snapshot) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = Vec::new();
    for findings in &snapshot.findings {
        all.extend(findings.articles.iter().flatten().cloned());
        all.extend(findings.site.iter().cloned());
    }
    checks::sort(&mut all);
    as_warnings(root, checks::cap_per_file(all))
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

/// The engine's assembly, for an update: a problem of an alias stops it too.
fn assemble(
    options: &BuildOptions,
    config: &Config,
    documents: Vec<Arc<Document>>,
    assets: Vec<PathBuf>,
    stage: &mut dyn FnMut(&'static str),
) -> Result<Vec<Site>> {
    let (sites, _, aliases) =
        engine::assemble(options, config.clone(), documents, assets, None, stage)?;
    let aliases: Vec<Diagnostic> = aliases.into_iter().flatten().collect();
    if !aliases.is_empty() {
        return Err(super::site_problems(&options.root, aliases));
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
