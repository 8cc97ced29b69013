//! The immutable site model: articles in order, categories, tags, authors and "See also".

mod document;
pub mod see_also;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub use document::{
    Document, Faq, KeyPoint, Notice, RelatedLink, Terms, parse_document, render_document, shorten,
};
pub use see_also::SeeAlso;

use crate::config::{CategorySettings, Config};
use crate::error::{Diagnostic, Location};
use crate::url::{Slug, UrlPath};

/// Top-level paths the site itself uses; no category may take them.
const RESERVED_TOP_LEVEL: &[&str] = &[
    "tags",
    "authors",
    "archive",
    "page",
    "search",
    "assets",
    "feed-xml",
    "static",
    "series",
    "corrections",
];

macro_rules! id_type {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }

            fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).expect("fewer than 4 billion items"))
            }
        }
    };
}

id_type!(ArticleId, "An article's position in `Site::articles` (newest first).");
id_type!(CategoryId, "A category's position in `Site::categories` (navigation order).");
id_type!(TagId, "A tag's position in `Site::tags` (by slug).");
id_type!(AuthorId, "An author's position in `Site::authors` (by slug).");
id_type!(SeriesId, "A series' position in `Site::series` (by slug).");

#[derive(Debug, Clone)]
pub struct Article {
    pub id: ArticleId,
    pub url: UrlPath,
    pub category: CategoryId,
    /// In the order the writer gave them, unique.
    pub tags: Vec<TagId>,
    pub authors: Vec<AuthorId>,
    pub series: Option<SeriesId>,
    /// Shared, so a rebuild reuses the documents of unchanged files.
    pub doc: Arc<Document>,
    /// `/fr` for an article of a language other than the site's default one, whose pages
    /// live below `/fr/` (issue 19): `url` is its path inside its language's pages.
    pub lang_prefix: Option<Arc<str>>,
}

impl Article {
    /// The article's path from the site's root: `url`, below its language's folder.
    pub fn site_path(&self) -> std::borrow::Cow<'_, str> {
        match &self.lang_prefix {
            None => std::borrow::Cow::Borrowed(self.url.as_str()),
            Some(prefix) => std::borrow::Cow::Owned(format!("{prefix}{}", self.url)),
        }
    }
}

/// One version of an article in a site of several languages (issue 19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternate {
    /// The language code, as site.yaml writes it.
    pub lang: String,
    /// Its absolute URL.
    pub url: String,
    /// Its root-relative link.
    pub link: String,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    pub slug: Slug,
    pub url: UrlPath,
    pub settings: CategorySettings,
    /// Newest first.
    pub articles: Vec<ArticleId>,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub id: TagId,
    /// Its most used spelling; of spellings used equally often, the one of the earliest
    /// article (by date, then file). `Harbour Festival` and `harbour festival` are one tag.
    pub name: String,
    pub slug: Slug,
    pub url: UrlPath,
    /// Newest first.
    pub articles: Vec<ArticleId>,
    /// Tags seen most often on the same articles, most frequent first.
    pub related: Vec<(TagId, usize)>,
}

#[derive(Debug, Clone)]
pub struct Author {
    pub id: AuthorId,
    pub name: String,
    pub slug: Slug,
    pub url: UrlPath,
    /// Newest first.
    pub articles: Vec<ArticleId>,
    /// From `authors.yaml`, when it has this author.
    pub profile: Option<Profile>,
}

/// An author's profile from `authors.yaml`, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub bio_html: String,
    /// The bio without markup, for structured data.
    pub bio_text: String,
    pub role: Option<String>,
    pub image: Option<String>,
    pub links: Vec<String>,
}

/// Articles that share a `series:` name (issue 17).
#[derive(Debug, Clone)]
pub struct Series {
    pub id: SeriesId,
    /// As its first part writes it.
    pub name: String,
    pub slug: Slug,
    pub url: UrlPath,
    /// Oldest first: part 1 is the first published.
    pub articles: Vec<ArticleId>,
}

/// Splits documents into those a build at `now` publishes and those it leaves out:
/// articles dated after `now` wait unless `future` is set, and those whose `expires` has
/// passed are gone (issue 17).
pub fn publishable(
    documents: Vec<Arc<Document>>,
    now: jiff::Timestamp,
    future: bool,
) -> (Vec<Arc<Document>>, Vec<Arc<Document>>) {
    documents.into_iter().partition(|d| (future || !d.is_scheduled(now)) && !d.is_expired(now))
}

/// Whether a build at `now` leaves out the article whose front matter is `front`: the
/// rule of [`publishable`], read before the article is rendered, so that a build does
/// not process the images of an article it does not publish (issue 16).
pub fn left_out_at(
    front: &crate::front_matter::FrontMatter,
    config: &crate::config::Config,
    now: jiff::Timestamp,
    future: bool,
) -> bool {
    let zone = |d: crate::date::Date| d.in_zone(&config.timezone, config.timezone_set);
    let scheduled = zone(front.date).timestamp() > now;
    let expired = front.expires.is_some_and(|e| zone(e).timestamp() <= now);
    (scheduled && !future) || expired
}

/// The output file of each article in `left_out`, for [`Site::hidden`].
pub fn hidden_files(left_out: &[Arc<Document>]) -> std::collections::HashSet<String> {
    left_out
        .iter()
        .map(|d| {
            let url = UrlPath::from_slugs([&d.category_slug, &d.slug]);
            crate::error::display_path(&url.index_file())
        })
        .collect()
}

/// Everything a build renders, fixed once assembled.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    /// Newest first; ties by URL.
    pub articles: Vec<Article>,
    pub categories: Vec<Category>,
    pub tags: Vec<Tag>,
    pub authors: Vec<Author>,
    pub series: Vec<Series>,
    /// One per article, same order.
    pub see_also: Vec<SeeAlso>,
    /// Files under `content/` copied as they are, relative to the site root.
    pub assets: Vec<PathBuf>,
    /// When the build runs: "now" for the news sitemap.
    pub now: jiff::Timestamp,
    /// The output files of articles this build leaves out (scheduled for later, or
    /// expired), such as `economy/rates/index.html`: no link may lead there (issue 17).
    pub hidden: std::collections::HashSet<String>,
    /// Per article, its versions in every language, itself included, in the order of the
    /// site's languages (issue 19): empty for a site in one language, or an article
    /// without translations.
    pub alternates: Vec<Vec<Alternate>>,
    /// The redirect rules (see [`Site::redirect_rules`]) of the site's other languages,
    /// for the default language only: hosts read one `/_redirects`, at the root, so the
    /// default language's lists every language's rules (issue 19).
    pub other_redirects: Vec<(String, String)>,
    by_url: HashMap<UrlPath, ArticleId>,
    /// The links of the categories, tags and authors (see [`Site::links`]), made once
    /// when first asked for: a page links to a dozen, and 100,000 pages are made.
    links: LazyLinks,
}

/// [`Links`] once made. A copy of a site makes its own, as its settings or pages may then
/// change.
#[derive(Debug, Default)]
struct LazyLinks(std::sync::OnceLock<Links>);

impl Clone for LazyLinks {
    fn clone(&self) -> Self {
        LazyLinks::default()
    }
}

/// The link of each category, tag and author page (as `BaseUrl::link` makes it), by
/// number.
#[derive(Debug, Clone)]
pub struct Links {
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
}

/// How many related topics a tag page lists.
const RELATED_TAGS: usize = 8;

impl Site {
    /// The link of each category, tag and author page, by number.
    pub fn links(&self) -> &Links {
        self.links.0.get_or_init(|| {
            let base = &self.config.base_url;
            Links {
                categories: self.categories.iter().map(|c| base.link(&c.url)).collect(),
                tags: self.tags.iter().map(|t| base.link(&t.url)).collect(),
                authors: self.authors.iter().map(|a| base.link(&a.url)).collect(),
            }
        })
    }

    /// Puts parsed documents in order and links them together. Reports every problem
    /// (duplicate URLs, reserved names) at once.
    ///
    /// `stage` is called with `"site"` once the articles are in order and linked to
    /// their categories, tags and authors, and `"see-also"` once the links are computed
    /// (beside the tags' names and related tags), so callers can time the two.
    pub fn assemble(
        config: Config,
        documents: Vec<Arc<Document>>,
        assets: Vec<PathBuf>,
        now: jiff::Timestamp,
        stage: &mut dyn FnMut(&'static str),
    ) -> Result<Site, Vec<Diagnostic>> {
        Site::assemble_with(config, documents, assets, now, stage, None)
    }

    /// [`Site::assemble`], with the "See also" rankings kept by earlier builds (see
    /// [`see_also::Memo`]).
    pub fn assemble_with(
        config: Config,
        documents: Vec<Arc<Document>>,
        assets: Vec<PathBuf>,
        now: jiff::Timestamp,
        stage: &mut dyn FnMut(&'static str),
        ranks: Option<&dyn see_also::Memo>,
    ) -> Result<Site, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        // In parallel: a tenth of a second of one thread at 100,000 articles.
        let mut documents: Vec<(UrlPath, Arc<Document>)> = documents
            .into_par_iter()
            .map(|doc| {
                let url = UrlPath::from_slugs([&doc.category_slug, &doc.slug]);
                (url, doc)
            })
            .collect();
        // Newest first; the URL, then the file (for two with one URL, an error) break
        // ties so every build orders alike.
        documents.par_sort_unstable_by(|(ua, a), (ub, b)| {
            b.date.cmp(&a.date).then_with(|| ua.cmp(ub)).then_with(|| a.source.cmp(&b.source))
        });

        // Each article's number is its place in `documents`: the site's map of URLs is
        // made here, and tells two articles with one URL apart.
        let mut by_url: HashMap<UrlPath, ArticleId> =
            HashMap::with_capacity_and_hasher(documents.len(), Default::default());
        for (index, (url, doc)) in documents.iter().enumerate() {
            if let Some(first) = by_url.insert(url.clone(), ArticleId::from_index(index)) {
                let first = &documents[first.index()].1;
                let (first, second) =
                    if first.source < doc.source { (first, doc) } else { (doc, first) };
                problems.push(
                    Diagnostic::error(
                        Location::new(&second.source, second.lines.title.0.max(1)),
                        format!(
                            "this article has the URL `{url}`, like `{}`",
                            crate::error::display_path(&first.source)
                        ),
                    )
                    .with_hint(
                        if same_name_but_normalization(&first.source, &second.source) {
                            "the two file names differ only in Unicode normalization (NFC vs NFD): \
                         rename or delete one"
                        } else {
                            "give one of them another `slug:` or `category:`"
                        },
                    ),
                );
            }
        }

        // Categories: those named in site.yaml first, in its order, then by size and name.
        let mut category_index: HashMap<Slug, usize> = HashMap::default();
        let mut categories: Vec<Category> = Vec::new();
        let mut category_of = Vec::with_capacity(documents.len());
        for (_, doc) in &documents {
            let index = match category_index.get(&doc.category_slug) {
                Some(&index) => index,
                None => {
                    let slug = doc.category_slug.clone();
                    category_index.insert(slug.clone(), categories.len());
                    categories.push(Category {
                        id: CategoryId(0),
                        name: doc.category.clone(),
                        url: UrlPath::from_slugs([&slug]),
                        slug,
                        settings: CategorySettings::default(),
                        articles: Vec::new(),
                    });
                    categories.len() - 1
                }
            };
            category_of.push(index);
            if RESERVED_TOP_LEVEL.contains(&categories[index].slug.as_str())
                && categories[index].articles.is_empty()
            {
                problems.push(
                    Diagnostic::error(
                        Location::new(&doc.source, 1),
                        format!("the category `{}` would take the URL `/{}/`, which gazette uses itself", doc.category, categories[index].slug),
                    )
                    .with_hint("choose another category name"),
                );
            }
            categories[index].articles.push(ArticleId(0)); // counted now, filled below
        }
        let configured: Vec<Slug> =
            config.categories.keys().map(|name| Slug::with(name, config.slugify)).collect();
        let mut order: Vec<usize> = (0..categories.len()).collect();
        order.sort_by_key(|&i| {
            let c = &categories[i];
            let rank = configured.iter().position(|s| *s == c.slug).unwrap_or(usize::MAX);
            (rank, std::cmp::Reverse(c.articles.len()), c.slug.clone())
        });
        let mut new_position = vec![0; categories.len()];
        for (position, &old) in order.iter().enumerate() {
            new_position[old] = position;
        }
        let mut slots: Vec<Option<Category>> = categories.into_iter().map(Some).collect();
        let mut categories: Vec<Category> = order
            .iter()
            .enumerate()
            .map(|(position, &old)| {
                let mut c = slots[old].take().expect("each category moved once");
                c.id = CategoryId::from_index(position);
                c.articles.clear();
                // A category site.yaml lists is shown as site.yaml spells it.
                if let Some((name, settings)) = config
                    .categories
                    .iter()
                    .find(|(name, _)| Slug::with(name, config.slugify) == c.slug)
                {
                    c.name = name.clone();
                    c.settings = settings.clone();
                }
                c
            })
            .collect();

        // Tags and authors: ordered by slug, named as the newest article writes them.
        let tag_slugs = sorted_once(documents.iter().flat_map(|(_, d)| &d.tags).map(|t| &t.slug));
        let tag_index: HashMap<Slug, usize> =
            tag_slugs.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect();
        let mut tags: Vec<Tag> = tag_slugs
            .iter()
            .enumerate()
            .map(|(i, slug)| Tag {
                id: TagId::from_index(i),
                name: String::new(),
                url: UrlPath::fixed(&["tags"]).join(slug),
                slug: slug.clone(),
                articles: Vec::new(),
                related: Vec::new(),
            })
            .collect();
        let author_slugs = sorted_once(documents.iter().flat_map(|(_, d)| &d.author_slugs));
        let author_index: HashMap<Slug, usize> =
            author_slugs.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect();
        let mut authors: Vec<Author> = author_slugs
            .iter()
            .enumerate()
            .map(|(i, slug)| Author {
                id: AuthorId::from_index(i),
                name: String::new(),
                url: UrlPath::fixed(&["authors"]).join(slug),
                slug: slug.clone(),
                articles: Vec::new(),
                profile: None,
            })
            .collect();
        let mut series_slugs: Vec<Slug> = documents
            .iter()
            .filter_map(|(_, d)| d.series.as_deref().map(|s| Slug::with(s, config.slugify)))
            .collect();
        series_slugs.sort();
        series_slugs.dedup();
        let mut series: Vec<Series> = series_slugs
            .iter()
            .enumerate()
            .map(|(i, slug)| Series {
                id: SeriesId::from_index(i),
                name: String::new(),
                url: UrlPath::fixed(&["series"]).join(slug),
                slug: slug.clone(),
                articles: Vec::new(),
            })
            .collect();

        let lang_prefix: Option<Arc<str>> = (config.language != config.default_language)
            .then(|| Arc::from(format!("/{}", config.language)));
        // Each article's tags and authors by number, looked up on every thread: 600,000
        // tag slugs at 100,000 articles.
        let numbers: Vec<(Vec<TagId>, Vec<AuthorId>)> = documents
            .par_iter()
            .map(|(_, doc)| {
                let tags = doc.tags.iter().map(|t| TagId::from_index(tag_index[&t.slug]));
                let authors =
                    doc.author_slugs.iter().map(|s| AuthorId::from_index(author_index[s]));
                (tags.collect(), authors.collect())
            })
            .collect();
        let mut articles = Vec::with_capacity(documents.len());
        for (index, (((url, doc), old_category), (tag_ids, author_numbers))) in
            documents.into_iter().zip(category_of).zip(numbers).enumerate()
        {
            let id = ArticleId::from_index(index);
            let category = &mut categories[new_position[old_category]];
            category.articles.push(id);
            for tag_id in &tag_ids {
                tags[tag_id.index()].articles.push(id);
            }
            let mut author_ids: Vec<AuthorId> = Vec::with_capacity(doc.authors.len());
            for (name, &author_id) in doc.authors.iter().zip(&author_numbers) {
                let author = &mut authors[author_id.index()];
                if author.name.is_empty() {
                    author.name = name.clone();
                }
                if !author_ids.contains(&author_id) {
                    author.articles.push(id);
                    author_ids.push(author_id);
                }
            }
            let series_id = doc.series.as_deref().map(|name| {
                let slug = Slug::with(name, config.slugify);
                let index = series_slugs.binary_search(&slug).expect("every series is listed");
                series[index].articles.push(id);
                // Articles come newest first: the last spelling seen is the first part's.
                series[index].name = name.to_owned();
                SeriesId::from_index(index)
            });
            articles.push(Article {
                id,
                url,
                category: category.id,
                tags: tag_ids,
                authors: author_ids,
                series: series_id,
                doc,
                lang_prefix: lang_prefix.clone(),
            });
        }
        for s in &mut series {
            s.articles.reverse(); // oldest first
        }
        problems.extend(normalization_twins(&assets));
        if !problems.is_empty() {
            return Err(problems);
        }
        if let Some(profiles) = &config.authors {
            let options = crate::markdown::Options {
                unsafe_html: config.markdown.unsafe_html,
                base_path: config.base_url.path(),
                image_sizes: None,
                shortcodes: None,
            };
            for author in &mut authors {
                let found = profiles
                    .iter()
                    .find(|(name, _)| Slug::with(name, config.slugify) == author.slug);
                author.profile = found.map(|(_, p)| {
                    let (bio_html, bio_text) = match &p.bio {
                        Some(bio) => crate::markdown::render_answer(bio, &options),
                        None => (String::new(), String::new()),
                    };
                    Profile {
                        bio_html,
                        bio_text,
                        role: p.role.clone().filter(|r| !r.trim().is_empty()),
                        image: p.image.clone().filter(|i| !i.trim().is_empty()),
                        links: p.links.clone(),
                    }
                });
            }
        }
        // "See also" reads the articles and their tags' ids, not the tags' names or
        // related tags: computed beside them, which keep one thread busy for a tenth of
        // a second at 100,000 articles.
        stage("site");
        let tag_count = tags.len();
        let (see_also, ()) = rayon::join(
            || see_also::compute(&articles, tag_count, &config.see_also, ranks),
            || {
                let names = tag_names(&articles, tags.len());
                for (tag, name) in tags.iter_mut().zip(names) {
                    tag.name = name;
                }
                related_tags(&articles, &mut tags);
            },
        );
        stage("see-also");
        Ok(Site {
            config,
            articles,
            categories,
            tags,
            authors,
            series,
            see_also,
            assets,
            now,
            hidden: Default::default(),
            alternates: Vec::new(),
            other_redirects: Vec::new(),
            by_url,
            links: LazyLinks::default(),
        })
    }

    /// The sites a build renders: for a site in one language, the site itself; for one
    /// in several (issue 19), one per language, the default first, each with the
    /// articles of its language only, so that listings, tags, feeds and "See also"
    /// never mix languages. The files of `content/` belong to the first. Translations are
    /// linked together (see [`Site::alternates`]); two articles of one language sharing
    /// a translation key are an error.
    pub fn assemble_languages(
        config: Config,
        documents: Vec<Arc<Document>>,
        assets: Vec<PathBuf>,
        now: jiff::Timestamp,
        stage: &mut dyn FnMut(&'static str),
        ranks: Option<&dyn see_also::Memo>,
    ) -> Result<Vec<Site>, Vec<Diagnostic>> {
        if !config.is_multilingual() {
            return Site::assemble_with(config, documents, assets, now, stage, ranks)
                .map(|s| vec![s]);
        }
        let codes: Vec<String> = config.language_codes().iter().map(|c| (*c).to_owned()).collect();
        let mut by_lang: Vec<Vec<Arc<Document>>> = vec![Vec::new(); codes.len()];
        for doc in documents {
            let index = codes.iter().position(|c| *c == doc.lang).unwrap_or(0);
            by_lang[index].push(doc);
        }
        let mut problems = translation_conflicts(&by_lang);
        let mut sites = Vec::with_capacity(codes.len());
        let mut assets = Some(assets);
        for (code, documents) in codes.iter().zip(by_lang) {
            let config = config.for_language(code).expect("a language of the site");
            let assets = assets.take().unwrap_or_default();
            match Site::assemble_with(config, documents, assets, now, stage, ranks) {
                Ok(site) => sites.push(site),
                Err(found) => problems.extend(found),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        link_translations(&mut sites);
        let others: Vec<(String, String)> =
            sites.iter().skip(1).flat_map(Site::redirect_rules).collect();
        sites[0].other_redirects = others;
        Ok(sites)
    }

    /// The folder of this site's pages in the output: empty for the default language,
    /// `fr/` for French in a site of several languages (issue 19).
    pub fn output_prefix(&self) -> String {
        match self.config.language == self.config.default_language {
            true => String::new(),
            false => format!("{}/", self.config.language),
        }
    }

    /// The same site with the documents of some articles replaced, when the new
    /// documents keep everything the site's structure depends on (URL, date, category,
    /// tags, authors, draft state, hand-picked links, number of sections): then no listing, tag, author or
    /// "See also" list changes, and nothing is recomputed. `None` otherwise.
    pub fn with_edits(&self, edits: &[(ArticleId, Arc<Document>)]) -> Option<Site> {
        let keeps_structure = edits.iter().all(|(id, doc)| {
            let old = &self.article(*id).doc;
            old.slug == doc.slug
                && old.category == doc.category
                && old.date == doc.date
                && old.draft == doc.draft
                && old.tags == doc.tags
                && old.authors == doc.authors
                && old.series == doc.series
                && old.aliases == doc.aliases
                && old.expires == doc.expires
                // `/corrections/` and the footer link to it exist while any article has one.
                && old.corrections.is_empty() == doc.corrections.is_empty()
                // Inline "See also" links sit between sections.
                && old.body.sections.len() == doc.body.sections.len()
                && old
                    .related
                    .iter()
                    .map(|r| &r.internal)
                    .eq(doc.related.iter().map(|r| &r.internal))
        });
        if !keeps_structure {
            return None;
        }
        let mut site = self.clone();
        for (id, doc) in edits {
            site.articles[id.index()].doc = doc.clone();
        }
        Some(site)
    }

    /// Warnings for categories written in several ways that make one URL ("Économie",
    /// "Economie", "ECONOMIE!"): they are one category, shown as site.yaml lists it, or
    /// else as the newest article writes it. One warning per other spelling, at the first
    /// file (by path) writing it.
    pub fn category_spellings(&self) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        for category in &self.categories {
            let listed = self.config.categories.contains_key(&category.name);
            let shown_by = match listed {
                true => "site.yaml lists it".to_owned(),
                false => format!(
                    "`{}` writes it",
                    crate::error::display_path(&self.article(category.articles[0]).doc.source)
                ),
            };
            let mut others: Vec<&Document> = category
                .articles
                .iter()
                .map(|&id| &*self.article(id).doc)
                .filter(|doc| doc.category != category.name)
                .collect();
            others.sort_by(|a, b| (&a.category, &a.source).cmp(&(&b.category, &b.source)));
            for group in others.chunk_by(|a, b| a.category == b.category) {
                let doc = group[0];
                let (line, column) = doc.lines.category;
                let mut at = Location::new(&doc.source, line.max(1));
                if column > 0 {
                    at = at.with_column(column);
                }
                let mut also: Vec<String> = group[1..]
                    .iter()
                    .take(3)
                    .map(|d| format!("`{}`", crate::error::display_path(&d.source)))
                    .collect();
                if group.len() > 4 {
                    also.push(format!("{} more", group.len() - 4));
                }
                let also = match also.len() {
                    0 => String::new(),
                    _ => format!(" and in {}", also.join(", ")),
                };
                found.push(
                    Diagnostic::warning(
                        at,
                        format!(
                            "the category `{}` is shown as `{}`, as {shown_by}",
                            doc.category, category.name,
                        ),
                    )
                    .with_hint(format!(
                        "categories that differ only in accents, case or punctuation are one \
                         category; write `category: {}` here{also}",
                        category.name
                    ))
                    .with_width(doc.category.chars().count()),
                );
            }
        }
        found
    }

    /// The article written in the file `source`, if the site has it.
    pub fn by_source(&self, source: &std::path::Path) -> Option<&Article> {
        self.articles.iter().find(|a| a.doc.source == source)
    }

    pub fn article(&self, id: ArticleId) -> &Article {
        &self.articles[id.index()]
    }

    pub fn category(&self, id: CategoryId) -> &Category {
        &self.categories[id.index()]
    }

    pub fn tag(&self, id: TagId) -> &Tag {
        &self.tags[id.index()]
    }

    pub fn author(&self, id: AuthorId) -> &Author {
        &self.authors[id.index()]
    }

    pub fn series_of(&self, id: SeriesId) -> &Series {
        &self.series[id.index()]
    }

    /// Every correction of the site with its article, newest first (ties by URL).
    pub fn corrections(&self) -> Vec<(&Article, &Notice)> {
        let mut all: Vec<(&Article, &Notice)> = self
            .articles
            .iter()
            .filter(|a| !a.doc.draft)
            .flat_map(|a| a.doc.corrections.iter().map(move |c| (a, c)))
            .collect();
        all.sort_by(|(a, x), (b, y)| y.date.cmp(&x.date).then_with(|| a.url.cmp(&b.url)));
        all
    }

    /// Every alias of the site and the article it leads to, by alias.
    pub fn aliases(&self) -> Vec<(&str, &Article)> {
        let mut all: Vec<(&str, &Article)> = self
            .articles
            .iter()
            .flat_map(|a| a.doc.aliases.iter().map(move |alias| (alias.as_str(), a)))
            .collect();
        all.sort_by_key(|(alias, _)| *alias);
        all
    }

    /// A permanent redirect per alias, by alias: (the alias's link, the article's link),
    /// both from the root of the host (`/fr/ancien/` for a French article's
    /// `/ancien/`), as `/_redirects` lists them.
    pub fn redirect_rules(&self) -> Vec<(String, String)> {
        let base = &self.config.base_url;
        self.aliases()
            .into_iter()
            .map(|(alias, article)| (base.link_str(alias), base.link(&article.url)))
            .collect()
    }

    /// Aliases that would take the address of a page of the site or of another alias:
    /// errors a build stops on, and findings `check` reports with all the others.
    pub fn alias_problems(&self) -> Vec<Diagnostic> {
        alias_problems(&self.articles, &self.categories, &self.tags, &self.authors, &self.series)
    }

    /// Whether an article has the site path `path` (`/world/talks/`).
    pub fn by_url_str(&self, path: &str) -> bool {
        UrlPath::parse_internal(path).is_some_and(|url| self.by_url.contains_key(&url))
    }

    /// The article at `url`, if any.
    pub fn find(&self, url: &UrlPath) -> Option<&Article> {
        self.by_url.get(url).map(|&id| self.article(id))
    }
}

/// Two articles of one language with the same translation key: which one a reader of
/// another language is sent to would be a guess. One error per article after the first
/// (by path).
fn translation_conflicts(by_lang: &[Vec<Arc<Document>>]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for documents in by_lang {
        let mut sorted: Vec<&Arc<Document>> = documents.iter().collect();
        sorted
            .sort_by(|a, b| (&a.translation_key, &a.source).cmp(&(&b.translation_key, &b.source)));
        for pair in sorted.windows(2) {
            let (first, second) = (pair[0], pair[1]);
            if first.translation_key != second.translation_key {
                continue;
            }
            let (what, hint) = match first.translation_key.strip_prefix("key:") {
                Some(key) => (
                    format!("the translation key `{key}`"),
                    "give one of them another `translation_key:`, or the `lang:` it is written in",
                ),
                None => (
                    "its file name".to_owned(),
                    "give one of them a `translation_key:` of its own, or the `lang:` it is written in",
                ),
            };
            problems.push(
                Diagnostic::error(
                    Location::new(&second.source, 1),
                    format!(
                        "this article and `{}` are both in `{}` with {what}: a page can have one translation per language",
                        crate::error::display_path(&first.source),
                        second.lang,
                    ),
                )
                .with_hint(hint),
            );
        }
    }
    problems
}

/// Fills [`Site::alternates`] of every site: the articles of all languages that share a
/// translation key are versions of one another.
fn link_translations(sites: &mut [Site]) {
    let mut groups: HashMap<&str, Vec<(usize, ArticleId)>> = HashMap::default();
    for (index, site) in sites.iter().enumerate() {
        for article in &site.articles {
            groups
                .entry(article.doc.translation_key.as_str())
                .or_default()
                .push((index, article.id));
        }
    }
    let mut all: Vec<Vec<Vec<Alternate>>> =
        sites.iter().map(|s| vec![Vec::new(); s.articles.len()]).collect();
    for members in groups.values().filter(|m| m.len() > 1) {
        // Sites are in the order of the languages: so are the members.
        let versions: Vec<Alternate> = members
            .iter()
            .map(|&(index, id)| {
                let site = &sites[index];
                let article = site.article(id);
                let base = &site.config.base_url;
                Alternate {
                    lang: site.config.language.clone(),
                    url: base.absolute_str(article.url.as_str()),
                    link: base.link(&article.url),
                    title: article.doc.title.clone(),
                }
            })
            .collect();
        for &(index, id) in members {
            all[index][id.index()] = versions.clone();
        }
    }
    for (site, alternates) in sites.iter_mut().zip(all) {
        site.alternates = alternates;
    }
}

/// Aliases that would take the address of a page of the site or of another alias.
fn alias_problems(
    articles: &[Article],
    categories: &[Category],
    tags: &[Tag],
    authors: &[Author],
    series: &[Series],
) -> Vec<Diagnostic> {
    use std::collections::BTreeMap;
    let mut all: Vec<(&Article, usize)> =
        articles.iter().flat_map(|a| (0..a.doc.aliases.len()).map(move |i| (a, i))).collect();
    // No alias, no problem: the site's addresses are not gathered (100,000 of them).
    if all.is_empty() {
        return Vec::new();
    }
    let mut pages: HashMap<String, Option<&std::path::Path>> = HashMap::default();
    for fixed in ["/", "/tags/", "/archive/", "/search/", "/corrections/"] {
        pages.insert(fixed.to_owned(), None);
    }
    for a in articles {
        pages.insert(a.url.as_str().to_owned(), Some(a.doc.source.as_path()));
        let day = a.doc.date.day();
        pages.insert(format!("/archive/{}/", day.year()), None);
        pages.insert(format!("/archive/{}/{:02}/", day.year(), day.month()), None);
    }
    let listings = categories
        .iter()
        .map(|c| &c.url)
        .chain(tags.iter().map(|t| &t.url))
        .chain(authors.iter().map(|a| &a.url))
        .chain(series.iter().map(|s| &s.url));
    for url in listings {
        pages.insert(url.as_str().to_owned(), None);
    }
    // `/page/2/`, `/world/page/3/`: pages of listings.
    let is_listing_page = |alias: &str| {
        let mut parts = alias.trim_end_matches('/').rsplitn(3, '/');
        let (n, page, base) = (parts.next(), parts.next(), parts.next());
        page == Some("page")
            && n.is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n >= 2))
            && base.is_some_and(|b| pages.contains_key(&format!("{b}/")))
    };
    let mut found = Vec::new();
    let mut seen: BTreeMap<&str, &std::path::Path> = BTreeMap::new();
    all.sort_by(|(a, i), (b, j)| (&a.doc.source, i).cmp(&(&b.doc.source, j)));
    for (article, i) in all {
        let doc = &article.doc;
        let alias = doc.aliases[i].as_str();
        let (line, column) = doc.lines.aliases.get(i).copied().unwrap_or((1, 1));
        let at = Location::new(&doc.source, line.max(1)).with_column(column.max(1));
        let taken = |message: String, hint: &str| {
            Diagnostic::error(at.clone(), message).with_width(alias.chars().count()).with_hint(hint)
        };
        if let Some(page) = pages.get(alias) {
            found.push(match page {
                Some(source) if *source == doc.source => taken(
                    format!("alias `{alias}` is this article's own address"),
                    "remove it: an alias is an old address that redirects here",
                ),
                Some(source) => taken(
                    format!(
                        "alias `{alias}` is the address of `{}`",
                        crate::error::display_path(source)
                    ),
                    "remove it: a redirect there would replace that article",
                ),
                None => taken(
                    format!("alias `{alias}` is the address of a page of the site"),
                    "remove it: a redirect there would replace that page",
                ),
            });
        } else if is_listing_page(alias) {
            found.push(taken(
                format!("alias `{alias}` is the address of a page of the site"),
                "remove it: a redirect there would replace that page",
            ));
        } else if let Some(first) = seen.get(alias) {
            found.push(taken(
                format!(
                    "alias `{alias}` is also an alias of `{}`",
                    crate::error::display_path(first)
                ),
                "an old address can lead to one article only: remove one of them",
            ));
        } else {
            seen.insert(alias, &doc.source);
        }
    }
    found
}

/// Whether two different paths are the same text in another Unicode normalization
/// (`café` written with `é`, or with `e` and a combining accent): they look identical.
fn same_name_but_normalization(a: &std::path::Path, b: &std::path::Path) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
    a != b && a.nfc().eq(b.nfc())
}

/// Content files whose names differ only in Unicode normalization (`é.txt` in NFC and in
/// NFD): both would publish, at addresses that look identical (issue 22). One error per
/// file after the first of its name, in path order.
fn normalization_twins(assets: &[PathBuf]) -> Vec<Diagnostic> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    let mut by_name: HashMap<String, &PathBuf> = HashMap::default();
    let mut sorted: Vec<&PathBuf> = assets.iter().collect();
    sorted.sort();
    let mut problems = Vec::new();
    for path in sorted {
        let text = path.to_string_lossy();
        // Most names are NFC already (all ASCII ones are): no need to make one.
        let name = match is_nfc_quick(text.chars()) {
            IsNormalized::Yes => text.into_owned(),
            _ => text.nfc().collect(),
        };
        if let Some(&first) = by_name.get(&name) {
            problems.push(
                Diagnostic::error(
                    Location::new(path, 1),
                    format!(
                        "this file has the name of `{}` in another Unicode normalization (NFC vs NFD)",
                        crate::error::display_path(first)
                    ),
                )
                .with_hint("both would publish at addresses that look identical: rename or delete one"),
            );
        } else {
            by_name.insert(name, path);
        }
    }
    problems
}

/// Each tag's name, by index: the spelling most articles use, ties going to the earliest
/// article (by date, then file), so the name never depends on the order files are read.
/// The different slugs of `slugs`, sorted, each cloned once. Told apart by a hash
/// first: at 100,000 articles there are 600,000 tag slugs, ten thousand of them
/// different, and sorting them all took a fifth of a second.
fn sorted_once<'a>(slugs: impl Iterator<Item = &'a Slug>) -> Vec<Slug> {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut different: Vec<&Slug> = slugs.filter(|slug| seen.insert(*slug)).collect();
    different.sort_unstable();
    different.into_iter().cloned().collect()
}

fn tag_names(articles: &[Article], count: usize) -> Vec<String> {
    // Per tag, each spelling with its count and earliest use: a tag has few spellings.
    type Spelling<'a> = (&'a str, usize, (&'a crate::date::Date, &'a std::path::Path));
    let mut spellings: Vec<Vec<Spelling<'_>>> = vec![Vec::new(); count];
    for article in articles {
        let doc = &article.doc;
        let first = (&doc.date, doc.source.as_path());
        for (tag, id) in doc.tags.iter().zip(&article.tags) {
            let seen = &mut spellings[id.index()];
            match seen.iter_mut().find(|(name, ..)| *name == tag.name) {
                Some((_, count, earliest)) => {
                    *count += 1;
                    *earliest = (*earliest).min(first);
                }
                None => seen.push((&tag.name, 1, first)),
            }
        }
    }
    spellings
        .into_iter()
        .map(|seen| {
            seen.into_iter()
                .max_by(|(_, ca, ea), (_, cb, eb)| ca.cmp(cb).then(eb.cmp(ea)))
                .map_or_else(String::new, |(name, ..)| name.to_owned())
        })
        .collect()
}

/// For each tag, the tags that share the most articles with it.
fn related_tags(articles: &[Article], tags: &mut [Tag]) {
    // Each tag's co-tags, one entry per article they share, then counted by sorting:
    // no hash map, so this stays quick at 100,000 articles.
    let mut seen: Vec<Vec<TagId>> = vec![Vec::new(); tags.len()];
    for article in articles {
        for &a in &article.tags {
            seen[a.index()].extend(article.tags.iter().copied().filter(|&b| b != a));
        }
    }
    for (tag, mut co) in tags.iter_mut().zip(seen) {
        co.sort_unstable();
        let mut related: Vec<(TagId, usize)> = Vec::new();
        for id in co {
            match related.last_mut() {
                Some((last, n)) if *last == id => *n += 1,
                _ => related.push((id, 1)),
            }
        }
        related.sort_by(|(ta, na), (tb, nb)| nb.cmp(na).then(ta.cmp(tb)));
        related.truncate(RELATED_TAGS);
        tag.related = related;
    }
}
