//! `sitemap.xml` (split into an index past 50,000 URLs), `news-sitemap.xml` and `robots.txt`.

use std::fmt::Write;

use super::xml::escape;
use crate::date::Date;
use crate::site::Site;

/// The sitemap protocol's limit of URLs per file.
pub(crate) const URLS_PER_SITEMAP: usize = 50_000;
/// Google News reads at most this many, from the last two days.
const NEWS_LIMIT: usize = 1_000;

/// One URL for the sitemap: a site path and when it last changed.
pub(crate) struct Entry {
    pub(crate) path: String,
    pub(crate) lastmod: Option<Date>,
    /// The page's versions in every language, itself included, as (code, absolute URL),
    /// then `x-default` (issue 19): empty for a page without translations.
    pub(crate) alternates: Vec<(String, String)>,
}

/// `url` as a sitemap writes it: characters outside ASCII percent-encoded as UTF-8
/// (RFC 3986), as are spaces and the few ASCII characters a URL may not hold. A unicode
/// slug (`slugify: unicode`) was written raw before.
pub(crate) fn encode_url(url: &str) -> std::borrow::Cow<'_, str> {
    let keep = |b: u8| {
        b.is_ascii_graphic()
            && !matches!(b, b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}')
    };
    if url.bytes().all(keep) {
        return std::borrow::Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len() * 2);
    for b in url.bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The sitemap files: `[("sitemap.xml", xml)]`, or an index and its parts when large.
pub(crate) fn render_sitemaps(site: &Site, entries: &[Entry]) -> Vec<(String, String)> {
    let base = &site.config.base_url;
    let urlset = |chunk: &[Entry]| {
        let mut xml = String::with_capacity(chunk.len() * 120 + 200);
        xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        if chunk.iter().any(|e| !e.alternates.is_empty()) {
            xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
        } else {
            xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        }
        for entry in chunk {
            let loc = base.absolute_str(&entry.path);
            let _ = write!(xml, "  <url><loc>{}</loc>", escape(&encode_url(&loc)));
            if let Some(lastmod) = entry.lastmod {
                let _ = write!(xml, "<lastmod>{}</lastmod>", lastmod.rfc3339());
            }
            for (lang, url) in &entry.alternates {
                let _ = write!(
                    xml,
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    escape(lang),
                    escape(&encode_url(url))
                );
            }
            xml.push_str("</url>\n");
        }
        xml.push_str("</urlset>\n");
        xml
    };
    if entries.len() <= URLS_PER_SITEMAP {
        return vec![("sitemap.xml".to_owned(), urlset(entries))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in entries.chunks(URLS_PER_SITEMAP).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        let _ = write!(index, "  <sitemap><loc>{}</loc>", escape(&base.absolute_str(&name)));
        if let Some(lastmod) = chunk.iter().filter_map(|e| e.lastmod).max() {
            let _ = write!(index, "<lastmod>{}</lastmod>", lastmod.rfc3339());
        }
        index.push_str("</sitemap>\n");
        files.push((name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".to_owned(), index));
    files
}

/// Articles published in the two days before the build time, newest first.
pub(crate) fn render_news_sitemap(site: &Site) -> String {
    let config = &site.config;
    let now = site.now;
    let since = now - jiff::SignedDuration::from_hours(48);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    let recent = site
        .articles
        .iter()
        .filter(|a| !a.doc.draft)
        .filter(|a| {
            let t = a.doc.date.timestamp();
            t > since && t <= now
        })
        .take(NEWS_LIMIT);
    for article in recent {
        let _ = writeln!(
            xml,
            "  <url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name><news:language>{}</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            escape(&encode_url(&config.base_url.absolute_str(article.url.as_str()))),
            escape(&config.title),
            escape(&config.language),
            article.doc.date.rfc3339(),
            escape(&article.doc.title)
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

pub(crate) fn render_robots(site: &Site) -> String {
    let mut text = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.config.base_url.absolute_str("/sitemap.xml")
    );
    // The default language's file is the one crawlers read: it names the sitemap of
    // every other language too (issue 19).
    if site.config.language == site.config.default_language {
        for code in site.config.languages.keys() {
            let _ = writeln!(
                text,
                "Sitemap: {}",
                site.config.base_url.root_absolute_str(&format!("/{code}/sitemap.xml"))
            );
        }
    }
    text
}
