//! Which pages an edit changes: compares the pages of the previous site with those of
//! the new one, so a rebuild re-renders only what readers would see differ.
//!
//! Valid only when the two sites share their global template values (configuration,
//! category navigation, asset names); callers render everything otherwise.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Job, Pages, Paging};
use crate::site::{ArticleId, Site};
use crate::url::UrlPath;

/// The jobs to run after an edit: the pages whose content changed, and the site-wide
/// files (feeds, sitemaps, indexes) that are cheap to write again. `changed` holds the
/// documents read again for this edit (their addresses: unchanged ones are shared).
pub(crate) fn plan_update(old: &Pages<'_>, new: &Pages<'_>, changed: &HashSet<usize>) -> Vec<Job> {
    let (old_site, new_site) = (old.site(), new.site());
    // A tag's name shows on its pages, on every article carrying it and beside "See
    // also" links: when an edit changes it (another spelling is now the most used), every
    // page may show it. Tags are in slug order.
    let renamed = new_site.tags.iter().any(|t| {
        old_site
            .tags
            .binary_search_by(|o| o.slug.cmp(&t.slug))
            .is_ok_and(|i| old_site.tags[i].name != t.name)
    });
    if renamed {
        return new.jobs();
    }
    let old_ids: HashMap<&UrlPath, ArticleId> =
        old_site.articles.iter().map(|a| (&a.url, a.id)).collect();
    // Articles whose card (what listings and links show of them) is new, gone or different.
    let mut card_changed: HashSet<&UrlPath> = HashSet::default();
    for article in &new_site.articles {
        match old_ids.get(&article.url) {
            Some(&old_id) if old.card(old_id) == new.card(article.id) => {}
            _ => {
                card_changed.insert(&article.url);
            }
        }
    }
    let new_urls: HashSet<&UrlPath> = new_site.articles.iter().map(|a| &a.url).collect();
    card_changed.extend(old_site.articles.iter().map(|a| &a.url).filter(|u| !new_urls.contains(u)));

    let mut jobs = Vec::new();
    for article in &new_site.articles {
        let render = changed.contains(&(std::sync::Arc::as_ptr(&article.doc) as usize))
            || card_changed.contains(&article.url)
            || match old_ids.get(&article.url) {
                None => true,
                Some(&old_id) => {
                    links(old_site, old_id) != links(new_site, article.id)
                        // Its translations' addresses, in its head and language switcher
                        // (issue 19).
                        || old_site.alternates.get(old_id.index())
                            != new_site.alternates.get(article.id.index())
                        || links(new_site, article.id).iter().any(|(_, u)| card_changed.contains(u))
                        || related_urls(new_site, article.id).any(|u| card_changed.contains(u))
                        || series_parts(old_site, old_id) != series_parts(new_site, article.id)
                        || series_parts(new_site, article.id).is_some_and(|(_, parts)| {
                            parts.iter().any(|u| card_changed.contains(u))
                        })
                }
            };
        if render {
            jobs.push(Job::Article(article.id));
        }
    }

    let paging = Paging::new(new_site);
    let mut listing = |old_list: Option<&[ArticleId]>,
                       new_list: &[ArticleId],
                       make: &dyn Fn(usize) -> Job,
                       force: bool| {
        let new_urls: Vec<&UrlPath> =
            new_list.iter().map(|&id| &new_site.article(id).url).collect();
        let old_urls: Vec<&UrlPath> =
            old_list.unwrap_or(&[]).iter().map(|&id| &old_site.article(id).url).collect();
        let pages = paging.count(new_urls.len());
        let old_pages = paging.count(old_urls.len());
        for page in 1..=pages {
            let new_slice = paging.page(&new_urls, page);
            let differs = force
                || old_list.is_none()
                || pages != old_pages
                || new_slice != paging.page(&old_urls, page)
                || new_slice.iter().any(|u| card_changed.contains(u));
            if differs {
                jobs.push(make(page));
            }
        }
    };

    let all_new: Vec<ArticleId> = new_site.articles.iter().map(|a| a.id).collect();
    let all_old: Vec<ArticleId> = old_site.articles.iter().map(|a| a.id).collect();
    listing(Some(&all_old), &all_new, &|page| Job::Home { page }, false);
    for (index, c) in new_site.categories.iter().enumerate() {
        let old =
            old_site.categories.iter().find(|o| o.slug == c.slug).map(|o| o.articles.as_slice());
        listing(old, &c.articles, &|page| Job::Category { index, page }, false);
    }
    for (index, t) in new_site.tags.iter().enumerate() {
        let old = old_site.tags.iter().position(|o| o.slug == t.slug);
        let topics_changed =
            old.is_none_or(|o| related_topics(old_site, o) != related_topics(new_site, index));
        let old = old.map(|o| old_site.tags[o].articles.as_slice());
        listing(old, &t.articles, &|page| Job::Tag { index, page }, topics_changed);
    }
    for (index, a) in new_site.authors.iter().enumerate() {
        let old = old_site.authors.iter().find(|o| o.slug == a.slug).map(|o| o.articles.as_slice());
        listing(old, &a.articles, &|page| Job::Author { index, page }, false);
    }
    for (index, m) in new.months.iter().enumerate() {
        let old = old.months.iter().find(|o| o.url == m.url).map(|o| o.articles.as_slice());
        listing(old, &m.articles, &|page| Job::ArchiveMonth { index, page }, false);
    }
    // The front page's category blocks follow every category's newest articles.
    if !jobs.contains(&Job::Home { page: 1 }) {
        jobs.push(Job::Home { page: 1 });
    }
    if super::search_examples(old_site) != super::search_examples(new_site) {
        jobs.push(Job::Search);
    }
    jobs.extend(new.archive_year_jobs());
    jobs.extend([
        Job::ArchiveIndex,
        Job::TagsIndex,
        Job::SiteFeed,
        Job::Sitemaps,
        Job::NewsSitemap,
        Job::SearchIndex,
    ]);
    jobs.extend((0..new_site.categories.len()).map(|index| Job::CategoryFeed { index }));
    // Series pages, corrections and redirects (issue 17): few and cheap.
    jobs.extend(new.newsroom_jobs());
    jobs
}

/// The series box of an article: the series' name and its parts' URLs, in order.
fn series_parts(site: &Site, id: ArticleId) -> Option<(&str, Vec<&UrlPath>)> {
    let series = site.series_of(site.article(id).series?);
    Some((&series.name, series.articles.iter().map(|&a| &site.article(a).url).collect()))
}

/// Where an article's "See also" links go and what they point at: the section each
/// inline link follows (`None` for the end list) and the target's URL.
fn links(site: &Site, id: ArticleId) -> Vec<(Option<usize>, &UrlPath)> {
    let see_also = &site.see_also[id.index()];
    let inline =
        see_also.inline.iter().map(|&(section, target)| (Some(section), &site.article(target).url));
    let related = see_also.related.iter().map(|&target| (None, &site.article(target).url));
    inline.chain(related).collect()
}

/// The site pages an article's front matter `related:` links point at.
fn related_urls(site: &Site, id: ArticleId) -> impl Iterator<Item = &UrlPath> {
    site.article(id).doc.related.iter().filter_map(|r| r.internal.as_ref())
}

fn related_topics(site: &Site, index: usize) -> Vec<(&str, usize)> {
    site.tags[index].related.iter().map(|&(t, n)| (site.tag(t).slug.as_str(), n)).collect()
}

/// Every file the jobs of `pages` write, found without rendering them: all but the
/// sitemaps (their number depends on what is rendered) and the theme's assets.
pub(crate) fn page_files(pages: &Pages<'_>) -> std::collections::HashSet<String> {
    let mut files = std::collections::HashSet::new();
    for job in pages.jobs() {
        if let Some(path) = pages.job_file(job) {
            files.insert(path);
        }
    }
    files
}

/// Every file the site generates (pages, feeds, sitemaps, search index, the theme's
/// assets), each with what it is, in words: so a content file that would replace one is
/// named with what it replaces (issue 22). Nothing is rendered.
pub(crate) fn generated_files(site: &Site, theme: &crate::theme::Theme) -> HashMap<String, String> {
    let pages = Pages {
        site,
        theme,
        cards: Vec::new(),
        all: Vec::new(),
        months: super::months(site),
        aliases: super::aliases_of(site),
        reuse: None,
        card_hashes: Default::default(),
        card_hash_by_id: Vec::new(),
        hidden_hash: blake3::hash(b""),
        entity_hashes: Default::default(),
    };
    let nth = |page: usize, what: String| {
        if page == 1 { what } else { format!("page {page} of {what}") }
    };
    let mut files = HashMap::default();
    for job in pages.jobs() {
        let what = match job {
            Job::Article(id) => format!(
                "the page of the article `{}`",
                crate::error::display_path(&site.article(id).doc.source)
            ),
            Job::Home { page } => nth(page, "the front page".to_owned()),
            Job::Category { index, page } => {
                nth(page, format!("the page of the category `{}`", site.categories[index].name))
            }
            Job::Tag { index, page } => {
                nth(page, format!("the page of the tag `{}`", site.tags[index].name))
            }
            Job::Author { index, page } => {
                nth(page, format!("the page of the author `{}`", site.authors[index].name))
            }
            Job::ArchiveMonth { index, page } => {
                let month = &pages.months[index];
                nth(page, format!("the archive of {}-{:02}", month.year, month.month))
            }
            Job::ArchiveIndex => "the archive".to_owned(),
            Job::ArchiveYear { index } => format!("the archive of {}", pages.years()[index]),
            Job::TagsIndex => "the list of tags".to_owned(),
            Job::Search => "the search page".to_owned(),
            Job::NotFound => "the page shown for missing addresses".to_owned(),
            Job::SiteFeed => "the site's feed".to_owned(),
            Job::CategoryFeed { index } => {
                format!("the feed of the category `{}`", site.categories[index].name)
            }
            Job::Sitemaps => {
                let parts =
                    pages.sitemap_entries().len().div_ceil(super::sitemaps::URLS_PER_SITEMAP);
                if parts > 1 {
                    for part in 1..=parts {
                        files.insert(format!("sitemap-{part}.xml"), "a sitemap".to_owned());
                    }
                }
                files.insert("sitemap.xml".to_owned(), "the sitemap".to_owned());
                continue;
            }
            Job::NewsSitemap => "the news sitemap".to_owned(),
            Job::Robots => "the instructions for crawlers".to_owned(),
            Job::SearchIndex => "the search index".to_owned(),
            Job::Series { index } => {
                format!("the page of the series `{}`", site.series[index].name)
            }
            Job::Corrections => "the list of corrections".to_owned(),
            Job::CorrectionsFeed => "the feed of corrections".to_owned(),
            Job::Alias { index } => format!(
                "the redirect to `{}`",
                crate::error::display_path(&site.article(pages.aliases[index].1).doc.source)
            ),
            Job::Redirects => "the list of redirects".to_owned(),
        };
        if let Some(file) = pages.job_file(job) {
            files.insert(file, what);
        }
    }
    for asset in &theme.assets {
        files.insert(asset.output_path.clone(), "a file of the theme".to_owned());
    }
    files
}

#[cfg(test)]
mod tests;
