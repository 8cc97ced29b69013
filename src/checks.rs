//! Content checks run on the assembled site and its rendered pages: links and anchors
//! that lead nowhere, images without alt text, empty answers, dates out of order,
//! overlong summaries; and, as warnings, untagged articles and one-off tags.

use std::collections::{HashMap, HashSet};

use crate::error::{Diagnostic, Location};
use crate::site::{Article, Site};

/// Longest summary a listing, feed or search result shows well, in characters.
pub(crate) const MAX_SUMMARY_CHARS: usize = 300;

/// What the build produced, as far as the checks need it.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    /// Every file written, relative to the output folder, with `/` separators.
    pub files: HashSet<String>,
    /// The `id`s of the pages that links point into (`#anchor`), by file.
    pub ids: HashMap<String, HashSet<String>>,
    /// Slugs of the names of article files that failed to parse (`check` goes on past
    /// them): a link to a missing page ending in one of them may be to that article, so it
    /// is checked once the file parses.
    pub unparsed: HashSet<String>,
}

/// The output files whose `id`s the anchor checks need: pages linked with a `#fragment`.
pub(crate) fn anchored_pages(site: &Site) -> HashSet<String> {
    site.articles.iter().flat_map(anchors_of).collect()
}

/// The pages `article` links into with a `#fragment`, as output files.
pub(crate) fn anchors_of(article: &Article) -> Vec<String> {
    links_of(article).anchored
}

/// The files of the site an article links to, as output paths.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkFiles {
    /// Every file linked, fragments dropped.
    pub all: Vec<String>,
    /// The pages linked with a `#fragment`.
    pub anchored: Vec<String>,
}

pub(crate) fn links_of(article: &Article) -> LinkFiles {
    let mut files = LinkFiles::default();
    for target in link_targets(article) {
        let (path, fragment) = target.0.split_once('#').unwrap_or((target.0, ""));
        if let Some(file) = resolve(article, path) {
            if !fragment.is_empty() {
                files.anchored.push(file.clone());
            }
            files.all.push(file);
        }
    }
    files
}

/// Runs every check; returns errors and warnings, in file order.
pub(crate) fn check_site(site: &Site, outputs: &Outputs) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let mut found: Vec<Diagnostic> = site
        .articles
        .par_iter()
        .flat_map_iter(|article| check_article_alone(article, outputs))
        .collect();
    found.extend(check_tags_alone(site));
    sort(&mut found);
    found
}

/// The checks of one article (links, anchors, alt text, answers, dates, summary, tags).
pub(crate) fn check_article_alone(article: &Article, outputs: &Outputs) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    check_article(article, outputs, &mut found);
    found
}

/// The site-wide checks: tags used by one article only, categories written several ways.
pub(crate) fn check_tags_alone(site: &Site) -> Vec<Diagnostic> {
    let mut found = site.category_spellings();
    check_tags(site, &mut found);
    found
}

/// Puts findings in file order.
pub(crate) fn sort(found: &mut [Diagnostic]) {
    found.sort_by(|a, b| {
        (&a.at.path, a.at.line, a.at.column).cmp(&(&b.at.path, b.at.line, b.at.column))
    });
}

/// A link an article makes: the URL as written, and where.
struct Target<'a>(&'a str, Location, usize);

fn link_targets(article: &Article) -> Vec<Target<'_>> {
    let doc = &article.doc;
    let mut targets: Vec<Target<'_>> = doc
        .body
        .links
        .iter()
        .map(|l| {
            Target(&l.target, Location::new(&doc.source, l.line).with_column(l.column), l.width)
        })
        .collect();
    for (link, &(line, column)) in doc.related.iter().zip(&doc.lines.related) {
        // A full URL of this site is checked as the site path it stands for.
        let url = match &link.internal {
            Some(path) if !link.url.starts_with('/') => path.as_str(),
            _ => &link.url,
        };
        targets.push(Target(
            url,
            Location::new(&doc.source, line).with_column(column.max(1)),
            link.url.chars().count(),
        ));
    }
    if let Some(image) = &doc.image {
        let (line, column) = doc.lines.image;
        targets.push(Target(
            image,
            Location::new(&doc.source, line).with_column(column.max(1)),
            image.chars().count(),
        ));
    }
    targets
}

/// The output file a link from `article` reaches, if it stays inside the site:
/// `/a/b/` is `a/b/index.html`, `/x.png` is `x.png`, `` (the page itself) its own file.
fn resolve(article: &Article, path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or("");
    if path.contains(':') || path.starts_with("//") {
        return None; // another site, or a scheme such as mailto:
    }
    let absolute = if path.is_empty() {
        article.url.as_str().to_owned()
    } else if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{}{path}", article.url.as_str())
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in absolute.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let joined = segments.join("/");
    Some(if absolute.ends_with('/') || segments.is_empty() {
        if joined.is_empty() { "index.html".to_owned() } else { format!("{joined}/index.html") }
    } else {
        joined
    })
}

fn check_article(article: &Article, outputs: &Outputs, found: &mut Vec<Diagnostic>) {
    let doc = &article.doc;
    let source = &doc.source;
    for (link, &(line, column)) in doc.related.iter().zip(&doc.lines.related) {
        if link.internal.as_ref() == Some(&article.url) {
            found.push(
                Diagnostic::error(
                    Location::new(source, line).with_column(column.max(1)),
                    "this related link points at the article itself",
                )
                .with_width(link.url.chars().count())
                .with_hint("remove it, or point it at another article"),
            );
        }
    }
    for Target(target, at, width) in link_targets(article) {
        if crate::markdown::runs_code(target) {
            found.push(
                Diagnostic::error(at, format!("link to `{}` would run code", short(target)))
                    .with_width(width)
                    .with_hint("gazette renders it as a dead link: link to a page (`/...`) or an `https://` address"),
            );
            continue;
        }
        let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
        let Some(file) = resolve(article, path) else { continue };
        let exists = outputs.files.contains(&file)
            // `/about` is served as `/about/` by static hosts.
            || (!file.ends_with(".html") && outputs.files.contains(&format!("{file}/index.html")));
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if !exists && outputs.unparsed.contains(last) {
            continue;
        }
        if !exists {
            found.push(
                Diagnostic::error(
                    at,
                    format!("link to `{target}` matches no page or file of the site"),
                )
                .with_width(width)
                .with_hint("check the address; site paths look like `/category/slug/`"),
            );
            continue;
        }
        if !fragment.is_empty()
            && let Some(ids) = outputs.ids.get(&file)
            && !ids.contains(fragment)
        {
            let page = if path.is_empty() { "this page".to_owned() } else { format!("`{path}`") };
            found.push(
                Diagnostic::error(at, format!("`#{fragment}` matches no heading or anchor on {page}"))
                    .with_width(width)
                    .with_hint("heading ids are their text in lowercase with dashes: `## What next` is `#what-next`"),
            );
        }
    }
    for link in doc.body.links.iter().filter(|l| l.is_image && l.missing_alt) {
        found.push(
            Diagnostic::error(
                Location::new(source, link.line).with_column(link.column),
                "image without alt text",
            )
            .with_width(link.width)
            .with_hint(if link.raw_html {
                "describe the image in an `alt` attribute: `<img alt=\"A flooded street\" ...>` (`alt=\"\"` if it only decorates)"
            } else {
                "describe the image between the brackets: `![A flooded street](...)`"
            }),
        );
    }
    if doc.image.is_some() && doc.image_alt.is_none() {
        let (line, column) = doc.lines.image;
        found.push(
            Diagnostic::error(
                Location::new(source, line).with_column(column.max(1)),
                "lead image without alt text",
            )
            .with_hint("describe it for readers who cannot see it: `image_alt: \"...\"`"),
        );
    }
    for (faq, &(line, column)) in doc.faq.iter().zip(&doc.lines.faq) {
        if faq.answer_text.is_empty() {
            found.push(
                Diagnostic::error(
                    Location::new(source, line).with_column(column.max(1)),
                    format!("the question `{}` has no answer", faq.question),
                )
                .with_hint("write its `answer:`, or remove the question"),
            );
        }
    }
    if let Some(updated) = doc.updated
        && doc.updated_before_date()
    {
        let (line, column) = doc.lines.updated;
        found.push(
            Diagnostic::error(
                Location::new(source, line).with_column(column.max(1)),
                format!("updated `{}` is before the publication date `{}`", updated, doc.date),
            )
            .with_hint("an update comes after publication: check both dates"),
        );
    }
    let summary_chars = doc.summary.chars().count();
    if doc.summary_is_explicit && summary_chars > MAX_SUMMARY_CHARS {
        let (line, column) = doc.lines.summary;
        found.push(
            Diagnostic::error(
                Location::new(source, line).with_column(column.max(1)),
                format!("summary is {summary_chars} characters; at most {MAX_SUMMARY_CHARS} read well in listings"),
            )
            .with_hint("keep it to one or two sentences"),
        );
    }
    if article.tags.is_empty() {
        found.push(
            Diagnostic::warning(Location::new(source, 1), "article without tags")
                .with_hint("tags link it to related explainers: `tags: [topic-one, topic-two]`"),
        );
    }
}

fn check_tags(site: &Site, found: &mut Vec<Diagnostic>) {
    for tag in site.tags.iter().filter(|t| t.articles.len() == 1) {
        let article = site.article(tag.articles[0]);
        let doc = &article.doc;
        // The caret goes under the tag's name, or under the list when it is not found.
        let written = doc.tags.iter().position(|t| t.slug == tag.slug);
        let (line, column, width) = match written.and_then(|i| doc.lines.tag_names.get(i)) {
            Some(&(line, column)) if line > 0 => {
                let name = &doc.tags[written.expect("found above")].name;
                (line, column, Some(name.chars().count()))
            }
            _ => (doc.lines.tags.0, doc.lines.tags.1, None),
        };
        let mut d = Diagnostic::warning(
            Location::new(&doc.source, line.max(1)).with_column(column.max(1)),
            format!("the tag `{}` is used by this article only", tag.name),
        )
        .with_hint("a tag links explainers together; reuse an existing tag or drop it");
        if let Some(width) = width {
            d = d.with_width(width);
        }
        found.push(d);
    }
}

/// The values of every `id="..."` attribute in an HTML page.
pub(crate) fn collect_ids(html: &[u8]) -> HashSet<String> {
    let mut ids = HashSet::new();
    let needle = b" id=\"";
    let mut rest = html;
    while let Some(i) = rest.windows(needle.len()).position(|w| w == needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.iter().position(|&b| b == b'"') {
            ids.insert(String::from_utf8_lossy(&rest[..end]).into_owned());
            rest = &rest[end..];
        }
    }
    ids
}

/// The start of a long address, for messages.
fn short(target: &str) -> String {
    match target.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &target[..i]),
        None => target.to_owned(),
    }
}
