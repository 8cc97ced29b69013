//! Every user-facing error: where it happened, what went wrong, what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a source file, printed as `path:line:column` so editors can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Relative to the site root, so messages read the same on every machine.
    pub path: PathBuf,
    /// 1-based and counted over the whole file, front matter included.
    pub line: usize,
    /// 1-based, in characters; `None` when only the line is known.
    pub column: Option<usize>,
}

impl Location {
    pub fn new(path: impl Into<PathBuf>, line: usize) -> Self {
        Location { path: path.into(), line, column: None }
    }

    pub fn with_column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", display_path(&self.path), self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        Ok(())
    }
}

/// Paths print with `/` on every platform so messages and snapshots agree.
pub(crate) fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// How bad a content problem is: errors fail the build, warnings only fail `check --strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// The source line a problem is on, with the part to underline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The line without its line break; a long line keeps only a window around the
    /// culprit, with `…` where it was cut, so a message never holds more than a few
    /// hundred bytes of the file (issue 22).
    pub line: String,
    /// Byte range of the culprit within `line`; never empty.
    pub span: std::ops::Range<usize>,
    /// `line` starts part-way through the source line, so columns counted in it are not
    /// the file's: the location's column is shown instead.
    pub cut: bool,
}

/// Lines up to this many bytes are shown whole; longer ones as a window around the
/// culprit: this many characters before it, at most this many of it, and after it.
const WHOLE_LINE_BYTES: usize = 1024;
const WINDOW_BEFORE: usize = 40;
const WINDOW_CULPRIT: usize = 60;
const WINDOW_AFTER: usize = 20;

impl Excerpt {
    /// The excerpt of `line` (without its line break) whose culprit starts at byte
    /// `start` (a character boundary) and spans `width` characters, or to the end of the
    /// line when `width` is `None`. Costs the same for a line of any length.
    pub fn new(line: &str, start: usize, width: Option<usize>) -> Excerpt {
        let start = start.min(line.len());
        let long = line.len() > WHOLE_LINE_BYTES;
        // Walks `n` characters forward from `from`, stopping at `limit`.
        let forward = |from: usize, n: usize, limit: usize| {
            line[from..limit].char_indices().nth(n).map_or(limit, |(i, _)| from + i)
        };
        let culprit_limit = if long { WINDOW_CULPRIT } else { usize::MAX };
        let end = match width {
            Some(w) => forward(start, w.max(1).min(culprit_limit), line.len()),
            None if long => {
                let end = forward(start, culprit_limit, line.len());
                start + line[start..end].trim_end().len()
            }
            None => start + line[start..].trim_end().len(),
        };
        // An empty culprit (the end of a line) still gets one caret.
        let end = if end > start {
            end
        } else {
            start + line[start..].chars().next().map_or(0, char::len_utf8)
        };
        if !long {
            return Excerpt { line: line.to_owned(), span: start..end, cut: false };
        }
        let from =
            line[..start].char_indices().rev().take(WINDOW_BEFORE).last().map_or(start, |(i, _)| i);
        let to = forward(end, WINDOW_AFTER, line.len());
        let mut window = String::with_capacity(to - from + 6);
        if from > 0 {
            window.push('…');
        }
        let shift = window.len() + start - from;
        window.push_str(&line[from..to]);
        if to < line.len() {
            window.push('…');
        }
        Excerpt { line: window, span: shift..shift + (end - start), cut: from > 0 }
    }
}

/// Where each line of a text starts, worked out once, so that turning a byte offset
/// into a line and column, or taking a line, costs O(log n) however many messages a
/// file has (issue 22).
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// The byte offset of each line's start; the first is 0.
    starts: Vec<usize>,
    /// How many characters start before byte `k * CHUNK`, for each `k`: columns are
    /// counted in characters without walking a whole long line.
    chars_before: Vec<usize>,
}

const CHUNK: usize = 256;

fn is_char_start(b: u8) -> bool {
    (b as i8) >= -0x40 // not a UTF-8 continuation byte (0b10xx_xxxx)
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let starts = std::iter::once(0)
            .chain(bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i + 1))
            .collect();
        let mut chars_before = Vec::with_capacity(bytes.len() / CHUNK + 1);
        let mut count = 0;
        for chunk in bytes.chunks(CHUNK) {
            chars_before.push(count);
            count += chunk.iter().filter(|&&b| is_char_start(b)).count();
        }
        chars_before.push(count);
        LineIndex { text, starts, chars_before }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Characters that start before byte `offset`.
    fn chars_to(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let chunk = offset / CHUNK;
        let from = chunk * CHUNK;
        self.chars_before[chunk]
            + self.text.as_bytes()[from..offset].iter().filter(|&&b| is_char_start(b)).count()
    }

    /// The 0-based line holding byte `offset`, and the 1-based column, in characters.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let index = self.starts.partition_point(|&s| s <= offset) - 1;
        (index, self.chars_to(offset) - self.chars_to(self.starts[index]) + 1)
    }

    /// Line `index` (0-based) without its line break, as `str::lines` gives it.
    pub fn line(&self, index: usize) -> Option<&'a str> {
        let start = *self.starts.get(index)?;
        if start == self.text.len() {
            return None; // after the final line break, `lines` has no more lines
        }
        Some(match self.starts.get(index + 1) {
            Some(&next) => {
                let line = &self.text[start..next - 1];
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => &self.text[start..],
        })
    }

    /// The byte offset, within line `index`, of its 1-based character `column` (the
    /// line's end when it is shorter).
    pub fn column_offset(&self, index: usize, column: usize) -> usize {
        let Some(line) = self.line(index) else { return 0 };
        let start = self.starts[index];
        let target = self.chars_to(start) + column.max(1) - 1;
        let chunk = self.chars_before.partition_point(|&c| c <= target) - 1;
        let bytes = self.text.as_bytes();
        let (mut at, end) = ((chunk * CHUNK).max(start), start + line.len());
        let mut count = self.chars_to(at);
        while at < end {
            if is_char_start(bytes[at]) {
                if count == target {
                    return at - start;
                }
                count += 1;
            }
            at += 1;
        }
        line.len()
    }
}

/// What kind of problem a diagnostic is, for code that decides what to do about it:
/// recovery and reporting match on this, never on the message's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// Nothing to know beyond the message.
    #[default]
    Other,
    /// The YAML does not parse (its syntax, or nesting and aliases past gazette's limits):
    /// nothing after this point of the block can be read.
    InvalidYaml,
    /// A mapping lacks a required key. `parent` is the path to the mapping (`faq[0]`),
    /// empty for the top level of the block.
    MissingKey { parent: String, key: String },
    /// A mapping has a key it does not take.
    UnknownKey { parent: String, key: String },
    /// A mapping has the same key twice.
    DuplicateKey { parent: String, key: String },
    /// A value fits none of the shapes its key takes (`author`: a name or a list of
    /// names). serde names only the Rust type that has those shapes (`Authors`), not the key.
    NoMatchingShape { type_name: String },
    /// Stands for problems of the same file not shown (the per-file cap of the checks):
    /// how many of them are errors and how many warnings.
    Hidden { errors: usize, warnings: usize },
}

/// One problem in a content or configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub at: Location,
    pub message: String,
    /// What kind of problem this is (see [`Diagnostic::kind`]): `None` for
    /// [`DiagnosticKind::Other`], and boxed, so that every diagnostic stays small.
    kind: Option<Box<DiagnosticKind>>,
    /// What to do about it, such as `did you mean `title`?`.
    /// A `Box<str>`, not a `String`: with [`Diagnostic::kind`] the diagnostic stays small.
    pub hint: Option<Box<str>>,
    pub severity: Severity,
    /// The line and the culprit on it, drawn under the message.
    pub excerpt: Option<Box<Excerpt>>,
    /// How many characters the culprit spans, for an excerpt added later (by
    /// `content::add_excerpts`); `None` underlines to the end of the line.
    pub width: Option<u32>,
}

impl Diagnostic {
    pub fn error(at: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            at,
            message: message.into(),
            kind: None,
            hint: None,
            severity: Severity::Error,
            excerpt: None,
            width: None,
        }
    }

    pub fn warning(at: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            at,
            message: message.into(),
            kind: None,
            hint: None,
            severity: Severity::Warning,
            excerpt: None,
            width: None,
        }
    }

    /// Shows `line` under the message, underlining `width` characters from the
    /// location's column (or to the end of the line when `width` is `None`).
    pub fn with_excerpt(mut self, line: &str, width: Option<usize>) -> Self {
        let line = line.trim_end_matches(['\r', '\n']);
        let column = self.at.column.unwrap_or(1).max(1);
        let start = line.char_indices().nth(column - 1).map_or(line.len(), |(i, _)| i);
        self.excerpt = Some(Box::new(Excerpt::new(line, start, width)));
        self
    }

    /// Like [`Diagnostic::with_excerpt`], taking the line from the text the location counts in.
    pub fn with_excerpt_from(self, text: &str, first_line: usize, width: Option<usize>) -> Self {
        self.with_excerpt_in(&LineIndex::new(text), first_line, width)
    }

    /// Like [`Diagnostic::with_excerpt_from`], with the text's lines already indexed: for
    /// many messages on one file.
    pub fn with_excerpt_in(
        mut self,
        index: &LineIndex<'_>,
        first_line: usize,
        width: Option<usize>,
    ) -> Self {
        let Some(i) = self.at.line.checked_sub(first_line) else { return self };
        let Some(line) = index.line(i) else { return self };
        let line = line.trim_end_matches(['\r', '\n']);
        let start = index.column_offset(i, self.at.column.unwrap_or(1)).min(line.len());
        self.excerpt = Some(Box::new(Excerpt::new(line, start, width)));
        self
    }

    /// Sets how many characters the culprit spans (see [`Diagnostic::width`]).
    pub fn with_width(mut self, width: usize) -> Self {
        self.width = Some(u32::try_from(width).unwrap_or(u32::MAX));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }

    pub fn with_kind(mut self, kind: DiagnosticKind) -> Self {
        self.kind = (kind != DiagnosticKind::Other).then(|| Box::new(kind));
        self
    }

    /// What kind of problem this is; [`DiagnosticKind::Other`] unless someone needs to know.
    /// How many errors and warnings this message stands for: itself, or the problems it
    /// counts when it is [`DiagnosticKind::Hidden`].
    pub fn counts(&self) -> (usize, usize) {
        match self.kind() {
            DiagnosticKind::Hidden { errors, warnings } => (*errors, *warnings),
            _ if self.severity == Severity::Error => (1, 0),
            _ => (0, 1),
        }
    }

    /// How many problems this message counts without showing them.
    pub fn not_shown(&self) -> usize {
        match self.kind() {
            DiagnosticKind::Hidden { errors, warnings } => errors + warnings,
            _ => 0,
        }
    }

    pub fn kind(&self) -> &DiagnosticKind {
        static OTHER: DiagnosticKind = DiagnosticKind::Other;
        self.kind.as_deref().unwrap_or(&OTHER)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io { path: PathBuf, source: std::io::Error },
    /// A content or configuration file is wrong; the user fixes the file.
    Content(Box<Diagnostic>),
    /// A template failed to parse, or to render a page.
    Template {
        template: String,
        /// Where in the template the error is (`line:column` of Tera's report), when Tera
        /// says: a template that fails to parse, or an expression that fails to render.
        at: Option<Box<Location>>,
        /// The articles whose pages failed with this same error, in build order: none when
        /// the template failed to parse or on a page of no article (issue 23: one error
        /// for all of them, not one per article).
        articles: Vec<PathBuf>,
        /// How many pages of no article (listings, search, 404) failed with this error.
        other_pages: usize,
        source: Box<tera::Error>,
        /// What to do about it, such as how to print a field only some articles set.
        hint: Option<String>,
    },
    /// The command line is wrong: an option or value gazette does not take, or no site
    /// where `--root` points. The only error that exits with 2.
    Usage(String),
    /// The command line is fine, but the site folder or the machine stands in the way: a
    /// theme folder missing, a file that would be overwritten, a port or a watcher that
    /// cannot be had.
    Failed(String),
    /// A folder gazette would fill or replace may hold something it did not write, or a
    /// file it would publish cannot be made safe to publish: the message says why, the
    /// help what to do instead.
    Refused { message: String, help: String },
    /// Several problems found in one run, reported together.
    Many(Vec<Error>),
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn content(diagnostic: Diagnostic) -> Self {
        Error::Content(Box::new(diagnostic))
    }

    /// Several content problems as one error (one stays itself).
    pub fn contents(diagnostics: Vec<Diagnostic>) -> Self {
        let errors = diagnostics.into_iter().map(Error::content).collect();
        Error::collect(errors).expect_err("at least one problem")
    }

    /// Joins the errors of one run: one error stays itself, several become `Many`.
    pub fn collect(mut errors: Vec<Error>) -> Result<()> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.pop().expect("length checked")),
            _ => Err(Error::Many(errors)),
        }
    }

    /// The individual problems, with `Many` flattened.
    pub fn problems(&self) -> Vec<&Error> {
        match self {
            Error::Many(errors) => errors.iter().flat_map(Error::problems).collect(),
            other => vec![other],
        }
    }

    /// Process exit code: 2 for usage errors (the command line itself is wrong), 1 for
    /// everything else: a refused folder, a missing theme, a watcher that cannot start.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Many(errors) if errors.iter().all(|e| e.exit_code() == 2) => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => {
                write!(f, "cannot access `{}`: {}", display_path(path), io_reason(source))
            }
            Error::Content(diagnostic) => diagnostic.fmt(f),
            Error::Template { template, articles, other_pages, .. } => {
                match (articles.as_slice(), *other_pages) {
                    ([], 0 | 1) => write!(f, "template `{template}` failed"),
                    ([], pages) => {
                        write!(f, "template `{template}` failed to render {pages} pages")
                    }
                    ([article], 0) => write!(
                        f,
                        "{}: template `{template}` failed to render this article",
                        display_path(article)
                    ),
                    ([article], others) => write!(
                        f,
                        "template `{template}` failed to render {} pages, among them the article {}",
                        others + 1,
                        display_path(article)
                    ),
                    (several, 0) => write!(
                        f,
                        "template `{template}` failed to render {} articles: {}",
                        several.len(),
                        list_paths(several)
                    ),
                    (several, others) => write!(
                        f,
                        "template `{template}` failed to render {} pages, {} of them articles: {}",
                        several.len() + others,
                        several.len(),
                        list_paths(several)
                    ),
                }
            }
            Error::Usage(message) | Error::Failed(message) | Error::Refused { message, .. } => {
                f.write_str(message)
            }
            Error::Many(errors) => write!(f, "{} problems found", errors.len()),
        }
    }
}

/// Articles this many or fewer are all named in a message; past it, the first
/// [`PATHS_NAMED_PAST_IT`] and a count. ("and 2 more" would take as much room as the two.)
const PATHS_NAMED: usize = 5;
const PATHS_NAMED_PAST_IT: usize = 3;

/// `a.md, b.md, c.md and 5 more`: a few paths, then how many were left out.
fn list_paths(paths: &[PathBuf]) -> String {
    let shown = if paths.len() <= PATHS_NAMED { paths.len() } else { PATHS_NAMED_PAST_IT };
    let mut out = paths[..shown].iter().map(|p| display_path(p)).collect::<Vec<_>>().join(", ");
    if shown < paths.len() {
        out.push_str(&format!(" and {} more", paths.len() - shown));
    }
    out
}

/// The I/O error's reason without the "(os error N)" tail, which means nothing to a writer.
fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text.to_lowercase(),
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The I/O reason is already part of the message.
            Error::Io { .. } => None,
            Error::Template { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Error::content(diagnostic)
    }
}

impl Diagnostic {
    /// The compiler-style report: message, `--> path:line:col`, the source line with the
    /// culprit underlined, and the hint. `color` adds terminal colours.
    pub fn render(&self, color: bool) -> String {
        use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path = display_path(&self.at.path);
        let title = level.primary_title(self.message.as_str());
        let group = match &self.excerpt {
            Some(excerpt) => title.element(
                Snippet::source(excerpt.line.as_str())
                    .line_start(self.at.line)
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(excerpt.span.clone())),
            ),
            None => {
                let mut origin = Origin::path(path.as_str()).line(self.at.line);
                if let Some(column) = self.at.column {
                    origin = origin.char_column(column);
                }
                title.element(origin)
            }
        };
        let group = match &self.hint {
            Some(hint) => group.element(Level::HELP.message(&**hint)),
            None => group,
        };
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        let out = renderer.render(&[group]);
        match (&self.excerpt, self.at.column) {
            // The renderer counts the column in the window it was given: put the file's
            // column back in the `-->` line.
            (Some(excerpt), Some(column)) if excerpt.cut => {
                let counted = excerpt.line[..excerpt.span.start].chars().count() + 1;
                let wrong = format!("{path}:{}:{counted}", self.at.line);
                let right = format!("{path}:{}:{column}", self.at.line);
                out.replacen(&wrong, &right, 1)
            }
            _ => out,
        }
    }
}

/// An error without a source line, then its help, drawn the way diagnostics are.
fn render_with_help(message: &str, help: &str, color: bool) -> String {
    use annotate_snippets::{Level, Renderer};
    let group = Level::ERROR.primary_title(message).element(Level::HELP.message(help));
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    renderer.render(&[group])
}

impl Error {
    /// Every problem, rendered for a terminal, then a count when there are several.
    pub fn render(&self, color: bool) -> String {
        let problems = self.problems();
        let mut out = String::new();
        for (i, problem) in problems.iter().enumerate() {
            if i > 0 {
                out.push('\n'); // a blank line between problems, as compilers do
            }
            match problem {
                Error::Content(diagnostic) => out.push_str(&diagnostic.render(color)),
                Error::Refused { message, help } => {
                    out.push_str(&render_with_help(message, help, color))
                }
                other => {
                    out.push_str(&format!("error: {other}"));
                    let mut cause = std::error::Error::source(other);
                    while let Some(c) = cause {
                        for line in c.to_string().lines() {
                            out.push_str(&format!("\n  {line}"));
                        }
                        cause = c.source();
                    }
                    if let Error::Template { hint: Some(hint), .. } = other {
                        out.push_str(&format!("\n  = help: {hint}"));
                    }
                }
            }
            out.push('\n');
        }
        if problems.len() > 1 {
            out.push_str(&format!("{} problems found\n", problems.len()));
        }
        out
    }
}

#[cfg(test)]
mod tests;
