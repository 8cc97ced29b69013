//! One article file -> `Document`: front matter checked, Markdown rendered. Pure, so
//! files are parsed in parallel.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::spill::Lazy;

use crate::config::Config;
use crate::date::Date;
use crate::error::{Diagnostic, LineIndex, Location};
use crate::front_matter::{self, KeyLines, Parsed, TagName};
use crate::markdown::{self, Body, ImageSizes, Shortcodes};
use crate::url::{Slug, UrlPath};

/// Reading speed used for "N min read".
const WORDS_PER_MINUTE: usize = 220;
/// Longest summary taken from the first paragraph, in characters.
const AUTO_SUMMARY_CHARS: usize = 280;

/// Everything an article file says, rendered, before the article takes its place in the site.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Document {
    /// Relative to the site root: `content/world/talks.md`.
    pub source: PathBuf,
    pub slug: Slug,
    pub title: String,
    pub date: Date,
    pub updated: Option<Date>,
    /// The display name; `default_category` when the file has none.
    pub category: String,
    /// The category's URL segment, made once here rather than at every rebuild.
    pub category_slug: Slug,
    pub tags: Vec<TagName>,
    /// From front matter, or the first paragraph when it has none.
    pub summary: String,
    pub summary_is_explicit: bool,
    pub authors: Vec<String>,
    /// One per author, for their pages' URLs.
    pub author_slugs: Vec<Slug>,
    pub image: Option<String>,
    /// The lead image's width and height, when it is a file of the site.
    pub image_size: Option<(u32, u32)>,
    /// The lead image as gazette processes it (issue 16): its resized files, social
    /// image and crops.
    /// Not kept by the parse cache, which keeps no article that has one.
    #[serde(skip)]
    pub image_picture: Option<Arc<crate::images::Picture>>,
    pub image_alt: Option<String>,
    pub image_caption: Option<String>,
    pub image_credit: Option<String>,
    pub draft: bool,
    /// Read from the parse cache on first use (see `spill::Lazy`), like `faq`.
    pub key_points: Lazy<Vec<KeyPoint>>,
    pub faq: Lazy<Vec<Faq>>,
    pub related: Vec<RelatedLink>,
    /// When the article leaves the site.
    pub expires: Option<Date>,
    /// Newest first.
    pub corrections: Vec<Notice>,
    /// Newest first.
    pub updates: Vec<Notice>,
    /// Site paths ending in `/` that redirect to the article.
    pub aliases: Vec<String>,
    pub series: Option<String>,
    /// The article's language: `lang:`, else its file name's suffix (`rates.fr.md`) in a
    /// site of several languages, else the site's default language (issue 19).
    pub lang: String,
    /// What its translations share: `translation_key:`, else the file's path without
    /// the language suffix (`content/economy/rates`).
    pub translation_key: String,
    /// Kept by the parse cache as JSON text: its format reads no self-describing value.
    #[serde(with = "json_text")]
    pub extra: serde_json::Value,
    pub body: Body,
    pub reading_minutes: usize,
    /// Where front matter values are, for later checks.
    pub lines: KeyLines,
    /// What the article gives the search index, counted when it is parsed; `None` when it
    /// was not (the index then counts it itself).
    pub terms: Option<Terms>,
    /// What the whole document is a function of, when a parse cache knows it (see
    /// `ParseCache::digest`): the hash of the cache's identity, the file's path and its
    /// text's hash. `None` when there is no parse cache, or when the parse read an image
    /// file (which may change without the article). A rebuild hashes it in place of the
    /// parts of the article's page made from the document alone.
    #[serde(skip)]
    pub digest: Option<[u8; 32]>,
}

/// The words of an article as the search index counts them (issues 15 and 20), made once
/// when the article is parsed and kept by the parse cache, so an index build reads no body.
/// Made and read by `render::search`; the article's category and tag names are not in
/// it (they depend on the site, not the file).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Terms {
    /// The language whose stemmer found the follower bits.
    pub language: String,
    /// How many words the index counts as the body's.
    pub body_words: u32,
    /// Per distinct folded word, its counts and its number in `vocabulary`, parked on disk
    /// with the body when memory is short.
    pub list: crate::spill::Html,
    /// The blake3 hash of `list`'s text, made with it: what the search index's kept blocks
    /// are keyed by, so a block kept reads none of its articles' lists.
    pub hash: [u8; 32],
    /// What numbers the words: set by whoever made or read the terms (the parse cache
    /// keeps the words apart from the terms).
    #[serde(skip)]
    pub(crate) vocabulary: Option<std::sync::Arc<crate::render::Vocabulary>>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyPoint {
    /// The "Label" of "Label: text", if the point has one.
    pub label: Option<String>,
    /// The text after the label, as inline HTML.
    pub text_html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Faq {
    pub question: String,
    pub answer_html: String,
    /// The answer as plain text, for structured data.
    pub answer_text: String,
}

/// A correction or update, rendered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    pub date: Date,
    pub text_html: String,
    /// The text without markup, for structured data and feeds.
    pub text: String,
    /// Where its `date` is written, for checks (`(0, 0)` for updates).
    pub line: (usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RelatedLink {
    pub title: String,
    /// As written in front matter.
    pub url: String,
    /// A page of this site, when the URL is a site path.
    pub internal: Option<UrlPath>,
}

/// A JSON value as its text, for formats that cannot read a value without knowing its
/// type first (the parse cache's).
mod json_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &serde_json::Value,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<serde_json::Value, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

/// Parses and renders the article file `source` (relative to the site root).
pub fn parse_document(
    source: &Path,
    text: &str,
    config: &Config,
    images: Option<ImageSizes<'_>>,
    shortcodes: Option<&dyn Shortcodes>,
) -> Result<Document, Vec<Diagnostic>> {
    let parsed = front_matter::parse_article(source, text)?;
    let (document, problems) = render_document(source, parsed, config, images, shortcodes);
    if problems.is_empty() { Ok(document) } else { Err(problems) }
}

/// The Markdown half of [`parse_document`]: renders the body, key points and answers of
/// an article whose front matter is already parsed.
///
/// `images` gives the width and height of the site's own images, when known;
/// `shortcodes` renders the body's shortcode calls (without it they stay as written).
/// Comes with the body's problems (shortcode calls that could not be rendered): errors
/// of the file, though the document is whole.
pub fn render_document(
    source: &Path,
    parsed: Parsed<'_>,
    config: &Config,
    images: Option<ImageSizes<'_>>,
    shortcodes: Option<&dyn Shortcodes>,
) -> (Document, Vec<Diagnostic>) {
    let front = parsed.front;
    // Known before the body is rendered: its shortcodes speak its language (issue 19).
    let mut language_problems = Vec::new();
    let (lang, stem) = article_language(source, &front, config, &mut language_problems);
    let page = shortcodes.map(|_| shortcode_page(source, &front, config, &lang));
    let options = markdown::Options {
        unsafe_html: config.markdown.unsafe_html,
        base_path: config.base_url.path(),
        image_sizes: images,
        shortcodes: shortcodes
            .zip(page.as_ref())
            .map(|(renderer, page)| markdown::ShortcodeContext { renderer, page }),
    };
    let mut body = markdown::render_body(parsed.body, parsed.body_line, &options);
    let lines = (!body.problems.is_empty()).then(|| LineIndex::new(parsed.body));
    let mut problems: Vec<Diagnostic> = std::mem::take(&mut body.problems)
        .into_iter()
        .map(|p| {
            let at = Location::new(source, p.line).with_column(p.column);
            let mut diagnostic = Diagnostic::error(at, p.message).with_width(p.width);
            if let Some(lines) = &lines {
                diagnostic = diagnostic.with_excerpt_in(lines, parsed.body_line, Some(p.width));
            }
            match p.hint {
                Some(hint) => diagnostic.with_hint(hint),
                None => diagnostic,
            }
        })
        .collect();
    problems.extend(language_problems);
    // `slugify: unicode` keeps every script (issue 19); `ascii` is what front_matter made.
    let slugify = config.slugify;
    let slug = match (front.slug, &front.slug_text) {
        (Some(_), Some(text)) if slugify != crate::url::Slugify::Ascii => Slug::with(text, slugify),
        (Some(slug), _) => slug,
        (None, _) => Slug::with(&stem, slugify),
    };
    let translation_key = match &front.translation_key {
        Some(key) => format!("key:{key}"),
        None => format!("file:{}", crate::error::display_path(&source.with_file_name(&stem))),
    };
    let mut tags = front.tags;
    if slugify != crate::url::Slugify::Ascii {
        // Names with one ASCII slug were merged already; in Unicode they stay apart, so
        // the list (and its `lines.tag_names`) keeps its length.
        for tag in &mut tags {
            tag.slug = Slug::with(&tag.name, slugify);
        }
    }
    let first_paragraph = body.first_paragraph.take();
    let (summary, summary_is_explicit) = match front.summary {
        Some(summary) => (summary, true),
        None => (shorten(first_paragraph.as_deref().unwrap_or(""), AUTO_SUMMARY_CHARS), false),
    };
    let key_points = front.key_points.iter().map(|point| key_point(point, &options)).collect();
    let faq = front
        .faq
        .into_iter()
        .map(|entry| {
            let (answer_html, answer_text) = markdown::render_answer(&entry.answer, &options);
            Faq { question: entry.question.trim().to_owned(), answer_html, answer_text }
        })
        .collect();
    let related = front
        .related
        .into_iter()
        .map(|link| {
            let url = link.url.trim().to_owned();
            RelatedLink {
                title: link.title.trim().to_owned(),
                internal: UrlPath::parse_internal(&url).or_else(|| {
                    // A full URL of this very site is a link to one of its pages.
                    [&config.base_url, &config.published_url]
                        .iter()
                        .find_map(|base| base.site_path(&url))
                        .and_then(|path| UrlPath::parse_internal(&path))
                }),
                url,
            }
        })
        .collect();
    let zone = |d: Date| d.in_zone(&config.timezone, config.timezone_set);
    let notices = |notes: Vec<front_matter::Note>, lines: &[(usize, usize)]| {
        let mut notices: Vec<Notice> = notes
            .into_iter()
            .enumerate()
            .map(|(i, note)| {
                let (_, text) = markdown::render_answer(&note.text, &options);
                Notice {
                    date: zone(note.date),
                    text_html: markdown::render_inline(&note.text, &options),
                    text,
                    line: lines.get(i).copied().unwrap_or((0, 0)),
                }
            })
            .collect();
        notices.sort_by_key(|n| std::cmp::Reverse(n.date));
        notices
    };
    let corrections = notices(front.corrections, &front.lines.corrections);
    let updates = notices(front.updates, &[]);
    let reading_minutes = body.word_count.div_ceil(WORDS_PER_MINUTE).max(1);
    // More than MAX_HEADINGS headings: the body was rendered only up to there.
    problems.extend(body.too_many_headings.map(|(line, column)| {
        let d = Diagnostic::error(
            Location::new(source, line).with_column(column),
            format!("more than {} headings in one article", markdown::MAX_HEADINGS),
        )
        .with_hint(format!(
            "this is heading {}; split the article, or make the lesser headings bold text (`**...**`)",
            markdown::MAX_HEADINGS + 1
        ));
        d.with_excerpt_from(parsed.body, parsed.body_line, None)
    }));
    let category = front.category.unwrap_or_else(|| config.default_category.clone());
    let lead = front.image.as_deref().and_then(|image| {
        let (line, column) = front.lines.image;
        let usage = crate::images::Usage {
            line,
            column,
            width: image.chars().count(),
            lead: true,
            measure_only: false,
        };
        images.and_then(|find| find(image, usage))
    });
    let document = Document {
        source: source.to_owned(),
        slug,
        title: front.title,
        date: zone(front.date),
        updated: front.updated.map(zone),
        category_slug: Slug::with(&category, slugify),
        category,
        tags,
        summary,
        summary_is_explicit,
        author_slugs: front.authors.iter().map(|a| Slug::with(a, slugify)).collect(),
        authors: front.authors,
        image_size: lead.as_ref().map(|found| (found.width, found.height)),
        image_picture: lead.and_then(|found| found.picture),
        image: front.image,
        image_alt: front.image_alt,
        image_caption: front.image_caption,
        image_credit: front.image_credit,
        draft: front.draft,
        key_points,
        faq,
        related,
        expires: front.expires.map(zone),
        corrections,
        updates,
        aliases: front.aliases,
        series: front.series,
        lang,
        translation_key,
        extra: front.extra,
        body,
        reading_minutes,
        lines: front.lines,
        terms: None,
        digest: None,
    };
    (document, problems)
}

/// The language of the article at `source` and its file name without the language
/// suffix (issue 19). A language the site does not list is an error of the file, and the
/// article is taken to be in the default language.
fn article_language(
    source: &Path,
    front: &front_matter::FrontMatter,
    config: &Config,
    problems: &mut Vec<Diagnostic>,
) -> (String, String) {
    let stem = source.file_stem().unwrap_or_default().to_string_lossy();
    let known = |code: &str| config.language_codes().contains(&code);
    let listed =
        || config.language_codes().iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    let hint = |code: &str| {
        format!(
            "the site's languages are {}: add `{code}` under `languages:` in site.yaml, or write one of them",
            listed()
        )
    };
    // Only a site in several languages reads the suffix: elsewhere `rates.fr.md` keeps
    // the slug `rates-fr` it always had.
    let mut suffix = None;
    if config.is_multilingual()
        && let Some((name, code)) = stem.rsplit_once('.')
        && !name.is_empty()
    {
        if known(code) {
            suffix = Some((code.to_owned(), name.to_owned()));
        } else if looks_like_language(code) && front.lang.is_none() {
            problems.push(
                Diagnostic::error(
                    Location::new(source, 1),
                    format!(
                        "the file name gives the language `{code}`, which site.yaml does not list"
                    ),
                )
                .with_hint(hint(code)),
            );
        }
    }
    let stem = suffix.as_ref().map_or_else(|| stem.clone().into_owned(), |(_, name)| name.clone());
    let lang = match &front.lang {
        Some(code) if known(code) => code.clone(),
        Some(code) => {
            let (line, column) = front.lines.lang;
            problems.push(
                Diagnostic::error(
                    Location::new(source, line.max(1)).with_column(column.max(1)),
                    format!("lang: `{code}` is not a language of this site"),
                )
                .with_width(code.chars().count())
                .with_hint(hint(code)),
            );
            config.default_language.clone()
        }
        None => suffix.map_or_else(|| config.default_language.clone(), |(code, _)| code),
    };
    (lang, stem)
}

/// Whether a file name's last dotted part reads as a language code (`fr`, `pt-BR`), not
/// as a word or a version (`old`, `v2`).
fn looks_like_language(part: &str) -> bool {
    let (primary, region) = part.split_once('-').unwrap_or((part, ""));
    primary.len() == 2
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && (region.is_empty()
            || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic())))
}

/// What a shortcode's template sees as `page`: the article's front matter, as it is
/// known before the site is assembled (no URL, no summary taken from the body).
fn shortcode_page(
    source: &Path,
    front: &front_matter::FrontMatter,
    config: &Config,
    lang: &str,
) -> serde_json::Value {
    let category = front.category.as_deref().unwrap_or(&config.default_category);
    serde_json::json!({
        "lang": lang,
        "title": front.title,
        "date": front.date.to_string(),
        "updated": front.updated.map(|d| d.to_string()),
        "category": category,
        "tags": front.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        "authors": front.authors,
        "summary": front.summary,
        "draft": front.draft,
        "source": crate::error::display_path(source),
        "extra": front.extra,
    })
}

impl Document {
    /// When the article last changed: `updated`, but never before publication (an
    /// `updated` day given without a time means that day, even if published later in it).
    pub fn modified(&self) -> Date {
        let notes = self.corrections.iter().chain(&self.updates).map(|n| n.date);
        notes.chain(self.updated).fold(self.date, Date::max)
    }

    /// Not yet published at `now`: dated later.
    pub fn is_scheduled(&self, now: jiff::Timestamp) -> bool {
        self.date.timestamp() > now
    }

    /// Gone from the site at `now`: its `expires` has passed.
    pub fn is_expired(&self, now: jiff::Timestamp) -> bool {
        self.expires.is_some_and(|e| e.timestamp() <= now)
    }

    /// `updated` is before publication: on an earlier day, or earlier the same day when
    /// both have a time.
    pub fn updated_before_date(&self) -> bool {
        match self.updated {
            Some(u) if u.is_date_only() || self.date.is_date_only() => u.day() < self.date.day(),
            Some(u) => u < self.date,
            None => false,
        }
    }
}

/// "Label: text" puts the label in bold; a point without a short plain label is all text.
fn key_point(point: &str, options: &markdown::Options<'_>) -> KeyPoint {
    if let Some((label, rest)) = point.split_once(':') {
        let label = label.trim();
        let plain = !label.is_empty()
            && label.chars().count() <= 40
            && label.split_whitespace().count() <= 6
            && !label.contains(['[', ']', '(', '`', '*', '_', '<', '>', '/', '#']);
        if plain && rest.starts_with(char::is_whitespace) {
            return KeyPoint {
                label: Some(label.to_owned()),
                text_html: markdown::render_inline(rest.trim(), options),
            };
        }
    }
    KeyPoint { label: None, text_html: markdown::render_inline(point.trim(), options) }
}

/// Cuts `text` to at most `max` characters at a word boundary, adding `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        crate::config::parse_config(Path::new("."), "title: T\nbase_url: https://e.com/news/\n")
            .unwrap()
    }

    #[test]
    fn key_point_labels_are_split_off() {
        let opts = markdown::Options {
            unsafe_html: true,
            base_path: "/",
            image_sizes: None,
            shortcodes: None,
        };
        let p = key_point("Why it matters: rates **rise**", &opts);
        assert_eq!(p.label.as_deref(), Some("Why it matters"));
        assert_eq!(p.text_html, "rates <strong>rise</strong>");
        assert_eq!(key_point("See https://x.org: now", &opts).label, None);
        assert_eq!(key_point("Time 10:30 today", &opts).label, None);
    }

    #[test]
    fn document_defaults() {
        let text = "---\ntitle: T\ndate: 2026-01-02\nrelated:\n  - title: R\n    url: /economy/x/\n---\n\nFirst paragraph here.\n\n## A\n\nBody.\n";
        let d = parse_document(Path::new("content/econ/My File.md"), text, &config(), None, None)
            .unwrap();
        assert_eq!(d.slug.as_str(), "my-file");
        assert_eq!(d.category, "News");
        assert_eq!(d.summary, "First paragraph here.");
        assert!(!d.summary_is_explicit);
        assert_eq!(d.reading_minutes, 1);
        assert_eq!(d.related[0].internal.as_ref().map(|u| u.as_str()), Some("/economy/x/"));
    }

    #[test]
    fn shorten_cuts_at_words() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("one two three four", 12), "one two…");
    }
}
