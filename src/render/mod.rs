//! Site model + theme -> every output file: pages, listings, feeds, sitemaps, search index.

mod failures;
mod feeds;
mod fingerprint;
mod json_ld;
pub(crate) mod plan;
mod search;
mod sitemaps;
mod unlink;
mod views;

pub(crate) use search::BlockCache;
#[cfg(test)]
pub(crate) use search::count_terms;
use search::index_left_out;
#[cfg(test)]
pub(crate) use search::terms_of;
pub(crate) use search::{Vocabulary, document_terms, number_topic_words};
pub(crate) use views::picture_view_with;
mod xml;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{OnceLock, RwLock};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::date::Date;
use crate::error::{Error, Result};
use crate::site::{ArticleId, Site};
use crate::theme::Theme;
use crate::url::UrlPath;
use views::{PagerView, article_view, card, site_view};

/// Where rendered files go: called with a path relative to the output folder.
pub(crate) type Sink<'a> = &'a (dyn Fn(&Path, &[u8]) -> Result<()> + Sync);

/// What a build may reuse of the last one (issue 15): asked, before a page is rendered,
/// with the hash of everything its render reads (see [`inputs`]); `Ok(true)` when
/// the last build's page stands in for it, so it is not rendered.
pub(crate) type Reuse<'a> = &'a (dyn Fn(&Path, Inputs<'_>) -> Result<bool> + Sync);

/// What [`Reuse`] is asked with.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Inputs<'h> {
    /// The hash of everything the page's render reads.
    Exact(&'h blake3::Hash),
    /// For an article's page or a listing's, a hash of its surroundings (see
    /// [`Pages::article_around`] and [`Pages::listing_around`]): of what its exact inputs
    /// are made from, without making its view. When the last build recorded the same,
    /// the page's exact inputs were the same too. `exact`: those, made as well by builds
    /// with debug assertions, which check that the record agrees.
    Around { around: &'h blake3::Hash, exact: Option<&'h blake3::Hash>, page: Surrounded },
}

/// The pages asked by their surroundings (see [`Inputs::Around`]), counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surrounded {
    Article,
    /// A page of a listing: the front page past the first, a category, tag, author or
    /// month.
    Listing,
}

/// The templates that render whole pages; the others (layouts, partials, components)
/// are pieces of them.
pub(crate) const PAGE_TEMPLATES: &[&str] = &[
    "article.html",
    "index.html",
    "category.html",
    "tag.html",
    "author.html",
    "archive.html",
    "archive_month.html",
    "tags.html",
    "search.html",
    "404.html",
    "series.html",
    "corrections.html",
];

/// Articles shown per category block on the front page.
const HOME_BLOCK_SIZE: usize = 4;
/// The most pages a thread renders in one go (see [`Pages::render`]).
const JOBS_A_RUN: usize = 16;

/// One output file (or listing page) to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Job {
    Article(ArticleId),
    Home {
        page: usize,
    },
    Category {
        index: usize,
        page: usize,
    },
    Tag {
        index: usize,
        page: usize,
    },
    Author {
        index: usize,
        page: usize,
    },
    ArchiveMonth {
        index: usize,
        page: usize,
    },
    ArchiveIndex,
    /// One year of the archive: its months, as on the archive index.
    ArchiveYear {
        index: usize,
    },
    TagsIndex,
    Search,
    NotFound,
    SiteFeed,
    CategoryFeed {
        index: usize,
    },
    Sitemaps,
    NewsSitemap,
    Robots,
    SearchIndex,
    /// The page of one series, at `/series/<slug>/` (issue 17).
    Series {
        index: usize,
    },
    /// `/corrections/` and its feed, when the site has corrections.
    Corrections,
    CorrectionsFeed,
    /// The redirect page of the `index`th alias of `Site::aliases`.
    Alias {
        index: usize,
    },
    /// `_redirects`, every alias as a permanent redirect, when the site has aliases.
    Redirects,
}

/// The articles of one calendar month, newest first.
struct Month {
    year: i16,
    month: i8,
    url: UrlPath,
    articles: Vec<ArticleId>,
}

/// How a listing splits into pages: `per_page` articles a page, and always a first page,
/// even for no articles.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    per_page: usize,
}

impl Paging {
    pub(crate) fn new(site: &Site) -> Paging {
        Paging { per_page: site.config.paginate }
    }

    /// How many pages a listing of `len` articles has.
    pub(crate) fn count(self, len: usize) -> usize {
        len.div_ceil(self.per_page).max(1)
    }

    /// The articles page `page` (1-based) shows; empty past the last page.
    pub(crate) fn page<T>(self, items: &[T], page: usize) -> &[T] {
        let start = ((page - 1) * self.per_page).min(items.len());
        &items[start..(start + self.per_page).min(items.len())]
    }
}

/// What a job makes and where it goes (see [`Pages::place`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// The page template that renders it; `None` for feeds and data files.
    pub(crate) template: Option<&'static str>,
    /// Its path in the site, `/archive/` for a page, `/feed.xml` for a file, and the file
    /// written there, relative to the output folder: `archive/index.html`, `feed.xml`.
    /// `None` for the sitemaps, whose number of files depends on the site's size.
    pub(crate) path: Option<(String, String)>,
}

impl Place {
    fn page(template: &'static str, url: UrlPath) -> Place {
        let file = crate::error::display_path(&url.index_file());
        Place { template: Some(template), path: Some((url.as_str().to_owned(), file)) }
    }

    /// The place of a page or file at the same path on every site that has it.
    pub(crate) fn fixed(job: Job) -> Option<Place> {
        Some(match job {
            Job::ArchiveIndex => Place::page("archive.html", UrlPath::fixed(&["archive"])),
            Job::TagsIndex => Place::page("tags.html", UrlPath::fixed(&["tags"])),
            Job::Search => Place::page("search.html", UrlPath::fixed(&["search"])),
            Job::NotFound => {
                Place { template: Some("404.html"), ..Place::file("/404.html".into()) }
            }
            Job::SiteFeed => Place::file("/feed.xml".into()),
            Job::NewsSitemap => Place::file("/news-sitemap.xml".into()),
            Job::Robots => Place::file("/robots.txt".into()),
            Job::SearchIndex => Place::file("/search/index.json".into()),
            // Only sites with a correction have these, always at this path.
            Job::Corrections => Place::page("corrections.html", UrlPath::fixed(&["corrections"])),
            Job::CorrectionsFeed => Place::file("/corrections/feed.xml".into()),
            _ => return None,
        })
    }

    /// The site path of a page or file at a fixed path: `/tags/`, `/feed.xml`.
    pub(crate) fn fixed_path(job: Job) -> String {
        Place::fixed(job).and_then(|p| p.path).expect("a page or file every site has").0
    }

    /// A file at the site path `path` (which starts with `/`).
    fn file(path: String) -> Place {
        let file = path.trim_start_matches('/').to_owned();
        Place { template: None, path: Some((path, file)) }
    }
}

/// What rendering one site's pages made besides its files: how many it wrote, the
/// site-wide template values (see [`set_globals`]) and every article's card, which
/// `serve` keeps to plan its next update.
pub(crate) struct Made {
    pub(crate) files: usize,
    pub(crate) globals: String,
    pub(crate) cards: Vec<Value>,
    /// The time the search index took (a stage of its own in `--timings`).
    pub(crate) search_index: std::time::Duration,
    /// How many of the index's blocks were merged, and how many read back.
    pub(crate) index_blocks: search::BlockCounts,
}

/// Renders every page and feed into `sink`, and the theme's assets when `with_assets`
/// (the pages of a site's other languages link to those of its default one, issue 19).
/// Reports every failing page, not only the first. Each page `reuse` accepts is not
/// rendered (nor put in `sink`): the build cache stands in for it (issue 15).
pub(crate) fn render_pages(
    site: &Site,
    theme: &mut Theme,
    sink: Sink<'_>,
    reuse: Option<Reuse<'_>>,
    with_assets: bool,
    index_cache: Option<&search::BlockCache>,
) -> Result<Made> {
    theme.add_highlight_css(site);
    let globals = set_globals(site, theme);
    let theme = &*theme;
    // The search index is the one long job, and needs no card nor hash: it starts at
    // once, beside the preparation of the pages, not after it.
    let (search, pages) = rayon::join(
        || {
            let start = std::time::Instant::now();
            (write_search_index(site, sink, index_cache, reuse), start.elapsed())
        },
        || render_other_pages(site, theme, &globals, sink, reuse),
    );
    let (search, search_index) = search;
    let (mut files, cards, index_blocks) = match (search, pages) {
        (Ok((search, blocks)), Ok((pages, cards))) => (search + pages, cards, blocks),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e),
        (Err(search), Err(pages)) => return Err(Error::Many(vec![search, pages])),
    };
    if with_assets {
        files += write_assets(theme, sink)?;
    }
    Ok(Made { files, globals, cards, search_index, index_blocks })
}

/// Writes the search index of `site`'s published articles, its blocks kept in `cache`
/// (see [`search::BlockCache`]).
fn write_search_index(
    site: &Site,
    sink: Sink<'_>,
    cache: Option<&search::BlockCache>,
    reuse: Option<Reuse<'_>>,
) -> Result<(usize, search::BlockCounts)> {
    if index_left_out() {
        return Ok((0, search::BlockCounts::default()));
    }
    let articles: Vec<&crate::site::Article> =
        site.articles.iter().filter(|a| !a.doc.draft).collect();
    let language = &site.config.language;
    let folder = search_index_folder();
    let kept = search::Kept { blocks: cache, shards: reuse };
    search::write_search_index(site, &articles, language, &folder, sink, kept, search::BLOCK)
}

/// Renders every page and file of `site` but the search index (see [`render_pages`]);
/// returns how many it wrote, and the cards.
fn render_other_pages(
    site: &Site,
    theme: &Theme,
    globals: &str,
    sink: Sink<'_>,
    reuse: Option<Reuse<'_>>,
) -> Result<(usize, Vec<Value>)> {
    // A build that may keep pages makes a card only for the pages it renders (few, after
    // an edit), and hashes each from its view (see `Pages::card`).
    let mut pages = match reuse {
        None => Pages::new(site, theme),
        Some(_) => Pages::with_cards_on_use(site, theme),
    };
    if let Some(reuse) = reuse {
        // What every page's render reads besides its own context: the templates, the
        // site-wide values, and the settings the filters were made with.
        let mut hasher = blake3::Hasher::new();
        hasher.update(theme.templates_hash.as_bytes());
        hasher.update(globals.as_bytes()).update(&[0]);
        hasher.update(site.config.cache_key().as_bytes());
        pages.reuse = Some((reuse, hasher.finalize()));
        // The pages a build leaves out decide which links of a body are unlinked.
        let mut hidden: Vec<&String> = site.hidden.iter().collect();
        hidden.sort_unstable();
        let mut hasher = blake3::Hasher::new();
        for file in hidden {
            hasher.update(&(file.len() as u64).to_le_bytes()).update(file.as_bytes());
        }
        pages.hidden_hash = hasher.finalize();
        // Every field named and every string length-prefixed (see [`fingerprint`]): two
        // cards that differ hash apart, and the same card hashes alike in every build.
        pages.card_hash_by_id = site
            .articles
            .par_iter()
            .map(|a| {
                hash_written(|bytes| {
                    put_str(bytes, "card");
                    fingerprint::put(bytes, &card(site, a));
                    Some(())
                })
            })
            .collect();
        pages.entity_hashes = EntityHashes::of(site, &pages.card_hash_by_id);
    }
    let mut jobs = pages.jobs();
    jobs.retain(|job| *job != Job::SearchIndex);
    let files = pages.render(&jobs, sink)?;
    // Only `serve` plans its next update with the cards, and it keeps no pages.
    let cards = if reuse.is_some() { Vec::new() } else { pages.into_cards() };
    Ok((files, cards))
}

/// Puts the site-wide values (`site`, `config`, `assets`) in every template's context.
/// Returns them as JSON: when they stay the same between two builds, pages that show
/// nothing else of an edit need no re-rendering.
pub fn set_globals(site: &Site, theme: &mut Theme) -> String {
    let globals = site_view(site);
    let assets: BTreeMap<&str, String> = theme
        .asset_paths
        .iter()
        .map(|(name, path)| (name.as_str(), site.config.base_url.root_link_str(path)))
        .collect();
    let key = serde_json::to_string(&(&globals, &assets)).expect("views serialise");
    let context = theme.tera.global_context();
    context.insert("site", &globals);
    context.insert("config", &globals);
    context.insert("assets", &assets);
    key
}

/// An article's card as templates see it in listings (see `Pages`).
pub(crate) fn card_value(site: &Site, article: &crate::site::Article) -> Value {
    Value::from_serializable(&card(site, article))
}

/// Writes the theme's static files.
pub(crate) fn write_assets(theme: &Theme, sink: Sink<'_>) -> Result<usize> {
    let errors: Vec<Error> = theme
        .assets
        .iter()
        .filter_map(|asset| sink(Path::new(&asset.output_path), &asset.bytes).err())
        .collect();
    Error::collect(errors)?;
    Ok(theme.assets.len())
}

fn months(site: &Site) -> Vec<Month> {
    let mut months: Vec<Month> = Vec::new();
    // Articles are newest first, so months come out newest first too.
    for article in &site.articles {
        let day = article.doc.date.day();
        match months.last_mut() {
            Some(m) if m.year == day.year() && m.month == day.month() => {
                m.articles.push(article.id)
            }
            _ => months.push(Month {
                year: day.year(),
                month: day.month(),
                url: UrlPath::fixed(&[
                    "archive",
                    &day.year().to_string(),
                    &format!("{:02}", day.month()),
                ]),
                articles: vec![article.id],
            }),
        }
    }
    months
}

/// The pages of one site, ready to render through a theme whose globals are set.
pub struct Pages<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// Each article's card, built once and shared by every listing that shows it: every
    /// one at once, or each when first shown (see [`Pages::card`]).
    cards: Vec<OnceLock<Value>>,
    /// Every article, newest first: what the front page lists.
    all: Vec<ArticleId>,
    months: Vec<Month>,
    /// Every alias and the article it leads to, by alias.
    aliases: Vec<(String, ArticleId)>,
    /// What may stand in for a page, and the hash of what every page reads.
    reuse: Option<(Reuse<'a>, blake3::Hash)>,
    /// The hash of each card made (see [`Pages::card`]), by the address of its map: a card
    /// shows on a dozen listings, and is hashed once.
    card_hashes: RwLock<rustc_hash::FxHashMap<usize, blake3::Hash>>,
    /// The same hashes by article: an article's page looks up those of every article it
    /// links to.
    card_hash_by_id: Vec<Option<blake3::Hash>>,
    /// A hash of the files the build leaves out ([`Site::hidden`]): with an article's
    /// [`crate::markdown::Body::html_hash`], it decides the body HTML its page shows.
    hidden_hash: blake3::Hash,
    /// What article pages show of each article, author, category and series, hashed.
    entity_hashes: EntityHashes,
}

/// A hash of all an article's page shows of each article, author, category and series,
/// by number (see [`Pages::article_around`]). Made once a build, when pages may be
/// reused.
#[derive(Debug, Default)]
struct EntityHashes {
    /// Of each article as other pages show it: its address, its card's hash and its
    /// tags; `None` when its card has no hash. An article's page shows a dozen others.
    articles: Vec<Option<blake3::Hash>>,
    tags: Vec<blake3::Hash>,
    authors: Vec<blake3::Hash>,
    categories: Vec<blake3::Hash>,
    series: Vec<blake3::Hash>,
}

impl EntityHashes {
    /// Those of `site`, whose articles' cards hash as `cards` (by article).
    fn of(site: &Site, cards: &[Option<blake3::Hash>]) -> EntityHashes {
        fn hash<T: Serialize>(value: &T) -> blake3::Hash {
            let mut bytes = Vec::new();
            fingerprint::put(&mut bytes, value);
            blake3::hash(&bytes)
        }
        let tags: Vec<blake3::Hash> = site
            .tags
            .iter()
            .map(|t| hash(&(views::tag_link(site, t), &t.name, t.url.as_str())))
            .collect();
        let articles = site
            .articles
            .par_iter()
            .map(|a| {
                let card = cards.get(a.id.index()).copied().flatten()?;
                let mut bytes = Vec::with_capacity(128 + 32 * a.tags.len());
                put_str(&mut bytes, a.url.as_str());
                fingerprint::put(&mut bytes, &a.lang_prefix.as_deref());
                bytes.extend_from_slice(card.as_bytes());
                fingerprint::put_len(&mut bytes, a.tags.len());
                for tag in &a.tags {
                    bytes.extend_from_slice(tags[tag.index()].as_bytes());
                }
                Some(blake3::hash(&bytes))
            })
            .collect();
        EntityHashes {
            articles,
            tags,
            authors: site
                .authors
                .iter()
                .map(|a| {
                    let profile = a
                        .profile
                        .as_ref()
                        .map(|p| (&p.bio_html, &p.bio_text, &p.role, &p.image, &p.links));
                    hash(&(views::author_link(site, a), &a.name, a.url.as_str(), profile))
                })
                .collect(),
            categories: site
                .categories
                .iter()
                .map(|c| hash(&(views::category_link(site, c), &c.name, c.url.as_str())))
                .collect(),
            series: site
                .series
                .iter()
                .map(|s| hash(&(&s.name, s.slug.as_str(), s.url.as_str())))
                .collect(),
        }
    }
}

/// Everything an article's page gets besides `canonical` and `current_url`: what its
/// context holds and, without the body HTML, what a rebuild hashes to decide whether the
/// page changed (see [`Pages::article_inputs`]). One struct for both, so that nothing
/// can reach the page without reaching its hash.
#[derive(Serialize)]
struct ArticlePage<'a> {
    page: views::ArticleView<'a>,
    /// The page's versions in every language and its `x-default` URL, when it has some.
    translations: Option<(Vec<views::LanguageLink>, String)>,
}

/// Every alias of the site with the article it leads to, by alias.
fn aliases_of(site: &Site) -> Vec<(String, ArticleId)> {
    site.aliases().into_iter().map(|(alias, a)| (alias.to_owned(), a.id)).collect()
}

/// A listing page as templates see it: `listing`.
#[derive(Serialize)]
struct ListingView<'a> {
    kind: &'static str,
    title: &'a str,
    description: Option<&'a str>,
    url: String,
    articles: Vec<Value>,
    pager: PagerView,
}

/// `/series/<slug>/` as templates see it: `series`.
#[derive(Serialize)]
struct SeriesPage<'a> {
    name: &'a str,
    url: String,
    /// Cards, oldest first: part 1 first.
    parts: Vec<Value>,
}

/// One entry of `/corrections/`.
#[derive(Serialize)]
struct CorrectionView<'a> {
    #[serde(flatten)]
    notice: views::NoticeView<'a>,
    /// The corrected article.
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct TagSummary<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct HomeBlock<'a> {
    name: &'a str,
    url: String,
    description: Option<&'a str>,
    articles: Vec<Value>,
}

#[derive(Serialize)]
struct ArchiveYear {
    year: i16,
    url: String,
    count: usize,
    months: Vec<ArchiveMonthLink>,
}

#[derive(Serialize)]
struct ArchiveMonthLink {
    name: String,
    number: i8,
    url: String,
    count: usize,
}

impl<'a> Pages<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Pages<'a> {
        let cards =
            site.articles.par_iter().map(|a| Value::from_serializable(&card(site, a))).collect();
        Pages::with_cards(site, theme, cards)
    }

    /// Pages whose cards were computed before, for the same articles in the same order.
    pub(crate) fn with_cards(site: &'a Site, theme: &'a Theme, cards: Vec<Value>) -> Pages<'a> {
        let all = site.articles.iter().map(|a| a.id).collect();
        Pages {
            site,
            theme,
            cards: cards.into_iter().map(OnceLock::from).collect(),
            all,
            months: months(site),
            aliases: aliases_of(site),
            reuse: None,
            card_hashes: Default::default(),
            card_hash_by_id: Vec::new(),
            hidden_hash: blake3::hash(b""),
            entity_hashes: EntityHashes::default(),
        }
    }

    /// Pages that make each card when it is first shown (see [`Pages::card`]).
    pub(crate) fn with_cards_on_use(site: &'a Site, theme: &'a Theme) -> Pages<'a> {
        let mut pages = Pages::with_cards(site, theme, Vec::new());
        pages.cards = site.articles.iter().map(|_| OnceLock::new()).collect();
        pages
    }

    /// Gives the cards back, to reuse them (see [`Pages::with_cards`]).
    pub(crate) fn into_cards(self) -> Vec<Value> {
        debug_assert_eq!(self.cards.len(), self.site.articles.len());
        let site = self.site;
        let made = self.cards.into_iter().zip(&site.articles);
        made.map(|(card, a)| card.into_inner().unwrap_or_else(|| card_value(site, a))).collect()
    }

    /// The card of article `id`, made the first time it is asked for; with hashes of the
    /// cards (a build that may keep pages), its hash noted by its map's address, for
    /// [`inputs`] to hash the card by it.
    pub(crate) fn card(&self, id: ArticleId) -> Value {
        let made = self.cards[id.index()].get_or_init(|| {
            let value = card_value(self.site, self.site.article(id));
            let hash = self.card_hash_by_id.get(id.index()).copied().flatten();
            if let Some((address, hash)) = map_address(&value).zip(hash) {
                let mut known = self.card_hashes.write().unwrap_or_else(|e| e.into_inner());
                known.insert(address, hash);
            }
            value
        });
        made.clone()
    }

    pub(crate) fn site(&self) -> &'a Site {
        self.site
    }

    /// Renders `jobs` into `sink`; returns how many files were written, or every failure.
    pub(crate) fn render(&self, jobs: &[Job], sink: Sink<'_>) -> Result<usize> {
        // The search index is the one long job (a tenth to a quarter of the build's CPU at
        // 10,000 articles): started first, it runs beside the pages and their writes
        // instead of after them, where the build would wait for it alone.
        // The sitemaps come next: they list every page of the site, half a second of one
        // thread at 100,000 articles. Rendered last, as their place in the list had them,
        // they kept the other thread idle that long at the end of a rebuild.
        const FIRST: [Job; 2] = [Job::SearchIndex, Job::Sitemaps];
        let ordered: Vec<Job> = FIRST
            .into_iter()
            .filter(|first| jobs.contains(first))
            .chain(jobs.iter().filter(|j| !FIRST.contains(j)).copied())
            .collect();
        // In short runs: rayon lends out long runs of a list whole, and the last of them
        // kept one thread busy for a fifth of a second at 10,000 articles while the other
        // had nothing left to take.
        let results: Vec<Result<usize>> = ordered
            .par_iter()
            .with_max_len(JOBS_A_RUN)
            .map(|job| self.render_job(*job, sink))
            .collect();
        let mut written = 0;
        let mut errors = Vec::new();
        for result in results {
            match result {
                Ok(n) => written += n,
                Err(e) => errors.push(e),
            }
        }
        Error::collect(failures::merge(errors))?;
        Ok(written)
    }

    /// The language the pages are in.
    fn language(&self) -> &'a crate::i18n::Language {
        self.site.config.translations.default_language()
    }

    fn paging(&self) -> Paging {
        Paging::new(self.site)
    }

    /// What `job` makes and where it goes: the one place that names, per page kind, its
    /// template, its URL and its file.
    pub(crate) fn place(&self, job: Job) -> Place {
        let site = self.site;
        match job {
            Job::Article(id) => Place::page("article.html", site.article(id).url.clone()),
            Job::Home { page } => Place::page("index.html", UrlPath::root().page(page)),
            Job::Category { index, page } => {
                Place::page("category.html", site.categories[index].url.page(page))
            }
            Job::Tag { index, page } => Place::page("tag.html", site.tags[index].url.page(page)),
            Job::Author { index, page } => {
                Place::page("author.html", site.authors[index].url.page(page))
            }
            Job::ArchiveMonth { index, page } => {
                Place::page("archive_month.html", self.months[index].url.page(page))
            }
            Job::ArchiveYear { index } => Place::page("archive.html", self.year_url(index)),
            Job::CategoryFeed { index } => Place::file(category_feed_path(&site.categories[index])),
            Job::Sitemaps => Place { template: None, path: None },
            Job::Series { index } => Place::page("series.html", site.series[index].url.clone()),
            Job::Alias { index } => {
                let alias = self.aliases.get(index).map_or("/", |(alias, _)| alias.as_str());
                Place { template: None, path: Some((alias.to_owned(), alias_file(alias))) }
            }
            Job::Redirects => Place::file("/_redirects".into()),
            Job::ArchiveIndex
            | Job::TagsIndex
            | Job::Search
            | Job::NotFound
            | Job::SiteFeed
            | Job::NewsSitemap
            | Job::Robots
            | Job::SearchIndex
            | Job::Corrections
            | Job::CorrectionsFeed => Place::fixed(job).expect("a page or file at a fixed path"),
        }
    }

    /// The template a job renders, if it renders one.
    pub(crate) fn job_template(&self, job: Job) -> Option<&'static str> {
        self.place(job).template
    }

    /// The file a job writes, relative to the output folder; `None` for the sitemaps.
    pub(crate) fn job_file(&self, job: Job) -> Option<String> {
        self.place(job).path.map(|(_, file)| file)
    }

    /// Every job of the site.
    pub(crate) fn jobs(&self) -> Vec<Job> {
        let site = self.site;
        let pages = |len: usize| 1..=self.paging().count(len);
        let mut jobs: Vec<Job> = site.articles.iter().map(|a| Job::Article(a.id)).collect();
        jobs.extend(pages(site.articles.len()).map(|page| Job::Home { page }));
        for (index, c) in site.categories.iter().enumerate() {
            jobs.extend(pages(c.articles.len()).map(|page| Job::Category { index, page }));
            jobs.push(Job::CategoryFeed { index });
        }
        for (index, t) in site.tags.iter().enumerate() {
            jobs.extend(pages(t.articles.len()).map(|page| Job::Tag { index, page }));
        }
        for (index, a) in site.authors.iter().enumerate() {
            jobs.extend(pages(a.articles.len()).map(|page| Job::Author { index, page }));
        }
        for (index, m) in self.months.iter().enumerate() {
            jobs.extend(pages(m.articles.len()).map(|page| Job::ArchiveMonth { index, page }));
        }
        jobs.extend(self.archive_year_jobs());
        jobs.extend([
            Job::ArchiveIndex,
            Job::TagsIndex,
            Job::Search,
            Job::NotFound,
            Job::SiteFeed,
            Job::Sitemaps,
            Job::NewsSitemap,
            Job::Robots,
            Job::SearchIndex,
        ]);
        // Crawlers read `/robots.txt` only: the default language's names every sitemap.
        if site.config.language != site.config.default_language {
            jobs.retain(|job| *job != Job::Robots);
        }
        jobs.extend(self.newsroom_jobs());
        jobs
    }

    /// The pages of issue 17: series, corrections, redirects. Cheap, so a rebuild
    /// writes them all again.
    pub(crate) fn newsroom_jobs(&self) -> Vec<Job> {
        let site = self.site;
        let mut jobs: Vec<Job> =
            (0..site.series.len()).map(|index| Job::Series { index }).collect();
        if site.articles.iter().any(|a| !a.doc.draft && !a.doc.corrections.is_empty()) {
            jobs.extend([Job::Corrections, Job::CorrectionsFeed]);
        }
        jobs.extend((0..self.aliases.len()).map(|index| Job::Alias { index }));
        // Hosts read `/_redirects` at the root only: the default language's lists every
        // language's rules, and the other languages write none below their folder
        // (issue 19).
        let default_language = site.config.language == site.config.default_language;
        if default_language && (!self.aliases.is_empty() || !site.other_redirects.is_empty()) {
            jobs.push(Job::Redirects);
        }
        jobs
    }

    fn render_job(&self, job: Job, sink: Sink<'_>) -> Result<usize> {
        let place = self.place(job);
        let Some(template) = place.template else {
            return self.write_data(job, &place, sink);
        };
        let (path, file) = place.path.as_ref().expect("every page has a path");
        let file = Path::new(file);
        let base_url = &self.site.config.base_url;
        let (canonical, current_url) = (base_url.absolute_str(path), base_url.link_str(path));
        let make = || -> Result<(Context, Option<&'a Path>)> {
            let mut context = Context::new();
            let article = self.page_context(job, &mut context)?;
            context.insert("canonical", &canonical);
            context.insert("current_url", &current_url);
            Ok((context, article))
        };
        let mut made = None;
        if let Some((reuse, base)) = self.reuse {
            let at =
                PageAt { base: &base, template, canonical: &canonical, current_url: &current_url };
            let kept = match job {
                // An article's page is decided from its view without the body HTML, whose
                // hash stands in for it: nothing is read back from disk, and its context
                // is made only when it is rendered (issue 15).
                Job::Article(id) => {
                    let around = self.article_around(&at, id);
                    let exact = || self.article_inputs(&at, id).map(Some);
                    kept(reuse, file, Surrounded::Article, around, exact)?
                }
                // Another page from its context, which is then what it renders with; a
                // listing's page first from the card hashes of the articles it shows.
                _ => {
                    let around = self.listing_around(&at, job);
                    let exact = || {
                        let (mut context, article) = make()?;
                        let known = self.card_hashes.read().unwrap_or_else(|e| e.into_inner());
                        let exact = inputs(&base, template, &mut context, &known);
                        made = Some((context, article));
                        Ok(exact)
                    };
                    kept(reuse, file, Surrounded::Listing, around, exact)?
                }
            };
            if kept {
                return Ok(1);
            }
        }
        let (mut context, article) = match made {
            Some(made) => made,
            None => make()?,
        };
        self.write_template(&mut context, template, file, article, sink)
    }

    /// What the page of article `id` gets (see [`ArticlePage`]), or what stands in for it
    /// (see [`views::Making`]).
    fn article_page(&self, id: ArticleId, making: views::Making<'_>) -> Result<ArticlePage<'a>> {
        let site = self.site;
        let article = site.article(id);
        let page = article_view(site, article, making)
            .map_err(|e| Error::io(Path::new("(article bodies parked on disk)"), e))?;
        let links = views::translation_links(site, article);
        // `x-default`: the version in the default language, if there is one.
        let translations = (!links.is_empty()).then(|| {
            let default = &site.config.default_language;
            let fallback = links.iter().find(|l| l.lang == *default);
            let x_default = fallback.unwrap_or(&links[0]).url.clone();
            (links, x_default)
        });
        Ok(ArticlePage { page, translations })
    }

    /// The hash of everything the page of article `id` reads (as [`inputs`] gives for
    /// other pages): `base`, the template, what stands in for the article's
    /// [`ArticlePage`] ([`views::Making::Fingerprint`]: each card by the hash listings
    /// use), then in place of its body HTML the body's hash and what decides which of its
    /// links are unlinked (the files the build leaves out, the page's path), and the
    /// document's digest when it has one, in place of what the document alone gives the
    /// page.
    fn article_inputs(&self, at: &PageAt<'_>, id: ArticleId) -> Result<blake3::Hash> {
        let article = self.site.article(id);
        let card = |id: ArticleId| self.card_hash_by_id.get(id.index()).copied().flatten();
        let page = self.article_page(id, views::Making::Fingerprint { cards: &card })?;
        let hash = hash_written(|bytes| {
            bytes.extend_from_slice(at.base.as_bytes());
            put_str(bytes, "article page");
            put_str(bytes, at.template);
            put_str(bytes, at.canonical);
            put_str(bytes, at.current_url);
            put_str(bytes, article.url.as_str());
            bytes.extend_from_slice(&article.doc.body.html_hash);
            bytes.extend_from_slice(self.hidden_hash.as_bytes());
            // With it, the view leaves out what the document alone makes (see
            // [`views::Making::Fingerprint`]).
            match &article.doc.digest {
                Some(digest) => {
                    bytes.push(1);
                    bytes.extend_from_slice(digest);
                }
                None => bytes.push(0),
            }
            // Every field named and tagged, every string length-prefixed: two pages that
            // differ give different bytes, with nothing escaped (see [`fingerprint`]).
            fingerprint::put(bytes, &page);
            Some(())
        });
        Ok(hash.expect("the article's bytes are all written"))
    }

    /// A hash of the surroundings of article `id`'s page: of what the page's exact
    /// inputs ([`Pages::article_inputs`]) are made from, without making its view. `None`
    /// when the document has no digest, or an article it shows has no card hash: then
    /// the exact inputs alone decide.
    ///
    /// Besides what those inputs take as they are (`base`, the template, the page's
    /// addresses, its body's hash, the pages the build leaves out, the document's
    /// digest), it takes each article the page shows (itself, its see-also links, the
    /// articles its own links lead to, the parts of its series) by a hash of its address,
    /// its card's hash and its tags (each by all a page shows of it), and each author,
    /// category and series by a hash of all a page shows of it ([`EntityHashes`]); and
    /// the page's versions in other languages as they are. Whatever the view reads must
    /// be here: builds with debug assertions check every page kept by this hash (see
    /// [`Inputs::Around`]).
    fn article_around(&self, at: &PageAt<'_>, id: ArticleId) -> Option<blake3::Hash> {
        let site = self.site;
        let article = site.article(id);
        let doc = &article.doc;
        let digest = doc.digest.as_ref()?;
        let entities = &self.entity_hashes;
        let hash_of = |hashes: &[blake3::Hash], index: usize| *hashes[index].as_bytes();
        // An article the page shows (see [`EntityHashes::articles`]).
        let shown = |bytes: &mut Vec<u8>, other: ArticleId| -> Option<()> {
            bytes.extend_from_slice(entities.articles.get(other.index())?.as_ref()?.as_bytes());
            Some(())
        };
        hash_written(|bytes| {
            bytes.extend_from_slice(at.base.as_bytes());
            put_str(bytes, "article page around");
            for text in [at.template, at.canonical, at.current_url] {
                put_str(bytes, text);
            }
            bytes.extend_from_slice(&doc.body.html_hash);
            bytes.extend_from_slice(self.hidden_hash.as_bytes());
            bytes.extend_from_slice(digest);
            shown(bytes, id)?;
            bytes.extend_from_slice(&hash_of(&entities.categories, article.category.index()));
            fingerprint::put_len(bytes, article.authors.len());
            for author in &article.authors {
                bytes.extend_from_slice(&hash_of(&entities.authors, author.index()));
            }
            match article.series {
                None => bytes.push(0),
                Some(series) => {
                    bytes.push(1);
                    bytes.extend_from_slice(&hash_of(&entities.series, series.index()));
                    let parts = &site.series_of(series).articles;
                    fingerprint::put_len(bytes, parts.len());
                    for &part in parts {
                        shown(bytes, part)?;
                    }
                }
            }
            let see_also = &site.see_also[id.index()];
            fingerprint::put_len(bytes, see_also.inline.len());
            for &(section, other) in &see_also.inline {
                fingerprint::put_len(bytes, section);
                shown(bytes, other)?;
            }
            fingerprint::put_len(bytes, see_also.related.len());
            for &other in &see_also.related {
                shown(bytes, other)?;
            }
            // The links themselves are the document's: where they lead is the site's.
            fingerprint::put_len(bytes, doc.related.len());
            for link in &doc.related {
                let Some(url) = &link.internal else {
                    bytes.push(0);
                    continue;
                };
                bytes.push(if unlink::is_hidden_url(site, url) { 1 } else { 2 });
                match site.find(url) {
                    Some(target) => {
                        bytes.push(1);
                        shown(bytes, target.id)?;
                    }
                    None => bytes.push(0),
                }
            }
            let versions = site.alternates.get(id.index()).map_or(&[][..], Vec::as_slice);
            fingerprint::put_len(bytes, versions.len());
            for version in versions {
                for text in [&version.lang, &version.url, &version.link, &version.title] {
                    put_str(bytes, text);
                }
            }
            Some(())
        })
    }

    /// A hash of the surroundings of a listing's page (the front page past the first, a
    /// page of a category, tag, author or month): of what its exact inputs are made
    /// from, without making its view (see [`Pages::article_around`]). `None` for another
    /// page, or when an article it shows has no card hash.
    ///
    /// Besides `base`, the template and the page's addresses, it takes what
    /// [`Pages::listing`] shows (the listing's kind, title, description and address, the
    /// page's number, the number of pages, and the card hash of each article shown) and
    /// what the page adds by its kind: the category, tag or author by a hash of all a
    /// page shows of it ([`EntityHashes`]), a tag's related tags with their counts, and
    /// the pages the build leaves out (an author's bio may link to one). Builds with
    /// debug assertions check every page kept by this hash (see [`Inputs::Around`]).
    fn listing_around(&self, at: &PageAt<'_>, job: Job) -> Option<blake3::Hash> {
        // The first page shows blocks of every category, and the site's languages.
        if matches!(job, Job::Home { page } if page <= 1) {
            return None;
        }
        let ListingOf { kind, title, description, url, ids, page } = self.listing_of(job)?;
        let entities = &self.entity_hashes;
        let entity = match job {
            Job::Category { index, .. } => Some(&entities.categories[index]),
            Job::Tag { index, .. } => Some(&entities.tags[index]),
            Job::Author { index, .. } => Some(&entities.authors[index]),
            _ => None,
        };
        let paging = self.paging();
        hash_written(|bytes| {
            bytes.extend_from_slice(at.base.as_bytes());
            put_str(bytes, "listing page around");
            for text in [at.template, at.canonical, at.current_url, kind, &title, url.as_str()] {
                put_str(bytes, text);
            }
            fingerprint::put(bytes, &description);
            fingerprint::put_len(bytes, page);
            fingerprint::put_len(bytes, paging.count(ids.len()));
            let shown = paging.page(ids, page);
            fingerprint::put_len(bytes, shown.len());
            for id in shown {
                bytes.extend_from_slice(self.card_hash_by_id.get(id.index())?.as_ref()?.as_bytes());
            }
            if let Some(entity) = entity {
                bytes.extend_from_slice(entity.as_bytes());
            }
            if let Job::Tag { index, .. } = job {
                let related = &self.site.tags[index].related;
                fingerprint::put_len(bytes, related.len());
                for &(other, together) in related {
                    bytes.extend_from_slice(entities.tags[other.index()].as_bytes());
                    fingerprint::put_len(bytes, together);
                }
            }
            bytes.extend_from_slice(self.hidden_hash.as_bytes());
            Some(())
        })
    }

    /// Puts what the page of `job` shows in `context`; returns the article it is about.
    fn page_context(&self, job: Job, context: &mut Context) -> Result<Option<&'a Path>> {
        let site = self.site;
        let base = &site.config.base_url;
        match job {
            Job::Article(id) => {
                let ArticlePage { page, translations } =
                    self.article_page(id, views::Making::Page)?;
                context.insert("page", &page);
                if let Some((translations, x_default)) = translations {
                    context.insert("translations", &translations);
                    context.insert("x_default", &x_default);
                }
                return Ok(Some(site.article(id).doc.source.as_path()));
            }
            Job::Home { page } => {
                let shown = self.listing(job, context);
                if page == 1 {
                    context.insert("blocks", &self.home_blocks(shown));
                    let languages = views::site_view(site).languages;
                    if !languages.is_empty() {
                        let default = &site.config.default_language;
                        let x_default = languages.iter().find(|l| l.lang == *default);
                        context.insert("x_default", &x_default.map(|l| l.url.as_str()));
                        context.insert("translations", &languages);
                    }
                }
            }
            Job::Category { index, .. } => {
                self.listing(job, context);
                context.insert("category", &views::category_link(site, &site.categories[index]));
            }
            Job::Tag { index, .. } => {
                let tag = &site.tags[index];
                self.listing(job, context);
                let related: Vec<TagSummary<'_>> = tag
                    .related
                    .iter()
                    .map(|&(id, together)| {
                        let other = site.tag(id);
                        TagSummary {
                            name: &other.name,
                            slug: other.slug.as_str(),
                            url: base.link(&other.url),
                            count: together,
                        }
                    })
                    .collect();
                context.insert("tag", &views::tag_link(site, tag));
                context.insert("related_tags", &related);
            }
            Job::Author { index, .. } => {
                let author = &site.authors[index];
                self.listing(job, context);
                context.insert("author", &views::author_link(site, author));
                context.insert("profile", &views::profile_view(site, author));
            }
            Job::ArchiveMonth { .. } => {
                self.listing(job, context);
            }
            Job::ArchiveIndex => {
                context.insert("years", &self.archive_years());
                context.insert("archive_year", &None::<i16>);
            }
            Job::ArchiveYear { index } => {
                let mut years = self.archive_years();
                let year = years.swap_remove(index);
                context.insert("archive_year", &Some(year.year));
                context.insert("years", &[year]);
            }
            Job::TagsIndex => {
                let tags: Vec<TagSummary<'_>> = site
                    .tags
                    .iter()
                    .map(|t| TagSummary {
                        name: &t.name,
                        slug: t.slug.as_str(),
                        url: base.link(&t.url),
                        count: t.articles.len(),
                    })
                    .collect();
                context.insert("tags", &tags);
            }
            Job::Search => {
                context.insert(
                    "search_index_url",
                    &base.link_str(&Place::fixed_path(Job::SearchIndex)),
                );
                context.insert("search_examples", &search_examples(site));
            }
            Job::NotFound => {}
            Job::Series { index } => {
                let series = &site.series[index];
                let parts: Vec<Value> = series.articles.iter().map(|&id| self.card(id)).collect();
                let view = SeriesPage { name: &series.name, url: base.link(&series.url), parts };
                context.insert("series", &view);
            }
            Job::Corrections => {
                let corrections: Vec<CorrectionView<'_>> = site
                    .corrections()
                    .into_iter()
                    .map(|(article, notice)| CorrectionView {
                        notice: views::notice_view(site, article, notice),
                        title: &article.doc.title,
                        url: base.link(&article.url),
                    })
                    .collect();
                context.insert("corrections", &corrections);
                let feed = Place::fixed_path(Job::CorrectionsFeed);
                context.insert("corrections_feed_url", &base.link_str(&feed));
            }
            Job::CorrectionsFeed | Job::Alias { .. } | Job::Redirects => {
                unreachable!("{job:?} renders no template")
            }
            Job::SiteFeed
            | Job::CategoryFeed { .. }
            | Job::Sitemaps
            | Job::NewsSitemap
            | Job::Robots
            | Job::SearchIndex => unreachable!("{job:?} renders no template"),
        }
        Ok(None)
    }

    /// Writes the feeds, sitemaps and data files, which no template renders.
    fn write_data(&self, job: Job, place: &Place, sink: Sink<'_>) -> Result<usize> {
        let site = self.site;
        let published = || site.articles.iter().filter(|a| !a.doc.draft);
        let (path, file) = match &place.path {
            Some((path, file)) => (path.as_str(), file),
            None => {
                let files = sitemaps::render_sitemaps(site, &self.sitemap_entries());
                for (name, xml) in &files {
                    sink(Path::new(name), xml.as_bytes())?;
                }
                return Ok(files.len());
            }
        };
        if job == Job::SearchIndex {
            return write_search_index(site, sink, None, None).map(|(files, _)| files);
        }
        let text = match job {
            Job::SiteFeed => {
                feeds::render_feed(site, &site.config.title, path, &UrlPath::root(), published())
            }
            Job::CategoryFeed { index } => {
                let category = &site.categories[index];
                let title = format!("{} | {}", category.name, site.config.title);
                let articles =
                    category.articles.iter().map(|&id| site.article(id)).filter(|a| !a.doc.draft);
                feeds::render_feed(site, &title, path, &category.url, articles)
            }
            Job::NewsSitemap => sitemaps::render_news_sitemap(site),
            Job::Robots => sitemaps::render_robots(site),
            Job::CorrectionsFeed => feeds::render_corrections_feed(site),
            Job::Alias { index } => render_alias_page(site, site.article(self.aliases[index].1)),
            Job::Redirects => render_redirects(site),
            _ => unreachable!("{job:?} renders a template or several files"),
        };
        sink(Path::new(file), text.as_bytes()).map(|()| 1)
    }

    /// What the page of a listing `job` shows: the front page's, a category's, a tag's,
    /// an author's or a month's; `None` for another page. One source for the page's view
    /// ([`Pages::listing`]) and for the hash of its surroundings
    /// ([`Pages::listing_around`]), so that the two cannot drift apart.
    fn listing_of(&self, job: Job) -> Option<ListingOf<'_>> {
        let site = self.site;
        let (kind, title, description, url, ids, page): (_, Cow<'_, str>, _, _, &[_], _) = match job
        {
            Job::Home { page } => {
                let config = &site.config;
                let (title, description) = (&config.title, Some(config.description.as_str()));
                ("home", title.into(), description, Cow::Owned(UrlPath::root()), &self.all, page)
            }
            Job::Category { index, page } => {
                let category = &site.categories[index];
                let description = category.settings.description.as_deref();
                let (name, url) = (category.name.as_str(), Cow::Borrowed(&category.url));
                ("category", name.into(), description, url, &category.articles, page)
            }
            Job::Tag { index, page } => {
                let tag = &site.tags[index];
                let url = Cow::Borrowed(&tag.url);
                ("tag", tag.name.as_str().into(), None, url, &tag.articles, page)
            }
            Job::Author { index, page } => {
                let author = &site.authors[index];
                let url = Cow::Borrowed(&author.url);
                ("author", author.name.as_str().into(), None, url, &author.articles, page)
            }
            Job::ArchiveMonth { index, page } => {
                let month = &self.months[index];
                let title = self.language().month_year(month.year, month.month);
                let url = Cow::Borrowed(&month.url);
                ("archive", title.into(), None, url, &month.articles, page)
            }
            _ => return None,
        };
        let description = description.filter(|d| !d.is_empty());
        Some(ListingOf { kind, title, description, url, ids, page })
    }

    /// Puts the view of the listing `job` in `context` (see [`Pages::listing_of`]);
    /// returns the articles its page shows.
    fn listing(&self, job: Job, context: &mut Context) -> &[ArticleId] {
        let ListingOf { kind, title, description, url, ids, page } =
            self.listing_of(job).expect("a listing's job");
        let paging = self.paging();
        let total = paging.count(ids.len());
        let shown = paging.page(ids, page);
        let view = ListingView {
            kind,
            title: &title,
            description,
            url: self.site.config.base_url.link(&url),
            articles: shown.iter().map(|&id| self.card(id)).collect(),
            pager: PagerView::new(self.site, &url, page, total),
        };
        context.insert("listing", &view);
        shown
    }

    /// The front page's block per category: its newest articles not already in the list.
    fn home_blocks(&self, shown: &[ArticleId]) -> Vec<HomeBlock<'_>> {
        let base = &self.site.config.base_url;
        self.site
            .categories
            .iter()
            .map(|c| HomeBlock {
                name: &c.name,
                url: base.link(&c.url),
                description: c.settings.description.as_deref(),
                articles: c
                    .articles
                    .iter()
                    .filter(|id| !shown.contains(id))
                    .take(HOME_BLOCK_SIZE)
                    .map(|&id| self.card(id))
                    .collect(),
            })
            .filter(|b| !b.articles.is_empty())
            .collect()
    }

    /// `/archive/2026/`: the page of the `index`th year of the archive, newest first.
    fn year_url(&self, index: usize) -> UrlPath {
        year_url(self.years()[index])
    }

    /// The pages of the archive's years.
    pub(crate) fn archive_year_jobs(&self) -> impl Iterator<Item = Job> + use<> {
        (0..self.years().len()).map(|index| Job::ArchiveYear { index })
    }

    /// The years that have articles, newest first.
    fn years(&self) -> Vec<i16> {
        let mut years: Vec<i16> = self.months.iter().map(|m| m.year).collect();
        years.dedup();
        years
    }

    fn archive_years(&self) -> Vec<ArchiveYear> {
        let base = &self.site.config.base_url;
        let mut years: Vec<ArchiveYear> = Vec::new();
        for month in &self.months {
            let link = ArchiveMonthLink {
                name: self.language().month_name(month.year, month.month),
                number: month.month,
                url: base.link(&month.url),
                count: month.articles.len(),
            };
            match years.last_mut() {
                Some(y) if y.year == month.year => {
                    y.count += link.count;
                    y.months.push(link);
                }
                _ => years.push(ArchiveYear {
                    year: month.year,
                    url: base.link(&year_url(month.year)),
                    count: link.count,
                    months: vec![link],
                }),
            }
        }
        years
    }

    /// Every page worth indexing, with when it last changed.
    fn sitemap_entries(&self) -> Vec<sitemaps::Entry> {
        let site = self.site;
        // Each article's last change, read once, by id (`None`: a draft). An article is
        // in ten listings or so: a million lookups at 100,000 articles, each in its
        // document, were a third of a second.
        let changes: Vec<Option<Date>> =
            site.articles.iter().map(|a| (!a.doc.draft).then(|| a.doc.modified())).collect();
        let lastmod = |ids: &[ArticleId]| ids.iter().filter_map(|id| changes[id.index()]).max();
        let paging = self.paging();
        let mut entries = Vec::new();
        // The front pages of a site's languages are versions of one another (issue 19).
        let front = front_page_alternates(site);
        let mut listing = |url: &UrlPath, ids: &[ArticleId]| {
            for page in 1..=paging.count(ids.len()) {
                let first = page == 1 && *url == UrlPath::root();
                entries.push(sitemaps::Entry {
                    path: url.page(page).as_str().to_owned(),
                    lastmod: lastmod(paging.page(ids, page)),
                    alternates: if first { front.clone() } else { Vec::new() },
                });
            }
        };
        let all: Vec<ArticleId> =
            site.articles.iter().filter(|a| !a.doc.draft).map(|a| a.id).collect();
        listing(&UrlPath::root(), &all);
        for c in &site.categories {
            listing(&c.url, &c.articles);
        }
        for t in &site.tags {
            listing(&t.url, &t.articles);
        }
        for a in &site.authors {
            listing(&a.url, &a.articles);
        }
        for m in &self.months {
            listing(&m.url, &m.articles);
        }
        for s in &site.series {
            let path = s.url.as_str().to_owned();
            entries.push(sitemaps::Entry {
                path,
                lastmod: lastmod(&s.articles),
                alternates: Vec::new(),
            });
        }
        if self.newsroom_jobs().contains(&Job::Corrections) {
            let latest = site.corrections().first().map(|(_, c)| c.date);
            entries.push(sitemaps::Entry {
                path: Place::fixed_path(Job::Corrections),
                lastmod: latest,
                alternates: Vec::new(),
            });
        }
        for job in [Job::TagsIndex, Job::ArchiveIndex] {
            entries.push(sitemaps::Entry {
                path: Place::fixed_path(job),
                lastmod: lastmod(&all),
                alternates: Vec::new(),
            });
        }
        for (index, year) in self.years().into_iter().enumerate() {
            let ids: Vec<ArticleId> = self
                .months
                .iter()
                .filter(|m| m.year == year)
                .flat_map(|m| m.articles.iter().copied())
                .collect();
            entries.push(sitemaps::Entry {
                path: self.year_url(index).as_str().to_owned(),
                lastmod: lastmod(&ids),
                alternates: Vec::new(),
            });
        }
        entries.extend(site.articles.iter().filter(|a| !a.doc.draft).map(|a| sitemaps::Entry {
            path: a.url.as_str().to_owned(),
            lastmod: Some(changed(site, a.id)),
            alternates: alternates_of(site, a),
        }));
        entries
    }

    fn write_template(
        &self,
        context: &mut Context,
        template: &str,
        path: &Path,
        article: Option<&Path>,
        sink: Sink<'_>,
    ) -> Result<usize> {
        thread_local! {
            /// Each rendering thread's page buffer, reused from page to page: an article
            /// page would otherwise grow a fresh string a dozen times.
            static PAGE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        /// Past this, a buffer is dropped after its page rather than kept for the next.
        const KEEP: usize = 1 << 20;
        PAGE.with_borrow_mut(|page| {
            page.clear();
            page.reserve(64 << 10);
            let rendered = self.theme.tera.render_to(template, context, &mut *page);
            let written = rendered
                .map_err(|source| {
                    let origin = |name: &str| self.theme.origin(name);
                    failures::template_error(origin, template, article.map(PathBuf::from), source)
                })
                .and_then(|()| sink(path, page).map(|()| 1));
            if page.capacity() > KEEP {
                *page = Vec::new();
            }
            written
        })
    }
}

/// Every value a page's context may hold (see [`Pages::page_context`]).
const PAGE_KEYS: &[&str] = &[
    "page",
    "listing",
    "blocks",
    "category",
    "tag",
    "related_tags",
    "author",
    "profile",
    "years",
    "archive_year",
    "tags",
    "search_index_url",
    "search_examples",
    "series",
    "corrections",
    "corrections_feed_url",
    "canonical",
    "current_url",
    "translations",
    "x_default",
];

/// What a listing's page shows (see [`Pages::listing_of`]).
struct ListingOf<'p> {
    kind: &'static str,
    title: Cow<'p, str>,
    /// `None` when empty.
    description: Option<&'p str>,
    url: Cow<'p, UrlPath>,
    ids: &'p [ArticleId],
    page: usize,
}

/// A page whose last build's copy may stand in for it (see [`Pages::render_job`]): the
/// hash of what every page reads, its template and its addresses.
pub(crate) struct PageAt<'p> {
    pub(crate) base: &'p blake3::Hash,
    pub(crate) template: &'p str,
    pub(crate) canonical: &'p str,
    pub(crate) current_url: &'p str,
}

/// Whether [`Reuse`] keeps the page at `file` from the last build: asked by the hash of
/// its surroundings `around` when there is one ([`Inputs::Around`]), then by its exact
/// inputs, which `exact` makes (`None`: it cannot be kept). `exact` runs only when the
/// surroundings did not decide, but always in builds with debug assertions, for the cache
/// to check that a page kept by its surroundings was made from them.
fn kept(
    reuse: Reuse<'_>,
    file: &Path,
    page: Surrounded,
    around: Option<blake3::Hash>,
    exact: impl FnOnce() -> Result<Option<blake3::Hash>>,
) -> Result<bool> {
    let mut exact = Some(exact);
    let mut checked = None;
    if around.is_none() || cfg!(debug_assertions) {
        checked = exact.take().map_or(Ok(None), |make| make())?;
    }
    if let Some(around) = &around {
        if reuse(file, Inputs::Around { around, exact: checked.as_ref(), page })? {
            return Ok(true);
        }
    }
    let inputs = match exact {
        Some(make) => make()?,
        None => checked,
    };
    match inputs {
        Some(inputs) => reuse(file, Inputs::Exact(&inputs)),
        None => Ok(false),
    }
}

/// The hash of everything the render of `template` with `context` reads, given `base`,
/// the hash of what every page reads. `None` when the context holds a value not in
/// [`PAGE_KEYS`]: such a page is always rendered, never reused.
fn inputs(
    base: &blake3::Hash,
    template: &str,
    context: &mut Context,
    known: &rustc_hash::FxHashMap<usize, blake3::Hash>,
) -> Option<blake3::Hash> {
    let taken: Vec<(&'static str, Value)> =
        PAGE_KEYS.iter().filter_map(|&key| Some((key, context.remove(key)?))).collect();
    let complete = *context == Context::new();
    let hash = complete.then(|| {
        hash_written(|bytes| {
            bytes.extend_from_slice(base.as_bytes());
            put_str(bytes, template);
            let mut complete = true;
            for (key, value) in &taken {
                put_str(bytes, key);
                complete = complete && put_value(bytes, value, known);
            }
            complete.then_some(())
        })
    });
    for (key, value) in taken {
        context.insert_value(key, value);
    }
    hash.flatten()
}

/// The hash of the bytes `fill` writes into this thread's buffer, which is reused from
/// page to page (and dropped past a megabyte); `None` when `fill` gives up.
pub(crate) fn hash_written(fill: impl FnOnce(&mut Vec<u8>) -> Option<()>) -> Option<blake3::Hash> {
    thread_local! {
        static BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BYTES.with_borrow_mut(|bytes| {
        bytes.clear();
        let hash = fill(bytes).map(|()| blake3::hash(bytes));
        if bytes.capacity() > 1 << 20 {
            *bytes = Vec::new();
        }
        hash
    })
}

/// Appends `text`, its length first, so that no two sequences of values give the same bytes.
pub(crate) fn put_str(bytes: &mut Vec<u8>, text: &str) {
    fingerprint::put_len(bytes, text.len());
    bytes.extend_from_slice(text.as_bytes());
}

/// The address of a map value's map, shared by its clones.
fn map_address(value: &Value) -> Option<usize> {
    value.as_map().map(|map| map as *const tera::value::Map as usize)
}

/// Appends a template value: its kind, then what it holds (see [`inputs`]), or for a map
/// in `known`, its hash. Faster than JSON, which escapes every string. `false` for a kind
/// of value it does not know.
fn put_value(
    bytes: &mut Vec<u8>,
    value: &Value,
    known: &rustc_hash::FxHashMap<usize, blake3::Hash>,
) -> bool {
    use tera::value::ValueKind;
    if let Some(hash) = map_address(value).and_then(|address| known.get(&address)) {
        bytes.push(0xff);
        bytes.extend_from_slice(hash.as_bytes());
        return true;
    }
    let kind = value.kind();
    bytes.push(kind as u8);
    match kind {
        ValueKind::Undefined | ValueKind::None => true,
        ValueKind::Bool => {
            bytes.push(u8::from(value.as_bool() == Some(true)));
            true
        }
        ValueKind::U64 | ValueKind::I64 | ValueKind::U128 | ValueKind::I128 => {
            let n = value.as_i128().or_else(|| value.as_u128().map(|n| n as i128));
            bytes.extend_from_slice(&n.unwrap_or_default().to_le_bytes());
            true
        }
        ValueKind::F64 => {
            bytes.extend_from_slice(&value.as_f64().unwrap_or_default().to_bits().to_le_bytes());
            true
        }
        ValueKind::String => {
            bytes.push(u8::from(value.is_safe()));
            put_str(bytes, value.as_str().unwrap_or_default());
            true
        }
        ValueKind::Bytes => {
            let raw = value.as_bytes().unwrap_or_default();
            fingerprint::put_len(bytes, raw.len());
            bytes.extend_from_slice(raw);
            true
        }
        ValueKind::Array => {
            let items = value.as_array().unwrap_or_default();
            fingerprint::put_len(bytes, items.len());
            items.iter().all(|item| put_value(bytes, item, known))
        }
        ValueKind::Map => {
            let map = value.as_map().expect("a map value is a map");
            fingerprint::put_len(bytes, map.len());
            map.iter().all(|(key, item)| {
                match key.as_str() {
                    Some(key) => put_str(bytes, key),
                    None => {
                        bytes.push(0xfe);
                        put_str(bytes, &format!("{key:?}"));
                    }
                }
                put_value(bytes, item, known)
            })
        }
        _ => false,
    }
}

/// The folder of the search index's files, relative to the output folder: `search/`.
pub(crate) fn search_index_folder() -> String {
    let file = Place::fixed(Job::SearchIndex).and_then(|p| p.path).expect("a fixed file").1;
    file.strip_suffix("index.json").expect("the index is an index.json").to_owned()
}

/// What the search box suggests typing: the site's two most used tags (ties in the order of
/// `Site::tags`, by slug), as a reader would type them. Issue 23: the default theme's
/// placeholder named the demo's topics on every site.
pub(crate) fn search_examples(site: &Site) -> Vec<String> {
    let mut tags: Vec<&crate::site::Tag> = site.tags.iter().collect();
    tags.sort_by_key(|t| std::cmp::Reverse(t.articles.len()));
    tags.iter().take(2).map(|t| t.name.replace(['-', '_'], " ")).collect()
}

/// An article's versions for the sitemap: every language's, then `x-default` (the
/// default language's version, else the first), as its page's `hreflang` links give them.
fn alternates_of(site: &Site, article: &crate::site::Article) -> Vec<(String, String)> {
    let Some(versions) = site.alternates.get(article.id.index()).filter(|v| !v.is_empty()) else {
        return Vec::new();
    };
    let default = &site.config.default_language;
    let x_default = versions.iter().find(|v| v.lang == *default).unwrap_or(&versions[0]);
    versions
        .iter()
        .map(|v| (v.lang.clone(), v.url.clone()))
        .chain([("x-default".to_owned(), x_default.url.clone())])
        .collect()
}

/// The front pages of every language of the site, then `x-default` (the default
/// language's): empty for a site in one language.
fn front_page_alternates(site: &Site) -> Vec<(String, String)> {
    let languages = views::site_view(site).languages;
    let x_default = languages.first().map(|l| ("x-default".to_owned(), l.url.clone()));
    languages.into_iter().map(|l| (l.lang, l.url)).chain(x_default).collect()
}

fn changed(site: &Site, id: ArticleId) -> Date {
    let doc = &site.article(id).doc;
    doc.modified()
}

/// `/economy/feed.xml`: where a category's feed goes.
pub(crate) fn category_feed_path(category: &crate::site::Category) -> String {
    format!("{}feed.xml", category.url)
}

/// `/archive/2026/`
fn year_url(year: i16) -> UrlPath {
    UrlPath::fixed(&["archive", &year.to_string()])
}

/// The file of an alias's redirect page: `/old/path/` is `old/path/index.html`, and
/// `/2019/old.html` is itself.
fn alias_file(alias: &str) -> String {
    let rel = alias.trim_start_matches('/');
    if rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_owned() }
}

/// The page left at an alias: it sends readers and crawlers to the article (issue 17).
/// Written here rather than by the theme: it must redirect whatever the theme does.
/// `/_redirects`: a line `<alias> <article> 301` per alias of `site`, by alias, then the
/// rules of the site's other languages in their order (issue 19). An alias listed twice
/// keeps its first rule: a host would use only that one.
fn render_redirects(site: &Site) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut text = String::new();
    for (from, to) in site.redirect_rules().iter().chain(&site.other_redirects) {
        if seen.insert(from.clone()) {
            text.push_str(&format!("{from} {to} 301\n"));
        }
    }
    text
}

fn render_alias_page(site: &Site, article: &crate::site::Article) -> String {
    use pulldown_cmark_escape::{escape_href, escape_html};
    let base = &site.config.base_url;
    let mut to = String::new();
    let mut canonical = String::new();
    let mut title = String::new();
    let mut language = String::new();
    escape_href(&mut to, &base.link(&article.url)).expect("writing to a string");
    escape_href(&mut canonical, &base.absolute_str(article.url.as_str()))
        .expect("writing to a string");
    escape_html(&mut title, &article.doc.title).expect("writing to a string");
    escape_html(&mut language, &site.config.language).expect("writing to a string");
    let texts = site.config.translations.default_language();
    let moved = texts.text("moved", None, &[]).unwrap_or_default();
    let mut moved_html = String::new();
    escape_html(&mut moved_html, &moved).expect("writing to a string");
    let dir = if texts.rtl { " dir=\"rtl\"" } else { "" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{language}\"{dir}>\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n\
         <p>{moved_html} <a href=\"{to}\">{title}</a></p>\n</body>\n</html>\n"
    )
}
