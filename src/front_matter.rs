//! Splits an article into its `---` front matter and body, and checks the front matter.

use std::path::Path;

use serde::Deserialize;

use crate::date::Date;
use crate::error::{Diagnostic, DiagnosticKind, Location};
use crate::url::Slug;
use crate::yaml;

/// Most tags one article may carry: more is almost surely a mistake, and would make
/// tag statistics slow.
pub const MAX_TAGS: usize = 100;

/// An article's front matter, checked and normalised.
#[derive(Debug, Clone)]
pub struct FrontMatter {
    pub title: String,
    pub date: Date,
    pub updated: Option<Date>,
    pub category: Option<String>,
    /// Unique by slug, in the order written.
    pub tags: Vec<TagName>,
    pub summary: Option<String>,
    pub authors: Vec<String>,
    pub image: Option<String>,
    pub image_alt: Option<String>,
    /// Shown under the lead image for everyone; never taken from `image_alt`.
    pub image_caption: Option<String>,
    /// Who made the lead image (`Photo: Jane Doe / Agency`), shown with the caption.
    pub image_credit: Option<String>,
    pub slug: Option<Slug>,
    /// `slug:` as written, for sites that keep every script in slugs (`slugify: unicode`).
    pub slug_text: Option<String>,
    pub draft: bool,
    pub key_points: Vec<String>,
    pub faq: Vec<FaqEntry>,
    pub related: Vec<RelatedLink>,
    /// When the article leaves the site (issue 17).
    pub expires: Option<Date>,
    /// Corrections and updates, in the order written; text is inline Markdown.
    pub corrections: Vec<Note>,
    pub updates: Vec<Note>,
    /// Old site paths that redirect to the article, normalised to end with `/`.
    pub aliases: Vec<String>,
    /// The name of the series the article belongs to.
    pub series: Option<String>,
    /// The article's language, when `lang:` names one (issue 19).
    pub lang: Option<String>,
    /// What the translations of one article share, when their file names differ.
    pub translation_key: Option<String>,
    pub extra: serde_json::Value,
    /// Lines (in the whole file) of values that later stages may complain about.
    pub lines: KeyLines,
}

/// A tag as written, and the slug that identifies it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TagName {
    pub name: String,
    pub slug: Slug,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    pub question: String,
    /// Markdown.
    pub answer: String,
}

/// A dated correction or update to an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub date: Date,
    /// Inline Markdown.
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNote {
    date: String,
    text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedLink {
    pub title: String,
    pub url: String,
}

/// A value's place in the file: 1-based line and column (0 when the key is absent).
pub type Pos = (usize, usize);

/// Where some values sit in the file, for problems found after parsing.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct KeyLines {
    pub title: Pos,
    pub date: Pos,
    pub updated: Pos,
    pub category: Pos,
    pub summary: Pos,
    pub image: Pos,
    pub image_caption: Pos,
    pub tags: Pos,
    /// One per tag (as in [`FrontMatter::tags`]): where its name is written.
    pub tag_names: Vec<Pos>,
    /// One per `related` entry: where its `url` is.
    pub related: Vec<Pos>,
    /// One per `faq` entry: where its `question` is.
    pub faq: Vec<Pos>,
    pub author: Pos,
    pub expires: Pos,
    /// One per correction (as in [`FrontMatter::corrections`]): where its `date` is.
    pub corrections: Vec<Pos>,
    /// One per alias: where it is written.
    pub aliases: Vec<Pos>,
    pub series: Pos,
    pub lang: Pos,
}

/// An article split into checked front matter and its Markdown body.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    /// The 1-based line of the file where the body starts.
    pub body_line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    title: String,
    date: String,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    author: Option<Authors>,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    image_alt: Option<String>,
    #[serde(default)]
    image_caption: Option<String>,
    #[serde(default)]
    image_credit: Option<String>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    key_points: Vec<String>,
    #[serde(default)]
    faq: Vec<FaqEntry>,
    #[serde(default)]
    related: Vec<RelatedLink>,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    corrections: Vec<RawNote>,
    #[serde(default)]
    updates: Vec<RawNote>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    series: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    translation_key: Option<String>,
    #[serde(default)]
    extra: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Authors {
    One(String),
    Many(Vec<String>),
}

/// Splits `text` (the file at `path`) and parses its front matter. Returns every problem
/// found in the front matter, not only the first.
pub fn parse_article<'a>(path: &Path, text: &'a str) -> Result<Parsed<'a>, Vec<Diagnostic>> {
    match parse_article_best_effort(path, text) {
        (Some(parsed), problems) if problems.is_empty() => Ok(parsed),
        (_, problems) => Err(problems),
    }
}

/// Like [`parse_article`], but a file whose front matter has problems still yields what
/// could be read, beside its problems: the faulty keys left out (a bad `date` stands in
/// as 2000-01-01, with no `updated`), so `check` can count its tags, resolve links to it
/// and check its body (issue 23). A YAML syntax error leaves out the key that holds it
/// (or, placed outside any key, the whole front matter: the body alone still counts).
/// `None` when not even that can be read (no fences, for one). Never publish what this returns with
/// problems.
pub fn parse_article_best_effort<'a>(
    path: &Path,
    text: &'a str,
) -> (Option<Parsed<'a>>, Vec<Diagnostic>) {
    let (yaml_text, yaml_line, body, body_line) = match split(path, text) {
        Ok(split) => split,
        Err(d) => return (None, vec![d.with_excerpt(text.lines().next().unwrap_or(""), None)]),
    };
    let stand_in = |key: &str| match key {
        "title" => Some("stand-in"),
        "date" => Some("2000-01-01"),
        _ => None,
    };
    let (raw, mut problems, skipped): (Raw, _, _) =
        match yaml::from_str_all(path, yaml_line, 1, yaml_text, stand_in) {
            Ok(raw) => (raw, Vec::new(), Vec::new()),
            Err(yaml::Partial { problems, value: Some(raw), skipped }) => {
                (raw, problems.into_iter().map(fix_untagged).collect(), skipped)
            }
            Err(yaml::Partial { problems, value: None, .. }) => {
                return (None, problems.into_iter().map(fix_untagged).collect());
            }
        };
    // Keys already reported hold stand-in values: check only the others.
    let reported = |key: &str| skipped.iter().any(|k| k == key);
    let keys = yaml::Keys::of(yaml_text);
    let at = |key: &str| -> Location {
        let (line, column) = keys.value_position(key).unwrap_or((0, 1));
        Location::new(path, yaml_line + line.max(1) - 1).with_column(column)
    };
    let pos_of = |key: &str| match keys.value_position(key) {
        Some((line, column)) => (yaml_line + line - 1, column),
        None => (0, 0),
    };

    // Where a value's text starts, inside its quotes if it has them.
    let unquoted_pos_of = |key: &str| match (pos_of(key), keys.block(key)) {
        ((line, column), Some((_, mut lines))) if line > 0 => {
            let first = lines.next().and_then(|l| l.chars().nth(column - 1));
            (line, column + usize::from(matches!(first, Some('"' | '\''))))
        }
        (pos, _) => pos,
    };
    let title = raw.title.trim().to_owned();
    if title.is_empty() && !reported("title") {
        problems.push(
            Diagnostic::error(at("title"), "title: expected the article's headline, found nothing")
                .with_hint("write `title: \"...\"`"),
        );
    }
    let mut date_of = |key: &str, value: &str| match Date::parse(value) {
        Ok(date) => Some(date),
        Err(error) => {
            let d = Diagnostic::error(at(key), format!("{key}: {}", error.what()));
            problems.push(match error.help() {
                Some(help) => d.with_hint(help),
                None => d,
            });
            None
        }
    };
    let date = if reported("date") { None } else { date_of("date", &raw.date) };
    let updated = raw.updated.as_deref().and_then(|u| date_of("updated", u));
    let expires = raw.expires.as_deref().and_then(|u| date_of("expires", u));
    let correction_lines =
        item_lines(&keys, yaml_line, "corrections", "date", raw.corrections.len());
    let update_lines = item_lines(&keys, yaml_line, "updates", "date", raw.updates.len());
    let mut notes = |key: &str, raw: Vec<RawNote>, lines: &[Pos]| -> Vec<(Note, Pos)> {
        let mut kept = Vec::with_capacity(raw.len());
        for (note, &(line, column)) in raw.into_iter().zip(lines) {
            let at = Location::new(path, line).with_column(column);
            let text = note.text.trim().to_owned();
            if text.is_empty() {
                problems.push(
                    Diagnostic::error(
                        at.clone(),
                        format!("{key}: expected a `text`, found nothing"),
                    )
                    .with_hint("say what changed: `text: \"...\"`"),
                );
            }
            match Date::parse(&note.date) {
                Ok(date) => kept.push((Note { date, text }, (line, column))),
                Err(reason) => {
                    let d = Diagnostic::error(at, format!("{key}: {}", reason.what()));
                    problems.push(match reason.help() {
                        Some(help) => d.with_hint(help),
                        None => d,
                    });
                }
            }
        }
        kept
    };
    let (corrections, correction_lines): (Vec<Note>, Vec<Pos>) =
        notes("corrections", raw.corrections, &correction_lines).into_iter().unzip();
    let updates: Vec<Note> =
        notes("updates", raw.updates, &update_lines).into_iter().map(|(n, _)| n).collect();
    let alias_lines = list_item_positions(&keys, yaml_line, "aliases", raw.aliases.len());
    let mut aliases = Vec::with_capacity(raw.aliases.len());
    let mut kept_alias_lines = Vec::with_capacity(raw.aliases.len());
    for (alias, &(line, column)) in raw.aliases.iter().zip(&alias_lines) {
        match alias_path(alias) {
            Ok(path) => {
                aliases.push(path);
                kept_alias_lines.push((line, column));
            }
            Err(reason) => problems.push(
                Diagnostic::error(
                    Location::new(path, line).with_column(column),
                    format!("aliases: `{}` {reason}", alias.trim()),
                )
                .with_width(alias.trim().chars().count().max(1))
                .with_hint("write the old address as a site path, such as `/world/old-slug/`"),
            ),
        }
    }

    if raw.tags.len() > MAX_TAGS {
        problems.push(
            Diagnostic::error(
                at("tags"),
                format!("tags: {} tags, at most {MAX_TAGS} are allowed", raw.tags.len()),
            )
            .with_width(4)
            .with_hint("keep the few tags a reader would follow"),
        );
    }
    let mut tags: Vec<TagName> = Vec::with_capacity(raw.tags.len().min(MAX_TAGS));
    let mut seen = std::collections::HashSet::new();
    for name in raw.tags.into_iter().take(MAX_TAGS + 1) {
        let name = name.trim().to_owned();
        if name.is_empty() {
            problems.push(Diagnostic::error(
                at("tags"),
                "tags: expected tag names, found an empty tag",
            ));
            continue;
        }
        let slug = Slug::new(&name);
        if seen.insert(slug.clone()) {
            tags.push(TagName { name, slug });
        }
    }

    let authors = match raw.author {
        None => Vec::new(),
        Some(Authors::One(a)) => vec![a],
        Some(Authors::Many(list)) => list,
    };
    let authors: Vec<String> =
        authors.into_iter().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect();

    let related_lines = item_lines(&keys, yaml_line, "related", "url", raw.related.len());
    for (link, &(line, column)) in raw.related.iter().zip(&related_lines) {
        if let Err(reason) = check_link_url(&link.url) {
            problems.push(
                Diagnostic::error(
                    Location::new(path, line).with_column(column),
                    format!("related: `{}` {reason}", link.url),
                )
                .with_hint("use a site path such as `/economy/rates/` or an `https://` address"),
            );
        }
        if link.title.trim().is_empty() {
            problems.push(Diagnostic::error(
                Location::new(path, line),
                "related: expected a `title` for this link",
            ));
        }
    }
    let faq_lines = item_lines(&keys, yaml_line, "faq", "question", raw.faq.len());
    for (entry, &(line, _)) in raw.faq.iter().zip(&faq_lines) {
        if entry.question.trim().is_empty() {
            problems.push(Diagnostic::error(
                Location::new(path, line),
                "faq: expected a question, found nothing",
            ));
        }
    }
    if let Some(image) = &raw.image
        && let Err(reason) = check_link_url(image)
    {
        problems.push(Diagnostic::error(at("image"), format!("image: `{image}` {reason}")));
    }

    let extra = match raw.extra {
        None | Some(serde_json::Value::Null) => serde_json::Value::Object(Default::default()),
        Some(value @ serde_json::Value::Object(_)) => value,
        Some(_) => {
            problems.push(
                Diagnostic::error(at("extra"), "extra: expected a mapping of your own keys")
                    .with_hint("write `extra: { key: value }`"),
            );
            serde_json::Value::Null
        }
    };

    // Each problem is shown with its line of front matter.
    let shown = |d: Diagnostic| match d.excerpt {
        Some(_) => d,
        None => d.with_excerpt_from(yaml_text, yaml_line, None),
    };
    problems.sort_by_key(|d| d.at.line);
    let problems: Vec<Diagnostic> = problems.into_iter().map(shown).collect();
    // What a file with problems still says: faulty values are left out.
    let (date, updated) = match date {
        Some(date) => (date, updated),
        None => (Date::parse("2000-01-01").expect("a valid date"), None),
    };
    let (related, related_lines): (Vec<RelatedLink>, Vec<Pos>) = raw
        .related
        .into_iter()
        .zip(related_lines)
        .filter(|(link, _)| check_link_url(&link.url).is_ok())
        .unzip();
    let image = raw.image.filter(|i| check_link_url(i).is_ok());
    let extra = if extra.is_object() { extra } else { serde_json::json!({}) };
    let lines = KeyLines {
        title: pos_of("title"),
        date: pos_of("date"),
        updated: pos_of("updated"),
        category: unquoted_pos_of("category"),
        summary: pos_of("summary"),
        image: pos_of("image"),
        image_caption: unquoted_pos_of("image_caption"),
        tags: pos_of("tags"),
        tag_names: name_positions(&keys, yaml_line, &tags),
        related: related_lines,
        faq: faq_lines,
        author: pos_of("author"),
        expires: pos_of("expires"),
        corrections: correction_lines,
        aliases: kept_alias_lines,
        series: unquoted_pos_of("series"),
        lang: unquoted_pos_of("lang"),
    };
    let summary = raw.summary.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let front = FrontMatter {
        title,
        date,
        updated,
        category: non_empty(raw.category),
        tags,
        summary,
        authors,
        image: non_empty(image),
        // Alt text left out for its own error is not also missing (never published).
        image_alt: match reported("image_alt") {
            true => Some("(unread)".to_owned()),
            false => non_empty(raw.image_alt),
        },
        image_caption: non_empty(raw.image_caption),
        image_credit: non_empty(raw.image_credit),
        slug: non_empty(raw.slug.clone()).map(|s| Slug::new(&s)),
        slug_text: non_empty(raw.slug),
        draft: raw.draft,
        key_points: raw.key_points,
        faq: raw.faq,
        related,
        expires,
        corrections,
        updates,
        aliases,
        series: non_empty(raw.series),
        lang: non_empty(raw.lang),
        translation_key: non_empty(raw.translation_key),
        extra,
        lines,
    };
    (Some(Parsed { front, body, body_line }), problems)
}

/// Splits at the `---` fences: `(yaml, yaml_first_line, body, body_first_line)`.
fn split<'a>(path: &Path, text: &'a str) -> Result<(&'a str, usize, &'a str, usize), Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Err(Diagnostic::error(
            Location::new(path, 1).with_column(1),
            "expected `---` on the first line, to open the front matter",
        )
        .with_hint(
            "an article starts with `---`, then `title:` and `date:`, then `---` and the body",
        ));
    }
    let mut offset = first_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == "---" {
            return Ok((&text[first_end..offset], 2, &text[end..], line + 1));
        }
        offset = end;
        line += 1;
    }
    Err(Diagnostic::error(
        Location::new(path, 1).with_column(1),
        "the front matter opened here is never closed",
    )
    .with_hint("add a line `---` after the last front matter key"))
}

/// serde's "did not match any variant" says nothing useful; say what `author` takes.
fn fix_untagged(mut d: Diagnostic) -> Diagnostic {
    if matches!(d.kind(), DiagnosticKind::NoMatchingShape { type_name } if type_name == "Authors") {
        d.message = "author: expected a name or a list of names".to_owned();
    }
    d
}

/// Refuses URLs that would run code or make no sense in a link.
pub fn check_link_url(url: &str) -> Result<(), &'static str> {
    let url = url.trim();
    let scheme_end = url
        .find(':')
        .filter(|&i| url[..i].chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)));
    match scheme_end.map(|i| url[..i].to_ascii_lowercase()) {
        _ if url.is_empty() => Err("is empty"),
        Some(s) if s == "https" || s == "http" || s == "mailto" => Ok(()),
        Some(_) => {
            Err("is not allowed: only site paths, `https://`, `http://` and `mailto:` links are")
        }
        None if url.starts_with('/') || url.starts_with('#') => Ok(()),
        None => Err("is not a link: start it with `/` for a page of this site or `https://`"),
    }
}

/// An `aliases:` entry as a site path: ending in `/` (`/world/old` is `/world/old/`)
/// unless it names a file (`/2019/port.html`); or why it is not one.
fn alias_path(alias: &str) -> Result<String, &'static str> {
    let alias = alias.trim();
    if !alias.starts_with('/') || alias.starts_with("//") {
        return Err("is not a site path: start it with `/`");
    }
    if alias.contains(['?', '#', ' ', '\\', '"', '<', '>']) {
        return Err("is not a plain site path: leave out `?`, `#`, spaces and quotes");
    }
    if alias.split('/').any(|s| s == "." || s == "..") {
        return Err("is not a plain site path: leave out `.` and `..`");
    }
    if alias == "/" {
        return Err("is the front page");
    }
    // `/2019/port.html` names a file; `/world/old` a page, served as `/world/old/`.
    let file = alias.rsplit('/').next().is_some_and(|last| last.contains('.'));
    Ok(if alias.ends_with('/') || file { alias.to_owned() } else { format!("{alias}/") })
}

/// Where each item of the top-level list of strings `key` is written, `(line, column)` in
/// the whole file; a flow-style list (`[a, b]`) points at the key for every item.
fn list_item_positions(
    keys: &yaml::Keys<'_>,
    yaml_line: usize,
    key: &str,
    count: usize,
) -> Vec<Pos> {
    let mut found = Vec::with_capacity(count);
    let Some((start, block)) = keys.block(key) else {
        return vec![(yaml_line, 1); count];
    };
    let key_line = yaml_line + start - 1;
    let mut flow = (key_line, 1);
    for (j, text) in block.enumerate() {
        if j == 0 {
            if let Some(colon) = text.find(':') {
                let rest = &text[colon + 1..];
                let value = colon + 1 + (rest.len() - rest.trim_start().len());
                flow = (key_line, text[..value].chars().count() + 1);
                if text[value..].starts_with('[') {
                    found.extend(
                        flow_item_starts(text, value + 1)
                            .into_iter()
                            .map(|at| (key_line, text[..at].chars().count() + 1)),
                    );
                }
            }
            continue;
        }
        if !text.starts_with([' ', '-', '\t', '#']) && !text.trim().is_empty() {
            break;
        }
        let item = text.trim_start();
        if let Some(value) = item.strip_prefix('-') {
            let value = value.trim_start();
            let quoted = usize::from(value.starts_with(['"', '\'']));
            let column = text.len() - value.len();
            found.push((key_line + j, text[..column].chars().count() + 1 + quoted));
        }
    }
    found.resize(count, flow);
    found.truncate(count);
    found
}

/// Where each item of a one-line flow list (`["/a/", "/b/"]`) starts, as byte offsets in
/// `line` past any opening quote; `from` is just after the `[`.
fn flow_item_starts(line: &str, from: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut quote: Option<char> = None;
    let mut expecting = true; // at the start of an item, before its first character
    for (i, c) in line[from..].char_indices() {
        let at = from + i;
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            ' ' | '\t' => {}
            ']' => break,
            ',' => expecting = true,
            '"' | '\'' => {
                if expecting {
                    starts.push(at + 1);
                    expecting = false;
                }
                quote = Some(c);
            }
            _ if expecting => {
                starts.push(at);
                expecting = false;
            }
            _ => {}
        }
    }
    starts
}

/// Where each tag's name is written, searching the `tags` block in order: `(line,
/// column)` in the whole file, or `(0, 0)` for a name not found as written.
fn name_positions(keys: &yaml::Keys<'_>, yaml_line: usize, tags: &[TagName]) -> Vec<Pos> {
    let Some((start, block)) = keys.block("tags") else {
        return vec![(0, 0); tags.len()];
    };
    // The block: the key's line and the indented lines after it.
    let lines: Vec<&str> = block
        .enumerate()
        .take_while(|(i, text)| *i == 0 || text.starts_with([' ', '\t', '-', '#']))
        .map(|(_, text)| text)
        .collect();
    let mut from = (0, "tags:".len());
    tags.iter()
        .map(|tag| {
            for (i, text) in lines.iter().enumerate().skip(from.0) {
                let skip = if i == from.0 { from.1.min(text.len()) } else { 0 };
                if let Some(at) = text.get(skip..).and_then(|t| t.find(tag.name.as_str())) {
                    let byte = skip + at;
                    from = (i, byte + tag.name.len());
                    return (yaml_line + start - 1 + i, text[..byte].chars().count() + 1);
                }
            }
            (0, 0)
        })
        .collect()
}

/// Lines (in the whole file) of `field` in each item of the top-level list `key`.
fn item_lines(
    keys: &yaml::Keys<'_>,
    yaml_line: usize,
    key: &str,
    field: &str,
    count: usize,
) -> Vec<(usize, usize)> {
    let mut lines = Vec::with_capacity(count);
    let block = keys.block(key);
    let start = block.as_ref().map(|(line, _)| *line);
    if let Some((start, block)) = block {
        // `i`: the 0-based index, in the whole block of front matter, of each line under the key.
        for (i, text) in block.enumerate().skip(1).map(|(j, text)| (start - 1 + j, text)) {
            if !text.starts_with([' ', '-', '\t', '#']) && !text.trim().is_empty() {
                break; // the next top-level key
            }
            let item = text.trim_start().trim_start_matches('-').trim_start();
            if item.starts_with(field) && item[field.len()..].trim_start().starts_with(':') {
                // The value starts after `field:` and its spaces.
                let colon = text.len() - item.len() + item.find(':').expect("checked above") + 1;
                let value = colon + (text[colon..].len() - text[colon..].trim_start().len());
                lines.push((yaml_line + i, text[..value].chars().count() + 1));
            }
        }
    }
    // Flow-style lists (`[{...}]`) hide the items: point at the key for all of them.
    let fallback = start.map_or(yaml_line, |l| yaml_line + l - 1);
    lines.resize(count, (fallback, 1));
    lines.truncate(count);
    lines
}

#[cfg(test)]
mod tests;
