//! Atom 1.0 feeds for the whole site and each category, with absolute URLs.

use std::fmt::Write;

use super::xml::escape;
use crate::site::{Article, Site};
use crate::url::UrlPath;

/// The feed of `articles` (newest first, drafts already left out), served at `self_path`.
pub(crate) fn render_feed<'a>(
    site: &Site,
    title: &str,
    self_path: &str,
    alternate: &UrlPath,
    articles: impl Iterator<Item = &'a Article>,
) -> String {
    let config = &site.config;
    let base = &config.base_url;
    let entries: Vec<&Article> = articles.take(config.feed.limit).collect();
    let updated = entries
        .iter()
        .map(|a| a.doc.modified())
        .max()
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    let mut xml = String::with_capacity(1024 + entries.len() * 1024);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&config.language)
    );
    let _ = writeln!(xml, "  <title>{}</title>", escape(title));
    if !config.description.is_empty() {
        let _ = writeln!(xml, "  <subtitle>{}</subtitle>", escape(&config.description));
    }
    let _ = writeln!(
        xml,
        "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>",
        escape(&base.absolute_str(self_path))
    );
    let home = base.absolute_str(alternate.as_str());
    let _ =
        writeln!(xml, "  <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>", escape(&home));
    let _ = writeln!(xml, "  <id>{}</id>", escape(&base.absolute_str(self_path)));
    let _ = writeln!(xml, "  <updated>{updated}</updated>");
    if let Some(author) = &config.author {
        let _ = writeln!(xml, "  <author><name>{}</name></author>", escape(author));
    }
    let _ =
        writeln!(xml, "  <generator version=\"{}\">gazette</generator>", env!("CARGO_PKG_VERSION"));
    for article in entries {
        entry(&mut xml, site, article);
    }
    xml.push_str("</feed>\n");
    xml
}

/// The feed of every correction of the site, newest first (issue 17): one entry per
/// correction, linking the corrected article.
pub(crate) fn render_corrections_feed(site: &Site) -> String {
    let config = &site.config;
    let base = &config.base_url;
    let self_path = &super::Place::fixed_path(super::Job::CorrectionsFeed);
    let all = site.corrections();
    let shown = &all[..all.len().min(config.feed.limit)];
    let updated = shown
        .first()
        .map(|(_, c)| c.date.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    let mut xml = String::with_capacity(1024 + shown.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        xml,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&config.language)
    );
    let _ = writeln!(xml, "  <title>Corrections | {}</title>", escape(&config.title));
    let _ = writeln!(
        xml,
        "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>",
        escape(&base.absolute_str(self_path))
    );
    let _ = writeln!(
        xml,
        "  <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
        escape(&base.absolute_str(&super::Place::fixed_path(super::Job::Corrections)))
    );
    let _ = writeln!(xml, "  <id>{}</id>", escape(&base.absolute_str(self_path)));
    let _ = writeln!(xml, "  <updated>{updated}</updated>");
    let _ = writeln!(xml, "  <author><name>{}</name></author>", escape(&config.title));
    for (article, correction) in shown {
        let url = base.absolute_str(article.url.as_str());
        let date = correction.date.rfc3339();
        xml.push_str("  <entry>\n");
        let _ = writeln!(xml, "    <title>Correction: {}</title>", escape(&article.doc.title));
        let _ = writeln!(
            xml,
            "    <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
            escape(&url)
        );
        // One article may be corrected twice: the date tells the entries apart.
        let _ = writeln!(xml, "    <id>{}#correction-{date}</id>", escape(&url));
        let _ = writeln!(xml, "    <published>{date}</published>");
        let _ = writeln!(xml, "    <updated>{date}</updated>");
        let _ = writeln!(xml, "    <summary type=\"text\">{}</summary>", escape(&correction.text));
        // A link to a page the build leaves out is its text alone, as on the page.
        let text_html =
            super::unlink::unlink_hidden(site, article, (&*correction.text_html).into());
        let html = absolute_links(&text_html, base.origin());
        let _ = writeln!(xml, "    <content type=\"html\">{}</content>", escape(&html));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

fn entry(xml: &mut String, site: &Site, article: &Article) {
    let base = &site.config.base_url;
    let doc = &article.doc;
    let url = base.absolute_str(article.url.as_str());
    xml.push_str("  <entry>\n");
    let _ = writeln!(xml, "    <title>{}</title>", escape(&doc.title));
    let _ =
        writeln!(xml, "    <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>", escape(&url));
    // The lead image, as feed readers show it beside the entry (issue 16): the social
    // JPEG when gazette processes it, else the image as written.
    let image = match doc.image_picture.as_deref() {
        Some(picture) => Some((base.absolute(&picture.social().path), "image/jpeg")),
        None => doc.image.as_deref().and_then(|image| {
            let kind = image_type(image)?;
            Some((base.absolute(image), kind))
        }),
    };
    if let Some((href, kind)) = image {
        let _ = writeln!(
            xml,
            "    <link rel=\"enclosure\" type=\"{kind}\" href=\"{}\"/>",
            escape(&href)
        );
    }
    let _ = writeln!(xml, "    <id>{}</id>", escape(&url));
    let _ = writeln!(xml, "    <published>{}</published>", doc.date.rfc3339());
    let _ = writeln!(xml, "    <updated>{}</updated>", doc.modified().rfc3339());
    let authors: Vec<&str> = if article.authors.is_empty() {
        site.config.author.as_deref().into_iter().collect()
    } else {
        article.authors.iter().map(|&id| site.author(id).name.as_str()).collect()
    };
    for name in authors {
        let _ = writeln!(xml, "    <author><name>{}</name></author>", escape(name));
    }
    let category = site.category(article.category);
    let _ = writeln!(
        xml,
        "    <category term=\"{}\" label=\"{}\" scheme=\"{}\"/>",
        escape(category.slug.as_str()),
        escape(&category.name),
        escape(&base.absolute_str(category.url.as_str()))
    );
    for &tag in &article.tags {
        let tag = site.tag(tag);
        let _ = writeln!(
            xml,
            "    <category term=\"{}\" label=\"{}\" scheme=\"{}\"/>",
            escape(tag.slug.as_str()),
            escape(&tag.name),
            escape(&base.absolute_str("/tags/"))
        );
    }
    if !doc.summary.is_empty() {
        let _ = writeln!(xml, "    <summary type=\"text\">{}</summary>", escape(&doc.summary));
    }
    if site.config.feed.full_content {
        let html = absolute_links(&full_html(site, article), base.origin());
        let _ = writeln!(xml, "    <content type=\"html\">{}</content>", escape(&html));
    }
    xml.push_str("  </entry>\n");
}

/// The article body as one piece of HTML: intro, then each section with its heading.
/// Links to pages the build leaves out are text alone, as on the article's page.
/// The media type of an image by its address's extension.
fn image_type(address: &str) -> Option<&'static str> {
    let path = address.split(['?', '#']).next()?;
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

fn full_html(site: &Site, article: &Article) -> String {
    let body = &article.doc.body;
    let unlink =
        |html: String| super::unlink::unlink_hidden(site, article, html.into()).into_owned();
    let mut html = unlink(body.intro_html.to_text());
    for section in &body.sections {
        let _ = write!(html, "<h2 id=\"{}\"", section.id);
        if !section.classes.is_empty() {
            let _ = write!(html, " class=\"{}\"", escape(&section.classes));
        }
        let _ = write!(html, ">{}</h2>\n{}", section.heading_html, unlink(section.html.to_text()));
    }
    html
}

/// Root-relative `href` and `src` values (`/news/a/`) become absolute (`https://e.com/news/a/`):
/// feed readers show entries away from the site.
pub(crate) fn absolute_links(html: &str, origin: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(i) = rest.find("=\"/") {
        let attr_start = rest[..i].rfind(|c: char| c.is_whitespace()).map_or(0, |s| s + 1);
        let attr = &rest[attr_start..i];
        out.push_str(&rest[..i + 2]);
        let after = &rest[i + 2..];
        if (attr == "href" || attr == "src") && !after.starts_with("//") {
            out.push_str(origin);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_relative_links_become_absolute() {
        let html = r#"<a href="/news/a/">x</a> <img src="/i.png"> <a href="//cdn.org/x">c</a> <a href="https://o.org/">o</a> <p data-x="/keep">"#;
        assert_eq!(
            absolute_links(html, "https://e.com"),
            r#"<a href="https://e.com/news/a/">x</a> <img src="https://e.com/i.png"> <a href="//cdn.org/x">c</a> <a href="https://o.org/">o</a> <p data-x="/keep">"#
        );
    }
}
