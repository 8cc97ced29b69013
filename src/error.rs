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
pub fn display_path(path: &Path) -> String {
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
    /// The whole line, without its line break.
    pub line: String,
    /// Byte range of the culprit within `line`; never empty.
    pub span: std::ops::Range<usize>,
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
        let end = match width {
            Some(w) => {
                line[start..].char_indices().nth(w.max(1)).map_or(line.len(), |(i, _)| start + i)
            }
            None => start + line[start..].trim_end().len(),
        };
        // An empty culprit (the end of a line) still gets one caret.
        let end = if end > start {
            end
        } else {
            start + line[start..].chars().next().map_or(0, char::len_utf8)
        };
        self.excerpt = Some(Box::new(Excerpt { line: line.to_owned(), span: start..end }));
        self
    }

    /// Like [`Diagnostic::with_excerpt`], taking the line from the text the location counts in.
    pub fn with_excerpt_from(self, text: &str, first_line: usize, width: Option<usize>) -> Self {
        match self.at.line.checked_sub(first_line).and_then(|i| text.lines().nth(i)) {
            Some(line) => {
                let line = line.to_owned();
                self.with_excerpt(&line, width)
            }
            None => self,
        }
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
    /// A folder gazette would fill or replace may hold something it did not write: the
    /// message says why, the help what to do instead.
    Refused { message: String, help: String },
    /// Several problems found in one run, reported together.
    Many(Vec<Error>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

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

/// Articles this many or fewer are all named in a message; past it, the first few and a count.
const PATHS_NAMED: usize = 4;

/// `a.md, b.md, c.md and 5 more`: a few paths, then how many were left out.
fn list_paths(paths: &[PathBuf]) -> String {
    let shown = if paths.len() <= PATHS_NAMED { paths.len() } else { PATHS_NAMED - 1 };
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
        renderer.render(&[group])
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
