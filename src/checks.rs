//! Content checks run on the assembled site and its rendered pages: links and anchors
//! that lead nowhere, images without alt text, empty answers, dates out of order,
//! and, as warnings, overlong summaries, untagged articles and one-off tags.

use std::collections::{HashMap, HashSet};

use crate::error::{Diagnostic, Location, Severity, display_path};
use crate::site::{Article, Site};
use crate::url::Slug;

/// The most problems shown for one file; one more message counts the rest (issue 22).
pub(crate) const MAX_PROBLEMS_PER_FILE: usize = 20;

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
    /// Articles whose front matter has problems, checked with what could be read of it:
    /// checks of the front matter itself would only repeat those problems.
    pub broken: HashSet<std::path::PathBuf>,
    /// Files of `content/` the content gate skipped (a symlink leaving the site, a
    /// device), as output paths: a link to one says so rather than "check the address".
    pub skipped: HashSet<String>,
    /// What the hints of dead links look in, made on first need (see [`HintIndex`]).
    pub hints: std::sync::OnceLock<HintIndex>,
    /// The pages articles left out of the build (scheduled for later, or expired) would
    /// have, by output file: a link to one gets a warning saying why (issue 17).
    pub left_out: HashMap<String, std::sync::Arc<crate::site::Document>>,
}

/// The most addresses one dead link's hint compares with, and the most ids one broken
/// anchor's hint compares with: a hint costs the same on a site of 100,000 pages as on
/// one of 100 (issue 22). Below it (most sites) every candidate is compared.
const HINT_CANDIDATES: usize = 256;

/// Addresses longer than this get no "did you mean": comparing them costs the square of
/// their length.
const HINT_MAX_LEN: usize = 200;

/// The site's addresses and renamed articles, indexed once for the hints of dead links.
#[derive(Debug, Default)]
pub(crate) struct HintIndex {
    /// Articles whose `slug:` differs from their file name, by the slug of the file name
    /// (the first one, in article order).
    renamed: HashMap<String, usize>,
    /// The site path of every output file, by whether it is a page (`/a/b/`) and its
    /// length in bytes, each list sorted.
    by_len: HashMap<(bool, usize), Vec<String>>,
}

impl HintIndex {
    fn new(site: &Site, files: &HashSet<String>) -> HintIndex {
        let mut renamed = HashMap::new();
        for (i, a) in site.articles.iter().enumerate() {
            let stem = a.doc.source.file_stem().unwrap_or_default().to_string_lossy();
            // Most file names are slugs already: no need to make one.
            let plain =
                stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            let name = if plain { stem.into_owned() } else { Slug::new(&stem).as_str().to_owned() };
            if a.doc.slug.as_str() != name {
                renamed.entry(name).or_insert(i);
            }
        }
        let mut by_len: HashMap<(bool, usize), Vec<String>> = HashMap::new();
        for file in files {
            let page = file.ends_with("/index.html") || file == "index.html";
            let path = site_path(file);
            by_len.entry((page, path.len())).or_default().push(path);
        }
        by_len.values_mut().for_each(|paths| paths.sort_unstable());
        HintIndex { renamed, by_len }
    }
}

/// The output files whose `id`s the anchor checks need: pages linked with a `#fragment`.
pub(crate) fn anchored_pages(site: &Site) -> HashSet<String> {
    use rayon::prelude::*;
    site.articles.par_iter().flat_map_iter(anchors_of).collect()
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
#[cfg(test)]
pub(crate) fn check_site(site: &Site, outputs: &Outputs) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let articles: Vec<Vec<Diagnostic>> = site
        .articles
        .par_iter()
        .map(|article| check_article_alone(site, article, outputs))
        .collect();
    combine(&articles, &check_site_wide(site, outputs))
}

/// The checks of the site as a whole: tags used once, categories written several ways,
/// authors' profile pictures.
pub(crate) fn check_site_wide(site: &Site, outputs: &Outputs) -> Vec<Diagnostic> {
    let mut found = check_tags_alone(site);
    found.extend(check_profile_images(site, outputs));
    found
}

/// What [`check_site`] reports, from each article's findings and the site-wide ones:
/// in file order, capped per file.
pub(crate) fn combine(articles: &[Vec<Diagnostic>], site_wide: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = articles.iter().flatten().cloned().collect();
    found.extend(site_wide.iter().cloned());
    sort(&mut found);
    cap_per_file(found)
}

/// The largest side of a profile picture that `check` accepts without a warning: twice
/// the 96 px the default theme shows, for screens of double density, with room to spare.
const PROFILE_IMAGE_MAX: u32 = 400;

/// A profile `image` of `authors.yaml` that is a site path must be a file of the site,
/// like an article's lead image (issue 17), and a raster one small: it is published as
/// it is (issue 16).
fn check_profile_images(site: &Site, outputs: &Outputs) -> Vec<Diagnostic> {
    let Some(profiles) = &site.config.authors else { return Vec::new() };
    profiles
        .iter()
        .filter_map(|(name, profile)| {
            let image = profile.image.as_deref()?;
            let path = image.split(['?', '#']).next().unwrap_or("");
            if !path.starts_with('/') || path.starts_with("//") {
                return None; // a URL: not ours to check
            }
            let file = path.trim_start_matches('/');
            let (line, column) = profile.image_at;
            let at = Location::new(crate::config::AUTHORS_FILE, line.max(1)).with_column(column.max(1));
            if outputs.files.contains(file) {
                // Published as it is: a camera photo would weigh megabytes in a 96 px circle.
                let (width, height) = crate::content::image_size(&site.config.root, path)?;
                let svg = path.to_ascii_lowercase().ends_with(".svg");
                return (!svg && width.max(height) > PROFILE_IMAGE_MAX).then(|| {
                    Diagnostic::warning(
                        at,
                        format!(
                            "the image `{image}` of `{name}` is {width}×{height} px; the author page shows it at 96×96"
                        ),
                    )
                    .with_width(image.chars().count())
                    .with_hint(format!(
                        "profile pictures are published as they are: use a square one of at most {PROFILE_IMAGE_MAX}×{PROFILE_IMAGE_MAX} px (sharp on screens of double density)"
                    ))
                });
            }
            Some(
                Diagnostic::error(
                    at,
                    format!("the image `{image}` of `{name}` matches no file of the site"),
                )
                .with_width(image.chars().count())
                .with_hint("put the picture under `content/` at that path, or fix the path"),
            )
        })
        .collect()
}

/// The checks of one article (links, anchors, alt text, answers, dates, summary, tags,
/// category). `site` only names the pages a dead link may have meant.
pub(crate) fn check_article_alone(
    site: &Site,
    article: &Article,
    outputs: &Outputs,
) -> Vec<Diagnostic> {
    check_article_hinted(site, article, outputs).0
}

/// [`check_article_alone`], and whether a finding got a hint made from the whole site
/// (a dead link's or anchor's): what the check cache does not keep.
pub(crate) fn check_article_hinted(
    site: &Site,
    article: &Article,
    outputs: &Outputs,
) -> (Vec<Diagnostic>, bool) {
    let mut found = Vec::new();
    let mut pending = Vec::new();
    check_article(site, article, outputs, &mut found, &mut pending);
    if pending.is_empty() {
        return (found, false);
    }
    // A dead link's or anchor's hint compares it with many addresses or ids: only the
    // problems the per-file cap lets through get one (issue 22). The rest are counted,
    // never shown.
    // Back in the order the checks found them (each pending one came when `found` was
    // as long as its number), then in file order, as `sort` will put them.
    let mut all: Vec<(Diagnostic, Option<Pending>)> =
        Vec::with_capacity(found.len() + pending.len());
    let (mut found, mut taken) = (found.into_iter(), 0);
    for (before, d, hint) in pending {
        all.extend(found.by_ref().take(before - taken).map(|d| (d, None)));
        taken = before;
        all.push((d, Some(hint)));
    }
    all.extend(found.map(|d| (d, None)));
    all.sort_by_key(|(d, _)| (d.at.line, d.at.column));
    let found = all
        .into_iter()
        .enumerate()
        .map(|(i, (d, pending))| match pending {
            Some(pending) if i < MAX_PROBLEMS_PER_FILE => d.with_hint(pending.hint(site, outputs)),
            _ => d,
        })
        .collect();
    (found, true)
}

/// The hint a dead link or anchor gets if it is shown.
enum Pending {
    /// The link's output file is missing.
    DeadLink(String),
    /// The fragment, the linked output file and the page as messages name it.
    Anchor(String, String, String),
}

impl Pending {
    fn hint(&self, site: &Site, outputs: &Outputs) -> String {
        match self {
            Pending::DeadLink(file) if outputs.skipped.contains(file) => {
                "the file exists but was skipped: see the warning above".to_owned()
            }
            Pending::DeadLink(file) => dead_link_hint(site, outputs, file),
            Pending::Anchor(fragment, file, page) => match outputs.ids.get(file) {
                Some(ids) => anchor_hint(fragment, ids, page),
                None => format!("{page} has no headings or anchors to link to"),
            },
        }
    }
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

/// Keeps the first [`MAX_PROBLEMS_PER_FILE`] findings of each file (`found` is in file
/// order) and puts one in place of the rest that counts them, at the first of them. It
/// is an error when any of them is, so `check` fails as it would with all of them shown.
pub(crate) fn cap_per_file(found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut kept = Vec::with_capacity(found.len().min(4 * MAX_PROBLEMS_PER_FILE));
    let mut hidden: Option<(Diagnostic, usize, usize)> = None; // first, errors, warnings
    let mut shown = 0;
    for d in found {
        let same_file = kept.last().is_some_and(|last: &Diagnostic| last.at.path == d.at.path);
        if !same_file {
            kept.extend(
                hidden
                    .take()
                    .map(|(first, errors, warnings)| more_problems(first, errors, warnings)),
            );
            shown = 0;
        }
        if shown < MAX_PROBLEMS_PER_FILE {
            shown += 1;
            kept.push(d);
            continue;
        }
        let is_error = usize::from(d.severity == Severity::Error);
        match &mut hidden {
            Some((_, errors, warnings)) => {
                *errors += is_error;
                *warnings += 1 - is_error;
            }
            None => hidden = Some((d, is_error, 1 - is_error)),
        }
    }
    kept.extend(hidden.map(|(first, errors, warnings)| more_problems(first, errors, warnings)));
    kept
}

/// The message standing for the problems of a file not shown, placed at the first of them.
fn more_problems(first: Diagnostic, errors: usize, warnings: usize) -> Diagnostic {
    let message = format!(
        "{} more problem(s) in this file not shown ({errors} error(s), {warnings} warning(s)), the first one here",
        errors + warnings
    );
    let d = if errors > 0 {
        Diagnostic::error(first.at, message)
    } else {
        Diagnostic::warning(first.at, message)
    };
    let mut d = d
        .with_hint(format!(
            "only the first {MAX_PROBLEMS_PER_FILE} problems of a file are shown: fix them and check again to see the rest"
        ))
        .with_kind(crate::error::DiagnosticKind::Hidden { errors, warnings });
    d.width = first.width;
    d
}

/// A link an article makes: the URL as written, its line and column, and its width. The
/// location is built only for a link with a problem: an article may hold a million links.
struct Target<'a>(&'a str, (usize, usize), usize);

fn link_targets(article: &Article) -> Vec<Target<'_>> {
    let doc = &article.doc;
    let mut targets: Vec<Target<'_>> =
        doc.body.links.iter().map(|l| Target(&l.target, (l.line, l.column), l.width)).collect();
    for (link, &(line, column)) in doc.related.iter().zip(&doc.lines.related) {
        // A full URL of this site is checked as the site path it stands for.
        let url = match &link.internal {
            Some(path) if !link.url.starts_with('/') => path.as_str(),
            _ => &link.url,
        };
        targets.push(Target(url, (line, column.max(1)), link.url.chars().count()));
    }
    if let Some(image) = &doc.image {
        let (line, column) = doc.lines.image;
        targets.push(Target(image, (line, column.max(1)), image.chars().count()));
    }
    targets
}

/// The output file a link from `article` reaches, if it stays inside the site:
/// `/a/b/` is `a/b/index.html`, `/x.png` is `x.png`, `` (the page itself) its own file.
pub(crate) fn resolve(article: &Article, path: &str) -> Option<String> {
    resolve_from(&article.site_path(), path)
}

/// Like [`resolve`], for a link on the page at the site path `page` (`/authors/ann/`).
pub(crate) fn resolve_from(page: &str, path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or("");
    // Most links are already plain site paths (`/economy/rates/`): their file is the path
    // itself, with nothing to decode or walk. A check and a render resolve every link of
    // every article on each build (issue 15).
    if let Some(file) = plain_file(path) {
        return Some(file);
    }
    walk(page, path)
}

/// [`resolve_from`] for any link: decoded, then walked segment by segment.
fn walk(page: &str, path: &str) -> Option<String> {
    // A link to `my%20photo.jpg` leads to the file `my photo.jpg`.
    let path = crate::url::percent_decode(path);
    let path = path.as_ref();
    if path.contains(':') || path.starts_with("//") {
        return None; // another site, or a scheme such as mailto:
    }
    let absolute = if path.is_empty() {
        page.to_owned()
    } else if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{page}{path}")
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

/// The output file of `path` when it is a plain absolute site path: one `/` first, no
/// `:` or `%`, no empty, `.` or `..` segment. It is then what [`walk`] gives, without
/// decoding or walking anything.
fn plain_file(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let (folder, is_folder) = match rest.strip_suffix('/') {
        Some(folder) => (folder, true),
        None => (rest, false),
    };
    if folder.is_empty()
        || rest.contains([':', '%'])
        || folder.split('/').any(|segment| matches!(segment, "" | "." | ".."))
    {
        return None;
    }
    Some(if is_folder { format!("{folder}/index.html") } else { folder.to_owned() })
}

fn check_article(
    site: &Site,
    article: &Article,
    outputs: &Outputs,
    found: &mut Vec<Diagnostic>,
    pending: &mut Vec<(usize, Diagnostic, Pending)>,
) {
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
    for Target(target, (line, column), width) in link_targets(article) {
        let at = || Location::new(source, line).with_column(column);
        if crate::markdown::runs_code(target) {
            found.push(
                Diagnostic::error(at(), format!("link to `{}` would run code", short(target)))
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
        if !exists && let Some(gone) = outputs.left_out.get(&file) {
            let gone_source = display_path(&gone.source);
            let (message, hint) = match gone.expires.filter(|e| e.timestamp() <= site.now) {
                Some(expires) => (
                    format!(
                        "link to `{target}` leads to `{gone_source}`, which expired at {}",
                        expires.rfc3339()
                    ),
                    "remove the link, or the article's `expires:`".to_owned(),
                ),
                None => (
                    format!(
                        "link to `{target}` leads to `{gone_source}`, which is scheduled for {}",
                        gone.date.rfc3339()
                    ),
                    "the link leads nowhere until then: publish the two together, or link later"
                        .to_owned(),
                ),
            };
            found.push(Diagnostic::warning(at(), message).with_width(width).with_hint(hint));
            continue;
        }
        if !exists {
            let d = Diagnostic::error(
                at(),
                format!("link to `{target}` matches no page or file of the site"),
            )
            .with_width(width);
            pending.push((found.len(), d, Pending::DeadLink(file)));
            continue;
        }
        if !fragment.is_empty()
            && let Some(ids) = outputs.ids.get(&file)
            && !ids.contains(fragment)
        {
            let page = if path.is_empty() { "this page".to_owned() } else { format!("`{path}`") };
            let d = Diagnostic::error(
                at(),
                format!("`#{fragment}` matches no heading or anchor on {page}"),
            )
            .with_width(width);
            pending.push((found.len(), d, Pending::Anchor(fragment.to_owned(), file, page)));
        }
    }
    check_category(site, article, found);
    for (i, tag) in doc.tags.iter().enumerate() {
        if tag.slug.is_hash_of(&tag.name) {
            let message = format!("the tag `{}` has no letters or digits", tag.name);
            found.push(at_tag(doc, Some(i), Diagnostic::error, message).with_hint(format!(
                "its page would get the made-up address `/tags/{}/`: name the topic in words",
                tag.slug
            )));
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
    // A caption that repeats the alt text is heard twice by screen reader users.
    if let (Some(alt), Some(caption)) = (&doc.image_alt, &doc.image_caption)
        && same_words(alt, caption)
    {
        let (line, column) = doc.lines.image_caption;
        found.push(
            Diagnostic::warning(
                Location::new(source, line.max(1)).with_column(column.max(1)),
                "`image_caption` repeats `image_alt`: screen readers would read it twice",
            )
            .with_width(caption.chars().count())
            .with_hint(
                "describe the picture in `image_alt` (for readers who cannot see it) and say \
                 why it matters in `image_caption` (for everyone), or leave the caption out",
            ),
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
    for correction in &doc.corrections {
        if correction.date < doc.date
            && !(correction.date.is_date_only() && correction.date.day() >= doc.date.day())
        {
            let (line, column) = correction.line;
            found.push(
                Diagnostic::error(
                    Location::new(source, line.max(1)).with_column(column.max(1)),
                    format!(
                        "correction dated `{}` is before the publication date `{}`",
                        correction.date, doc.date
                    ),
                )
                .with_hint("a correction comes after publication: check both dates"),
            );
        }
    }
    if site.config.authors.is_some() && !outputs.broken.contains(source) {
        for &id in &article.authors {
            let author = site.author(id);
            if author.profile.is_none() {
                let (line, column) = doc.lines.author;
                found.push(
                    Diagnostic::warning(
                        Location::new(source, line.max(1)).with_column(column.max(1)),
                        format!("the author `{}` has no profile in `authors.yaml`", author.name),
                    )
                    .with_hint(format!(
                        "add `{}:` with a `bio:` to `authors.yaml`, or check the spelling",
                        author.name
                    )),
                );
            }
        }
    }
    // An editorial preference, so a warning (issue 21): `check --strict` makes it fatal.
    let most = site.config.check.summary_max_chars;
    let summary_chars = doc.summary.chars().count();
    if doc.summary_is_explicit && summary_chars > most {
        let (line, column) = doc.lines.summary;
        found.push(
            Diagnostic::warning(
                Location::new(source, line).with_column(column.max(1)),
                format!("summary is {summary_chars} characters; at most {most} read well in listings"),
            )
            .with_hint("keep it to one or two sentences (the limit is `check.summary_max_chars` in site.yaml)"),
        );
    }
    if article.tags.is_empty() && !outputs.broken.contains(source) {
        found.push(
            Diagnostic::warning(Location::new(source, 1), "article without tags")
                .with_hint("tags link it to related explainers: `tags: [topic-one, topic-two]`"),
        );
    }
}

/// Whether two texts say the same words: case, and spaces and punctuation around them,
/// aside.
fn same_words(a: &str, b: &str) -> bool {
    let trim = |s: &str| s.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    trim(a) == trim(b)
}

/// What a link to the missing output `file` may have meant: an article whose file name
/// it uses though the article sets `slug:`, or the nearest address of the site (issue 23).
fn dead_link_hint(site: &Site, outputs: &Outputs, file: &str) -> String {
    let index = outputs.hints.get_or_init(|| HintIndex::new(site, &outputs.files));
    let wanted = site_path(file);
    let last = wanted.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if let Some(article) = index.renamed.get(last).map(|&i| &site.articles[i]) {
        return format!(
            "`{}` sets `slug: {}`: its address is `{}`",
            display_path(&article.doc.source),
            article.doc.slug,
            article.url
        );
    }
    let is_page = wanted.ends_with('/');
    let most = (wanted.chars().count() / 5).max(2);
    // Addresses of about the right length, the nearest lengths first, at most
    // HINT_CANDIDATES of them.
    let lengths = std::iter::once(0isize).chain((1..=most as isize).flat_map(|d| [-d, d]));
    let candidates = lengths
        .filter_map(|d| wanted.len().checked_add_signed(d))
        .filter_map(|len| index.by_len.get(&(is_page, len)))
        .flatten()
        .take(if wanted.len() > HINT_MAX_LEN { 0 } else { HINT_CANDIDATES });
    let nearest = candidates
        .map(|candidate| (strsim::levenshtein(&wanted, candidate), candidate))
        .filter(|(distance, _)| *distance <= most)
        .min();
    match nearest {
        Some((_, candidate)) => format!("did you mean `{candidate}`?"),
        None => "check the address; site paths look like `/category/slug/`".to_owned(),
    }
}

/// The site path of an output file: `a/b/index.html` is `/a/b/`, `x.png` is `/x.png`.
fn site_path(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{file}"),
    }
}

/// Names the ids of the linked page nearest to the missing `fragment`: heading ids may
/// be set by hand (`## Numbers {#figures}`), so no rule can say what the right one is.
fn anchor_hint(fragment: &str, ids: &HashSet<String>, page: &str) -> String {
    // An id inside the fragment (`#winter` for `#winter-sailings`), or the other way
    // round, comes first: a heading's own id is often a word of its text.
    let apart = |id: &str| !fragment.contains(id) && !id.contains(fragment);
    let mut close: Vec<(bool, usize, &str)> =
        ids.iter().map(|id| (apart(id), id.len().abs_diff(fragment.len()), id.as_str())).collect();
    // A page with many ids: only the HINT_CANDIDATES likeliest (containing or contained,
    // then of the nearest lengths) are compared (issue 22).
    if close.len() > HINT_CANDIDATES {
        close.select_nth_unstable(HINT_CANDIDATES);
        close.truncate(HINT_CANDIDATES);
    }
    // Comparing long ids costs the square of their length: their starts will do.
    let mut nearest: Vec<(bool, usize, &str)> = close
        .into_iter()
        .map(|(apart, _, id)| (apart, strsim::levenshtein(cut(fragment), cut(id)), id))
        .collect();
    nearest.sort_unstable();
    let shown: Vec<String> = nearest.iter().take(3).map(|(.., id)| format!("`#{id}`")).collect();
    match shown.len() {
        0 => format!("{page} has no headings or anchors to link to"),
        1 => format!("the only id on {page} is {}", shown[0]),
        _ => format!("the ids on {page} nearest to it: {}", shown.join(", ")),
    }
}

/// The first [`HINT_MAX_LEN`] bytes of `text` or less, cut at a character boundary.
fn cut(text: &str) -> &str {
    let mut end = text.len().min(HINT_MAX_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// With `categories:` in site.yaml, an article's category should be one of them: a typo
/// would otherwise add a section to the navigation (issue 23).
fn check_category(site: &Site, article: &Article, found: &mut Vec<Diagnostic>) {
    let doc = &article.doc;
    let listed = &site.config.categories;
    let (line, column) = doc.lines.category;
    if listed.is_empty()
        || line == 0
        || listed.keys().any(|name| Slug::with(name, site.config.slugify) == doc.category_slug)
    {
        return;
    }
    let written = doc.category.to_lowercase();
    let nearest = listed
        .keys()
        .map(|name| (strsim::damerau_levenshtein(&written, &name.to_lowercase()), name))
        .filter(|(distance, name)| *distance <= (name.chars().count() / 3).max(2))
        .min_by_key(|(distance, _)| *distance);
    let hint = match nearest {
        Some((_, name)) => {
            format!("did you mean `{name}`? A new category goes under `categories:` in site.yaml")
        }
        None => format!(
            "site.yaml lists {}; add `{}` under `categories:` there to make it a new one",
            listed.keys().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
            doc.category
        ),
    };
    found.push(
        Diagnostic::warning(
            Location::new(&doc.source, line).with_column(column.max(1)),
            format!(
                "the category `{}` is not listed under `categories:` in site.yaml",
                doc.category
            ),
        )
        .with_width(doc.category.chars().count())
        .with_hint(hint),
    );
}

fn check_tags(site: &Site, found: &mut Vec<Diagnostic>) {
    // A tag without letters or digits is an error of its own (see `check_article`).
    for tag in site.tags.iter().filter(|t| t.articles.len() == 1 && !t.slug.is_hash_of(&t.name)) {
        let doc = &site.article(tag.articles[0]).doc;
        let written = doc.tags.iter().position(|t| t.slug == tag.slug);
        found.push(
            at_tag(
                doc,
                written,
                Diagnostic::warning,
                format!("the tag `{}` is used by this article only", tag.name),
            )
            .with_hint("a tag links explainers together; reuse an existing tag or drop it"),
        );
    }
    // One tag, one spelling: the tag's pages show one of them (see `Tag::name`). Read
    // article by article (an article's tags are numbered in the order it writes them),
    // not tag by tag: going through each tag's articles jumped about the whole site, a
    // fifth of a second at 100,000 articles, at the end of a build.
    #[derive(Clone, Default)]
    struct Spellings<'s> {
        /// The earliest article that writes the tag as its pages show it, and how many do.
        shown_by: Option<&'s crate::site::Document>,
        count: usize,
        /// The others, newest first, with where the tag is in their list.
        others: Vec<(&'s crate::site::Document, usize)>,
    }
    let mut spellings = vec![Spellings::default(); site.tags.len()];
    // Articles are newest first: the last one seen is the earliest.
    for article in &site.articles {
        let doc = &*article.doc;
        for &id in &article.tags {
            let i = article.tags.iter().position(|&t| t == id).expect("tagged with it");
            let seen = &mut spellings[id.index()];
            if doc.tags[i].name == site.tag(id).name {
                seen.shown_by = Some(doc);
                seen.count += 1;
            } else {
                seen.others.push((doc, i));
            }
        }
    }
    for (tag, seen) in site.tags.iter().zip(spellings) {
        let Some(shown_by) = seen.shown_by else { continue };
        let example = match seen.count {
            1 => format!("as in `{}`", display_path(&shown_by.source)),
            n => format!("as in {n} articles, such as `{}`", display_path(&shown_by.source)),
        };
        for (doc, i) in seen.others {
            let message =
                format!("the tag `{}` is spelled `{}` elsewhere", doc.tags[i].name, tag.name);
            found.push(at_tag(doc, Some(i), Diagnostic::warning, message).with_hint(format!(
                "write `{}`, the spelling its pages show ({example})",
                tag.name
            )));
        }
    }
}

/// A problem with the `i`th tag of `doc`: the caret goes under the tag's name, or under
/// the list when the name is not found as written.
fn at_tag(
    doc: &crate::site::Document,
    i: Option<usize>,
    new: fn(Location, String) -> Diagnostic,
    message: String,
) -> Diagnostic {
    let (line, column, width) = match i.and_then(|i| Some((i, doc.lines.tag_names.get(i)?))) {
        Some((i, &(line, column))) if line > 0 => {
            (line, column, Some(doc.tags[i].name.chars().count()))
        }
        _ => (doc.lines.tags.0, doc.lines.tags.1, None),
    };
    let d = new(Location::new(&doc.source, line.max(1)).with_column(column.max(1)), message);
    match width {
        Some(width) => d.with_width(width),
        None => d,
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

#[cfg(test)]
mod tests;
