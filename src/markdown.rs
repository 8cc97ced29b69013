//! Markdown -> HTML split into `##` sections, with unique heading ids, a table of contents,
//! highlighted code and footnotes, plus what later stages need: summary, words, links.

use std::collections::{HashMap, HashSet};

pub mod shortcode;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd,
};
use pulldown_cmark_escape::{escape_href, escape_html};

use crate::error::LineIndex;
use crate::highlight;
use crate::images::{Found, Usage};
use crate::spill::Html;
use crate::url::Slug;

pub use shortcode::{Call, Culprit, Problem, Refusal, Shortcodes};
use shortcode::{Prepared, Token};

/// Ids the default theme gives its own blocks; body headings never take them.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "content",
    "key-points",
    "toc",
    "faq",
    "related",
    "tags",
    "share",
    "search",
    "footnotes",
    "see-also",
    "comments",
    // The newsroom notices and the series box (issue 17).
    "corrections",
    "updates",
    "series-box",
];

/// Looks up one of the site's images by the address written in Markdown, and where it
/// is used: its size, and the processed picture when gazette resizes it (issue 16).
pub type ImageSizes<'a> = &'a (dyn Fn(&str, Usage) -> Option<Found> + Sync);

/// What the body's pictures are shown at: the article column, or the screen's width on
/// phones (the theme's `--column`).
pub const BODY_SIZES: &str = "(min-width: 41rem) 39rem, 100vw";

/// How Markdown is turned into HTML for one site.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Keep raw HTML written inside Markdown; `false` drops it.
    pub unsafe_html: bool,
    /// The site's path prefix (`/` or `/news/`), put in front of root-relative links.
    pub base_path: &'a str,
    /// Sizes of the site's own images, for `width` and `height` on `<img>`.
    pub image_sizes: Option<ImageSizes<'a>>,
    /// The theme's shortcodes; without them, calls are left as written.
    pub shortcodes: Option<ShortcodeContext<'a>>,
}

/// The theme's shortcodes, and what their templates may know of the page.
#[derive(Clone, Copy)]
pub struct ShortcodeContext<'a> {
    pub renderer: &'a dyn Shortcodes,
    /// The article's front matter, as far as it is known before the site is assembled.
    pub page: &'a serde_json::Value,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("unsafe_html", &self.unsafe_html)
            .field("base_path", &self.base_path)
            .field("shortcodes", &self.shortcodes.is_some())
            .finish()
    }
}

/// A rendered article body.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Body {
    /// Whatever comes before the first `##` heading.
    pub intro_html: Html,
    /// One per `##` heading, in order.
    pub sections: Vec<Section>,
    /// `##` and `###` headings, for a table of contents.
    pub toc: crate::spill::Lazy<Vec<TocEntry>>,
    /// The plain text of the first paragraph.
    pub first_paragraph: Option<String>,
    pub word_count: usize,
    /// Every link and image target, with the line it is on, for `check`.
    pub links: crate::spill::Lazy<Vec<BodyLink>>,
    /// The body has highlighted code, so the page needs the code stylesheet.
    pub has_code: bool,
    /// The highlighting classes its code uses, sorted: the site's code stylesheet holds
    /// only the rules these need.
    pub code_classes: Vec<String>,
    /// The names of the shortcodes the body calls, sorted.
    pub shortcodes: Vec<String>,
    /// A shortcode left a frame to load on click (`data-embed-src`), so the page needs
    /// the theme's embed script.
    pub has_embed: bool,
    /// Shortcode calls that could not be rendered; each is an error of the file.
    pub problems: Vec<Problem>,
    /// A hash of the HTML of the intro and of every section, made when the body is
    /// rendered: a rebuild decides whether an article's page changed from it, without
    /// reading back a body parked on disk (issue 15).
    pub html_hash: [u8; 32],
    /// The line and column of the first heading over [`MAX_HEADINGS`]: rendering
    /// stopped there, and the article is refused.
    pub too_many_headings: Option<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    /// The heading's inner HTML (inline formatting kept).
    pub heading_html: String,
    /// The heading as plain text.
    pub heading: String,
    pub id: String,
    /// The heading's classes from `{.name}` attributes, space-separated; empty without.
    pub classes: String,
    /// The section's content after its heading.
    pub html: Html,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub text: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BodyLink {
    /// As written in the Markdown, before the base path was added.
    pub target: String,
    /// 1-based line and column in the whole file.
    pub line: usize,
    pub column: usize,
    /// How many characters of the line the link's Markdown spans.
    pub width: usize,
    pub is_image: bool,
    /// For images: the alt text is empty.
    pub missing_alt: bool,
    /// Written as an HTML tag, not in Markdown.
    pub raw_html: bool,
}

/// Whether a link to `url` could run code when followed or loaded: `javascript:`,
/// `vbscript:` and `data:` addresses other than bitmap images (browsers ignore tabs,
/// line breaks and case in the scheme).
pub fn runs_code(url: &str) -> bool {
    // The first 16 characters that count, lower-cased; any other than ASCII stands as
    // 0xFF, which no scheme holds.
    let mut start = [0u8; 16];
    let mut len = 0;
    for c in url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control()).take(16) {
        start[len] = if c.is_ascii() { (c as u8).to_ascii_lowercase() } else { 0xFF };
        len += 1;
    }
    let start = &start[..len];
    if start.starts_with(b"javascript:") || start.starts_with(b"vbscript:") {
        return true;
    }
    let bitmaps = ["data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp"];
    start.starts_with(b"data:") && !bitmaps.iter().any(|b| start.starts_with(b.as_bytes()))
}

fn parser_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_SMART_PUNCTUATION
        | O::ENABLE_HEADING_ATTRIBUTES
        // GitHub's alerts (`> [!NOTE]`), rendered as callouts (issue 18).
        | O::ENABLE_GFM
}

impl Body {
    /// Parks the body's HTML in `spill` (once its memory budget is spent) until its page
    /// is rendered, with `also` (the article's search terms), in one write.
    pub fn spill_to(
        &mut self,
        spill: &std::sync::Arc<crate::spill::Spill>,
        also: Option<&mut Html>,
    ) -> std::io::Result<()> {
        let mut pieces: Vec<&mut Html> = Vec::with_capacity(self.sections.len() + 2);
        pieces.push(&mut self.intro_html);
        pieces.extend(self.sections.iter_mut().map(|s| &mut s.html));
        pieces.extend(also);
        spill.park(&mut pieces)
    }
}

/// Renders an article body that starts on line `first_line` of its file.
pub fn render_body(text: &str, first_line: usize, options: &Options<'_>) -> Body {
    let prepared = prepare(text, first_line, options);
    let mut renderer = Renderer::new(text, first_line, options, true, prepared.as_ref());
    renderer.run();
    let (mut body, intro, sections) = renderer.finish();
    body.html_hash = html_hash(&intro, &sections);
    body.intro_html = Html::from(intro);
    for (section, html) in body.sections.iter_mut().zip(sections) {
        section.html = Html::from(html);
    }
    body
}

/// See [`Body::html_hash`]: each piece with its length first, so that no two bodies
/// hash the same bytes.
fn html_hash(intro: &str, sections: &[String]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    for piece in std::iter::once(intro).chain(sections.iter().map(String::as_str)) {
        hasher.update(&(piece.len() as u64).to_le_bytes()).update(piece.as_bytes());
    }
    *hasher.finalize().as_bytes()
}

/// Renders a Markdown fragment (an FAQ answer) as block HTML, without sections.
pub fn render_fragment(text: &str, options: &Options<'_>) -> String {
    let prepared = prepare(text, 1, options);
    let mut renderer = Renderer::new(text, 1, options, false, prepared.as_ref());
    renderer.run();
    renderer.finish().1
}

/// Renders one line of inline Markdown (a key point) without the paragraph around it.
pub fn render_inline(text: &str, options: &Options<'_>) -> String {
    let mut html = render_fragment(text, options);
    let trimmed = html.trim_end();
    if trimmed.starts_with("<p>")
        && trimmed.ends_with("</p>")
        && trimmed.matches("<p>").count() == 1
    {
        html = trimmed["<p>".len()..trimmed.len() - "</p>".len()].to_owned();
    }
    html
}

/// Renders an FAQ answer as block HTML, and gives its plain text too (for structured
/// data), from one parse.
pub fn render_answer(text: &str, options: &Options<'_>) -> (String, String) {
    let prepared = prepare(text, 1, options);
    let mut renderer = Renderer::new(text, 1, options, false, prepared.as_ref());
    renderer.plain = Some(String::new());
    renderer.run();
    let plain = renderer.plain.take().unwrap_or_default();
    (renderer.finish().1, squeeze_spaces(&plain))
}

/// `text` with its shortcode lines and callout titles made ready for the parser, when
/// it has any.
fn prepare(text: &str, first_line: usize, options: &Options<'_>) -> Option<Prepared> {
    shortcode::prepare(text, first_line, parser_options(), options.shortcodes.is_some())
}

/// Plain text of inline Markdown: `**Rates** _rise_` gives `Rates rise`.
pub fn plain_text(text: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(text, parser_options()) {
        push_plain(&mut out, &event);
    }
    squeeze_spaces(&out)
}

/// What `event` adds to the plain text of a fragment.
fn push_plain(out: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) | Event::Code(t) => out.push_str(t),
        Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => out.push(' '),
        _ => {}
    }
}

/// `text` with each run of spaces made one space, and none at either end.
fn squeeze_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let push = |word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    // ASCII text splits the same on ASCII spaces (all but the vertical tab), faster.
    if text.is_ascii() && !text.contains('\x0B') {
        text.split_ascii_whitespace().for_each(push);
    } else {
        text.split_whitespace().for_each(push);
    }
    out
}

/// Ids handed out on one page: each is unique, and none is one of the theme's.
#[derive(Debug, Default)]
struct IdSet {
    /// The ids handed out so far (the theme's own are checked apart: most fragments
    /// hand out no id at all, and should not pay for copying the list).
    used: HashSet<String>,
    /// For each base that was taken, the lowest suffix that may still be free: every
    /// lower one is taken, and ids are never given back, so the search for `base-n`
    /// resumes there instead of at 1. Each taken id is passed over at most once (it is
    /// `base-n` for one base only), so handing out n ids costs O(n) (issue 22).
    next_suffix: HashMap<String, usize>,
}

impl IdSet {
    fn is_free(&self, id: &str) -> bool {
        !RESERVED_IDS.contains(&id) && !self.used.contains(id)
    }

    /// `base` if it is free, else `base-n` for the lowest free `n`.
    fn unique(&mut self, base: &str) -> String {
        let id = if self.is_free(base) {
            base.to_owned()
        } else {
            let mut n = self.next_suffix.get(base).copied().unwrap_or(1);
            let id = loop {
                let candidate = format!("{base}-{n}");
                n += 1;
                if self.is_free(&candidate) {
                    break candidate;
                }
            };
            self.next_suffix.insert(base.to_owned(), n);
            id
        };
        self.used.insert(id.clone());
        id
    }
}

/// How many events of a paragraph are held before they are rendered.
const FLUSH_EVENTS: usize = 4096;

/// The most headings an article body may hold (issue 22). Each becomes an id, a
/// contents entry and, for `##`, a section of the page: a megabyte of `#` lines would
/// make a page of 60 MB. No explainer needs more; past it the article is refused.
pub const MAX_HEADINGS: usize = 2000;

/// What rendering the rest of a table needs to know of its start (see
/// [`Renderer::flush_rows`]).
struct OpenTable {
    alignments: Vec<pulldown_cmark::Alignment>,
    /// Its head has ended.
    in_body: bool,
    /// Some of it was rendered already.
    started: bool,
}

struct Heading<'a> {
    level: HeadingLevel,
    explicit_id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    events: Vec<Event<'a>>,
    text: String,
}

struct Footnote<'a> {
    label: String,
    events: Vec<Event<'a>>,
}

struct Renderer<'a, 'o> {
    text: &'a str,
    options: &'o Options<'o>,
    sectioned: bool,
    /// Where each line of `text` starts; worked out on the first link that needs it.
    lines: std::cell::OnceCell<LineIndex<'a>>,
    first_line: usize,
    body: Body,
    ids: IdSet,
    /// Events of the current section, rendered when the next one starts.
    pending: Vec<Event<'a>>,
    /// The HTML before the first section, and of each section so far.
    intro: String,
    section_html: Vec<String>,
    /// Nesting of block containers (lists, quotes, footnotes): only top-level `##` split.
    depth: usize,
    heading: Option<Heading<'a>>,
    code: Option<(String, String)>,
    image: Option<(String, String, String)>,
    /// The open paragraph's source text range, to tell an image alone in it.
    paragraph: Option<std::ops::Range<usize>>,
    /// The open image is all its paragraph holds (a titled one becomes a figure).
    image_alone: bool,
    /// The open paragraph became a figure: its end tag is left out like its start.
    drop_paragraph_end: bool,
    footnote: Option<Footnote<'a>>,
    footnotes: Vec<Footnote<'a>>,
    /// Footnote labels in the order first referenced, with how often each was referenced.
    footnote_refs: Vec<(String, usize)>,
    /// Each referenced label's place in `footnote_refs`.
    footnote_numbers: HashMap<String, usize>,
    summary: Option<String>,
    summary_done: bool,
    /// Stand in for the summary when no paragraph stands at the top level (an article
    /// of a callout and an embed): the first nested paragraph's text, else the first
    /// shortcode's `title` or `caption`.
    fallback_summary: Option<String>,
    call_summary: Option<String>,
    summary_nested: bool,
    in_summary: bool,
    /// Inside a paragraph, where the pending events can be rendered at any point: only
    /// inline events follow, and the HTML writer keeps no state across them.
    in_paragraph: bool,
    /// The table being read, outside footnotes.
    table: Option<OpenTable>,
    /// The last event ended a row of the open table's body.
    at_row_end: bool,
    /// The last event ended a list item.
    at_item_end: bool,
    /// The fragment's plain text, when asked for (see [`render_answer`]).
    plain: Option<String>,
    /// The text's shortcode calls and callout titles, when it has any; `text` is then
    /// the prepared text.
    prepared: Option<&'a Prepared>,
    /// Inside a placeholder paragraph: what it stands for.
    placeholder: Option<Token>,
    /// The bodies of the open block shortcodes: the call, the nesting depth at its
    /// opening line, and the events since.
    captures: Vec<(usize, usize, Vec<Event<'a>>)>,
}

impl<'a, 'o> Renderer<'a, 'o> {
    fn new(
        text: &'a str,
        first_line: usize,
        options: &'o Options<'o>,
        sectioned: bool,
        prepared: Option<&'a Prepared>,
    ) -> Self {
        Renderer {
            text: prepared.map_or(text, |p| p.text.as_str()),
            options,
            sectioned,
            lines: std::cell::OnceCell::new(),
            first_line,
            body: Body::default(),
            ids: IdSet::default(),
            pending: Vec::new(),
            intro: String::new(),
            section_html: Vec::new(),
            depth: 0,
            heading: None,
            code: None,
            image: None,
            paragraph: None,
            image_alone: false,
            drop_paragraph_end: false,
            footnote: None,
            footnotes: Vec::new(),
            footnote_refs: Vec::new(),
            footnote_numbers: HashMap::new(),
            summary: None,
            summary_done: false,
            fallback_summary: None,
            call_summary: None,
            summary_nested: false,
            in_summary: false,
            in_paragraph: false,
            table: None,
            at_row_end: false,
            at_item_end: false,
            plain: None,
            prepared,
            placeholder: None,
            captures: Vec::new(),
        }
    }

    /// The file line and column of byte `offset` of the text.
    fn position(&self, offset: usize) -> (usize, usize) {
        let (index, column) = self.lines.get_or_init(|| LineIndex::new(self.text)).position(offset);
        // A prepared text has lines the file does not (around shortcode calls).
        let index = self.prepared.and_then(|p| p.line_map.get(index).copied()).unwrap_or(index);
        (self.first_line + index, column)
    }

    /// How much of a link to underline in a message: to the end of its first line. A
    /// message shows at most a few dozen characters of it, so counting stops there:
    /// images nest, and counting each one whole would be quadratic.
    fn underline_width(&self, range: &std::ops::Range<usize>) -> usize {
        underline_width(&self.text[range.clone()])
    }

    /// Renders the pending events, which end with a row of the open table's body, so
    /// the table's rows are not all held as events. The HTML writer renders a cell by what
    /// it saw of the table before (its alignments, head or body): when the table began in
    /// an earlier flush, the events are preceded by those of an empty table head, whose
    /// HTML is then dropped.
    fn flush_rows(&mut self) {
        let Some(table) = &mut self.table else { return };
        if !table.started {
            table.started = true;
            self.flush();
            return;
        }
        let alignments = table.alignments.clone();
        self.flush_after_head(alignments);
    }

    /// Renders the pending events, which continue a table whose start was rendered.
    fn flush_after_head(&mut self, alignments: Vec<pulldown_cmark::Alignment>) {
        let head = [
            Event::Start(Tag::Table(alignments)),
            Event::Start(Tag::TableHead),
            Event::End(TagEnd::TableHead),
        ];
        let mut skipped = String::new();
        pulldown_cmark::html::push_html(&mut skipped, head.clone().into_iter());
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, head.into_iter().chain(self.pending.drain(..)));
        let target = self.section_html.last_mut().unwrap_or(&mut self.intro);
        target.push_str(&html[skipped.len()..]);
    }

    fn run(&mut self) {
        let parser = Parser::new_ext(self.text, parser_options()).into_offset_iter();
        let mut headings = 0;
        for (event, range) in parser {
            if let Event::Start(Tag::Heading { .. }) = event {
                headings += 1;
                if headings > MAX_HEADINGS {
                    self.body.too_many_headings = Some(self.position(range.start));
                    break;
                }
            }
            self.event(event, range);
            // A long paragraph is rendered as it goes rather than held as events, which
            // take several times the memory of its text (issue 22).
            if self.pending.len() >= FLUSH_EVENTS {
                if self.in_paragraph || (self.at_item_end && self.table.is_none()) {
                    self.flush();
                } else if self.at_row_end {
                    self.flush_rows();
                }
            }
            self.at_row_end = false;
            self.at_item_end = false;
        }
    }

    /// Where an event goes: the open footnote, the open heading, or the section.
    fn emit(&mut self, event: Event<'a>) {
        if let Some(footnote) = &mut self.footnote {
            footnote.events.push(event);
        } else if let Some(heading) = &mut self.heading {
            heading.events.push(event);
        } else if let Some((_, _, events)) = self.captures.last_mut() {
            events.push(event);
        } else {
            self.pending.push(event);
        }
    }

    /// Where [`Renderer::emit`] puts events now.
    fn emitted(&mut self) -> &mut Vec<Event<'a>> {
        if let Some(footnote) = &mut self.footnote {
            &mut footnote.events
        } else if let Some(heading) = &mut self.heading {
            &mut heading.events
        } else if let Some((_, _, events)) = self.captures.last_mut() {
            events
        } else {
            &mut self.pending
        }
    }

    fn event(&mut self, event: Event<'a>, range: std::ops::Range<usize>) {
        let offset = range.start;
        if let Some(plain) = &mut self.plain {
            push_plain(plain, &event);
        }
        // Inside a code block or image, only text matters.
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        if let Some((_, alt, _)) = &mut self.image {
            match event {
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                Event::SoftBreak | Event::HardBreak => alt.push(' '),
                Event::End(TagEnd::Image) => self.end_image(),
                _ => {}
            }
            return;
        }
        if let Some(token) = self.placeholder {
            if matches!(event, Event::End(TagEnd::Paragraph)) {
                self.placeholder = None;
                self.shortcode(token);
            }
            return;
        }
        match event {
            Event::Start(Tag::Paragraph)
                if let Some(prepared) = self.prepared
                    && let Some(token) = shortcode::token_in(&self.text[range.clone()])
                        .and_then(|n| prepared.tokens.get(n)) =>
            {
                self.placeholder = Some(*token);
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                self.depth += 1;
                let index = self.lines.get_or_init(|| LineIndex::new(self.text)).position(offset).0;
                let title = self.prepared.and_then(|p| p.titles.get(&index));
                let (class, name) = callout_kind(kind);
                // A custom title is inline Markdown (`Be *careful*`); the default one is text.
                let (title_html, title_text) = match title {
                    Some(title) => (render_inline(title, self.options), plain_text(title)),
                    None => {
                        let mut html = String::new();
                        escape_html(&mut html, name).expect("String writes cannot fail");
                        (html, name.to_owned())
                    }
                };
                let id = self.ids.unique(&format!("callout-{}", Slug::new(&title_text)));
                // `role="note"`: an `<aside>` is a complementary landmark to html-validate
                // wherever it stands, and landmarks of one kind need names of their own;
                // two callouts titled "Note" would share one. A note is no landmark, so
                // titles may repeat; `aria-labelledby` still names it by its title.
                let html = format!(
                    "<aside class=\"callout callout-{class}\" role=\"note\" aria-labelledby=\"{id}\">\n\
                     <p class=\"callout-title\" id=\"{id}\">{}</p>\n",
                    title_html.trim_end()
                );
                self.emit(Event::Html(html.into()));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                self.depth -= 1;
                self.emit(Event::Html("</aside>\n".into()));
            }
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                self.heading = Some(Heading {
                    level,
                    explicit_id: id,
                    classes,
                    events: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                let (line, column) = self.position(offset);
                let width = self.underline_width(&range);
                self.body.links.push(BodyLink {
                    target: dest_url.to_string(),
                    line,
                    column,
                    width,
                    is_image: true,
                    missing_alt: false,
                    raw_html: false,
                });
                self.image_alone = self.paragraph.as_ref().is_some_and(|p| {
                    self.text.get(p.clone()).map(str::trim)
                        == self.text.get(range.clone()).map(str::trim)
                });
                self.image = Some((self.rewrite(&dest_url), String::new(), title.to_string()));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = if matches!(link_type, LinkType::Email) {
                    dest_url
                } else {
                    let (line, column) = self.position(offset);
                    let width = self.underline_width(&range);
                    self.body.links.push(BodyLink {
                        target: dest_url.to_string(),
                        line,
                        column,
                        width,
                        is_image: false,
                        missing_alt: false,
                        raw_html: false,
                    });
                    CowStr::from(self.rewrite(&dest_url))
                };
                self.emit(Event::Start(Tag::Link { link_type, dest_url, title, id }));
            }
            Event::Html(_) | Event::InlineHtml(_) if !self.options.unsafe_html => {}
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                self.note_raw_images(html, offset);
                self.emit(event);
            }
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::FootnoteReference(label) => self.footnote_reference(&label),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.footnote = Some(Footnote { label: label.to_string(), events: Vec::new() });
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some(footnote) = self.footnote.take() {
                    self.footnotes.push(footnote);
                }
            }
            Event::Start(Tag::Table(alignments)) => {
                self.depth += 1;
                if self.footnote.is_none() {
                    self.table = Some(OpenTable {
                        alignments: alignments.clone(),
                        in_body: false,
                        started: false,
                    });
                }
                // Wide tables scroll sideways: the region is reachable by keyboard.
                self.emit(Event::Html("<div class=\"table-wrap\" tabindex=\"0\">".into()));
                self.emit(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(table) = &mut self.table {
                    table.in_body = true;
                }
                self.emit(Event::End(TagEnd::TableHead));
            }
            Event::End(TagEnd::TableRow) => {
                self.at_row_end = self.table.as_ref().is_some_and(|t| t.in_body);
                self.emit(Event::End(TagEnd::TableRow));
            }
            Event::End(TagEnd::Table) => {
                self.depth -= 1;
                self.emit(Event::End(TagEnd::Table));
                // The rest of a table rendered in part is rendered now, after its head.
                if let Some(table) = self.table.take()
                    && table.started
                {
                    self.flush_after_head(table.alignments);
                }
                self.emit(Event::Html("</div>".into()));
            }
            Event::Start(Tag::Paragraph) => {
                self.in_paragraph = true;
                self.paragraph = Some(range.clone());
                // Only an article body has a summary to find.
                if self.sectioned
                    && !self.summary_done
                    && self.heading.is_none()
                    && self.footnote.is_none()
                    && (self.depth == 0 || self.fallback_summary.is_none())
                {
                    self.in_summary = true;
                    self.summary_nested = self.depth > 0;
                }
                self.emit(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                self.in_paragraph = false;
                self.paragraph = None;
                if self.in_summary {
                    self.in_summary = false;
                    let text = self.summary.take().unwrap_or_default();
                    let text = squeeze_spaces(&text);
                    if !text.is_empty() && self.summary_nested {
                        self.fallback_summary = Some(text);
                    } else if !text.is_empty() {
                        self.summary = Some(text);
                        self.summary_done = true;
                    }
                }
                if std::mem::take(&mut self.drop_paragraph_end) {
                    return;
                }
                self.emit(Event::End(TagEnd::Paragraph));
            }
            Event::Text(text) => {
                self.count_words(&text);
                if let Some(heading) = &mut self.heading {
                    heading.text.push_str(&text);
                }
                if self.in_summary {
                    self.summary.get_or_insert_with(String::new).push_str(&text);
                }
                self.emit(Event::Text(text));
            }
            Event::Code(text) => {
                self.count_words(&text);
                if let Some(heading) = &mut self.heading {
                    heading.text.push_str(&text);
                }
                if self.in_summary {
                    self.summary.get_or_insert_with(String::new).push_str(&text);
                }
                self.emit(Event::Code(text));
            }
            Event::SoftBreak | Event::HardBreak if self.in_summary => {
                self.summary.get_or_insert_with(String::new).push(' ');
                self.emit(event);
            }
            Event::Start(tag) => {
                if is_container(&tag) {
                    self.depth += 1;
                }
                self.emit(Event::Start(tag));
            }
            Event::End(tag) => {
                if is_container_end(&tag) {
                    self.depth -= 1;
                }
                // Between list items, as between paragraphs, the pending events can be
                // rendered: a list of 500,000 empty items is not held as events (issue 22).
                self.at_item_end = tag == TagEnd::Item;
                self.emit(Event::End(tag));
            }
            other => self.emit(other),
        }
    }

    /// What a placeholder paragraph stands for: a shortcode's HTML, or the start or end
    /// of a block's body.
    fn shortcode(&mut self, token: Token) {
        let Some(prepared) = self.prepared else { return };
        match token {
            Token::Nothing => {}
            Token::Inline(call) => self.render_call(&prepared.calls[call], None),
            Token::Open(call) => {
                // A body is not a section of the page: `##` in it is a plain heading.
                self.depth += 1;
                self.captures.push((call, self.depth, Vec::new()));
            }
            Token::End(call) => {
                let Some((_, depth, events)) = self.captures.pop() else { return };
                let c = &prepared.calls[call];
                if depth != self.depth {
                    // Opened inside a list or quote and closed outside it, or the other
                    // way round: its events do not nest, so they are kept as they are.
                    self.body.problems.push(Problem {
                        line: c.line,
                        column: c.column,
                        width: c.width,
                        message: format!(
                            "the body of `{}` ends inside another block than it starts",
                            c.name
                        ),
                        hint: Some(
                            "put `{% end %}` at the same indentation, in the same list or quote"
                                .to_owned(),
                        ),
                    });
                    events.into_iter().for_each(|e| self.emit(e));
                    return;
                }
                self.depth -= 1;
                let mut body = String::new();
                pulldown_cmark::html::push_html(&mut body, events.into_iter());
                self.render_call(c, Some(&body));
            }
        }
    }

    /// Renders a call with the theme's template, or records why it could not be.
    fn render_call(&mut self, call: &Call, body: Option<&str>) {
        let Some(context) = self.options.shortcodes else { return };
        let mut call = call.clone();
        // Files of the site: checked like links, under the site's base path, and an
        // image's size known for `width` and `height`.
        for key in ["src", "poster"] {
            let Some(serde_json::Value::String(target)) = call.args.get(key) else { continue };
            let target = target.clone();
            let (column, width) = call.span_of(&Culprit::Argument(key.to_owned()));
            self.body.links.push(BodyLink {
                target: target.clone(),
                line: call.line,
                column,
                width,
                is_image: false,
                missing_alt: false,
                raw_html: false,
            });
            // A shortcode's `src` image is processed like a Markdown image: the template
            // gets `picture` for the theme's `picture` component (issue 16).
            let usage =
                Usage { line: call.line, column, width, lead: false, measure_only: key != "src" };
            if key == "src"
                && let Some(found) =
                    self.options.image_sizes.and_then(|sizes| sizes(&target, usage))
            {
                call.extra.insert("width".to_owned(), found.width.into());
                call.extra.insert("height".to_owned(), found.height.into());
                let base_path = self.options.base_path;
                let link = |path: &str| format!("{base_path}{}", path.trim_start_matches('/'));
                let view = found
                    .picture
                    .as_deref()
                    .and_then(|picture| crate::render::picture_view_with(&link, picture));
                if let Some(view) = view.and_then(|v| serde_json::to_value(v).ok()) {
                    call.extra.insert("picture".to_owned(), view);
                }
            }
            call.args.insert(key.to_owned(), self.rewrite(&target).into());
        }
        match context.renderer.render(&call, body, context.page) {
            Ok(mut html) => {
                if self.sectioned && self.call_summary.is_none() {
                    self.call_summary = ["title", "caption"]
                        .iter()
                        .find_map(|key| call.args.get(*key)?.as_str())
                        .map(squeeze_spaces)
                        .filter(|text| !text.is_empty());
                }
                if let Err(at) = self.body.shortcodes.binary_search(&call.name) {
                    self.body.shortcodes.insert(at, call.name.clone());
                }
                self.body.has_embed |= html.contains("data-embed-src");
                if !html.ends_with('\n') {
                    html.push('\n');
                }
                self.emit(Event::Html(html.into()));
            }
            Err(refusal) => self.body.problems.push(call.problem(refusal)),
        }
    }

    fn count_words(&mut self, text: &str) {
        // Only an article body has a reading time.
        if self.sectioned {
            self.body.word_count += count_words(text);
        }
    }

    /// Root-relative links get the site's base path, so they work under a sub-path.
    fn rewrite(&self, url: &str) -> String {
        if runs_code(url) {
            // Never a live link, whoever wrote it; `gazette check` reports it.
            return "#".to_owned();
        }
        match url.strip_prefix('/') {
            Some(rest) if !rest.starts_with('/') => format!("{}{rest}", self.options.base_path),
            _ => url.to_owned(),
        }
    }

    fn end_code(&mut self) {
        let (lang, code) = self.code.take().expect("inside a code block");
        let (inner, highlighted) = highlight::render_code(&code, &lang);
        self.body.has_code |= highlighted;
        if highlighted {
            for class in highlight::classes_in(&inner) {
                if let Err(at) = self.body.code_classes.binary_search_by(|c| c.as_str().cmp(class))
                {
                    self.body.code_classes.insert(at, class.to_owned());
                }
            }
        }
        let mut html = String::with_capacity(inner.len() + 64);
        html.push_str("<pre class=\"code\"");
        if !lang.is_empty() {
            html.push_str(" data-lang=\"");
            escape_html(&mut html, &lang).expect("String writes cannot fail");
            html.push('"');
        }
        html.push_str("><code>");
        html.push_str(&inner);
        html.push_str("</code></pre>\n");
        self.emit(Event::Html(html.into()));
    }

    /// Records the `<img>` tags of raw HTML, for `check`: an image without `alt` text is
    /// as much a problem in HTML as in Markdown.
    fn note_raw_images(&mut self, html: &str, offset: usize) {
        let lower = html.to_ascii_lowercase();
        let starts: Vec<usize> = lower.match_indices("<img").map(|(at, _)| at).collect();
        // Where the next `>` is, found once for all the tags before it: `<img <img <img`
        // with no `>` would otherwise be searched to its end from each tag.
        let mut close: Option<usize> = None;
        for (k, &at) in starts.iter().enumerate() {
            if close.is_none_or(|c| c < at) {
                close = Some(lower[at..].find('>').map_or(lower.len(), |end| at + end + 1));
            }
            // A tag ends at its `>`, or where the next `<img` starts if that comes first.
            let end = starts.get(k + 1).map_or(lower.len(), |&next| next).min(close.unwrap_or(0));
            let tag = &lower[at..end.max(at)];
            let attribute = |name: &str| {
                let start = tag.find(&format!(" {name}="))? + name.len() + 2;
                let value = &html[at + start..at + tag.len()];
                let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
                let value = value.trim_start_matches(['"', '\'']);
                let end = value
                    .find(|c: char| quote.map_or(c.is_whitespace() || c == '>', |q| c == q))
                    .unwrap_or(value.len());
                Some(value[..end].to_owned())
            };
            let (line, column) = self.position(offset + at);
            self.body.links.push(BodyLink {
                target: attribute("src").unwrap_or_default(),
                line,
                column,
                width: underline_width(tag),
                is_image: true,
                // `alt=""` marks a decorative image on purpose.
                missing_alt: attribute("alt").is_none(),
                raw_html: true,
            });
        }
    }

    fn end_image(&mut self) {
        let (src, alt, title) = self.image.take().expect("inside an image");
        let written = self.body.links.iter().rev().find(|l| l.is_image).map(|l| {
            let usage = Usage {
                line: l.line,
                column: l.column,
                width: l.width,
                lead: false,
                measure_only: false,
            };
            (l.target.clone(), usage)
        });
        let found = written
            .and_then(|(w, usage)| self.options.image_sizes.and_then(|sizes| sizes(&w, usage)));
        let alt = alt.trim();
        if alt.is_empty()
            && let Some(link) = self.body.links.iter_mut().rev().find(|l| l.is_image)
        {
            link.missing_alt = true;
        }
        // `![alt](src "Caption")` alone in its paragraph is a figure (issue 16), which
        // takes the paragraph's place.
        let figure = !title.is_empty()
            && self.image_alone
            && matches!(self.emitted().last(), Some(Event::Start(Tag::Paragraph)));
        if figure {
            self.emitted().pop();
            self.drop_paragraph_end = true;
        }
        let shown_title = (!figure).then_some(title.as_str());
        let mut html = String::new();
        match found.as_ref().and_then(|f| f.picture.as_ref()).filter(|p| p.is_responsive()) {
            Some(picture) => html.push_str(&crate::images::render_picture(
                picture,
                alt,
                shown_title,
                self.options.base_path,
                BODY_SIZES,
                false,
            )),
            None => {
                html.push_str("<img src=\"");
                escape_href(&mut html, &src).expect("String writes cannot fail");
                html.push_str("\" alt=\"");
                escape_html(&mut html, alt).expect("String writes cannot fail");
                html.push('"');
                if let Some(title) = shown_title.filter(|t| !t.is_empty()) {
                    html.push_str(" title=\"");
                    escape_html(&mut html, title).expect("String writes cannot fail");
                    html.push('"');
                }
                if let Some(found) = &found {
                    html.push_str(&format!(
                        " width=\"{}\" height=\"{}\"",
                        found.width, found.height
                    ));
                }
                html.push_str(" loading=\"lazy\" decoding=\"async\">");
            }
        }
        if figure {
            let mut caption = String::new();
            escape_html(&mut caption, &title).expect("String writes cannot fail");
            html = format!("<figure>{html}<figcaption>{caption}</figcaption></figure>\n");
            self.emit(Event::Html(html.into()));
            return;
        }
        self.emit(Event::InlineHtml(html.into()));
    }

    fn end_heading(&mut self) {
        let heading = self.heading.take().expect("inside a heading");
        let text = squeeze_spaces(&heading.text);
        let base = match &heading.explicit_id {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => Slug::new(&text).as_str().to_owned(),
        };
        let id = self.ids.unique(&base);
        let mut inner = String::new();
        pulldown_cmark::html::push_html(&mut inner, heading.events.into_iter());
        // One `h1` per page: the theme's title. A `#` in the body counts as a `##`.
        let level = match heading.level {
            HeadingLevel::H1 => HeadingLevel::H2,
            other => other,
        };
        let level_number = level as u8;
        if level_number <= 3 && self.sectioned && self.depth == 0 {
            self.body.toc.push(TocEntry {
                level: level_number,
                text: text.clone(),
                id: id.clone(),
            });
        }
        if level == HeadingLevel::H2 && self.sectioned && self.depth == 0 {
            self.flush();
            self.body.sections.push(Section {
                heading_html: inner,
                heading: text,
                id,
                classes: heading.classes.join(" "),
                html: Html::default(),
            });
            self.section_html.push(String::new());
            return;
        }
        let mut html = format!("<{level} id=\"");
        escape_html(&mut html, &id).expect("String writes cannot fail");
        html.push('"');
        if !heading.classes.is_empty() {
            html.push_str(" class=\"");
            escape_html(&mut html, &heading.classes.join(" ")).expect("String writes cannot fail");
            html.push('"');
        }
        html.push('>');
        html.push_str(&inner);
        html.push_str(&format!("</{level}>\n"));
        self.emit(Event::Html(html.into()));
    }

    fn footnote_reference(&mut self, label: &str) {
        let number = match self.footnote_numbers.get(label) {
            Some(&i) => {
                self.footnote_refs[i].1 += 1;
                i + 1
            }
            None => {
                self.footnote_numbers.insert(label.to_owned(), self.footnote_refs.len());
                self.footnote_refs.push((label.to_owned(), 1));
                self.footnote_refs.len()
            }
        };
        let slug = Slug::new(label);
        let count = self.footnote_refs[number - 1].1;
        let ref_id =
            if count == 1 { format!("fnref-{slug}") } else { format!("fnref-{slug}-{count}") };
        let html = format!(
            "<sup class=\"footnote-ref\" id=\"{ref_id}\"><a href=\"#fn-{slug}\">{number}</a></sup>"
        );
        self.emit(Event::InlineHtml(html.into()));
    }

    /// Renders the pending events into the current section (or the intro).
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let target = self.section_html.last_mut().unwrap_or(&mut self.intro);
        pulldown_cmark::html::push_html(target, self.pending.drain(..));
    }

    /// The body's facts, the HTML before the first section, and each section's HTML.
    fn finish(mut self) -> (Body, String, Vec<String>) {
        // Bodies left open (only after an error) keep their content.
        while let Some((_, _, events)) = self.captures.pop() {
            events.into_iter().for_each(|e| self.emit(e));
        }
        if let Some(prepared) = self.prepared {
            self.body.problems.splice(0..0, prepared.problems.iter().cloned());
            self.body.problems.sort_by_key(|p| (p.line, p.column));
        }
        self.flush();
        if !self.footnotes.is_empty() {
            let html = self.render_footnotes();
            self.section_html.last_mut().unwrap_or(&mut self.intro).push_str(&html);
        }
        let mut body = self.body;
        body.first_paragraph = self
            .summary
            .filter(|_| self.summary_done)
            .or(self.fallback_summary)
            .or(self.call_summary);
        body.links.shrink_to_fit();
        (body, self.intro, self.section_html)
    }

    /// The notes list: referenced footnotes in order of first reference, then the rest.
    fn render_footnotes(&mut self) -> String {
        let mut footnotes = std::mem::take(&mut self.footnotes);
        footnotes
            .sort_by_key(|f| self.footnote_numbers.get(&f.label).copied().unwrap_or(usize::MAX));
        let mut html = String::from("<section class=\"footnotes\" aria-label=\"Notes\">\n<ol>\n");
        for footnote in footnotes {
            let slug = Slug::new(&footnote.label);
            let id = self.ids.unique(&format!("fn-{slug}"));
            html.push_str(&format!("<li id=\"{id}\">"));
            pulldown_cmark::html::push_html(&mut html, footnote.events.into_iter());
            if self.footnote_numbers.contains_key(&footnote.label) {
                html.push_str(&format!(
                    "<a href=\"#fnref-{slug}\" class=\"footnote-back\" aria-label=\"Back to the text\">↩</a>"
                ));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ol>\n</section>\n");
        html
    }
}

/// Characters of `markup` to underline in a message: its first line, counted up to a
/// bound no excerpt window reaches.
fn underline_width(markup: &str) -> usize {
    const MAX: usize = 200;
    if markup.is_empty() {
        return 1;
    }
    let mut chars = markup.chars().peekable();
    let mut count = 0;
    while let Some(c) = chars.next() {
        if count == MAX || c == '\n' || (c == '\r' && chars.peek() == Some(&'\n')) {
            break;
        }
        count += 1;
    }
    count
}

/// Words in `text`: runs of non-space characters holding a letter or digit (a lone dash
/// is not a word). Most words show it in their first byte.
fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut words, mut i) = (0, 0);
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let word = &bytes[start..i];
        if word.iter().any(u8::is_ascii_alphanumeric)
            || (!word.is_ascii() && text[start..i].chars().any(char::is_alphanumeric))
        {
            words += 1;
        }
    }
    words
}

/// A callout's class suffix and default title.
fn callout_kind(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

fn is_container(tag: &Tag<'_>) -> bool {
    matches!(tag, Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::DefinitionList)
}

fn is_container_end(tag: &TagEnd) -> bool {
    matches!(tag, TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item | TagEnd::DefinitionList)
}

#[cfg(test)]
mod tests;
