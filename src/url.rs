//! `Slug` and `UrlPath`: the only places where URL pieces are made.

use std::fmt;

use serde::Serialize;

/// A URL segment: lowercase ASCII letters, digits and single dashes, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

/// Longest slug gazette makes (file systems allow 255 bytes a name); longer names are
/// cut at a dash.
const MAX_SLUG_LEN: usize = 200;

/// How text becomes a slug: `slugify:` in site.yaml (issue 19).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Slugify {
    /// Transliterated to lowercase ASCII: `Élection` -> `election`, `東京` -> `dong-jing`.
    #[default]
    Ascii,
    /// Letters and digits of every script kept, lowercased: `東京`, `الانتخابات`.
    Unicode,
}

impl Slug {
    /// A slug made the way `mode` says: [`Slug::new`] for `ascii`.
    pub fn with(text: &str, mode: Slugify) -> Slug {
        match mode {
            Slugify::Ascii => Slug::new(text),
            Slugify::Unicode => Slug::finish(unicode_slug(text), text),
        }
    }

    /// Makes a slug from any text. Text with no letters or digits (only punctuation,
    /// for instance) gets a short stable hash so it still has a distinct, safe URL.
    pub fn new(text: &str) -> Slug {
        Slug::finish(slug::slugify(text), text)
    }

    /// Cuts an overlong slug at a dash, and names an empty one by a hash of `text`.
    fn finish(mut slug: String, text: &str) -> Slug {
        if slug.len() > MAX_SLUG_LEN {
            let mut end = MAX_SLUG_LEN;
            while !slug.is_char_boundary(end) {
                end -= 1;
            }
            let cut = slug[..end].rfind('-').filter(|&i| i > 0).unwrap_or(end);
            slug.truncate(cut);
        }
        if slug.is_empty() {
            let hash = blake3::hash(text.as_bytes());
            slug = format!("x-{}", &hash.to_hex()[..8]);
        }
        Slug(slug)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the hash [`Slug::new`] gives `text` for having no letters or digits.
    pub fn is_hash_of(&self, text: &str) -> bool {
        self.0.len() == 10 && self.0.starts_with("x-") && slug::slugify(text).is_empty()
    }
}

/// Letters, marks and digits of every script, lowercased and NFC-normalised; any other
/// run of characters becomes one dash.
fn unicode_slug(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.nfc().flat_map(char::to_lowercase) {
        // Combining marks (Arabic harakat, Devanagari vowel signs) belong to their letter.
        let keep = c.is_alphanumeric() || (!slug.is_empty() && is_mark(c));
        if keep {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    slug
}

/// Whether `c` is a combining mark that `char::is_alphanumeric` does not count.
fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The path of a page inside the site: starts and ends with `/`, made only of slugs
/// and page numbers, so it can never point outside the output folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct UrlPath(String);

impl UrlPath {
    pub fn root() -> UrlPath {
        UrlPath("/".to_owned())
    }

    /// `/<a>/<b>/` from slugs.
    pub fn from_slugs<'a>(slugs: impl IntoIterator<Item = &'a Slug>) -> UrlPath {
        let mut path = String::from("/");
        for slug in slugs {
            path.push_str(slug.as_str());
            path.push('/');
        }
        UrlPath(path)
    }

    /// A fixed path such as `/tags/` or `/search/`; `segments` must be slug-like.
    pub fn fixed(segments: &[&str]) -> UrlPath {
        let mut path = String::from("/");
        for segment in segments {
            debug_assert!(
                !segment.is_empty()
                    && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                "fixed URL segment `{segment}` must be slug-like"
            );
            path.push_str(segment);
            path.push('/');
        }
        UrlPath(path)
    }

    /// This path with a further segment: `/tags/` + `rates` is `/tags/rates/`.
    pub fn join(&self, slug: &Slug) -> UrlPath {
        UrlPath(format!("{}{}/", self.0, slug.as_str()))
    }

    /// Listing page `n` (1-based) of this path: page 1 is the path itself, page N is
    /// `<path>page/N/`.
    pub fn page(&self, n: usize) -> UrlPath {
        if n <= 1 { self.clone() } else { UrlPath(format!("{}page/{n}/", self.0)) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The relative file this page is written to: `a/b/index.html`.
    pub fn index_file(&self) -> std::path::PathBuf {
        let mut path = std::path::PathBuf::new();
        for segment in self.0.split('/').filter(|s| !s.is_empty()) {
            path.push(segment);
        }
        path.push("index.html");
        path
    }

    /// Parses a site-internal page path written by a user (`/economy/rates/`), keeping
    /// only its path part; `None` unless it is a clean slug path.
    pub fn parse_internal(url: &str) -> Option<UrlPath> {
        let path = url.split(['#', '?']).next().unwrap_or("");
        if !path.starts_with('/') || path.starts_with("//") {
            return None;
        }
        let mut normalised = String::from("/");
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            if segment == "." || segment == ".." || segment.contains('\\') {
                return None;
            }
            normalised.push_str(segment);
            normalised.push('/');
        }
        Some(UrlPath(normalised))
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the site lives: `https://example.com/news/` gives the prefix `/news/` that every
/// link in the output carries, so the site works under a sub-path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Always ends with `/`.
    full: String,
    /// The path part, starting and ending with `/`.
    path: String,
    /// The folder of a language other than the site's default (`fr/`), empty otherwise
    /// (issue 19): the pages, feeds and indexes of that language live below it, the
    /// site's files (images, the theme's assets) do not.
    lang: String,
}

impl BaseUrl {
    /// Accepts `http(s)://host[:port][/path]`; adds the final `/`.
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        let text = text.trim();
        let rest =
            text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")).ok_or_else(
                || format!("expected a URL starting with `https://` or `http://`, found `{text}`"),
            )?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty() || host.contains([' ', '?', '#', '@']) {
            return Err(format!("`{text}` has no valid host name"));
        }
        if path.contains(['?', '#', ' ', '\\']) || path.split('/').any(|s| s == ".." || s == ".") {
            return Err(format!(
                "`{text}` must be a plain folder URL, without `?`, `#`, `..` or spaces"
            ));
        }
        let mut path = path.to_owned();
        if !path.ends_with('/') {
            path.push('/');
        }
        let full = format!("{}{}{}", &text[..text.len() - rest.len()], host, path);
        Ok(BaseUrl { full, path, lang: String::new() })
    }

    /// The same site seen from the pages of the language `code` (not the default one):
    /// its pages are under `/<code>/` (issue 19).
    pub fn with_language(&self, code: &str) -> BaseUrl {
        BaseUrl { lang: format!("{code}/"), ..self.clone() }
    }

    /// The root-relative link to a file of the whole site, whatever the language:
    /// `/news/assets/style.css`.
    pub fn root_link_str(&self, site_path: &str) -> String {
        format!("{}{}", self.path, site_path.trim_start_matches('/'))
    }

    /// The absolute URL of a file of the whole site, whatever the language.
    pub fn root_absolute_str(&self, site_path: &str) -> String {
        format!("{}{}", self.full, site_path.trim_start_matches('/'))
    }

    /// `https://example.com/news/`
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// `https://example.com`: scheme and host, no path.
    pub fn origin(&self) -> &str {
        &self.full[..self.full.len() - self.path.len()]
    }

    /// `/news/`
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The root-relative link to a page: `/news/economy/rates/`. Links in pages use this
    /// form so the output works on any host that serves it under the same path.
    pub fn link(&self, url: &UrlPath) -> String {
        self.link_str(url.as_str())
    }

    /// Like [`BaseUrl::link`] for any site path starting with `/` (an asset, for instance).
    pub fn link_str(&self, site_path: &str) -> String {
        format!("{}{}{}", self.path, self.lang, site_path.trim_start_matches('/'))
    }

    /// The site path of an absolute URL of this site, either scheme:
    /// `https://example.com/news/economy/rates/` gives `/economy/rates/`.
    pub fn site_path(&self, url: &str) -> Option<String> {
        let without_scheme = |u: &str| {
            let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
            let skip = if lower.starts_with("https://") {
                8
            } else if lower.starts_with("http://") {
                7
            } else {
                return None;
            };
            Some(u[skip..].to_owned())
        };
        let ours = without_scheme(&self.full)?;
        let theirs = without_scheme(url.trim())?;
        let (host, path) = ours.split_at(ours.find('/').unwrap_or(ours.len()));
        let rest = theirs.get(host.len()..)?;
        if !theirs[..host.len()].eq_ignore_ascii_case(host) {
            return None;
        }
        // `https://example.com/news` is the home page too.
        let rest = if rest.len() + 1 == path.len() && path.starts_with(rest) { path } else { rest };
        rest.strip_prefix(path).map(|site| format!("/{site}"))
    }

    /// The absolute URL of a site path: `https://example.com/news/economy/rates/`.
    pub fn absolute_str(&self, site_path: &str) -> String {
        format!("{}{}{}", self.full, self.lang, site_path.trim_start_matches('/'))
    }

    /// A link to a file or page named in content: site paths (`/img/a.png`) get the base
    /// path, URLs and relative links stay as written.
    pub fn asset_link(&self, path: &str) -> String {
        if is_site_path(path) { self.root_link_str(path) } else { path.to_owned() }
    }

    /// An absolute URL for a site path or URL named in content.
    pub fn absolute(&self, path: &str) -> String {
        if is_site_path(path) { self.root_absolute_str(path) } else { path.to_owned() }
    }
}

/// `/a/b`, not `//host/a` (a URL without its scheme) or `a/b`.
fn is_site_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//")
}

/// The path of a site address as a file name: `%20` and other `%XX` escapes decoded
/// (`/images/my%20photo.jpg` is the file `images/my photo.jpg`). Left as written when
/// an escape is malformed or the result is not UTF-8.
pub(crate) fn percent_decode(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.contains('%') {
        return std::borrow::Cow::Borrowed(path);
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if bytes[i] == b'%' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(decoded) => std::borrow::Cow::Owned(decoded),
        Err(_) => std::borrow::Cow::Borrowed(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_of_a_path_are_decoded_and_malformed_ones_kept() {
        assert_eq!(percent_decode("/images/my%20photo.jpg"), "/images/my photo.jpg");
        assert_eq!(percent_decode("/caf%C3%A9.png"), "/café.png");
        assert_eq!(percent_decode("/100%.png"), "/100%.png");
        assert_eq!(percent_decode("/a%zz%2"), "/a%zz%2");
        assert_eq!(percent_decode("/bad%FF.png"), "/bad%FF.png");
    }

    #[test]
    fn slugs_are_safe_for_hostile_text() {
        for text in ["../etc/passwd", "a/b\\c", "nul\0byte", "\u{202e}rtl", "🚀🚀", "...", ""] {
            let slug = Slug::new(text);
            assert!(!slug.as_str().is_empty());
            assert!(
                slug.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{slug}"
            );
        }
        assert_eq!(Slug::new("International News").as_str(), "international-news");
        assert!(Slug::new(&"word ".repeat(300)).as_str().len() <= MAX_SLUG_LEN);
    }

    #[test]
    fn only_text_without_letters_or_digits_gets_a_hash() {
        assert!(Slug::new("!!!").is_hash_of("!!!"));
        assert!(!Slug::new("x-c5a90b6c").is_hash_of("x-c5a90b6c"));
        assert!(!Slug::new("Ölpreis").is_hash_of("Ölpreis"));
    }

    #[test]
    fn punctuation_only_names_get_distinct_slugs() {
        assert_ne!(Slug::new("!!!"), Slug::new("???"));
    }

    #[test]
    fn pages_and_files() {
        let tags = UrlPath::fixed(&["tags"]).join(&Slug::new("Rates"));
        assert_eq!(tags.as_str(), "/tags/rates/");
        assert_eq!(tags.page(1).as_str(), "/tags/rates/");
        assert_eq!(tags.page(3).as_str(), "/tags/rates/page/3/");
        assert_eq!(tags.page(3).index_file(), std::path::Path::new("tags/rates/page/3/index.html"));
        assert_eq!(UrlPath::root().index_file(), std::path::Path::new("index.html"));
    }

    #[test]
    fn internal_urls_are_normalised() {
        assert_eq!(UrlPath::parse_internal("/a/b#x").unwrap().as_str(), "/a/b/");
        assert_eq!(UrlPath::parse_internal("/a//b/").unwrap().as_str(), "/a/b/");
        assert!(UrlPath::parse_internal("//evil.com/").is_none());
        assert!(UrlPath::parse_internal("/a/../b/").is_none());
        assert!(UrlPath::parse_internal("a/b/").is_none());
    }

    #[test]
    fn base_url_keeps_its_sub_path() {
        let base = BaseUrl::parse("https://example.com/news").unwrap();
        assert_eq!(base.as_str(), "https://example.com/news/");
        assert_eq!(base.path(), "/news/");
        assert_eq!(base.origin(), "https://example.com");
        assert_eq!(base.link(&UrlPath::fixed(&["tags"])), "/news/tags/");
        assert_eq!(base.absolute_str("/feed.xml"), "https://example.com/news/feed.xml");
        assert_eq!(BaseUrl::parse("http://localhost:1111").unwrap().path(), "/");
        assert!(BaseUrl::parse("example.com").is_err());
        assert!(BaseUrl::parse("https://example.com/a/../b").is_err());
    }

    #[test]
    fn content_links_get_the_base_path_only_when_they_are_site_paths() {
        let base = BaseUrl::parse("https://example.com/news").unwrap();
        assert_eq!(base.asset_link("/img/a.png"), "/news/img/a.png");
        assert_eq!(base.absolute("/img/a.png"), "https://example.com/news/img/a.png");
        for kept in ["//cdn.example.org/a.png", "https://x.org/a.png", "img/a.png", "#faq"] {
            assert_eq!(base.asset_link(kept), kept);
            assert_eq!(base.absolute(kept), kept);
        }
    }

    #[test]
    fn absolute_urls_of_the_site_give_site_paths() {
        let base = BaseUrl::parse("https://example.com/news").unwrap();
        let path = |u: &str| base.site_path(u);
        assert_eq!(
            path("https://example.com/news/economy/rates/").as_deref(),
            Some("/economy/rates/")
        );
        assert_eq!(path("http://EXAMPLE.com/news/a/?x#y").as_deref(), Some("/a/?x#y"));
        assert_eq!(path("https://example.com/news").as_deref(), Some("/"));
        assert_eq!(path("https://example.com/newsroom/a/"), None);
        assert_eq!(path("https://example.com/a/"), None);
        assert_eq!(path("https://example.org/news/a/"), None);
        assert_eq!(path("https://example.com.evil/news/a/"), None);
        assert_eq!(path("/news/a/"), None);
    }
}
