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
}

/// The sitemap files: `[("sitemap.xml", xml)]`, or an index and its parts when large.
pub(crate) fn render_sitemaps(site: &Site, entries: &[Entry]) -> Vec<(String, String)> {
    let base = &site.config.base_url;
    let urlset = |chunk: &[Entry]| {
        let mut xml = String::with_capacity(chunk.len() * 120 + 200);
        xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for entry in chunk {
            let _ = write!(xml, "  <url><loc>{}</loc>", escape(&base.absolute_str(&entry.path)));
            if let Some(lastmod) = entry.lastmod {
                let _ = write!(xml, "<lastmod>{}</lastmod>", lastmod.rfc3339());
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
            escape(&config.base_url.absolute_str(article.url.as_str())),
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
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.config.base_url.absolute_str("/sitemap.xml")
    )
}
