//! What templates see: plain view structs built from the site model, nothing else.

use std::borrow::Cow;

use serde::Serialize;

use super::{Job, Place};
use crate::images::Format;
use crate::site::{Article, ArticleId, Author, Category, Site, Tag};
use crate::url::UrlPath;

/// A link with a label: a tag, an author, a category.
#[derive(Debug, Serialize)]
pub(crate) struct LinkView<'a> {
    pub(crate) name: &'a str,
    pub(crate) url: &'a str,
    pub(crate) slug: &'a str,
}

/// Site-wide values, in every template as `site` (and `config`, as docs/content.md promises
/// `config.extra`). Only values that change with the configuration belong here: a
/// rebuild that leaves them unchanged re-renders only the pages an edit touches.
#[derive(Debug, Serialize)]
pub(crate) struct SiteView<'a> {
    pub(crate) title: &'a str,
    pub(crate) description: &'a str,
    pub(crate) language: &'a str,
    /// `ltr`, or `rtl` for languages written right to left (issue 19).
    pub(crate) dir: &'static str,
    pub(crate) author: Option<&'a str>,
    /// Absolute, with the final `/`.
    pub(crate) base_url: &'a str,
    /// The root-relative prefix of every link: `/` or `/news/`.
    pub(crate) base_path: &'a str,
    pub(crate) home_url: String,
    pub(crate) tags_url: String,
    pub(crate) search_url: String,
    pub(crate) archive_url: String,
    pub(crate) feed_url: String,
    /// `/corrections/`, when the site has corrections (issue 17).
    pub(crate) corrections_url: Option<String>,
    /// Absolute URL of the feed.
    pub(crate) feed_permalink: String,
    pub(crate) logo: Option<String>,
    pub(crate) categories: Vec<NavCategory<'a>>,
    pub(crate) generator: &'static str,
    pub(crate) extra: &'a serde_json::Value,
    /// The front page of each language, the default first, in a site of several
    /// (issue 19); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) languages: Vec<LanguageLink>,
}

/// A page in one language, as the language switcher and `hreflang` links show it.
#[derive(Debug, Serialize)]
pub(crate) struct LanguageLink {
    /// The code, as site.yaml writes it.
    pub(crate) lang: String,
    /// The language's name in itself: `Français`.
    pub(crate) name: String,
    /// Root-relative link.
    pub(crate) link: String,
    /// Absolute URL.
    pub(crate) url: String,
    /// Whether it is the language of the page showing it.
    pub(crate) current: bool,
}

/// An article's versions in every language, itself included (issue 19).
pub(crate) fn translation_links(site: &Site, article: &Article) -> Vec<LanguageLink> {
    site.alternates
        .get(article.id.index())
        .into_iter()
        .flatten()
        .map(|version| LanguageLink {
            lang: version.lang.clone(),
            name: language_name(site, &version.lang),
            link: version.link.clone(),
            url: version.url.clone(),
            current: version.lang == site.config.language,
        })
        .collect()
}

/// `code`'s name in itself.
fn language_name(site: &Site, code: &str) -> String {
    let names = &site.config.language_names;
    names.iter().find(|(c, _)| c == code).map_or_else(|| code.to_owned(), |(_, n)| n.clone())
}

#[derive(Debug, Serialize)]
pub(crate) struct NavCategory<'a> {
    pub(crate) name: &'a str,
    pub(crate) slug: &'a str,
    pub(crate) url: String,
    pub(crate) feed_url: String,
    pub(crate) description: Option<&'a str>,
}

/// An article as listings, cards and links show it.
#[derive(Debug, Serialize)]
pub(crate) struct CardView<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) summary: &'a str,
    pub(crate) date: String,
    pub(crate) date_long: String,
    pub(crate) updated: Option<String>,
    pub(crate) category: LinkView<'a>,
    pub(crate) image: Option<String>,
    pub(crate) image_alt: Option<&'a str>,
    /// The image's size in pixels, when it is a file of the site.
    pub(crate) image_width: Option<u32>,
    pub(crate) image_height: Option<u32>,
    /// The image's resized files, when gazette processes it (issue 16).
    pub(crate) picture: Option<PictureView>,
    pub(crate) reading_minutes: usize,
    pub(crate) draft: bool,
    /// Dated after the build time: shown only by `serve` and `build --future`.
    pub(crate) scheduled: bool,
}

/// A processed image as templates show it: `<picture>` with a WebP `<source>` and an
/// `<img>` in the source's format (see the theme's `picture` component).
#[derive(Debug, Serialize)]
pub(crate) struct PictureView {
    /// The largest fallback file: `src` of the `<img>`.
    pub(crate) src: String,
    /// The smallest file, for thumbnails.
    pub(crate) thumbnail: String,
    /// `srcset` of the `<img>`: the fallback files with their widths.
    pub(crate) srcset: String,
    /// `srcset` of the WebP `<source>`.
    pub(crate) webp_srcset: String,
    /// `srcset` of the AVIF `<source>`, empty unless `images.avif` is on.
    pub(crate) avif_srcset: String,
    /// Of the largest file (`src`): the shape the layout reserves.
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// The same picture for a listing card's small thumbnail: only its smallest files.
    pub(crate) thumb: ThumbView,
}

/// The files of a picture for a card's small box (issue 16: "listing cards get small
/// thumbnails"): its 192×144 thumbnail (a lead image's 4:3 centre, see
/// [`crate::images::THUMB_SIZE`]) and the first page size at least [`THUMB_WIDTH`] wide;
/// for a picture too small for a thumbnail, every page size up to that one. No browser
/// downloads a large file for a small box.
#[derive(Debug, Serialize)]
pub(crate) struct ThumbView {
    /// The first of these fallback files: the thumbnail, or the smallest page size.
    pub(crate) src: String,
    pub(crate) srcset: String,
    pub(crate) webp_srcset: String,
    pub(crate) avif_srcset: String,
    /// Of `src`.
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// The pixels a thumbnail needs at most: the default theme's cards show it 6rem (96 CSS
/// pixels) wide, and 3× screens want three device pixels for each.
const THUMB_WIDTH: u32 = 288;

/// The first `variants` up to and including the first at least [`THUMB_WIDTH`] wide.
fn thumb_variants(variants: Vec<crate::images::Variant>) -> Vec<crate::images::Variant> {
    let enough = variants.iter().position(|v| v.width >= THUMB_WIDTH);
    let keep = enough.map_or(variants.len(), |i| i + 1);
    variants.into_iter().take(keep).collect()
}

pub(crate) fn picture_view(
    base: &crate::url::BaseUrl,
    picture: &crate::images::Picture,
) -> Option<PictureView> {
    picture_view_with(&|path| base.asset_link(path), picture)
}

/// [`picture_view`] with `link` turning a site path into the page's link: for article
/// bodies, which know only the site's base path.
pub(crate) fn picture_view_with(
    link: &dyn Fn(&str) -> String,
    picture: &crate::images::Picture,
) -> Option<PictureView> {
    if !picture.is_responsive() {
        return None;
    }
    let srcset = |variants: &[crate::images::Variant]| {
        variants
            .iter()
            .map(|v| format!("{} {}w", link(&v.path), v.width))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fallbacks = picture.fallbacks();
    let largest = fallbacks.last()?;
    // The card thumbnail first when the picture has one (a lead image large enough),
    // then the first page size dense screens want; else the smallest page sizes.
    let thumbs = |format: Format, variants: Vec<crate::images::Variant>| match picture.thumb(format)
    {
        Some(thumb) => std::iter::once(thumb)
            .chain(variants.into_iter().find(|v| v.width >= THUMB_WIDTH))
            .collect(),
        None => thumb_variants(variants),
    };
    let avif = picture.avif();
    let avif_thumbs = if avif.is_empty() { avif } else { thumbs(Format::Avif, avif) };
    let fallback_thumbs: Vec<_> = thumbs(picture.fallback(), fallbacks.clone());
    let thumb_src = fallback_thumbs.first()?;
    let thumb = ThumbView {
        src: link(&thumb_src.path),
        srcset: srcset(&fallback_thumbs),
        webp_srcset: srcset(&thumbs(Format::Webp, picture.webp())),
        avif_srcset: srcset(&avif_thumbs),
        width: thumb_src.width,
        height: thumb_src.height,
    };
    Some(PictureView {
        src: link(&largest.path),
        thumbnail: link(&fallbacks.first()?.path),
        srcset: srcset(&fallbacks),
        webp_srcset: srcset(&picture.webp()),
        avif_srcset: srcset(&picture.avif()),
        width: largest.width,
        height: largest.height,
        thumb,
    })
}

/// A correction or update as `article.html` and `corrections.html` show it.
#[derive(Debug, Serialize)]
pub(crate) struct NoticeView<'a> {
    pub(crate) date: String,
    pub(crate) date_long: String,
    pub(crate) text_html: Cow<'a, str>,
}

/// The box of an article that is part of a series.
#[derive(Debug, Serialize)]
pub(crate) struct SeriesBoxView<'a> {
    pub(crate) name: &'a str,
    pub(crate) url: String,
    /// This article's part, from 1.
    pub(crate) part: usize,
    pub(crate) total: usize,
    pub(crate) parts: Vec<SeriesPartView<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SeriesPartView<'a> {
    pub(crate) part: usize,
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) current: bool,
    /// Dated after the build time (`serve`, `build --future`).
    pub(crate) scheduled: bool,
}

/// An author's profile from `authors.yaml`, on their page.
#[derive(Debug, Serialize)]
pub(crate) struct ProfileView<'a> {
    pub(crate) bio_html: Cow<'a, str>,
    pub(crate) role: Option<&'a str>,
    pub(crate) image: Option<String>,
    pub(crate) links: Vec<ProfileLinkView<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ProfileLinkView<'a> {
    pub(crate) url: &'a str,
    /// The address without its scheme: `mastodon.social/@jane`.
    pub(crate) label: &'a str,
}

/// One "See also" or "Related" link to another article of the site: its card, and the
/// tags it shares with the page that links it.
#[derive(Debug, Serialize)]
pub(crate) struct SeeAlsoView<'a> {
    #[serde(flatten)]
    pub(crate) card: CardOf<'a>,
    /// The tags this article shares with the page that links it.
    pub(crate) shared_tags: Vec<LinkView<'a>>,
}

/// An entry of the end "Related" block: hand-picked first, then computed.
#[derive(Debug, Serialize)]
pub(crate) struct RelatedView<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: String,
    /// `editor` for the front matter's `related:` links, `see-also` for computed ones.
    pub(crate) kind: &'static str,
    pub(crate) external: bool,
    /// Set when the link points at an article of this site.
    pub(crate) article: Option<SeeAlsoView<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SectionView<'a> {
    pub(crate) heading: &'a str,
    pub(crate) heading_html: &'a str,
    pub(crate) id: &'a str,
    /// The heading's `{.class}` attributes, space-separated, for its `class` (issue 23).
    pub(crate) class: &'a str,
    /// Borrowed, or read back for this page only (see `spill`).
    pub(crate) html: Cow<'a, str>,
    /// The "See also" line that follows this section, if any.
    pub(crate) see_also: Option<SeeAlsoView<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct KeyPointView<'a> {
    pub(crate) label: Option<&'a str>,
    pub(crate) text_html: Cow<'a, str>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FaqView<'a> {
    pub(crate) question: &'a str,
    pub(crate) answer_html: Cow<'a, str>,
}

/// Everything `article.html` gets as `page`.
#[derive(Debug, Serialize)]
pub(crate) struct ArticleView<'a> {
    #[serde(flatten)]
    pub(crate) card: CardOf<'a>,
    /// In the order the writer gave them.
    pub(crate) tags: Vec<LinkView<'a>>,
    pub(crate) authors: Vec<LinkView<'a>>,
    pub(crate) permalink: String,
    /// Absolute URL of the lead image, for Open Graph and cards: a JPEG 1200 px wide
    /// where the source allows, when gazette processes it (issue 16).
    pub(crate) image_permalink: Option<String>,
    /// The size of that file, when known.
    pub(crate) image_permalink_width: Option<u32>,
    pub(crate) image_permalink_height: Option<u32>,
    /// The lead image's caption and credit, for everyone (the alt text is for those who
    /// cannot see the image, so it is never repeated as a caption: issue 23).
    pub(crate) image_caption: Option<&'a str>,
    pub(crate) image_credit: Option<&'a str>,
    /// RFC 3339, for `article:published_time` and `article:modified_time`.
    pub(crate) published_time: String,
    pub(crate) modified_time: String,
    pub(crate) updated_long: Option<String>,
    /// Structured data (NewsArticle, BreadcrumbList, FAQPage), safe to put in a `<script>`.
    pub(crate) json_ld: super::json_ld::JsonLd,
    pub(crate) intro_html: Cow<'a, str>,
    pub(crate) sections: Vec<SectionView<'a>>,
    pub(crate) toc: &'a [crate::markdown::TocEntry],
    pub(crate) key_points: Vec<KeyPointView<'a>>,
    pub(crate) faq: Vec<FaqView<'a>>,
    pub(crate) related: Vec<RelatedView<'a>>,
    /// Newest first (issue 17).
    pub(crate) corrections: Vec<NoticeView<'a>>,
    pub(crate) updates: Vec<NoticeView<'a>>,
    pub(crate) series: Option<SeriesBoxView<'a>>,
    pub(crate) word_count: usize,
    pub(crate) has_code: bool,
    /// The body holds a frame to load on click: the page needs `embed.js`.
    pub(crate) has_embed: bool,
    /// The names of the shortcodes the body calls.
    pub(crate) shortcodes: &'a [String],
    pub(crate) source: String,
    pub(crate) extra: &'a serde_json::Value,
}

/// A page of a listing (home, category, tag, author).
#[derive(Debug, Serialize)]
pub(crate) struct PagerView {
    pub(crate) current: usize,
    pub(crate) total: usize,
    pub(crate) prev_url: Option<String>,
    pub(crate) next_url: Option<String>,
    pub(crate) first_url: String,
    pub(crate) pages: Vec<PagerLink>,
}

#[derive(Debug, Serialize)]
pub(crate) struct PagerLink {
    pub(crate) number: usize,
    pub(crate) url: String,
    pub(crate) current: bool,
}

impl PagerView {
    pub(crate) fn new(site: &Site, base: &UrlPath, current: usize, total: usize) -> PagerView {
        let link = |n: usize| site.config.base_url.link(&base.page(n));
        let pages = pager_numbers(current, total)
            .into_iter()
            .map(|n| PagerLink { number: n, url: link(n), current: n == current })
            .collect();
        PagerView {
            current,
            total,
            prev_url: (current > 1).then(|| link(current - 1)),
            next_url: (current < total).then(|| link(current + 1)),
            first_url: link(1),
            pages,
        }
    }
}

/// The page numbers a pager links: the first, the last, and two either side of the
/// current page, ascending. Touches only those, whatever the number of pages.
fn pager_numbers(current: usize, total: usize) -> Vec<usize> {
    let mut numbers = vec![1];
    numbers.extend(current.saturating_sub(2).max(2)..=(current + 2).min(total));
    if total > 1 {
        numbers.push(total);
    }
    numbers.dedup();
    numbers
}

pub(crate) fn site_view(site: &Site) -> SiteView<'_> {
    let config = &site.config;
    let base = &config.base_url;
    SiteView {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        dir: config.translations.default_language().dir(),
        author: config.author.as_deref(),
        base_url: base.as_str(),
        base_path: base.path(),
        home_url: base.link(&UrlPath::root()),
        tags_url: base.link_str(&Place::fixed_path(Job::TagsIndex)),
        search_url: base.link_str(&Place::fixed_path(Job::Search)),
        archive_url: base.link_str(&Place::fixed_path(Job::ArchiveIndex)),
        feed_url: base.link_str(&Place::fixed_path(Job::SiteFeed)),
        corrections_url: site
            .articles
            .iter()
            .any(|a| !a.doc.draft && !a.doc.corrections.is_empty())
            .then(|| base.link_str(&Place::fixed_path(Job::Corrections))),
        feed_permalink: base.absolute_str(&Place::fixed_path(Job::SiteFeed)),
        logo: config.logo.as_deref().map(|l| base.asset_link(l)),
        categories: site
            .categories
            .iter()
            .map(|c| NavCategory {
                name: &c.name,
                slug: c.slug.as_str(),
                url: base.link(&c.url),
                feed_url: base.link_str(&super::category_feed_path(c)),
                description: c.settings.description.as_deref(),
            })
            .collect(),
        generator: concat!("gazette ", env!("CARGO_PKG_VERSION")),
        extra: &config.extra,
        languages: config
            .language_names
            .iter()
            .map(|(code, name)| {
                let home = match *code == config.default_language {
                    true => String::new(),
                    false => format!("{code}/"),
                };
                LanguageLink {
                    lang: code.clone(),
                    name: name.clone(),
                    link: base.root_link_str(&home),
                    url: base.root_absolute_str(&home),
                    current: *code == config.language,
                }
            })
            .collect(),
    }
}

/// "February 9, 2026" in the site's language.
pub(crate) fn long_date(site: &Site, date: &crate::date::Date) -> String {
    site.config.translations.default_language().date(date.day(), crate::i18n::DateStyle::Long)
}

pub(crate) fn category_link<'a>(site: &'a Site, category: &'a Category) -> LinkView<'a> {
    LinkView {
        name: &category.name,
        url: &site.links().categories[category.id.index()],
        slug: category.slug.as_str(),
    }
}

pub(crate) fn author_link<'a>(site: &'a Site, author: &'a Author) -> LinkView<'a> {
    LinkView {
        name: &author.name,
        url: &site.links().authors[author.id.index()],
        slug: author.slug.as_str(),
    }
}

pub(crate) fn tag_link<'a>(site: &'a Site, tag: &'a Tag) -> LinkView<'a> {
    LinkView { name: &tag.name, url: &site.links().tags[tag.id.index()], slug: tag.slug.as_str() }
}

pub(crate) fn card<'a>(site: &'a Site, article: &'a Article) -> CardView<'a> {
    let base = &site.config.base_url;
    let doc = &article.doc;
    let category = site.category(article.category);
    CardView {
        title: &doc.title,
        url: base.link(&article.url),
        summary: &doc.summary,
        date: doc.date.as_written(),
        date_long: long_date(site, &doc.date),
        updated: doc.updated.map(|u| u.as_written()),
        category: category_link(site, category),
        image: doc.image.as_deref().map(|i| base.asset_link(i)),
        image_alt: doc.image_alt.as_deref(),
        image_width: doc.image_size.map(|(w, _)| w),
        image_height: doc.image_size.map(|(_, h)| h),
        picture: doc.image_picture.as_deref().and_then(|p| picture_view(base, p)),
        reading_minutes: doc.reading_minutes,
        draft: doc.draft,
        scheduled: doc.is_scheduled(site.now),
    }
}

/// A correction or update of `article`; links in it to pages the build leaves out are
/// plain text, as in the body.
pub(crate) fn notice_view<'a>(
    site: &Site,
    article: &Article,
    notice: &'a crate::site::Notice,
) -> NoticeView<'a> {
    NoticeView {
        date: notice.date.as_written(),
        date_long: long_date(site, &notice.date),
        text_html: unlink(site, article, &notice.text_html),
    }
}

/// `html` of `article` without links to pages the build leaves out (issue 17).
fn unlink<'a>(site: &Site, article: &Article, html: &'a str) -> Cow<'a, str> {
    super::unlink::unlink_hidden(site, article, Cow::Borrowed(html))
}

/// The series box of `article`, if it is part of a series.
pub(crate) fn series_box<'a>(site: &'a Site, article: &Article) -> Option<SeriesBoxView<'a>> {
    let series = site.series_of(article.series?);
    let base = &site.config.base_url;
    let parts: Vec<SeriesPartView<'a>> = series
        .articles
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let part = site.article(id);
            SeriesPartView {
                part: i + 1,
                title: &part.doc.title,
                url: base.link(&part.url),
                current: id == article.id,
                scheduled: part.doc.is_scheduled(site.now),
            }
        })
        .collect();
    Some(SeriesBoxView {
        name: &series.name,
        url: base.link(&series.url),
        part: parts.iter().position(|p| p.current).map_or(1, |i| i + 1),
        total: parts.len(),
        parts,
    })
}

pub(crate) fn profile_view<'a>(site: &'a Site, author: &'a Author) -> Option<ProfileView<'a>> {
    let profile = author.profile.as_ref()?;
    Some(ProfileView {
        // A link to a page the build leaves out is its text alone, as in articles.
        bio_html: super::unlink::unlink_hidden_on(
            site,
            author.url.as_str(),
            Cow::Borrowed(&profile.bio_html),
        ),
        role: profile.role.as_deref(),
        image: profile.image.as_deref().map(|i| site.config.base_url.asset_link(i)),
        links: profile
            .links
            .iter()
            .map(|url| ProfileLinkView {
                url,
                label: url
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/'),
            })
            .collect(),
    })
}

/// `target` as a link from `from`: with the tags they share.
pub(crate) fn see_also_view<'a>(
    site: &'a Site,
    from: &Article,
    target: ArticleId,
    making: Making<'_>,
) -> SeeAlsoView<'a> {
    let article = site.article(target);
    let shared_tags = article
        .tags
        .iter()
        .filter(|t| from.tags.contains(t))
        .map(|&t| tag_link(site, site.tag(t)))
        .collect();
    SeeAlsoView { card: making.card(site, article), shared_tags }
}

/// What [`article_view`] is made for.
#[derive(Clone, Copy)]
pub(crate) enum Making<'h> {
    /// The page: everything, its body HTML read back.
    Page,
    /// What a rebuild hashes to decide whether the page changed (issue 15): the same view
    /// without the body HTML, whose hash stands in for it
    /// ([`crate::markdown::Body::html_hash`]), with the JSON-LD as the hash of what it is
    /// made from, and each card as its hash where `cards` gives one. Every part left out
    /// is a function of what stands in for it, so two views that hash the same render the
    /// same page.
    ///
    /// When the article's document has a digest ([`crate::site::Document::digest`]),
    /// which the caller hashes with the view, the parts of the view made from the
    /// document alone, or from it and what the caller hashes too (the settings, the
    /// page's address, the pages the build leaves out), are left empty: its sections'
    /// headings, ids and classes, the table of contents, key points, questions, image
    /// caption and credit, shortcodes, source, `extra`, and the JSON-LD's own text (see
    /// [`super::json_ld::json_ld`]). What other articles, tags, authors, series or
    /// translations give the page is always in the view.
    Fingerprint {
        /// The hash of the card of an article (see [`card`]), if known.
        cards: &'h (dyn Fn(ArticleId) -> Option<blake3::Hash> + Sync),
    },
}

impl Making<'_> {
    /// Whether the view of `article` is hashed with its document's digest (see
    /// [`Making::Fingerprint`]).
    fn by_digest(self, article: &Article) -> bool {
        matches!(self, Making::Fingerprint { .. }) && article.doc.digest.is_some()
    }

    fn card<'a>(self, site: &'a Site, article: &'a Article) -> CardOf<'a> {
        match self {
            Making::Fingerprint { cards } => match cards(article.id) {
                Some(hash) => CardOf::Hashed(hash),
                None => CardOf::Whole(card(site, article)),
            },
            Making::Page => CardOf::Whole(card(site, article)),
        }
    }
}

/// An article's card in a view: whole, or when the view is only hashed, the hash of the
/// card (see [`Making::Fingerprint`]).
// Not boxed: a rendered page would pay an allocation a card for it, and views are made
// one page at a time.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum CardOf<'a> {
    Whole(CardView<'a>),
    Hashed(blake3::Hash),
}

impl Serialize for CardOf<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            CardOf::Whole(card) => card.serialize(serializer),
            // A struct of one field no card has: flattened, it stays apart from a card's.
            CardOf::Hashed(hash) => {
                let mut card = serializer.serialize_struct("CardHash", 1)?;
                card.serialize_field("card_hash", &Bytes(hash.as_bytes()))?;
                card.end()
            }
        }
    }
}

/// Bytes serialized as bytes, not as a sequence of numbers (one tagged number each).
struct Bytes<'b>(&'b [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// What `article.html` gets, or for [`Making::Fingerprint`] what stands in for it when
/// hashed (then no body is read back). Fails only if a parked body cannot be read back.
pub(crate) fn article_view<'a>(
    site: &'a Site,
    article: &'a Article,
    making: Making<'_>,
) -> std::io::Result<ArticleView<'a>> {
    let doc = &article.doc;
    // Hashed with the document's digest: the parts made from the document alone (and the
    // settings, the page's address and the pages left out, hashed beside it) are left
    // empty, the digest standing in for them.
    let by_digest = making.by_digest(article);
    let own = |text: &'a str| if by_digest { "" } else { text };
    let body = |html: &'a crate::spill::Html| -> std::io::Result<Cow<'a, str>> {
        if let Making::Fingerprint { .. } = making {
            return Ok(Cow::Borrowed(""));
        }
        Ok(super::unlink::unlink_hidden(site, article, html.text()?))
    };
    let mut section_html = Vec::with_capacity(doc.body.sections.len());
    for section in &doc.body.sections {
        section_html.push(body(&section.html)?);
    }
    let intro_html = body(&doc.body.intro_html)?;
    let base = &site.config.base_url;
    let see_also = &site.see_also[article.id.index()];
    let sections = doc
        .body
        .sections
        .iter()
        .zip(section_html)
        .enumerate()
        .map(|(i, (s, html))| SectionView {
            heading: own(&s.heading),
            heading_html: own(&s.heading_html),
            id: own(&s.id),
            class: own(&s.classes),
            html,
            see_also: see_also
                .inline
                .iter()
                .find(|(section, _)| *section == i)
                .map(|&(_, target)| see_also_view(site, article, target, making)),
        })
        .collect();
    let mut related: Vec<RelatedView<'a>> = doc
        .related
        .iter()
        // A hand-picked link to a page this build leaves out would lead to a 404.
        .filter(|link| {
            !link.internal.as_ref().is_some_and(|u| super::unlink::is_hidden_url(site, u))
        })
        .map(|link| {
            let target = link.internal.as_ref().and_then(|url| site.find(url));
            RelatedView {
                title: &link.title,
                url: base.asset_link(&link.url),
                kind: "editor",
                external: link.internal.is_none() && !link.url.starts_with('#'),
                article: target.map(|t| see_also_view(site, article, t.id, making)),
            }
        })
        .collect();
    related.extend(see_also.related.iter().map(|&id| {
        let target = site.article(id);
        RelatedView {
            // As its card has them.
            title: &target.doc.title,
            url: base.link(&target.url),
            kind: "see-also",
            external: false,
            article: Some(see_also_view(site, article, id, making)),
        }
    }));
    let permalink = base.absolute_str(article.url.as_str());
    let social = doc.image_picture.as_deref().map(|p| p.social());
    let image_permalink = match &social {
        Some(social) => Some(base.absolute(&social.path)),
        None => doc.image.as_deref().map(|i| base.absolute(i)),
    };
    Ok(ArticleView {
        card: making.card(site, article),
        tags: article.tags.iter().map(|&t| tag_link(site, site.tag(t))).collect(),
        authors: article.authors.iter().map(|&id| author_link(site, site.author(id))).collect(),
        json_ld: super::json_ld::json_ld(
            site,
            article,
            &permalink,
            image_permalink.as_deref(),
            matches!(making, Making::Fingerprint { .. }),
            by_digest,
        ),
        permalink,
        image_permalink,
        image_permalink_width: social.as_ref().map(|s| s.width),
        image_permalink_height: social.as_ref().map(|s| s.height),
        image_caption: doc.image_caption.as_deref().map(own),
        image_credit: doc.image_credit.as_deref().map(own),
        published_time: doc.date.rfc3339(),
        modified_time: doc.modified().rfc3339(),
        updated_long: doc.updated.map(|u| long_date(site, &u)),
        intro_html,
        sections,
        toc: if by_digest { &[] } else { &doc.body.toc },
        // Not even read when hashed by the digest: a document the parse cache kept reads
        // them from there on first use (see `spill::Lazy`).
        key_points: match by_digest {
            true => Vec::new(),
            false => doc
                .key_points
                .iter()
                .map(|k| KeyPointView {
                    label: k.label.as_deref(),
                    text_html: unlink(site, article, &k.text_html),
                })
                .collect(),
        },
        faq: match by_digest {
            true => Vec::new(),
            false => doc
                .faq
                .iter()
                .map(|f| FaqView {
                    question: &f.question,
                    answer_html: unlink(site, article, &f.answer_html),
                })
                .collect(),
        },
        related,
        corrections: doc.corrections.iter().map(|n| notice_view(site, article, n)).collect(),
        updates: doc.updates.iter().map(|n| notice_view(site, article, n)).collect(),
        series: series_box(site, article),
        word_count: doc.body.word_count,
        has_code: doc.body.has_code,
        has_embed: doc.body.has_embed,
        shortcodes: if by_digest { &[] } else { &doc.body.shortcodes },
        source: if by_digest { String::new() } else { crate::error::display_path(&doc.source) },
        extra: if by_digest { &serde_json::Value::Null } else { &doc.extra },
    })
}

#[cfg(test)]
mod tests {
    use super::pager_numbers;

    #[test]
    fn pagers_link_the_ends_and_two_pages_either_side() {
        assert_eq!(pager_numbers(1, 1), [1]);
        assert_eq!(pager_numbers(1, 2), [1, 2]);
        assert_eq!(pager_numbers(1, 20), [1, 2, 3, 20]);
        assert_eq!(pager_numbers(10, 20), [1, 8, 9, 10, 11, 12, 20]);
        assert_eq!(pager_numbers(20, 20), [1, 18, 19, 20]);
        // Against the definition, page by page.
        for total in 1..=12usize {
            for current in 1..=total {
                let expected: Vec<usize> = (1..=total)
                    .filter(|&n| n == 1 || n == total || n.abs_diff(current) <= 2)
                    .collect();
                assert_eq!(pager_numbers(current, total), expected, "page {current} of {total}");
            }
        }
    }
}
