//! The search index: a compact JSON file the search page's script loads.

use serde::Serialize;

use crate::site::Site;

/// `{"categories": [...], "tags": [...], "articles": [[title, summary, category, [tags], url, date], ...]}`:
/// names are stored once and referred to by position, which keeps the file small.
#[derive(Serialize)]
struct Index<'a> {
    version: u32,
    categories: Vec<&'a str>,
    tags: Vec<&'a str>,
    articles: Vec<Entry<'a>>,
}

/// `(title, summary, category, tags, url, date)`: an array in JSON, smaller than an object.
type Entry<'a> = (&'a str, &'a str, usize, Vec<usize>, String, String);

pub(crate) fn render_search_index(site: &Site) -> String {
    let base = &site.config.base_url;
    let index = Index {
        version: 1,
        categories: site.categories.iter().map(|c| c.name.as_str()).collect(),
        tags: site.tags.iter().map(|t| t.name.as_str()).collect(),
        articles: site
            .articles
            .iter()
            .filter(|a| !a.doc.draft)
            .map(|a| {
                (
                    a.doc.title.as_str(),
                    a.doc.summary.as_str(),
                    a.category.index(),
                    a.tags.iter().map(|t| t.index()).collect(),
                    base.link(&a.url),
                    a.doc.date.day().to_string(),
                )
            })
            .collect(),
    };
    serde_json::to_string(&index).expect("the index serialises")
}
