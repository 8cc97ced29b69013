//! Pages a previous build had that this one loses: each shared link to one would break,
//! so `build` warns and says which `aliases:` line keeps it working (issue 17).

use std::path::Path;

use crate::error::{Diagnostic, Location, display_path};
use crate::output::{self, PreviousPage};
use crate::site::{Article, Site};

/// A warning for each article page of the previous build in `output` that `site` no
/// longer has and no alias covers, at the file that probably holds it now.
/// `sites` are the site's languages, the default first (issue 19): a page below `/fr/` is
/// one of the French pages.
pub(super) fn moved_pages(output: &Path, sites: &[Site]) -> Vec<Diagnostic> {
    // Each site's aliases, found once: a previous build has a page per article.
    let aliases: Vec<std::collections::HashSet<&str>> = sites
        .iter()
        .map(|site| site.aliases().into_iter().map(|(alias, _)| alias).collect())
        .collect();
    // Each site's article URLs as written: most folders of the previous output are this
    // build's articles, found without making a path of each (100,000 at 100,000 articles).
    let urls: Vec<rustc_hash::FxHashSet<&str>> =
        sites.iter().map(|site| site.articles.iter().map(|a| a.url.as_str()).collect()).collect();
    // The site a page's path belongs to (by index), and the path inside it.
    let language_of = |path: &str| -> (usize, String) {
        for (index, site) in sites.iter().enumerate().skip(1) {
            let folder = format!("/{}", site.config.language);
            if let Some(rest) = path.strip_prefix(&folder).filter(|r| r.starts_with('/')) {
                return (index, rest.to_owned());
            }
        }
        (0, path.to_owned())
    };
    let folders: Vec<&str> = sites.iter().skip(1).map(|s| s.config.language.as_str()).collect();
    let gone = output::previous_article_pages(output, &folders, &|path| {
        let (index, path) = language_of(path);
        !urls[index].contains(path.as_str()) && !has_page(&sites[index], &aliases[index], &path)
    });
    gone.iter()
        .map(|page| {
            let (index, inside) = language_of(&page.path);
            warning(&sites[index], output, page, &inside)
        })
        .collect()
}

/// Whether `site`, whose aliases are `aliases`, has a page, or means to have none, at
/// `path`.
fn has_page(site: &Site, aliases: &std::collections::HashSet<&str>, path: &str) -> bool {
    // An article scheduled for later or past its `expires:` left on purpose.
    let left_out =
        |path: &str| site.hidden.contains(&format!("{}/index.html", path.trim_matches('/')));
    let has_page = |path: &str| {
        site.by_url_str(path)
            || left_out(path)
            || aliases.contains(path)
            || site.categories.iter().any(|c| c.url.as_str() == path)
            || path.starts_with("/tags/")
            || path.starts_with("/authors/")
            || path.starts_with("/archive/")
            || path.starts_with("/series/")
            // The front page's later pages, which come and go with the article count.
            || path.starts_with("/page/")
            // The fixed pages, which an article page's depth can look like.
            || ["/search/", "/corrections/"].contains(&path)
    };
    has_page(path)
}

/// The warning for `page`, a page of `site` at `alias` inside its language's pages (its
/// path but for the language's folder: what the article's `aliases:` gives).
fn warning(site: &Site, output: &Path, page: &PreviousPage, alias: &str) -> Diagnostic {
    let message = format!("the previous build had a page at `{}` that this one has not", page.path);
    let line = format!("aliases: [\"{alias}\"]");
    match probable_source(site, page) {
        Some(article) => {
            let doc = &article.doc;
            let (at_line, column) = doc.lines.title;
            Diagnostic::warning(
                Location::new(&doc.source, at_line.max(1)).with_column(column.max(1)),
                message,
            )
            .with_hint(if doc.aliases.is_empty() {
                format!(
                    "it is probably `{}`, now at `{}`: add `{line}` to its front matter so shared links keep working",
                    display_path(&doc.source),
                    article.site_path()
                )
            } else {
                // A second `aliases:` line would be a duplicate key.
                format!(
                    "it is probably `{}`, now at `{}`: add `\"{}\"` to its `aliases:` list (line {}) so shared links keep working",
                    display_path(&doc.source),
                    article.site_path(),
                    alias,
                    doc.lines.aliases.first().map_or(1, |&(line, _)| line),
                )
            })
        }
        None => Diagnostic::warning(
            Location::new(output.join(page.path.trim_matches('/')).join("index.html"), 1),
            message,
        )
        .with_hint(match site.output_prefix().is_empty() {
            true => format!(
                "if the article moved, add `{line}` to its front matter so shared links keep working"
            ),
            // An alias is a path inside its language's pages (issue 19).
            false => format!(
                "if the article moved, add `{line}` to the front matter of its `{}` version so shared links keep working",
                site.config.language
            ),
        }),
    }
}

/// The article the old page most likely became: one with the same slug, else the same
/// headline.
fn probable_source<'a>(site: &'a Site, page: &PreviousPage) -> Option<&'a Article> {
    let slug = page.path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    site.articles.iter().find(|a| a.doc.slug.as_str() == slug).or_else(|| {
        let title = page.title.as_deref()?;
        site.articles.iter().find(|a| a.doc.title == title)
    })
}
