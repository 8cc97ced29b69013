//! Site model + theme -> every output file: pages, listings, theme assets.

mod views;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::error::{Error, Result};
use crate::site::{ArticleId, Site};
use crate::theme::Theme;
use crate::url::UrlPath;
use views::{PagerView, article_view, card, site_view};

/// Where rendered files go: called with a path relative to the output folder.
pub type Sink<'a> = &'a (dyn Fn(&Path, &[u8]) -> Result<()> + Sync);

/// One file to produce.
#[derive(Debug, Clone)]
enum Job {
    Article(ArticleId),
    Home { page: usize },
    Category { index: usize, page: usize },
    Tag { index: usize, page: usize },
    Author { index: usize, page: usize },
    TagsIndex,
    NotFound,
}

/// Renders every page and theme asset into `sink`; returns how many files were written.
/// Reports every failing page, not only the first.
pub fn render_site(site: &Site, theme: &mut Theme, sink: Sink<'_>) -> Result<usize> {
    let globals = site_view(site);
    let assets: BTreeMap<&str, String> = theme
        .asset_paths
        .iter()
        .map(|(name, path)| (name.as_str(), site.config.base_url.link_str(path)))
        .collect();
    let context = theme.tera.global_context();
    context.insert("site", &globals);
    context.insert("config", &globals);
    context.insert("assets", &assets);
    let theme = &*theme;

    let cards: Vec<Value> =
        site.articles.par_iter().map(|a| Value::from_serializable(&card(site, a))).collect();
    let renderer = Renderer { site, theme, cards, sink };

    let jobs = jobs(site);
    let errors: Vec<Error> = jobs.par_iter().filter_map(|job| renderer.render(job).err()).collect();
    let mut errors = errors;
    for asset in &theme.assets {
        if let Err(e) = sink(Path::new(&asset.output_path), &asset.bytes) {
            errors.push(e);
        }
    }
    Error::collect(errors)?;
    Ok(jobs.len() + theme.assets.len())
}

fn jobs(site: &Site) -> Vec<Job> {
    let pages = |n: usize| n.div_ceil(site.config.paginate).max(1);
    let mut jobs: Vec<Job> = site.articles.iter().map(|a| Job::Article(a.id)).collect();
    jobs.extend((1..=pages(site.articles.len())).map(|page| Job::Home { page }));
    for (index, c) in site.categories.iter().enumerate() {
        jobs.extend((1..=pages(c.articles.len())).map(|page| Job::Category { index, page }));
    }
    for (index, t) in site.tags.iter().enumerate() {
        jobs.extend((1..=pages(t.articles.len())).map(|page| Job::Tag { index, page }));
    }
    for (index, a) in site.authors.iter().enumerate() {
        jobs.extend((1..=pages(a.articles.len())).map(|page| Job::Author { index, page }));
    }
    jobs.push(Job::TagsIndex);
    jobs.push(Job::NotFound);
    jobs
}

struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// Each article's card, built once and shared by every listing that shows it.
    cards: Vec<Value>,
    sink: Sink<'a>,
}

/// A listing page as templates see it: `listing`.
#[derive(Serialize)]
struct ListingView<'a> {
    kind: &'static str,
    title: &'a str,
    description: Option<&'a str>,
    url: String,
    articles: Vec<Value>,
    pager: PagerView,
}

#[derive(Serialize)]
struct TagSummary<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
}

impl Renderer<'_> {
    fn render(&self, job: &Job) -> Result<()> {
        let site = self.site;
        let base = &site.config.base_url;
        let mut context = Context::new();
        let (template, url, article) = match *job {
            Job::Article(id) => {
                let article = site.article(id);
                context.insert("page", &article_view(site, article));
                ("article.html", article.url.clone(), Some(article.doc.source.as_path()))
            }
            Job::Home { page } => {
                let url = UrlPath::root();
                let ids: Vec<ArticleId> = site.articles.iter().map(|a| a.id).collect();
                self.listing(
                    &mut context,
                    "home",
                    &site.config.title,
                    Some(&site.config.description),
                    &url,
                    &ids,
                    page,
                );
                ("index.html", url.page(page), None)
            }
            Job::Category { index, page } => {
                let category = &site.categories[index];
                self.listing(
                    &mut context,
                    "category",
                    &category.name,
                    category.settings.description.as_deref(),
                    &category.url,
                    &category.articles,
                    page,
                );
                context.insert(
                    "category",
                    &views::LinkView {
                        name: &category.name,
                        url: base.link(&category.url),
                        slug: category.slug.as_str(),
                    },
                );
                ("category.html", category.url.page(page), None)
            }
            Job::Tag { index, page } => {
                let tag = &site.tags[index];
                self.listing(&mut context, "tag", &tag.name, None, &tag.url, &tag.articles, page);
                let related: Vec<TagSummary<'_>> = tag
                    .related
                    .iter()
                    .map(|&(id, together)| {
                        let other = site.tag(id);
                        TagSummary {
                            name: &other.name,
                            slug: other.slug.as_str(),
                            url: base.link(&other.url),
                            count: together,
                        }
                    })
                    .collect();
                context.insert("tag", &views::tag_link(site, tag));
                context.insert("related_tags", &related);
                ("tag.html", tag.url.page(page), None)
            }
            Job::Author { index, page } => {
                let author = &site.authors[index];
                self.listing(
                    &mut context,
                    "author",
                    &author.name,
                    None,
                    &author.url,
                    &author.articles,
                    page,
                );
                context.insert(
                    "author",
                    &views::LinkView {
                        name: &author.name,
                        url: base.link(&author.url),
                        slug: author.slug.as_str(),
                    },
                );
                ("author.html", author.url.page(page), None)
            }
            Job::TagsIndex => {
                let tags: Vec<TagSummary<'_>> = site
                    .tags
                    .iter()
                    .map(|t| TagSummary {
                        name: &t.name,
                        slug: t.slug.as_str(),
                        url: base.link(&t.url),
                        count: t.articles.len(),
                    })
                    .collect();
                context.insert("tags", &tags);
                ("tags.html", UrlPath::fixed(&["tags"]), None)
            }
            Job::NotFound => {
                context.insert("canonical", &base.absolute_str("/404.html"));
                return self.write(&mut context, "404.html", Path::new("404.html"), None);
            }
        };
        context.insert("canonical", &base.absolute_str(url.as_str()));
        context.insert("current_url", &base.link(&url));
        self.write(&mut context, template, &url.index_file(), article)
    }

    #[allow(clippy::too_many_arguments)]
    fn listing(
        &self,
        context: &mut Context,
        kind: &'static str,
        title: &str,
        description: Option<&str>,
        url: &UrlPath,
        ids: &[ArticleId],
        page: usize,
    ) {
        let per_page = self.site.config.paginate;
        let total = ids.len().div_ceil(per_page).max(1);
        let start = (page - 1) * per_page;
        let articles = ids[start.min(ids.len())..(start + per_page).min(ids.len())]
            .iter()
            .map(|id| self.cards[id.index()].clone())
            .collect();
        let view = ListingView {
            kind,
            title,
            description: description.filter(|d| !d.is_empty()),
            url: self.site.config.base_url.link(url),
            articles,
            pager: PagerView::new(self.site, url, page, total),
        };
        context.insert("listing", &view);
    }

    fn write(
        &self,
        context: &mut Context,
        template: &str,
        path: &Path,
        article: Option<&Path>,
    ) -> Result<()> {
        let html = self.theme.tera.render(template, context).map_err(|source| Error::Template {
            template: self.theme.origin(template),
            article: article.map(PathBuf::from),
            source: Box::new(source),
        })?;
        (self.sink)(path, html.as_bytes())
    }
}
