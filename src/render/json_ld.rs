//! The schema.org graph of an article page, written straight from typed structs (no
//! intermediate JSON tree: one of these is made for every article of a build).

use serde::Serialize;

use crate::site::{Article, Site};

/// The article's schema.org graph: NewsArticle, its BreadcrumbList and, with questions,
/// an FAQPage whose answers are the ones shown on the page. Safe inside `<script>`.
///
/// `hashed`: only its hash is wanted ([`JsonLd::Hashed`]). `by_digest`: and the
/// document's digest is hashed beside it, so what the graph takes from the document
/// alone (headline, description, corrections, questions and answers) is left out of
/// what is hashed; what the site gives it (category, authors, tags, publisher) is not.
pub(crate) fn json_ld(
    site: &Site,
    article: &Article,
    permalink: &str,
    image: Option<&str>,
    hashed: bool,
    by_digest: bool,
) -> JsonLd {
    let by_digest = hashed && by_digest;
    let config = &site.config;
    let base = &config.base_url;
    let doc = &article.doc;
    let category = site.category(article.category);
    let authors = if article.authors.is_empty() {
        config
            .author
            .iter()
            .map(|name| Party {
                kind: "Organization",
                name,
                url: base.as_str().into(),
                logo: None,
                same_as: Vec::new(),
                job_title: None,
            })
            .collect()
    } else {
        article
            .authors
            .iter()
            .map(|&id| {
                let author = site.author(id);
                let profile = author.profile.as_ref();
                Party {
                    kind: "Person",
                    name: &author.name,
                    url: base.absolute_str(author.url.as_str()).into(),
                    logo: None,
                    same_as: profile
                        .map_or(Vec::new(), |p| p.links.iter().map(String::as_str).collect()),
                    job_title: profile.and_then(|p| p.role.as_deref()),
                }
            })
            .collect()
    };
    let logo = config
        .logo
        .as_deref()
        .map(|logo| ImageObject { kind: "ImageObject", url: site.config.base_url.absolute(logo) });
    let news = NewsArticle {
        kind: "NewsArticle",
        id: format!("{permalink}#article"),
        headline: if by_digest { "" } else { &doc.title },
        description: if by_digest { "" } else { &doc.summary },
        date_published: doc.date.rfc3339(),
        date_modified: doc.modified().rfc3339(),
        author: authors,
        publisher: Party {
            kind: "Organization",
            name: &config.title,
            url: base.as_str().into(),
            logo,
            same_as: Vec::new(),
            job_title: None,
        },
        main_entity_of_page: WebPage { kind: "WebPage", id: permalink },
        url: permalink,
        article_section: &category.name,
        keywords: article.tags.iter().map(|&t| site.tag(t).name.as_str()).collect(),
        word_count: doc.body.word_count,
        in_language: &config.language,
        image: lead_images(site, article, image),
        correction: doc
            .corrections
            .iter()
            .filter(|_| !by_digest)
            .map(|c| Correction {
                kind: "CorrectionComment",
                date_published: c.date.rfc3339(),
                text: &c.text,
            })
            .collect(),
    };
    let category_url = base.absolute_str(category.url.as_str());
    let crumb = |position, name, item| ListItem { kind: "ListItem", position, name, item };
    let breadcrumbs = BreadcrumbList {
        kind: "BreadcrumbList",
        item_list_element: [
            crumb(1, "Home", base.as_str()),
            crumb(2, &category.name, &category_url),
            crumb(3, if by_digest { "" } else { &doc.title }, permalink),
        ],
    };
    let mut graph = vec![Node::News(Box::new(news)), Node::Breadcrumbs(breadcrumbs)];
    if !by_digest && !doc.faq.is_empty() {
        graph.push(Node::Faq(FaqPage {
            kind: "FAQPage",
            main_entity: doc
                .faq
                .iter()
                .map(|f| Question {
                    kind: "Question",
                    name: &f.question,
                    accepted_answer: Answer { kind: "Answer", text: &f.answer_text },
                })
                .collect(),
        }));
    }
    let graph = Graph { context: "https://schema.org", graph };
    if hashed {
        let mut bytes = Vec::new();
        super::fingerprint::put(&mut bytes, &graph);
        return JsonLd::Hashed(blake3::hash(&bytes));
    }
    let json = serde_json::to_string(&graph).expect("JSON-LD serialises");
    JsonLd::Script(crate::theme::script_safe_json(&json))
}

/// An article's structured data: the script's text, or when its page is only hashed
/// ([`super::views::Making::Fingerprint`]), the hash of the graph it is written from,
/// which costs less than writing it (its text is a function of the graph).
#[derive(Debug)]
pub(crate) enum JsonLd {
    Script(String),
    Hashed(blake3::Hash),
}

impl Serialize for JsonLd {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonLd::Script(text) => serializer.serialize_str(text),
            JsonLd::Hashed(hash) => serializer.serialize_bytes(hash.as_bytes()),
        }
    }
}

#[derive(Serialize)]
struct Graph<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: Vec<Node<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Node<'a> {
    News(Box<NewsArticle<'a>>),
    Breadcrumbs(BreadcrumbList<'a>),
    Faq(FaqPage<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewsArticle<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: String,
    headline: &'a str,
    description: &'a str,
    date_published: String,
    date_modified: String,
    author: Vec<Party<'a>>,
    publisher: Party<'a>,
    main_entity_of_page: WebPage<'a>,
    url: &'a str,
    article_section: &'a str,
    keywords: Vec<&'a str>,
    word_count: usize,
    in_language: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    image: Vec<LeadImage<'a>>,
    /// Newest first (issue 17).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    correction: Vec<Correction<'a>>,
}

/// The lead image: its address alone, or with its size and credit.
#[derive(Serialize)]
#[serde(untagged)]
enum LeadImage<'a> {
    Url(&'a str),
    Object(ImageObjectWithCredit<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageObjectWithCredit<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit_text: Option<&'a str>,
}

/// The lead image for search engines: the 16:9, 4:3 and 1:1 crops a processed image
/// has (Google's Article guidance), else its social image or its address; each an
/// `ImageObject` with `creditText` when the article credits the picture (issue 16).
fn lead_images<'a>(
    site: &Site,
    article: &'a Article,
    image: Option<&'a str>,
) -> Vec<LeadImage<'a>> {
    let doc = &article.doc;
    let Some(image) = image else { return Vec::new() };
    let credit = doc.image_credit.as_deref();
    let base = &site.config.base_url;
    let object = |url: String, size: Option<(u32, u32)>| {
        LeadImage::Object(ImageObjectWithCredit {
            kind: "ImageObject",
            url,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            credit_text: credit,
        })
    };
    match doc.image_picture.as_deref() {
        Some(picture) => {
            let crops = picture.crops();
            if crops.is_empty() {
                let social = picture.social();
                vec![object(base.absolute(&social.path), Some((social.width, social.height)))]
            } else {
                crops
                    .into_iter()
                    .map(|c| object(base.absolute(&c.path), Some((c.width, c.height))))
                    .collect()
            }
        }
        None if credit.is_some() => vec![object(image.to_owned(), None)],
        None => vec![LeadImage::Url(image)],
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Correction<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    date_published: String,
    text: &'a str,
}

/// A person or an organisation.
#[derive(Serialize)]
struct Party<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logo: Option<ImageObject>,
    /// The author's pages elsewhere, from `authors.yaml`.
    #[serde(rename = "sameAs", skip_serializing_if = "Vec::is_empty")]
    same_as: Vec<&'a str>,
    #[serde(rename = "jobTitle", skip_serializing_if = "Option::is_none")]
    job_title: Option<&'a str>,
}

#[derive(Serialize)]
struct ImageObject {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct WebPage<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BreadcrumbList<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item_list_element: [ListItem<'a>; 3],
}

#[derive(Serialize)]
struct ListItem<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    position: u8,
    name: &'a str,
    item: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FaqPage<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    main_entity: Vec<Question<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Question<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    accepted_answer: Answer<'a>,
}

#[derive(Serialize)]
struct Answer<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    text: &'a str,
}
