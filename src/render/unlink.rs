//! Links to pages a build leaves out (issue 17): an article scheduled for later or
//! expired has no page, so a link to it in a published body would lead to a 404. Such
//! links are rendered as their text alone; `check` still warns about each.

use std::borrow::Cow;

use crate::site::{Article, Site};

/// `html` (an article body) with every `<a>` whose `href` leads to a hidden page replaced
/// by its content. Borrowed when nothing changes.
pub(crate) fn unlink_hidden<'h>(
    site: &Site,
    article: &Article,
    html: Cow<'h, str>,
) -> Cow<'h, str> {
    unlink_hidden_on(site, article.url.as_str(), html)
}

/// Like [`unlink_hidden`], for HTML shown on the page at the site path `page` (an author's
/// bio on `/authors/ann/`).
pub(crate) fn unlink_hidden_on<'h>(site: &Site, page: &str, html: Cow<'h, str>) -> Cow<'h, str> {
    if site.hidden.is_empty() || !html.contains("<a") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest: &str = &html;
    let mut changed = false;
    while let Some(start) = find_anchor(rest) {
        let Some(end) = rest[start..].find('>').map(|e| start + e + 1) else { break };
        let tag = &rest[start..end];
        let hidden = href(tag).is_some_and(|h| leads_to_hidden(site, page, &h));
        if !hidden {
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        changed = true;
        out.push_str(&rest[..start]);
        rest = &rest[end..];
        // Anchors do not nest: the next `</a>` closes this one.
        if let Some(close) = rest.find("</a>") {
            out.push_str(&rest[..close]);
            rest = &rest[close + "</a>".len()..];
        }
    }
    if !changed {
        return html;
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Where the next `<a` tag (not `<abbr`, `<aside`...) starts.
fn find_anchor(html: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = html[from..].find("<a") {
        let at = from + i;
        match html.as_bytes().get(at + 2) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'>') => return Some(at),
            _ => from = at + 2,
        }
    }
    None
}

/// The `href` of a start tag, entity-decoded for the few entities a URL carries.
fn href(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("href") {
        let at = from + i;
        from = at + 4;
        if !lower[..at].ends_with([' ', '\t', '\n', '\r']) {
            continue;
        }
        let after = tag[at + 4..].trim_start();
        let Some(value) = after.strip_prefix('=') else { continue };
        let value = value.trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split([' ', '>', '\t', '\n']).next().unwrap_or(""),
        };
        return Some(raw.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", "\""));
    }
    None
}

/// Whether `href`, as rendered on the page at `page`, reaches a page the build leaves out.
fn leads_to_hidden(site: &Site, page: &str, href: &str) -> bool {
    let href = href.split('#').next().unwrap_or("");
    // Root-relative links carry the site's base path; full URLs of the site count too.
    let path = if let Some(path) = site.config.base_url.site_path(href) {
        path
    } else if let Some(rest) = href.strip_prefix(site.config.base_url.path()) {
        format!("/{rest}")
    } else if href.starts_with('/') {
        return false; // outside the site's path
    } else {
        href.to_owned()
    };
    let Some(file) = crate::checks::resolve_from(page, &path) else { return false };
    site.hidden.contains(&file)
        || (!file.ends_with(".html") && site.hidden.contains(&format!("{file}/index.html")))
}

/// Whether the site path `url` is a page the build leaves out.
pub(crate) fn is_hidden_url(site: &Site, url: &crate::url::UrlPath) -> bool {
    // Most builds leave nothing out: no file name is made to look up.
    !site.hidden.is_empty() && site.hidden.contains(&crate::error::display_path(&url.index_file()))
}
