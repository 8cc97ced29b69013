//! `site.yaml` -> `Config`: defaults applied, values checked, paths resolved.

use indexmap::IndexMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::url::BaseUrl;
use crate::yaml;

pub const CONFIG_FILE: &str = "site.yaml";
/// Author profiles, optional, beside `site.yaml` (issue 17).
pub const AUTHORS_FILE: &str = "authors.yaml";

/// The site's settings, as the rest of the pipeline sees them.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site folder: where `site.yaml`, `content/` and `themes/` are.
    pub root: PathBuf,
    pub title: String,
    pub base_url: BaseUrl,
    /// The `base_url` of site.yaml, kept when `--base-url` replaces `base_url` for a
    /// preview: full URLs that start with it still point at this site.
    pub published_url: BaseUrl,
    pub language: String,
    pub description: String,
    pub author: Option<String>,
    pub theme: String,
    pub paginate: usize,
    pub default_category: String,
    pub see_also: SeeAlso,
    pub categories: IndexMap<String, CategorySettings>,
    pub markdown: MarkdownSettings,
    pub feed: FeedSettings,
    pub check: CheckSettings,
    /// How the site's own images are resized and encoded (issue 16).
    pub images: ImageSettings,
    /// Site-relative path or URL of the publisher logo used in structured data.
    pub logo: Option<String>,
    /// The zone plain dates are read in and pages show dates in (UTC by default).
    pub timezone: jiff::tz::TimeZone,
    /// Whether site.yaml names a `timezone`: only then are dates with a time shown in it.
    pub timezone_set: bool,
    /// The profiles of `authors.yaml` by name, when the file exists.
    pub authors: Option<IndexMap<String, AuthorProfile>>,
    pub extra: serde_json::Value,
    /// How titles and names become URL segments.
    pub slugify: crate::url::Slugify,
    /// The words, dates and plural rules of `language` (issue 19); of every language of
    /// the site in the configuration of the whole site.
    pub translations: std::sync::Arc<crate::i18n::Translations>,
    /// The site's default language, served at `/` (`language` of site.yaml): the same
    /// as `language` but in the configuration of another language's pages.
    pub default_language: String,
    /// The site's other languages, by code, as site.yaml lists them (issue 19): empty
    /// for a site in one language.
    pub languages: IndexMap<String, LanguageSettings>,
    /// Each language of the site with its name in itself (`Français`), the default first:
    /// what the language switcher shows. Set in the configuration of each language's
    /// pages (see [`Config::for_language`]); empty otherwise.
    pub language_names: Vec<(String, String)>,
}

/// One language of `languages:` in site.yaml: its pages' site title and description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageSettings {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// One entry of `authors.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorProfile {
    /// Markdown.
    #[serde(default)]
    pub bio: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    /// A site path or URL.
    #[serde(default)]
    pub image: Option<String>,
    /// Their pages elsewhere (URLs).
    #[serde(default)]
    pub links: Vec<String>,
    /// Where `image` is written in `authors.yaml` (line, column), for `check`.
    #[serde(skip)]
    pub image_at: (usize, usize),
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SeeAlso {
    /// "See also" links placed between sections of the body.
    pub inline: usize,
    /// "Related" links at the end of an article.
    pub related: usize,
}

impl Default for SeeAlso {
    fn default() -> Self {
        SeeAlso { inline: 3, related: 5 }
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CategorySettings {
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownSettings {
    /// Raw HTML inside Markdown is kept; `false` strips it.
    pub unsafe_html: bool,
}

impl Default for MarkdownSettings {
    fn default() -> Self {
        MarkdownSettings { unsafe_html: true }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedSettings {
    /// Entries per feed.
    pub limit: usize,
    /// Put the whole article in feed entries instead of the summary.
    pub full_content: bool,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings { limit: 20, full_content: false }
    }
}

/// Editorial limits that `check` (and `build`) warn about: preferences, not errors.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckSettings {
    /// Longest `summary:` a listing, feed or search result shows well, in characters.
    pub summary_max_chars: usize,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings { summary_max_chars: 300 }
    }
}

/// How the site's own images are processed (issue 16): every setting here changes the
/// files made, so each is part of the cache key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImageSettings {
    /// The widths made of each image, in pixels; never wider than the source.
    pub widths: Vec<u32>,
    /// Lossy quality of the WebP and JPEG files, 1 to 100.
    pub quality: u8,
    /// Larger images are refused before they are decoded (decompression bombs).
    pub max_pixels: u64,
    /// Also make AVIF files (first `<source>` of each picture). Needs a gazette built with
    /// the `avif` cargo feature: AVIF encoding is slow, so it is off by default.
    pub avif: bool,
}

impl Default for ImageSettings {
    fn default() -> Self {
        ImageSettings {
            widths: vec![480, 800, 1200, 1600],
            quality: 80,
            max_pixels: 50_000_000,
            avif: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    paginate: Option<usize>,
    #[serde(default)]
    default_category: Option<String>,
    #[serde(default)]
    see_also: SeeAlso,
    #[serde(default)]
    categories: IndexMap<String, CategorySettings>,
    #[serde(default)]
    markdown: MarkdownSettings,
    #[serde(default)]
    feed: FeedSettings,
    #[serde(default)]
    check: CheckSettings,
    #[serde(default)]
    images: ImageSettings,
    #[serde(default)]
    logo: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    extra: Option<serde_json::Value>,
    #[serde(default)]
    slugify: crate::url::Slugify,
    #[serde(default)]
    languages: Option<IndexMap<String, Option<LanguageSettings>>>,
}

/// Reads `<root>/site.yaml`, and `authors.yaml` beside it.
pub fn load_config(root: &Path) -> Result<Config> {
    let (config, authors_problems) = load_config_and_authors(root)?;
    if authors_problems.is_empty() { Ok(config) } else { Err(Error::contents(authors_problems)) }
}

/// Like [`load_config`], but the problems of `authors.yaml` come back beside the
/// configuration (without profiles) so `check` reports them with every other finding.
pub fn load_config_and_authors(root: &Path) -> Result<(Config, Vec<Diagnostic>)> {
    let file = root.join(CONFIG_FILE);
    let text = match crate::text_file::read_text(&file, Path::new(CONFIG_FILE)) {
        Ok(text) => text,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Usage(format!(
                "no `{CONFIG_FILE}` in `{}`: run gazette inside a site folder, pass `--root DIR`, or create a site with `gazette init`",
                crate::error::display_path(root)
            )));
        }
        Err(e) => return Err(e),
    };
    let mut config = parse_config(root, &text).map_err(Error::contents)?;
    let files = load_translation_files(root)?;
    if !files.is_empty() {
        let default = config.language.clone();
        let translations =
            crate::i18n::Translations::new(&config.language_codes(), &files, &|code| {
                language_location(Path::new(CONFIG_FILE), &text, &default, code)
            })
            .map_err(Error::contents)?;
        config.translations = std::sync::Arc::new(translations);
    }
    let file = root.join(AUTHORS_FILE);
    if file.is_file() {
        let text = crate::text_file::read_text(&file, Path::new(AUTHORS_FILE))?;
        match parse_authors(&text) {
            Ok(profiles) => config.authors = Some(profiles),
            Err(problems) => return Ok((config, problems)),
        }
    }
    Ok((config, Vec::new()))
}

/// The site's translation files, `i18n/<lang>.yaml`, in name order.
fn load_translation_files(root: &Path) -> Result<Vec<crate::i18n::SiteFile>> {
    let dir = root.join(crate::i18n::FOLDER);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(crate::i18n::FOLDER, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(crate::i18n::FOLDER, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(".yaml") {
            continue;
        }
        let path = Path::new(crate::i18n::FOLDER).join(&name);
        let text = crate::text_file::read_text(&entry.path(), &path)?;
        files.push(crate::i18n::SiteFile { path, text });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Parses the text of `authors.yaml`: a profile per author name.
pub fn parse_authors(text: &str) -> Result<IndexMap<String, AuthorProfile>, Vec<Diagnostic>> {
    let path = Path::new(AUTHORS_FILE);
    if text.trim().is_empty() {
        return Ok(IndexMap::new());
    }
    // An entry with nothing after its name (`Bob Nobody: ~`) is read as `None`, so it
    // gets a message of its own rather than serde's "found unit value".
    let entries: IndexMap<String, Option<AuthorProfile>> =
        yaml::from_str_all(path, 1, 1, text, |_| None).map_err(|partial| partial.problems)?;
    let mut problems = Vec::new();
    let mut profiles = IndexMap::with_capacity(entries.len());
    for (name, profile) in entries {
        let key_at = text.find(&format!("{name}:")).unwrap_or(0);
        let Some(mut profile) = profile else {
            let (line, column) = find_text(text, &format!("{name}:"));
            problems.push(
                Diagnostic::error(
                    Location::new(path, line).with_column(column),
                    format!(
                        "the profile of `{name}` is empty: give at least `bio`, or remove the entry"
                    ),
                )
                .with_excerpt_from(text, 1, Some(name.chars().count())),
            );
            continue;
        };
        if let Some(image) = &profile.image {
            let (line, column) = find_text(&text[key_at..], image);
            let key_line = text[..key_at].matches('\n').count();
            profile.image_at = (key_line + line, column);
        }
        profiles.insert(name, profile);
    }
    for (name, profile) in &profiles {
        for link in &profile.links {
            if !(link.starts_with("https://") || link.starts_with("http://")) {
                let (line, column) = find_text(text, link);
                problems.push(
                    Diagnostic::error(
                        Location::new(path, line).with_column(column),
                        format!("links: `{link}` of `{name}` is not a web address"),
                    )
                    .with_hint("write a full address starting with `https://`")
                    .with_excerpt_from(text, 1, None),
                );
            }
        }
    }
    if problems.is_empty() { Ok(profiles) } else { Err(problems) }
}

/// The line and column where `needle` first appears in `text` (1, 1 if nowhere).
fn find_text(text: &str, needle: &str) -> (usize, usize) {
    match text.find(needle) {
        Some(at) => {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            (text[..at].matches('\n').count() + 1, text[line_start..at].chars().count() + 1)
        }
        None => (1, 1),
    }
}

/// Where `key` of site.yaml (`language`, or `images.avif` for the `avif:` line inside the
/// `images:` block if it is written there in block style, else the parent's line) is.
fn key_location(path: &Path, text: &str, key: &str) -> Location {
    let (line, column) = match key.split_once('.') {
        Some((parent, child)) => {
            nested_position(text, parent, child).or_else(|| yaml::value_position(text, parent))
        }
        None => yaml::value_position(text, key),
    }
    .unwrap_or((1, 1));
    Location::new(path, line).with_column(column)
}

/// Where site.yaml names the language `code`: `language:` for the default one, else its
/// entry under `languages:`.
fn language_location(path: &Path, text: &str, default: &str, code: &str) -> Location {
    if code == default {
        key_location(path, text, "language")
    } else {
        key_location(path, text, &format!("languages.{code}"))
    }
}

/// The line and value column of `child:` written in block style under the top-level
/// `parent:` (`images:` then `  avif: true`).
fn nested_position(text: &str, parent: &str, child: &str) -> Option<(usize, usize)> {
    let keys = yaml::Keys::of(text);
    let (line, lines) = keys.block(parent)?;
    for (i, source) in lines.enumerate().skip(1) {
        let body = source.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body.len() == source.len() {
            return None; // the next top-level key: the block ended
        }
        if let Some(rest) = body.strip_prefix(child).and_then(|r| r.strip_prefix(':')) {
            let indent = source.len() - body.len();
            let gap = rest.len() - rest.trim_start().len();
            return Some((line + i, indent + child.chars().count() + 1 + gap + 1));
        }
    }
    None
}

/// Parses the text of `site.yaml`; `root` is recorded, not read. Returns every problem
/// found, not only the first.
pub fn parse_config(root: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let path = Path::new(CONFIG_FILE);
    let stand_in = |key: &str| match key {
        "title" => Some("stand-in"),
        "base_url" => Some("https://example.com/"),
        _ => None,
    };
    let (raw, mut problems, skipped): (RawConfig, _, _) =
        match yaml::from_str_all(path, 1, 1, text, stand_in) {
            Ok(raw) => (raw, Vec::new(), Vec::new()),
            Err(yaml::Partial { problems, value: Some(raw), skipped }) => (raw, problems, skipped),
            Err(yaml::Partial { problems, value: None, .. }) => return Err(problems),
        };
    // `images.avif` is the `avif:` line inside the `images:` block, if it is written
    // there in block style; else the parent's line.
    let at = |key: &str| key_location(path, text, key);
    // Problems found here point at the value, shown under the message; keys already
    // reported hold stand-in values and are not checked again.
    let mut problem = |key: &str, message: String, hint: Option<&str>| {
        let top = key.split('.').next().unwrap_or(key);
        if !skipped.iter().any(|k| k == top) {
            let d = Diagnostic::error(at(key), message).with_excerpt_from(text, 1, None);
            problems.push(match hint {
                Some(hint) => d.with_hint(hint),
                None => d,
            });
        }
    };
    let base_url = BaseUrl::parse(&raw.base_url).unwrap_or_else(|reason| {
        problem("base_url", format!("base_url: {reason}"), None);
        BaseUrl::parse("https://example.com/").expect("a valid URL")
    });
    let theme = raw.theme.unwrap_or_else(|| "default".to_owned());
    if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
        problem(
            "theme",
            format!("theme: `{theme}` is not a folder name"),
            Some("name a folder inside `themes/`, such as `default`"),
        );
    }
    let paginate = raw.paginate.unwrap_or(10);
    if paginate == 0 {
        problem("paginate", "paginate: expected at least 1 article per page".into(), None);
    }
    if raw.title.trim().is_empty() {
        problem("title", "title: expected the site's name, found nothing".into(), None);
    }
    if raw.feed.limit == 0 {
        problem("feed", "feed.limit: expected at least 1 entry".into(), None);
    }
    if raw.check.summary_max_chars == 0 {
        problem("check", "check.summary_max_chars: expected at least 1 character".into(), None);
    }
    let images = &raw.images;
    if images.widths.is_empty() || images.widths.iter().any(|w| !(16..=8192).contains(w)) {
        problem(
            "images.widths",
            "images.widths: expected a list of widths between 16 and 8192 pixels".into(),
            Some("write for instance `widths: [480, 800, 1200, 1600]`"),
        );
    }
    if !(1..=100).contains(&images.quality) {
        problem("images.quality", "images.quality: expected a number from 1 to 100".into(), None);
    }
    if images.max_pixels == 0 {
        problem("images.max_pixels", "images.max_pixels: expected at least 1 pixel".into(), None);
    }
    if images.avif && !cfg!(feature = "avif") {
        problem(
            "images.avif",
            "images.avif: this gazette was built without AVIF support".into(),
            Some(
                "build gazette with `cargo build --release --features avif`, \
                 or remove `avif: true` to make WebP and JPEG/PNG only",
            ),
        );
    }
    let timezone_set = raw.timezone.is_some();
    let timezone = match raw.timezone.as_deref().map(str::trim) {
        None => jiff::tz::TimeZone::UTC,
        Some(name) => jiff::tz::TimeZone::get(name).unwrap_or_else(|_| {
            problem(
                "timezone",
                format!("timezone: `{name}` is not a time zone gazette knows"),
                Some("write an IANA name such as `Europe/Paris`, `America/New_York` or `UTC`"),
            );
            jiff::tz::TimeZone::UTC
        }),
    };
    let language = raw.language.unwrap_or_else(|| "en".to_owned());
    if let Err(bad) = crate::i18n::check_code(&language) {
        problem(
            "language",
            format!("language: {bad}"),
            Some("write a BCP 47 code such as `en`, `fr` or `pt-BR`"),
        );
    }
    let mut languages = IndexMap::new();
    for (code, settings) in raw.languages.unwrap_or_default() {
        if let Err(bad) = crate::i18n::check_code(&code) {
            problem(
                "languages",
                format!("languages: {bad}"),
                Some("write BCP 47 codes such as `fr`, `ar` or `pt-BR` as the keys of `languages`"),
            );
        } else if code == language {
            problem(
                "languages",
                format!("languages: `{code}` is the default language (`language: {language}`)"),
                Some(
                    "list only the other languages: the default one takes `title` and `description` from the top of site.yaml",
                ),
            );
        } else {
            languages.insert(code, settings.unwrap_or_default());
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|d| d.at.line);
        return Err(problems);
    }
    let codes: Vec<&str> =
        std::iter::once(language.as_str()).chain(languages.keys().map(String::as_str)).collect();
    let translations = crate::i18n::Translations::new(&codes, &[], &|code| {
        language_location(path, text, &language, code)
    })
    .expect("the embedded translations have no problems");
    let extra = match raw.extra {
        None | Some(serde_json::Value::Null) => serde_json::Value::Object(Default::default()),
        Some(v) => v,
    };
    Ok(Config {
        root: root.to_owned(),
        title: raw.title,
        published_url: base_url.clone(),
        base_url,
        description: raw.description.unwrap_or_default(),
        author: raw.author,
        theme,
        paginate,
        default_category: raw.default_category.unwrap_or_else(|| "News".to_owned()),
        see_also: raw.see_also,
        categories: raw.categories,
        markdown: raw.markdown,
        feed: raw.feed,
        check: raw.check,
        images: {
            let mut images = raw.images;
            images.widths.sort_unstable();
            images.widths.dedup();
            images
        },
        logo: raw.logo,
        timezone,
        timezone_set,
        authors: None,
        extra,
        slugify: raw.slugify,
        translations: std::sync::Arc::new(translations),
        default_language: language.clone(),
        language,
        languages,
        language_names: Vec::new(),
    })
}

impl Config {
    /// What the caches know this configuration by: its `Debug` text, with the site's
    /// folder as the folder it is rather than as the command line spelled it, so that
    /// `--root site`, `--root /srv/site` and a build run inside `site/` are one site to
    /// the build and parse caches, not a reason to parse and render everything again.
    pub(crate) fn cache_key(&self) -> String {
        let root = std::fs::canonicalize(&self.root)
            .or_else(|_| std::path::absolute(&self.root))
            .unwrap_or_else(|_| self.root.clone());
        format!("{:?}", Config { root, ..self.clone() })
    }

    /// The site's languages, the default first.
    pub fn language_codes(&self) -> Vec<&str> {
        std::iter::once(self.default_language.as_str())
            .chain(self.languages.keys().map(String::as_str))
            .collect()
    }

    /// Whether site.yaml lists `languages:` besides the default one (issue 19).
    pub fn is_multilingual(&self) -> bool {
        !self.languages.is_empty()
    }

    /// The configuration the pages of the language `code` render with: its own title,
    /// description and words, and links below `/<code>/` unless it is the default
    /// language. `None` if the site has no such language.
    pub fn for_language(&self, code: &str) -> Option<Config> {
        let mut config = self.clone();
        config.translations = std::sync::Arc::new(self.translations.only(code)?);
        config.language_names = self
            .translations
            .languages()
            .iter()
            .map(|l| (l.code.clone(), l.text("language_name", None, &[]).unwrap_or_default()))
            .collect();
        config.language = code.to_owned();
        if code != self.default_language {
            let settings = self.languages.get(code)?;
            if let Some(title) = &settings.title {
                config.title = title.clone();
            }
            if let Some(description) = &settings.description {
                config.description = description.clone();
            }
            config.base_url = self.base_url.with_language(code);
            config.published_url = self.published_url.with_language(code);
        }
        Some(config)
    }

    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("themes").join(&self.theme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_what_is_missing() {
        let c = parse_config(Path::new("."), "title: T\nbase_url: https://e.com/x\n").unwrap();
        assert_eq!(c.language, "en");
        assert_eq!(c.theme, "default");
        assert_eq!(c.paginate, 10);
        assert_eq!(c.default_category, "News");
        assert_eq!((c.see_also.inline, c.see_also.related), (3, 5));
        assert!(c.markdown.unsafe_html);
        assert_eq!(c.check.summary_max_chars, 300);
        assert_eq!(c.base_url.path(), "/x/");
    }

    #[test]
    fn the_summary_limit_is_read_checked_and_its_typos_named() {
        let site = "title: T\nbase_url: https://e.com/\n";
        let c = parse_config(Path::new("."), &format!("{site}check:\n  summary_max_chars: 120\n"))
            .unwrap();
        assert_eq!(c.check.summary_max_chars, 120);
        let typo = format!("{site}check:\n  summary_max_char: 120\n");
        let d = parse_config(Path::new("."), &typo).unwrap_err().remove(0);
        assert_eq!(d.to_string(), "site.yaml:4:3: check: unknown key `summary_max_char`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `summary_max_chars`?"));
        let d = parse_config(Path::new("."), &format!("{site}chek:\n  summary_max_chars: 1\n"))
            .unwrap_err()
            .remove(0);
        assert_eq!(d.to_string(), "site.yaml:3:1: unknown key `chek`");
        assert_eq!(
            d.hint.as_deref(),
            Some("did you mean `check`? (custom data goes under `extra`)")
        );
        let zero = format!("{site}check: {{ summary_max_chars: 0 }}\n");
        let d = parse_config(Path::new("."), &zero).unwrap_err().remove(0);
        assert_eq!(
            d.to_string(),
            "site.yaml:3:8: check.summary_max_chars: expected at least 1 character"
        );
    }

    #[test]
    fn unknown_key_names_line_and_nearest_key() {
        let d = parse_config(Path::new("."), "title: T\nbase_url: https://e.com/\npaginte: 3\n")
            .unwrap_err()
            .remove(0);
        assert_eq!(d.to_string(), "site.yaml:3:1: unknown key `paginte`");
        assert_eq!(
            d.hint.as_deref(),
            Some("did you mean `paginate`? (custom data goes under `extra`)")
        );
    }

    #[test]
    fn nested_unknown_key_is_named_with_its_parent() {
        let d = parse_config(
            Path::new("."),
            "title: T\nbase_url: https://e.com/\nsee_also:\n  inlne: 2\n",
        )
        .unwrap_err()
        .remove(0);
        assert_eq!(d.to_string(), "site.yaml:4:3: see_also: unknown key `inlne`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `inline`?"));
    }

    #[test]
    fn bad_base_url_points_at_its_value() {
        let d = parse_config(Path::new("."), "title: T\nbase_url: example.com\n")
            .unwrap_err()
            .remove(0);
        assert_eq!(
            d.to_string(),
            "site.yaml:2:11: base_url: expected a URL starting with `https://` or `http://`, found `example.com`"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = "titel: T\nbase_url: example.com\npaginate: 0\nsee_also:\n  inlin: 2\n";
        let problems = parse_config(Path::new("."), text).unwrap_err();
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "site.yaml:1:1: unknown key `titel`",
                "site.yaml:1: missing required key `title`",
                "site.yaml:2:11: base_url: expected a URL starting with `https://` or `http://`, found `example.com`",
                "site.yaml:3:11: paginate: expected at least 1 article per page",
                "site.yaml:5:3: see_also: unknown key `inlin`",
            ]
        );
    }
}
